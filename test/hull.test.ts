import { describe, expect, it } from "vitest";
import { clockwiseFromTopLeft, convexHull, minAreaRect } from "../src/geometry/hull.js";
import { ringArea, rotatedCorners } from "../src/geometry/shapes.js";

const close = (a: number[], b: number[]): void => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i] as number, 9));
};

describe("convexHull", () => {
  it("keeps the corners, drops inner and collinear points, clockwise on screen", () => {
    const hull = convexHull([[0, 0, 2, 0, 4, 0, 4, 3, 2, 1, 0, 3], [1, 1]]);
    expect(hull).toEqual([0, 0, 4, 0, 4, 3, 0, 3]);
    expect(ringArea(hull)).toBe(12);
  });

  it("returns fewer than 3 points as they are", () => {
    expect(convexHull([[1, 1, 1, 1]])).toEqual([1, 1]);
    expect(convexHull([[0, 0, 1, 1, 2, 2]])).toEqual([0, 0, 2, 2]);
  });
});

describe("minAreaRect", () => {
  it("is the rectangle itself for a rectangle", () => {
    expect(minAreaRect([[10, 5, 13, 5, 13, 7, 10, 7]])).toEqual([10, 5, 13, 5, 13, 7, 10, 7]);
  });

  it("finds a rotated rectangle from its corners and an inner point", () => {
    // A 40x20 box at 30° about (100,50): TL = (100 − 20·cos30 + 10·sin30, 50 − 20·sin30 − 10·cos30)
    // = (87.679492, 31.339746) also has the smallest x+y, and rotatedCorners runs clockwise.
    const corners = rotatedCorners(80, 40, 40, 20, 30);
    const rect = minAreaRect([corners, [100, 50]]) as number[];
    close(rect, corners);
    expect(ringArea(rect)).toBeCloseTo(800, 9);
  });

  it("for a right triangle, takes the box along its legs", () => {
    close(minAreaRect([[0, 0, 4, 0, 0, 3]]) as number[], [0, 0, 4, 0, 4, 3, 0, 3]);
  });

  it("is null for points on one line", () => {
    expect(minAreaRect([[0, 0, 1, 1, 3, 3]])).toBeNull();
  });
});

describe("clockwiseFromTopLeft", () => {
  it("reverses an anticlockwise ring and starts at the smallest x+y", () => {
    expect(clockwiseFromTopLeft([5, 5, 5, 1, 1, 1, 1, 5])).toEqual([1, 1, 5, 1, 5, 5, 1, 5]);
  });
});
