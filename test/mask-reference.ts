// Slow references for the mask codec tests, built from the definitions pixel by pixel: runs of a 0/1
// bitmap read in a given order (zeros first; every run but the first is non-empty), and its area and box.

/** Runs of `bits` visited in `order` (all indices in turn when omitted: row-major for a row-major bitmap). */
export function runsInOrder(bits: ArrayLike<number>, order?: readonly number[]): number[] {
  const out: number[] = [];
  let v = 0;
  let n = 0;
  const count = order ? order.length : bits.length;
  for (let k = 0; k < count; k++) {
    const b = bits[order ? (order[k] as number) : k] ? 1 : 0;
    if (b !== v) {
      out.push(n);
      n = 0;
      v = b;
    }
    n++;
  }
  out.push(n);
  return out;
}

/** The row-major indices of a w×h bitmap in column-major order (COCO's): runsInOrder(bits, this) is COCO's runs. */
export function columnMajorOrder(w: number, h: number): number[] {
  const o: number[] = [];
  for (let x = 0; x < w; x++) for (let y = 0; y < h; y++) o.push(y * w + x);
  return o;
}

/** What COCO's toBbox and area give for a row-major bitmap. */
export function slowBox(m: Uint8Array, w: number, h: number): { area: number; bbox: [number, number, number, number] } | null {
  let area = 0;
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (m[y * w + x]) {
        area++;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  return area === 0 ? null : { area, bbox: [x0, y0, x1 - x0 + 1, y1 - y0 + 1] };
}
