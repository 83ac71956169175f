// Category seeds from an ontology: the object classes that can carry pixels, in ontology order,
// with skeleton keypoint names and edges. Audio/text and 3-D classes never reach an image item.
import type { CategorySeed } from "../model.js";
import type { Ontology } from "./ontology.js";
import { SHAPES_2D } from "./shapes.js";

export function ontologySeeds(ontology: Ontology): CategorySeed[] {
  const seeds: CategorySeed[] = [];
  for (const o of ontology.objects) {
    if (!SHAPES_2D.has(o.shape)) continue;
    const seed: CategorySeed = { key: o.featureHash, name: o.name, shape: o.shape };
    if (o.color !== undefined) seed.color = o.color;
    const t = ontology.skeletons.get(o.featureHash);
    if (t) {
      seed.keypoints = [...t.keypoints];
      seed.skeleton = t.edges.map(([a, b]) => [a, b]);
    }
    seeds.push(seed);
  }
  return seeds;
}
