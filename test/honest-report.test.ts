// A report a CI step can gate on (issue 12): to stdout with --report -, stable codes, schema version,
// inputs and options, written on failed and refused runs too, and graded failure with --fail-on.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SAMPLES } from "./fixtures.js";
import { runCli, tempDir } from "./helpers.js";

const images = join(SAMPLES, "images.json");
const ontology = join(SAMPLES, "ontology.json");

interface Note { code: string; outcome: string; what: string; reason: string; count: number; examples: string[] }
interface FullReport {
  schemaVersion: number;
  tool: { name: string; version: string };
  command: string;
  inputs: { path: string; bytes: number }[];
  options: Record<string, unknown>;
  exitCode: number;
  error?: { message: string; where?: string };
  splits: Record<string, number>;
  notes: Note[];
  outputs: { path: string; bytes: number }[];
  kept: boolean;
}

const readReport = (p: string): FullReport => JSON.parse(readFileSync(p, "utf8")) as FullReport;
const CODE = /^(skipped|approximated|filtered|warning)\.[a-z0-9]+(-[a-z0-9]+)*$/;

describe("--report", () => {
  const dir = tempDir();

  it("--report - writes the report JSON to stdout, and only that", () => {
    const r = runCli(["yolo", images, "-o", join(dir, "y"), "--report", "-", "-q"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as FullReport;
    expect(j.exitCode).toBe(0);
    expect(existsSync(join(process.cwd(), "-"))).toBe(false);
    expect(existsSync(join(dir, "y", "-"))).toBe(false);
  });

  it("--report - with -o - is a usage error", () => {
    const r = runCli(["coco", images, "-o", "-", "--report", "-"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--report - and -o - would both write to standard output/);
  });

  it("has a schema version, the tool, inputs with sizes, options, per-split counts and a code on every entry", () => {
    const path = join(dir, "full.json");
    const r = runCli(["coco", images, "--ontology", ontology, "--split", "train=0.5,val=0.5", "--status", "LABELLED", "-o", join(dir, "c"), "--report", path]);
    expect(r.code).toBe(0);
    const j = readReport(path);
    expect(j.schemaVersion).toBe(1);
    expect(j.tool.name).toBe("encord-convert");
    expect(j.tool.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(j.command).toBe("coco");
    expect(j.inputs).toEqual([{ path: images, bytes: statSync(images).size }]);
    expect(j.options).toMatchObject({ ontology, split: "train=0.5,val=0.5", status: ["LABELLED"], strict: false });
    expect(Object.values(j.splits).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(j.notes.length).toBeGreaterThan(0);
    for (const n of j.notes) expect(n.code, `${n.what}: ${n.reason}`).toMatch(CODE);
    // The polyline COCO cannot hold, the filtered row of another status: each with its own stable code.
    expect(j.notes.find((n) => n.what === "polyline" && n.outcome === "skipped")?.code).toBe("skipped.polyline");
    expect(j.notes.find((n) => n.outcome === "filtered" && n.what === "row")?.code).toBe("filtered.status");
    expect(j.kept).toBe(true);
  });

  it("is written on a failed run (exit 1) with the error and its place, and lists no outputs", () => {
    const bad = join(dir, "bad.json");
    const rows = JSON.parse(readFileSync(images, "utf8")) as unknown[];
    writeFileSync(bad, JSON.stringify(rows).slice(0, -200));
    const path = join(dir, "failed.json");
    const r = runCli(["coco", bad, "-o", join(dir, "f"), "--report", path]);
    expect(r.code).toBe(1);
    const j = readReport(path);
    expect(j.exitCode).toBe(1);
    expect(j.error?.message).toMatch(/truncated/);
    expect(j.error?.where).toMatch(/row 3/);
    expect(j.outputs).toEqual([]);
    expect(j.kept).toBe(false);
  });

  it("is written on a --strict refusal (exit 3), listing no output files", () => {
    const path = join(dir, "strict.json");
    const r = runCli(["coco", images, "-o", join(dir, "s"), "--strict", "--report", path]);
    expect(r.code).toBe(3);
    const j = readReport(path);
    expect(j.exitCode).toBe(3);
    expect(j.outputs).toEqual([]);
    expect(j.kept).toBe(false);
    expect(existsSync(join(dir, "s"))).toBe(false);
  });

  it("is not written when the run never read input (usage error)", () => {
    const path = join(dir, "usage.json");
    expect(runCli(["coco", images, "--task", "x", "-o", join(dir, "u"), "--report", path]).code).toBe(2);
    expect(existsSync(path)).toBe(false);
  });
});

describe("--fail-on and --max-warnings", () => {
  const dir = tempDir();

  it("--fail-on exits 3 only for the named codes (exact or a prefix like skipped.*)", () => {
    // COCO of the samples skips a polyline and approximates (clips) a box.
    const okRun = runCli(["coco", images, "-o", join(dir, "a"), "--fail-on", "skipped.duplicate-row"]);
    expect(okRun.code).toBe(0);
    expect(existsSync(join(dir, "a", "annotations.json"))).toBe(true);
    const polyline = runCli(["coco", images, "-o", join(dir, "b"), "--fail-on", "skipped.polyline"]);
    expect(polyline.code).toBe(3);
    expect(polyline.stderr).toMatch(/--fail-on: skipped\.polyline \(1\)/);
    expect(existsSync(join(dir, "b"))).toBe(false);
    expect(runCli(["coco", images, "-o", join(dir, "c"), "--fail-on", "approximated.*"]).code).toBe(3);
    const unknown = runCli(["coco", images, "-o", join(dir, "d"), "--fail-on", "skiped.polyline"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/did you mean "skipped.polyline"/);
  });

  it("--max-warnings N exits 3 when more than N things were lost", () => {
    const path = join(dir, "mw.json");
    const base = runCli(["coco", images, "-o", join(dir, "mw"), "--report", path]);
    expect(base.code).toBe(0);
    const lost = readReport(path).notes.filter((n) => n.outcome !== "filtered").reduce((a, n) => a + n.count, 0);
    expect(lost).toBeGreaterThan(0);
    expect(runCli(["coco", images, "-o", join(dir, "mw1"), "--max-warnings", String(lost)]).code).toBe(0);
    expect(runCli(["coco", images, "-o", join(dir, "mw2"), "--max-warnings", String(lost - 1)]).code).toBe(3);
  });
});
