// COCO end to end through the CLI: every Encord SDK fixture and every sample converts, the
// independent validator passes with no error and no warning, reruns are byte-identical, --strict
// turns a polyline into exit 3 with the count in the report, splits and --polyline-as keypoints.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { PNG } from "pngjs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, HAVE_FIXTURES, REPO, SAMPLES, isExport, ontologyFor } from "./fixtures.js";
import { BIN, haveValidator, runCli, tempDir, validate } from "./helpers.js";

function expectValid(dir: string): void {
  if (!haveValidator()) return;
  const v = validate(dir);
  expect(v.stdout, v.stdout).toMatch(/RESULT: PASS \(0 errors, 0 warnings\)/);
  expect(v.code).toBe(0);
}

function convert(inputs: string[], out: string, extra: string[] = []): { code: number; stderr: string } {
  const r = runCli(["coco", ...inputs, "-o", out, "-q", ...extra]);
  return { code: r.code, stderr: r.stderr };
}

describe.skipIf(!HAVE_FIXTURES)("COCO conformance: every Encord SDK fixture", () => {
  const work = tempDir("coco-conf-");
  const files = HAVE_FIXTURES ? readdirSync(FIXTURES).filter((f) => f.endsWith(".json")).sort() : [];

  for (const file of files.filter(isExport)) {
    it(`${file}: converts, validates, reruns byte-identical, same through the huge-row path`, () => {
      const ontology = ontologyFor(file);
      const extra = ontology ? ["--ontology", ontology] : [];
      const a = join(work, `${file}-a`);
      const b = join(work, `${file}-b`);
      const first = convert([join(FIXTURES, file)], a, extra);
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      expectValid(a);
      expect(convert([join(FIXTURES, file)], b, extra).code).toBe(0);
      expect(readFileSync(join(b, "annotations.json"))).toEqual(readFileSync(join(a, "annotations.json")));
      // The huge-row path (rows streamed frame by frame) must give the same bytes.
      const c = join(work, `${file}-c`);
      expect(convert([join(FIXTURES, file)], c, [...extra, "--max-row-bytes", "0"]).code).toBe(0);
      expect(readFileSync(join(c, "annotations.json"))).toEqual(readFileSync(join(a, "annotations.json")));
    });
  }

  for (const file of files.filter((f) => !isExport(f))) {
    it(`${file} (not an export): a clean error, never a stack trace`, () => {
      const r = convert([join(FIXTURES, file)], join(work, `${file}-x`));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^encord-convert: error: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});

describe("COCO conformance: the samples", () => {
  const work = tempDir("coco-samples-");
  const ontology = join(SAMPLES, "ontology.json");

  for (const file of ["images.json", "media.json"]) {
    it(`${file}: converts, validates, reruns byte-identical`, () => {
      const a = join(work, `${file}-a`);
      const b = join(work, `${file}-b`);
      expect(convert([join(SAMPLES, file)], a, ["--ontology", ontology]).code).toBe(0);
      expectValid(a);
      expect(convert([join(SAMPLES, file)], b, ["--ontology", ontology]).code).toBe(0);
      expect(readFileSync(join(b, "annotations.json"))).toEqual(readFileSync(join(a, "annotations.json")));
    });
  }

  it("a polyline makes --strict exit 3 with the count in the report, and keeps no output", () => {
    const out = join(work, "strict");
    const report = join(work, "strict-report.json");
    const r = runCli(["coco", join(SAMPLES, "images.json"), "--ontology", ontology, "-o", out, "--strict", "--report", report]);
    expect(r.code).toBe(3);
    expect(() => readdirSync(out)).toThrow();
    const json = JSON.parse(readFileSync(report, "utf8")) as { notes: { outcome: string; what: string; count: number }[] };
    expect(json.notes.find((n) => n.what === "polyline")).toMatchObject({ outcome: "skipped", count: 1 });
  });

  it("both samples with --split: one file per split, ids from 1 in each, all valid", () => {
    const out = join(work, "split");
    const inputs = [join(SAMPLES, "images.json"), join(SAMPLES, "media.json")];
    expect(convert(inputs, out, ["--ontology", ontology, "--split", "train=0.5,val=0.5"]).code).toBe(0);
    const files = readdirSync(out).sort();
    expect(files.every((f) => /^annotations_(train|val)\.json$/.test(f))).toBe(true);
    let images = 0;
    for (const f of files) {
      const coco = JSON.parse(readFileSync(join(out, f), "utf8")) as { images: { id: number }[]; annotations: { id: number }[] };
      expect(coco.images.map((i) => i.id)).toEqual(coco.images.map((_, k) => k + 1));
      expect(coco.annotations.map((a) => a.id)).toEqual(coco.annotations.map((_, k) => k + 1));
      images += coco.images.length;
    }
    const whole = join(work, "whole");
    expect(convert(inputs, whole, ["--ontology", ontology]).code).toBe(0);
    const all = JSON.parse(readFileSync(join(whole, "annotations.json"), "utf8")) as { images: unknown[] };
    expect(images).toBe(all.images.length);
    expectValid(out);
  });

  it("--polyline-as keypoints keeps the polyline, valid, and --strict passes", () => {
    const out = join(work, "polyline-kp");
    const r = convert([join(SAMPLES, "images.json")], out, ["--ontology", ontology, "--polyline-as", "keypoints"]);
    expect(r.code).toBe(0);
    const coco = JSON.parse(readFileSync(join(out, "annotations.json"), "utf8")) as {
      annotations: { category_id: number; keypoints?: number[] }[];
      categories: { id: number; name: string; keypoints?: string[] }[];
    };
    const road = coco.categories.find((c) => c.keypoints?.[0] === "vertex_1");
    expect(road).toBeDefined();
    const k = road?.keypoints?.length ?? 0;
    for (const a of coco.annotations.filter((x) => x.category_id === road?.id)) expect(a.keypoints?.length).toBe(3 * k);
    expectValid(out);
  });

  it("-o - writes the same COCO file to stdout; with --split it is a clean error", () => {
    const file = join(work, "to-file");
    expect(convert([join(SAMPLES, "images.json")], file, ["--ontology", ontology]).code).toBe(0);
    const r = runCli(["coco", join(SAMPLES, "images.json"), "--ontology", ontology, "-o", "-", "-q"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(file, "annotations.json"), "utf8"));
    const bad = runCli(["coco", join(SAMPLES, "images.json"), "-o", "-", "-q", "--split", "train=1"]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/^encord-convert: error: COCO with --split writes one file per split/);
  });

  it("--skip-empty drops the image with no objects", () => {
    const out = join(work, "skip-empty");
    expect(convert([join(SAMPLES, "images.json")], out, ["--ontology", ontology, "--skip-empty"]).code).toBe(0);
    const coco = JSON.parse(readFileSync(join(out, "annotations.json"), "utf8")) as { images: { id: number }[]; annotations: { image_id: number }[] };
    const used = new Set(coco.annotations.map((a) => a.image_id));
    expect(coco.images.every((i) => used.has(i.id))).toBe(true);
    expectValid(out);
  });

  it("--images: each image placed under images/, file_name relative to that folder", () => {
    const media = join(work, "media-src");
    mkdirSync(media, { recursive: true });
    const png = new PNG({ width: 2, height: 2 });
    png.data.fill(255);
    const bytes = PNG.sync.write(png);
    // The second asset titled street.jpg has its own file, by data hash: a title two assets share finds nothing.
    for (const name of ["street.jpg", "img-street-0002.jpg", "crossing_a.png", "crossing_b.png", "empty road.jpg"]) writeFileSync(join(media, name), bytes);
    const out = join(work, "with-images");
    expect(convert([join(SAMPLES, "images.json")], out, ["--ontology", ontology, "--images", media, "--media", "copy"]).code).toBe(0);
    const coco = JSON.parse(readFileSync(join(out, "annotations.json"), "utf8")) as { images: { file_name: string }[] };
    for (const im of coco.images) expect(existsSync(join(out, "images", im.file_name)), im.file_name).toBe(true);
    expectValid(out);
  });
});

const GENERATOR = join(REPO, "..", "shared", "tools", "gen-export.mjs");

describe.skipIf(!existsSync(GENERATOR))("COCO streaming: memory does not grow with the export", () => {
  it("a 40 MB export (4,000 rows, 80,000 objects) converts with the JS heap capped at 48 MB", () => {
    const work = tempDir("coco-mem-");
    const input = join(work, "export.json");
    const gen = spawnSync(process.execPath, [GENERATOR, "--out", input, "--target-mb", "40"], { encoding: "utf8" });
    expect(gen.status, gen.stderr).toBe(0);
    const out = join(work, "out");
    // Holding the rows, or the images/annotations arrays, would need several times 48 MB of heap.
    const r = spawnSync(process.execPath, ["--max-old-space-size=48", BIN, "coco", input, "-o", out, "-q"], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const head = readFileSync(join(out, "annotations.json"), "utf8").slice(0, 200);
    expect(head.startsWith('{"info":')).toBe(true);
  }, 120_000);
});

