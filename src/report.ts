// The run report: what was read, what was written, and everything skipped, approximated or filtered,
// each with its reason and count. Nothing is dropped silently: writers and the pipeline record here.
import { describeLocation, type Location, type Problem } from "./model.js";

export type Outcome = "skipped" | "approximated" | "filtered";

export interface NoteEntry {
  outcome: Outcome;
  what: string; // e.g. "polyline", "audio row", "polygon hole"
  reason: string;
  count: number;
  examples: string[]; // the first few places, as text
}

export interface OutputFile {
  path: string; // relative to the output
  bytes: number;
}

export interface ReportJSON {
  format: string;
  rows: number;
  items: number;
  objects: number;
  objectsWritten: number;
  byDataType: Record<string, number>;
  byShape: Record<string, number>;
  byClass: Record<string, number>;
  written: Record<string, number>; // objects written per class name
  notes: NoteEntry[];
  problems: { errors: number; warnings: number; list: string[] };
  outputs: OutputFile[];
  media?: MediaSummary;
  seconds?: number;
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
  private readonly notes = new Map<string, NoteEntry>();
  private errors = 0;
  private warnings = 0;
  private readonly problemList: string[] = [];
  outputs: OutputFile[] = [];
  media?: MediaSummary;
  seconds?: number;

  constructor(readonly format: string) {}

  /** Record that something was skipped, approximated or filtered out, with why. */
  note(outcome: Outcome, what: string, reason: string, where?: Location, count = 1): void {
    const key = `${outcome}\u0000${what}\u0000${reason}`;
    let entry = this.notes.get(key);
    if (!entry) {
      entry = { outcome, what, reason, count: 0, examples: [] };
      this.notes.set(key, entry);
    }
    entry.count += count;
    if (where && entry.examples.length < MAX_EXAMPLES) entry.examples.push(describeLocation(where));
  }

  skip(what: string, reason: string, where?: Location): void {
    this.note("skipped", what, reason, where);
  }

  approximate(what: string, reason: string, where?: Location): void {
    this.note("approximated", what, reason, where);
  }

  problem(p: Problem): void {
    if (p.severity === "error") this.errors++;
    else this.warnings++;
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

  /** True when anything was skipped or approximated: `--strict` turns this into exit code 3. */
  get lossy(): boolean {
    for (const n of this.notes.values()) if (n.outcome !== "filtered" && n.count > 0) return true;
    return this.warnings > 0;
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
      format: this.format,
      rows: this.rows,
      items: this.items,
      objects: this.objects,
      objectsWritten: this.objectsWritten,
      byDataType: sortedRecord(this.byDataType),
      byShape: sortedRecord(this.byShape),
      byClass: sortedRecord(this.byClass),
      written: sortedRecord(this.written),
      notes: this.noteList(),
      problems: { errors: this.errors, warnings: this.warnings, list: [...this.problemList] },
      outputs: [...this.outputs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    };
    if (this.media) json.media = structuredClone(this.media);
    if (this.seconds !== undefined) json.seconds = this.seconds;
    return json;
  }
}
