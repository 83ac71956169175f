import { describe, expect, it } from "vitest";
import { decodeRleRuns, encodeCounts, rowRunsToCocoMask } from "../src/geometry/rle-codec.js";
import { decodeRleString, fitRuns, RleError } from "../src/geometry/rle.js";
import { seededRandom } from "./fixtures.js";
import { columnMajorOrder, runsInOrder, slowBox } from "./mask-reference.js";

// Independent slow references, written from the definitions and not from the code under test:
// a bitmap, its runs in a given pixel order, and COCO's string code by its textbook description.

/** Row-major bitmap of row-major runs (zeros first). */
function bitmapOf(counts: readonly number[], total: number): Uint8Array {
  const m = new Uint8Array(total);
  let p = 0;
  counts.forEach((r, i) => {
    for (let k = 0; k < r; k++) if (i % 2 === 1 && p + k < total) m[p + k] = 1;
    p += r;
  });
  return m;
}

/** COCO's string code: count i (from i = 3) as the difference to count i-2, 5-bit groups, low first. */
function slowEncode(counts: readonly number[]): string {
  let s = "";
  counts.forEach((c, i) => {
    let x = BigInt(i > 2 ? c - (counts[i - 2] as number) : c);
    for (;;) {
      const low = Number(BigInt.asUintN(5, x));
      x >>= 5n; // BigInt shift is arithmetic
      const more = (low & 16) !== 0 ? x !== -1n : x !== 0n;
      s += String.fromCharCode(48 + low + (more ? 32 : 0));
      if (!more) break;
    }
  });
  return s;
}

function checkAgainstReference(counts: number[], w: number, h: number): void {
  const m = bitmapOf(counts, w * h);
  const got = rowRunsToCocoMask(counts, w, h);
  const want = slowBox(m, w, h);
  if (!want) {
    expect(got).toBeNull();
    return;
  }
  expect(got).toEqual({ counts: slowEncode(runsInOrder(m, columnMajorOrder(w, h))), ...want });
}

describe("encodeCounts", () => {
  it("writes COCO's documented strings", () => {
    expect(encodeCounts([4, 1, 4])).toBe("414");
    expect(encodeCounts([2, 3, 1, 1])).toBe("231N");
    expect(encodeCounts([0, 6, 1])).toBe("061");
    expect(encodeCounts([4, 1, 3, 2, 2, 1, 6, 1])).toBe("4131OO40");
    expect(encodeCounts([])).toBe("");
  });

  it("agrees with the textbook code on small, large and negative differences", () => {
    const cases = [[0], [1], [31, 32, 15, 16], [1000000, 2, 3, 4000000, 1], [0xffffffff], [5, 0xffffffff, 3, 0, 2], [2 ** 31, 1, 1, 2 ** 31 + 5]];
    for (const c of cases) expect(encodeCounts(c)).toBe(slowEncode(c));
  });
});

describe("decodeRleRuns", () => {
  it("decodes into exact runs and pads a short string as the SDK does", () => {
    expect(decodeRleRuns("12202O", 12)).toEqual({ counts: Uint32Array.from([1, 2, 2, 2, 4, 1]), padded: 0 });
    expect(decodeRleRuns("231N", 7)).toEqual({ counts: Uint32Array.from([2, 3, 1, 1]), padded: 0 });
    // Ends on ones: a zero run is added; ends on zeros: the last run grows; empty: all zeros.
    expect(decodeRleRuns("04", 10)).toEqual({ counts: Uint32Array.from([0, 4, 6]), padded: 6 });
    expect(decodeRleRuns("041", 10)).toEqual({ counts: Uint32Array.from([0, 4, 6]), padded: 5 });
    expect(decodeRleRuns("", 20)).toEqual({ counts: Uint32Array.from([20]), padded: 20 });
  });

  it("round-trips the textbook code on random run lists, large values included", () => {
    const r = seededRandom(7);
    for (let t = 0; t < 300; t++) {
      const n = 1 + Math.floor(r() * 40);
      const counts: number[] = [];
      for (let i = 0; i < n; i++) counts.push(Math.floor(r() < 0.1 ? r() * 2 ** 26 : r() * 300));
      const total = counts.reduce((a, b) => a + b, 0);
      expect(Array.from(decodeRleRuns(slowEncode(counts), total).counts)).toEqual(counts);
    }
  });

  it("throws the reference's errors for corrupt strings", () => {
    expect(() => decodeRleRuns("0 4", 10)).toThrow(/character " " at 1/);
    expect(() => decodeRleRuns("0o", 10)).toThrow(/ends in the middle of a number/);
    expect(() => decodeRleRuns("08", 4)).toThrow(/more than 4/);
    expect(() => decodeRleRuns("123M", 100)).toThrow(/negative run \(-1\) at run 3/); // 2 - 3
    for (const bad of ["0 4", "0o", "123M", "0oooooooooooooo", "1p2", "1/2"]) {
      let want = "";
      try {
        fitRuns(decodeRleString(bad), 100);
      } catch (e) {
        want = (e as Error).message;
      }
      expect(want).not.toBe("");
      expect(() => decodeRleRuns(bad, 100)).toThrow(RleError);
      expect(() => decodeRleRuns(bad, 100)).toThrow(want);
    }
    expect(() => decodeRleRuns("oooooooooooo0", 100)).toThrow(/longer than 50 bits/);
    expect(() => decodeRleRuns("04", 2 ** 33)).toThrow(/32-bit/);
  });

  it("grows past its first scratch size", () => {
    const counts = Array.from({ length: 10001 }, (_v, i) => (i % 2 === 0 ? 1 : 2));
    const total = counts.reduce((a, b) => a + b, 0);
    expect(Array.from(decodeRleRuns(slowEncode(counts), total).counts)).toEqual(counts);
  });
});

describe("rowRunsToCocoMask", () => {
  it("turns the 4x5 Encord example into COCO's 4131OO40", () => {
    // The row-major mask of the SDK vectors: rleString 133N80 -> runs [1,3,3,2,8,3]... via the string.
    const rows = decodeRleRuns("133N80", 20).counts;
    const got = rowRunsToCocoMask(rows, 4, 5);
    const m = bitmapOf(Array.from(rows), 20);
    expect(got?.counts).toBe(slowEncode(runsInOrder(m, columnMajorOrder(4, 5))));
  });

  it("handles the hand-made edge cases", () => {
    checkAgainstReference([12], 4, 3); // empty
    checkAgainstReference([0, 12], 4, 3); // full
    checkAgainstReference([0, 1, 11], 4, 3); // first pixel only
    checkAgainstReference([11, 1], 4, 3); // last pixel only
    checkAgainstReference([3, 2, 7], 4, 3); // a run crossing a row end
    checkAgainstReference([2, 7, 3], 4, 3); // a run over a whole row and into the next
    checkAgainstReference([0, 3, 0, 2, 7], 4, 3); // a zero-length zero run: two touching ones runs
    checkAgainstReference([2, 0, 3, 1, 6], 4, 3); // a zero-length ones run
    checkAgainstReference([1, 1, 1, 1, 1], 1, 5); // width 1
    checkAgainstReference([1, 1, 1, 2], 5, 1); // height 1
    checkAgainstReference([0, 1, 5, 1, 5, 1, 5, 1, 5, 1, 1], 7, 4); // a diagonal (one toggle per column)
    checkAgainstReference([5, 3, 12, 3, 12], 7, 5); // rows with a gap of empty rows between
    checkAgainstReference([4, 3, 4, 3], 7, 2); // set to the last pixel: no trailing zero run
    checkAgainstReference([0, 2, 3, 4, 1, 7, 6], 3, 8); // odd sizes, runs across several rows
  });

  it("gives the same string, area and box as a bitmap on random masks of odd sizes", () => {
    const r = seededRandom(11);
    for (let t = 0; t < 400; t++) {
      const w = 1 + Math.floor(r() * 13);
      const h = 1 + Math.floor(r() * 11);
      const density = r();
      const m = new Uint8Array(w * h);
      for (let i = 0; i < m.length; i++) m[i] = r() < density ? 1 : 0;
      const rows = runsInOrder(m, Array.from({ length: w * h }, (_v, i) => i));
      checkAgainstReference(rows, w, h);
    }
  });

  it("gives the same as a bitmap on blobby masks (long vertical runs across columns)", () => {
    const r = seededRandom(3);
    for (let t = 0; t < 60; t++) {
      const w = 20 + Math.floor(r() * 40);
      const h = 20 + Math.floor(r() * 40);
      const m = new Uint8Array(w * h);
      for (let k = 0; k < 3; k++) {
        const cx = r() * w;
        const cy = r() * h;
        const rx = 2 + r() * w;
        const ry = 2 + r() * h;
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 < 1) m[y * w + x] = 1;
      }
      checkAgainstReference(runsInOrder(m, Array.from({ length: w * h }, (_v, i) => i)), w, h);
    }
  });

  it("is unchanged by the scratch left from a larger mask before it", () => {
    checkAgainstReference([0, 500, 100], 30, 20);
    checkAgainstReference([1, 2, 3], 2, 3);
  });
});
