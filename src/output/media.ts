// --images DIR with --media link|copy|none: find each item's image in a local folder and put it
// where the format wants it. Lookup order: the data unit's title, the item's output file name
// (how extracted video frames are named), then the data hash with any image extension.
import { copyFileSync, mkdirSync, readdirSync, statSync, symlinkSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { InputError, type Item } from "../model.js";
import type { Report } from "../report.js";
import type { MediaSink } from "../writers/writer.js";
import { IMAGE_EXTENSIONS, preferredStem } from "./names.js";

export type MediaMode = "link" | "copy" | "none";

const MAX_LISTED = 1000;

export interface ImageIndex {
  byName: Map<string, string>;
  byStem: Map<string, string>;
}

/**
 * Index the --images folder tree by file name (and by name without extension), first path in sorted
 * order wins. Done before any output exists, so a bad folder fails the run with nothing to clean up.
 */
export function indexImages(imagesDir: string): ImageIndex {
  const root = resolve(imagesDir);
  try {
    if (!statSync(root).isDirectory()) throw new Error("not a folder");
  } catch (e) {
    throw new InputError(`--images ${imagesDir}: ${(e as Error).message}`);
  }
  const byName = new Map<string, string>();
  const byStem = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else {
        if (!byName.has(name)) byName.set(name, p);
        const ext = extname(name).toLowerCase();
        if (IMAGE_EXTENSIONS.has(ext)) {
          const stem = name.slice(0, -ext.length);
          if (!byStem.has(stem)) byStem.set(stem, p);
        }
      }
    }
  };
  walk(root);
  return { byName, byStem };
}

export class LocalMedia implements MediaSink {
  readonly missing: string[] = [];
  missingCount = 0;
  placed = 0;

  constructor(
    private readonly index: ImageIndex,
    private readonly mode: MediaMode,
    private readonly outDir: string,
    private readonly report: Report,
  ) {}

  /**
   * The source file for an item, or undefined when the folder has none. The output-name lookup uses
   * the name the item wants before a clash suffix (`clip_000012`, as ffmpeg numbers extracted
   * frames), which depends on the item alone: so every shard of a run finds what a single run finds.
   */
  find(item: Item): string | undefined {
    const { byName, byStem } = this.index;
    const wanted = preferredStem(item.nameHint, item.nameSuffix);
    return (
      byName.get(item.source.dataTitle) ??
      byName.get(wanted + item.ext) ??
      byStem.get(wanted) ??
      byStem.get(item.source.dataHash)
    );
  }

  async place(item: Item, folder: string): Promise<void> {
    const src = this.find(item);
    if (!src) {
      this.missingCount++;
      if (this.missing.length < MAX_LISTED) this.missing.push(item.source.dataTitle || item.key);
      this.report.skip("image-missing", "image file", "not found in the --images folder", {
        row: item.source.row,
        dataHash: item.source.dataHash,
        frame: item.source.frame,
      });
      return;
    }
    if (this.mode === "none") return;
    const destDir = join(this.outDir, folder);
    mkdirSync(destDir, { recursive: true });
    const dest = join(destDir, item.stem + item.ext);
    if (this.mode === "link") symlinkSync(src, dest);
    else copyFileSync(src, dest);
    this.placed++;
  }
}
