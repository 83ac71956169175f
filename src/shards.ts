// Which shard a label row belongs to (--shard K/N): a hash of the row's data_hash alone, so a row's
// shard never depends on the file, on its position or on the other rows, every frame of a video
// stays in one shard, and the N shards together hold every row exactly once.
import { createHash } from "node:crypto";

export interface ShardSpec {
  index: number; // K, from 0
  count: number; // N
}

/** The most shards a run may be split into. */
export const MAX_SHARDS = 65536;

// A salt of its own: with the split's hash, shard K would hold only some splits' rows.
const SALT = "encord-convert shard\u0000";

/** The shard (0..count-1) of a row with this data hash. */
export function shardOf(dataHash: string, count: number): number {
  if (count <= 1) return 0;
  const d = createHash("sha256").update(SALT + dataHash).digest();
  // 48 bits as a fraction of 1, times count: uniform, and exact in a double.
  const x = d.readUIntBE(0, 6);
  return Math.floor((x / 2 ** 48) * count);
}

/**
 * Parse "K/N" (0 <= K < N) or "auto/N", where K is the environment's JOB_COMPLETION_INDEX (set by
 * a Kubernetes Indexed Job for each of its pods). Throws an Error whose message names the problem.
 */
export function parseShard(text: string, env: NodeJS.ProcessEnv = process.env): ShardSpec {
  const m = /^\s*(auto|\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`--shard must be K/N (e.g. 0/8) or auto/N, not "${text}"`);
  const count = Number(m[2]);
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SHARDS) throw new Error(`--shard ${text}: N must be from 1 to ${MAX_SHARDS}`);
  let k = m[1] as string;
  if (k === "auto") {
    const fromEnv = env.JOB_COMPLETION_INDEX;
    if (fromEnv === undefined || fromEnv.trim() === "") {
      throw new Error(`--shard ${text} takes K from JOB_COMPLETION_INDEX (set in each pod of a Kubernetes Indexed Job), which is not set`);
    }
    if (!/^\s*\d+\s*$/.test(fromEnv)) throw new Error(`--shard ${text}: JOB_COMPLETION_INDEX is "${fromEnv}", not a whole number`);
    k = fromEnv.trim();
  }
  const index = Number(k);
  if (!Number.isSafeInteger(index) || index >= count) {
    throw new Error(`--shard ${text}: K must be from 0 to ${count - 1}${m[1] === "auto" ? ` (JOB_COMPLETION_INDEX is ${index})` : ""}`);
  }
  return { index, count };
}

/** "K/N", as messages and the manifest write it. */
export function shardLabel(s: ShardSpec): string {
  return `${s.index}/${s.count}`;
}
