// A parsing worker: JSON.parse and normalise each row of a batch, post the rows back in order.
// Mask run buffers are transferred, not copied.
import { parentPort, workerData } from "node:worker_threads";
import { normaliseRow, type NormaliseContext } from "../encord/normalise.js";
import { InputError, type NormalisedRow } from "../model.js";
import { parseRow } from "../read/rows.js";
import type { BatchRequest, BatchResult } from "./pool.js";

const ctx = workerData as NormaliseContext;

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

parentPort?.on("message", (req: BatchRequest) => {
  const data = Buffer.from(req.buffer);
  const rows: NormalisedRow[] = [];
  const result: BatchResult = { seq: req.seq, rows };
  for (let i = 0; i + 3 < req.rows.length; i += 4) {
    const index = req.rows[i] as number;
    try {
      const raw = parseRow(data.subarray(req.rows[i + 2] as number, req.rows[i + 3] as number), index, req.rows[i + 1] as number, req.document);
      rows.push(normaliseRow(raw.value, index, ctx));
    } catch (e) {
      result.error =
        e instanceof InputError
          ? { message: e.message, ...(e.where ? { where: e.where } : {}) }
          : { message: e instanceof Error ? e.message : String(e), internal: true };
      break;
    }
  }
  parentPort?.postMessage(result, transferables(rows));
});
