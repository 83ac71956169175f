// The command line all later work shares: inspect, exit codes, one-line errors naming the place.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixturePath, HAVE_FIXTURES, SAMPLES } from "./fixtures.js";
import { runCli, tempDir } from "./helpers.js";

const images = join(SAMPLES, "images.json");
const media = join(SAMPLES, "media.json");

function noStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);
  expect(stderr).not.toMatch(/TypeError|ReferenceError|RangeError/);
}

describe("inspect", () => {
  it("--json prints exactly one object with the documented keys and real counts", () => {
    const r = runCli(["inspect", "--json", images, media]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const k of ["rows", "items", "objects", "byDataType", "byShape", "byClass", "problems"]) expect(j).toHaveProperty(k);
    expect(j.rows).toBe(8);
    // street.jpg, 2 group images, empty road, street.jpg #2, 3 video frames, 2 DICOM slices
    expect(j.items).toBe(10);
    expect(j.byDataType).toEqual({ audio: 1, dicom: 1, image: 3, img_group: 1, plain_text: 1, video: 1 });
    expect(j.byShape).toEqual({
      audio: 1, bitmask: 2, bounding_box: 8, point: 1, polygon: 3, polyline: 1, rotatable_bounding_box: 2, skeleton: 1, text: 1,
    });
    expect((j.byClass as Record<string, number>).car).toBe(7);
    expect(j.classifications).toBe(2);
  });

  it("prints a readable table without --json", () => {
    const r = runCli(["inspect", images]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/4 rows, 5 items, 12 objects/);
    expect(r.stdout).toMatch(/bounding_box\s+4/);
  });

  it.skipIf(!HAVE_FIXTURES)("counts Encord's all-shapes fixture", () => {
    const r = runCli(["inspect", "--json", fixturePath("coco_exporter_input_all_shapes.json")]);
    const j = JSON.parse(r.stdout) as { rows: number; items: number; objects: number; byShape: Record<string, number> };
    expect([j.rows, j.items, j.objects]).toEqual([6, 10, 64]);
    expect(j.byShape.bitmask).toBe(9);
  });
});

describe("exit codes and errors", () => {
  const dir = tempDir();

  it("--help and --version exit 0; every command's help has an example", () => {
    expect(runCli(["--help"]).code).toBe(0);
    expect(runCli(["--version"]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    for (const cmd of ["inspect", "coco", "yolo", "voc", "pixel", "masks"]) {
      const r = runCli([cmd, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Example:");
    }
  });

  it("bad usage exits 2", () => {
    expect(runCli(["nosuch"]).code).toBe(2);
    expect(runCli(["coco", images]).code).toBe(2); // no -o
    const r = runCli(["yolo", images, "-o", join(dir, "y"), "--task", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--task <task>.*unknown value "nope"/);
  });

  it("a missing file exits 1 with a one-line message", () => {
    const r = runCli(["inspect", join(dir, "missing.json")]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/missing\.json/);
  });

  const bad: [string, string, RegExp][] = [
    ["truncated", '[{"data_hash": "a", "data_units": {}}, {"data_hash": "b", "data_uni', /truncated/],
    ["not json", "[{,}]", /row 0/],
    ["top level string", '"hello"', /top level/],
    ["row not an object", '[{"data_units": {}}, 42]', /row 1/],
    ["no data_units", '[{"data_hash": "dh-1", "label_hash": "l"}]', /row 0.*dh-1|dh-1.*row 0|row 0/],
  ];
  for (const [name, text, pattern] of bad) {
    it(`bad input (${name}) exits 1 with a one-line error and no stack trace`, () => {
      const f = join(dir, `${name.replace(/ /g, "_")}.json`);
      writeFileSync(f, text);
      for (const args of [["inspect", f], ["coco", f, "-o", join(dir, `out-${name.replace(/ /g, "_")}`)]]) {
        const r = runCli(args);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(pattern);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        noStack(r.stderr);
      }
    });
  }

  it("a corrupt rleString and NaN coordinates are counted warnings naming the place, not crashes", () => {
    const row = {
      data_hash: "dh-bad", label_hash: "lh", data_title: "x.jpg", data_type: "image", label_status: "LABELLED",
      data_units: {
        "du-1": {
          data_hash: "du-1", data_title: "x.jpg", data_type: "image/jpeg", data_sequence: 0, width: 4, height: 3,
          labels: {
            objects: [
              { objectHash: "objMask1", featureHash: "f1", name: "m", shape: "bitmask", bitmask: { rleString: "12~", width: 4, height: 3, top: 0, left: 0 } },
              { objectHash: "objBox01", featureHash: "f2", name: "b", shape: "bounding_box", boundingBox: { x: "NaN", y: 0, w: 1, h: 1 } },
              { objectHash: "objBox02", featureHash: "f2", name: "b", shape: "bounding_box", boundingBox: { x: 0, y: 0, w: 0.5, h: 0.5 } },
            ],
            classifications: [],
          },
        },
      },
      object_answers: {}, object_actions: {}, classification_answers: {},
    };
    const f = join(dir, "warn.json");
    writeFileSync(f, JSON.stringify([row]));
    const r = runCli(["inspect", "--json", f]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { objects: number; problems: { warnings: number; list: string[] } };
    expect(j.objects).toBe(1);
    expect(j.problems.warnings).toBe(2);
    expect(j.problems.list.join("\n")).toMatch(/row 0, data du-1, frame 0, object objMask1/);
    expect(j.problems.list.join("\n")).toMatch(/object objBox01/);
    const strict = runCli(["coco", f, "-o", join(dir, "strict-out"), "--strict", "-q"]);
    expect(strict.code).toBe(3);
  });
});
