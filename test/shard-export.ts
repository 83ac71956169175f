// The export the shard tests convert: generated image and video rows (bench/generate.mjs), the
// bundled samples (image groups, a video, DICOM slices, audio, text), and rows made to collide:
// titles that sanitise to one name ignoring case (so the shards see names a single run gives
// otherwise), polylines of different lengths (COCO pads them to the most vertices seen) and
// skeletons (YOLO pose pads rows to the widest class), shuffled with a fixed seed.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "../bench/generate.mjs";
import { SAMPLES, seededRandom } from "./fixtures.js";

type Row = Record<string, unknown>;

function imageRow(hash: string, title: string, objects: unknown[], size = { width: 120, height: 90 }): Row {
  return {
    label_hash: `l-${hash}`, data_hash: hash, data_title: title, data_type: "image", label_status: "LABELLED", branch_name: "main",
    data_units: { [hash]: { data_hash: hash, data_title: title, data_type: "image/jpeg", data_sequence: 0, ...size, labels: { objects, classifications: [] } } },
    object_answers: {}, object_actions: {}, classification_answers: {},
  };
}

function box(id: string): unknown {
  return { objectHash: id, featureHash: "b0xCl4s0", name: "Car", color: "#AB149E", shape: "bounding_box", boundingBox: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 } };
}

function polyline(id: string, n: number): unknown {
  const pts: Record<string, { x: number; y: number }> = {};
  for (let i = 0; i < n; i++) pts[String(i)] = { x: 0.05 + i * 0.09, y: 0.1 + (i % 3) * 0.2 };
  return { objectHash: id, featureHash: "fhLane01", name: "lane", color: "#009CE0", shape: "polyline", polyline: pts };
}

function skeleton(id: string): unknown {
  const kp = (i: number, name: string) => ({ x: 0.3 + 0.1 * i, y: 0.2 + 0.2 * i, name, value: name, featureHash: `kp${name}`, visibility: "visible" });
  return { objectHash: id, featureHash: "fhPers01", name: "person", color: "#FA28FF", shape: "skeleton", skeleton: { "0": kp(0, "head"), "1": kp(1, "hip"), "2": kp(2, "foot") } };
}

function groupRow(hash: string, title: string, members: string[]): Row {
  const units: Record<string, unknown> = {};
  members.forEach((m, i) => {
    units[`${hash}-${i}`] = { data_hash: `${hash}-${i}`, data_title: m, data_type: "image/png", data_sequence: i, width: 64, height: 48, labels: { objects: [box(`g${hash}${i}`)], classifications: [] } };
  });
  return {
    label_hash: `l-${hash}`, data_hash: hash, data_title: title, data_type: "img_group", label_status: "LABELLED", branch_name: "main",
    data_units: units, object_answers: {}, object_actions: {}, classification_answers: {},
  };
}

/** The rows made to collide, in a fixed order. */
function collidingRows(): Row[] {
  const rows: Row[] = [];
  const titles = ["dup.jpg", "DUP.jpg", "Dup.JPG", "dup.png", "d u p.jpg", "dup.jpg", "dup.jpg", "dup?.jpg"];
  titles.forEach((t, i) => rows.push(imageRow(`dup-${String(i).padStart(4, "0")}-hash`, t, [box(`dupbox${i}`)])));
  // Titles that are another item's collision name: dup_<first 8 of its data hash>, and frames' names.
  rows.push(imageRow("dupx-0001-hash", "dup_dup-0001.jpg", [box("dx1")]));
  rows.push(imageRow("clipx-001-hash", "clip_4_000003.jpg", [box("cx1")]));
  rows.push(groupRow("grpx-0001-hash", "colliding group", ["dup.jpg", "street.jpg", "photo_3.jpg"]));
  // Polylines of 3 to 9 vertices, skeletons and points in a few rows each.
  for (let i = 0; i < 7; i++) rows.push(imageRow(`line-${i}-hash`, `line_${i}.jpg`, [polyline(`pl${i}`, 3 + i), box(`plb${i}`)]));
  for (let i = 0; i < 3; i++) rows.push(imageRow(`pose-${i}-hash`, `pose_${i}.jpg`, [skeleton(`sk${i}`)]));
  // An image without a size, which every format but pixel skips.
  rows.push(imageRow("nosize-0001-hash", "nosize.jpg", [box("ns1")], { width: 0, height: 0 }));
  return rows;
}

/** Write the shard tests' export to `path` (a JSON array, a row per line); returns its rows' data hashes. */
export async function writeShardExport(path: string, dir: string): Promise<string[]> {
  const generated = join(dir, "generated.json");
  await generate({ out: generated, mb: 0.5, videoEvery: 5, frames: 12, objects: 4, vertices: 8 });
  const rows: Row[] = [
    ...(JSON.parse(readFileSync(generated, "utf8")) as Row[]),
    ...(JSON.parse(readFileSync(join(SAMPLES, "images.json"), "utf8")) as Row[]),
    ...(JSON.parse(readFileSync(join(SAMPLES, "media.json"), "utf8")) as Row[]),
    ...collidingRows(),
  ];
  const random = seededRandom(15);
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j] as Row, rows[i] as Row];
  }
  writeFileSync(path, `[\n${rows.map((r) => JSON.stringify(r)).join(",\n")}\n]\n`);
  return rows.map((r) => String(r.data_hash));
}
