// --images through the real CLI (issue 12): every item gets its own file or a clear miss. Lookup by data
// hash and by the item's unique output name first; by title only when one data unit of the run has that
// title; never one source file for two data units; the found image's size (EXIF orientation applied)
// checked against the export, counted and named, and --strict fails on it.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readImageInfo } from "../src/media/image-header.js";
import { SAMPLES } from "./fixtures.js";
import { haveValidator, runCli, tempDir, validate } from "./helpers.js";
import { ffmpegOrSkip, imageRow, makeImage, walk } from "./media-helpers.js";

const images = join(SAMPLES, "images.json");
const HAVE = ffmpegOrSkip();

interface MediaRep {
  placed: number;
  missing: number;
  missingList: string[];
  outcomes: Record<string, number>;
  sizeMismatch: number;
  sizeMismatchList: string[];
}
interface Rep {
  media: MediaRep;
  problems: { warnings: number; list: string[] };
  notes: { code: string; what: string; reason: string; count: number; outcome: string; examples: string[] }[];
}

function run(args: string[], dir: string, name: string): { out: string; rep: Rep; code: number; stderr: string } {
  const out = join(dir, name);
  const report = join(dir, `${name}.json`);
  const r = runCli([...args, "-o", out, "--report", report]);
  return { out, rep: JSON.parse(readFileSync(report, "utf8")) as Rep, code: r.code, stderr: r.stderr };
}

/** A JPEG with an EXIF APP1 (orientation) inserted after SOI. */
function withOrientation(jpeg: Buffer, orientation: number): Buffer {
  const tiff = Buffer.from([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0, 0, 0]);
  const body = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), head, body, jpeg.subarray(2)]);
}

describe.skipIf(!HAVE)("--images: the right file for every item (issue 12)", () => {
  const dir = tempDir("ec-images-");

  it("two items titled street.jpg: the first gets street.jpg (its output name), the second its own file (its data hash), not the 640x480 one", () => {
    const src = join(dir, "src-repro");
    mkdirSync(src);
    const big = makeImage(join(src, "street.jpg"), 640, 480, [255, 0, 0]);
    const own = makeImage(join(src, "img-street-0002.jpg"), 100, 50, [0, 0, 255]);
    const { out, rep, code } = run(["coco", images, "-q", "--images", src], dir, "repro");
    expect(code).toBe(0);
    expect(readFileSync(join(out, "images", "street.jpg")).equals(big)).toBe(true);
    const second = readFileSync(join(out, "images", "street_img-stre.jpg"));
    expect(second.equals(own)).toBe(true);
    expect(readImageInfo(second)).toMatchObject({ width: 100, height: 50 });
    expect(rep.media.outcomes.local).toBe(2);
    expect(rep.media.sizeMismatch).toBe(0);
    const coco = JSON.parse(readFileSync(join(out, "annotations.json"), "utf8")) as { images: { file_name: string; width: number; height: number }[] };
    expect(coco.images.find((i) => i.file_name === "street_img-stre.jpg")).toMatchObject({ width: 100, height: 50 });
  });

  it("a title two data units share is never used: the second street.jpg is missing, not given the first one's file", () => {
    const src = join(dir, "src-shared");
    mkdirSync(src);
    makeImage(join(src, "street.jpg"), 640, 480);
    const { out, rep, code } = run(["coco", images, "-q", "--images", src], dir, "shared");
    expect(code).toBe(0);
    expect(walk(join(out, "images"))).toEqual(["street.jpg"]);
    expect(rep.media.outcomes).toMatchObject({ local: 1, missing: 4 });
    expect(rep.media.missingList).toContain("street.jpg");
    expect(rep.media.sizeMismatch).toBe(0);
  });

  it("a title one data unit has is used (in a subfolder, by the end of the run); titles sanitised differently from their output name too", () => {
    const src = join(dir, "src-titles");
    mkdirSync(join(src, "nested"), { recursive: true });
    const a = makeImage(join(src, "nested", "crossing_a.png"), 800, 600, [1, 2, 3]);
    const road = makeImage(join(src, "empty road.jpg"), 320, 240); // output name empty_road.jpg: only the title finds it
    const b = makeImage(join(src, "grp-0001-b.png"), 300, 500, [4, 5, 6]); // by data hash
    const { out, rep, code } = run(["coco", images, "-q", "--images", src], dir, "titles");
    expect(code).toBe(0);
    expect(readFileSync(join(out, "images", "crossing_a.png")).equals(a)).toBe(true);
    expect(readFileSync(join(out, "images", "crossing_b.png")).equals(b)).toBe(true);
    expect(readFileSync(join(out, "images", "empty_road.jpg")).equals(road)).toBe(true);
    expect(rep.media.outcomes).toMatchObject({ local: 3, missing: 2 });
  });

  it("two data units titled alike ('my photo.jpg'), the folder holding that name once: neither gets it", () => {
    const src = join(dir, "src-twins");
    mkdirSync(src);
    makeImage(join(src, "my photo.jpg"), 64, 32);
    const exp = join(dir, "twins.json");
    writeFileSync(exp, JSON.stringify([imageRow({ hash: "h-one", title: "my photo.jpg", link: null, w: 64, h: 32 }), imageRow({ hash: "h-two", title: "my photo.jpg", link: null, w: 64, h: 32 })]));
    const { out, rep } = run(["yolo", exp, "-q", "--images", src], dir, "twins");
    expect(walk(join(out, "images"))).toEqual([]);
    expect(rep.media.outcomes).toEqual({ missing: 2 });
  });

  it("one file is never the source of two data units: an output name that is another unit's data hash", () => {
    const src = join(dir, "src-claim");
    mkdirSync(src);
    const x = makeImage(join(src, "x.jpg"), 40, 30);
    const exp = join(dir, "claim.json");
    // Unit "h-1" is titled x.jpg (output name x.jpg); unit "x" has data hash x (its own file would be x.jpg).
    writeFileSync(exp, JSON.stringify([imageRow({ hash: "h-1", title: "x.jpg", link: null, w: 40, h: 30 }), imageRow({ hash: "x", title: "other.jpg", link: null, w: 40, h: 30 })]));
    const { out, rep } = run(["coco", exp, "-q", "--images", src], dir, "claim");
    expect(readFileSync(join(out, "images", "x.jpg")).equals(x)).toBe(true);
    expect(walk(join(out, "images"))).toEqual(["x.jpg"]);
    expect(rep.media.outcomes).toEqual({ local: 1, missing: 1 });
    expect(rep.media.missingList).toEqual(["other.jpg"]);
    // The same data unit in two label rows (two branches) shares its file.
    const rowA = imageRow({ hash: "h-1", title: "x.jpg", link: null, w: 40, h: 30 }) as Record<string, unknown>;
    const rowB = { ...rowA, label_hash: "lbl-other-branch", branch_name: "b2" };
    writeFileSync(exp, JSON.stringify([rowA, rowB]));
    const again = run(["coco", exp, "-q", "--images", src], dir, "claim-same-unit");
    expect(again.rep.media.outcomes).toEqual({ local: 2 });
  });

  it("a size that differs from the export is counted and named; --strict exits 3; EXIF orientation is applied first", () => {
    const src = join(dir, "src-size");
    mkdirSync(src);
    makeImage(join(src, "street.jpg"), 320, 240); // the export says 640x480
    // crossing_a is 800x600 in the export: stored 600x800 and turned by orientation 6 is right.
    const upright = makeImage(join(dir, "tmp-a.jpg"), 600, 800);
    writeFileSync(join(src, "crossing_a.png"), withOrientation(upright, 6));
    // crossing_b is 300x500: stored 300x500 but orientation 8 shows 500x300, which is wrong.
    writeFileSync(join(src, "grp-0001-b.png"), withOrientation(makeImage(join(dir, "tmp-b.jpg"), 300, 500), 8));
    const { rep, code } = run(["coco", images, "-q", "--images", src], dir, "size");
    expect(code).toBe(0);
    expect(rep.media.sizeMismatch).toBe(2);
    expect(rep.media.sizeMismatchList.sort()).toEqual([
      "crossing_b.png: 500×300 (stored 300×500, EXIF orientation 8), the export says 300×500",
      "street.jpg: 320×240, the export says 640×480",
    ]);
    const note = rep.notes.find((n) => n.code === "warning.size-mismatch");
    expect(note?.count).toBe(2);
    expect(note?.examples.join(" ")).toContain("data img-street-0001");
    const strict = run(["coco", images, "-q", "--images", src, "--strict"], dir, "size-strict");
    expect(strict.code).toBe(3);
  });

  it("every folder format gets the images where it wants them, and the validator accepts the output", () => {
    const src = join(dir, "src-formats");
    mkdirSync(src);
    makeImage(join(src, "street.jpg"), 640, 480);
    makeImage(join(src, "img-street-0002.jpg"), 100, 50);
    makeImage(join(src, "crossing_a.png"), 800, 600);
    makeImage(join(src, "crossing_b.png"), 300, 500);
    makeImage(join(src, "empty road.jpg"), 320, 240);
    const where: Record<string, string> = { coco: "images", yolo: "images/train", voc: "JPEGImages", masks: "images" };
    for (const format of Object.keys(where)) {
      const extra = format === "voc" ? ["--masks"] : [];
      const { out, rep, code } = run([format, images, "-q", "--images", src, "--ontology", join(SAMPLES, "ontology.json"), ...extra], dir, `fmt-${format}`);
      expect(code, format).toBe(0);
      expect(rep.media.outcomes, format).toEqual({ local: 5 });
      expect(walk(join(out, where[format] as string)).filter((f) => !f.endsWith(".txt")), format).toEqual([
        "crossing_a.png",
        "crossing_b.png",
        "empty_road.jpg",
        "street.jpg",
        "street_img-stre.jpg",
      ]);
      if (haveValidator()) {
        const v = validate(out);
        expect(v.code, `${format}: ${v.stdout}${v.stderr}`).toBe(0);
      }
    }
  });
});
