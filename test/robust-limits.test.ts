// Resource limits through the real CLI, with the peak RSS of each run measured (test/fault-inject.mjs):
// - a bitmask, or a frame a writer would rasterise, larger than --max-pixels is refused with a clear,
//   counted reason instead of being allocated, in every format (and --strict makes that exit 3);
// - an rleString that claims more pixels than width×height (up to 2^40) is refused without allocating;
// - frames of 100000², 2^31×3 and 3×2^31 with every shape on them finish in seconds and small memory;
// - a label row larger than the reader's 64 MiB cap takes the huge-row path and converts under a heap
//   in which the whole-row fast path runs out of memory (measured, not asserted).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeRleString } from "../src/geometry/rle.js";
import { SAMPLES } from "./fixtures.js";
import { LIMIT_MS, LONG, runInjected, STACK_LINE } from "./fault-helpers.js";
import { tempDir } from "./helpers.js";
import { writeLongVideo } from "./robust-gen.js";

type Row = Record<string, unknown>;

const IMAGES = join(SAMPLES, "images.json");

/** Every format, with the options that make it rasterise (masks, segmentation PNGs, RLE holes). */
const FORMATS: { name: string; args: (input: string, out: string) => string[] }[] = [
  { name: "coco", args: (i, o) => ["coco", i, "-o", o] },
  { name: "yolo segment", args: (i, o) => ["yolo", i, "-o", o, "--task", "segment"] },
  { name: "yolo obb", args: (i, o) => ["yolo", i, "-o", o, "--task", "obb"] },
  { name: "voc --masks", args: (i, o) => ["voc", i, "-o", o, "--masks"] },
  { name: "pixel --masks-dir", args: (i, o) => ["pixel", i, "-o", `${o}.json`, "--masks-dir", `${o}-pngs`] },
  { name: "masks", args: (i, o) => ["masks", i, "-o", o] },
  { name: "masks semantic", args: (i, o) => ["masks", i, "-o", o, "--mode", "semantic"] },
];

interface ReportFile {
  problems: { list: string[] };
  notes: { outcome: string; what: string; reason: string; count: number }[];
}

/** The first row of samples/images.json (every 2-D shape, a 640×480 bitmask) with changes. */
function streetRow(change: (unit: Row, objects: Row[]) => void): Row {
  const row = (JSON.parse(readFileSync(IMAGES, "utf8")) as Row[])[0] as Row;
  const unit = Object.values(row.data_units as Record<string, Row>)[0] as Row;
  change(unit, (unit.labels as { objects: Row[] }).objects);
  // Each changed row is an asset of its own (the same label row twice would be read once).
  row.data_hash = unit.data_hash;
  row.label_hash = `label-${String(unit.data_hash)}`;
  return row;
}

describe("resource limits", { timeout: LIMIT_MS }, () => {
  const root = tempDir("ec-limits-");
  const tmp = join(root, "tmp");

  for (const f of FORMATS) {
    it(`--max-pixels 100000, ${f.name}: the 640x480 bitmask and every 640x480 raster refused with a counted reason; --strict exits 3`, () => {
      const out = join(root, `mp-${f.name.replace(/[^a-z]+/g, "-")}`);
      const report = `${out}.report.json`;
      const r = runInjected([...f.args(IMAGES, out), "-q", "--max-pixels", "100000", "--report", report], tmp);
      expect(r.code, r.stderr).toBe(0);
      const rep = JSON.parse(readFileSync(report, "utf8")) as ReportFile;
      expect(rep.problems.list.join("\n")).toMatch(/bitmask of 640x480 = 307200 pixels is over the limit of 100000 \(--max-pixels\); object skipped/);
      const limited = rep.notes.filter((n) => /over the limit of 100000 \(--max-pixels\)/.test(n.reason));
      if (f.name.startsWith("masks") || f.name.startsWith("voc") || f.name.startsWith("pixel") || f.name === "coco") {
        expect(limited.length, JSON.stringify(rep.notes)).toBeGreaterThan(0);
      }
      expect(r.maxRssKb).toBeLessThan(300 * 1024);
      const strict = runInjected([...f.args(IMAGES, `${out}-strict`), "-q", "--max-pixels", "100000", "--strict"], tmp);
      expect(strict.code, strict.stderr).toBe(3);
    });
  }

  it("rleStrings claiming more pixels than width x height (up to 2^40) or a mask over the limit: refused without allocating", () => {
    const claims = [307_201, 2 ** 31 + 5, 2 ** 32 + 1, 2 ** 40];
    const rows = claims.map((total, i) =>
      streetRow((unit, objects) => {
        unit.data_hash = `claim-${i}`;
        const mask = objects.find((o) => o.shape === "bitmask") as Row;
        mask.bitmask = { ...(mask.bitmask as Row), rleString: encodeRleString([0, total]) };
      }),
    );
    // A mask whose own size (and runs) claim 100000 x 100000 on a 640 x 480 frame.
    rows.push(
      streetRow((unit, objects) => {
        unit.data_hash = "claim-size";
        const mask = objects.find((o) => o.shape === "bitmask") as Row;
        mask.bitmask = { rleString: encodeRleString([0, 1e10]), width: 100_000, height: 100_000, top: 0, left: 0 };
      }),
    );
    const input = join(root, "claims.json");
    writeFileSync(input, JSON.stringify(rows));
    for (const f of FORMATS) {
      const out = join(root, `claims-${f.name.replace(/[^a-z]+/g, "-")}`);
      const report = `${out}.report.json`;
      const r = runInjected([...f.args(input, out), "-q", "--report", report], tmp, { node: ["--max-old-space-size=96"] });
      expect(r.code, `${f.name}: ${r.stderr}`).toBe(0);
      expect(r.stderr).not.toMatch(STACK_LINE);
      const problems = (JSON.parse(readFileSync(report, "utf8")) as ReportFile).problems.list.join("\n");
      for (const total of claims) expect(problems, f.name).toContain(`rleString runs add up to ${total} pixels, more than 307200`);
      expect(problems, f.name).toContain("bitmask of 100000x100000 = 10000000000 pixels is over the limit of 268435456");
      expect(r.maxRssKb, f.name).toBeLessThan(200 * 1024);
    }
  });

  it("frames of 100000x100000, 2^31x3 and 3x2^31 with every shape: every format finishes, small memory, reasons counted", () => {
    const sizes: [number, number][] = [
      [100_000, 100_000],
      [2 ** 31, 3],
      [3, 2 ** 31],
    ];
    for (const [w, h] of sizes) {
      const input = join(root, `frame-${w}x${h}.json`);
      writeFileSync(
        input,
        JSON.stringify([
          streetRow((unit) => {
            unit.width = w;
            unit.height = h;
          }),
        ]),
      );
      for (const f of FORMATS) {
        const out = join(root, `frame-${w}x${h}-${f.name.replace(/[^a-z]+/g, "-")}`);
        const report = `${out}.report.json`;
        const started = Date.now();
        const r = runInjected([...f.args(input, out), "-q", "--report", report], tmp, { node: ["--max-old-space-size=256"], timeoutMs: 60_000 });
        const what = `${w}x${h} ${f.name}: ${r.stderr}`;
        expect(r.signal, what).toBeNull();
        expect(r.code, what).toBe(0);
        expect(Date.now() - started, what).toBeLessThan(30_000);
        expect(r.maxRssKb, what).toBeLessThan(400 * 1024);
        const notes = (JSON.parse(readFileSync(report, "utf8")) as ReportFile).notes;
        if (f.name !== "yolo segment" && f.name !== "yolo obb") {
          expect(notes.some((n) => /over the limit of 268435456 \(--max-pixels\)/.test(n.reason)), `${what}\n${JSON.stringify(notes)}`).toBe(true);
        }
      }
    }
  });

  describe("a label row over the reader's 64 MiB cap", () => {
    const input = join(root, "long-video.json");
    beforeAll(async () => {
      await writeLongVideo(input, 56_000, 5); // one ~71 MB row: 56,000 frames x 5 boxes
    }, 120_000);

    // Measured here: the whole-row fast path (--max-row-bytes 1 GiB) aborts out of memory under this
    // same 192 MB heap; the huge-row path needs about 230 MB of RSS and 6 s.
    it("takes the huge-row path and converts under a 192 MB heap", () => {
      const out = join(root, "long-coco");
      const started = Date.now();
      const r = runInjected(["coco", input, "-o", out, "-q"], tmp, { node: ["--max-old-space-size=192"], timeoutMs: 300_000 });
      const ms = Date.now() - started;
      expect(r.code, r.stderr).toBe(0);
      const coco = JSON.parse(readFileSync(join(out, "annotations.json"), "utf8")) as { images: unknown[]; annotations: unknown[] };
      expect(coco.images).toHaveLength(56_000);
      expect(coco.annotations).toHaveLength(280_000);
      console.log(`huge row: 71 MB row to COCO in ${ms} ms, peak RSS ${Math.round((r.maxRssKb ?? 0) / 1024)} MB under a 192 MB heap`);
    }, 300_000);

    it.runIf(LONG)("the huge-row path and the fast path give byte-identical COCO", () => {
      const huge = join(root, "long-coco-huge");
      const fast = join(root, "long-coco-fast");
      expect(runInjected(["coco", input, "-o", huge, "-q"], tmp, { timeoutMs: 300_000 }).code).toBe(0);
      expect(runInjected(["coco", input, "-o", fast, "-q", "--max-row-bytes", String(2 ** 30)], tmp, { timeoutMs: 300_000 }).code).toBe(0);
      expect(readFileSync(join(huge, "annotations.json")).equals(readFileSync(join(fast, "annotations.json")))).toBe(true);
    }, 600_000);
  });
});
