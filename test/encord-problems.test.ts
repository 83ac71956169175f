// normaliseRow on small hand-made rows: every shape encoding, and every warning path (the bad part
// is skipped, the rest of the row is kept).
import { describe, expect, it } from "vitest";
import { InputError, type Geometry, type Item, type NormalisedRow } from "../src/model.js";
import { normaliseRow, type NormaliseContext } from "../src/encord/normalise.js";
import { loadOntology } from "../src/encord/ontology.js";
import { encodeRleString, runsTotal } from "../src/geometry/rle.js";

/** The name an item asks for: its title stem and, for a frame, its frame suffix. */
const hint = (i: { nameHint: string; nameSuffix?: string }): string => i.nameHint + (i.nameSuffix ?? "");

type Json = Record<string, unknown>;

const CTX: NormaliseContext = { maxPixels: 1_000_000 };

/** A 100x50 image row holding these objects. */
function imageRow(objects: unknown[], unit: Json = {}, row: Json = {}): Json {
  return {
    label_hash: "L",
    data_hash: "D",
    data_title: "pic.png",
    data_type: "image",
    data_units: {
      U: { data_hash: "U", data_title: "pic.png", data_type: "image/png", data_sequence: 0, width: 100, height: 50, labels: { objects, classifications: [] }, ...unit },
    },
    object_answers: {},
    classification_answers: {},
    object_actions: {},
    ...row,
  };
}

function obj(shape: string | undefined, payload: Json, more: Json = {}): Json {
  return { objectHash: "o1", featureHash: "f1", name: "thing", color: "#123456", ...(shape !== undefined ? { shape } : {}), ...payload, ...more };
}

const GOOD_BOX = obj("bounding_box", { boundingBox: { x: 0.5, y: 0.5, w: 0.1, h: 0.1 } }, { objectHash: "good" });

function run(objects: unknown[], ctx: NormaliseContext = CTX, unit: Json = {}, row: Json = {}): NormalisedRow {
  return normaliseRow(imageRow(objects, unit, row), 3, ctx);
}

function only(row: NormalisedRow): Geometry {
  const item = row.items[0] as Item;
  expect(item.objects).toHaveLength(1);
  return (item.objects[0] as { geometry: Geometry }).geometry;
}

/** The object is skipped with exactly this warning; the good box next to it survives. */
function skipped(bad: Json, code: string, ctx: NormaliseContext = CTX): string {
  const row = run([bad, GOOD_BOX], ctx);
  expect(row.items[0]?.objects.map((o) => o.objectHash)).toEqual(["good"]);
  expect(row.problems.map((p) => p.code)).toEqual([code]);
  const p = row.problems[0];
  expect(p?.severity).toBe("warning");
  expect(p?.where).toEqual({ row: 3, dataHash: "U", frame: 0, objectHash: bad.objectHash });
  expect(p?.message).not.toMatch(/\n/);
  return p?.message ?? "";
}

describe("shape encodings into pixels (100x50 frame)", () => {
  it("bounding box: x,w by the width, y,h by the height; ints accepted; old snake_case key", () => {
    expect(only(run([obj("bounding_box", { boundingBox: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 } })]))).toEqual({ kind: "box", x: 10, y: 10, w: 30, h: 20 });
    expect(only(run([obj("bounding_box", { boundingBox: { x: 0, y: 0, w: 1, h: 1 } })]))).toEqual({ kind: "box", x: 0, y: 0, w: 100, h: 50 });
    expect(only(run([obj("bounding_box", { bounding_box: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 } })]))).toMatchObject({ kind: "box", x: 10 });
    // No `shape`: dispatch on the payload key, as the SDK does.
    expect(only(run([obj(undefined, { boundingBox: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 } })]))).toMatchObject({ kind: "box", w: 30 });
  });

  it("rotatable box keeps the un-rotated pixel box and theta in degrees", () => {
    expect(only(run([obj("rotatable_bounding_box", { rotatableBoundingBox: { x: 0.1, y: 0.2, w: 0.3, h: 0.4, theta: 0 } })]))).toEqual({
      kind: "rotated-box",
      x: 10,
      y: 10,
      w: 30,
      h: 20,
      degrees: 0,
    });
  });

  it("polygon: dict sorted by integer key, list form, closing point dropped, polygons preferred when non-empty", () => {
    const dict = { "10": { x: 0.5, y: 0.5 }, "2": { x: 0.2, y: 0.2 }, "0": { x: 0, y: 0 }, "1": { x: 0.1, y: 0 } };
    expect(only(run([obj("polygon", { polygon: dict })]))).toEqual({ kind: "polygon", polygons: [[[0, 0, 10, 0, 20, 10, 50, 25]]] });
    const list = [
      { x: 0, y: 0 },
      { x: 1, y: 0 },
      { x: 1, y: 1 },
      { x: 0, y: 0 },
    ];
    expect(only(run([obj("polygon", { polygon: list })]))).toEqual({ kind: "polygon", polygons: [[[0, 0, 100, 0, 100, 50]]] });
    expect(only(run([obj("polygon", { polygon: list, polygons: null })]))).toEqual({ kind: "polygon", polygons: [[[0, 0, 100, 0, 100, 50]]] });
    expect(only(run([obj("polygon", { polygon: list, polygons: [] })]))).toEqual({ kind: "polygon", polygons: [[[0, 0, 100, 0, 100, 50]]] });
    const multi = [[[0, 0, 1, 0, 1, 1, 0, 1], [0.2, 0.2, 0.4, 0.2, 0.4, 0.4, 0.2, 0.2]], [[0.5, 0.5, 0.6, 0.5, 0.6, 0.6]]];
    expect(only(run([obj("polygon", { polygon: list, polygons: multi })]))).toEqual({
      kind: "polygon",
      polygons: [[[0, 0, 100, 0, 100, 50, 0, 50], [20, 10, 40, 10, 40, 20]], [[50, 25, 60, 25, 60, 30]]],
    });
  });

  it("polyline (dict and list) and point (key 0, or bare x,y)", () => {
    expect(only(run([obj("polyline", { polyline: { "1": { x: 1, y: 1 }, "0": { x: 0, y: 0 } } })]))).toEqual({ kind: "polyline", points: [0, 0, 100, 50] });
    expect(only(run([obj("polyline", { polyline: [{ x: 0.5, y: 0.5 }] })]))).toEqual({ kind: "polyline", points: [50, 25] });
    expect(only(run([obj("point", { point: { "0": { x: 0.25, y: 0.5 } } })]))).toEqual({ kind: "point", x: 25, y: 25 });
    expect(only(run([obj("point", { point: { x: 0.25, y: 0.5 } })]))).toEqual({ kind: "point", x: 25, y: 25 });
  });

  it("skeleton: both visibility encodings and their precedence", () => {
    const g = only(
      run([
        obj("skeleton", {
          skeleton: {
            "0": { x: 0, y: 0, visible: true, invisible: true },
            "1": { x: 0, y: 0, visible: true, occluded: true },
            "2": { x: 0, y: 0, selfOccluded: true },
            "3": { x: 0, y: 0, visible: false },
            "4": { x: 0, y: 0, visibility: "invisible" },
            "5": { x: 0, y: 0, visibility: "selfOccluded" },
            "6": { x: 0, y: 0, visibility: "occluded", invisible: true },
            "7": { x: 0.1, y: 0.2 },
          },
        }),
      ]),
    );
    expect(g.kind === "skeleton" && g.points.map((p) => p.visibility)).toEqual([0, 1, 1, 2, 0, 1, 0, 2]);
    expect(g.kind === "skeleton" && g.points[7]).toEqual({ x: 10, y: 10, visibility: 2 });
  });

  it("bitmask: row-major runs of its own size; a short string is padded with a warning", () => {
    // 100x50 frame; a mask of 4 ones in row 1 at x 2..5.
    const counts = [102, 4, 4894];
    const full = run([obj("bitmask", { bitmask: { rleString: encodeRleString(counts), top: 0, left: 0, width: 100, height: 50 } })]);
    const g = only(full);
    expect(g.kind === "mask" && [...g.mask.counts]).toEqual(counts);
    expect(full.problems).toEqual([]);
    const short = run([obj("bitmask", { bitmask: { rleString: encodeRleString([102, 4]), top: 0, left: 0, width: 100, height: 50 } })]);
    const s = only(short);
    expect(s.kind === "mask" && [...s.mask.counts]).toEqual(counts);
    expect(s.kind === "mask" && runsTotal(s.mask.counts)).toBe(5000);
    expect(short.problems.map((p) => [p.code, p.message])).toEqual([["rle-short", "rleString covers 106 of 5000 pixels; the rest is taken as empty"]]);
  });

  it("bitmask of another size than the frame: kept with left/top, and a warning", () => {
    const row = run([obj("bitmask", { bitmask: { rleString: encodeRleString([1, 2, 3]), top: 4, left: 7, width: 3, height: 2 } })]);
    const g = only(row);
    expect(g.kind === "mask" && { ...g.mask, counts: [...g.mask.counts] }).toEqual({ width: 3, height: 2, left: 7, top: 4, counts: [1, 2, 3] });
    expect(row.problems.map((p) => p.code)).toEqual(["mask-size-mismatch"]);
    const nosize = run([obj("bitmask", { bitmask: { rleString: encodeRleString([5000]) } })]);
    const n = only(nosize);
    expect(n.kind === "mask" && [n.mask.width, n.mask.height]).toEqual([100, 50]);
    expect(nosize.problems.map((p) => p.code)).toEqual(["mask-size-missing"]);
  });
});

describe("warnings: the bad part is skipped, the rest kept", () => {
  it("non-numeric, NaN, Infinity and missing coordinates", () => {
    expect(skipped(obj("bounding_box", { boundingBox: { x: "0.1", y: 0.2, w: 0.3, h: 0.4 } }), "bad-coordinates")).toBe(
      "bounding_box boundingBox.x is a string, not a finite number; object skipped",
    );
    skipped(obj("bounding_box", { boundingBox: { x: NaN, y: 0.2, w: 0.3, h: 0.4 } }), "bad-coordinates");
    skipped(obj("bounding_box", { boundingBox: { x: 0.1, y: Infinity, w: 0.3, h: 0.4 } }), "bad-coordinates");
    skipped(obj("bounding_box", { boundingBox: { x: 0.1, y: 0.2, w: 0.3 } }), "bad-coordinates");
    skipped(obj("bounding_box", {}), "bad-coordinates");
    skipped(obj("rotatable_bounding_box", { rotatableBoundingBox: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 } }), "bad-coordinates");
    skipped(obj("polygon", { polygon: { "0": { x: 0, y: null } } }), "bad-coordinates");
    skipped(obj("polygon", { polygon: { a: { x: 0, y: 0 } } }), "bad-coordinates");
    skipped(obj("polygon", { polygons: [[[0, 0, 1]]] }), "bad-coordinates");
    skipped(obj("polygon", { polygons: [[[0, 0, "1", 1]]] }), "bad-coordinates");
    skipped(obj("polygon", { polygon: {} }), "empty-shape");
    skipped(obj("polyline", { polyline: "0,0,1,1" }), "bad-coordinates");
    skipped(obj("point", { point: { "0": { x: 1 } } }), "bad-coordinates");
    skipped(obj("skeleton", { skeleton: { "0": { x: 0, y: 0 }, "1": { x: "a", y: 0 } } }), "bad-coordinates");
  });

  it("corrupt rleString: a character outside '0'..'o', runs past width x height", () => {
    expect(skipped(obj("bitmask", { bitmask: { rleString: "12~2", width: 100, height: 50 } }), "bad-rle")).toMatch(/outside '0'\.\.'o'/);
    expect(skipped(obj("bitmask", { bitmask: { rleString: encodeRleString([5000, 1]), width: 100, height: 50 } }), "bad-rle")).toMatch(
      /5001 pixels, more than 5000/,
    );
    skipped(obj("bitmask", { bitmask: { rleString: 42, width: 100, height: 50 } }), "bad-rle");
  });

  it("a mask over maxPixels is refused before decoding", () => {
    const msg = skipped(obj("bitmask", { bitmask: { rleString: "0", width: 100, height: 50 } }), "mask-too-large", { maxPixels: 4999 });
    expect(msg).toMatch(/100x50 = 5000 pixels is over the limit of 4999/);
  });

  it("unknown and 3-D shapes, deleted objects, objects without hashes", () => {
    skipped(obj("blob", { blob: {} }), "unknown-shape");
    skipped(obj(undefined, {}), "unknown-shape");
    skipped(obj("cuboid", { cuboid: {} }), "unsupported-shape");
    skipped(obj("cuboid_2d", {}), "unsupported-shape");
    skipped(obj("audio", { range: [[0, 1]] }), "unsupported-shape");
    skipped(obj("bounding_box", { boundingBox: { x: 0, y: 0, w: 1, h: 1 } }, { isDeleted: true }), "deleted-object");
    const row = run([{ featureHash: "f", shape: "point", point: { "0": { x: 0, y: 0 } } }, obj("point", { point: { "0": { x: 0, y: 0 } } }, { featureHash: 7 }), 5, GOOD_BOX]);
    expect(row.items[0]?.objects.map((o) => o.objectHash)).toEqual(["good"]);
    expect(row.problems.map((p) => p.code)).toEqual(["bad-object", "bad-object", "bad-object"]);
  });

  it("missing or zero sizes skip the unit; unknown data types skip the row", () => {
    for (const unit of [{ width: 0 }, { height: undefined }, { width: "100" }, { width: 10.5 }]) {
      const row = run([GOOD_BOX], CTX, unit);
      expect(row.items).toEqual([]);
      expect(row.problems.map((p) => [p.code, p.where])).toEqual([["missing-size", { row: 3, dataHash: "U", frame: 0 }]]);
    }
    const scene = normaliseRow({ ...imageRow([GOOD_BOX]), data_type: "scene" }, 0, CTX);
    expect(scene.items).toEqual([]);
    expect(scene.problems.map((p) => [p.code, p.message])).toEqual([["unknown-data-type", 'data_type "scene" is not supported; row skipped']]);
    const none = normaliseRow({ data_units: {} }, 0, CTX);
    expect(none.problems.map((p) => p.code)).toEqual(["unknown-data-type"]);
    expect(none.meta).toEqual({ index: 0, labelHash: "", dataHash: "", dataTitle: "", dataType: "", labelStatus: "", branchName: "", datasetHash: "", datasetTitle: "" });
  });

  it("PDF: width/height 0 -> an item of size 0 per page (writers count its objects as skipped); with a size, a sized item", () => {
    const pdf = (w: number, h: number): Json => ({
      data_hash: "P",
      data_title: "doc.pdf",
      data_type: "pdf",
      data_units: { P: { data_hash: "P", data_title: "doc.pdf", data_type: "application/pdf", width: w, height: h, labels: { "2": { objects: [GOOD_BOX], classifications: [] } } } },
    });
    const zero = normaliseRow(pdf(0, 0), 0, CTX);
    expect(zero.items.map((i) => [i.key, hint(i), i.width, i.height, i.source.media, i.objects.map((o) => o.objectHash)])).toEqual([["P:2", "doc_000002", 0, 0, "pdf-page", ["good"]]]);
    expect(zero.problems).toEqual([]);
    const sized = normaliseRow(pdf(200, 100), 0, CTX);
    expect(sized.items.map((i) => [i.key, hint(i), i.ext, i.source.media, i.objects.length])).toEqual([["P:2", "doc_000002", ".png", "pdf-page", 1]]);
  });

  it("bad frame keys and blobs of a video are skipped one by one", () => {
    const row = normaliseRow(
      {
        data_hash: "V",
        data_title: "clip.mp4",
        data_type: "video",
        data_units: { V: { data_hash: "V", width: 100, height: 50, labels: { "3": { objects: [GOOD_BOX] }, x: {}, "4": [], "5": { objects: "none" } } } },
      },
      0,
      CTX,
    );
    expect(row.items.map((i) => [i.key, i.objects.length])).toEqual([
      ["V:3", 1],
      ["V:5", 0],
    ]);
    expect(row.problems.map((p) => [p.code, p.where.frame])).toEqual([
      ["bad-frame", 4],
      ["bad-frame", undefined], // key "x"
      ["bad-frame", 5],
    ]);
  });

  it("item keys stay unique: a repeated data_hash is skipped; extra frames of an image space get a frame suffix", () => {
    const unit = { data_hash: "U", data_title: "a.png", data_sequence: 0, width: 10, height: 10, labels: { objects: [] } };
    const dup = normaliseRow({ data_type: "img_group", data_units: { U: unit, V: { ...unit, data_sequence: 1 } } }, 0, CTX);
    expect(dup.items.map((i) => i.key)).toEqual(["U"]);
    expect(dup.problems.map((p) => [p.code, p.where])).toEqual([["duplicate-item", { row: 0, dataHash: "U", frame: 1 }]]);
    const group = normaliseRow(
      {
        data_type: "group",
        data_units: {},
        spaces: {
          S: { space_type: "image", child_info: { file_name: "s.png" }, width: 10, height: 10, labels: { "0": { objects: [] }, "1": { objects: [] } } },
        },
      },
      0,
      CTX,
    );
    expect(group.items.map((i) => [i.key, hint(i)])).toEqual([
      ["S", "s"],
      ["S:1", "s_000001"],
    ]);
  });

  it("featureHash not in the given ontology: warned once per row, object kept", () => {
    const ontology = loadOntology({ objects: [{ featureNodeHash: "other", name: "Other", shape: "polygon" }] });
    const row = run([GOOD_BOX, { ...GOOD_BOX, objectHash: "good2" }], { ...CTX, ontology });
    expect(row.items[0]?.objects).toHaveLength(2);
    expect(row.problems.map((p) => p.code)).toEqual(["unknown-feature"]);
  });

  it("attribute answers: bad entries warned, ontology types applied, numeric strings kept as numbers", () => {
    const ontology = loadOntology({
      objects: [
        {
          featureNodeHash: "f1",
          name: "Thing",
          shape: "bounding_box",
          attributes: [
            { featureNodeHash: "n", name: "Count", type: "numeric" },
            { featureNodeHash: "t", name: "Note", type: "text" },
            { featureNodeHash: "r", name: "Kind", type: "radio", options: [{ featureNodeHash: "r1", label: "Big", value: "big" }] },
          ],
        },
      ],
    });
    const answers = {
      good: {
        objectHash: "good",
        classifications: [
          { featureHash: "n", name: "count", answers: "12" },
          { featureHash: "t", name: "note", answers: ["x"] },
          { featureHash: "r", name: "kind", answers: [{ featureHash: "r1", name: "kind", value: "big" }, 7] },
          { name: "no hash", answers: "x" },
          { featureHash: "z", answers: { odd: true } },
          "junk",
        ],
      },
    };
    const row = run([{ ...GOOD_BOX, featureHash: "f1" }], { ...CTX, ontology }, {}, { object_answers: answers });
    const o = row.items[0]?.objects[0];
    expect(o?.name).toBe("Thing");
    expect(o?.attributes).toEqual([
      { featureHash: "n", name: "Count", type: "numeric", value: 12, dynamic: false },
      { featureHash: "t", name: "Note", type: "checklist", value: [], dynamic: false },
      { featureHash: "r", name: "Kind", type: "radio", value: [{ featureHash: "r1", name: "Big", value: "big" }], dynamic: false },
    ]);
    expect(row.problems.map((p) => p.code)).toEqual([
      "bad-attribute", // option `x` of Note
      "attribute-type-mismatch",
      "bad-attribute", // option 7 of Kind
      "bad-attribute", // no featureHash
      "bad-attribute", // answers an object
      "bad-attribute", // "junk"
    ]);
    expect(row.problems.every((p) => p.where.objectHash === "good")).toBe(true);
  });

  it("object hashes that are Object.prototype names do not reach the prototype", () => {
    const objs = ["constructor", "toString", "__proto__", "hasOwnProperty"].map((h) => ({ ...GOOD_BOX, objectHash: h }));
    const row = run(objs, CTX, {}, { object_answers: {}, object_actions: {} });
    expect(row.items[0]?.objects.map((o) => [o.objectHash, o.attributes])).toEqual([
      ["constructor", []],
      ["toString", []],
      ["__proto__", []],
      ["hasOwnProperty", []],
    ]);
    expect(row.problems).toEqual([]);
  });

  it("confidence and manualAnnotation default to 1 and true", () => {
    const row = run([GOOD_BOX, { ...GOOD_BOX, objectHash: "g2", confidence: 0.25, manualAnnotation: false }]);
    expect(row.items[0]?.objects.map((o) => [o.confidence, o.manual, o.color, o.name, o.shape])).toEqual([
      [1, true, "#123456", "thing", "bounding_box"],
      [0.25, false, "#123456", "thing", "bounding_box"],
    ]);
  });

  it("image groups: is_image_sequence \"None\" is a group; a missing data_sequence is warned", () => {
    const row = normaliseRow(
      {
        data_type: "img_group",
        is_image_sequence: "None",
        data_units: {
          A: { data_hash: "A", data_title: "a", data_type: "image/png", width: 10, height: 10, labels: {} },
          B: { data_hash: "B", data_title: "b.JPG", data_sequence: "0", width: 10, height: 10 },
        },
      },
      0,
      CTX,
    );
    // A falls back to its position (0); equal frames keep the export order.
    expect(row.items.map((i) => [i.key, i.source.frame, i.source.media, hint(i), i.ext])).toEqual([
      ["A", 0, "group-image", "a", ".png"],
      ["B", 0, "group-image", "b", ".JPG"],
    ]);
    expect(row.problems.map((p) => p.code)).toEqual(["bad-frame"]);
  });
});

describe("rows that cannot be used at all throw InputError with a place", () => {
  it.each([
    [null, "label row is null, not an object"],
    [42, "label row is a number, not an object"],
    ["row", "label row is a string, not an object"],
    [[], "label row is an array, not an object"],
    [{}, "label row has data_units that are missing, not an object of data units"],
    [{ data_hash: "D", data_units: [] }, "label row has data_units that are an array, not an object of data units"],
  ])("%j", (raw, message) => {
    let err: unknown;
    try {
      normaliseRow(raw, 9, CTX);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toBe(message);
    expect((err as InputError).where?.row).toBe(9);
  });
});
