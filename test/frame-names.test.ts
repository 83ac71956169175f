// Issue 17: a long title keeps each frame's number in its file name; objects on items without a pixel
// size (PDF pages) are counted and reported as skipped, never silently gone.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UniqueNames } from "../src/output/names.js";
import { fixturePath, HAVE_FIXTURES } from "./fixtures.js";
import { runCli, tempDir } from "./helpers.js";

const box = (h: string) => ({ objectHash: h, featureHash: "fA", name: "a", shape: "bounding_box", boundingBox: { x: 0.1, y: 0.1, w: 0.5, h: 0.5 } });

function videoExport(title: string, frames: number[], hash = "vid-long"): unknown {
  const labels: Record<string, unknown> = {};
  for (const f of frames) labels[String(f)] = { objects: [box(`o${f}`)], classifications: [] };
  return {
    label_hash: `l-${hash}`, data_hash: hash, data_title: title, data_type: "video", label_status: "LABELLED", branch_name: "main",
    data_units: { [hash]: { data_hash: hash, data_title: title, data_type: "video/mp4", data_sequence: 0, width: 64, height: 48, labels } },
    object_answers: {}, object_actions: {}, classification_answers: {},
  };
}

const utf8Bytes = (s: string): number => Buffer.byteLength(s, "utf8");

describe("frame names under the 120-byte cap", () => {
  it("UniqueNames keeps a frame suffix whole when it cuts the stem", () => {
    const names = new UniqueNames();
    const stem = "clip_" + "a".repeat(120);
    const got = [3, 7, 9].map((f) => names.claim(stem, "0f1e2d3c4b", `_${String(f).padStart(6, "0")}`));
    for (const [i, f] of [3, 7, 9].entries()) {
      expect(got[i]).toMatch(new RegExp(`^clip_a+_${String(f).padStart(6, "0")}$`));
      expect(utf8Bytes(got[i] ?? "")).toBeLessThanOrEqual(120);
    }
    // A collision suffix goes before the frame number, so the frame number stays the end of the name.
    const again = names.claim(stem, "0f1e2d3c4b", "_000003");
    expect(again).toMatch(/^clip_a+_0f1e2d3c_000003$/);
    expect(utf8Bytes(again)).toBeLessThanOrEqual(120);
  });

  const dir = tempDir();
  const titles: [string, string][] = [
    ["ascii", "clip/" + "a".repeat(120) + ".mp4"],
    ["multi-byte", "ビデオ" + "é".repeat(70) + "🎥".repeat(10) + ".mp4"],
  ];
  for (const [name, title] of titles) {
    it(`${name}: every format keeps _<frame 6 digits>, and --images finds frames named as the README says`, () => {
      const exp = join(dir, `${name}.json`);
      writeFileSync(exp, JSON.stringify([videoExport(title, [3, 7, 9])]));
      const y = runCli(["yolo", exp, "-o", join(dir, `${name}-yolo`), "-q"]);
      expect(y.code, y.stderr).toBe(0);
      const labels = readdirSync(join(dir, `${name}-yolo`, "labels", "train")).sort();
      expect(labels).toHaveLength(3);
      for (const [i, f] of [3, 7, 9].entries()) {
        expect(labels[i]).toMatch(new RegExp(`_${String(f).padStart(6, "0")}\\.txt$`));
        expect(utf8Bytes((labels[i] ?? "").replace(/\.txt$/, ""))).toBeLessThanOrEqual(120);
      }
      // The README's ffmpeg recipe names frames <stem>_%06d.jpg; give the folder exactly those names.
      const frames = join(dir, `${name}-frames`);
      mkdirSync(frames);
      for (const l of labels) writeFileSync(join(frames, l.replace(/\.txt$/, ".jpg")), "jpeg");
      const rep = join(dir, `${name}-rep.json`);
      const withImages = runCli(["yolo", exp, "-o", join(dir, `${name}-yolo-img`), "--images", frames, "--media", "none", "--report", rep, "-q"]);
      expect(withImages.code).toBe(0);
      const report = JSON.parse(readFileSync(rep, "utf8")) as { notes: { code: string }[]; media: { outcomes: Record<string, number> } };
      // Found, every one (the files are not real JPEGs: warning.image-unreadable says so, which is fine here).
      expect(report.notes.filter((n) => n.code === "skipped.image-missing")).toEqual([]);
      expect(report.media.outcomes).toEqual({ local: 3 });
      for (const fmt of ["coco", "voc", "masks"]) {
        const out = join(dir, `${name}-${fmt}`);
        expect(runCli([fmt, exp, "-o", out, "-q"]).code).toBe(0);
      }
      const coco = JSON.parse(readFileSync(join(dir, `${name}-coco`, "annotations.json"), "utf8")) as { images: { file_name: string }[] };
      expect(coco.images.map((i) => i.file_name.match(/_(\d{6})\.jpg$/)?.[1])).toEqual(["000003", "000007", "000009"]);
      const xml = readdirSync(join(dir, `${name}-voc`, "Annotations")).sort();
      expect(xml.map((f) => f.match(/_(\d{6})\.xml$/)?.[1])).toEqual(["000003", "000007", "000009"]);
    });
  }
});

describe.skipIf(!HAVE_FIXTURES)("objects on items without a pixel size", () => {
  const group = fixturePath("data_group_all_modalities.json");
  const dir = tempDir();

  it("inspect counts the PDF page's box and lists it as on an item without a size", () => {
    const r = runCli(["inspect", "--json", group]);
    const j = JSON.parse(r.stdout) as { objects: number; byShape: Record<string, number>; unplaced: Record<string, number> };
    expect(j.byShape.bounding_box).toBe(6);
    expect(j.objects).toBe(6);
    expect(j.unplaced).toEqual({ "pdf-page": 1 });
  });

  for (const fmt of ["coco", "yolo", "voc", "masks", "pixel"]) {
    it(`${fmt}: 5 of 6 objects written, one skip for the size-less item, --strict fails`, () => {
      const out = join(dir, fmt + (fmt === "pixel" ? ".json" : ""));
      const rep = join(dir, `${fmt}.report.json`);
      const r = runCli([fmt, group, "-o", out, "--report", rep]);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(readFileSync(rep, "utf8")) as { objects: number; objectsWritten: number; notes: { code: string; what: string; count: number }[] };
      expect(j.objects).toBe(6);
      if (fmt !== "pixel") expect(j.objectsWritten).toBe(5);
      const noSize = j.notes.filter((n) => n.code === "skipped.no-size" && n.what === "bounding_box");
      expect(noSize.map((n) => n.count)).toEqual([1]);
      expect(r.stderr).toMatch(/skipped 1 × bounding_box: its item (\(.*\) )?has no size/);
      expect(runCli([fmt, group, "-o", `${out}-strict`, "--strict"]).code).toBe(3);
    });
  }
});
