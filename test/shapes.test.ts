import { describe, expect, it } from "vitest";
import type { Geometry } from "../src/model.js";
import { maskToRuns } from "../src/geometry/rle.js";
import {
  boxCorners,
  clampPoint,
  clipBox,
  clipPolygonsToRect,
  clipPolygonToRect,
  clipRingToRect,
  extent,
  extentOfMany,
  geometryArea,
  geometryExtent,
  geometryPolygons,
  multiPolygonArea,
  normaliseBox,
  polygonArea,
  ringArea,
  rotatedCorners,
  toVocBox,
  toYoloBox,
} from "../src/geometry/shapes.js";

const R3 = Math.sqrt(3);

function expectClose(actual: number[], expected: number[], digits = 9): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, digits));
}

/** The same ring, cyclically rotated to start at vertex (x,y) (clipping may start elsewhere). */
function rotateToStart(ring: number[], x: number, y: number): number[] {
  for (let i = 0; i < ring.length; i += 2) {
    if (ring[i] === x && ring[i + 1] === y) return [...ring.slice(i), ...ring.slice(0, i)];
  }
  return ring;
}

describe("rotatedCorners", () => {
  it("reproduces the worked example of encord-format.md §3.3 (W=1000, H=500, θ=30)", () => {
    // (0.1,0.2,0.3,0.4) normalised -> x=100, y=100, w=300, h=200 pixels; centre (250,200).
    const c = rotatedCorners(100, 100, 300, 200, 30);
    // Exact: dx=±150, dy=±100, cos30=√3/2, sin30=1/2.
    expectClose(c, [300 - 75 * R3, 125 - 50 * R3, 300 + 75 * R3, 275 - 50 * R3, 200 + 75 * R3, 275 + 50 * R3, 200 - 75 * R3, 125 + 50 * R3]);
    // The doc's rounded values.
    expectClose(c, [170.096, 38.397, 429.904, 188.397, 329.904, 361.603, 70.096, 211.603], 3);
  });

  it("is the plain box at 0 and 360 degrees", () => {
    expect(rotatedCorners(1, 2, 4, 6, 0)).toEqual([1, 2, 5, 2, 5, 8, 1, 8]);
    expect(rotatedCorners(1, 2, 4, 6, 360)).toEqual([1, 2, 5, 2, 5, 8, 1, 8]);
  });

  it("is exact at multiples of 90 degrees, clockwise on screen", () => {
    // Box 4x2 at the origin, centre (2,1). 90° clockwise: TL goes to the top-right of the result.
    expect(rotatedCorners(0, 0, 4, 2, 90)).toEqual([3, -1, 3, 3, 1, 3, 1, -1]);
    expect(rotatedCorners(0, 0, 4, 2, 180)).toEqual([4, 2, 0, 2, 0, 0, 4, 0]);
    expect(rotatedCorners(0, 0, 4, 2, 270)).toEqual([1, 3, 1, -1, 3, -1, 3, 3]);
    expect(rotatedCorners(0, 0, 4, 2, -90)).toEqual(rotatedCorners(0, 0, 4, 2, 270));
    expect(rotatedCorners(0, 0, 4, 2, 450)).toEqual(rotatedCorners(0, 0, 4, 2, 90));
  });

  it("keeps the area and the clockwise winding", () => {
    for (const deg of [0, 16.6, 19.3, 218.2, 349.8]) {
      expect(ringArea(rotatedCorners(10, 20, 30, 40, deg))).toBeCloseTo(1200, 9);
    }
  });
});

describe("areas", () => {
  it("boxCorners is TL,TR,BR,BL", () => {
    expect(boxCorners(2, 3, 10, 8)).toEqual([2, 3, 12, 3, 12, 11, 2, 11]);
  });

  it("ringArea is the signed shoelace area, positive clockwise on screen", () => {
    expect(ringArea([0, 0, 2, 0, 2, 2, 0, 2])).toBe(4);
    expect(ringArea([0, 0, 0, 2, 2, 2, 2, 0])).toBe(-4);
    expect(ringArea([1, 1, 5, 1, 5, 5])).toBe(8);
    expect(ringArea([1, 1, 5, 1])).toBe(0);
    expect(ringArea([])).toBe(0);
    // An L shape of 3 unit squares.
    expect(ringArea([0, 0, 1, 0, 1, 1, 2, 1, 2, 2, 0, 2])).toBe(3);
  });

  it("polygonArea subtracts holes whatever their winding, never below 0", () => {
    const outer = [0, 0, 10, 0, 10, 10, 0, 10];
    expect(polygonArea([outer])).toBe(100);
    expect(polygonArea([outer, [2, 2, 4, 2, 4, 4, 2, 4]])).toBe(96);
    expect(polygonArea([outer, [2, 2, 2, 4, 4, 4, 4, 2]])).toBe(96);
    expect(polygonArea([[0, 0, 1, 0, 1, 1, 0, 1], outer])).toBe(0);
    expect(polygonArea([])).toBe(0);
    expect(polygonArea([[0, 0, 0, 10, 10, 10, 10, 0]])).toBe(100); // counter-clockwise outer
  });

  it("multiPolygonArea sums the parts", () => {
    expect(multiPolygonArea([[[0, 0, 10, 0, 10, 10, 0, 10], [2, 2, 4, 2, 4, 4, 2, 4]], [[3, 3, 4, 3, 4, 4]]])).toBe(96.5);
    expect(multiPolygonArea([])).toBe(0);
  });
});

describe("extents", () => {
  it("extent is the min/max of the vertices", () => {
    expect(extent([3, 4, -1, 7, 2, 0])).toEqual({ x: -1, y: 0, w: 4, h: 7 });
    expect(extent([5, 6])).toEqual({ x: 5, y: 6, w: 0, h: 0 });
    expect(extent([])).toBeNull();
  });

  it("extentOfMany spans every list", () => {
    expect(extentOfMany([[0, 0, 1, 1], [], [10, -2, 3, 3]])).toEqual({ x: 0, y: -2, w: 10, h: 5 });
    expect(extentOfMany([[], []])).toBeNull();
  });

  it("COCO ann 1768-style extent: bbox equals the vertex extent", () => {
    expect(extent([473.07, 395.93, 511.72, 395.93, 511.72, 424.6])).toEqual({ x: 473.07, y: 395.93, w: 511.72 - 473.07, h: 424.6 - 395.93 });
  });
});

describe("clipping", () => {
  it("clampPoint clamps into [0,W]x[0,H]", () => {
    expect(clampPoint(-1, 5, 10, 4)).toEqual([0, 4]);
    expect(clampPoint(3, 2, 10, 4)).toEqual([3, 2]);
    expect(clampPoint(11, -0.5, 10, 4)).toEqual([10, 0]);
  });

  it("keeps a ring inside the frame as it is", () => {
    expect(clipRingToRect([1, 1, 5, 1, 5, 5], 10, 10)).toEqual([1, 1, 5, 1, 5, 5]);
    expect(clipRingToRect([0, 0, 10, 0, 10, 10, 0, 10], 10, 10)).toEqual([0, 0, 10, 0, 10, 10, 0, 10]);
  });

  it("cuts a square overhanging the top-left corner to its inside quarter", () => {
    const r = clipRingToRect([-5, -5, 5, -5, 5, 5, -5, 5], 10, 10);
    expect(ringArea(r)).toBe(25);
    expect(extent(r)).toEqual({ x: 0, y: 0, w: 5, h: 5 });
    expect(r.length).toBe(8);
  });

  it("cuts a large triangle to the frame square (hand-traced)", () => {
    // (0,0) (20,0) (0,20): x<=10 gives (0,0) (10,0) (10,10) (0,20); y<=10 then gives the square.
    const r = clipRingToRect([0, 0, 20, 0, 0, 20], 10, 10);
    expect(rotateToStart(r, 0, 0)).toEqual([0, 0, 10, 0, 10, 10, 0, 10]);
  });

  it("clips a concave U overhanging the bottom: the area is exact", () => {
    // U: outer 0..6 wide, 0..10 tall, notch x 2..4 from y 4 down to 10; frame height 8.
    const u = [0, 0, 6, 0, 6, 10, 4, 10, 4, 4, 2, 4, 2, 10, 0, 10];
    const r = clipRingToRect(u, 20, 8);
    expect(ringArea(r)).toBe(48 - 8); // 6x8 minus the notch 2x4
    for (let i = 0; i < r.length; i += 2) {
      expect(r[i + 1]).toBeLessThanOrEqual(8);
    }
  });

  it("returns [] when nothing remains, or only an edge or a point", () => {
    expect(clipRingToRect([20, 20, 30, 20, 30, 30], 10, 10)).toEqual([]);
    expect(clipRingToRect([10, 0, 20, 0, 20, 5], 10, 10)).toEqual([]); // touches x=10 only
    expect(clipRingToRect([-5, -5, 0, -5, 0, 0], 10, 10)).toEqual([]); // touches the corner only
    expect(clipRingToRect([1, 1, 2, 2], 10, 10)).toEqual([]);
    expect(clipRingToRect([], 10, 10)).toEqual([]);
  });

  it("drops repeated vertices and a closing vertex", () => {
    expect(clipRingToRect([1, 1, 1, 1, 5, 1, 5, 5, 1, 1], 10, 10)).toEqual([1, 1, 5, 1, 5, 5]);
  });

  it("clipPolygonToRect drops a vanished outer ring or hole", () => {
    const outer = [-10, 0, 5, 0, 5, 5, -10, 5];
    const holeOut = [-8, 1, -6, 1, -6, 2];
    const holeIn = [1, 1, 2, 1, 2, 2];
    expect(clipPolygonToRect([outer, holeOut, holeIn], 10, 10)).toEqual([[0, 0, 5, 0, 5, 5, 0, 5], holeIn]);
    expect(clipPolygonToRect([[20, 20, 30, 20, 30, 30], holeIn], 10, 10)).toBeNull();
    expect(clipPolygonToRect([], 10, 10)).toBeNull();
    expect(clipPolygonsToRect([[[20, 20, 30, 20, 30, 30]], [holeIn]], 10, 10)).toEqual([[holeIn]]);
  });

  it("clipBox clips and flags truncation", () => {
    expect(clipBox(-2, 3, 5, 4, 10, 10)).toEqual({ x: 0, y: 3, w: 3, h: 4, truncated: true });
    expect(clipBox(1, 2, 3, 4, 10, 10)).toEqual({ x: 1, y: 2, w: 3, h: 4, truncated: false });
    expect(clipBox(0, 0, 10, 10, 10, 10)).toEqual({ x: 0, y: 0, w: 10, h: 10, truncated: false });
    expect(clipBox(8, 8, 5, 5, 10, 10)).toEqual({ x: 8, y: 8, w: 2, h: 2, truncated: true });
    expect(clipBox(12, 0, 3, 3, 10, 10)).toEqual({ x: 10, y: 0, w: 0, h: 3, truncated: true });
    expect(clipBox(5, 5, -2, -3, 10, 10)).toEqual({ x: 3, y: 2, w: 2, h: 3, truncated: false });
  });

  it("normaliseBox turns a negative size around", () => {
    expect(normaliseBox(5, 5, -2, 3)).toEqual({ x: 3, y: 5, w: 2, h: 3 });
  });
});

describe("geometry helpers", () => {
  // A 4x3 mask at left 10, top 20 with pixels (1,0),(2,0),(2,1) set (row-major).
  const bits = [0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0];
  const mask: Geometry = {
    kind: "mask",
    mask: { width: 4, height: 3, left: 10, top: 20, counts: Uint32Array.from(maskToRuns(bits)) },
  };

  it("geometryExtent covers every kind", () => {
    expect(geometryExtent({ kind: "box", x: 1, y: 2, w: 3, h: 4 })).toEqual({ x: 1, y: 2, w: 3, h: 4 });
    expect(geometryExtent({ kind: "box", x: -1, y: 2, w: -3, h: 4 })).toEqual({ x: -4, y: 2, w: 3, h: 4 });
    expect(geometryExtent({ kind: "rotated-box", x: 0, y: 0, w: 4, h: 2, degrees: 90 })).toEqual({ x: 1, y: -1, w: 2, h: 4 });
    const r = geometryExtent({ kind: "rotated-box", x: 100, y: 100, w: 300, h: 200, degrees: 30 });
    expect(r?.x).toBeCloseTo(200 - 75 * R3, 9);
    expect(r?.y).toBeCloseTo(125 - 50 * R3, 9);
    expect(r?.w).toBeCloseTo(150 * R3 + 100, 9);
    expect(r?.h).toBeCloseTo(100 * R3 + 150, 9);
    expect(geometryExtent({ kind: "polygon", polygons: [[[1, 1, 5, 1, 5, 5]], [[7, 0, 8, 9, 7, 9]]] })).toEqual({ x: 1, y: 0, w: 7, h: 9 });
    expect(geometryExtent({ kind: "polygon", polygons: [] })).toBeNull();
    expect(geometryExtent({ kind: "polyline", points: [0, 5, 10, 1] })).toEqual({ x: 0, y: 1, w: 10, h: 4 });
    expect(geometryExtent({ kind: "point", x: 3, y: 4 })).toEqual({ x: 3, y: 4, w: 0, h: 0 });
    expect(
      geometryExtent({
        kind: "skeleton",
        points: [
          { x: 1, y: 1, visibility: 2 },
          { x: 50, y: 50, visibility: 0 },
          { x: 4, y: 9, visibility: 1 },
        ],
      }),
    ).toEqual({ x: 1, y: 1, w: 3, h: 8 });
    expect(geometryExtent({ kind: "skeleton", points: [{ x: 2, y: 3, visibility: 0 }, { x: 6, y: 1, visibility: 0 }] })).toEqual({ x: 2, y: 1, w: 4, h: 2 });
    expect(geometryExtent({ kind: "skeleton", points: [] })).toBeNull();
    // Mask: columns 1..2, rows 0..1 -> COCO toBbox [1,0,2,2], shifted by left/top.
    expect(geometryExtent(mask)).toEqual({ x: 11, y: 20, w: 2, h: 2 });
    const empty: Geometry = { kind: "mask", mask: { width: 4, height: 3, left: 0, top: 0, counts: Uint32Array.from([12]) } };
    expect(geometryExtent(empty)).toBeNull();
  });

  it("geometryPolygons gives rings for boxes and polygons only", () => {
    expect(geometryPolygons({ kind: "box", x: 2, y: 3, w: 10, h: 8 })).toEqual([[[2, 3, 12, 3, 12, 11, 2, 11]]]);
    expect(geometryPolygons({ kind: "rotated-box", x: 0, y: 0, w: 4, h: 2, degrees: 90 })).toEqual([[[3, -1, 3, 3, 1, 3, 1, -1]]]);
    const polygons = [[[1, 1, 5, 1, 5, 5]]];
    expect(geometryPolygons({ kind: "polygon", polygons })).toBe(polygons);
    expect(geometryPolygons({ kind: "point", x: 1, y: 1 })).toBeNull();
    expect(geometryPolygons(mask)).toBeNull();
  });

  it("geometryArea: w·h, shoelace, pixel count, 0", () => {
    expect(geometryArea({ kind: "box", x: 2, y: 3, w: 10, h: 8 })).toBe(80);
    expect(geometryArea({ kind: "rotated-box", x: 0, y: 0, w: 4, h: 2, degrees: 33 })).toBe(8);
    expect(geometryArea({ kind: "polygon", polygons: [[[0, 0, 10, 0, 10, 10, 0, 10], [2, 2, 4, 2, 4, 4, 2, 4]]] })).toBe(96);
    expect(geometryArea(mask)).toBe(3);
    expect(geometryArea({ kind: "polyline", points: [0, 0, 5, 5] })).toBe(0);
    expect(geometryArea({ kind: "point", x: 0, y: 0 })).toBe(0);
  });
});

describe("format boxes", () => {
  it("toVocBox is 1-based inclusive (devkit)", () => {
    expect(toVocBox(0, 0, 10, 10, 100, 100)).toEqual({ xmin: 1, ymin: 1, xmax: 10, ymax: 10 });
    expect(toVocBox(2.5, 3.2, 4, 5, 100, 100)).toEqual({ xmin: 3, ymin: 4, xmax: 7, ymax: 9 });
    // A mask bbox (columns 5..7, rows 2..3) -> 1-based 6..8, 3..4.
    expect(toVocBox(5, 2, 3, 2, 100, 100)).toEqual({ xmin: 6, ymin: 3, xmax: 8, ymax: 4 });
  });

  it("toVocBox ignores float noise from normalised coordinates", () => {
    const x = 0.29 * 100; // 28.999999999999996
    expect(x).not.toBe(29);
    expect(toVocBox(x, 0, 0.31 * 100, 10, 100, 100)).toEqual({ xmin: 30, ymin: 1, xmax: 60, ymax: 10 });
  });

  it("toVocBox clamps to the frame and gives null outside it", () => {
    expect(toVocBox(-5, -5, 10, 10, 100, 100)).toEqual({ xmin: 1, ymin: 1, xmax: 5, ymax: 5 });
    expect(toVocBox(95, 95, 10, 10, 100, 100)).toEqual({ xmin: 96, ymin: 96, xmax: 100, ymax: 100 });
    expect(toVocBox(100, 0, 10, 10, 100, 100)).toBeNull();
    expect(toVocBox(-10, 0, 10, 10, 100, 100)).toBeNull();
    expect(toVocBox(5, 5, 0, 3, 100, 100)).toBeNull(); // zero width on a pixel edge
  });

  it("toYoloBox normalises the clipped box", () => {
    expect(toYoloBox(10, 20, 30, 40, 100, 200)).toEqual({ cx: 0.25, cy: 0.2, w: 0.3, h: 0.2 });
    expect(toYoloBox(-10, 0, 30, 10, 100, 100)).toEqual({ cx: 0.1, cy: 0.05, w: 0.2, h: 0.1 });
    expect(toYoloBox(100, 0, 10, 10, 100, 100)).toBeNull();
    expect(toYoloBox(5, 5, 0, 10, 100, 100)).toBeNull();
  });
});
