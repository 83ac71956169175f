// Category seeds from an ontology: the object classes that can carry pixels, in ontology order,
// with skeleton keypoint names and edges. Audio/text and 3-D classes never reach an image item.
import type { Ontology } from "./ontology.js";

export interface OntologySeed {
  key: string; // featureHash
  name: string;
  shape: string;
  color?: string;
  keypoints?: string[];
  skeleton?: [number, number][];
}

export const PIXEL_SHAPES: ReadonlySet<string> = new Set([
  "bounding_box",
  "rotatable_bounding_box",
  "polygon",
  "polyline",
  "point",
  "skeleton",
  "bitmask",
]);

export function ontologySeeds(ontology: Ontology): OntologySeed[] {
  const seeds: OntologySeed[] = [];
  for (const o of ontology.objects) {
    if (!PIXEL_SHAPES.has(o.shape)) continue;
    const seed: OntologySeed = { key: o.featureHash, name: o.name, shape: o.shape };
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
