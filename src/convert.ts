// The pipeline and the library's entry point: read -> normalise -> assign (classes, names, splits,
// filters) -> one writer -> report. Output appears only when the whole run succeeds.
import { readFileSync } from "node:fs";
import { CategoryRegistry, type CategoryRules } from "./categories.js";
import { loadOntology, type Ontology } from "./encord/ontology.js";
import { ontologySeeds } from "./encord/seeds.js";
import { normaliseRow } from "./encord/normalise.js";
import { InputError, type NormalisedRow } from "./model.js";
import { DEFAULT_MAX_PIXELS, DEFAULT_MAX_ROW_BYTES, type ConvertOptions } from "./options.js";
import { AtomicOutput, makeScratchDir } from "./output/atomic.js";
import { listOutputFiles } from "./output/files.js";
import { LocalMedia, type MediaMode } from "./output/media.js";
import { UniqueNames } from "./output/names.js";
import { openInput } from "./read/source.js";
import { readRows } from "./read/rows.js";
import { Report } from "./report.js";
import { createWriter, writerCanStream, writerOutputKind } from "./writers/registry.js";
import type { WriterContext } from "./writers/writer.js";
import { applyRowFilters, type RowFilters } from "./filters.js";
import { assignSplit, type SplitSpec } from "./splits.js";

export interface PipelineOptions {
  inputs: string[];
  ontology?: Ontology;
  maxRowBytes?: number;
  maxPixels?: number;
  keepRaw?: boolean;
  stdin?: NodeJS.ReadableStream;
  /** Called after each row with the bytes read so far of the current input and its size. */
  onProgress?: (p: Progress) => void;
}

export interface Progress {
  input: string;
  bytesRead: number;
  totalBytes?: number;
  rows: number;
}

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

/**
 * Every label row of every input, normalised, in input order. Rows are read one at a time;
 * nothing of a row is kept after the consumer moves on. `readExport` in the public API.
 */
export async function* readExport(options: PipelineOptions): AsyncGenerator<NormalisedRow> {
  const ctx = {
    ontology: options.ontology,
    maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
    keepRaw: options.keepRaw ?? false,
  };
  let rows = 0;
  for (const input of options.inputs) {
    const source = await openInput(input, { stdin: options.stdin });
    for await (const ev of readRows(source, { maxRowBytes: options.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES })) {
      const row = normaliseRow(ev.value, ev.index, ctx);
      rows++;
      yield row;
      options.onProgress?.({ input, bytesRead: source.bytesRead(), totalBytes: source.compressedSize, rows });
    }
  }
}

export interface RunState {
  categories: CategoryRegistry;
  names: UniqueNames;
  report: Report;
  filters: RowFilters;
  split?: SplitSpec;
}

/** Classes, unique names, splits and filters for one row; counts for the report. Mutates the row. */
export function prepareRow(row: NormalisedRow, state: RunState): boolean {
  const { report } = state;
  report.rows++;
  report.countDataType(row.meta.dataType);
  for (const p of row.problems) report.problem(p);
  const why = applyRowFilters(row, state.filters);
  if (why) {
    report.note("filtered", "row", why, { row: row.meta.index, dataHash: row.meta.dataHash });
    return false;
  }
  for (const item of row.items) {
    report.items++;
    item.stem = state.names.claim(item.nameHint, item.source.dataHash.slice(0, 8));
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
  const state: RunState = { categories, names: new UniqueNames(), report, filters: options.filters ?? {}, split: options.split };
  const writer = createWriter(options.format);
  const toStdout = options.out === "-";
  // A folder writer given "-" would otherwise write into the current folder.
  if (toStdout && !writerCanStream(options.format)) throw new InputError(`${options.format} writes a folder; give an output folder, not "-"`);
  // What the run reads is never what --force may replace.
  const reads = [...options.inputs.filter((i) => i !== "-"), options.ontology, options.images].filter((p): p is string => p !== undefined);
  const output = toStdout ? undefined : AtomicOutput.prepare(options.out, writerOutputKind(options.format), options.force ?? false, reads);
  // Spools live here; removed at the end, and on exit or a signal if the run never gets there.
  const scratch = makeScratchDir();
  const tempDir = scratch.path;
  let media: LocalMedia | undefined;
  try {
    media = options.images && output ? new LocalMedia(options.images, options.media ?? "copy", output.tempPath, report) : undefined;
  } catch (e) {
    output?.abort();
    scratch.remove();
    throw new InputError((e as Error).message);
  }
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
      stdin: hooks.stdin,
      onProgress: hooks.onProgress,
    });
    for await (const row of rows) {
      if (prepareRow(row, state)) await writer.write(row);
    }
    await writer.close();
    if (media) report.media = { placed: media.placed, missing: media.missingCount, missingList: media.missing };
    report.seconds = (Date.now() - started) / 1000;
    if (output) report.outputs = output.kind === "dir" ? listOutputFiles(output.tempPath) : [];
    if (options.strict && report.lossy) {
      output?.abort();
      return { report, exitCode: 3 };
    }
    output?.commit();
    return { report, exitCode: 0, outputPath: output?.finalPath };
  } catch (e) {
    writer.abort?.();
    output?.abort();
    throw e;
  } finally {
    scratch.remove();
  }
}
