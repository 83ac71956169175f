// The pipeline and the library's entry point: read -> normalise -> assign (classes, names, splits,
// filters) -> one writer -> report. Output appears only when the whole run succeeds.
import { readFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { CategoryRegistry, type CategoryRules } from "./categories.js";
import { loadOntology, type Ontology } from "./encord/ontology.js";
import { ontologySeeds } from "./encord/seeds.js";
import { InputError, type NormalisedRow } from "./model.js";
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
import { readExport, type Progress, type ReadExportOptions } from "./pipeline/read-export.js";
import { Report } from "./report.js";
import { createWriter, writerCanStream, writerOutputKind } from "./writers/registry.js";
import type { WriterContext } from "./writers/writer.js";
import { applyRowFilters, type RowFilters } from "./filters.js";
import { assignSplit, type SplitSpec } from "./splits.js";

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

export interface ConvertResult {
  report: Report;
  /** 0 success; 3 when strict and anything was skipped or approximated (then no output is kept). */
  exitCode: 0 | 3;
  outputPath?: string;
}

/** Read an ontology structure JSON file. */
export function readOntologyFile(path: string): Ontology {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new InputError(`cannot read ontology ${path}: ${(e as Error).message}`);
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
}

/**
 * Classes, unique names, splits and filters for one row; counts for the report. Mutates the row.
 * A huge row's parts are one row: counted and filtered once, on part 0.
 */
export function prepareRow(row: NormalisedRow, state: RunState): boolean {
  const { report } = state;
  if (row.part === 0) {
    report.rows++;
    report.countDataType(row.meta.dataType);
  }
  for (const p of row.problems) report.problem(p);
  const why = applyRowFilters(row, state.filters);
  if (why) {
    if (row.part === 0) report.note("filtered", "row", why, { row: row.meta.index, dataHash: row.meta.dataHash });
    return false;
  }
  for (const item of row.items) {
    report.items++;
    item.stem = state.names.claim(item.nameHint, item.source.dataHash.slice(0, 8));
    if (state.frameExt && item.source.media === "video-frame") item.ext = state.frameExt;
    if (state.split) item.split = assignSplit(item.source.rowDataHash, state.split);
    const kept = [];
    for (const obj of item.objects) {
      report.objects++;
      report.countShape(obj.shape);
      if (state.filters.shapes && !state.filters.shapes.has(obj.geometry.kind)) {
        report.note("filtered", obj.shape, "shape not selected by --shapes");
        continue;
      }
      const a = state.categories.assign(obj);
      if ("filtered" in a) {
        report.note("filtered", "object", a.filtered);
        continue;
      }
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

/** Run one conversion end to end. Throws InputError (bad input) or OutputExistsError (usage). */
export async function convert(options: ConvertLibraryOptions, hooks: ConvertHooks = {}): Promise<ConvertResult> {
  const started = Date.now();
  const report = new Report(options.format);
  const ontology = options.ontology ? readOntologyFile(options.ontology) : undefined;
  const categories = new CategoryRegistry({
    ...(options.categoryRules ?? {}),
    seeds: ontology ? ontologySeeds(ontology) : undefined,
  });
  const wantsMedia = options.images !== undefined || options.download === true;
  const state: RunState = {
    categories,
    names: new UniqueNames(),
    report,
    filters: options.filters ?? {},
    split: options.split,
    frameExt: wantsMedia && options.frameFormat === "png" ? ".png" : undefined,
  };
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
  // Spools live here; removed at the end, and on exit or a signal if the run never gets there.
  const scratch = makeScratchDir();
  const tempDir = scratch.path;
  const media =
    wantsMedia && output
      ? new MediaPipeline(
          {
            local: images,
            mode: options.media ?? "copy",
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
          (hint, tieBreak) => state.names.claim(hint, tieBreak),
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
      tempDir,
      stdin: hooks.stdin,
      onProgress: hooks.onProgress,
    });
    for await (const row of rows) {
      if (prepareRow(row, state)) await writer.write(row);
    }
    await writer.close();
    if (media) {
      await media.finish();
      // The default cache goes once nothing is left to resume; a given one (or one a rerun needs) stays.
      const keepCache = cache !== undefined && (cache.explicit || media.resumable || (options.strict === true && report.lossy));
      if (keepCache) media.tally.cache = cache.dir;
      else cache?.remove();
      report.media = media.tally.summary();
    }
    report.seconds = (Date.now() - started) / 1000;
    if (output) report.outputs = output.kind === "dir" ? listOutputFiles(output.tempPath) : [];
    if (options.strict && report.lossy) {
      output?.abort();
      return { report, exitCode: 3 };
    }
    output?.commit();
    return { report, exitCode: 0, outputPath: output?.finalPath };
  } catch (e) {
    media?.abort();
    writer.abort?.();
    output?.abort();
    throw e;
  } finally {
    scratch.remove();
  }
}
