// The raw-row walk of pixel JSON: every shape form, every frame-size rule, rounding, key order,
// and the piecewise JSON emitter. Hand-made rows, hand-computed pixels.
import { describe, expect, it } from "vitest";
import { emitJson, roundTo, RowWalker, type FrameRef, type JsonRecord, type WalkWhere } from "../src/writers/pixel-walk.js";

interface Note {
  code: string;
  what: string;
  reason: string;
  where: WalkWhere;
}

function walker(round?: number): { walk: (raw: unknown) => any; notes: Note[]; masks: { frame: FrameRef; objectHash?: string }[] } {
  const notes: Note[] = [];
  const masks: { frame: FrameRef; objectHash?: string }[] = [];
  const w = new RowWalker(round === undefined ? {} : { round }, {
    unconverted: (code, what, reason, where) => notes.push({ code, what, reason, where }),
    bitmask: (_mask, objectHash, frame) => {
      masks.push(objectHash === undefined ? { frame } : { frame, objectHash });
      return { bbox: [1, 2, 3, 4], area: 5 };
    },
  });
  return { walk: (raw) => w.row(raw), notes, masks };
}

function imageRow(objects: unknown[], size: { width?: unknown; height?: unknown } = { width: 640, height: 480 }): JsonRecord {
  return {
    label_hash: "L",
    data_hash: "row-hash",
    data_type: "image",
    data_units: {
      "unit-1": { data_hash: "unit-1", data_sequence: 0, ...size, labels: { objects, classifications: [] } },
    },
    object_answers: {},
  };
}

const objectsOf = (out: any, unit = "unit-1"): any[] => out.data_units[unit].labels.objects;

describe("pixel walk: shapes on a 640x480 image", () => {
  it("bounding box: x and w times the width, y and h times the height", () => {
    const { walk } = walker();
    const out = walk(imageRow([{ objectHash: "a", shape: "bounding_box", boundingBox: { h: 0.5, w: 0.25, x: 0.1, y: 0.2 } }]));
    // Key order of the payload is kept (h, w, x, y as exported).
    expect(JSON.stringify(objectsOf(out)[0].boundingBox)).toBe('{"h":240,"w":160,"x":64,"y":96}');
  });

  it("legacy snake_case box payloads too", () => {
    const { walk } = walker();
    const out = walk(imageRow([{ objectHash: "a", bounding_box: { x: 0.5, y: 0.5, w: 0.25, h: 0.25 } }]));
    expect(objectsOf(out)[0].bounding_box).toEqual({ x: 320, y: 240, w: 160, h: 120 });
  });

  it("rotatable box: the un-rotated box in pixels, theta untouched", () => {
    const { walk } = walker();
    const rbb = { h: 0.5, w: 0.25, x: 0.1, y: 0.2, theta: 218.2 };
    const out = walk(imageRow([{ objectHash: "r", shape: "rotatable_bounding_box", rotatableBoundingBox: rbb }]));
    expect(objectsOf(out)[0].rotatableBoundingBox).toEqual({ h: 240, w: 160, x: 64, y: 96, theta: 218.2 });
  });

  it("polygon as a dict, as a list, and polygons with a hole and a second part", () => {
    const { walk } = walker();
    const out = walk(
      imageRow([
        { objectHash: "d", shape: "polygon", polygon: { "0": { x: 0.1, y: 0.2 }, "1": { x: 0.25, y: 0.2 }, "2": { x: 0.25, y: 0.5 } } },
        { objectHash: "l", shape: "polygon", polygon: [{ x: 0.5, y: 0.5 }, { x: 1, y: 0.5 }, { x: 1, y: 1 }] },
        {
          objectHash: "p",
          shape: "polygon",
          polygon: { "0": { x: 0, y: 0 }, "1": { x: 0.5, y: 0 }, "2": { x: 0.5, y: 0.5 } },
          polygons: [
            [
              [0, 0, 0.5, 0, 0.5, 0.5, 0, 0.5],
              [0.1, 0.2, 0.25, 0.2, 0.25, 0.5],
            ],
            [[0.75, 0.75, 1, 0.75, 1, 1]],
          ],
        },
      ]),
    );
    const [d, l, p] = objectsOf(out);
    expect(d.polygon).toEqual({ "0": { x: 64, y: 96 }, "1": { x: 160, y: 96 }, "2": { x: 160, y: 240 } });
    expect(l.polygon).toEqual([{ x: 320, y: 240 }, { x: 640, y: 240 }, { x: 640, y: 480 }]);
    expect(p.polygon).toEqual({ "0": { x: 0, y: 0 }, "1": { x: 320, y: 0 }, "2": { x: 320, y: 240 } });
    expect(p.polygons).toEqual([
      [
        [0, 0, 320, 0, 320, 240, 0, 240],
        [64, 96, 160, 96, 160, 240],
      ],
      [[480, 360, 640, 360, 640, 480]],
    ]);
  });

  it("polyline, point and skeleton (other point keys kept)", () => {
    const { walk } = walker();
    const out = walk(
      imageRow([
        { objectHash: "pl", shape: "polyline", polyline: { "0": { x: 0.25, y: 0.5 }, "1": { x: 0.5, y: 0.25 } } },
        { objectHash: "pt", shape: "point", point: { "0": { x: 0.5, y: 0.5 } } },
        {
          objectHash: "sk",
          shape: "skeleton",
          skeleton: {
            "0": { x: 0.25, y: 0.25, name: "head", featureHash: "f0", invisible: true },
            "1": { x: 0.75, y: 0.5, name: "tail", visibility: "occluded" },
          },
        },
      ]),
    );
    const [pl, pt, sk] = objectsOf(out);
    expect(pl.polyline).toEqual({ "0": { x: 160, y: 240 }, "1": { x: 320, y: 120 } });
    expect(pt.point).toEqual({ "0": { x: 320, y: 240 } });
    expect(sk.skeleton).toEqual({
      "0": { x: 160, y: 120, name: "head", featureHash: "f0", invisible: true },
      "1": { x: 480, y: 240, name: "tail", visibility: "occluded" },
    });
  });

  it("3-D points keep z; a bitmask keeps its payload and gains the hook's keys after it", () => {
    const { walk, masks } = walker();
    const bitmask = { rleString: "0:", top: 0, left: 0, width: 5, height: 2 };
    const out = walk(
      imageRow([
        { objectHash: "z", shape: "point", point: { "0": { x: 0.5, y: 0.5, z: 0.3 } } },
        { objectHash: "bm", shape: "bitmask", bitmask },
      ]),
    );
    expect(objectsOf(out)[0].point).toEqual({ "0": { x: 320, y: 240, z: 0.3 } });
    expect(JSON.stringify(objectsOf(out)[1].bitmask)).toBe('{"rleString":"0:","top":0,"left":0,"width":5,"height":2,"bbox":[1,2,3,4],"area":5}');
    expect(masks).toEqual([{ frame: { dataHash: "unit-1", frame: 0, width: 640, height: 480 }, objectHash: "bm" }]);
  });

  it("every other key of the row, unit and object is kept, in order, and the input is not changed", () => {
    const { walk } = walker();
    const raw = imageRow([{ z: 1, objectHash: "a", boundingBox: { x: 0.5, y: 0.5, w: 0.5, h: 0.5 }, a: [1, 2] }]);
    const before = JSON.stringify(raw);
    const out = walk(raw);
    expect(JSON.stringify(raw)).toBe(before);
    expect(Object.keys(out)).toEqual(Object.keys(raw));
    expect(Object.keys(objectsOf(out)[0])).toEqual(["z", "objectHash", "boundingBox", "a"]);
    expect(objectsOf(out)[0].a).toEqual([1, 2]);
  });

  it("cuboids and non-numbers are left as exported and noted", () => {
    const { walk, notes } = walker();
    const out = walk(
      imageRow([
        { objectHash: "c", shape: "cuboid", cuboid: { position: [1, 2, 3] } },
        { objectHash: "s", boundingBox: { x: "0.5", y: 0.5, w: 0.5, h: 0.5 } },
      ]),
    );
    expect(objectsOf(out)[0].cuboid).toEqual({ position: [1, 2, 3] });
    expect(objectsOf(out)[1].boundingBox).toEqual({ x: "0.5", y: 240, w: 320, h: 240 });
    expect(notes.map((n) => n.what)).toEqual(["cuboid object", "coordinate"]);
    expect(notes[1]?.where).toEqual({ dataHash: "unit-1", frame: 0, objectHash: "s" });
  });
});

describe("pixel walk: frame sizes", () => {
  it("an image group: each unit its own size, frame = data_sequence (strings too)", () => {
    const { walk, masks } = walker();
    const raw = {
      data_type: "img_group",
      data_units: {
        a: { data_hash: "a", data_sequence: "1", width: 100, height: 50, labels: { objects: [{ objectHash: "x", boundingBox: { x: 0.5, y: 0.5, w: 0.1, h: 0.2 } }] } },
        b: { data_hash: "b", data_sequence: "0", width: 540, height: 841, labels: { objects: [{ objectHash: "y", bitmask: { rleString: "" } }] } },
      },
    };
    const out = walk(raw);
    expect(out.data_units.a.labels.objects[0].boundingBox).toEqual({ x: 50, y: 25, w: 10, h: 10 });
    expect(masks[0]?.frame).toEqual({ dataHash: "b", frame: 0, width: 540, height: 841 });
  });

  it("a video: frames keyed by number, the unit's size", () => {
    const { walk } = walker();
    const raw = {
      data_type: "video",
      data_units: {
        v: {
          data_hash: "v",
          width: 640,
          height: 480,
          labels: {
            "0": { objects: [{ objectHash: "t", boundingBox: { h: 0.0986, w: 0.0859, x: 0.2964, y: 0.5 } }] },
            "7": { objects: [{ objectHash: "t", boundingBox: { h: 0.5, w: 0.5, x: 0, y: 0 } }] },
          },
        },
      },
    };
    const out = walk(raw);
    // The SDK's golden COCO test: x 0.2964 -> 189.696, w 0.0859 -> 54.976, h 0.0986 -> 47.328 (float noise).
    const b = out.data_units.v.labels["0"].objects[0].boundingBox;
    expect(b.x).toBe(189.696);
    expect(b.w).toBe(54.976);
    expect(b.h).toBe(0.0986 * 480);
    expect(b.h).toBeCloseTo(47.328, 12);
    expect(out.data_units.v.labels["7"].objects[0].boundingBox).toEqual({ h: 240, w: 320, x: 0, y: 0 });
  });

  it("DICOM: a slice's metadata size wins over the unit's", () => {
    const { walk } = walker();
    const box = { x: 0.5, y: 0.5, w: 0.5, h: 0.5 };
    const raw = {
      data_type: "dicom",
      data_units: {
        d: {
          data_hash: "d",
          width: 512,
          height: 512,
          labels: {
            "0": { objects: [{ objectHash: "a", boundingBox: box }], metadata: { width: 256, height: 128 } },
            "1": { objects: [{ objectHash: "b", boundingBox: box }] },
          },
        },
      },
    };
    const out = walk(raw);
    expect(out.data_units.d.labels["0"].objects[0].boundingBox).toEqual({ x: 128, y: 64, w: 128, h: 64 });
    expect(out.data_units.d.labels["1"].objects[0].boundingBox).toEqual({ x: 256, y: 256, w: 256, h: 256 });
    expect(out.data_units.d.labels["0"].metadata).toEqual({ width: 256, height: 128 });
  });

  it("data groups: a space's size, or a medical stack's per-frame size", () => {
    const { walk } = walker();
    const box = { x: 0.5, y: 0.5, w: 0.5, h: 0.5 };
    const raw = {
      data_type: "group",
      data_units: { g: { data_hash: "g", data_type: "group", labels: { objects: [], classifications: [] } } },
      spaces: {
        img: { space_type: "image", width: 100, height: 200, labels: { "0": { objects: [{ objectHash: "a", boundingBox: box }] } } },
        stack: {
          space_type: "medical_stack",
          frames: [
            { width: 100, height: 100 },
            { width: 50, height: 40 },
          ],
          labels: { "1": { objects: [{ objectHash: "b", boundingBox: box }] } },
        },
      },
    };
    const out = walk(raw);
    expect(out.spaces.img.labels["0"].objects[0].boundingBox).toEqual({ x: 50, y: 100, w: 50, h: 100 });
    expect(out.spaces.stack.labels["1"].objects[0].boundingBox).toEqual({ x: 25, y: 20, w: 25, h: 20 });
  });

  it("a frame without a size (PDF) is left normalised, each of its objects noted by its shape", () => {
    const { walk, notes } = walker();
    const raw = {
      data_type: "pdf",
      data_units: { p: { data_hash: "p", width: 0, height: 0, labels: { "3": { objects: [{ objectHash: "a", shape: "bounding_box", boundingBox: { x: 0.5, y: 0.5, w: 0.1, h: 0.1 } }] } } } },
    };
    const out = walk(raw);
    expect(out.data_units.p.labels["3"].objects[0].boundingBox).toEqual({ x: 0.5, y: 0.5, w: 0.1, h: 0.1 });
    expect(notes).toEqual([
      { code: "no-size", what: "bounding_box", reason: "its item (pdf frame) has no size in the export; left normalised", where: { dataHash: "p", frame: 3, objectHash: "a" } },
    ]);
  });

  it("audio and text rows come back untouched (the very same object)", () => {
    const { walk, notes } = walker();
    const audio = { data_type: "audio", data_units: { a: { labels: {} } }, object_answers: { o: { shape: "audio", range: [[1, 2]] } } };
    const out = walk(audio);
    expect(out).toEqual(audio);
    expect(out.data_units).toBe(audio.data_units);
    expect(out.object_answers).toBe(audio.object_answers);
    expect(notes).toEqual([]);
  });

  it("an unknown data type with objects is noted, not converted", () => {
    const { walk, notes } = walker();
    const raw = { data_type: "scene", data_units: { s: { labels: { "0": { objects: [{ objectHash: "a" }] } } } } };
    expect(walk(raw)).toEqual(raw);
    expect(notes.map((n) => n.what)).toEqual(["scene row"]);
  });
});

describe("rounding", () => {
  it("--round N rounds pixel values half away from zero, never -0", () => {
    expect(roundTo(47.327999999999996, 3)).toBe(47.328);
    expect(roundTo(2.5, 0)).toBe(3);
    expect(roundTo(-2.5, 0)).toBe(-3);
    expect(Object.is(roundTo(-0.0001, 2), 0)).toBe(true);
    expect(roundTo(1.23456, undefined)).toBe(1.23456);
    const { walk } = walker(1);
    const out = walk(imageRow([{ objectHash: "a", boundingBox: { x: 0.123, y: 0.456, w: 0.1, h: 0.2 } }]));
    // 0.123*640 = 78.72 -> 78.7; 0.456*480 = 218.88 -> 218.9; 64; 96
    expect(objectsOf(out)[0].boundingBox).toEqual({ x: 78.7, y: 218.9, w: 64, h: 96 });
  });
});

describe("emitJson", () => {
  const samples: unknown[] = [
    null,
    0,
    -1.5e-7,
    "a\"b\\c\u0001é",
    [],
    {},
    [1, [2, [3, [4, [5, [6]]]]]],
    { a: { b: { c: { d: { e: { f: [1, { g: null }] } } } } }, "": true, "k\n": [false, "x"] },
    { skip: undefined, arr: [undefined, 1], n: 3 },
  ];
  it.each(samples.map((s, i) => [i, s]))("sample %i is byte-identical to JSON.stringify", (_i, value) => {
    for (const depth of [0, 1, 2, 4, 10]) {
      const parts: string[] = [];
      emitJson(value, (p) => parts.push(p), depth);
      expect(parts.join("")).toBe(JSON.stringify(value));
    }
  });

  it("splits a row into pieces no larger than one frame", () => {
    const big = "x".repeat(1000);
    const row = { data_units: { u: { labels: { "0": { objects: [big] }, "1": { objects: [big] } } } } };
    const parts: string[] = [];
    emitJson(row, (p) => parts.push(p), 4);
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThan(1100);
    expect(parts.join("")).toBe(JSON.stringify(row));
  });
});
