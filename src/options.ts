// Options of a conversion run. The CLI parses flags into this shape; library users build it directly.

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
 * --jobs when not given: 0, chosen by measurement (README, Performance). On the 2-core machine here two
 * workers were slower than none in every same-run comparison, even with a core free (COCO on the
 * 400 MB mixed export at load 0.8: 14.2 s vs 13.1 s; on the 229 MB bitmask export 12.5 s vs 11.4 s),
 * while taking ~60 MB more RSS: the copying between threads costs about what the workers save.
 */
export const DEFAULT_JOBS = 0;
