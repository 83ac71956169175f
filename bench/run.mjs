#!/usr/bin/env node
// `npm run bench`: encord-convert's benchmark. Generates synthetic exports (bench/generate.mjs) into
// bench/data/ (kept between runs), then times whole processes: every format on each export size, with
// 0, 1 and 2 parsing workers for COCO, a single huge video row, and mask PNG writing; next to the
// references measured in the same run (JSON.parse of a whole export, stream-json alone, pngjs's own
// encode). Then the peer rows (bench/peers.mjs): the two peer-shaped exports of issue 14 (20,000
// images of 10 objects, with and without 20% bitmasks) in rounds with `JSON.parse` of the same file,
// beside Encord's SDK exporter's published times. Writes bench/results/latest.json and prints
// Markdown tables for the README. Every row records the load average (/proc/loadavg) it ran under.
//
//   npm run bench                      # the published set: 400 MB and 2 GB exports, a 600 MB video row, peers
//   npm run bench -- --quick           # a few minutes: 50 MB, a 60 MB video row, peers of 1,000 rows
//   npm run bench -- --sizes 400 --repeat 5 --formats coco,yolo --jobs 0,2 --huge 0 --no-peers
//   npm run bench -- --shards-only     # only the shards row: the largest export as 2 shards + merge vs one run
//   npm run bench -- --peers-only      # only the peer rows (default jobs and --jobs 0) -> bench/results/peers.json
//   npm run bench -- --peers-only --peer-jobs 0,2 --mixed-mb 400 --data /work/benchdata/peer-bench --out bench/results/before.json
//                                      # + COCO on the 400 MB mixed export, same rounds; exports kept in --data
//   npm run bench -- --peers-only --cli /path/to/other/bin/encord-convert.js   # time another build
//   npm run bench -- --peers-only --peer-jobs default,0,2 --baseline-cli /work/wt-baseline/bin/encord-convert.js
//                                      # A/B: each row of the baseline build runs just before the same row of
//                                      # this one, in every round; node bench/compare.mjs RESULTS.json pairs them
//   npm run bench -- --sizes 2000 --formats coco,yolo,voc,pixel,masks --jobs 0,2 --every-jobs --repeat 1 --huge 0 --no-peers
//                                      # every format with every --jobs value (COCO alone gets them all otherwise)
// Options of the peer rows: --peer-rows N (20000), --peer-formats coco,yolo,voc,pixel,masks,
// --peer-jobs default,0 ("default" = no --jobs flag), --mixed-mb N (0 = none), --repeat N.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generate } from "./generate.mjs";
import { loadAverage, peerBench, peersTable } from "./peers.mjs";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
let DATA = process.env.BENCH_DATA ?? join(ROOT, "bench", "data");
const RESULTS = join(ROOT, "bench", "results");
let BIN = join(ROOT, "bin", "encord-convert.js");
const HOOK = pathToFileURL(join(ROOT, "bench", "rss-hook.mjs")).href;
const MB = 1e6;

function parseArgs(argv) {
  const o = {
    sizes: [400, 2000],
    huge: 600,
    repeat: 3,
    formats: ["coco", "yolo", "voc", "pixel"],
    jobs: [0, 1, 2],
    refSize: 400,
    masks: 300,
    shards: 2,
    shardsOnly: false,
    peers: true,
    peersOnly: false,
    peerRows: 20000,
    peerFormats: ["coco", "yolo", "voc", "pixel", "masks"],
    peerJobs: ["default", 0],
    mixedMb: 0,
    data: DATA,
    cli: BIN,
    out: join(RESULTS, "latest.json"),
  };
  let outGiven = false;
  const jobsList = (v) => v.split(",").map((x) => (x === "default" ? "default" : Number(x)));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === "--quick") Object.assign(o, { sizes: [50], huge: 60, repeat: 2, refSize: 50, masks: 60, peerRows: 1000, out: outGiven ? o.out : join(RESULTS, "quick.json") });
    else if (a === "--sizes") (o.sizes = v.split(",").map(Number)), i++;
    else if (a === "--huge") (o.huge = Number(v)), i++;
    else if (a === "--repeat") (o.repeat = Number(v)), i++;
    else if (a === "--formats") (o.formats = v.split(",")), i++;
    else if (a === "--jobs") (o.jobs = v.split(",").map(Number)), i++;
    else if (a === "--ref-size") (o.refSize = Number(v)), i++;
    else if (a === "--masks") (o.masks = Number(v)), i++;
    else if (a === "--out") (o.out = v), (outGiven = true), i++;
    else if (a === "--shards") (o.shards = Number(v)), i++;
    else if (a === "--shards-only") Object.assign(o, { shardsOnly: true, out: outGiven ? o.out : join(RESULTS, "shards.json") });
    else if (a === "--peers-only") Object.assign(o, { peersOnly: true, out: outGiven ? o.out : join(RESULTS, "peers.json") });
    else if (a === "--no-peers") o.peers = false;
    else if (a === "--every-jobs") o.everyJobs = true;
    else if (a === "--peer-rows") (o.peerRows = Number(v)), i++;
    else if (a === "--peer-formats") (o.peerFormats = v.split(",")), i++;
    else if (a === "--peer-jobs") (o.peerJobs = jobsList(v)), i++;
    else if (a === "--mixed-mb") (o.mixedMb = Number(v)), i++;
    else if (a === "--data") (o.data = v), i++;
    else if (a === "--cli") (o.cli = v), i++;
    else if (a === "--baseline-cli") (o.baselineCli = v), i++;
    else throw new Error(`unknown option ${a} (see the head of bench/run.mjs)`);
  }
  for (const x of [...o.jobs, ...o.peerJobs]) if (x !== "default" && !(Number.isInteger(x) && x >= 0)) throw new Error(`bad jobs value ${x}`);
  DATA = o.data;
  BIN = o.cli;
  return o;
}

/** An export in bench/data, generated unless one made with the same options is there. */
async function ensureExport(name, options) {
  const out = join(DATA, name);
  const metaPath = `${out}.meta.json`;
  if (existsSync(out) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, "utf8"));
    const want = { ...meta.options, ...options, out: undefined };
    if (JSON.stringify(want) === JSON.stringify(meta.options) && statSync(out).size === meta.bytes) return { path: out, meta };
  }
  mkdirSync(DATA, { recursive: true });
  process.stderr.write(`generating ${name} ...\n`);
  const meta = await generate({ ...options, out });
  return { path: out, meta };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Run `node [flags] script args` `repeat` times: wall seconds and peak RSS of each run. */
function timeProcess(label, nodeFlags, args, repeat, cleanup) {
  const usageFile = join(DATA, "usage.json");
  const runs = [];
  for (let r = 0; r < repeat; r++) {
    cleanup?.();
    rmSync(usageFile, { force: true });
    const load = loadAverage();
    const t0 = process.hrtime.bigint();
    const p = spawnSync(process.execPath, ["--import", HOOK, ...nodeFlags, ...args], {
      env: { ...process.env, BENCH_USAGE_FILE: usageFile },
      maxBuffer: 64 * 1024 * 1024,
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (p.status !== 0) throw new Error(`${label} failed (exit ${p.status}): ${p.stderr.toString().slice(0, 500)}`);
    const usage = JSON.parse(readFileSync(usageFile, "utf8"));
    runs.push({ seconds, rssMb: usage.maxRssKb / 1024, cpuSeconds: (usage.userMs + usage.systemMs) / 1000, stdout: p.stdout.toString().trim(), load });
    process.stderr.write(`  ${label}: ${seconds.toFixed(2)} s, ${(usage.maxRssKb / 1024).toFixed(0)} MB RSS, load ${load.join(" ")}\n`);
  }
  cleanup?.();
  const seconds = runs.map((r) => r.seconds);
  return {
    seconds: median(seconds),
    minSeconds: Math.min(...seconds),
    maxSeconds: Math.max(...seconds),
    rssMb: Math.max(...runs.map((r) => r.rssMb)),
    cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
    runs: runs.length,
    stdout: runs[0]?.stdout,
    loadPerRun: runs.map((r) => r.load),
  };
}

/** Run several processes at once (each `[label, args]`): wall seconds until the last ends, and each one's peak RSS. */
async function timeTogether(label, commands) {
  const load = loadAverage();
  const t0 = process.hrtime.bigint();
  const runs = await Promise.all(
    commands.map(
      (args, i) =>
        new Promise((resolveRun, reject) => {
          const usageFile = join(DATA, `usage-${i}.json`);
          rmSync(usageFile, { force: true });
          const p = spawn(process.execPath, ["--import", HOOK, ...args], { env: { ...process.env, BENCH_USAGE_FILE: usageFile }, stdio: ["ignore", "ignore", "pipe"] });
          let stderr = "";
          p.stderr.on("data", (d) => (stderr += d));
          p.on("close", (code) => {
            if (code !== 0) reject(new Error(`${label} #${i} failed (exit ${code}): ${stderr.slice(0, 500)}`));
            else {
              const usage = JSON.parse(readFileSync(usageFile, "utf8"));
              resolveRun({ rssMb: usage.maxRssKb / 1024, cpuSeconds: (usage.userMs + usage.systemMs) / 1000 });
            }
          });
        }),
    ),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stderr.write(`  ${label}: ${seconds.toFixed(2)} s, ${runs.map((r) => r.rssMb.toFixed(0)).join(" + ")} MB RSS\n`);
  return {
    seconds,
    minSeconds: seconds,
    maxSeconds: seconds,
    rssMb: Math.max(...runs.map((r) => r.rssMb)),
    cpuSeconds: runs.reduce((a, r) => a + r.cpuSeconds, 0),
    runs: 1,
    loadPerRun: [load],
    perProcessRssMb: runs.map((r) => r.rssMb),
    perProcessCpuSeconds: runs.map((r) => r.cpuSeconds),
  };
}

/**
 * The shards row: the export converted to COCO as `n` shards in parallel, then merged, against one run
 * with the same class list (a sharded run needs one: made once by inspect --classes-out, timed too).
 */
async function shardsBench(exp, n) {
  const classes = join(DATA, `${exp.name}.classes.txt`);
  const inspect = timeProcess("inspect --classes-out", [], [BIN, "inspect", exp.path, "--classes-out", classes, "--force"], 1);
  const single = convert("coco", exp, 0, 1, ["--classes", classes], join(DATA, "out-coco-shards-check"));
  const outs = Array.from({ length: n }, (_, k) => join(DATA, `out-shard-${k}`));
  const merged = join(DATA, "out-merged");
  const clean = () => [...outs, merged].forEach((d) => rmSync(d, { recursive: true, force: true }));
  clean();
  const parallel = await timeTogether(`coco as ${n} shards at once`, outs.map((out, k) => [BIN, "coco", exp.path, "--classes", classes, "--shard", `${k}/${n}`, "-o", out, "-q"]));
  const merge = timeProcess(`merge of ${n} shards`, [], [BIN, "merge", "coco", ...outs, "-o", merged, "-q"], 1);
  const sameBytes = readFileSync(join(merged, "annotations.json")).equals(readFileSync(join(DATA, "out-coco-shards-check", "annotations.json")));
  clean();
  rmSync(join(DATA, "out-coco-shards-check"), { recursive: true, force: true });
  const wall = parallel.seconds + merge.seconds;
  const total = { seconds: wall, minSeconds: wall, maxSeconds: wall, rssMb: Math.max(parallel.rssMb, merge.rssMb), cpuSeconds: parallel.cpuSeconds + merge.cpuSeconds };
  return {
    export: exp.name,
    shards: n,
    inspect: { ...inspect, ...rates(inspect, exp) },
    single: { ...single },
    parallel: { export: exp.name, ...parallel, ...rates(parallel, exp) },
    merge: { export: exp.name, ...merge, ...rates(merge, exp) },
    total: { export: exp.name, ...total, ...rates(total, exp) },
    mergedEqualsSingle: sameBytes,
  };
}

function rates(t, exp) {
  return {
    mbPerSecond: exp.meta.bytes / MB / t.seconds,
    mbPerSecondRange: [exp.meta.bytes / MB / t.maxSeconds, exp.meta.bytes / MB / t.minSeconds],
    itemsPerSecond: exp.meta.items / t.seconds,
    objectsPerSecond: exp.meta.objects / t.seconds,
  };
}

function convert(format, exp, jobs, repeat, extra = [], keepAs = undefined) {
  const out = keepAs ?? join(DATA, `out-${format}${format === "pixel" ? ".json" : ""}`);
  const cleanup = keepAs ? () => undefined : () => rmSync(out, { recursive: true, force: true });
  // "default": no --jobs flag, the build's own default
  const jobsFlag = jobs === "default" ? [] : ["--jobs", String(jobs)];
  const t = timeProcess(`${format} ${exp.name} --jobs ${jobs} ${extra.join(" ")}`.trim(), [], [BIN, format, exp.path, "-o", out, "-q", "--force", ...jobsFlag, ...extra], repeat, cleanup);
  return { format, export: exp.name, jobs, extra, ...t, ...rates(t, exp) };
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage: loadAverage(),
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(RESULTS, { recursive: true });
  mkdirSync(DATA, { recursive: true });
  const started = new Date().toISOString();
  const before = machine();
  process.stderr.write(`machine: ${before.cpu}, ${before.cores} cores, ${before.memoryGb} GB, ${before.node}, load ${before.loadAverage.join(" ")}\n`);
  process.stderr.write(`cli: ${BIN}; data: ${DATA}\n`);
  const peerEnv = { ensureExport, data: DATA, bin: BIN, hook: HOOK, root: ROOT, defaultJobs: defaultJobs() };
  if (o.baselineCli) Object.assign(peerEnv, { baselineBin: o.baselineCli, baselineDefaultJobs: defaultJobs(o.baselineCli) });
  if (o.peersOnly) {
    const peers = await peerBench(o, peerEnv);
    const r = { started, machine: before, options: o, peers, machineAfter: machine(), finished: new Date().toISOString() };
    writeFileSync(o.out, JSON.stringify(r, null, 2) + "\n");
    process.stdout.write(peersTable(r));
    process.stderr.write(`results: ${o.out}\n`);
    return;
  }

  const exports = [];
  for (const mb of o.sizes) exports.push({ name: `export-${mb}mb`, ...(await ensureExport(`export-${mb}mb.json`, { mb })) });
  if (o.shardsOnly) {
    const biggest = exports[exports.length - 1];
    process.stderr.write(`${biggest.name}: ${o.shards} shards in parallel + merge vs one run:\n`);
    const shards = await shardsBench(biggest, o.shards);
    const r = { started, machine: before, options: o, shards, machineAfter: machine(), finished: new Date().toISOString() };
    writeFileSync(o.out, JSON.stringify(r, null, 2) + "\n");
    process.stdout.write(shardsTable(r));
    process.stderr.write(`results: ${o.out}\n`);
    return;
  }
  const ref = exports.find((e) => e.meta.options.mb === o.refSize) ?? { name: `export-${o.refSize}mb`, ...(await ensureExport(`export-${o.refSize}mb.json`, { mb: o.refSize })) };
  const huge = o.huge > 0 ? { name: `video-${o.huge}mb`, ...(await ensureExport(`video-${o.huge}mb.json`, { hugeVideoMb: o.huge })) } : undefined;
  const masksPerImage = 3;
  const bitmasks = { name: "bitmasks", ...(await ensureExport(`bitmasks-${o.masks}.json`, { mb: 0.0025 * o.masks, objects: masksPerImage, videoEvery: 0, bitmaskShare: 1 })) };

  const results = { started, machine: before, options: o, references: {}, conversions: [], huge: [], masks: {} };

  // References on the export V8 can hold as one string.
  process.stderr.write(`references on ${ref.name}:\n`);
  const parse = timeProcess("JSON.parse", ["--max-old-space-size=16384"], [join(ROOT, "bench", "ref-json-parse.mjs"), ref.path], o.repeat);
  results.references.jsonParse = { export: ref.name, ...parse, ...rates(parse, ref) };
  const sj = timeProcess("stream-json", [], [join(ROOT, "bench", "ref-stream-json.mjs"), ref.path], 1);
  results.references.streamJson = { export: ref.name, ...sj, ...rates(sj, ref) };

  for (const exp of exports) {
    process.stderr.write(`${exp.name} (${(exp.meta.bytes / MB).toFixed(0)} MB, ${exp.meta.items} items, ${exp.meta.objects} objects):\n`);
    const repeat = exp.meta.bytes > 1e9 ? Math.min(o.repeat, 2) : o.repeat;
    for (const format of o.formats) {
      const jobsList = format === "coco" || o.everyJobs ? o.jobs : [o.jobs.includes(defaultJobs()) ? defaultJobs() : o.jobs[0]];
      for (const jobs of jobsList) results.conversions.push(convert(format, exp, jobs, repeat));
    }
  }
  if (huge) {
    process.stderr.write(`${huge.name} (one row of ${(huge.meta.bytes / MB).toFixed(0)} MB, ${huge.meta.frames} frames):\n`);
    for (const format of ["coco", "pixel"]) results.huge.push(convert(format, huge, defaultJobs() ?? "default", 1));
  }

  process.stderr.write(`masks (${bitmasks.meta.objects} bitmasks at 1920x1080):\n`);
  const masks = convert("masks", bitmasks, defaultJobs() ?? "default", o.repeat);
  const png = timeProcess("pngjs encode", [], [join(ROOT, "bench", "ref-pngjs.mjs"), bitmasks.path, "60"], 1);
  const pngjs = JSON.parse(png.stdout);
  results.masks = {
    export: bitmasks.name,
    masks: bitmasks.meta.objects,
    seconds: masks.seconds,
    rssMb: masks.rssMb,
    loadPerRun: masks.loadPerRun,
    masksPerSecond: bitmasks.meta.objects / masks.seconds,
    masksPerSecondRange: [bitmasks.meta.objects / masks.maxSeconds, bitmasks.meta.objects / masks.minSeconds],
    pngjsTunedPerSecond: pngjs.tunedPerSecond,
    pngjsDefaultPerSecond: pngjs.defaultPerSecond,
  };
  if (o.shards > 1) {
    const biggest = exports[exports.length - 1];
    process.stderr.write(`${biggest.name}: ${o.shards} shards in parallel + merge vs one run:\n`);
    results.shards = await shardsBench(biggest, o.shards);
  }
  if (o.peers) results.peers = await peerBench(o, peerEnv);
  results.machineAfter = machine();
  results.finished = new Date().toISOString();
  writeFileSync(o.out, JSON.stringify(results, null, 2) + "\n");
  process.stdout.write(table(results));
  process.stderr.write(`results: ${o.out}\n`);
}

/** The build's DEFAULT_JOBS when it is a plain number in dist/options.js (next to the CLI), else undefined. */
function defaultJobs(bin = BIN) {
  const file = join(dirname(dirname(bin)), "dist", "options.js");
  if (!existsSync(file)) return undefined;
  const m = /DEFAULT_JOBS = (\d+);/.exec(readFileSync(file, "utf8"));
  return m ? Number(m[1]) : undefined;
}

const f0 = (x) => x.toFixed(0);
const f1 = (x) => x.toFixed(1);
const k = (x) => (x >= 1e4 ? `${f0(x / 1e3)}k` : f0(x));

/** The 1-minute load averages a row's runs started under, as "min-max" (older results have none). */
function loadRange(x) {
  const l = (x.loadPerRun ?? []).map((v) => v[0]);
  return l.length === 0 ? "-" : l.length === 1 ? f1(l[0]) : `${f1(Math.min(...l))}-${f1(Math.max(...l))}`;
}

/** The README table. */
export function table(r) {
  const m = r.machine;
  const lines = [];
  lines.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, ${m.os}, Node ${m.node}; load average ${m.loadAverage.join(" / ")} at the start, ${r.machineAfter.loadAverage.join(" / ")} at the end.`);
  lines.push("");
  // time per MB as a multiple of JSON.parse's time per MB on the reference export (the same file when
  // the row's export is the reference; the 2 GB export is too big for one V8 string)
  const ref = r.references.jsonParse;
  lines.push(`| what | export | jobs | MB/s (range) | items/s | objects/s | peak RSS | time per MB × JSON.parse's (${ref.export}) | load, 1 min |`);
  lines.push("|---|---|---|---|---|---|---|---|---|");
  const row = (what, x, jobs) =>
    lines.push(
      `| ${what} | ${x.export} | ${jobs} | ${f1(x.mbPerSecond)} (${f1(x.mbPerSecondRange[0])}-${f1(x.mbPerSecondRange[1])}) | ${k(x.itemsPerSecond)} | ${k(x.objectsPerSecond)} | ${f0(x.rssMb)} MB | ${(ref.mbPerSecond / x.mbPerSecond).toFixed(2)} | ${loadRange(x)} |`,
    );
  row("reference: JSON.parse of the whole file", r.references.jsonParse, "-");
  row("reference: stream-json StreamArray", r.references.streamJson, "-");
  for (const c of r.conversions) row(c.format, c, c.jobs);
  for (const c of r.huge) row(`${c.format}, one huge video row`, c, c.jobs);
  if (r.shards) lines.push("", ...shardsTable(r).trimEnd().split("\n").slice(2));
  if (r.peers) lines.push("", ...peersTable(r).trimEnd().split("\n").slice(2));
  lines.push("");
  const ms = r.masks;
  lines.push(
    `Masks (instance PNGs, 1920x1080, whole process): ${f0(ms.masksPerSecond)} masks/s (${f0(ms.masksPerSecondRange[0])}-${f0(ms.masksPerSecondRange[1])}), ${f0(ms.rssMb)} MB RSS, load ${loadRange(ms)}; pngjs's own encode of the same images: ${f0(ms.pngjsTunedPerSecond)}/s with the tuned options, ${f0(ms.pngjsDefaultPerSecond)}/s with its defaults (ratio ${(ms.pngjsTunedPerSecond / ms.masksPerSecond).toFixed(2)}x).`,
  );
  return lines.join("\n") + "\n";
}

/** The shards rows of the README table. */
export function shardsTable(r) {
  const m = r.machine;
  const x = r.shards;
  const lines = [`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, ${m.os}, Node ${m.node}; load average ${m.loadAverage.join(" / ")} at the start, ${r.machineAfter.loadAverage.join(" / ")} at the end.`, ""];
  lines.push("| what | export | wall seconds | MB/s | CPU seconds | peak RSS |");
  lines.push("|---|---|---|---|---|---|");
  const row = (what, t, cpu = f1(t.cpuSeconds)) => lines.push(`| ${what} | ${x.export} | ${f1(t.seconds)} | ${f1(t.mbPerSecond)} | ${cpu} | ${f0(t.rssMb)} MB |`);
  row("coco, one run (`--classes`)", x.single);
  const each = x.parallel.perProcessCpuSeconds;
  row(`coco, ${x.shards} shards at once`, x.parallel, each ? each.map(f1).join(" + ") : `${f1(x.parallel.cpuSeconds)} (all shards)`);
  row(`merge of the ${x.shards} shards`, x.merge);
  row(`${x.shards} shards + merge`, x.total);
  row("inspect --classes-out (once per export, not needed with --ontology)", x.inspect);
  lines.push("", `Merged output byte-identical to the one run's: ${x.mergedEqualsSingle ? "yes" : "NO"}.`);
  return lines.join("\n") + "\n";
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((e) => {
    process.stderr.write(`bench: ${e.message}\n`);
    process.exitCode = 1;
  });
}
