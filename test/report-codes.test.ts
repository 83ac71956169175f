// Every code a report can carry is registered (codes.ts) and documented (docs/report.md): CI steps gate
// on them, so a code written by some writer but unknown to --fail-on would be a silent hole.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allCodes, codeMatches, INPUT_CODES, NOTE_CODES } from "../src/codes.js";
import { REPO, SAMPLES } from "./fixtures.js";
import { runCli, tempDir } from "./helpers.js";

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));

describe("report codes", () => {
  it("every literal code in the source is registered", () => {
    const text = sources(join(REPO, "src")).map((f) => readFileSync(f, "utf8")).join("\n");
    const encord = sources(join(REPO, "src", "encord")).map((f) => readFileSync(f, "utf8")).join("\n");
    const found = new Set<string>();
    for (const m of text.matchAll(/report\.(skip|approximate|filter|warn)\(\s*"([a-z0-9-]+)"/g)) {
      const outcome = { skip: "skipped", approximate: "approximated", filter: "filtered", warn: "warning" }[m[1] as string];
      found.add(`${outcome}.${m[2]}`);
    }
    for (const m of text.matchAll(/outcome: "(\w+)",\s*code: "([a-z0-9-]+)"/g)) found.add(`${m[1]}.${m[2]}`);
    // The reader's problems: this.warn / sink / ShapeFail / { code } in src/encord.
    for (const m of encord.matchAll(/(?:this\.warn|sink|ShapeFail)\("([a-z0-9-]+)"|code: "([a-z0-9-]+)"/g)) found.add(`input.${m[1] ?? m[2]}`);
    expect(found.size).toBeGreaterThan(30);
    for (const c of found) expect(allCodes(), c).toContain(c);
  });

  it("every registered code is documented in docs/report.md", () => {
    const doc = readFileSync(join(REPO, "docs", "report.md"), "utf8");
    for (const c of Object.keys(NOTE_CODES)) expect(doc, c).toContain(`\`${c}\``);
    for (const c of INPUT_CODES) expect(doc, c).toContain(`\`${c}\``);
  });

  it("patterns: exact, prefix.*, bare outcome", () => {
    expect(codeMatches("skipped.polyline", "skipped.polyline")).toBe(true);
    expect(codeMatches("skipped.*", "skipped.polyline")).toBe(true);
    expect(codeMatches("skipped", "skipped.polyline")).toBe(true);
    expect(codeMatches("skipped.poly", "skipped.polyline")).toBe(false);
    expect(codeMatches("input.*", "input.bad-rle")).toBe(true);
    expect(codeMatches("approximated.*", "skipped.polyline")).toBe(false);
  });

  it("every code the samples give in every format is registered", () => {
    const dir = tempDir();
    for (const fmt of ["coco", "yolo", "voc", "pixel", "masks"]) {
      const rep = join(dir, `${fmt}.json`);
      const out = join(dir, fmt + (fmt === "pixel" ? ".json" : ""));
      const r = runCli([fmt, join(SAMPLES, "images.json"), join(SAMPLES, "media.json"), "--status", "LABELLED", "-o", out, "--report", rep, "-q"]);
      expect(r.code).toBe(0);
      const j = JSON.parse(readFileSync(rep, "utf8")) as { notes: { code: string }[]; problems: { byCode: Record<string, number> } };
      expect(j.notes.length).toBeGreaterThan(0);
      for (const n of j.notes) expect(allCodes(), `${fmt}: ${n.code}`).toContain(n.code);
      for (const c of Object.keys(j.problems.byCode)) expect(allCodes(), c).toContain(c);
    }
  });
});
