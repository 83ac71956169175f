// Options of a conversion run. The CLI parses flags into this shape; library users build it directly.
import { availableParallelism, loadavg } from "node:os";

export type FormatName = "coco" | "yolo" | "voc" | "pixel" | "masks" | "preview";

/** Options read by the writers; each writer uses the ones that concern it. */
export interface FormatOptions {
  // COCO
  categoryIdStart?: 0 | 1; // default 1
  skipEmpty?: boolean; // drop items with no objects (COCO images, YOLO/VOC files)
  polylineAs?: "skip" | "keypoints"; // COCO: default skip
  infoDate?: string; // COCO info.date_created; absent = no timestamp
  // YOLO
  task?: "detect" | "segment" | "obb" | "pose"; // default detect
  precision?: number; // decimals, default 6
  // VOC
  vocMasks?: boolean; // write SegmentationClass/SegmentationObject
  zeroBased?: boolean; // 0-based boxes instead of the devkit's 1-based
  voidBorder?: boolean; // draw the classic 255 boundary in segmentation PNGs
  // pixel JSON
  jsonl?: boolean;
  round?: number; // decimals for pixel values; absent = unrounded
  masksDir?: string; // also write bitmask PNGs here (relative to the output)
  // masks
  maskMode?: "instance" | "semantic";
  // preview
  previewLimit?: number; // draw only a sample of this many items (chosen by previewSeed)
  previewSeed?: number; // --seed
  previewSheet?: { cols: number; rows: number }; // contact sheets instead of one PNG per item
  previewThumb?: number; // largest thumbnail side on a contact sheet (default 256)
}

export interface ConvertOptions {
  format: FormatName;
  /** Input exports: paths, or "-" for stdin. */
  inputs: string[];
  /** Output folder (or file for pixel JSON; "-" = stdout). */
  out: string;
  ontology?: string; // path to an ontology structure JSON
  strict?: boolean;
  force?: boolean;
  reportFile?: string;
  formatOptions?: FormatOptions;
  /** Rows larger than this many bytes take the streaming huge-row path. */
  maxRowBytes?: number;
  /** Masks larger than this many pixels are refused. */
  maxPixels?: number;
  /** Worker threads that parse and normalise rows (0: all in the main thread). Default DEFAULT_JOBS. */
  jobs?: number;
}

/**
 * Rows over this go the frame-streaming path (read/spool.ts), which is as fast as the whole-row one:
 * a 64 MiB row parsed whole took the 200 MB benchmark export to ~350 MB RSS, 4 MiB keeps it ~190 MB.
 */
export const DEFAULT_MAX_ROW_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_PIXELS = 16384 * 16384;
/**
 * --jobs when not given: two workers on a machine with two cores or more when one of them is free
 * (the 1-minute load average leaves a core idle), else none. Measured (README, Performance): with a
 * free core, two workers take the per-object work and the huge rows off the main thread (its CPU
 * time on the box/polygon export fell from 8.0 s to 5.3 s); with no free core the same runs were
 * slower than --jobs 0 (COCO 11.2 s vs 7.9 s, VOC 19.3 s vs 12.8 s at load 3.5 on 2 cores), since
 * the copying between threads then costs time the main thread has to wait for. More than two adds
 * ~30 MB RSS each and gains nothing. The library (convert()) keeps 0 unless asked.
 */
export function defaultJobs(cores: number, load1: number): number {
  return cores >= 2 && cores - load1 >= 1 ? 2 : 0;
}
export const DEFAULT_JOBS = defaultJobs(availableParallelism(), loadavg()[0] ?? 0);
