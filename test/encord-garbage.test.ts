// Wrong types at every level of real rows and ontologies: normaliseRow and loadOntology either
// succeed with a well-formed result or throw InputError — never a TypeError or anything else.
import { describe, expect, it } from "vitest";
import { InputError, type Geometry, type NormalisedRow } from "../src/model.js";
import { normaliseRow, type NormaliseContext } from "../src/encord/normalise.js";
import { loadOntology, type Ontology } from "../src/encord/ontology.js";
import { runsTotal } from "../src/geometry/rle.js";
import { HAVE_FIXTURES, loadFixture } from "./fixtures.js";

const GARBAGE: unknown[] = [undefined, null, "x", "", -1, 0, 1.5, NaN, Infinity, true, [], {}, [null], { "0": null }, [[1, "a"]], "constructor"];

/** Calls visit for every property/element of the tree with a setter that returns a restorer. */
function forEachSlot(root: unknown, visit: (path: string, set: (v: unknown) => () => void) => void): void {
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        visit(`${path}[${i}]`, (v) => {
          node[i] = v;
          return () => {
            node[i] = child;
          };
        });
        walk(child, `${path}[${i}]`);
      });
    } else if (typeof node === "object" && node !== null) {
      const rec = node as Record<string, unknown>;
      for (const key of Object.keys(rec)) {
        const child = rec[key];
        const at = `${path}.${key}`;
        visit(at, (v) => {
          if (v === undefined) delete rec[key];
          else rec[key] = v;
          return () => {
            rec[key] = child;
          };
        });
        walk(child, at);
      }
    }
  };
  walk(root, "");
}

function finiteGeometry(g: Geometry): boolean {
  const nums: number[] = [];
  switch (g.kind) {
    case "box":
      nums.push(g.x, g.y, g.w, g.h);
      break;
    case "rotated-box":
      nums.push(g.x, g.y, g.w, g.h, g.degrees);
      break;
    case "polygon":
      nums.push(...g.polygons.flat(2));
      break;
    case "polyline":
      nums.push(...g.points);
      break;
    case "point":
      nums.push(g.x, g.y);
      break;
    case "skeleton":
      for (const p of g.points) nums.push(p.x, p.y, p.visibility);
      break;
    case "mask":
      nums.push(g.mask.left, g.mask.top);
      if (runsTotal(g.mask.counts) !== g.mask.width * g.mask.height) return false;
      break;
  }
  return nums.every((n) => Number.isFinite(n));
}

function must(ok: boolean, what: string): void {
  if (!ok) throw new Error(`invariant broken: ${what}`);
}

/** What every consumer may rely on, whatever the input was. (Plain checks: this runs thousands of times.) */
function checkRow(row: NormalisedRow, index: number): void {
  must(row.meta.index === index, "meta.index");
  for (const item of row.items) {
    // A PDF page has no pixel size: it is an item of size 0 (writers skip it and count its objects).
    const sizeless = item.source.media === "pdf-page" && item.width === 0 && item.height === 0;
    must(sizeless || (Number.isInteger(item.width) && item.width > 0), "item width");
    must(sizeless || (Number.isInteger(item.height) && item.height > 0), "item height");
    must(Number.isInteger(item.source.frame) && item.source.frame >= 0, "item frame");
    must(typeof item.key === "string" && typeof item.nameHint === "string", "item key/nameHint");
    must(item.ext.startsWith("."), "item ext");
    for (const o of item.objects) {
      must(typeof o.objectHash === "string" && o.objectHash !== "", "objectHash");
      must(typeof o.featureHash === "string" && o.featureHash !== "", "featureHash");
      must(finiteGeometry(o.geometry), `finite ${o.geometry.kind}`);
      must(Number.isFinite(o.confidence) && typeof o.manual === "boolean", "confidence/manual");
      for (const a of o.attributes) {
        const ok =
          (a.type === "text" && typeof a.value === "string") ||
          (a.type === "numeric" && typeof a.value === "number") ||
          ((a.type === "radio" || a.type === "checklist") && Array.isArray(a.value));
        must(ok, `attribute ${a.type} value`);
      }
    }
    for (const c of item.classifications) must(typeof c.classificationHash === "string", "classificationHash");
  }
  for (const r of row.rangeObjects) must(r.ranges.every(([s, e]) => Number.isFinite(s) && Number.isFinite(e) && s <= e), "ranges");
  for (const p of row.problems) {
    must(p.severity === "warning", "severity");
    must(/^[a-z0-9-]+$/.test(p.code), "problem code");
    must(!/[\r\n]/.test(p.message), "one-line message");
    must(p.where.row === index, "problem row");
  }
}

function fuzzRow(raw: unknown, ctx: NormaliseContext): { runs: number; thrown: number } {
  let runs = 0;
  let thrown = 0;
  forEachSlot(raw, (path, set) => {
    for (const g of GARBAGE) {
      const restore = set(g);
      try {
        checkRow(normaliseRow(raw, 4, ctx), 4);
      } catch (e) {
        if (!(e instanceof InputError)) {
          throw new Error(`${path} = ${String(g)}: ${(e as Error).stack ?? String(e)}`);
        }
        thrown++;
      } finally {
        restore();
      }
      runs++;
    }
  });
  return { runs, thrown };
}

describe("garbage at the top level", () => {
  it.each([undefined, null, 0, "", "row", true, [], [{}], () => 1])("%s -> InputError", (raw) => {
    expect(() => normaliseRow(raw, 0, { maxPixels: 100 })).toThrow(InputError);
  });

  it("a row object with garbage in every known field still normalises", () => {
    for (const g of GARBAGE) {
      const raw: Record<string, unknown> = { data_units: {} };
      for (const k of ["label_hash", "data_hash", "data_title", "data_type", "label_status", "branch_name", "object_answers", "classification_answers", "object_actions", "spaces", "is_image_sequence"]) {
        raw[k] = g;
      }
      checkRow(normaliseRow(raw, 0, { maxPixels: 100 }), 0);
      for (const type of ["image", "img_group", "video", "dicom", "nifti", "pdf", "audio", "plain_text", "group"]) {
        raw.data_type = type;
        raw.data_units = { u: g, v: { labels: g, width: g, height: g, data_sequence: g } };
        checkRow(normaliseRow(raw, 0, { maxPixels: 100 }), 0);
      }
    }
  });
});

describe.skipIf(!HAVE_FIXTURES)("garbage at every level of real rows", () => {
  const cases: [string, number, string?][] = [
    ["image_single.json", 0, "all_types_ontology.json"],
    ["image_skeleton.json", 0, "image_skeleton_ontology.json"],
    ["synthetic_image_donut_bitmask_rbb.json", 0],
    ["video_4_frames.json", 0],
    ["video_dynamic_attributes.json", 0],
    ["video_frame_classifications.json", 0],
    ["video_global_classification.json", 0],
    ["dicom_without_slice_metadata.json", 0],
    ["img_group_rotatable_boxes_nonsquare.json", 0],
    ["audio_objects.json", 0],
    ["audio_classifications.json", 0],
    ["text_html.json", 0],
    ["data_group_all_modalities.json", 0, "all_types_ontology.json"],
    ["coco_exporter_input_all_shapes.json", 1, "coco_exporter_ontology.json"],
    ["coco_exporter_input_all_shapes.json", 4, "coco_exporter_ontology.json"],
  ];

  it.each(cases)("%s row %i", { timeout: 120_000 }, (name, index, ontologyName) => {
    const d = loadFixture<unknown>(name);
    const raw = Array.isArray(d) ? d[index] : d;
    const ontology: Ontology | undefined = ontologyName ? loadOntology(loadFixture(ontologyName)) : undefined;
    const ctx: NormaliseContext = ontology ? { maxPixels: 1e7, ontology } : { maxPixels: 1e7 };
    const { runs } = fuzzRow(raw, ctx);
    expect(runs).toBeGreaterThan(100);
    // The row is restored after each change: the original still normalises cleanly.
    checkRow(normaliseRow(raw, 4, ctx), 4);
  });

  it.each(["coco_exporter_ontology.json", "all_types_ontology.json", "image_skeleton_ontology.json"])("ontology %s", (name) => {
    const root = loadFixture<unknown>(name);
    let runs = 0;
    forEachSlot(root, (path, set) => {
      for (const g of GARBAGE) {
        const restore = set(g);
        try {
          loadOntology(root);
        } catch (e) {
          if (!(e instanceof InputError)) throw new Error(`${path} = ${String(g)}: ${String(e)}`);
          expect((e as Error).message).toMatch(/^ontology: /);
        } finally {
          restore();
        }
        runs++;
      }
    });
    expect(runs).toBeGreaterThan(100);
  });
});
