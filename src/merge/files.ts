// Copying the shards' per-item files into the merged output, under the merged names. Symbolic links
// (--media link) stay links to the same target; nothing is ever overwritten, so two shards that
// wrote the same file (the same item twice) are caught.
import { copyFileSync, constants, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { MergeRefusal } from "./shards.js";

function clash(dest: string): MergeRefusal {
  return new MergeRefusal(`two shards both wrote ${dest}: the same item would be merged twice`);
}

/** Copy a file, link or folder (recursively) to `dest`, which must not exist. */
export function copyEntry(src: string, dest: string): void {
  const st = lstatSync(src);
  if (st.isSymbolicLink()) {
    if (existsSync(dest)) throw clash(dest);
    symlinkSync(readlinkSync(src), dest);
  } else if (st.isDirectory()) {
    if (existsSync(dest)) throw clash(dest);
    mkdirSync(dest);
    for (const name of readdirSync(src).sort()) copyEntry(join(src, name), join(dest, name));
  } else {
    try {
      copyFileSync(src, dest, constants.COPYFILE_EXCL);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") throw clash(dest);
      throw e;
    }
  }
}

export interface CopyFolderOptions {
  /** Make `to` even when `from` does not exist (a folder every output has). */
  always?: boolean;
  /** May write a file's copy itself (e.g. to rewrite its text); returns false to have it copied as is. */
  write?: (src: string, dest: string, name: string) => boolean;
  /** Copy sub-folders with their entries renamed too (media under images/<split>/). */
  deep?: boolean;
}

/** Copy every entry of the folder `from` into `to`, each under the name `rename` gives it. */
export function copyFolder(from: string, to: string, rename: (name: string) => string, o: CopyFolderOptions = {}): void {
  const present = existsSync(from);
  if (!present && !o.always) return;
  mkdirSync(to, { recursive: true });
  if (!present) return;
  for (const name of readdirSync(from).sort()) {
    const src = join(from, name);
    const st = lstatSync(src);
    if (o.deep && st.isDirectory()) {
      copyFolder(src, join(to, name), rename, o);
      continue;
    }
    const dest = join(to, rename(name));
    if (o.write && st.isFile()) {
      if (existsSync(dest)) throw clash(dest);
      if (o.write(src, dest, name)) continue;
    }
    copyEntry(src, dest);
  }
}
