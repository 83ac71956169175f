// The bench's peer rows (issue 14): the two peer-shaped exports (20,000 images of 10 objects, 70% boxes
// and 30% polygons of 20 vertices, with and without 20% bitmasks), each timed as whole processes in
// rounds: every round runs `JSON.parse` of the same file and then each conversion once, so a change of
// load during the run falls on the reference and the rows alike and the ratio stays meaningful.
// Beside COCO: Encord's SDK exporter's PUBLISHED times for those exports (not measured here).
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

/** Encord's SDK COCO exporter on the peer exports, as published (issue 14); never measured by this bench. */
export const PUBLISHED = {
  "peer-boxpoly": 104,
  "peer-bitmask": 279,
};
export const PUBLISHED_NOTE =
  "Encord SDK exporter: PUBLISHED figures (issue 14: 104 s and 279 s, measured on a 2-core machine of this kind), " +
  "NOT measured in this run; the speed-up divides that published time by this run's median. The issue's exports " +
  "had 118 MB and 219 MB for the same 20,000 images and 200,000 objects; this generator writes 162 MB and 229 MB " +
  "(it also gives every object its object_answers entry and half the polygons the newer `polygons` list).";

const PEER_SHAPE = { objects: 10, vertices: 20, videoEvery: 0, polygonShare: 0.3 };
export const PEER_EXPORTS = [
  { key: "peer-boxpoly", bitmaskShare: 0 },
  { key: "peer-bitmask", bitmaskShare: 0.2 },
];
const PUBLISHED_ROWS = 20000;

/** The 1, 5 and 15 minute load averages, as /proc/loadavg has them (os.loadavg() elsewhere). */
export function loadAverage() {
  try {
    return readFileSync("/proc/loadavg", "utf8").trim().split(/\s+/).slice(0, 3).map(Number);
  } catch {
    return os.loadavg().map((x) => Number(x.toFixed(2)));
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One whole process under the RSS hook: wall seconds, peak RSS, CPU seconds, the load just before it. */
function runOnce(env, row) {
  // per bench process, so that two benches on one data folder do not read each other's figures
  const usageFile = join(env.data, `usage-peer-${process.pid}.json`);
  row.cleanup?.();
  rmSync(usageFile, { force: true });
  const load = loadAverage();
  const t0 = process.hrtime.bigint();
  const p = spawnSync(process.execPath, ["--import", env.hook, ...row.nodeFlags, ...row.args], {
    env: { ...process.env, BENCH_USAGE_FILE: usageFile },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  row.cleanup?.();
  if (p.status !== 0) {
    // kept as a failed run, so that one broken format does not lose the rest of a long bench
    const failed = `exit ${p.status ?? p.signal}: ${(p.stderr?.toString() ?? String(p.error)).trim().slice(0, 300)}`;
    process.stderr.write(`  ${row.label}: FAILED (${failed})\n`);
    if (row.format === "json-parse") throw new Error(`${row.label} failed: ${failed}`);
    return { failed, load };
  }
  const usage = JSON.parse(readFileSync(usageFile, "utf8"));
  rmSync(usageFile, { force: true });
  const run = { seconds, rssMb: usage.maxRssKb / 1024, cpuSeconds: (usage.userMs + usage.systemMs) / 1000, load };
  process.stderr.write(`  ${row.label}: ${seconds.toFixed(2)} s, ${run.rssMb.toFixed(0)} MB RSS, load ${load.join(" ")}\n`);
  return run;
}

/** The jobs values to run: "default" (no flag) is dropped when the build's default is a listed number. */
function jobsValues(list, defaultJobs) {
  const out = [];
  for (const j of list) {
    if (j === "default" && defaultJobs !== undefined && list.includes(defaultJobs)) continue;
    if (!out.includes(j)) out.push(j);
  }
  return out;
}

function jobsLabel(j, defaultJobs) {
  return j === "default" ? `default${defaultJobs !== undefined ? ` (${defaultJobs})` : ""}` : String(j);
}

/** The rows of one export: the JSON.parse reference first, then each format and jobs value. */
function rowsFor(exp, formats, jobsList, env) {
  const rows = [
    {
      what: "reference: JSON.parse of the whole file",
      format: "json-parse",
      jobs: "-",
      label: `JSON.parse ${exp.name}`,
      nodeFlags: ["--max-old-space-size=16384"],
      args: [join(env.root, "bench", "ref-json-parse.mjs"), exp.path],
    },
  ];
  for (const format of formats) {
    // masks: the bitmasks only (one PNG each); rasterising every box and polygon into its own
    // 1920x1080 PNG is not what anyone exports boxes for, and would take the run past an hour
    if (format === "masks" && !(exp.meta.bitmasks > 0)) continue;
    const extra = format === "masks" ? ["--mode", "instance", "--shapes", "bitmask"] : [];
    const out = join(env.data, `out-peer-${format}${format === "pixel" ? ".json" : ""}`);
    // with a baseline build, each of its rows runs just before the same row of this build, in the
    // same round: the fairest comparison a loaded machine allows
    const builds = env.baselineBin ? [["baseline", env.baselineBin, env.baselineDefaultJobs], ["this", env.bin, env.defaultJobs]] : [[undefined, env.bin, env.defaultJobs]];
    for (const j of jobsList) {
      for (const [build, bin, defaultJobs] of builds) {
        const jobsFlag = j === "default" ? [] : ["--jobs", String(j)];
        rows.push({
          what: [format, ...extra].join(" "),
          format,
          build,
          jobs: jobsLabel(j, defaultJobs),
          label: `${[format, ...extra].join(" ")} ${exp.name} --jobs ${jobsLabel(j, defaultJobs)}${build ? ` [${build}]` : ""}`,
          nodeFlags: [],
          args: [bin, format, exp.path, "-o", out, "-q", "--force", ...jobsFlag, ...extra],
          cleanup: () => rmSync(out, { recursive: true, force: true }),
        });
      }
    }
  }
  return rows;
}

/** Time one export's rows in `repeat` rounds and summarise each row against JSON.parse. */
function benchExport(exp, formats, jobsList, repeat, env) {
  const rows = rowsFor(exp, formats, jobsList, env);
  if (rows.length === 1) return []; // no format applies to this export (masks on one without bitmasks)
  const runs = rows.map(() => []);
  process.stderr.write(`${exp.name} (${(exp.meta.bytes / 1e6).toFixed(0)} MB, ${exp.meta.items} items, ${exp.meta.objects} objects, ${exp.meta.bitmasks} bitmasks):\n`);
  for (let r = 0; r < repeat; r++) {
    process.stderr.write(` round ${r + 1} of ${repeat}\n`);
    rows.forEach((row, i) => runs[i].push(runOnce(env, row)));
  }
  const parse = runs[0].map((x) => x.seconds);
  const parseMedian = median(parse);
  const published = exp.rows === PUBLISHED_ROWS ? PUBLISHED[exp.key] : undefined;
  return rows.map((row, i) => {
    const failed = runs[i].find((x) => x.failed)?.failed;
    if (failed) return { export: exp.name, bytes: exp.meta.bytes, what: row.what, format: row.format, ...(row.build ? { build: row.build } : {}), jobs: row.jobs, failed, loadPerRun: runs[i].map((x) => x.load) };
    const secs = runs[i].map((x) => x.seconds);
    const seconds = median(secs);
    const r = {
      export: exp.name,
      bytes: exp.meta.bytes,
      what: row.what,
      format: row.format,
      ...(row.build ? { build: row.build } : {}),
      jobs: row.jobs,
      args: row.args.slice(1).map((a) => (a === exp.path ? "EXPORT" : a)),
      seconds,
      minSeconds: Math.min(...secs),
      maxSeconds: Math.max(...secs),
      secondsPerRun: secs,
      rssMb: Math.max(...runs[i].map((x) => x.rssMb)),
      cpuSeconds: median(runs[i].map((x) => x.cpuSeconds)),
      loadPerRun: runs[i].map((x) => x.load),
      jsonParseSeconds: parseMedian,
      ratioToJsonParse: seconds / parseMedian,
      // the same ratio round by round (each run against the JSON.parse of its own round)
      ratioPerRound: secs.map((s, k) => s / parse[k]),
      mbPerSecond: exp.meta.bytes / 1e6 / seconds,
    };
    if (published !== undefined && row.format === "coco" && row.build !== "baseline") {
      r.publishedEncordSdkSeconds = published;
      r.speedUpVsPublished = published / seconds;
    }
    return r;
  });
}

/**
 * The peer rows: `o` has peerRows, peerFormats, peerJobs, repeat, mixedMb; `env` has ensureExport,
 * data, bin, hook, root, defaultJobs, and optionally baselineBin and baselineDefaultJobs (a second
 * build timed row by row beside this one).
 */
export async function peerBench(o, env) {
  const exports = [];
  for (const p of PEER_EXPORTS) {
    const name = o.peerRows === PUBLISHED_ROWS ? p.key : `${p.key}-${o.peerRows}rows`;
    const made = await env.ensureExport(`${name}.json`, { rows: o.peerRows, ...PEER_SHAPE, bitmaskShare: p.bitmaskShare });
    exports.push({ ...made, name, key: p.key, rows: o.peerRows, formats: o.peerFormats });
  }
  if (o.mixedMb > 0) {
    const name = `export-${o.mixedMb}mb`;
    const made = await env.ensureExport(`${name}.json`, { mb: o.mixedMb });
    exports.push({ ...made, name, key: name, rows: made.meta.rows, formats: ["coco"] });
  }
  const jobsList = jobsValues(o.peerJobs, env.defaultJobs);
  const rows = [];
  for (const exp of exports) rows.push(...benchExport(exp, exp.formats, jobsList, o.repeat, env));
  return {
    note: "whole process, median of the rounds (range); each round runs JSON.parse of the same file and then every row once",
    ...(env.baselineBin ? { baselineCli: env.baselineBin, cli: env.bin } : { cli: env.bin }),
    publishedNote: PUBLISHED_NOTE,
    exports: exports.map((e) => ({ name: e.name, bytes: e.meta.bytes, options: e.meta.options, rows: e.meta.rows, objects: e.meta.objects, bitmasks: e.meta.bitmasks, polygons: e.meta.polygons })),
    rounds: o.repeat,
    rows,
  };
}

const FLAGS = { mb: "--mb", seed: "--seed", objects: "--objects", vertices: "--vertices", videoEvery: "--video-every", frames: "--frames", hugeVideoMb: "--huge-video-mb", bitmaskShare: "--bitmask-share", rows: "--rows", polygonShare: "--polygon-share" };

/** The generator command that makes an export with these options (defaults left out where --rows is set). */
export function generatorCommand(name, options) {
  const skip = options.rows > 0 ? ["mb", "seed", "frames", "hugeVideoMb"] : ["seed", "hugeVideoMb", "frames", "videoEvery", "objects", "vertices", "bitmaskShare"].filter((k) => options[k] === { seed: 1, hugeVideoMb: 0, frames: 2000, videoEvery: 400, objects: 20, vertices: 60, bitmaskShare: 0.04 }[k]);
  const args = Object.entries(options)
    .filter(([k, v]) => FLAGS[k] && v !== undefined && !skip.includes(k))
    .map(([k, v]) => `${FLAGS[k]} ${v}`);
  return `node bench/generate.mjs --out ${name}.json ${args.join(" ")}`;
}

const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);

/** The peer rows as Markdown (first two lines: the machine, then a blank line, as the other tables). */
export function peersTable(r) {
  const m = r.machine;
  const p = r.peers;
  const lines = [
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, ${m.os}, Node ${m.node}; load average ${m.loadAverage.join(" / ")} at the start, ${r.machineAfter.loadAverage.join(" / ")} at the end.`,
    "",
  ];
  lines.push(`Peer-shaped exports, ${p.note} (${p.rounds} rounds). The exports:`);
  lines.push("");
  for (const e of p.exports) {
    lines.push(`- ${e.name}: ${(e.bytes / 1e6).toFixed(0)} MB, ${e.rows} rows, ${e.objects} objects (${e.polygons} polygons, ${e.bitmasks} bitmasks): \`${generatorCommand(e.name, e.options)}\``);
  }
  lines.push("");
  const builds = p.rows.some((x) => x.build);
  lines.push(`| export | what |${builds ? " build |" : ""} jobs | seconds (range) | × JSON.parse | peak RSS | load, 1 min, per run | Encord SDK, published (not measured in this run) | speed-up vs published |`);
  lines.push(`|---|---|${builds ? "---|" : ""}---|---|---|---|---|---|---|`);
  for (const x of p.rows) {
    const size = `${x.export} (${(x.bytes / 1e6).toFixed(0)} MB)`;
    const pub = x.publishedEncordSdkSeconds !== undefined ? `${x.publishedEncordSdkSeconds} s (published)` : "";
    const up = x.speedUpVsPublished !== undefined ? `${x.speedUpVsPublished.toFixed(0)}×` : "";
    const loads = x.loadPerRun.map((l) => f1(l[0])).join(" / ");
    if (x.failed) {
      lines.push(`| ${size} | ${x.what} |${builds ? ` ${x.build ?? ""} |` : ""} ${x.jobs} | FAILED: ${x.failed.replace(/[|\n]/g, " ")} | | | ${loads} | | |`);
      continue;
    }
    lines.push(`| ${size} | ${x.what} |${builds ? ` ${x.build ?? ""} |` : ""} ${x.jobs} | ${f2(x.seconds)} (${f2(x.minSeconds)}-${f2(x.maxSeconds)}) | ${f2(x.ratioToJsonParse)} | ${x.rssMb.toFixed(0)} MB | ${loads} | ${pub} | ${up} |`);
  }
  lines.push("");
  if (builds) lines.push(`Builds: baseline = ${p.baselineCli}, this = ${p.cli}; each baseline row ran just before the same row of this build, in every round.`, "");
  lines.push(p.publishedNote);
  return lines.join("\n") + "\n";
}

