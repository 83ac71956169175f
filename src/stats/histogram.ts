// Bounded-memory distributions for dataset statistics: fixed bins decided before the first value, so
// a 5 M-object export costs the same few hundred counters as a small one.

export interface Bin {
  from: number; // inclusive
  to: number; // exclusive (the last bin of a histogram may be open: Infinity)
  count: number;
}

export interface Summary {
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Exact where the summary says so (exactMedian), else the middle of the bin holding the median. */
  median: number | null;
  exactMedian: boolean;
  bins: Bin[];
}

/**
 * A histogram over fixed bin edges [e0, e1), [e1, e2), ... plus exact count, min, max and sum.
 * Values below e0 go to the first bin, values at or above the last edge to the last one.
 */
export class FixedHistogram {
  private readonly counts: Float64Array;
  private n = 0;
  private sum = 0;
  private lo = Infinity;
  private hi = -Infinity;

  /** edges: ascending, at least two; the bins are between consecutive edges. */
  constructor(private readonly edges: readonly number[]) {
    if (edges.length < 2) throw new RangeError("a histogram needs at least two edges");
    this.counts = new Float64Array(edges.length - 1);
  }

  add(v: number): void {
    if (!Number.isFinite(v)) return;
    this.n++;
    this.sum += v;
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
    const b = this.binOf(v);
    this.counts[b] = (this.counts[b] as number) + 1;
  }

  private binOf(v: number): number {
    const e = this.edges;
    let lo = 0;
    let hi = e.length - 2;
    if (v < (e[1] as number)) return 0;
    if (v >= (e[hi] as number)) return hi;
    // The last bin whose lower edge is <= v.
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((e[mid] as number) <= v) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  get count(): number {
    return this.n;
  }

  /** The value at quantile q (0..1), as the middle of its bin (geometric for log bins), clamped to min/max. */
  quantile(q: number, geometric: boolean): number | null {
    if (this.n === 0) return null;
    const target = q * (this.n - 1);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] as number;
      if (seen > target) {
        const a = Math.max(this.edges[i] as number, this.lo);
        const b = Math.min(this.edges[i + 1] as number, this.hi);
        const mid = geometric && a > 0 ? Math.sqrt(a * b) : (a + b) / 2;
        return Math.min(this.hi, Math.max(this.lo, mid));
      }
    }
    return this.hi;
  }

  summary(geometric: boolean): Summary {
    const bins: Bin[] = [];
    for (let i = 0; i < this.counts.length; i++) bins.push({ from: this.edges[i] as number, to: this.edges[i + 1] as number, count: this.counts[i] as number });
    return {
      count: this.n,
      min: this.n ? this.lo : null,
      max: this.n ? this.hi : null,
      mean: this.n ? this.sum / this.n : null,
      median: this.quantile(0.5, geometric),
      exactMedian: false,
      bins,
    };
  }
}

/** Edges at powers of 2^(1/steps) from 2^lowExp to 2^highExp, with 0 in front (an open first bin). */
export function logEdges(lowExp: number, highExp: number, steps: number): number[] {
  const edges = [0];
  for (let k = lowExp * steps; k <= highExp * steps; k++) edges.push(2 ** (k / steps));
  edges.push(Infinity);
  return edges;
}

/** Edges from 0 to 1 in `n` equal steps, the last bin closed at 1 (a value of exactly 1 falls in it). */
export function unitEdges(n: number): number[] {
  const edges: number[] = [];
  for (let k = 0; k < n; k++) edges.push(k / n);
  edges.push(Infinity);
  return edges;
}

/**
 * Counts of whole-number values (objects per item), exact: one counter per distinct value. The number
 * of distinct values d is bounded by the total t they add up to (d(d-1)/2 <= t), so 5 M objects give at
 * most ~3,200 counters.
 */
export class IntegerCounts {
  private readonly byValue = new Map<number, number>();
  private n = 0;
  private sum = 0;

  add(v: number): void {
    this.byValue.set(v, (this.byValue.get(v) ?? 0) + 1);
    this.n++;
    this.sum += v;
  }

  get count(): number {
    return this.n;
  }

  /** Exact min, max, mean and median (the lower middle value for an even count), bins of `edges`. */
  summary(edges: readonly number[]): Summary {
    const values = [...this.byValue.keys()].sort((a, b) => a - b);
    let median: number | null = null;
    let seen = 0;
    const middle = Math.floor((this.n - 1) / 2);
    for (const v of values) {
      seen += this.byValue.get(v) ?? 0;
      if (seen > middle) {
        median = v;
        break;
      }
    }
    const bins: Bin[] = [];
    for (let i = 0; i + 1 < edges.length; i++) bins.push({ from: edges[i] as number, to: edges[i + 1] as number, count: 0 });
    for (const v of values) {
      const bin = bins.find((b) => v >= b.from && v < b.to) ?? (bins[bins.length - 1] as Bin);
      bin.count += this.byValue.get(v) ?? 0;
    }
    return {
      count: this.n,
      min: values.length ? (values[0] as number) : null,
      max: values.length ? (values[values.length - 1] as number) : null,
      mean: this.n ? this.sum / this.n : null,
      median,
      exactMedian: true,
      bins,
    };
  }
}

/** Bins for objects per item: 0, 1, 2, 3, 4, 5-9, 10-19, 20-49, 50-99, 100-199, 200-499, 500-999, 1000+. */
export const PER_ITEM_EDGES: readonly number[] = [0, 1, 2, 3, 4, 5, 10, 20, 50, 100, 200, 500, 1000, Infinity];
