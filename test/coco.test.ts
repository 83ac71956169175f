// COCO writer on hand-made model items: every shape with hand-computed numbers, file layout,
// ids, splits, --skip-empty, --category-id-start, polylines, attributes, determinism.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeRleString } from "../src/geometry/rle.js";
import type { Category, Classification, Geometry, Item, LabeledObject, NormalisedRow, RangeObject } from "../src/model.js";
import type { FormatOptions } from "../src/options.js";
import { Report } from "../src/report.js";
import { CocoWriter, padKeypointsLine } from "../src/writers/coco.js";
import { cocoShape, keypointSlots, widenToPixel } from "../src/writers/coco-shapes.js";
import type { MediaSink } from "../src/writers/writer.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), "coco-test-"));
  dirs.push(d);
  return d;
}

function cat(index: number, name: string, shape: string, extra: Partial<Category> = {}): Category {
  return { index, key: `fh-${name}`, name, shape, ...extra };
}

let objectCounter = 0;
function obj(geometry: Geometry, category = 0, extra: Partial<LabeledObject> = {}): LabeledObject {
  objectCounter++;
  return {
    objectHash: `obj${objectCounter}`,
    featureHash: `fh${category}`,
    name: `class${category}`,
    shape: geometry.kind,
    geometry,
    attributes: [],
    confidence: 1,
    manual: true,
    category,
    ...extra,
  };
}

function item(stem: string, objects: LabeledObject[], extra: Partial<Item> = {}): Item {
  return {
    key: `dh-${stem}`,
    stem,
    ext: ".jpg",
    nameHint: stem,
    width: 100,
    height: 80,
    source: {
      row: 0,
      labelHash: "lh",
      dataHash: `dh-${stem}`,
      rowDataHash: `rdh-${stem}`,
      dataTitle: `${stem}.jpg`,
      rowTitle: `${stem}.jpg`,
      dataType: "image",
      media: "image",
      frame: 0,
    },
    objects,
    classifications: [],
    ...extra,
  };
}

function row(items: Item[], rangeObjects: RangeObject[] = []): NormalisedRow {
  return {
    meta: { index: 0, labelHash: "lh", dataHash: "rdh", dataTitle: "t", dataType: "image", labelStatus: "LABELLED", branchName: "main", datasetHash: "ds", datasetTitle: "d" },
    items,
    rangeObjects,
    rowClassifications: [],
    problems: [],
    part: 0,
    lastPart: true,
  };
}

interface CocoFile {
  info: Record<string, unknown>;
  licenses: unknown[];
  images: Record<string, unknown>[];
  annotations: Record<string, unknown>[];
  categories: Record<string, unknown>[];
}

async function run(
  rows: NormalisedRow[],
  categories: Category[],
  options: FormatOptions = {},
  media?: MediaSink,
): Promise<{ dir: string; report: Report; files: string[]; read: (name?: string) => CocoFile; text: (name?: string) => string }> {
  const dir = scratch();
  const report = new Report("coco");
  const writer = new CocoWriter();
  await writer.open({ outDir: dir, tempDir: scratch(), options, report, categories: { list: () => categories, fixed: true }, media });
  for (const r of rows) await writer.write(r);
  await writer.close();
  const text = (name = "annotations.json"): string => readFileSync(join(dir, name), "utf8");
  return { dir, report, files: readdirSync(dir).sort(), text, read: (name) => JSON.parse(text(name)) as CocoFile };
}

const FRAME = { width: 100, height: 80 };

function closeTo(actual: unknown, expected: number[], digits = 9): void {
  const a = actual as number[];
  expect(a.length).toBe(expected.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, digits));
}

describe("cocoShape: every geometry, hand-computed", () => {
  it("box: bbox, 4-corner polygon, area w*h", () => {
    const r = cocoShape({ kind: "box", x: 10, y: 20, w: 30, h: 40 }, FRAME);
    expect(r.notes).toEqual([]);
    expect(r.shape).toEqual({ bbox: [10, 20, 30, 40], area: 1200, segmentation: [[10, 20, 40, 20, 40, 60, 10, 60]] });
  });

  it("box crossing the right border is clipped and noted", () => {
    const r = cocoShape({ kind: "box", x: 90, y: 10, w: 20, h: 10 }, FRAME);
    expect(r.shape?.bbox).toEqual([90, 10, 10, 10]);
    expect(r.shape?.area).toBe(100);
    expect(r.shape?.segmentation).toEqual([[90, 10, 100, 10, 100, 20, 90, 20]]);
    expect(r.notes).toEqual([{ outcome: "approximated", code: "clipped", what: "bounding box", reason: "clipped to the image" }]);
  });

  it("box overshooting by float noise is clamped silently", () => {
    const r = cocoShape({ kind: "box", x: 0, y: 0, w: 100.0000000001, h: 80 }, FRAME);
    expect(r.shape?.bbox).toEqual([0, 0, 100, 80]);
    expect(r.notes).toEqual([]);
  });

  it("box outside the image or with no size is skipped with a reason", () => {
    expect(cocoShape({ kind: "box", x: 200, y: 10, w: 5, h: 5 }, FRAME)).toEqual({
      shape: null,
      notes: [{ outcome: "skipped", code: "outside", what: "bounding box", reason: "lies outside the image" }],
    });
    expect(cocoShape({ kind: "box", x: 1, y: 1, w: 0, h: 5 }, FRAME).notes[0]?.reason).toBe("has zero width or height");
  });

  it("rotated box at 90°: rotated corners, their extent, area w*h, angle kept", () => {
    const r = cocoShape({ kind: "rotated-box", x: 10, y: 10, w: 20, h: 10, degrees: 90 }, FRAME);
    expect(r.shape).toEqual({ bbox: [15, 5, 10, 20], area: 200, segmentation: [[25, 5, 25, 25, 15, 25, 15, 5]], rotation: 90 });
  });

  it("rotated box at 30°: corners by hand", () => {
    const r = cocoShape({ kind: "rotated-box", x: 40, y: 40, w: 20, h: 10, degrees: 30 }, FRAME);
    const s3 = Math.sqrt(3);
    const ring = [52.5 - 5 * s3, 40 - 2.5 * s3, 52.5 + 5 * s3, 50 - 2.5 * s3, 47.5 + 5 * s3, 50 + 2.5 * s3, 47.5 - 5 * s3, 40 + 2.5 * s3];
    closeTo((r.shape?.segmentation as number[][])[0], ring);
    closeTo(r.shape?.bbox, [47.5 - 5 * s3, 40 - 2.5 * s3, 5 + 10 * s3, 10 + 5 * s3]);
    expect(r.shape?.area).toBe(200);
    expect(r.shape?.rotation).toBe(30);
  });

  it("rotated box partly outside: clipped ring, shoelace area", () => {
    // 90° turns the 20x10 box at (-5,10) into x 0..10 (from -... ) : centre (5,15) -> x 0..10, y 5..25.
    const r = cocoShape({ kind: "rotated-box", x: -15, y: 10, w: 20, h: 10, degrees: 90 }, FRAME);
    // centre (-5,15): rotated x -10..0, y 5..25 -> entirely left of the frame
    expect(r.shape).toBeNull();
    const r2 = cocoShape({ kind: "rotated-box", x: -10, y: 10, w: 20, h: 10, degrees: 90 }, FRAME);
    // centre (0,15): rotated x -5..5, y 5..25 -> clipped to x 0..5
    expect(r2.shape?.bbox).toEqual([0, 5, 5, 20]);
    expect(r2.shape?.area).toBe(100);
    expect(r2.notes[0]).toEqual({ outcome: "approximated", code: "clipped", what: "rotated box", reason: "clipped to the image" });
  });

  it("polygon: one ring per part, shoelace area summed, vertex extent", () => {
    const r = cocoShape({ kind: "polygon", polygons: [[[0, 0, 4, 0, 0, 3]], [[10, 10, 20, 10, 20, 20, 10, 20]]] }, FRAME);
    expect(r.shape).toEqual({
      bbox: [0, 0, 20, 20],
      area: 6 + 100,
      segmentation: [
        [0, 0, 4, 0, 0, 3],
        [10, 10, 20, 10, 20, 20, 10, 20],
      ],
    });
    expect(r.notes).toEqual([]);
  });

  it("polygon with a hole: compressed column-major RLE, area outer - hole", () => {
    const r = cocoShape({ kind: "polygon", polygons: [[[2, 2, 8, 2, 8, 8, 2, 8], [4, 4, 6, 4, 6, 6, 4, 6]]] }, { width: 10, height: 10 });
    expect(r.shape?.area).toBe(32);
    expect(r.shape?.bbox).toEqual([2, 2, 6, 6]);
    const seg = r.shape?.segmentation as { size: number[]; counts: string };
    expect(seg.size).toEqual([10, 10]);
    // columns 0-1 empty; 2,3,6,7 rows 2..7; 4,5 rows 2,3 and 6,7 (the hole is rows 4,5)
    expect(decodeRleString(seg.counts)).toEqual([22, 6, 4, 6, 4, 2, 2, 2, 4, 2, 2, 2, 4, 6, 4, 6, 22]);
  });

  it("polygon crossing the border is clipped; one outside is skipped", () => {
    const r = cocoShape({ kind: "polygon", polygons: [[[90, 10, 110, 10, 110, 30, 90, 30]]] }, FRAME);
    expect(r.shape?.bbox).toEqual([90, 10, 10, 20]);
    expect(r.shape?.area).toBe(200);
    expect(r.notes).toEqual([{ outcome: "approximated", code: "clipped", what: "polygon", reason: "clipped to the image" }]);
    expect(cocoShape({ kind: "polygon", polygons: [[[200, 10, 210, 10, 210, 30]]] }, FRAME).shape).toBeNull();
  });

  it("degenerate polygon parts are dropped and counted", () => {
    const r = cocoShape({ kind: "polygon", polygons: [[[1, 1, 5, 5, 9, 9]], [[0, 0, 4, 0, 0, 3]]] }, FRAME);
    expect(r.shape?.segmentation).toEqual([[0, 0, 4, 0, 0, 3]]);
    expect(r.notes).toEqual([{ outcome: "skipped", code: "no-area", what: "polygon part", reason: "has fewer than 3 points or no area" }]);
    const none = cocoShape({ kind: "polygon", polygons: [[[1, 1, 5, 5]]] }, FRAME);
    expect(none.shape).toBeNull();
  });

  it("bitmask: Encord row-major runs re-encoded column-major (the 4x5 vector), toBbox, pixel count", () => {
    // rows 01110 / 00100 / 00000 / 00001: Encord runs [1,3,3,1,11,1], COCO string "4131OO40"
    const mask = { width: 5, height: 4, left: 0, top: 0, counts: Uint32Array.from([1, 3, 3, 1, 11, 1]) };
    const r = cocoShape({ kind: "mask", mask }, { width: 5, height: 4 });
    expect(r.shape).toEqual({ bbox: [1, 0, 4, 4], area: 5, segmentation: { size: [4, 5], counts: "4131OO40" } });
  });

  it("bitmask smaller than the frame is placed at left/top", () => {
    // a 2x2 full mask at (1,1) in a 4x3 frame: pixels (1,1),(2,1),(1,2),(2,2); column-major [4,2,1,2,3]
    const mask = { width: 2, height: 2, left: 1, top: 1, counts: Uint32Array.from([0, 4]) };
    const r = cocoShape({ kind: "mask", mask }, { width: 4, height: 3 });
    expect(r.shape?.bbox).toEqual([1, 1, 2, 2]);
    expect(r.shape?.area).toBe(4);
    expect(decodeRleString((r.shape?.segmentation as { counts: string }).counts)).toEqual([4, 2, 1, 2, 3]);
    expect(r.notes).toEqual([]);
  });

  it("empty bitmask is skipped", () => {
    const mask = { width: 5, height: 4, left: 0, top: 0, counts: Uint32Array.from([20]) };
    expect(cocoShape({ kind: "mask", mask }, { width: 5, height: 4 }).notes).toEqual([{ outcome: "skipped", code: "no-area", what: "bitmask", reason: "is empty (no pixel set)" }]);
  });

  it("point: one keypoint, 1-px bbox centred on it, kept inside the image", () => {
    const r = cocoShape({ kind: "point", x: 3.25, y: 4.75 }, FRAME, { keypointNames: ["keypoint"] });
    expect(r.shape).toEqual({
      bbox: [2.75, 4.25, 1, 1],
      area: 1,
      segmentation: [[2.75, 4.25, 3.75, 4.25, 3.75, 5.25, 2.75, 5.25]],
      keypoints: [3.25, 4.75, 2],
      numKeypoints: 1,
    });
    expect(cocoShape({ kind: "point", x: 0, y: 0 }, FRAME).shape?.bbox).toEqual([0, 0, 1, 1]);
    expect(cocoShape({ kind: "point", x: 100, y: 80 }, FRAME).shape?.bbox).toEqual([99, 79, 1, 1]);
  });

  it("skeleton: slots by template name, v=0 written 0,0,0, bbox of labelled points", () => {
    const g: Geometry = {
      kind: "skeleton",
      points: [
        { x: 5, y: 6, visibility: 1, name: "b" },
        { x: 1, y: 2, visibility: 2, name: "a" },
        { x: 9, y: 9, visibility: 0, name: "c" },
      ],
    };
    const r = cocoShape(g, FRAME, { keypointNames: ["a", "b", "c"] });
    expect(r.shape).toEqual({
      bbox: [1, 2, 4, 4],
      area: 16,
      segmentation: [[1, 2, 5, 2, 5, 6, 1, 6]],
      keypoints: [1, 2, 2, 5, 6, 1, 0, 0, 0],
      numKeypoints: 2,
    });
  });

  it("skeleton point outside the image is moved to the border and counted", () => {
    const g: Geometry = { kind: "skeleton", points: [{ x: -3, y: 10, visibility: 2 }, { x: 20, y: 30, visibility: 2 }] };
    const r = cocoShape(g, FRAME, { keypointNames: ["a", "b"] });
    expect(r.shape?.keypoints).toEqual([0, 10, 2, 20, 30, 2]);
    expect(r.notes).toEqual([{ outcome: "approximated", code: "moved", what: "skeleton point", reason: "lay outside the image; moved onto its border" }]);
  });

  it("polyline: skipped by default, vertices as keypoints on request", () => {
    const g: Geometry = { kind: "polyline", points: [10, 10, 20, 30, 40, 10] };
    expect(cocoShape(g, FRAME).notes[0]?.what).toBe("polyline");
    const r = cocoShape(g, FRAME, { polylineAs: "keypoints" });
    expect(r.shape?.keypoints).toEqual([10, 10, 2, 20, 30, 2, 40, 10, 2]);
    expect(r.shape?.bbox).toEqual([10, 10, 30, 20]);
    expect(r.shape?.area).toBe(600);
  });

  it("non-finite coordinates are skipped, never written", () => {
    expect(cocoShape({ kind: "box", x: Number.NaN, y: 0, w: 1, h: 1 }, FRAME).notes[0]?.reason).toBe("coordinates are not finite numbers");
  });

  it("widenToPixel and keypointSlots", () => {
    expect(widenToPixel(5, 0, 10)).toEqual([4.5, 1]);
    expect(widenToPixel(5, 0.5, 10)).toEqual([4.75, 1]);
    expect(widenToPixel(0.2, 0, 10)).toEqual([0, 1]);
    expect(widenToPixel(9.9, 0, 10)).toEqual([9, 1]);
    expect(widenToPixel(2, 3, 10)).toEqual([2, 3]);
    const pts = [{ x: 1, y: 1, visibility: 2 as const, name: "z" }, { x: 2, y: 2, visibility: 2 as const }];
    const bad = keypointSlots(pts, ["a"], true); // names do not match: by position, one extra
    expect(bad.slots.length).toBe(1);
    expect(bad.extra).toBe(1);
    expect(padKeypointsLine('{"id":1,"keypoints":[1,2,2]}', 2)).toBe('{"id":1,"keypoints":[1,2,2,0,0,0]}');
  });
});

describe("COCO writer: file layout", () => {
  const categories = [
    cat(0, "car", "bounding_box"),
    cat(1, "person", "skeleton", { keypoints: ["head", "foot"], skeleton: [[0, 1]] }),
    cat(2, "pin", "point"),
    cat(3, "road", "polyline"),
  ];

  it("writes info, licenses, images, annotations, categories with ids from 1", async () => {
    const a = item("a", [
      obj({ kind: "box", x: 10, y: 20, w: 30, h: 40 }, 0, {
        objectHash: "track1",
        attributes: [{ featureHash: "f", name: "colour", type: "text", value: "red", dynamic: false }],
      }),
      obj({ kind: "point", x: 50, y: 50 }, 2, { objectHash: "pin1" }),
    ]);
    const classification: Classification = {
      classificationHash: "c1",
      featureHash: "cf",
      name: "weather",
      attributes: [{ featureHash: "q", name: "Weather", type: "radio", value: [{ featureHash: "o", name: "sunny", value: "sunny" }], dynamic: false }],
      global: false,
      confidence: 1,
      manual: true,
    };
    const b = item("b", [], { classifications: [classification] });
    const out = await run([row([a, b])], categories);
    expect(out.files).toEqual(["annotations.json"]);
    const coco = out.read();
    expect(Object.keys(coco)).toEqual(["info", "licenses", "images", "annotations", "categories"]);
    expect(coco.info).toEqual({ description: "Converted from an Encord label export by encord-convert" });
    expect(coco.licenses).toEqual([]);
    expect(coco.images).toEqual([
      {
        id: 1,
        file_name: "a.jpg",
        width: 100,
        height: 80,
        encord: { data_hash: "dh-a", row_data_hash: "rdh-a", label_hash: "lh", title: "a.jpg", row_title: "a.jpg", data_type: "image", frame: 0 },
      },
      {
        id: 2,
        file_name: "b.jpg",
        width: 100,
        height: 80,
        encord: { data_hash: "dh-b", row_data_hash: "rdh-b", label_hash: "lh", title: "b.jpg", row_title: "b.jpg", data_type: "image", frame: 0 },
        classifications: { Weather: "sunny" },
      },
    ]);
    expect(coco.annotations).toEqual([
      {
        id: 1,
        image_id: 1,
        category_id: 1,
        bbox: [10, 20, 30, 40],
        area: 1200,
        iscrowd: 0,
        segmentation: [[10, 20, 40, 20, 40, 60, 10, 60]],
        attributes: { object_hash: "track1", feature_hash: "fh0", shape: "box", confidence: 1, manual: true, answers: { colour: "red" } },
      },
      {
        id: 2,
        image_id: 1,
        category_id: 3,
        bbox: [49.5, 49.5, 1, 1],
        area: 1,
        iscrowd: 0,
        segmentation: [[49.5, 49.5, 50.5, 49.5, 50.5, 50.5, 49.5, 50.5]],
        num_keypoints: 1,
        keypoints: [50, 50, 2],
        attributes: { object_hash: "pin1", feature_hash: "fh2", shape: "point", confidence: 1, manual: true, answers: {} },
      },
    ]);
    expect(coco.categories).toEqual([
      { id: 1, name: "car", supercategory: "bounding_box", encord: { feature_hash: "fh-car", shape: "bounding_box" } },
      { id: 2, name: "person", supercategory: "skeleton", keypoints: ["head", "foot"], skeleton: [[1, 2]], encord: { feature_hash: "fh-person", shape: "skeleton" } },
      { id: 3, name: "pin", supercategory: "point", keypoints: ["keypoint"], skeleton: [], encord: { feature_hash: "fh-pin", shape: "point" } },
      { id: 4, name: "road", supercategory: "polyline", encord: { feature_hash: "fh-road", shape: "polyline" } },
    ]);
    expect(out.report.objectsWritten).toBe(2);
    // one element per line, so a file of any size diffs and greps well
    expect(out.text().split("\n")[3]).toBe(JSON.stringify(coco.images[0]) + ",");
  });

  it("a rotated box keeps its angle in attributes", async () => {
    const out = await run([row([item("a", [obj({ kind: "rotated-box", x: 10, y: 10, w: 20, h: 10, degrees: 90 }, 0, { objectHash: "r" })])])], categories);
    const ann = out.read().annotations[0] as Record<string, unknown>;
    expect(ann.bbox).toEqual([15, 5, 10, 20]);
    expect((ann.attributes as Record<string, unknown>).rotation).toBe(90);
  });

  it("--category-id-start 0, --info-date, --skip-empty", async () => {
    const a = item("a", [obj({ kind: "box", x: 1, y: 1, w: 2, h: 2 }, 1 - 1)]);
    const empty = item("e", []);
    const onlyPolyline = item("p", [obj({ kind: "polyline", points: [1, 1, 5, 5] }, 3)]);
    const out = await run([row([empty, a, onlyPolyline])], categories, { categoryIdStart: 0, infoDate: "2024-05-01", skipEmpty: true });
    const coco = out.read();
    expect(coco.info).toEqual({ description: "Converted from an Encord label export by encord-convert", year: 2024, date_created: "2024-05-01" });
    expect(coco.images.map((i) => i.file_name)).toEqual(["a.jpg"]);
    expect(coco.images[0]?.id).toBe(1);
    expect(coco.annotations[0]?.category_id).toBe(0);
    expect(coco.categories.map((c) => c.id)).toEqual([0, 1, 2, 3]);
    const notes = out.report.noteList();
    expect(notes.find((n) => n.what === "image without annotations")?.count).toBe(2);
    expect(notes.find((n) => n.what === "polyline")).toMatchObject({ outcome: "skipped", count: 1 });
    expect(out.report.lossy).toBe(true);
  });

  it("negatives are kept by default", async () => {
    const out = await run([row([item("e", [])])], categories);
    expect(out.read().images.length).toBe(1);
    expect(out.read().annotations).toEqual([]);
  });

  it("--polyline-as keypoints: vertices as keypoints, class keypoints = most vertices, shorter ones padded", async () => {
    const p1 = obj({ kind: "polyline", points: [1, 1, 5, 5] }, 3);
    const p2 = obj({ kind: "polyline", points: [1, 1, 5, 5, 9, 1] }, 3);
    const out = await run([row([item("a", [p1]), item("b", [p2])])], categories, { polylineAs: "keypoints" });
    const coco = out.read();
    expect(coco.categories[3]).toMatchObject({ keypoints: ["vertex_1", "vertex_2", "vertex_3"], skeleton: [[1, 2], [2, 3]] });
    expect(coco.annotations[0]?.keypoints).toEqual([1, 1, 2, 5, 5, 2, 0, 0, 0]);
    expect(coco.annotations[0]?.num_keypoints).toBe(2);
    expect(coco.annotations[1]?.keypoints).toEqual([1, 1, 2, 5, 5, 2, 9, 1, 2]);
    expect(out.report.lossy).toBe(false);
  });

  it("splits: one file per split present, ids from 1 in each, media placed per split", async () => {
    const placed: string[] = [];
    const media: MediaSink = { place: async (it, folder) => void placed.push(`${folder}/${it.stem}${it.ext}`) };
    const a = item("a", [obj({ kind: "box", x: 1, y: 1, w: 2, h: 2 }, 0)], { split: "train" });
    const b = item("b", [obj({ kind: "box", x: 1, y: 1, w: 3, h: 3 }, 0)], { split: "val" });
    const c = item("c", [obj({ kind: "box", x: 1, y: 1, w: 4, h: 4 }, 0)], { split: "train" });
    const out = await run([row([a, b, c])], categories, {}, media);
    expect(out.files).toEqual(["annotations_train.json", "annotations_val.json"]);
    const train = out.read("annotations_train.json");
    expect(train.images.map((i) => [i.id, i.file_name])).toEqual([[1, "a.jpg"], [2, "c.jpg"]]);
    expect(train.annotations.map((x) => [x.id, x.image_id, x.area])).toEqual([[1, 1, 4], [2, 2, 16]]);
    const val = out.read("annotations_val.json");
    expect(val.annotations.map((x) => [x.id, x.image_id, x.area])).toEqual([[1, 1, 9]]);
    expect(val.categories.length).toBe(4);
    expect(placed).toEqual(["images/train/a.jpg", "images/val/b.jpg", "images/train/c.jpg"]);
  });

  it("items with no size, audio/text objects: skipped and counted", async () => {
    const noSize = item("pdf", [obj({ kind: "box", x: 0, y: 0, w: 0.5, h: 0.5 }, 0)], { width: 0, height: 0 });
    const audio: RangeObject = { objectHash: "au", featureHash: "f", name: "sound", shape: "audio", ranges: [[0, 10]], attributes: [] };
    const out = await run([row([noSize], [audio])], categories);
    expect(out.read().images).toEqual([]);
    const whats = out.report.noteList().map((n) => `${n.outcome}:${n.what}`);
    expect(whats).toEqual(["skipped:audio object", "skipped:box", "skipped:image item"]);
  });

  it("empty run writes an empty annotations.json", async () => {
    const out = await run([], categories);
    expect(out.files).toEqual(["annotations.json"]);
    expect(out.read().images).toEqual([]);
  });

  it("is deterministic: the same rows give byte-identical files", async () => {
    const make = (): NormalisedRow[] => [
      row([
        item("a", [
          obj({ kind: "polygon", polygons: [[[2, 2, 8, 2, 8, 8, 2, 8], [4, 4, 6, 4, 6, 6, 4, 6]]] }, 0, { objectHash: "x" }),
          obj({ kind: "skeleton", points: [{ x: 1, y: 1, visibility: 2 }, { x: 3, y: 4, visibility: 1 }] }, 1, { objectHash: "y" }),
        ]),
      ]),
    ];
    const one = await run(make(), categories);
    const two = await run(make(), categories);
    expect(one.text()).toBe(two.text());
  });
});

describe("uniqueClassNames (common.ts)", () => {
  it("keeps the first name, then adds the shape, then a counter", async () => {
    const { uniqueClassNames } = await import("../src/writers/common.js");
    const cats = [cat(0, "Bin", "bounding_box"), cat(1, "Bin", "polygon"), cat(2, "Bin", "polygon"), cat(3, "Car", "polygon")];
    expect(uniqueClassNames(cats)).toEqual(["Bin", "Bin (polygon)", "Bin_2", "Car"]);
  });

  it("two classes of one name get distinct COCO category names", async () => {
    const out = await run([row([item("a", [])])], [cat(0, "Bin", "bounding_box"), cat(1, "Bin", "polygon")]);
    expect(out.read().categories.map((c) => c.name)).toEqual(["Bin", "Bin (polygon)"]);
  });
});

describe("joining spools (any chunk size)", () => {
  it("appendJoined and appendJoinedLines put ',\\n' between elements, lines split across chunks", async () => {
    const { openSync, closeSync, writeFileSync } = await import("node:fs");
    const { appendJoined, appendJoinedLines } = await import("../src/writers/coco.js");
    const d = scratch();
    const src = join(d, "spool.jsonl");
    const lines = ['{"a":1}', '{"b":"xxxxxxxxxxxxxxxxxxxxxx"}', '{"c":[1,2,3]}'];
    writeFileSync(src, lines.map((l) => l + "\n").join(""));
    for (const chunk of [1, 2, 3, 7, 64, 1 << 20]) {
      const out = join(d, `out-${chunk}.json`);
      let fd = openSync(out, "w");
      appendJoined(src, fd, chunk);
      closeSync(fd);
      expect(readFileSync(out, "utf8")).toBe(lines.join(",\n") + "\n");
      fd = openSync(out, "w");
      appendJoinedLines(src, fd, (l) => l.toUpperCase(), chunk);
      closeSync(fd);
      expect(readFileSync(out, "utf8")).toBe(lines.map((l) => l.toUpperCase()).join(",\n") + "\n");
    }
    const empty = join(d, "empty.jsonl");
    writeFileSync(empty, "");
    const out = join(d, "empty.json");
    const fd = openSync(out, "w");
    appendJoined(empty, fd);
    appendJoinedLines(empty, fd, (l) => l);
    closeSync(fd);
    expect(readFileSync(out, "utf8")).toBe("");
  });
});
