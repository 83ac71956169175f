// pixel JSON merge: the shards' rows interleaved in input order, as one JSON array (a row per line)
// or JSONL, as the run wrote them. Rows hold no file names, so nothing is renamed.
import { InputError } from "../model.js";
import { BufferedFile } from "../output/files.js";
import { PIXEL_STREAM } from "../writers/pixel-json.js";
import type { MergeContext } from "./context.js";
import { interleave, LineReader, type LogReader } from "./lines.js";
import { openLog } from "./shards.js";

/** The row lines of a pixel JSON file: a JSON array with a row per line, or JSONL. */
class PixelRows {
  private readonly lines: LineReader;
  private ended = false;

  constructor(
    readonly path: string,
    private readonly jsonl: boolean,
  ) {
    this.lines = new LineReader(path);
    if (!jsonl) {
      const head = this.lines.next();
      if (head !== "[" && head !== "[]") throw this.bad("it does not open a JSON array");
      this.ended = head === "[]";
    }
  }

  next(): string {
    const line = this.ended ? undefined : this.lines.next();
    if (line === undefined || (!this.jsonl && line === "]")) {
      this.ended = true;
      throw this.bad("fewer rows than its shard log lists");
    }
    return !this.jsonl && line.endsWith(",") ? line.slice(0, -1) : line;
  }

  expectEnd(): void {
    if (this.ended) return;
    const line = this.lines.next();
    if (this.jsonl ? line !== undefined : line !== "]") throw this.bad("more rows than its shard log lists");
  }

  close(): void {
    this.lines.close();
  }

  bad(what: string): InputError {
    return new InputError(`${this.path}: ${what} (line ${this.lines.lineNumber}); not a pixel JSON file of this shard as encord-convert wrote it`);
  }
}

export async function mergePixel(ctx: MergeContext): Promise<void> {
  const jsonl = ctx.options.jsonl === true;
  const out = new BufferedFile(ctx.out);
  const logs: (LogReader | undefined)[] = ctx.shards.map((s) => openLog(s, PIXEL_STREAM));
  const readers = ctx.shards.map((s, k) => (logs[k] ? new PixelRows(s.root, jsonl) : undefined));
  let rows = 0;
  if (!jsonl) out.write("[");
  try {
    for (const [k] of interleave(logs, ctx.overlap)) {
      const line = (readers[k] as PixelRows).next();
      if (jsonl) out.write(`${line}\n`);
      else out.write(`${rows === 0 ? "\n" : ",\n"}${line}`);
      rows++;
    }
    for (const r of readers) r?.expectEnd();
  } finally {
    for (const l of logs) l?.close();
    for (const r of readers) r?.close();
  }
  if (!jsonl) out.write(rows === 0 ? "]\n" : "\n]\n");
  out.close();
}
