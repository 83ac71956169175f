// The dataset files of a YOLO output: data.yaml (Ultralytics), classes.txt (LabelImg), and the pose
// keypoint layout (kpt_shape, flip_idx). Pure functions over the final class list and the splits seen.
import type { Category } from "../model.js";
import { DEFAULT_SPLIT } from "./common.js";
import type { YoloTask } from "./yolo-lines.js";

/**
 * A class name as YOLO files can hold it: line breaks (every separator Python's splitlines knows)
 * become spaces and the ends are trimmed, so classes.txt has one name per line and agrees with
 * data.yaml; an empty name becomes `class_<index>`; unpaired surrogates become U+FFFD.
 */
export function yoloClassName(name: string, index: number): string {
  const s = name
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
    .replace(/[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+/g, " ")
    .trim();
  return s === "" ? `class_${index}` : s;
}

/**
 * A YAML double-quoted scalar that PyYAML reads back as the same string: backslash and quote escaped,
 * every character YAML does not allow raw (controls, DEL, C1, U+FFFE/FFFF) as an escape.
 */
export function yamlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0xfffe || c === 0xffff) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The mirror of a keypoint name (left <-> right, l <-> r as a separate token), lower case. */
export function mirrorNames(name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  const swapped = lower.replace(/left|right/g, (m) => (m === "left" ? "right" : "left"));
  if (swapped !== lower) out.push(swapped);
  const tokens = lower.replace(/(^|[\s_.\-])([lr])(?=$|[\s_.\-])/g, (_m, sep: string, side: string) => sep + (side === "l" ? "r" : "l"));
  if (tokens !== lower) out.push(tokens);
  return out;
}

/**
 * flip_idx for one keypoint list: i <-> j when name j is the left/right mirror of name i (and the
 * pairing is unique), every other index maps to itself. An involution by construction.
 */
export function flipIndex(names: readonly string[]): number[] {
  const byName = new Map<string, number[]>();
  names.forEach((n, i) => {
    const key = n.toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), i]);
  });
  const flip = names.map((_n, i) => i);
  names.forEach((n, i) => {
    if ((byName.get(n.toLowerCase())?.length ?? 0) !== 1) return; // ambiguous name: leave it
    for (const m of mirrorNames(n)) {
      const js = byName.get(m);
      if (js && js.length === 1 && js[0] !== i) {
        flip[i] = js[0] as number;
        return;
      }
    }
  });
  // Keep only pairs that agree both ways.
  return flip.map((j, i) => (flip[j] === i ? j : i));
}

/** Keypoints of a class: its keypoint names, 1 for a point class with none, else 0. */
export function classKeypointCount(c: Category): number {
  if (c.keypoints) return c.keypoints.length;
  return c.shape === "point" ? 1 : 0;
}

/**
 * kpt_shape[0] and flip_idx for the classes: k is the largest keypoint count (at least `seen` and 1);
 * flip_idx pairs left/right names when every class that has keypoints agrees, else identity.
 */
export function poseLayout(categories: readonly Category[], seen: number): { k: number; flip: number[] } {
  let k = Math.max(1, seen);
  for (const c of categories) k = Math.max(k, classKeypointCount(c));
  const identity = Array.from({ length: k }, (_v, i) => i);
  let flip: number[] | null = null;
  for (const c of categories) {
    if (!c.keypoints || c.keypoints.length === 0) continue;
    const own = flipIndex(c.keypoints);
    const full = identity.map((i) => (i < own.length ? (own[i] as number) : i));
    if (flip === null) flip = full;
    else if (flip.some((v, i) => v !== full[i])) return { k, flip: identity };
  }
  return { k, flip: flip ?? identity };
}

/** The YAML key a split goes under ("valid"/"validation" read as val), or its own name. */
function splitKey(split: string, present: ReadonlySet<string>): string {
  if ((split === "valid" || split === "validation") && !present.has("val")) return "val";
  return split;
}

export interface DataYamlInput {
  task: YoloTask;
  splits: ReadonlySet<string>; // splits that received items
  names: readonly string[]; // already made safe by yoloClassName
  pose?: { k: number; flip: number[] };
}

/**
 * data.yaml: no `path` (Ultralytics then uses the YAML's own folder), train/val/test pointing at
 * images/<split>, names as an {index: name} map, nc, and for pose kpt_shape [k, 3] and flip_idx.
 * Ultralytics requires val: without a val split it points at the train images (said in a comment).
 */
export function dataYaml(input: DataYamlInput): string {
  const lines = [`# Ultralytics YOLO ${input.task} dataset written by encord-convert. Paths are relative to this file.`];
  const order = [...input.splits].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const keys = new Map<string, string>(); // yaml key -> folder
  for (const s of order) {
    const key = splitKey(s, input.splits);
    if (!keys.has(key)) keys.set(key, `images/${s}`);
  }
  if (!keys.has("train")) {
    lines.push(`# No "${DEFAULT_SPLIT}" split: train points at an empty folder.`);
    keys.set("train", `images/${DEFAULT_SPLIT}`);
  }
  if (!keys.has("val")) {
    lines.push("# No val split: val points at the train images (Ultralytics requires val).");
    keys.set("val", keys.get("train") as string);
  }
  const extra = [...keys.keys()].filter((k) => k !== "train" && k !== "val" && k !== "test");
  if (extra.length > 0) lines.push(`# Ultralytics reads only train, val and test; also written: ${extra.join(", ")}.`);
  for (const key of ["train", "val", "test", ...extra]) {
    const folder = keys.get(key);
    if (folder !== undefined) lines.push(`${yamlKey(key)}: ${folder}`);
  }
  lines.push(`nc: ${input.names.length}`);
  if (input.names.length === 0) lines.push("names: []");
  else {
    lines.push("names:");
    input.names.forEach((n, i) => lines.push(`  ${i}: ${yamlString(n)}`));
  }
  if (input.pose) {
    lines.push(`kpt_shape: [${input.pose.k}, 3]`);
    lines.push(`flip_idx: [${input.pose.flip.join(", ")}]`);
  }
  return `${lines.join("\n")}\n`;
}

function rank(split: string): number {
  const i = ["train", "val", "valid", "validation", "test"].indexOf(split);
  return i < 0 ? 9 : i;
}

/** Split names are [A-Za-z0-9_-]+; quote any that YAML would read as something other than a string. */
function yamlKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) && !/^(y|n|yes|no|true|false|on|off|null)$/i.test(key) ? key : yamlString(key);
}

/** classes.txt (LabelImg): one name per line, in index order. */
export function classesTxt(names: readonly string[]): string {
  return names.map((n) => `${n}\n`).join("");
}
