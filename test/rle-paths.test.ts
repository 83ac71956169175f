// The mask paths that skip frame buffers (issue 14): paintRuns' one-fill-per-run path, painting
// into PNG rows (GrayRows via paintRunsRows), placing a misaligned mask as runs (frameRowRuns), the
// outline bitmap of runs (runsBitmap) and rowRunsBBox's direct walk, each against a slow reference
// built pixel by pixel from the definitions.
import { describe, expect, it } from "vitest";
import { runsBitmap } from "../src/geometry/contour.js";
import { frameRowRuns, paintRuns, paintRunsRows } from "../src/geometry/raster.js";
import { rowRunsBBox } from "../src/geometry/rle.js";
import { decodePng8, encodeGray8, GrayRows } from "../src/output/png.js";
import type { MaskRuns } from "../src/model.js";
import { seededRandom } from "./fixtures.js";
import { runsInOrder, slowBox } from "./mask-reference.js";

function randomMask(r: () => number, w: number, h: number, left = 0, top = 0): { bits: Uint8Array; runs: MaskRuns } {
  const bits = new Uint8Array(w * h);
  const density = r();
  for (let i = 0; i < bits.length; i++) bits[i] = r() < density ? 1 : 0;
  return { bits, runs: { width: w, height: h, left, top, counts: Uint32Array.from(runsInOrder(bits)) } };
}

/** The mask's pixels placed on a frame, clipped: the definition of pasting. */
function placed(bits: Uint8Array, m: MaskRuns, fw: number, fh: number, value: number): { frame: Uint8Array; painted: number } {
  const frame = new Uint8Array(fw * fh);
  let painted = 0;
  for (let y = 0; y < m.height; y++)
    for (let x = 0; x < m.width; x++) {
      const fx = x + m.left;
      const fy = y + m.top;
      if (bits[y * m.width + x] && fx >= 0 && fy >= 0 && fx < fw && fy < fh) {
        frame[fy * fw + fx] = value;
        painted++;
      }
    }
  return { frame, painted };
}

describe("paintRuns and paintRunsRows", () => {
  it("paint a frame-aligned mask one run at a time, runs crossing row ends included", () => {
    // 4x3: 0110 / 1111 / 1000 -> runs [1, 7, 4]... built by hand: zeros 1, ones 7 (wraps twice), zeros 4.
    const runs: MaskRuns = { width: 4, height: 3, left: 0, top: 0, counts: Uint32Array.from([1, 7, 4]) };
    const buf = new Uint8Array(12);
    expect(paintRuns(buf, runs, 4, 3, 9)).toBe(7);
    expect([...buf]).toEqual([0, 9, 9, 9, 9, 9, 9, 9, 0, 0, 0, 0]);
    const rows = new GrayRows();
    rows.reset(4, 3);
    expect(paintRunsRows(rows, runs, 4, 3, 255)).toBe(7);
    expect([...decodePng8(rows.encode()).pixels]).toEqual([0, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0]);
  });

  it("agree with pixel-by-pixel pasting on random masks, aligned or not, and GrayRows gives encodeGray8's bytes", () => {
    const r = seededRandom(5);
    const rows = new GrayRows();
    for (let t = 0; t < 200; t++) {
      const fw = 1 + Math.floor(r() * 9);
      const fh = 1 + Math.floor(r() * 9);
      const aligned = r() < 0.5;
      const w = aligned ? fw : 1 + Math.floor(r() * 9);
      const h = aligned ? fh : 1 + Math.floor(r() * 9);
      const left = aligned ? 0 : Math.floor(r() * 8) - 4;
      const top = aligned ? 0 : Math.floor(r() * 8) - 4;
      const { bits, runs } = randomMask(r, w, h, left, top);
      const want = placed(bits, runs, fw, fh, 7);
      const buf = new Uint8Array(fw * fh);
      expect(paintRuns(buf, runs, fw, fh, 7)).toBe(want.painted);
      expect(buf).toEqual(want.frame);
      // GrayRows is reused across sizes: what the last image painted must not show through.
      rows.reset(fw, fh);
      expect(paintRunsRows(rows, runs, fw, fh, 7)).toBe(want.painted);
      expect(rows.encode().equals(encodeGray8(fw, fh, want.frame))).toBe(true);
    }
  });
});

describe("frameRowRuns", () => {
  it("places a mask of another size and offset as the frame's own runs, clipped", () => {
    // A 3x2 all-set mask at (-1, 1) on a 4x3 frame: columns 0..1 of rows 1..2.
    const m: MaskRuns = { width: 3, height: 2, left: -1, top: 1, counts: Uint32Array.from([0, 6]) };
    expect(frameRowRuns(m, 4, 3)).toEqual({ counts: Uint32Array.from([4, 2, 2, 2, 2]), painted: 4 });
    // Entirely outside: all zeros.
    expect(frameRowRuns({ ...m, left: 9 }, 4, 3)).toEqual({ counts: Uint32Array.from([12]), painted: 0 });
    // Touching across a row end joins into one run: a 2x2 at (3,0) on 4x3 keeps column 3 of rows 0, 1.
    expect(frameRowRuns({ width: 2, height: 2, left: 3, top: 0, counts: Uint32Array.from([0, 4]) }, 4, 3)).toEqual({ counts: Uint32Array.from([3, 1, 3, 1, 4]), painted: 2 });
    // A 1-wide mask filling the last column and the next row's first: one joined run.
    expect(frameRowRuns({ width: 4, height: 2, left: 0, top: 0, counts: Uint32Array.from([3, 2, 3]) }, 4, 2).counts).toEqual(Uint32Array.from([3, 2, 3]));
  });

  it("agrees with pasting then reading the runs, on random masks", () => {
    const r = seededRandom(9);
    for (let t = 0; t < 200; t++) {
      const fw = 1 + Math.floor(r() * 8);
      const fh = 1 + Math.floor(r() * 8);
      const { bits, runs } = randomMask(r, 1 + Math.floor(r() * 8), 1 + Math.floor(r() * 8), Math.floor(r() * 8) - 4, Math.floor(r() * 8) - 4);
      const want = placed(bits, runs, fw, fh, 1);
      const got = frameRowRuns(runs, fw, fh);
      expect(got.painted).toBe(want.painted);
      expect(Array.from(got.counts)).toEqual(runsInOrder(want.frame));
    }
  });
});

describe("runsBitmap", () => {
  it("cuts a box out of the mask's runs, and a reused buffer starts clean", () => {
    // 5x4 mask: .###. / .#.#. / .###. / ..... ; box x 1..3, y 0..2.
    const bits = [0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0];
    const counts = runsInOrder(bits);
    expect([...runsBitmap(counts, 5, 4, 1, 0, 3, 3)]).toEqual([1, 1, 1, 1, 0, 1, 1, 1, 1]);
    expect([...runsBitmap([0, 20], 5, 4, 0, 0, 5, 4)]).toEqual(new Array(20).fill(1));
    expect([...runsBitmap(counts, 5, 4, 2, 1, 1, 1)]).toEqual([0]); // the hole
    expect([...runsBitmap([20], 5, 4, 0, 0, 2, 2)]).toEqual([0, 0, 0, 0]);
  });

  it("agrees with a pixel loop on random masks and boxes", () => {
    const r = seededRandom(13);
    for (let t = 0; t < 200; t++) {
      const w = 1 + Math.floor(r() * 9);
      const h = 1 + Math.floor(r() * 9);
      const { bits, runs } = randomMask(r, w, h);
      const bx = Math.floor(r() * w);
      const by = Math.floor(r() * h);
      const bw = 1 + Math.floor(r() * (w - bx));
      const bh = 1 + Math.floor(r() * (h - by));
      const want: number[] = [];
      for (let y = by; y < by + bh; y++) for (let x = bx; x < bx + bw; x++) want.push(bits[y * w + x] as number);
      expect([...runsBitmap(runs.counts, w, h, bx, by, bw, bh)]).toEqual(want);
    }
  });
});

describe("rowRunsBBox", () => {
  it("agrees with a pixel loop on random masks (width 1, height 1 and wrapping runs included)", () => {
    const r = seededRandom(17);
    for (let t = 0; t < 300; t++) {
      const w = 1 + Math.floor(r() * 9);
      const h = 1 + Math.floor(r() * 9);
      const { bits, runs } = randomMask(r, w, h);
      const want = slowBox(bits, w, h);
      expect(rowRunsBBox(runs.counts, w)).toEqual(want ? { x: want.bbox[0], y: want.bbox[1], w: want.bbox[2], h: want.bbox[3] } : null);
    }
  });
});

describe("segmentationMaps reuses its buffers", () => {
  it("starts each image from zero, whatever the previous image painted", async () => {
    const { segmentationMaps } = await import("../src/writers/voc-seg.js");
    const full: MaskRuns = { width: 4, height: 3, left: 0, top: 0, counts: Uint32Array.from([0, 12]) };
    const first = segmentationMaps([{ geometry: { kind: "mask", mask: full }, classValue: 5 }], 4, 3, false);
    expect([...first.classMap]).toEqual(new Array(12).fill(5));
    const one: MaskRuns = { width: 4, height: 3, left: 0, top: 0, counts: Uint32Array.from([5, 1, 6]) };
    const second = segmentationMaps([{ geometry: { kind: "mask", mask: one }, classValue: 2 }], 4, 3, false);
    expect([...second.classMap]).toEqual([0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
    expect([...second.objectMap]).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    // The border pass's own buffers too: a void band around the one pixel (itself included), no more.
    const third = segmentationMaps([{ geometry: { kind: "mask", mask: one }, classValue: 2 }], 4, 3, true);
    expect([...third.classMap]).toEqual([255, 255, 255, 0, 255, 255, 255, 0, 255, 255, 255, 0]);
  });
});
