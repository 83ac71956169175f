// Encord's shape payloads (normalised [0,1] coordinates, doc §3) -> pixel-space Geometry.
// x and w scale by the frame width, y and h by its height (the SDK's COCO exporter and its golden
// test prove it; Encord's docs page has x/h and y/w swapped).
import type { Geometry, SkeletonPoint, Visibility } from "../model.js";
import { RleError } from "../geometry/rle.js";
import { decodeRleRuns } from "../geometry/rle-codec.js";
import { finite, intKey, isRecord, kindOf, own, positiveInt, str, type JsonRecord } from "./guards.js";
import type { SkeletonTemplate } from "./ontology.js";

export interface ShapeContext {
  width: number; // the frame's size in pixels
  height: number;
  maxPixels: number;
  skeleton?: SkeletonTemplate; // the ontology template of a skeleton object
}

/** A warning about a shape; `code` is a stable Problem code. */
export interface ShapeNote {
  code: string;
  message: string;
}

export type ShapeResult = { geometry: Geometry; notes: ShapeNote[] } | { error: ShapeNote };

export const SHAPES_2D: ReadonlySet<string> = new Set([
  "bounding_box",
  "rotatable_bounding_box",
  "polygon",
  "polyline",
  "point",
  "skeleton",
  "bitmask",
]);
/** Shapes Encord has but a 2-D converter cannot place (3-D, point clouds, time/text ranges). */
export const SHAPES_UNSUPPORTED: ReadonlySet<string> = new Set(["cuboid", "cuboid_2d", "segmentation", "audio", "text"]);

// Payload keys, newest first (older rows used snake_case for boxes).
const PAYLOAD_KEYS: readonly (readonly [string, string])[] = [
  ["boundingBox", "bounding_box"],
  ["bounding_box", "bounding_box"],
  ["rotatableBoundingBox", "rotatable_bounding_box"],
  ["rotatable_bounding_box", "rotatable_bounding_box"],
  ["polygons", "polygon"],
  ["polygon", "polygon"],
  ["polyline", "polyline"],
  ["point", "point"],
  ["skeleton", "skeleton"],
  ["bitmask", "bitmask"],
  ["cuboid", "cuboid"],
  ["cuboid_2d", "cuboid_2d"],
  ["cuboid2d", "cuboid_2d"],
];

/** The shape of an object entry: its `shape`, or (when missing) the payload key it carries. */
export function shapeOf(obj: JsonRecord): string | undefined {
  const s = str(own(obj, "shape"));
  if (s !== undefined && s !== "") return s;
  for (const [key, shape] of PAYLOAD_KEYS) if (own(obj, key) !== undefined) return shape;
  return undefined;
}

class ShapeFail extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function bad(message: string): never {
  throw new ShapeFail("bad-coordinates", message);
}

function num(rec: JsonRecord, key: string, what: string): number {
  const v = own(rec, key);
  const n = finite(v);
  if (n === undefined) bad(`${what}.${key} is ${kindOf(v)}, not a finite number`);
  return n;
}

function payload(obj: JsonRecord, keys: readonly string[]): [string, unknown] {
  for (const k of keys) {
    const v = own(obj, k);
    if (v !== undefined && v !== null) return [k, v];
  }
  bad(`has no ${keys[0]} payload`);
}

// Point labels for messages ("polygon.3", "polyline[2]") are built only when a message needs one:
// a long video has millions of vertices.

/** A point's record, or a failure naming it: `${what}.${key}` in a dict, `${what}[${key}]` in a list. */
function pointRecord(p: unknown, what: string, key: string | number, list: boolean): JsonRecord {
  if (!isRecord(p)) bad(`${list ? `${what}[${key}]` : `${what}.${key}`} is ${kindOf(p)}, not a point`);
  return p;
}

/** A point's x or y, or a failure naming it. */
function coord(p: JsonRecord, axis: "x" | "y", what: string, key: string | number, list: boolean): number {
  const v = own(p, axis);
  if (typeof v === "number" && Number.isFinite(v)) return v;
  bad(`${list ? `${what}[${key}]` : `${what}.${key}`}.${axis} is ${kindOf(v)}, not a finite number`);
}

function xy(v: unknown, what: string, key: string | number, list: boolean): { x: number; y: number; rec: JsonRecord } {
  const rec = pointRecord(v, what, key, list);
  return { x: coord(rec, "x", what, key, list), y: coord(rec, "y", what, key, list), rec };
}

/** A legacy point dict's keys ("0".."n-1") in index order; every key is checked first. */
function pointKeys(v: JsonRecord, what: string): string[] {
  const keys = Object.keys(v);
  const index: number[] = [];
  let sorted = true;
  for (const k of keys) {
    const i = intKey(k);
    if (i === undefined) bad(`${what} has key ${JSON.stringify(k.slice(0, 20))}, not a point index`);
    if (index.length > 0 && i < (index[index.length - 1] as number)) sorted = false;
    index.push(i);
  }
  // Integer keys come in ascending order already; only odd spellings ("01") need the (stable) sort.
  if (sorted) return keys;
  return keys.map((_, j) => j).sort((a, b) => (index[a] as number) - (index[b] as number)).map((j) => keys[j] as string);
}

/** Points of a legacy polygon/polyline/skeleton: a dict keyed "0".."n-1" (sorted by int) or a list. */
function pointList(v: unknown, what: string): { x: number; y: number; rec: JsonRecord }[] {
  if (Array.isArray(v)) return v.map((p, i) => xy(p, what, i, true));
  if (!isRecord(v)) bad(`${what} is ${kindOf(v)}, not a point list`);
  return pointKeys(v, what).map((k) => xy(v[k], what, k, false));
}

/** The same points as a flat [x0, y0, x1, y1, ...] in pixels, without an object per point. */
function flatPoints(v: unknown, what: string, width: number, height: number): number[] {
  const out: number[] = [];
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = pointRecord(v[i], what, i, true);
      const x = coord(p, "x", what, i, true);
      out.push(x * width, coord(p, "y", what, i, true) * height);
    }
    return out;
  }
  if (!isRecord(v)) bad(`${what} is ${kindOf(v)}, not a point list`);
  for (const k of pointKeys(v, what)) {
    const p = pointRecord(v[k], what, k, false);
    const x = coord(p, "x", what, k, false);
    out.push(x * width, coord(p, "y", what, k, false) * height);
  }
  return out;
}

/** Drop a repeated closing vertex: Encord rings are open, a closed copy would double it. */
function openRing(ring: number[]): number[] {
  const n = ring.length;
  if (n >= 6 && ring[0] === ring[n - 2] && ring[1] === ring[n - 1]) return ring.slice(0, n - 2);
  return ring;
}

function box(obj: JsonRecord, ctx: ShapeContext): Geometry {
  const [key, v] = payload(obj, ["boundingBox", "bounding_box"]);
  if (!isRecord(v)) bad(`${key} is ${kindOf(v)}, not an object`);
  return {
    kind: "box",
    x: num(v, "x", key) * ctx.width,
    y: num(v, "y", key) * ctx.height,
    w: num(v, "w", key) * ctx.width,
    h: num(v, "h", key) * ctx.height,
  };
}

function rotatedBox(obj: JsonRecord, ctx: ShapeContext): Geometry {
  const [key, v] = payload(obj, ["rotatableBoundingBox", "rotatable_bounding_box"]);
  if (!isRecord(v)) bad(`${key} is ${kindOf(v)}, not an object`);
  return {
    kind: "rotated-box",
    x: num(v, "x", key) * ctx.width,
    y: num(v, "y", key) * ctx.height,
    w: num(v, "w", key) * ctx.width,
    h: num(v, "h", key) * ctx.height,
    degrees: num(v, "theta", key),
  };
}

function polygon(obj: JsonRecord, ctx: ShapeContext): Geometry {
  const multi = own(obj, "polygons");
  // `polygons` (polygon -> rings -> flat x,y) carries holes and parts; legacy `polygon` is only its first ring.
  if (Array.isArray(multi) && multi.length > 0) {
    const polygons: number[][][] = multi.map((poly, p) => {
      if (!Array.isArray(poly)) bad(`polygons[${p}] is ${kindOf(poly)}, not a list of rings`);
      const rings = poly.map((ring, r) => {
        if (!Array.isArray(ring)) bad(`polygons[${p}][${r}] is ${kindOf(ring)}, not a flat coordinate list`);
        if (ring.length % 2 !== 0) bad(`polygons[${p}][${r}] has an odd number of coordinates (${ring.length})`);
        const out: number[] = [];
        for (let i = 0; i < ring.length; i++) {
          const c: unknown = ring[i];
          if (typeof c !== "number" || !Number.isFinite(c)) bad(`polygons[${p}][${r}][${i}] is ${kindOf(c)}, not a finite number`);
          out.push(i % 2 === 0 ? c * ctx.width : c * ctx.height);
        }
        return openRing(out);
      });
      if (rings.length === 0 || (rings[0] as number[]).length === 0) bad(`polygons[${p}] has no outer ring`);
      return rings.filter((ring) => ring.length > 0);
    });
    return { kind: "polygon", polygons };
  }
  const legacy = own(obj, "polygon");
  if (legacy === undefined || legacy === null) bad("has neither polygons nor polygon");
  const ring = openRing(flatPoints(legacy, "polygon", ctx.width, ctx.height));
  if (ring.length === 0) throw new ShapeFail("empty-shape", "polygon has no points");
  return { kind: "polygon", polygons: [[ring]] };
}

function polyline(obj: JsonRecord, ctx: ShapeContext): Geometry {
  const [, v] = payload(obj, ["polyline"]);
  const points = flatPoints(v, "polyline", ctx.width, ctx.height);
  if (points.length === 0) throw new ShapeFail("empty-shape", "polyline has no points");
  return { kind: "polyline", points };
}

function point(obj: JsonRecord, ctx: ShapeContext): Geometry {
  const [, v] = payload(obj, ["point"]);
  if (!isRecord(v)) bad(`point is ${kindOf(v)}, not an object`);
  // Always {"0": {x, y}}; a bare {x, y} or another single key is accepted too.
  let p: unknown = own(v, "0");
  if (p === undefined) p = own(v, "x") !== undefined ? v : Object.values(v)[0];
  if (p === undefined) throw new ShapeFail("empty-shape", "point has no coordinates");
  const { x, y } = xy(p, "point", 0, false);
  return { kind: "point", x: x * ctx.width, y: y * ctx.height };
}

/** COCO visibility from either encoding; invisible > occluded > selfOccluded > visible, none -> visible. */
export function visibilityOf(p: JsonRecord): Visibility {
  const s = str(own(p, "visibility"));
  const flag = (name: string): boolean => own(p, name) === true || s === name;
  if (flag("invisible")) return 0;
  if (flag("occluded") || flag("selfOccluded")) return 1;
  return 2;
}

function skeleton(obj: JsonRecord, ctx: ShapeContext): Geometry {
  const [, v] = payload(obj, ["skeleton"]);
  const list = pointList(v, "skeleton");
  if (list.length === 0) throw new ShapeFail("empty-shape", "skeleton has no points");
  const points: SkeletonPoint[] = list.map(({ x, y, rec }, i) => {
    const sp: SkeletonPoint = { x: x * ctx.width, y: y * ctx.height, visibility: visibilityOf(rec) };
    const name = str(own(rec, "name")) ?? ctx.skeleton?.keypoints[i];
    if (name !== undefined) sp.name = name;
    const fh = str(own(rec, "featureHash")) ?? ctx.skeleton?.keypointHashes[i];
    if (fh !== undefined) sp.featureHash = fh;
    return sp;
  });
  return { kind: "skeleton", points };
}

function bitmask(obj: JsonRecord, ctx: ShapeContext, notes: ShapeNote[]): Geometry {
  const [, v] = payload(obj, ["bitmask"]);
  if (!isRecord(v)) bad(`bitmask is ${kindOf(v)}, not an object`);
  const rle = own(v, "rleString");
  if (typeof rle !== "string") throw new ShapeFail("bad-rle", `bitmask.rleString is ${kindOf(rle)}, not a string`);
  let width = positiveInt(own(v, "width"));
  let height = positiveInt(own(v, "height"));
  if (width === undefined || height === undefined) {
    // Every SDK writer sets the mask size to the frame size, so that is the only sensible guess.
    notes.push({
      code: "mask-size-missing",
      message: `bitmask width/height are ${kindOf(own(v, "width"))}/${kindOf(own(v, "height"))}; using the frame size ${ctx.width}x${ctx.height}`,
    });
    width = ctx.width;
    height = ctx.height;
  }
  const left = own(v, "left") === undefined ? 0 : finite(own(v, "left"));
  const top = own(v, "top") === undefined ? 0 : finite(own(v, "top"));
  if (left === undefined || top === undefined) bad(`bitmask left/top are ${kindOf(own(v, "left"))}/${kindOf(own(v, "top"))}, not numbers`);
  const total = width * height;
  if (total > ctx.maxPixels) {
    throw new ShapeFail("mask-too-large", `bitmask of ${width}x${height} = ${total} pixels is over the limit of ${ctx.maxPixels} (--max-pixels)`);
  }
  let fitted: { counts: Uint32Array; padded: number };
  try {
    fitted = decodeRleRuns(rle, total);
  } catch (e) {
    if (e instanceof RleError) throw new ShapeFail("bad-rle", `bitmask: ${e.message}`);
    throw e;
  }
  if (fitted.padded > 0) {
    // The SDK zero-fills a short string silently; say so, since it usually means a cut string.
    notes.push({
      code: "rle-short",
      message: `rleString covers ${total - fitted.padded} of ${total} pixels; the rest is taken as empty`,
    });
  }
  if (width !== ctx.width || height !== ctx.height || left !== 0 || top !== 0) {
    notes.push({
      code: "mask-size-mismatch",
      message: `bitmask is ${width}x${height} at (${left},${top}), the frame is ${ctx.width}x${ctx.height}`,
    });
  }
  return { kind: "mask", mask: { width, height, left, top, counts: fitted.counts } };
}

/** Parse the payload of a 2-D shape into pixels. Never throws for bad data; returns an error note. */
export function parseShape(shape: string, obj: JsonRecord, ctx: ShapeContext): ShapeResult {
  const notes: ShapeNote[] = [];
  try {
    let geometry: Geometry;
    switch (shape) {
      case "bounding_box":
        geometry = box(obj, ctx);
        break;
      case "rotatable_bounding_box":
        geometry = rotatedBox(obj, ctx);
        break;
      case "polygon":
        geometry = polygon(obj, ctx);
        break;
      case "polyline":
        geometry = polyline(obj, ctx);
        break;
      case "point":
        geometry = point(obj, ctx);
        break;
      case "skeleton":
        geometry = skeleton(obj, ctx);
        break;
      case "bitmask":
        geometry = bitmask(obj, ctx, notes);
        break;
      default:
        if (SHAPES_UNSUPPORTED.has(shape)) {
          return { error: { code: "unsupported-shape", message: `shape ${JSON.stringify(shape)} cannot be placed on a 2-D image` } };
        }
        return { error: { code: "unknown-shape", message: `unknown shape ${JSON.stringify(shape.slice(0, 40))}` } };
    }
    return { geometry, notes };
  } catch (e) {
    if (e instanceof ShapeFail) {
      const message = e.code === "bad-coordinates" ? `${shape} ${e.message}` : e.message;
      return { error: { code: e.code, message } };
    }
    throw e;
  }
}
