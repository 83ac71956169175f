// A video's labelled frames, gathered as the writers place them, extracted in one ffmpeg pass and put
// under the names the labels already use (item.stem, never recomputed). A label on a frame past the end
// is reported, as is a frame count that disagrees with the export's fps × duration.
import { mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { frameSuffix } from "../encord/titles.js";
import type { Item } from "../model.js";
import type { Ffmpeg } from "./ffmpeg.js";
import { extractFrames, FfmpegError, type FrameFormat } from "./frames.js";
import { readImageInfoFromFile } from "./image-header.js";
import type { Semaphore } from "./jobs.js";
import type { MediaTally } from "./tally.js";
import { asItem, type MediaItem } from "./titles.js";

/** The labelled frames of one video that one writer placed into one folder, in frame order. */
export interface VideoBatch {
  seq: number;
  /** The first frame's item: the data unit's hash, title, link, fps, duration, size, and the frame file ext. */
  item: MediaItem;
  folder: string;
  frames: number[];
  stems: string[];
  /** Frames already placed from files of --images (not written again with --frames all). */
  skip: number[];
}

/**
 * With --frames all: a video's unlabelled frames, waiting (in the output's hold folder) for names: every
 * frame below `decoded` except the `placed` ones (ascending), so a long video costs no number per frame.
 */
export interface HeldFrames {
  seq: number;
  item: MediaItem;
  folder: string;
  dir: string;
  decoded: number;
  placed: Uint32Array;
}

export interface VideoContext {
  outDir: string;
  tally: MediaTally;
  /** The ffmpeg to use; throws (InputError) when there is none. */
  ffmpeg(): Ffmpeg;
  slot: Semaphore;
  frames: "labelled" | "all";
  format: FrameFormat;
  qscale: number;
  signal: AbortSignal;
  /** Put a frame file (in the output's work folder) at its place; false when --media none. */
  place: boolean;
  hold(h: HeldFrames): void;
  onDecoded(delta: number): void;
}

/** The Item of frame i of a batch (for counts and messages). */
export function frameItem(b: VideoBatch, i: number): Item {
  const it = asItem(b.item);
  return { ...it, key: `${b.item.source.dataHash}:${b.frames[i]}`, stem: b.stems[i] as string, source: { ...b.item.source, frame: b.frames[i] as number } };
}

/** The name of any frame of the video as the reader gives labelled ones: the title stem, then `_<frame, 6 digits>`. */
export function frameName(b: { item: MediaItem }, frame: number): { hint: string; suffix: string } {
  return { hint: b.item.nameHint, suffix: frameSuffix(frame) };
}

export async function extractBatch(ctx: VideoContext, b: VideoBatch, video: string): Promise<void> {
  await ctx.slot.run(async () => {
    const ff = ctx.ffmpeg();
    const work = mkdtempSync(join(ctx.outDir, ".frames-"));
    try {
      let last = 0;
      const out = await extractFrames(ff, {
        video,
        frames: ctx.frames === "all" ? "all" : b.frames,
        workDir: work,
        format: ctx.format,
        qscale: ctx.qscale,
        signal: ctx.signal,
        onDecoded: (n) => {
          ctx.onDecoded(n - last);
          last = n;
        },
      }).catch((e: unknown) => {
        if (e instanceof FfmpegError) return e;
        throw e;
      });
      if (out instanceof FfmpegError) {
        for (let i = 0; i < b.frames.length; i++) ctx.tally.outcome(frameItem(b, i), "frames-failed", `the video could not be decoded: ${out.message}`);
        return;
      }
      const { tally } = ctx;
      tally.videos.extracted++;
      tally.videos.framesDecoded += out.decoded;
      const first = out.files[0];
      const shown = first ? await readImageInfoFromFile(first) : undefined;
      const sizeOff = shown !== undefined && (shown.displayWidth !== b.item.width || shown.displayHeight !== b.item.height);
      const dest = join(ctx.outDir, b.folder);
      mkdirSync(dest, { recursive: true });
      const labelled = new Set<number>();
      let extracted = 0;
      let k = 0; // the next written file (labelled mode: files hold the listed frames below `decoded`, in order)
      for (let i = 0; i < b.frames.length; i++) {
        const f = b.frames[i] as number;
        labelled.add(f);
        const item = frameItem(b, i);
        if (f >= out.decoded) {
          tally.outcome(item, "frames-missing", `past the end of the video (${out.decoded} frames decoded)`);
          continue;
        }
        const file = ctx.frames === "all" ? out.files[f] : out.files[k++];
        if (ctx.place && file) {
          renameSync(file, join(dest, `${item.stem}${item.ext}`));
          tally.placed++;
        }
        tally.outcome(item, "frames-extracted");
        extracted++;
      }
      if (sizeOff && extracted > 0) {
        tally.mismatch(frameItem(b, 0), `${b.item.source.dataTitle} (${extracted} frames): ${shown.displayWidth}×${shown.displayHeight}, the export says ${b.item.width}×${b.item.height}`, extracted);
      }
      const fps = b.item.source.dataFps;
      const duration = b.item.source.dataDuration;
      if (fps !== undefined && duration !== undefined) {
        const expected = Math.round(fps * duration);
        if (Math.abs(expected - out.decoded) > 1) {
          tally.frameCount(asItem(b.item), `${b.item.source.dataTitle}: ffmpeg decoded ${out.decoded} frames, the export's ${fps} fps × ${duration} s gives ${expected}`);
        }
      }
      if (ctx.frames === "all" && ctx.place) {
        for (const f of b.skip) labelled.add(f);
        const hold = join(ctx.outDir, ".media-hold", String(b.seq));
        mkdirSync(hold, { recursive: true });
        for (let f = 0; f < out.files.length; f++) {
          if (!labelled.has(f)) renameSync(out.files[f] as string, join(hold, `${f}${b.item.ext}`));
        }
        const placed = Uint32Array.from([...labelled].filter((f) => f < out.files.length)).sort();
        ctx.hold({ seq: b.seq, item: b.item, folder: b.folder, dir: hold, decoded: out.files.length, placed });
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}
