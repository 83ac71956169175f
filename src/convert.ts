// The pipeline and the library's entry point: read -> normalise -> assign (classes, names, splits,
// filters) -> one writer -> report. Output appears only when the whole run succeeds.
import { readFileSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { CategoryRegistry, namesNotInOntology, type CategoryRules, type UnmatchedName } from "./categories.js";
import { allCodes, codeMatches } from "./codes.js";
import { SeenRows } from "./dedupe.js";
import { loadOntology, type Ontology } from "./encord/ontology.js";
import { ontologySeeds } from "./encord/seeds.js";
import { describeLocation, InputError, UsageError, type NormalisedRow } from "./model.js";
import { DEFAULT_MAX_PIXELS, type ConvertOptions } from "./options.js";
import { AtomicOutput, makeScratchDir } from "./output/atomic.js";
import { listOutputFiles } from "./output/files.js";
import { MediaCache } from "./media/cache.js";
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_FRAME_QUALITY,
  defaultCacheDir,
  indexFolder,
  MediaPipeline,
  type FramesMode,
  type MediaHooks,
  type MediaMode,
} from "./media/index.js";
import type { FrameFormat } from "./media/frames.js";
import type { DownloadOptions } from "./media/download.js";
import { UniqueNames } from "./output/names.js";
import { cannotRead } from "./read/file-error.js";
import { readExport, type Progress, type ReadExportOptions } from "./pipeline/read-export.js";
import { Report, type LossNote } from "./report.js";
import { DEFAULT_SPLIT } from "./writers/common.js";
import { createWriter, writerCanStream, writerMediaMode, writerOutputKind } from "./writers/registry.js";
import type { WriterContext } from "./writers/writer.js";
import { applyRowFilters, type RowFilters } from "./filters.js";
import { assignSplit, type SplitSpec } from "./splits.js";
import type { ShardLog } from "./output/shard-sidecar.js";
import { NAMES_STREAM } from "./output/shard-sidecar.js";
import { outsideClassError, shardRefusal, ShardRun } from "./shard-run.js";
import type { ShardSpec } from "./shards.js";
import { didYouMean } from "./suggest.js";

export type PipelineOptions = ReadExportOptions;
export type { Progress };
export { readExport };

export interface ConvertHooks {
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  onProgress?: (p: Progress) => void;
  /** Media progress (downloads, frames) and notices to show at once (expired links). */
  media?: MediaHooks;
}

/** Why a run was refused at the end (exit 3): the rule, and the lost codes that broke it. */
export interface Refusal {
  rule: "strict" | "fail-on" | "max-warnings";
  codes: Map<string, number>;
}

export interface ConvertResult {
  report: Report;
  /** 0 success; 3 when --strict, --fail-on or --max-warnings refused the run (then no output is kept). */
  exitCode: 0 | 3;
  refusal?: Refusal;
  outputPath?: string;
}

const reports = new WeakMap<object, Report>();

/**
 * The report of a run that failed after it began reading input (with the error recorded in it), so a
 * caller can still write it; undefined for a failure before that (bad options, a missing ontology).
 */
export function reportOfFailure(e: unknown): Report | undefined {
  return typeof e === "object" && e !== null ? reports.get(e) : undefined;
}

/** Read an ontology structure JSON file. */
export function readOntologyFile(path: string): Ontology {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw cannotRead("--ontology", path, e);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`ontology ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return loadOntology(json);
}

export interface RunState {
  categories: CategoryRegistry;
  names: UniqueNames;
  report: Report;
  filters: RowFilters;
  split?: SplitSpec;
  /** The file extension of extracted video frames when it is not the reader's (".png" with --frame-format png). */
  frameExt?: string;
  /** --shard: each item's name and row are logged for merge. */
  shard?: ShardLog;
  seen: SeenRows;
  /** The input index of a row being skipped as a duplicate (its later parts are skipped too). */
  duplicateRow?: number;
  /** Rows that passed the filters (pixel JSON writes rows, not items). */
  keptRows: number;
}

/** A fresh run state: the run-long decisions every row is prepared against. */
export function newRunState(report: Report, categories: CategoryRegistry, filters: RowFilters = {}, split?: SplitSpec): RunState {
  return { categories, names: new UniqueNames(), report, filters, split, seen: new SeenRows(), keptRows: 0 };
}

/**
 * Classes, unique names, splits and filters for one row; counts for the report. Mutates the row.
 * A huge row's parts are one row: counted and filtered once, on part 0.
 */
export function prepareRow(row: NormalisedRow, state: RunState): boolean {
  const { report, meta } = { report: state.report, meta: row.meta };
  if (row.part === 0) {
    state.duplicateRow = undefined;
    if (state.seen.seenBefore(meta.labelHash, meta.dataHash, meta.branchName)) {
      state.duplicateRow = meta.index;
      report.skip("duplicate-row", "label row", "the same label_hash, data_hash and branch were read before", {
        row: meta.index,
        dataHash: meta.dataHash,
      });
    }
  }
  if (state.duplicateRow === meta.index) return false;
  if (row.part === 0) {
    report.rows++;
    report.countDataType(meta.dataType);
  }
  for (const p of row.problems) report.problem(p);
  const why = applyRowFilters(row, state.filters);
  if (why) {
    if (row.part === 0) report.filter(why.code, "row", why.reason, { row: meta.index, dataHash: meta.dataHash });
    return false;
  }
  if (row.part === 0) state.keptRows++;
  for (const item of row.items) {
    report.items++;
    const tieBreak = item.source.dataHash.slice(0, 8);
    item.stem = state.names.claim(item.nameHint, tieBreak, item.nameSuffix);
    if (state.frameExt && item.source.media === "video-frame") item.ext = state.frameExt;
    state.shard?.element(NAMES_STREAM, row.meta.index, item.stem, item.nameHint, tieBreak, item.ext, item.nameSuffix ?? "");
    if (state.split) item.split = assignSplit(item.source.rowDataHash, state.split);
    report.countSplit(item.split ?? DEFAULT_SPLIT);
    const kept = [];
    for (const obj of item.objects) {
      report.objects++;
      report.countShape(obj.shape);
      if (state.filters.shapes && !state.filters.shapes.has(obj.geometry.kind)) {
        report.filter("shape", obj.shape, "shape not selected by --shapes");
        continue;
      }
      const a = state.categories.assign(obj, state.shard ? state.shard.ordinal(row.meta.index) : row.meta.index);
      if ("filtered" in a) {
        report.filter("class", "object", a.filtered);
        continue;
      }
      if ("outside" in a) throw outsideClassError(a.outside, { row: row.meta.index, dataHash: item.source.dataHash, objectHash: obj.objectHash });
      obj.category = a.index;
      report.countClass(state.categories.list()[a.index]?.name ?? obj.name);
      kept.push(obj);
    }
    item.objects = kept;
  }
  return true;
}

export interface ConvertLibraryOptions extends ConvertOptions {
  categoryRules?: CategoryRules;
  filters?: RowFilters;
  split?: SplitSpec;
  /** --images: a local folder holding the media files. */
  images?: string;
  /** --media: how to put found images into the output (default copy). */
  media?: MediaMode;
  /** --download: fetch each item's file from its data_link when --images does not have it. */
  download?: boolean;
  /** --concurrency: downloads at a time (default 8). */
  concurrency?: number;
  /** --media-cache: keep downloads here for later runs (default: a hidden sibling of the output, removed when complete). */
  mediaCache?: string;
  /** --frames: extract the labelled video frames (default) or all of them. */
  frames?: FramesMode;
  /** --frame-format and --frame-quality (1-100) of extracted video frames. */
  frameFormat?: FrameFormat;
  frameQuality?: number;
  /** Download timing (tests): per-request timeout, retries, first backoff. */
  http?: Partial<Omit<DownloadOptions, "signal" | "onBytes">>;
  /** --shard K/N: convert only this shard's rows and leave a manifest for `merge` (shard-run.ts). */
  shard?: ShardSpec;
  /** --fail-on: refuse the run (exit 3, no output) when a lost code matches one of these patterns. */
  failOn?: string[];
  /** --max-warnings: refuse the run when more than this many things were lost. */
  maxWarnings?: number;
  /** What the caller's own options were, for the report (the CLI's flags); default: from these options. */
  reportOptions?: Record<string, unknown>;
}

/** The media cache of a --download run; refused inside the output, which a rerun with --force replaces. */
function mediaCacheFor(options: ConvertLibraryOptions): MediaCache {
  const dir = resolve(options.mediaCache ?? defaultCacheDir(options.out));
  const out = resolve(options.out);
  const rel = relative(out, dir);
  if (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel))) {
    throw new InputError(`--media-cache ${options.mediaCache}: must not be inside the output ${options.out}, which a rerun with --force replaces`);
  }
  return new MediaCache(dir, options.mediaCache !== undefined);
}

/** Check --fail-on patterns against the known codes (a typo would gate on nothing). */
export function checkFailOn(patterns: readonly string[]): void {
  const known = allCodes();
  const outcomes = [...new Set(known.map((c) => c.slice(0, c.indexOf("."))))];
  for (const p of patterns) {
    if (known.some((c) => codeMatches(p, c))) continue;
    throw new UsageError(`--fail-on: no report code "${p}"${didYouMean(p, [...known, ...outcomes.map((o) => `${o}.*`)])} (docs/report.md lists them)`);
  }
}

/** Class names in --classes, --drop and --map must name a class of the ontology, when one is given. */
function checkClassNames(rules: CategoryRules | undefined, ontology: Ontology | undefined): void {
  if (!rules || !ontology) return;
  const bad = namesNotInOntology(rules, ontologySeeds(ontology).map((s) => s.name));
  const first = bad[0];
  if (first) throw new UsageError(`${first.flag}: no class "${first.name}" in the ontology${didYouMean(first.name, first.known)}`);
}

/** The run's options as plain JSON for the report. */
function describeOptions(o: ConvertLibraryOptions): Record<string, unknown> {
  const list = <T>(s: ReadonlySet<T> | undefined): T[] | undefined => (s ? [...s] : undefined);
  const out: Record<string, unknown> = {
    out: o.out,
    ontology: o.ontology,
    strict: o.strict ?? false,
    force: o.force ?? false,
    status: list(o.filters?.statuses),
    branch: list(o.filters?.branches),
    dataTypes: list(o.filters?.dataTypes),
    shapes: list(o.filters?.shapes),
    classes: o.categoryRules?.classes,
    map: o.categoryRules?.rename ? Object.fromEntries(o.categoryRules.rename) : undefined,
    drop: list(o.categoryRules?.drop),
    split: o.split ? (o.split.text ?? o.split.parts.map((p) => `${p.name}=${p.weight}`).join(",")) : undefined,
    seed: o.split?.seed,
    images: o.images,
    media: o.media,
    download: o.download === true ? true : undefined,
    concurrency: o.concurrency,
    mediaCache: o.mediaCache,
    frames: o.frames,
    frameFormat: o.frameFormat,
    frameQuality: o.frameQuality,
    failOn: o.failOn,
    maxWarnings: o.maxWarnings,
    maxPixels: o.maxPixels,
    maxRowBytes: o.maxRowBytes,
    jobs: o.jobs,
    shard: o.shard ? `${o.shard.index}/${o.shard.count}` : undefined,
    ...(o.formatOptions ?? {}),
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** The inputs with their sizes (a file's size; bytes read for standard input). */
function describeInputs(inputs: readonly string[], stdinBytes: number): { path: string; bytes: number }[] {
  return inputs.map((path) => {
    if (path === "-") return { path, bytes: stdinBytes };
    try {
      return { path, bytes: statSync(path).size };
    } catch {
      return { path, bytes: 0 };
    }
  });
}

/** Whether --strict, --fail-on or --max-warnings refuse a finished run. */
function refusalOf(report: Report, o: ConvertLibraryOptions): Refusal | undefined {
  if (o.strict && report.lossy) return { rule: "strict", codes: report.lossCounts() };
  if (o.failOn && o.failOn.length > 0) {
    const codes = report.matching(o.failOn);
    if (codes.size > 0) return { rule: "fail-on", codes };
  }
  if (o.maxWarnings !== undefined && report.lossTotal > o.maxWarnings) return { rule: "max-warnings", codes: report.lossCounts() };
  return undefined;
}

/**
 * What is said once at the end of a run about the whole export: class rules that matched nothing,
 * and a run that wrote nothing. A shard cannot tell (another shard may match the class): merge says
 * it from the shards' facts.
 */
export function endOfRunNotes(unmatched: readonly UnmatchedName[], rows: number, wrote: number): LossNote[] {
  const notes: LossNote[] = unmatched.map((u) => ({
    outcome: "warning",
    code: "class-unmatched",
    what: `${u.flag} ${u.name}`,
    reason: `class "${u.name}" given in ${u.flag} matches no object of the export`,
  }));
  if (wrote === 0) {
    const why = rows === 0 ? "the export holds no label row" : `every one of the ${rows} rows was filtered out or holds no image`;
    notes.push({ outcome: "warning", code: "no-items", what: "output", reason: `no item was written: ${why}` });
  }
  return notes;
}

/** The end-of-run notes of a run; a shard keeps the facts for merge instead (shard-run.ts). */
function endOfRunWarnings(state: RunState, format: string, sharded: ShardRun | undefined): void {
  const { report } = state;
  const wrote = format === "pixel" ? state.keptRows : report.items;
  if (sharded) {
    sharded.endFacts = { unmatched: state.categories.unmatched(), wrote };
    return;
  }
  for (const n of endOfRunNotes(state.categories.unmatched(), report.rows, wrote)) report.add(n);
}

/** Run one conversion end to end. Throws InputError (bad input) or OutputExistsError (usage). */
export async function convert(options: ConvertLibraryOptions, hooks: ConvertHooks = {}): Promise<ConvertResult> {
  const started = Date.now();
  const report = new Report(options.format);
  report.options = options.reportOptions ?? describeOptions(options);
  if (options.failOn) checkFailOn(options.failOn);
  const ontology = options.ontology ? readOntologyFile(options.ontology) : undefined;
  const shard = options.shard;
  const refusal = shard ? shardRefusal(options, shard) : undefined;
  if (refusal) throw new UsageError(refusal);
  checkClassNames(options.categoryRules, ontology);
  const categories = new CategoryRegistry({
    ...(options.categoryRules ?? {}),
    seeds: ontology ? ontologySeeds(ontology) : undefined,
    closed: shard !== undefined,
  });
  const wantsMedia = options.images !== undefined || options.download === true;
  const state = newRunState(report, categories, options.filters, options.split);
  if (wantsMedia && options.frameFormat === "png") state.frameExt = ".png";
  let stdinBytes = 0;
  const writer = createWriter(options.format);
  const toStdout = options.out === "-";
  // A folder writer given "-" would otherwise write into the current folder.
  if (toStdout && !writerCanStream(options.format)) throw new InputError(`${options.format} writes a folder; give an output folder, not "-"`);
  if (wantsMedia && toStdout) throw new InputError("--images and --download put image files beside the labels: give an output folder, not \"-\"");
  const cache = options.download ? mediaCacheFor(options) : undefined;
  // What the run reads is never what --force may replace.
  const reads = [...options.inputs.filter((i) => i !== "-"), options.ontology, options.images, options.mediaCache].filter((p): p is string => p !== undefined);
  // Indexed before any output exists: a bad --images folder fails with nothing to clean up.
  const images = options.images !== undefined ? indexFolder(options.images) : undefined;
  const output = toStdout ? undefined : AtomicOutput.prepare(options.out, writerOutputKind(options.format), options.force ?? false, reads);
  let sharded: ShardRun | undefined;
  try {
    if (shard && output) sharded = new ShardRun(shard, options, output, reads);
  } catch (e) {
    output?.abort();
    throw e;
  }
  state.shard = sharded?.recorder;
  // Spools live here; removed at the end, and on exit or a signal if the run never gets there.
  const scratch = makeScratchDir();
  const tempDir = scratch.path;
  const media =
    wantsMedia && output
      ? new MediaPipeline(
          {
            local: images,
            byHashOnly: options.shard !== undefined,
            mode: options.media ?? writerMediaMode(options.format),
            download: options.download ?? false,
            concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
            cache,
            frames: options.frames ?? "labelled",
            frameFormat: options.frameFormat ?? "jpg",
            frameQuality: options.frameQuality ?? DEFAULT_FRAME_QUALITY,
            http: options.http,
          },
          output.tempPath,
          tempDir,
          report,
          (hint, tieBreak, suffix) => state.names.claim(hint, tieBreak, suffix),
          hooks.media,
        )
      : undefined;
  const ctx: WriterContext = {
    outDir: output?.tempPath ?? "",
    stdout: toStdout ? (hooks.stdout ?? process.stdout) : undefined,
    tempDir,
    options: options.formatOptions ?? {},
    report,
    categories,
    media,
    force: options.force ?? false,
    strict: options.strict ?? false,
    maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
    shard: sharded?.recorder,
  };
  try {
    await writer.open(ctx);
    const rows = readExport({
      inputs: options.inputs,
      ontology,
      maxRowBytes: options.maxRowBytes,
      maxPixels: options.maxPixels,
      keepRaw: writer.needsRaw === true,
      jobs: options.jobs,
      prepare: {
        format: options.format,
        options: options.formatOptions ?? {},
        maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
        keepGeometry: options.format === "voc" && options.formatOptions?.vocMasks === true,
      },
      tempDir,
      stdin: hooks.stdin,
      onProgress: (p) => {
        if (p.input === "-") stdinBytes = p.bytesRead;
        hooks.onProgress?.(p);
      },
      shard,
      onInput: (n) => {
        if (sharded) sharded.recorder.input = n;
      },
      onOtherShard: () => {
        if (sharded) sharded.otherRows++;
      },
    });
    for await (const row of rows) {
      if (prepareRow(row, state)) await writer.write(row);
    }
    await writer.close();
    if (media) await media.finish();
    // A writer that reads the placed images (preview) draws once every one is in place.
    await writer.afterMedia?.();
    endOfRunWarnings(state, options.format, sharded);
    report.seconds = (Date.now() - started) / 1000;
    report.inputs = describeInputs(options.inputs, stdinBytes);
    const refusal = refusalOf(report, options);
    if (media) {
      // The default cache goes once nothing is left to resume; a given one (or one a rerun needs) stays.
      const keepCache = cache !== undefined && (cache.explicit || media.resumable || refusal !== undefined);
      if (keepCache) media.tally.cache = cache.dir;
      else cache?.remove();
      report.media = media.tally.summary();
    }
    if (refusal) {
      output?.abort();
      sharded?.abort();
      report.exitCode = 3;
      return { report, exitCode: 3, refusal };
    }
    if (output) report.outputs = output.kind === "dir" ? listOutputFiles(output.tempPath).filter((f) => !ShardRun.isSidecarFile(f.path)) : [];
    if (sharded && output) {
      // The manifest holds the report as the run ends.
      report.kept = true;
      report.exitCode = 0;
      sharded.finish(report, writer, categories, output.kind);
    }
    output?.commit();
    sharded?.commit();
    report.kept = true;
    report.exitCode = 0;
    return { report, exitCode: 0, outputPath: output?.finalPath };
  } catch (e) {
    await media?.abort();
    await writer.settle?.();
    writer.abort?.();
    sharded?.abort();
    output?.abort();
    report.inputs = describeInputs(options.inputs, stdinBytes);
    report.seconds = (Date.now() - started) / 1000;
    report.exitCode = 1;
    if (e instanceof InputError) report.error = { message: e.message, ...(e.where ? { where: describeLocation(e.where) } : {}) };
    else report.error = { message: e instanceof Error ? e.message : String(e) };
    if (typeof e === "object" && e !== null) reports.set(e, report);
    throw e;
  } finally {
    scratch.remove();
  }
}
