// Outer boundaries of a binary mask's connected components, as polygons on pixel corners.
//
// Algorithm (crack following):
// 1. Label the components (set = non-zero) with 4- or 8-connectivity by flood fill, scanning in
//    row-major order, so components are numbered by their first pixel in row-major order.
// 2. For each component, start at the top-left corner of its first pixel, heading east along that
//    pixel's top edge (the pixel above is outside the component and, being in an earlier row than
//    every component pixel, connected to the outside, so this edge is on the OUTER boundary).
// 3. Walk along pixel edges keeping the component on the right-hand side (clockwise on screen, y
//    down). At each corner, look at the two pixels ahead: ahead-left L and ahead-right R.
//      L and R set          -> turn left
//      R set, L clear       -> straight on
//      L set, R clear       -> 8-connectivity: turn left (the diagonal pixel belongs to the
//                              component; the boundary pinches through the shared corner);
//                              4-connectivity: turn right (the diagonal pixel is another component)
//      neither set          -> turn right
//    Stop on returning to the start heading east. A vertex is emitted only where the direction
//    changes, so the ring has no collinear points.
// Result: one ring per component, flat [x0,y0,...] in pixel-corner coordinates, clockwise on screen
// (positive ringArea). Its inside by the raster.ts rule (pixel centres, even-odd) is exactly the
// component plus its holes; with 8-connectivity the ring may touch itself at pinch corners.
import type { MaskRuns } from "../model.js";
import { forEachRowSegment, runsToMask } from "./rle.js";

export type Connectivity = 4 | 8;

export interface Components {
  /** Per pixel, row-major: 0 for background, else the 1-based component number. */
  labels: Int32Array;
  count: number;
  /** Row-major index of each component's first pixel (component k at index k-1). */
  firstPixel: number[];
  /** Pixel count of each component (component k at index k-1). */
  sizes: number[];
}

/** Label the connected components of the non-zero pixels, numbered by first pixel (row-major). */
export function labelComponents(mask: ArrayLike<number>, width: number, height: number, connectivity: Connectivity = 8): Components {
  if (mask.length !== width * height) throw new RangeError(`mask holds ${mask.length} pixels, not ${width}x${height}`);
  const labels = new Int32Array(width * height);
  const firstPixel: number[] = [];
  const sizes: number[] = [];
  const stack: number[] = [];
  let count = 0;
  for (let start = 0; start < labels.length; start++) {
    if ((mask[start] as number) === 0 || labels[start] !== 0) continue;
    const label = ++count;
    firstPixel.push(start);
    let size = 0;
    labels[start] = label;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop() as number;
      size++;
      const x = p % width;
      const y = (p - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue;
          if (connectivity === 4 && dx !== 0 && dy !== 0) continue;
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if ((mask[q] as number) !== 0 && labels[q] === 0) {
            labels[q] = label;
            stack.push(q);
          }
        }
      }
    }
    sizes.push(size);
  }
  return { labels, count, firstPixel, sizes };
}

/**
 * The outer boundary of the component whose first (row-major) pixel is (x0,y0), traced by crack
 * following as described at the top of this file.
 */
export function traceOuterBoundary(
  mask: ArrayLike<number>,
  width: number,
  height: number,
  x0: number,
  y0: number,
  connectivity: Connectivity = 8,
): number[] {
  const set = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height && (mask[y * width + x] as number) !== 0;
  const ring: number[] = [x0, y0];
  let x = x0;
  let y = y0;
  let dx = 1; // heading east
  let dy = 0;
  const limit = 4 * (width + 1) * (height + 1); // every pixel edge at most once per direction
  for (let steps = 0; steps < limit; steps++) {
    x += dx;
    y += dy;
    // The right-hand direction on screen (y down) is (-dy, dx). The pixel whose centre is
    // corner + (d ± right)/2 has index corner + (d ± right − 1)/2 per axis.
    const rx = -dy;
    const ry = dx;
    const aheadRight = set(x + (dx + rx - 1) / 2, y + (dy + ry - 1) / 2);
    const aheadLeft = set(x + (dx - rx - 1) / 2, y + (dy - ry - 1) / 2);
    let ndx: number;
    let ndy: number;
    if (aheadLeft && (aheadRight || connectivity === 8)) {
      ndx = dy; // turn left
      ndy = -dx;
    } else if (aheadRight) {
      ndx = dx;
      ndy = dy;
    } else {
      ndx = -dy; // turn right
      ndy = dx;
    }
    if (x === x0 && y === y0 && ndx === 1 && ndy === 0) return ring;
    if (ndx !== dx || ndy !== dy) ring.push(x, y);
    dx = ndx;
    dy = ndy;
  }
  throw new Error("contour tracing did not close (the start was not a component's first pixel)");
}

/**
 * One outer ring per connected component of a row-major mask, in the order of the components' first
 * pixels. Holes are not traced: each ring covers its component and the component's holes.
 */
export function traceOuterContours(mask: ArrayLike<number>, width: number, height: number, connectivity: Connectivity = 8): number[][] {
  const { firstPixel } = labelComponents(mask, width, height, connectivity);
  return firstPixel.map((p) => traceOuterBoundary(mask, width, height, p % width, Math.floor(p / width), connectivity));
}

/**
 * The outer rings of a decoded mask's components in frame coordinates (shifted by left/top),
 * unclipped. Builds one bitmap of the mask's own size.
 */
export function traceMaskRuns(runs: MaskRuns, connectivity: Connectivity = 8): number[][] {
  const bitmap = runsToMask(runs.counts, runs.width * runs.height);
  const rings = traceOuterContours(bitmap, runs.width, runs.height, connectivity);
  if (runs.left === 0 && runs.top === 0) return rings;
  return rings.map((ring) => ring.map((v, i) => v + (i % 2 === 0 ? runs.left : runs.top)));
}

/**
 * The components of a mask given as row-major runs, without a bitmap: union-find over the rows' set
 * segments (two segments of adjacent rows join when they overlap, or with 8-connectivity also when
 * they touch at a corner). Numbered as labelComponents numbers them (by first pixel, row-major), and
 * O(segments) rather than O(pixels), so large masks cost little.
 */
export function runComponents(counts: ArrayLike<number>, width: number, connectivity: Connectivity = 8): { firstPixel: number[]; sizes: number[] } {
  const ys: number[] = [];
  const x0s: number[] = [];
  const x1s: number[] = [];
  forEachRowSegment(counts, width, (y, x0, x1) => {
    ys.push(y);
    x0s.push(x0);
    x1s.push(x1);
  });
  const parent = ys.map((_y, i) => i);
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] as number;
    for (let j = i; j !== r; ) {
      const next = parent[j] as number; // path compression
      parent[j] = r;
      j = next;
    }
    return r;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra < rb) parent[rb] = ra; // the earlier segment stays the root: it holds the first pixel
    else if (rb < ra) parent[ra] = rb;
  };
  const diag = connectivity === 8 ? 1 : 0;
  let prevStart = 0; // segments of the previous row: [prevStart, rowStart)
  let rowStart = 0;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i] as number;
    if (i === 0 || y !== ys[i - 1]) {
      prevStart = i > 0 && ys[i - 1] === y - 1 ? rowStart : i;
      rowStart = i;
    }
    // Previous-row segments ending left of this one cannot touch it or any later one of this row.
    while (prevStart < rowStart && (x1s[prevStart] as number) + diag <= (x0s[i] as number)) prevStart++;
    for (let m = prevStart; m < rowStart && (x0s[m] as number) < (x1s[i] as number) + diag; m++) union(m, i);
  }
  const firstPixel: number[] = [];
  const sizes: number[] = [];
  const index = new Map<number, number>();
  for (let i = 0; i < ys.length; i++) {
    const r = find(i);
    let k = index.get(r);
    if (k === undefined) {
      k = firstPixel.length;
      index.set(r, k);
      firstPixel.push((ys[i] as number) * width + (x0s[i] as number));
      sizes.push(0);
    }
    sizes[k] = (sizes[k] as number) + (x1s[i] as number) - (x0s[i] as number);
  }
  return { firstPixel, sizes };
}

let bitmapScratch = new Uint8Array(0);

/**
 * The set pixels of a mask's row-major runs inside the box [bx, bx+bw) × [by, by+bh) of the mask,
 * as a row-major 0/1 bitmap of bw×bh (rows at or past maskHeight are left out). The buffer is
 * reused by the next call: a fresh one per mask cost its allocation and first-touch faults.
 */
export function runsBitmap(counts: ArrayLike<number>, maskWidth: number, maskHeight: number, bx: number, by: number, bw: number, bh: number): Uint8Array {
  const n = bw * bh;
  if (bitmapScratch.length < n) bitmapScratch = new Uint8Array(Math.max(n, 2 * bitmapScratch.length));
  else bitmapScratch.fill(0, 0, n);
  const bitmap = bitmapScratch;
  let pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i] as number;
    if ((i & 1) === 1 && run > 0) {
      let s = pos;
      const e = pos + run;
      let y = Math.floor(s / maskWidth);
      let rowStart = y * maskWidth;
      while (s < e && y < maskHeight) {
        const rowEnd = rowStart + maskWidth;
        const segEnd = e < rowEnd ? e : rowEnd;
        const yy = y - by;
        if (yy >= 0 && yy < bh) {
          const x0 = Math.max(s - rowStart, bx) - bx;
          const x1 = Math.min(segEnd - rowStart, bx + bw) - bx;
          if (x0 < x1) bitmap.fill(1, yy * bw + x0, yy * bw + x1);
        }
        s = segEnd;
        y++;
        rowStart = rowEnd;
      }
    }
    pos += run;
  }
  return bitmap.subarray(0, n);
}
