// Train/val/test assignment by a hash of the asset's data hash and a seed: stable across
// re-exports and runs, and every frame of a video (every image of a group) lands in one split.
import { createHash } from "node:crypto";
import { UsageError } from "./model.js";
import { didYouMean } from "./suggest.js";

export interface SplitSpec {
  parts: { name: string; weight: number }[]; // weights sum to 1
  seed: number;
  text?: string; // as given, for the report
}

/** The split names every format knows (YOLO's data.yaml keys, VOC's image sets, COCO file names). */
export const SPLIT_NAMES: readonly string[] = ["train", "val", "test"];
/** Other spellings people use for val (Roboflow writes "valid"). */
export const SPLIT_ALIASES: Readonly<Record<string, string>> = { valid: "val", validation: "val" };

/** Parse "train=0.8,val=0.1,test=0.1" (weights are normalised to sum to 1). Throws UsageError. */
export function parseSplit(text: string, seed = 0): SplitSpec {
  const parts = text.split(",").map((p) => {
    const [given, w] = p.split("=");
    const weight = Number(w);
    if (!given || w === undefined || w.trim() === "" || !Number.isFinite(weight) || weight < 0) {
      throw new UsageError(`--split: bad part "${p}": expected name=fraction, e.g. train=0.8`);
    }
    const name = SPLIT_ALIASES[given] ?? given;
    if (!SPLIT_NAMES.includes(name)) {
      throw new UsageError(`--split: unknown split "${given}"${didYouMean(given, [...SPLIT_NAMES, ...Object.keys(SPLIT_ALIASES)])} (splits are ${SPLIT_NAMES.join(", ")})`);
    }
    return { name, weight };
  });
  const total = parts.reduce((s, p) => s + p.weight, 0);
  if (total <= 0) throw new UsageError("--split fractions must add up to more than 0");
  if (new Set(parts.map((p) => p.name)).size !== parts.length) throw new UsageError("--split names a split twice");
  return { parts: parts.map((p) => ({ name: p.name, weight: p.weight / total })), seed, text };
}

/** A number in [0,1) from the seed and the data hash. */
export function splitPoint(dataHash: string, seed: number): number {
  const d = createHash("sha256").update(`${seed}\u0000${dataHash}`).digest();
  return d.readUInt32BE(0) / 2 ** 32 + d.readUInt32BE(4) / 2 ** 64;
}

export function assignSplit(dataHash: string, spec: SplitSpec): string {
  const u = splitPoint(dataHash, spec.seed);
  let acc = 0;
  for (const p of spec.parts) {
    acc += p.weight;
    if (u < acc) return p.name;
  }
  return spec.parts[spec.parts.length - 1]?.name ?? "train";
}
