// --images/--media: images found by data hash, output name or (unique) title, linked or copied into each
// layout. The files here are not real images (so each is also reported unreadable); media-images.test.ts
// has the lookup rules and size checks on real ones.
import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SAMPLES } from "./fixtures.js";
import { runCli, tempDir } from "./helpers.js";

const images = join(SAMPLES, "images.json");
const media = join(SAMPLES, "media.json");

describe("--images and --media", () => {
  const dir = tempDir();
  const src = join(dir, "src");
  mkdirSync(join(src, "nested"), { recursive: true });
  writeFileSync(join(src, "street.jpg"), "street-bytes"); // by title
  writeFileSync(join(src, "nested", "crossing_a.png"), "crossing-a-bytes"); // by title, in a subfolder
  writeFileSync(join(src, "clip_000002.jpg"), "frame-2-bytes"); // an extracted video frame, by output name
  writeFileSync(join(src, "grp-0001-b.png"), "crossing-b-bytes"); // by data hash

  interface Rep { media: { placed: number; missing: number; missingList: string[] }; notes: { what: string; count: number }[] }
  const run = (format: string, extra: string[]): { out: string; rep: Rep; code: number } => {
    const out = join(dir, `${format}-${extra.join("")}`);
    const report = join(dir, `${format}-${extra.join("")}.json`);
    const r = runCli([format, images, media, "-o", out, "-q", "--images", src, "--report", report, ...extra]);
    return { out, rep: JSON.parse(readFileSync(report, "utf8")) as Rep, code: r.code };
  };

  it("COCO: copies found images into images/ and counts and lists the missing ones", () => {
    const { out, rep, code } = run("coco", ["--media", "copy"]);
    expect(code).toBe(0);
    expect(readFileSync(join(out, "images", "street.jpg"), "utf8")).toBe("street-bytes");
    expect(readFileSync(join(out, "images", "crossing_a.png"), "utf8")).toBe("crossing-a-bytes");
    expect(readFileSync(join(out, "images", "crossing_b.png"), "utf8")).toBe("crossing-b-bytes");
    expect(readFileSync(join(out, "images", "clip_000002.jpg"), "utf8")).toBe("frame-2-bytes");
    // the second street.jpg (another asset of the same title) must not take the first one's file
    expect(existsSync(join(out, "images", "street_img-stre.jpg"))).toBe(false);
    expect(rep.media.placed).toBe(4);
    expect(rep.media.missing).toBe(6); // the second street, empty road, 2 video frames, 2 DICOM slices
    expect(rep.media.missingList).toContain("empty road.jpg");
    expect(rep.notes.find((n) => n.what === "image file")?.count).toBe(4);
    expect(rep.notes.find((n) => n.what === "video frame")?.count).toBe(2);
  });

  it("YOLO: links images into images/<split>/ beside labels/<split>/", () => {
    const { out, code } = run("yolo", ["--media", "link"]);
    expect(code).toBe(0);
    const placed = join(out, "images", "train", "street.jpg");
    expect(lstatSync(placed).isSymbolicLink()).toBe(true);
    expect(readFileSync(placed, "utf8")).toBe("street-bytes");
    expect(existsSync(join(out, "labels", "train", "street.txt"))).toBe(true);
  });

  it("VOC: copies images into JPEGImages/", () => {
    const { out, code } = run("voc", ["--media", "copy"]);
    expect(code).toBe(0);
    expect(readFileSync(join(out, "JPEGImages", "street.jpg"), "utf8")).toBe("street-bytes");
  });

  it("--media none places nothing but still counts missing images", () => {
    const { out, rep, code } = run("coco", ["--media", "none"]);
    expect(code).toBe(0);
    expect(existsSync(join(out, "images", "street.jpg"))).toBe(false);
    expect(rep.media.missing).toBe(6);
  });

  it("missing images make --strict exit 3; --media without --images is a usage error", () => {
    const strict = runCli(["coco", images, "-o", join(dir, "strict"), "-q", "--images", src, "--strict"]);
    expect(strict.code).toBe(3);
    expect(runCli(["coco", images, "-o", join(dir, "bad"), "--media", "copy"]).code).toBe(2); // needs --images or --download
    expect(runCli(["coco", images, "-o", join(dir, "bad2"), "--images", join(dir, "nope")]).code).toBe(1);
  });
});
