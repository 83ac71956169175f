// masks merge: instances/<item>/ folders, semantic/<item>.png and placed images united (renamed where
// a single run names an item differently), masks.json's entries interleaved in input order (with
// their paths and names renamed alike), classes.json from the merged classes.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../model.js";
import { BufferedFile } from "../output/files.js";
import { MASKS_STREAM, masksClassesJson, type MaskIndexEntry } from "../writers/masks.js";
import type { MergeContext } from "./context.js";
import { copyFolder } from "./files.js";
import { interleave, LineReader, type LogReader } from "./lines.js";
import type { ShardNames } from "./names.js";
import { openLog } from "./shards.js";

/** The entry lines of a masks.json as the masks writer writes it. */
class MaskIndex {
  private readonly lines: LineReader;
  private ended = false;

  constructor(readonly path: string) {
    this.lines = new LineReader(path);
    const head = [this.lines.next(), this.lines.next(), this.lines.next()];
    if (head[0] !== "{" || !head[1]?.startsWith(`"mode": `) || (head[2] !== `"masks": [` && head[2] !== `"masks": []`)) throw this.bad("its head");
    this.ended = head[2] === `"masks": []`;
  }

  next(): string {
    const line = this.ended ? undefined : this.lines.next();
    if (line === undefined || line === "]") {
      this.ended = true;
      throw this.bad("fewer entries than its shard log lists");
    }
    return line.endsWith(",") ? line.slice(0, -1) : line;
  }

  expectEnd(): void {
    if (this.ended) return;
    if (this.lines.next() !== "]") throw this.bad("more entries than its shard log lists");
  }

  close(): void {
    this.lines.close();
  }

  bad(what: string): InputError {
    return new InputError(`${this.path}: ${what} (line ${this.lines.lineNumber}); not a masks.json of this shard as encord-convert wrote it`);
  }
}

/** An entry of a renamed item, with its PNG path, item and image names renamed. */
function renameEntry(line: string, n: ShardNames, stem: string, index: MaskIndex): string {
  const renamed = n.stems.get(stem);
  if (renamed === undefined) return line;
  const e = JSON.parse(line) as MaskIndexEntry;
  const instance = `instances/${stem}/`;
  const semantic = `semantic/${stem}.png`;
  if (e.png.startsWith(instance)) e.png = `instances/${renamed}/${e.png.slice(instance.length)}`;
  else if (e.png === semantic) e.png = `semantic/${renamed}.png`;
  else throw index.bad(`the PNG of item ${stem} is not where the masks writer puts it`);
  if (e.item !== stem || !e.image.startsWith(stem)) throw index.bad(`an entry of item ${stem} names another item`);
  e.item = renamed;
  e.image = renamed + e.image.slice(stem.length);
  return JSON.stringify(e);
}

export async function mergeMasks(ctx: MergeContext): Promise<void> {
  const mode = ctx.options.maskMode ?? "instance";
  mkdirSync(ctx.out, { recursive: true });
  ctx.shards.forEach((s, k) => {
    const n = ctx.names[k];
    copyFolder(join(s.root, "instances"), join(ctx.out, "instances"), (f) => n?.stem(f) ?? f);
    copyFolder(join(s.root, "semantic"), join(ctx.out, "semantic"), (f) => n?.file(f, ".png") ?? f);
    copyFolder(join(s.root, "images"), join(ctx.out, "images"), (f) => n?.media(f) ?? f);
  });
  const out = new BufferedFile(join(ctx.out, "masks.json"));
  out.write(`{\n"mode": ${JSON.stringify(mode)},\n"masks": [`);
  const logs: (LogReader | undefined)[] = ctx.shards.map((s) => openLog(s, MASKS_STREAM));
  const indexes = ctx.shards.map((s, k) => (logs[k] ? new MaskIndex(join(s.root, "masks.json")) : undefined));
  let entries = 0;
  try {
    for (const [k, [, stem]] of interleave(logs, ctx.overlap)) {
      const index = indexes[k] as MaskIndex;
      const n = ctx.names[k];
      let line = index.next();
      if (n) line = renameEntry(line, n, String(stem), index);
      out.write(`${entries++ === 0 ? "\n" : ",\n"}${line}`);
    }
    for (const i of indexes) i?.expectEnd();
  } finally {
    for (const l of logs) l?.close();
    for (const i of indexes) i?.close();
  }
  out.write(entries === 0 ? "]\n}\n" : "\n]\n}\n");
  out.close();
  writeFileSync(join(ctx.out, "classes.json"), masksClassesJson(ctx.categories, mode));
}
