// "Did you mean": the closest known value to a mistyped one, for usage errors.

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows: number[][] = [];
  for (let i = 0; i <= s.length; i++) {
    const row = new Array<number>(t.length + 1).fill(0);
    row[0] = i;
    rows.push(row);
  }
  for (let j = 0; j <= t.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= s.length; i++) {
    const row = rows[i] as number[];
    const prev = rows[i - 1] as number[];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, (rows[i - 2] as number[])[j - 2] as number + 1);
      row[j] = d;
    }
  }
  return (rows[s.length] as number[])[t.length] as number;
}

/**
 * The known value closest to `value`, when it is close enough to be a plausible typo (a third of its
 * length, at least 2 edits; a value that is a prefix of exactly one known value also counts).
 * Ties go to the first in `known`'s order, so the answer is stable.
 */
export function closest(value: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const prefixed: string[] = [];
  for (const k of known) {
    const d = editDistance(value, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
    if (value.length >= 2 && k.toLowerCase().startsWith(value.toLowerCase())) prefixed.push(k);
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(value.length / 3))) return best;
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** `; did you mean "x"?` or nothing. */
export function didYouMean(value: string, known: Iterable<string>): string {
  const c = closest(value, known);
  return c === undefined ? "" : `; did you mean "${c}"?`;
}
