// Convex hull and minimum-area enclosing rectangle of flat point lists, for writers that must turn an
// outline into a rotated rectangle (YOLO OBB does what Ultralytics' own cv2.minAreaRect does).
// Pixel coordinates, y down; rings are flat [x0,y0,x1,y1,...], clockwise on screen (positive ringArea).

/**
 * Convex hull by Andrew's monotone chain over every point of the lists, clockwise on screen, without
 * collinear points, starting at the lowest-x (then lowest-y) point. Fewer than 3 distinct points come
 * back as they are (0, 1 or 2 points).
 */
export function convexHull(lists: readonly ArrayLike<number>[]): number[] {
  const pts: [number, number][] = [];
  for (const list of lists) for (let i = 0; i + 1 < list.length; i += 2) pts.push([list[i] as number, list[i + 1] as number]);
  pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const uniq: [number, number][] = [];
  for (const p of pts) {
    const last = uniq[uniq.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) uniq.push(p);
  }
  if (uniq.length < 3) return uniq.flat();
  // cross > 0: a counter-clockwise turn in y-up maths = a clockwise turn on a y-down screen.
  const cross = (o: [number, number], a: [number, number], b: [number, number]): number =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const build = (order: [number, number][]): [number, number][] => {
    const chain: [number, number][] = [];
    for (const p of order) {
      while (chain.length >= 2 && cross(chain[chain.length - 2] as [number, number], chain[chain.length - 1] as [number, number], p) <= 0) {
        chain.pop();
      }
      chain.push(p);
    }
    chain.pop(); // the last point starts the other chain
    return chain;
  };
  // All points on one line leave 2 points: no area.
  return [...build(uniq), ...build([...uniq].reverse())].flat();
}

/**
 * The smallest-area rectangle enclosing the points (its sides run along a hull edge: the
 * rotating-calipers theorem), as 4 corners clockwise on screen starting at the corner with the
 * smallest x+y (then smallest y). Ties between equal areas keep the first hull edge, so the result is
 * deterministic. Null when the points span no area (fewer than 3 points not on one line).
 */
export function minAreaRect(lists: readonly ArrayLike<number>[]): number[] | null {
  const hull = convexHull(lists);
  const n = hull.length / 2;
  if (n < 3) return null;
  let best: { area: number; corners: number[] } | null = null;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    const ex = (hull[2 * j] as number) - (hull[2 * i] as number);
    const ey = (hull[2 * j + 1] as number) - (hull[2 * i + 1] as number);
    const len = Math.hypot(ex, ey);
    if (len === 0) continue;
    const ux = ex / len;
    const uy = ey / len;
    // u along the edge, v perpendicular; project every hull point on both.
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    for (let k = 0; k < n; k++) {
      const px = hull[2 * k] as number;
      const py = hull[2 * k + 1] as number;
      const pu = px * ux + py * uy;
      const pv = -px * uy + py * ux;
      if (pu < minU) minU = pu;
      if (pu > maxU) maxU = pu;
      if (pv < minV) minV = pv;
      if (pv > maxV) maxV = pv;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (best === null || area < best.area) {
      // Back from (u,v) to (x,y): x = u·ux − v·uy, y = u·uy + v·ux.
      const at = (u: number, v: number): [number, number] => [u * ux - v * uy, u * uy + v * ux];
      best = { area, corners: [...at(minU, minV), ...at(maxU, minV), ...at(maxU, maxV), ...at(minU, maxV)] };
    }
  }
  if (!best || !(best.area > 0)) return null;
  return clockwiseFromTopLeft(best.corners);
}

/** A 4-corner ring turned clockwise on screen and started at the corner with the smallest x+y. */
export function clockwiseFromTopLeft(corners: readonly number[]): number[] {
  let ring = [...corners];
  let signed = 0;
  for (let i = 0; i < 4; i++) {
    const j = (i + 1) % 4;
    signed += (ring[2 * i] as number) * (ring[2 * j + 1] as number) - (ring[2 * j] as number) * (ring[2 * i + 1] as number);
  }
  if (signed < 0) ring = [ring[0], ring[1], ring[6], ring[7], ring[4], ring[5], ring[2], ring[3]] as number[];
  // Sums within float noise of each other are a tie (a corner computed through sin/cos is not exact).
  let start = 0;
  for (let i = 1; i < 4; i++) {
    const s = (ring[2 * i] as number) + (ring[2 * i + 1] as number);
    const b = (ring[2 * start] as number) + (ring[2 * start + 1] as number);
    const tie = Math.abs(s - b) <= 1e-9 * Math.max(1, Math.abs(s), Math.abs(b));
    if ((!tie && s < b) || (tie && (ring[2 * i + 1] as number) < (ring[2 * start + 1] as number))) start = i;
  }
  return [...ring.slice(2 * start), ...ring.slice(0, 2 * start)];
}
