// Where the Encord SDK fixtures live (beside the repo, never copied into it) and how to load them.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const FIXTURES = resolve(REPO, "..", "shared", "fixtures", "encord-sdk");
export const HAVE_FIXTURES = existsSync(FIXTURES);
export const SAMPLES = join(REPO, "samples");

if (!HAVE_FIXTURES) {
  console.warn(`conformance: ${FIXTURES} not found; fixture suites are skipped`);
}

export function fixturePath(name: string): string {
  return join(FIXTURES, name);
}

export function loadFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name), "utf8")) as T;
}

/** Fixture files that are not label-row exports (ontologies, expected outputs, test vectors). */
export function isExport(file: string): boolean {
  if (!file.endsWith(".json") || file.endsWith("_ontology.json") || file.includes("expected")) return false;
  return !["bitmask_rle_test_vectors.json", "coco_exporter_multipolygon_cases.json"].includes(file);
}

/** The ontology that goes with a fixture export (SOURCES.md), if any. */
export function ontologyFor(file: string): string | undefined {
  const base = file.replace(/\.json$/, "");
  if (existsSync(join(FIXTURES, `${base}_ontology.json`))) return join(FIXTURES, `${base}_ontology.json`);
  if (base === "coco_exporter_input_all_shapes") return join(FIXTURES, "coco_exporter_ontology.json");
  if (base.startsWith("image_group")) return join(FIXTURES, "image_group_ontology.json");
  if (/^(image_single|video_frame_classifications|video_global_classification|audio_|text_|dicom_|data_group_)/.test(base)) {
    return join(FIXTURES, "all_types_ontology.json");
  }
  return undefined;
}

/** A small seeded PRNG (mulberry32) for property tests: the same seed, the same cases. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
