// Pure geometry on pixel coordinates (origin top-left, y down, pixel (c,r) covers [c,c+1)x[r,r+1)).
// Rings are flat [x0,y0,x1,y1,...], not closed (first != last). With y down, a ring that runs
// clockwise on screen has a POSITIVE signed shoelace area.
import type { Geometry } from "../model.js";
import { rowRunsBBox, runsArea } from "./rle.js";

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ClippedBox extends Box {
  /** True when some part of the box lay outside the frame and was cut off. */
  truncated: boolean;
}

/** Classic Pascal VOC box: 1-based, inclusive, integer pixel indices. */
export interface VocBox {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

/** YOLO box: centre and size, normalised to [0,1] by the frame size. */
export interface YoloBox {
  cx: number;
  cy: number;
  w: number;
  h: number;
}

const DEG = Math.PI / 180;

/** cos/sin of an angle in degrees, exact at multiples of 90 (Math.cos(π/2) is 6e-17, not 0). */
function cosSinDegrees(degrees: number): [number, number] {
  const d = ((degrees % 360) + 360) % 360;
  if (d === 0) return [1, 0];
  if (d === 90) return [0, 1];
  if (d === 180) return [-1, 0];
  if (d === 270) return [0, -1];
  return [Math.cos(d * DEG), Math.sin(d * DEG)];
}

/**
 * Corners TL,TR,BR,BL of the un-rotated box (x,y,w,h) after rotating it by `degrees` about its
 * centre, clockwise on screen (y down): (px,py) -> (cx + dx·c − dy·s, cy + dx·s + dy·c).
 * Rotation keeps orientation, so the ring stays clockwise on screen.
 */
export function rotatedCorners(x: number, y: number, w: number, h: number, degrees: number): number[] {
  const [c, s] = cosSinDegrees(degrees);
  const cx = x + w / 2;
  const cy = y + h / 2;
  const out: number[] = [];
  const corners = boxCorners(x, y, w, h);
  for (let i = 0; i < 8; i += 2) {
    const dx = (corners[i] as number) - cx;
    const dy = (corners[i + 1] as number) - cy;
    out.push(cx + dx * c - dy * s, cy + dx * s + dy * c);
  }
  return out;
}

/** The 4 corners TL,TR,BR,BL of an axis-aligned box, as a flat ring. */
export function boxCorners(x: number, y: number, w: number, h: number): number[] {
  return [x, y, x + w, y, x + w, y + h, x, y + h];
}

/** Signed shoelace area of a flat ring (positive when clockwise on screen, y down). */
export function ringArea(ring: ArrayLike<number>): number {
  const n = Math.floor(ring.length / 2);
  if (n < 3) return 0;
  let sum = 0;
  let px = ring[2 * (n - 1)] as number;
  let py = ring[2 * (n - 1) + 1] as number;
  for (let i = 0; i < n; i++) {
    const x = ring[2 * i] as number;
    const y = ring[2 * i + 1] as number;
    sum += px * y - x * py;
    px = x;
    py = y;
  }
  return sum / 2;
}

/** Area of one polygon: |outer| − Σ|holes|, never negative (rings[0] is the outer ring). */
export function polygonArea(rings: readonly (readonly number[])[]): number {
  const outer = rings[0];
  if (!outer) return 0;
  let area = Math.abs(ringArea(outer));
  for (let i = 1; i < rings.length; i++) area -= Math.abs(ringArea(rings[i] as number[]));
  return area > 0 ? area : 0;
}

/** Sum of the polygons' areas (COCO's polygon area: parts are taken as disjoint). */
export function multiPolygonArea(polygons: readonly (readonly (readonly number[])[])[]): number {
  let area = 0;
  for (const p of polygons) area += polygonArea(p);
  return area;
}

/** Min/max extent of a flat point list, or null when it holds no point. */
export function extent(points: ArrayLike<number>): Box | null {
  return extentOfMany([points]);
}

/** Min/max extent over several flat point lists, or null when they hold no point. */
export function extentOfMany(lists: readonly ArrayLike<number>[]): Box | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const pts of lists) {
    for (let i = 0; i + 1 < pts.length; i += 2) {
      const x = pts[i] as number;
      const y = pts[i + 1] as number;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  if (minX > maxX) return null;
  return { x: minX, y: minY, w: maxX - minX, h: maxY - minY };
}

/** A point clamped into [0,W]x[0,H]. */
export function clampPoint(x: number, y: number, width: number, height: number): [number, number] {
  return [clamp(x, 0, width), clamp(y, 0, height)];
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Sutherland–Hodgman clip of one ring against [0,W]x[0,H]. Returns [] when the clipped ring has
 * fewer than 3 distinct vertices or no area (nothing of it lies inside the frame).
 * A concave ring that leaves and re-enters the frame comes back as one ring joined by zero-width
 * slivers along the frame edge; its area and its raster are still exact.
 */
export function clipRingToRect(ring: readonly number[], width: number, height: number): number[] {
  let pts = ring.length % 2 === 0 ? ring.slice() : ring.slice(0, -1);
  // Each edge: keep the side where coordinate `axis` compared with `bound` is inside.
  const edges: [axis: 0 | 1, bound: number, keepGreater: boolean][] = [
    [0, 0, true],
    [0, width, false],
    [1, 0, true],
    [1, height, false],
  ];
  for (const [axis, bound, keepGreater] of edges) {
    if (pts.length === 0) break;
    pts = clipAgainst(pts, axis, bound, keepGreater);
  }
  const out = dropRepeats(pts);
  if (out.length < 6 || ringArea(out) === 0) return [];
  return out;
}

function clipAgainst(pts: number[], axis: 0 | 1, bound: number, keepGreater: boolean): number[] {
  const out: number[] = [];
  const n = pts.length / 2;
  const inside = (i: number): boolean => {
    const v = pts[2 * i + axis] as number;
    return keepGreater ? v >= bound : v <= bound;
  };
  for (let i = 0; i < n; i++) {
    const j = (i + n - 1) % n; // previous vertex
    const curIn = inside(i);
    const prevIn = inside(j);
    if (curIn !== prevIn) {
      // The edge crosses the boundary: add the crossing point, exact on the boundary.
      const ax = pts[2 * j] as number;
      const ay = pts[2 * j + 1] as number;
      const bx = pts[2 * i] as number;
      const by = pts[2 * i + 1] as number;
      if (axis === 0) {
        const t = (bound - ax) / (bx - ax);
        out.push(bound, ay + t * (by - ay));
      } else {
        const t = (bound - ay) / (by - ay);
        out.push(ax + t * (bx - ax), bound);
      }
    }
    if (curIn) out.push(pts[2 * i] as number, pts[2 * i + 1] as number);
  }
  return out;
}

/** Remove consecutive repeated vertices, including a last vertex equal to the first. */
function dropRepeats(pts: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < pts.length; i += 2) {
    const x = pts[i] as number;
    const y = pts[i + 1] as number;
    const k = out.length;
    if (k >= 2 && out[k - 2] === x && out[k - 1] === y) continue;
    out.push(x, y);
  }
  while (out.length >= 4 && out[0] === out[out.length - 2] && out[1] === out[out.length - 1]) out.length -= 2;
  return out;
}

/**
 * Clip one polygon (outer ring + holes) to the frame: a polygon whose outer ring vanishes is
 * dropped (null); holes that vanish are dropped.
 */
export function clipPolygonToRect(rings: readonly number[][], width: number, height: number): number[][] | null {
  const outer = rings[0];
  if (!outer) return null;
  const clippedOuter = clipRingToRect(outer, width, height);
  if (clippedOuter.length === 0) return null;
  const out = [clippedOuter];
  for (let i = 1; i < rings.length; i++) {
    const hole = clipRingToRect(rings[i] as number[], width, height);
    if (hole.length > 0) out.push(hole);
  }
  return out;
}

/** Clip every polygon to the frame, dropping those with nothing inside it. */
export function clipPolygonsToRect(polygons: readonly number[][][], width: number, height: number): number[][][] {
  const out: number[][][] = [];
  for (const p of polygons) {
    const c = clipPolygonToRect(p, width, height);
    if (c) out.push(c);
  }
  return out;
}

/** The same box with a non-negative size (a negative w or h is taken to extend left or up). */
export function normaliseBox(x: number, y: number, w: number, h: number): Box {
  return { x: Math.min(x, x + w), y: Math.min(y, y + h), w: Math.abs(w), h: Math.abs(h) };
}

/**
 * Clip an axis-aligned box to [0,W]x[0,H]. A box entirely outside comes back with w or h 0
 * (callers drop those). `truncated` says whether anything was cut off.
 */
export function clipBox(x: number, y: number, w: number, h: number, width: number, height: number): ClippedBox {
  const b = normaliseBox(x, y, w, h);
  const x0 = b.x;
  const x1 = b.x + b.w;
  const y0 = b.y;
  const y1 = b.y + b.h;
  const cx0 = clamp(x0, 0, width);
  const cx1 = clamp(x1, 0, width);
  const cy0 = clamp(y0, 0, height);
  const cy1 = clamp(y1, 0, height);
  const truncated = cx0 !== x0 || cx1 !== x1 || cy0 !== y0 || cy1 !== y1;
  return { x: cx0, y: cy0, w: cx1 - cx0, h: cy1 - cy0, truncated };
}

/**
 * The axis-aligned extent of any geometry, unclipped, or null when it has no point.
 * Vector shapes: min/max of their vertices (a rotated box: of its rotated corners).
 * Masks: COCO toBbox semantics (x = min column, w = max column − min column + 1), shifted by left/top.
 * Skeletons: the labelled points (visibility > 0); all points when none is labelled.
 */
export function geometryExtent(g: Geometry): Box | null {
  switch (g.kind) {
    case "box":
      return normaliseBox(g.x, g.y, g.w, g.h);
    case "rotated-box":
      return extent(rotatedCorners(g.x, g.y, g.w, g.h, g.degrees));
    case "polygon":
      return extentOfMany(g.polygons.flat());
    case "polyline":
      return extent(g.points);
    case "point":
      return { x: g.x, y: g.y, w: 0, h: 0 };
    case "skeleton": {
      const labelled = g.points.filter((p) => p.visibility > 0);
      const pts = labelled.length > 0 ? labelled : g.points;
      return extent(pts.flatMap((p) => [p.x, p.y]));
    }
    case "mask": {
      const m = g.mask;
      const b = rowRunsBBox(m.counts, m.width);
      return b ? { x: b.x + m.left, y: b.y + m.top, w: b.w, h: b.h } : null;
    }
  }
}

/** True when every coordinate of the geometry is a finite number (a bitmask always is). */
export function geometryFinite(g: Geometry): boolean {
  switch (g.kind) {
    case "box":
    case "rotated-box":
      return [g.x, g.y, g.w, g.h].every(Number.isFinite) && (g.kind === "box" || Number.isFinite(g.degrees));
    case "polygon":
      return g.polygons.every((p) => p.every((r) => r.every(Number.isFinite)));
    case "polyline":
      return g.points.every(Number.isFinite);
    case "point":
      return Number.isFinite(g.x) && Number.isFinite(g.y);
    case "skeleton":
      return g.points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    case "mask":
      return true;
  }
}

/** The region of a box-like or polygon geometry as polygons (rings, ring 0 outer), else null. */
export function geometryPolygons(g: Geometry): number[][][] | null {
  switch (g.kind) {
    case "box":
      return [[boxCorners(g.x, g.y, g.w, g.h)]];
    case "rotated-box":
      return [[rotatedCorners(g.x, g.y, g.w, g.h, g.degrees)]];
    case "polygon":
      return g.polygons;
    default:
      return null;
  }
}

/**
 * Area of a geometry, unclipped: boxes w·h, polygons the shoelace area (holes subtracted),
 * masks their pixel count; 0 for points, polylines and skeletons.
 */
export function geometryArea(g: Geometry): number {
  switch (g.kind) {
    case "box":
    case "rotated-box":
      return Math.abs(g.w * g.h);
    case "polygon":
      return multiPolygonArea(g.polygons);
    case "mask":
      return runsArea(g.mask.counts);
    default:
      return 0;
  }
}

/**
 * Snap a value within 1e-6 of an integer to it: normalised coordinates times the frame size carry
 * float noise (0.29 * 100 = 28.999999999999996) that floor/ceil would turn into a whole pixel.
 */
function snap(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-6 ? r : v;
}

/**
 * Devkit-exact VOC box from a continuous pixel box: xmin = max(1, floor(x)+1), xmax = min(W, ceil(x+w)),
 * the same for y. Null when nothing of the box lies inside the frame.
 */
export function toVocBox(x: number, y: number, w: number, h: number, width: number, height: number): VocBox | null {
  const x0 = snap(Math.min(x, x + w));
  const x1 = snap(Math.max(x, x + w));
  const y0 = snap(Math.min(y, y + h));
  const y1 = snap(Math.max(y, y + h));
  const xmin = Math.max(1, Math.floor(x0) + 1);
  const ymin = Math.max(1, Math.floor(y0) + 1);
  const xmax = Math.min(width, Math.ceil(x1));
  const ymax = Math.min(height, Math.ceil(y1));
  if (xmin > xmax || ymin > ymax) return null;
  return { xmin, ymin, xmax, ymax };
}

/**
 * YOLO box: clip the corners to the frame, then normalise centre and size. Null when the clipped
 * box has no width or no height.
 */
export function toYoloBox(x: number, y: number, w: number, h: number, width: number, height: number): YoloBox | null {
  const b = clipBox(x, y, w, h, width, height);
  if (!(b.w > 0 && b.h > 0)) return null;
  return { cx: (b.x + b.w / 2) / width, cy: (b.y + b.h / 2) / height, w: b.w / width, h: b.h / height };
}
