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
import { loadShards, MergeRefusal, type ShardOutput } from "./shards.js";
import { endOfRunNotes } from "../convert.js";
import type { UnmatchedName } from "../categories.js";
import type { LossNote } from "../report.js";
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

/**
 * The end-of-run warnings of the whole run: a class rule unmatched in every shard, nothing written
 * by any (convert.endOfRunNotes, which a shard leaves to merge).
 */
function runNotes(shards: readonly ShardOutput[]): LossNote[] {
  const key = (u: { flag: string; name: string }): string => `${u.flag}\u0000${u.name}`;
  const first = shards[0]?.manifest.run.unmatched ?? [];
  const everywhere = first.filter((u) => shards.every((s) => s.manifest.run.unmatched.some((v) => key(v) === key(u))));
  const rows = shards.reduce((n, s) => n + s.manifest.report.rows, 0);
  const wrote = shards.reduce((n, s) => n + s.manifest.run.wrote, 0);
  return endOfRunNotes(everywhere as UnmatchedName[], rows, wrote);
}

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
    const reports = shards.map((s) => s.manifest.report);
    const report = mergeReports(o.format, reports, outputs, { shards: shards.map((s) => s.label), missing, renamed }, { out: o.out, runNotes: runNotes(shards) });
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
