// Every label row of every input, normalised, in input order: the reader's rows are parsed and
// normalised here (in the main thread, or in worker threads with `jobs`), and a row over
// maxRowBytes goes through the frame-streaming huge-row path and comes out in parts.
import type { Ontology } from "../encord/ontology.js";
import { normaliseRow, normaliseStreamedRow, type NormaliseContext } from "../encord/normalise.js";
import type { NormalisedRow } from "../model.js";
import { DEFAULT_MAX_PIXELS, DEFAULT_MAX_ROW_BYTES } from "../options.js";
import { makeScratchDir } from "../output/atomic.js";
import { parseRow, scanRows, type HugeRowBytesConsumer, type HugeRowInfo } from "../read/rows.js";
import { openInput } from "../read/source.js";
import { spoolHugeRow } from "../read/spool.js";
import type { ShardSpec } from "../shards.js";
import { ParsePool, workersAvailable } from "./pool.js";
import type { PrepareSpec } from "../writers/preparers.js";
import { rowInShard, shardHugeRows } from "./shard-filter.js";

export interface ReadExportOptions {
  inputs: string[];
  ontology?: Ontology;
  maxRowBytes?: number;
  maxPixels?: number;
  keepRaw?: boolean;
  stdin?: NodeJS.ReadableStream;
  /** Worker threads that parse and normalise rows; 0 (the default) does it in the calling thread. */
  jobs?: number;
  /** With workers: the writer whose per-object pieces they make beside each row (writers/prepared.ts). */
  prepare?: PrepareSpec;
  /** Where a huge row's frames are spooled; default the OS temp folder. */
  tempDir?: string;
  /** Called after each row with the bytes read so far of the current input and its size. */
  onProgress?: (p: Progress) => void;
  /** --shard: only the rows of this shard; the others are skipped unparsed (see shards.ts). */
  shard?: ShardSpec;
  /** Called before the first row of each input, with its number (0 for the first). */
  onInput?: (input: number) => void;
  /** Called for each row of another shard, which is skipped. */
  onOtherShard?: (row: { index: number; document: string }) => void;
}

/** A part of a huge row normalised in a worker. */
interface RelayedPart {
  kind: "part";
  index: number;
  row: NormalisedRow;
}

/** The huge-row consumer that hands the row's bytes to the pool and yields its parts as they return. */
function relayHugeRows(pool: ParsePool, tempDir: () => string): HugeRowBytesConsumer<RelayedPart> {
  return async function* relay(bytes: AsyncIterable<Buffer>, row: HugeRowInfo): AsyncGenerator<RelayedPart> {
    for await (const part of pool.hugeRow(bytes, row, tempDir())) yield { kind: "part", index: row.index, row: part };
  };
}

export interface Progress {
  input: string;
  bytesRead: number;
  totalBytes?: number;
  rows: number;
}

/**
 * Every label row of every input, normalised, in input order. Rows are read one at a time (a few
 * batches ahead with workers); nothing of a row is kept after the consumer moves on. The output is
 * the same whatever `jobs` is.
 */
export async function* readExport(options: ReadExportOptions): AsyncGenerator<NormalisedRow> {
  const ctx: NormaliseContext = {
    ontology: options.ontology,
    maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
    keepRaw: options.keepRaw ?? false,
  };
  const jobs = workersAvailable() ? Math.max(0, Math.floor(options.jobs ?? 0)) : 0;
  const pool = jobs > 0 ? new ParsePool(jobs, ctx, options.prepare) : undefined;
  // Without the run's scratch folder, a huge row's spool gets one of its own (removed on exit and signals too).
  let scratch: { path: string; remove(): void } | undefined;
  const spool = spoolHugeRow({ tempDir: () => options.tempDir ?? (scratch ??= makeScratchDir("encord-convert-rows-")).path });
  const shard = options.shard && options.shard.count > 1 ? options.shard : undefined;
  const hugeRow = shard ? shardHugeRows(spool, shard, (row) => options.onOtherShard?.({ index: row.index, document: row.document })) : spool;
  // With workers (and no shard to filter by), a huge row is spooled and normalised in a worker too.
  const spoolDir = (): string => options.tempDir ?? (scratch ??= makeScratchDir("encord-convert-rows-")).path;
  const relayed = pool && !shard ? relayHugeRows(pool, spoolDir) : undefined;
  let rows = 0;
  try {
    for (const [number, input] of options.inputs.entries()) {
      options.onInput?.(number);
      const source = await openInput(input, { stdin: options.stdin });
      const progress = (): void => {
        rows++;
        options.onProgress?.({ input, bytesRead: source.bytesRead(), totalBytes: source.compressedSize, rows });
      };
      const maxRowBytes = options.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
      const events = relayed ? scanRows(source, { maxRowBytes, hugeRowBytes: relayed }) : scanRows(source, { maxRowBytes, hugeRowBytes: hugeRow });
      let relayedRow = -1; // the huge row whose parts are coming from a worker
      for await (const ev of events) {
        if (ev.kind === "bytes") {
          if (shard && !rowInShard(ev.data, shard)) {
            options.onOtherShard?.({ index: ev.index, document: ev.document });
            progress();
            continue;
          }
          if (pool) {
            pool.add(ev);
            for await (const row of pool.ready()) {
              yield row;
              progress();
            }
          } else {
            yield normaliseRow(parseRow(ev.data, ev.index, ev.offset, ev.document).value, ev.index, ctx);
            progress();
          }
          continue;
        }
        if (ev.kind === "part") {
          // A huge row read in a worker: everything before it first, then its parts.
          if (pool && relayedRow !== ev.index) {
            relayedRow = ev.index;
            for await (const row of pool.drain()) {
              yield row;
              progress();
            }
          }
          yield ev.row;
          if (ev.row.lastPart) progress();
          continue;
        }
        // A huge row: everything before it first, then its parts from this thread.
        if (pool) {
          for await (const row of pool.drain()) {
            yield row;
            progress();
          }
        }
        if (ev.kind === "row") {
          yield normaliseRow(ev.value, ev.index, ctx);
        } else {
          for (const part of normaliseStreamedRow(ev, ev.index, ctx)) yield part;
        }
        progress();
      }
      if (pool) {
        for await (const row of pool.drain()) {
          yield row;
          progress();
        }
      }
    }
  } finally {
    await pool?.close();
    scratch?.remove();
  }
}
