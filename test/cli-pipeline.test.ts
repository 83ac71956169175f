// The command line as people use it: inputs, merging, filters, splits, media, report, safety.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SAMPLES } from "./fixtures.js";
import { runCli, tempDir } from "./helpers.js";
import { makeZip } from "./read-helpers.js";

const images = join(SAMPLES, "images.json");
const media = join(SAMPLES, "media.json");
const ontology = join(SAMPLES, "ontology.json");

interface Coco {
  images: { id: number; file_name: string; encord?: { data_hash?: string } }[];
  annotations: { id: number; image_id: number; category_id: number }[];
  categories: { id: number; name: string }[];
}

const readCoco = (dir: string, name = "annotations.json"): Coco => JSON.parse(readFileSync(join(dir, name), "utf8")) as Coco;

/** An export of n small image rows with distinct data hashes, plus one 3-frame video. */
function manyRows(n: number): string {
  const rows: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const h = `img-${String(i).padStart(4, "0")}`;
    rows.push({
      label_hash: `l-${h}`, data_hash: h, data_title: `${h}.jpg`, data_type: "image", label_status: "LABELLED", branch_name: "main",
      data_units: { [h]: { data_hash: h, data_title: `${h}.jpg`, data_type: "image/jpeg", data_sequence: 0, width: 100, height: 100,
        labels: { objects: [{ objectHash: `o${i}`, featureHash: "fA", name: "a", shape: "bounding_box", boundingBox: { x: 0.1, y: 0.1, w: 0.5, h: 0.5 } }], classifications: [] } } },
      object_answers: {}, object_actions: {}, classification_answers: {},
    });
  }
  const box = { objectHash: "trk", featureHash: "fA", name: "a", shape: "bounding_box", boundingBox: { x: 0.1, y: 0.1, w: 0.2, h: 0.2 } };
  rows.push({
    label_hash: "l-vid", data_hash: "vid-1", data_title: "v.mp4", data_type: "video", label_status: "LABELLED", branch_name: "main",
    data_units: { "vid-1": { data_hash: "vid-1", data_title: "v.mp4", data_type: "video/mp4", data_sequence: 0, width: 64, height: 48,
      labels: { "0": { objects: [box], classifications: [] }, "5": { objects: [box], classifications: [] }, "9": { objects: [box], classifications: [] } } } },
    object_answers: {}, object_actions: {}, classification_answers: {},
  });
  return JSON.stringify(rows);
}

describe("inputs", () => {
  const dir = tempDir();
  const plainOut = join(dir, "plain");
  const text = readFileSync(images);

  it("stdin, .json.gz, gzip on stdin and .zip give byte-identical output to the plain file", () => {
    expect(runCli(["coco", images, "-o", plainOut, "-q"]).code).toBe(0);
    const expected = readFileSync(join(plainOut, "annotations.json"));
    const gz = join(dir, "images.json.gz");
    writeFileSync(gz, gzipSync(text));
    const zip = join(dir, "export.zip");
    writeFileSync(zip, makeZip([{ name: "images.json", data: text }]));
    const cases: [string, string[], Buffer | undefined][] = [
      ["stdin", ["-"], text],
      ["gz", [gz], undefined],
      ["gz-stdin", ["-"], gzipSync(text)],
      ["zip", [zip], undefined],
    ];
    for (const [name, inputs, input] of cases) {
      const out = join(dir, name);
      const r = runCli(["coco", ...inputs, "-o", out, "-q"], { input });
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(readFileSync(join(out, "annotations.json")).equals(expected), name).toBe(true);
    }
  });

  it("a zip's .json entries are read in name order as one export", () => {
    const zip = join(dir, "two.zip");
    writeFileSync(zip, makeZip([{ name: "b/media.json", data: readFileSync(media) }, { name: "a/images.json", data: text }]));
    const merged = join(dir, "zip-merged");
    const fromFiles = join(dir, "files-merged");
    expect(runCli(["coco", zip, "-o", merged, "-q", "--ontology", ontology]).code).toBe(0);
    expect(runCli(["coco", images, media, "-o", fromFiles, "-q", "--ontology", ontology]).code).toBe(0);
    expect(readFileSync(join(merged, "annotations.json"), "utf8")).toBe(readFileSync(join(fromFiles, "annotations.json"), "utf8"));
  });

  it("two exports merge into one dataset with no id or file-name collisions", () => {
    const out = join(dir, "merged");
    // A second export of the same assets under other label hashes (another project, say): not duplicates.
    const other = join(dir, "other-labels.json");
    const rows = JSON.parse(readFileSync(images, "utf8")) as { label_hash: string }[];
    writeFileSync(other, JSON.stringify(rows.map((r) => ({ ...r, label_hash: `${r.label_hash}-b` }))));
    expect(runCli(["coco", images, other, "-o", out, "-q"]).code).toBe(0);
    const c = readCoco(out);
    expect(c.images).toHaveLength(10); // 5 items, twice
    expect(new Set(c.images.map((i) => i.id)).size).toBe(10);
    expect(new Set(c.images.map((i) => i.file_name.toLowerCase())).size).toBe(10);
    expect(new Set(c.annotations.map((a) => a.id)).size).toBe(c.annotations.length);
    // the second street.jpg (another data hash) never takes the first one's name
    expect(c.images.filter((i) => i.file_name === "street.jpg")).toHaveLength(1);
  });
});

describe("selection and mapping", () => {
  const dir = tempDir();
  const run = (name: string, extra: string[]): { coco: Coco; report: { notes: { outcome: string; what: string; reason: string; count: number }[] } } => {
    const out = join(dir, name);
    const rep = join(dir, `${name}.report.json`);
    const r = runCli(["coco", images, media, "-o", out, "-q", "--report", rep, ...extra]);
    expect(r.code, r.stderr).toBe(0);
    return { coco: readCoco(out), report: JSON.parse(readFileSync(rep, "utf8")) };
  };
  const filteredCount = (rep: { notes: { outcome: string; count: number; reason: string }[] }, re: RegExp): number =>
    rep.notes.filter((n) => n.outcome === "filtered" && re.test(n.reason)).reduce((s, n) => s + n.count, 0);

  it("--status keeps only rows with those label statuses", () => {
    const { coco, report } = run("status", ["--status", "REVIEWED"]);
    // REVIEWED: the image group (2 images) and the DICOM series (2 slices)
    expect(coco.images.map((i) => i.file_name).sort()).toEqual(["chest_scan_000000.png", "chest_scan_000001.png", "crossing_a.png", "crossing_b.png"]);
    expect(filteredCount(report, /--status/)).toBe(6);
  });

  it("--branch drops rows of other branches", () => {
    const { coco, report } = run("branch", ["--branch", "dev"]);
    expect(coco.images).toHaveLength(0);
    expect(filteredCount(report, /--branch/)).toBe(8);
  });

  it("--data-types keeps only those data types", () => {
    const { coco } = run("types", ["--data-types", "video"]);
    expect(coco.images.map((i) => i.file_name)).toEqual(["clip_000000.jpg", "clip_000002.jpg", "clip_000010.jpg"]);
  });

  it("--classes keeps and orders classes; --map merges; --drop drops", () => {
    const classes = run("classes", ["--classes", "sign,car"]);
    expect(classes.coco.categories.map((c) => [c.id, c.name])).toEqual([[1, "sign"], [2, "car"]]);
    expect(classes.coco.annotations.filter((a) => a.category_id === 2)).toHaveLength(7);
    expect(filteredCount(classes.report, /not in --classes/)).toBeGreaterThan(0);

    const mapped = run("map", ["--ontology", ontology, "--map", "lesion=medical", "--map", "lesion box=medical"]);
    const medical = mapped.coco.categories.filter((c) => c.name === "medical");
    expect(medical).toHaveLength(1);
    expect(mapped.coco.annotations.filter((a) => a.category_id === medical[0]?.id)).toHaveLength(2);

    const dropped = run("drop", ["--drop", "car"]);
    expect(dropped.coco.categories.map((c) => c.name)).not.toContain("car");
    expect(filteredCount(dropped.report, /dropped by --drop/)).toBe(7);
  });

  it("--shapes keeps only the listed shapes (Encord names or ours)", () => {
    const { coco, report } = run("shapes", ["--shapes", "bounding_box,mask"]);
    expect(coco.annotations).toHaveLength(8 + 2);
    expect(filteredCount(report, /--shapes/)).toBe(18 - 10);
    expect(runCli(["coco", images, "-o", join(dir, "bad-shape"), "--shapes", "circle"]).code).toBe(2);
  });
});

describe("splits", () => {
  const dir = tempDir();
  const exportFile = join(dir, "many.json");
  writeFileSync(exportFile, manyRows(60));
  const assignment = (out: string): Map<string, string> => {
    const m = new Map<string, string>();
    for (const f of readdirSync(out).filter((n) => /^annotations_.*\.json$/.test(n))) {
      const split = f.slice("annotations_".length, -".json".length);
      for (const img of readCoco(out, f).images) m.set(img.file_name, split);
    }
    return m;
  };

  it("is stable across runs, changes with the seed, and keeps a video's frames together", () => {
    const spec = ["--split", "train=0.6,val=0.2,test=0.2"];
    const a = join(dir, "a");
    const b = join(dir, "b");
    const c = join(dir, "c");
    expect(runCli(["coco", exportFile, "-o", a, "-q", ...spec, "--seed", "1"]).code).toBe(0);
    expect(runCli(["coco", exportFile, "-o", b, "-q", ...spec, "--seed", "1"]).code).toBe(0);
    expect(runCli(["coco", exportFile, "-o", c, "-q", ...spec, "--seed", "2"]).code).toBe(0);
    const first = assignment(a);
    expect(first.size).toBe(63);
    expect([...assignment(b)]).toEqual([...first]);
    const third = assignment(c);
    const moved = [...first].filter(([k, v]) => third.get(k) !== v).length;
    expect(moved).toBeGreaterThan(10);
    const frames = [...first].filter(([k]) => k.startsWith("v_"));
    expect(frames).toHaveLength(3);
    expect(new Set(frames.map(([, v]) => v)).size).toBe(1);
    const counts = new Map<string, number>();
    for (const v of first.values()) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect(counts.get("train")).toBeGreaterThan(25);
    expect(counts.get("val")).toBeGreaterThan(3);
    expect(counts.get("test")).toBeGreaterThan(3);
  });

  it("a re-export with rows in another order keeps each image in its split", () => {
    const rows = JSON.parse(manyRows(60)) as unknown[];
    const reversed = join(dir, "reversed.json");
    writeFileSync(reversed, JSON.stringify(rows.reverse()));
    const a = join(dir, "fwd");
    const b = join(dir, "rev");
    expect(runCli(["coco", exportFile, "-o", a, "-q", "--split", "train=0.5,val=0.5"]).code).toBe(0);
    expect(runCli(["coco", reversed, "-o", b, "-q", "--split", "train=0.5,val=0.5"]).code).toBe(0);
    const x = assignment(a);
    const y = assignment(b);
    for (const [k, v] of x) expect(y.get(k)).toBe(v);
  });
});

describe("report, strictness, progress and safety", () => {
  const dir = tempDir();

  it("--report writes the summary as JSON, with output files and sizes", () => {
    const out = join(dir, "rep");
    const rep = join(dir, "rep.json");
    const r = runCli(["coco", images, media, "-o", out, "-q", "--report", rep, "--ontology", ontology]);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(rep, "utf8")) as {
      rows: number; items: number; written: Record<string, number>; exitCode: number;
      notes: { outcome: string; what: string; count: number }[]; outputs: { path: string; bytes: number }[];
    };
    expect(j.rows).toBe(8);
    expect(j.items).toBe(10);
    expect(j.written.car).toBe(7);
    expect(j.exitCode).toBe(0);
    expect(j.notes.find((n) => n.outcome === "skipped" && n.what === "polyline")?.count).toBe(1);
    const size = readFileSync(join(out, "annotations.json")).length;
    expect(j.outputs).toContainEqual({ path: "annotations.json", bytes: size });
  });

  it("--strict exits 3, keeps no output, and the report says why", () => {
    const out = join(dir, "strict");
    const rep = join(dir, "strict.json");
    const r = runCli(["coco", images, "-o", out, "--strict", "--report", rep]);
    expect(r.code).toBe(3);
    expect(existsSync(out)).toBe(false);
    expect(r.stderr).toMatch(/skipped 1 × polyline/);
    expect((JSON.parse(readFileSync(rep, "utf8")) as { exitCode: number }).exitCode).toBe(3);
  });

  it("prints no progress when stderr is not a TTY, and nothing at all with -q", () => {
    const quiet = runCli(["coco", images, "-o", join(dir, "q"), "-q"]);
    expect(quiet.stderr).toBe("");
    const loud = runCli(["coco", images, "-o", join(dir, "loud")]);
    expect(loud.stderr).not.toContain("\r");
    expect(loud.stderr).not.toMatch(/\x1b\[/); // no colour either when not a TTY
    expect(loud.stderr).toMatch(/^coco: 4 rows, 5 items/);
  });

  it("refuses a non-empty output without --force and leaves it untouched; --force replaces it", () => {
    const out = join(dir, "existing");
    mkdirSync(out);
    writeFileSync(join(out, "precious.txt"), "keep me");
    const r = runCli(["coco", images, "-o", out, "-q"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists.*--force/);
    expect(readFileSync(join(out, "precious.txt"), "utf8")).toBe("keep me");
    expect(runCli(["coco", images, "-o", out, "-q", "--force"]).code).toBe(0);
    expect(readdirSync(out)).toEqual(["annotations.json"]);
  });

  it("an empty existing folder is used without --force", () => {
    const out = join(dir, "empty-existing");
    mkdirSync(out);
    expect(runCli(["coco", images, "-o", out, "-q"]).code).toBe(0);
  });

  it("a run that fails midway leaves no output folder and no temporary files", () => {
    const parent = join(dir, "fail");
    mkdirSync(parent);
    const text = readFileSync(images, "utf8");
    const broken = join(parent, "broken.json");
    writeFileSync(broken, text.slice(0, Math.floor(text.length * 0.6)));
    for (const format of ["coco", "yolo", "voc", "masks", "pixel"]) {
      const out = join(parent, `out-${format}${format === "pixel" ? ".json" : ""}`);
      const r = runCli([format, broken, "-o", out, "-q"]);
      expect(r.code, format).toBe(1);
      expect(r.stderr).toMatch(/truncated/);
    }
    expect(readdirSync(parent)).toEqual(["broken.json"]);
  });
});
