// Options that select things must match something: a typo is a usage error, never an empty or wrong
// dataset with exit 0. Each case here was an exit-0 wrong dataset before (issue 12).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SAMPLES } from "./fixtures.js";
import { runCli, tempDir } from "./helpers.js";

const images = join(SAMPLES, "images.json");
const media = join(SAMPLES, "media.json");
const ontology = join(SAMPLES, "ontology.json");

interface ReportLike {
  notes: { code: string; outcome: string; count: number; what: string; reason: string }[];
  splits: Record<string, number>;
  items: number;
}

const readJson = <T>(p: string): T => JSON.parse(readFileSync(p, "utf8")) as T;

describe("closed sets: an unknown value is exit 2 with 'did you mean'", () => {
  const dir = tempDir();
  const cases: [string, string[], RegExp][] = [
    ["--status LABELED", ["coco", images, "--status", "LABELED"], /--status.*"LABELED".*did you mean "LABELLED"/],
    ["--data-types imag", ["coco", images, "--data-types", "image,imag"], /--data-types.*"imag".*did you mean "image"/],
    ["--shapes boxx", ["coco", images, "--shapes", "boxx"], /--shapes.*"boxx".*did you mean "box"/],
    ["--task detec", ["yolo", images, "--task", "detec"], /--task.*"detec".*did you mean "detect"/],
    ["--mode instanse", ["masks", images, "--mode", "instanse"], /--mode.*"instanse".*did you mean "instance"/],
    ["--media lnk", ["coco", images, "--images", SAMPLES, "--media", "lnk"], /--media.*"lnk".*did you mean "link"/],
    ["--polyline-as keypoint", ["coco", images, "--polyline-as", "keypoint"], /--polyline-as.*did you mean "keypoints"/],
  ];
  for (const [name, args, message] of cases) {
    it(name, () => {
      const out = join(dir, name.replace(/\W+/g, "_"));
      const r = runCli([...args, "-o", out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/^encord-convert: error: /);
      expect(existsSync(out)).toBe(false);
    });
  }

  it("a label status Encord has but this export lacks is fine (an empty result is said, not an error)", () => {
    const out = join(dir, "twice");
    const r = runCli(["coco", images, "--status", "REVIEWED_TWICE", "-o", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/no item was written/);
  });

  it("--help lists the choices of closed sets", () => {
    const help = (cmd: string): string => runCli([cmd, "--help"]).stdout.replace(/\s+/g, " ");
    expect(help("yolo")).toMatch(/choices: "detect", "segment", "obb", "pose"/);
    expect(help("masks")).toMatch(/choices: "instance", "semantic"/);
    expect(help("coco")).toMatch(/--media <mode> .*choices: "link", "copy", "none"/);
  });
});

describe("class names given in --classes, --drop, --map must name a class", () => {
  const dir = tempDir();

  it("with an ontology, an unknown class is exit 2 with 'did you mean'", () => {
    for (const [flag, value, bad, good] of [
      ["--classes", "car,persn", "persn", "person"],
      ["--drop", "carr", "carr", "car"],
      ["--map", "carr=car", "carr", "car"],
    ] as const) {
      const out = join(dir, `onto${flag}`);
      const r = runCli(["yolo", images, "--ontology", ontology, flag, value, "-o", out]);
      expect(r.code, flag).toBe(2);
      expect(r.stderr).toContain(`${flag}: no class "${bad}" in the ontology; did you mean "${good}"?`);
      expect(existsSync(out)).toBe(false);
    }
  });

  it("without an ontology, a name matching no object of the export is a warning (summary, report), and --strict fails", () => {
    const out = join(dir, "noonto");
    const report = join(dir, "noonto.json");
    const r = runCli(["yolo", images, "--classes", "car,persn", "--drop", "carr", "--map", "lan=road", "-o", out, "--report", report]);
    expect(r.code).toBe(0);
    for (const name of ["persn", "carr", "lan"]) expect(r.stderr).toMatch(new RegExp(`class "${name}".*matches no object of the export`));
    const j = readJson<ReportLike>(report);
    const unmatched = j.notes.filter((n) => n.code === "warning.class-unmatched");
    expect(unmatched.map((n) => n.what).sort()).toEqual(["--classes persn", "--drop carr", "--map lan"]);
    // The class list stays as given (ids are the user's order); the warning is what tells of the typo.
    expect(readFileSync(join(out, "data.yaml"), "utf8")).toMatch(/0: "car"\n {2}1: "persn"/);
    const strict = runCli(["yolo", images, "--classes", "car,persn", "-o", join(dir, "strict"), "--strict"]);
    expect(strict.code).toBe(3);
    expect(existsSync(join(dir, "strict"))).toBe(false);
  });
});

describe("--split names", () => {
  const dir = tempDir();

  it("a split name other than train, val, test is exit 2 with 'did you mean'", () => {
    const r = runCli(["yolo", images, "--split", "train=0.8,vali=0.2", "-o", join(dir, "bad")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--split: unknown split "vali".*did you mean "val"/);
  });

  it("valid and validation are documented aliases of val", () => {
    const report = join(dir, "alias.json");
    const r = runCli(["yolo", images, media, "--split", "train=0.5,validation=0.5", "-o", join(dir, "alias"), "--report", report]);
    expect(r.code).toBe(0);
    const j = readJson<ReportLike>(report);
    expect(Object.keys(j.splits).sort()).toEqual(["train", "val"]);
  });

  it("the summary prints items per split, and says when val falls back to train", () => {
    const report = join(dir, "per.json");
    const r = runCli(["yolo", images, media, "--split", "train=0.5,val=0.5", "--seed", "3", "-o", join(dir, "per"), "--report", report]);
    expect(r.code).toBe(0);
    const j = readJson<ReportLike>(report);
    expect(Object.values(j.splits).reduce((a, b) => a + b, 0)).toBe(j.items);
    expect(r.stderr).toMatch(new RegExp(`items per split: train ${j.splits.train}, val ${j.splits.val}`));
    const none = runCli(["yolo", images, "-o", join(dir, "nosplit")]);
    expect(none.stderr).toMatch(/items per split: train 5/);
    expect(none.stderr).toMatch(/no item went to val: data\.yaml points val at the train images/);
  });
});

describe("a run that writes nothing says so", () => {
  const dir = tempDir();

  it("one line, exit 0; under --strict exit 3", () => {
    const r = runCli(["coco", images, "--data-types", "video", "-o", join(dir, "empty")]);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/no item was written/g)).toHaveLength(1);
    const s = runCli(["coco", images, "--data-types", "video", "-o", join(dir, "empty-strict"), "--strict"]);
    expect(s.code).toBe(3);
    expect(s.stderr).toMatch(/no item was written/);
  });
});

describe("the same label row twice is read once", () => {
  const dir = tempDir();

  it("the same export given twice: no street_2.jpg, duplicates counted and named", () => {
    const report = join(dir, "dup.json");
    const out = join(dir, "dup");
    const r = runCli(["coco", images, images, "-o", out, "--report", report]);
    expect(r.code).toBe(0);
    const coco = readJson<{ images: { file_name: string }[] }>(join(out, "annotations.json"));
    const single = runCli(["coco", images, "-o", join(dir, "single")]);
    expect(single.code).toBe(0);
    const one = readJson<{ images: { file_name: string }[] }>(join(dir, "single", "annotations.json"));
    expect(coco.images.map((i) => i.file_name)).toEqual(one.images.map((i) => i.file_name));
    const j = readJson<ReportLike>(report);
    const dup = j.notes.find((n) => n.code === "skipped.duplicate-row");
    expect(dup?.count).toBe(4);
    expect(r.stderr).toMatch(/skipped 4 × label row: the same label_hash, data_hash and branch were read before/);
    expect(runCli(["coco", images, images, "-o", join(dir, "dup-strict"), "--strict"]).code).toBe(3);
  });

  it("two exports holding one common row: that row once", () => {
    const rows = JSON.parse(readFileSync(images, "utf8")) as unknown[];
    const a = join(dir, "a.json");
    const b = join(dir, "b.json");
    writeFileSync(a, JSON.stringify(rows.slice(0, 2)));
    writeFileSync(b, JSON.stringify(rows.slice(1)));
    const report = join(dir, "ab.json");
    const r = runCli(["yolo", a, b, "-o", join(dir, "ab"), "--report", report]);
    expect(r.code).toBe(0);
    const j = readJson<ReportLike & { rows: number }>(report);
    expect(j.rows).toBe(4);
    expect(j.notes.find((n) => n.code === "skipped.duplicate-row")?.count).toBe(1);
  });
});
