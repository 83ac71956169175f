// runComponents (union-find over run segments) against labelComponents (flood fill over pixels).
import { describe, expect, it } from "vitest";
import { labelComponents, runComponents, type Connectivity } from "../src/geometry/contour.js";
import { maskToRuns } from "../src/geometry/rle.js";

function grid(...rows: string[]): { counts: number[]; width: number } {
  const width = (rows[0] as string).length;
  const bits = rows.flatMap((r) => [...r].map((c) => (c === "#" ? 1 : 0)));
  return { counts: maskToRuns(bits), width };
}

describe("runComponents", () => {
  it("joins diagonal neighbours with 8-connectivity only", () => {
    const g = grid("#..#", ".#..", "..#.", "#...");
    // 8: {(0,0),(1,1),(2,2)} and {(3,0)} and {(0,3)}; 4: every pixel alone.
    expect(runComponents(g.counts, g.width, 8)).toEqual({ firstPixel: [0, 3, 12], sizes: [3, 1, 1] });
    expect(runComponents(g.counts, g.width, 4)).toEqual({ firstPixel: [0, 3, 5, 10, 12], sizes: [1, 1, 1, 1, 1] });
  });

  it("numbers a U by its first pixel even when its arms join late", () => {
    const g = grid("#.#.#", "#.#.#", "###.#", "....#");
    expect(runComponents(g.counts, g.width)).toEqual({ firstPixel: [0, 4], sizes: [7, 4] });
  });

  it("agrees with labelComponents on random masks", () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let t = 0; t < 200; t++) {
      const w = 1 + Math.floor(rand() * 30);
      const h = 1 + Math.floor(rand() * 20);
      const p = rand();
      const bits = Array.from({ length: w * h }, () => (rand() < p ? 1 : 0));
      for (const c of [4, 8] as Connectivity[]) {
        const want = labelComponents(bits, w, h, c);
        expect(runComponents(maskToRuns(bits), w, c), `trial ${t} ${w}x${h} c${c}`).toEqual({ firstPixel: want.firstPixel, sizes: want.sizes });
      }
    }
  });

  it("an empty mask has no component", () => {
    expect(runComponents([12], 4)).toEqual({ firstPixel: [], sizes: [] });
  });
});
