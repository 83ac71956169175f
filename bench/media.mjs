#!/usr/bin/env node
// Media throughput: --download from a node:http server on 127.0.0.1 (in this process) at several
// --concurrency values, and video frame extraction (labelled frames and --frames all), each a whole CLI
// process (`yolo ... --download`). Writes bench/results/media.json and prints a Markdown table.
//
//   node bench/media.mjs                       # 400 files of 256 KiB; a 1280x720 video of 1500 frames
//   node bench/media.mjs --files 100 --kib 64 --frames 300 --concurrency 1,8,32 --repeat 3 (0 frames: no video)
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const BIN = join(ROOT, "bin", "encord-convert.js");

const o = { files: 400, kib: 256, frames: 1500, concurrency: [1, 8, 32], repeat: 1 };
for (let i = 2; i < process.argv.length; i += 2) {
  const [a, v] = [process.argv[i], process.argv[i + 1]];
  if (a === "--files") o.files = Number(v);
  else if (a === "--kib") o.kib = Number(v);
  else if (a === "--frames") o.frames = Number(v);
  else if (a === "--concurrency") o.concurrency = v.split(",").map(Number);
  else if (a === "--repeat") o.repeat = Number(v); // each download figure is the median of this many runs
  else throw new Error(`unknown option ${a}`);
}

const dir = mkdtempSync(join(os.tmpdir(), "ec-bench-media-"));
const body = randomBytes(o.kib * 1024); // the same bytes for every file: the server's cost stays out of the way
const server = createServer((req, res) => {
  if (req.url.startsWith("/video")) {
    res.writeHead(200, { "content-length": video.length });
    return res.end(video);
  }
  res.writeHead(200, { "content-length": body.length, etag: '"b"' });
  res.end(body);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.address().port;

function row(hash, title, type, unit) {
  return { label_hash: `l-${hash}`, branch_name: "main", data_hash: hash, data_title: title, data_type: type, label_status: "LABELLED", data_units: { [hash]: { data_hash: hash, data_title: title, ...unit } }, object_answers: {}, classification_answers: {}, object_actions: {} };
}
const obj = { name: "car", value: "car", shape: "bounding_box", featureHash: "fh", objectHash: "o", boundingBox: { x: 0.1, y: 0.1, w: 0.2, h: 0.2 } };

function run(args) {
  return new Promise((resolve) => {
    const t = process.hrtime.bigint();
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code, err, seconds: Number(process.hrtime.bigint() - t) / 1e9 }));
  });
}

const results = { machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, load: os.loadavg() }, downloads: [], frames: [] };

// Downloads: one image row per file (the export's size is the file's: width and height are not checked here).
const rows = [];
for (let i = 0; i < o.files; i++) rows.push(row(`h${i}`, `f${i}.bin`, "image", { data_type: "image/jpeg", data_link: `http://127.0.0.1:${port}/f${i}?X-Amz-Date=20990101T000000Z&X-Amz-Expires=60`, width: 10, height: 10, labels: { objects: [obj], classifications: [] } }));
const exportPath = join(dir, "images.json");
writeFileSync(exportPath, JSON.stringify(rows));
const empty = join(dir, "empty.json");
writeFileSync(empty, JSON.stringify(rows.slice(0, 1).map((r) => ({ ...r, data_units: { h0: { ...r.data_units.h0, data_link: null } } }))));
const base = await run(["yolo", empty, "-o", join(dir, "base"), "-q", "--download"]);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const c of o.concurrency) {
  const times = [];
  for (let k = 0; k < o.repeat; k++) {
    const r = await run(["yolo", exportPath, "-o", join(dir, `dl-${c}`), "-q", "--download", "--concurrency", String(c)]);
    if (r.code !== 0) throw new Error(r.err);
    times.push(r.seconds);
    rmSync(join(dir, `dl-${c}`), { recursive: true, force: true });
    rmSync(join(dir, `.dl-${c}.media-cache`), { recursive: true, force: true });
  }
  const r = { seconds: median(times) };
  const net = r.seconds - base.seconds; // less the process start and conversion of a one-row export
  results.downloads.push({ concurrency: c, files: o.files, bytes: o.files * body.length, seconds: r.seconds, filesPerSec: o.files / net, mbPerSec: (o.files * body.length) / 1e6 / net });
}

// Reference: plain fetch + writeFile of the same files in a child process (no .part, length or size check).
const REF = `const [port, n, c] = process.argv.slice(1).map(Number); const { writeFile } = await import("node:fs/promises");
let next = 0; const t = process.hrtime.bigint();
await Promise.all(Array.from({ length: c }, async () => { while (next < n) { const i = next++; const r = await fetch("http://127.0.0.1:" + port + "/f" + i); await writeFile(process.env.REF_DIR + "/f" + i, Buffer.from(await r.arrayBuffer())); } }));
console.log(Number(process.hrtime.bigint() - t) / 1e9);`;
mkdirSync(join(dir, "ref"));
for (const c of o.concurrency) {
  const times = [];
  for (let k = 0; k < o.repeat; k++) times.push(await new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", REF, String(port), String(o.files), String(c)], { env: { ...process.env, REF_DIR: join(dir, "ref") }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("close", () => resolve(Number(out)));
  }));
  const seconds = median(times);
  results.downloads.push({ concurrency: c, reference: true, files: o.files, bytes: o.files * body.length, seconds, filesPerSec: o.files / seconds, mbPerSec: (o.files * body.length) / 1e6 / seconds });
}

// Frames: a 1280x720 test pattern video, labels on every 10th frame, then every frame written.
let video = Buffer.alloc(0);
if (o.frames > 0) {
const videoPath = join(dir, "clip.mp4");
const enc = spawnSync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", `testsrc2=size=1280x720:rate=25`, "-frames:v", String(o.frames), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", videoPath]);
if (enc.status !== 0) throw new Error(enc.stderr.toString());
const { readFileSync } = await import("node:fs");
video = readFileSync(videoPath);
for (const [mode, step] of [["labelled, every 10th", 10], ["labelled, every frame", 1], ["--frames all, labels on every 10th", 10]]) {
  const labels = {};
  for (let f = 0; f < o.frames; f += step) labels[String(f)] = { objects: [obj], classifications: [] };
  const v = join(dir, "video.json");
  writeFileSync(v, JSON.stringify([row("vid", "clip.mp4", "video", { data_type: "video/mp4", data_link: `http://127.0.0.1:${port}/video`, width: 1280, height: 720, data_fps: 25, labels })]));
  const out = join(dir, "frames");
  const extra = mode.startsWith("--frames all") ? ["--frames", "all"] : [];
  const r = await run(["yolo", v, "-o", out, "-q", "--download", "--media-cache", join(dir, "vcache"), ...extra]);
  if (r.code !== 0) throw new Error(r.err);
  const written = mode.startsWith("--frames all") ? o.frames : Math.ceil(o.frames / step);
  results.frames.push({ mode, decoded: o.frames, written, seconds: r.seconds, decodedPerSec: o.frames / r.seconds, writtenPerSec: written / r.seconds });
  rmSync(out, { recursive: true, force: true });
}
}
server.close();
rmSync(dir, { recursive: true, force: true });

mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
writeFileSync(join(ROOT, "bench", "results", "media.json"), JSON.stringify(results, null, 2) + "\n");
console.log(`load average ${results.machine.load.map((l) => l.toFixed(1)).join(" ")} on ${results.machine.cpus} cores\n`);
console.log(`| downloads (${o.files} files of ${o.kib} KiB from 127.0.0.1) | files/s | MB/s |\n|---|---|---|`);
for (const d of results.downloads) console.log(`| ${d.reference ? "reference: fetch + writeFile, " : ""}--concurrency ${d.concurrency} | ${d.filesPerSec.toFixed(0)} | ${d.mbPerSec.toFixed(1)} |`);
console.log(`\n| frames (1280x720 H.264, ${o.frames} frames, whole run incl. the video download) | frames decoded/s | frames written/s |\n|---|---|---|`);
for (const f of results.frames) console.log(`| ${f.mode} (${f.written} written) | ${f.decodedPerSec.toFixed(0)} | ${f.writtenPerSec.toFixed(0)} |`);
