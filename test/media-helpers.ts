// Test helpers of the media tests: real images and videos made with ffmpeg and pngjs, exports whose
// data_link points at a local server, and that server (node:http on 127.0.0.1), which misbehaves on
// purpose per file until told to be healthy.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { PNG } from "pngjs";
import { REPO } from "./fixtures.js";
import { BIN } from "./helpers.js";

export const HAVE_FFMPEG = spawnSync("ffmpeg", ["-version"]).status === 0;
/** Media tests may skip only where ffmpeg is absent and this is not CI (.ci/run installs it). */
export function ffmpegOrSkip(): boolean {
  if (!HAVE_FFMPEG && process.env.CI) throw new Error("ffmpeg is required in CI: .ci/run installs it");
  if (!HAVE_FFMPEG) console.warn("ffmpeg not found: media tests that need it are skipped");
  return HAVE_FFMPEG;
}

function ffmpeg(args: string[], input?: Buffer): void {
  const r = spawnSync("ffmpeg", ["-v", "error", "-y", ...args], { input, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(" ")}: ${r.stderr.toString()}`);
}

/** A real image of one flat colour: PNG through pngjs, anything else through ffmpeg. */
export function makeImage(path: string, w: number, h: number, rgb: [number, number, number] = [200, 30, 30]): Buffer {
  if (path.endsWith(".png")) {
    const png = new PNG({ width: w, height: h });
    for (let i = 0; i < w * h; i++) png.data.set([...rgb, 255], i * 4);
    writeFileSync(path, PNG.sync.write(png));
  } else {
    const hex = rgb.map((v) => v.toString(16).padStart(2, "0")).join("");
    ffmpeg(["-f", "lavfi", "-i", `color=c=0x${hex}:s=${w}x${h}`, "-frames:v", "1", path]);
  }
  return readFileSync(path);
}

/** Frame k's colour: distinct for k < 4096 and far apart, so a lossy frame still decodes to its k. */
export function colourOf(k: number): [number, number, number] {
  return [((k % 16) * 16) + 8, ((Math.floor(k / 16) % 16) * 16) + 8, ((Math.floor(k / 256) % 16) * 16) + 8];
}

/** The frame number a decoded colour stands for (nearest cell of each channel). */
export function frameOfColour(rgb: [number, number, number]): number {
  const cell = (v: number): number => Math.min(15, Math.max(0, Math.round((v - 8) / 16)));
  return cell(rgb[0]) + 16 * cell(rgb[1]) + 256 * cell(rgb[2]);
}

/** A video whose frame k is flat colourOf(k), from raw RGB frames; mkv = lossless x264rgb, mp4 = near-lossless x264. */
export function makeColourVideo(path: string, frames: number, w = 64, h = 48, fps = 25): void {
  const raw = Buffer.alloc(frames * w * h * 3);
  for (let k = 0; k < frames; k++) {
    const [r, g, b] = colourOf(k);
    for (let i = 0; i < w * h; i++) raw.set([r, g, b], (k * w * h + i) * 3);
  }
  const codec = path.endsWith(".mkv") ? ["-c:v", "libx264rgb", "-qp", "0"] : ["-c:v", "libx264", "-qp", "4", "-pix_fmt", "yuv444p"];
  ffmpeg(["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${w}x${h}`, "-r", String(fps), "-i", "-", ...codec, "-bf", "2", path], raw);
}

/** The mean colour of a decoded image file (PNG by pngjs; other formats converted to PNG by ffmpeg first). */
export function meanColour(path: string): [number, number, number] {
  let png: PNG;
  if (path.endsWith(".png")) png = PNG.sync.read(readFileSync(path));
  else {
    const r = spawnSync("ffmpeg", ["-v", "error", "-i", path, "-f", "image2pipe", "-c:v", "png", "-pix_fmt", "rgb24", "-"], { maxBuffer: 1 << 26 });
    png = PNG.sync.read(r.stdout);
  }
  const sum = [0, 0, 0];
  const n = png.width * png.height;
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) (sum[c] as number) += png.data[i * 4 + c] as number;
  return sum.map((s) => Math.round(s / n)) as [number, number, number];
}

export function sha(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}

/** Every file under a folder, relative, sorted. */
export function walk(dir: string): string[] {
  const out: string[] = [];
  const go = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) go(p);
      else out.push(relative(dir, p));
    }
  };
  go(dir);
  return out.sort();
}

// --- exports ----------------------------------------------------------------------------------------

const box = (n: number): unknown => ({
  name: "car",
  value: "car",
  color: "#D33115",
  shape: "bounding_box",
  featureHash: "fhCar001",
  objectHash: `obj${n}`,
  confidence: 1,
  manualAnnotation: true,
  createdAt: "2025-06-01 10:00:00",
  createdBy: "a@example.com",
  boundingBox: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 },
});

function row(dataHash: string, title: string, dataType: string, units: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  return {
    label_hash: `lbl-${dataHash}`,
    branch_name: "main",
    dataset_hash: "ds",
    dataset_title: "media test",
    data_hash: dataHash,
    data_title: title,
    data_type: dataType,
    label_status: "LABELLED",
    data_units: units,
    object_answers: {},
    classification_answers: {},
    object_actions: {},
    ...extra,
  };
}

export interface ImageSpec {
  hash: string;
  title: string;
  link: string | null;
  w: number;
  h: number;
}

export function imageRow(s: ImageSpec): unknown {
  const mime = s.title.endsWith(".png") ? "image/png" : "image/jpeg";
  return row(s.hash, s.title, "image", {
    [s.hash]: { data_hash: s.hash, data_title: s.title, data_type: mime, data_sequence: 0, data_link: s.link, width: s.w, height: s.h, labels: { objects: [box(1)], classifications: [] } },
  });
}

export function groupRow(hash: string, title: string, members: ImageSpec[], sequence = false): unknown {
  const units: Record<string, unknown> = {};
  members.forEach((m, i) => {
    units[m.hash] = { data_hash: m.hash, data_title: m.title, data_type: "image/png", data_sequence: String(i), data_link: m.link, width: m.w, height: m.h, labels: { objects: [box(i)], classifications: [] } };
  });
  return row(hash, title, "img_group", units, { is_image_sequence: sequence });
}

export function videoRow(hash: string, title: string, link: string | null, frames: number[], w = 64, h = 48, fps = 25, duration?: number): unknown {
  const labels: Record<string, unknown> = {};
  for (const f of frames) labels[String(f)] = { objects: [box(f)], classifications: [] };
  const unit: Record<string, unknown> = { data_hash: hash, data_title: title, data_type: "video/mp4", data_sequence: 0, data_link: link, width: w, height: h, data_fps: fps, labels };
  if (duration !== undefined) unit.data_duration = duration;
  return row(hash, title, "video", { [hash]: unit });
}

// --- the server -----------------------------------------------------------------------------------

export type Behaviour =
  | "ok"
  | "status-then-ok" // `status` for the first `times` requests, then the file
  | "403" // always 403, an S3-style "Request has expired" body
  | "429" // 429 with Retry-After: `retryAfter` s on the first request, then the file
  | "reset" // half the body then a reset connection on the first `times` requests (default 1), then the file
  | "short" // always: Content-Length of the whole file, half of it sent
  | "slow" // always: headers only after `delayMs`
  | "redirect"; // 302 to the plain file

export interface Served {
  body: Buffer;
  behaviour: Behaviour;
  status?: number;
  times?: number;
  retryAfter?: number;
  delayMs?: number;
}

export interface Hit {
  path: string;
  query: string;
  range?: string;
  at: number;
}

export const SIGNATURE = "c2VjcmV0LXNpZ25hdHVyZS0xMjM0NTY3ODk";

export class MediaServer {
  readonly files = new Map<string, Served>();
  readonly hits: Hit[] = [];
  healthy = false;
  private server?: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** A signed-looking S3 URL for a file name; `expired` puts its X-Amz-Date 8 days back. */
  url(name: string, expired = false): string {
    const t = new Date(Date.now() - (expired ? 8 * 86400e3 : 3600e3));
    const amzDate = t.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
    return `http://127.0.0.1:${this.port}/bucket/${encodeURIComponent(name)}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20250601%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=${amzDate}&X-Amz-Expires=604800&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIGNATURE}`;
  }

  hitsFor(name: string): Hit[] {
    return this.hits.filter((h) => h.path === `/bucket/${encodeURIComponent(name)}` || h.path === `/plain/${encodeURIComponent(name)}`);
  }

  private sendFile(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const etag = `"${sha(body).slice(0, 16)}"`;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    if (range && (req.headers["if-range"] === undefined || req.headers["if-range"] === etag)) {
      const start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { "content-range": `bytes */${body.length}` });
        res.end();
        return;
      }
      res.writeHead(206, { "content-length": body.length - start, "content-range": `bytes ${start}-${body.length - 1}/${body.length}`, etag });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, { "content-length": body.length, etag, "accept-ranges": "bytes" });
    res.end(body);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const u = new URL(req.url ?? "/", "http://x");
    this.hits.push({ path: u.pathname, query: u.search, range: req.headers.range, at: Date.now() });
    const name = decodeURIComponent(u.pathname.replace(/^\/(bucket|plain)\//, ""));
    const f = this.files.get(name);
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    const n = this.hitsFor(name).length; // this request's number, from 1
    if (this.healthy || u.pathname.startsWith("/plain/")) return this.sendFile(req, res, f.body);
    switch (f.behaviour) {
      case "ok":
        return this.sendFile(req, res, f.body);
      case "status-then-ok":
        if (n <= (f.times ?? 1)) {
          res.writeHead(f.status ?? 500, { "content-type": "text/plain" }).end("server error");
          return;
        }
        return this.sendFile(req, res, f.body);
      case "403":
        res.writeHead(403, { "content-type": "application/xml" }).end("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>");
        return;
      case "429":
        if (n === 1) {
          res.writeHead(429, { "retry-after": String(f.retryAfter ?? 1) }).end();
          return;
        }
        return this.sendFile(req, res, f.body);
      case "reset":
        if (n <= (f.times ?? 1)) {
          res.writeHead(200, { "content-length": f.body.length, etag: `"${sha(f.body).slice(0, 16)}"` });
          res.write(f.body.subarray(0, f.body.length >> 1), () => setTimeout(() => req.socket.resetAndDestroy(), 150)); // time for the client to read the half
          return;
        }
        return this.sendFile(req, res, f.body);
      case "short":
        // The connection closes after the half: the client sees the body end before its length.
        res.writeHead(200, { "content-length": f.body.length, connection: "close" });
        res.end(f.body.subarray(0, f.body.length >> 1));
        return;
      case "slow":
        setTimeout(() => {
          if (!res.destroyed) this.sendFile(req, res, f.body);
        }, f.delayMs ?? 2000);
        return;
      case "redirect":
        res.writeHead(302, { location: `/plain/${encodeURIComponent(name)}` }).end();
        return;
    }
  }
}

/** Run the built CLI without blocking this process (the test's own server must keep answering). */
export function runCliAsync(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Every file under `dir` whose bytes contain `needle` (relative paths). */
export function filesContaining(dir: string, needle: string): string[] {
  return walk(dir).filter((f) => readFileSync(join(dir, f)).includes(needle));
}

/** A PNG of random pixels (incompressible, so its size is about w*h*3 bytes). */
export function noisePng(w: number, h: number, seed: number): Buffer {
  const png = new PNG({ width: w, height: h });
  let a = seed >>> 0;
  for (let i = 0; i < png.data.length; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    png.data[i] = (i & 3) === 3 ? 255 : a >>> 24;
  }
  return PNG.sync.write(png);
}
