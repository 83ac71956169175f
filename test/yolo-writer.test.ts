// The YOLO writer on hand-made rows: layout, empty label files, data.yaml, classes.txt, the report,
// pose padding when a wider class appears late, media placement, and the validator on the output.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Category, Geometry, Item, LabeledObject, NormalisedRow } from "../src/model.js";
import type { FormatOptions } from "../src/options.js";
import { Report } from "../src/report.js";
import type { CategoryTable, MediaSink } from "../src/writers/writer.js";
import { YoloWriter } from "../src/writers/yolo.js";
import { haveValidator, tempDir, validate } from "./helpers.js";

let objectCount = 0;

function obj(category: number, geometry: Geometry, name = `class${category}`): LabeledObject {
  return {
    objectHash: `obj${++objectCount}`,
    featureHash: `f${category}`,
    name,
    shape: geometry.kind,
    geometry,
    attributes: [],
    confidence: 1,
    manual: true,
    category,
  };
}

function item(stem: string, objects: LabeledObject[], width = 200, height = 100, split?: string): Item {
  return {
    key: stem,
    stem,
    ext: ".jpg",
    nameHint: stem,
    width,
    height,
    source: { row: 0, labelHash: "l", dataHash: `d-${stem}`, rowDataHash: `d-${stem}`, dataTitle: `${stem}.jpg`, rowTitle: `${stem}.jpg`, dataType: "image", media: "image", frame: 0 },
    objects,
    classifications: [],
    ...(split ? { split } : {}),
  };
}

function row(index: number, items: Item[], extra: Partial<NormalisedRow> = {}, dataType = "image"): NormalisedRow {
  return {
    meta: { index, labelHash: "l", dataHash: `row${index}`, dataTitle: "t", dataType, labelStatus: "LABELLED", branchName: "main", datasetHash: "ds", datasetTitle: "ds" },
    items,
    rangeObjects: [],
    rowClassifications: [],
    problems: [],
    part: 0,
    lastPart: true,
    ...extra,
  };
}

class Table implements CategoryTable {
  constructor(
    readonly cats: Category[],
    readonly fixed = true,
  ) {}
  list(): readonly Category[] {
    return this.cats;
  }
}

async function run(
  rows: NormalisedRow[],
  cats: Category[],
  options: FormatOptions,
  opts: { media?: MediaSink; fixed?: boolean; beforeRow?: (i: number) => void } = {},
): Promise<{ dir: string; report: Report }> {
  const dir = join(tempDir("ec-yolo-"), "out");
  const report = new Report("yolo");
  const w = new YoloWriter();
  await w.open({ outDir: dir, tempDir: dir, options, report, categories: new Table(cats, opts.fixed ?? true), media: opts.media });
  for (const [i, r] of rows.entries()) {
    opts.beforeRow?.(i);
    await w.write(r);
  }
  await w.close();
  return { dir, report };
}

const read = (dir: string, path: string): string => readFileSync(join(dir, path), "utf8");
const CATS: Category[] = [
  { index: 0, key: "f0", name: "car", shape: "bounding_box" },
  { index: 1, key: "f1", name: "road", shape: "polygon" },
  { index: 2, key: "f2", name: "lane", shape: "polyline" },
];

describe("YOLO writer: detect", () => {
  it("writes one label file per item (empty for background), data.yaml, classes.txt and the report", async () => {
    const rows = [
      row(0, [
        item("a", [
          obj(0, { kind: "box", x: 20, y: 10, w: 40, h: 30 }),
          obj(1, { kind: "polygon", polygons: [[[20, 10, 120, 10, 120, 90, 20, 90]]] }),
          obj(2, { kind: "polyline", points: [0, 0, 50, 50] }),
          obj(0, { kind: "box", x: 20, y: 10, w: 40, h: 30 }),
        ]),
        item("b", []),
      ]),
      row(1, [], { rangeObjects: [{ objectHash: "au", featureHash: "fa", name: "sound", shape: "audio", ranges: [[0, 1]], attributes: [] }] }, "audio"),
    ];
    const { dir, report } = await run(rows, CATS, {});
    expect(read(dir, "labels/train/a.txt")).toBe("0 0.200000 0.250000 0.200000 0.300000\n1 0.350000 0.500000 0.500000 0.800000\n");
    expect(read(dir, "labels/train/b.txt")).toBe("");
    expect(existsSync(join(dir, "images/train"))).toBe(true);
    expect(read(dir, "data.yaml")).toBe(
      [
        "# Ultralytics YOLO detect dataset written by encord-convert. Paths are relative to this file.",
        "# No val split: val points at the train images (Ultralytics requires val).",
        "train: images/train",
        "val: images/train",
        "nc: 3",
        "names:",
        '  0: "car"',
        '  1: "road"',
        '  2: "lane"',
        "",
      ].join("\n"),
    );
    expect(read(dir, "classes.txt")).toBe("car\nroad\nlane\n");
    const notes = report.noteList().map((n) => `${n.outcome} ${n.what} x${n.count}: ${n.reason}`);
    expect(notes).toEqual([
      "approximated polygon x1: YOLO detect holds boxes: written as the polygon's extent",
      "skipped audio object x1: YOLO holds only image annotations",
      "skipped audio row x1: YOLO holds only images",
      "skipped duplicate line x1: identical to an earlier line of the same image (Ultralytics drops duplicates)",
      "skipped polyline x1: YOLO detect holds regions and a polyline has none",
    ]);
    expect(report.objectsWritten).toBe(2);
    expect(report.lossy).toBe(true);
    if (haveValidator()) {
      const v = validate(dir, ["--strict"]);
      expect(v.code, v.stdout + v.stderr).toBe(0);
    }
  });

  it("--skip-empty leaves out items with no lines; splits get their own folders", async () => {
    const placed: string[] = [];
    const media: MediaSink = { place: async (it, folder) => void placed.push(`${folder}/${it.stem}${it.ext}`) };
    const rows = [
      row(0, [
        item("a", [obj(0, { kind: "box", x: 0, y: 0, w: 10, h: 10 })], 200, 100, "val"),
        item("b", [], 200, 100, "train"),
        item("c", [obj(0, { kind: "box", x: 0, y: 0, w: 10, h: 10 })], 200, 100, "train"),
      ]),
    ];
    const { dir, report } = await run(rows, CATS, { skipEmpty: true }, { media });
    expect(report.noteList().map((n) => `${n.outcome} ${n.what} x${n.count}: ${n.reason}`)).toEqual([
      "filtered image without label lines x1: left out by --skip-empty",
    ]);
    expect(report.lossy).toBe(false);
    expect(readdirSync(join(dir, "labels")).sort()).toEqual(["train", "val"]);
    expect(readdirSync(join(dir, "labels/train"))).toEqual(["c.txt"]);
    expect(placed).toEqual(["images/val/a.jpg", "images/train/c.jpg"]);
    expect(read(dir, "data.yaml")).toContain("train: images/train\nval: images/val\n");
  });

  it("--precision sets the decimals", async () => {
    const { dir } = await run([row(0, [item("a", [obj(0, { kind: "box", x: 20, y: 10, w: 40, h: 30 })])])], CATS, { precision: 3 });
    expect(read(dir, "labels/train/a.txt")).toBe("0 0.200 0.250 0.200 0.300\n");
  });

  it("refuses a bad task or precision with an input error", async () => {
    await expect(run([], CATS, { precision: 1.5 })).rejects.toThrow("YOLO precision must be a whole number of decimals from 0 to 15, got 1.5");
    await expect(run([], CATS, { task: "classify" as "detect" })).rejects.toThrow("YOLO task must be one of detect, segment, obb, pose");
  });

  it("with no rows still writes a dataset whose paths exist", async () => {
    const { dir } = await run([], [], {});
    expect(read(dir, "data.yaml")).toContain("train: images/train\nval: images/train\nnc: 0\nnames: []\n");
    expect(existsSync(join(dir, "images/train"))).toBe(true);
    expect(existsSync(join(dir, "labels/train"))).toBe(true);
  });
});

describe("YOLO writer: pose", () => {
  const face: Category = { index: 0, key: "f0", name: "face", shape: "skeleton", keypoints: ["left_eye", "right_eye", "nose"] };
  const pin: Category = { index: 1, key: "f1", name: "pin", shape: "point" };

  it("writes kpt_shape/flip_idx and pads rows to the largest class", async () => {
    const rows = [
      row(0, [
        item("a", [
          obj(0, { kind: "skeleton", points: [{ x: 20, y: 10, visibility: 2 }, { x: 60, y: 50, visibility: 2 }, { x: 40, y: 30, visibility: 1 }] }),
          obj(1, { kind: "point", x: 50, y: 20 }),
          obj(1, { kind: "box", x: 0, y: 0, w: 5, h: 5 }),
        ]),
      ]),
    ];
    const { dir, report } = await run(rows, [face, pin], { task: "pose" });
    expect(read(dir, "labels/train/a.txt")).toBe(
      "0 0.200000 0.300000 0.200000 0.400000 0.100000 0.100000 2 0.300000 0.500000 2 0.200000 0.300000 1\n" +
        "1 0.250000 0.200000 0.005000 0.010000 0.250000 0.200000 2 0.000000 0.000000 0 0.000000 0.000000 0\n",
    );
    expect(read(dir, "data.yaml")).toContain("kpt_shape: [3, 3]\nflip_idx: [1, 0, 2]\n");
    expect(report.noteList().map((n) => `${n.outcome} ${n.what}`)).toEqual(["approximated point box", "skipped bounding box"]);
    if (haveValidator()) {
      const v = validate(dir);
      expect(v.code, v.stdout + v.stderr).toBe(0);
    }
  });

  it("pads earlier rows when a class with more keypoints appears later (no ontology)", async () => {
    const cats: Category[] = [];
    const rows = [
      row(0, [item("a", [obj(0, { kind: "point", x: 50, y: 20 })])]),
      row(1, [item("b", [obj(1, { kind: "skeleton", points: [{ x: 20, y: 10, visibility: 2, name: "l_hand" }, { x: 60, y: 50, visibility: 2, name: "r_hand" }] })])]),
    ];
    // As the pipeline does: classes appear (with their keypoints) as their first object is assigned.
    const beforeRow = (i: number): void => {
      if (i === 0) cats.push({ index: 0, key: "f0", name: "pin", shape: "point", keypoints: ["keypoint"], skeleton: [] });
      if (i === 1) cats.push({ index: 1, key: "f1", name: "hands", shape: "skeleton", keypoints: ["l_hand", "r_hand"], skeleton: [] });
    };
    const { dir } = await run(rows, cats, { task: "pose" }, { fixed: false, beforeRow });
    expect(read(dir, "labels/train/a.txt")).toBe("0 0.250000 0.200000 0.005000 0.010000 0.250000 0.200000 2 0.000000 0.000000 0\n");
    expect(read(dir, "labels/train/b.txt")).toBe("1 0.200000 0.300000 0.200000 0.400000 0.100000 0.100000 2 0.300000 0.500000 2\n");
    expect(read(dir, "data.yaml")).toContain("kpt_shape: [2, 3]\nflip_idx: [0, 1]\n");
    if (haveValidator()) {
      const v = validate(dir);
      expect(v.code, v.stdout + v.stderr).toBe(0);
    }
  });
});
