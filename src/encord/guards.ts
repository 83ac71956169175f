// Small guards for reading parsed JSON (`unknown`) without trusting its types.
// Every lookup by a key that comes from the data goes through `own`, so keys such as
// "constructor" or "__proto__" never reach Object.prototype.

export type JsonRecord = Record<string, unknown>;

export function isRecord(v: unknown): v is JsonRecord {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value of an own property, or undefined (never an inherited one). */
export function own(rec: JsonRecord, key: string): unknown {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** A finite number (ints and floats); strings, NaN and Infinity are refused. */
export function finite(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

export function bool(v: unknown): boolean | undefined {
  return typeof v === "boolean" ? v : undefined;
}

/** A positive integer size (width, height), or undefined. */
export function positiveInt(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined;
}

/** A non-negative integer given as a number or a decimal string ("3", 3), e.g. data_sequence. */
export function frameNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v === "string" && /^\s*\d{1,15}\s*$/.test(v)) return Number(v);
  return undefined;
}

/** A JSON object key that is a frame index ("0", "12"); other keys give undefined. */
export function intKey(k: string): number | undefined {
  return /^\d{1,15}$/.test(k) ? Number(k) : undefined;
}

/** Own entries of a record, or [] for anything else. */
export function entries(v: unknown): [string, unknown][] {
  return isRecord(v) ? Object.entries(v) : [];
}

/** A short description of a value's type for messages ("a string", "null", "an array"). */
export function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "missing";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "number") return Number.isFinite(v) ? "a number" : String(v);
  if (typeof v === "object") return "an object";
  return `a ${typeof v}`;
}

/** Quote a value from the data for a one-line message, shortened. */
export function quote(v: unknown, max = 40): string {
  if (v === undefined) return "missing";
  let s: string;
  try {
    s = typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  s = s.replace(/[\r\n\t]+/g, " ");
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * Inclusive [start, end] ranges: [[s, e], ...] (a single flat [s, e] is accepted too).
 * Returns undefined when malformed (non-numbers, start > end), [] for an empty list.
 */
export function parseRanges(v: unknown): [number, number][] | undefined {
  if (!Array.isArray(v)) return undefined;
  if (v.length === 2 && typeof v[0] === "number" && typeof v[1] === "number") v = [v];
  const out: [number, number][] = [];
  for (const pair of v as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) return undefined;
    const s = finite(pair[0]);
    const e = finite(pair[1]);
    if (s === undefined || e === undefined || s > e) return undefined;
    out.push([s, e]);
  }
  return out;
}

export function inRanges(ranges: readonly (readonly [number, number])[], frame: number): boolean {
  for (const [s, e] of ranges) if (frame >= s && frame <= e) return true;
  return false;
}
