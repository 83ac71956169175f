// What a sharded run (--shard K/N) leaves beside its output for `encord-convert merge`: a folder
// `.encord-convert-shard/` inside a folder output (`<file>.encord-convert-shard/` beside a file
// output) holding manifest.json (the shard, the options that shape the output, the class table,
// the writer's run-level facts and the run's report) and one log per ordered stream: a line per
// element, in output order, naming the input row it came from, so merge can put the shards'
// elements back into input order and give every item the name a single run would.
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { InputError, type Category } from "../model.js";
import type { FormatName } from "../options.js";
import type { ReportJSON } from "../report.js";
import type { ShardSpec } from "../shards.js";
import type { OutputKind } from "./atomic.js";

export const SIDECAR_DIR = ".encord-convert-shard";
export const SIDECAR_SUFFIX = ".encord-convert-shard";
export const MANIFEST_FILE = "manifest.json";
export const MANIFEST_VERSION = 1;
/** The stream every sharded run logs: one line per item, [row, stem, name hint, tie-break, ext, name suffix]. */
export const NAMES_STREAM = "names";

/** Where the sidecar of an output is: inside a folder output, beside a file output. */
export function sidecarOf(output: string, kind: OutputKind): string {
  return kind === "dir" ? join(output, SIDECAR_DIR) : `${output}${SIDECAR_SUFFIX}`;
}

/**
 * What writers log in a sharded run: an element of an ordered stream and the row it came from. Rows
 * are logged as their place in the whole run (ordinal): the input's number times 2^32 plus the row's
 * index in that input, so rows of several inputs keep their order.
 */
export interface ShardLog {
  element(stream: string, row: number, ...payload: (string | number)[]): void;
  /** The run-wide place of a row of the input being read. */
  ordinal(row: number): number;
}

/** Rows per input in an ordinal (see ShardLog). */
export const ORDINAL_INPUT_STRIDE = 2 ** 32;

export interface CategoryRecord extends Category {
  /** Rows whose objects first set the class's shape / keypoints in this shard (categories.ts). */
  learned?: { shape?: number; keypoints?: number };
}

export interface ShardManifest {
  tool: "encord-convert";
  version: number;
  format: FormatName;
  shard: ShardSpec;
  output: OutputKind;
  /** The inputs by file name and size: every shard must read the same export. */
  inputs: { name: string; bytes: number | null }[];
  /** Everything that shapes the output, canonical (sorted keys): shards must agree on all of it. */
  options: Record<string, unknown>;
  categories: CategoryRecord[];
  /** Run-level facts of the writer (splits seen, keypoint counts...): see each format's merge. */
  facts: Record<string, unknown>;
  /**
   * What the run's end-of-run warnings are judged on, which only all shards together can judge:
   * class rules that matched no object of this shard, and items (pixel JSON: rows) written.
   */
  run: { unmatched: { flag: string; name: string }[]; wrote: number };
  /** Stream name -> its log file in the sidecar. */
  streams: Record<string, string>;
  report: ReportJSON;
}

const FLUSH_AT = 1 << 18;

/** One ordered stream's log: a JSON array per line, buffered. */
class StreamLog {
  private readonly fd: number;
  private parts: string[] = [];
  private pending = 0;
  constructor(path: string) {
    this.fd = openSync(path, "w");
  }
  line(text: string): void {
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= FLUSH_AT) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    writeSync(this.fd, this.parts.join(""));
    this.parts = [];
    this.pending = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Writes a shard's logs into its sidecar folder (which the run's atomic output removes on failure). */
export class ShardRecorder implements ShardLog {
  private readonly logs = new Map<string, StreamLog>();
  private readonly files: Record<string, string> = {};
  /** The input being read (readExport's onInput), for ordinals. */
  input = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  ordinal(row: number): number {
    return this.input * ORDINAL_INPUT_STRIDE + row;
  }

  element(stream: string, row: number, ...payload: (string | number)[]): void {
    let log = this.logs.get(stream);
    if (!log) {
      const file = `stream-${this.logs.size}.jsonl`;
      this.files[stream] = file;
      log = new StreamLog(join(this.dir, file));
      this.logs.set(stream, log);
    }
    log.line(`${JSON.stringify([this.ordinal(row), ...payload])}\n`);
  }

  /** Close the logs and write the manifest (its `streams` filled in here). */
  finish(manifest: Omit<ShardManifest, "streams" | "tool" | "version">): void {
    for (const log of this.logs.values()) log.close();
    this.logs.clear();
    const full: ShardManifest = { tool: "encord-convert", version: MANIFEST_VERSION, ...manifest, streams: { ...this.files } };
    writeFileSync(join(this.dir, MANIFEST_FILE), `${JSON.stringify(full, null, 1)}\n`);
  }

  /** Close the logs without a manifest (a failed run; the folder goes with the output). */
  abort(): void {
    for (const log of this.logs.values()) {
      try {
        log.close();
      } catch {
        // the run is failing already
      }
    }
    this.logs.clear();
  }
}

/** Read a sidecar's manifest; InputError when there is none or it is not one of ours. */
export function readManifest(sidecar: string, shown: string): ShardManifest {
  let text: string;
  try {
    text = readFileSync(join(sidecar, MANIFEST_FILE), "utf8");
  } catch {
    throw new InputError(`${shown} is not the output of a sharded run (no ${sidecar}/${MANIFEST_FILE}); convert with --shard K/N first`);
  }
  let m: ShardManifest;
  try {
    m = JSON.parse(text) as ShardManifest;
  } catch (e) {
    throw new InputError(`${shown}: the shard manifest is not valid JSON: ${(e as Error).message}`);
  }
  if (m?.tool !== "encord-convert" || typeof m.version !== "number") throw new InputError(`${shown}: ${MANIFEST_FILE} is not an encord-convert shard manifest`);
  if (m.version !== MANIFEST_VERSION) throw new InputError(`${shown}: shard manifest version ${m.version}; this encord-convert reads version ${MANIFEST_VERSION}`);
  return m;
}
