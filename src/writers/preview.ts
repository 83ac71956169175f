// Previews (docs/preview.md): each item's image, or a neutral canvas of its size, with every object
// drawn as the model holds it after the run's filters and class mapping (src/preview/draw.ts).
//   default: one RGB PNG per item, <item stem>.png (video frames named as every converter names them)
//   --sheet CxR: contact sheets of thumbnails with their names, sheet-0001.png, ... instead
//   --limit N: only a deterministic sample of N items (--seed), drawn in input order at the end
// preview.json lists every PNG with its item. Objects drawn count as written; what could not be
// drawn, or only clipped, and images missing, undecodable or of another size are in the report.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Item, NormalisedRow } from "../model.js";
import { BufferedFile } from "../output/files.js";
import { encodeRgb8 } from "../output/png.js";
import { DEFAULT_MAX_PIXELS } from "../options.js";
import type { ImageHeaderReader } from "../preview/load.js";
import { pictureOf } from "../preview/render.js";
import { Sampler } from "../preview/sample.js";
import { ItemSpool } from "../preview/spool.js";
import { ContactSheet } from "../preview/sheet.js";
import { InputError } from "../model.js";
import { mediaFileName, objectLocation, reportNonSpatial, skipUnsized } from "./common.js";
import type { Writer, WriterContext } from "./writer.js";

export const DEFAULT_THUMB = 256;

/** One line of preview.json. Keys in this order. */
export interface PreviewIndexEntry {
  png: string; // relative to the output folder
  cell?: number; // the item's place on a contact sheet, 0-based, row by row
  item: string; // the item's stem
  image: string; // the media file name the item stands for
  dataHash: string;
  frame: number;
  split?: string;
  width: number;
  height: number;
  background: "image" | "neutral";
  objects: number;
  drawn: number;
}

/** Where the media layer puts the images to draw on, inside the output; removed before the output is kept. */
export const PREVIEW_MEDIA = ".preview-media";

export class PreviewWriter implements Writer {
  readonly name = "preview";
  private ctx!: WriterContext;
  private index!: BufferedFile;
  private entries = 0;
  private sampler?: Sampler<Item>;
  private sheet?: ContactSheet;
  private sheets = 0;
  private maxPixels = DEFAULT_MAX_PIXELS;
  /** With --images: items wait here until the media layer has put every image in place. */
  private waiting?: ItemSpool;

  constructor(private readonly readHeader: ImageHeaderReader) {}

  async open(ctx: WriterContext): Promise<void> {
    this.ctx = ctx;
    if (ctx.stdout || ctx.outDir === "") throw new InputError("preview writes a folder of PNGs; give -o <folder>, not -");
    this.maxPixels = ctx.maxPixels ?? DEFAULT_MAX_PIXELS;
    const o = ctx.options;
    if (o.previewLimit !== undefined) this.sampler = new Sampler<Item>(o.previewLimit, o.previewSeed ?? 0);
    if (o.previewSheet) this.sheet = new ContactSheet({ ...o.previewSheet, cell: o.previewThumb ?? DEFAULT_THUMB });
    if (ctx.media) this.waiting = new ItemSpool(join(ctx.tempDir, "preview-items.jsonl"));
    mkdirSync(ctx.outDir, { recursive: true });
    this.index = new BufferedFile(join(ctx.outDir, "preview.json"));
    this.index.write(`{\n"mode": ${JSON.stringify(this.sheet ? "sheets" : "items")},\n"previews": [`);
  }

  async write(row: NormalisedRow): Promise<void> {
    reportNonSpatial(row, this.ctx.report, "a preview");
    for (const item of row.items) {
      if (this.sampler) this.sampler.offer(item.key, item);
      else await this.take(item);
    }
  }

  /** Draw now, or (with --images) ask for the image and draw once the media layer is done. */
  private async take(item: Item): Promise<void> {
    if (!this.waiting || !this.ctx.media || !(item.width > 0 && item.height > 0)) return this.draw(item);
    await this.ctx.media.place(item, PREVIEW_MEDIA);
    this.waiting.add(item);
  }

  async close(): Promise<void> {
    if (this.sampler) {
      const chosen = this.sampler.values();
      const left = this.sampler.offered - chosen.length;
      if (left > 0) this.ctx.report.filter("sample", "item", `not in the --limit ${chosen.length} sample (--seed ${this.ctx.options.previewSeed ?? 0})`, undefined, left);
      for (const item of chosen) await this.take(item);
    }
    if (!this.waiting) this.finish();
  }

  async afterMedia(): Promise<void> {
    if (!this.waiting) return;
    for await (const item of this.waiting.items()) await this.draw(item, join(this.ctx.outDir, PREVIEW_MEDIA, mediaFileName(item)));
    rmSync(join(this.ctx.outDir, PREVIEW_MEDIA), { recursive: true, force: true });
    this.finish();
  }

  private finish(): void {
    if (this.sheet && this.sheet.size > 0) this.writeSheet();
    this.index.write(this.entries === 0 ? "]\n}\n" : "\n]\n}\n");
    this.index.close();
  }

  /** One item's preview; `image`: where the media layer put its image (absent or missing: a neutral canvas). */
  private async draw(item: Item, image?: string): Promise<void> {
    const { report } = this.ctx;
    if (skipUnsized(item, report)) return;
    const where = { row: item.source.row, dataHash: item.source.dataHash, frame: item.source.frame };
    const categories = this.ctx.categories.list();
    const picture = await pictureOf(item, {
      categories,
      imagePath: image !== undefined && existsSync(image) ? image : undefined,
      maxPixels: this.maxPixels,
      readHeader: this.readHeader,
      cell: this.sheet?.layout.cell,
    });
    if ("refused" in picture) {
      report.skip("too-large", "item preview", picture.refused, where);
      for (const o of item.objects) report.skip("too-large", o.shape, picture.refused, objectLocation(item, o));
      return;
    }
    const { canvas, objects } = picture;
    if (picture.imageNote) report.add(picture.imageNote, where);
    let drawn = 0;
    for (const o of objects) {
      for (const n of o.notes) report.add(n, objectLocation(item, o.object));
      if (!o.drawn) continue;
      drawn++;
      report.wroteObject(categories[o.object.category]?.name ?? o.object.name);
    }
    let png: string;
    let cell: number | undefined;
    if (this.sheet) {
      cell = this.sheet.size;
      png = sheetName(this.sheets + 1);
      this.sheet.add(canvas, item.stem);
      if (this.sheet.full) this.writeSheet();
    } else {
      png = `${item.stem}.png`;
      writeFileSync(join(this.ctx.outDir, png), encodeRgb8(canvas.width, canvas.height, canvas.data));
    }
    const s = item.source;
    const e: PreviewIndexEntry = {
      png,
      ...(cell !== undefined ? { cell } : {}),
      item: item.stem,
      image: mediaFileName(item),
      dataHash: s.dataHash,
      frame: s.frame,
      ...(item.split !== undefined ? { split: item.split } : {}),
      width: item.width,
      height: item.height,
      background: picture.background,
      objects: item.objects.length,
      drawn,
    };
    this.index.write(`${this.entries === 0 ? "\n" : ",\n"}${JSON.stringify(e)}`);
    this.entries++;
  }

  private writeSheet(): void {
    const sheet = (this.sheet as ContactSheet).take();
    this.sheets++;
    writeFileSync(join(this.ctx.outDir, sheetName(this.sheets)), encodeRgb8(sheet.width, sheet.height, sheet.data));
  }
}

function sheetName(n: number): string {
  return `sheet-${String(n).padStart(4, "0")}.png`;
}

export function createPreviewWriter(readHeader: ImageHeaderReader): Writer {
  return new PreviewWriter(readHeader);
}
