// The HTML report's preview thumbnails: a deterministic sample of items (as preview --limit picks
// them), drawn by the preview renderer after the pass, each a small PNG.
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

  /** Draw the sample, in input order; items over --max-pixels are left out. */
  async render(o: { media?: MediaSink; maxPixels: number; readHeader: ImageHeaderReader; cell: number }): Promise<Thumbnail[]> {
    const out: Thumbnail[] = [];
    for (const item of this.sampler.values()) {
      const p = await pictureOf(item, { categories: this.categories, media: o.media, maxPixels: o.maxPixels, readHeader: o.readHeader, cell: o.cell });
      if ("refused" in p) continue;
      out.push({ name: item.stem, png: encodeRgb8(p.canvas.width, p.canvas.height, p.canvas.data), background: p.background });
    }
    return out;
  }
}
