import { describe, expect, it } from "vitest";
import { InputError } from "../src/model.js";
import { loadOntology } from "../src/encord/ontology.js";
import { ontologySeeds } from "../src/encord/seeds.js";
import { HAVE_FIXTURES, loadFixture } from "./fixtures.js";

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error("expected an InputError");
}

describe.skipIf(!HAVE_FIXTURES)("loadOntology on the SDK ontologies", () => {
  it("coco_exporter_ontology: objects in order, attributes, nested options", () => {
    const o = loadOntology(loadFixture("coco_exporter_ontology.json"));
    expect(o.objects.map((x) => [x.featureHash, x.name, x.shape, x.color])).toEqual([
      ["ImO9dtQh", "box", "bounding_box", "#D33115"],
      ["NBMDpwcd", "rotatable box", "rotatable_bounding_box", "#E27300"],
      ["gr3562OV", "polygon", "polygon", "#16406C"],
      ["SKRR+bNg", "polyline", "polyline", "#FE9200"],
      ["hN0/lF+8", "bitmask", "bitmask", "#FCDC00"],
      ["bhkdPLGR", "keypoint", "point", "#DBDF00"],
      ["68gUGGu7", "skeleton", "skeleton", "#A4DD00"],
    ]);
    expect(o.classifications.map((c) => [c.featureHash, c.name])).toEqual([
      ["R3daKWYA", "radio"],
      ["is0CLEV9", "checklist"],
      ["NW40sdPd", "text"],
    ]);
    expect(o.attributeByHash.get("u+4bIbCR")).toMatchObject({ name: "box radio", type: "radio", dynamic: true, required: true });
    expect(o.attributeByHash.get("E6Wai5ZG")).toMatchObject({ name: "box text", type: "text", dynamic: false });
    expect(o.optionByHash.get("pCZJZTnj")).toMatchObject({ label: "box radio option 0", value: "box_radio_option_0" });
    // Attributes nested under the radio option "radio 1" of the first classification.
    expect(o.attributeByHash.get("MVDBTicG")).toMatchObject({ name: "radio nested radio", type: "radio" });
    expect(o.attributeByHash.get("JE/BiaGw")).toMatchObject({ name: "radio nested checklist", type: "checklist" });
    expect(o.attributeByHash.get("tY6bNKl3")).toMatchObject({ name: "radio nested text", type: "text" });
    expect(o.optionByHash.get("gxCMit/w")?.attributes.map((a) => a.name)).toEqual([
      "radio nested radio",
      "radio nested checklist",
      "radio nested text",
    ]);
    expect(o.optionByHash.get("z29i8QS0")?.label).toBe("opt 0");
    expect(o.skeletons.size).toBe(0);
  });

  it("all_types_ontology: deep nesting, global level, shared attribute hashes", () => {
    const o = loadOntology(loadFixture("all_types_ontology.json"));
    expect(o.objects).toHaveLength(14);
    expect(o.objectByHash.get("MjI2NzEy")?.name).toBe("Box");
    expect(o.objectByHash.get("KVfzNkFy")?.shape).toBe("audio");
    expect(o.classificationByHash.get("globalClassificationTopLevelFeatureHash")).toMatchObject({
      level: "global",
      name: "Global classification",
    });
    // Two levels down: Radio level 1 -> "1 option 2" -> "1 2 radio 1" -> options.
    expect(o.attributeByHash.get("NDYyM9Qx")).toMatchObject({ name: "1 2 radio 1", type: "radio" });
    expect(o.optionByHash.get("MTI49jQy")?.label).toBe("1 2 1 option ");
    expect(o.attributeByHash.get("ODc666Ay")).toMatchObject({ name: "Mood", type: "checklist" });
    // "First name" (OTkxMjU1) appears under two objects; the lookup still answers.
    expect(o.attributeByHash.get("OTkxMjU1")).toMatchObject({ name: "First name", type: "text" });
  });

  it("image_skeleton_ontology: template keypoints in order and edges as index pairs", () => {
    const o = loadOntology(loadFixture("image_skeleton_ontology.json"));
    const t = o.skeletons.get("lwsBaDE5");
    expect(t?.keypoints).toEqual(["point_0", "point_1", "point_2", "point_3"]);
    expect(t?.keypointHashes).toEqual(["A9sGmBca", "UWKgC/Db", "mBt9AAhc", "mBt9AAhd"]);
    expect(t?.edges).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 0],
    ]);
    expect(ontologySeeds(o)).toEqual([
      {
        key: "lwsBaDE5",
        name: "Square",
        shape: "skeleton",
        color: "#D33115",
        keypoints: ["point_0", "point_1", "point_2", "point_3"],
        skeleton: [
          [0, 1],
          [1, 2],
          [2, 3],
          [3, 0],
        ],
      },
    ]);
  });

  it("video and image-group ontologies load; seeds keep only pixel shapes", () => {
    const v = loadOntology(loadFixture("video_4_frames_ontology.json"));
    expect(v.objects[0]).toMatchObject({ featureHash: "249c9370", name: "Epiglottis ", shape: "bounding_box" });
    const g = loadOntology(loadFixture("image_group_ontology.json"));
    expect(g.objects.length).toBeGreaterThan(0);
    const all = loadOntology(loadFixture("all_types_ontology.json"));
    expect(ontologySeeds(all).map((s) => s.shape)).toEqual(["bounding_box", "polygon", "polyline", "point", "bounding_box", "polygon", "skeleton"]);
  });
});

describe("loadOntology validation", () => {
  it("accepts the structure under a `structure` key", () => {
    const o = loadOntology({ structure: { objects: [{ featureNodeHash: "a", name: "A", shape: "polygon" }], classifications: [] } });
    expect(o.objects[0]?.name).toBe("A");
  });

  it("refuses what is not an ontology, naming the place", () => {
    expect(inputError(() => loadOntology([])).message).toMatch(/array.*label export/);
    expect(inputError(() => loadOntology("x")).message).toMatch(/must be a JSON object/);
    expect(inputError(() => loadOntology(null)).message).toMatch(/must be a JSON object/);
    expect(inputError(() => loadOntology({})).message).toMatch(/neither "objects" nor "classifications"/);
    expect(inputError(() => loadOntology({ objects: 5 })).message).toBe("ontology: .objects must be an array, got a number");
    expect(inputError(() => loadOntology({ objects: [null] })).message).toBe("ontology: objects[0] must be an object, got null");
    expect(inputError(() => loadOntology({ objects: [{ name: "A", shape: "polygon" }] })).message).toBe(
      "ontology: objects[0].featureNodeHash must be a non-empty string, got missing",
    );
    expect(inputError(() => loadOntology({ objects: [{ featureNodeHash: "a", shape: "polygon" }] })).message).toMatch(/objects\[0\]\.name/);
    const dup = { featureNodeHash: "a", name: "A", shape: "polygon" };
    expect(inputError(() => loadOntology({ objects: [dup, dup] })).message).toMatch(/used by two objects/);
    expect(
      inputError(() => loadOntology({ objects: [{ ...dup, attributes: [{ name: "x", type: "radio", options: [{ label: "o" }] }] }] })).message,
    ).toMatch(/objects\[0\]\.attributes\[0\]\.featureNodeHash/);
    expect(
      inputError(() =>
        loadOntology({
          objects: [],
          skeleton_templates: [{ template: { feature_node_hash: "s", skeleton: { "0": {} }, skeletonEdges: { "0": { "7": {} } } } }],
        }),
      ).message,
    ).toMatch(/skeleton_templates\[0\]\.template\.skeletonEdges joins "0" to "7"/);
  });

  it("unknown attribute types become 'unknown' rather than failing", () => {
    const o = loadOntology({
      objects: [],
      classifications: [{ featureNodeHash: "c", attributes: [{ featureNodeHash: "t", name: "T", type: "slider" }] }],
    });
    expect(o.attributeByHash.get("t")?.type).toBe("unknown");
  });
});
