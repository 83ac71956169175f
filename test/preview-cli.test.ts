// `encord-convert preview` through the real CLI: sizes, names, images found in --images (PNG, JPEG),
// misses and bad files counted, filters and class mapping applied, sheets, samples, byte-identical reruns.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { SAMPLES } from "./fixtures.js";
import { runCli, tempDir } from "./helpers.js";

const EXPORTS = [join(SAMPLES, "images.json"), join(SAMPLES, "media.json")];
const ONTOLOGY = ["--ontology", join(SAMPLES, "ontology.json")];

interface Entry {
  png: string;
  cell?: number;
  item: string;
  width: number;
  height: number;
  background: string;
  objects: number;
  drawn: number;
}

function index(dir: string): { mode: string; previews: Entry[] } {
  return JSON.parse(readFileSync(join(dir, "preview.json"), "utf8")) as { mode: string; previews: Entry[] };
}

function pixel(png: PNG, x: number, y: number): number[] {
  const i = (y * png.width + x) * 4;
  return [...png.data.subarray(i, i + 3)];
}

function readPng(path: string): PNG {
  return PNG.sync.read(readFileSync(path));
}

function report(dir: string, name = "report.json"): { written: Record<string, number>; notes: { outcome: string; what: string; reason: string; count: number }[] } {
  return JSON.parse(readFileSync(join(dir, name), "utf8"));
}

describe("preview CLI", () => {
  const root = tempDir("ec-preview-");

  it("draws every item of the samples at its own size, named as the converters name them, and reruns byte-identical", () => {
    const a = join(root, "a");
    const b = join(root, "b");
    const r1 = runCli(["preview", ...EXPORTS, ...ONTOLOGY, "-o", a, "-q", "--report", join(root, "a.json")]);
    expect(r1.code, r1.stderr).toBe(0);
    const r2 = runCli(["preview", ...EXPORTS, ...ONTOLOGY, "-o", b, "-q"]);
    expect(r2.code, r2.stderr).toBe(0);
    const files = readdirSync(a).sort();
    expect(files).toEqual(readdirSync(b).sort());
    for (const f of files) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
    const idx = index(a);
    expect(idx.previews.map((e) => e.png)).toEqual([
      "street.png", "crossing_a.png", "crossing_b.png", "empty_road.png", "street_img-stre.png",
      "clip_000000.png", "clip_000002.png", "clip_000010.png", "chest_scan_000000.png", "chest_scan_000001.png",
    ]);
    for (const e of idx.previews) {
      const png = readPng(join(a, e.png));
      expect([png.width, png.height], e.png).toEqual([e.width, e.height]);
      expect(e.background).toBe("neutral");
    }
    const street = readPng(join(a, "street.png"));
    // car box x 0.1..0.35 of 640, y 0.2..0.5 of 480: its right edge (below the building) in the ontology's #D33115.
    expect(pixel(street, 224, 230)).toEqual([0xd3, 0x31, 0x15]);
    expect(pixel(street, 600, 20)).toEqual([192, 192, 192]);
    const rep = report(root, "a.json");
    expect(rep.written).toEqual({ building: 2, car: 7, lane: 1, lesion: 1, "lesion box": 1, light: 1, person: 1, road: 2, sign: 2 });
    expect(rep.notes).toContainEqual(expect.objectContaining({ code: "approximated.clipped", what: "bounding_box", reason: "reaches outside the image; drawn clipped", count: 1 }));
  });

  it("draws found images (PNG and JPEG) under the shapes and counts the missing and the undecodable", () => {
    const media = join(root, "media");
    mkdirSync(media, { recursive: true });
    // crossing_a.png: 800x600 solid blue PNG; "empty road.jpg": 320x240 solid green JPEG; crossing_b.png is no image.
    const blue = new PNG({ width: 800, height: 600 });
    for (let i = 0; i < blue.data.length; i += 4) blue.data.set([20, 40, 220, 255], i);
    writeFileSync(join(media, "crossing_a.png"), PNG.sync.write(blue));
    const green = Buffer.alloc(320 * 240 * 4);
    for (let i = 0; i < green.length; i += 4) green.set([30, 200, 60, 255], i);
    writeFileSync(join(media, "empty road.jpg"), jpeg.encode({ width: 320, height: 240, data: green }, 95).data);
    writeFileSync(join(media, "crossing_b.png"), "not an image at all");
    const out = join(root, "with-images");
    const r = runCli(["preview", join(SAMPLES, "images.json"), ...ONTOLOGY, "--images", media, "-o", out, "-q", "--report", join(root, "img.json")]);
    expect(r.code, r.stderr).toBe(0);
    const idx = index(out);
    const bg = Object.fromEntries(idx.previews.map((e) => [e.item, e.background]));
    expect(bg).toMatchObject({ crossing_a: "image", empty_road: "image", crossing_b: "neutral", street: "neutral" });
    expect(pixel(readPng(join(out, "crossing_a.png")), 790, 590)).toEqual([20, 40, 220]);
    const g = pixel(readPng(join(out, "empty_road.png")), 160, 120);
    expect(Math.abs((g[0] as number) - 30) + Math.abs((g[1] as number) - 200) + Math.abs((g[2] as number) - 60)).toBeLessThan(12);
    // The images were linked into the output for drawing and are gone from it.
    expect(readdirSync(out).filter((f) => f.startsWith("."))).toEqual([]);
    const notes = report(root, "img.json").notes;
    expect(notes).toContainEqual(expect.objectContaining({ code: "skipped.image-missing", what: "image file", reason: "not found in the --images folder", count: 2 }));
    expect(notes).toContainEqual(expect.objectContaining({ code: "skipped.image-unreadable", what: "image file", reason: "unknown images cannot be decoded here (PNG and JPEG only); drawn on a neutral canvas", count: 1 }));
  });

  it("stretches an image of another size to the export's and warns about it", () => {
    const media = join(root, "media-small");
    mkdirSync(media, { recursive: true });
    const small = new PNG({ width: 64, height: 48 });
    for (let i = 0; i < small.data.length; i += 4) small.data.set([250, 250, 10, 255], i);
    writeFileSync(join(media, "empty road.jpg"), PNG.sync.write(small)); // PNG bytes under a .jpg name: sniffed, not guessed
    const out = join(root, "stretched");
    const r = runCli(["preview", join(SAMPLES, "images.json"), ...ONTOLOGY, "--images", media, "-o", out, "-q", "--report", join(root, "s.json")]);
    expect(r.code, r.stderr).toBe(0);
    const png = readPng(join(out, "empty_road.png"));
    expect([png.width, png.height]).toEqual([320, 240]);
    expect(pixel(png, 319, 239)).toEqual([250, 250, 10]);
    expect(report(root, "s.json").notes).toContainEqual(expect.objectContaining({ code: "warning.size-mismatch", what: "image file", count: 1 }));
    expect(runCli(["preview", join(SAMPLES, "images.json"), ...ONTOLOGY, "--images", media, "--strict", "-o", join(root, "stretched-strict"), "-q"]).code).toBe(3);
  });

  it("turns a JPEG upright by its EXIF orientation tag before drawing", () => {
    // Stored 48x32: top half red, bottom half blue; orientation 6 = to be turned 90° clockwise, so
    // upright it is 32x48 with the red half on the right. The export labels the upright 32x48 image.
    const stored = Buffer.alloc(48 * 32 * 4);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 48; x++) stored.set(y < 16 ? [230, 20, 20, 255] : [20, 20, 230, 255], (y * 48 + x) * 4);
    const plain = Buffer.from(jpeg.encode({ width: 48, height: 32, data: stored }, 95).data);
    // An APP1 "Exif" segment right after SOI: big-endian TIFF header, IFD0 with one entry, 0x0112 = 6.
    const tiff = Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
    const body = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
    const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
    const media = join(root, "media-exif");
    mkdirSync(media, { recursive: true });
    writeFileSync(join(media, "upright.jpg"), Buffer.concat([plain.subarray(0, 2), app1, plain.subarray(2)]));
    const row = {
      label_hash: "l-up", data_hash: "up-1", data_title: "upright.jpg", data_type: "image", label_status: "LABELLED", branch_name: "main",
      data_units: { "up-1": { data_hash: "up-1", data_title: "upright.jpg", data_type: "image/jpeg", data_sequence: 0, width: 32, height: 48, labels: { objects: [], classifications: [] } } },
      object_answers: {}, object_actions: {}, classification_answers: {},
    };
    const exp = join(root, "upright.json");
    writeFileSync(exp, JSON.stringify([row]));
    const out = join(root, "exif");
    const r = runCli(["preview", exp, "--images", media, "-o", out, "-q", "--report", join(root, "exif.json")]);
    expect(r.code, r.stderr).toBe(0);
    const png = readPng(join(out, "upright.png"));
    expect([png.width, png.height]).toEqual([32, 48]);
    const [right, left] = [pixel(png, 28, 24), pixel(png, 3, 24)];
    expect((right[0] as number) > 180 && (right[2] as number) < 80, `right ${right}`).toBe(true);
    expect((left[2] as number) > 180 && (left[0] as number) < 80, `left ${left}`).toBe(true);
    // Upright it has the export's size: no size warning.
    expect(report(root, "exif.json").notes.filter((n) => n.what === "image file")).toEqual([]);
  });

  it("applies the run's filters and class mapping", () => {
    const out = join(root, "mapped");
    const r = runCli(["preview", join(SAMPLES, "images.json"), ...ONTOLOGY, "--drop", "building", "--map", "car=vehicle", "--shapes", "bounding_box,polygon", "-o", out, "-q", "--report", join(root, "m.json")]);
    expect(r.code, r.stderr).toBe(0);
    expect(report(root, "m.json").written).toEqual({ vehicle: 4 });
    const street = readPng(join(out, "street.png"));
    expect(pixel(street, 224, 230)).toEqual([0xd3, 0x31, 0x15]); // the car's colour stays with its class
    // The building polygon (dropped) is not drawn: its outer edge at x = 0.05*640 = 32 stays neutral.
    expect(pixel(street, 32, 60)).toEqual([192, 192, 192]);
  });

  it("writes contact sheets of a deterministic sample", () => {
    const run = (name: string, seed: string): string => {
      const out = join(root, name);
      const r = runCli(["preview", ...EXPORTS, ...ONTOLOGY, "--limit", "5", "--seed", seed, "--sheet", "2x2", "--thumb", "64", "-o", out, "-q", "--report", join(root, `${name}.json`)]);
      expect(r.code, r.stderr).toBe(0);
      return out;
    };
    const a = run("sheet-a", "3");
    const b = run("sheet-b", "3");
    expect(readdirSync(a).sort()).toEqual(["preview.json", "sheet-0001.png", "sheet-0002.png"]);
    for (const f of readdirSync(a)) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
    const idx = index(a);
    expect(idx.mode).toBe("sheets");
    expect(idx.previews.map((e) => [e.png, e.cell])).toEqual([
      ["sheet-0001.png", 0], ["sheet-0001.png", 1], ["sheet-0001.png", 2], ["sheet-0001.png", 3], ["sheet-0002.png", 0],
    ]);
    const s1 = readPng(join(a, "sheet-0001.png"));
    expect([s1.width, s1.height]).toEqual([2 * 70 + 6, 2 * 83 + 6]);
    const s2 = readPng(join(a, "sheet-0002.png"));
    expect([s2.width, s2.height]).toEqual([2 * 70 + 6, 83 + 6]);
    expect(report(root, "sheet-a.json").notes).toContainEqual(expect.objectContaining({ code: "filtered.sample", what: "item", reason: "not in the --limit 5 sample (--seed 3)", count: 5 }));
    const c = run("sheet-c", "4");
    expect(index(c).previews.map((e) => e.item)).not.toEqual(idx.previews.map((e) => e.item));
  });

  it("refuses frames over --max-pixels and fails --strict on what it could only clip", () => {
    const out = join(root, "limited");
    const r = runCli(["preview", join(SAMPLES, "images.json"), ...ONTOLOGY, "--max-pixels", "100000", "-o", out, "-q", "--report", join(root, "l.json")]);
    expect(r.code, r.stderr).toBe(0);
    const items = index(out).previews.map((e) => e.item);
    expect(items).toEqual(["empty_road", "street_img-stre"]); // 640x480, 800x600 and 300x500 are over
    const notes = report(root, "l.json").notes;
    const skippedItems = notes.filter((n) => n.outcome === "skipped" && n.what === "item preview");
    expect(skippedItems.reduce((t, n) => t + n.count, 0)).toBe(3);
    expect(skippedItems.map((n) => n.reason)).toContain("the frame is 800x600 = 480000 pixels, over the limit of 100000 (--max-pixels)");
    const strict = runCli(["preview", join(SAMPLES, "images.json"), ...ONTOLOGY, "--strict", "-o", join(root, "strict")]);
    expect(strict.code).toBe(3);
    expect(() => readdirSync(join(root, "strict"))).toThrow();
    const bad = runCli(["preview", join(SAMPLES, "images.json"), "--sheet", "4by4", "-o", join(root, "bad")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--sheet must be <columns>x<rows>");
  });
});
