// VOC segmentation maps for one image: SegmentationClass (pixel = class index + 1, 0 background)
// and SegmentationObject (pixel = instance number, the object's 1-based position in the XML).
// Shapes are painted by geometry/raster.ts (pixel centres, even-odd, parts unioned; bitmasks
// decoded exactly), in XML order, so a later object paints over an earlier one. Pure functions.
import type { Geometry } from "../model.js";
import { paintGeometry } from "../geometry/raster.js";

/** 255 is void in VOC, so 254 is the largest class index and instance number a PNG can hold. */
export const MAX_INDEX = 254;
export const VOID = 255;

export interface SegObject {
  geometry: Geometry;
  /** Category index + 1; above MAX_INDEX the object cannot be painted. */
  classValue: number;
}

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

export function hasArea(g: Geometry): boolean {
  return g.kind === "box" || g.kind === "rotated-box" || g.kind === "polygon" || g.kind === "mask";
}

/**
 * Paint the objects, in order, into both maps. The object map is painted first; the class map is
 * derived from it through a table (instance -> class), so both agree pixel for pixel. Objects after
 * the 254th have no instance number left; they are painted into the class map afterwards, which keeps
 * the order (they come last anyway).
 */
export function segmentationMaps(objects: readonly SegObject[], width: number, height: number, voidBorder: boolean): SegMaps {
  const objectMap = new Uint8Array(width * height);
  const classOf = new Uint8Array(256);
  const late: number[] = [];
  const result: SegMaps = { classMap: objectMap, objectMap, noArea: [], classTooHigh: [], instanceTooHigh: [] };
  objects.forEach((o, i) => {
    if (!hasArea(o.geometry)) result.noArea.push(i);
    else if (o.classValue < 1 || o.classValue > MAX_INDEX) result.classTooHigh.push(i);
    else if (i + 1 > MAX_INDEX) late.push(i);
    else {
      paintGeometry(objectMap, o.geometry, width, height, i + 1);
      classOf[i + 1] = o.classValue;
    }
  });
  const classMap = new Uint8Array(width * height);
  for (let p = 0; p < classMap.length; p++) classMap[p] = classOf[objectMap[p] as number] as number;
  for (const i of late) {
    const o = objects[i] as SegObject;
    paintGeometry(classMap, o.geometry, width, height, o.classValue);
    result.instanceTooHigh.push(i);
  }
  if (voidBorder) markVoidBorder(classMap, objectMap, width, height);
  return { ...result, classMap, objectMap };
}

/**
 * The classic VOC boundary: a pixel becomes 255 (void) in both maps when one of its 8 neighbours
 * inside the frame has a different class or instance, so every boundary between two regions
 * (object/background or object/object) becomes a band one pixel wide on each side.
 */
export function markVoidBorder(classMap: Uint8Array, objectMap: Uint8Array, width: number, height: number): void {
  const edge = new Uint8Array(width * height);
  const differ = (p: number, q: number): boolean => classMap[p] !== classMap[q] || objectMap[p] !== objectMap[q];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      // Each neighbouring pair once: right, down-left, down, down-right.
      if (x + 1 < width && differ(p, p + 1)) edge[p] = edge[p + 1] = 1;
      if (y + 1 < height) {
        const q = p + width;
        if (x > 0 && differ(p, q - 1)) edge[p] = edge[q - 1] = 1;
        if (differ(p, q)) edge[p] = edge[q] = 1;
        if (x + 1 < width && differ(p, q + 1)) edge[p] = edge[q + 1] = 1;
      }
    }
  }
  for (let p = 0; p < edge.length; p++) {
    if (edge[p]) {
      classMap[p] = VOID;
      objectMap[p] = VOID;
    }
  }
}
