// geometryRuns (any geometry with an area as frame-sized runs) and paintRuns into 16-bit buffers,
// which the semantic masks use to count each object's visible pixels.
import { describe, expect, it } from "vitest";
import { geometryRuns, paintRuns } from "../src/geometry/raster.js";
import { runsArea } from "../src/geometry/rle.js";

describe("geometryRuns", () => {
  it("a box [2,3]+[10,8] on 64x48: 80 pixels, rows 3..10, columns 2..11", () => {
    const r = geometryRuns({ kind: "box", x: 2, y: 3, w: 10, h: 8 }, 64, 48);
    expect(r).not.toBeNull();
    expect(r?.width).toBe(64);
    expect(r?.height).toBe(48);
    expect(runsArea(r!.counts)).toBe(80);
    // first run of zeros: 3 full rows + 2 columns
    expect(r!.counts[0]).toBe(3 * 64 + 2);
    expect(r!.counts[1]).toBe(10);
  });

  it("a rotated box at 90 degrees: a 4x2 box about (12,11) becomes 2 wide, 4 tall", () => {
    const r = geometryRuns({ kind: "rotated-box", x: 10, y: 10, w: 4, h: 2, degrees: 90 }, 20, 20);
    const buf = new Uint8Array(400);
    expect(paintRuns(buf, r!, 20, 20)).toBe(8);
    // corners (13,9) (13,13) (11,13) (11,9): columns 11..12, rows 9..12
    for (let y = 9; y <= 12; y++) for (let x = 11; x <= 12; x++) expect(buf[y * 20 + x]).toBe(1);
  });

  it("a polygon with a hole leaves the hole empty", () => {
    const outer = [0, 0, 6, 0, 6, 6, 0, 6];
    const hole = [2, 2, 4, 2, 4, 4, 2, 4];
    const r = geometryRuns({ kind: "polygon", polygons: [[outer, hole]] }, 6, 6);
    expect(runsArea(r!.counts)).toBe(36 - 4);
    const buf = new Uint8Array(36);
    paintRuns(buf, r!, 6, 6);
    expect([buf[2 * 6 + 2], buf[2 * 6 + 3], buf[3 * 6 + 2], buf[3 * 6 + 3]]).toEqual([0, 0, 0, 0]);
    expect(buf[0]).toBe(1);
  });

  it("a mask is returned as it is; points, polylines and skeletons have no runs", () => {
    const mask = { width: 2, height: 2, left: 1, top: 1, counts: Uint32Array.from([1, 3]) };
    expect(geometryRuns({ kind: "mask", mask }, 5, 5)).toBe(mask);
    expect(geometryRuns({ kind: "point", x: 1, y: 1 }, 5, 5)).toBeNull();
    expect(geometryRuns({ kind: "polyline", points: [0, 0, 4, 4] }, 5, 5)).toBeNull();
    expect(geometryRuns({ kind: "skeleton", points: [{ x: 1, y: 1, visibility: 2 }] }, 5, 5)).toBeNull();
  });
});

describe("paintRuns into wider buffers", () => {
  it("paints object numbers above 255 into a Uint16Array and counts them", () => {
    const ids = new Uint16Array(5 * 4);
    const r = geometryRuns({ kind: "box", x: 1, y: 1, w: 2, h: 2 }, 5, 4)!;
    expect(paintRuns(ids, r, 5, 4, 300)).toBe(4);
    expect(Array.from(ids.slice(5, 10))).toEqual([0, 300, 300, 0, 0]);
    const big = new Uint32Array(5 * 4);
    expect(paintRuns(big, r, 5, 4, 70000)).toBe(4);
    expect(big[6]).toBe(70000);
  });
});
