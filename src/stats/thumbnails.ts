// The HTML report's preview thumbnails: a deterministic sample of items (as preview --limit picks
// them), drawn by the preview renderer after the pass, each a small PNG.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Category, Item } from "../model.js";
import { encodeRgb8 } from "../output/png.js";
import type { ImageHeaderReader } from "../preview/load.js";
import { pictureOf } from "../preview/render.js";
import { Sampler } from "../preview/sample.js";
import type { MediaSink } from "../writers/writer.js";
import type { Thumbnail } from "./html.js";

export class ThumbnailSampler {
  private readonly sampler: Sampler<Item>;
  private categories: readonly Category[] = [];

  constructor(count: number, seed: number) {
    this.sampler = new Sampler<Item>(count, seed);
  }

  /** For InspectOptions.onItem. */
  readonly offer = (item: Item, categories: readonly Category[]): void => {
    this.categories = categories; // the run's one, growing class list
    this.sampler.offer(item.key, item);
  };

  /**
   * Draw the sample, in input order; items over --max-pixels are left out. With a media sink, every
   * sampled item's image is first placed under `placedIn` (then `settle`, when given, waits for the
   * media layer to finish), and each thumbnail is drawn on its image.
   */
  async render(o: { media?: MediaSink; placedIn?: string; settle?: () => Promise<void>; maxPixels: number; readHeader: ImageHeaderReader; cell: number }): Promise<Thumbnail[]> {
    const items = this.sampler.values();
    const folder = "thumbnails";
    if (o.media && o.placedIn !== undefined) {
      for (const item of items) await o.media.place(item, folder);
      await o.settle?.();
    }
    const out: Thumbnail[] = [];
    for (const item of items) {
      const file = o.placedIn !== undefined ? join(o.placedIn, folder, item.stem + item.ext) : undefined;
      const imagePath = file !== undefined && existsSync(file) ? file : undefined;
      const p = await pictureOf(item, { categories: this.categories, imagePath, maxPixels: o.maxPixels, readHeader: o.readHeader, cell: o.cell });
      if ("refused" in p) continue;
      out.push({ name: item.stem, png: encodeRgb8(p.canvas.width, p.canvas.height, p.canvas.data), background: p.background });
    }
    return out;
  }
}
