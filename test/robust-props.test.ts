// Property test: valid label rows taken apart by fast-check (robust-mutate.ts, robust-cases.ts) and
// run through every format in a worker thread (robust-pool.ts). Each run must end as a finished
// conversion (warnings counted) or a one-line InputError naming the row; never another exception,
// never a hang (per-case time limit), never more heap than the cap, and never a partial output, a
// spool or (after a failure) an output left behind.
// CI: a fixed seed. `npm run test:long`: many more cases and a fresh seed, printed for replay
// (ROBUST_RUNS, ROBUST_SEED and ROBUST_CASE_MS override).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { buildCase, judge, LONG, scenario } from "./robust-cases.js";
import { RobustPool } from "./robust-pool.js";
import { LIMIT_MS } from "./fault-helpers.js";

const RUNS = Number(process.env.ROBUST_RUNS ?? (LONG ? 20_000 : 400));
const SEED = Number(process.env.ROBUST_SEED ?? (LONG ? Date.now() % 2 ** 31 : 20250609));
const CASE_MS = Number(process.env.ROBUST_CASE_MS ?? 20_000);
const HEAP_MB = 384;

describe("hostile exports (property)", { timeout: LIMIT_MS }, () => {
  const work = mkdtempSync(join(tmpdir(), "ec-robust-"));
  const pool = new RobustPool(work, { heapMb: HEAP_MB, caseMs: CASE_MS });
  afterAll(async () => {
    await pool.close();
    rmSync(work, { recursive: true, force: true });
  });

  it(`${RUNS} mutated exports (seed ${SEED}) end in exit 0 with counted warnings or a one-line row error`, async () => {
    let id = 0;
    const tally: Record<string, number> = {};
    let slowest = 0;
    let warned = 0;
    console.log(`robust: seed ${SEED}, ${RUNS} cases (replay with ROBUST_SEED=${SEED} ROBUST_RUNS=${RUNS})`);
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const c = buildCase(++id, s);
        const o = await pool.run(c);
        const bad = judge(o);
        tally[o.kind] = (tally[o.kind] ?? 0) + 1;
        slowest = Math.max(slowest, o.ms);
        if ((o.warnings ?? 0) > 0 || (o.notes ?? 0) > 0) warned++;
        if (bad) throw new Error(`${c.format} ${JSON.stringify(c.formatOptions)}: ${bad}`);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(`robust: ${JSON.stringify(tally)}; ${warned} finished with warnings or report notes; slowest case ${slowest} ms`);
    // The generator must reach both outcomes, or it is not testing much.
    expect(tally.ok ?? 0).toBeGreaterThan(RUNS / 10);
    expect(tally["input-error"] ?? 0).toBeGreaterThan(RUNS / 20);
  });
});
