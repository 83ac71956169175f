// The media cache: downloaded files by data hash, so a rerun (or another format from the same export)
// fetches nothing twice and an interrupted download resumes. A file appears under its final name only
// when complete (download.ts renames its .part), so presence means complete. The default cache sits
// beside the output (`.<name>.media-cache`), outside the temporary output that a failed run removes.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { sanitizeName } from "../output/names.js";

export type CacheKind = "images" | "videos";

/** Where the cache goes when --media-cache is not given: a hidden sibling of the output. */
export function defaultCacheDir(out: string): string {
  const abs = resolve(out);
  return join(dirname(abs), `.${basename(abs)}.media-cache`);
}

export class MediaCache {
  readonly dir: string;
  private readonly made = new Set<string>();

  /** `explicit`: given by --media-cache (always kept); otherwise the default, removed when nothing is left to resume. */
  constructor(dir: string, readonly explicit: boolean) {
    this.dir = resolve(dir);
  }

  /** The cached file of a data unit: `<kind>/<data hash><ext>`, both made safe as file names. */
  path(kind: CacheKind, dataHash: string, ext: string): string {
    const safeExt = ext === "" ? "" : `.${sanitizeName(ext.replace(/^\./, ""), 16).toLowerCase()}`;
    const folder = join(this.dir, kind);
    if (!this.made.has(folder)) {
      mkdirSync(folder, { recursive: true });
      this.made.add(folder);
    }
    return join(folder, `${sanitizeName(dataHash, 100)}${safeExt}`);
  }

  has(path: string): boolean {
    return existsSync(path);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
    this.made.clear();
  }
}
