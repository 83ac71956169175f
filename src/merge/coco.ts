// COCO merge: one annotations[_<split>].json per split, its images in input order (the shards' image
// logs interleaved by row), image and annotation ids renumbered from 1 as a single run numbers them,
// polylines written as keypoints padded to their class's largest vertex count over all shards, and
// categories written from the merged class table. Each shard's file is read twice, a line at a time:
// its images, then its annotations.
import { join } from "node:path";
import { InputError } from "../model.js";
import { BufferedFile } from "../output/files.js";
import { uniqueClassNames } from "../writers/common.js";
import { categoryEntry, cocoFileName, infoEntry, padKeypointsLine } from "../writers/coco.js";
import type { MergeContext } from "./context.js";
import { copyFolder } from "./files.js";
import { interleave, LineReader, type LogReader } from "./lines.js";
import { openLog, type ShardOutput } from "./shards.js";

const IMAGE_HEAD = /^\{"id":(\d+),/;
const ANNOTATION_HEAD = /^\{"id":(\d+),"image_id":(\d+),"category_id":(\d+),/;

/** The element lines of one array of a COCO file as encord-convert writes it (one element per line). */
class CocoSection {
  private readonly lines: LineReader;
  private done = false;

  constructor(
    private readonly path: string,
    opening: string,
    offset = 0,
  ) {
    this.lines = new LineReader(path, offset);
    for (;;) {
      const line = this.lines.next();
      if (line === undefined) throw this.bad(`no ${opening}`);
      if (line === opening) break;
    }
  }

  /** Bytes of the file before the next line. */
  get position(): number {
    return this.lines.position;
  }

  next(): string {
    const line = this.done ? undefined : this.lines.next();
    if (line === undefined || line === "]," || line === "]}") {
      this.done = true;
      throw this.bad("fewer elements than its shard log lists");
    }
    return line.endsWith(",") ? line.slice(0, -1) : line;
  }

  /** Every element was read: the array must end here. */
  expectEnd(): void {
    const line = this.lines.next();
    if (line !== "],") throw this.bad("more elements than its shard log lists");
  }

  close(): void {
    this.lines.close();
  }

  bad(what: string): InputError {
    return new InputError(`${this.path}: ${what} (line ${this.lines.lineNumber}); not a COCO file of this shard as encord-convert wrote it`);
  }
}

/** Writes array elements with ",\n" between them and "\n" after the last. */
class ArrayOut {
  count = 0;
  constructor(private readonly file: BufferedFile) {}
  add(line: string): void {
    this.file.write(this.count++ === 0 ? line : `,\n${line}`);
  }
  end(): void {
    if (this.count > 0) this.file.write("\n");
  }
}

function positions(text: unknown): Set<number> {
  return new Set(String(text ?? "").split(",").filter((x) => x !== "").map(Number));
}

export async function mergeCoco(ctx: MergeContext): Promise<void> {
  const idStart = ctx.options.categoryIdStart ?? 1;
  // Polyline classes: the most vertices any shard saw.
  const vertices = new Map<number, number>();
  for (const s of ctx.shards) {
    const seen = (s.manifest.facts.polylineVertices ?? {}) as Record<string, number>;
    for (const [k, v] of Object.entries(seen)) vertices.set(Number(k), Math.max(v, vertices.get(Number(k)) ?? 0));
  }
  const files = new Set<string>();
  for (const s of ctx.shards) for (const stream of Object.keys(s.manifest.streams)) if (stream.startsWith("coco:")) files.add(stream.slice(5));
  // A run with no image at all still writes annotations.json.
  if (files.size === 0) files.add(cocoFileName(""));
  const names = uniqueClassNames(ctx.categories);
  const categories = ctx.categories.map((c, i) => JSON.stringify(categoryEntry(c, idStart, vertices.get(c.index), names[i])));
  const info = JSON.stringify(infoEntry(ctx.options));
  for (const file of [...files].sort()) {
    const out = new BufferedFile(join(ctx.out, file));
    out.write(`{"info":${info},\n"licenses":[],\n"images":[\n`);
    const offsets = mergeImages(ctx, file, out);
    out.write(`],\n"annotations":[\n`);
    mergeAnnotations(ctx, file, out, offsets, vertices, idStart);
    out.write(`],\n"categories":[\n${categories.join(",\n")}${categories.length > 0 ? "\n" : ""}]}\n`);
    out.close();
  }
  // --images: images/ or images/<split>/, media renamed with their items.
  ctx.shards.forEach((s, k) => copyFolder(join(s.root, "images"), join(ctx.out, "images"), (n) => ctx.names[k]?.media(n) ?? n, { deep: true }));
}

function streamFile(s: ShardOutput, file: string): string {
  return join(s.root, file);
}

/** The images of every shard, in input order; returns where each shard's annotations start. */
function mergeImages(ctx: MergeContext, file: string, out: BufferedFile): number[] {
  const stream = `coco:${file}`;
  const logs: (LogReader | undefined)[] = ctx.shards.map((s) => openLog(s, stream));
  const readers = ctx.shards.map((s, k) => (logs[k] ? new CocoSection(streamFile(s, file), `"images":[`) : undefined));
  const seen = ctx.shards.map(() => 0);
  const images = new ArrayOut(out);
  try {
    for (const [k, [, stem]] of interleave(logs, ctx.overlap)) {
      const reader = readers[k] as CocoSection;
      let line = reader.next();
      const m = IMAGE_HEAD.exec(line);
      seen[k] = (seen[k] as number) + 1;
      if (!m || Number(m[1]) !== seen[k]) throw reader.bad(`image ${seen[k]} is not where its shard log puts it`);
      line = `{"id":${images.count + 1},${line.slice(m[0].length)}`;
      const renamed = ctx.names[k]?.stems.get(String(stem));
      if (renamed !== undefined) {
        const entry = JSON.parse(line) as { file_name: string };
        if (!entry.file_name.startsWith(String(stem))) throw reader.bad(`image ${seen[k]} is not named after its item ${String(stem)}`);
        entry.file_name = renamed + entry.file_name.slice(String(stem).length);
        line = JSON.stringify(entry);
      }
      images.add(line);
    }
    images.end();
    for (const r of readers) r?.expectEnd();
    return readers.map((r) => r?.position ?? 0);
  } finally {
    for (const l of logs) l?.close();
    for (const r of readers) r?.close();
  }
}

/** The annotations, image by image in the same order as the images, with new ids. */
function mergeAnnotations(ctx: MergeContext, file: string, out: BufferedFile, offsets: number[], vertices: Map<number, number>, idStart: number): void {
  const stream = `coco:${file}`;
  const logs: (LogReader | undefined)[] = ctx.shards.map((s) => openLog(s, stream));
  const readers = ctx.shards.map((s, k) => (logs[k] ? new CocoSection(streamFile(s, file), `"annotations":[`, offsets[k]) : undefined));
  const seen = ctx.shards.map(() => 0);
  const annotations = new ArrayOut(out);
  let imageId = 0;
  try {
    for (const [k, [, , count, padded]] of interleave(logs, ctx.overlap)) {
      const reader = readers[k] as CocoSection;
      seen[k] = (seen[k] as number) + 1;
      imageId++;
      const pad = positions(padded);
      for (let j = 0; j < Number(count); j++) {
        let line = reader.next();
        const m = ANNOTATION_HEAD.exec(line);
        if (!m || Number(m[2]) !== seen[k]) throw reader.bad(`an annotation of image ${seen[k]} is not where its shard log puts it`);
        line = `{"id":${annotations.count + 1},"image_id":${imageId},${line.slice(m[0].length - `"category_id":${m[3]},`.length)}`;
        if (pad.has(j)) line = padKeypointsLine(line, vertices.get(Number(m[3]) - idStart) ?? 0);
        annotations.add(line);
      }
    }
    annotations.end();
    for (const r of readers) r?.expectEnd();
  } finally {
    for (const l of logs) l?.close();
    for (const r of readers) r?.close();
  }
}
