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
