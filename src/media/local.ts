// The --images folder: an index of its files (made before any output exists, so a bad folder fails a run
// with nothing to clean up) and the lookups by data hash, by the item's unique output name and by title.
// Memory: a few strings per file of the folder.
import { readdirSync, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { InputError } from "../model.js";
import { IMAGE_EXTENSIONS } from "../output/names.js";

export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set([
  ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".mts", ".wmv", ".flv", ".3gp", ".ogv",
]);

export type LocalKind = "image" | "video";

export interface LocalIndex {
  root: string;
  /** File name -> its path (the first in sorted order when the tree holds the name twice). */
  byName: Map<string, string>;
  /** Names the tree holds more than once (in different subfolders): ambiguous as titles. */
  repeated: Set<string>;
  /** Name without an image extension -> path; the same for video extensions. */
  imageByStem: Map<string, string>;
  videoByStem: Map<string, string>;
}

/** Index the folder tree by file name and by name without a media extension; sorted walk, first wins. */
export function indexFolder(dir: string): LocalIndex {
  const root = resolve(dir);
  try {
    if (!statSync(root).isDirectory()) throw new Error("not a folder");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new InputError(`--images ${dir}: ${err.code === "ENOENT" ? "no such folder" : err.message}`);
  }
  const index: LocalIndex = { root, byName: new Map(), repeated: new Set(), imageByStem: new Map(), videoByStem: new Map() };
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder).sort()) {
      const p = join(folder, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        walk(p);
        continue;
      }
      if (index.byName.has(name)) index.repeated.add(name);
      else index.byName.set(name, p);
      const ext = extname(name).toLowerCase();
      const stems = IMAGE_EXTENSIONS.has(ext) ? index.imageByStem : VIDEO_EXTENSIONS.has(ext) ? index.videoByStem : undefined;
      const stem = name.slice(0, name.length - ext.length);
      if (stems && stem !== "" && !stems.has(stem)) stems.set(stem, p);
    }
  };
  walk(root);
  return index;
}

/** Lookups; `free(path)` says whether this data unit may use a file (no other unit has claimed it). */
export class LocalFolder {
  constructor(readonly index: LocalIndex) {}

  /** A file named by the data hash, with any image (or video) extension, or none. */
  byHash(dataHash: string, kind: LocalKind): string | undefined {
    const stems = kind === "image" ? this.index.imageByStem : this.index.videoByStem;
    return stems.get(dataHash) ?? this.index.byName.get(dataHash);
  }

  /** The item's own output file name (stem + ext), or its stem with another image extension. */
  byOutputName(stem: string, ext: string): string | undefined {
    return this.index.byName.get(stem + ext) ?? this.index.imageByStem.get(stem);
  }

  /** Whether a title names a file of the folder (only then does the run need to count who has that title). */
  hasTitle(title: string): boolean {
    return title !== "" && this.index.byName.has(title);
  }

  /** The file a title names, unless the folder holds that name more than once. */
  byTitle(title: string): string | undefined {
    return this.index.repeated.has(title) ? undefined : this.index.byName.get(title);
  }
}
