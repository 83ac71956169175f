// The masks writer on hand-made items: exact pixels of boxes, rotated boxes, polygons with holes
// and bitmasks; instance and semantic layouts; the overlap order; the index and the class table.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeRleString } from "../src/geometry/rle.js";
import type { Category, Geometry, Item, LabeledObject, NormalisedRow } from "../src/model.js";
import type { FormatOptions } from "../src/options.js";
import { decodePng8 } from "../src/output/png.js";
import { Report } from "../src/report.js";
import { hexColour, MasksWriter, parseHexColour, runsSpan } from "../src/writers/masks.js";
import type { WriterContext } from "../src/writers/writer.js";
import { tempDir } from "./helpers.js";

const root = tempDir("ec-masks-unit-");
let runNo = 0;

function obj(objectHash: string, category: number, geometry: Geometry, extra: Partial<LabeledObject> = {}): LabeledObject {
  const shape = { box: "bounding_box", "rotated-box": "rotatable_bounding_box", polygon: "polygon", mask: "bitmask", point: "point", polyline: "polyline", skeleton: "skeleton" }[geometry.kind];
  return { objectHash, featureHash: `f${category}`, name: `class${category}`, shape, geometry, attributes: [], confidence: 1, manual: true, category, ...extra };
}

function item(stem: string, width: number, height: number, objects: LabeledObject[], frame = 0): Item {
  return {
    key: `${stem}:${frame}`,
    stem,
    ext: ".jpg",
    nameHint: stem,
    width,
    height,
    source: { row: 0, labelHash: "L", dataHash: `dh-${stem}`, rowDataHash: "R", dataTitle: `${stem}.jpg`, rowTitle: "r", dataType: "image", media: "image", frame },
    objects,
    classifications: [],
  };
}

function row(items: Item[], rangeObjects: NormalisedRow["rangeObjects"] = []): NormalisedRow {
  return {
    meta: { index: 0, labelHash: "L", dataHash: "R", dataTitle: "r", dataType: rangeObjects.length ? "audio" : "image", labelStatus: "", branchName: "", datasetHash: "", datasetTitle: "" },
    items,
    rangeObjects,
    rowClassifications: [],
    problems: [],
    part: 0,
    lastPart: true,
  };
}

function categories(n: number, colours: (string | undefined)[] = []): Category[] {
  return Array.from({ length: n }, (_, i) => {
    const c: Category = { index: i, key: `f${i}`, name: `class${i}`, shape: "polygon" };
    const colour = colours[i];
    if (colour !== undefined) c.color = colour;
    return c;
  });
}

async function run(rows: NormalisedRow[], options: FormatOptions = {}, cats = categories(3)): Promise<{ dir: string; report: Report }> {
  const dir = join(root, `run${runNo++}`);
  const report = new Report("masks");
  const ctx: WriterContext = { outDir: dir, tempDir: root, options, report, categories: { list: () => cats, fixed: true } };
  const w = new MasksWriter();
  await w.open(ctx);
  for (const r of rows) await w.write(r);
  await w.close();
  return { dir, report };
}

function png(dir: string, rel: string): ReturnType<typeof decodePng8> {
  return decodePng8(readFileSync(join(dir, rel)));
}

function index(dir: string): { mode: string; masks: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(join(dir, "masks.json"), "utf8"));
}

/** Pixels equal to `value` as "x,y" strings, row-major. */
function where(p: { width: number; pixels: Uint8Array }, value: number): string[] {
  const out: string[] = [];
  p.pixels.forEach((v, i) => {
    if (v === value) out.push(`${i % p.width},${Math.floor(i / p.width)}`);
  });
  return out;
}

function rect(x0: number, y0: number, x1: number, y1: number): string[] {
  const out: string[] = [];
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) out.push(`${x},${y}`);
  return out;
}

describe("instance masks: exact pixels", () => {
  it("a box [2,3,10,8] on 64x48: 8-bit gray 0/255, columns 2..11 and rows 3..10 set (80 pixels)", async () => {
    const { dir } = await run([row([item("img", 64, 48, [obj("box1", 0, { kind: "box", x: 2, y: 3, w: 10, h: 8 })])])]);
    const p = png(dir, "instances/img/box1.png");
    expect([p.width, p.height, p.colorType]).toEqual([64, 48, 0]);
    expect(where(p, 255)).toEqual(rect(2, 3, 11, 10));
    expect(where(p, 0).length).toBe(64 * 48 - 80);
    const e = index(dir).masks[0];
    expect(e).toEqual({
      png: "instances/img/box1.png",
      item: "img",
      image: "img.jpg",
      dataHash: "dh-img",
      frame: 0,
      width: 64,
      height: 48,
      objectHash: "box1",
      class: "class0",
      classIndex: 1,
      shape: "bounding_box",
      pixels: 80,
    });
  });

  it("a polygon with a hole leaves the hole empty (pixel centres, even-odd)", async () => {
    const outer = [0, 0, 10, 0, 10, 10, 0, 10];
    const hole = [3, 3, 7, 3, 7, 7, 3, 7];
    const { dir } = await run([row([item("donut", 12, 12, [obj("d", 1, { kind: "polygon", polygons: [[outer, hole]] })])])]);
    const p = png(dir, "instances/donut/d.png");
    const expected = rect(0, 0, 9, 9).filter((s) => !rect(3, 3, 6, 6).includes(s));
    expect(where(p, 255)).toEqual(expected);
    expect(index(dir).masks[0]?.pixels).toBe(100 - 16);
  });

  it("a bitmask is pasted exactly as decoded (row-major): rleString 12202O = 0110/0110/0001", async () => {
    const counts = Uint32Array.from(decodeRleString("12202O"));
    const g: Geometry = { kind: "mask", mask: { width: 4, height: 3, left: 0, top: 0, counts } };
    const { dir } = await run([row([item("bm", 4, 3, [obj("m/1+", 2, g)])])]);
    const p = png(dir, "instances/bm/m_1+.png");
    expect(Array.from(p.pixels)).toEqual([0, 255, 255, 0, 0, 255, 255, 0, 0, 0, 0, 255]);
    expect(index(dir).masks[0]).toMatchObject({ objectHash: "m/1+", pixels: 5, shape: "bitmask" });
  });

  it("a rotated box at 90 degrees is rasterised from its rotated corners", async () => {
    const { dir } = await run([row([item("rot", 20, 20, [obj("r", 0, { kind: "rotated-box", x: 10, y: 10, w: 4, h: 2, degrees: 90 })])])]);
    expect(where(png(dir, "instances/rot/r.png"), 255)).toEqual(rect(11, 9, 12, 12));
  });

  it("object hashes become safe, case-insensitively unique file names", async () => {
    const box: Geometry = { kind: "box", x: 0, y: 0, w: 1, h: 1 };
    const { dir } = await run([row([item("i", 4, 4, [obj("AB", 0, box), obj("ab", 0, box), obj("x/y", 0, box), obj("x_y", 0, box)])])]);
    expect(index(dir).masks.map((m) => m.png)).toEqual(["instances/i/AB.png", "instances/i/ab_2.png", "instances/i/x_y.png", "instances/i/x_y_2.png"]);
    for (const m of index(dir).masks) expect(existsSync(join(dir, m.png as string))).toBe(true);
  });

  it("points, polylines, skeletons and audio objects are reported as skipped; a shape covering no pixel centre as approximated", async () => {
    const { dir, report } = await run([
      row([
        item("s", 10, 10, [
          obj("p", 0, { kind: "point", x: 1, y: 1 }),
          obj("l", 0, { kind: "polyline", points: [0, 0, 5, 5] }),
          obj("k", 0, { kind: "skeleton", points: [{ x: 1, y: 1, visibility: 2 }] }),
          obj("tiny", 0, { kind: "box", x: 1.1, y: 1.1, w: 0.2, h: 0.2 }),
        ]),
      ]),
      row([], [{ objectHash: "au", featureHash: "fa", name: "sound", shape: "audio", ranges: [[0, 5]], attributes: [] }]),
    ]);
    const notes = report.noteList().map((n) => `${n.outcome} ${n.count} ${n.what}: ${n.reason}`);
    expect(notes).toEqual([
      "approximated 1 bounding_box: covers no pixel centre inside the frame: its mask is empty",
      "skipped 1 audio object: a mask PNG holds only image annotations",
      "skipped 1 audio row: a mask PNG holds only images",
      "skipped 1 point: masks hold only shapes with an area (box, rotated box, polygon, bitmask)",
      "skipped 1 polyline: masks hold only shapes with an area (box, rotated box, polygon, bitmask)",
      "skipped 1 skeleton: masks hold only shapes with an area (box, rotated box, polygon, bitmask)",
    ]);
    expect(index(dir).masks).toHaveLength(1);
    expect(index(dir).masks[0]?.pixels).toBe(0);
    expect(report.objectsWritten).toBe(1);
  });

  it("items with nothing to paint get no instance folder; masks.json is valid when empty", async () => {
    const { dir } = await run([row([item("none", 8, 8, [])])]);
    expect(existsSync(join(dir, "instances"))).toBe(false);
    expect(index(dir)).toEqual({ mode: "instance", masks: [] });
    expect(readFileSync(join(dir, "masks.json"), "utf8")).toBe('{\n"mode": "instance",\n"masks": []\n}\n');
  });
});

describe("semantic masks", () => {
  const cats = categories(3, ["#FF0000", undefined, "#00f"]);

  it("one palette PNG per item, pixel = class index + 1, later objects over earlier ones", async () => {
    const { dir, report } = await run(
      [
        row([
          item("sem", 8, 6, [
            obj("a", 0, { kind: "box", x: 0, y: 0, w: 4, h: 4 }), // class value 1
            obj("b", 2, { kind: "box", x: 2, y: 2, w: 4, h: 3 }), // class value 3, over a
          ]),
          item("empty", 3, 2, [], 1),
        ]),
      ],
      { maskMode: "semantic" },
      cats,
    );
    const p = png(dir, "semantic/sem.png");
    expect([p.width, p.height, p.colorType]).toEqual([8, 6, 3]);
    const b = rect(2, 2, 5, 4);
    expect(where(p, 3)).toEqual(b);
    expect(where(p, 1)).toEqual(rect(0, 0, 3, 3).filter((s) => !b.includes(s)));
    // palette: background black, the classes' own colours, VOC's colour 2 for the class without one,
    // then VOC's colormap up to 256 entries (4 = navy)
    expect(p.palette?.slice(0, 5)).toEqual([
      [0, 0, 0],
      [255, 0, 0],
      [0, 128, 0],
      [0, 0, 255],
      [0, 0, 128],
    ]);
    expect(p.palette).toHaveLength(256);
    const e = png(dir, "semantic/empty.png");
    expect(Array.from(e.pixels)).toEqual([0, 0, 0, 0, 0, 0]);
    const idx = index(dir);
    expect(idx.mode).toBe("semantic");
    expect(idx.masks[0]).toMatchObject({ png: "semantic/sem.png", objectHash: null, class: null, pixels: 12 + 12, classPixels: { "1": 12, "3": 12 } });
    expect(idx.masks[1]).toMatchObject({ png: "semantic/empty.png", frame: 1, pixels: 0, classPixels: {} });
    expect(report.objectsWritten).toBe(2);
    const classes = JSON.parse(readFileSync(join(dir, "classes.json"), "utf8"));
    expect(classes).toEqual([
      { index: 0, name: "background", color: "#000000" },
      { index: 1, name: "class0", color: "#FF0000", featureHash: "f0" },
      { index: 2, name: "class1", color: "#008000", featureHash: "f1" },
      { index: 3, name: "class2", color: "#0000FF", featureHash: "f2" },
    ]);
  });

  it("an object fully covered by a later one of another class is reported", async () => {
    const { report } = await run(
      [row([item("h", 6, 6, [obj("under", 0, { kind: "box", x: 1, y: 1, w: 2, h: 2 }), obj("over", 1, { kind: "box", x: 0, y: 0, w: 6, h: 6 })])])],
      { maskMode: "semantic" },
      cats,
    );
    expect(report.noteList().map((n) => `${n.outcome} ${n.what}: ${n.reason}: ${n.examples[0]}`)).toEqual([
      "approximated bounding_box: hidden by later objects in the semantic mask: row 0, data dh-h, frame 0, object under",
    ]);
    expect(report.objectsWritten).toBe(1);
  });

  it("a class index over 255 does not fit 8 bits and is reported", async () => {
    const many = categories(300);
    const { dir, report } = await run([row([item("c", 4, 4, [obj("big", 299, { kind: "box", x: 0, y: 0, w: 4, h: 4 }), obj("ok", 254, { kind: "box", x: 0, y: 0, w: 1, h: 1 })])])], { maskMode: "semantic" }, many);
    expect(report.noteList().map((n) => n.reason)).toEqual(["class index 300 does not fit an 8-bit semantic mask (at most 255 classes)"]);
    const p = png(dir, "semantic/c.png");
    expect(where(p, 255)).toEqual(["0,0"]);
    expect(p.palette).toHaveLength(256);
    const classes = JSON.parse(readFileSync(join(dir, "classes.json"), "utf8"));
    expect(classes).toHaveLength(256);
  });

  it("a class without a colour of its own (--classes) takes the VOC colormap's", async () => {
    const { dir } = await run([row([item("oc", 2, 1, [obj("a", 1, { kind: "box", x: 0, y: 0, w: 1, h: 1 }, { color: "#123456" })])])], { maskMode: "semantic" }, cats);
    expect(png(dir, "semantic/oc.png").palette?.[2]).toEqual([0, 128, 0]);
    expect(JSON.parse(readFileSync(join(dir, "classes.json"), "utf8"))[2].color).toBe("#008000");
  });
});

describe("colours", () => {
  it("parses #RRGGBB and #RGB, refuses the rest", () => {
    expect(parseHexColour("#D33115")).toEqual([0xd3, 0x31, 0x15]);
    expect(parseHexColour("#0af")).toEqual([0, 0xaa, 0xff]);
    expect(parseHexColour("red")).toBeUndefined();
    expect(parseHexColour(undefined)).toBeUndefined();
    expect(hexColour([0, 128, 255])).toBe("#0080FF");
  });
});

describe("runsSpan", () => {
  it("frame-sized runs at 0,0: from the first set pixel to the end of the last run of ones", () => {
    const mask = (counts: number[], w = 4, h = 3, left = 0, top = 0) => ({ width: w, height: h, left, top, counts: Uint32Array.from(counts) });
    expect(runsSpan(mask([1, 2, 2, 2, 4, 1]), 4, 3)).toEqual([1, 12]);
    expect(runsSpan(mask([0, 3, 9]), 4, 3)).toEqual([0, 3]);
    expect(runsSpan(mask([12]), 4, 3)).toEqual([0, 12]); // no ones: the whole frame (nothing painted anyway)
    expect(runsSpan(mask([1, 2, 1], 2, 2, 1, 1), 4, 3)).toEqual([0, 12]); // offset: whole frame
  });
});
