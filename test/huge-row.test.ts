// The huge-row path (rows over --max-row-bytes: spooled frame by frame, normalised in parts) gives
// what the fast path gives, for the reader and for every format; and the output does not depend on
// the number of parsing workers (--jobs).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { PNG } from "pngjs";
import { beforeAll, describe, expect, it } from "vitest";
import { generate } from "../bench/generate.mjs";
import type { NormalisedRow, RawFrame } from "../src/model.js";
import { readExport } from "../src/pipeline/read-export.js";
import { FIXTURES, HAVE_FIXTURES, SAMPLES } from "./fixtures.js";
import { runCli, tempDir } from "./helpers.js";

const dir = tempDir("ec-huge-");
const GENERATED = join(dir, "generated.json");

/** Every export the conformance suites use, plus a generated one with video rows. */
function inputs(): string[] {
  const fixtures = HAVE_FIXTURES
    ? readdirSync(FIXTURES)
        .filter((f) => f.endsWith(".json") && !/ontology|expected|bitmask_rle|multipolygon_cases/.test(f))
        .sort()
        .map((f) => join(FIXTURES, f))
    : [];
  return [...fixtures, join(SAMPLES, "images.json"), join(SAMPLES, "media.json"), GENERATED];
}

beforeAll(async () => {
  // Small but with every generated shape, 60-frame videos and a frame-range classification.
  await generate({ out: GENERATED, mb: 1.5, videoEvery: 6, frames: 60, objects: 6, vertices: 12 });
});

/** A row's parts as one row: items, problems, range objects; the raw row rebuilt from its frames. */
function joinParts(parts: NormalisedRow[]): Record<string, unknown> {
  const first = parts[0] as NormalisedRow;
  let raw = first.raw;
  if (first.rawUnits) {
    const frames: RawFrame[] = parts.flatMap((p) => p.rawFrames ?? []);
    const units = (raw as { data_units: Record<string, Record<string, unknown>> }).data_units;
    for (const key of first.rawUnits) (units[key] as Record<string, unknown>).labels = {};
    for (const f of frames) Object.defineProperty(units[f.unit]?.labels, f.key, { value: f.value, enumerable: true, writable: true, configurable: true });
    raw = JSON.parse(JSON.stringify(raw)); // key order as JSON.parse gives it, for the comparison
  }
  return {
    meta: first.meta,
    items: parts.flatMap((p) => p.items),
    problems: parts.flatMap((p) => p.problems),
    rangeObjects: parts.flatMap((p) => p.rangeObjects),
    rowClassifications: first.rowClassifications,
    raw: raw === undefined ? undefined : JSON.stringify(raw),
  };
}

async function rowsOf(input: string, maxRowBytes: number | undefined): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let parts: NormalisedRow[] = [];
  for await (const part of readExport({ inputs: [input], maxRowBytes, keepRaw: true })) {
    expect(part.part).toBe(parts.length);
    parts.push(part);
    if (part.lastPart) {
      out.push(joinParts(parts));
      parts = [];
    }
  }
  expect(parts).toEqual([]);
  return out;
}

describe("normalised rows on the huge-row path", () => {
  it.each(inputs().map((p) => [p.slice(p.lastIndexOf("/") + 1), p]))("%s: the same items, problems and raw row, in parts", async (_name, input) => {
    const fast = await rowsOf(input, undefined);
    const huge = await rowsOf(input, 0);
    expect(huge).toEqual(fast);
  });

  it("delivers a long video one frame per part, each part with its own raw frame", async () => {
    const parts: NormalisedRow[] = [];
    for await (const p of readExport({ inputs: [GENERATED], maxRowBytes: 0, keepRaw: true })) if (p.meta.dataType === "video" && p.meta.index === 5) parts.push(p);
    expect(parts).toHaveLength(60);
    parts.forEach((p, i) => {
      expect(p.items.map((it) => it.source.frame)).toEqual([i]);
      expect(p.rawFrames?.map((f) => f.key)).toEqual([String(i)]);
      expect(p.lastPart).toBe(i === 59);
    });
  });
});

/** Every file of an output (a folder, or one file), by relative path. */
function filesOf(path: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
    else out.set(relative(path, p) || ".", readFileSync(p));
  };
  walk(path);
  return out;
}

function reportOf(path: string): unknown {
  const r = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  // The runs differ on purpose in their options (output path, --jobs, --max-row-bytes) and time only.
  delete r.seconds;
  delete r.options;
  return r;
}

/** A palette PNG's pixels (its palette entries for classes the image does not use may differ). */
function pixels(png: Buffer): Buffer {
  return PNG.sync.read(png).data;
}

const FORMATS: [string, string[]][] = [
  ["coco", []],
  ["yolo", ["--task", "segment"]],
  ["voc", ["--masks"]],
  ["masks", ["--mode", "semantic"]],
  ["pixel", ["--round", "3"]],
];

function run(format: string, args: string[], name: string): { files: Map<string, Buffer>; report: unknown } {
  const out = join(dir, `${format}-${name}${format === "pixel" ? ".json" : ""}`);
  const report = join(dir, `${format}-${name}.report.json`);
  const r = runCli([format, ...inputs(), "-o", out, "-q", "--report", report, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return { files: filesOf(out), report: reportOf(report) };
}

describe.each(FORMATS)("%s through the CLI", (format, args) => {
  it("writes the same output on the huge-row path (--max-row-bytes 0) and with 1 or 3 workers", { timeout: 180_000 }, () => {
    const fast = run(format, [...args, "--jobs", "0"], "fast");
    const huge = run(format, [...args, "--jobs", "0", "--max-row-bytes", "0"], "huge");
    expect(huge.report).toEqual(fast.report);
    expect([...huge.files.keys()].sort()).toEqual([...fast.files.keys()].sort());
    for (const [path, data] of fast.files) {
      const other = huge.files.get(path) as Buffer;
      // Semantic palettes give each class its colour once the class is known: a video's classes become
      // known frame by frame on the huge-row path, so entries for classes an image lacks can differ.
      if (other.equals(data)) continue;
      expect(/SegmentationClass\/|^semantic\//.test(path), `${path} differs`).toBe(true);
      expect(pixels(other).equals(pixels(data)), path).toBe(true);
    }
    for (const jobs of ["1", "3"]) {
      const parallel = run(format, [...args, "--jobs", jobs], `jobs${jobs}`);
      expect(parallel.report).toEqual(fast.report);
      expect([...parallel.files.keys()].sort()).toEqual([...fast.files.keys()].sort());
      for (const [path, data] of fast.files) expect((parallel.files.get(path) as Buffer).equals(data), `--jobs ${jobs}: ${path}`).toBe(true);
    }
    // Every row huge, read in a worker (its bytes relayed, its parts sent back): the same as in the main thread.
    for (const jobs of ["1", "2"]) {
      const relayed = run(format, [...args, "--jobs", jobs, "--max-row-bytes", "0"], `huge-jobs${jobs}`);
      expect(relayed.report).toEqual(huge.report);
      expect([...relayed.files.keys()].sort()).toEqual([...huge.files.keys()].sort());
      for (const [path, data] of huge.files) expect((relayed.files.get(path) as Buffer).equals(data), `huge, --jobs ${jobs}: ${path}`).toBe(true);
    }
  });
});

describe("a bad row with workers", () => {
  it("fails as without them: the same one-line message, exit 1, nothing written", () => {
    const rows = Array.from({ length: 400 }, (_, i) => JSON.stringify({ label_hash: `l${i}`, data_type: "image", data_units: {} }));
    rows[300] = '{"label_hash": "bad", "data_units": {]}';
    const input = join(dir, "bad.json");
    writeFileSync(input, `[${rows.join(",\n")}]`);
    const results = ["0", "2"].map((jobs) => {
      const out = join(dir, `bad-${jobs}`);
      const r = runCli(["coco", input, "-o", out, "--jobs", jobs]);
      return { code: r.code, stderr: r.stderr, exists: existsSync(out) };
    });
    expect(results[0]?.code).toBe(1);
    expect(results[0]?.stderr).toMatch(/row 300 \(byte offset \d+\) is not valid JSON/);
    expect(results[1]).toEqual(results[0]);
    expect(results[0]?.exists).toBe(false);
  });

  it("a bad huge row read in a worker fails as in the main thread, naming the row", () => {
    const frames = Array.from({ length: 50 }, (_, f) => `"${f}": {"objects": []}`).join(",");
    const good = (i: number): string =>
      `{"label_hash": "l${i}", "data_hash": "d${i}", "data_type": "video", "data_units": {"d${i}": {"data_hash": "d${i}", "data_type": "video/mp4", "width": 10, "height": 10, "labels": {${frames}}}}}`;
    const rows = [good(0), good(1), good(2).replace('"7": {"objects": []}', '"7": {"objects": [}')];
    const input = join(dir, "bad-huge.json");
    writeFileSync(input, `[${rows.join(",\n")}]`);
    const results = ["0", "1", "2"].map((jobs) => {
      const out = join(dir, `bad-huge-${jobs}`);
      const r = runCli(["coco", input, "-o", out, "--jobs", jobs, "--max-row-bytes", "100"]);
      return { code: r.code, stderr: r.stderr, exists: existsSync(out) };
    });
    expect(results[0]?.code).toBe(1);
    expect(results[0]?.stderr).toMatch(/row 2\b/);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    expect(results[0]?.exists).toBe(false);
  });
});
