// A parsing worker: JSON.parse and normalise each row of a batch, post the rows back in order, with
// the writer's per-object pieces (writers/prepared.ts). A huge row comes as a stream of bytes
// instead (huge-worker.ts). Mask run buffers are transferred, not copied.
import { parentPort, workerData } from "node:worker_threads";
import { normaliseRow, type NormaliseContext } from "../encord/normalise.js";
import type { NormalisedRow } from "../model.js";
import { parseRow } from "../read/rows.js";
import { prepareRowPieces, stripped, type ObjectPreparer, type PreparedObject } from "../writers/prepared.js";
import { objectPreparer } from "../writers/preparers.js";
import type { HugeReply, HugeRequest } from "./huge-messages.js";
import { errorOf, HugeRowJob } from "./huge-worker.js";
import type { BatchRequest, BatchResult, WorkerSetup } from "./pool.js";

const setup = workerData as WorkerSetup;
const ctx: NormaliseContext = setup.ctx;
// The writer's per-object pieces, made here beside the row.
const preparer = setup.prepare ? objectPreparer(setup.prepare) : undefined;
const keepGeometry = setup.prepare?.keepGeometry ?? true;
const prepare = preparer ? (row: NormalisedRow) => piecesOf(row, preparer) : undefined;

/** A row's pieces; an object whose text is made needs no geometry in the main thread then, unless the writer says so. */
function piecesOf(row: NormalisedRow, p: ObjectPreparer): (PreparedObject | null)[] {
  const pieces = prepareRowPieces(row, p);
  if (!keepGeometry) {
    let k = 0;
    for (const item of row.items) for (const obj of item.objects) if (pieces[k++]?.text !== undefined) obj.geometry = stripped(obj.geometry);
  }
  return pieces;
}
let huge: HugeRowJob | undefined;

function transferables(rows: readonly NormalisedRow[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const row of rows) {
    for (const item of row.items) {
      for (const obj of item.objects) {
        if (obj.geometry.kind !== "mask") continue;
        const counts = obj.geometry.mask.counts;
        // Only a buffer the counts own whole can move (a view into a shared one would take it along).
        if (counts.byteOffset === 0 && counts.byteLength === counts.buffer.byteLength) out.add(counts.buffer as ArrayBuffer);
      }
    }
  }
  return [...out];
}

function batch(req: BatchRequest): void {
  const data = Buffer.from(req.buffer);
  const rows: NormalisedRow[] = [];
  const pieces: (PreparedObject | null)[][] = [];
  const result: BatchResult = { seq: req.seq, rows, ...(prepare ? { pieces } : {}) };
  for (let i = 0; i + 3 < req.rows.length; i += 4) {
    const index = req.rows[i] as number;
    try {
      const raw = parseRow(data.subarray(req.rows[i + 2] as number, req.rows[i + 3] as number), index, req.rows[i + 1] as number, req.document);
      const row = normaliseRow(raw.value, index, ctx);
      if (prepare) pieces.push(prepare(row));
      rows.push(row);
    } catch (e) {
      result.error = errorOf(e);
      break;
    }
  }
  parentPort?.postMessage(result, transferables(rows));
}

const post = (m: HugeReply, transfer: ArrayBuffer[] = []): void => parentPort?.postMessage(m, transfer);

parentPort?.on("message", (m: BatchRequest | HugeRequest) => {
  if (!("type" in m)) return batch(m);
  if (m.type === "huge-start") {
    const job = new HugeRowJob(m, ctx, prepare, post, transferables);
    huge = job;
    void job.run().finally(() => {
      if (huge === job) huge = undefined;
    });
    return;
  }
  huge?.handle(m);
});
