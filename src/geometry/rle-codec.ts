// The bitmask hot path in single passes over the runs (issue 14, point 1): Encord's rleString
// (COCO's string code over a ROW-major mask) decoded straight into one typed array, and row-major
// runs turned into COCO's COLUMN-major compressed counts string in one walk that also gives the
// area and the bbox. Scratch buffers are module-level and reused from mask to mask, so a mask
// leaves behind only what it returns (its counts, or its COCO string): no per-mask number[] for
// the collector. The slow, obviously correct functions of rle.ts stay the reference and the
// fallback for anything unusual (a corrupt string, a mask over 32-bit counts).
import { decodeRleString, fitRuns } from "./rle.js";

const FIRST = 48; // '0'
const LAST = 111; // 'o'
const U32_MAX = 0xffffffff;

/** 32^k for k = 0..10, so a chunk's weight is a multiplication, not a power. */
const POW32: readonly number[] = Array.from({ length: 11 }, (_v, k) => 2 ** (5 * k));

let runScratch = new Uint32Array(4096);

function growRuns(need: number): void {
  let n = runScratch.length;
  while (n < need) n *= 2;
  const next = new Uint32Array(n);
  next.set(runScratch);
  runScratch = next;
}

/**
 * Decode an rleString and fit it to `total` pixels, as fitRuns(decodeRleString(s), total) does
 * (same counts, same padding, same errors), into one new Uint32Array of exactly the runs. Any
 * irregularity (a bad character, a cut number, a negative or over-32-bit run, runs longer than the
 * mask) hands the string to that reference pair, which throws the error it always threw.
 */
export function decodeRleRuns(s: string, total: number): { counts: Uint32Array; padded: number } {
  if (total > U32_MAX) return fitRuns(decodeRleString(s), total);
  const len = s.length;
  let n = 0;
  let sum = 0;
  let p = 0;
  while (p < len) {
    let x = 0;
    let k = 0;
    let c = 0;
    do {
      if (p >= len || k >= 10) return fitRuns(decodeRleString(s), total);
      const code = s.charCodeAt(p);
      if (code < FIRST || code > LAST) return fitRuns(decodeRleString(s), total);
      c = code - FIRST;
      x += (c & 0x1f) * (POW32[k] as number);
      p++;
      k++;
    } while (c & 0x20);
    if (c & 0x10) x -= POW32[k] as number; // sign of the final chunk
    if (n > 2) x += runScratch[n - 2] as number;
    if (x < 0 || x > U32_MAX) return fitRuns(decodeRleString(s), total);
    sum += x;
    if (sum > total) return fitRuns(decodeRleString(s), total);
    if (n >= runScratch.length) growRuns(n + 1);
    runScratch[n++] = x;
  }
  const padded = total - sum;
  if (padded > 0) {
    // fitRuns' padding: a string ending on zeros gets a longer last run, one ending on ones a new run.
    if (n % 2 === 1) runScratch[n - 1] = (runScratch[n - 1] as number) + padded;
    else {
      if (n >= runScratch.length) growRuns(n + 1);
      runScratch[n++] = padded;
    }
  }
  return { counts: runScratch.slice(0, n), padded };
}

/** Bytes of the COCO string being written; grown on demand and reused. */
let text = Buffer.alloc(8192);
let textLen = 0;
/** The last two counts written (the code stores count i as the difference to count i-2 from i = 3). */
let countIndex = 0;
let back1 = 0;
let back2 = 0;

/** Room for one more count: at most 11 characters (a 55-bit difference). */
function reserve(): void {
  if (textLen + 11 <= text.length) return;
  const next = Buffer.alloc(text.length * 2);
  text.copy(next, 0, 0, textLen);
  text = next;
}

/** Append one count to the string, in COCO's code (5-bit chunks, low first, sign in the last chunk). */
function putCount(count: number): void {
  let x = countIndex > 2 ? count - back2 : count;
  back2 = back1;
  back1 = count;
  countIndex++;
  reserve();
  const out = text;
  if (x >= -16 && x < 16) {
    out[textLen++] = (x & 0x1f) + FIRST; // the common case: one character
    return;
  }
  if (x >= -0x40000000 && x < 0x40000000) {
    for (;;) {
      let c = x & 0x1f;
      x >>= 5;
      const more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      out[textLen++] = c + FIRST;
      if (!more) return;
    }
  }
  for (let more = true; more; ) {
    let c = ((x % 32) + 32) % 32; // low 5 bits, two's complement
    x = Math.floor(x / 32); // arithmetic shift
    more = c & 0x10 ? x !== -1 : x !== 0;
    if (more) c |= 0x20;
    out[textLen++] = c + FIRST;
  }
}

function startString(): void {
  textLen = 0;
  countIndex = 0;
  back1 = 0;
  back2 = 0;
}

/** Encode run counts as a compressed RLE string: the same string as rle.ts encodeRleString. */
export function encodeCounts(counts: ArrayLike<number>): string {
  startString();
  for (let i = 0; i < counts.length; i++) putCount(counts[i] as number);
  return text.toString("latin1", 0, textLen);
}

/** A mask in COCO's terms: its column-major compressed counts, pixel count and toBbox extent. */
export interface CocoMask {
  counts: string;
  area: number;
  /** [x, y, w, h] of the set pixels in whole pixels. */
  bbox: [number, number, number, number];
}

// Scratch for the transposition: the endpoints of the previous and current row's set segments,
// the per-row toggle events (x0, x1, y), and the toggles grouped by column.
let prevEnds = new Int32Array(256);
let curEnds = new Int32Array(256);
let events = new Int32Array(3 * 1024);
let eventLen = 0;
let columnStart = new Int32Array(0);
let toggleRows = new Int32Array(4096);

function pushEvent(x0: number, x1: number, y: number): void {
  if (eventLen + 3 > events.length) {
    const next = new Int32Array(events.length * 2);
    next.set(events);
    events = next;
  }
  events[eventLen++] = x0;
  events[eventLen++] = x1;
  events[eventLen++] = y;
}

/**
 * The columns whose state differs between two rows, as events [x0,x1) at row y: the endpoint lists
 * are merged in order and taken in pairs (an x that bounds a set interval in exactly one of the two
 * rows toggles the parity from there on; the same x in both cancels).
 */
function diffRows(a: Int32Array, na: number, b: Int32Array, nb: number, y: number): void {
  let i = 0;
  let j = 0;
  let open = -1;
  while (i < na || j < nb) {
    let v: number;
    if (j >= nb || (i < na && (a[i] as number) < (b[j] as number))) v = a[i++] as number;
    else if (i >= na || (b[j] as number) < (a[i] as number)) v = b[j++] as number;
    else {
      i++;
      j++;
      continue;
    }
    if (open < 0) open = v;
    else {
      if (v > open) pushEvent(open, v, y);
      open = -1;
    }
  }
}

/**
 * Row-major runs (zeros first, adding up to width*height) of a width×height mask -> COCO's
 * column-major compressed counts string, with the area and bbox, or null when no pixel is set.
 * The same string as encoding the column-major runs of the bitmap, without a bitmap or number[]s:
 * rows are compared with their predecessor to find the rows where each column changes state,
 * those toggles are grouped by column (a counting sort), and the columns' intervals are written
 * as counts in column-major order, an interval that ends a column joining one that starts the next.
 */
export function rowRunsToCocoMask(counts: ArrayLike<number>, width: number, height: number): CocoMask | null {
  if (prevEnds.length < 2 * width + 2) {
    prevEnds = new Int32Array(2 * width + 2);
    curEnds = new Int32Array(2 * width + 2);
  }
  eventLen = 0;
  let prev = prevEnds; // endpoints of the previous row with set pixels
  let cur = curEnds; // endpoints of the row being read
  let np = 0;
  let nc = 0;
  let prevY = -1;
  let curY = -1;
  let area = 0;
  let minX = width;
  let maxX = -1;
  let minY = -1;
  let pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i] as number;
    if ((i & 1) === 1 && run > 0) {
      area += run;
      let s = pos;
      const e = pos + run;
      let y = Math.floor(s / width);
      let rowStart = y * width;
      while (s < e) {
        if (y !== curY) {
          if (curY >= 0) {
            // The row just read against its predecessor; a gap of empty rows in between turns the
            // predecessor's columns off at the first empty row.
            if (curY > prevY + 1 && np > 0) {
              diffRows(prev, np, cur, 0, prevY + 1);
              np = 0;
            }
            diffRows(prev, np, cur, nc, curY);
            const t = prev;
            prev = cur;
            cur = t;
            np = nc;
            nc = 0;
            prevY = curY;
          } else minY = y;
          curY = y;
        }
        const rowEnd = rowStart + width;
        const segEnd = e < rowEnd ? e : rowEnd;
        const x0 = s - rowStart;
        const x1 = segEnd - rowStart;
        if (x0 < minX) minX = x0;
        if (x1 - 1 > maxX) maxX = x1 - 1;
        cur[nc++] = x0;
        cur[nc++] = x1;
        s = segEnd;
        if (s === rowEnd) {
          y++;
          rowStart = rowEnd;
        }
      }
    }
    pos += run;
  }
  if (area === 0) return null;
  const maxY = curY;
  if (curY > prevY + 1 && np > 0) {
    diffRows(prev, np, cur, 0, prevY + 1);
    np = 0;
  }
  diffRows(prev, np, cur, nc, curY);
  if (nc > 0 && curY + 1 < height) diffRows(cur, nc, prev, 0, curY + 1);

  // Group the toggles by column: count, prefix sums, then place (rows stay ascending per column).
  if (columnStart.length < width + 2) columnStart = new Int32Array(width + 2);
  else columnStart.fill(0, 0, width + 2);
  // Per-column counts by a difference array (+1 where an event starts, -1 past its end), then two
  // running sums: the first gives each column's count, the second where each column starts.
  let toggles = 0;
  for (let k = 0; k < eventLen; k += 3) {
    const x0 = events[k] as number;
    const x1 = events[k + 1] as number;
    toggles += x1 - x0;
    columnStart[x0 + 1] = (columnStart[x0 + 1] as number) + 1;
    columnStart[x1 + 1] = (columnStart[x1 + 1] as number) - 1;
  }
  let perColumn = 0;
  let start = 0;
  for (let x = 0; x < width; x++) {
    perColumn += columnStart[x + 1] as number;
    columnStart[x + 1] = start + perColumn; // the start of column x + 1
    start += perColumn;
  }
  if (toggleRows.length < toggles) toggleRows = new Int32Array(Math.max(toggles, 2 * toggleRows.length));
  for (let k = 0; k < eventLen; k += 3) {
    const x1 = events[k + 1] as number;
    const y = events[k + 2] as number;
    for (let x = events[k] as number; x < x1; x++) {
      const at = columnStart[x] as number;
      toggleRows[at] = y;
      columnStart[x] = at + 1;
    }
  }
  // columnStart[x] now holds the end of column x's toggles; column x starts at columnStart[x-1].

  startString();
  let written = 0; // end of the last emitted run
  let openStart = -1; // a set interval not yet written
  let openEnd = -1;
  for (let x = minX; x <= maxX; x++) {
    const to = columnStart[x] as number;
    const from = x === 0 ? 0 : (columnStart[x - 1] as number);
    const base = x * height;
    for (let k = from; k < to; k += 2) {
      const s = base + (toggleRows[k] as number);
      const e = base + (k + 1 < to ? (toggleRows[k + 1] as number) : height);
      if (openStart >= 0 && s === openEnd) {
        openEnd = e;
        continue;
      }
      if (openStart >= 0) {
        putCount(openStart - written);
        putCount(openEnd - openStart);
        written = openEnd;
      }
      openStart = s;
      openEnd = e;
    }
  }
  putCount(openStart - written);
  putCount(openEnd - openStart);
  written = openEnd;
  if (width * height > written) putCount(width * height - written);
  return { counts: text.toString("latin1", 0, textLen), area, bbox: [minX, minY, maxX - minX + 1, maxY - minY + 1] };
}
