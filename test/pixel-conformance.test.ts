// Pixel JSON end to end through the CLI: every Encord SDK fixture and every sample. Nothing is lost:
// dividing every pixel value back by its frame's width/height gives the input within 1e-9, and
// every other key is identical, in the same order. Reruns are byte-identical, stdout and JSONL give
// the same rows, --masks-dir PNGs pass the validator and pngcheck.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeRleString, runsArea } from "../src/geometry/rle.js";
import { decodePng8 } from "../src/output/png.js";
import { FIXTURES, HAVE_FIXTURES, SAMPLES, isExport, ontologyFor } from "./fixtures.js";
import { haveValidator, runCli, tempDir, validate } from "./helpers.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Rec = { [k: string]: Json };

const isRec = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);

// ---- the oracle: undo the conversion with the documented frame-size rules, written independently

interface Size {
  w: number;
  h: number;
}

const posInt = (v: Json | undefined): number | undefined => (typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined);

function sizeOf(w: Json | undefined, h: Json | undefined): Size | undefined {
  const W = posInt(w);
  const H = posInt(h);
  return W && H ? { w: W, h: H } : undefined;
}

interface Counter {
  coords: number;
  masks: number;
}

/** Undo one object: divide coordinates, drop the keys pixel JSON adds to bitmasks. */
function backObject(o: Json, s: Size, c: Counter): Json {
  if (!isRec(o)) return o;
  const xy = (p: Json): Json => {
    if (!isRec(p)) return p;
    const out: Rec = {};
    for (const [k, v] of Object.entries(p)) {
      if (typeof v === "number" && (k === "x" || k === "w")) {
        out[k] = v / s.w;
        c.coords++;
      } else if (typeof v === "number" && (k === "y" || k === "h")) {
        out[k] = v / s.h;
        c.coords++;
      } else out[k] = v;
    }
    return out;
  };
  const pts = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(xy);
    if (!isRec(v)) return v;
    if ("x" in v && "y" in v) return xy(v);
    return Object.fromEntries(Object.entries(v).map(([k, p]) => [k, xy(p)]));
  };
  const out: Rec = {};
  for (const [k, v] of Object.entries(o)) {
    if (["boundingBox", "bounding_box", "rotatableBoundingBox", "rotatable_bounding_box"].includes(k)) out[k] = xy(v);
    else if (["polygon", "polyline", "point", "skeleton"].includes(k)) out[k] = pts(v);
    else if (k === "polygons" && Array.isArray(v)) {
      out[k] = v.map((poly) => (poly as Json[]).map((ring) => (ring as number[]).map((n, i) => (c.coords++, n / (i % 2 === 0 ? s.w : s.h)))));
    } else if (k === "bitmask" && isRec(v)) {
      const { bbox, area, png, ...rest } = v;
      expect(Array.isArray(bbox) || bbox === null).toBe(true);
      expect(typeof area).toBe("number");
      // The area is the pixel count of the payload itself.
      const counts = decodeRleString(rest.rleString as string);
      expect(area).toBe(runsArea(counts));
      void png;
      c.masks++;
      out[k] = rest;
    } else out[k] = v;
  }
  return out;
}

function backBlob(blob: Json, s: Size | undefined, c: Counter): Json {
  if (!isRec(blob) || !s) return blob;
  return Object.fromEntries(Object.entries(blob).map(([k, v]) => [k, k === "objects" && Array.isArray(v) ? v.map((o) => backObject(o, s, c)) : v]));
}

function backRow(row: Json, c: Counter): Json {
  if (!isRec(row)) return row;
  const type = row.data_type;
  const out: Rec = { ...row };
  if (isRec(row.data_units)) {
    const units: Rec = {};
    for (const [key, unit] of Object.entries(row.data_units)) {
      if (!isRec(unit)) {
        units[key] = unit;
        continue;
      }
      const s = sizeOf(unit.width, unit.height);
      const u: Rec = { ...unit };
      if ((type === "image" || type === "img_group" || type === "group") && isRec(unit.labels)) u.labels = backBlob(unit.labels, s, c);
      else if (["video", "dicom", "nifti", "pdf"].includes(type as string) && isRec(unit.labels)) {
        u.labels = Object.fromEntries(
          Object.entries(unit.labels).map(([f, blob]) => {
            let fs = s;
            const md = isRec(blob) ? blob.metadata : undefined;
            if (type === "dicom" && isRec(md)) fs = sizeOf(md.width, md.height) ?? s;
            return [f, backBlob(blob, fs, c)];
          }),
        );
      }
      units[key] = u;
    }
    out.data_units = units;
  }
  if (type === "group" && isRec(row.spaces)) {
    out.spaces = Object.fromEntries(
      Object.entries(row.spaces).map(([id, space]) => {
        if (!isRec(space) || !isRec(space.labels)) return [id, space];
        const labels = Object.fromEntries(
          Object.entries(space.labels).map(([f, blob]) => {
            let s = sizeOf(space.width, space.height);
            const frames = space.frames;
            if (!s && Array.isArray(frames) && isRec(frames[Number(f)])) {
              const fr = frames[Number(f)] as Rec;
              s = sizeOf(fr.width, fr.height);
            }
            return [f, backBlob(blob, s, c)];
          }),
        );
        return [id, { ...space, labels }];
      }),
    );
  }
  return out;
}

/** Deep equality with the same key order; numbers within 1e-9. */
function expectClose(actual: Json, expected: Json, path = "$"): void {
  if (typeof expected === "number" && typeof actual === "number") {
    if (Math.abs(actual - expected) > 1e-9) throw new Error(`${path}: ${actual} differs from ${expected}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) throw new Error(`${path}: array length differs`);
    expected.forEach((e, i) => expectClose(actual[i] as Json, e, `${path}[${i}]`));
    return;
  }
  if (isRec(expected)) {
    if (!isRec(actual)) throw new Error(`${path}: not an object`);
    const ka = Object.keys(actual);
    const ke = Object.keys(expected);
    if (ka.join("\u0000") !== ke.join("\u0000")) throw new Error(`${path}: keys ${ka} differ from ${ke}`);
    for (const k of ke) expectClose(actual[k] as Json, expected[k] as Json, `${path}.${k}`);
    return;
  }
  if (actual !== expected) throw new Error(`${path}: ${JSON.stringify(actual)} differs from ${JSON.stringify(expected)}`);
}

function inputRows(path: string): Json[] {
  const v = JSON.parse(readFileSync(path, "utf8")) as Json;
  return Array.isArray(v) ? v : [v];
}

function checkRoundTrip(input: string, outText: string): Counter {
  const c: Counter = { coords: 0, masks: 0 };
  const out = JSON.parse(outText) as Json[];
  const rows = inputRows(input);
  expect(out).toHaveLength(rows.length);
  rows.forEach((r, i) => expectClose(backRow(out[i] as Json, c), r, `row ${i}`));
  return c;
}

function pngcheck(files: string[]): void {
  if (files.length === 0 || spawnSync("pngcheck", ["-h"]).error) return;
  const r = spawnSync("pngcheck", ["-q", ...files]);
  expect(r.status, r.stdout.toString()).toBe(0);
}

function pngsUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".png")).map((f) => join(dir, f));
  } catch {
    return [];
  }
}

function expectValid(dir: string): void {
  if (!haveValidator()) return;
  const v = validate(dir, ["--binary-masks"]);
  expect(v.stdout, v.stdout).toMatch(/RESULT: PASS \(0 errors/);
  expect(v.code).toBe(0);
}

const COUNTS: Record<string, Counter> = {};

describe.skipIf(!HAVE_FIXTURES)("pixel JSON conformance: every Encord SDK fixture", () => {
  const work = tempDir("pixel-conf-");
  const files = HAVE_FIXTURES ? readdirSync(FIXTURES).filter(isExport).sort() : [];

  for (const file of files) {
    it(`${file}: converts, divides back to the input within 1e-9, reruns byte-identical, PNGs valid`, () => {
      const input = join(FIXTURES, file);
      const ontology = ontologyFor(file);
      const extra = ontology ? ["--ontology", ontology] : [];
      const dir = join(work, file.replace(/\.json$/, ""));
      const a = runCli(["pixel", input, ...extra, "-o", join(dir, "a.json"), "--masks-dir", join(dir, "masks"), "-q"]);
      expect(a.stderr).toBe("");
      expect(a.code).toBe(0);
      const text = readFileSync(join(dir, "a.json"), "utf8");
      COUNTS[file] = checkRoundTrip(input, text);
      // Rerun, to stdout this time: the same bytes.
      // From the JSON's own folder, so `png` paths (relative to the current folder) read the same.
      const b = runCli(["pixel", input, ...extra, "-o", "-", "--masks-dir", "masks2", "-q"], { cwd: dir });
      expect(b.code, b.stderr).toBe(0);
      expect(b.stdout.replaceAll('"png":"masks2/', '"png":"masks/')).toBe(text);
      // JSONL: the same rows, one per line.
      const c = runCli(["pixel", input, ...extra, "--jsonl", "-q"]);
      expect(c.code, c.stderr).toBe(0);
      const d = runCli(["pixel", input, ...extra, "-q"]);
      expect(d.code, d.stderr).toBe(0);
      const lines = c.stdout.split("\n").filter((l) => l !== "");
      expect(lines.map((l) => JSON.parse(l))).toEqual(JSON.parse(d.stdout));
      const pngs = pngsUnder(join(dir, "masks"));
      pngcheck(pngs);
      for (const p of pngs) {
        const d = decodePng8(readFileSync(p));
        expect(new Set(d.pixels).size).toBeLessThanOrEqual(2);
      }
      if (pngs.length > 0) expectValid(dir);
    });
  }

  it("every shape of every fixture was converted: coordinates and bitmasks counted", () => {
    const total = Object.values(COUNTS).reduce((s, c) => ({ coords: s.coords + c.coords, masks: s.masks + c.masks }), { coords: 0, masks: 0 });
    expect(total.masks).toBe(10); // 9 real bitmasks + the synthetic 3x4 one
    expect(total.coords).toBeGreaterThan(900);
    expect(COUNTS["coco_exporter_input_all_shapes.json"]?.masks).toBe(9);
  });
});

describe.skipIf(!HAVE_FIXTURES)("pixel JSON: bitmasks of the real export", () => {
  it("bbox and area of the 9 real bitmasks equal Encord's expected COCO output; PNGs equal the masks", () => {
    const work = tempDir("pixel-bm-");
    const input = join(FIXTURES, "coco_exporter_input_all_shapes.json");
    const r = runCli(["pixel", input, "--ontology", join(FIXTURES, "coco_exporter_ontology.json"), "-o", join(work, "p.json"), "--masks-dir", join(work, "m"), "-q"]);
    expect(r.code).toBe(0);
    const expected = JSON.parse(readFileSync(join(FIXTURES, "coco_exporter_expected_output.json"), "utf8")) as {
      annotations: { bbox: number[]; area: number; segmentation: unknown; attributes: { encord_track_uuid: string } }[];
    };
    const want = expected.annotations.filter((a) => !Array.isArray(a.segmentation) && isRec(a.segmentation as Json) && (a.segmentation as Rec).counts);
    expect(want).toHaveLength(9);
    const found: { hash: string; bbox: number[]; area: number; png: string; rle: string; w: number }[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (isRec(v as Json)) {
        const rec = v as Rec;
        if (isRec(rec.bitmask) && typeof rec.objectHash === "string") {
          const b = rec.bitmask;
          found.push({ hash: rec.objectHash, bbox: b.bbox as number[], area: b.area as number, png: b.png as string, rle: b.rleString as string, w: b.width as number });
        }
        Object.values(rec).forEach(walk);
      }
    };
    walk(JSON.parse(readFileSync(join(work, "p.json"), "utf8")));
    expect(found).toHaveLength(9);
    const key = (hash: string, bbox: number[], area: number): string => `${hash} ${bbox.join(",")} ${area}`;
    expect(found.map((f) => key(f.hash, f.bbox, f.area)).sort()).toEqual(want.map((a) => key(a.attributes.encord_track_uuid, a.bbox, a.area)).sort());
    for (const f of found) {
      const p = decodePng8(readFileSync(join(work, f.png)));
      const counts = decodeRleString(f.rle);
      let pos = 0;
      const mask = new Uint8Array(p.width * p.height);
      counts.forEach((n, i) => {
        if (i % 2 === 1) mask.fill(255, pos, pos + n);
        pos += n;
      });
      expect(Buffer.from(p.pixels).equals(Buffer.from(mask))).toBe(true);
    }
  });
});

describe("pixel JSON conformance: the samples", () => {
  const work = tempDir("pixel-samples-");
  for (const file of ["images.json", "media.json"]) {
    it(`${file}: divides back to the input, reruns byte-identical`, () => {
      const input = join(SAMPLES, file);
      const convert = (dir: string): string => {
        const r = runCli(["pixel", input, "--ontology", join(SAMPLES, "ontology.json"), "--masks-dir", join(dir, "masks"), "-o", join(dir, "a.json"), "-q"]);
        expect(r.code).toBe(0);
        return readFileSync(join(dir, "a.json"), "utf8");
      };
      const text = convert(join(work, file));
      const c = checkRoundTrip(input, text);
      expect(c.coords).toBeGreaterThan(20);
      expect(c.masks).toBe(1);
      expect(convert(join(work, file, "rerun"))).toBe(text);
      for (const p of pngsUnder(join(work, file, "masks"))) {
        expect(readFileSync(p)).toEqual(readFileSync(p.replace(`${join(work, file)}/masks`, `${join(work, file)}/rerun/masks`)));
      }
      pngcheck(pngsUnder(join(work, file, "masks")));
      expectValid(join(work, file));
    });
  }

  it("pipes: stdin to stdout, and jq-style consumers get one valid array", () => {
    const input = readFileSync(join(SAMPLES, "images.json"));
    const r = runCli(["pixel", "-", "-o", "-", "-q"], { input });
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Rec[];
    expect(rows).toHaveLength(JSON.parse(input.toString()).length);
    // The street image (640x480) has its car box at x 0.1 -> 64 px.
    const street = rows[0] as Rec;
    const unit = Object.values(street.data_units as Rec)[0] as Rec;
    expect(((unit.labels as Rec).objects as Rec[])[0]?.boundingBox).toEqual({ x: 64, y: 96, w: 160, h: 144 });
  });

  it("--round 2 rounds every pixel value to 2 decimals", () => {
    const r = runCli(["pixel", join(SAMPLES, "images.json"), "--round", "2", "-q"]);
    expect(r.code).toBe(0);
    const numbers = [...r.stdout.matchAll(/"(?:x|y|w|h)":(-?[0-9.e+-]+)/g)].map((m) => m[1] as string);
    expect(numbers.length).toBeGreaterThan(20);
    for (const n of numbers) expect(n).toMatch(/^-?\d+(\.\d{1,2})?$/);
  });
});

describe("pixel JSON and --strict", () => {
  const work = tempDir("pixel-strict-");
  it("the samples lose nothing: --strict exits 0 (audio and text rows pass through)", () => {
    const r = runCli(["pixel", join(SAMPLES, "images.json"), join(SAMPLES, "media.json"), "--ontology", join(SAMPLES, "ontology.json"), "--strict", "-o", join(work, "s.json"), "-q"]);
    expect(r.code).toBe(0);
  });

  it.skipIf(!HAVE_FIXTURES)("a PDF space without a page size is left normalised: --strict exits 3 and keeps no file", () => {
    const out = join(work, "dg.json");
    const r = runCli(["pixel", join(FIXTURES, "data_group_all_modalities.json"), "--strict", "-o", out, "--report", join(work, "dg-report.json"), "-q"]);
    expect(r.code).toBe(3);
    expect(readdirSync(work)).not.toContain("dg.json");
    const report = JSON.parse(readFileSync(join(work, "dg-report.json"), "utf8")) as { notes: { outcome: string; what: string; reason: string; count: number }[] };
    expect(report.notes).toContainEqual({
      code: "skipped.no-size",
      outcome: "skipped",
      what: "bounding_box",
      reason: "its item (pdf space frame) has no size in the export; left normalised",
      count: 1,
      examples: ["row 0, data pdf-uuid, frame 0, object pdf-box-object"],
    });
  });
});

describe("pixel JSON --masks-dir is one output with the JSON", () => {
  const work = tempDir("pixel-masksdir-");
  const args = (json: string, masks: string, ...rest: string[]): string[] => ["pixel", join(SAMPLES, "images.json"), ...rest, "-o", join(work, json), "--masks-dir", join(work, masks), "-q"];

  it("an existing non-empty folder is refused without --force and replaced with it", () => {
    expect(runCli(args("a.json", "m")).code).toBe(0);
    const again = runCli(args("b.json", "m"));
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/m already exists and is not empty; use --force/);
    expect(runCli(args("a.json", "m", "--force")).code).toBe(0);
    expect(readdirSync(join(work, "m"))).toEqual(["street"]);
  });

  it("a --strict run that loses something, or a run that fails, keeps neither the JSON nor the PNGs", () => {
    const strict = runCli(["pixel", join(FIXTURES, "data_group_all_modalities.json"), join(SAMPLES, "images.json"), "--strict", "-o", join(work, "s.json"), "--masks-dir", join(work, "sm"), "-q"]);
    const bad = join(work, "bad.json");
    writeFileSync(bad, '[{"data_units": 5}]');
    const failed = runCli(["pixel", join(SAMPLES, "images.json"), bad, "-o", join(work, "f.json"), "--masks-dir", join(work, "fm"), "-q"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^encord-convert: error: /);
    if (HAVE_FIXTURES) expect(strict.code).toBe(3);
    const left = readdirSync(work);
    for (const name of ["s.json", "sm", "f.json", "fm"]) expect(left).not.toContain(name);
    expect(left.filter((n) => n.includes("partial"))).toEqual([]);
  });
});
