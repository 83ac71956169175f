// COCO's compressed RLE string code (maskApi.c rleToString / rleFrString), which Encord's rleString
// also uses, but over a ROW-major flattening (index = y*width + x). COCO's own RLE is COLUMN-major
// (index = x*height + y). Counts alternate zeros and ones and start with a run of zeros.
// Pure functions; arithmetic instead of 32-bit shifts so large values stay exact.

export class RleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RleError";
  }
}

const FIRST = 48; // '0'
const LAST = 111; // 'o'

/** Decode a compressed RLE string into its run counts. Throws RleError on corruption. */
export function decodeRleString(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    let c = 0;
    while (more) {
      if (p >= s.length) throw new RleError("rleString ends in the middle of a number");
      const code = s.charCodeAt(p);
      if (code < FIRST || code > LAST) {
        throw new RleError(`rleString has character ${JSON.stringify(s[p])} at ${p}, outside '0'..'o'`);
      }
      c = code - FIRST;
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (k > 10) throw new RleError("rleString has a number longer than 50 bits");
    }
    if (c & 0x10) x -= 2 ** (5 * k); // sign of the final chunk
    if (counts.length > 2) x += counts[counts.length - 2] as number;
    if (x < 0) throw new RleError(`rleString decodes to a negative run (${x}) at run ${counts.length}`);
    counts.push(x);
  }
  return counts;
}

/** Encode run counts as a compressed RLE string (the inverse of decodeRleString). */
export function encodeRleString(counts: ArrayLike<number>): string {
  const out: string[] = [];
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i] as number;
    if (i > 2) x -= counts[i - 2] as number;
    for (let more = true; more; ) {
      let c = ((x % 32) + 32) % 32; // low 5 bits, two's complement
      x = Math.floor(x / 32); // arithmetic shift
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      out.push(String.fromCharCode(c + FIRST));
    }
  }
  return out.join("");
}

export function runsTotal(counts: ArrayLike<number>): number {
  let t = 0;
  for (let i = 0; i < counts.length; i++) t += counts[i] as number;
  return t;
}

/** Pixels set (the sum of the odd runs). */
export function runsArea(counts: ArrayLike<number>): number {
  let a = 0;
  for (let i = 1; i < counts.length; i += 2) a += counts[i] as number;
  return a;
}

/**
 * Fit runs to exactly `total` pixels: a short string is padded with zeros (what Encord's SDK does);
 * a long one is an error. Returns the fitted counts.
 */
export function fitRuns(counts: number[], total: number): { counts: Uint32Array; padded: number } {
  // Runs are stored as 32-bit counts; a larger mask would wrap them silently.
  if (total > 0xffffffff) throw new RleError(`a mask of ${total} pixels is more than 32-bit run counts can hold`);
  const sum = runsTotal(counts);
  if (sum > total) throw new RleError(`rleString runs add up to ${sum} pixels, more than ${total}`);
  const padded = total - sum;
  if (padded === 0) return { counts: Uint32Array.from(counts), padded };
  const fitted = counts.length % 2 === 1 ? [...counts.slice(0, -1), (counts[counts.length - 1] as number) + padded] : [...counts, padded];
  if (fitted.length === 0) fitted.push(padded);
  return { counts: Uint32Array.from(fitted), padded };
}

/** Expand runs into a 0/1 pixel buffer in the runs' own flattening order. */
export function runsToMask(counts: ArrayLike<number>, total: number, value = 1): Uint8Array {
  const mask = new Uint8Array(total);
  let pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i] as number;
    if (i % 2 === 1) mask.fill(value, pos, Math.min(total, pos + run));
    pos += run;
  }
  return mask;
}

/** Run counts of a 0/non-0 buffer in its own order, starting with zeros. */
export function maskToRuns(mask: ArrayLike<number>): number[] {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let i = 0; i < mask.length; i++) {
    const v = (mask[i] as number) !== 0 ? 1 : 0;
    if (v !== current) {
      counts.push(run);
      run = 0;
      current = v;
    }
    run++;
  }
  counts.push(run);
  return counts;
}

/** Calls fn(y, x0, x1) for every horizontal segment of set pixels [x0, x1) in row order. */
export function forEachRowSegment(
  counts: ArrayLike<number>,
  width: number,
  fn: (y: number, x0: number, x1: number) => void,
): void {
  let pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i] as number;
    if (i % 2 === 1 && run > 0) {
      let s = pos;
      const e = pos + run;
      while (s < e) {
        const y = Math.floor(s / width);
        const rowEnd = (y + 1) * width;
        const segEnd = e < rowEnd ? e : rowEnd;
        fn(y, s - y * width, segEnd - y * width);
        s = segEnd;
      }
    }
    pos += run;
  }
}

export interface PixelBox {
  x: number; // min column
  y: number; // min row
  w: number; // max column - min column + 1
  h: number;
}

/** The extent of the set pixels of row-major runs (COCO toBbox semantics), or null when empty. */
export function rowRunsBBox(counts: ArrayLike<number>, width: number): PixelBox | null {
  // A direct walk (no callback per segment): only a run's first and last rows can be partial.
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -1;
  let maxY = -1;
  let pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i] as number;
    if ((i & 1) === 1 && run > 0) {
      const y0 = Math.floor(pos / width);
      const y1 = Math.floor((pos + run - 1) / width);
      if (y0 < minY) minY = y0;
      if (y1 > maxY) maxY = y1;
      if (y1 > y0) {
        // Spans a row end: covers column 0 (of row y0+1) and column width-1 (of row y0).
        minX = 0;
        maxX = width - 1;
      } else {
        const x0 = pos - y0 * width;
        if (x0 < minX) minX = x0;
        if (x0 + run - 1 > maxX) maxX = x0 + run - 1;
      }
    }
    pos += run;
  }
  if (maxY < 0) return null;
  return { x: minX, y: minY, w: maxX - minX + 1, h: maxY - minY + 1 };
}

/**
 * Runs (zeros first) built from set intervals [start, end) given in increasing order; an interval
 * that starts where the last one ended extends it (touching across a row or column end).
 */
export class RunsBuilder {
  private readonly out: number[] = [];
  private written = 0; // end of the last run written
  private open = -1; // start of a run of ones not yet written
  private openEnd = -1;

  add(start: number, end: number): void {
    if (this.open >= 0 && start === this.openEnd) {
      this.openEnd = end;
      return;
    }
    this.flush();
    this.open = start;
    this.openEnd = end;
  }

  /** The runs, the last zeros padded to `total` pixels (a lone zero run when nothing was set). */
  finish(total: number): number[] {
    this.flush();
    if (total > this.written || this.out.length === 0) this.out.push(total - this.written);
    return this.out;
  }

  private flush(): void {
    if (this.open < 0) return;
    this.out.push(this.open - this.written, this.openEnd - this.open);
    this.written = this.openEnd;
    this.open = -1;
  }
}
