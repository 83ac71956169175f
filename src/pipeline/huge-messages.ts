// Messages of a huge row read in a worker (pipeline/pool.ts, the main side, and
// pipeline/huge-worker.ts, the worker side). The main thread still finds the row's bytes in the
// input; the worker spools its frames, normalises it part by part and makes the writer's pieces.
// Both directions are paced by acknowledgements, so memory holds a few chunks and parts at most.
import type { NormalisedRow } from "../model.js";
import type { PreparedObject } from "../writers/prepared.js";
import type { BatchError } from "./pool.js";

/** Main -> worker: a huge row begins. */
export interface HugeStart {
  type: "huge-start";
  index: number;
  offset: number;
  document: string;
  /** Where its spool file goes. */
  tempDir: string;
}

/** Main -> worker: the row's next bytes (a transferred copy); `end` after the last. */
export interface HugeBytes {
  type: "huge-bytes";
  data?: Uint8Array;
  end?: boolean;
}

/** Main -> worker: the main thread took one part; the worker may send one more. */
export interface HugeCredit {
  type: "huge-credit";
}

export type HugeRequest = HugeStart | HugeBytes | HugeCredit;

/** Worker -> main. ack: a chunk of bytes was consumed; part: the next part; done: no more parts. */
export type HugeReply =
  | { type: "huge-ack" }
  | { type: "huge-part"; rows: NormalisedRow[]; pieces?: (PreparedObject | null)[][] }
  | { type: "huge-done" }
  | { type: "huge-error"; error: BatchError };

/** Chunks of a huge row sent and not yet consumed by the worker. */
export const BYTES_IN_FLIGHT = 4;
/** Messages of parts a worker sends ahead of the main thread. */
export const PARTS_IN_FLIGHT = 2;
/** Parts (a video's frames) per message: one message per frame cost more than the frame's own work (measured). */
export const PARTS_PER_MESSAGE = 16;
