// VOC segmentation maps for one image: SegmentationClass (pixel = class index + 1, 0 background)
// and SegmentationObject (pixel = instance number, the object's 1-based position in the XML).
// Shapes are painted by geometry/raster.ts (pixel centres, even-odd, parts unioned; bitmasks
// decoded exactly), in XML order, so a later object paints over an earlier one. Pure functions.
import type { Geometry } from "../model.js";
import { geometryRuns, paintRuns } from "../geometry/raster.js";

/** 255 is void in VOC, so 254 is the largest class index and instance number a PNG can hold. */
export const MAX_INDEX = 254;
export const VOID = 255;

export interface SegObject {
  geometry: Geometry;
  /** Category index + 1; above MAX_INDEX the object cannot be painted. */
  classValue: number;
}

/** The two maps of one image. They are reused by the next segmentationMaps call: encode them first. */
export interface SegMaps {
  classMap: Uint8Array;
  objectMap: Uint8Array;
  /** XML positions (0-based) of objects with no area (skeletons): in the XML, not in the PNGs. */
  noArea: number[];
  /** Objects whose class index is above MAX_INDEX: in neither PNG. */
  classTooHigh: number[];
  /** Objects after the 254th: in SegmentationClass only. */
  instanceTooHigh: number[];
}

/**
 * Paint the objects, in order, into both maps: each shape is rasterised once (to runs) and the runs
 * are pasted into the instance map and the class map, so both agree pixel for pixel and the cost
 * follows the painted area, not the image size. Objects after the 254th have no instance number
 * left and are painted into the class map only.
 */
export function segmentationMaps(objects: readonly SegObject[], width: number, height: number, voidBorder: boolean): SegMaps {
  // Reused frame buffers: two fresh ones per image cost their page faults on first paint (measured:
  // the painting took 18% of voc --masks, most of it in the kernel).
  const objectMap = scratchMap(0, width * height);
  const classMap = scratchMap(1, width * height);
  const result: SegMaps = { classMap, objectMap, noArea: [], classTooHigh: [], instanceTooHigh: [] };
  objects.forEach((o, i) => {
    const runs = geometryRuns(o.geometry, width, height);
    if (!runs) {
      result.noArea.push(i);
      return;
    }
    if (o.classValue < 1 || o.classValue > MAX_INDEX) {
      result.classTooHigh.push(i);
      return;
    }
    paintRuns(classMap, runs, width, height, o.classValue);
    if (i + 1 <= MAX_INDEX) paintRuns(objectMap, runs, width, height, i + 1);
    else result.instanceTooHigh.push(i);
  });
  if (voidBorder) markVoidBorder(classMap, objectMap, width, height);
  return result;
}

/**
 * The classic VOC boundary: a pixel becomes 255 (void) in both maps when one of its 8 neighbours
 * inside the frame has a different class or instance, so every boundary between two regions
 * (object/background or object/object) becomes a band one pixel wide on each side.
 * Only the rows and columns around painted pixels can hold a boundary, so only they are scanned.
 */
export function markVoidBorder(classMap: Uint8Array, objectMap: Uint8Array, width: number, height: number): void {
  // One key per pixel (class and instance together), and the extent of the painted pixels.
  const key = scratchKey(width * height);
  let x0 = width;
  let x1 = -1;
  let y0 = height;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const k = ((classMap[row + x] as number) << 8) | (objectMap[row + x] as number);
      if (k === 0) continue;
      key[row + x] = k;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return;
  // A boundary pixel is at most one pixel outside the painted extent.
  const xa = Math.max(0, x0 - 1);
  const xb = Math.min(width - 1, x1 + 1);
  const ya = Math.max(0, y0 - 1);
  const yb = Math.min(height - 1, y1 + 1);
  const edge = scratchEdge(width * height);
  for (let y = ya; y <= yb; y++) {
    const row = y * width;
    const below = y + 1 <= yb;
    for (let x = xa; x <= xb; x++) {
      const p = row + x;
      const k = key[p] as number;
      // Each neighbouring pair once: right, down-left, down, down-right.
      if (x < xb && key[p + 1] !== k) edge[p] = edge[p + 1] = 1;
      if (below) {
        const q = p + width;
        if (x > xa && key[q - 1] !== k) edge[p] = edge[q - 1] = 1;
        if (key[q] !== k) edge[p] = edge[q] = 1;
        if (x < xb && key[q + 1] !== k) edge[p] = edge[q + 1] = 1;
      }
    }
  }
  for (let y = ya; y <= yb; y++) {
    for (let p = y * width + xa; p <= y * width + xb; p++) {
      if (edge[p]) {
        classMap[p] = VOID;
        objectMap[p] = VOID;
      }
    }
  }
}

const maps: [Uint8Array, Uint8Array] = [new Uint8Array(0), new Uint8Array(0)];

/** Frame buffer k of the maps, zeroed, exactly n pixels long. */
function scratchMap(k: 0 | 1, n: number): Uint8Array {
  let m = maps[k];
  if (m.length !== n) m = maps[k] = new Uint8Array(n);
  else m.fill(0);
  return m;
}

// The border pass's per-pixel buffers, reused from image to image (zeroed before each use) rather
// than two new frame-sized buffers per image for the collector.
let keyBuffer = new Uint16Array(0);
let edgeBuffer = new Uint8Array(0);

function scratchKey(n: number): Uint16Array {
  if (keyBuffer.length < n) keyBuffer = new Uint16Array(n);
  else keyBuffer.fill(0, 0, n);
  return keyBuffer;
}

function scratchEdge(n: number): Uint8Array {
  if (edgeBuffer.length < n) edgeBuffer = new Uint8Array(n);
  else edgeBuffer.fill(0, 0, n);
  return edgeBuffer;
}
