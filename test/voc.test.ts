// VOC writer end to end on hand-made model items (no reader): every box read back with an
// independent XML parser (fast-xml-parser) and compared with hand-computed integers; image sets,
// labelmap and segmentation pixels checked exactly; the independent validator run on the output.
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import type { Attribute, Category, Geometry, Item, LabeledObject, NormalisedRow } from "../src/model.js";
import type { FormatOptions } from "../src/options.js";
import { maskToRuns } from "../src/geometry/rle.js";
import { listOutputFiles } from "../src/output/files.js";
import { decodePng8 } from "../src/output/png.js";
import { Report } from "../src/report.js";
import { createVocWriter } from "../src/writers/voc.js";
import { haveValidator, validate } from "./helpers.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function freshDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

const CATS: Category[] = [
  { index: 0, key: "fhCar", name: "car", shape: "bounding_box", color: "#D33115" },
  { index: 1, key: "fhSign", name: "sign", shape: "rotatable_bounding_box" },
  { index: 2, key: "fhBinP", name: "Bin", shape: "polygon" },
  { index: 3, key: "fhBinM", name: "Bin", shape: "bitmask" },
  { index: 4, key: "fhSk", name: "a:b ", shape: "skeleton" },
];

const SHAPE: Record<Geometry["kind"], string> = {
  box: "bounding_box",
  "rotated-box": "rotatable_bounding_box",
  polygon: "polygon",
  polyline: "polyline",
  point: "point",
  skeleton: "skeleton",
  mask: "bitmask",
};

let nextHash = 0;
function obj(category: number, geometry: Geometry, attributes: Attribute[] = []): LabeledObject {
  const c = CATS[category] as Category;
  return {
    objectHash: `obj${++nextHash}`,
    featureHash: c.key,
    name: c.name,
    shape: SHAPE[geometry.kind],
    geometry,
    attributes,
    confidence: 1,
    manual: true,
    category,
  };
}

function text(name: string, value: string): Attribute {
  return { featureHash: `a-${name}`, name, type: "text", value, dynamic: false };
}
function choice(name: string, type: "radio" | "checklist", options: string[]): Attribute {
  return { featureHash: `a-${name}`, name, type, value: options.map((o) => ({ featureHash: o, name: o, value: o })), dynamic: false };
}

const box = (x: number, y: number, w: number, h: number): Geometry => ({ kind: "box", x, y, w, h });

function item(stem: string, width: number, height: number, objects: LabeledObject[], extra: Partial<Item> = {}): Item {
  return {
    key: `dh-${stem}`,
    stem,
    ext: ".jpg",
    nameHint: stem,
    width,
    height,
    source: { row: 0, labelHash: "lh", dataHash: `dh-${stem}`, rowDataHash: `dh-${stem}`, dataTitle: `${stem}.jpg`, rowTitle: stem, dataType: "image", media: "image", frame: 0 },
    objects,
    classifications: [],
    ...extra,
  };
}

function row(index: number, items: Item[]): NormalisedRow {
  return {
    meta: { index, labelHash: "lh", dataHash: `row${index}`, dataTitle: "t", dataType: "image", labelStatus: "LABELLED", branchName: "main", datasetHash: "ds", datasetTitle: "Streets & <Roads>" },
    items: items.map((it) => ({ ...it, source: { ...it.source, row: index } })),
    rangeObjects: [],
    rowClassifications: [],
    problems: [],
    part: 0,
    lastPart: true,
  };
}

// A 64×48 mask with rows 30..31, columns 40..44 set.
function smallMask(): Geometry {
  const bits = new Uint8Array(64 * 48);
  for (let r = 30; r <= 31; r++) for (let c = 40; c <= 44; c++) bits[r * 64 + c] = 1;
  return { kind: "mask", mask: { width: 64, height: 48, left: 0, top: 0, counts: Uint32Array.from(maskToRuns(bits)) } };
}

/** The scene: a non-square image with every shape, an empty image, a unicode one; three splits. */
function scene(withSplits: boolean): NormalisedRow[] {
  nextHash = 0;
  const split = (s: string): Partial<Item> => (withSplits ? { split: s } : {});
  const street = item(
    "street",
    64,
    48,
    [
      obj(0, box(10.2, 5.5, 20.3, 10), [text("colour", "red & <blue>"), choice("tags", "checklist", ["a", "b"])]),
      obj(0, box(50, 40, 20, 20)), // crosses the right and bottom border
      obj(1, { kind: "rotated-box", x: 20, y: 20, w: 10, h: 4, degrees: 30 }, [choice("difficult", "radio", ["yes"])]),
      obj(2, { kind: "polygon", polygons: [[[2, 2, 8, 2, 2, 8]]] }),
      obj(3, smallMask()),
      obj(0, { kind: "polyline", points: [1, 1, 5, 5] }),
      obj(0, { kind: "point", x: 3, y: 3 }),
      obj(4, { kind: "skeleton", points: [{ x: 5.5, y: 40.2, visibility: 2, name: "head" }, { x: 9.9, y: 44, visibility: 1, name: "hip" }, { x: 60, y: 1, visibility: 0, name: "foot" }] }),
      obj(0, box(3, 20, 1, 5)), // one pixel wide
      obj(0, box(100, 100, 5, 5)), // outside the image
    ],
    split("train"),
  );
  const empty = item("empty", 32, 32, [], split("val"));
  const unicode = item("straße_日本", 20, 10, [obj(0, box(0, 0, 20, 10), [text("note", "rouge 🚗 <x>\u0007")])], {
    ...split("test"),
    classifications: [
      { classificationHash: "c1", featureHash: "fW", name: "weather", attributes: [choice("weather", "radio", ["sunny"])], global: false, confidence: 1, manual: true },
    ],
  });
  return [row(0, [street]), row(1, [empty]), row(2, [unicode])];
}

async function runWriter(rows: NormalisedRow[], options: FormatOptions): Promise<{ dir: string; report: Report }> {
  const dir = freshDir("voc-out-");
  const report = new Report("voc");
  const w = createVocWriter();
  await w.open({ outDir: dir, tempDir: freshDir("voc-tmp-"), options, report, categories: { list: () => CATS, fixed: true } });
  for (const r of rows) await w.write(r);
  await w.close();
  return { dir, report };
}

const parser = new XMLParser({ parseTagValue: false, isArray: (name) => ["object", "attribute", "polygon", "hole", "keypoint"].includes(name) });

interface XmlBox {
  xmin: string;
  ymin: string;
  xmax: string;
  ymax: string;
}
interface XmlObject {
  name: string;
  pose: string;
  truncated: string;
  difficult: string;
  occluded: string;
  bndbox: XmlBox;
  attributes?: { attribute: { name: string; value: string }[] };
  rotated_box?: Record<string, string>;
  polygon?: Record<string, string>[];
  keypoints?: { keypoint: Record<string, string>[] };
  mask?: Record<string, string>;
}
interface XmlAnnotation {
  folder: string;
  filename: string;
  source: Record<string, string>;
  size: { width: string; height: string; depth: string };
  segmented: string;
  object?: XmlObject[];
  attributes?: { attribute: { name: string; value: string }[] };
}

function readXml(dir: string, stem: string): XmlAnnotation {
  const doc = parser.parse(readFileSync(join(dir, "Annotations", `${stem}.xml`), "utf8")) as { annotation: XmlAnnotation };
  return doc.annotation;
}

const numbers = (b: XmlBox): number[] => [b.xmin, b.ymin, b.xmax, b.ymax].map(Number);

describe("VOC writer on hand-made items", async () => {
  const { dir, report } = await runWriter(scene(true), { vocMasks: true });

  it("writes the VOC layout", () => {
    expect(listOutputFiles(dir).map((f) => f.path)).toEqual([
      "Annotations/empty.xml",
      "Annotations/straße_日本.xml",
      "Annotations/street.xml",
      "ImageSets/Main/Bin (bitmask)_test.txt",
      "ImageSets/Main/Bin (bitmask)_train.txt",
      "ImageSets/Main/Bin (bitmask)_trainval.txt",
      "ImageSets/Main/Bin (bitmask)_val.txt",
      "ImageSets/Main/Bin_test.txt",
      "ImageSets/Main/Bin_train.txt",
      "ImageSets/Main/Bin_trainval.txt",
      "ImageSets/Main/Bin_val.txt",
      "ImageSets/Main/a_b_test.txt",
      "ImageSets/Main/a_b_train.txt",
      "ImageSets/Main/a_b_trainval.txt",
      "ImageSets/Main/a_b_val.txt",
      "ImageSets/Main/car_test.txt",
      "ImageSets/Main/car_train.txt",
      "ImageSets/Main/car_trainval.txt",
      "ImageSets/Main/car_val.txt",
      "ImageSets/Main/sign_test.txt",
      "ImageSets/Main/sign_train.txt",
      "ImageSets/Main/sign_trainval.txt",
      "ImageSets/Main/sign_val.txt",
      "ImageSets/Main/test.txt",
      "ImageSets/Main/train.txt",
      "ImageSets/Main/trainval.txt",
      "ImageSets/Main/val.txt",
      "ImageSets/Segmentation/test.txt",
      "ImageSets/Segmentation/train.txt",
      "ImageSets/Segmentation/trainval.txt",
      "ImageSets/Segmentation/val.txt",
      "SegmentationClass/empty.png",
      "SegmentationClass/straße_日本.png",
      "SegmentationClass/street.png",
      "SegmentationObject/empty.png",
      "SegmentationObject/straße_日本.png",
      "SegmentationObject/street.png",
      "labelmap.txt",
    ]);
  });

  it("every box equals the hand-computed devkit integers (non-square image, border, rotation)", () => {
    const a = readXml(dir, "street");
    expect(a.size).toEqual({ width: "64", height: "48", depth: "3" });
    const objects = a.object ?? [];
    expect(objects.map((o) => o.name)).toEqual(["car", "car", "sign", "Bin", "Bin (bitmask)", "a_b", "car"]);
    expect(objects.map((o) => numbers(o.bndbox))).toEqual([
      [11, 6, 31, 16], // box (10.2, 5.5, 20.3, 10)
      [51, 41, 64, 48], // box (50, 40, 20, 20) clipped to 64×48
      [20, 18, 31, 27], // 10×4 at (20,20) rotated 30°: x ∈ [19.67, 30.33], y ∈ [17.77, 26.23]
      [3, 3, 8, 8], // triangle (2,2),(8,2),(2,8)
      [41, 31, 45, 32], // mask columns 40..44, rows 30..31
      [6, 41, 10, 45], // keypoints in columns 5..9, rows 40..44
      [4, 21, 5, 25], // box (3, 20, 1, 5): one pixel wide, widened
    ]);
    expect(objects.map((o) => o.truncated)).toEqual(["0", "1", "0", "0", "0", "0", "0"]);
    expect(objects.map((o) => o.difficult)).toEqual(["0", "0", "1", "0", "0", "0", "0"]);
    expect(objects.map((o) => o.occluded)).toEqual(["0", "0", "0", "0", "0", "0", "0"]);
    expect(objects.every((o) => o.pose === "Unspecified")).toBe(true);
  });

  it("keeps the exact shapes in extra elements and the attributes the way CVAT does", () => {
    const objects = readXml(dir, "street").object ?? [];
    expect(objects[0]?.attributes?.attribute).toEqual([
      { name: "colour", value: "red & <blue>" },
      { name: "tags", value: "a,b" },
    ]);
    expect(objects[2]?.attributes).toBeUndefined(); // "difficult" became the flag
    expect(objects[2]?.rotated_box).toEqual({ cx: "25", cy: "22", width: "10", height: "4", degrees: "30" });
    expect(objects[2]?.polygon?.[0]).toEqual({
      // corners TL,TR,BR,BL of centre (25,22) ± (5,2) rotated by 30°: (25 + dx·cos − dy·sin, 22 + dx·sin + dy·cos)
      x1: "21.669873", y1: "17.767949", x2: "30.330127", y2: "22.767949", x3: "28.330127", y3: "26.232051", x4: "19.669873", y4: "21.232051",
    });
    expect(objects[3]?.polygon).toEqual([{ x1: "2", y1: "2", x2: "8", y2: "2", x3: "2", y3: "8" }]);
    expect(objects[4]?.mask).toMatchObject({ left: "0", top: "0", width: "64", height: "48" });
    expect(objects[5]?.keypoints?.keypoint.map((k) => [k.name, k.x, k.y, k.visibility])).toEqual([
      ["head", "5.5", "40.2", "2"],
      ["hip", "9.9", "44", "1"],
      ["foot", "60", "1", "0"],
    ]);
  });

  it("an item with no objects still gets an XML; unicode and escaped text survive", () => {
    const e = readXml(dir, "empty");
    expect(e.object).toBeUndefined();
    expect(e.filename).toBe("empty.jpg");
    expect(e.segmented).toBe("1");
    const u = readXml(dir, "straße_日本");
    expect(u.filename).toBe("straße_日本.jpg");
    expect(u.source.database).toBe("Streets & <Roads>");
    expect(u.object?.[0]?.attributes?.attribute).toEqual([{ name: "note", value: "rouge 🚗 <x>\uFFFD" }]);
    expect(numbers(u.object?.[0]?.bndbox as XmlBox)).toEqual([1, 1, 20, 10]);
    expect(u.attributes?.attribute).toEqual([{ name: "weather", value: "sunny" }]);
  });

  it("image sets: splits, trainval = train + val, per-class presence 1 / 0 (difficult only) / -1", () => {
    const main = (f: string): string => readFileSync(join(dir, "ImageSets", "Main", f), "utf8");
    expect(main("train.txt")).toBe("street\n");
    expect(main("val.txt")).toBe("empty\n");
    expect(main("test.txt")).toBe("straße_日本\n");
    expect(main("trainval.txt")).toBe("street\nempty\n");
    expect(main("car_trainval.txt")).toBe("street  1\nempty -1\n");
    expect(main("car_test.txt")).toBe("straße_日本  1\n");
    expect(main("sign_train.txt")).toBe("street  0\n");
    expect(main("Bin (bitmask)_trainval.txt")).toBe("street  1\nempty -1\n");
    expect(main("a_b_test.txt")).toBe("straße_日本 -1\n");
    expect(readFileSync(join(dir, "ImageSets", "Segmentation", "trainval.txt"), "utf8")).toBe("street\nempty\n");
  });

  it("labelmap.txt: background, then every class with its colour, names made unique", () => {
    expect(readFileSync(join(dir, "labelmap.txt"), "utf8")).toBe(
      "background:0,0,0::\ncar:211,49,21::\nsign:0,128,0::\nBin:128,128,0::\nBin (bitmask):0,0,128::\na_b:128,0,128::\n",
    );
  });

  it("counts every skip and approximation", () => {
    const notes = report.noteList().map((n) => `${n.outcome} ${n.count} ${n.what}: ${n.reason}`);
    expect(notes).toEqual([
      "approximated 1 bitmask: <bndbox> is the bitmask's extent; <mask> keeps it exactly (rleString, row-major)",
      "approximated 1 bounding_box: clipped at the image border (<truncated>1</truncated>)",
      "approximated 1 bounding_box: one pixel wide or high: widened to two, as readers need xmin < xmax",
      'approximated 1 class name: "a:b " is written as "a_b": VOC names are unique (background is taken), trimmed, without \':\' or control characters',
      'approximated 1 class name: "Bin" is written as "Bin (bitmask)": VOC names are unique (background is taken), trimmed, without \':\' or control characters',
      "approximated 1 polygon: <bndbox> is the polygon's extent; <polygon> and <hole> elements keep it exactly",
      "approximated 1 rotatable_bounding_box: <bndbox> is the rotated box's axis-aligned extent; <rotated_box> and <polygon> keep it exactly",
      "approximated 1 skeleton: <bndbox> is the extent of the labelled keypoints; <keypoints> keeps them",
      "approximated 1 text: characters XML 1.0 cannot hold are written as U+FFFD",
      "skipped 1 bounding_box: it lies entirely outside the image",
      "skipped 1 point: VOC objects are boxes; a point has no area to box",
      "skipped 1 polyline: VOC objects are boxes; a polyline has no area to box",
      "skipped 1 skeleton (segmentation): no area to paint; its box is in the XML",
    ]);
    expect(report.objectsWritten).toBe(8);
  });

  it("segmentation PNGs: palette images of the image size, class = index + 1, instance = XML position", () => {
    const cls = decodePng8(readFileSync(join(dir, "SegmentationClass", "street.png")));
    const ins = decodePng8(readFileSync(join(dir, "SegmentationObject", "street.png")));
    for (const png of [cls, ins]) {
      expect([png.width, png.height, png.colorType]).toEqual([64, 48, 3]);
      expect(png.palette?.length).toBe(256);
      expect(png.palette?.[255]).toEqual([224, 224, 192]);
    }
    // Classes in the labelmap's colours (Datumaro/CVAT read them by colour), instances in the VOC colormap.
    expect(cls.palette?.slice(0, 6)).toEqual([[0, 0, 0], [211, 49, 21], [0, 128, 0], [128, 128, 0], [0, 0, 128], [128, 0, 128]]);
    expect(ins.palette?.slice(0, 3)).toEqual([[0, 0, 0], [128, 0, 0], [0, 128, 0]]);
    const pixels = (map: Uint8Array, v: number): [number, number][] => {
      const out: [number, number][] = [];
      map.forEach((x, i) => x === v && out.push([i % 64, Math.floor(i / 64)]));
      return out;
    };
    const rect = (c0: number, c1: number, r0: number, r1: number): [number, number][] => {
      const out: [number, number][] = [];
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) out.push([c, r]);
      return out;
    };
    expect(pixels(ins.pixels, 1)).toEqual(rect(10, 29, 5, 14)); // centres in [10.2,30.5)×[5.5,15.5)
    expect(pixels(ins.pixels, 2)).toEqual(rect(50, 63, 40, 47));
    expect(pixels(ins.pixels, 4)).toHaveLength(15); // the triangle: c,r ≥ 2, c+r ≤ 8
    expect(pixels(ins.pixels, 5)).toEqual(rect(40, 44, 30, 31)); // the mask, exactly
    expect(pixels(ins.pixels, 6)).toEqual([]); // the skeleton paints nothing
    expect(pixels(ins.pixels, 7)).toEqual(rect(3, 3, 20, 24));
    expect(ins.pixels[22 * 64 + 25]).toBe(3); // the rotated box's centre
    expect(pixels(ins.pixels, 3).every(([c, r]) => c >= 19 && c <= 30 && r >= 17 && r <= 26)).toBe(true);
    // The class map is the instance map through instance -> class + 1.
    const classOf = [0, 1, 1, 2, 3, 4, 5, 1];
    ins.pixels.forEach((v, i) => expect(cls.pixels[i]).toBe(classOf[v]));
    const empty = decodePng8(readFileSync(join(dir, "SegmentationClass", "empty.png")));
    expect([empty.width, empty.height, Math.max(...empty.pixels)]).toEqual([32, 32, 0]);
  });

  it.skipIf(!haveValidator())("passes the independent validator (1-based, strict)", () => {
    const r = validate(dir, ["--voc-one-based", "--strict"]);
    expect(r.stdout + r.stderr).toContain("RESULT: PASS");
    expect(r.code).toBe(0);
  });
});

describe("VOC writer options", () => {
  it("without --split everything is train, and trainval repeats it; no masks, segmented 0", async () => {
    const { dir } = await runWriter(scene(false), {});
    expect(readFileSync(join(dir, "ImageSets", "Main", "train.txt"), "utf8")).toBe("street\nempty\nstraße_日本\n");
    expect(readFileSync(join(dir, "ImageSets", "Main", "trainval.txt"), "utf8")).toBe("street\nempty\nstraße_日本\n");
    expect(readdirSync(join(dir, "ImageSets", "Main")).filter((f) => f.startsWith("car_")).sort()).toEqual(["car_train.txt", "car_trainval.txt"]);
    expect(existsSync(join(dir, "SegmentationClass"))).toBe(false);
    expect(existsSync(join(dir, "ImageSets", "Segmentation"))).toBe(false);
    expect(readXml(dir, "street").segmented).toBe("0");
  });

  it("--zero-based writes pixel edges (xmin−1, ymin−1, xmax, ymax)", async () => {
    const { dir } = await runWriter(scene(false), { zeroBased: true });
    const objects = readXml(dir, "street").object ?? [];
    expect(objects.map((o) => numbers(o.bndbox))).toEqual([
      [10, 5, 31, 16],
      [50, 40, 64, 48],
      [19, 17, 31, 27],
      [2, 2, 8, 8],
      [40, 30, 45, 32],
      [5, 40, 10, 45],
      [3, 20, 4, 25], // no widening needed: xmin < xmax already
    ]);
    if (haveValidator()) expect(validate(dir).code).toBe(0);
  });

  it("--skip-empty leaves out items with no objects (counted as filtered)", async () => {
    const { dir, report } = await runWriter(scene(true), { skipEmpty: true });
    expect(existsSync(join(dir, "Annotations", "empty.xml"))).toBe(false);
    expect(readFileSync(join(dir, "ImageSets", "Main", "trainval.txt"), "utf8")).toBe("street\n");
    expect(readFileSync(join(dir, "ImageSets", "Main", "val.txt"), "utf8")).toBe("");
    expect(report.noteList().find((n) => n.outcome === "filtered")).toMatchObject({ what: "image", count: 1 });
  });

  it("--void-border marks 255 in both PNGs around every object", async () => {
    const { dir } = await runWriter(scene(true), { vocMasks: true, voidBorder: true });
    const cls = decodePng8(readFileSync(join(dir, "SegmentationClass", "street.png")));
    const ins = decodePng8(readFileSync(join(dir, "SegmentationObject", "street.png")));
    // Box 1 covers columns 10..29, rows 5..14: its rim and the ring just outside are void.
    for (const [c, r] of [[10, 5], [29, 14], [9, 4], [30, 15], [20, 4], [20, 5]] as const) {
      expect(cls.pixels[r * 64 + c]).toBe(255);
      expect(ins.pixels[r * 64 + c]).toBe(255);
    }
    expect(ins.pixels[10 * 64 + 20]).toBe(1); // inside
    expect(cls.pixels[10 * 64 + 20]).toBe(1);
    expect(cls.pixels[0]).toBe(0); // far background
    if (haveValidator()) expect(validate(dir, ["--voc-one-based", "--strict"]).code).toBe(0);
  });

  it("an item without a size is skipped with its objects; a frame over the pixel ceiling gets no PNGs", async () => {
    nextHash = 0;
    const pdf = item("page", 0, 0, [obj(0, box(1, 1, 2, 2))]);
    const huge = item("huge", 20000, 20000, [obj(0, box(10, 10, 5, 5))]);
    const { dir, report } = await runWriter([row(0, [pdf, huge])], { vocMasks: true });
    expect(existsSync(join(dir, "Annotations", "page.xml"))).toBe(false);
    expect(readXml(dir, "huge").segmented).toBe("0");
    expect(numbers(readXml(dir, "huge").object?.[0]?.bndbox as XmlBox)).toEqual([11, 11, 15, 15]);
    expect(existsSync(join(dir, "SegmentationClass", "huge.png"))).toBe(false);
    expect(readFileSync(join(dir, "ImageSets", "Segmentation", "train.txt"), "utf8")).toBe("");
    expect(readFileSync(join(dir, "ImageSets", "Main", "train.txt"), "utf8")).toBe("huge\n");
    const notes = report.noteList().filter((n) => n.what !== "class name").map((n) => `${n.outcome} ${n.count} ${n.what}: ${n.reason}`);
    expect(notes.slice(0, 2)).toEqual([
      "skipped 1 bounding_box: its item has no size in the export",
      "skipped 1 image item: the export gives no image size (width/height 0)",
    ]);
    expect(notes[2]).toMatch(/^skipped 1 segmentation PNGs: the frame is 20000x20000\b.* over .*268435456/);
    expect(notes).toHaveLength(3);
  });

  it("the same input gives byte-identical output", async () => {
    const a = await runWriter(scene(true), { vocMasks: true, voidBorder: true });
    const b = await runWriter(scene(true), { vocMasks: true, voidBorder: true });
    const files = listOutputFiles(a.dir);
    expect(listOutputFiles(b.dir)).toEqual(files);
    for (const f of files) expect(readFileSync(join(b.dir, f.path)).equals(readFileSync(join(a.dir, f.path)))).toBe(true);
  });
});
