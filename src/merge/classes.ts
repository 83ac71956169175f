// The merged class table. Shards of a run share a fixed class list (categories.ts, `closed`), but a
// class without a shape or keypoints up front learns them from its first object, which may lie in
// any shard: the merged class takes each from the shard whose object came first in the input, as a
// single run would. Everything else must be equal in every shard.
import type { Category } from "../model.js";
import type { CategoryRecord } from "../output/shard-sidecar.js";
import { MergeRefusal, type ShardOutput } from "./shards.js";

function plain(c: CategoryRecord): Category {
  const { learned: _learned, ...cat } = c;
  return cat;
}

/** The first shard (by input row) that learned a category's `what`, or undefined. */
function firstLearner(shards: readonly ShardOutput[], i: number, what: "shape" | "keypoints"): CategoryRecord | undefined {
  let best: CategoryRecord | undefined;
  for (const s of shards) {
    const c = s.manifest.categories[i] as CategoryRecord;
    const row = c.learned?.[what];
    if (row !== undefined && (best === undefined || row < (best.learned?.[what] as number))) best = c;
  }
  return best;
}

export function mergeCategories(shards: readonly ShardOutput[]): Category[] {
  const first = shards[0] as ShardOutput;
  const n = first.manifest.categories.length;
  for (const s of shards) {
    if (s.manifest.categories.length !== n) {
      throw new MergeRefusal(`${first.shown} has ${n} classes but ${s.shown} has ${s.manifest.categories.length}: the shards do not share one class list`);
    }
  }
  const out: Category[] = [];
  for (let i = 0; i < n; i++) {
    const shape = firstLearner(shards, i, "shape");
    const keypoints = firstLearner(shards, i, "keypoints");
    const merged = plain(first.manifest.categories[i] as CategoryRecord);
    if (shape) merged.shape = shape.shape;
    if (keypoints) {
      if (keypoints.keypoints) merged.keypoints = [...keypoints.keypoints];
      if (keypoints.skeleton) merged.skeleton = keypoints.skeleton.map(([a, b]) => [a, b]);
    }
    // What no object taught must be the same everywhere.
    const fixed = (c: Category, withShape: boolean, withKeypoints: boolean): string =>
      JSON.stringify([c.index, c.key, c.name, c.color ?? null, withShape ? c.shape : "", withKeypoints ? [c.keypoints ?? null, c.skeleton ?? null] : null]);
    const want = fixed(merged, !shape, !keypoints);
    for (const s of shards) {
      const c = s.manifest.categories[i] as CategoryRecord;
      if (fixed(plain(c), !shape, !keypoints) !== want) {
        throw new MergeRefusal(`${first.shown} and ${s.shown} disagree on class ${i} ("${merged.name}"): the shards do not share one class list`);
      }
    }
    out.push(merged);
  }
  return out;
}
