// The one small interface every output format implements. A writer sees the model, geometry/ and
// output/ only. The pipeline calls open once, write once per normalised row (in input order), close once.
import type { MediaSink } from "../media/sink.js";
import type { Category, NormalisedRow } from "../model.js";
import type { FormatOptions } from "../options.js";
import type { Report } from "../report.js";
import type { ShardLog } from "../output/shard-sidecar.js";

export type { ShardLog };

export interface WriterContext {
  /** The folder to write into (a temporary sibling of the final output, renamed on success). */
  outDir: string;
  /** For writers whose output is one stream (pixel JSON to stdout); otherwise undefined. */
  stdout?: NodeJS.WritableStream;
  /** A private scratch folder for spooling, removed after the run. */
  tempDir: string;
  options: FormatOptions;
  report: Report;
  /** The shared class order; grows as new classes appear when no ontology or class list fixes it. */
  categories: CategoryTable;
  /** With --images or --download: puts an item's image file into a folder of the output (media/sink.ts). */
  media?: MediaSink;
  /**
   * --force and --strict, for a writer that owns a second output root (pixel JSON's --masks-dir):
   * it may replace that root only with force, and keeps it only when a strict run lost nothing.
   */
  force?: boolean;
  strict?: boolean;
  /** --max-pixels: the largest frame a writer may allocate a pixel buffer for (see common.frameOverLimit). */
  maxPixels?: number;
  /**
   * --shard: where the writer logs each element of an output whose order matters (COCO images,
   * masks.json entries, pixel rows, VOC image-set lines) with its input row, for merge (src/merge/).
   */
  shard?: ShardLog;
}

export type { MediaSink };

export interface CategoryTable {
  /** Categories in order (index 0 first). */
  list(): readonly Category[];
  /** True when the order was fixed before the run (ontology or --classes), so ids are known up front. */
  readonly fixed: boolean;
}

export interface Writer {
  readonly name: string;
  /** Set when write() needs the raw Encord row (row.raw), as the pixel JSON writer does. */
  readonly needsRaw?: boolean;
  open(ctx: WriterContext): Promise<void>;
  write(row: NormalisedRow): Promise<void>;
  close(): Promise<void>;
  /** After close in a sharded run: run-level facts merge needs (splits seen, keypoint counts...). */
  shardFacts?(): Record<string, unknown>;
  /**
   * Called once after close(), when every image the writer placed through ctx.media is in place: a
   * writer that reads its images (preview draws on them) does that work here.
   */
  afterMedia?(): Promise<void>;
  /**
   * Called instead of (or after a failed) close when the run fails: remove anything the writer put
   * outside outDir (the pipeline removes outDir itself). Must not throw.
   */
  abort?(): void;
  /** When the run fails: wait for file writes still in flight, so none lands after the output is removed. Must not throw. */
  settle?(): Promise<void>;
}

export type WriterFactory = () => Writer;
