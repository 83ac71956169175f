// The run report: what was read, what was written, and everything skipped, approximated, filtered or
// warned about, each with a stable code (codes.ts), its reason and count. Nothing is dropped silently:
// writers and the pipeline record here. The JSON shape is documented in docs/report.md.
import { codeMatches } from "./codes.js";
import { describeLocation, type Location, type Problem } from "./model.js";
import { TOOL_NAME, toolVersion } from "./version.js";

/** Bumped whenever a field changes meaning or goes away (additions keep the version). */
export const REPORT_SCHEMA_VERSION = 1;

export type Outcome = "skipped" | "approximated" | "filtered" | "warning";

/** A loss found by a pure helper (a writer's shape or line code), recorded by the writer with its place. */
export interface LossNote {
  outcome: Outcome;
  code: string; // the slug; the entry's code is "<outcome>.<code>"
  what: string;
  reason: string;
  count?: number; // default 1
}

export interface NoteEntry {
  code: string; // "<outcome>.<slug>", see codes.ts
  outcome: Outcome;
  what: string; // e.g. "polyline", "audio row", "polygon hole"
  reason: string;
  count: number;
  examples: string[]; // the first few places, as text
  /** Said once per run, not per thing (so shards of a run each say it, and merge counts it once). */
  perRun?: true;
}

export interface OutputFile {
  path: string; // relative to the output
  bytes: number;
}

export interface InputFile {
  path: string; // as given; "-" for standard input
  bytes: number; // file size, or bytes read from standard input
}

export interface RunError {
  message: string;
  where?: string;
}

export interface ReportJSON {
  schemaVersion: number;
  tool: { name: string; version: string };
  command: string;
  inputs: InputFile[];
  options: Record<string, unknown>;
  exitCode?: number;
  error?: RunError;
  /** True when the output was kept (a failed or refused run keeps none and lists no outputs). */
  kept: boolean;
  format: string;
  rows: number;
  items: number;
  objects: number;
  objectsWritten: number;
  byDataType: Record<string, number>;
  byShape: Record<string, number>;
  byClass: Record<string, number>;
  written: Record<string, number>; // objects written per class name
  splits: Record<string, number>; // items per split
  notes: NoteEntry[];
  problems: { errors: number; warnings: number; byCode: Record<string, number>; list: string[] };
  outputs: OutputFile[];
  media?: MediaSummary;
  /** --shard K/N: which shard, and how many rows of other shards were skipped unread (not a loss). */
  shard?: ShardSummary;
  seconds?: number;
}

export interface ShardSummary {
  index: number;
  count: number;
  otherRows: number;
}

export interface MediaSummary {
  placed: number; // files put into the output
  missing: number; // items left without their file (every lost outcome below)
  missingList: string[]; // titles (video frames: file names) of the first missing images
  /** One per item: local, cached, downloaded, frames-extracted; lost: missing, expired, no-link, failed, frames-missing, frames-failed. */
  outcomes?: Record<string, number>;
  /** Failed downloads by HTTP status ("403", "500") or kind ("timeout", "network", "length"). */
  failedBy?: Record<string, number>;
  /** Files whose pixel size (EXIF orientation applied) differs from the export's width and height. */
  sizeMismatch?: number;
  /** The first 1000 of them: "<name>: <found size>, the export says <size>". */
  sizeMismatchList?: string[];
  /** Videos whose decoded frame count differs from the export's fps × duration: "<title>: <n> decoded, <m> expected". */
  frameCountList?: string[];
  /** Files with an image extension that are no image (an HTML error page saved as .jpg). */
  unreadable?: number;
  downloads?: { files: number; bytes: number; resumed: number; retried: number };
  videos?: { extracted: number; framesDecoded: number; unlabelledFrames: number };
  /** The earliest expiry of the expired links met (ISO 8601). */
  expiredSince?: string;
  /** The media cache folder, when it was kept. */
  cache?: string;
}

const MAX_EXAMPLES = 5;
const MAX_PROBLEMS_LISTED = 100;

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function sortedRecord(map: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...map.keys()].sort()) out[k] = map.get(k) ?? 0;
  return out;
}

export class Report {
  rows = 0;
  items = 0;
  objects = 0;
  objectsWritten = 0;
  readonly byDataType = new Map<string, number>();
  readonly byShape = new Map<string, number>();
  readonly byClass = new Map<string, number>();
  readonly written = new Map<string, number>();
  readonly splits = new Map<string, number>();
  private readonly notes = new Map<string, NoteEntry>();
  private errors = 0;
  private warnings = 0;
  private readonly problemCodes = new Map<string, number>();
  private readonly problemList: string[] = [];
  inputs: InputFile[] = [];
  options: Record<string, unknown> = {};
  outputs: OutputFile[] = [];
  kept = false;
  exitCode?: number;
  error?: RunError;
  media?: MediaSummary;
  shard?: ShardSummary;
  seconds?: number;

  constructor(
    readonly format: string,
    readonly command: string = format,
  ) {}

  /** Record that something was skipped, approximated, filtered out or warned about, with why. */
  note(outcome: Outcome, code: string, what: string, reason: string, where?: Location, count = 1): void {
    const full = `${outcome}.${code}`;
    const key = `${full}\u0000${what}\u0000${reason}`;
    let entry = this.notes.get(key);
    if (!entry) {
      entry = { code: full, outcome, what, reason, count: 0, examples: [] };
      this.notes.set(key, entry);
    }
    entry.count += count;
    if (where && entry.examples.length < MAX_EXAMPLES) entry.examples.push(describeLocation(where));
  }

  /** A note about the run as a whole (e.g. a class renamed), not about one thing in it: merge counts it once. */
  runNote(outcome: Outcome, code: string, what: string, reason: string): void {
    this.note(outcome, code, what, reason);
    const entry = this.notes.get(`${outcome}.${code}\u0000${what}\u0000${reason}`);
    if (entry) entry.perRun = true;
  }

  /** Record a helper's note at a place. */
  add(n: LossNote, where?: Location): void {
    this.note(n.outcome, n.code, n.what, n.reason, where, n.count ?? 1);
  }

  skip(code: string, what: string, reason: string, where?: Location, count = 1): void {
    this.note("skipped", code, what, reason, where, count);
  }

  approximate(code: string, what: string, reason: string, where?: Location, count = 1): void {
    this.note("approximated", code, what, reason, where, count);
  }

  filter(code: string, what: string, reason: string, where?: Location, count = 1): void {
    this.note("filtered", code, what, reason, where, count);
  }

  warn(code: string, what: string, reason: string, where?: Location): void {
    this.note("warning", code, what, reason, where);
  }

  problem(p: Problem): void {
    if (p.severity === "error") this.errors++;
    else this.warnings++;
    bump(this.problemCodes, `input.${p.code}`);
    if (this.problemList.length < MAX_PROBLEMS_LISTED) {
      this.problemList.push(`${p.severity}: ${describeLocation(p.where)}: ${p.message}`);
    }
  }

  wroteObject(className: string): void {
    this.objectsWritten++;
    bump(this.written, className);
  }

  countDataType(type: string): void {
    bump(this.byDataType, type);
  }

  countShape(shape: string): void {
    bump(this.byShape, shape);
  }

  countClass(name: string): void {
    bump(this.byClass, name);
  }

  countSplit(split: string): void {
    bump(this.splits, split);
  }

  /** Count of every code that lost something (not filtered), input problems included. */
  lossCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const n of this.notes.values()) if (n.outcome !== "filtered" && n.count > 0) bump(out, n.code, n.count);
    for (const [code, n] of this.problemCodes) bump(out, code, n);
    return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** How many things were lost in all (--max-warnings compares against this). */
  get lossTotal(): number {
    let n = 0;
    for (const c of this.lossCounts().values()) n += c;
    return n;
  }

  /** True when anything was skipped, approximated or warned about: `--strict` turns this into exit code 3. */
  get lossy(): boolean {
    return this.lossTotal > 0;
  }

  /** The lost codes matching any of the patterns (--fail-on), with their counts. */
  matching(patterns: readonly string[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const [code, n] of this.lossCounts()) if (patterns.some((p) => codeMatches(p, code))) out.set(code, n);
    return out;
  }

  get problemCounts(): { errors: number; warnings: number } {
    return { errors: this.errors, warnings: this.warnings };
  }

  noteList(): NoteEntry[] {
    return [...this.notes.values()].sort(
      (a, b) => a.outcome.localeCompare(b.outcome) || a.what.localeCompare(b.what) || a.reason.localeCompare(b.reason),
    );
  }

  toJSON(): ReportJSON {
    const json: ReportJSON = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      tool: { name: TOOL_NAME, version: toolVersion() },
      command: this.command,
      inputs: this.inputs.map((i) => ({ ...i })),
      options: { ...this.options },
      kept: this.kept,
      format: this.format,
      rows: this.rows,
      items: this.items,
      objects: this.objects,
      objectsWritten: this.objectsWritten,
      byDataType: sortedRecord(this.byDataType),
      byShape: sortedRecord(this.byShape),
      byClass: sortedRecord(this.byClass),
      written: sortedRecord(this.written),
      splits: sortedRecord(this.splits),
      notes: this.noteList(),
      problems: { errors: this.errors, warnings: this.warnings, byCode: sortedRecord(this.problemCodes), list: [...this.problemList] },
      outputs: this.kept ? [...this.outputs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) : [],
    };
    if (this.exitCode !== undefined) json.exitCode = this.exitCode;
    if (this.error) json.error = { ...this.error };
    if (this.media) json.media = structuredClone(this.media);
    if (this.shard) json.shard = { ...this.shard };
    if (this.seconds !== undefined) json.seconds = this.seconds;
    return json;
  }
}
