import { describe, expect, it } from "vitest";
import { seededRandom } from "./fixtures.js";
import type { MaskRuns } from "../src/model.js";
import { decodeRleString, maskToRuns, rowRunsBBox, runsArea } from "../src/geometry/rle.js";
import { rowRunsToCocoMask } from "../src/geometry/rle-codec.js";
import { columnMajorOrder, runsInOrder } from "./mask-reference.js";
import { countPixels, forEachPolygonSpan, paintGeometry, paintRuns, rasterisePolygons, rasteriseToRuns, type Polygons } from "../src/geometry/raster.js";
import { boxCorners } from "../src/geometry/shapes.js";

/** The set pixels of a row-major buffer as "c,r" strings, in row-major order. */
function pixelsOf(buf: Uint8Array, width: number): string[] {
  const out: string[] = [];
  buf.forEach((v, i) => {
    if (v) out.push(`${i % width},${Math.floor(i / width)}`);
  });
  return out;
}

/** Reference: the documented rule by a point test per pixel centre (even-odd per polygon, union). */
function bruteForce(polygons: Polygons, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const px = c + 0.5;
      const py = r + 0.5;
      for (const rings of polygons) {
        let inside = false;
        for (const ring of rings) {
          const n = ring.length / 2;
          for (let i = 0; i < n; i++) {
            const j = (i + 1) % n;
            let ax = ring[2 * i] as number;
            let ay = ring[2 * i + 1] as number;
            let bx = ring[2 * j] as number;
            let by = ring[2 * j + 1] as number;
            if (ay > by) [ax, ay, bx, by] = [bx, by, ax, ay];
            if (ay <= py && py < by) {
              const x = ax + (py - ay) * ((bx - ax) / (by - ay));
              if (px < x) inside = !inside; // crossings strictly to the right: [x0,x1) spans
            }
          }
        }
        if (inside) {
          out[r * width + c] = 1;
          break;
        }
      }
    }
  }
  return out;
}

describe("rasterisePolygons: hand cases", () => {
  it("rectangle [2,3]-[12,11] gives exactly 80 pixels (as pycocotools)", () => {
    const m = rasterisePolygons([[[2, 3, 12, 3, 12, 11, 2, 11]]], 64, 48);
    expect(countPixels(m)).toBe(80);
    expect(rowRunsBBox(maskToRuns(m), 64)).toEqual({ x: 2, y: 3, w: 10, h: 8 }); // pycocotools bbox [2,3,10,8]
  });

  it("does not depend on the winding", () => {
    const cw = rasterisePolygons([[[2, 3, 12, 3, 12, 11, 2, 11]]], 20, 20);
    const ccw = rasterisePolygons([[[2, 3, 2, 11, 12, 11, 12, 3]]], 20, 20);
    expect(ccw).toEqual(cw);
  });

  it("a triangle fills the pixels whose centres are inside, a centre on the left edge counts", () => {
    // (1,1) (5,1) (5,5): row r spans [r+0.5, 5) -> columns r..4.
    const m = rasterisePolygons([[[1, 1, 5, 1, 5, 5]]], 8, 8);
    expect(pixelsOf(m, 8)).toEqual(["1,1", "2,1", "3,1", "4,1", "2,2", "3,2", "4,2", "3,3", "4,3", "4,4"]);
    expect(countPixels(m)).toBe(10); // pycocotools gives 6 here: its rule differs on slanted edges
  });

  it("a diamond with vertices on row centres' grid: 1+3+3+1 pixels", () => {
    const m = rasterisePolygons([[[2, 0, 4, 2, 2, 4, 0, 2]]], 5, 5);
    expect(pixelsOf(m, 5)).toEqual(["1,0", "0,1", "1,1", "2,1", "0,2", "1,2", "2,2", "1,3"]);
  });

  it("left/top edges through centres are inside, right/bottom ones outside", () => {
    // [0.5,1.5]^2 passes through the centres of pixels 0 and 1 in x and y: only (0,0) is inside.
    expect(pixelsOf(rasterisePolygons([[[0.5, 0.5, 1.5, 0.5, 1.5, 1.5, 0.5, 1.5]]], 3, 3), 3)).toEqual(["0,0"]);
  });

  it("a polygon that holds no pixel centre fills nothing", () => {
    expect(countPixels(rasterisePolygons([[[0.1, 0.1, 0.4, 0.1, 0.4, 0.4]]], 3, 3))).toBe(0);
    expect(countPixels(rasterisePolygons([[[0, 0, 3, 0]]], 3, 3))).toBe(0); // 2 points
    expect(countPixels(rasterisePolygons([[[]]], 3, 3))).toBe(0);
    expect(countPixels(rasterisePolygons([], 3, 3))).toBe(0);
    expect(countPixels(rasterisePolygons([[[0, 0, NaN, 0, 3, 3]]], 3, 3))).toBe(0);
  });

  it("clips to the frame", () => {
    expect(countPixels(rasterisePolygons([[[-5, -5, 3, -5, 3, 3, -5, 3]]], 10, 10))).toBe(9);
    expect(countPixels(rasterisePolygons([[[-5, -5, 30, -5, 30, 30, -5, 30]]], 10, 7))).toBe(70);
    expect(countPixels(rasterisePolygons([[[20, 20, 30, 20, 30, 30]]], 10, 10))).toBe(0);
    expect(countPixels(rasterisePolygons([[[-30, -20, -10, -20, -10, -5]]], 10, 10))).toBe(0);
  });

  it("two polygons sharing a slanted edge tile without gap or overlap", () => {
    const a = [0, 0, 7.3, 0, 2.1, 9, 0, 9];
    const b = [7.3, 0, 10, 0, 10, 9, 2.1, 9];
    const ma = rasterisePolygons([[a]], 10, 9);
    const mb = rasterisePolygons([[b]], 10, 9);
    const both = rasterisePolygons([[[0, 0, 10, 0, 10, 9, 0, 9]]], 10, 9);
    expect(countPixels(ma) + countPixels(mb)).toBe(90);
    expect(countPixels(both)).toBe(90);
    for (let i = 0; i < 90; i++) expect((ma[i] as number) + (mb[i] as number)).toBe(1);
  });
});

describe("rasterisePolygons: holes and unions", () => {
  // Outer 0..10, hole 2..8, and a small square 4..6 inside the hole.
  const outer = [0, 0, 10, 0, 10, 10, 0, 10];
  const hole = [2, 2, 8, 2, 8, 8, 2, 8];
  const inner = [4, 4, 6, 4, 6, 6, 4, 6];

  it("donut: the hole stays empty, a separate part inside the hole is filled", () => {
    const m = rasterisePolygons([[outer, hole], [inner]], 12, 12);
    expect(countPixels(m)).toBe(100 - 36 + 4);
    const at = (c: number, r: number): number => m[r * 12 + c] as number;
    expect(at(0, 0)).toBe(1);
    expect(at(1, 5)).toBe(1);
    expect(at(2, 2)).toBe(0); // first hole pixel
    expect(at(3, 3)).toBe(0);
    expect(at(7, 7)).toBe(0);
    expect(at(4, 4)).toBe(1);
    expect(at(5, 5)).toBe(1);
    expect(at(6, 6)).toBe(0);
    expect(at(8, 8)).toBe(1);
    expect(at(10, 10)).toBe(0);
  });

  it("a third ring of the same polygon inside the hole fills again (even-odd)", () => {
    const a = rasterisePolygons([[outer, hole, inner]], 12, 12);
    const b = rasterisePolygons([[outer, hole], [inner]], 12, 12);
    expect(a).toEqual(b);
  });

  it("a hole's winding does not matter", () => {
    const reversedHole = [2, 2, 2, 8, 8, 8, 8, 2];
    expect(rasterisePolygons([[outer, reversedHole]], 12, 12)).toEqual(rasterisePolygons([[outer, hole]], 12, 12));
  });

  it("a part covering another part's hole is unioned, not toggled", () => {
    const m = rasterisePolygons([[outer, hole], [[1, 1, 9, 1, 9, 9, 1, 9]]], 12, 12);
    expect(countPixels(m)).toBe(100);
  });

  it("paints into an existing buffer with a value (semantic masks)", () => {
    const buf = new Uint8Array(12 * 12);
    rasterisePolygons([[outer, hole]], 12, 12, buf, 3);
    rasterisePolygons([[inner]], 12, 12, buf, 7);
    rasterisePolygons([[[9, 9, 12, 9, 12, 12, 9, 12]]], 12, 12, buf, 5); // overwrites a corner of outer
    expect(countPixels(buf, 3)).toBe(64 - 1);
    expect(countPixels(buf, 7)).toBe(4);
    expect(countPixels(buf, 5)).toBe(9);
    expect(countPixels(buf)).toBe(63 + 4 + 9);
    expect(() => rasterisePolygons([[outer]], 12, 11, buf)).toThrow(RangeError);
  });
});

describe("rasterisePolygons: against a per-pixel reference of the rule", () => {
  it("random polygons with quarter-pixel vertices match the point test exactly", () => {
    const rand = seededRandom(1234);
    const W = 23;
    const H = 17;
    for (let trial = 0; trial < 300; trial++) {
      const polygons: number[][][] = [];
      const nPolys = 1 + Math.floor(rand() * 3);
      for (let p = 0; p < nPolys; p++) {
        const rings: number[][] = [];
        const nRings = 1 + Math.floor(rand() * 3);
        for (let k = 0; k < nRings; k++) {
          const ring: number[] = [];
          const n = 3 + Math.floor(rand() * 7);
          for (let i = 0; i < n; i++) {
            ring.push(Math.round((rand() * (W + 6) - 3) * 4) / 4, Math.round((rand() * (H + 6) - 3) * 4) / 4);
          }
          rings.push(ring);
        }
        polygons.push(rings);
      }
      const fast = rasterisePolygons(polygons, W, H);
      expect(fast).toEqual(bruteForce(polygons, W, H));
      expect(rasteriseToRuns(polygons, W, H)).toEqual(maskToRuns(fast));
    }
  });
});

describe("rasteriseToRuns", () => {
  it("gives row-major runs of the rectangle, and COCO column runs through rowRunsToCocoMask", () => {
    const runs = rasteriseToRuns([[[2, 3, 12, 3, 12, 11, 2, 11]]], 64, 48);
    expect(runs.slice(0, 4)).toEqual([3 * 64 + 2, 10, 54, 10]);
    expect(runs.length).toBe(17); // 8 rows of ones, zeros around them
    expect(runsArea(runs)).toBe(80);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(64 * 48);
    const m = rasterisePolygons([[[2, 3, 12, 3, 12, 11, 2, 11]]], 64, 48);
    const columns = decodeRleString(rowRunsToCocoMask(runs, 64, 48)?.counts ?? "");
    expect(columns).toEqual(runsInOrder(m, columnMajorOrder(64, 48)));
    expect(columns.slice(0, 2)).toEqual([2 * 48 + 3, 8]);
  });

  it("merges overlapping parts and spans touching across a row end", () => {
    // Two overlapping squares, and a full-width band whose rows join into one run.
    expect(rasteriseToRuns([[[0, 0, 2, 0, 2, 2, 0, 2]], [[1, 0, 3, 0, 3, 2, 1, 2]]], 4, 2)).toEqual([0, 3, 1, 3, 1]);
    expect(rasteriseToRuns([[[0, 1, 4, 1, 4, 3, 0, 3]]], 4, 4)).toEqual([4, 8, 4]);
    expect(rasteriseToRuns([[[0, 0, 4, 0, 4, 4, 0, 4]]], 4, 4)).toEqual([0, 16]);
  });

  it("an empty raster is one run of zeros", () => {
    expect(rasteriseToRuns([], 5, 3)).toEqual([15]);
  });
});

describe("forEachPolygonSpan", () => {
  it("reports spans row by row, left to right", () => {
    const spans: number[][] = [];
    forEachPolygonSpan([[0, 0, 10, 0, 10, 4, 0, 4], [2, 1, 4, 1, 4, 3, 2, 3]], 10, 4, (r, c0, c1) => spans.push([r, c0, c1]));
    expect(spans).toEqual([
      [0, 0, 10],
      [1, 0, 2],
      [1, 4, 10],
      [2, 0, 2],
      [2, 4, 10],
      [3, 0, 10],
    ]);
  });
});

describe("paintRuns", () => {
  // A 3x2 mask, all set except its pixel (0,1).
  const bits = [1, 1, 1, 0, 1, 1];
  const runs = (left: number, top: number): MaskRuns => ({
    width: 3,
    height: 2,
    left,
    top,
    counts: Uint32Array.from(maskToRuns(bits)),
  });

  it("pastes at left/top", () => {
    const frame = new Uint8Array(5 * 4);
    expect(paintRuns(frame, runs(1, 2), 5, 4, 9)).toBe(5);
    expect(pixelsOf(frame, 5)).toEqual(["1,2", "2,2", "3,2", "2,3", "3,3"]);
    expect(countPixels(frame, 9)).toBe(5);
  });

  it("clips at every frame edge", () => {
    const frame = new Uint8Array(5 * 4);
    expect(paintRuns(frame, runs(3, 3), 5, 4)).toBe(2); // right and bottom cut
    expect(pixelsOf(frame, 5)).toEqual(["3,3", "4,3"]);
    const f2 = new Uint8Array(5 * 4);
    expect(paintRuns(f2, runs(-2, -1), 5, 4)).toBe(1); // left and top cut: only mask (2,1)
    expect(pixelsOf(f2, 5)).toEqual(["0,0"]);
    const f3 = new Uint8Array(5 * 4);
    expect(paintRuns(f3, runs(10, 0), 5, 4)).toBe(0);
    expect(() => paintRuns(new Uint8Array(3), runs(0, 0), 5, 4)).toThrow(RangeError);
  });
});

describe("paintGeometry", () => {
  it("paints boxes, rotated boxes, polygons and masks; not points", () => {
    const buf = new Uint8Array(64 * 48);
    expect(paintGeometry(buf, { kind: "box", x: 2, y: 3, w: 10, h: 8 }, 64, 48, 1)).toBe(true);
    expect(countPixels(buf, 1)).toBe(80);
    // A 4x2 box rotated 90° about (12,11) covers x 11..13, y 9..13: 2x4 pixels.
    expect(paintGeometry(buf, { kind: "rotated-box", x: 10, y: 10, w: 4, h: 2, degrees: 90 }, 64, 48, 2)).toBe(true);
    expect(pixelsOf(buf, 64).filter((p) => buf[Number(p.split(",")[1]) * 64 + Number(p.split(",")[0])] === 2)).toEqual([
      "11,9",
      "12,9",
      "11,10",
      "12,10",
      "11,11",
      "12,11",
      "11,12",
      "12,12",
    ]);
    expect(paintGeometry(buf, { kind: "polygon", polygons: [[boxCorners(30, 30, 2, 2)]] }, 64, 48, 3)).toBe(true);
    expect(countPixels(buf, 3)).toBe(4);
    const counts = Uint32Array.from(maskToRuns([0, 1, 1, 0]));
    expect(paintGeometry(buf, { kind: "mask", mask: { width: 2, height: 2, left: 40, top: 40, counts } }, 64, 48, 4)).toBe(true);
    expect(countPixels(buf, 4)).toBe(2);
    expect(paintGeometry(buf, { kind: "point", x: 1, y: 1 }, 64, 48, 5)).toBe(false);
    expect(countPixels(buf, 5)).toBe(0);
  });
});

describe("countPixels", () => {
  it("counts non-zero or a given value", () => {
    expect(countPixels([0, 1, 2, 0, 2])).toBe(3);
    expect(countPixels([0, 1, 2, 0, 2], 2)).toBe(2);
    expect(countPixels([0, 1, 2, 0, 2], 0)).toBe(2);
    expect(countPixels([])).toBe(0);
  });
});
