// COCO writer: DIR/annotations.json, or DIR/annotations_<split>.json per split present; with
// `-o -` the one file goes to stdout (no --split then).
// Streamed: each split's `images` and `annotations` are spooled, one JSON element per line, to
// files in ctx.tempDir and joined at close() with `categories` (written last from the shared class
// table, so classes that first appear late are all there). Memory holds one row and a few counters.
import { closeSync, createReadStream, openSync, readSync, writeSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { InputError, type Category, type Item, type LabeledObject, type NormalisedRow } from "../model.js";
import { BufferedFile } from "../output/files.js";
import type { Report } from "../report.js";
import { attributeRecord, classificationRecord, mediaFileName, objectLocation, reportNonSpatial, skipUnsized, uniqueClassNames } from "./common.js";
import { cocoShape, type CocoShape } from "./coco-shapes.js";
import type { FormatOptions } from "../options.js";
import type { Writer, WriterContext } from "./writer.js";
import { preparedOf, type ObjectPreparer } from "./prepared.js";
import { DEFAULT_MAX_PIXELS } from "../options.js";

/** Spooled annotation lines that start with this byte still need their keypoints padded at close. */
const PAD_MARK = "\u0001";

interface SplitSpool {
  name: string; // "" without --split
  images: BufferedFile;
  annotations: BufferedFile;
  imageCount: number;
  annotationCount: number;
  needsPadding: boolean;
}

/** The file a split's COCO JSON goes to. */
export function cocoFileName(split: string): string {
  return split === "" ? "annotations.json" : `annotations_${split}.json`;
}

/**
 * The shard log of a split's images (output/shard-sidecar.ts): [row, stem, annotations of the image,
 * which of them (comma-separated positions) are polylines padded to their class's keypoint count].
 */
export function cocoStream(split: string): string {
  return `coco:${cocoFileName(split)}`;
}

/** Keypoint names a category's annotations use, when it has any (point classes get one keypoint). */
export function categoryKeypoints(cat: Category): readonly string[] | undefined {
  if (cat.keypoints && cat.keypoints.length > 0) return cat.keypoints;
  if (cat.shape === "point") return ["keypoint"];
  return undefined;
}

/** Names and a chain skeleton for a polyline class written as keypoints (k = most vertices seen). */
export function polylineKeypoints(k: number): { keypoints: string[]; skeleton: [number, number][] } {
  const keypoints = Array.from({ length: k }, (_, i) => `vertex_${i + 1}`);
  const skeleton: [number, number][] = [];
  for (let i = 1; i < k; i++) skeleton.push([i, i + 1]);
  return { keypoints, skeleton };
}

/** The COCO category entry (fixed key order). Skeleton edges become 1-based. */
export function categoryEntry(cat: Category, idStart: number, polylineVertices?: number, name = cat.name): Record<string, unknown> {
  const entry: Record<string, unknown> = { id: cat.index + idStart, name, supercategory: cat.shape || "object" };
  const names = categoryKeypoints(cat);
  if (names) {
    entry.keypoints = [...names];
    entry.skeleton = (cat.skeleton ?? []).map(([a, b]) => [a + 1, b + 1]);
  } else if (polylineVertices !== undefined && polylineVertices > 0) {
    const p = polylineKeypoints(polylineVertices);
    entry.keypoints = p.keypoints;
    entry.skeleton = p.skeleton;
  }
  if (!cat.key.startsWith("name:")) {
    const encord: Record<string, unknown> = { feature_hash: cat.key, shape: cat.shape };
    if (cat.color) encord.color = cat.color;
    entry.encord = encord;
  }
  return entry;
}

/** The `info` object: no timestamp unless one is asked for, so reruns are byte-identical. */
export function infoEntry(options: FormatOptions): Record<string, unknown> {
  const info: Record<string, unknown> = { description: "Converted from an Encord label export by encord-convert" };
  if (options.infoDate !== undefined) {
    const year = /^\d{4}/.exec(options.infoDate);
    if (year) info.year = Number(year[0]);
    info.date_created = options.infoDate;
  }
  return info;
}

/** The image entry: COCO fields, then Encord's identity, then classifications when there are any. */
export function imageEntry(item: Item, id: number): Record<string, unknown> {
  const s = item.source;
  const entry: Record<string, unknown> = {
    id,
    file_name: mediaFileName(item),
    width: item.width,
    height: item.height,
    encord: {
      data_hash: s.dataHash,
      row_data_hash: s.rowDataHash,
      label_hash: s.labelHash,
      title: s.dataTitle,
      row_title: s.rowTitle,
      data_type: s.dataType,
      frame: s.frame,
    },
  };
  if (item.classifications.length > 0) entry.classifications = classificationRecord(item.classifications);
  return entry;
}

/** The annotation entry (fixed key order); attributes carry the Encord object's identity and answers. */
export function annotationEntry(
  obj: LabeledObject,
  shape: CocoShape,
  ids: { id: number; imageId: number; categoryId: number },
): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    id: ids.id,
    image_id: ids.imageId,
    category_id: ids.categoryId,
    bbox: shape.bbox,
    area: shape.area,
    iscrowd: 0,
    segmentation: shape.segmentation,
  };
  if (shape.keypoints) {
    entry.num_keypoints = shape.numKeypoints ?? 0;
    entry.keypoints = shape.keypoints;
  }
  const attributes: Record<string, unknown> = {
    object_hash: obj.objectHash,
    feature_hash: obj.featureHash,
    shape: obj.shape,
    confidence: obj.confidence,
    manual: obj.manual,
  };
  if (shape.rotation !== undefined) attributes.rotation = shape.rotation;
  attributes.answers = attributeRecord(obj.attributes);
  entry.attributes = attributes;
  return entry;
}

/** Pad (or cut) a spooled polyline annotation's keypoints to k triples. */
export function padKeypointsLine(line: string, k: number): string {
  const entry = JSON.parse(line) as { keypoints?: number[] };
  const kps = entry.keypoints ?? [];
  while (kps.length < 3 * k) kps.push(0, 0, 0);
  kps.length = 3 * k;
  return JSON.stringify(entry);
}

// Kinds whose COCO shape does not depend on the class (points, skeletons and polylines take keypoint names from it).
const CLASS_FREE_KINDS: ReadonlySet<string> = new Set(["box", "rotated-box", "polygon", "mask"]);
const ID_PREFIX = '{"id":0,"image_id":0,"category_id":0,';

/**
 * An annotation's text without its ids, made where the row was parsed: the piece is the JSON after
 * `"category_id":N,` (from "bbox" on), so the writer's line is the ids followed by it, byte for byte
 * what JSON.stringify(annotationEntry(...)) gives.
 */
export function cocoPreparer(options: FormatOptions, maxPixels: number = DEFAULT_MAX_PIXELS): ObjectPreparer {
  const polylineAs = options.polylineAs ?? "skip";
  return (obj, item) => {
    if (!CLASS_FREE_KINDS.has(obj.geometry.kind)) return undefined;
    const result = cocoShape(obj.geometry, item, { polylineAs, maxPixels });
    if (!result.shape) return { notes: result.notes };
    const line = JSON.stringify(annotationEntry(obj, result.shape, { id: 0, imageId: 0, categoryId: 0 }));
    return { notes: result.notes, text: line.slice(ID_PREFIX.length) };
  };
}

const COPY_CHUNK = 1 << 20;
const NEWLINE = 10;
const SEPARATOR = Buffer.from(",\n");

/**
 * Append a spool (one JSON element per line) to `fd` as the body of a JSON array: ",\n" between
 * elements, "\n" after the last. JSON text never holds a raw newline, so every newline ends an
 * element. Bytes are copied as they are, in fixed-size chunks.
 */
export function appendJoined(src: string, fd: number, chunk = COPY_CHUNK): void {
  const input = openSync(src, "r");
  const buf = Buffer.allocUnsafe(chunk);
  let pendingSeparator = false;
  let wroteAny = false;
  try {
    for (let n = readSync(input, buf, 0, chunk, null); n > 0; n = readSync(input, buf, 0, chunk, null)) {
      const parts: Buffer[] = []; // one write per chunk, not per element
      let start = 0;
      while (start < n) {
        const nl = buf.indexOf(NEWLINE, start);
        const end = nl >= 0 && nl < n ? nl : n;
        if (end > start) {
          if (pendingSeparator) parts.push(SEPARATOR);
          pendingSeparator = false;
          parts.push(buf.subarray(start, end));
          wroteAny = true;
        }
        if (end === nl) pendingSeparator = true;
        start = end + 1;
      }
      if (parts.length > 0) writeSync(fd, Buffer.concat(parts));
    }
  } finally {
    closeSync(input);
  }
  if (wroteAny) writeSync(fd, "\n");
}

/** Like appendJoined, but each element goes through `fix` first (a line at a time in memory). */
export function appendJoinedLines(src: string, fd: number, fix: (line: string) => string, chunk = COPY_CHUNK): void {
  const input = openSync(src, "r");
  const buf = Buffer.allocUnsafe(chunk);
  let pending: Buffer[] = []; // the start of a line that runs past the chunk
  let count = 0;
  const out: string[] = [];
  const emit = (line: Buffer): void => {
    if (line.length === 0) return;
    out.push((count++ > 0 ? ",\n" : "") + fix(line.toString("utf8")));
  };
  const flush = (): void => {
    if (out.length > 0) writeSync(fd, out.join(""));
    out.length = 0;
  };
  try {
    for (let n = readSync(input, buf, 0, chunk, null); n > 0; n = readSync(input, buf, 0, chunk, null)) {
      let start = 0;
      for (let nl = buf.indexOf(NEWLINE, start); nl >= 0 && nl < n; nl = buf.indexOf(NEWLINE, start)) {
        const piece = buf.subarray(start, nl);
        emit(pending.length > 0 ? Buffer.concat([...pending, piece]) : piece);
        pending = [];
        start = nl + 1;
      }
      if (start < n) pending.push(Buffer.from(buf.subarray(start, n)));
      flush();
    }
    if (pending.length > 0) emit(Buffer.concat(pending));
    flush();
  } finally {
    closeSync(input);
  }
  if (count > 0) writeSync(fd, "\n");
}

export class CocoWriter implements Writer {
  readonly name = "coco";
  private ctx!: WriterContext;
  private readonly spools = new Map<string, SplitSpool>();
  /** Polyline classes written as keypoints without a keypoint list: most vertices seen, per class. */
  private readonly polylineVertices = new Map<number, number>();
  private prepare!: ObjectPreparer;

  async open(ctx: WriterContext): Promise<void> {
    this.ctx = ctx;
    this.prepare = cocoPreparer(ctx.options, ctx.maxPixels);
  }

  private get report(): Report {
    return this.ctx.report;
  }

  private spool(split: string): SplitSpool {
    let s = this.spools.get(split);
    if (!s) {
      const n = this.spools.size;
      s = {
        name: split,
        images: new BufferedFile(join(this.ctx.tempDir, `coco-${n}-images.jsonl`)),
        annotations: new BufferedFile(join(this.ctx.tempDir, `coco-${n}-annotations.jsonl`)),
        imageCount: 0,
        annotationCount: 0,
        needsPadding: false,
      };
      this.spools.set(split, s);
    }
    return s;
  }

  async write(row: NormalisedRow): Promise<void> {
    reportNonSpatial(row, this.report, "COCO");
    for (const item of row.items) await this.writeItem(item);
  }

  private async writeItem(item: Item): Promise<void> {
    const report = this.report;
    const where = { row: item.source.row, dataHash: item.source.dataHash, frame: item.source.frame };
    // COCO needs a positive size for every image (pycocotools rasterises against it).
    if (skipUnsized(item, report)) return;
    const categories = this.ctx.categories.list();
    const polylineAs = this.ctx.options.polylineAs ?? "skip";
    // text: the annotation's JSON after its ids (prepared); else the shape, stringified here.
    const written: { obj: LabeledObject; cat: Category; text?: string; shape?: CocoShape; pad?: number }[] = [];
    for (const obj of item.objects) {
      const cat = categories[obj.category];
      if (!cat) {
        report.skip("no-class", obj.shape, "object has no class in the run's class table", objectLocation(item, obj));
        continue;
      }
      const prepared = preparedOf(obj, item, this.prepare);
      if (prepared) {
        for (const n of prepared.notes) report.add(n, objectLocation(item, obj));
        if (prepared.text !== undefined) written.push({ obj, cat, text: prepared.text });
        continue;
      }
      const keypointNames = categoryKeypoints(cat);
      const result = cocoShape(obj.geometry, item, { keypointNames, polylineAs, maxPixels: this.ctx.maxPixels });
      for (const n of result.notes) report.add(n, objectLocation(item, obj));
      if (!result.shape) continue;
      let pad: number | undefined;
      if (obj.geometry.kind === "polyline" && !keypointNames && result.shape.keypoints) {
        const k = result.shape.keypoints.length / 3;
        this.polylineVertices.set(cat.index, Math.max(k, this.polylineVertices.get(cat.index) ?? 0));
        pad = cat.index;
      }
      written.push({ obj, cat, shape: result.shape, pad });
    }
    if (this.ctx.options.skipEmpty && written.length === 0) {
      report.filter("empty", "image without annotations", "left out by --skip-empty", where);
      return;
    }
    if (item.split && this.ctx.stdout) {
      throw new InputError("COCO with --split writes one file per split: give an output folder with -o, not -");
    }
    const s = this.spool(item.split ?? "");
    const imageId = ++s.imageCount;
    s.images.write(JSON.stringify(imageEntry(item, imageId)) + "\n");
    const parts: string[] = [];
    if (this.ctx.media) await this.ctx.media.place(item, item.split ? `images/${item.split}` : "images");
    const idStart = this.ctx.options.categoryIdStart ?? 1;
    for (const w of written) {
      const id = ++s.annotationCount;
      const categoryId = w.cat.index + idStart;
      if (w.text !== undefined) {
        parts.push(`{"id":${id},"image_id":${imageId},"category_id":${categoryId},${w.text}\n`);
      } else {
        const line = JSON.stringify(annotationEntry(w.obj, w.shape as CocoShape, { id, imageId, categoryId }));
        if (w.pad !== undefined) {
          // The class's keypoint count is known only at the end: mark the line with its class index.
          s.needsPadding = true;
          parts.push(`${PAD_MARK}${w.pad}${PAD_MARK}${line}\n`);
        } else {
          parts.push(line + "\n");
        }
      }
      report.wroteObject(w.cat.name);
    }
    // One append per image, not per annotation.
    if (parts.length > 0) s.annotations.write(parts.join(""));
    if (this.ctx.shard) {
      // Which of the image's annotations wait for their class's keypoint count (merge pads them again).
      const padded = written.flatMap((w, k) => (w.pad !== undefined ? [k] : []));
      this.ctx.shard.element(cocoStream(s.name), item.source.row, item.stem, written.length, padded.join(","));
    }
  }

  shardFacts(): Record<string, unknown> {
    return { polylineVertices: Object.fromEntries(this.polylineVertices) };
  }

  async close(): Promise<void> {
    const spools = [...this.spools.values()];
    if (spools.length === 0) spools.push(this.spool(""));
    spools.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const idStart = this.ctx.options.categoryIdStart ?? 1;
    const list = this.ctx.categories.list();
    const names = uniqueClassNames(list);
    const categories = list.map((c, i) => JSON.stringify(categoryEntry(c, idStart, this.polylineVertices.get(c.index), names[i])));
    const info = JSON.stringify(infoEntry(this.ctx.options));
    for (const s of spools) {
      s.images.close();
      s.annotations.close();
      // With -o - the one file is assembled in the scratch folder, then streamed to stdout.
      const path = this.ctx.stdout ? join(this.ctx.tempDir, "coco-stdout.json") : join(this.ctx.outDir, cocoFileName(s.name));
      const fd = openSync(path, "w");
      try {
        writeSync(fd, `{"info":${info},\n"licenses":[],\n"images":[\n`);
        appendJoined(s.images.path, fd);
        writeSync(fd, `],\n"annotations":[\n`);
        if (s.needsPadding) {
          appendJoinedLines(s.annotations.path, fd, (line) => this.padLine(line));
        } else {
          appendJoined(s.annotations.path, fd);
        }
        writeSync(fd, `],\n"categories":[\n${categories.join(",\n")}${categories.length > 0 ? "\n" : ""}]}\n`);
      } finally {
        closeSync(fd);
      }
      if (this.ctx.stdout) await streamTo(path, this.ctx.stdout);
    }
  }

  private padLine(line: string): string {
    if (!line.startsWith(PAD_MARK)) return line;
    const end = line.indexOf(PAD_MARK, 1);
    const index = Number(line.slice(1, end));
    return padKeypointsLine(line.slice(end + 1), this.polylineVertices.get(index) ?? 0);
  }
}

/** Copy a file to a stream, waiting for the stream to drain (stdout in a pipe). */
async function streamTo(path: string, out: NodeJS.WritableStream): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: COPY_CHUNK })) {
    if (!out.write(chunk as Buffer)) await once(out, "drain");
  }
}

export function createCocoWriter(): Writer {
  return new CocoWriter();
}
