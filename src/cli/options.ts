// Turn parsed command-line flags into library options. Bad values are usage errors (exit 2), with
// "did you mean" for a value of a closed set: a typo never becomes an empty or wrong dataset.
import { existsSync, readFileSync, statSync } from "node:fs";
import type { ConvertLibraryOptions } from "../convert.js";
import { DATA_TYPES, LABEL_STATUSES, SHAPE_ALIASES, type RowFilters } from "../filters.js";
import { UsageError, type GeometryKind } from "../model.js";
import { DEFAULT_JOBS, type FormatName, type FormatOptions } from "../options.js";
import { shardRefusal } from "../shard-run.js";
import { parseShard, type ShardSpec } from "../shards.js";
import { cannotRead } from "../read/file-error.js";
import { parseSplit } from "../splits.js";
import { parseSheetSpec } from "../preview/sheet.js";
import type { InspectHtmlOptions } from "../inspect.js";
import type { StatsOptions } from "../stats/collect.js";
import { didYouMean } from "../suggest.js";
import { writerCanStream } from "../writers/registry.js";

export { UsageError };

/** The flags commander hands us, all optional. */
export interface CliFlags {
  out?: string;
  ontology?: string;
  report?: string;
  strict?: boolean;
  force?: boolean;
  quiet?: boolean;
  status?: string;
  branch?: string;
  classes?: string;
  map?: string[];
  drop?: string[];
  shapes?: string;
  dataTypes?: string;
  split?: string;
  seed?: string;
  maxRowBytes?: string;
  maxPixels?: string;
  jobs?: string;
  images?: string;
  media?: string;
  download?: boolean;
  concurrency?: string;
  mediaCache?: string;
  frames?: string;
  frameQuality?: string;
  frameFormat?: string;
  downloadTimeout?: string;
  downloadRetries?: string;
  retryBackoff?: string;
  shard?: string;
  failOn?: string;
  maxWarnings?: string;
  // format options
  categoryIdStart?: string;
  skipEmpty?: boolean;
  polylineAs?: string;
  infoDate?: string;
  task?: string;
  precision?: string;
  masks?: boolean;
  zeroBased?: boolean;
  voidBorder?: boolean;
  jsonl?: boolean;
  round?: string;
  masksDir?: string;
  mode?: string;
  limit?: string;
  sheet?: string;
  thumb?: string;
}

function list(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function int(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  return n;
}

function oneOf<T extends string>(text: string | undefined, flag: string, allowed: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) {
    throw new UsageError(`${flag}: unknown value "${text}"${didYouMean(text, allowed)} (one of ${allowed.join(", ")})`);
  }
  return text as T;
}

/** Every value of a list option must be one of `allowed` (what it is called: "label status"...). */
function listOf(text: string | undefined, flag: string, what: string, allowed: readonly string[]): string[] | undefined {
  const values = list(text);
  for (const v of values ?? []) {
    if (!allowed.includes(v)) throw new UsageError(`${flag}: unknown ${what} "${v}"${didYouMean(v, allowed)} (one of ${allowed.join(", ")})`);
  }
  return values;
}

/** A --classes value that names a file rather than listing classes. */
function looksLikeFile(text: string): boolean {
  return /\.(txt|names|csv|list|ya?ml)$/i.test(text) || /^(\.{0,2}\/|~\/|[A-Za-z]:\\)/.test(text);
}

/** --classes takes a file (one name per line) or a comma-separated list. */
export function parseClasses(text: string): string[] {
  let names: string[];
  if (existsSync(text) && statSync(text).isFile()) {
    names = readFileSync(text, "utf8").split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== "" && !s.startsWith("#"));
  } else if (looksLikeFile(text)) {
    throw cannotRead("--classes", text, Object.assign(new Error("missing"), { code: existsSync(text) ? "EISDIR" : "ENOENT" }));
  } else {
    names = list(text) ?? [];
  }
  if (names.length === 0) throw new UsageError(`--classes ${text} names no classes`);
  if (new Set(names).size !== names.length) throw new UsageError(`--classes lists a class twice`);
  return names;
}

function parseMap(entries: string[] | undefined): Map<string, string> | undefined {
  if (!entries || entries.length === 0) return undefined;
  const m = new Map<string, string>();
  for (const e of entries) {
    const eq = e.indexOf("=");
    if (eq <= 0 || eq === e.length - 1) throw new UsageError(`--map "${e}" must be old=new`);
    m.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return m;
}

function parseShapes(text: string | undefined): Set<GeometryKind> | undefined {
  const names = listOf(text, "--shapes", "shape", Object.keys(SHAPE_ALIASES));
  return names ? new Set(names.map((n) => SHAPE_ALIASES[n] as GeometryKind)) : undefined;
}

export function formatOptionsFrom(f: CliFlags): FormatOptions {
  const o: FormatOptions = {};
  const start = oneOf(f.categoryIdStart, "--category-id-start", ["0", "1"] as const);
  if (start !== undefined) o.categoryIdStart = start === "0" ? 0 : 1;
  if (f.skipEmpty) o.skipEmpty = true;
  const polylineAs = oneOf(f.polylineAs, "--polyline-as", ["skip", "keypoints"] as const);
  if (polylineAs) o.polylineAs = polylineAs;
  if (f.infoDate !== undefined) o.infoDate = f.infoDate;
  const task = oneOf(f.task, "--task", ["detect", "segment", "obb", "pose"] as const);
  if (task) o.task = task;
  const precision = int(f.precision, "--precision", 0, 12);
  if (precision !== undefined) o.precision = precision;
  if (f.masks) o.vocMasks = true;
  if (f.zeroBased) o.zeroBased = true;
  if (f.voidBorder) o.voidBorder = true;
  if (f.jsonl) o.jsonl = true;
  const round = int(f.round, "--round", 0, 12);
  if (round !== undefined) o.round = round;
  if (f.masksDir !== undefined) o.masksDir = f.masksDir;
  const mode = oneOf(f.mode, "--mode", ["instance", "semantic"] as const);
  if (mode) o.maskMode = mode;
  const limit = int(f.limit, "--limit", 1, 2 ** 31 - 1);
  if (limit !== undefined) {
    o.previewLimit = limit;
    o.previewSeed = int(f.seed, "--seed", 0, 2 ** 31 - 1) ?? 0;
  }
  if (f.sheet !== undefined) {
    const sheet = parseSheetSpec(f.sheet);
    if (!sheet) throw new UsageError(`--sheet must be <columns>x<rows> (1 to 64 each), e.g. 4x4, not "${f.sheet}"`);
    o.previewSheet = sheet;
  }
  const thumb = int(f.thumb, "--thumb", 16, 4096);
  if (thumb !== undefined) o.previewThumb = thumb;
  return o;
}

export function filtersFrom(f: CliFlags): RowFilters {
  const filters: RowFilters = {};
  const statuses = listOf(f.status, "--status", "label status", LABEL_STATUSES);
  if (statuses) filters.statuses = new Set(statuses);
  // Branch names are the user's own: any name is valid (an unmatched one filters every row, and says so).
  const branches = list(f.branch);
  if (branches) filters.branches = new Set(branches);
  const types = listOf(f.dataTypes, "--data-types", "data type", DATA_TYPES);
  if (types) filters.dataTypes = new Set(types);
  const shapes = parseShapes(f.shapes);
  if (shapes) filters.shapes = shapes;
  return filters;
}

/** --jobs: worker threads (0 = all in the main thread, the default: options.DEFAULT_JOBS). */
export function jobsFrom(f: CliFlags): number {
  return int(f.jobs, "--jobs", 0, 64) ?? DEFAULT_JOBS;
}

/** --shard K/N or auto/N (K from JOB_COMPLETION_INDEX); undefined without the flag. */
export function shardFrom(f: CliFlags, env: NodeJS.ProcessEnv = process.env): ShardSpec | undefined {
  if (f.shard === undefined) return undefined;
  try {
    return parseShard(f.shard, env);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function convertOptionsFrom(format: FormatName, inputs: string[], f: CliFlags): ConvertLibraryOptions {
  const out = f.out ?? (format === "pixel" ? "-" : undefined);
  if (!out) throw new UsageError(`${format} needs -o, --out <folder>`);
  if (out === "-" && !writerCanStream(format)) throw new UsageError(`${format} writes a folder; give -o <folder> (only coco and pixel write to standard output with -o -)`);
  if (inputs.filter((i) => i === "-").length > 1) throw new UsageError("stdin (-) can be read only once");
  const download = f.download === true;
  if (f.media !== undefined && f.images === undefined && !download) throw new UsageError("--media needs --images <folder> or --download");
  for (const [flag, value] of [["--concurrency", f.concurrency], ["--media-cache", f.mediaCache]] as const) {
    if (value !== undefined && !download) throw new UsageError(`${flag} needs --download`);
  }
  for (const [flag, value] of [["--frames", f.frames], ["--frame-quality", f.frameQuality], ["--frame-format", f.frameFormat]] as const) {
    if (value !== undefined && !download && f.images === undefined) throw new UsageError(`${flag} needs --download or --images <folder>`);
  }
  if ((download || f.images !== undefined) && out === "-") throw new UsageError("--images and --download put image files beside the labels: give -o <folder>");
  if (f.report === "-" && out === "-") throw new UsageError("--report - and -o - would both write to standard output; give one of them a file");
  const seed = int(f.seed, "--seed", 0, 2 ** 31 - 1) ?? 0;
  const split = f.split !== undefined ? parseSplit(f.split, seed) : undefined;
  const options: ConvertLibraryOptions = {
    format,
    inputs,
    out,
    ontology: f.ontology,
    strict: f.strict ?? false,
    force: f.force ?? false,
    reportFile: f.report,
    formatOptions: formatOptionsFrom(f),
    maxRowBytes: int(f.maxRowBytes, "--max-row-bytes", 0, 2 ** 40),
    // Run counts are 32-bit: a mask can hold at most 2^32 - 1 pixels.
    maxPixels: int(f.maxPixels, "--max-pixels", 1, 2 ** 32 - 1),
    jobs: jobsFrom(f),
    categoryRules: {
      classes: f.classes !== undefined ? parseClasses(f.classes) : undefined,
      rename: parseMap(f.map),
      drop: f.drop && f.drop.length > 0 ? new Set(f.drop) : undefined,
    },
    filters: filtersFrom(f),
    split,
    images: f.images,
    media: oneOf(f.media, "--media", ["link", "copy", "none"] as const),
    failOn: list(f.failOn),
    maxWarnings: int(f.maxWarnings, "--max-warnings", 0, Number.MAX_SAFE_INTEGER),
    ...mediaOptionsFrom(f, download),
  };
  const shard = shardFrom(f);
  if (shard && options.frames === "all") {
    // Frames without labels are named at the run's end, after every labelled item: merge has no log of them.
    throw new UsageError("--shard with --frames all is not supported: convert the videos without --shard, or extract the labelled frames only");
  }
  if (shard) {
    const refusal = shardRefusal(options, shard);
    if (refusal) throw new UsageError(refusal);
    options.shard = shard;
  }
  return options;
}

/** inspect's --stats, --rare, --imbalance, --html, --images, --thumbnails, --seed, --force, --max-pixels. */
export function inspectStatsFrom(f: CliFlags & { stats?: boolean; rare?: string; imbalance?: string; html?: string; thumbnails?: string }): {
  stats: StatsOptions | undefined;
  html: InspectHtmlOptions | undefined;
} {
  const rareBelow = int(f.rare, "--rare", 0, 2 ** 31 - 1);
  let imbalanceRatio: number | undefined;
  if (f.imbalance !== undefined) {
    imbalanceRatio = Number(f.imbalance);
    if (!(imbalanceRatio >= 1)) throw new UsageError(`--imbalance must be a number of at least 1, not "${f.imbalance}"`);
  }
  const wantStats = f.stats === true || f.html !== undefined || rareBelow !== undefined || imbalanceRatio !== undefined;
  if (f.images !== undefined && f.html === undefined) throw new UsageError("inspect --images draws thumbnails for --html <file>; give --html too");
  const stats: StatsOptions | undefined = wantStats ? { rareBelow, imbalanceRatio } : undefined;
  const html: InspectHtmlOptions | undefined =
    f.html === undefined
      ? undefined
      : {
          file: f.html,
          force: f.force ?? false,
          images: f.images,
          thumbnails: int(f.thumbnails, "--thumbnails", 0, 1000),
          seed: int(f.seed, "--seed", 0, 2 ** 31 - 1),
          maxPixels: int(f.maxPixels, "--max-pixels", 1, 2 ** 32 - 1),
        };
  return { stats, html };
}

/** --download and the options of downloads and video frames. */
function mediaOptionsFrom(f: CliFlags, download: boolean): Partial<ConvertLibraryOptions> {
  const http: NonNullable<ConvertLibraryOptions["http"]> = {};
  const timeout = int(f.downloadTimeout, "--download-timeout", 1, 3_600_000);
  if (timeout !== undefined) http.timeoutMs = timeout;
  const retries = int(f.downloadRetries, "--download-retries", 0, 100);
  if (retries !== undefined) http.retries = retries;
  const backoff = int(f.retryBackoff, "--retry-backoff", 0, 600_000);
  if (backoff !== undefined) http.backoffMs = backoff;
  return {
    download,
    concurrency: int(f.concurrency, "--concurrency", 1, 256),
    mediaCache: f.mediaCache,
    frames: oneOf(f.frames, "--frames", ["labelled", "all"] as const),
    frameFormat: oneOf(f.frameFormat, "--frame-format", ["jpg", "png"] as const),
    frameQuality: int(f.frameQuality, "--frame-quality", 1, 100),
    http,
  };
}
