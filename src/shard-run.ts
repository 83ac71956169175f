// A conversion run with --shard K/N: what it needs beyond an ordinary run. Every shard must number
// classes alike (so the class table is fixed up front), and its output carries a sidecar for
// `encord-convert merge` (output/shard-sidecar.ts): the options that shape the output, the class
// table, the writer's facts, the report, and the logs that say which input row each element is from.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import type { CategoryRegistry, CategoryRules, UnmatchedName } from "./categories.js";
import type { RowFilters } from "./filters.js";
import { InputError } from "./model.js";
import { DEFAULT_MAX_PIXELS, type ConvertOptions } from "./options.js";
import { AtomicOutput } from "./output/atomic.js";
import { SIDECAR_DIR, ShardRecorder, sidecarOf, type CategoryRecord, type ShardManifest } from "./output/shard-sidecar.js";
import type { Report } from "./report.js";
import { shardLabel, type ShardSpec } from "./shards.js";
import type { SplitSpec } from "./splits.js";
import type { Writer } from "./writers/writer.js";

/** What of a run's options the shard identity reads. */
export interface ShardedOptions extends ConvertOptions {
  categoryRules?: CategoryRules;
  filters?: RowFilters;
  split?: SplitSpec;
  images?: string;
  media?: string;
}

/** The message for a sharded run without a fixed class list (the CLI says it as a usage error). */
export function unfixedClassesMessage(shard: ShardSpec): string {
  return (
    `--shard ${shardLabel(shard)} needs a fixed class list: without --ontology or --classes each shard would number ` +
    `classes in its own order of first appearance and the shards would not agree. Pass --ontology FILE or ` +
    `--classes FILE (encord-convert inspect EXPORT --classes-out FILE writes the classes of the whole export)`
  );
}

/** Why these options cannot run as a shard, or undefined. */
export function shardRefusal(options: ShardedOptions, shard: ShardSpec): string | undefined {
  if (!options.ontology && !options.categoryRules?.classes) return unfixedClassesMessage(shard);
  if (options.out === "-") return `--shard writes a manifest for merge beside the output: give -o <path>, not -`;
  if (options.formatOptions?.masksDir !== undefined) {
    return `--shard with pixel --masks-dir is not supported: the PNG paths in the JSON could not be merged; convert the masks with the masks command`;
  }
  return undefined;
}

/** Object keys sorted at every level: one text for equal options, whatever order they were built in. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Set) return [...value].map(String).sort();
  if (value instanceof Map) return canonical(Object.fromEntries(value));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = canonical(v);
    }
    return out;
  }
  return value;
}

function fileDigest(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** The options that shape a run's output; shards to be merged must agree on every one. */
export function outputShapingOptions(o: ShardedOptions): Record<string, unknown> {
  const { masksDir: _ignored, ...formatOptions } = o.formatOptions ?? {};
  return canonical({
    formatOptions,
    filters: o.filters ?? {},
    split: o.split ?? null,
    classes: o.categoryRules?.classes ?? null,
    rename: o.categoryRules?.rename ? [...o.categoryRules.rename].sort() : null,
    drop: o.categoryRules?.drop ?? null,
    ontologySha256: o.ontology ? fileDigest(o.ontology) : null,
    maxPixels: o.maxPixels ?? DEFAULT_MAX_PIXELS,
    media: o.images !== undefined ? (o.media ?? "copy") : null,
  }) as Record<string, unknown>;
}

function inputIdentity(inputs: readonly string[]): ShardManifest["inputs"] {
  return inputs.map((i) => {
    if (i === "-") return { name: "-", bytes: null };
    let bytes: number | null = null;
    try {
      bytes = statSync(i).size;
    } catch {
      bytes = null;
    }
    return { name: basename(i), bytes };
  });
}

/** The sharded part of one conversion run. */
export class ShardRun {
  readonly recorder: ShardRecorder;
  otherRows = 0;
  /** What the run's end-of-run warnings would be judged on; merge judges them over every shard. */
  endFacts: { unmatched: UnmatchedName[]; wrote: number } = { unmatched: [], wrote: 0 };
  private readonly sidecarOutput: AtomicOutput | undefined; // beside a file output

  constructor(
    readonly shard: ShardSpec,
    private readonly options: ShardedOptions,
    output: AtomicOutput,
    reads: readonly string[],
  ) {
    if (output.kind === "dir") {
      this.recorder = new ShardRecorder(sidecarOf(output.tempPath, "dir"));
    } else {
      this.sidecarOutput = AtomicOutput.prepare(sidecarOf(output.finalPath, "file"), "dir", options.force ?? false, reads);
      this.recorder = new ShardRecorder(this.sidecarOutput.tempPath);
    }
  }

  /** True for a path of the output's own listing that is the sidecar's. */
  static isSidecarFile(relative: string): boolean {
    return relative === SIDECAR_DIR || relative.startsWith(`${SIDECAR_DIR}/`);
  }

  /** The writer has closed: note the shard in the report and write the manifest. */
  finish(report: Report, writer: Writer, categories: CategoryRegistry, kind: "dir" | "file"): void {
    report.shard = { index: this.shard.index, count: this.shard.count, otherRows: this.otherRows };
    const records: CategoryRecord[] = categories.list().map((c) => {
      const learned = categories.learnedAt(c.index);
      return learned.shape !== undefined || learned.keypoints !== undefined ? { ...c, learned } : { ...c };
    });
    this.recorder.finish({
      format: this.options.format,
      shard: { ...this.shard },
      output: kind,
      inputs: inputIdentity(this.options.inputs),
      options: outputShapingOptions(this.options),
      categories: records,
      facts: writer.shardFacts?.() ?? {},
      run: { unmatched: this.endFacts.unmatched, wrote: this.endFacts.wrote },
      report: report.toJSON(),
    });
  }

  commit(): void {
    this.sidecarOutput?.commit();
  }

  abort(): void {
    this.recorder.abort();
    this.sidecarOutput?.abort();
  }
}

/** The error for an object whose class is outside the fixed list of a sharded run. */
export function outsideClassError(why: string, where: { row: number; dataHash?: string; objectHash?: string }): InputError {
  return new InputError(
    `${why}; a sharded run cannot add classes (each shard would number them differently): pass --classes FILE ` +
      `(encord-convert inspect EXPORT --ontology ONTOLOGY --classes-out FILE writes every class of the export)`,
    where,
  );
}
