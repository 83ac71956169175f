// --shard in the reader: which rows this run converts, decided on each row's bytes before anything
// parses them. An ordinary row is decided on its slice; a huge row (over --max-row-bytes) on its
// first bytes, so a huge row of another shard is skipped without being spooled.
import { RowKeyFinder, rowDataHash } from "../read/shard-key.js";
import type { HugeRowBytesConsumer, HugeRowInfo } from "../read/rows.js";
import { shardOf, type ShardSpec } from "../shards.js";

/** True when the row whose bytes these are belongs to the shard. */
export function rowInShard(data: Buffer, shard: ShardSpec): boolean {
  return shardOf(rowDataHash(data), shard.count) === shard.index;
}

// Encord writes data_hash in a row's first few hundred bytes: a huge row is held this long at most
// before the decision, which the scanner's own buffer (--max-row-bytes) already bounds.
const HOLD_BYTES = 1 << 20;

/** Thrown through the huge-row consumer to stop it when a row turns out to be another shard's. */
class OtherShard extends Error {}

/**
 * A huge-row consumer that passes on only the rows of `shard`. The row's bytes are held until its
 * top-level data_hash is found (normally in the first chunk); a row of another shard is then
 * dropped, unread, and `skipped` is told. Should data_hash come later than HOLD_BYTES (not Encord's
 * key order), the row goes to `inner` while the search goes on, and is dropped as soon as it is
 * known, always before the row's value is parsed.
 */
export function shardHugeRows<E>(inner: HugeRowBytesConsumer<E>, shard: ShardSpec, skipped: (row: HugeRowInfo) => void): HugeRowBytesConsumer<E> {
  const ours = (f: RowKeyFinder): boolean => shardOf(f.value ?? "", shard.count) === shard.index;
  return async function* sharded(bytes: AsyncIterable<Buffer>, row: HugeRowInfo): AsyncGenerator<E> {
    const it = bytes[Symbol.asyncIterator]();
    const finder = new RowKeyFinder();
    const held: Buffer[] = [];
    let heldBytes = 0;
    let ended = false;
    while (!finder.done && heldBytes < HOLD_BYTES) {
      const r = await it.next();
      if (r.done) {
        finder.end();
        ended = true;
        break;
      }
      held.push(r.value);
      heldBytes += r.value.length;
      finder.push(r.value);
    }
    if (finder.done && !ours(finder)) {
      skipped(row); // the reader skips the rest of the row's bytes
      return;
    }
    async function* replay(): AsyncGenerator<Buffer> {
      for (const b of held.splice(0)) yield b;
      if (ended) {
        if (!finder.done) finder.end();
        if (!ours(finder)) throw new OtherShard();
        return;
      }
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        if (!finder.done) finder.push(r.value);
        // Stop the consumer as soon as the row is known to be another shard's.
        if (finder.done && !ours(finder)) throw new OtherShard();
        yield r.value;
      }
      // The last bytes are in: decide before the consumer parses anything.
      finder.end();
      if (!ours(finder)) throw new OtherShard();
    }
    try {
      yield* inner(replay(), row);
    } catch (e) {
      if (!(e instanceof OtherShard)) throw e;
      skipped(row);
    }
  };
}
