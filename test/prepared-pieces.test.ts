// The per-object pieces workers make (writers/prepared.ts) joined with ids and class numbers give the
// bytes each writer makes itself from the whole object.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { normaliseRow } from "../src/encord/normalise.js";
import type { Item, LabeledObject } from "../src/model.js";
import { DEFAULT_JOBS, DEFAULT_MAX_PIXELS } from "../src/options.js";
import { jobsFrom } from "../src/cli/options.js";
import { annotationEntry, cocoPreparer } from "../src/writers/coco.js";
import { cocoShape } from "../src/writers/coco-shapes.js";
import { attributeRecord } from "../src/writers/common.js";
import { prepareRowPieces, stripped } from "../src/writers/prepared.js";
import { objectNode, objectText, renderXml, splitFlags, vocBoxOf } from "../src/writers/voc-xml.js";
import { vocPreparer } from "../src/writers/voc.js";
import { objectLines, quantizer } from "../src/writers/yolo-lines.js";
import { yoloPreparer } from "../src/writers/yolo.js";

const EXPORTS = ["samples/images.json", "../shared/fixtures/encord-sdk/coco_exporter_input_all_shapes.json", "../shared/fixtures/encord-sdk/synthetic_image_donut_bitmask_rbb.json"];

function objects(): { obj: LabeledObject; item: Item }[] {
  const out: { obj: LabeledObject; item: Item }[] = [];
  for (const path of EXPORTS) {
    let rows: unknown;
    try {
      rows = JSON.parse(readFileSync(path, "utf8"));
    } catch {
      continue; // a fixture not present here
    }
    (Array.isArray(rows) ? rows : [rows]).forEach((raw, i) => {
      const row = normaliseRow(raw, i, { maxPixels: DEFAULT_MAX_PIXELS, keepRaw: false });
      for (const item of row.items) if (item.width > 0 && item.height > 0) for (const obj of item.objects) out.push({ obj, item });
    });
  }
  return out;
}

describe("prepared pieces", () => {
  const all = objects();

  it("has objects of every class-free kind to check", () => {
    const kinds = new Set(all.map((o) => o.obj.geometry.kind));
    for (const k of ["box", "polygon", "rotated-box", "mask"]) expect(kinds.has(k as never), k).toBe(true);
  });

  it("COCO: the ids followed by the piece are the annotation's JSON", () => {
    const prepare = cocoPreparer({}, DEFAULT_MAX_PIXELS);
    for (const { obj, item } of all) {
      const p = prepare(obj, item);
      const r = cocoShape(obj.geometry, item, { polylineAs: "skip", maxPixels: DEFAULT_MAX_PIXELS });
      if (!p) {
        expect(["point", "skeleton", "polyline"]).toContain(obj.geometry.kind);
        continue;
      }
      expect(p.notes).toEqual(r.notes);
      if (!r.shape) {
        expect(p.text).toBeUndefined();
        continue;
      }
      const line = JSON.stringify(annotationEntry(obj, r.shape, { id: 12, imageId: 3, categoryId: 7 }));
      expect(`{"id":12,"image_id":3,"category_id":7,${p.text}`).toBe(line);
    }
  });

  it("YOLO: the class followed by each line of the piece are the object's lines; pose has no pieces", () => {
    expect(yoloPreparer({ task: "pose" })).toBeUndefined();
    for (const task of ["detect", "segment", "obb"] as const) {
      const prepare = yoloPreparer({ task, precision: 4 });
      if (!prepare) throw new Error("no preparer");
      for (const { obj, item } of all) {
        const p = prepare(obj, item);
        const want = objectLines(task, 11, obj.geometry, item, quantizer(4), { classPoints: 0, rowPoints: 0 });
        expect(p?.notes).toEqual(want.notes);
        const got = p?.text === undefined ? [] : p.text.split("\n").map((rest) => `11${rest}`);
        expect(got).toEqual(want.lines);
      }
    }
  });

  it("VOC: the name put back into the piece is the rendered <object>", () => {
    const prepare = vocPreparer({});
    for (const { obj, item } of all) {
      const p = prepare(obj, item);
      if (p?.text === undefined) continue;
      const r = vocBoxOf(obj.geometry, item.width, item.height, false);
      if (!r.ok) throw new Error("a piece for an object VOC cannot hold");
      const { flags, rest } = splitFlags(attributeRecord(obj.attributes));
      flags.truncated = flags.truncated || r.truncated;
      const name = "a <class> & more";
      expect(objectText(name, p.text)).toBe(renderXml(objectNode({ name, flags, box: r.box, attributes: rest, geometry: obj.geometry }), 1));
    }
  });

  it("a row's pieces follow its objects in order; stripped geometry keeps its kind", () => {
    const prepare = cocoPreparer({}, DEFAULT_MAX_PIXELS);
    const item = all[0]?.item as Item;
    const row = { meta: {} as never, items: [item], rangeObjects: [], rowClassifications: [], problems: [], part: 0, lastPart: true };
    const pieces = prepareRowPieces(row, prepare);
    expect(pieces.length).toBe(item.objects.length);
    for (const { obj } of all) expect(stripped(obj.geometry).kind).toBe(obj.geometry.kind);
  });
});

describe("jobsFrom", () => {
  it("--jobs as given; 0 (the main thread) by default", () => {
    expect(DEFAULT_JOBS).toBe(0);
    expect(jobsFrom({})).toBe(0);
    expect(jobsFrom({ jobs: "3" })).toBe(3);
  });
});
