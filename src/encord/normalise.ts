// One Encord label row (parsed JSON, `unknown`) -> NormalisedRow: items in frame order with pixel
// geometry, attributes and classifications; audio/text objects as ranges; problems as warnings.
// Only a row that cannot be used at all throws (InputError); anything smaller is skipped with a warning.
// A huge row read in pieces (its frames spooled by the reader) goes through normaliseStreamedRow,
// which gives the same items and problems as parts, one frame at a time.
import {
  InputError,
  type Attribute,
  type Classification,
  type Item,
  type ItemSource,
  type LabeledObject,
  type Location,
  type MediaKind,
  type NormalisedRow,
  type Problem,
  type RangeObject,
  type RawFrame,
  type RowMeta,
} from "../model.js";
import { combineAttributes, dynamicAt, parseActions, staticAttributes, type DynamicAction } from "./attributes.js";
import { ClassificationIndex } from "./classifications.js";
import { bool, entries, finite, frameNumber, intKey, isRecord, kindOf, own, parseRanges, positiveInt, quote, str, type JsonRecord } from "./guards.js";
import type { Ontology } from "./ontology.js";
import { parseShape, shapeOf } from "./shapes.js";
import { frameSuffix, imageExt, titleStem } from "./titles.js";

export interface NormaliseContext {
  ontology?: Ontology;
  maxPixels: number;
  keepRaw?: boolean;
}

/** A frame's {objects, classifications} blob: at hand for a parsed row, read from the spool for a huge one. */
type LoadBlob = () => JsonRecord;

/** An item before its objects and classifications are read (they need the whole row's placement first). */
interface Pending {
  item: Item;
  load: LoadBlob;
  spaceId?: string;
}

/** The entries of a data unit's `labels` in a row read in pieces (the reader's spooled frames). */
export interface StreamedFrames {
  readonly count: number;
  /** Entry i's key; entries come in the order JSON.parse gives an object's keys. */
  key(i: number): string;
  /** The entry is a JSON object (a frame blob); anything else is warned about as the fast path does. */
  isObject(i: number): boolean;
  read(i: number): unknown;
}

/** A label row read in pieces: the row with some units' `labels` left empty, and those labels' entries. */
export interface StreamedRow {
  shell: unknown;
  units: ReadonlyMap<string, StreamedFrames>;
}

/** A unit's frames in frame order: numbers, and how to get each blob (i: position in this list). */
interface FrameList {
  readonly length: number;
  frame(i: number): number;
  load(i: number): JsonRecord;
  /** The frame's entry in the unit's StreamedFrames (streamed rows only). */
  entry(i: number): number;
}

/** A streamed unit, as the first pass found it. */
interface StreamedUnit {
  key: string;
  dataHash: string;
  title: string;
  stem: string;
  frames: StreamedFrames;
  media: UnitMedia;
}

/** What the media layer needs of a data unit: its link and, for a video, its frame rate and duration. */
type UnitMedia = Pick<ItemSource, "dataLink" | "dataFps" | "dataDuration">;

function unitMedia(unit: JsonRecord): UnitMedia {
  const out: UnitMedia = {};
  const link = str(own(unit, "data_link"));
  if (link) out.dataLink = link;
  const fps = finite(own(unit, "data_fps"));
  if (fps !== undefined && fps > 0) out.dataFps = fps;
  const duration = finite(own(unit, "data_duration"));
  if (duration !== undefined && duration > 0) out.dataDuration = duration;
  return out;
}

/**
 * A streamed row's items after the first pass, compactly (a few numbers per frame): each Item is
 * made only when its part is, so a long video's metadata is not held as objects.
 */
interface StreamedPlan {
  units: StreamedUnit[];
  unit: number[];
  entry: number[];
  frame: number[];
  width: number[];
  height: number[];
}

type Where = Omit<Location, "row">;

const FRAME_TYPES: ReadonlyMap<string, { media: MediaKind; ext: string }> = new Map([
  ["video", { media: "video-frame", ext: ".jpg" }],
  ["dicom", { media: "dicom-slice", ext: ".png" }],
  ["nifti", { media: "nifti-slice", ext: ".png" }],
  ["pdf", { media: "pdf-page", ext: ".png" }],
]);

// Data-group spaces that hold image-like frames (doc §2.5); others (audio, text, html, 3-D) are skipped.
// A pdf space has pages but no pixel size: its pages become items of size 0 (see readFrames).
const SPACE_TYPES: ReadonlyMap<string, { multiFrame: boolean; ext?: string; media?: MediaKind; sizeless?: boolean }> = new Map([
  ["image", { multiFrame: false }],
  ["video", { multiFrame: true, ext: ".jpg" }],
  ["image_sequence", { multiFrame: true, ext: ".jpg" }],
  ["medical_file", { multiFrame: true, ext: ".png" }],
  ["medical_stack", { multiFrame: true, ext: ".png" }],
  ["pdf", { multiFrame: true, ext: ".png", media: "pdf-page", sizeless: true }],
]);

class RowNormaliser {
  readonly problems: Problem[] = [];
  private readonly objectAnswers: JsonRecord;
  private readonly objectActions: JsonRecord;
  private readonly staticCache = new Map<string, Attribute[]>();
  private readonly actionCache = new Map<string, DynamicAction[]>();
  private readonly unknownFeatures = new Set<string>();
  private readonly pending: Pending[] = [];
  private readonly keys = new Set<string>();
  private readonly classifications: ClassificationIndex;
  /** Whether noting which frames list each classification can change anything (see addPending). */
  private readonly placementMatters: boolean;
  /** A streamed row's frames (readFrames with spooled units), and the frames seen per data hash. */
  readonly plan: StreamedPlan = { units: [], unit: [], entry: [], frame: [], width: [], height: [] };
  private readonly seenFrames = new Map<string, Set<number>>();

  constructor(
    private readonly raw: JsonRecord,
    private readonly index: number,
    private readonly meta: RowMeta,
    private readonly ctx: NormaliseContext,
  ) {
    this.objectAnswers = this.recordField("object_answers");
    this.objectActions = this.recordField("object_actions");
    this.classifications = new ClassificationIndex(own(raw, "classification_answers"), ctx.ontology, (code, message, where) =>
      this.warn(code, message, where),
    );
    this.placementMatters = this.classifications.placementMatters();
  }

  /** Problems recorded since the last call. */
  takeProblems(): Problem[] {
    return this.problems.splice(0);
  }


  warn(code: string, message: string, where: Where = {}): void {
    this.problems.push({ severity: "warning", code, message, where: { row: this.index, ...where } });
  }

  private recordField(key: string): JsonRecord {
    const v = own(this.raw, key);
    if (v === undefined || v === null) return {};
    if (!isRecord(v)) {
      this.warn("bad-attribute", `${key} is ${kindOf(v)}, not an object; ignored`);
      return {};
    }
    return v;
  }

  private source(dataHash: string, dataTitle: string, media: MediaKind, frame: number, unit: UnitMedia = {}): ItemSource {
    return {
      ...unit,
      row: this.index,
      labelHash: this.meta.labelHash,
      dataHash,
      rowDataHash: this.meta.dataHash,
      dataTitle,
      rowTitle: this.meta.dataTitle,
      dataType: this.meta.dataType,
      media,
      frame,
    };
  }

  private addPending(p: { key: string; nameHint: string; nameSuffix?: string; ext: string; width: number; height: number; source: ItemSource; load: LoadBlob; spaceId?: string }): void {
    // Keys must be unique within the row (writers and the pipeline index by them).
    if (this.keys.has(p.key)) {
      this.duplicate(p.key, p.source.dataHash, p.source.frame);
      return;
    }
    this.keys.add(p.key);
    // Only a classification that could otherwise be global needs this (a streamed row's frame is read for it).
    if (this.placementMatters) this.classifications.noteFrameEntries(own(p.load(), "classifications"));
    const item: Item = {
      key: p.key,
      stem: "",
      ext: p.ext,
      nameHint: p.nameHint,
      ...(p.nameSuffix !== undefined ? { nameSuffix: p.nameSuffix } : {}),
      width: p.width,
      height: p.height,
      source: p.source,
      objects: [],
      classifications: [],
    };
    this.pending.push(p.spaceId !== undefined ? { item, load: p.load, spaceId: p.spaceId } : { item, load: p.load });
  }

  private duplicate(key: string, dataHash: string, frame: number): void {
    this.warn("duplicate-item", `a second item with key ${quote(key)}; skipped`, { dataHash, frame });
  }

  /** addPending for a streamed unit's frame: the same checks, the item recorded as a few numbers. */
  private addStreamed(u: number, dataHash: string, entry: number, frame: number, width: number, height: number, load: LoadBlob): void {
    // Frame items' keys are dataHash:frame, so a frame number seen twice under one data hash is a repeated key.
    let seen = this.seenFrames.get(dataHash);
    if (!seen) this.seenFrames.set(dataHash, (seen = new Set()));
    if (seen.has(frame)) {
      this.duplicate(`${dataHash}:${frame}`, dataHash, frame);
      return;
    }
    seen.add(frame);
    if (this.placementMatters) this.classifications.noteFrameEntries(own(load(), "classifications"));
    const plan = this.plan;
    plan.unit.push(u);
    plan.entry.push(entry);
    plan.frame.push(frame);
    plan.width.push(width);
    plan.height.push(height);
  }

  /** Plan entry j of a streamed row as a pending item; `read` reads a unit's entry. */
  streamedPending(j: number, kind: { media: MediaKind; ext: string }, read: (u: number, entry: number) => unknown): Pending {
    const plan = this.plan;
    const ui = plan.unit[j] as number;
    const u = plan.units[ui] as StreamedUnit;
    const frame = plan.frame[j] as number;
    const entry = plan.entry[j] as number;
    const item: Item = {
      key: `${u.dataHash}:${frame}`,
      stem: "",
      ext: kind.ext,
      nameHint: u.stem,
      nameSuffix: frameSuffix(frame),
      width: plan.width[j] as number,
      height: plan.height[j] as number,
      source: this.source(u.dataHash, u.title, kind.media, frame, u.media),
      objects: [],
      classifications: [],
    };
    return { item, load: () => read(ui, entry) as JsonRecord };
  }

  /** A unit's labels as a flat blob (image, img_group); an empty one (after a warning) when unusable. */
  private flatBlob(labels: unknown, where: Where): JsonRecord {
    if (labels === undefined || labels === null) return {};
    if (!isRecord(labels)) {
      this.warn("bad-unit", `labels is ${kindOf(labels)}, not an object; the image is kept without labels`, where);
      return {};
    }
    return labels;
  }

  /** Frame blobs keyed by frame number, sorted numerically; bad keys/blobs are warned and skipped. */
  private frames(labels: unknown, where: Where): [number, JsonRecord][] {
    if (labels === undefined || labels === null) return [];
    if (!isRecord(labels)) {
      this.warn("bad-unit", `labels is ${kindOf(labels)}, not an object of frames`, where);
      return [];
    }
    const out: [number, JsonRecord][] = [];
    for (const [key, blob] of Object.entries(labels)) {
      const frame = this.frameOf(key, blob, where);
      if (frame !== undefined) out.push([frame, blob as JsonRecord]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }

  /** frames() as a FrameList, for a parsed unit or a streamed one (whose entries are read only when needed). */
  private frameList(unit: JsonRecord, spooled: StreamedFrames | undefined, where: Where): FrameList {
    if (!spooled) {
      const list = this.frames(own(unit, "labels"), where);
      return { length: list.length, frame: (i) => (list[i] as [number, JsonRecord])[0], load: (i) => (list[i] as [number, JsonRecord])[1], entry: () => -1 };
    }
    const entries: number[] = [];
    const numbers: number[] = [];
    for (let e = 0; e < spooled.count; e++) {
      // A non-object is read only to be named in the warning.
      const frame = this.frameOf(spooled.key(e), spooled.isObject(e) ? {} : spooled.read(e), where);
      if (frame === undefined) continue;
      entries.push(e);
      numbers.push(frame);
    }
    const order = Array.from(entries.keys()).sort((a, b) => (numbers[a] as number) - (numbers[b] as number) || a - b);
    return {
      length: order.length,
      frame: (i) => numbers[order[i] as number] as number,
      load: (i) => spooled.read(entries[order[i] as number] as number) as JsonRecord,
      entry: (i) => entries[order[i] as number] as number,
    };
  }

  /** A labels key as a frame number, or undefined (warned) for a bad key or a blob that is not an object. */
  private frameOf(key: string, blob: unknown, where: Where): number | undefined {
    const frame = intKey(key);
    if (frame === undefined) {
      this.warn("bad-frame", `labels has key ${quote(key)}, not a frame number; skipped`, where);
      return undefined;
    }
    if (!isRecord(blob)) {
      this.warn("bad-frame", `frame ${frame} is ${kindOf(blob)}, not an object; skipped`, { ...where, frame });
      return undefined;
    }
    return frame;
  }

  /** Data units as [data hash, unit, key in data_units]. */
  private units(): [string, JsonRecord, string][] {
    const out: [string, JsonRecord, string][] = [];
    for (const [key, unit] of entries(own(this.raw, "data_units"))) {
      if (!isRecord(unit)) {
        this.warn("bad-unit", `data unit is ${kindOf(unit)}, not an object; skipped`, { dataHash: key });
        continue;
      }
      const dataHash = str(own(unit, "data_hash")) || key;
      out.push([dataHash, unit, key]);
    }
    return out;
  }

  private size(width: unknown, height: unknown, what: string, where: Where): { width: number; height: number } | undefined {
    const w = positiveInt(width);
    const h = positiveInt(height);
    if (w === undefined || h === undefined) {
      this.warn("missing-size", `${what} has width ${quote(width, 16)} and height ${quote(height, 16)}, not positive integers; skipped`, where);
      return undefined;
    }
    return { width: w, height: h };
  }

  // image and img_group: one item per data unit, frame = data_sequence.
  readImages(): void {
    const isGroup = this.meta.dataType === "img_group";
    const media: MediaKind = !isGroup ? "image" : own(this.raw, "is_image_sequence") === true ? "sequence-frame" : "group-image";
    let position = 0;
    const units = this.units();
    for (const [dataHash, unit] of units) {
      const where: Where = { dataHash };
      let frame = frameNumber(own(unit, "data_sequence"));
      if (frame === undefined) {
        if (isGroup || units.length > 1) {
          this.warn("bad-frame", `data_sequence is ${quote(own(unit, "data_sequence"), 16)}, not a frame number; using ${position}`, where);
        }
        frame = position;
      }
      position++;
      const title = str(own(unit, "data_title")) ?? "";
      const size = this.size(own(unit, "width"), own(unit, "height"), "image", { ...where, frame });
      if (!size) continue;
      const blob = this.flatBlob(own(unit, "labels"), where);
      this.addPending({
        key: dataHash,
        nameHint: titleStem(title) || titleStem(this.meta.dataTitle) || dataHash,
        ext: imageExt(title, str(own(unit, "data_type"))),
        ...size,
        source: this.source(dataHash, title, media, frame, unitMedia(unit)),
        load: () => blob,
      });
    }
    // Members in frame order; equal frames keep their export order (sort is stable).
    this.pending.sort((a, b) => a.item.source.frame - b.item.source.frame);
  }

  // video, dicom, nifti, pdf: one item per frame key present in labels (or, for a streamed row, in
  // the unit's spooled entries).
  readFrames(kind: { media: MediaKind; ext: string }, streamed?: ReadonlyMap<string, StreamedFrames>): void {
    const dicom = this.meta.dataType === "dicom";
    for (const [dataHash, unit, unitKey] of this.units()) {
      const where: Where = { dataHash };
      const title = str(own(unit, "data_title")) ?? "";
      const stem = titleStem(this.meta.dataTitle) || titleStem(title) || dataHash;
      const spooled = streamed?.get(unitKey);
      const frames = this.frameList(unit, spooled, where);
      const media = unitMedia(unit);
      if (spooled) this.plan.units.push({ key: unitKey, dataHash, title, stem, frames: spooled, media });
      if (frames.length === 0) continue;
      let w = positiveInt(own(unit, "width"));
      let h = positiveInt(own(unit, "height"));
      if (kind.media === "pdf-page" && (w === undefined || h === undefined)) {
        // Encord exports no page size: the pages are items of size 0, so their objects are counted
        // (inspect) and every writer reports them as skipped, rather than vanishing here.
        w = 0;
        h = 0;
      } else if (!dicom && (w === undefined || h === undefined)) {
        this.size(own(unit, "width"), own(unit, "height"), this.meta.dataType, where);
        continue;
      }
      let unsized = 0;
      for (let i = 0; i < frames.length; i++) {
        const frame = frames.frame(i);
        const load = (): JsonRecord => frames.load(i);
        let width = w;
        let height = h;
        if (dicom) {
          // Per-slice size wins (slices of one series can differ), as in the SDK's FrameView.
          const md = own(load(), "metadata");
          const mw = isRecord(md) ? positiveInt(own(md, "width")) : undefined;
          const mh = isRecord(md) ? positiveInt(own(md, "height")) : undefined;
          if (mw !== undefined && mh !== undefined) {
            width = mw;
            height = mh;
          }
        }
        if (width === undefined || height === undefined) {
          unsized++;
          continue;
        }
        if (spooled) {
          this.addStreamed(this.plan.units.length - 1, dataHash, frames.entry(i), frame, width, height, load);
          continue;
        }
        const blob = load();
        this.addPending({
          key: `${dataHash}:${frame}`,
          nameHint: stem,
          nameSuffix: frameSuffix(frame),
          ext: kind.ext,
          width,
          height,
          source: this.source(dataHash, title, kind.media, frame, media),
          load: () => blob,
        });
      }
      if (unsized > 0) {
        this.warn("missing-size", `${unsized} slice(s) have no width/height in their metadata or on the data unit; skipped`, where);
      }
    }
  }

  // Data groups: image-like spaces become items named by their file name.
  readSpaces(): void {
    const spaces = own(this.raw, "spaces");
    if (!isRecord(spaces)) {
      this.warn("bad-unit", `data group has spaces that are ${kindOf(spaces)}, not an object`);
      return;
    }
    for (const [spaceId, space] of Object.entries(spaces)) {
      const where: Where = { dataHash: spaceId };
      if (!isRecord(space)) {
        this.warn("bad-unit", `space is ${kindOf(space)}, not an object; skipped`, where);
        continue;
      }
      const type = str(own(space, "space_type")) ?? "";
      const kind = SPACE_TYPES.get(type);
      if (!kind) {
        this.warn("unsupported-space", `space of type ${quote(type)} has no image frames; skipped`, where);
        continue;
      }
      const child = own(space, "child_info");
      const title = (isRecord(child) ? str(own(child, "file_name")) : undefined) ?? "";
      const stem = titleStem(title) || spaceId;
      const frameSizes = own(space, "frames");
      for (const [frame, blob] of this.frames(own(space, "labels"), where)) {
        let width: unknown = own(space, "width");
        let height: unknown = own(space, "height");
        // A medical stack has no space size, only per-frame sizes.
        const f = Array.isArray(frameSizes) ? frameSizes[frame] : undefined;
        if ((width === undefined || height === undefined) && isRecord(f)) {
          width = own(f, "width");
          height = own(f, "height");
        }
        const size = kind.sizeless && (width === undefined || height === undefined) ? { width: 0, height: 0 } : this.size(width, height, `space ${quote(type)}`, { ...where, frame });
        if (!size) continue;
        const single = !kind.multiFrame && frame === 0;
        this.addPending({
          key: single ? spaceId : `${spaceId}:${frame}`,
          nameHint: stem,
          ...(single ? {} : { nameSuffix: frameSuffix(frame) }),
          ext: kind.ext ?? imageExt(title),
          ...size,
          source: this.source(spaceId, title, kind.media ?? "space", frame),
          load: () => blob,
          spaceId,
        });
      }
    }
  }

  // audio and plain_text: objects are object_answers entries with a range.
  readRangeObjects(): RangeObject[] {
    const out: RangeObject[] = [];
    for (const [hash, entry] of Object.entries(this.objectAnswers)) {
      if (!isRecord(entry)) {
        this.warn("bad-object", `object_answers entry is ${kindOf(entry)}, not an object; skipped`, { objectHash: hash });
        continue;
      }
      const shape = str(own(entry, "shape"));
      const rawRange = own(entry, "range");
      if (shape === undefined && rawRange === undefined) continue; // attribute-only entry
      const objectHash = str(own(entry, "objectHash")) || hash;
      const where: Where = { objectHash };
      if (own(entry, "isDeleted") === true) {
        this.warn("deleted-object", "object is marked isDeleted; skipped", where);
        continue;
      }
      const featureHash = str(own(entry, "featureHash"));
      if (!featureHash) {
        this.warn("bad-object", "range object has no featureHash; skipped", where);
        continue;
      }
      const ranges = parseRanges(rawRange ?? []);
      if (!ranges) {
        this.warn("bad-range", `range is ${quote(rawRange)}, not a list of [start, end]; skipped`, where);
        continue;
      }
      if (ranges.length === 0 && own(entry, "range_html") !== undefined) {
        this.warn("html-range", "text object is placed by HTML xpath ranges only; kept without ranges", where);
      }
      const ont = this.ctx.ontology?.objectByHash.get(featureHash);
      out.push({
        objectHash,
        featureHash,
        name: ont?.name ?? str(own(entry, "name")) ?? "",
        shape: shape ?? ont?.shape ?? "",
        ranges,
        attributes: this.staticFor(hash),
      });
    }
    return out;
  }

  private staticFor(objectHash: string): Attribute[] {
    let s = this.staticCache.get(objectHash);
    if (!s) {
      const entry = own(this.objectAnswers, objectHash);
      const where: Where = { objectHash };
      const list = isRecord(entry) ? own(entry, "classifications") : undefined;
      if (entry !== undefined && !isRecord(entry)) this.warn("bad-attribute", `object_answers entry is ${kindOf(entry)}, not an object`, where);
      s = staticAttributes(list, this.ctx.ontology, (code, message) => this.warn(code, message, where));
      this.staticCache.set(objectHash, s);
    }
    return s;
  }

  private actionsFor(objectHash: string): DynamicAction[] {
    let a = this.actionCache.get(objectHash);
    if (!a) {
      const where: Where = { objectHash };
      a = parseActions(own(this.objectActions, objectHash), this.ctx.ontology, (code, message) => this.warn(code, message, where));
      this.actionCache.set(objectHash, a);
    }
    return a;
  }

  private object(raw: unknown, p: Pending): LabeledObject | undefined {
    const { item } = p;
    const where: Where = { dataHash: item.source.dataHash, frame: item.source.frame };
    if (!isRecord(raw)) {
      this.warn("bad-object", `object is ${kindOf(raw)}, not an object; skipped`, where);
      return undefined;
    }
    const objectHash = str(own(raw, "objectHash"));
    if (!objectHash) {
      this.warn("bad-object", "object has no objectHash; skipped", where);
      return undefined;
    }
    where.objectHash = objectHash;
    if (own(raw, "isDeleted") === true) {
      this.warn("deleted-object", "object is marked isDeleted; skipped", where);
      return undefined;
    }
    const featureHash = str(own(raw, "featureHash"));
    if (!featureHash) {
      this.warn("bad-object", "object has no featureHash (its class); skipped", where);
      return undefined;
    }
    const shape = shapeOf(raw);
    if (shape === undefined) {
      this.warn("unknown-shape", "object has no shape and no shape payload; skipped", where);
      return undefined;
    }
    const ontology = this.ctx.ontology;
    const ont = ontology?.objectByHash.get(featureHash);
    if (ontology && !ont && !this.unknownFeatures.has(featureHash)) {
      this.unknownFeatures.add(featureHash);
      this.warn("unknown-feature", `featureHash ${quote(featureHash)} (${quote(str(own(raw, "name")) ?? "")}) is not in the ontology`, where);
    }
    const skeleton = ontology?.skeletons.get(featureHash);
    const parsed = parseShape(shape, raw, {
      width: item.width,
      height: item.height,
      maxPixels: this.ctx.maxPixels,
      ...(skeleton ? { skeleton } : {}),
    });
    if ("error" in parsed) {
      this.warn(parsed.error.code, `${parsed.error.message}; object skipped`, where);
      return undefined;
    }
    for (const n of parsed.notes) this.warn(n.code, n.message, where);
    const attributes = combineAttributes(this.staticFor(objectHash), dynamicAt(this.actionsFor(objectHash), item.source.frame, p.spaceId));
    const color = ont?.color ?? str(own(raw, "color"));
    return {
      objectHash,
      featureHash,
      name: ont?.name ?? str(own(raw, "name")) ?? "",
      ...(color !== undefined ? { color } : {}),
      shape,
      geometry: parsed.geometry,
      attributes,
      confidence: finite(own(raw, "confidence")) ?? 1,
      manual: bool(own(raw, "manualAnnotation")) ?? true,
      category: -1,
    };
  }

  /** Second pass: objects and classifications of every pending item. */
  finish(rowGlobals: readonly Classification[]): Item[] {
    return this.pending.map((p) => this.finishItem(p, rowGlobals));
  }

  /** Objects and classifications of one pending item. */
  finishItem(p: Pending, rowGlobals: readonly Classification[]): Item {
    const { item } = p;
    const blob = p.load();
    const where: Where = { dataHash: item.source.dataHash, frame: item.source.frame };
    const list = own(blob, "objects");
    if (Array.isArray(list)) {
      for (const raw of list) {
        const obj = this.object(raw, p);
        if (obj) item.objects.push(obj);
      }
    } else if (list !== undefined && list !== null) {
      this.warn("bad-frame", `objects is ${kindOf(list)}, not a list; no objects read`, where);
    }
    item.classifications = this.classifications.forItem(own(blob, "classifications"), item.source.frame, where, rowGlobals, p.spaceId);
    return item;
  }

  rowGlobals(): Classification[] {
    return this.classifications.rowGlobals();
  }
}

function text(raw: JsonRecord, key: string): string {
  const v = own(raw, key);
  return typeof v === "string" ? v : "";
}

/** The checks and meta every row gets; throws InputError for a row that cannot be used at all. */
function rowHead(raw: unknown, index: number): { raw: JsonRecord; meta: RowMeta; where: Location } {
  if (!isRecord(raw)) {
    throw new InputError(`label row is ${kindOf(raw)}, not an object`, { row: index });
  }
  const dataHash = text(raw, "data_hash");
  const where: Location = dataHash ? { row: index, dataHash } : { row: index };
  const units = own(raw, "data_units");
  if (!isRecord(units)) {
    throw new InputError(`label row has data_units that are ${kindOf(units)}, not an object of data units`, where);
  }
  const meta: RowMeta = {
    index,
    labelHash: text(raw, "label_hash"),
    dataHash,
    dataTitle: text(raw, "data_title"),
    dataType: text(raw, "data_type"),
    labelStatus: text(raw, "label_status"),
    branchName: text(raw, "branch_name"),
    datasetHash: text(raw, "dataset_hash"),
    datasetTitle: text(raw, "dataset_title"),
  };
  return { raw, meta, where };
}

/** Normalise one label row. Throws InputError only for a row that cannot be used at all. */
export function normaliseRow(input: unknown, index: number, ctx: NormaliseContext): NormalisedRow {
  const { raw, meta, where } = rowHead(input, index);
  const type = meta.dataType;
  const frameKind = FRAME_TYPES.get(type);
  const known = type === "image" || type === "img_group" || type === "group" || type === "audio" || type === "plain_text" || frameKind !== undefined;
  if (!known) {
    // Nothing of the row is read, so nothing else is reported about it.
    const problem: Problem = {
      severity: "warning",
      code: "unknown-data-type",
      message: `data_type ${quote(own(raw, "data_type"))} is not supported; row skipped`,
      where,
    };
    const skipped: NormalisedRow = { meta, items: [], rangeObjects: [], rowClassifications: [], problems: [problem], part: 0, lastPart: true };
    if (ctx.keepRaw) skipped.raw = raw;
    return skipped;
  }
  const n = new RowNormaliser(raw, index, meta, ctx);
  let rangeObjects: RangeObject[] = [];
  if (type === "image" || type === "img_group") n.readImages();
  else if (frameKind) n.readFrames(frameKind);
  else if (type === "group") n.readSpaces();
  else rangeObjects = n.readRangeObjects();

  const rowClassifications = n.rowGlobals();
  const items = n.finish(rowClassifications);
  const row: NormalisedRow = {
    meta,
    items,
    rangeObjects,
    rowClassifications,
    problems: n.problems,
    part: 0,
    lastPart: true,
  };
  if (ctx.keepRaw) row.raw = raw;
  return row;
}

/** The whole row of a streamed one (its spooled labels read back), for data types not read frame by frame. */
function materialise(row: StreamedRow): unknown {
  const units = isRecord(row.shell) ? own(row.shell, "data_units") : undefined;
  if (!isRecord(units)) return row.shell;
  for (const [key, list] of row.units) {
    const unit = own(units, key);
    if (!isRecord(unit)) continue;
    const labels: JsonRecord = {};
    // defineProperty, as JSON.parse does: a "__proto__" key stays an own key.
    for (let i = 0; i < list.count; i++) {
      Object.defineProperty(labels, list.key(i), { value: list.read(i), writable: true, enumerable: true, configurable: true });
    }
    unit.labels = labels;
  }
  return row.shell;
}

/**
 * Normalise a row read in pieces (the reader's huge-row path). Video, DICOM, NIfTI and PDF rows come
 * out as parts, one item each (part 0 also when there is none), holding between them exactly the
 * items and problems normaliseRow gives for the whole row, in the same order; only one frame's blob
 * is in memory at a time. Rows of other types are read back whole and normalised as one part.
 * With keepRaw, part 0's `raw` is the row without the spooled labels (`rawUnits` names those units)
 * and every entry of those labels comes in order in the parts' `rawFrames`, each beside its item.
 */
export function* normaliseStreamedRow(row: StreamedRow, index: number, ctx: NormaliseContext): Generator<NormalisedRow> {
  const { raw, meta } = rowHead(row.shell, index);
  const frameKind = FRAME_TYPES.get(meta.dataType);
  if (!frameKind) {
    yield normaliseRow(materialise(row), index, ctx);
    return;
  }
  const n = new RowNormaliser(raw, index, meta, ctx);
  n.readFrames(frameKind, row.units);
  const rowClassifications = n.rowGlobals();
  const plan = n.plan;
  const units = plan.units;

  // One entry's parsed blob is kept, so the raw frame beside an item is not read twice.
  let cached: { u: number; entry: number; value: unknown } | undefined;
  const read = (u: number, entry: number): unknown => {
    if (cached?.u !== u || cached.entry !== entry) cached = { u, entry, value: (units[u] as StreamedUnit).frames.read(entry) };
    return cached.value;
  };
  // Raw entries go out in the order pixel JSON writes them: units in data_units order, then entries.
  const base: number[] = [];
  let total = 0;
  for (const u of units) {
    base.push(total);
    total += u.frames.count;
  }
  let rawNext = 0;
  const rawUpTo = (end: number): RawFrame[] => {
    const out: RawFrame[] = [];
    for (let u = 0; rawNext < end; rawNext++) {
      while (u + 1 < units.length && (base[u + 1] as number) <= rawNext) u++;
      const unit = units[u] as StreamedUnit;
      const entry = rawNext - (base[u] as number);
      out.push({ unit: unit.key, key: unit.frames.key(entry), value: read(u, entry) });
    }
    return out;
  };

  const count = Math.max(1, plan.frame.length);
  for (let j = 0; j < count; j++) {
    const items = j < plan.frame.length ? [n.finishItem(n.streamedPending(j, frameKind, read), rowClassifications)] : [];
    const last = j === count - 1;
    const part: NormalisedRow = {
      meta,
      items,
      rangeObjects: [],
      rowClassifications: j === 0 ? rowClassifications : [],
      problems: n.takeProblems(),
      part: j,
      lastPart: last,
    };
    if (ctx.keepRaw) {
      if (j === 0) {
        part.raw = raw;
        part.rawUnits = units.map((u) => u.key);
      }
      // Entries up to this item's own (those without an item go with the next item), the rest with the last part.
      const at = j < plan.frame.length ? (base[plan.unit[j] as number] as number) + (plan.entry[j] as number) : -1;
      part.rawFrames = rawUpTo(last ? total : at >= rawNext ? at + 1 : rawNext);
    }
    yield part;
  }
}
