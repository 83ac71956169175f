// Slow references for the mask codec tests, built from the definitions pixel by pixel: runs of a 0/1
// bitmap read in a given order (zeros first; every run but the first is non-empty).

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
