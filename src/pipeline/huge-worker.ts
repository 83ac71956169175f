// The worker side of a huge row (pipeline/huge-messages.ts): the row's bytes arrive in chunks and go
// through the same spooling (read/spool.ts) and part-by-part normalising as in the main thread, so
// the parts are the same; each part is posted with the writer's pieces, a few ahead at most.
import { normaliseRow, normaliseStreamedRow, type NormaliseContext } from "../encord/normalise.js";
import { InputError, type NormalisedRow } from "../model.js";
import type { HugeRowInfo } from "../read/rows.js";
import { spoolHugeRow } from "../read/spool.js";
import type { PreparedObject } from "../writers/prepared.js";
import { PARTS_IN_FLIGHT, PARTS_PER_MESSAGE, type HugeReply, type HugeRequest, type HugeStart } from "./huge-messages.js";
import type { BatchError } from "./pool.js";

type Post = (m: HugeReply, transfer?: ArrayBuffer[]) => void;

/** A queue of values that an async loop waits on. */
class Waiting<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  put(v: T): void {
    this.items.push(v);
    this.wake?.();
    this.wake = undefined;
  }
  async take(): Promise<T> {
    while (this.items.length === 0) await new Promise<void>((r) => (this.wake = r));
    return this.items.shift() as T;
  }
}

export function errorOf(e: unknown): BatchError {
  return e instanceof InputError
    ? { message: e.message, ...(e.where ? { where: e.where } : {}) }
    : { message: e instanceof Error ? e.message : String(e), internal: true };
}

/** One huge row being read in this worker. */
export class HugeRowJob {
  private readonly chunks = new Waiting<Uint8Array | null>();
  private readonly credits = new Waiting<true>();
  private size = 0;

  constructor(
    private readonly start: HugeStart,
    private readonly ctx: NormaliseContext,
    private readonly prepare: ((row: NormalisedRow) => (PreparedObject | null)[]) | undefined,
    private readonly post: Post,
    private readonly transferables: (rows: readonly NormalisedRow[]) => ArrayBuffer[],
  ) {
    for (let i = 0; i < PARTS_IN_FLIGHT; i++) this.credits.put(true);
  }

  /** Messages for this row; false once the row is over (the message was not for it). */
  handle(m: HugeRequest): void {
    if (m.type === "huge-bytes") this.chunks.put(m.end ? null : (m.data as Uint8Array));
    else if (m.type === "huge-credit") this.credits.put(true);
  }

  async run(): Promise<void> {
    try {
      const info: HugeRowInfo = { index: this.start.index, offset: this.start.offset, document: this.start.document, bytes: () => this.size };
      const consumer = spoolHugeRow({ tempDir: this.start.tempDir });
      for await (const ev of consumer(this.bytes(), info)) {
        const parts = ev.kind === "row" ? [normaliseRow(ev.value, ev.index, this.ctx)] : normaliseStreamedRow(ev, ev.index, this.ctx);
        let rows: NormalisedRow[] = [];
        let pieces: (PreparedObject | null)[][] = [];
        const send = async (): Promise<void> => {
          await this.credits.take();
          this.post({ type: "huge-part", rows, ...(this.prepare ? { pieces } : {}) }, this.transferables(rows));
          rows = [];
          pieces = [];
        };
        for (const part of parts) {
          if (this.prepare) pieces.push(this.prepare(part));
          rows.push(part);
          if (rows.length >= PARTS_PER_MESSAGE) await send();
        }
        if (rows.length > 0) await send();
      }
      this.post({ type: "huge-done" });
    } catch (e) {
      this.post({ type: "huge-error", error: errorOf(e) });
    }
  }

  private async *bytes(): AsyncGenerator<Buffer> {
    for (;;) {
      const c = await this.chunks.take();
      if (c === null) return;
      this.size += c.length;
      yield Buffer.from(c.buffer, c.byteOffset, c.length);
      this.post({ type: "huge-ack" });
    }
  }
}
