// Mask writing throughput at 1920x1080: masks per second through the masks writer (rasterise or
// paste, 8-bit PNG encode, file write, index line), per shape and mode. Needs `npm run build` first.
//   node bench/masks-throughput.mjs [objects per kind, default 300]
// Synthetic but realistic masks: a bitmask blob (an ellipse covering ~6% of the frame, as Encord's
// rleString), a 40-vertex polygon with a hole, a box and a rotated box, spread over the frame.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { maskToRuns } from "../dist/geometry/rle.js";
import { Report } from "../dist/report.js";
import { MasksWriter } from "../dist/writers/masks.js";

const W = 1920;
const H = 1080;
const N = Number(process.argv[2] ?? 300);

function ellipseRuns(cx, cy, rx, ry) {
  const m = new Uint8Array(W * H);
  for (let y = Math.max(0, cy - ry); y < Math.min(H, cy + ry); y++) {
    for (let x = Math.max(0, cx - rx); x < Math.min(W, cx + rx); x++) {
      if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) m[y * W + x] = 1;
    }
  }
  return Uint32Array.from(maskToRuns(m));
}

function star(cx, cy, r, n = 40) {
  const ring = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const rr = i % 2 === 0 ? r : r * 0.7;
    ring.push(cx + rr * Math.cos(a), cy + rr * Math.sin(a));
  }
  const hole = [cx - r / 4, cy - r / 4, cx + r / 4, cy - r / 4, cx + r / 4, cy + r / 4, cx - r / 4, cy + r / 4];
  return [[ring, hole]];
}

function geometryFor(kind, k) {
  const cx = 200 + ((k * 97) % (W - 400));
  const cy = 150 + ((k * 61) % (H - 300));
  switch (kind) {
    case "bitmask":
      return { kind: "mask", mask: { width: W, height: H, left: 0, top: 0, counts: ellipseRuns(cx, cy, 180, 120) } };
    case "polygon":
      return { kind: "polygon", polygons: star(cx, cy, 150) };
    case "box":
      return { kind: "box", x: cx - 150, y: cy - 100, w: 300, h: 200 };
    case "rotated-box":
      return { kind: "rotated-box", x: cx - 150, y: cy - 100, w: 300, h: 200, degrees: 30 };
  }
}

function rowOf(kind, objects, perItem) {
  const items = [];
  for (let i = 0; i < objects.length; i += perItem) {
    const n = items.length;
    items.push({
      key: `${kind}-${n}`,
      stem: `${kind}-${n}`,
      ext: ".jpg",
      nameHint: `${kind}-${n}`,
      width: W,
      height: H,
      source: { row: 0, labelHash: "L", dataHash: `${kind}-${n}`, rowDataHash: "R", dataTitle: "t", rowTitle: "t", dataType: "image", media: "image", frame: 0 },
      objects: objects.slice(i, i + perItem),
      classifications: [],
    });
  }
  return {
    meta: { index: 0, labelHash: "L", dataHash: "R", dataTitle: "t", dataType: "image", labelStatus: "", branchName: "", datasetHash: "", datasetTitle: "" },
    items,
    rangeObjects: [],
    rowClassifications: [],
    problems: [],
    part: 0,
    lastPart: true,
  };
}

async function measure(kind, mode, geometries) {
  const objects = geometries.map((geometry, k) => ({
    objectHash: `o${k}`,
    featureHash: "f",
    name: "thing",
    shape: kind,
    geometry,
    attributes: [],
    confidence: 1,
    manual: true,
    category: k % 3,
  }));
  const dir = mkdtempSync(join(tmpdir(), "masks-bench-"));
  const categories = [0, 1, 2].map((i) => ({ index: i, key: `f${i}`, name: `c${i}`, shape: kind }));
  const ctx = { outDir: join(dir, "out"), tempDir: dir, options: { maskMode: mode }, report: new Report("masks"), categories: { list: () => categories, fixed: true } };
  const w = new MasksWriter();
  await w.open(ctx);
  // Semantic: 5 objects per image; instance: one PNG per object either way.
  const row = rowOf(kind, objects, mode === "semantic" ? 5 : 10);
  const t0 = process.hrtime.bigint();
  await w.write(row);
  await w.close();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  rmSync(dir, { recursive: true, force: true });
  const pngs = mode === "semantic" ? row.items.length : objects.length;
  return { kind, mode, pngs, seconds: s, perSecond: pngs / s };
}

const kinds = ["bitmask", "polygon", "box", "rotated-box"];
console.log(`masks at ${W}x${H}, ${N} objects per shape (node ${process.version})`);
for (const mode of ["instance", "semantic"]) {
  for (const kind of kinds) {
    const geometries = Array.from({ length: N }, (_, k) => geometryFor(kind, k));
    await measure(kind, mode, geometries.slice(0, 10)); // warm up
    const r = await measure(kind, mode, geometries);
    const unit = mode === "semantic" ? "semantic PNGs (5 objects each)" : "instance PNGs";
    console.log(`${mode.padEnd(8)} ${kind.padEnd(11)} ${r.perSecond.toFixed(0).padStart(5)} ${unit}/s  (${r.pngs} in ${r.seconds.toFixed(2)} s)`);
  }
}
