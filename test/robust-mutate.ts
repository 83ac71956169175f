// Hostile exports for the robustness tests: fast-check arbitraries that take a valid export apart
// (deleted keys, wrong types at any depth, bad numbers, odd shapes, corrupt rleStrings) and a JSON
// renderer that can also write what JSON.stringify never does: duplicated keys, NaN, cut-off text.
import fc from "fast-check";
import { encodeRleString } from "../src/geometry/rle.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A node the renderer writes as given (NaN, Infinity, 1e999, a lone surrogate...), not as JSON. */
export class RawText {
  constructor(readonly text: string) {}
}

/** An object whose entries are written in order, duplicates included (JSON.parse keeps the last). */
export class DupObject {
  constructor(readonly entries: [string, Tree][]) {}
}

export type Tree = null | boolean | number | string | Tree[] | { [key: string]: Tree } | RawText | DupObject;

export type Step = string | number;

function isPlainObject(v: Tree): v is { [key: string]: Tree } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof RawText) && !(v instanceof DupObject);
}

/** Every path in the tree, parents before children (the root, [], first). */
export function allPaths(root: Tree): Step[][] {
  const out: Step[][] = [];
  const walk = (v: Tree, path: Step[]): void => {
    out.push(path);
    if (Array.isArray(v)) v.forEach((c, i) => walk(c, [...path, i]));
    else if (isPlainObject(v)) for (const k of Object.keys(v)) walk(v[k] as Tree, [...path, k]);
  };
  walk(root, []);
  return out;
}

export function getAt(root: Tree, path: readonly Step[]): Tree | undefined {
  let v: Tree | undefined = root;
  for (const s of path) {
    if (Array.isArray(v) && typeof s === "number") v = v[s];
    else if (v !== undefined && isPlainObject(v) && typeof s === "string" && Object.hasOwn(v, s)) v = v[s];
    else return undefined;
  }
  return v;
}

/** Replace (or, with `undefined`, delete) the node at `path`; returns false when the path is gone. */
export function setAt(root: Tree, path: readonly Step[], value: Tree | undefined): boolean {
  if (path.length === 0) return false;
  const parent = getAt(root, path.slice(0, -1));
  const last = path[path.length - 1] as Step;
  if (Array.isArray(parent) && typeof last === "number" && last < parent.length) {
    if (value === undefined) parent.splice(last, 1);
    else parent[last] = value;
    return true;
  }
  if (parent !== undefined && isPlainObject(parent) && typeof last === "string" && Object.hasOwn(parent, last)) {
    if (value === undefined) delete parent[last];
    else parent[last] = value;
    return true;
  }
  return false;
}

/** JSON text of the tree, with RawText and DupObject written as they are. */
export function render(v: Tree): string {
  if (v instanceof RawText) return v.text;
  if (v instanceof DupObject) return `{${v.entries.map(([k, c]) => `${JSON.stringify(k)}:${render(c)}`).join(",")}}`;
  if (Array.isArray(v)) return `[${v.map(render).join(",")}]`;
  if (isPlainObject(v)) return `{${Object.keys(v).map((k) => `${JSON.stringify(k)}:${render(v[k] as Tree)}`).join(",")}}`;
  return JSON.stringify(v);
}

export function clone<T extends Json>(v: T): T {
  return structuredClone(v);
}

/** A deep copy of a tree (RawText is immutable and shared); mutations never reach a generated value. */
export function cloneTree(v: Tree): Tree {
  if (v instanceof RawText) return v;
  if (v instanceof DupObject) return new DupObject(v.entries.map(([k, c]) => [k, cloneTree(c)]));
  if (Array.isArray(v)) return v.map(cloneTree);
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, c]) => [k, cloneTree(c)]));
  return v;
}

/** A constant that is a fresh copy each time, so one case cannot change another's value. */
function fresh<T extends Json>(v: T): fc.Arbitrary<T> {
  return fc.constant(v).map((x) => structuredClone(x));
}

// ---------------------------------------------------------------------------------------------
// Values

const weirdNumbers: readonly number[] = [
  0, -0, -1, -0.5, 0.5, 1, 1.0000001, 2, 1e-300, 5e-324, 1e9, -1e9, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e21, 1e300, -1e300,
  Number.MAX_VALUE, -Number.MAX_VALUE,
];

/** Numbers that hurt: huge, tiny, negative, around 2^31, 2^32 and 2^53. */
export const badNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...weirdNumbers),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
);

/** Text a JSON parser must refuse or map oddly: NaN, Infinity, 1e999, -0, a bare word. */
export const rawNumber: fc.Arbitrary<RawText> = fc
  .constantFrom("NaN", "Infinity", "-Infinity", "1e999", "-1e999", "-0", "0.0000000000000000000001e-330", "01", "+1", ".5", "1.", "0x10")
  .map((t) => new RawText(t));

/** A value of any other type than the one expected: string for number, object for array, null... */
export const wrongType: fc.Arbitrary<Tree> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  badNumber,
  fc.constantFrom("", "0", "640", "NaN", "null", "[]", "{}", "../../etc/passwd", "\u0000", "x".repeat(300)),
  fc.string({ maxLength: 12 }),
  fresh<Json[]>([]),
  fresh<Json>({}),
  fc.array(fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 3 })), { maxLength: 4 }),
  fc.dictionary(fc.constantFrom("x", "y", "w", "h", "0", "1", "__proto__", "constructor"), fc.oneof(fc.constant(null), badNumber), { maxKeys: 3 }),
);

// ---------------------------------------------------------------------------------------------
// Shapes (normalised coordinates, as Encord writes them)

const coord: fc.Arbitrary<number> = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  { weight: 2, arbitrary: fc.double({ min: -3, max: 4, noNaN: true }) },
  { weight: 1, arbitrary: badNumber },
);

/** A flat ring [x0,y0,...]: empty, tiny, ordinary, self-intersecting (bow-tie, star) or giant. */
export const ring: fc.Arbitrary<number[]> = fc.oneof(
  { weight: 4, arbitrary: fc.array(coord, { maxLength: 40 }) },
  { weight: 1, arbitrary: fresh<number[]>([]) },
  { weight: 1, arbitrary: fresh([0.1, 0.1, 0.9, 0.9, 0.9, 0.1, 0.1, 0.9]) }, // bow-tie
  {
    weight: 1,
    // a five-pointed star drawn in one stroke: every edge crosses two others
    arbitrary: fresh([0.5, 0, 0.8, 0.95, 0.02, 0.35, 0.98, 0.35, 0.2, 0.95]),
  },
  {
    weight: 1,
    // a giant ring: tens of thousands of vertices on a wobbly circle
    arbitrary: fc.integer({ min: 5_000, max: 60_000 }).map((n) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const a = (i / n) * 2 * Math.PI * 7; // winds 7 times: heavily self-intersecting
        const r = 0.3 + 0.15 * Math.sin(i * 0.37);
        out.push(0.5 + r * Math.cos(a), 0.5 + r * Math.sin(a));
      }
      return out;
    }),
  },
);

export const polygonsPayload: fc.Arbitrary<Tree> = fc.array(fc.array(ring, { maxLength: 3 }), { maxLength: 3 });

const point: fc.Arbitrary<Tree> = fc.record({ x: coord, y: coord });
export const legacyPoints: fc.Arbitrary<Tree> = fc.oneof(
  fc.array(point, { maxLength: 12 }),
  fc.array(point, { maxLength: 12 }).map((ps) => Object.fromEntries(ps.map((p, i) => [String(i), p]))),
);

export const boxPayload: fc.Arbitrary<Tree> = fc.record({ x: coord, y: coord, w: coord, h: coord });
export const rotatedPayload: fc.Arbitrary<Tree> = fc.record({
  x: coord,
  y: coord,
  w: coord,
  h: coord,
  theta: fc.oneof(fc.double({ min: -720, max: 720, noNaN: true }), badNumber),
});

/** rleString text: valid alphabet, bad characters, cut numbers, or empty. */
const rleText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.constantFrom(..."0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmno"), maxLength: 60 }),
  fc.string({ unit: fc.constantFrom(..."01OoZz \u0000\n\u00e9~pqr{|}\"'"), maxLength: 20 }),
  fc.constant(""),
  fc.constant("o"), // ends in the middle of a number
  fc.constant("oooooooooooooo1"), // a number longer than 50 bits
);

/**
 * A run-count list for a mask of w×h: exact, short of w×h, past w×h, or with runs above 2^31 / 2^32
 * (which a 32-bit decoder would wrap into plausible-looking small numbers).
 */
export function rleCounts(w: number, h: number): fc.Arbitrary<number[]> {
  const total = Math.max(0, w * h);
  const exact = fc.array(fc.integer({ min: 0, max: Math.max(1, Math.floor(total / 4)) }), { maxLength: 12 }).map((runs) => {
    const out: number[] = [];
    let sum = 0;
    for (const r of runs) {
      if (sum + r > total) break;
      out.push(r);
      sum += r;
    }
    out.push(total - sum);
    return out;
  });
  return fc.oneof(
    exact,
    exact.map((c) => c.slice(0, Math.max(1, c.length - 1))), // sums short of w×h
    exact.map((c) => [...c, 1 + (c.length % 7)]), // one run past w×h
    fc.array(fc.constantFrom(2 ** 31, 2 ** 31 + 1, 2 ** 32, 2 ** 32 + 5, 2 ** 40, 3), { minLength: 1, maxLength: 4 }), // beyond 2^31
  );
}

export const bitmaskPayload = (w: number, h: number): fc.Arbitrary<Tree> =>
  fc.record({
    rleString: fc.oneof({ weight: 3, arbitrary: rleCounts(w, h).map((c) => encodeRleString(c)) }, { weight: 2, arbitrary: rleText }),
    width: fc.oneof({ weight: 4, arbitrary: fc.constant(w) }, { weight: 1, arbitrary: wrongType }),
    height: fc.oneof({ weight: 4, arbitrary: fc.constant(h) }, { weight: 1, arbitrary: wrongType }),
    top: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: badNumber }),
    left: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: badNumber }),
  });

// ---------------------------------------------------------------------------------------------
// Mutations of a whole export

/** Where a mutation applies: an index into the tree's paths, taken modulo their count. */
export type Mutation =
  | { op: "delete"; at: number }
  | { op: "retype"; at: number; value: Tree }
  | { op: "number"; at: number; value: number | RawText }
  | { op: "duplicate-key"; at: number; value: Tree }
  | { op: "copy-subtree"; at: number; from: number }
  | { op: "size"; at: number; width: Tree; height: Tree }
  | { op: "shape"; at: number; kind: "polygons" | "polygon" | "polyline" | "box" | "rotated" | "skeleton" | "point" | "bitmask"; payload: Tree }
  | { op: "title"; at: number; title: string }
  | { op: "known-key"; at: number; value: Tree };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("retype" as const), at: fc.nat(), value: wrongType }),
  fc.record({ op: fc.constant("number" as const), at: fc.nat(), value: fc.oneof(badNumber, rawNumber) }),
  fc.record({ op: fc.constant("duplicate-key" as const), at: fc.nat(), value: wrongType }),
  fc.record({ op: fc.constant("copy-subtree" as const), at: fc.nat(), from: fc.nat() }),
  fc.record({
    op: fc.constant("size" as const),
    at: fc.nat(),
    width: fc.oneof(fc.constantFrom(0, -1, -640, 1, 3.5, 1e9, 2 ** 31, 2 ** 32 + 1, 65536), wrongType),
    height: fc.oneof(fc.constantFrom(0, -1, -480, 1, 2.5, 1e9, 2 ** 31, 65536), wrongType),
  }),
  fc.oneof(
    fc.record({ op: fc.constant("shape" as const), at: fc.nat(), kind: fc.constant("polygons" as const), payload: polygonsPayload }),
    fc.record({ op: fc.constant("shape" as const), at: fc.nat(), kind: fc.constantFrom("polygon" as const, "polyline" as const, "skeleton" as const), payload: legacyPoints }),
    fc.record({ op: fc.constant("shape" as const), at: fc.nat(), kind: fc.constant("box" as const), payload: boxPayload }),
    fc.record({ op: fc.constant("shape" as const), at: fc.nat(), kind: fc.constant("rotated" as const), payload: rotatedPayload }),
    fc.record({ op: fc.constant("shape" as const), at: fc.nat(), kind: fc.constant("point" as const), payload: point.map((p) => ({ "0": p })) }),
    fc.record({
      op: fc.constant("shape" as const),
      at: fc.nat(),
      kind: fc.constant("bitmask" as const),
      payload: fc.constantFrom([64, 48], [640, 480], [1, 1], [0, 0], [5000, 5000]).chain(([w, h]) => bitmaskPayload(w as number, h as number)),
    }),
  ),
  fc.record({ op: fc.constant("title" as const), at: fc.nat(), title: fc.string({ maxLength: 20 }) }),
  fc.record({
    op: fc.constant("known-key" as const),
    at: fc.nat(),
    value: fc.oneof(wrongType, fc.constantFrom<Tree>("image", "video", "img_group", "dicom", "nifti", "group", "audio", "plain_text", "pdf", "image_sequence")),
  }),
);

/** Keys whose values steer the reader: a wrong value here reaches code that plain leaves do not. */
const KNOWN_KEYS: ReadonlySet<string> = new Set([
  "data_units", "labels", "objects", "classifications", "object_answers", "object_actions", "classification_answers",
  "answers", "actions", "range", "spaces", "frames", "space_type", "child_info", "metadata", "width", "height",
  "data_type", "data_sequence", "data_hash", "shape", "featureHash", "objectHash", "classificationHash",
  "rleString", "polygons", "polygon", "polyline", "boundingBox", "rotatableBoundingBox", "point", "skeleton",
  "bitmask", "is_image_sequence", "dynamic", "isDeleted", "top", "left",
]);

const SHAPE_KEYS: Record<string, [string, string]> = {
  polygons: ["polygons", "polygon"],
  polygon: ["polygon", "polygon"],
  polyline: ["polyline", "polyline"],
  skeleton: ["skeleton", "skeleton"],
  box: ["boundingBox", "bounding_box"],
  rotated: ["rotatableBoundingBox", "rotatable_bounding_box"],
  point: ["point", "point"],
  bitmask: ["bitmask", "bitmask"],
};

/** Paths of nodes that look like labelled objects (they have an objectHash). */
function objectPaths(root: Tree): Step[][] {
  return allPaths(root).filter((p) => {
    const v = getAt(root, p);
    return v !== undefined && isPlainObject(v) && typeof v.objectHash === "string" && (v.shape !== undefined || Object.keys(v).some((k) => k in SHAPE_PAYLOADS));
  });
}

const SHAPE_PAYLOADS: Record<string, true> = { boundingBox: true, rotatableBoundingBox: true, polygon: true, polygons: true, polyline: true, point: true, skeleton: true, bitmask: true };

/** Paths of nodes that carry a size (data units, spaces, slice metadata). */
function sizedPaths(root: Tree): Step[][] {
  return allPaths(root).filter((p) => {
    const v = getAt(root, p);
    return v !== undefined && isPlainObject(v) && ("width" in v || "height" in v);
  });
}

/** Paths of title fields. */
function titlePaths(root: Tree): Step[][] {
  return allPaths(root).filter((p) => {
    const last = p[p.length - 1];
    return last === "data_title" || last === "file_name" || last === "title";
  });
}

function pick<T>(list: readonly T[], at: number): T | undefined {
  return list.length === 0 ? undefined : list[at % list.length];
}

/** Apply one mutation in place. The root (the export array) is never replaced. */
export function applyMutation(root: Tree, m: Mutation): void {
  switch (m.op) {
    case "delete": {
      const p = pick(allPaths(root).slice(1), m.at);
      if (p) setAt(root, p, undefined);
      return;
    }
    case "retype": {
      const p = pick(allPaths(root).slice(1), m.at);
      if (p) setAt(root, p, cloneTree(m.value));
      return;
    }
    case "number": {
      const nums = allPaths(root).filter((p) => typeof getAt(root, p) === "number");
      const p = pick(nums, m.at);
      if (p) setAt(root, p, m.value);
      return;
    }
    case "duplicate-key": {
      const objs = allPaths(root).filter((p) => {
        const v = getAt(root, p);
        return v !== undefined && isPlainObject(v) && Object.keys(v).length > 0;
      });
      const p = pick(objs, m.at);
      if (!p) return;
      const obj = getAt(root, p) as { [key: string]: Tree };
      const keys = Object.keys(obj);
      const key = keys[m.at % keys.length] as string;
      // The key twice: once with the original value, once (later, so it wins) with another; or the reverse.
      const entries: [string, Tree][] = keys.map((k) => [k, obj[k] as Tree]);
      entries.splice(m.at % 2 === 0 ? entries.length : 0, 0, [key, cloneTree(m.value)]);
      if (p.length === 0) return;
      setAt(root, p, new DupObject(entries));
      return;
    }
    case "copy-subtree": {
      const paths = allPaths(root).slice(1);
      const to = pick(paths, m.at);
      const from = pick(paths, m.from);
      if (!to || !from) return;
      const v = getAt(root, from);
      if (v === undefined || v instanceof RawText || v instanceof DupObject) return;
      // A copy, so a later mutation of one place does not change the other.
      setAt(root, to, structuredClone(v as Json));
      return;
    }
    case "size": {
      const p = pick(sizedPaths(root), m.at);
      if (!p) return;
      const v = getAt(root, p) as { [key: string]: Tree };
      v.width = cloneTree(m.width);
      v.height = cloneTree(m.height);
      return;
    }
    case "shape": {
      const p = pick(objectPaths(root), m.at);
      if (!p) return;
      const obj = getAt(root, p) as { [key: string]: Tree };
      for (const k of Object.keys(SHAPE_PAYLOADS)) delete obj[k];
      const [key, shape] = SHAPE_KEYS[m.kind] as [string, string];
      obj.shape = shape;
      obj[key] = cloneTree(m.payload);
      return;
    }
    case "known-key": {
      const keyed = allPaths(root).filter((p) => {
        const last = p[p.length - 1];
        return typeof last === "string" && KNOWN_KEYS.has(last);
      });
      const p = pick(keyed, m.at);
      if (p) setAt(root, p, cloneTree(m.value));
      return;
    }
    case "title": {
      const p = pick(titlePaths(root), m.at);
      if (p) setAt(root, p, m.title);
      return;
    }
  }
}

/** How the text is damaged after rendering: not at all, cut at a fraction, or a byte flipped. */
export type TextDamage = { kind: "none" } | { kind: "truncate"; at: number } | { kind: "flip"; at: number; byte: number };

export const textDamage: fc.Arbitrary<TextDamage> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: "none" as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("flip" as const), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), byte: fc.integer({ min: 0, max: 255 }) }) },
);

export function damage(bytes: Buffer, d: TextDamage): Buffer {
  if (d.kind === "none" || bytes.length === 0) return bytes;
  const at = Math.floor(d.at * bytes.length);
  if (d.kind === "truncate") return bytes.subarray(0, at);
  const out = Buffer.from(bytes);
  out[at] = d.byte;
  return out;
}
