// Turn parsed command-line flags into library options. Bad values are usage errors (exit 2).
import { readFileSync } from "node:fs";
import type { ConvertLibraryOptions } from "../convert.js";
import { SHAPE_ALIASES, type RowFilters } from "../filters.js";
import type { GeometryKind } from "../model.js";
import { DEFAULT_JOBS, type FormatName, type FormatOptions } from "../options.js";
import { parseSplit } from "../splits.js";
import { writerCanStream } from "../writers/registry.js";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

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
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`${flag} must be one of ${allowed.join(", ")}, not "${text}"`);
  return text as T;
}

/** --classes takes a file (one name per line) or a comma-separated list. */
export function parseClasses(text: string): string[] {
  let names: string[];
  try {
    names = readFileSync(text, "utf8").split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== "" && !s.startsWith("#"));
  } catch {
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
  const names = list(text);
  if (!names) return undefined;
  return new Set(
    names.map((n) => {
      const k = SHAPE_ALIASES[n];
      if (!k) throw new UsageError(`--shapes: unknown shape "${n}" (use ${Object.keys(SHAPE_ALIASES).join(", ")})`);
      return k;
    }),
  );
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
  return o;
}

export function filtersFrom(f: CliFlags): RowFilters {
  const filters: RowFilters = {};
  const statuses = list(f.status);
  if (statuses) filters.statuses = new Set(statuses);
  const branches = list(f.branch);
  if (branches) filters.branches = new Set(branches);
  const types = list(f.dataTypes);
  if (types) filters.dataTypes = new Set(types);
  const shapes = parseShapes(f.shapes);
  if (shapes) filters.shapes = shapes;
  return filters;
}

/** --jobs: parsing worker threads (0 = parse in the main thread). */
export function jobsFrom(f: CliFlags): number {
  return int(f.jobs, "--jobs", 0, 64) ?? DEFAULT_JOBS;
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
  const seed = int(f.seed, "--seed", 0, 2 ** 31 - 1) ?? 0;
  let split;
  if (f.split !== undefined) {
    try {
      split = parseSplit(f.split, seed);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return {
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
    ...mediaOptionsFrom(f, download),
  };
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
