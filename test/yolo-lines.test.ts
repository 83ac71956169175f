// YOLO lines for every shape and task, against hand-computed values on a non-square 200x100 image.
// Rotated corners: centre (100,50), half sizes (40,20); at 30° cos = √3/2, sin = 1/2, so the corner
// TL = (100 − 40·√3/2 + 20·1/2, 50 − 40·1/2 − 20·√3/2) = (75.358984, 12.679492), and so on.
import { describe, expect, it } from "vitest";
import type { Geometry, MaskRuns } from "../src/model.js";
import { maskToRuns } from "../src/geometry/rle.js";
import { rasterisePolygons } from "../src/geometry/raster.js";
import {
  boxText,
  detectLines,
  formatValue,
  maskHullPoints,
  maskOutline,
  objectLines,
  obbLines,
  poseLines,
  quantizer,
  segmentLines,
  unitsText,
  type LineNote,
} from "../src/writers/yolo-lines.js";

const F = { width: 200, height: 100 };
const Q6 = quantizer(6);
const NO_POSE = { classPoints: 0, rowPoints: 0 };

const box = (x: number, y: number, w: number, h: number): Geometry => ({ kind: "box", x, y, w, h });
const rbox = (degrees: number): Geometry => ({ kind: "rotated-box", x: 60, y: 30, w: 80, h: 40, degrees });
const square: number[] = [20, 10, 120, 10, 120, 90, 20, 90];
const hole: number[] = [50, 30, 90, 30, 90, 70, 50, 70];
const donut: Geometry = { kind: "polygon", polygons: [[square, hole]] };

/** A 200x100 mask (left/top 0) from a list of set pixels. */
function mask(pixels: [number, number][], w = 200, h = 100): Geometry {
  const bits = new Uint8Array(w * h);
  for (const [x, y] of pixels) bits[y * w + x] = 1;
  const m: MaskRuns = { width: w, height: h, left: 0, top: 0, counts: Uint32Array.from(maskToRuns(bits)) };
  return { kind: "mask", mask: m };
}

function block(x0: number, y0: number, w: number, h: number, except: [number, number][] = []): [number, number][] {
  const out: [number, number][] = [];
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) if (!except.some(([a, b]) => a === x && b === y)) out.push([x, y]);
  return out;
}

const kinds = (notes: LineNote[]): string[] => notes.map((n) => `${n.outcome}: ${n.what}${n.count && n.count > 1 ? ` x${n.count}` : ""}`);

describe("number formatting", () => {
  it("writes fixed decimals, clips to [0,1] and never prints -0", () => {
    expect(formatValue(0.25, Q6)).toBe("0.250000");
    expect(formatValue(-0, Q6)).toBe("0.000000");
    expect(formatValue(-0.3, Q6)).toBe("0.000000");
    expect(formatValue(1.7, Q6)).toBe("1.000000");
    expect(formatValue(1 / 3, Q6)).toBe("0.333333");
    expect(formatValue(2 / 3, quantizer(3))).toBe("0.667");
    expect(formatValue(0.0000004, Q6)).toBe("0.000000");
    expect(formatValue(1e-7 * 6, Q6)).toBe("0.000001");
    expect(formatValue(0.6, quantizer(0))).toBe("1");
    expect(unitsText(1_000_000, Q6)).toBe("1.000000");
  });

  it("shrinks a box whose separately rounded centre and size would cross an edge", () => {
    // x 0..5.6 px of 200 at 2 decimals: centre 0.014 -> 0.01, width 0.028 -> 0.03 would start at -0.005.
    expect(boxText(0, 0, 5.6, 50, F, quantizer(2))).toBe("0.01 0.25 0.02 0.50");
    // A box narrower than half a unit has no width left.
    expect(boxText(0, 0, 1, 50, F, quantizer(2))).toBeNull();
  });
});

describe("detect", () => {
  it("normalises a box by the width and the height of a non-square image", () => {
    expect(detectLines(0, box(20, 10, 40, 30), F, Q6)).toEqual({ lines: ["0 0.200000 0.250000 0.200000 0.300000"], notes: [] });
  });

  it("clips a box crossing the border, on either side", () => {
    // x 180..220 -> 180..200, y 80..120 -> 80..100.
    expect(detectLines(1, box(180, 80, 40, 40), F, Q6).lines).toEqual(["1 0.950000 0.900000 0.100000 0.200000"]);
    // x -10..20 -> 0..20, y -5..20 -> 0..20.
    expect(detectLines(1, box(-10, -5, 30, 25), F, Q6).lines).toEqual(["1 0.050000 0.100000 0.100000 0.200000"]);
    // A negative size extends left/up.
    expect(detectLines(1, box(60, 40, -40, -30), F, Q6).lines).toEqual(["1 0.200000 0.250000 0.200000 0.300000"]);
  });

  it("skips a box outside the image", () => {
    const out = detectLines(0, box(210, 10, 20, 20), F, Q6);
    expect(out.lines).toEqual([]);
    expect(kinds(out.notes)).toEqual(["skipped: bounding box"]);
    expect(out.notes[0]?.reason).toBe("lies outside the image");
  });

  it("writes a rotated box at 30° as the box enclosing its corners (approximated)", () => {
    // Corners x 55.358984..144.641016, y 12.679492..87.320508.
    const out = detectLines(2, rbox(30), F, Q6);
    expect(out.lines).toEqual(["2 0.500000 0.500000 0.446410 0.746410"]);
    expect(kinds(out.notes)).toEqual(["approximated: rotated box"]);
  });

  it("writes a rotated box at 218° as the box enclosing its corners", () => {
    // cos 218° = −0.788011, sin 218° = −0.615661: corners x 56.166340..143.833660, y 9.613326..90.386674.
    expect(detectLines(2, rbox(218), F, Q6).lines).toEqual(["2 0.500000 0.500000 0.438337 0.807733"]);
  });

  it("encloses only the visible part of a rotated box crossing the border", () => {
    // Centre (190,80), 30°: corners (165.36,42.68) (234.64,82.68) (214.64,117.32) (145.36,77.32);
    // the visible part spans x 145.358984..200 and y 42.679492..100 ((200,100) lies inside the box).
    const g: Geometry = { kind: "rotated-box", x: 150, y: 60, w: 80, h: 40, degrees: 30 };
    expect(detectLines(2, g, F, Q6).lines).toEqual(["2 0.863397 0.713397 0.273205 0.573205"]);
  });

  it("a rotation by a right angle loses nothing", () => {
    // 90° about (100,50): the 80x40 box becomes x 80..120, y 10..90.
    const out = detectLines(0, rbox(90), F, Q6);
    expect(out).toEqual({ lines: ["0 0.500000 0.500000 0.200000 0.800000"], notes: [] });
  });

  it("writes a polygon with a hole as its extent (approximated)", () => {
    const out = detectLines(3, donut, F, Q6);
    expect(out.lines).toEqual(["3 0.350000 0.500000 0.500000 0.800000"]);
    expect(kinds(out.notes)).toEqual(["approximated: polygon"]);
  });

  it("writes a mask as the extent of its pixels (pixel edges)", () => {
    // Pixels x 10..12, y 5..6: the box is x 10..13, y 5..7.
    const out = detectLines(4, mask(block(10, 5, 3, 2)), F, Q6);
    expect(out.lines).toEqual(["4 0.057500 0.060000 0.015000 0.020000"]);
    expect(kinds(out.notes)).toEqual(["approximated: bitmask"]);
  });

  it("skips lines, points and skeletons", () => {
    expect(kinds(detectLines(0, { kind: "polyline", points: [0, 0, 10, 10] }, F, Q6).notes)).toEqual(["skipped: polyline"]);
    const p = detectLines(0, { kind: "point", x: 5, y: 5 }, F, Q6);
    expect(p.lines).toEqual([]);
    expect(p.notes[0]?.reason).toBe("YOLO detect holds regions and a point has none (use --task pose)");
    expect(kinds(detectLines(0, { kind: "skeleton", points: [{ x: 1, y: 1, visibility: 2 }] }, F, Q6).notes)).toEqual(["skipped: skeleton"]);
  });

  it("skips geometry that is not finite", () => {
    const out = objectLines("detect", 0, box(Number.NaN, 0, 1, 1), F, Q6, NO_POSE);
    expect(out.lines).toEqual([]);
    expect(out.notes[0]?.reason).toBe("has a coordinate that is not a finite number");
  });
});

describe("segment", () => {
  it("writes a box as its 4 corners, clipped", () => {
    expect(segmentLines(0, box(20, 10, 40, 30), F, Q6).lines).toEqual(["0 0.100000 0.100000 0.300000 0.100000 0.300000 0.400000 0.100000 0.400000"]);
    expect(segmentLines(1, box(180, 80, 40, 40), F, Q6).lines).toEqual(["1 0.900000 0.800000 1.000000 0.800000 1.000000 1.000000 0.900000 1.000000"]);
  });

  it("writes rotated boxes at 30° and 218° as their corners", () => {
    expect(segmentLines(2, rbox(30), F, Q6)).toEqual({ lines: ["2 0.376795 0.126795 0.723205 0.526795 0.623205 0.873205 0.276795 0.473205"], notes: [] });
    expect(segmentLines(2, rbox(218), F, Q6).lines).toEqual(["2 0.596036 0.903867 0.280832 0.411338 0.403964 0.096133 0.719168 0.588662"]);
  });

  it("clips a rotated box crossing the border to the image", () => {
    const g: Geometry = { kind: "rotated-box", x: 150, y: 60, w: 80, h: 40, degrees: 30 };
    const out = segmentLines(2, g, F, Q6);
    expect(out.notes).toEqual([]);
    const vals = (out.lines[0] ?? "").split(" ").slice(1).map(Number);
    expect(Math.max(...vals.filter((_v, i) => i % 2 === 0))).toBe(1);
    expect(Math.max(...vals.filter((_v, i) => i % 2 === 1))).toBe(1);
    // Corners TL and BL are kept as they are.
    expect(out.lines[0]).toContain("0.826795 0.426795");
    expect(out.lines[0]).toContain("0.726795 0.773205");
  });

  it("writes the outer ring of a polygon with a hole and counts the hole", () => {
    const out = segmentLines(3, donut, F, Q6);
    expect(out.lines).toEqual(["3 0.100000 0.100000 0.600000 0.100000 0.600000 0.900000 0.100000 0.900000"]);
    expect(kinds(out.notes)).toEqual(["approximated: polygon hole"]);
  });

  it("writes one line per polygon part", () => {
    const g: Geometry = { kind: "polygon", polygons: [[square], [[150, 10, 190, 10, 170, 50]]] };
    const out = segmentLines(3, g, F, Q6);
    expect(out.lines).toEqual([
      "3 0.100000 0.100000 0.600000 0.100000 0.600000 0.900000 0.100000 0.900000",
      "3 0.750000 0.100000 0.950000 0.100000 0.850000 0.500000",
    ]);
    expect(kinds(out.notes)).toEqual(["approximated: multi-part polygon"]);
  });

  it("drops a part outside the image and counts it", () => {
    const g: Geometry = { kind: "polygon", polygons: [[square], [[250, 10, 290, 10, 270, 50]]] };
    const out = segmentLines(3, g, F, Q6);
    expect(out.lines).toHaveLength(1);
    expect(kinds(out.notes)).toEqual(["skipped: polygon part"]);
  });

  it("drops repeats left by rounding and rings with no area at the precision", () => {
    // At 1 decimal (20 px), the triangle (0,0) (1,0) (0,1) collapses onto one point.
    const out = segmentLines(0, { kind: "polygon", polygons: [[[0, 0, 1, 0, 0, 1]]] }, F, quantizer(1));
    expect(out.lines).toEqual([]);
    expect(out.notes[0]?.reason).toBe("has no width, height or area at 1 decimals");
    // Two vertices that round together become one.
    const g: Geometry = { kind: "polygon", polygons: [[[0, 0, 100, 0, 100.01, 0, 100, 50]]] };
    expect(segmentLines(0, g, F, quantizer(2)).lines).toEqual(["0 0.00 0.00 0.50 0.00 0.50 0.50"]);
  });

  it("traces a mask's outer contour on pixel corners", () => {
    // An L of pixels (10,5) (11,5) (10,6): clockwise from the top-left corner of (10,5).
    const out = segmentLines(4, mask([[10, 5], [11, 5], [10, 6]]), F, Q6);
    expect(out).toEqual({ lines: ["4 0.050000 0.050000 0.060000 0.050000 0.060000 0.060000 0.055000 0.060000 0.055000 0.070000 0.050000 0.070000"], notes: [] });
  });

  it("fills a mask's holes (counted) and writes each part on its own line", () => {
    const ring = mask(block(10, 5, 3, 3, [[11, 6]]));
    const a = segmentLines(4, ring, F, Q6);
    expect(a.lines).toEqual(["4 0.050000 0.050000 0.065000 0.050000 0.065000 0.080000 0.050000 0.080000"]);
    expect(kinds(a.notes)).toEqual(["approximated: bitmask hole"]);
    const two = segmentLines(4, mask([...block(10, 5, 2, 2), ...block(30, 5, 1, 1)]), F, Q6);
    expect(two.lines).toEqual([
      "4 0.050000 0.050000 0.060000 0.050000 0.060000 0.070000 0.050000 0.070000",
      "4 0.150000 0.050000 0.155000 0.050000 0.155000 0.060000 0.150000 0.060000",
    ]);
    expect(kinds(two.notes)).toEqual(["approximated: multi-part bitmask"]);
  });

  it("covers exactly the mask plus its holes (random masks, rasterised back)", () => {
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const W = 40;
    const H = 20;
    for (let trial = 0; trial < 30; trial++) {
      const bits = new Uint8Array(W * H);
      for (let i = 0; i < bits.length; i++) bits[i] = rand() < 0.45 ? 1 : 0;
      const g: Geometry = { kind: "mask", mask: { width: W, height: H, left: 0, top: 0, counts: Uint32Array.from(maskToRuns(bits)) } };
      const out = segmentLines(0, g, { width: W, height: H }, Q6);
      // Back to pixels: k/40 and k/20 are exact at 6 decimals.
      const rings = out.lines.map((l) => l.split(" ").slice(1).map((v, i) => Math.round(Number(v) * (i % 2 === 0 ? W : H))));
      const raster = new Uint8Array(W * H);
      for (const r of rings) rasterisePolygons([[r]], W, H, raster);
      // Expected: the mask plus the background not reachable from the border (4-connected).
      const outside = new Uint8Array(W * H);
      const stack: number[] = [];
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x === 0 || y === 0 || x === W - 1 || y === H - 1) && bits[y * W + x] === 0) stack.push(y * W + x);
      for (const p of stack) outside[p] = 1;
      while (stack.length > 0) {
        const p = stack.pop() as number;
        const x = p % W;
        const y = (p - x) / W;
        for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= W || ny >= H) continue;
          const q = ny * W + nx;
          if (bits[q] === 0 && outside[q] === 0) {
            outside[q] = 1;
            stack.push(q);
          }
        }
      }
      for (let i = 0; i < W * H; i++) expect(raster[i], `trial ${trial} pixel ${i}`).toBe(outside[i] ? 0 : 1);
    }
  });

  it("skips lines, points and skeletons", () => {
    expect(kinds(segmentLines(0, { kind: "polyline", points: [0, 0, 10, 10, 20, 0] }, F, Q6).notes)).toEqual(["skipped: polyline"]);
  });
});

describe("obb", () => {
  it("writes a box as rotation 0, clockwise from the top-left", () => {
    expect(obbLines(0, box(20, 10, 40, 30), F, Q6)).toEqual({ lines: ["0 0.100000 0.100000 0.300000 0.100000 0.300000 0.400000 0.100000 0.400000"], notes: [] });
  });

  it("writes rotated boxes at 30° and 218° from their rotated corners", () => {
    expect(obbLines(2, rbox(30), F, Q6)).toEqual({ lines: ["2 0.376795 0.126795 0.723205 0.526795 0.623205 0.873205 0.276795 0.473205"], notes: [] });
    expect(obbLines(2, rbox(218), F, Q6).lines).toEqual(["2 0.596036 0.903867 0.280832 0.411338 0.403964 0.096133 0.719168 0.588662"]);
  });

  it("clamps the corners of a rotated box crossing the border (approximated)", () => {
    const g: Geometry = { kind: "rotated-box", x: 150, y: 60, w: 80, h: 40, degrees: 30 };
    const out = obbLines(2, g, F, Q6);
    expect(out.lines).toEqual(["2 0.826795 0.426795 1.000000 0.826795 1.000000 1.000000 0.726795 0.773205"]);
    expect(kinds(out.notes)).toEqual(["approximated: rotated box across the image border"]);
  });

  it("writes a polygon as its smallest enclosing rotated rectangle (approximated)", () => {
    const out = obbLines(3, donut, F, Q6);
    expect(out.lines).toEqual(["3 0.100000 0.100000 0.600000 0.100000 0.600000 0.900000 0.100000 0.900000"]);
    expect(kinds(out.notes)).toEqual(["approximated: polygon"]);
    // A diamond: its own sides are the smallest rectangle. (60,50) and (100,10) tie on x+y = 110; the
    // smaller y starts.
    const diamond: Geometry = { kind: "polygon", polygons: [[[100, 10, 140, 50, 100, 90, 60, 50]]] };
    expect(obbLines(3, diamond, F, Q6).lines).toEqual(["3 0.500000 0.100000 0.700000 0.500000 0.500000 0.900000 0.300000 0.500000"]);
  });

  it("writes a mask as the smallest rotated rectangle around its pixels", () => {
    expect(obbLines(4, mask(block(10, 5, 3, 2)), F, Q6).lines).toEqual(["4 0.050000 0.050000 0.065000 0.050000 0.065000 0.070000 0.050000 0.070000"]);
  });

  it("turns with a diagonal mask, clamping corners that leave the image", () => {
    // Pixels (0,0) (1,1) (2,2): the hull of their corners is smallest along the diagonal, area 6
    // (the axis-aligned box is 9): corners (0.5,−0.5) (3.5,2.5) (2.5,3.5) (−0.5,0.5), then clamped.
    const out = obbLines(4, mask([[0, 0], [1, 1], [2, 2]]), F, Q6);
    expect(out.lines).toEqual(["4 0.002500 0.000000 0.017500 0.025000 0.012500 0.035000 0.000000 0.005000"]);
    expect(kinds(out.notes)).toEqual(["approximated: bitmask"]);
  });

  it("skips points", () => {
    expect(kinds(obbLines(0, { kind: "point", x: 1, y: 1 }, F, Q6).notes)).toEqual(["skipped: point"]);
  });
});

describe("pose", () => {
  const skel: Geometry = {
    kind: "skeleton",
    points: [
      { x: 20, y: 10, visibility: 2 },
      { x: 60, y: 50, visibility: 1 },
      { x: 100, y: 30, visibility: 0 },
    ],
  };

  it("boxes the labelled keypoints and pads to the row's keypoint count", () => {
    // Labelled points x 20..60, y 10..50; the unlabelled one and the padding are 0 0 0.
    const out = poseLines(5, skel, F, Q6, { classPoints: 3, rowPoints: 4 });
    expect(out).toEqual({
      lines: ["5 0.200000 0.300000 0.200000 0.400000 0.100000 0.100000 2 0.300000 0.500000 1 0.000000 0.000000 0 0.000000 0.000000 0"],
      notes: [],
    });
  });

  it("writes a point with a 1 px box (approximated)", () => {
    const out = poseLines(6, { kind: "point", x: 50, y: 20 }, F, Q6, { classPoints: 1, rowPoints: 2 });
    expect(out.lines).toEqual(["6 0.250000 0.200000 0.005000 0.010000 0.250000 0.200000 2 0.000000 0.000000 0"]);
    expect(kinds(out.notes)).toEqual(["approximated: point box"]);
  });

  it("writes keypoints outside the image as missing and drops those beyond the class", () => {
    const g: Geometry = {
      kind: "skeleton",
      points: [
        { x: 20, y: 10, visibility: 2 },
        { x: 260, y: 50, visibility: 2 },
        { x: 60, y: 50, visibility: 2 },
        { x: 80, y: 80, visibility: 2 },
      ],
    };
    const out = poseLines(0, g, F, Q6, { classPoints: 3, rowPoints: 3 });
    expect(out.lines).toEqual(["0 0.200000 0.300000 0.200000 0.400000 0.100000 0.100000 2 0.000000 0.000000 0 0.300000 0.500000 2"]);
    expect(kinds(out.notes)).toEqual(["skipped: keypoint outside the image", "skipped: keypoint"]);
  });

  it("skips a skeleton with no labelled keypoint, and other shapes", () => {
    const none: Geometry = { kind: "skeleton", points: [{ x: 5, y: 5, visibility: 0 }] };
    expect(kinds(poseLines(0, none, F, Q6, { classPoints: 1, rowPoints: 1 }).notes)).toEqual(["skipped: skeleton"]);
    expect(kinds(poseLines(0, box(1, 1, 5, 5), F, Q6, { classPoints: 0, rowPoints: 1 }).notes)).toEqual(["skipped: bounding box"]);
  });
});

describe("mask helpers", () => {
  it("hull points are the outer corners of each row's end pixels, shifted by left/top", () => {
    const bits = new Uint8Array(6 * 3);
    for (const i of [1, 2, 4, 6 + 3, 12 + 0, 12 + 5]) bits[i] = 1;
    const m: MaskRuns = { width: 6, height: 3, left: 10, top: 20, counts: Uint32Array.from(maskToRuns(bits)) };
    expect(maskHullPoints(m)).toEqual([11, 20, 15, 20, 15, 21, 11, 21, 13, 21, 14, 21, 14, 22, 13, 22, 10, 22, 16, 22, 16, 23, 10, 23]);
  });


  it("shifts rings by the mask's left/top", () => {
    const bits = new Uint8Array(4 * 3);
    bits[1 * 4 + 2] = 1;
    const out = maskOutline({ width: 4, height: 3, left: 10, top: 20, counts: Uint32Array.from(maskToRuns(bits)) });
    expect(out).toEqual({ rings: [[12, 21, 13, 21, 13, 22, 12, 22]], holes: false });
  });

  it("an empty mask has no outline", () => {
    const m: MaskRuns = { width: 4, height: 3, left: 0, top: 0, counts: Uint32Array.from([12]) };
    expect(maskOutline(m)).toEqual({ rings: [], holes: false });
    for (const task of ["detect", "segment", "obb"] as const) {
      const out = objectLines(task, 0, { kind: "mask", mask: m }, F, Q6, NO_POSE);
      expect(out).toEqual({ lines: [], notes: [{ outcome: "skipped", code: "no-area", what: "bitmask", reason: "has no set pixels" }] });
    }
  });
});
