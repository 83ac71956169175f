// Parity with Encord's own COCO exporter (encord-client-python CocoExporter, the expected outputs in
// the SDK's tests): annotation by annotation, bbox, area, polygon vertices and mask pixels agree
// within 1e-6 relative, except where docs/coco.md says we differ on purpose:
//   ids from 1 (Encord: 0); bitmasks iscrowd 0 (Encord: 1); rotated boxes as their rotated corners
//   and the corners' extent (Encord: the unrotated box); points and skeletons get a bbox of the
//   labelled points widened to >= 1 px with a 4-corner segmentation and area = bbox area (Encord:
//   0-size bbox, area 0, empty or 1-point segmentation); v=0 keypoints written as 0,0,0 and not
//   counted in num_keypoints; polylines skipped and reported (Encord: a zero-area out-and-back
//   polygon); attribute layout.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeRleString, runsToMask } from "../src/geometry/rle.js";
import { cocoShape } from "../src/writers/coco-shapes.js";
import { extent, rotatedCorners } from "../src/geometry/shapes.js";
import { FIXTURES, HAVE_FIXTURES } from "./fixtures.js";
import { runCli, tempDir } from "./helpers.js";

interface Ann {
  id: number;
  image_id: number;
  category_id: number;
  bbox: number[];
  area: number;
  iscrowd: number;
  segmentation: number[][] | { size: number[]; counts: string };
  keypoints?: number[] | null;
  num_keypoints?: number | null;
  attributes: Record<string, unknown>;
}

interface Coco {
  images: { id: number; file_name: string; width: number; height: number; encord?: { data_hash: string } }[];
  annotations: Ann[];
  categories: { id: number; name: string; supercategory: string }[];
}

const REL = 1e-6;

function near(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= REL * Math.max(1, Math.abs(expected));
}

function expectNear(actual: readonly number[] | undefined, expected: readonly number[], what: string): void {
  expect(actual, what).toBeDefined();
  expect(actual?.length, what).toBe(expected.length);
  expected.forEach((v, i) => expect(near(actual?.[i] as number, v), `${what}[${i}]: ${actual?.[i]} vs ${v}`).toBe(true));
}

interface Outcome {
  compared: Record<string, number>;
  polylinesSkipped: number;
}

/** Convert with our CLI and compare with Encord's expected COCO, annotation by annotation. */
function compareWithEncord(input: string, ontology: string, expectedFile: string, work: string): Outcome {
  const out = join(work, expectedFile);
  const reportPath = join(work, `${expectedFile}.report.json`);
  const r = runCli(["coco", join(FIXTURES, input), "--ontology", join(FIXTURES, ontology), "-o", out, "-q", "--report", reportPath]);
  expect(r.code, r.stderr).toBe(0);
  const ours = JSON.parse(readFileSync(join(out, "annotations.json"), "utf8")) as Coco;
  const theirs = JSON.parse(readFileSync(join(FIXTURES, expectedFile), "utf8")) as Coco;
  const report = JSON.parse(readFileSync(reportPath, "utf8")) as { notes: { what: string; outcome: string; count: number }[] };

  // Images: the same items in the same order; Encord's ids start at 0, ours at 1.
  expect(ours.images.length).toBe(theirs.images.length);
  theirs.images.forEach((im, k) => {
    const mine = ours.images[k];
    expect(mine?.id).toBe(im.id + 1);
    expect(im.file_name).toContain(mine?.encord?.data_hash ?? "?");
    expect([mine?.width, mine?.height]).toEqual([im.width, im.height]);
  });
  // Categories: ontology order, ids from 1 in both; names equal.
  expect(ours.categories.map((c) => [c.id, c.name, c.supercategory])).toEqual(theirs.categories.map((c) => [c.id, c.name, c.supercategory]));
  const shapeOf = new Map(theirs.categories.map((c) => [c.id, c.supercategory]));

  const byKey = new Map<string, Ann>();
  for (const a of ours.annotations) byKey.set(`${a.image_id}/${String(a.attributes.object_hash)}`, a);
  const compared: Record<string, number> = {};
  let polylines = 0;
  for (const t of theirs.annotations) {
    const shape = shapeOf.get(t.category_id) ?? "?";
    const key = `${t.image_id + 1}/${String(t.attributes.encord_track_uuid)}`;
    const mine = byKey.get(key);
    const what = `${shape} ${key}`;
    if (shape === "polyline") {
      expect(mine, what).toBeUndefined();
      polylines++;
      continue;
    }
    expect(mine, what).toBeDefined();
    if (!mine) continue;
    expect(mine.category_id).toBe(t.category_id);
    expect(mine.iscrowd).toBe(0);
    compared[shape] = (compared[shape] ?? 0) + 1;
    switch (shape) {
      case "bounding_box":
      case "polygon":
        expectNear(mine.bbox, t.bbox, `${what} bbox`);
        expect(near(mine.area, t.area), `${what} area ${mine.area} vs ${t.area}`).toBe(true);
        expect((mine.segmentation as number[][]).length).toBe((t.segmentation as number[][]).length);
        (t.segmentation as number[][]).forEach((ring, i) => expectNear((mine.segmentation as number[][])[i], ring, `${what} ring ${i}`));
        break;
      case "bitmask": {
        expectNear(mine.bbox, t.bbox, `${what} bbox`);
        expect(mine.area).toBe(t.area);
        const a = mine.segmentation as { size: number[]; counts: string };
        const b = t.segmentation as { size: number[]; counts: string };
        expect(a.size).toEqual(b.size);
        expect(decodeRleString(a.counts)).toEqual(decodeRleString(b.counts)); // the same pixels, run for run
        expect(t.iscrowd).toBe(1); // Encord marks bitmasks as crowds; ours are single objects
        break;
      }
      case "rotatable_bounding_box": {
        // Encord writes the unrotated box and the angle; ours are that box's rotated corners.
        const [x, y, w, h] = t.bbox as [number, number, number, number];
        const rotation = t.attributes.rotation as number;
        const corners = rotatedCorners(x, y, w, h, rotation);
        expectNear((mine.segmentation as number[][])[0], corners, `${what} corners`);
        const e = extent(corners);
        expectNear(mine.bbox, [e?.x ?? 0, e?.y ?? 0, e?.w ?? 0, e?.h ?? 0], `${what} bbox`);
        expect(near(mine.area, t.area), `${what} area`).toBe(true);
        expect(mine.attributes.rotation).toBe(rotation);
        break;
      }
      case "point": {
        expectNear(mine.keypoints ?? undefined, t.keypoints as number[], `${what} keypoints`);
        expect(mine.num_keypoints).toBe(1);
        // Encord: a 0-size bbox at the point; ours: 1 px centred on it.
        expectNear([(mine.bbox[0] as number) + 0.5, (mine.bbox[1] as number) + 0.5, mine.bbox[2] as number, mine.bbox[3] as number], [t.bbox[0] as number, t.bbox[1] as number, 1, 1], `${what} bbox`);
        break;
      }
      case "skeleton": {
        const tk = t.keypoints as number[];
        const mk = mine.keypoints as number[];
        expect(mk.length).toBe(tk.length);
        const labelled: number[] = [];
        for (let i = 0; i < tk.length; i += 3) {
          const v = tk[i + 2] as number;
          if (v === 0) expect(mk.slice(i, i + 3), `${what} point ${i / 3}`).toEqual([0, 0, 0]);
          else {
            expectNear(mk.slice(i, i + 3), tk.slice(i, i + 3), `${what} point ${i / 3}`);
            labelled.push(tk[i] as number, tk[i + 1] as number);
          }
        }
        expect(mine.num_keypoints).toBe(labelled.length / 2);
        const e = extent(labelled);
        expectNear(mine.bbox, [e?.x ?? 0, e?.y ?? 0, e?.w ?? 0, e?.h ?? 0], `${what} bbox`);
        break;
      }
      default:
        throw new Error(`unexpected shape ${shape}`);
    }
  }
  // Every annotation we wrote is one Encord wrote too.
  expect(ours.annotations.length).toBe(theirs.annotations.length - polylines);
  const skipped = report.notes.find((n) => n.what === "polyline" && n.outcome === "skipped")?.count ?? 0;
  expect(skipped).toBe(polylines);
  return { compared, polylinesSkipped: polylines };
}

describe.skipIf(!HAVE_FIXTURES)("COCO parity with Encord's own exporter", () => {
  const work = tempDir("coco-parity-");

  it("coco_exporter_input_all_shapes.json matches coco_exporter_expected_output.json", () => {
    const r = compareWithEncord("coco_exporter_input_all_shapes.json", "coco_exporter_ontology.json", "coco_exporter_expected_output.json", work);
    expect(r.compared).toEqual({ bounding_box: 10, rotatable_bounding_box: 9, polygon: 9, bitmask: 9, point: 9, skeleton: 9 });
    expect(r.polylinesSkipped).toBe(9);
  });

  it("video_4_frames.json matches video_4_frames_expected_coco.json", () => {
    const r = compareWithEncord("video_4_frames.json", "video_4_frames_ontology.json", "video_4_frames_expected_coco.json", work);
    expect(r.compared).toEqual({ bounding_box: 7, point: 1 });
  });

  it("polygons with holes: our RLE (pixel-centre rule) and Encord's differ only along the boundary", () => {
    const cases = JSON.parse(readFileSync(join(FIXTURES, "coco_exporter_multipolygon_cases.json"), "utf8")) as Record<string, unknown>;
    const W = cases.image_width as number;
    const H = cases.image_height as number;
    for (const name of ["MULTIPOLYGON", "MULTIPOLYGON_WITH_ENCLOSED_POLYGONS"]) {
      const polygons = (cases[name] as number[][][]).map((p) => p.map((r) => r.map((v, i) => (i % 2 === 0 ? v * W : v * H))));
      const r = cocoShape({ kind: "polygon", polygons }, { width: W, height: H });
      const seg = r.shape?.segmentation as { size: number[]; counts: string };
      expect(seg.size).toEqual([H, W]);
      const expected = cases[`${name}_EXPECTED_COCO_SEGMENTATION`] as { size: number[]; counts: string | number[] };
      expect(expected.size).toEqual([H, W]);
      const ours = runsToMask(decodeRleString(seg.counts), W * H); // both column-major
      const theirs = runsToMask(typeof expected.counts === "string" ? decodeRleString(expected.counts) : expected.counts, W * H);
      let both = 0;
      let either = 0;
      let farFromEdge = 0;
      for (let i = 0; i < ours.length; i++) {
        if (ours[i] && theirs[i]) both++;
        if (ours[i] || theirs[i]) either++;
        if (ours[i] === theirs[i]) continue;
        // A differing pixel must lie within 2 px of our mask's boundary.
        const x = Math.floor(i / H);
        const y = i % H;
        let edge = false;
        for (let dx = -2; dx <= 2 && !edge; dx++) {
          for (let dy = -2; dy <= 2 && !edge; dy++) {
            const xx = x + dx;
            const yy = y + dy;
            if (xx >= 0 && yy >= 0 && xx < W && yy < H && ours[xx * H + yy] !== ours[i]) edge = true;
          }
        }
        if (!edge) farFromEdge++;
      }
      expect(farFromEdge, name).toBe(0);
      expect(both / either, name).toBeGreaterThan(0.99);
      // The area stays the shoelace area (holes subtracted), not a pixel count.
      expect(r.shape?.area).toBeGreaterThan(0);
    }
  });
});
