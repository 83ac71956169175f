// Terminal and messages (issue 12): one error prefix, missing files named in one line, no "see above"
// over nothing, a progress line that fits the terminal, chalk's own colour detection; and packaging.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ProgressLine } from "../src/cli/progress.js";
import { REPO, SAMPLES } from "./fixtures.js";
import { BIN, runCli, tempDir } from "./helpers.js";

const haveScript = spawnSync("script", ["-qec", "true", "/dev/null"]).status === 0;

const images = join(SAMPLES, "images.json");

describe("errors", () => {
  const dir = tempDir();

  it("a missing --ontology, --classes file or input is one line naming it, never raw ENOENT text", () => {
    const cases: [string[], RegExp][] = [
      [["coco", images, "--ontology", join(dir, "nope.json")], /^encord-convert: error: cannot read --ontology .*nope\.json: no such file$/],
      [["coco", images, "--classes", join(dir, "classes.txt")], /^encord-convert: error: cannot read --classes .*classes\.txt: no such file$/],
      [["coco", join(dir, "missing.json")], /^encord-convert: error: cannot read input .*missing\.json: no such file$/],
      [["inspect", images, "--ontology", join(dir, "nope.json")], /^encord-convert: error: cannot read --ontology .*nope\.json: no such file$/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args[0] === "inspect" ? args : [...args, "-o", join(dir, "out")]);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
      expect(r.stderr).not.toMatch(/ENOENT/);
    }
  });

  it("every error line has the same prefix, usage errors included", () => {
    const r = runCli(["coco", images]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^encord-convert: error: coco needs -o/);
    const exists = runCli(["coco", images, "-o", SAMPLES]);
    expect(exists.code).toBe(2);
    expect(exists.stderr).toMatch(/^encord-convert: error: output .* already exists/);
  });

  it("--strict -q does not say 'see above' over nothing", () => {
    const r = runCli(["coco", images, "-o", join(dir, "sq"), "--strict", "-q"]);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(/see above/);
    expect(r.stderr).toMatch(/--strict: 2 things were skipped, approximated or warned about \(approximated\.clipped 1, skipped\.polyline 1\); no output was kept/);
  });

  it("pixel --help calls -o a file", () => {
    expect(runCli(["pixel", "--help"]).stdout).toMatch(/-o, --out <path>\s+output file/);
    expect(runCli(["coco", "--help"]).stdout).toMatch(/-o, --out <path>\s+output folder/);
  });
});

describe("terminal", () => {
  it("the progress line fits a 60-column terminal and redraws in place", () => {
    let written = "";
    const stream = { columns: 60, isTTY: true, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
    const line = new ProgressLine(stream);
    line.update({ input: "/a/very/long/path/to/some/export-with-a-long-name-2026-12-03.json.gz", bytesRead: 123456789, totalBytes: 987654321, rows: 123456 });
    const frames = written.split("\r\x1b[K").filter((s) => s !== "");
    expect(frames).toHaveLength(1);
    expect([...(frames[0] ?? "")].length).toBeLessThanOrEqual(59);
    expect(frames[0]).toContain("%");
  });

  /** The CLI on a real terminal (`script`'s pseudo-terminal, 60 columns); what the terminal showed. */
  const inPty = (args: string[], env: Record<string, string | undefined>): string => {
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ");
    const full: Record<string, string> = {};
    // chalk gives no colour to a terminal inside a CI job it does not know by name (CI set, no
    // GITHUB_ACTIONS...), so these runs leave the CI markers out: the terminal here is the test's own.
    const notCi = { CI: undefined, CONTINUOUS_INTEGRATION: undefined, TF_BUILD: undefined, TEAMCITY_VERSION: undefined };
    for (const [k, v] of Object.entries({ ...process.env, TERM: "xterm", ...notCi, ...env })) if (v !== undefined) full[k] = v;
    return spawnSync("script", ["-qec", `stty cols 60 rows 20; ${quoted}`, "/dev/null"], { env: full, encoding: "utf8" }).stdout;
  };
  const BOLD = /\x1b\[1m/;

  it.skipIf(!haveScript)("colour on a terminal; none with NO_COLOR or TERM=dumb; FORCE_COLOR colours a pipe", () => {
    const dir = tempDir();
    const run = (name: string, env: Record<string, string | undefined>): string => inPty(["coco", images, "-o", join(dir, name)], env);
    expect(run("tty", { NO_COLOR: undefined, FORCE_COLOR: undefined })).toMatch(BOLD);
    expect(run("nc", { NO_COLOR: "1", FORCE_COLOR: undefined })).not.toMatch(BOLD);
    expect(run("dumb", { NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: "dumb" })).not.toMatch(BOLD);
    expect(runCli(["coco", images, "-o", join(dir, "forced")], { env: { FORCE_COLOR: "1", NO_COLOR: "" } }).stderr).toMatch(BOLD);
    expect(runCli(["coco", images, "-o", join(dir, "plain")], { env: { NO_COLOR: "1" } }).stderr).not.toMatch(BOLD);
  });

  it.skipIf(!haveScript)("on a real 60-column terminal the progress line never wraps", () => {
    const dir = tempDir();
    const big = join(dir, "a-rather-long-export-file-name-for-the-progress-line.json");
    const rows = JSON.parse(readFileSync(images, "utf8")) as { label_hash: string }[];
    const many = [];
    for (let i = 0; i < 300; i++) many.push(...rows.map((r) => ({ ...r, label_hash: `${r.label_hash}-${i}` })));
    writeFileSync(big, JSON.stringify(many));
    const shown = inPty(["coco", big, "-o", join(dir, "p")], { NO_COLOR: "1", FORCE_COLOR: undefined });
    const frames = shown.split("\r\x1b[K").map((f) => f.split(/\r?\n/)[0] ?? "").filter((f) => f.includes("rows/s"));
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames) expect([...f].length).toBeLessThan(60);
  });
});

describe("packaging", () => {
  const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as Record<string, unknown>;

  it("has a LICENSE (MIT, as package.json says) and repository, homepage and bugs", () => {
    expect(pkg.license).toBe("MIT");
    expect(readFileSync(join(REPO, "LICENSE"), "utf8")).toMatch(/MIT License/);
    expect(pkg.repository).toBeTruthy();
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs).toBeTruthy();
  });

  it("every runtime dependency is imported by shipped code", () => {
    const deps = Object.keys((pkg.dependencies ?? {}) as Record<string, string>);
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
    const text = sources(join(REPO, "src")).map((f) => readFileSync(f, "utf8")).join("\n");
    for (const d of deps) expect(text, d).toMatch(new RegExp(`from "${d}(/[^"]*)?"`));
  });

  it("ships no source maps that point at files it does not ship", () => {
    const files = (pkg.files ?? []) as string[];
    const shipped = (p: string): boolean => files.some((f) => p === f || p.startsWith(`${f}/`));
    const maps = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? maps(join(dir, e.name)) : e.name.endsWith(".map") ? [join(dir, e.name)] : []));
    const found = maps(join(REPO, "dist"));
    expect(found.length).toBeGreaterThan(0);
    for (const m of found) {
      expect(shipped(relative(REPO, m))).toBe(true);
      for (const src of (JSON.parse(readFileSync(m, "utf8")) as { sources: string[] }).sources) {
        const target = relative(REPO, resolve(dirname(m), src));
        expect(shipped(target), `${m} -> ${target}`).toBe(true);
        expect(existsSync(join(REPO, target))).toBe(true);
      }
    }
  });

  it("the README says how to run the conformance tests and what is skipped without the fixtures; the library's force option is documented", () => {
    const readme = readFileSync(join(REPO, "README.md"), "utf8");
    expect(readme).toMatch(/shared\/fixtures\/encord-sdk/);
    expect(readme).toMatch(/skipped/);
    expect(readme).toMatch(/force: true/);
  });
});
