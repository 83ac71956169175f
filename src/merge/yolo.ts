// YOLO merge: the shards' label files (and placed images) united under labels/<split>/ and
// images/<split>/, renamed where a single run names an item differently, pose rows padded to the
// merged keypoint count; data.yaml and classes.txt written from the merged classes and splits.
// With --no-copy, only data.yaml and classes.txt are written, their train/val/test listing each
// shard's image folders (Ultralytics reads a list of folders and finds labels beside them).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, sep, dirname } from "node:path";
import { DEFAULT_SPLIT, uniqueClassNames } from "../writers/common.js";
import { classesTxt, dataYaml, poseLayout, yamlString, yoloClassName } from "../writers/yolo-dataset.js";
import { missingKeypoint, quantizer } from "../writers/yolo-lines.js";
import { DEFAULT_PRECISION } from "../writers/yolo.js";
import type { MergeContext } from "./context.js";
import { copyFolder } from "./files.js";
import { MergeRefusal } from "./shards.js";

function splitsOf(facts: Record<string, unknown>): string[] {
  return Array.isArray(facts.splits) ? facts.splits.map(String) : [];
}

export async function mergeYolo(ctx: MergeContext): Promise<void> {
  const task = ctx.options.task ?? "detect";
  const q = quantizer(ctx.options.precision ?? DEFAULT_PRECISION);
  const names = uniqueClassNames(ctx.categories.map((c, i) => ({ ...c, name: yoloClassName(c.name, i) })));
  const splits = new Set<string>();
  let rowPoints = 0;
  for (const s of ctx.shards) {
    for (const sp of splitsOf(s.manifest.facts)) splits.add(sp);
    rowPoints = Math.max(rowPoints, Number(s.manifest.facts.rowPoints ?? 0));
  }
  const pose = task === "pose" ? poseLayout(ctx.categories, rowPoints) : undefined;
  if (ctx.noCopy) {
    writeNoCopy(ctx, splits, names, task, pose);
    return;
  }
  const want = pose ? 5 + 3 * pose.k : 0;
  const pad = ` ${missingKeypoint(q)}`;
  // Rows written before a wider class appeared (in this shard or another) are padded, as a single run pads them.
  const padRows = (src: string, dest: string): boolean => {
    if (!pose) return false;
    const text = readFileSync(src, "utf8");
    if (text === "") return false;
    let changed = false;
    const out = text.split("\n").map((line) => {
      if (line === "") return line;
      const fields = line.split(" ").length;
      if (fields >= want) return line;
      changed = true;
      return line + pad.repeat((want - fields) / 3);
    });
    if (!changed) return false;
    writeFileSync(dest, out.join("\n"), { flag: "wx" });
    return true;
  };
  ctx.shards.forEach((s, k) => {
    const n = ctx.names[k];
    for (const split of splitsOf(s.manifest.facts)) {
      copyFolder(join(s.root, "labels", split), join(ctx.out, "labels", split), (f) => n?.file(f, ".txt") ?? f, { write: padRows });
    }
    copyFolder(join(s.root, "images"), join(ctx.out, "images"), (f) => n?.media(f) ?? f, { deep: true });
  });
  // The folders a single run makes: each split's, and images/train that data.yaml may point at.
  if (splits.size === 0) splits.add(DEFAULT_SPLIT);
  for (const split of splits) {
    mkdirSync(join(ctx.out, "labels", split), { recursive: true });
    mkdirSync(join(ctx.out, "images", split), { recursive: true });
  }
  mkdirSync(join(ctx.out, "images", DEFAULT_SPLIT), { recursive: true });
  writeFileSync(join(ctx.out, "data.yaml"), dataYaml({ task, splits, names, pose }));
  writeFileSync(join(ctx.out, "classes.txt"), classesTxt(names));
}

/** data.yaml whose train/val/test list every shard's image folder of that split, relative to it. */
function writeNoCopy(ctx: MergeContext, splits: ReadonlySet<string>, names: readonly string[], task: string, pose: { k: number; flip: number[] } | undefined): void {
  if (pose) {
    const ks = new Set(ctx.shards.map((s) => Number(s.manifest.facts.rowPoints ?? 0)));
    if (ks.size > 1) throw new MergeRefusal("--no-copy: the shards' pose rows hold different numbers of keypoints; merge without --no-copy to pad them");
  }
  const base = dirname(join(ctx.finalPath, "data.yaml"));
  const folders = (split: string): string[] =>
    ctx.shards.filter((s) => splitsOf(s.manifest.facts).includes(split)).map((s) => relative(base, join(s.root, "images", split)).split(sep).join("/"));
  const keys = new Map<string, string[]>();
  for (const split of [...splits].sort()) {
    const key = split === "valid" || split === "validation" ? "val" : split;
    keys.set(key, [...(keys.get(key) ?? []), ...folders(split)]);
  }
  const lines = [`# Ultralytics YOLO ${task} dataset: the shards of one encord-convert run, listed in place (merge --no-copy).`];
  if (!keys.has("train")) keys.set("train", []);
  if (!keys.has("val") || (keys.get("val") ?? []).length === 0) {
    lines.push("# No val split: val lists the train folders (Ultralytics requires val).");
    keys.set("val", keys.get("train") ?? []);
  }
  const list = (xs: string[]): string => `[${xs.map(yamlString).join(", ")}]`;
  for (const key of ["train", "val", "test", ...[...keys.keys()].filter((k) => !["train", "val", "test"].includes(k))]) {
    const xs = keys.get(key);
    if (xs !== undefined) lines.push(`${key}: ${list(xs)}`);
  }
  lines.push(`nc: ${names.length}`);
  if (names.length === 0) lines.push("names: []");
  else {
    lines.push("names:");
    names.forEach((n, i) => lines.push(`  ${i}: ${yamlString(n)}`));
  }
  if (pose) {
    lines.push(`kpt_shape: [${pose.k}, 3]`);
    lines.push(`flip_idx: [${pose.flip.join(", ")}]`);
  }
  writeFileSync(join(ctx.out, "data.yaml"), `${lines.join("\n")}\n`);
  writeFileSync(join(ctx.out, "classes.txt"), classesTxt(names));
}
