// PNG masks (docs/masks.md).
//   instance (default): one 8-bit grayscale 0/255 PNG of the frame size per object with an area
//     (box, rotated box, polygon, bitmask): instances/<item stem>/<objectHash>.png
//   semantic: one 8-bit palette PNG per item, pixel = class index + 1 (0 background):
//     semantic/<item stem>.png; later objects in the row's order paint over earlier ones.
// Both write masks.json (every PNG with its item, object, class and pixel count, streamed) and
// classes.json (index -> name and colour). Polygons and boxes are rasterised by geometry/raster.ts's
// one rule (pixel centres, even-odd so holes stay empty); bitmasks are pasted exactly as decoded.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { geometryRuns, paintRuns, paintRunsRows, type PixelTarget } from "../geometry/raster.js";
import { runsArea } from "../geometry/rle.js";
import { geometryArea } from "../geometry/shapes.js";
import { InputError, type Category, type Item, type LabeledObject, type MaskRuns, type NormalisedRow } from "../model.js";
import { BufferedFile } from "../output/files.js";
import { UniqueNames } from "../output/names.js";
import { classColour, hexColour, parseHexColour } from "../output/colours.js";
import { encodePalette8, GrayRows, vocColormap, type Rgb } from "../output/png.js";
import { frameOverLimit, mediaFileName, objectLocation, objectMaskPath, reportNonSpatial, skipUnsized } from "./common.js";
import type { Writer, WriterContext } from "./writer.js";

export type MaskMode = "instance" | "semantic";

/** The largest class value an 8-bit mask holds. */
const MAX_CLASS_VALUE = 255;

const VOC_COLOURS: readonly Rgb[] = vocColormap(256);

export { hexColour, parseHexColour };

/** One line of masks.json. Keys in this order. */
export interface MaskIndexEntry {
  png: string; // relative to the output folder
  item: string; // the item's stem
  image: string; // the media file name the item stands for
  dataHash: string;
  frame: number;
  split?: string;
  width: number;
  height: number;
  objectHash: string | null; // null for semantic masks
  class: string | null;
  classIndex: number | null; // the pixel value: category index + 1
  shape: string | null;
  pixels: number; // non-zero pixels in the PNG
  classPixels?: Record<string, number>; // semantic: pixels per class value ("1": 120, ...)
}

/** The shard log of masks.json entries (output/shard-sidecar.ts): [row, item stem]. */
export const MASKS_STREAM = "masks";

/** Objects that have an area, by the kind of their geometry. */
function hasArea(o: LabeledObject): boolean {
  const k = o.geometry.kind;
  return k === "box" || k === "rotated-box" || k === "polygon" || k === "mask";
}

export class MasksWriter implements Writer {
  readonly name = "masks";
  private ctx!: WriterContext;
  private mode: MaskMode = "instance";
  private index!: BufferedFile;
  private entries = 0;
  private readonly madeDirs = new Set<string>();
  private readonly gray = new GrayRows();
  private ids: PixelTarget = new Uint16Array(0);
  private pixels = new Uint8Array(0);

  async open(ctx: WriterContext): Promise<void> {
    this.ctx = ctx;
    if (ctx.stdout || ctx.outDir === "") throw new InputError("masks writes a folder of PNGs; give -o <folder>, not -");
    this.mode = ctx.options.maskMode ?? "instance";
    mkdirSync(ctx.outDir, { recursive: true });
    this.index = new BufferedFile(join(ctx.outDir, "masks.json"));
    this.index.write(`{\n"mode": ${JSON.stringify(this.mode)},\n"masks": [`);
  }

  private category(o: LabeledObject): Category | undefined {
    return this.ctx.categories.list()[o.category];
  }

  private colour(value: number): Rgb {
    return classListColour(this.ctx.categories.list(), value);
  }

  private ensureDir(path: string): void {
    const dir = dirname(path);
    if (this.madeDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  private writeEntry(e: MaskIndexEntry, row: number): void {
    this.index.write(`${this.entries === 0 ? "\n" : ",\n"}${JSON.stringify(e)}`);
    this.entries++;
    this.ctx.shard?.element(MASKS_STREAM, row, e.item);
  }

  private baseEntry(item: Item, png: string): MaskIndexEntry {
    const e: MaskIndexEntry = {
      png,
      item: item.stem,
      image: mediaFileName(item),
      dataHash: item.source.dataHash,
      frame: item.source.frame,
      width: item.width,
      height: item.height,
      objectHash: null,
      class: null,
      classIndex: null,
      shape: null,
      pixels: 0,
    };
    if (item.split !== undefined) e.split = item.split;
    return e;
  }

  /** Objects the masks can hold, with non-area ones and oversized classes reported. */
  private paintable(item: Item): LabeledObject[] {
    const out: LabeledObject[] = [];
    for (const o of item.objects) {
      const where = objectLocation(item, o);
      if (!hasArea(o)) {
        this.ctx.report.skip(o.geometry.kind, o.shape, "masks hold only shapes with an area (box, rotated box, polygon, bitmask)", where);
        continue;
      }
      if (this.mode === "semantic" && o.category + 1 > MAX_CLASS_VALUE) {
        this.ctx.report.skip("palette-full", o.shape, `class index ${o.category + 1} does not fit an 8-bit semantic mask (at most ${MAX_CLASS_VALUE} classes)`, where);
        continue;
      }
      out.push(o);
    }
    return out;
  }

  /** Frames too large for one buffer (--max-pixels) or without a size are skipped with a note. */
  private usable(item: Item, count: number): boolean {
    const reason = frameOverLimit(item.width, item.height, this.ctx.maxPixels);
    if (reason === undefined) return true;
    for (let i = 0; i < count; i++) this.ctx.report.skip(item.width > 0 && item.height > 0 ? "too-large" : "no-size", "mask", reason, { row: item.source.row, dataHash: item.source.dataHash, frame: item.source.frame });
    return false;
  }

  /** Notes for a shape whose raster is smaller than its geometry says. */
  private noteRaster(item: Item, o: LabeledObject, runs: MaskRuns, painted: number): void {
    const where = objectLocation(item, o);
    if (o.geometry.kind === "mask") {
      if (painted < runsArea(runs.counts)) this.ctx.report.approximate("clipped", "bitmask", "reaches outside its frame; clipped to the frame", where);
    } else if (painted === 0 && geometryArea(o.geometry) > 0) {
      this.ctx.report.approximate("empty-mask", o.shape, "covers no pixel centre inside the frame: its mask is empty", where);
    }
  }

  private writeInstances(item: Item, objects: LabeledObject[]): void {
    const { width, height } = item;
    const names = new UniqueNames();
    for (const o of objects) {
      const runs = geometryRuns(o.geometry, width, height) as MaskRuns;
      // Painted straight into the PNG's rows: no frame buffer to clear and copy per object.
      this.gray.reset(width, height);
      const painted = paintRunsRows(this.gray, runs, width, height, 255);
      this.noteRaster(item, o, runs, painted);
      const png = `instances/${objectMaskPath(item, o.objectHash, names)}`;
      const path = join(this.ctx.outDir, png);
      this.ensureDir(path);
      writeFileSync(path, this.gray.encode());
      const cat = this.category(o);
      this.writeEntry({
        ...this.baseEntry(item, png),
        objectHash: o.objectHash,
        class: cat?.name ?? o.name,
        classIndex: o.category + 1,
        shape: o.shape,
        pixels: painted,
      }, item.source.row);
      this.ctx.report.wroteObject(cat?.name ?? o.name);
    }
  }

  /** Frame-sized buffers reused from item to item (a new frame size allocates new ones). */
  private semanticBuffers(total: number, objects: number): { ids: PixelTarget; pixels: Uint8Array } {
    const wide = objects >= 0xffff;
    if (this.pixels.length !== total || (wide && !(this.ids instanceof Uint32Array))) {
      this.ids = wide ? new Uint32Array(total) : new Uint16Array(total);
      this.pixels = new Uint8Array(total);
    } else {
      this.ids.fill(0);
      this.pixels.fill(0);
    }
    return { ids: this.ids, pixels: this.pixels };
  }

  private writeSemantic(item: Item, objects: LabeledObject[]): void {
    const { width, height } = item;
    const total = width * height;
    // Paint object numbers (1-based, row order) so each object's visible pixels can be counted,
    // then map them to class values: later objects cover earlier ones.
    const { ids, pixels } = this.semanticBuffers(total, objects.length);
    const rastered: number[] = [];
    let lo = total;
    let hi = 0;
    objects.forEach((o, k) => {
      const runs = geometryRuns(o.geometry, width, height) as MaskRuns;
      const painted = paintRuns(ids, runs, width, height, k + 1);
      this.noteRaster(item, o, runs, painted);
      rastered.push(painted);
      if (painted > 0) {
        const [a, b] = runsSpan(runs, width, height);
        if (a < lo) lo = a;
        if (b > hi) hi = b;
      }
    });
    const classOf = new Uint8Array(objects.length + 1);
    objects.forEach((o, k) => (classOf[k + 1] = o.category + 1));
    const visible = new Uint32Array(objects.length + 1);
    const perClass = new Uint32Array(MAX_CLASS_VALUE + 1);
    // Only the stretch any object touched needs mapping; the rest stays background.
    for (let i = lo; i < hi; i++) {
      const id = ids[i] as number;
      if (id === 0) continue;
      const v = classOf[id] as number;
      pixels[i] = v;
      visible[id] = (visible[id] as number) + 1;
      perClass[v] = (perClass[v] as number) + 1;
    }
    objects.forEach((o, k) => {
      const cat = this.category(o);
      if ((visible[k + 1] as number) > 0) {
        this.ctx.report.wroteObject(cat?.name ?? o.name);
      } else if ((rastered[k] as number) > 0) {
        this.ctx.report.approximate("hidden", o.shape, "hidden by later objects in the semantic mask", objectLocation(item, o));
      }
    });
    const png = `semantic/${item.stem}.png`;
    const path = join(this.ctx.outDir, png);
    this.ensureDir(path);
    writeFileSync(path, encodePalette8(width, height, pixels, this.palette()));
    const classPixels: Record<string, number> = {};
    let nonZero = 0;
    for (let v = 1; v <= MAX_CLASS_VALUE; v++) {
      const n = perClass[v] as number;
      if (n > 0) classPixels[String(v)] = n;
      nonZero += n;
    }
    this.writeEntry({ ...this.baseEntry(item, png), pixels: nonZero, classPixels }, item.source.row);
  }

  /**
   * 256 colours, the same in every file: 0 black, each known class its colour, the rest VOC's
   * colormap. (A full palette also spares the encoder its check that every pixel has a colour.)
   */
  private palette(): Rgb[] {
    const known = Math.min(MAX_CLASS_VALUE, this.ctx.categories.list().length);
    const palette: Rgb[] = [[0, 0, 0]];
    for (let v = 1; v <= MAX_CLASS_VALUE; v++) palette.push(v <= known ? this.colour(v) : (VOC_COLOURS[v] as Rgb));
    return palette;
  }

  async write(row: NormalisedRow): Promise<void> {
    reportNonSpatial(row, this.ctx.report, "a mask PNG");
    for (const item of row.items) {
      if (skipUnsized(item, this.ctx.report)) continue;
      const objects = this.paintable(item);
      if (this.mode === "instance") {
        if (objects.length > 0 && this.usable(item, objects.length)) this.writeInstances(item, objects);
      } else if (this.usable(item, Math.max(1, objects.length))) {
        this.writeSemantic(item, objects);
      }
      if (this.ctx.media) await this.ctx.media.place(item, "images");
    }
  }

  async close(): Promise<void> {
    this.index.write(this.entries === 0 ? "]\n}\n" : "\n]\n}\n");
    this.index.close();
    writeFileSync(join(this.ctx.outDir, "classes.json"), masksClassesJson(this.ctx.categories.list(), this.mode));
  }
}

/**
 * classes.json: background, then index -> name and colour of every class (semantic masks hold at
 * most 255), with the ontology's featureHash where the class has one.
 */
export function masksClassesJson(list: readonly Category[], mode: MaskMode): string {
  const classes: { index: number; name: string; color: string; featureHash?: string }[] = [{ index: 0, name: "background", color: "#000000" }];
  for (const cat of list) {
    const v = cat.index + 1;
    if (v > MAX_CLASS_VALUE && mode === "semantic") break;
    const entry: { index: number; name: string; color: string; featureHash?: string } = { index: v, name: cat.name, color: hexColour(classListColour(list, v)) };
    if (!cat.key.startsWith("name:")) entry.featureHash = cat.key;
    classes.push(entry);
  }
  return `[\n${classes.map((c) => JSON.stringify(c)).join(",\n")}\n]\n`;
}

/**
 * The colour of class value v (category v-1): the class's own (from the ontology, or from its first
 * object when the export defines the classes), else the VOC colormap's entry v. A class's colour is
 * set when the class is added and never changes, so a value has one colour in every file.
 */
export function classListColour(list: readonly Category[], value: number): Rgb {
  return classColour(list[value - 1], value);
}

/**
 * The row-major index range [first, end) that runs can touch in the frame: exact for frame-sized
 * runs at 0,0 (every rasterised shape, every ordinary bitmask), the whole frame otherwise.
 */
export function runsSpan(runs: MaskRuns, frameWidth: number, frameHeight: number): [number, number] {
  const total = frameWidth * frameHeight;
  const c = runs.counts;
  if (runs.width !== frameWidth || runs.height !== frameHeight || runs.left !== 0 || runs.top !== 0 || c.length < 2) return [0, total];
  let sum = 0;
  for (let i = 0; i < c.length; i++) sum += c[i] as number;
  const trailingZeros = c.length % 2 === 1 ? (c[c.length - 1] as number) : 0;
  return [c[0] as number, Math.min(total, sum - trailingZeros)];
}

export function createMasksWriter(): Writer {
  return new MasksWriter();
}
