// One model geometry -> the geometric part of one COCO annotation (bbox, area, segmentation,
// keypoints), in pixels of the item's frame. Pure functions: the writer adds ids and attributes and
// turns the notes into report entries.
//
// Rules (docs/coco.md lists them for users):
// - Everything is clipped to the image [0,W]x[0,H]. A coordinate outside by at most EDGE_EPS px is
//   float noise and is clamped silently; anything further out is clipped and noted as approximated.
// - box: bbox, a 4-corner polygon, area w*h. rotated box: the 4 rotated corners as the polygon, their
//   axis-aligned extent as bbox, area w*h (shoelace once clipped), the angle returned for attributes.
// - polygon: one ring per part, area = shoelace sum. A polygon with holes cannot be a COCO polygon
//   (pycocotools unions parts), so it becomes compressed RLE rasterised by geometry/raster.ts
//   (pixel centres, even-odd); its bbox stays the vertex extent and its area the shoelace area.
// - mask: compressed column-major RLE, size [H,W], bbox = toBbox of the pixels, area = pixel count.
// - point / skeleton / polyline-as-keypoints: [x,y,v] triples (v=0 written as 0,0,0), num_keypoints,
//   bbox = extent of the labelled points widened to at least 1 px per axis, its 4 corners as the
//   segmentation and its area as the area (pycocotools' loadRes does the same for keypoint results).
import type { LossNote } from "../report.js";
import type { Geometry, SkeletonPoint, Visibility } from "../model.js";
import { runsArea, runsTotal } from "../geometry/rle.js";
import { encodeCounts, rowRunsToCocoMask } from "../geometry/rle-codec.js";
import { frameRowRuns, rasteriseToRuns } from "../geometry/raster.js";
import { frameOverLimit } from "./common.js";
import {
  boxCorners,
  clipBox,
  clipPolygonsToRect,
  clipRingToRect,
  extent,
  extentOfMany,
  geometryFinite,
  multiPolygonArea,
  normaliseBox,
  ringArea,
  rotatedCorners,
  type Box,
} from "../geometry/shapes.js";

/** How far outside the frame a coordinate may lie and still count as on it (float noise), in px. */
export const EDGE_EPS = 1e-6;

export interface CocoRle {
  size: [number, number]; // [height, width]
  counts: string;
}

export type CocoSegmentation = number[][] | CocoRle;

export interface CocoShape {
  bbox: [number, number, number, number];
  area: number;
  segmentation: CocoSegmentation;
  /** Keypoint annotations only: [x,y,v] * k and the count of v > 0. */
  keypoints?: number[];
  numKeypoints?: number;
  /** Rotated boxes: the angle in degrees, kept in the annotation's attributes. */
  rotation?: number;
}

export type ShapeNote = LossNote;

export interface ShapeResult {
  shape: CocoShape | null; // null: nothing written for this object (a "skipped" note says why)
  notes: ShapeNote[];
}

export interface Frame {
  width: number;
  height: number;
}

export interface ShapeOptions {
  /** The category's keypoint names (skeleton slots); undefined when the class has none. */
  keypointNames?: readonly string[];
  /** Polylines: "skip" (COCO has no polyline) or "keypoints" (one keypoint per vertex). */
  polylineAs?: "skip" | "keypoints";
  /** --max-pixels: no frame-sized raster (holes, an offset bitmask) is made for a larger frame. */
  maxPixels?: number;
}

const skipped = (code: string, what: string, reason: string): ShapeResult => ({ shape: null, notes: [{ outcome: "skipped", code, what, reason }] });

/** The COCO shape of one geometry on a frame, or why it cannot be written. */
export function cocoShape(g: Geometry, frame: Frame, opts: ShapeOptions = {}): ShapeResult {
  if (!geometryFinite(g)) return skipped("not-finite", g.kind, "coordinates are not finite numbers");
  switch (g.kind) {
    case "box":
      return boxShape(g.x, g.y, g.w, g.h, frame);
    case "rotated-box":
      return rotatedBoxShape(g.x, g.y, g.w, g.h, g.degrees, frame);
    case "polygon":
      return polygonShape(g.polygons, frame, opts.maxPixels);
    case "mask":
      return maskShape(g.mask, frame, opts.maxPixels);
    case "point":
      return keypointShape("point", [{ x: g.x, y: g.y, visibility: 2 }], frame, opts.keypointNames, false);
    case "skeleton":
      return keypointShape("skeleton", g.points, frame, opts.keypointNames, true);
    case "polyline": {
      if (opts.polylineAs !== "keypoints") {
        return skipped("polyline", "polyline", "COCO has no polyline (--polyline-as keypoints writes its vertices as keypoints)");
      }
      const pts: SkeletonPoint[] = [];
      for (let i = 0; i + 1 < g.points.length; i += 2) pts.push({ x: g.points[i] as number, y: g.points[i + 1] as number, visibility: 2 });
      if (pts.length === 0) return skipped("no-area", "polyline", "has no vertex");
      return keypointShape("polyline", pts, frame, opts.keypointNames, false);
    }
  }
}

/** True when every point lies within the frame, allowing EDGE_EPS of float noise. */
export function insideFrame(points: readonly number[], frame: Frame): boolean {
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i] as number;
    const y = points[i + 1] as number;
    if (x < -EDGE_EPS || y < -EDGE_EPS || x > frame.width + EDGE_EPS || y > frame.height + EDGE_EPS) return false;
  }
  return true;
}

function clampRing(ring: readonly number[], frame: Frame): number[] {
  return ring.map((v, i) => Math.min(Math.max(v, 0), i % 2 === 0 ? frame.width : frame.height));
}

function bboxOf(b: Box): [number, number, number, number] {
  return [b.x, b.y, b.w, b.h];
}

/** Axis-aligned box: bbox, its 4 corners as the polygon, area w*h. */
export function boxShape(x: number, y: number, w: number, h: number, frame: Frame): ShapeResult {
  const b = normaliseBox(x, y, w, h);
  if (!(b.w > 0 && b.h > 0)) return skipped("no-area", "bounding box", "has zero width or height");
  const c = clipBox(b.x, b.y, b.w, b.h, frame.width, frame.height);
  if (!(c.w > 0 && c.h > 0)) return skipped("outside", "bounding box", "lies outside the image");
  const notes: ShapeNote[] = [];
  if (!insideFrame(boxCorners(b.x, b.y, b.w, b.h), frame)) {
    notes.push({ outcome: "approximated", code: "clipped", what: "bounding box", reason: "clipped to the image" });
  }
  return {
    shape: { bbox: [c.x, c.y, c.w, c.h], area: c.w * c.h, segmentation: [boxCorners(c.x, c.y, c.w, c.h)] },
    notes,
  };
}

/** Rotated box: its rotated corners as the polygon, their extent as bbox, the angle kept. */
export function rotatedBoxShape(x: number, y: number, w: number, h: number, degrees: number, frame: Frame): ShapeResult {
  if (!(w !== 0 && h !== 0)) return skipped("no-area", "rotated box", "has zero width or height");
  const corners = rotatedCorners(x, y, w, h, degrees);
  const notes: ShapeNote[] = [];
  let ring: number[];
  let area: number;
  if (insideFrame(corners, frame)) {
    ring = clampRing(corners, frame);
    area = Math.abs(w * h);
  } else {
    ring = clipRingToRect(corners, frame.width, frame.height);
    if (ring.length === 0) return skipped("outside", "rotated box", "lies outside the image");
    area = Math.abs(ringArea(ring));
    notes.push({ outcome: "approximated", code: "clipped", what: "rotated box", reason: "clipped to the image" });
  }
  const b = extent(ring) as Box;
  return { shape: { bbox: bboxOf(b), area, segmentation: [ring], rotation: degrees }, notes };
}

/** True when a ring has at least 3 points and a non-zero area. */
function usableRing(ring: readonly number[]): boolean {
  return ring.length >= 6 && ringArea(ring) !== 0;
}

/** Polygon(s): one ring per part; with holes, compressed RLE (holes kept exactly by the raster rule). */
export function polygonShape(polygons: readonly number[][][], frame: Frame, maxPixels?: number): ShapeResult {
  const notes: ShapeNote[] = [];
  let fitted: number[][][];
  if (polygons.every((p) => p.every((r) => insideFrame(r, frame)))) {
    fitted = polygons.map((p) => p.map((r) => clampRing(r, frame)));
  } else {
    fitted = clipPolygonsToRect(polygons, frame.width, frame.height);
    if (fitted.length === 0) return skipped("outside", "polygon", "lies outside the image");
    notes.push({ outcome: "approximated", code: "clipped", what: "polygon", reason: "clipped to the image" });
  }
  const parts: number[][][] = [];
  for (const p of fitted) {
    const outer = p[0];
    if (!outer || !usableRing(outer)) {
      notes.push({ outcome: "skipped", code: "no-area", what: "polygon part", reason: "has fewer than 3 points or no area" });
      continue;
    }
    // A hole with no area removes nothing: dropping it changes no pixel and no area.
    parts.push([outer, ...p.slice(1).filter(usableRing)]);
  }
  if (parts.length === 0) return { shape: null, notes: [...notes, { outcome: "skipped", code: "no-area", what: "polygon", reason: "has no area" }] };
  const area = multiPolygonArea(parts);
  if (!(area > 0)) return { shape: null, notes: [...notes, { outcome: "skipped", code: "no-area", what: "polygon", reason: "has no area (its holes cover it)" }] };
  const outers = parts.map((p) => p[0] as number[]);
  const bbox = bboxOf(extentOfMany(outers) as Box);
  if (parts.every((p) => p.length === 1)) return { shape: { bbox, area, segmentation: outers }, notes };
  const over = frameOverLimit(frame.width, frame.height, maxPixels);
  if (over) {
    notes.push({ outcome: "approximated", code: "hole", what: "polygon hole", reason: `${over}: no RLE is rasterised; written as its outer rings without holes` });
    return { shape: { bbox, area, segmentation: outers }, notes };
  }

  const rowRuns = rasteriseToRuns(parts, frame.width, frame.height);
  if (runsArea(rowRuns) === 0) {
    notes.push({
      outcome: "approximated",
      code: "hole",
      what: "polygon hole",
      reason: "polygon with holes covers no pixel centre, so its RLE would be empty; written as its outer rings without holes",
    });
    return { shape: { bbox, area, segmentation: outers }, notes };
  }
  return { shape: { bbox, area, segmentation: rleOf(rowRuns, frame) }, notes };
}

/** Compressed COCO RLE (column-major) of row-major runs over the whole frame. */
export function rleOf(rowRuns: ArrayLike<number>, frame: Frame): CocoRle {
  const m = rowRunsToCocoMask(rowRuns, frame.width, frame.height);
  // An empty mask is one run of zeros: "" would decode to nothing, so write the run.
  return { size: [frame.height, frame.width], counts: m ? m.counts : encodeCounts([frame.width * frame.height]) };
}

/** Bitmask: re-encoded column-major over the frame; bbox by toBbox, area = pixel count. */
export function maskShape(
  mask: { width: number; height: number; left: number; top: number; counts: Uint32Array },
  frame: Frame,
  maxPixels?: number,
): ShapeResult {
  const notes: ShapeNote[] = [];
  let rowRuns: ArrayLike<number> = mask.counts;
  const total = frame.width * frame.height;
  const aligned = mask.width === frame.width && mask.height === frame.height && mask.left === 0 && mask.top === 0;
  if (!aligned || runsTotal(mask.counts) !== total) {
    const over = frameOverLimit(frame.width, frame.height, maxPixels);
    if (over) return skipped("too-large", "bitmask", `is not frame-aligned and ${over}, so it cannot be placed on the frame`);
    // A mask of another size or offset: its runs placed on the frame, clipped (no frame buffer).
    const placed = frameRowRuns(mask, frame.width, frame.height);
    if (placed.painted < runsArea(mask.counts)) notes.push({ outcome: "approximated", code: "clipped", what: "bitmask", reason: "clipped to the image" });
    rowRuns = placed.counts;
  }
  // One walk over the runs gives the column-major string, the pixel count and the extent.
  const m = rowRunsToCocoMask(rowRuns, frame.width, frame.height);
  if (!m) return { shape: null, notes: [...notes, { outcome: "skipped", code: "no-area", what: "bitmask", reason: "is empty (no pixel set)" }] };
  return { shape: { bbox: m.bbox, area: m.area, segmentation: { size: [frame.height, frame.width], counts: m.counts } }, notes };
}

/**
 * One axis of a keypoint-only bbox: an extent narrower than 1 px is widened to 1 px about its centre,
 * then moved inside [0, limit] (limit >= 1 for any real image).
 */
export function widenToPixel(lo: number, size: number, limit: number): [number, number] {
  if (size >= 1) return [lo, size];
  let start = lo + size / 2 - 0.5;
  if (start + 1 > limit) start = limit - 1;
  if (start < 0) start = 0;
  return [start, Math.min(1, limit)];
}

/**
 * Slots of the points in the category's keypoint order (k = the names' count, or the points' count
 * when the class has no names): by name when `byName` and every point is named after a distinct
 * template name, otherwise by position. Points with no slot are counted apart.
 */
export function keypointSlots(
  points: readonly SkeletonPoint[],
  names: readonly string[] | undefined,
  byName: boolean,
): { slots: (SkeletonPoint | undefined)[]; extra: number } {
  const k = names && names.length > 0 ? names.length : points.length;
  const slots: (SkeletonPoint | undefined)[] = new Array<SkeletonPoint | undefined>(k).fill(undefined);
  const index = new Map((names ?? []).map((n, i) => [n, i] as const));
  const named =
    byName &&
    index.size === k &&
    points.every((p) => p.name !== undefined && index.has(p.name)) &&
    new Set(points.map((p) => p.name)).size === points.length;
  let extra = 0;
  points.forEach((p, i) => {
    const slot = named ? (index.get(p.name as string) as number) : i;
    if (slot < k) slots[slot] = p;
    else extra++;
  });
  return { slots, extra };
}

/** Keypoint-only annotation (point, skeleton, polyline vertices). */
export function keypointShape(
  what: "point" | "skeleton" | "polyline",
  points: readonly SkeletonPoint[],
  frame: Frame,
  names: readonly string[] | undefined,
  useNames: boolean,
): ShapeResult {
  const notes: ShapeNote[] = [];
  const { slots, extra } = keypointSlots(points, names, useNames);
  if (extra > 0) notes.push({ outcome: "skipped", code: "keypoint", what: `${what} point`, reason: "has no slot in its class's keypoint list" });
  const keypoints: number[] = [];
  const labelled: number[] = [];
  const all: number[] = [];
  let moved = false;
  for (const p of slots) {
    if (!p) {
      keypoints.push(0, 0, 0);
      continue;
    }
    const x = Math.min(Math.max(p.x, 0), frame.width);
    const y = Math.min(Math.max(p.y, 0), frame.height);
    all.push(x, y);
    const v: Visibility = p.visibility;
    if (v === 0) {
      keypoints.push(0, 0, 0); // COCO: v=0 means not labelled, written as 0,0,0
      continue;
    }
    if (!insideFrame([p.x, p.y], frame)) moved = true;
    keypoints.push(x, y, v);
    labelled.push(x, y);
  }
  if (moved) notes.push({ outcome: "approximated", code: "moved", what: `${what} point`, reason: "lay outside the image; moved onto its border" });
  const e = extent(labelled.length > 0 ? labelled : all);
  if (!e) return { shape: null, notes: [...notes, { outcome: "skipped", code: "no-area", what, reason: "has no point" }] };
  const [bx, bw] = widenToPixel(e.x, e.w, frame.width);
  const [by, bh] = widenToPixel(e.y, e.h, frame.height);
  return {
    shape: {
      bbox: [bx, by, bw, bh],
      area: bw * bh,
      segmentation: [boxCorners(bx, by, bw, bh)],
      keypoints,
      numKeypoints: labelled.length / 2,
    },
    notes,
  };
}
