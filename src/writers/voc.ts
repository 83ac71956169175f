// Pascal VOC writer: Annotations/<stem>.xml per item, ImageSets/Main (split lists and per-class
// presence lists), labelmap.txt, and with --masks SegmentationClass/SegmentationObject palette PNGs.
// Rules and decisions: docs/voc.md. Memory: one item's XML and maps at a time; the per-class lists
// are rebuilt at close from a spool file in the scratch folder, since classes can still appear late.
import { createReadStream, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Category, Item, LabeledObject, NormalisedRow } from "../model.js";
import { BufferedFile } from "../output/files.js";
import { encodePalette8, vocColormap, type Rgb } from "../output/png.js";
import type { Report } from "../report.js";
import { DEFAULT_SPLIT, attributeRecord, frameOverLimit, classificationRecord, mediaFileName, objectLocation, reportNonSpatial, skipUnsized, splitOf } from "./common.js";
import { VocClasses, classListStems, labelmapText } from "./voc-names.js";
import { segmentationMaps, type SegObject } from "./voc-seg.js";
import { annotationText, hasNonXmlChars, OBJECT_HEAD, objectNode, objectText, renderXml, splitFlags, treeHasNonXmlChars, vocBoxOf } from "./voc-xml.js";
import type { Writer, WriterContext, WriterFactory } from "./writer.js";
import type { FormatOptions } from "../options.js";
import type { LossNote } from "../report.js";
import { preparedOf, type ObjectPreparer, type PreparedObject } from "./prepared.js";
import { FileWrites } from "../output/files.js";

const FORMAT = "VOC";
/** The synthesised set of the devkit: every item of "train" and "val". */
export const TRAINVAL = "trainval";
/** The SegmentationObject palette: the VOC colormap (what Datumaro decodes instances with), 255 void. */
const INSTANCE_PALETTE: readonly Rgb[] = vocColormap(256);
/** The shard log of written items (output/shard-sidecar.ts): [row, split, stem, class presence, segmented 0/1]. */
export const VOC_STREAM = "voc";
/** The shard log of splits, each at the row where it first appeared: [row, split] (merge orders the sets by it). */
export const VOC_SPLITS_STREAM = "voc-splits";
/** Output files open at once while the per-class lists are written. */
const CLASS_FILES_PER_PASS = 128;

/** Why the XML box of each geometry kind is an approximation, and where the exact shape is kept. */
const EXTENT_REASON: Partial<Record<LabeledObject["geometry"]["kind"], string>> = {
  "rotated-box": "<bndbox> is the rotated box's axis-aligned extent; <rotated_box> and <polygon> keep it exactly",
  polygon: "<bndbox> is the polygon's extent; <polygon> and <hole> elements keep it exactly",
  mask: "<bndbox> is the bitmask's extent; <mask> keeps it exactly (rleString, row-major)",
  skeleton: "<bndbox> is the extent of the labelled keypoints; <keypoints> keeps them",
};

/** What an image set holds: its own split; trainval also every item of train and val. */
export function inSet(set: string, split: string): boolean {
  return set === split || (set === TRAINVAL && (split === "train" || split === "val"));
}

/** An item goes into its split's list, and train and val items into trainval too. */
export function addToSets(files: SetFiles, split: string, stem: string): void {
  files.add(split, stem);
  if (split !== TRAINVAL && inSet(TRAINVAL, split)) files.add(TRAINVAL, stem);
}

/** The image sets of a run: its splits in order of first appearance (train when none), then trainval. */
export function vocSets(splits: readonly string[]): string[] {
  const sets = splits.length === 0 ? [DEFAULT_SPLIT] : [...splits];
  if (!sets.includes(TRAINVAL)) sets.push(TRAINVAL);
  return sets;
}

/** A line of a <class>_<set>.txt file, in the devkit's "%s %2d" layout. */
export function presenceLine(stem: string, flag: -1 | 0 | 1): string {
  return `${stem} ${flag === -1 ? "-1" : ` ${flag}`}\n`;
}

/** The spooled presence of classes in an item: "index:flag" pairs, flag 1 present, 0 difficult only. */
function presenceField(present: ReadonlyMap<number, 0 | 1>): string {
  return [...present].map(([c, f]) => `${c}:${f}`).join(",");
}

function parsePresence(field: string): Map<number, 0 | 1> {
  const m = new Map<number, 0 | 1>();
  if (field === "") return m;
  for (const part of field.split(",")) {
    const [c, f] = part.split(":");
    m.set(Number(c), f === "1" ? 1 : 0);
  }
  return m;
}

/** Lazily opened list files of one ImageSets folder, one per set. */
export class SetFiles {
  private readonly files = new Map<string, BufferedFile>();
  constructor(private readonly dir: string) {}

  add(set: string, stem: string): void {
    let f = this.files.get(set);
    if (!f) this.files.set(set, (f = new BufferedFile(join(this.dir, `${set}.txt`))));
    f.write(stem + "\n");
  }

  /** Make sure these sets exist, even empty. */
  ensure(sets: Iterable<string>): void {
    for (const s of sets) if (!this.files.has(s)) this.files.set(s, new BufferedFile(join(this.dir, `${s}.txt`)));
  }

  close(): void {
    for (const f of this.files.values()) f.close();
  }
}

const DIFFICULT = 1;
const NON_XML = 2;

/**
 * One object's <object> without its name, or only its notes when VOC cannot hold it: made where the
 * row was parsed. The piece is the element rendered at depth 1 after its name line (OBJECT_HEAD);
 * flags: DIFFICULT, NON_XML (its text holds characters XML cannot carry).
 */
export function vocPreparer(options: FormatOptions): ObjectPreparer {
  const zeroBased = options.zeroBased === true;
  return (obj, item) => {
    const g = obj.geometry;
    const notes: LossNote[] = [];
    const note = (outcome: LossNote["outcome"], code: string, reason: string): void => {
      notes.push({ outcome, code, what: obj.shape, reason });
    };
    if (g.kind === "polyline" || g.kind === "point") {
      note("skipped", g.kind, `VOC objects are boxes; a ${g.kind} has no area to box`);
      return { notes };
    }
    const r = vocBoxOf(g, item.width, item.height, zeroBased);
    if (!r.ok) {
      const [code, why] = ({
        outside: ["outside", "it lies entirely outside the image"],
        "no-extent": ["no-area", "it covers no pixel (zero width or height)"],
        "too-small-image": ["too-small", "the image is one pixel wide or high, too small for a VOC box"],
      } as const)[r.reason];
      note("skipped", code, why);
      return { notes };
    }
    const extentReason = EXTENT_REASON[g.kind];
    if (extentReason) note("approximated", "extent", extentReason);
    if (r.truncated) note("approximated", "clipped", "clipped at the image border (<truncated>1</truncated>)");
    if (r.widened) note("approximated", "widened", "one pixel wide or high: widened to two, as readers need xmin < xmax");
    const { flags, rest } = splitFlags(attributeRecord(obj.attributes));
    flags.truncated = flags.truncated || r.truncated;
    const node = objectNode({ name: "", flags, box: r.box, attributes: rest, geometry: g });
    const text = renderXml(node, 1).slice(OBJECT_HEAD.length);
    return { notes, text, flags: (flags.difficult ? DIFFICULT : 0) | (treeHasNonXmlChars(node) ? NON_XML : 0) };
  };
}

export class VocWriter implements Writer {
  readonly name = "voc";
  private ctx!: WriterContext;
  private report!: Report;
  private readonly classes = new VocClasses();
  private main!: SetFiles;
  private seg: SetFiles | undefined;
  private spool!: BufferedFile;
  private spoolPath = "";
  /** Split names seen, in order of first appearance. */
  private readonly splits = new Set<string>();
  private prepare!: ObjectPreparer;
  /** Annotation and segmentation files, written a few at a time through the libuv pool. */
  private readonly files = new FileWrites();

  async open(ctx: WriterContext): Promise<void> {
    this.ctx = ctx;
    this.prepare = vocPreparer(ctx.options);
    this.report = ctx.report;
    const out = ctx.outDir;
    mkdirSync(join(out, "Annotations"), { recursive: true });
    this.main = new SetFiles(join(out, "ImageSets", "Main"));
    if (ctx.options.vocMasks) {
      mkdirSync(join(out, "SegmentationClass"), { recursive: true });
      mkdirSync(join(out, "SegmentationObject"), { recursive: true });
      this.seg = new SetFiles(join(out, "ImageSets", "Segmentation"));
    }
    this.spoolPath = join(ctx.tempDir, "voc-class-presence.tsv");
    this.spool = new BufferedFile(this.spoolPath);
    this.nameNewClasses();
  }

  async write(row: NormalisedRow): Promise<void> {
    reportNonSpatial(row, this.report, FORMAT);
    this.nameNewClasses();
    for (const item of row.items) await this.writeItem(item, row.meta.datasetTitle);
  }

  async close(): Promise<void> {
    await this.files.drain();
    this.nameNewClasses();
    this.spool.close();
    const sets = vocSets([...this.splits]);
    this.main.ensure(sets);
    this.main.close();
    this.seg?.ensure(sets);
    this.seg?.close();
    writeFileSync(join(this.ctx.outDir, "labelmap.txt"), labelmapText(this.classes));
    await this.writeClassLists(sets);
  }

  /** Give VOC names to classes that appeared since the last call; report any renamed class. */
  private nameNewClasses(): void {
    for (const c of this.classes.extend(this.ctx.categories.list())) {
      if (c.renamedFrom !== undefined) {
        this.report.runNote(
          "approximated",
          "class-name",
          "class name",
          `"${c.renamedFrom}" is written as "${c.name}": VOC names are unique (background is taken), trimmed, without ':' or control characters`,
        );
      }
    }
  }

  private async writeItem(item: Item, database: string): Promise<void> {
    const { options } = this.ctx;
    const W = item.width;
    const H = item.height;
    const where = { row: item.source.row, dataHash: item.source.dataHash, frame: item.source.frame };
    // <size> and every box need the image size (PDF pages come without one).
    if (skipUnsized(item, this.report)) return;
    const objects: string[] = [];
    const seg: SegObject[] = [];
    const written: LabeledObject[] = [];
    const present = new Map<number, 0 | 1>();
    let nonXml = false;
    for (const obj of item.objects) {
      const p = preparedOf(obj, item, this.prepare) as PreparedObject;
      const where = objectLocation(item, obj);
      for (const n of p.notes) this.report.add(n, where);
      if (p.text === undefined) continue;
      const name = this.classes.name(obj.category);
      objects.push(objectText(name, p.text));
      const flags = p.flags ?? 0;
      if (flags & NON_XML || hasNonXmlChars(name)) nonXml = true;
      written.push(obj);
      seg.push({ geometry: obj.geometry, classValue: obj.category + 1 });
      const flag = flags & DIFFICULT ? 0 : 1;
      present.set(obj.category, Math.max(present.get(obj.category) ?? 0, flag) as 0 | 1);
    }
    const split = splitOf(item);
    if (!this.splits.has(split)) this.ctx.shard?.element(VOC_SPLITS_STREAM, item.source.row, split);
    this.splits.add(split); // the set's files exist even when all its items are left out
    if (options.skipEmpty && objects.length === 0) {
      this.report.filter("empty", "image", "no objects (--skip-empty)", where);
      return;
    }
    let masks = options.vocMasks === true;
    // Two frame-sized 8-bit maps per image: the same ceiling (--max-pixels) as every other mask buffer.
    const over = masks ? frameOverLimit(W, H, this.ctx.maxPixels) : undefined;
    if (over) {
      this.report.skip("too-large", "segmentation PNGs", over, where);
      masks = false;
    }
    const annotation = annotationText(
      {
        folder: "JPEGImages",
        filename: mediaFileName(item),
        source: { database: database || "Unknown", annotation: "Encord", image: item.source.dataTitle, dataHash: item.source.dataHash, frame: item.source.frame },
        width: W,
        height: H,
        depth: 3,
        segmented: masks,
        classifications: classificationRecord(item.classifications),
      },
      objects,
    );
    if (nonXml || annotation.nonXml) {
      this.report.approximate("text", "text", "characters XML 1.0 cannot hold are written as U+FFFD", where);
    }
    await this.files.write(join(this.ctx.outDir, "Annotations", `${item.stem}.xml`), annotation.text);
    for (const obj of written) this.report.wroteObject(this.categoryOf(obj).name);

    this.addToSets(this.main, split, item.stem);
    this.spool.write(`${split}\t${item.stem}\t${presenceField(present)}\n`);
    if (masks && this.seg) {
      await this.writeSegmentation(item, seg, written);
      this.addToSets(this.seg, split, item.stem);
    }
    this.ctx.shard?.element(VOC_STREAM, item.source.row, split, item.stem, presenceField(present), masks && this.seg ? 1 : 0);
    if (this.ctx.media) await this.ctx.media.place(item, "JPEGImages");
  }

  private addToSets(files: SetFiles, split: string, stem: string): void {
    addToSets(files, split, stem);
  }

  private categoryOf(obj: LabeledObject): Category {
    const c = this.ctx.categories.list()[obj.category];
    if (!c) throw new RangeError(`object ${obj.objectHash} has class index ${obj.category}, outside the class table`);
    return c;
  }

  private async writeSegmentation(item: Item, seg: SegObject[], written: LabeledObject[]): Promise<void> {
    const W = item.width;
    const H = item.height;
    const maps = segmentationMaps(seg, W, H, this.ctx.options.voidBorder === true);
    const at = (i: number) => objectLocation(item, written[i] as LabeledObject);
    for (const i of maps.noArea) {
      this.report.skip("no-area", `${(written[i] as LabeledObject).shape} (segmentation)`, "no area to paint; its box is in the XML", at(i));
    }
    for (const i of maps.classTooHigh) {
      this.report.skip("palette-full", `${(written[i] as LabeledObject).shape} (segmentation)`, "class index above 254: 8-bit PNGs reserve 255 for void", at(i));
    }
    for (const i of maps.instanceTooHigh) {
      this.report.skip("palette-full", `${(written[i] as LabeledObject).shape} (SegmentationObject)`, "more than 254 objects in the image: painted in SegmentationClass only", at(i));
    }
    const out = this.ctx.outDir;
    await this.files.write(join(out, "SegmentationClass", `${item.stem}.png`), encodePalette8(W, H, maps.classMap, this.classes.classPalette()));
    await this.files.write(join(out, "SegmentationObject", `${item.stem}.png`), encodePalette8(W, H, maps.objectMap, INSTANCE_PALETTE));
  }

  async settle(): Promise<void> {
    await this.files.settle();
  }

  private async writeClassLists(sets: readonly string[]): Promise<void> {
    const names = Array.from({ length: this.classes.size }, (_, i) => this.classes.name(i));
    await writeVocClassLists(this.ctx.outDir, this.spoolPath, names, sets);
  }
}

/**
 * ImageSets/Main/<class>_<set>.txt for every class and set: every item of the set with 1 (class
 * present), 0 (only difficult objects of it) or -1 (absent). File names: classListStems. `spoolPath`
 * holds a line per written item, in output order: split, stem and presenceField, tab-separated.
 */
export async function writeVocClassLists(outDir: string, spoolPath: string, names: readonly string[], sets: readonly string[]): Promise<void> {
  const stems = classListStems(names, sets);
  const targets: { cat: number; set: string; file: string }[] = [];
  stems.forEach((perSet, cat) => perSet.forEach((file, k) => targets.push({ cat, set: sets[k] as string, file })));
  const dir = join(outDir, "ImageSets", "Main");
  for (let start = 0; start < targets.length; start += CLASS_FILES_PER_PASS) {
    const chunk = targets.slice(start, start + CLASS_FILES_PER_PASS).map((t) => ({ ...t, out: new BufferedFile(join(dir, `${t.file}.txt`)) }));
    const lines = createInterface({ input: createReadStream(spoolPath, "utf8"), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === "") continue;
      const [split = "", stem = "", field = ""] = line.split("\t");
      const present = parsePresence(field);
      for (const t of chunk) {
        if (inSet(t.set, split)) t.out.write(presenceLine(stem, present.get(t.cat) ?? -1));
      }
    }
    for (const t of chunk) t.out.close();
  }
}

export const createVocWriter: WriterFactory = () => new VocWriter();
