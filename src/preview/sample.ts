// A deterministic sample of N items from a stream of unknown length, in bounded memory: each item is
// ranked by SHA-256(seed + ":" + item key) and the N lowest ranks are kept, so the sample depends on
// the items and the seed only (not on their order, the number of worker threads or other rows), and
// comes back in input order.
import { createHash } from "node:crypto";

export function sampleRank(seed: number, key: string): string {
  return createHash("sha256").update(`${seed}:${key}`).digest("hex");
}

interface Entry<T> {
  rank: string;
  order: number;
  value: T;
}

export class Sampler<T> {
  private readonly kept: Entry<T>[] = []; // ascending rank
  private seen = 0;

  constructor(
    private readonly size: number,
    private readonly seed: number,
  ) {}

  /** Offer one value with its stable key; it is kept while it ranks among the lowest `size`. */
  offer(key: string, value: T): void {
    const order = this.seen++;
    if (this.size <= 0) return;
    const rank = sampleRank(this.seed, key);
    const kept = this.kept;
    if (kept.length === this.size && rank >= (kept[kept.length - 1] as Entry<T>).rank) return;
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((kept[mid] as Entry<T>).rank <= rank) lo = mid + 1;
      else hi = mid;
    }
    kept.splice(lo, 0, { rank, order, value });
    if (kept.length > this.size) kept.pop();
  }

  /** Values offered so far. */
  get offered(): number {
    return this.seen;
  }

  /** The sample, in the order the values were offered. */
  values(): T[] {
    return [...this.kept].sort((a, b) => a.order - b.order).map((e) => e.value);
  }
}
