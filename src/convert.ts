// The pipeline and the library's entry point: read -> normalise -> assign (classes, names, splits,
// filters) -> one writer -> report. Output appears only when the whole run succeeds.
import { readFileSync } from "node:fs";
import { CategoryRegistry, type CategoryRules } from "./categories.js";
import { loadOntology, type Ontology } from "./encord/ontology.js";
import { ontologySeeds } from "./encord/seeds.js";
import { InputError, type NormalisedRow } from "./model.js";
import { DEFAULT_MAX_PIXELS, type ConvertOptions } from "./options.js";
import { AtomicOutput, makeScratchDir } from "./output/atomic.js";
import { listOutputFiles } from "./output/files.js";
import { indexImages, LocalMedia, type MediaMode } from "./output/media.js";
import { UniqueNames } from "./output/names.js";
import { readExport, type Progress, type ReadExportOptions } from "./pipeline/read-export.js";
import { Report } from "./report.js";
import { createWriter, writerCanStream, writerOutputKind } from "./writers/registry.js";
import type { WriterContext } from "./writers/writer.js";
import { applyRowFilters, type RowFilters } from "./filters.js";
import { assignSplit, type SplitSpec } from "./splits.js";
import type { ShardLog } from "./output/shard-sidecar.js";
import { NAMES_STREAM } from "./output/shard-sidecar.js";
import { outsideClassError, shardRefusal, ShardRun } from "./shard-run.js";
import type { ShardSpec } from "./shards.js";

export type PipelineOptions = ReadExportOptions;
export type { Progress };
export { readExport };

export interface ConvertHooks {
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  onProgress?: (p: Progress) => void;
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
  /** --shard: each item's name and row are logged for merge. */
  shard?: ShardLog;
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
    const tieBreak = item.source.dataHash.slice(0, 8);
    item.stem = state.names.claim(item.nameHint, tieBreak);
    state.shard?.element(NAMES_STREAM, row.meta.index, item.stem, item.nameHint, tieBreak, item.ext);
    if (state.split) item.split = assignSplit(item.source.rowDataHash, state.split);
    const kept = [];
    for (const obj of item.objects) {
      report.objects++;
      report.countShape(obj.shape);
      if (state.filters.shapes && !state.filters.shapes.has(obj.geometry.kind)) {
        report.note("filtered", obj.shape, "shape not selected by --shapes");
        continue;
      }
      const a = state.categories.assign(obj, state.shard ? state.shard.ordinal(row.meta.index) : row.meta.index);
      if ("filtered" in a) {
        report.note("filtered", "object", a.filtered);
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
  /** --shard K/N: convert only this shard's rows and leave a manifest for `merge` (shard-run.ts). */
  shard?: ShardSpec;
}

/** Run one conversion end to end. Throws InputError (bad input) or OutputExistsError (usage). */
export async function convert(options: ConvertLibraryOptions, hooks: ConvertHooks = {}): Promise<ConvertResult> {
  const started = Date.now();
  const report = new Report(options.format);
  const ontology = options.ontology ? readOntologyFile(options.ontology) : undefined;
  const shard = options.shard;
  const refusal = shard ? shardRefusal(options, shard) : undefined;
  if (refusal) throw new InputError(refusal);
  const categories = new CategoryRegistry({
    ...(options.categoryRules ?? {}),
    seeds: ontology ? ontologySeeds(ontology) : undefined,
    closed: shard !== undefined,
  });
  const state: RunState = { categories, names: new UniqueNames(), report, filters: options.filters ?? {}, split: options.split };
  const writer = createWriter(options.format);
  const toStdout = options.out === "-";
  // A folder writer given "-" would otherwise write into the current folder.
  if (toStdout && !writerCanStream(options.format)) throw new InputError(`${options.format} writes a folder; give an output folder, not "-"`);
  // What the run reads is never what --force may replace.
  const reads = [...options.inputs.filter((i) => i !== "-"), options.ontology, options.images].filter((p): p is string => p !== undefined);
  // Indexed before any output exists: a bad --images folder fails with nothing to clean up.
  const images = options.images !== undefined ? indexImages(options.images) : undefined;
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
  const media = images && output ? new LocalMedia(images, options.media ?? "copy", output.tempPath, report) : undefined;
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
      tempDir,
      stdin: hooks.stdin,
      onProgress: hooks.onProgress,
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
    if (media) report.media = { placed: media.placed, missing: media.missingCount, missingList: media.missing };
    report.seconds = (Date.now() - started) / 1000;
    if (output) report.outputs = output.kind === "dir" ? listOutputFiles(output.tempPath).filter((f) => !ShardRun.isSidecarFile(f.path)) : [];
    if (sharded && output) sharded.finish(report, writer, categories, output.kind);
    if (options.strict && report.lossy) {
      output?.abort();
      sharded?.abort();
      return { report, exitCode: 3 };
    }
    output?.commit();
    sharded?.commit();
    return { report, exitCode: 0, outputPath: output?.finalPath };
  } catch (e) {
    writer.abort?.();
    sharded?.abort();
    output?.abort();
    throw e;
  } finally {
    scratch.remove();
  }
}
