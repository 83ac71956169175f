// YOLO end to end through the CLI: every Encord SDK fixture and every sample, with every task,
// converts and passes the independent validator with no error and no warning; reruns are
// byte-identical; --strict exits 3 and keeps nothing; splits, --images and --skip-empty.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { FIXTURES, HAVE_FIXTURES, SAMPLES, isExport, ontologyFor } from "./fixtures.js";
import { haveValidator, runCli, tempDir, validate } from "./helpers.js";

const TASKS = ["detect", "segment", "obb", "pose"] as const;

/** Every file under a folder with its bytes, by relative path. */
function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function expectValid(dir: string, task: string): void {
  if (!haveValidator()) return;
  const v = validate(dir, ["--format", "yolo", "--yolo-task", task]);
  expect(v.stdout, v.stdout + v.stderr).toMatch(/RESULT: PASS \(0 errors, 0 warnings\)/);
  expect(v.code).toBe(0);
}

function yolo(inputs: string[], out: string, extra: string[] = []): { code: number; stderr: string; stdout: string } {
  return runCli(["yolo", ...inputs, "-o", out, "-q", ...extra]);
}

function convertTwice(input: string, work: string, name: string, extra: string[]): void {
  const a = join(work, `${name}-a`);
  const b = join(work, `${name}-b`);
  const first = yolo([input], a, extra);
  expect(first.stderr).toBe("");
  expect(first.code).toBe(0);
  const task = extra[extra.indexOf("--task") + 1] as string;
  expectValid(a, task);
  const second = yolo([input], b, extra);
  expect(second.code, second.stderr).toBe(0);
  expect(snapshot(b)).toEqual(snapshot(a));
}

describe.skipIf(!HAVE_FIXTURES)("YOLO conformance: every Encord SDK fixture, every task", () => {
  const work = tempDir("yolo-conf-");
  const files = HAVE_FIXTURES ? readdirSync(FIXTURES).filter(isExport).sort() : [];
  for (const file of files) {
    for (const task of TASKS) {
      it(`${file} --task ${task}: converts, validates, reruns byte-identical`, () => {
        const ontology = ontologyFor(file);
        convertTwice(join(FIXTURES, file), work, `${file}-${task}`, ["--task", task, ...(ontology ? ["--ontology", ontology] : [])]);
      });
    }
  }
});

describe.skipIf(!HAVE_FIXTURES)("YOLO on the SDK's non-square rotated boxes", () => {
  it("writes the 218.2° and 349.8° boxes of the 540x841 image from their rotated corners", () => {
    // Corners rotated clockwise on screen about the box centre, x / 540 and y / 841, checked against
    // an independent computation from the fixture's normalised x, y, w, h and theta.
    const out = join(tempDir("yolo-rbb-"), "obb");
    expect(yolo([join(FIXTURES, "img_group_rotatable_boxes_nonsquare.json")], out, ["--task", "obb"]).code).toBe(0);
    const [file] = readdirSync(join(out, "labels/train"));
    expect(readFileSync(join(out, "labels/train", file as string), "utf8")).toBe(
      [
        "0 0.691298 0.133201 0.579235 0.076578 0.629702 0.035399 0.741765 0.092022",
        "0 0.537100 0.707000 0.603100 0.707000 0.603100 0.799700 0.537100 0.799700",
        "0 0.608600 0.707900 0.681500 0.707900 0.681500 0.772300 0.608600 0.772300",
        "0 0.144179 0.071568 0.264939 0.057617 0.282121 0.118932 0.161361 0.132883",
        "",
      ].join("\n"),
    );
  });
});

describe("YOLO conformance: the samples, every task", () => {
  const work = tempDir("yolo-samples-");
  const ontology = join(SAMPLES, "ontology.json");
  for (const file of ["images.json", "media.json"]) {
    for (const task of TASKS) {
      it(`${file} --task ${task}: converts, validates, reruns byte-identical`, () => {
        convertTwice(join(SAMPLES, file), work, `${file}-${task}`, ["--task", task, "--ontology", ontology]);
      });
    }
  }
});

describe("YOLO through the CLI", () => {
  const work = tempDir("yolo-cli-");
  const ontology = join(SAMPLES, "ontology.json");
  const images = join(SAMPLES, "images.json");

  it("writes the sample street image's lines exactly (640x480: box crossing the right border, rotated box at 30°)", () => {
    const out = join(work, "street");
    expect(yolo([images], out, ["--ontology", ontology]).code).toBe(0);
    // car (64,96,160,144): centre (144,168)/(640,480). car (576,240,128,120) is cut at x = 640.
    // sign: 64x96 about (352,96) at 30°: half extents 32·cos30 + 48·sin30 = 51.712813 and
    // 32·sin30 + 48·cos30 = 57.569219. building: the extent of both parts, x 0.05..0.5, y 0.05..0.7.
    // road: a mask on rows 360..479, every column. The polyline, point and skeleton are skipped.
    expect(readFileSync(join(out, "labels/train/street.txt"), "utf8")).toBe(
      [
        "0 0.225000 0.350000 0.250000 0.300000",
        "0 0.950000 0.625000 0.100000 0.250000",
        "1 0.550000 0.200000 0.161603 0.239872",
        "2 0.275000 0.375000 0.450000 0.650000",
        "6 0.500000 0.875000 1.000000 0.250000",
        "",
      ].join("\n"),
    );
    // The background image keeps an empty label file.
    expect(readFileSync(join(out, "labels/train/empty_road.txt"), "utf8")).toBe("");
    const yaml = readFileSync(join(out, "data.yaml"), "utf8");
    expect(yaml).toContain("train: images/train\nval: images/train\n");
    const names = readFileSync(join(out, "classes.txt"), "utf8").trimEnd().split("\n");
    expect(yaml).toContain(`nc: ${names.length}\n`);
    names.forEach((n, i) => expect(yaml).toContain(`  ${i}: ${JSON.stringify(n)}\n`));
  });

  it("obb: the rotated sign from its corners, boxes at rotation 0", () => {
    const out = join(work, "street-obb");
    expect(yolo([images], out, ["--ontology", ontology, "--task", "obb"]).code).toBe(0);
    // Sign corners about (352,96), 30°: TL (352 − 27.712813 + 24, 96 − 16 − 41.569219) = (348.287187, 38.430781)...
    const lines = readFileSync(join(out, "labels/train/street.txt"), "utf8").split("\n");
    expect(lines[1]).toBe("0 0.900000 0.500000 1.000000 0.500000 1.000000 0.750000 0.900000 0.750000");
    expect(lines[2]).toBe("1 0.544199 0.080064 0.630801 0.146731 0.555801 0.319936 0.469199 0.253269");
  });

  it("--strict exits 3 and keeps no output when anything is skipped", () => {
    const out = join(work, "strict");
    const r = runCli(["yolo", images, "-o", out, "--ontology", ontology, "--strict"]);
    expect(r.code).toBe(3);
    expect(existsSync(out)).toBe(false);
    expect(r.stderr).toContain("polyline");
  });

  it("--report counts what each task skipped and approximated", () => {
    const out = join(work, "report");
    const reportFile = join(work, "report.json");
    expect(yolo([images], out, ["--ontology", ontology, "--task", "segment", "--report", reportFile]).code).toBe(0);
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as { notes: { outcome: string; what: string; count: number }[] };
    const notes = report.notes.map((n) => `${n.outcome} ${n.what}`);
    expect(notes).toContain("approximated polygon hole");
    expect(notes).toContain("skipped polyline");
    expect(notes).toContain("skipped point");
    expect(notes).toContain("skipped skeleton");
  });

  it("--split gives each split its own folders and data.yaml keys", () => {
    const out = join(work, "split");
    const media = join(SAMPLES, "media.json");
    expect(yolo([images, media], out, ["--ontology", ontology, "--split", "train=0.5,val=0.5", "--seed", "3"]).code).toBe(0);
    const splits = readdirSync(join(out, "labels")).sort();
    const yaml = readFileSync(join(out, "data.yaml"), "utf8");
    for (const s of splits) {
      expect(existsSync(join(out, "images", s))).toBe(true);
      expect(yaml).toContain(`${s}: images/${s}\n`);
    }
    expectValid(out, "detect");
  });

  it("--images places each image beside its label file, and the validator pairs them", () => {
    const pics = join(work, "pics");
    mkdirSync(pics, { recursive: true });
    for (const [name, w, h] of [["crossing_a.png", 800, 600], ["crossing_b.png", 300, 500]] as const) {
      const png = new PNG({ width: w, height: h });
      png.data.fill(128);
      writeFileSync(join(pics, name), PNG.sync.write(png));
    }
    const out = join(work, "media");
    const r = yolo([images], out, ["--ontology", ontology, "--images", pics, "--media", "copy"]);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, "images/train/crossing_a.png"))).toBe(true);
    expect(existsSync(join(out, "images/train/crossing_b.png"))).toBe(true);
    if (haveValidator()) {
      const v = validate(out, ["--yolo-task", "detect"]);
      expect(v.code, v.stdout).toBe(0);
      expect(v.stdout).toContain("2 images, 2 with label files");
    }
  });

  it("--skip-empty writes no label file for the background image", () => {
    const out = join(work, "skip");
    expect(yolo([images], out, ["--ontology", ontology, "--skip-empty"]).code).toBe(0);
    expect(existsSync(join(out, "labels/train/empty_road.txt"))).toBe(false);
  });

  it("--precision 3 writes 3 decimals", () => {
    const out = join(work, "p3");
    expect(yolo([images], out, ["--ontology", ontology, "--precision", "3"]).code).toBe(0);
    const line = readFileSync(join(out, "labels/train/street.txt"), "utf8").split("\n")[0] as string;
    expect(line).toMatch(/^\d+ \d\.\d{3} \d\.\d{3} \d\.\d{3} \d\.\d{3}$/);
  });
});
