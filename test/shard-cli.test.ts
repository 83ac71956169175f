// --shard and merge on the command line: what is refused and how (exit 2, one line), auto/N from
// JOB_COMPLETION_INDEX, inspect --classes-out, worker threads, merge's atomic output, YOLO --no-copy,
// and the README's GNU parallel recipe run for real.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli, tempDir } from "./helpers.js";
import { REPO, SAMPLES } from "./fixtures.js";
import { writeShardExport } from "./shard-export.js";

const dir = tempDir("ec-shard-cli-");
const EXPORT = join(dir, "export.json");
const CLASSES = join(dir, "classes.txt");
const images = join(SAMPLES, "images.json");
const media = join(SAMPLES, "media.json");
const ontology = join(SAMPLES, "ontology.json");

beforeAll(async () => {
  await writeShardExport(EXPORT, dir);
  const r = runCli(["inspect", EXPORT, "--classes-out", CLASSES]);
  expect(r.code, r.stderr).toBe(0);
}, 60_000);

/** stderr is one line that matches. */
function oneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

function files(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${name.name}` : name.name;
      if (name.isDirectory()) walk(join(d, name.name), r);
      else out[r] = readFileSync(join(d, name.name)).toString("base64");
    }
  };
  walk(root, "");
  return out;
}

function shards(format: string, n: number, extra: string[], prefix: string): string[] {
  return Array.from({ length: n }, (_, k) => {
    const out = join(dir, `${prefix}-${k}`);
    const r = runCli([format, EXPORT, "--classes", CLASSES, "--shard", `${k}/${n}`, "-o", out, "-q", "--force", ...extra]);
    expect(r.code, r.stderr).toBe(0);
    return out;
  });
}

describe("inspect --classes-out", () => {
  it("lists every class once, in first appearance, as --classes reads them", () => {
    const names = readFileSync(CLASSES, "utf8").split("\n").filter((x) => x !== "");
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain("Car");
    expect(names).toContain("person");
    // The order a conversion without classes gives its categories (two classes of one name, told
    // apart in COCO as "name (shape)", are one name for --classes).
    const coco = join(dir, "plain-coco");
    expect(runCli(["coco", EXPORT, "-o", coco, "-q"]).code).toBe(0);
    const cats = (JSON.parse(readFileSync(join(coco, "annotations.json"), "utf8")) as { categories: { name: string }[] }).categories.map((c) => c.name);
    expect(cats).toContain("lesion (polygon)");
    expect(names).toEqual([...new Set(cats.map((n) => n.replace(/ \([a-z_]+\)$/, "")))]);
  });

  it("with --ontology: the ontology's classes first, then the export's others", () => {
    const out = join(dir, "ontology-classes.txt");
    expect(runCli(["inspect", images, media, "--ontology", ontology, "--classes-out", out]).code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe("car\nsign\nbuilding\nlane\nlight\nperson\nroad\nlesion\nlesion box\n");
  });

  it("never overwrites without --force, and is refused with --shard", () => {
    oneLine(runCli(["inspect", images, "--classes-out", CLASSES]).stderr, /already exists.*--force/);
    const r = runCli(["inspect", images, "--classes-out", join(dir, "x.txt"), "--shard", "0/2"]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /--classes-out lists the classes of the whole export/);
    expect(existsSync(join(dir, "x.txt"))).toBe(false);
  });
});

describe("--shard on the command line", () => {
  it("is refused without a fixed class list, with what to pass (exit 2)", () => {
    const r = runCli(["yolo", EXPORT, "--shard", "0/4", "-o", join(dir, "refused")]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /--shard 0\/4 needs a fixed class list.*--ontology FILE or --classes FILE.*inspect EXPORT --classes-out FILE/);
    expect(existsSync(join(dir, "refused"))).toBe(false);
  });

  it.each([
    [["--shard", "4/4"], /K must be from 0 to 3/],
    [["--shard", "x"], /must be K\/N/],
    [["--shard", "auto/4"], /JOB_COMPLETION_INDEX/],
  ])("refuses %j (exit 2)", (flags, message) => {
    const r = runCli(["coco", EXPORT, "--classes", CLASSES, ...flags, "-o", join(dir, "bad")], { env: { JOB_COMPLETION_INDEX: "" } });
    expect(r.code).toBe(2);
    oneLine(r.stderr, message);
  });

  it("refuses -o - and pixel --masks-dir (exit 2)", () => {
    oneLine(runCli(["pixel", EXPORT, "--classes", CLASSES, "--shard", "0/2", "-o", "-"]).stderr, /give -o <path>, not -/);
    const r = runCli(["pixel", EXPORT, "--classes", CLASSES, "--shard", "0/2", "-o", join(dir, "p.json"), "--masks-dir", join(dir, "pm")]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /--masks-dir is not supported/);
  });

  it("auto/N takes K from JOB_COMPLETION_INDEX, as a Kubernetes Indexed Job sets it", () => {
    const out = join(dir, "auto");
    const report = join(dir, "auto-report.json");
    const r = runCli(["coco", EXPORT, "--classes", CLASSES, "--shard", "auto/3", "-o", out, "-q", "--report", report], { env: { JOB_COMPLETION_INDEX: "2" } });
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(report, "utf8")) as { shard: { index: number; count: number; otherRows: number }; rows: number };
    expect(json.shard.index).toBe(2);
    expect(json.shard.count).toBe(3);
    expect(json.shard.otherRows + json.rows).toBeGreaterThan(json.rows);
    const manifest = JSON.parse(readFileSync(join(out, ".encord-convert-shard", "manifest.json"), "utf8")) as { shard: unknown };
    expect(manifest.shard).toEqual({ index: 2, count: 3 });
  });

  it("a class outside the ontology fails the sharded run with what to pass (exit 1, nothing written)", () => {
    const out = join(dir, "outside");
    const r = runCli(["coco", EXPORT, "--ontology", ontology, "--shard", "0/1", "-o", out]);
    expect(r.code).toBe(1);
    oneLine(r.stderr, /class "\w+" \(feature hash [^)]+\) is not in the ontology; a sharded run cannot add classes.*--classes FILE/);
    expect(existsSync(out)).toBe(false);
  });

  it("prints the rows left to other shards in the summary; inspect --shard counts its own rows", () => {
    const r = runCli(["coco", EXPORT, "--classes", CLASSES, "--shard", "1/3", "-o", join(dir, "summary"), "--force"]);
    expect(r.stderr).toMatch(/shard 1\/3: \d+ rows of other shards left to them, unread/);
    const all = JSON.parse(runCli(["inspect", EXPORT, "--json"]).stdout) as { rows: number };
    const parts = [0, 1, 2].map((k) => JSON.parse(runCli(["inspect", EXPORT, "--json", "--shard", `${k}/3`]).stdout) as { rows: number; shard: { otherRows: number } });
    expect(parts.reduce((s, p) => s + p.rows, 0)).toBe(all.rows);
    for (const p of parts) expect(p.rows + p.shard.otherRows).toBe(all.rows);
  });

  it("worker threads (--jobs 2) write the same shard as the main thread", () => {
    const a = join(dir, "jobs0");
    const b = join(dir, "jobs2");
    for (const [out, jobs] of [[a, "0"], [b, "2"]] as const) {
      const r = runCli(["voc", EXPORT, "--classes", CLASSES, "--shard", "1/3", "--masks", "-o", out, "-q", "--jobs", jobs, "--max-row-bytes", "30000"]);
      expect(r.code, r.stderr).toBe(0);
    }
    const fa = files(a);
    const fb = files(b);
    // The manifests differ only in the report's seconds and its record of -o and --jobs.
    const manifest = ".encord-convert-shard/manifest.json";
    const strip = (x: string) => {
      const m = JSON.parse(Buffer.from(x, "base64").toString("utf8")) as { report: { seconds?: number; options: Record<string, unknown> } };
      delete m.report.seconds;
      delete m.report.options.out;
      delete m.report.options.jobs;
      return m;
    };
    expect(strip(fb[manifest] as string)).toEqual(strip(fa[manifest] as string));
    delete fa[manifest];
    delete fb[manifest];
    expect(Object.keys(fb)).toEqual(Object.keys(fa));
    expect(fb).toEqual(fa);
  });
});

describe("merge on the command line", () => {
  let coco: string[] = [];
  beforeAll(() => {
    coco = shards("coco", 3, [], "coco");
  });

  it("refuses a shard given twice, a missing shard, another format, another run's options, another export, a plain output (exit 2, one line, nothing written)", () => {
    const out = join(dir, "refused-merge");
    const other = shards("coco", 1, ["--split", "train=0.5,val=0.5"], "coco-split");
    const yolo = shards("yolo", 1, [], "yolo-one");
    const smaller = join(dir, "smaller.json");
    writeFileSync(smaller, readFileSync(images));
    const otherExport = join(dir, "coco-other-export");
    expect(runCli(["coco", smaller, "--classes", CLASSES, "--shard", "1/3", "-o", otherExport, "-q"]).code).toBe(0);
    const plain = join(dir, "plain-coco");
    const cases: [string[], RegExp][] = [
      [[coco[0] as string, coco[1] as string, coco[1] as string, coco[2] as string], /are both shard 1\/3: the same rows would be merged twice/],
      [[coco[0] as string, coco[2] as string], /shard 1 of 3 is missing: give every shard's output, or --allow-missing/],
      [[coco[0] as string, other[0] as string], /shards of runs split 3 and 1 ways/],
      [[yolo[0] as string], /is a yolo shard, not coco/],
      [[coco[0] as string, otherExport, coco[2] as string], /read different exports/],
      [[coco[0] as string, plain], /is not the output of a sharded run.*--shard K\/N/],
    ];
    for (const [inputs, message] of cases) {
      const r = runCli(["merge", "coco", ...inputs, "-o", out]);
      expect(r.code, r.stderr).toBe(2);
      oneLine(r.stderr, message);
      expect(existsSync(out)).toBe(false);
    }
    const mixed = shards("coco", 2, ["--category-id-start", "0"], "coco-ids0");
    const r = runCli(["merge", "coco", coco[0] as string, mixed[1] as string, "-o", out, "--allow-missing"]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /split 3 and 2 ways/);
    const sameN = shards("coco", 3, ["--category-id-start", "0"], "coco-ids0-3");
    const r2 = runCli(["merge", "coco", coco[0] as string, sameN[1] as string, coco[2] as string, "-o", out]);
    expect(r2.code).toBe(2);
    oneLine(r2.stderr, /were converted with different format options \(.*"categoryIdStart":1.*vs.*"categoryIdStart":0.*\): merge only shards of one run/);
  });

  it("--allow-missing merges the shards given and says which are missing", () => {
    const out = join(dir, "partial");
    const report = join(dir, "partial.json");
    const r = runCli(["merge", "coco", coco[0] as string, coco[2] as string, "-o", out, "--allow-missing", "--report", report]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/merged shards 0\/3, 2\/3; .*shards 1 missing/);
    const json = JSON.parse(readFileSync(report, "utf8")) as { merge: { missing: number[] }; rows: number };
    expect(json.merge.missing).toEqual([1]);
  });

  it("is atomic: a damaged shard fails the merge (exit 1) and leaves nothing; an existing output needs --force", () => {
    const damaged = join(dir, "damaged-0");
    const r0 = runCli(["coco", EXPORT, "--classes", CLASSES, "--shard", "0/3", "-o", damaged, "-q"]);
    expect(r0.code).toBe(0);
    const file = join(damaged, "annotations.json");
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
    const out = join(dir, "atomic");
    const r = runCli(["merge", "coco", damaged, coco[1] as string, coco[2] as string, "-o", out]);
    expect(r.code).toBe(1);
    oneLine(r.stderr, /annotations\.json: .*not a COCO file of this shard as encord-convert wrote it/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith(".atomic.partial"))).toEqual([]);
    const ok = runCli(["merge", "coco", ...coco, "-o", out, "-q"]);
    expect(ok.code).toBe(0);
    const again = runCli(["merge", "coco", ...coco, "-o", out, "-q"]);
    expect(again.code).toBe(2);
    oneLine(again.stderr, /already exists and is not empty; use --force/);
    // --force never replaces a shard it reads.
    const self = runCli(["merge", "coco", ...coco, "-o", coco[0] as string, "--force", "-q"]);
    expect(self.code).toBe(2);
    expect(existsSync(join(coco[0] as string, ".encord-convert-shard", "manifest.json"))).toBe(true);
  });

  it("yolo --no-copy: data.yaml lists every shard's image folders in place", () => {
    const yolo = shards("yolo", 3, ["--split", "train=0.7,val=0.3"], "yolo-nc");
    const out = join(dir, "yolo-nocopy");
    const r = runCli(["merge", "yolo", ...yolo, "-o", out, "--no-copy", "-q"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["classes.txt", "data.yaml"]);
    const yaml = readFileSync(join(out, "data.yaml"), "utf8");
    const train = /^train: \[(.*)\]$/m.exec(yaml)?.[1] ?? "";
    const val = /^val: \[(.*)\]$/m.exec(yaml)?.[1] ?? "";
    const listed = (s: string) => s.split(", ").map((x) => JSON.parse(x) as string);
    expect(listed(train)).toEqual(yolo.map((_, k) => `../yolo-nc-${k}/images/train`));
    expect(listed(val).length).toBeGreaterThan(0);
    for (const p of [...listed(train), ...listed(val)]) expect(existsSync(join(out, p)), p).toBe(true);
    expect(readFileSync(join(out, "classes.txt"), "utf8")).toBe(readFileSync(join(yolo[0] as string, "classes.txt"), "utf8"));
    expect(runCli(["merge", "coco", ...coco, "-o", join(dir, "nc-coco"), "--no-copy"]).code).toBe(2);
  });
});

describe("the README's GNU parallel recipe", () => {
  const parallel = spawnSync("parallel", ["--version"]).status === 0;
  it.skipIf(!parallel)("8 shards with parallel, then merge: the single run's output", () => {
    const work = join(dir, "parallel");
    const node = process.execPath;
    const script = [
      `set -e`,
      `cd ${JSON.stringify(work)}`,
      `parallel --halt now,fail=1 ${JSON.stringify(node)} ${JSON.stringify(BIN)} coco export.json --classes classes.txt --shard {}/8 -q -o shards/{} ::: {0..7}`,
      `${JSON.stringify(node)} ${JSON.stringify(BIN)} merge coco shards/* -o coco -q`,
      `${JSON.stringify(node)} ${JSON.stringify(BIN)} coco export.json --classes classes.txt -q -o single`,
    ].join("\n");
    rmSync(work, { recursive: true, force: true });
    spawnSync("mkdir", ["-p", work]);
    writeFileSync(join(work, "export.json"), readFileSync(EXPORT));
    writeFileSync(join(work, "classes.txt"), readFileSync(CLASSES));
    const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(join(work, "shards")).sort()).toEqual(["0", "1", "2", "3", "4", "5", "6", "7"]);
    expect(files(join(work, "coco"))).toEqual(files(join(work, "single")));
  });
});

describe("the Kubernetes Indexed Job manifests in docs/kubernetes", () => {
  const python = "/usr/bin/python3";
  const haveYaml = existsSync(python) && spawnSync(python, ["-c", "import yaml"]).status === 0;

  /** The manifest as JSON (PyYAML reads it, as kubectl would accept it). */
  function manifest(name: string): { spec: Record<string, unknown> & { template: { spec: { containers: { command: string[]; args: string[] }[] } } } } {
    const r = spawnSync(python, ["-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", join(REPO, "docs", "kubernetes", name)], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  }

  it.skipIf(!haveYaml)("each pod's command (JOB_COMPLETION_INDEX 0..N-1), then the merge Job's, gives the single run's output", () => {
    const shardsJob = manifest("shards.yaml");
    const mergeJob = manifest("merge.yaml");
    expect(shardsJob.spec.completionMode).toBe("Indexed");
    const n = shardsJob.spec.completions as number;
    expect(shardsJob.spec.parallelism).toBe(n);
    const pod = shardsJob.spec.template.spec.containers[0] as { command: string[]; args: string[] };
    expect(pod.command).toEqual(["sh", "-c"]);
    expect(pod.args[0]).toContain(`--shard auto/${n}`);
    // The pods' volume is a folder here, and encord-convert the built CLI.
    const data = join(dir, "k8s-data");
    const bin = join(dir, "k8s-bin");
    rmSync(data, { recursive: true, force: true });
    spawnSync("mkdir", ["-p", data, bin]);
    writeFileSync(join(bin, "encord-convert"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`, { mode: 0o755 });
    writeFileSync(join(data, "export.json"), readFileSync(EXPORT));
    writeFileSync(join(data, "classes.txt"), readFileSync(CLASSES));
    const run = (script: string, env: Record<string, string>) => {
      const r = spawnSync("sh", ["-c", script.replaceAll("/data", data)], { encoding: "utf8", env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}` } });
      expect(r.status, r.stderr).toBe(0);
    };
    for (let k = 0; k < n; k++) run(pod.args[0] as string, { JOB_COMPLETION_INDEX: String(k) });
    run((mergeJob.spec.template.spec.containers[0] as { args: string[] }).args[0] as string, {});
    const single = join(dir, "k8s-single");
    expect(runCli(["coco", EXPORT, "--classes", CLASSES, "-q", "-o", single]).code).toBe(0);
    expect(files(join(data, "coco"))).toEqual(files(single));
    const merged = JSON.parse(readFileSync(join(data, "reports", "merge.json"), "utf8")) as { merge: { shards: string[] } };
    expect(merged.merge.shards).toHaveLength(n);
  });
});
