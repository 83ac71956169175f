// Pixel-level checks of preview drawing on small synthetic items, and its pure helpers.
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import type { Category, Geometry, LabeledObject, MaskRuns } from "../src/model.js";
import { encodeRgb8, type Rgb } from "../src/output/png.js";
import { Canvas, drawImage } from "../src/preview/canvas.js";
import { NEUTRAL, renderItem, styleFor } from "../src/preview/draw.js";
import { drawText, fitText, glyphRows, textWidth } from "../src/preview/font.js";
import { applyOrientation, decodeImage, sniffFormat } from "../src/preview/image.js";
import { Sampler } from "../src/preview/sample.js";
import { ContactSheet, parseSheetSpec, thumbnailScale } from "../src/preview/sheet.js";

const RED: Rgb = [255, 0, 0];
const BLUE: Rgb = [0, 0, 255];
const CATS: Category[] = [
  { index: 0, key: "a", name: "car", shape: "bounding_box", color: "#FF0000" },
  { index: 1, key: "b", name: "hole", shape: "polygon", color: "#0000FF" },
  { index: 2, key: "c", name: "person", shape: "skeleton", color: "#00FF00", keypoints: ["a", "b", "c"], skeleton: [[0, 1], [1, 2]] },
  { index: 3, key: "d", name: "nocolour", shape: "bitmask" },
];

function obj(category: number, geometry: Geometry, shape = "bounding_box"): LabeledObject {
  return { objectHash: `o${category}`, featureHash: "f", name: "raw name", shape, geometry, attributes: [], confidence: 1, manual: true, category };
}

/** alpha/255 of colour over NEUTRAL, rounded as the canvas does. */
function over(colour: Rgb, alpha: number): Rgb {
  return colour.map((c, i) => Math.floor((c * alpha + (NEUTRAL[i] as number) * (255 - alpha) + 127) / 255)) as Rgb;
}

describe("renderItem", () => {
  it("draws on a neutral canvas of the item's size, a box edge in the class colour and its inside translucent", () => {
    const { canvas, objects } = renderItem({ width: 60, height: 40, categories: CATS, objects: [obj(0, { kind: "box", x: 10, y: 20, w: 30, h: 15 })] });
    expect([canvas.width, canvas.height]).toEqual([60, 40]);
    expect(objects[0]).toMatchObject({ drawn: true, notes: [] });
    expect(canvas.get(40, 27)).toEqual(RED); // right edge, x = 10 + 30
    expect(canvas.get(25, 35)).toEqual(RED); // bottom edge
    expect(canvas.get(10, 30)).toEqual(RED); // left edge
    expect(canvas.get(25, 27)).toEqual(over(RED, styleFor(60, 40).fillAlpha)); // inside
    expect(canvas.get(50, 5)).toEqual(NEUTRAL); // away from everything
    expect(canvas.get(45, 27)).toEqual(NEUTRAL);
  });

  it("leaves a polygon's hole unfilled (even-odd) and outlines the hole", () => {
    const g: Geometry = { kind: "polygon", polygons: [[[2, 2, 58, 2, 58, 38, 2, 38], [20, 12, 40, 12, 40, 28, 20, 28]]] };
    const { canvas } = renderItem({ width: 60, height: 40, categories: CATS, objects: [obj(1, g, "polygon")] });
    expect(canvas.get(30, 20)).toEqual(NEUTRAL); // inside the hole
    expect(canvas.get(10, 30)).toEqual(over(BLUE, 80)); // inside the outer ring
    expect(canvas.get(20, 20)).toEqual(BLUE); // the hole's left edge
    expect(canvas.get(58, 20)).toEqual(BLUE); // the outer right edge
  });

  it("overlays a bitmask's set pixels only, in the VOC palette colour of a class without one", () => {
    // 60x40 frame; row 25, columns 10..15 set; row 26, columns 10..11 set (the class tab sits above).
    const counts = Uint32Array.from([25 * 60 + 10, 6, 60 - 6, 2, 60 * 40 - (26 * 60 + 12)]);
    const mask: MaskRuns = { width: 60, height: 40, left: 0, top: 0, counts };
    const { canvas } = renderItem({ width: 60, height: 40, categories: CATS, objects: [obj(3, { kind: "mask", mask }, "bitmask")] });
    const voc4: Rgb = [0, 0, 128]; // VOC colormap entry 4 (class index 3 + 1)
    expect(canvas.get(12, 25)).toEqual(over(voc4, 110));
    expect(canvas.get(11, 26)).toEqual(over(voc4, 110));
    expect(canvas.get(12, 26)).toEqual(NEUTRAL);
    expect(canvas.get(16, 25)).toEqual(NEUTRAL);
    expect(canvas.get(9, 25)).toEqual(NEUTRAL);
  });

  it("puts a point on the pixel that holds it", () => {
    const { canvas } = renderItem({ width: 60, height: 40, categories: CATS, objects: [obj(0, { kind: "point", x: 30.7, y: 25.2 }, "point")] });
    expect(canvas.get(30, 25)).toEqual(RED);
    expect(canvas.get(30, 29)).toEqual([0, 0, 0]); // its black ring, radius 3 + 1
    expect(canvas.get(50, 35)).toEqual(NEUTRAL);
  });

  it("marks skeleton points by visibility and joins them by the class's edges", () => {
    const g: Geometry = {
      kind: "skeleton",
      points: [
        { x: 10, y: 30, visibility: 2 },
        { x: 30, y: 30, visibility: 1 },
        { x: 50, y: 30, visibility: 0 },
      ],
    };
    const green: Rgb = [0, 255, 0];
    const { canvas } = renderItem({ width: 60, height: 40, categories: CATS, objects: [obj(2, g, "skeleton")] });
    expect(canvas.get(10, 30)).toEqual(green); // visible: filled
    expect(canvas.get(30, 32)).toEqual(NEUTRAL); // occluded: a hollow ring (the edges cross its middle)
    expect(canvas.get(33, 30)).toEqual(green); // ... its ring
    expect(canvas.get(50, 30)).toEqual(green); // invisible: the centre of its X
    expect(canvas.get(51, 29)).toEqual(green); // ... an arm of the X
    expect(canvas.get(20, 30)).toEqual(green); // solid edge 0-1
    // The edge to the invisible point is dashed: some pixels along it are left out.
    const row = Array.from({ length: 12 }, (_, k) => canvas.get(36 + k, 30));
    expect(row.some((p) => p.join() === green.join())).toBe(true);
    expect(row.some((p) => p.join() === NEUTRAL.join())).toBe(true);
  });

  it("draws a polyline through its vertices and writes the class name (not the raw name) on a tab", () => {
    const { canvas } = renderItem({ width: 60, height: 40, categories: CATS, objects: [obj(1, { kind: "polyline", points: [5, 35, 55, 35] }, "polyline")] });
    expect(canvas.get(30, 35)).toEqual(BLUE);
    // Tab above the line's top-left (5, 35): "hole" in white on blue, 4 glyphs + padding.
    const tab: Rgb[] = [];
    for (let x = 5; x < 5 + textWidth("hole") + 2; x++) for (let y = 26; y < 35; y++) tab.push(canvas.get(x, y));
    expect(tab.filter((p) => p.join() === "255,255,255").length).toBeGreaterThan(20);
    expect(tab.every((p) => p.join() === "255,255,255" || p.join() === BLUE.join())).toBe(true);
  });

  it("notes what reaches outside (drawn clipped) and skips what cannot be drawn", () => {
    const { canvas, objects } = renderItem({
      width: 60,
      height: 40,
      categories: CATS,
      objects: [
        obj(0, { kind: "box", x: 50, y: 10, w: 30, h: 10 }),
        obj(0, { kind: "box", x: 100, y: 10, w: 5, h: 5 }),
        obj(0, { kind: "box", x: NaN, y: 10, w: 5, h: 5 }),
        obj(0, { kind: "polygon", polygons: [[[1e12, -1e12, 2e12, 5, -3e12, 30]]] }, "polygon"),
      ],
    });
    expect(objects.map((o) => o.drawn)).toEqual([true, false, false, true]);
    expect(objects[0]?.notes).toEqual([{ outcome: "approximated", code: "clipped", what: "bounding_box", reason: "reaches outside the image; drawn clipped" }]);
    expect(objects[1]?.notes[0]).toMatchObject({ code: "outside", reason: "lies wholly outside the image" });
    expect(objects[2]?.notes[0]).toMatchObject({ code: "not-finite", reason: "coordinates are not finite numbers" });
    expect(canvas.get(50, 15)).toEqual(RED);
  });

  it("scales a frame down for a thumbnail, shapes with it", () => {
    const { canvas } = renderItem({ width: 600, height: 400, scale: 0.1, categories: CATS, objects: [obj(0, { kind: "box", x: 100, y: 200, w: 300, h: 150 })] });
    expect([canvas.width, canvas.height]).toEqual([60, 40]);
    expect(canvas.get(40, 27)).toEqual(RED);
  });

  it("enlarges a small frame for a thumbnail, a bitmask pixel becoming a block", () => {
    // 4x3 frame, pixel (1, 1) set; drawn 10x larger.
    const mask: MaskRuns = { width: 4, height: 3, left: 0, top: 0, counts: Uint32Array.from([5, 1, 6]) };
    const { canvas } = renderItem({ width: 4, height: 3, scale: 10, categories: CATS, objects: [obj(0, { kind: "mask", mask }, "bitmask")] });
    expect([canvas.width, canvas.height]).toEqual([40, 30]);
    for (const [x, y] of [[10, 12], [19, 19], [15, 15]]) expect(canvas.get(x as number, y as number), `${x},${y}`).toEqual(over(RED, 110));
    expect(canvas.get(20, 15)).toEqual(NEUTRAL);
    expect(canvas.get(15, 20)).toEqual(NEUTRAL);
  });

  it("draws the image under the shapes", () => {
    const img = { width: 4, height: 2, channels: 3 as const, data: new Uint8Array(4 * 2 * 3).fill(10) };
    const { canvas } = renderItem({ width: 4, height: 2, categories: CATS, objects: [], image: img });
    expect(canvas.get(3, 1)).toEqual([10, 10, 10]);
  });
});

describe("canvas and image helpers", () => {
  it("resamples by area averaging and composites alpha over the background", () => {
    const c = new Canvas(1, 1);
    drawImage(c, { width: 2, height: 2, channels: 3, data: Uint8Array.from([0, 0, 0, 100, 100, 100, 200, 200, 200, 100, 100, 100]) }, [0, 0, 0]);
    expect(c.get(0, 0)).toEqual([100, 100, 100]);
    const d = new Canvas(2, 1);
    drawImage(d, { width: 1, height: 1, channels: 4, data: Uint8Array.from([255, 0, 0, 0]) }, [9, 8, 7]);
    expect(d.get(1, 0)).toEqual([9, 8, 7]); // fully transparent: the background; enlarged: repeated
  });

  it("turns images upright by every EXIF orientation", () => {
    // 3x2 image, pixel value = 10*y + x + 1 (one channel repeated).
    const px = (w: number, h: number, f: (x: number, y: number) => number): Uint8Array => {
      const d = new Uint8Array(w * h * 3);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d.fill(f(x, y), (y * w + x) * 3, (y * w + x) * 3 + 3);
      return d;
    };
    const img = { width: 3, height: 2, channels: 3 as const, data: px(3, 2, (x, y) => 10 * y + x + 1) };
    const at = (o: number): number[][] => {
      const r = applyOrientation(img, o);
      const rows: number[][] = [];
      for (let y = 0; y < r.height; y++) rows.push(Array.from({ length: r.width }, (_, x) => r.data[(y * r.width + x) * 3] as number));
      return rows;
    };
    expect(at(1)).toEqual([[1, 2, 3], [11, 12, 13]]);
    expect(at(2)).toEqual([[3, 2, 1], [13, 12, 11]]);
    expect(at(3)).toEqual([[13, 12, 11], [3, 2, 1]]);
    expect(at(4)).toEqual([[11, 12, 13], [1, 2, 3]]);
    expect(at(5)).toEqual([[1, 11], [2, 12], [3, 13]]);
    expect(at(6)).toEqual([[11, 1], [12, 2], [13, 3]]); // turned 90° clockwise
    expect(at(7)).toEqual([[13, 3], [12, 2], [11, 1]]);
    expect(at(8)).toEqual([[3, 13], [2, 12], [1, 11]]); // turned 90° counter-clockwise
  });

  it("decodes PNG and JPEG, names other formats and refuses one over --max-pixels before decoding", () => {
    const png = PNG.sync.write(Object.assign(new PNG({ width: 3, height: 2 }), { data: Buffer.alloc(24, 200) }));
    const d = decodeImage(png, 100);
    expect("image" in d && [d.image.width, d.image.height, d.image.channels]).toEqual([3, 2, 4]);
    const jpg = jpeg.encode({ width: 16, height: 8, data: Buffer.alloc(16 * 8 * 4, 128) }, 90).data;
    const j = decodeImage(jpg, 1000);
    expect("image" in j && [j.image.width, j.image.height, j.image.channels]).toEqual([16, 8, 3]);
    expect(decodeImage(png, 5)).toEqual({ problem: "the image is 3x2 = 6 pixels, over the limit of 5 (--max-pixels)" });
    expect("problem" in decodeImage(jpg, 100)).toBe(true);
    expect(sniffFormat(Buffer.from("RIFF\0\0\0\0WEBPVP8 "))).toBe("webp");
    expect(decodeImage(Buffer.from("GIF89a......"), 100)).toEqual({ problem: "gif images cannot be decoded here (PNG and JPEG only)" });
    expect("problem" in decodeImage(Buffer.concat([png.subarray(0, 40)]), 100)).toBe(true);
  });

  it("encodes RGB PNGs that decode to the same pixels", () => {
    const c = new Canvas(5, 3, [1, 2, 3]);
    c.set(4, 2, [250, 0, 9]);
    const back = PNG.sync.read(encodeRgb8(c.width, c.height, c.data));
    expect([back.width, back.height]).toEqual([5, 3]);
    expect([...back.data.subarray((2 * 5 + 4) * 4, (2 * 5 + 4) * 4 + 4)]).toEqual([250, 0, 9, 255]);
    expect([...back.data.subarray(0, 4)]).toEqual([1, 2, 3, 255]);
  });
});

describe("font", () => {
  it("has a glyph for every printable ASCII character and a box for anything else", () => {
    for (let c = 32; c <= 126; c++) expect(glyphRows(c)).toHaveLength(7);
    expect(glyphRows(32)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(glyphRows(0x4e2d)).toEqual([31, 17, 17, 17, 17, 17, 31]); // 中
    expect(glyphRows("I".charCodeAt(0))).toEqual([14, 4, 4, 4, 4, 4, 14]);
    // Distinct glyphs for distinct characters.
    const seen = new Set<string>();
    for (let c = 33; c <= 126; c++) seen.add(glyphRows(c).join(","));
    expect(seen.size).toBe(94);
  });

  it("measures, draws and cuts text", () => {
    expect(textWidth("ab")).toBe(11);
    expect(textWidth("ab", 2)).toBe(22);
    expect(textWidth("é")).toBe(5); // one code point after NFC
    const c = new Canvas(12, 7, [0, 0, 0]);
    drawText(c, 0, 0, "\u00e9\u4e2d", [255, 255, 255]);
    expect(c.get(0, 0)).toEqual([255, 255, 255]);
    expect(c.get(2, 3)).toEqual([0, 0, 0]); // hollow box
    expect(c.get(6, 6)).toEqual([255, 255, 255]);
    expect(fitText("a long class name", 40)).toBe("a l...");
    expect(fitText("short", 40)).toBe("short");
  });
});

describe("sampling and sheets", () => {
  it("samples the same items whatever their order, returned in input order", () => {
    const keys = Array.from({ length: 200 }, (_, i) => `item-${i}`);
    const pick = (order: string[], seed: number): string[] => {
      const s = new Sampler<string>(10, seed);
      for (const k of order) s.offer(k, k);
      return s.values();
    };
    const a = pick(keys, 7);
    expect(a).toHaveLength(10);
    expect(new Set(pick([...keys].reverse(), 7))).toEqual(new Set(a));
    expect(a).toEqual([...a].sort((x, y) => Number(x.split("-")[1]) - Number(y.split("-")[1])));
    expect(pick(keys, 8)).not.toEqual(a);
    expect(pick(keys.slice(0, 5), 1)).toHaveLength(5);
  });

  it("lays thumbnails out in a grid of the rows in use", () => {
    expect(parseSheetSpec("4x3")).toEqual({ cols: 4, rows: 3 });
    expect(parseSheetSpec("0x3")).toBeUndefined();
    expect(parseSheetSpec("four")).toBeUndefined();
    expect(thumbnailScale(1000, 500, 100)).toBe(0.1);
    expect(thumbnailScale(50, 20, 100)).toBe(2);
    const sheet = new ContactSheet({ cols: 2, rows: 2, cell: 20 });
    for (let k = 0; k < 3; k++) sheet.add(new Canvas(20, 10, [255, 0, 0]), `n${k}`);
    expect(sheet.full).toBe(false);
    const c = sheet.take();
    // 2 columns of (20 + 6) + 6; 2 rows of (20 + 13 + 6) + 6.
    expect([c.width, c.height]).toEqual([58, 84]);
    expect(c.get(6, 6 + 15)).toEqual([255, 0, 0]); // first thumb, at the bottom of its square
    expect(c.get(6, 6 + 5)).toEqual([40, 40, 40]);
    expect(sheet.size).toBe(0);
  });
});
