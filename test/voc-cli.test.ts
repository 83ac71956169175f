// VOC end to end through the CLI: every Encord SDK fixture and every sample converts with --masks
// and --void-border, the independent validator passes (1-based, strict), reruns are byte-identical;
// segmentation PNG pixels of the SDK's real bitmasks equal the decoded rleStrings; splits, images,
// --zero-based and --strict.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { decodeRleString, fitRuns, runsToMask } from "../src/geometry/rle.js";
import { listOutputFiles } from "../src/output/files.js";
import { decodePng8, encodeGray8 } from "../src/output/png.js";
import type { ReportJSON } from "../src/report.js";
import { FIXTURES, HAVE_FIXTURES, SAMPLES, loadFixture, isExport, ontologyFor } from "./fixtures.js";
import { haveValidator, runCli, tempDir, validate } from "./helpers.js";

function voc(inputs: string[], out: string, extra: string[] = []): { code: number; stderr: string; report: ReportJSON } {
  const reportPath = `${out}.report.json`;
  const r = runCli(["voc", ...inputs, "-o", out, "-q", "--report", reportPath, ...extra]);
  const report = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, "utf8")) as ReportJSON) : ({} as ReportJSON);
  return { code: r.code, stderr: r.stderr, report };
}

function expectValid(dir: string, extra: string[] = ["--voc-one-based", "--strict"]): void {
  if (!haveValidator()) return;
  const v = validate(dir, extra);
  expect(v.stdout, v.stdout).toMatch(/RESULT: PASS \(0 errors, 0 warnings\)/);
  expect(v.code).toBe(0);
}

function expectSameBytes(a: string, b: string): void {
  const files = listOutputFiles(a);
  expect(listOutputFiles(b)).toEqual(files);
  for (const f of files) expect(readFileSync(join(b, f.path)).equals(readFileSync(join(a, f.path))), f.path).toBe(true);
}

/** xmllint, when installed, as one more independent well-formedness check. */
function xmllintOk(dir: string): void {
  if (spawnSync("xmllint", ["--version"]).status !== 0) return;
  const files = readdirSync(join(dir, "Annotations")).map((f) => join(dir, "Annotations", f));
  if (files.length === 0) return;
  const r = spawnSync("xmllint", ["--noout", ...files]);
  expect(r.stderr.toString()).toBe("");
  expect(r.status).toBe(0);
}

const parser = new XMLParser({ parseTagValue: false, isArray: (name) => name === "object" });

interface ParsedObject {
  name: string;
  bndbox: Record<string, string>;
  mask?: Record<string, string>;
  rotated_box?: unknown;
  polygon?: unknown;
}
interface ParsedAnnotation {
  filename: string;
  source: { data_hash: string; frame: string };
  size: { width: string; height: string };
  object?: ParsedObject[];
}

function annotations(dir: string): { stem: string; a: ParsedAnnotation }[] {
  return readdirSync(join(dir, "Annotations"))
    .sort()
    .map((f) => ({
      stem: f.replace(/\.xml$/, ""),
      a: (parser.parse(readFileSync(join(dir, "Annotations", f), "utf8")) as { annotation: ParsedAnnotation }).annotation,
    }));
}

describe.skipIf(!HAVE_FIXTURES)("VOC conformance: every Encord SDK fixture", () => {
  const work = tempDir("voc-conf-");
  const files = HAVE_FIXTURES ? readdirSync(FIXTURES).filter(isExport).sort() : [];

  for (const file of files) {
    it(`${file}: converts with --masks --void-border, validates, reruns byte-identical`, () => {
      const ontology = ontologyFor(file);
      const extra = ["--masks", "--void-border", ...(ontology ? ["--ontology", ontology] : [])];
      const a = join(work, `${file}-a`);
      const b = join(work, `${file}-b`);
      const first = voc([join(FIXTURES, file)], a, extra);
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      const xmls = readdirSync(join(a, "Annotations"));
      // Items without a pixel size (PDF pages) get no XML; each is counted as skipped.
      const sizeless = first.report.notes.filter((n) => n.code === "skipped.no-size" && n.what.endsWith(" item")).reduce((s, n) => s + n.count, 0);
      expect(xmls).toHaveLength(first.report.items - sizeless);
      if (xmls.length > 0) {
        expectValid(a);
        xmllintOk(a);
        // One SegmentationClass and one SegmentationObject PNG per XML.
        expect(readdirSync(join(a, "SegmentationClass")).sort()).toEqual(xmls.map((f) => f.replace(/\.xml$/, ".png")).sort());
        expect(readdirSync(join(a, "SegmentationObject")).sort()).toEqual(xmls.map((f) => f.replace(/\.xml$/, ".png")).sort());
      } else {
        // Audio, text and label-less rows hold no image: no XML (the validator calls it an empty
        // dataset, which passes), but every label of them is counted as skipped.
        if (haveValidator()) expect(validate(a).stdout).toMatch(/\[VOC\] empty dataset: Annotations\/ holds no XML\nRESULT: PASS/);
        const skipped = first.report.notes.filter((n) => n.outcome === "skipped").reduce((s, n) => s + n.count, 0);
        expect(skipped > 0, JSON.stringify(first.report.notes)).toBe(file !== "video_empty.json");
      }
      const again = voc([join(FIXTURES, file)], b, extra);
      expect(again.code).toBe(0);
      expectSameBytes(a, b);
    });
  }

  it("segmentation PNGs of the SDK's real bitmasks equal the decoded rleStrings exactly", () => {
    const file = "coco_exporter_input_all_shapes.json";
    const out = join(work, "bitmasks");
    expect(voc([join(FIXTURES, file)], out, ["--masks", "--ontology", join(FIXTURES, "coco_exporter_ontology.json")]).code).toBe(0);

    // The fixture's bitmasks by data unit (and frame where labels are per frame), in input order.
    type Raw = { data_units: Record<string, { labels: Record<string, unknown> & { objects?: RawObject[] } }> };
    type RawObject = { shape: string; bitmask?: { rleString: string; width: number; height: number; left: number; top: number } };
    const byUnit = new Map<string, NonNullable<RawObject["bitmask"]>[]>();
    for (const r of loadFixture<Raw[]>(file)) {
      for (const [hash, du] of Object.entries(r.data_units)) {
        const add = (key: string, objects: RawObject[] | undefined): void => {
          byUnit.set(key, (objects ?? []).filter((o) => o.shape === "bitmask").map((o) => o.bitmask as NonNullable<RawObject["bitmask"]>));
        };
        if (Array.isArray(du.labels.objects)) add(hash, du.labels.objects);
        else for (const [frame, fl] of Object.entries(du.labels)) add(`${hash}:${frame}`, (fl as { objects?: RawObject[] }).objects);
      }
    }

    let checked = 0;
    for (const { stem, a } of annotations(out)) {
      const objects = a.object ?? [];
      const maskAt = objects.flatMap((o, i) => (o.mask ? [i] : []));
      if (maskAt.length === 0) continue;
      const raws = byUnit.get(`${a.source.data_hash}:${a.source.frame}`) ?? byUnit.get(a.source.data_hash) ?? [];
      expect(raws).toHaveLength(maskAt.length);
      const W = Number(a.size.width);
      const H = Number(a.size.height);
      const ins = decodePng8(readFileSync(join(out, "SegmentationObject", `${stem}.png`)));
      const cls = decodePng8(readFileSync(join(out, "SegmentationClass", `${stem}.png`)));
      expect([ins.width, ins.height, cls.width, cls.height]).toEqual([W, H, W, H]);
      maskAt.forEach((xmlIndex, k) => {
        const raw = raws[k] as NonNullable<RawObject["bitmask"]>;
        expect([raw.width, raw.height, raw.left, raw.top]).toEqual([W, H, 0, 0]);
        const bits = runsToMask(fitRuns(decodeRleString(raw.rleString), W * H).counts, W * H);
        const n = xmlIndex + 1; // the instance number is the object's place in the XML
        const later = objects.length > n; // objects after it may paint over it
        let set = 0;
        const wrong: number[] = [];
        for (let p = 0; p < W * H; p++) {
          if (bits[p]) set++;
          if (ins.pixels[p] === n) {
            if (!bits[p]) wrong.push(p); // painted where the mask is clear
          } else if (bits[p] && !(later && (ins.pixels[p] as number) > n)) wrong.push(p); // lost, not covered by a later object
        }
        expect(wrong, stem).toEqual([]);
        expect(set).toBeGreaterThan(0);
        checked++;
      });
      // The class map is the instance map through instance -> class index + 1.
      const classOf = new Map<number, number>();
      let disagree = 0;
      for (let p = 0; p < W * H; p++) {
        const i = ins.pixels[p] as number;
        if (!classOf.has(i)) classOf.set(i, cls.pixels[p] as number);
        if (cls.pixels[p] !== classOf.get(i)) disagree++;
      }
      expect(disagree).toBe(0);
    }
    expect(checked).toBe(9);

    // The single image: its bitmask (4th object) is the last shape with an area, so its pixels are exactly the mask.
    const image = annotations(out).find(({ a }) => a.filename === "image.png");
    expect(image).toBeDefined();
    const raw = byUnit.get(image?.a.source.data_hash ?? "")?.[0];
    const bits = runsToMask(fitRuns(decodeRleString(raw?.rleString ?? ""), 400 * 400).counts, 400 * 400);
    const ins = decodePng8(readFileSync(join(out, "SegmentationObject", `${image?.stem}.png`)));
    expect(image?.a.object?.[3]?.mask).toBeDefined();
    expect(Array.from(ins.pixels, (v) => (v === 4 ? 1 : 0))).toEqual(Array.from(bits));
  });
});

describe("VOC conformance: the samples", () => {
  const work = tempDir("voc-samples-");
  const ontology = join(SAMPLES, "ontology.json");
  const inputs = [join(SAMPLES, "images.json"), join(SAMPLES, "media.json")];

  for (const file of ["images.json", "media.json"]) {
    for (const extra of [[], ["--masks", "--void-border"]]) {
      it(`${file} ${extra.join(" ")}: validates, reruns byte-identical`, () => {
        const a = join(work, `${file}-a${extra.length}`);
        const b = join(work, `${file}-b${extra.length}`);
        const first = voc([join(SAMPLES, file)], a, ["--ontology", ontology, ...extra]);
        expect(first.stderr).toBe("");
        expect(first.code).toBe(0);
        expectValid(a);
        xmllintOk(a);
        expect(voc([join(SAMPLES, file)], b, ["--ontology", ontology, ...extra]).code).toBe(0);
        expectSameBytes(a, b);
      });
    }
  }

  it("the huge-row path (--max-row-bytes 0) writes the same bytes", () => {
    const a = join(work, "rows-fast");
    const b = join(work, "rows-huge");
    expect(voc(inputs, a, ["--ontology", ontology, "--masks"]).code).toBe(0);
    expect(voc(inputs, b, ["--ontology", ontology, "--masks", "--max-row-bytes", "0"]).code).toBe(0);
    expectSameBytes(a, b);
  });

  it("boxes of the sample street image equal hand-computed integers", () => {
    const out = join(work, "street");
    expect(voc([join(SAMPLES, "images.json")], out, ["--ontology", ontology]).code).toBe(0);
    const street = annotations(out).find((x) => x.stem === "street")?.a;
    const boxes = (street?.object ?? []).map((o) => [o.name, ...["xmin", "ymin", "xmax", "ymax"].map((k) => Number(o.bndbox[k]))]);
    // 640×480. car 0.1,0.2,0.25,0.3 -> x 64..224, y 96..240 -> 65,97,224,240.
    // car 0.9,0.5,0.2,0.25 -> x 576..704 (crosses the right border), y 240..360 -> 577,241,640,360.
    // sign 30° about (352,96), 64×96: half extents 32cos30+48sin30 = 51.71, 32sin30+48cos30 = 57.57
    //   -> x 300.29..403.71, y 38.43..153.57 -> 301,39,404,154.
    // building polygon parts: x 32..320, y 24..336 -> 33,25,320,336.
    // person skeleton: labelled points (384,240) and (384,288) -> column 384, rows 240..288 -> 385,241,386,289 (widened).
    // road bitmask: rows 360..479, all columns -> 1,361,640,480.
    expect(boxes).toEqual([
      ["car", 65, 97, 224, 240],
      ["car", 577, 241, 640, 360],
      ["sign", 301, 39, 404, 154],
      ["building", 33, 25, 320, 336],
      ["person", 385, 241, 386, 289],
      ["road", 1, 361, 640, 480],
    ]);
  });

  it("--split: every item in exactly one split list; trainval = train + val; class lists cover their split", () => {
    const out = join(work, "split");
    expect(voc(inputs, out, ["--ontology", ontology, "--split", "train=0.5,val=0.3,test=0.2", "--masks"]).code).toBe(0);
    const list = (f: string): string[] => readFileSync(join(out, "ImageSets", "Main", f), "utf8").split("\n").filter(Boolean);
    const stems = annotations(out).map((x) => x.stem).sort();
    const splits = ["train", "val", "test"].filter((s) => existsSync(join(out, "ImageSets", "Main", `${s}.txt`)));
    expect(splits.flatMap((s) => list(`${s}.txt`)).sort()).toEqual(stems);
    expect(list("trainval.txt").sort()).toEqual([...list("train.txt"), ...(splits.includes("val") ? list("val.txt") : [])].sort());
    expect(list("car_trainval.txt").map((l) => l.split(/\s+/)[0]).sort()).toEqual(list("trainval.txt").sort());
    for (const s of splits) {
      expect(readFileSync(join(out, "ImageSets", "Segmentation", `${s}.txt`), "utf8")).toBe(readFileSync(join(out, "ImageSets", "Main", `${s}.txt`), "utf8"));
    }
    expectValid(out);
  });

  it("--zero-based: pixel edges, still valid for 0-based readers", () => {
    const out = join(work, "zero");
    expect(voc([join(SAMPLES, "images.json")], out, ["--ontology", ontology, "--zero-based"]).code).toBe(0);
    const street = annotations(out).find((x) => x.stem === "street")?.a;
    expect(street?.object?.[0]?.bndbox).toEqual({ xmin: "64", ymin: "96", xmax: "224", ymax: "240" });
    expect(street?.object?.[1]?.bndbox).toEqual({ xmin: "576", ymin: "240", xmax: "640", ymax: "360" });
    if (haveValidator()) expect(validate(out).code).toBe(0); // xmin = 0 is only a warning there
  });

  it("--images: found images go to JPEGImages under their output names; missing ones are counted", () => {
    const images = join(work, "imgs");
    mkdirSync(images, { recursive: true });
    // Real PNG files of the right sizes (the validator compares them with <size>).
    writeFileSync(join(images, "crossing_a.png"), encodeGray8(800, 600, new Uint8Array(800 * 600)));
    writeFileSync(join(images, "crossing_b.png"), encodeGray8(300, 500, new Uint8Array(300 * 500)));
    writeFileSync(join(images, "empty road.jpg"), encodeGray8(320, 240, new Uint8Array(320 * 240)));
    const out = join(work, "with-images");
    const r = voc([join(SAMPLES, "images.json")], out, ["--ontology", ontology, "--images", images]);
    expect(r.code).toBe(0);
    expect(readdirSync(join(out, "JPEGImages")).sort()).toEqual(["crossing_a.png", "crossing_b.png", "empty_road.jpg"]);
    const missing = r.report.notes.find((n) => n.what === "image file");
    expect(missing?.count).toBe(2); // the two street.jpg items
    expectValid(out);
  });

  it("--strict: skipped polylines and points give exit 3, no output, and the counts in the report", () => {
    const out = join(work, "strict");
    const r = voc([join(SAMPLES, "images.json")], out, ["--ontology", ontology, "--strict"]);
    expect(r.code).toBe(3);
    expect(existsSync(out)).toBe(false);
    const skipped = Object.fromEntries(r.report.notes.filter((n) => n.outcome === "skipped").map((n) => [n.what, n.count]));
    expect(skipped).toMatchObject({ polyline: 1, point: 1 });
  });
});
