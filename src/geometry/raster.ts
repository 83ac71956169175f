// Polygon rasterisation by one rule, used for every mask this tool draws:
//
//   Pixel (col c, row r) is inside a polygon when its centre (c+0.5, r+0.5) is inside by the
//   EVEN-ODD rule over all rings of that polygon (so holes stay empty, and a ring inside a hole
//   fills again). The polygons of one object are UNIONED (a part lying in another part's hole is
//   filled). Ties: a centre exactly on an edge counts as inside when the edge is a left or top
//   edge of the region and outside when it is a right or bottom edge (spans are [x0, x1), and an
//   edge covers scanlines y with ymin <= y < ymax), so polygons that share an edge tile without
//   gaps or overlaps.
//
// Implementation: a scanline per pixel row at y = r+0.5; each polygon's non-horizontal edges give
// crossings x, sorted, taken in pairs [x0,x1); the pixels of a pair are ceil(x0-0.5) ..
// ceil(x1-0.5)-1. Edges enter and leave an active list by row, so the cost is O(rows × active edges),
// never a point test per pixel. The axis-aligned rectangle [2,3]-[12,11] gives exactly 80 pixels,
// as pycocotools does; slanted edges can differ from pycocotools (which rasterises differently).
import type { Geometry, MaskRuns } from "../model.js";
import { forEachRowSegment, RunsBuilder } from "./rle.js";
import { geometryPolygons } from "./shapes.js";

/** polygon -> rings -> flat [x0,y0,x1,y1,...]; ring 0 outer, the rest holes (even-odd anyway). */
export type Polygons = readonly (readonly (readonly number[])[])[];

interface Edge {
  rowStart: number; // first row whose centre line the edge crosses
  rowEnd: number; // one past the last
  ax: number; // the endpoint with the smaller y
  ay: number;
  slope: number; // dx/dy
}

/** The edges of one polygon's rings that cross at least one row centre of the frame, by rowStart. */
function polygonEdges(rings: readonly (readonly number[])[], height: number): Edge[] {
  const edges: Edge[] = [];
  for (const ring of rings) {
    const n = Math.floor(ring.length / 2);
    if (n < 2 || !ring.every(Number.isFinite)) continue; // a NaN would break the crossing parity
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      let ax = ring[2 * i] as number;
      let ay = ring[2 * i + 1] as number;
      let bx = ring[2 * j] as number;
      let by = ring[2 * j + 1] as number;
      if (ay === by) continue; // horizontal: crosses no scanline under the half-open rule
      if (ay > by) {
        // Orient by y so an edge shared by two polygons gives bit-identical crossings.
        [ax, bx] = [bx, ax];
        [ay, by] = [by, ay];
      }
      const rowStart = Math.max(0, Math.ceil(ay - 0.5));
      const rowEnd = Math.min(height, Math.ceil(by - 0.5));
      if (rowStart >= rowEnd) continue;
      edges.push({ rowStart, rowEnd, ax, ay, slope: (bx - ax) / (by - ay) });
    }
  }
  edges.sort((a, b) => a.rowStart - b.rowStart);
  return edges;
}

/**
 * Calls fn(row, c0, c1) for each span [c0,c1) of one polygon's inside pixels, clipped to the frame,
 * rows ascending and spans left to right within a row.
 */
export function forEachPolygonSpan(
  rings: readonly (readonly number[])[],
  width: number,
  height: number,
  fn: (row: number, c0: number, c1: number) => void,
): void {
  const edges = polygonEdges(rings, height);
  if (edges.length === 0) return;
  let next = 0;
  let active: Edge[] = [];
  const xs: number[] = [];
  for (let r = (edges[0] as Edge).rowStart; r < height; r++) {
    active = active.filter((e) => e.rowEnd > r);
    while (next < edges.length && (edges[next] as Edge).rowStart === r) active.push(edges[next++] as Edge);
    if (active.length === 0) {
      if (next >= edges.length) break;
      r = (edges[next] as Edge).rowStart - 1; // skip empty rows
      continue;
    }
    const y = r + 0.5;
    xs.length = 0;
    for (const e of active) xs.push(e.ax + (y - e.ay) * e.slope);
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const c0 = Math.max(0, Math.ceil((xs[k] as number) - 0.5));
      const c1 = Math.min(width, Math.ceil((xs[k + 1] as number) - 0.5));
      if (c0 < c1) fn(r, c0, c1);
    }
  }
}

/**
 * Fill the union of the polygons with `value` into a row-major width×height buffer (a new one, or
 * `target`, so several objects can be painted into one semantic mask). Returns the buffer.
 */
export function rasterisePolygons(
  polygons: Polygons,
  width: number,
  height: number,
  target?: Uint8Array,
  value = 1,
): Uint8Array {
  const out = target ?? new Uint8Array(width * height);
  if (out.length !== width * height) {
    throw new RangeError(`raster target holds ${out.length} pixels, not ${width}x${height}`);
  }
  for (const rings of polygons) {
    forEachPolygonSpan(rings, width, height, (r, c0, c1) => out.fill(value, r * width + c0, r * width + c1));
  }
  return out;
}

/**
 * The union of the polygons as row-major run counts (zeros first, adding up to width*height),
 * without a bitmap: spans are gathered per row and merged. Feed to rle-codec.rowRunsToCocoMask for COCO.
 */
export function rasteriseToRuns(polygons: Polygons, width: number, height: number): number[] {
  const rows = new Map<number, number[]>(); // row -> [c0,c1,c0,c1,...]
  for (const rings of polygons) {
    forEachPolygonSpan(rings, width, height, (r, c0, c1) => {
      let spans = rows.get(r);
      if (!spans) rows.set(r, (spans = []));
      spans.push(c0, c1);
    });
  }
  const counts: number[] = [];
  let pos = 0; // end of the last emitted run, as a row-major index
  let open = -1; // start of a run of ones not yet emitted
  let openEnd = -1;
  const flush = (): void => {
    if (open < 0) return;
    counts.push(open - pos, openEnd - open);
    pos = openEnd;
    open = -1;
  };
  for (const r of [...rows.keys()].sort((a, b) => a - b)) {
    const spans = rows.get(r) as number[];
    const order: number[] = [];
    for (let k = 0; k < spans.length; k += 2) order.push(k);
    order.sort((a, b) => (spans[a] as number) - (spans[b] as number));
    for (const k of order) {
      const s = r * width + (spans[k] as number);
      const e = r * width + (spans[k + 1] as number);
      if (open >= 0 && s <= openEnd) {
        if (e > openEnd) openEnd = e; // overlapping or touching (also across a row end)
      } else {
        flush();
        open = s;
        openEnd = e;
      }
    }
  }
  flush();
  const total = width * height;
  if (total > pos || counts.length === 0) counts.push(total - pos);
  return counts;
}

/** A frame-sized row-major buffer to paint into: class values (8-bit) or object numbers (16/32-bit). */
export type PixelTarget = Uint8Array | Uint16Array | Uint32Array;

/**
 * Paste a decoded mask into a frame-sized row-major buffer at its left/top, clipped to the frame
 * (and to the mask's own size). Returns how many pixels were painted.
 */
export function paintRuns(target: PixelTarget, runs: MaskRuns, frameWidth: number, frameHeight: number, value = 1): number {
  if (target.length !== frameWidth * frameHeight) {
    throw new RangeError(`paint target holds ${target.length} pixels, not ${frameWidth}x${frameHeight}`);
  }
  // The buffer is row-major at the frame's width: a span and an index range are both one fill.
  const sink: RowSink = {
    span: (y, x0, x1, v) => target.fill(v, y * frameWidth + x0, y * frameWidth + x1),
    range: (start, end, v) => target.fill(v, start, end),
  };
  return paintRunsRows(sink, runs, frameWidth, frameHeight, value);
}

/** A mask with the frame's own size at 0,0: its runs index the frame's pixels directly. */
function frameAligned(runs: MaskRuns, frameWidth: number, frameHeight: number): boolean {
  return runs.width === frameWidth && runs.height === frameHeight && runs.left === 0 && runs.top === 0;
}

/** Something painted by rows (output/png.ts GrayRows): spans of a row, or row-major index ranges. */
export interface RowSink {
  span(y: number, x0: number, x1: number, value: number): void;
  range(start: number, end: number, value: number): void;
}

/** paintRuns into a RowSink instead of a frame buffer; returns how many pixels were painted. */
export function paintRunsRows(sink: RowSink, runs: MaskRuns, frameWidth: number, frameHeight: number, value: number): number {
  let painted = 0;
  if (frameAligned(runs, frameWidth, frameHeight)) {
    const c = runs.counts;
    const total = frameWidth * frameHeight;
    let pos = 0;
    // Same flattening as the frame: each run of ones is one range, rows wrapping included.
    for (let i = 0; i < c.length && pos < total; i++) {
      const run = c[i] as number;
      if ((i & 1) === 1 && run > 0) {
        const end = pos + run < total ? pos + run : total;
        sink.range(pos, end, value);
        painted += end - pos;
      }
      pos += run;
    }
    return painted;
  }
  forEachFrameSpan(runs, frameWidth, frameHeight, (fy, fx0, fx1) => {
    sink.span(fy, fx0, fx1, value);
    painted += fx1 - fx0;
  });
  return painted;
}

/**
 * A mask of another size or offset as frame-sized row-major runs (zeros first, adding up to the
 * frame's pixels), clipped to the frame, and how many pixels it keeps: what paintRuns into a frame
 * buffer followed by reading the buffer's runs gives, without the buffer.
 */
export function frameRowRuns(runs: MaskRuns, frameWidth: number, frameHeight: number): { counts: Uint32Array; painted: number } {
  const out = new RunsBuilder();
  let painted = 0;
  forEachFrameSpan(runs, frameWidth, frameHeight, (fy, fx0, fx1) => {
    out.add(fy * frameWidth + fx0, fy * frameWidth + fx1);
    painted += fx1 - fx0;
  });
  return { counts: Uint32Array.from(out.finish(frameWidth * frameHeight)), painted };
}

/**
 * Calls fn(row, x0, x1) for each span [x0,x1) of a mask's set pixels placed at its left/top in a
 * frame of frameWidth×frameHeight, clipped to the frame, rows ascending.
 */
export function forEachFrameSpan(runs: MaskRuns, frameWidth: number, frameHeight: number, fn: (row: number, x0: number, x1: number) => void): void {
  forEachRowSegment(runs.counts, runs.width, (y, x0, x1) => {
    if (y >= runs.height) return;
    const fy = y + runs.top;
    if (fy < 0 || fy >= frameHeight) return;
    const fx0 = Math.max(0, x0 + runs.left);
    const fx1 = Math.min(frameWidth, x1 + runs.left);
    if (fx0 < fx1) fn(fy, fx0, fx1);
  });
}

/**
 * The region of any geometry with an area as frame-sized row-major runs (box, rotated box and polygon
 * rasterised by the rule above; a mask as it is, with its own size and offset), or null for kinds
 * without one (point, polyline, skeleton). Feed to paintRuns, which also counts the pixels.
 */
export function geometryRuns(g: Geometry, frameWidth: number, frameHeight: number): MaskRuns | null {
  if (g.kind === "mask") return g.mask;
  const polygons = geometryPolygons(g);
  if (!polygons) return null;
  const counts = Uint32Array.from(rasteriseToRuns(polygons, frameWidth, frameHeight));
  return { width: frameWidth, height: frameHeight, left: 0, top: 0, counts };
}

/**
 * Paint any geometry with an area (box, rotated box, polygon, mask) into the buffer; returns false
 * for kinds that have none (point, polyline, skeleton) and paints nothing.
 */
export function paintGeometry(target: Uint8Array, g: Geometry, frameWidth: number, frameHeight: number, value = 1): boolean {
  if (g.kind === "mask") {
    paintRuns(target, g.mask, frameWidth, frameHeight, value);
    return true;
  }
  const polygons = geometryPolygons(g);
  if (!polygons) return false;
  rasterisePolygons(polygons, frameWidth, frameHeight, target, value);
  return true;
}

/** Pixels that are non-zero, or equal to `value` when it is given. */
export function countPixels(buffer: ArrayLike<number>, value?: number): number {
  let n = 0;
  if (value === undefined) {
    for (let i = 0; i < buffer.length; i++) if ((buffer[i] as number) !== 0) n++;
  } else {
    for (let i = 0; i < buffer.length; i++) if ((buffer[i] as number) === value) n++;
  }
  return n;
}
