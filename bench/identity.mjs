#!/usr/bin/env node
// Byte identity against a saved build: runs every format on the bench's exports with a given CLI and
// --jobs values, and writes or compares a manifest of the sha256 of every output file.
//
//   node bench/identity.mjs --write --cli /work/wt-baseline/bin/encord-convert.js   # make the manifest (today's main)
//   node bench/identity.mjs --check                     # this worktree's build against it; exit 1 naming what differs
//   node bench/identity.mjs --check --jobs 0,1,3,default --data /work/benchdata/peer-bench
//   node bench/identity.mjs --check --only mixed        # cases whose name contains "mixed"
//
// Options: --cli BIN (default: this repo's bin/encord-convert.js), --jobs LIST (default 0,2; "default"
// = no --jobs flag), --data DIR (exports, generated when missing; default $BENCH_DATA or bench/data),
// --manifest FILE (default bench/results/identity-baseline.json), --only SUBSTRING.
// The outputs hold no timings or paths (a run report is only written with --report, not used here), so
// every file is compared. Every --jobs value must give the manifest's bytes.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generate } from "./generate.mjs";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

const PEER = { objects: 10, vertices: 20, videoEvery: 0, polygonShare: 0.3 };
/** The inputs: the two peer exports, their first 500 rows (for the formats that write a PNG per object), a small mixed export. */
export const EXPORTS = {
  "peer-boxpoly": { rows: 20000, ...PEER, bitmaskShare: 0 },
  "peer-bitmask": { rows: 20000, ...PEER, bitmaskShare: 0.2 },
  "peer-boxpoly-500rows": { rows: 500, ...PEER, bitmaskShare: 0 },
  "peer-bitmask-500rows": { rows: 500, ...PEER, bitmaskShare: 0.2 },
  // every shape, video rows with tracks and frame-range classifications, 4% bitmasks
  "identity-mixed": { mb: 8, videoEvery: 30, frames: 60 },
};

const FORMATS = {
  coco: ["coco"],
  "yolo-segment": ["yolo", "--task", "segment"],
  "voc-masks": ["voc", "--masks"],
  pixel: ["pixel"],
  "masks-instance": ["masks", "--mode", "instance"],
  "masks-semantic": ["masks", "--mode", "semantic"],
};

/** The cases: [name, export, argv after the CLI, before the input]. */
export function cases() {
  const out = [];
  const add = (format, exp, extra = []) => out.push({ name: [format, exp, ...extra].join(" "), export: exp, args: [...FORMATS[format], ...extra] });
  for (const exp of ["peer-boxpoly", "peer-bitmask"]) for (const f of ["coco", "yolo-segment", "pixel"]) add(f, exp);
  // one PNG per object (instance) or per image, and VOC's segmentation PNGs: the first 500 rows
  // of the same exports (the same bytes: the generator writes rows in order from one seed)
  for (const exp of ["peer-boxpoly-500rows", "peer-bitmask-500rows"]) for (const f of ["voc-masks", "masks-instance", "masks-semantic"]) add(f, exp);
  for (const f of Object.keys(FORMATS)) add(f, "identity-mixed");
  // the huge-row path (a row split into frames through a spool file) on every video row
  for (const f of ["coco", "pixel", "yolo-segment"]) add(f, "identity-mixed", ["--max-row-bytes", "65536"]);
  return out;
}

function parseArgs(argv) {
  const o = { mode: undefined, cli: join(ROOT, "bin", "encord-convert.js"), jobs: ["0", "2"], data: process.env.BENCH_DATA ?? join(ROOT, "bench", "data"), manifest: join(ROOT, "bench", "results", "identity-baseline.json"), only: "" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === "--write" || a === "--check") o.mode = a.slice(2);
    else if (a === "--cli") (o.cli = v), i++;
    else if (a === "--jobs") (o.jobs = v.split(",")), i++;
    else if (a === "--data") (o.data = v), i++;
    else if (a === "--manifest") (o.manifest = v), i++;
    else if (a === "--only") (o.only = v), i++;
    else throw new Error(`unknown option ${a} (see the head of bench/identity.mjs)`);
  }
  if (!o.mode) throw new Error("--write or --check is required");
  for (const j of o.jobs) if (j !== "default" && !/^\d+$/.test(j)) throw new Error(`bad --jobs value ${j}`);
  return o;
}

function sha256File(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** Every file under `path` (or the file itself) as relative path -> sha256, paths with "/" and sorted. */
function hashTree(path) {
  const files = {};
  if (statSync(path).isFile()) {
    files["."] = sha256File(path);
    return files;
  }
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else files[relative(path, p).split(sep).join("/")] = sha256File(p);
    }
  };
  walk(path);
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The per-file hashes kept in the manifest: the first 16 hex digits (64 bits) of each sha256, enough to
 * name a changed file and a third of the size; the case's digest covers the full hashes.
 */
function short(files) {
  return Object.fromEntries(Object.entries(files).map(([p, s]) => [p, s.slice(0, 16)]));
}

/** One digest over a file map (full sha256s), to compare a case in one step before naming files. */
function digest(files) {
  const h = createHash("sha256");
  for (const [p, s] of Object.entries(files)) h.update(`${p}\0${s}\n`);
  return h.digest("hex");
}

/** The export's file, generated (deterministically) when missing or made with other options. */
async function ensureExport(data, name) {
  const path = join(data, `${name}.json`);
  const metaPath = `${path}.meta.json`;
  const want = EXPORTS[name];
  if (existsSync(path) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, "utf8"));
    const same = Object.entries(want).every(([k, v]) => meta.options[k] === v);
    if (same && statSync(path).size === meta.bytes) return path;
  }
  mkdirSync(data, { recursive: true });
  process.stderr.write(`generating ${name} ...\n`);
  await generate({ ...want, out: path });
  return path;
}

function runCase(o, c, input, jobs) {
  const dir = join(o.data, "identity-out");
  const target = join(dir, c.args[0] === "pixel" ? "out.json" : "out");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const jobsFlag = jobs === "default" ? [] : ["--jobs", jobs];
  const argv = [o.cli, c.args[0], input, ...c.args.slice(1), "-o", target, "-q", "--force", ...jobsFlag];
  const t0 = Date.now();
  const p = spawnSync(process.execPath, argv, { maxBuffer: 64 * 1024 * 1024 });
  if (p.status !== 0) throw new Error(`${c.name} --jobs ${jobs} failed (exit ${p.status}): ${p.stderr.toString().slice(0, 500)}`);
  const files = hashTree(target);
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`  ${c.name} --jobs ${jobs}: ${Object.keys(files).length} files, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return files;
}

/** The differences between two file maps, as lines naming each file. */
export function compareFiles(want, got) {
  const lines = [];
  for (const [p, s] of Object.entries(want)) {
    if (!(p in got)) lines.push(`missing: ${p}`);
    else if (got[p] !== s) lines.push(`differs: ${p}`);
  }
  for (const p of Object.keys(got)) if (!(p in want)) lines.push(`extra: ${p}`);
  return lines;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const selected = cases().filter((c) => c.name.includes(o.only));
  const inputs = {};
  for (const name of new Set(selected.map((c) => c.export))) inputs[name] = await ensureExport(o.data, name);
  const inputHashes = Object.fromEntries(Object.entries(inputs).map(([n, p]) => [n, sha256File(p)]));
  process.stderr.write(`cli: ${o.cli}; jobs: ${o.jobs.join(",")}; ${selected.length} cases\n`);

  if (o.mode === "write") {
    const manifest = { note: "sha256 of every output file of today's main (bench/identity.mjs); compare with --check", cli: o.cli, jobs: o.jobs, exports: {}, cases: {} };
    for (const [n, p] of Object.entries(inputs)) manifest.exports[n] = { options: EXPORTS[n], bytes: statSync(p).size, sha256: inputHashes[n] };
    for (const c of selected) {
      let files;
      for (const j of o.jobs) {
        const got = runCase(o, c, inputs[c.export], j);
        if (files && digest(files) !== digest(got)) throw new Error(`the reference CLI's own output differs between --jobs values for ${c.name}:\n${compareFiles(files, got).slice(0, 20).join("\n")}`);
        files ??= got;
      }
      manifest.cases[c.name] = { export: c.export, args: c.args, count: Object.keys(files).length, digest: digest(files), files: short(files) };
    }
    mkdirSync(dirname(o.manifest), { recursive: true });
    writeFileSync(o.manifest, JSON.stringify(manifest, null, 1) + "\n");
    process.stderr.write(`manifest: ${o.manifest}\n`);
    return 0;
  }

  const manifest = JSON.parse(readFileSync(o.manifest, "utf8"));
  const problems = [];
  for (const [n, h] of Object.entries(inputHashes)) {
    if (manifest.exports[n] && manifest.exports[n].sha256 !== h) problems.push(`input ${n}: not the export the manifest was made from (generator changed?)`);
  }
  for (const c of selected) {
    const want = manifest.cases[c.name];
    if (!want) {
      problems.push(`${c.name}: not in the manifest`);
      continue;
    }
    for (const j of o.jobs) {
      const got = runCase(o, c, inputs[c.export], j);
      if (digest(got) === want.digest) continue;
      const diff = compareFiles(want.files, short(got));
      problems.push(`${c.name} --jobs ${j}: ${diff.length} file(s)\n    ${diff.slice(0, 20).join("\n    ")}${diff.length > 20 ? `\n    ... and ${diff.length - 20} more` : ""}`);
    }
  }
  if (problems.length > 0) {
    process.stdout.write(`NOT identical to ${o.manifest}:\n  ${problems.join("\n  ")}\n`);
    return 1;
  }
  process.stdout.write(`identical: ${selected.length} cases x --jobs ${o.jobs.join(",")} (${selected.reduce((a, c) => a + manifest.cases[c.name].count, 0)} files) match ${o.manifest}\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`identity: ${e.message}\n`);
      process.exitCode = 2;
    },
  );
}
