import { describe, expect, it } from "vitest";
import { seededRandom } from "./fixtures.js";
import { labelComponents, traceMaskRuns, traceOuterBoundary, traceOuterContours, type Connectivity } from "../src/geometry/contour.js";
import { rasterisePolygons } from "../src/geometry/raster.js";
import { maskToRuns } from "../src/geometry/rle.js";
import { ringArea } from "../src/geometry/shapes.js";

/** A mask from rows of '#' (set) and '.' (clear). */
function grid(...rows: string[]): { mask: Uint8Array; width: number; height: number } {
  const width = (rows[0] as string).length;
  const height = rows.length;
  const mask = new Uint8Array(width * height);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) mask[y * width + x] = row[x] === "#" ? 1 : 0;
  });
  return { mask, width, height };
}

/**
 * Component k plus its holes: every pixel not in k that cannot reach outside the frame through
 * non-k pixels, moving with the dual connectivity (4 for 8-connected components, 8 for 4-connected).
 */
function filledComponent(labels: Int32Array, k: number, width: number, height: number, connectivity: Connectivity): Uint8Array {
  // Work on a frame padded by one pixel so "outside" is one connected region.
  const W = width + 2;
  const H = height + 2;
  const inK = (x: number, y: number): boolean => x >= 1 && y >= 1 && x <= width && y <= height && labels[(y - 1) * width + (x - 1)] === k;
  const outside = new Uint8Array(W * H);
  const stack = [0];
  outside[0] = 1;
  const dual = connectivity === 8 ? 4 : 8;
  while (stack.length > 0) {
    const p = stack.pop() as number;
    const x = p % W;
    const y = (p - x) / W;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        if ((dx === 0 && dy === 0) || (dual === 4 && dx !== 0 && dy !== 0)) continue;
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= W || ny >= H) continue;
        const q = ny * W + nx;
        if (outside[q] || inK(nx, ny)) continue;
        outside[q] = 1;
        stack.push(q);
      }
    }
  }
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[y * width + x] = outside[(y + 1) * W + (x + 1)] ? 0 : 1;
  }
  return out;
}

/** Every vertex is a real turn on an axis-aligned ring: no collinear points, no zero-length edges. */
function expectAxisAlignedTurns(ring: number[]): void {
  const n = ring.length / 2;
  expect(n).toBeGreaterThanOrEqual(4);
  for (let i = 0; i < n; i++) {
    const a = [ring[2 * ((i + n - 1) % n)] as number, ring[2 * ((i + n - 1) % n) + 1] as number];
    const b = [ring[2 * i] as number, ring[2 * i + 1] as number];
    const c = [ring[2 * ((i + 1) % n)] as number, ring[2 * ((i + 1) % n) + 1] as number];
    const d1 = [(b[0] as number) - (a[0] as number), (b[1] as number) - (a[1] as number)];
    const d2 = [(c[0] as number) - (b[0] as number), (c[1] as number) - (b[1] as number)];
    expect(d1[0] === 0 || d1[1] === 0).toBe(true);
    expect(d1[0] !== 0 || d1[1] !== 0).toBe(true);
    // Perpendicular consecutive edges: the dot product is 0.
    expect((d1[0] as number) * (d2[0] as number) + (d1[1] as number) * (d2[1] as number) === 0).toBe(true);
  }
}

describe("traceOuterContours: hand cases", () => {
  it("a single pixel gives its 4 corners, clockwise from the top-left", () => {
    const { mask, width, height } = grid("....", "..#.", "....");
    expect(traceOuterContours(mask, width, height)).toEqual([[2, 1, 3, 1, 3, 2, 2, 2]]);
    expect(traceOuterContours(mask, width, height, 4)).toEqual([[2, 1, 3, 1, 3, 2, 2, 2]]);
  });

  it("pixels on the frame edge trace along the frame edge", () => {
    const { mask, width, height } = grid("##", "##");
    expect(traceOuterContours(mask, width, height)).toEqual([[0, 0, 2, 0, 2, 2, 0, 2]]);
  });

  it("an L shape: 6 corners, no collinear points", () => {
    const { mask, width, height } = grid("#..", "##.", "...");
    const rings = traceOuterContours(mask, width, height);
    expect(rings).toEqual([[0, 0, 1, 0, 1, 1, 2, 1, 2, 2, 0, 2]]);
    expect(ringArea(rings[0] as number[])).toBe(3);
  });

  it("a long bar keeps only its 4 corners", () => {
    const { mask, width, height } = grid(".....", ".###.", ".###.");
    expect(traceOuterContours(mask, width, height)).toEqual([[1, 1, 4, 1, 4, 3, 1, 3]]);
  });

  it("two components, ordered by first pixel in row-major order", () => {
    const { mask, width, height } = grid("...##", "#..##", "#....");
    expect(traceOuterContours(mask, width, height)).toEqual([
      [3, 0, 5, 0, 5, 2, 3, 2],
      [0, 1, 1, 1, 1, 3, 0, 3],
    ]);
  });

  it("diagonal neighbours: one pinched ring with 8-connectivity, two rings with 4", () => {
    const { mask, width, height } = grid("#.", ".#");
    expect(traceOuterContours(mask, width, height, 8)).toEqual([[0, 0, 1, 0, 1, 1, 2, 1, 2, 2, 1, 2, 1, 1, 0, 1]]);
    expect(traceOuterContours(mask, width, height, 4)).toEqual([
      [0, 0, 1, 0, 1, 1, 0, 1],
      [1, 1, 2, 1, 2, 2, 1, 2],
    ]);
  });

  it("a ring shape gives only its outer boundary", () => {
    const { mask, width, height } = grid("###", "#.#", "###");
    expect(traceOuterContours(mask, width, height)).toEqual([[0, 0, 3, 0, 3, 3, 0, 3]]);
    // Its raster covers the hole too (outer boundary only).
    expect(Array.from(rasterisePolygons([traceOuterContours(mask, width, height)], width, height))).toEqual(Array(9).fill(1));
  });

  it("a U shape keeps its notch (the notch is open, not a hole)", () => {
    const { mask, width, height } = grid("#.#", "#.#", "###");
    expect(traceOuterContours(mask, width, height)).toEqual([[0, 0, 1, 0, 1, 2, 2, 2, 2, 0, 3, 0, 3, 3, 0, 3]]);
  });

  it("a diamond of 4 diagonal pixels: 8-connected it encloses the centre, 4-connected it is 4 pixels", () => {
    const { mask, width, height } = grid(".#.", "#.#", ".#.");
    const r8 = traceOuterContours(mask, width, height, 8);
    expect(r8.length).toBe(1);
    expect(ringArea(r8[0] as number[])).toBe(5);
    expect(Array.from(rasterisePolygons([r8], width, height))).toEqual([0, 1, 0, 1, 1, 1, 0, 1, 0]);
    const r4 = traceOuterContours(mask, width, height, 4);
    expect(r4.length).toBe(4);
    expect(r4.map((r) => ringArea(r))).toEqual([1, 1, 1, 1]);
  });

  it("an empty mask has no contours", () => {
    expect(traceOuterContours(new Uint8Array(6), 3, 2)).toEqual([]);
    expect(traceOuterContours(new Uint8Array(0), 0, 0)).toEqual([]);
  });

  it("refuses a mask of the wrong size", () => {
    expect(() => traceOuterContours(new Uint8Array(5), 3, 2)).toThrow(RangeError);
  });

  it("traceOuterBoundary refuses a start that is not a first pixel", () => {
    const { mask, width, height } = grid("##", "##");
    expect(() => traceOuterBoundary(mask, width, height, 1, 1)).toThrow();
  });
});

describe("labelComponents", () => {
  it("numbers components by first pixel and counts their pixels", () => {
    const { mask, width, height } = grid("#.#", ".#.", "..#");
    const c8 = labelComponents(mask, width, height, 8);
    expect(c8.count).toBe(1);
    expect(c8.sizes).toEqual([4]);
    const c4 = labelComponents(mask, width, height, 4);
    expect(c4.count).toBe(4);
    expect(c4.firstPixel).toEqual([0, 2, 4, 8]);
    expect(c4.sizes).toEqual([1, 1, 1, 1]);
    expect(Array.from(c4.labels)).toEqual([1, 0, 2, 0, 3, 0, 0, 0, 4]);
  });
});

describe("traceMaskRuns", () => {
  it("shifts rings by left/top", () => {
    const bits = [0, 1, 1, 0, 1, 0];
    const rings = traceMaskRuns({ width: 3, height: 2, left: 10, top: 20, counts: Uint32Array.from(maskToRuns(bits)) });
    expect(rings).toEqual([[11, 20, 13, 20, 13, 21, 12, 21, 12, 22, 11, 22]]);
    const at0 = traceMaskRuns({ width: 3, height: 2, left: 0, top: 0, counts: Uint32Array.from(maskToRuns(bits)) });
    expect(at0).toEqual([[1, 0, 3, 0, 3, 1, 2, 1, 2, 2, 1, 2]]);
  });
});

describe("traceOuterContours: property on random masks", () => {
  for (const connectivity of [8, 4] as const) {
    it(`rasterising each ring gives exactly its ${connectivity}-connected component plus the component's holes`, () => {
      const rand = seededRandom(connectivity * 7919);
      for (let trial = 0; trial < 200; trial++) {
        const width = 1 + Math.floor(rand() * 14);
        const height = 1 + Math.floor(rand() * 12);
        const density = 0.3 + rand() * 0.4;
        const mask = new Uint8Array(width * height);
        for (let i = 0; i < mask.length; i++) mask[i] = rand() < density ? 1 : 0;
        const comps = labelComponents(mask, width, height, connectivity);
        const rings = traceOuterContours(mask, width, height, connectivity);
        expect(rings.length).toBe(comps.count);
        rings.forEach((ring, i) => {
          const k = i + 1;
          const raster = rasterisePolygons([[ring]], width, height);
          const filled = filledComponent(comps.labels, k, width, height, connectivity);
          // Component pixels are inside, and every other raster pixel is in one of its holes.
          expect(raster).toEqual(filled);
          for (let p = 0; p < mask.length; p++) {
            if (comps.labels[p] === k) expect(raster[p]).toBe(1);
          }
          // Shoelace area = the pixels covered; clockwise on screen.
          expect(ringArea(ring)).toBe(filled.reduce((a, b) => a + b, 0));
          expectAxisAlignedTurns(ring);
          // Starts at the top-left corner of the component's first pixel.
          const first = comps.firstPixel[i] as number;
          expect([ring[0], ring[1]]).toEqual([first % width, Math.floor(first / width)]);
        });
      }
    });
  }
});
