// Every file name built from a title goes through here: no path escapes the output folder, no
// control characters, no names Windows refuses, and collisions resolved deterministically.

const MAX_STEM_BYTES = 120;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;
// Letters, digits and a few punctuation marks are kept; everything else (separators, whitespace,
// control characters, : * ? " < > | and friends) becomes "_".
const UNSAFE = /[^\p{L}\p{N}\p{M}\-_.+()@,=]/gu;

/** A safe single path component from any title. Never empty, never "." or "..", never a path. */
export function sanitizeName(title: string, maxBytes = MAX_STEM_BYTES): string {
  let s = title.normalize("NFC").replace(UNSAFE, "_");
  s = s.replace(/_+/g, "_").replace(/^[._]+/, "").replace(/[._ ]+$/, "");
  if (s === "") s = "item";
  if (WINDOWS_RESERVED.test(s.split(".")[0] ?? "")) s = `_${s}`;
  return truncateUtf8(s, maxBytes);
}

/** Cut a string to at most maxBytes of UTF-8 without splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, "utf8") <= maxBytes) return s;
  let out = "";
  let bytes = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch, "utf8");
    if (bytes + b > maxBytes) break;
    out += ch;
    bytes += b;
  }
  return out;
}

/** Split "photo.final.JPG" into ["photo.final", ".jpg"] when the extension looks like media. */
export function splitExtension(title: string, known: ReadonlySet<string> = IMAGE_EXTENSIONS): [string, string] {
  const dot = title.lastIndexOf(".");
  if (dot > 0) {
    const ext = title.slice(dot).toLowerCase();
    if (known.has(ext)) return [title.slice(0, dot), ext];
  }
  return [title, ""];
}

export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  ".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".dng", ".mpo", ".heic", ".pfm",
]);

/** The parts of a stem: the sanitised base (`head`), the suffix kept whole (`tail`), and the name without a clash. */
function stemParts(base: string, suffix: string): { head: string; tail: string; room: number; plain: string } {
  let head = sanitizeName(base + suffix, Infinity);
  let tail = suffix;
  if (suffix === "" || !head.endsWith(suffix) || head.length === suffix.length) {
    head = truncateUtf8(head, MAX_STEM_BYTES);
    tail = "";
  } else {
    head = head.slice(0, -suffix.length);
  }
  const room = MAX_STEM_BYTES - Buffer.byteLength(tail, "utf8");
  return { head, tail, room, plain: `${truncateUtf8(head, room)}${tail}` };
}

/** The stem an item gets when no other item has taken it: what it depends on is the item alone. */
export function preferredStem(base: string, suffix = ""): string {
  return stemParts(base, suffix).plain;
}

/**
 * Hands out unique stems. The first claimant of a name keeps it; later ones get a suffix from
 * their tie-break (a short data hash), then a counter. Comparison ignores case so outputs survive
 * case-insensitive file systems. Deterministic for the same input order.
 */
export class UniqueNames {
  private readonly used = new Set<string>();

  /**
   * A unique stem for `base`. A `suffix` (a frame's "_000042") always ends the stem whole: the base
   * is cut to make room for it under the byte cap, and collision marks go before it.
   */
  claim(base: string, tieBreak?: string, suffix = ""): string {
    const { head, tail, room, plain } = stemParts(base, suffix);
    if (this.take(plain)) return plain;
    if (tieBreak) {
      const withHash = `${truncateUtf8(head, room - 10)}_${sanitizeName(tieBreak, 8)}${tail}`;
      if (this.take(withHash)) return withHash;
    }
    for (let n = 2; ; n++) {
      const numbered = `${truncateUtf8(head, room - 12)}_${n}${tail}`;
      if (this.take(numbered)) return numbered;
    }
  }

  private take(name: string): boolean {
    const key = name.toLowerCase();
    if (this.used.has(key)) return false;
    this.used.add(key);
    return true;
  }
}
