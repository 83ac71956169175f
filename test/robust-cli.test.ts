// A sample of the property test's hostile exports (robust-cases.ts) through the real CLI, under a
// 256 MB heap and a time limit: exit 0, or exit 1 with exactly one line on stderr naming the row or
// the file; never a stack trace, never a partial output left next to the destination.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BIN, tempDir } from "./helpers.js";
import { buildCase, FUZZ_MAX_PIXELS, LONG, scenario } from "./robust-cases.js";
import type { RobustCase } from "./robust-pool.js";
import { LIMIT_MS, STACK_LINE } from "./fault-helpers.js";

const CASES = LONG ? 400 : 30;
const SEED = LONG ? Date.now() % 2 ** 31 : 424242;

/** The CLI arguments for a case's format and options. */
function cliArgs(c: RobustCase, input: string, out: string, masksDir: string): string[] {
  if (c.format === "inspect") return ["inspect", "--json", input];
  const o = c.formatOptions;
  const args: string[] = [c.format, input, "-o", c.format === "pixel" ? `${out}.json` : out, "--max-pixels", String(FUZZ_MAX_PIXELS), "-q"];
  if (c.maxRowBytes !== undefined) args.push("--max-row-bytes", String(c.maxRowBytes));
  if (o.polylineAs) args.push("--polyline-as", String(o.polylineAs));
  if (o.skipEmpty) args.push("--skip-empty");
  if (o.task) args.push("--task", String(o.task));
  if (o.vocMasks) args.push("--masks");
  if (o.voidBorder) args.push("--void-border");
  if (o.masksDir) args.push("--masks-dir", masksDir);
  if (o.jsonl) args.push("--jsonl");
  if (o.round !== undefined) args.push("--round", String(o.round));
  if (o.maskMode) args.push("--mode", String(o.maskMode));
  return args;
}

describe("hostile exports through the CLI", { timeout: LIMIT_MS }, () => {
  const work = tempDir("ec-robust-cli-");
  const tmp = tempDir("ec-robust-cli-tmp-"); // the runs' TMPDIR: spools must be gone after each
  const samples = fc.sample(scenario, { numRuns: CASES, seed: SEED });

  it(`${CASES} cases (seed ${SEED}): exit 0, or exit 1 with one line naming the row; no stack trace`, () => {
    const codes: Record<string, number> = {};
    samples.forEach((s, i) => {
      const c = buildCase(i, s);
      const input = join(work, `in-${i}.json`);
      writeFileSync(input, c.bytes);
      const out = join(work, `out-${i}`);
      const masksDir = join(work, `pngs-${i}`);
      const args = cliArgs(c, input, out, masksDir);
      const r = spawnSync(process.execPath, ["--max-old-space-size=256", BIN, ...args], {
        env: { ...process.env, NO_COLOR: "1", TMPDIR: tmp },
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      const stderr = r.stderr.toString("utf8");
      const what = `case ${i}: encord-convert ${args.join(" ")}\n${stderr}`;
      codes[String(r.status)] = (codes[String(r.status)] ?? 0) + 1;
      expect(r.signal, what).toBeNull();
      expect([0, 1], what).toContain(r.status);
      expect(stderr, what).not.toMatch(STACK_LINE);
      expect(stderr, what).not.toMatch(/internal error/);
      if (r.status === 1) {
        const lines = stderr.trimEnd().split("\n");
        expect(lines, what).toHaveLength(1);
        expect(lines[0], what).toMatch(/^encord-convert: error: /);
        expect(lines[0], what).toMatch(new RegExp(`\\brow \\d+\\b|in-${i}\\.json`));
        expect(existsSync(out) || existsSync(`${out}.json`) || existsSync(masksDir), what).toBe(false);
      }
      expect(readdirSync(work).filter((n) => n.includes(".partial-")), what).toEqual([]);
      expect(readdirSync(tmp), what).toEqual([]);
    });
    console.log(`robust-cli: exit codes ${JSON.stringify(codes)}`);
    expect(codes["1"] ?? 0).toBeGreaterThan(0);
    expect(codes["0"] ?? 0).toBeGreaterThan(0);
  });
});
