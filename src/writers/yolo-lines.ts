// YOLO label lines from the model's pixel geometry: pure functions, one per task. Every value is
// normalised by the item's own width/height, clipped to [0,1] and written with a fixed number of
// decimals; what a task cannot hold comes back as a note (skipped/approximated) for the report.
// The rules are documented in docs/yolo.md.
import type { LossNote } from "../report.js";
import type { Geometry, GeometryKind, MaskRuns, SkeletonPoint } from "../model.js";
import { runComponents, runsBitmap, traceOuterBoundary } from "../geometry/contour.js";
import { convexHull, minAreaRect } from "../geometry/hull.js";
import { forEachRowSegment, rowRunsBBox, runsArea } from "../geometry/rle.js";
import { boxCorners, clipBox, clipRingToRect, extentOfMany, ringArea, rotatedCorners } from "../geometry/shapes.js";

export type YoloTask = "detect" | "segment" | "obb" | "pose";
export const YOLO_TASKS: readonly YoloTask[] = ["detect", "segment", "obb", "pose"];

export type LineNote = LossNote;

/** The lines one object gives (class index first) and what was lost on the way. */
export interface ObjectLines {
  lines: string[];
  notes: LineNote[];
}

export interface Frame {
  width: number;
  height: number;
}

/** Fixed-decimal output: values are held as integers of 10^-precision so rounding is exact. */
export interface Quantizer {
  precision: number;
  scale: number;
}

export const MAX_PRECISION = 15; // 10^15 units still fit a double exactly

export function quantizer(precision: number): Quantizer {
  return { precision, scale: 10 ** precision };
}

/** A normalised value clipped to [0,1], in units of 10^-precision. */
export function toUnits(v: number, q: Quantizer): number {
  const c = v > 0 ? (v < 1 ? v : 1) : 0; // also turns -0 into 0
  return Math.round(c * q.scale);
}

/** Units as fixed-decimal text ("0.250000"); never "-0", never exponent notation. */
export function unitsText(u: number, q: Quantizer): string {
  if (q.precision === 0) return String(u);
  const whole = Math.floor(u / q.scale);
  const frac = u - whole * q.scale;
  return `${whole}.${String(frac).padStart(q.precision, "0")}`;
}

/** A normalised value as YOLO text. */
export function formatValue(v: number, q: Quantizer): string {
  return unitsText(toUnits(v, q), q);
}

export const SHAPE_NAMES: Readonly<Record<GeometryKind, string>> = {
  box: "bounding box",
  "rotated-box": "rotated box",
  polygon: "polygon",
  polyline: "polyline",
  point: "point",
  skeleton: "skeleton",
  mask: "bitmask",
};

/** A pixel box [x0,y0,x1,y1] inside the frame as "cx cy w h". Null when a side rounds to 0. */
export function boxText(x0: number, y0: number, x1: number, y1: number, f: Frame, q: Quantizer): string | null {
  const axis = (a: number, b: number, size: number): [number, number] | null => {
    const c = toUnits((a + b) / 2 / size, q);
    // Rounding centre and size separately could put an edge a unit outside [0,1]: shrink instead.
    const w = Math.min(toUnits((b - a) / size, q), 2 * c, 2 * (q.scale - c));
    return w > 0 ? [c, w] : null;
  };
  const x = axis(x0, x1, f.width);
  const y = axis(y0, y1, f.height);
  if (!x || !y) return null;
  return [x[0], y[0], x[1], y[1]].map((u) => unitsText(u, q)).join(" ");
}

/**
 * A pixel ring as "x1 y1 x2 y2 ...": vertices clipped to the frame, repeats left by rounding dropped.
 * Null when fewer than 3 vertices or no area remain at this precision.
 */
export function ringText(ring: readonly number[], f: Frame, q: Quantizer): string | null {
  const us: number[] = [];
  for (let i = 0; i + 1 < ring.length; i += 2) {
    const ux = toUnits((ring[i] as number) / f.width, q);
    const uy = toUnits((ring[i + 1] as number) / f.height, q);
    const n = us.length;
    if (n >= 2 && us[n - 2] === ux && us[n - 1] === uy) continue;
    us.push(ux, uy);
  }
  while (us.length >= 4 && us[0] === us[us.length - 2] && us[1] === us[us.length - 1]) us.length -= 2;
  if (us.length < 6 || ringArea(us) === 0) return null;
  return us.map((u) => unitsText(u, q)).join(" ");
}

/** Exactly 4 corners as "x1 y1 ... x4 y4" (no repeat removal: OBB rows have 9 fields). */
export function cornersText(corners: readonly number[], f: Frame, q: Quantizer): string | null {
  const us = corners.map((v, i) => toUnits(v / (i % 2 === 0 ? f.width : f.height), q));
  if (us.length !== 8 || ringArea(us) === 0) return null;
  return us.map((u) => unitsText(u, q)).join(" ");
}

/** A rotation that keeps a box axis-aligned (so its enclosing box or clamp loses nothing). */
export function isRightAngle(degrees: number): boolean {
  return ((degrees % 90) + 90) % 90 === 0;
}

/** True when every coordinate of the geometry is a finite number. */
export function isFiniteGeometry(g: Geometry): boolean {
  const all = (vs: ArrayLike<number>): boolean => {
    for (let i = 0; i < vs.length; i++) if (!Number.isFinite(vs[i] as number)) return false;
    return true;
  };
  switch (g.kind) {
    case "box":
      return all([g.x, g.y, g.w, g.h]);
    case "rotated-box":
      return all([g.x, g.y, g.w, g.h, g.degrees]);
    case "polygon":
      return g.polygons.every((p) => p.every(all));
    case "polyline":
      return all(g.points);
    case "point":
      return all([g.x, g.y]);
    case "skeleton":
      return g.points.every((p) => all([p.x, p.y]));
    case "mask":
      return all([g.mask.left, g.mask.top]);
  }
}

export interface MaskOutline {
  /** One outer ring per 8-connected component, in frame coordinates, unclipped. */
  rings: number[][];
  /** True when some component has holes (its outer ring encloses pixels it does not own). */
  holes: boolean;
}

/**
 * The outer contours of a decoded mask (geometry/contour.ts crack following, 8-connectivity),
 * shifted by the mask's left/top. The bitmap covers only the extent of the set pixels, so a small
 * object in a large frame costs little memory; components come from the runs.
 */
export function maskOutline(mask: MaskRuns): MaskOutline {
  const e = rowRunsBBox(mask.counts, mask.width);
  if (!e) return { rings: [], holes: false };
  const { w: width, h: height } = e;
  const bitmap = runsBitmap(mask.counts, mask.width, mask.height, e.x, e.y, width, height);
  // Components from the runs (no per-pixel flood fill); their first pixels start the tracing.
  const comps = runComponents(mask.counts, mask.width, 8);
  let holes = false;
  const dx = e.x + mask.left;
  const dy = e.y + mask.top;
  const rings = comps.firstPixel.map((p, k) => {
    const x0 = (p % mask.width) - e.x;
    const y0 = Math.floor(p / mask.width) - e.y;
    const ring = traceOuterBoundary(bitmap, width, height, x0, y0, 8);
    // The ring covers the component plus its holes, so a larger area means holes.
    if (ringArea(ring) > (comps.sizes[k] as number)) holes = true;
    return ring.map((v, i) => v + (i % 2 === 0 ? dx : dy));
  });
  return { rings, holes };
}

/**
 * The pixel corners that decide a mask's convex hull: for each row, the outer corners of its
 * leftmost and rightmost set pixels, in frame coordinates. No bitmap.
 */
export function maskHullPoints(mask: MaskRuns): number[] {
  const pts: number[] = [];
  let row = -1;
  let lo = 0;
  let hi = 0;
  const flush = (): void => {
    if (row < 0) return;
    const x0 = lo + mask.left;
    const x1 = hi + mask.left;
    const y = row + mask.top;
    pts.push(x0, y, x1, y, x1, y + 1, x0, y + 1);
  };
  forEachRowSegment(mask.counts, mask.width, (y, x0, x1) => {
    if (y >= mask.height) return;
    if (y !== row) {
      flush();
      row = y;
      lo = x0;
    }
    hi = x1; // segments of a row come left to right
  });
  flush();
  return pts;
}

const outside = (shape: string): LineNote => ({ outcome: "skipped", code: "outside", what: shape, reason: "lies outside the image" });

const tooSmall = (shape: string, q: Quantizer): LineNote => ({
  outcome: "skipped",
  code: "too-small",
  what: shape,
  reason: `has no width, height or area at ${q.precision} decimals`,
});

function notRegion(task: YoloTask, kind: GeometryKind): LineNote {
  const shape = SHAPE_NAMES[kind];
  const hint = kind === "point" || kind === "skeleton" ? " (use --task pose)" : "";
  return { outcome: "skipped", code: kind, what: shape, reason: `YOLO ${task} holds regions and a ${shape} has none${hint}` };
}

/** detect: "c cx cy w h"; rotated boxes, polygons and masks as the box enclosing their visible part. */
export function detectLines(cls: number, g: Geometry, f: Frame, q: Quantizer): ObjectLines {
  const shape = SHAPE_NAMES[g.kind];
  let box: [number, number, number, number] | null = null;
  let approx: LineNote | null = null;
  switch (g.kind) {
    case "box": {
      const b = clipBox(g.x, g.y, g.w, g.h, f.width, f.height);
      if (b.w > 0 && b.h > 0) box = [b.x, b.y, b.x + b.w, b.y + b.h];
      break;
    }
    case "rotated-box":
    case "polygon": {
      const outers = g.kind === "polygon" ? g.polygons.map((p) => p[0] ?? []) : [rotatedCorners(g.x, g.y, g.w, g.h, g.degrees)];
      const e = extentOfMany(outers.map((r) => clipRingToRect(r, f.width, f.height)));
      if (e && e.w > 0 && e.h > 0) box = [e.x, e.y, e.x + e.w, e.y + e.h];
      if (g.kind === "polygon") {
        approx = { outcome: "approximated", code: "extent", what: shape, reason: "YOLO detect holds boxes: written as the polygon's extent" };
      } else if (!isRightAngle(g.degrees)) {
        approx = { outcome: "approximated", code: "extent", what: shape, reason: "YOLO detect has no angle: written as the axis-aligned box enclosing it" };
      }
      break;
    }
    case "mask": {
      const m = g.mask;
      const e = rowRunsBBox(m.counts, m.width);
      if (e) {
        const b = clipBox(e.x + m.left, e.y + m.top, e.w, e.h, f.width, f.height);
        if (b.w > 0 && b.h > 0) box = [b.x, b.y, b.x + b.w, b.y + b.h];
      }
      approx = { outcome: "approximated", code: "extent", what: shape, reason: "YOLO detect holds boxes: written as the mask's extent" };
      break;
    }
    default:
      return { lines: [], notes: [notRegion("detect", g.kind)] };
  }
  if (!box) return { lines: [], notes: [outside(shape)] };
  const text = boxText(box[0], box[1], box[2], box[3], f, q);
  if (text === null) return { lines: [], notes: [tooSmall(shape, q)] };
  return { lines: [`${cls} ${text}`], notes: approx ? [approx] : [] };
}

/**
 * segment: "c x1 y1 ..."; boxes and rotated boxes as their corners (clipped to the image), polygons one
 * line per part (holes filled, counted), masks one line per traced 8-connected component.
 */
export function segmentLines(cls: number, g: Geometry, f: Frame, q: Quantizer): ObjectLines {
  const shape = SHAPE_NAMES[g.kind];
  const notes: LineNote[] = [];
  let rings: number[][];
  switch (g.kind) {
    case "box": {
      const b = clipBox(g.x, g.y, g.w, g.h, f.width, f.height);
      rings = b.w > 0 && b.h > 0 ? [boxCorners(b.x, b.y, b.w, b.h)] : [];
      break;
    }
    case "rotated-box":
      rings = [clipRingToRect(rotatedCorners(g.x, g.y, g.w, g.h, g.degrees), f.width, f.height)];
      break;
    case "polygon": {
      rings = [];
      let holes = 0;
      for (const part of g.polygons) {
        const outer = clipRingToRect(part[0] ?? [], f.width, f.height);
        rings.push(outer);
        if (outer.length === 0) continue;
        for (let i = 1; i < part.length; i++) if (clipRingToRect(part[i] as number[], f.width, f.height).length > 0) holes++;
      }
      if (holes > 0) {
        notes.push({ outcome: "approximated", code: "hole", what: "polygon hole", reason: "YOLO segment lines cannot hold holes: the hole is filled", count: holes });
      }
      break;
    }
    case "mask": {
      const outline = maskOutline(g.mask);
      rings = outline.rings.map((r) => clipRingToRect(r, f.width, f.height));
      if (outline.holes) {
        notes.push({ outcome: "approximated", code: "hole", what: "bitmask hole", reason: "YOLO segment lines cannot hold holes: the outer contour covers them" });
      }
      break;
    }
    default:
      return { lines: [], notes: [notRegion("segment", g.kind)] };
  }
  const lines: string[] = [];
  let away = 0;
  let small = 0;
  for (const ring of rings) {
    if (ring.length === 0) {
      away++;
      continue;
    }
    const text = ringText(ring, f, q);
    if (text === null) small++;
    else lines.push(`${cls} ${text}`);
  }
  if (lines.length === 0) {
    // Nothing written: one note for the object (a hole of a skipped polygon is not worth a note).
    return { lines, notes: [away > 0 && small === 0 ? outside(shape) : tooSmall(shape, q)] };
  }
  const part = `${shape} part`;
  if (away > 0) notes.push({ ...outside(part), count: away });
  if (small > 0) notes.push({ ...tooSmall(part, q), count: small });
  if (lines.length > 1) {
    notes.push({
      outcome: "approximated",
      code: "multi-part",
      what: `multi-part ${shape}`,
      reason: "written as one line per part: YOLO reads each line as a separate object",
    });
  }
  return { lines, notes };
}

/** Corners clamped into the frame, and whether any moved. */
function clampCorners(corners: readonly number[], f: Frame): { corners: number[]; moved: boolean } {
  let moved = false;
  const out = corners.map((v, i) => {
    const hi = i % 2 === 0 ? f.width : f.height;
    const c = v < 0 ? 0 : v > hi ? hi : v;
    if (c !== v) moved = true;
    return c;
  });
  return { corners: out, moved };
}

/**
 * obb: "c x1 y1 x2 y2 x3 y3 x4 y4", clockwise on screen. Rotated boxes from their corners (TL,TR,BR,BL
 * of the un-rotated box, rotated), boxes at rotation 0, polygons and masks as the smallest rotated
 * rectangle enclosing their visible part. Corners outside the image are clamped to it.
 */
export function obbLines(cls: number, g: Geometry, f: Frame, q: Quantizer): ObjectLines {
  const shape = SHAPE_NAMES[g.kind];
  const notes: LineNote[] = [];
  let corners: number[] | null = null;
  switch (g.kind) {
    case "box": {
      const b = clipBox(g.x, g.y, g.w, g.h, f.width, f.height);
      if (b.w > 0 && b.h > 0) corners = boxCorners(b.x, b.y, b.w, b.h);
      break;
    }
    case "rotated-box": {
      const raw = rotatedCorners(g.x, g.y, g.w, g.h, g.degrees);
      if (clipRingToRect(raw, f.width, f.height).length === 0) break;
      const c = clampCorners(raw, f);
      corners = c.corners;
      if (c.moved && !isRightAngle(g.degrees)) {
        notes.push({
          outcome: "approximated",
          code: "clipped",
          what: "rotated box across the image border",
          reason: "corners clamped to the image: the 4 points are no longer a rectangle",
        });
      }
      break;
    }
    case "polygon":
    case "mask": {
      // A mask's hull comes from its rows' end pixels; a convex ring clips to a convex ring.
      const outers = g.kind === "polygon" ? g.polygons.map((p) => p[0] ?? []) : [convexHull([maskHullPoints(g.mask)])];
      const rect = minAreaRect(outers.map((r) => clipRingToRect(r, f.width, f.height)));
      if (rect) corners = clampCorners(rect, f).corners;
      notes.push({
        outcome: "approximated",
        code: "extent",
        what: shape,
        reason: `YOLO obb holds rotated boxes: written as the smallest one enclosing the ${shape}`,
      });
      break;
    }
    default:
      return { lines: [], notes: [notRegion("obb", g.kind)] };
  }
  if (!corners) return { lines: [], notes: [outside(shape)] };
  const text = cornersText(corners, f, q);
  if (text === null) return { lines: [], notes: [tooSmall(shape, q)] };
  return { lines: [`${cls} ${text}`], notes };
}

export interface PoseShape {
  /** Keypoints of the object's class (its template, or the first skeleton seen). */
  classPoints: number;
  /** Keypoints every row holds (kpt_shape[0]); the rest of the row is `0 0 0` padding. */
  rowPoints: number;
}

/** One missing keypoint: x = y = 0, v = 0. */
export function missingKeypoint(q: Quantizer): string {
  const zero = unitsText(0, q);
  return `${zero} ${zero} 0`;
}

/**
 * pose: "c cx cy w h px py v ..." for skeletons and points. The box is the extent of the labelled
 * keypoints inside the image (at least 1 px wide and high). Keypoints not labelled (v = 0) or outside
 * the image are written as missing; keypoints beyond the class's count are dropped.
 */
export function poseLines(cls: number, g: Geometry, f: Frame, q: Quantizer, k: PoseShape): ObjectLines {
  if (g.kind !== "skeleton" && g.kind !== "point") {
    return { lines: [], notes: [{ outcome: "skipped", code: g.kind, what: SHAPE_NAMES[g.kind], reason: "YOLO pose holds keypoints (skeletons and points) only" }] };
  }
  const shape = SHAPE_NAMES[g.kind];
  const points: SkeletonPoint[] = g.kind === "point" ? [{ x: g.x, y: g.y, visibility: 2 }] : g.points;
  const notes: LineNote[] = [];
  const fields: string[] = [];
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  let off = 0;
  for (let i = 0; i < k.rowPoints; i++) {
    const p = i < k.classPoints ? points[i] : undefined;
    if (!p || p.visibility === 0) {
      fields.push(missingKeypoint(q));
      continue;
    }
    if (p.x < 0 || p.y < 0 || p.x > f.width || p.y > f.height) {
      off++;
      fields.push(missingKeypoint(q));
      continue;
    }
    fields.push(`${formatValue(p.x / f.width, q)} ${formatValue(p.y / f.height, q)} ${p.visibility}`);
    if (p.x < x0) x0 = p.x;
    if (p.x > x1) x1 = p.x;
    if (p.y < y0) y0 = p.y;
    if (p.y > y1) y1 = p.y;
  }
  if (off > 0) {
    notes.push({ outcome: "skipped", code: "keypoint", what: "keypoint outside the image", reason: "written as missing (0 0 0)", count: off });
  }
  const extra = points.slice(k.classPoints).filter((p) => p.visibility > 0).length;
  if (extra > 0) {
    notes.push({ outcome: "skipped", code: "keypoint", what: "keypoint", reason: `beyond the ${k.classPoints} keypoint(s) of its class`, count: extra });
  }
  if (x0 > x1) return { lines: [], notes: [...notes, { outcome: "skipped", code: "no-area", what: shape, reason: "has no labelled keypoint inside the image" }] };
  // A point, or keypoints on one line, span no area: give the box 1 px on that side (clipped).
  let grown = false;
  if (x1 - x0 === 0) [x0, x1, grown] = [Math.max(0, x0 - 0.5), Math.min(f.width, x1 + 0.5), true];
  if (y1 - y0 === 0) [y0, y1, grown] = [Math.max(0, y0 - 0.5), Math.min(f.height, y1 + 0.5), true];
  const box = boxText(x0, y0, x1, y1, f, q);
  if (box === null) return { lines: [], notes: [...notes, tooSmall(shape, q)] };
  if (grown) {
    notes.push({ outcome: "approximated", code: "widened", what: `${shape} box`, reason: "the keypoints span no width or height: the box is 1 px on that side" });
  }
  return { lines: [`${cls} ${box} ${fields.join(" ")}`], notes };
}

/** The lines of one object for a task. */
export function objectLines(task: YoloTask, cls: number, g: Geometry, f: Frame, q: Quantizer, k: PoseShape): ObjectLines {
  if (!isFiniteGeometry(g)) {
    return { lines: [], notes: [{ outcome: "skipped", code: "not-finite", what: SHAPE_NAMES[g.kind], reason: "has a coordinate that is not a finite number" }] };
  }
  if (g.kind === "mask" && runsArea(g.mask.counts) === 0) {
    return { lines: [], notes: [{ outcome: "skipped", code: "no-area", what: SHAPE_NAMES[g.kind], reason: "has no set pixels" }] };
  }
  switch (task) {
    case "detect":
      return detectLines(cls, g, f, q);
    case "segment":
      return segmentLines(cls, g, f, q);
    case "obb":
      return obbLines(cls, g, f, q);
    case "pose":
      return poseLines(cls, g, f, q, k);
  }
}
