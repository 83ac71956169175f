// PNG masks end to end through the CLI: every Encord SDK fixture and every sample, in both modes.
// Every PNG passes the independent validator and pngcheck, has its frame's size, and holds exactly
// the pixels masks.json says; reruns are byte-identical. The 9 real bitmasks of Encord's all-shapes
// export equal the masks in Encord's own expected COCO output, pixel for pixel and in area.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeRleString } from "../src/geometry/rle.js";
import { decodePng8 } from "../src/output/png.js";
import { FIXTURES, HAVE_FIXTURES, SAMPLES, isExport, ontologyFor } from "./fixtures.js";
import { haveValidator, runCli, tempDir, validate } from "./helpers.js";

interface Entry {
  png: string;
  item: string;
  dataHash: string;
  frame: number;
  width: number;
  height: number;
  objectHash: string | null;
  class: string | null;
  classIndex: number | null;
  shape: string | null;
  pixels: number;
  classPixels?: Record<string, number>;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(png|json)$/.test(f))
    .sort();
}

function index(dir: string): { mode: string; masks: Entry[] } {
  return JSON.parse(readFileSync(join(dir, "masks.json"), "utf8"));
}

/** Each PNG has its frame's size and exactly the pixels the index says; no PNG is unlisted. */
function checkAgainstIndex(dir: string, mode: "instance" | "semantic"): Entry[] {
  const idx = index(dir);
  expect(idx.mode).toBe(mode);
  const listed = idx.masks.map((e) => e.png).sort();
  expect(filesUnder(dir).filter((f) => f.endsWith(".png"))).toEqual(listed);
  expect(new Set(listed).size).toBe(listed.length);
  const classes = JSON.parse(readFileSync(join(dir, "classes.json"), "utf8")) as { index: number; name: string; color: string }[];
  expect(classes.map((c) => c.index)).toEqual(classes.map((_, i) => i));
  for (const e of idx.masks) {
    const p = decodePng8(readFileSync(join(dir, e.png)));
    expect([p.width, p.height]).toEqual([e.width, e.height]);
    let nonZero = 0;
    const hist = new Map<number, number>();
    for (const v of p.pixels) {
      if (v !== 0) nonZero++;
      hist.set(v, (hist.get(v) ?? 0) + 1);
    }
    expect(nonZero).toBe(e.pixels);
    if (mode === "instance") {
      expect(p.colorType).toBe(0);
      expect([...hist.keys()].every((v) => v === 0 || v === 255)).toBe(true);
      expect(classes[e.classIndex as number]?.name).toBe(e.class);
    } else {
      expect(p.colorType).toBe(3);
      const perClass = Object.fromEntries([...hist].filter(([v]) => v !== 0).sort((a, b) => a[0] - b[0]).map(([v, n]) => [String(v), n]));
      expect(e.classPixels).toEqual(perClass);
      for (const v of hist.keys()) expect(v).toBeLessThan(p.palette?.length ?? 0);
      // Every value in the file has its class's colour from the class table.
      expect(p.palette).toHaveLength(256);
      for (const v of hist.keys()) {
        const [r, g, b] = p.palette?.[v] ?? [];
        expect(`#${[r, g, b].map((x) => (x as number).toString(16).padStart(2, "0")).join("").toUpperCase()}`).toBe(classes[v]?.color);
      }
    }
  }
  return idx.masks;
}

function pngcheck(dir: string): void {
  const pngs = filesUnder(dir).filter((f) => f.endsWith(".png")).map((f) => join(dir, f));
  if (pngs.length === 0 || spawnSync("pngcheck", ["-h"]).error) return;
  const r = spawnSync("pngcheck", ["-q", ...pngs]);
  expect(r.status, r.stdout.toString()).toBe(0);
}

function expectValid(dir: string, binary: boolean): void {
  if (!haveValidator()) return;
  const v = validate(dir, binary ? ["--binary-masks"] : []);
  expect(v.stdout, v.stdout).toMatch(/RESULT: PASS \(0 errors/);
  expect(v.code).toBe(0);
}

function sameFiles(a: string, b: string): void {
  const fa = filesUnder(a);
  expect(filesUnder(b)).toEqual(fa);
  for (const f of fa) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
}

/** Convert in one mode twice ("masks" in the path makes the validator treat the PNGs as masks). */
function convertBoth(input: string, extra: string[], work: string, mode: "instance" | "semantic"): string {
  const a = join(work, mode, "a", "masks");
  const b = join(work, mode, "b", "masks");
  for (const out of [a, b]) {
    const r = runCli(["masks", input, ...extra, "--mode", mode, "-o", out, "-q"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }
  sameFiles(a, b);
  return a;
}

describe.skipIf(!HAVE_FIXTURES)("masks conformance: every Encord SDK fixture", () => {
  const work = tempDir("masks-conf-");
  const files = HAVE_FIXTURES ? readdirSync(FIXTURES).filter(isExport).sort() : [];

  for (const file of files) {
    it(`${file}: instance and semantic, validated, as indexed, reruns byte-identical`, () => {
      const ontology = ontologyFor(file);
      const extra = ontology ? ["--ontology", ontology] : [];
      const input = join(FIXTURES, file);
      const dir = join(work, file.replace(/\.json$/, ""));
      for (const mode of ["instance", "semantic"] as const) {
        const out = convertBoth(input, extra, dir, mode);
        checkAgainstIndex(out, mode);
        pngcheck(out);
        if (index(out).masks.length > 0) expectValid(join(dir, mode), mode === "instance");
      }
    });
  }

  it("the 9 real bitmasks equal Encord's expected COCO masks pixel for pixel, and their areas", () => {
    const dir = join(work, "coco_exporter_input_all_shapes", "instance", "a", "masks");
    const entries = index(dir).masks.filter((e) => e.shape === "bitmask");
    expect(entries).toHaveLength(9);
    const expected = JSON.parse(readFileSync(join(FIXTURES, "coco_exporter_expected_output.json"), "utf8")) as {
      images: { id: number; file_name: string }[];
      annotations: { image_id: number; area: number; segmentation: { size?: [number, number]; counts?: string } | unknown[]; attributes: { encord_track_uuid: string } }[];
    };
    const rles = expected.annotations.filter((a) => !Array.isArray(a.segmentation) && typeof (a.segmentation as { counts?: string }).counts === "string");
    expect(rles).toHaveLength(9);
    for (const a of rles) {
      const file = expected.images.find((i) => i.id === a.image_id)?.file_name ?? "";
      const parts = file.split("/");
      const dataHash = parts[0] === "images" ? (parts[1] ?? "").replace(/\.\w+$/, "") : (parts[1] ?? "");
      const frame = parts[0] === "videos" ? Number((parts[2] ?? "").replace(/\.jpg$/, "")) : undefined;
      const matches = entries.filter((e) => e.objectHash === a.attributes.encord_track_uuid && e.dataHash === dataHash && (frame === undefined || e.frame === frame));
      expect(matches, `${a.attributes.encord_track_uuid} in ${file}`).toHaveLength(1);
      const e = matches[0] as Entry;
      expect(e.pixels).toBe(a.area);
      // COCO's counts are column-major over [h, w]: decode them independently of our row-major path.
      const seg = a.segmentation as { size: [number, number]; counts: string };
      const [h, w] = seg.size;
      const col = new Uint8Array(w * h);
      let pos = 0;
      decodeRleString(seg.counts).forEach((n, i) => {
        if (i % 2 === 1) col.fill(1, pos, pos + n);
        pos += n;
      });
      const p = decodePng8(readFileSync(join(dir, e.png)));
      expect([p.width, p.height]).toEqual([w, h]);
      let diff = 0;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((p.pixels[y * w + x] === 255 ? 1 : 0) !== col[x * h + y]) diff++;
      expect(diff).toBe(0);
    }
  });

  it("Encord's own donut: on its 4x3 image the only pixel centre inside the outline lies in the hole, so the mask is empty", () => {
    const dir = join(work, "synthetic_image_donut_bitmask_rbb", "instance", "a", "masks");
    const donut = index(dir).masks.find((e) => e.objectHash === "donutObj");
    expect(donut?.pixels).toBe(0);
    const r = runCli(["masks", join(FIXTURES, "synthetic_image_donut_bitmask_rbb.json"), "-o", join(work, "donut-report"), "-q", "--report", join(work, "donut.json")]);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(work, "donut.json"), "utf8")) as { notes: { outcome: string; what: string; count: number }[] };
    expect(report.notes).toContainEqual(expect.objectContaining({ outcome: "approximated", what: "polygon", count: 1 }));
  });
});

describe("masks conformance: the samples", () => {
  const work = tempDir("masks-samples-");
  const ontology = join(SAMPLES, "ontology.json");

  it("both samples, both modes: validated, as indexed, reruns byte-identical", () => {
    for (const mode of ["instance", "semantic"] as const) {
      const dir = join(work, "both");
      const out = convertBoth(join(SAMPLES, "images.json"), [join(SAMPLES, "media.json"), "--ontology", ontology], dir, mode);
      const entries = checkAgainstIndex(out, mode);
      pngcheck(out);
      expectValid(join(dir, mode), mode === "instance");
      if (mode === "instance") expect(entries).toHaveLength(15);
      else expect(entries).toHaveLength(10); // every image-like item, the empty one too
    }
  });

  it("the polygon with a hole (and a second part) on the 640x480 street: the hole stays empty", () => {
    const out = join(work, "both", "instance", "a", "masks");
    const e = index(out).masks.find((m) => m.objectHash === "bldg0001") as Entry;
    const p = decodePng8(readFileSync(join(out, e.png)));
    const at = (x: number, y: number): number => p.pixels[y * 640 + x] as number;
    // outer ring x 32..224, y 24..216 (pixels 32..223, 24..215); hole x 96..160, y 72..144
    expect(at(32, 24)).toBe(255);
    expect(at(223, 215)).toBe(255);
    expect(at(95, 100)).toBe(255);
    for (let y = 72; y < 144; y++) for (let x = 96; x < 160; x++) expect(at(x, y)).toBe(0);
    expect(at(160, 100)).toBe(255);
    // 192*192 - 64*72 for the holed square, plus the triangle (256,288) (320,288) (288,336): 1536
    expect(e.pixels).toBe(192 * 192 - 64 * 72 + 1536);
  });

  it("semantic: the building's class value fills its polygon, with the hole at 0", () => {
    const out = join(work, "both", "semantic", "a", "masks");
    const e = index(out).masks.find((m) => m.item === "street") as Entry;
    const p = decodePng8(readFileSync(join(out, e.png)));
    const classes = JSON.parse(readFileSync(join(out, "classes.json"), "utf8")) as { index: number; name: string }[];
    const building = classes.find((c) => c.name === "building")?.index as number;
    expect(p.pixels[100 * 640 + 40]).toBe(building);
    // (120, 80) is in the hole and under no other object; (120, 100) is in the hole and under the car box.
    expect(p.pixels[80 * 640 + 120]).toBe(0);
    expect(p.pixels[100 * 640 + 120]).toBe(classes.find((c) => c.name === "car")?.index);
  });
});

describe("masks: usage and bad input never give a stack trace", () => {
  const work = tempDir("masks-errors-");
  it("-o - is refused: masks are a folder", () => {
    const r = runCli(["masks", join(SAMPLES, "images.json"), "-o", "-"]);
    expect(r.code).toBe(2); // a usage error, caught by the CLI before the writer runs
    expect(r.stderr).toMatch(/^encord-convert: error: masks writes a folder; give -o <folder>/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("--mode must be instance or semantic", () => {
    const r = runCli(["masks", join(SAMPLES, "images.json"), "-o", join(work, "m"), "--mode", "panoptic"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--mode <mode>.*unknown value "panoptic"/);
  });

  it("--strict with a point in the export: exit 3 and no folder", () => {
    const out = join(work, "strict");
    const r = runCli(["masks", join(SAMPLES, "images.json"), "-o", out, "--strict", "-q"]);
    expect(r.code).toBe(3);
    expect(readdirSync(work)).not.toContain("strict");
  });
});
