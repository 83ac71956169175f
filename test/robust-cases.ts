// The hostile-export scenarios shared by the property test (in-process, robust-props) and its CLI
// sample (robust-cli): which valid rows to start from, how to break them, and which format to run.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { fixturePath, HAVE_FIXTURES, SAMPLES } from "./fixtures.js";
import { applyMutation, clone, damage, mutation, render, textDamage, type Json, type Mutation, type TextDamage, type Tree } from "./robust-mutate.js";
import type { RobustCase, RobustOutcome } from "./robust-pool.js";

export { LONG } from "./fault-helpers.js";

// Small enough that every frame-sized buffer stays small, so the heap cap and the time limit bite
// on runaway allocation or work, not on an honest 16K×16K mask.
export const FUZZ_MAX_PIXELS = 2048 * 2048;

function rowsOf(path: string): Json[] {
  const v = JSON.parse(readFileSync(path, "utf8")) as Json;
  return Array.isArray(v) ? v : [v];
}

/** Valid label rows of every data type: the project's samples plus the SDK fixtures when present. */
export const ROWS: Json[] = [...rowsOf(join(SAMPLES, "images.json")), ...rowsOf(join(SAMPLES, "media.json"))];
if (HAVE_FIXTURES) {
  for (const f of [
    "image_single.json",
    "synthetic_image_donut_bitmask_rbb.json",
    "video_4_frames.json",
    "video_dynamic_attributes.json",
    "dicom_with_slice_metadata.json",
    "data_group_all_modalities.json",
    "image_group.json",
    "image_skeleton.json",
    "img_group_rotatable_boxes_nonsquare.json",
    "text_plain.json",
    "audio_objects.json",
    "export_array_video_image_imggroup.json",
  ]) {
    ROWS.push(...rowsOf(fixturePath(f)));
  }
}

export type Target = Pick<RobustCase, "format" | "formatOptions">;

/** Every format, and the options that take each down another path. */
export const TARGETS: Target[] = [
  { format: "inspect", formatOptions: {} },
  { format: "coco", formatOptions: {} },
  { format: "coco", formatOptions: { polylineAs: "keypoints", skipEmpty: true } },
  { format: "yolo", formatOptions: { task: "detect" } },
  { format: "yolo", formatOptions: { task: "segment" } },
  { format: "yolo", formatOptions: { task: "obb" } },
  { format: "yolo", formatOptions: { task: "pose" } },
  { format: "voc", formatOptions: { vocMasks: true, voidBorder: true } },
  { format: "pixel", formatOptions: { masksDir: "pngs" } },
  { format: "pixel", formatOptions: { jsonl: true, round: 2 } },
  { format: "masks", formatOptions: { maskMode: "instance" } },
  { format: "masks", formatOptions: { maskMode: "semantic" } },
];

export interface Scenario {
  rows: number[];
  mutations: Mutation[];
  damage: TextDamage;
  target: number;
  maxRowBytes: number | undefined;
}

export const scenario: fc.Arbitrary<Scenario> = fc.record({
  rows: fc.array(fc.nat({ max: ROWS.length - 1 }), { minLength: 1, maxLength: 3 }),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
  damage: textDamage,
  target: fc.nat({ max: TARGETS.length - 1 }),
  // Sometimes every row takes the huge-row (stream-json) path.
  maxRowBytes: fc.constantFrom(undefined, undefined, undefined, 0, 4096),
});

/** The export bytes and run settings of one scenario. */
export function buildCase(id: number, s: Scenario): RobustCase {
  const tree: Tree = s.rows.map((i) => clone(ROWS[i] as Json));
  for (const m of s.mutations) applyMutation(tree, m);
  const bytes = damage(Buffer.from(render(tree), "utf8"), s.damage);
  const target = TARGETS[s.target] as Target;
  return { id, bytes, ...target, maxPixels: FUZZ_MAX_PIXELS, ...(s.maxRowBytes !== undefined ? { maxRowBytes: s.maxRowBytes } : {}) };
}

/** Why an outcome breaks the promise, or undefined when it keeps it. */
export function judge(o: RobustOutcome): string | undefined {
  if (o.leftovers.length > 0) return `left behind: ${o.leftovers.join(", ")}`;
  if (o.kind === "ok") return o.exitCode === 0 ? undefined : `exit code ${o.exitCode}`;
  if (o.kind !== "input-error") return `${o.kind}: ${o.message}`;
  if (/[\r\n]/.test(o.message)) return `message is not one line: ${JSON.stringify(o.message)}`;
  // A row-level failure names its row (plus data hash, object and frame where it has them); one
  // about the document as a whole (empty, not an array, cut short between rows) names the file.
  if (!/\brow \d+\b/.test(o.message) && !o.message.includes(`in-${o.id}.json`)) return `message names neither a row nor the file: ${o.message}`;
  return undefined;
}
