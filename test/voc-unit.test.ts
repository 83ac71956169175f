// VOC writer, pure parts: escaping, boxes (hand-computed integers), flags, names, labelmap, and
// segmentation maps (hand-counted pixels, overlap order, void border, the 254 limit).
import { describe, expect, it } from "vitest";
import type { Category, Geometry } from "../src/model.js";
import { maskToRuns } from "../src/geometry/rle.js";
import {
  annotationXml,
  escapeXml,
  formatCoord,
  hasNonXmlChars,
  shapeNodes,
  splitFlags,
  truthValue,
  vocBoxOf,
  renderXml,
} from "../src/writers/voc-xml.js";
import { seededRandom } from "./fixtures.js";
import { VocClasses, classListStems, cleanClassName, isPortableFileName, labelmapText, parseHexColour } from "../src/writers/voc-names.js";
import { MAX_INDEX, VOID, segmentationMaps } from "../src/writers/voc-seg.js";
import { inSet, presenceLine } from "../src/writers/voc.js";

const box = (x: number, y: number, w: number, h: number): Geometry => ({ kind: "box", x, y, w, h });

function cat(index: number, name: string, shape = "bounding_box", color?: string): Category {
  return { index, key: `fh${index}`, name, shape, ...(color ? { color } : {}) };
}

describe("escapeXml", () => {
  it("escapes markup, keeps unicode, turns CR into a reference and non-XML characters into U+FFFD", () => {
    expect(escapeXml(`a & b <c> "d" 'e'`)).toBe(`a &amp; b &lt;c&gt; "d" 'e'`);
    expect(escapeXml("straße 日本 🚗")).toBe("straße 日本 🚗");
    expect(escapeXml("a\r\nb\tc")).toBe("a&#13;\nb\tc");
    expect(escapeXml("x\u0001y\u0000z")).toBe("x\uFFFDy\uFFFDz");
    expect(escapeXml("lone \uD800 high")).toBe("lone \uFFFD high");
    expect(hasNonXmlChars("fine 🚗")).toBe(false);
    expect(hasNonXmlChars("bell\u0007")).toBe(true);
  });

  it("renders an element tree with tabs, one element per line", () => {
    expect(renderXml({ tag: "a", children: [{ tag: "b", text: "1<2" }, { tag: "c", children: [] }] })).toBe(
      "<a>\n\t<b>1&lt;2</b>\n\t<c></c>\n</a>\n",
    );
  });

  it("formats extra coordinates with at most 6 decimals, without float noise or -0", () => {
    expect(formatCoord(0.29 * 100)).toBe("29");
    expect(formatCoord(348.28718707889796)).toBe("348.287187");
    expect(formatCoord(-0)).toBe("0");
    expect(formatCoord(-1e-9)).toBe("0");
    expect(formatCoord(12.5)).toBe("12.5");
  });

  // The definitions formatCoord and escapeXml must keep, written out slowly: the fast paths give the same text.
  const slowCoord = (v: number): string => {
    const r = Number(v.toFixed(6));
    return Object.is(r, -0) ? "0" : String(r);
  };
  const slowEscape = (s: string): string =>
    s
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/\r/g, "&#13;");

  it("formatCoord gives String(Number(v.toFixed(6))) (never -0) for 400,000 coordinates of every kind", () => {
    const rnd = seededRandom(7);
    const edge = [0, -0, 1e-7, -1e-7, 5e-7, -5e-7, 1.5e-6, 9.9999995e-7, 999999.9999995, 28.999999999999996, 0.1 + 0.2, 1e15, -1e15, 1e15 + 0.5, 1e16 + 2, 1e21, -1e21, 123456789.1234565, NaN, Infinity, -Infinity];
    const values = [...edge];
    for (let i = 0; i < 400_000; i++) {
      const k = i % 8;
      const u = rnd();
      values.push([u * 1920, (Math.round(u * 1e6) / 1e6) * 1080, (u - 0.5) * 1e-5, Math.round(u * 4000) / 2, u * 1e-3, (u - 0.5) * 1e9, (Math.round(u * 1e4) / 1e4) * 1920, -u * 1e-7][k] as number);
    }
    const wrong = values.filter((v) => formatCoord(v) !== slowCoord(v));
    expect(wrong).toEqual([]);
    expect(formatCoord(-1e-7)).toBe("0");
    expect(formatCoord(1e21)).toBe("1e+21");
  });

  it("escapeXml's fast path gives the full replacement's text for strings of every character class", () => {
    const alphabet = ["a", "Z", "7", " ", "&", "<", ">", "\r", "\n", "\t", "\u0000", "\u0007", "\u001F", "\uFFFE", "\uFFFF", "\uD83D\uDE97", "\uD800", "\uDC00", "ß", "日"];
    const rnd = seededRandom(11);
    const wrong: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      let s = "";
      const n = Math.floor(rnd() * 6);
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      if (escapeXml(s) !== slowEscape(s)) wrong.push(s);
      // (the alphabet has no U+FFFD of its own, so one in the escaped text marks a character XML cannot carry)
      if (hasNonXmlChars(s) !== slowEscape(s).includes("\uFFFD")) wrong.push(`non-XML? ${s}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe("vocBoxOf: devkit boxes, hand-computed", () => {
  // A non-square 64×48 image throughout.
  const W = 64;
  const H = 48;

  it("box: xmin = floor(x)+1, xmax = ceil(x+w), the same for y", () => {
    expect(vocBoxOf(box(10.2, 5.5, 20.3, 10), W, H, false)).toEqual({
      ok: true,
      box: { xmin: 11, ymin: 6, xmax: 31, ymax: 16 },
      truncated: false,
      widened: false,
    });
    // Whole-pixel edges: [0,64)×[0,48) is 1..64 × 1..48.
    expect(vocBoxOf(box(0, 0, 64, 48), W, H, false)).toMatchObject({ box: { xmin: 1, ymin: 1, xmax: 64, ymax: 48 }, truncated: false });
  });

  it("a box crossing the right and bottom border is clipped to W and H and truncated", () => {
    expect(vocBoxOf(box(50, 40, 20, 20), W, H, false)).toMatchObject({ box: { xmin: 51, ymin: 41, xmax: 64, ymax: 48 }, truncated: true });
    // Crossing the left/top border: xmin/ymin stay 1.
    expect(vocBoxOf(box(-5.5, -2, 10, 10), W, H, false)).toMatchObject({ box: { xmin: 1, ymin: 1, xmax: 5, ymax: 8 }, truncated: true });
  });

  it("rotated box: the extent of its corners", () => {
    // 10×4 box at (20,20), centre (25,22), 30°: half extents 5cos30+2sin30 = 5.330127 and
    // 5sin30+2cos30 = 4.232051, so x ∈ [19.669873, 30.330127], y ∈ [17.767949, 26.232051].
    const g: Geometry = { kind: "rotated-box", x: 20, y: 20, w: 10, h: 4, degrees: 30 };
    expect(vocBoxOf(g, W, H, false)).toMatchObject({ box: { xmin: 20, ymin: 18, xmax: 31, ymax: 27 }, truncated: false });
    // 90°: width and height swap about the centre: x ∈ [23,27], y ∈ [17,27].
    const g90: Geometry = { kind: "rotated-box", x: 20, y: 20, w: 10, h: 4, degrees: 90 };
    expect(vocBoxOf(g90, W, H, false)).toMatchObject({ box: { xmin: 24, ymin: 18, xmax: 27, ymax: 27 } });
  });

  it("mask: min col + 1 .. max col + 1", () => {
    const bits = new Uint8Array(W * H);
    for (let r = 30; r <= 31; r++) for (let c = 40; c <= 44; c++) bits[r * W + c] = 1;
    const g: Geometry = { kind: "mask", mask: { width: W, height: H, left: 0, top: 0, counts: Uint32Array.from(maskToRuns(bits)) } };
    expect(vocBoxOf(g, W, H, false)).toMatchObject({ box: { xmin: 41, ymin: 31, xmax: 45, ymax: 32 }, truncated: false });
  });

  it("skeleton: the pixels holding the labelled points", () => {
    const g: Geometry = {
      kind: "skeleton",
      points: [
        { x: 5.5, y: 40.2, visibility: 2 },
        { x: 9.9, y: 44, visibility: 1 },
        { x: 60, y: 1, visibility: 0 }, // not labelled: ignored
      ],
    };
    // columns 5..9, rows 40..44 -> 6..10, 41..45
    expect(vocBoxOf(g, W, H, false)).toMatchObject({ box: { xmin: 6, ymin: 41, xmax: 10, ymax: 45 }, widened: false });
  });

  it("a box one pixel wide is widened to two (xmin < xmax), to the left at the right border", () => {
    expect(vocBoxOf(box(3, 20, 1, 5), W, H, false)).toMatchObject({ box: { xmin: 4, ymin: 21, xmax: 5, ymax: 25 }, widened: true });
    expect(vocBoxOf(box(63, 20, 1, 5), W, H, false)).toMatchObject({ box: { xmin: 63, ymin: 21, xmax: 64, ymax: 25 }, widened: true });
  });

  it("--zero-based gives pixel edges: xmin−1, ymin−1, xmax, ymax (no widening needed)", () => {
    expect(vocBoxOf(box(10.2, 5.5, 20.3, 10), W, H, true)).toMatchObject({ box: { xmin: 10, ymin: 5, xmax: 31, ymax: 16 } });
    expect(vocBoxOf(box(3, 20, 1, 5), W, H, true)).toMatchObject({ box: { xmin: 3, ymin: 20, xmax: 4, ymax: 25 }, widened: false });
  });

  it("outside the image or without extent: no box", () => {
    expect(vocBoxOf(box(70, 10, 5, 5), W, H, false)).toEqual({ ok: false, reason: "outside" });
    expect(vocBoxOf(box(64, 10, 5, 5), W, H, false)).toEqual({ ok: false, reason: "outside" });
    expect(vocBoxOf(box(5, 5, 0, 5), W, H, false)).toEqual({ ok: false, reason: "no-extent" });
  });

  it("float noise from normalised × size does not move a box by a pixel", () => {
    // 0.29 * 100 = 28.999999999999996
    expect(vocBoxOf(box(0.29 * 100, 0, 0.1 * 100, 10), 100, 100, false)).toMatchObject({ box: { xmin: 30, xmax: 39 } });
  });
});

describe("flags from attributes (CVAT/Datumaro convention)", () => {
  it("reads yes/no answers; keeps other attributes", () => {
    expect(truthValue("Yes")).toBe(true);
    expect(truthValue(0)).toBe(false);
    expect(truthValue(["x"])).toBe(true);
    expect(truthValue("maybe")).toBeNull();
    const { flags, rest } = splitFlags({ Difficult: "yes", occluded: 1, truncated: "maybe", pose: "Left", colour: "red" });
    expect(flags).toEqual({ pose: "Left", truncated: false, difficult: true, occluded: true });
    expect(rest).toEqual({ truncated: "maybe", colour: "red" });
  });
});

describe("class names and labelmap", () => {
  it("cleans names for a labelmap line", () => {
    expect(cleanClassName(" a:b\tc ")).toBe("a_b_c");
    expect(cleanClassName("Epiglottis ")).toBe("Epiglottis");
    expect(cleanClassName("voiture 🚗")).toBe("voiture 🚗");
  });

  it("makes names unique, in class order, with background reserved", () => {
    const names = new VocClasses();
    const cats = [cat(0, "Bin"), cat(1, "Bin", "polygon"), cat(2, "background"), cat(3, " :: "), cat(4, "Bin")];
    const added = names.extend(cats.slice(0, 2));
    expect(added.map((a) => a.name)).toEqual(["Bin", "Bin (polygon)"]);
    names.extend(cats); // grows later, earlier names unchanged
    expect([0, 1, 2, 3, 4].map((i) => names.name(i))).toEqual(["Bin", "Bin (polygon)", "background (bounding_box)", "__", "Bin (bounding_box)"]);
  });

  it("labelmap.txt: background first, then name:r,g,b:: with the category colour or the VOC colormap", () => {
    const cats = [cat(0, "car", "bounding_box", "#D33115"), cat(1, "sign"), cat(2, "x:y", "polygon", "#abc")];
    const classes = new VocClasses();
    classes.extend(cats);
    expect(labelmapText(classes)).toBe("background:0,0,0::\ncar:211,49,21::\nsign:0,128,0::\nx_y:170,187,204::\n");
    expect(parseHexColour("nope")).toBeNull();
  });

  it("colours are unique per line: a repeated or reserved colour falls back to the VOC colormap", () => {
    const cats = [
      cat(0, "lesion", "polygon", "#0062B1"),
      cat(1, "lesion box", "bounding_box", "#0062B1"), // same colour as line 1: colormap(2) = 0,128,0
      cat(2, "black", "polygon", "#000000"), // background's colour: colormap(3) = 128,128,0
      cat(3, "taken", "polygon", "#008000"), // 0,128,0 is taken by now: colormap(4) = 0,0,128
    ];
    const classes = new VocClasses();
    classes.extend(cats);
    expect(labelmapText(classes)).toBe(
      "background:0,0,0::\nlesion:0,98,177::\nlesion box:0,128,0::\nblack:128,128,0::\ntaken:0,0,128::\n",
    );
    // The SegmentationClass palette carries the same colours at index = line number.
    const p = classes.classPalette();
    expect([p[0], p[1], p[2], p[3], p[4], p[5], p[255]]).toEqual([[0, 0, 0], [0, 98, 177], [0, 128, 0], [128, 128, 0], [0, 0, 128], [128, 0, 128], [224, 224, 192]]);
    expect(p).toHaveLength(256);
  });

  it("class list file names keep the label name when it is a portable file name", () => {
    expect(isPortableFileName("Bin (bitmask)_train")).toBe(true);
    expect(isPortableFileName("a/b_train")).toBe(false);
    expect(isPortableFileName(".hidden_train")).toBe(false);
    expect(isPortableFileName("con")).toBe(false);
    expect(classListStems(["Bin (bitmask)", "a/b", "Car", "car", "x"], ["train", "x_train"])).toEqual([
      ["Bin (bitmask)_train", "Bin (bitmask)_x_train"],
      ["a_b_train", "a_b_x_train"],
      ["Car_train", "Car_x_train"],
      ["car_train_2", "car_x_train_2"], // case-insensitive file systems
      ["x_train_2", "x_x_train"], // "x_train" is a set list's own name
    ]);
  });
});

describe("image sets", () => {
  it("trainval holds train and val; presence lines use the devkit's %2d", () => {
    expect(inSet("trainval", "train")).toBe(true);
    expect(inSet("trainval", "val")).toBe(true);
    expect(inSet("trainval", "test")).toBe(false);
    expect(inSet("test", "test")).toBe(true);
    expect(presenceLine("a", 1)).toBe("a  1\n");
    expect(presenceLine("a", 0)).toBe("a  0\n");
    expect(presenceLine("a", -1)).toBe("a -1\n");
  });
});

describe("extra shape elements", () => {
  it("polygon parts and holes, in order", () => {
    const g: Geometry = { kind: "polygon", polygons: [[[0, 0, 4, 0, 4, 4], [1, 1, 2, 1, 2, 2]], [[10, 10, 12, 10, 12, 12]]] };
    expect(shapeNodes(g).map((n) => n.tag)).toEqual(["polygon", "hole", "polygon"]);
    expect(renderXml(shapeNodes(g)[1] as never)).toBe("<hole>\n\t<x1>1</x1>\n\t<y1>1</y1>\n\t<x2>2</x2>\n\t<y2>1</y2>\n\t<x3>2</x3>\n\t<y3>2</y3>\n</hole>\n");
  });

  it("an annotation with no object still has every VOC element", () => {
    const xml = annotationXml({
      folder: "JPEGImages",
      filename: "a.jpg",
      source: { database: "d", annotation: "Encord", image: "a.jpg", dataHash: "h", frame: 0 },
      width: 5,
      height: 4,
      depth: 3,
      segmented: false,
      objects: [],
      classifications: {},
    });
    expect(xml).toBe(
      "<annotation>\n\t<folder>JPEGImages</folder>\n\t<filename>a.jpg</filename>\n\t<source>\n\t\t<database>d</database>\n\t\t<annotation>Encord</annotation>\n\t\t<image>a.jpg</image>\n\t\t<data_hash>h</data_hash>\n\t\t<frame>0</frame>\n\t</source>\n\t<size>\n\t\t<width>5</width>\n\t\t<height>4</height>\n\t\t<depth>3</depth>\n\t</size>\n\t<segmented>0</segmented>\n</annotation>\n",
    );
  });
});

/** Pixels of a map equal to v, as "c,r", row-major. */
function where(map: Uint8Array, width: number, v: number): string[] {
  const out: string[] = [];
  map.forEach((x, i) => {
    if (x === v) out.push(`${i % width},${Math.floor(i / width)}`);
  });
  return out;
}

describe("segmentation maps", () => {
  it("later objects paint over earlier ones; class = category + 1, instance = XML position", () => {
    // 10×10: A = [0,6)×[0,6) class 1, B = [4,10)×[4,10) class 2.
    const m = segmentationMaps(
      [
        { geometry: box(0, 0, 6, 6), classValue: 1 },
        { geometry: box(4, 4, 6, 6), classValue: 2 },
      ],
      10,
      10,
      false,
    );
    expect(m.objectMap[3 * 10 + 3]).toBe(1);
    expect(m.classMap[3 * 10 + 3]).toBe(1);
    expect(m.objectMap[5 * 10 + 5]).toBe(2); // the overlap goes to the later object
    expect(m.classMap[5 * 10 + 5]).toBe(2);
    expect(where(m.objectMap, 10, 1)).toHaveLength(36 - 4);
    expect(where(m.objectMap, 10, 2)).toHaveLength(36);
    expect(where(m.classMap, 10, 0)).toHaveLength(100 - 32 - 36);
  });

  it("polygons by pixel centres: the triangle (2,2),(8,2),(2,8) holds the 15 pixels with c,r ≥ 2 and c+r ≤ 8", () => {
    const m = segmentationMaps([{ geometry: { kind: "polygon", polygons: [[[2, 2, 8, 2, 2, 8]]] }, classValue: 3 }], 10, 10, false);
    const expected: string[] = [];
    for (let r = 2; r < 10; r++) for (let c = 2; c < 10; c++) if (c + r <= 8) expected.push(`${c},${r}`);
    expect(where(m.classMap, 10, 3)).toEqual(expected);
    expect(expected).toHaveLength(15);
  });

  it("skeletons have no area: listed, nothing painted, instance numbers keep the XML order", () => {
    const m = segmentationMaps(
      [
        { geometry: { kind: "skeleton", points: [{ x: 1, y: 1, visibility: 2 }] }, classValue: 1 },
        { geometry: box(0, 0, 2, 2), classValue: 1 },
      ],
      4,
      4,
      false,
    );
    expect(m.noArea).toEqual([0]);
    expect(where(m.objectMap, 4, 2)).toEqual(["0,0", "1,0", "0,1", "1,1"]);
  });

  it("--void-border: one pixel each side of every boundary becomes 255 in both maps", () => {
    // 8×7 image, box over columns 1..5 and rows 1..4.
    const m = segmentationMaps([{ geometry: box(1, 1, 5, 4), classValue: 1 }], 8, 7, true);
    const voids = where(m.classMap, 8, VOID);
    expect(voids).toEqual(where(m.objectMap, 8, VOID));
    // Void: columns 0..6 × rows 0..5 except the interior columns 2..4 × rows 2..3.
    const expected: string[] = [];
    for (let r = 0; r <= 5; r++) for (let c = 0; c <= 6; c++) if (!(c >= 2 && c <= 4 && r >= 2 && r <= 3)) expected.push(`${c},${r}`);
    expect(voids).toEqual(expected);
    expect(where(m.classMap, 8, 1)).toEqual(["2,2", "3,2", "4,2", "2,3", "3,3", "4,3"]);
    expect(where(m.classMap, 8, 0)).toHaveLength(56 - 36 - 6);
  });

  it("void border also separates two touching objects of one class", () => {
    const m = segmentationMaps(
      [
        { geometry: box(0, 0, 3, 1), classValue: 1 },
        { geometry: box(3, 0, 3, 1), classValue: 1 },
      ],
      6,
      1,
      true,
    );
    expect([...m.classMap]).toEqual([1, 1, 255, 255, 1, 1]);
    expect([...m.objectMap]).toEqual([1, 1, 255, 255, 2, 2]);
  });

  it("after 254 instances, objects go to SegmentationClass only; class values above 254 are not painted", () => {
    // 20×15 = 300 one-pixel boxes, object i at pixel i.
    const objs = Array.from({ length: 300 }, (_, i) => ({ geometry: box(i % 20, Math.floor(i / 20), 1, 1), classValue: 1 + (i % 3) }));
    objs[10] = { geometry: box(10, 0, 1, 1), classValue: MAX_INDEX + 1 };
    const m = segmentationMaps(objs, 20, 15, false);
    expect(m.instanceTooHigh).toEqual(Array.from({ length: 46 }, (_, k) => 254 + k));
    expect(m.classTooHigh).toEqual([10]);
    expect(m.objectMap[253]).toBe(254);
    expect(m.objectMap[254]).toBe(0);
    expect(m.classMap[254]).toBe(1 + (254 % 3));
    expect(m.classMap[299]).toBe(1 + (299 % 3));
    expect(m.classMap[10]).toBe(0);
    expect(m.objectMap[10]).toBe(0);
  });
});
