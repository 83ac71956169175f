// Parsing and normalising in worker threads. The main thread scans row boundaries and hands rows
// out in batches (about BATCH_BYTES of row bytes, copied into one transferred buffer); each worker
// JSON.parses and normalises its batch and posts the NormalisedRows back. Batches are numbered and
// their rows handed on strictly in that order, so the output does not depend on which worker
// finished first, nor on how many there are. A few batches per worker are in flight at most, which
// bounds memory.
import { Worker } from "node:worker_threads";
import type { NormaliseContext } from "../encord/normalise.js";
import { InputError, type Location, type NormalisedRow } from "../model.js";
import type { HugeRowInfo, RowBytesEvent } from "../read/rows.js";
import { BYTES_IN_FLIGHT, type HugeReply, type HugeRequest } from "./huge-messages.js";
import { attachPieces, type PreparedObject } from "../writers/prepared.js";
import type { PrepareSpec } from "../writers/preparers.js";

/** What each worker is started with. */
export interface WorkerSetup {
  ctx: NormaliseContext;
  /** The writer whose per-object pieces the worker makes beside each row (none: rows only). */
  prepare?: PrepareSpec;
}

const BATCH_BYTES = 1 << 20;
// One batch per worker in flight: the results (rows with their pieces) waiting for the main thread
// were ~40 MB of the peak RSS with three (400 MB mixed export, 2 workers); the main thread consumes
// the head batch while the workers make the next ones, so one each keeps them busy.
const IN_FLIGHT_PER_WORKER = 1;

/** What the main thread sends: rows as [index, offset, start, end] within `buffer`. */
export interface BatchRequest {
  seq: number;
  document: string;
  rows: number[];
  buffer: ArrayBuffer;
}

export interface BatchError {
  message: string;
  where?: Location;
  /** Not an InputError: a bug, reported as an internal error. */
  internal?: boolean;
}

/** What a worker sends back: the batch's rows up to the first row that failed, and that failure. */
export interface BatchResult {
  seq: number;
  rows: NormalisedRow[];
  /** Per row (when the worker prepares pieces): its objects' pieces, item by item. */
  pieces?: (PreparedObject | null)[][];
  error?: BatchError;
}

interface InFlight {
  seq: number;
  worker: number;
  result?: BatchResult;
  done: Promise<void>;
  settle: () => void;
}

function hugeError(e: BatchError): Error {
  return e.internal ? new Error(e.message) : new InputError(e.message, e.where);
}

/** Worker threads need the built worker script; from TypeScript sources (tests) rows are parsed in place. */
export function workersAvailable(): boolean {
  return import.meta.url.endsWith(".js");
}

export class ParsePool {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = []; // batches in flight per worker
  private readonly inFlight: InFlight[] = []; // in seq order
  private failure: Error | undefined;
  private seq = 0;
  // The batch being filled.
  private buffer = Buffer.alloc(0);
  private used = 0;
  private rows: number[] = [];
  private document = "";
  // The replies of the huge row being read in worker 0, and who waits for the next one.
  private hugeReplies: HugeReply[] = [];
  private hugeWake: (() => void) | undefined;

  constructor(jobs: number, ctx: NormaliseContext, prepare?: PrepareSpec) {
    const setup: WorkerSetup = { ctx, prepare };
    for (let i = 0; i < jobs; i++) {
      // A small young generation per worker: with 8 MB, 30 MB less RSS than the default with 2 workers at
      // the same speed (400 MB export); 4 MB took another ~25 MB off VOC's peak at the same CPU time.
      const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
      worker.on("message", (r: BatchResult | HugeReply) => ("type" in r ? this.hugeReply(r) : this.received(r)));
      worker.on("error", (e: Error) => this.fail(e));
      worker.on("exit", (code) => {
        if (code !== 0) this.fail(new Error(`a parsing worker stopped (exit code ${code})`));
      });
      this.workers.push(worker);
      this.load.push(0);
    }
  }

  /** Queue a row; its bytes are copied, so the event's buffer may be reused at once. */
  add(ev: RowBytesEvent): void {
    const size = ev.data.length;
    if (this.rows.length > 0 && (ev.document !== this.document || this.used + size > this.buffer.length)) this.dispatch();
    if (this.rows.length === 0) {
      this.document = ev.document;
      // A fresh ArrayBuffer per batch (the last one moved to a worker), so it is transferred, not copied.
      this.buffer = Buffer.from(new ArrayBuffer(Math.max(BATCH_BYTES, size)));
    }
    ev.data.copy(this.buffer, this.used);
    this.rows.push(ev.index, ev.offset, this.used, this.used + size);
    this.used += size;
    if (this.used >= BATCH_BYTES) this.dispatch();
  }

  /** Rows of finished batches, in order; waits only while too many batches are in flight. */
  async *ready(): AsyncGenerator<NormalisedRow> {
    for (;;) {
      const head = this.inFlight[0];
      if (!head) return;
      if (!head.result) {
        if (this.inFlight.length < this.workers.length * IN_FLIGHT_PER_WORKER) return;
        await head.done;
      }
      yield* this.take();
    }
  }

  /** Send the batch being filled, then every row of every batch, in order. */
  async *drain(): AsyncGenerator<NormalisedRow> {
    if (this.rows.length > 0) this.dispatch();
    for (;;) {
      const head = this.inFlight[0];
      if (!head) return;
      await head.done;
      yield* this.take();
    }
  }

  /**
   * A huge row read by worker 0 (pipeline/huge-worker.ts): its bytes go there as they come, its
   * parts come back in order. The caller yields every earlier row before the first part.
   */
  async *hugeRow(bytes: AsyncIterable<Buffer>, row: HugeRowInfo, tempDir: string): AsyncGenerator<NormalisedRow> {
    if (this.rows.length > 0) this.dispatch(); // the rows before it start now
    const worker = this.workers[0] as Worker;
    const send = (m: HugeRequest, transfer: ArrayBuffer[] = []): void => worker.postMessage(m, transfer);
    this.hugeReplies = [];
    send({ type: "huge-start", index: row.index, offset: row.offset, document: row.document, tempDir });
    let unacked = 0;
    for await (const chunk of bytes) {
      // A copy of exactly the chunk moves (the chunk may be a view into a larger buffer).
      const data = new Uint8Array(chunk.length);
      data.set(chunk);
      send({ type: "huge-bytes", data }, [data.buffer]);
      unacked++;
      while (unacked >= BYTES_IN_FLIGHT) {
        const r = await this.nextHugeReply();
        if (r.type === "huge-error") throw hugeError(r.error);
        if (r.type !== "huge-ack") {
          this.hugeReplies.unshift(r); // a part already: kept for the loop below
          break;
        }
        unacked--;
      }
    }
    send({ type: "huge-bytes", end: true });
    for (;;) {
      const r = await this.nextHugeReply();
      if (r.type === "huge-ack") continue;
      if (r.type === "huge-done") return;
      if (r.type === "huge-error") throw hugeError(r.error);
      send({ type: "huge-credit" }); // the worker goes on with the next parts meanwhile
      for (const [i, part] of r.rows.entries()) {
        if (r.pieces) attachPieces(part, r.pieces[i] ?? []);
        yield part;
      }
    }
  }

  private async nextHugeReply(): Promise<HugeReply> {
    for (;;) {
      if (this.failure) throw this.failure;
      const r = this.hugeReplies.shift();
      if (r) return r;
      await new Promise<void>((res) => (this.hugeWake = res));
    }
  }

  private hugeReply(r: HugeReply): void {
    this.hugeReplies.push(r);
    this.hugeWake?.();
    this.hugeWake = undefined;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** The rows of the finished head batch (then its error, if a row failed). */
  private *take(): Generator<NormalisedRow> {
    if (this.failure) throw this.failure;
    const head = this.inFlight.shift() as InFlight;
    const result = head.result as BatchResult;
    const pieces = result.pieces;
    if (pieces) result.rows.forEach((row, i) => attachPieces(row, pieces[i] ?? []));
    yield* result.rows;
    const e = result.error;
    if (e) throw e.internal ? new Error(e.message) : new InputError(e.message, e.where);
  }

  private dispatch(): void {
    if (this.failure) throw this.failure;
    let w = 0;
    for (let i = 1; i < this.workers.length; i++) if ((this.load[i] as number) < (this.load[w] as number)) w = i;
    // The whole buffer moves (the rows say where they are in it): no copy.
    const buffer = this.buffer.buffer as ArrayBuffer;
    const req: BatchRequest = { seq: this.seq++, document: this.document, rows: this.rows, buffer };
    let settle = (): void => undefined;
    const done = new Promise<void>((res) => (settle = res));
    this.inFlight.push({ seq: req.seq, worker: w, done, settle });
    this.load[w] = (this.load[w] as number) + 1;
    (this.workers[w] as Worker).postMessage(req, [buffer]);
    this.buffer = Buffer.alloc(0);
    this.used = 0;
    this.rows = [];
  }

  private received(r: BatchResult): void {
    const f = this.inFlight.find((b) => b.seq === r.seq);
    if (!f) return;
    f.result = r;
    this.load[f.worker] = (this.load[f.worker] as number) - 1;
    f.settle();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const f of this.inFlight) f.settle();
    this.hugeWake?.();
  }
}
