// Conventions every writer shares: file names, splits, what image formats cannot hold, attributes.
import type { Attribute, Category, Classification, Item, LabeledObject, NormalisedRow } from "../model.js";
import type { UniqueNames } from "../output/names.js";
import { DEFAULT_MAX_PIXELS } from "../options.js";
import type { Report } from "../report.js";

/** The split an item goes to when the run has none (documented in the README). */
export const DEFAULT_SPLIT = "train";

export function splitOf(item: Item): string {
  return item.split ?? DEFAULT_SPLIT;
}

/** The media file name an item's labels refer to. */
export function mediaFileName(item: Item): string {
  return item.stem + item.ext;
}

/**
 * Image formats have no place for audio and text ranges: count each one as skipped, and a row that
 * holds no image-like item at all (audio, text, an empty video) but has labels (range objects or
 * classifications, e.g. a video's global classification with no labelled frame) as a skipped row,
 * with each of its classifications.
 */
export function reportNonSpatial(row: NormalisedRow, report: Report, format: string): void {
  for (const o of row.rangeObjects) {
    report.skip("not-image", `${o.shape} object`, `${format} holds only image annotations`, {
      row: row.meta.index,
      dataHash: row.meta.dataHash,
      objectHash: o.objectHash,
    });
  }
  if (row.items.length === 0 && row.part === 0 && (row.rangeObjects.length > 0 || row.rowClassifications.length > 0)) {
    report.skip("not-image", `${row.meta.dataType} row`, `${format} holds only images`, { row: row.meta.index, dataHash: row.meta.dataHash });
    for (const c of row.rowClassifications) {
      report.skip("not-image", "classification", `no image item in the row to attach it to`, {
        row: row.meta.index,
        dataHash: row.meta.dataHash,
        classificationHash: c.classificationHash,
      });
    }
  }
}

/**
 * An item without a pixel size (a PDF page, width/height 0 in the export) cannot hold any shape: the
 * item and each of its objects are counted as skipped. True when the writer must leave the item out.
 */
export function skipUnsized(item: Item, report: Report): boolean {
  if (item.width > 0 && item.height > 0) return false;
  const where = { row: item.source.row, dataHash: item.source.dataHash, frame: item.source.frame };
  report.skip("no-size", `${item.source.media} item`, "the export gives no image size (width/height 0)", where);
  for (const obj of item.objects) report.skip("no-size", obj.shape, "its item has no size in the export", objectLocation(item, obj));
  return true;
}

/** Where an object is, for report examples. */
export function objectLocation(item: Item, obj: LabeledObject): { row: number; dataHash: string; frame: number; objectHash: string } {
  return { row: item.source.row, dataHash: item.source.dataHash, frame: item.source.frame, objectHash: obj.objectHash };
}

export type PlainValue = string | number | string[];

/** An attribute's answer as a plain value: text/number as is, a radio option's name, checklist names. */
export function plainValue(a: Attribute): PlainValue {
  if (typeof a.value === "string" || typeof a.value === "number") return a.value;
  const names = a.value.map((o) => o.name);
  return a.type === "radio" ? (names[0] ?? "") : names;
}

/** Attributes as a {name: value} record, in a stable (input) order. */
export function attributeRecord(attrs: readonly Attribute[]): Record<string, PlainValue> {
  const out: Record<string, PlainValue> = {};
  for (const a of attrs) out[a.name] = plainValue(a);
  return out;
}

/** Classifications as a {question: answer} record. */
export function classificationRecord(cls: readonly Classification[]): Record<string, PlainValue> {
  const out: Record<string, PlainValue> = {};
  for (const c of cls) {
    if (c.attributes.length === 0) continue;
    for (const a of c.attributes) out[a.name] = plainValue(a);
  }
  return out;
}

/**
 * Where an object's own mask PNG goes, relative to a masks folder: `<item stem>/<objectHash>.png`,
 * the hash sanitised (Encord hashes hold "/" and "+") and made unique within the item, also
 * case-insensitively, by `names` (one UniqueNames per item). Shared by the masks writer (instance
 * mode, under `instances/`) and pixel JSON's --masks-dir, so one object gets one name in both.
 */
export function objectMaskPath(item: Item, objectHash: string, names: UniqueNames): string {
  return `${item.stem}/${names.claim(objectHash)}.png`;
}

/**
 * Class names made unique for formats that identify classes by name (COCO tools, YOLO names): an
 * ontology may hold two classes of one name and different shapes. The first keeps its name; a
 * later one becomes "<name> (<shape>)", then "<name>_2", "_3", ... Same order in, same names out.
 */
export function uniqueClassNames(categories: readonly Category[]): string[] {
  const used = new Set<string>();
  return categories.map((c) => {
    const candidates = [c.name, c.shape ? `${c.name} (${c.shape})` : c.name];
    let name = candidates.find((n) => !used.has(n));
    for (let k = 2; name === undefined; k++) if (!used.has(`${c.name}_${k}`)) name = `${c.name}_${k}`;
    used.add(name);
    return name;
  });
}

/**
 * Why a frame of width×height gets no pixel buffer, or undefined when it may have one: a frame over
 * --max-pixels is refused before anything is allocated, so a hostile size cannot exhaust memory.
 */
export function frameOverLimit(width: number, height: number, maxPixels: number = DEFAULT_MAX_PIXELS): string | undefined {
  if (!(width > 0 && height > 0)) return "the frame has no size";
  const total = width * height;
  return total > maxPixels ? `the frame is ${width}x${height} = ${total} pixels, over the limit of ${maxPixels} (--max-pixels)` : undefined;
}
