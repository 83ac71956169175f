// The one thing writers know of the media layer: a place to send each item's image. What it does
// (copy from --images, download, extract video frames, or only check) is decided by src/media/index.ts.
import type { Item } from "../model.js";

/** --media: how a found file is put into the output (copied, linked, or only checked). */
export type MediaMode = "link" | "copy" | "none";

export interface MediaSink {
  /**
   * Place the item's media file as `<folder>/<stem><ext>` under the output (folder relative to outDir,
   * e.g. "images/train" or "JPEGImages"). Missing images are counted in the report, never fatal. It may
   * return before the file is there (downloads run concurrently); the pipeline waits for all at the end.
   */
  place(item: Item, folder: string): Promise<void>;
}
