// normaliseRow against the real Encord SDK label rows, asserting real values (pixels, counts, names).
import { describe, expect, it } from "vitest";
import type { Attribute, Geometry, Item, LabeledObject, NormalisedRow } from "../src/model.js";
import { normaliseRow, type NormaliseContext } from "../src/encord/normalise.js";
import { loadOntology, type Ontology } from "../src/encord/ontology.js";
import { rowRunsBBox, runsArea, runsTotal } from "../src/geometry/rle.js";
import { HAVE_FIXTURES, loadFixture } from "./fixtures.js";

/** The name an item asks for: its title stem and, for a frame, its frame suffix. */
const hint = (i: { nameHint: string; nameSuffix?: string }): string => i.nameHint + (i.nameSuffix ?? "");

type Json = Record<string, any>; // fixtures are edited in memory below

const CTX: NormaliseContext = { maxPixels: 16384 * 16384 };

function rows(name: string): Json[] {
  const d = loadFixture<Json | Json[]>(name);
  return Array.isArray(d) ? d : [d];
}

function norm(name: string, index = 0, ctx: NormaliseContext = CTX): NormalisedRow {
  return normaliseRow(rows(name)[index], index, ctx);
}

function shapeCounts(row: NormalisedRow): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of row.items) for (const o of it.objects) out[o.shape] = (out[o.shape] ?? 0) + 1;
  return out;
}

function objectOf(item: Item | undefined, objectHash: string): LabeledObject {
  const o = item?.objects.find((x) => x.objectHash === objectHash);
  if (!o) throw new Error(`no object ${objectHash}`);
  return o;
}

function geometry<K extends Geometry["kind"]>(o: LabeledObject, kind: K): Extract<Geometry, { kind: K }> {
  expect(o.geometry.kind).toBe(kind);
  return o.geometry as Extract<Geometry, { kind: K }>;
}

function attr(o: { attributes: Attribute[] }, name: string): Attribute | undefined {
  return o.attributes.find((a) => a.name === name);
}

function optionNames(a: Attribute | undefined): string[] {
  return Array.isArray(a?.value) ? a.value.map((o) => o.name) : [];
}

const ontologies = new Map<string, Ontology>();
function ontology(name: string): Ontology {
  let o = ontologies.get(name);
  if (!o) ontologies.set(name, (o = loadOntology(loadFixture(name))));
  return o;
}

describe.skipIf(!HAVE_FIXTURES)("normaliseRow on every SDK fixture", () => {
  const table: [string, number, string, number, Record<string, number>][] = [
    ["image_single.json", 0, "image", 1, { bounding_box: 2, polygon: 1 }],
    ["image_single_classification_no_answer.json", 0, "image", 1, {}],
    ["image_skeleton.json", 0, "image", 1, { skeleton: 1 }],
    ["image_group.json", 0, "img_group", 5, { bounding_box: 3, polygon: 1 }],
    ["image_group_with_reviews.json", 0, "img_group", 5, { bounding_box: 3, polyline: 1 }],
    ["image_group_empty.json", 0, "img_group", 5, {}],
    ["img_group_rotatable_boxes_nonsquare.json", 0, "img_group", 1, { rotatable_bounding_box: 4 }],
    ["video_4_frames.json", 0, "video", 4, { bounding_box: 7, point: 1 }],
    ["video_dynamic_attributes.json", 0, "video", 2, { bounding_box: 4 }],
    ["video_frame_classifications.json", 0, "video", 2, {}],
    ["video_global_classification.json", 0, "video", 0, {}],
    ["video_empty.json", 0, "video", 0, {}],
    ["export_array_video_image_imggroup.json", 0, "video", 24, { bounding_box: 6 }],
    ["export_array_video_image_imggroup.json", 1, "image", 1, { bounding_box: 2 }],
    ["export_array_video_image_imggroup.json", 2, "img_group", 4, {}],
    ["dicom_with_slice_metadata.json", 0, "dicom", 56, { bounding_box: 2 }],
    ["dicom_without_slice_metadata.json", 0, "dicom", 3, { bounding_box: 3 }],
    ...[0, 1, 2, 3, 4].map((i): [string, number, string, number, Record<string, number>] => {
      const n = [1, 2, 2, 3, 1][i] as number;
      const all = { bounding_box: n, rotatable_bounding_box: n, polygon: n, polyline: n, bitmask: n, point: n, skeleton: n };
      return ["coco_exporter_input_all_shapes.json", i, ["dicom", "img_group", "video", "img_group", "image"][i] as string, [2, 2, 2, 2, 1][i] as number, all];
    }),
    ["coco_exporter_input_all_shapes.json", 5, "nifti", 1, { bounding_box: 1 }],
    ["synthetic_image_donut_bitmask_rbb.json", 0, "image", 1, { polygon: 1, bitmask: 1, rotatable_bounding_box: 1 }],
    // The pdf space's page is an item of size 0: its box is counted, and each writer skips it.
    ["data_group_all_modalities.json", 0, "group", 6, { bounding_box: 6 }],
    ["audio_objects.json", 0, "audio", 0, {}],
    ["audio_classifications.json", 0, "audio", 0, {}],
    ["text_plain.json", 0, "plain_text", 0, {}],
    ["text_html.json", 0, "plain_text", 0, {}],
  ];

  it.each(table)("%s row %i (%s): %i items, objects per shape", (name, index, type, items, shapes) => {
    const row = norm(name, index);
    expect(row.meta.dataType).toBe(type);
    expect(row.items).toHaveLength(items);
    expect(shapeCounts(row)).toEqual(shapes);
    expect(row.part).toBe(0);
    expect(row.lastPart).toBe(true);
    expect(row.raw).toBeUndefined();
    for (const it of row.items) {
      expect(it.stem).toBe("");
      for (const o of it.objects) expect(o.category).toBe(-1);
    }
  });

  it("emits no problems for clean fixtures, and the expected ones for the others", () => {
    const expected: Record<string, string[]> = {
      "image_single_classification_no_answer.json": ["unanswered-classification", "unanswered-classification", "unanswered-classification"],
      "data_group_all_modalities.json": ["unsupported-space", "unsupported-space", "unsupported-space"],
      "text_html.json": ["html-range"],
    };
    for (const [name, index] of table.map(([n, i]) => [n, i] as const)) {
      expect(norm(name, index).problems.map((p) => p.code), `${name} row ${index}`).toEqual(expected[name] ?? []);
    }
  });

  it("fills RowMeta and ItemSource; keepRaw keeps the very input object", () => {
    const raw = rows("image_single.json")[0] as Json;
    const row = normaliseRow(raw, 7, { ...CTX, keepRaw: true });
    expect(row.raw).toBe(raw);
    expect(row.meta).toEqual({
      index: 7,
      labelHash: raw.label_hash,
      dataHash: "aaa6bc82-9f89-4545-adbb-f271bf28cf99",
      dataTitle: "rousseau_2.jpg",
      dataType: "image",
      labelStatus: "LABEL_IN_PROGRESS",
      branchName: "main",
      datasetHash: raw.dataset_hash,
      datasetTitle: raw.dataset_title,
    });
    const item = row.items[0] as Item;
    // The unit's own hash, not the row's (they differ in this fixture).
    expect(item.key).toBe("649aba74-365b-45fa-a375-3036ee0eda78");
    expect(hint(item)).toBe("rousseau_2");
    expect(item.ext).toBe(".jpg");
    expect([item.width, item.height]).toEqual([1200, 924]);
    expect(item.source).toEqual({
      row: 7,
      labelHash: raw.label_hash,
      dataHash: "649aba74-365b-45fa-a375-3036ee0eda78",
      rowDataHash: "aaa6bc82-9f89-4545-adbb-f271bf28cf99",
      dataTitle: "rousseau_2.jpg",
      rowTitle: "rousseau_2.jpg",
      dataType: "image",
      media: "image",
      frame: 0,
      // The unit's data_link as exported (a storage path here: the media layer counts it as no link).
      dataLink: "cord-images-dev/lFW59RQ9jcT4vHZeG14m8QWJKug1/649aba74-365b-45fa-a375-3036ee0eda78",
    });
  });

  it("names frames of videos, DICOM and NIfTI by the row title and a 6-digit frame", () => {
    const video = norm("video_4_frames.json");
    expect(video.items.map((i) => [i.key, hint(i), i.ext, i.source.media])).toEqual(
      [0, 1, 2, 3].map((f) => [`cd63592b-a9e4-47d7-8563-aaed75c5afdc:${f}`, `failing_video_new_${String(f).padStart(6, "0")}`, ".jpg", "video-frame"]),
    );
    const nifti = norm("coco_exporter_input_all_shapes.json", 5).items[0] as Item;
    expect([nifti.key, hint(nifti), nifti.ext, nifti.source.media, nifti.source.frame]).toEqual([
      "9cccbe15-4a1b-4374-bddf-8bf270a81b53:127",
      "RIDER-1346917136_20000101-120021_01_chestct_000127",
      ".png",
      "nifti-slice",
      127,
    ]);
    const dicom = norm("dicom_without_slice_metadata.json");
    expect(dicom.items.map((i) => hint(i))).toEqual(["cd53_000086", "cd53_000087", "cd53_000088"]);
    expect(dicom.items.every((i) => i.ext === ".png" && i.source.media === "dicom-slice")).toBe(true);
    const seq = norm("coco_exporter_input_all_shapes.json", 1);
    expect(seq.items.map((i) => [hint(i), i.ext, i.source.media, i.source.frame])).toEqual([
      ["1", ".png", "sequence-frame", 0],
      ["2", ".png", "sequence-frame", 1],
    ]);
    const group = norm("coco_exporter_input_all_shapes.json", 3);
    expect(group.items.map((i) => i.source.media)).toEqual(["group-image", "group-image"]);
  });
});

describe.skipIf(!HAVE_FIXTURES)("pixel geometry", () => {
  it("video_4_frames (640x480): boxes and the point equal the SDK's golden COCO bbox values", () => {
    const row = norm("video_4_frames.json");
    const coco = loadFixture<Json>("video_4_frames_expected_coco.json");
    let checked = 0;
    for (const a of coco.annotations as Json[]) {
      const item = row.items[a.image_id as number];
      expect(item?.source.frame).toBe(a.image_id);
      const o = objectOf(item, a.attributes.encord_track_uuid);
      expect(o.manual).toBe(a.attributes.manual_annotation);
      if (o.shape === "point") {
        const p = geometry(o, "point");
        expect([p.x, p.y]).toEqual([a.bbox[0], a.bbox[1]]);
      } else {
        const b = geometry(o, "box");
        expect([b.x, b.y, b.w, b.h]).toEqual(a.bbox);
      }
      checked++;
    }
    expect(checked).toBe(8);
    // The documented example: x 0.2964 -> 189.696, w 0.0859 -> 54.976 (x and w scale by the width).
    const first = geometry(objectOf(row.items[0], "428fba2b"), "box");
    expect(first.x).toBeCloseTo(189.696, 9);
    expect(first.w).toBeCloseTo(54.976, 9);
    expect(first.h).toBeCloseTo(47.328, 9);
  });

  it("all 9 bitmasks decode (row-major) to the area and bbox of the SDK's golden COCO output", () => {
    const items = rows("coco_exporter_input_all_shapes.json").flatMap((r, i) => normaliseRow(r, i, CTX).items);
    const coco = loadFixture<Json>("coco_exporter_expected_output.json");
    expect(items).toHaveLength((coco.images as Json[]).length);
    let masks = 0;
    for (const a of coco.annotations as Json[]) {
      if (a.iscrowd !== 1 || typeof a.segmentation?.counts !== "string") continue;
      const item = items[a.image_id as number] as Item;
      expect([item.width, item.height]).toEqual([coco.images[a.image_id].width, coco.images[a.image_id].height]);
      const o = objectOf(item, a.attributes.encord_track_uuid);
      if (o.shape !== "bitmask") continue;
      const { mask } = geometry(o, "mask");
      expect([mask.width, mask.height, mask.left, mask.top]).toEqual([item.width, item.height, 0, 0]);
      expect(runsTotal(mask.counts)).toBe(mask.width * mask.height);
      expect(runsArea(mask.counts)).toBe(a.area);
      const bb = rowRunsBBox(mask.counts, mask.width);
      expect(bb && [bb.x, bb.y, bb.w, bb.h]).toEqual(a.bbox);
      masks++;
    }
    expect(masks).toBe(9);
  });

  it("all-shapes boxes, rotatable boxes and skeleton visibilities agree with the golden COCO output", () => {
    const items = rows("coco_exporter_input_all_shapes.json").flatMap((r, i) => normaliseRow(r, i, CTX).items);
    const coco = loadFixture<Json>("coco_exporter_expected_output.json");
    let boxes = 0;
    let skeletons = 0;
    for (const a of coco.annotations as Json[]) {
      const item = items[a.image_id as number] as Item;
      const o = objectOf(item, a.attributes.encord_track_uuid);
      if (o.shape === "bounding_box") {
        const b = geometry(o, "box");
        [b.x, b.y, b.w, b.h].forEach((v, k) => expect(v).toBeCloseTo(a.bbox[k], 9));
        boxes++;
      } else if (o.shape === "rotatable_bounding_box") {
        // Encord's exporter copies the un-rotated box and puts theta in attributes.rotation.
        const b = geometry(o, "rotated-box");
        [b.x, b.y, b.w, b.h].forEach((v, k) => expect(v).toBeCloseTo(a.bbox[k], 9));
        expect(b.degrees).toBe(a.attributes.rotation);
        boxes++;
      } else if (o.shape === "skeleton") {
        const s = geometry(o, "skeleton");
        const kp = a.keypoints as number[];
        expect(s.points.flatMap((p) => [p.x, p.y, p.visibility]).map((v) => Math.round(v * 1e6) / 1e6)).toEqual(
          kp.map((v) => Math.round(v * 1e6) / 1e6),
        );
        skeletons++;
      }
    }
    expect(boxes).toBe(19); // 10 boxes (the NIfTI one too) and 9 rotatable boxes
    expect(skeletons).toBe(9);
  });

  it("skeleton visibility from booleans: invisible 0, occluded 1, none 2, invisible beats visible:false", () => {
    const row = norm("coco_exporter_input_all_shapes.json", 0);
    const s = geometry(objectOf(row.items[0], "g2H23XHg"), "skeleton");
    expect(s.points.map((p) => p.visibility)).toEqual([0, 1, 2, 2, 2, 2, 0]);
    expect(s.points.map((p) => p.name)).toEqual(["point_0", "point_1", "point_2", "point_3", "point_4", "point_5", "point_6"]);
    expect(s.points[0]).toMatchObject({ x: 0.426 * 512, y: 0.6347 * 512, featureHash: "A1LNYvDC" });
  });

  it("skeleton visibility from strings (image_skeleton.json), names from the ontology when the points lack them", () => {
    const raw = rows("image_skeleton.json")[0] as Json;
    const row = normaliseRow(raw, 0, CTX);
    const s = geometry(objectOf(row.items[0], "o7XU+3ux"), "skeleton");
    expect(s.points.map((p) => p.visibility)).toEqual([2, 1, 0, 1]); // visible, occluded, invisible, selfOccluded
    expect(s.points.map((p) => [p.x, p.y])).toEqual([
      [0.3 * 500, 0.3 * 375],
      [0.7 * 500, 0.3 * 375],
      [0.7 * 500, 0.7 * 375],
      [0.3 * 500, 0.7 * 375],
    ]);
    const points = raw.data_units["454da3e3-23c4-46c6-9ed4-100d9af5ba33"].labels.objects[0].skeleton;
    for (const p of Object.values(points) as Json[]) {
      delete p.name;
      delete p.featureHash;
    }
    const named = normaliseRow(raw, 0, { ...CTX, ontology: ontology("image_skeleton_ontology.json") });
    const t = geometry(objectOf(named.items[0], "o7XU+3ux"), "skeleton");
    expect(t.points.map((p) => [p.name, p.featureHash])).toEqual([
      ["point_0", "A9sGmBca"],
      ["point_1", "UWKgC/Db"],
      ["point_2", "mBt9AAhc"],
      ["point_3", "mBt9AAhd"],
    ]);
    expect(named.problems).toEqual([]);
  });

  it("the donut keeps its hole: 2 polygons, the first with 2 rings, in pixels (4x3)", () => {
    const row = norm("synthetic_image_donut_bitmask_rbb.json");
    const item = row.items[0] as Item;
    const poly = geometry(objectOf(item, "donutObj"), "polygon");
    expect(poly.polygons).toHaveLength(2);
    expect(poly.polygons[0]).toHaveLength(2);
    expect(poly.polygons[1]).toHaveLength(1);
    const px = (flat: number[]): number[] => flat.map((v, i) => (i % 2 === 0 ? v * 4 : v * 3));
    expect(poly.polygons[0]?.[0]).toEqual(px([0.3, 0.3, 0.4, 0.28, 0.5, 0.35, 0.52, 0.48, 0.46, 0.6, 0.36, 0.62, 0.26, 0.55, 0.24, 0.42]));
    expect(poly.polygons[0]?.[1]).toEqual(px([0.36, 0.42, 0.43, 0.41, 0.46, 0.48, 0.41, 0.54, 0.34, 0.51]));
    expect(poly.polygons[1]?.[0]).toEqual(px([0.39, 0.46, 0.41, 0.46, 0.42, 0.48, 0.4, 0.5, 0.38, 0.48]));

    const { mask } = geometry(objectOf(item, "maskObj1"), "mask");
    expect([...mask.counts]).toEqual([1, 2, 2, 2, 4, 1]); // rows 0110 / 0110 / 0001
    expect(rowRunsBBox(mask.counts, mask.width)).toEqual({ x: 1, y: 0, w: 3, h: 3 });

    const rb = geometry(objectOf(item, "rbbObj01"), "rotated-box");
    expect(rb.x).toBeCloseTo(0.4, 12);
    expect(rb.y).toBeCloseTo(0.3, 12);
    expect(rb.w).toBeCloseTo(1.4, 12);
    expect(rb.h).toBeCloseTo(1.05, 12);
    expect(rb.degrees).toBe(25);
  });

  it("rotatable boxes on a non-square 540x841 image: x,w by the width, y,h by the height, theta as is", () => {
    const row = norm("img_group_rotatable_boxes_nonsquare.json");
    const item = row.items[0] as Item;
    expect([item.width, item.height, hint(item), item.ext]).toEqual([540, 841, "Hawaiian Pizza", ".jpg"]);
    const boxes = item.objects.map((o) => geometry(o, "rotated-box"));
    const expected = [
      [0.5892 * 540, 0.0581 * 841, 0.1426 * 540, 0.0524 * 841, 218.2],
      [0.5371 * 540, 0.707 * 841, 0.066 * 540, 0.0927 * 841, 0],
      [0.6086 * 540, 0.7079 * 841, 0.0729 * 540, 0.0644 * 841, 0],
      [0.1518 * 540, 0.0641 * 841, 0.1227 * 540, 0.0623 * 841, 349.8],
    ];
    expect(boxes.map((b) => [b.x, b.y, b.w, b.h, b.degrees])).toEqual(expected);
    expect(boxes[0]?.x).toBeCloseTo(318.168, 9);
    expect(boxes[0]?.y).toBeCloseTo(48.8621, 9);
  });

  it("legacy polygon dicts are read in key order; polylines and points in pixels", () => {
    const row = norm("coco_exporter_input_all_shapes.json", 4); // 400x400 image
    const item = row.items[0] as Item;
    const poly = geometry(objectOf(item, "sNRMQRZa"), "polygon");
    expect(poly.polygons).toEqual([[[0.5877, 0.2956, 0.5243, 0.481, 0.5877, 0.5069, 0.63, 0.4364, 0.6511, 0.42].map((v) => v * 400)]]);
    const line = geometry(objectOf(item, "G0HipOAZ"), "polyline");
    const src = rows("coco_exporter_input_all_shapes.json")[4]?.data_units["9cee5450-b2a2-47cb-a9e9-2eb5ec8499dd"].labels.objects.find(
      (o: Json) => o.objectHash === "G0HipOAZ",
    ).polyline as Record<string, { x: number; y: number }>;
    expect(line.points).toEqual(Object.keys(src).flatMap((k) => [(src[k]?.x ?? NaN) * 400, (src[k]?.y ?? NaN) * 400]));
    expect(line.points).toHaveLength(10);
    const coco = loadFixture<Json>("coco_exporter_expected_output.json");
    const pt = (coco.annotations as Json[]).find((a) => a.image_id === 8 && a.attributes.encord_track_uuid === "oOPOjjAI") as Json;
    const p = geometry(objectOf(item, "oOPOjjAI"), "point");
    expect(p.x).toBeCloseTo(pt.keypoints[0], 9);
    expect(p.y).toBeCloseTo(pt.keypoints[1], 9);
  });
});

describe.skipIf(!HAVE_FIXTURES)("attributes", () => {
  it("dynamic attributes take the value at each frame (video_dynamic_attributes.json, no ontology)", () => {
    const row = norm("video_dynamic_attributes.json");
    const [f0, f1] = row.items;
    const a0 = objectOf(f0, "0gCzNuLS");
    const a1 = objectOf(f1, "0gCzNuLS");
    expect(attr(a0, "dynamic text")).toEqual({ featureHash: "5RGh3YIU", name: "dynamic text", type: "text", value: "dynamic text", dynamic: true });
    expect(attr(a1, "dynamic text")?.value).toBe("dynamic text next frame");
    expect(optionNames(attr(a0, "dynamic radio"))).toEqual(["radio 1"]);
    expect(optionNames(attr(a1, "dynamic radio"))).toEqual(["radio 2"]);
    expect(attr(a1, "dynamic radio")?.value).toEqual([{ featureHash: "IwCHSdeL", name: "radio 2", value: "radio_2" }]);
    // Without an ontology a list answer is taken as a checklist.
    expect(attr(a1, "dynamic radio")?.type).toBe("checklist");
    expect(optionNames(attr(a0, "dynamic classification"))).toEqual(["classification 1"]);
    expect(optionNames(attr(a1, "dynamic classification"))).toEqual(["classification 2", "classification 1"]);
    expect(a0.attributes).toHaveLength(3);
    expect(objectOf(f0, "Wpc+TmG+").attributes).toEqual([]);
    expect(objectOf(f1, "Wpc+TmG+").attributes.map((a) => [a.name, optionNames(a)])).toEqual([["radio 2", ["radio 2 2"]]]);
  });

  it("static and dynamic answers with the ontology: names, types, options per frame of an image group", () => {
    const o = ontology("coco_exporter_ontology.json");
    const row = norm("coco_exporter_input_all_shapes.json", 3, { ...CTX, ontology: o });
    expect(row.problems).toEqual([]);
    const [u0, u1] = row.items;
    // One action per ticked option: [0,1] option 0 and [0,0] option 1.
    expect(optionNames(attr(objectOf(u0, "AxVrCSDf"), "polygon checklist"))).toEqual(["polygon checklist option 0", "polygon checklist option 1"]);
    expect(optionNames(attr(objectOf(u1, "AxVrCSDf"), "polygon checklist"))).toEqual(["polygon checklist option 0"]);
    const box = objectOf(u1, "PoCcR6A4");
    expect(attr(box, "box radio")).toEqual({
      featureHash: "u+4bIbCR",
      name: "box radio",
      type: "radio",
      value: [{ featureHash: "pCZJZTnj", name: "box radio option 0", value: "box_radio_option_0" }],
      dynamic: true,
    });
    expect(optionNames(attr(box, "box checklist"))).toEqual(["box checklist option 0", "box checklist option 1"]);
    const dicom = norm("coco_exporter_input_all_shapes.json", 0, { ...CTX, ontology: o });
    const rbb = objectOf(dicom.items[0], "aKjphpff");
    expect(attr(rbb, "rotatable box radio")).toMatchObject({ type: "radio", dynamic: false });
    expect(optionNames(attr(rbb, "rotatable box radio"))).toEqual(["rotatable box radio option 0"]);
    const box0 = objectOf(dicom.items[0], "R7OjJwum");
    expect(attr(box0, "box text")).toEqual({ featureHash: "E6Wai5ZG", name: "box text", type: "text", value: "wfwfwfw", dynamic: false });
    expect(box0.attributes.map((a) => a.name)).toEqual(["box text", "box checklist", "box radio"]);
    // Names and colours come from the ontology.
    expect([box0.name, box0.color, box0.featureHash]).toEqual(["box", "#D33115", "ImO9dtQh"]);
  });

  it("without an ontology, an option named like its attribute is named by its value", () => {
    const row = norm("coco_exporter_input_all_shapes.json", 0);
    const box0 = objectOf(row.items[0], "R7OjJwum");
    // answers[].name is "box radio" (the attribute) there; value is the option.
    expect(attr(box0, "box radio")?.value).toEqual([{ featureHash: "pCZJZTnj", name: "box_radio_option_0", value: "box_radio_option_0" }]);
    expect(attr(box0, "box radio")?.type).toBe("checklist");
  });
});

describe.skipIf(!HAVE_FIXTURES)("classifications", () => {
  it("frame classifications: on both frames, answered from classification_answers", () => {
    const row = norm("video_frame_classifications.json", 0, { ...CTX, ontology: ontology("all_types_ontology.json") });
    expect(row.rowClassifications).toEqual([]);
    for (const item of row.items) {
      expect(item.classifications).toHaveLength(1);
      const c = item.classifications[0];
      expect(c).toMatchObject({ classificationHash: "3AqiIPrF", featureHash: "NzIxNTU1", name: "Radio classification 1", global: false, confidence: 1, manual: true });
      expect(c?.attributes).toEqual([
        {
          featureHash: "MjI5MTA5",
          name: "Radio classification 1",
          type: "radio",
          value: [{ featureHash: "MjUzMTg1", name: "cl 1 option 2", value: "cl_1_option_2" }],
          dynamic: false,
        },
      ]);
    }
  });

  it("placement from classification_answers.range alone (newest SDK: empty frame lists)", () => {
    const raw = rows("video_frame_classifications.json")[0] as Json;
    const labels = raw.data_units["cd57cf5c-2541-4a46-a836-444540ee987a"].labels;
    labels["0"].classifications = [];
    labels["1"].classifications = [];
    labels["5"] = { objects: [], classifications: [] };
    raw.classification_answers["3AqiIPrF"].range = [[1, 5]];
    const row = normaliseRow(raw, 0, CTX);
    expect(row.items.map((i) => [i.source.frame, i.classifications.map((c) => c.classificationHash)])).toEqual([
      [0, []],
      [1, ["3AqiIPrF"]],
      [5, ["3AqiIPrF"]],
    ]);
    expect(row.items[1]?.classifications[0]?.name).toBe("Radio classification 1");
  });

  it("a global classification: in rowClassifications and on every item", () => {
    const raw = rows("video_global_classification.json")[0] as Json;
    let row = normaliseRow(raw, 0, CTX);
    expect(row.items).toEqual([]);
    expect(row.rowClassifications).toHaveLength(1);
    expect(row.rowClassifications[0]).toMatchObject({
      classificationHash: "globalClassificationHash",
      featureHash: "globalClassificationTopLevelFeatureHash",
      name: "Global classification",
      global: true,
    });
    expect(optionNames(row.rowClassifications[0]?.attributes[0])).toEqual(["Global Answer 1"]);
    raw.data_units["cd57cf5c-2541-4a46-a836-444540ee987a"].labels = { "0": { objects: [], classifications: [] }, "1": { objects: [], classifications: [] } };
    row = normaliseRow(raw, 0, CTX);
    expect(row.items.map((i) => i.classifications.map((c) => [c.classificationHash, c.global]))).toEqual([
      [["globalClassificationHash", true]],
      [["globalClassificationHash", true]],
    ]);
  });

  it("old rows: classification_answers without range are placed by frame entries only", () => {
    const row = norm("coco_exporter_input_all_shapes.json", 3);
    expect(row.items.map((i) => i.classifications.map((c) => c.classificationHash))).toEqual([["TweHydj2"], ["gKnYYU/b", "YQLFbbZU", "Xiw5OQsm"]]);
    expect(row.rowClassifications).toEqual([]);
  });

  it("frame classifications of a sparse video: only on the frames that list them", () => {
    const row = norm("export_array_video_image_imggroup.json", 0);
    const withC = row.items.filter((i) => i.classifications.length > 0).map((i) => i.source.frame);
    const raw = rows("export_array_video_image_imggroup.json")[0] as Json;
    const labels = raw.data_units["9b45984a-0046-4389-ba0d-b73b6b35ee82"].labels as Json;
    const listed = Object.keys(labels)
      .filter((k) => labels[k].classifications.length > 0)
      .map(Number);
    expect(withC).toEqual(listed);
    expect(withC.length).toBeGreaterThan(0);
  });

  it("audio and text rows: global classifications of the row, nested answers flattened", () => {
    const row = norm("audio_classifications.json", 0, { ...CTX, ontology: ontology("all_types_ontology.json") });
    expect(row.rowClassifications.map((c) => [c.classificationHash, c.name, c.global])).toEqual([
      ["textClassificationHash", "Text classification", true],
      ["radioClassificationHash", "Radio classification 1", true],
      ["checklistClassificationHash", "Checklist classification", true],
    ]);
    expect(row.rowClassifications[1]?.attributes.map((a) => [a.name, a.type, a.value])).toEqual([
      ["Radio classification 1", "radio", [{ featureHash: "MTcwMjM5", name: "cl 1 option 1", value: "cl_1_option_1" }]],
      ["cl 1 2 text", "text", "Nested Text Answer"],
    ]);
  });
});

describe.skipIf(!HAVE_FIXTURES)("data types", () => {
  it("DICOM: per-slice metadata sizes win over the data unit's; else the unit's", () => {
    const raw = rows("dicom_with_slice_metadata.json")[0] as Json;
    const unit = raw.data_units["708e646c-3d32-419a-b4d0-f1809f08524b"];
    unit.labels["3"].metadata.width = 256;
    unit.labels["3"].metadata.height = 128;
    unit.labels["4"].metadata.width = "wide"; // unusable -> the unit's size
    delete unit.labels["5"].metadata;
    const row = normaliseRow(raw, 0, CTX);
    expect(row.items).toHaveLength(56);
    expect(row.items.map((i) => `${i.width}x${i.height}`).slice(0, 6)).toEqual(["512x512", "512x512", "512x512", "256x128", "512x512", "512x512"]);
    expect(row.problems).toEqual([]);
    expect(norm("dicom_without_slice_metadata.json").items.map((i) => [i.source.frame, i.width, i.height])).toEqual([
      [86, 256, 256],
      [87, 256, 256],
      [88, 256, 256],
    ]);
    // A slice with no size anywhere is skipped with one warning.
    unit.width = 0;
    const unsized = normaliseRow(raw, 0, CTX);
    expect(unsized.items.map((i) => i.source.frame)).toEqual([...Array(56).keys()].filter((f) => f !== 4 && f !== 5));
    expect(unsized.problems.map((p) => p.code)).toEqual(["missing-size"]);
    expect(unsized.problems[0]?.message).toMatch(/^2 slice/);
  });

  it("DICOM boxes use the slice size", () => {
    const raw = rows("dicom_with_slice_metadata.json")[0] as Json;
    const unit = raw.data_units["708e646c-3d32-419a-b4d0-f1809f08524b"];
    unit.labels["0"].metadata.width = 1000;
    unit.labels["0"].metadata.height = 100;
    const row = normaliseRow(raw, 0, CTX);
    const o = row.items[0]?.objects[0] as LabeledObject;
    const src = unit.labels["0"].objects[0].boundingBox;
    expect(geometry(o, "box")).toEqual({ kind: "box", x: src.x * 1000, y: src.y * 100, w: src.w * 1000, h: src.h * 100 });
  });

  it("audio and text rows give RangeObjects and no items", () => {
    const audio = norm("audio_objects.json", 0, { ...CTX, ontology: ontology("all_types_ontology.json") });
    expect(audio.items).toEqual([]);
    expect(audio.rangeObjects.map((r) => [r.objectHash, r.featureHash, r.name, r.shape, r.ranges])).toEqual([
      ["IJVE50rx", "KVfzNkFy", "audio object 1", "audio", [[16884, 23716]]],
      ["JfASSVHt", "bjvtzFgi", "audio object 2", "audio", [[38111, 45455]]],
      ["VDeQk05m", "bjvtzFgi", "audio object 2", "audio", [[2095, 6521]]],
      ["jXAb6rvo", "9dt+r+op", "audio object 3", "audio", [[27338, 34349]]],
      ["mJIIPFG2", "9dt+r+op", "audio object 3", "audio", [[7450, 14194]]],
    ]);
    const text = norm("text_plain.json");
    expect(text.items).toEqual([]);
    expect(text.rangeObjects).toEqual([{ objectHash: "textObjectHash", featureHash: "textFeatureNodeHash", name: "text object", shape: "text", ranges: [[0, 5]], attributes: [] }]);
    const html = norm("text_html.json");
    expect(html.rangeObjects.map((r) => [r.shape, r.ranges])).toEqual([["text", []]]);
    expect(html.problems.map((p) => [p.code, p.where])).toEqual([["html-range", { row: 0, objectHash: "textObjectHash" }]]);
  });

  it("data groups: image-like spaces become items named by their file names, sized by the space", () => {
    const row = norm("data_group_all_modalities.json");
    expect(row.items.map((i) => [i.key, hint(i), i.ext, i.width, i.height, i.source.media, i.source.dataHash, i.source.dataTitle])).toEqual([
      ["video-uuid:0", "video_000000", ".jpg", 100, 100, "space", "video-uuid", "video.mp4"],
      ["image-uuid", "image", ".png", 100, 100, "space", "image-uuid", "image.png"],
      ["image-sequence-uuid:0", "image-sequence_000000", ".jpg", 100, 100, "space", "image-sequence-uuid", "image-sequence.mp4"],
      ["dicom-uuid:0", "left-shoulder_000000", ".png", 100, 200, "space", "dicom-uuid", "left-shoulder.dcm"],
      // A medical stack has no space size: frames[0] gives it.
      ["dicom-stack-uuid:0", "xray-stack_000000", ".png", 100, 100, "space", "dicom-stack-uuid", "xray-stack.dcm"],
      // A pdf space has pages but no pixel size: a page is an item of size 0.
      ["pdf-uuid:0", "document_000000", ".png", 0, 0, "pdf-page", "pdf-uuid", "document.pdf"],
    ]);
    expect(row.items.every((i) => i.source.rowDataHash === "all-modalities-data-hash" && i.source.dataType === "group")).toBe(true);
    const image = row.items[1] as Item;
    expect(geometry(objectOf(image, "image-box-object"), "box")).toEqual({ kind: "box", x: 20, y: 20, w: 20, h: 20 });
    expect(geometry(objectOf(row.items[3], "dicom-box-object"), "box")).toEqual({ kind: "box", x: 10, y: 20, w: 10, h: 20 });
    // Frame entry, the row's global, and the global of this space only.
    expect(image.classifications.map((c) => [c.classificationHash, c.global])).toEqual([
      ["image-classification", false],
      ["global-classification", true],
      ["global-classification-on-image", true],
    ]);
    expect(row.rowClassifications.map((c) => c.classificationHash)).toEqual(["global-classification"]);
    expect(row.problems.map((p) => p.where.dataHash)).toEqual(["text-uuid", "audio-uuid", "html-uuid"]);
  });

  it("sparse video frames are items in numeric frame order, empty-object frames with classifications included", () => {
    const raw = rows("export_array_video_image_imggroup.json")[0] as Json;
    const unit = raw.data_units["9b45984a-0046-4389-ba0d-b73b6b35ee82"];
    const frames = [0, 1, 2, ...Array.from({ length: 21 }, (_, i) => 290 + i)];
    let row = normaliseRow(raw, 0, CTX);
    expect(row.items.map((i) => i.source.frame)).toEqual(frames);
    expect(row.items.map((i) => hint(i)).slice(2, 4)).toEqual(["sample_000002", "sample_000290"]);
    const f290 = row.items[3] as Item;
    expect([f290.objects.length, f290.classifications.length]).toEqual([0, 1]);
    expect([f290.width, f290.height]).toEqual([1280, 720]);
    // Keys that JavaScript does not order for us ("0290" style) are still sorted numerically.
    const shuffled: Json = {};
    for (const k of Object.keys(unit.labels).reverse()) shuffled[k === "1" ? "01" : k] = unit.labels[k];
    unit.labels = shuffled;
    row = normaliseRow(raw, 0, CTX);
    expect(row.items.map((i) => i.source.frame)).toEqual(frames);
  });

  it("image groups: data_sequence strings, items sorted by frame, per-unit sizes", () => {
    const raw = rows("export_array_video_image_imggroup.json")[2] as Json;
    const reversed: Json = {};
    for (const k of Object.keys(raw.data_units).reverse()) reversed[k] = raw.data_units[k];
    raw.data_units = reversed;
    const row = normaliseRow(raw, 2, CTX);
    expect(row.items.map((i) => [i.source.frame, i.width, i.height, hint(i)])).toEqual([
      [0, 376, 304, "Screenshot 2023-03-14 at 11.41.48"],
      [1, 418, 258, "Screenshot 2023-03-14 at 11.41.49"],
      [2, 226, 144, "Screenshot 2023-03-16 at 13.04.51"],
      [3, 252, 294, "Screenshot 2023-03-16 at 13.04.58"],
    ]);
    expect(row.items.every((i) => i.ext === ".png" && i.source.media === "group-image")).toBe(true);
  });
});
