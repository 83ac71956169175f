// `encord-convert merge <format> SHARD_OUT... -o OUT`: the outputs of a run's shards (--shard K/N)
// joined into what a single run of the whole export writes, byte for byte: elements back in input
// order (the shards' row logs), ids renumbered, file names as a single run gives them, run-level
// files (categories, data.yaml, labelmap, image sets, classes.json) written from the merged facts.
// The output is atomic like every other; the shards are only read.
import { InputError } from "../model.js";
import type { FormatName, FormatOptions } from "../options.js";
import { AtomicOutput, makeScratchDir } from "../output/atomic.js";
import { listOutputFiles } from "../output/files.js";
import { writerOutputKind } from "../writers/registry.js";
import { mergeCategories } from "./classes.js";
import { mergeCoco } from "./coco.js";
import type { MergeContext } from "./context.js";
import { mergeMasks } from "./masks.js";
import { overlapError, replayNames } from "./names.js";
import { mergePixel } from "./pixel.js";
import { mergeReports, type MergedReportJSON } from "./report.js";
import { loadShards, MergeRefusal } from "./shards.js";
import { mergeVoc } from "./voc.js";
import { mergeYolo } from "./yolo.js";

export { MergeRefusal };
export type { MergedReportJSON };

export interface MergeOptions {
  format: FormatName;
  /** The shard outputs (folders, or files for pixel JSON). */
  shards: string[];
  out: string;
  force?: boolean;
  /** Merge the shards given even when some of the run's shards are not among them. */
  allowMissing?: boolean;
  /** YOLO: write a data.yaml listing the shard folders instead of copying them. */
  noCopy?: boolean;
}

export interface MergeResult {
  report: MergedReportJSON;
  outputPath: string;
}

const MERGERS: Record<FormatName, (ctx: MergeContext) => Promise<void>> = {
  coco: mergeCoco,
  yolo: mergeYolo,
  voc: mergeVoc,
  masks: mergeMasks,
  pixel: mergePixel,
};

export async function mergeShards(o: MergeOptions): Promise<MergeResult> {
  const started = Date.now();
  if (o.noCopy && o.format !== "yolo") throw new MergeRefusal("--no-copy is for yolo only (its data.yaml can list several folders)");
  if (o.out === "-") throw new MergeRefusal("merge writes a folder or file; give -o <path>, not -");
  const kind = writerOutputKind(o.format);
  const { shards, missing } = loadShards(o.format, o.shards, kind, o.allowMissing ?? false);
  const categories = mergeCategories(shards);
  const { names, renamed } = replayNames(shards);
  const output = AtomicOutput.prepare(o.out, kind, o.force ?? false, shards.flatMap((s) => [s.root, s.sidecar]));
  const scratch = makeScratchDir("encord-convert-merge-");
  try {
    const ctx: MergeContext = {
      shards,
      names,
      categories,
      options: (shards[0]?.manifest.options.formatOptions ?? {}) as FormatOptions,
      out: output.tempPath,
      finalPath: output.finalPath,
      tempDir: scratch.path,
      noCopy: o.noCopy ?? false,
      overlap: overlapError(shards),
    };
    await MERGERS[o.format](ctx);
    const outputs = kind === "dir" ? listOutputFiles(output.tempPath) : [];
    const report = mergeReports(
      o.format,
      shards.map((s) => s.manifest.report),
      outputs,
      { shards: shards.map((s) => s.label), missing, renamed },
    );
    report.seconds = (Date.now() - started) / 1000;
    output.commit();
    return { report, outputPath: output.finalPath };
  } catch (e) {
    output.abort();
    if (e instanceof SyntaxError) throw new InputError(`a shard output does not parse: ${e.message}`);
    throw e;
  } finally {
    scratch.remove();
  }
}
