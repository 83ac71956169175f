// SIGINT, SIGTERM and SIGHUP in the middle of a run, through the real CLI: started on a long export,
// signalled once output (or a spool) has begun to appear. Each run must exit 128+signal with one line
// on stderr, leave no partial output and no spool, and leave the existing output (--force) and its
// neighbours byte-for-byte as they were.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { finished, LIMIT_MS, partials, snapshot, STACK_LINE, startCli, waitFor } from "./fault-helpers.js";
import { tempDir } from "./helpers.js";
import { writeSampleCopies } from "./robust-gen.js";

interface Case {
  name: string;
  signal: "SIGINT" | "SIGTERM" | "SIGHUP";
  code: number;
  args: (input: string, work: string) => string[];
  /** True once the run has visibly started writing (a partial output or a spool with content). */
  started: (work: string, tmp: string) => boolean;
}

/** Files under `sub` of a partial sibling folder in the work folder. */
function partialHasFiles(work: string, sub: string): boolean {
  return partials(work).some((p) => {
    const d = join(work, p, sub);
    return existsSync(d) && statSync(d).isDirectory() && readdirSync(d).length > 0;
  });
}

/** A spool file with content in a scratch folder of the run's TMPDIR. */
function spoolStarted(tmp: string): boolean {
  for (const d of existsSync(tmp) ? readdirSync(tmp) : []) {
    for (const f of readdirSync(join(tmp, d))) if (statSync(join(tmp, d, f)).size > 0) return true;
  }
  return false;
}

const CASES: Case[] = [
  {
    name: "masks (PNGs being written)",
    signal: "SIGINT",
    code: 130,
    args: (input, w) => ["masks", input, "-o", join(w, "out"), "--force"],
    started: (w) => partialHasFiles(w, "instances"),
  },
  {
    name: "coco (annotations being spooled)",
    signal: "SIGTERM",
    code: 143,
    args: (input, w) => ["coco", input, "-o", join(w, "out"), "--force"],
    started: (_w, tmp) => spoolStarted(tmp),
  },
  {
    name: "pixel --masks-dir (JSON and PNGs being written)",
    signal: "SIGINT",
    code: 130,
    args: (input, w) => ["pixel", input, "-o", join(w, "out.json"), "--masks-dir", join(w, "pngs"), "--force"],
    started: (w) => partialHasFiles(w, "."), // the PNG folder's partial sibling
  },
  {
    name: "voc --masks",
    signal: "SIGTERM",
    code: 143,
    args: (input, w) => ["voc", input, "-o", join(w, "out"), "--masks", "--force"],
    started: (w) => partialHasFiles(w, "SegmentationObject"),
  },
  {
    name: "yolo",
    signal: "SIGHUP",
    code: 129,
    args: (input, w) => ["yolo", input, "-o", join(w, "out"), "--task", "segment", "--force"],
    started: (w) => partialHasFiles(w, "labels/train"),
  },
];

describe("signals during a run", { timeout: LIMIT_MS }, () => {
  const root = tempDir("ec-fault-signals-");
  const input = join(root, "export.json");
  beforeAll(async () => {
    await writeSampleCopies(input, 2000); // 8,000 rows: seconds of work for every format
  });

  for (const c of CASES) {
    it(`${c.signal} during ${c.name}: exit ${c.code}, one line, no partial output, no spool, old output intact`, async () => {
      const work = join(root, c.name.replace(/[^a-z]+/g, "-"));
      const tmp = `${work}-tmp`;
      mkdirSync(join(work, "out"), { recursive: true });
      writeFileSync(join(work, "out", "keep.txt"), "the previous run's output\n");
      writeFileSync(join(work, "out.json"), "[]\n");
      mkdirSync(join(work, "pngs"));
      writeFileSync(join(work, "pngs", "old.png"), "an earlier mask");
      writeFileSync(join(work, "neighbour.txt"), "next to the output\n");
      mkdirSync(tmp);
      const before = snapshot(work);

      const child = startCli(c.args(input, work), tmp);
      const done = finished(child);
      const began = await waitFor(() => c.started(work, tmp), 30_000);
      expect(began, "the run never started writing").toBe(true);
      child.kill(c.signal);
      const r = await done;

      expect(r.signal, r.stderr).toBeNull(); // it exited by itself, after cleaning up
      expect(r.code, r.stderr).toBe(c.code);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.stderr.trim()).toBe(`encord-convert: interrupted (${c.signal}); no output was written`);
      expect(snapshot(work)).toEqual(before);
      expect(readdirSync(tmp)).toEqual([]);
    });
  }
});
