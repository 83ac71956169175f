import { describe, expect, it } from "vitest";
import {
  decodeRleString,
  encodeRleString,
  fitRuns,
  maskToRuns,
  RleError,
  rowRunsBBox,
  runsArea,
  runsToMask,
} from "../src/geometry/rle.js";
import { rowRunsToCocoMask } from "../src/geometry/rle-codec.js";
import { HAVE_FIXTURES, loadFixture } from "./fixtures.js";
import { columnMajorOrder, runsInOrder } from "./mask-reference.js";

interface Vector {
  name: string;
  width: number;
  height: number;
  mask_rows: number[][];
  counts_row_major: number[];
  rleString: string;
  coco_counts_column_major?: number[];
  coco_rle_string_column_major?: string;
}

describe("compressed RLE string code", () => {
  it("decodes the documented examples", () => {
    expect(decodeRleString("12202O")).toEqual([1, 2, 2, 2, 4, 1]);
    expect(decodeRleString("04")).toEqual([0, 4]);
    expect(decodeRleString("0341")).toEqual([0, 3, 4, 4]);
    expect(decodeRleString("")).toEqual([]);
    expect(decodeRleString("231N")).toEqual([2, 3, 1, 1]); // COCO docs: delta -2 as 'N'
  });

  it("encodes COCO's vectors (target-formats.md §2)", () => {
    expect(encodeRleString([4, 1, 4])).toBe("414");
    expect(encodeRleString([2, 3, 1, 1])).toBe("231N");
    expect(encodeRleString([0, 6, 1])).toBe("061");
    expect(encodeRleString([4, 1, 3, 2, 2, 1, 6, 1])).toBe("4131OO40");
    expect(encodeRleString([203])).toBe("[6");
  });

  it("round-trips large counts without 32-bit overflow", () => {
    const counts = [2 ** 33 + 5, 7, 2 ** 31, 1, 3];
    expect(decodeRleString(encodeRleString(counts))).toEqual(counts);
  });

  it("rejects characters outside '0'..'o', a dangling continuation and negative runs", () => {
    expect(() => decodeRleString("12~")).toThrow(RleError);
    expect(() => decodeRleString("1p")).toThrow(/outside/);
    expect(() => decodeRleString("1]")).toThrow(/middle of a number/); // ']' has the 0x20 bit
    expect(() => decodeRleString("55O")).toThrow(/negative/); // 5 + (-1 delta against... ) check
  });

  it("fits short strings by padding zeros and refuses long ones", () => {
    expect(Array.from(fitRuns([1, 2], 6).counts)).toEqual([1, 2, 3]);
    expect(Array.from(fitRuns([1, 2, 1], 6).counts)).toEqual([1, 2, 3]);
    expect(fitRuns([1, 2, 3], 6).padded).toBe(0);
    expect(() => fitRuns([1, 2, 5], 6)).toThrow(/more than 6/);
  });
});

describe("row-major <-> column-major", () => {
  it("turns the 4x5 Encord mask 133N80 into COCO's 4131OO40", () => {
    const rows = decodeRleString("133N80"); // rows 01110/00100/00000/00001 (5 wide, 4 high)
    expect(rows).toEqual([1, 3, 3, 1, 11, 1]);
    expect(rowRunsToCocoMask(rows, 5, 4)?.counts).toBe("4131OO40");
  });

  it("agrees with a bitmap transposition on random masks", () => {
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let t = 0; t < 300; t++) {
      const w = 1 + Math.floor(rand() * 9);
      const h = 1 + Math.floor(rand() * 9);
      const density = rand();
      const mask = new Uint8Array(w * h).map(() => (rand() < density ? 1 : 0));
      const rowRuns = maskToRuns(mask);
      const coco = rowRunsToCocoMask(rowRuns, w, h);
      expect(coco === null ? null : decodeRleString(coco.counts)).toEqual(mask.includes(1) ? runsInOrder(mask, columnMajorOrder(w, h)) : null);
      expect(Array.from(runsToMask(rowRuns, w * h))).toEqual(Array.from(mask));
    }
  });

  it("finds the bbox of row runs, including runs that wrap rows", () => {
    expect(rowRunsBBox([1, 2, 2, 2, 4, 1], 4)).toEqual({ x: 1, y: 0, w: 3, h: 3 });
    expect(rowRunsBBox([3, 3, 6], 4)).toEqual({ x: 0, y: 0, w: 4, h: 2 }); // 0001/1100/0000
    expect(rowRunsBBox([12], 4)).toBeNull();
    expect(runsArea([1, 2, 2, 2, 4, 1])).toBe(5);
  });
});

describe.skipIf(!HAVE_FIXTURES)("Encord SDK vectors (bitmask_rle_test_vectors.json)", () => {
  const data = HAVE_FIXTURES ? loadFixture<{ vectors: Vector[] }>("bitmask_rle_test_vectors.json") : { vectors: [] };
  it("has vectors", () => expect(data.vectors.length).toBeGreaterThan(4));
  for (const v of data.vectors) {
    it(`${v.name}: decode, encode, mask and COCO transposition`, () => {
      const counts = decodeRleString(v.rleString);
      expect(counts).toEqual(v.counts_row_major);
      expect(encodeRleString(counts)).toBe(v.rleString);
      const mask = runsToMask(counts, v.width * v.height);
      expect(Array.from(mask)).toEqual(v.mask_rows.flat());
      if (v.coco_counts_column_major) {
        // (an empty mask is no COCO annotation: the codec says null)
        const want = runsArea(counts) === 0 ? null : v.coco_rle_string_column_major;
        expect(rowRunsToCocoMask(counts, v.width, v.height)?.counts ?? null).toBe(want);
        expect(encodeRleString(v.coco_counts_column_major)).toBe(v.coco_rle_string_column_major);
      }
    });
  }
});
