// Video frames as image files with ffmpeg: one decode pass per video, frames in decode order, 0-based,
// none dropped or repeated (passthrough timing). Only the wanted frames are encoded and written: a select
// filter whose expression is a balanced tree of the wanted runs (O(log runs) per frame), read from a
// script file so any number of runs fits. A second branch of the same pass counts every decoded frame,
// so a label past the end of the video is found, never shifted onto another frame.
import { spawn } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Ffmpeg } from "./ffmpeg.js";

export type FrameFormat = "jpg" | "png";

export interface FrameExtraction {
  video: string;
  /** Frame numbers to write, ascending and distinct; or every frame. */
  frames: readonly number[] | "all";
  /** An empty folder for ffmpeg's numbered files (and the filter script). */
  workDir: string;
  format: FrameFormat;
  /** JPEG quality as ffmpeg's -q:v, 2 (best) to 31. */
  qscale: number;
  signal?: AbortSignal;
  /** Frames decoded so far (progress). */
  onDecoded?: (n: number) => void;
}

export interface FrameOutput {
  /** How many frames the video holds, as decoded. */
  decoded: number;
  /** The written files in frame order: for a list, files[i] holds the i-th listed frame below `decoded`; for "all", frame i. */
  files: string[];
}

export class FfmpegError extends Error {}

/** Ascending distinct frame numbers as inclusive runs [first, last]. */
export function frameRuns(frames: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const f of frames) {
    const last = runs[runs.length - 1];
    if (last && f === last[1] + 1) last[1] = f;
    else runs.push([f, f]);
  }
  return runs;
}

/** An ffmpeg select expression true exactly on frames inside the runs: a balanced if/lt tree over them. */
export function selectExpression(runs: readonly [number, number][]): string {
  if (runs.length === 0) return "0";
  const build = (lo: number, hi: number): string => {
    if (hi - lo === 1) {
      const [a, b] = runs[lo] as [number, number];
      return a === b ? `eq(n,${a})` : `between(n,${a},${b})`;
    }
    const mid = (lo + hi) >> 1;
    return `if(lt(n,${(runs[mid] as [number, number])[0]}),${build(lo, mid)},${build(mid, hi)})`;
  };
  return build(0, runs.length);
}

/** JPEG quality 1-100 (as image libraries take it) as ffmpeg's -q:v scale 2-31. */
export function qscaleFor(quality: number): number {
  return Math.round(2 + ((100 - Math.min(100, Math.max(1, quality))) * 29) / 99);
}

/** Extract the frames in one ffmpeg run. Throws FfmpegError when ffmpeg fails or writes what was not asked. */
export async function extractFrames(ff: Ffmpeg, job: FrameExtraction): Promise<FrameOutput> {
  const ext = job.format;
  const codec = ext === "png" ? ["-c:v", "png"] : ["-q:v", String(job.qscale)];
  const pattern = join(job.workDir, `%08d.${ext}`);
  const input = ["-nostdin", "-hide_banner", "-v", "error", "-progress", "pipe:1", "-nostats", "-i", job.video];
  let args: string[];
  if (job.frames === "all") {
    args = [...input, "-map", "0:v:0", ...ff.passthrough, ...codec, "-start_number", "0", pattern];
  } else {
    const script = join(job.workDir, "select.txt");
    writeFileSync(script, `[0:v:0]split=2[all][pick];[pick]select='${selectExpression(frameRuns(job.frames))}'[sel]\n`);
    // The counting output comes first: ffmpeg's progress "frame=" is its first video output's count.
    args = [
      ...input,
      ...ff.filterScript(script),
      "-map", "[all]", ...ff.passthrough, "-f", "null", "-",
      "-map", "[sel]", ...ff.passthrough, ...codec, "-start_number", "0", pattern,
    ];
  }
  const decoded = await run(ff.path, args, job);
  const files = readdirSync(job.workDir)
    .filter((n) => n.endsWith(`.${ext}`))
    .sort()
    .map((n) => join(job.workDir, n));
  if (job.frames === "all") return { decoded: files.length, files };
  const expected = job.frames.filter((f) => f < decoded).length;
  if (files.length !== expected) throw new FfmpegError(`ffmpeg wrote ${files.length} frames where ${expected} were selected`);
  return { decoded, files };
}

/** Run ffmpeg; resolves to the last progress "frame=" count. */
function run(path: string, args: string[], job: FrameExtraction): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ["ignore", "pipe", "pipe"] });
    let frames = 0;
    let pending = "";
    let stderr = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (text: string) => {
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith("frame=")) {
          frames = Number(line.slice(6)) || 0;
          job.onDecoded?.(frames);
        }
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      if (stderr.length < 4000) stderr += text;
    });
    const onAbort = (): void => {
      child.kill("SIGKILL");
    };
    job.signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (e) => {
      job.signal?.removeEventListener("abort", onAbort);
      reject(new FfmpegError(`cannot run ffmpeg: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      job.signal?.removeEventListener("abort", onAbort);
      if (code === 0) return resolve(frames);
      const first = stderr.trim().split("\n").slice(-1)[0] ?? "";
      reject(new FfmpegError(signal ? `ffmpeg stopped by ${signal}` : `ffmpeg failed (exit ${code})${first ? `: ${first}` : ""}`));
    });
  });
}
