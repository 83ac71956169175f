// The media layer as the pipeline builds it from --images and --download: the MediaSink the writers
// place items through. For each item, in this order: a file of --images (by data hash, then by the
// item's unique output name, then by title when the run has that title once), the media cache, a
// download of its data_link. Video frames come from a frame file of --images or are extracted from the
// video (found the same way) with ffmpeg. Every item gets one outcome in the report (tally.ts).
import { copyFile, link, mkdir, rename, rm, symlink } from "node:fs/promises";
import { dirname, extname, join } from "node:path";
import { InputError, type Item } from "../model.js";
import type { Report } from "../report.js";
import { MediaCache, type CacheKind } from "./cache.js";
import { DEFAULT_DOWNLOAD_OPTIONS, download, isAbort, type DownloadOptions, type DownloadResult } from "./download.js";
import { ffmpegMissingMessage, findFfmpeg, type Ffmpeg } from "./ffmpeg.js";
import { qscaleFor, type FrameFormat } from "./frames.js";
import { readImageInfoFromFile } from "./image-header.js";
import { JobSet, Semaphore } from "./jobs.js";
import { LocalFolder, VIDEO_EXTENSIONS, type LocalIndex } from "./local.js";
import { isDownloadable, linkExpiry } from "./signed-url.js";
import { itemName, MediaTally } from "./tally.js";
import { asItem, mediaItem, Spool, TitleBook, type MediaItem } from "./titles.js";
import { extractBatch, frameItem, frameName, type HeldFrames, type VideoBatch, type VideoContext } from "./videos.js";

export type { MediaMode, MediaSink } from "./sink.js";
import type { MediaMode, MediaSink } from "./sink.js";
export { indexFolder, type LocalIndex } from "./local.js";
export { defaultCacheDir } from "./cache.js";

export type FramesMode = "labelled" | "all";

export interface MediaOptions {
  /** --images: the indexed local folder. */
  local?: LocalIndex;
  /**
   * A sharded run (--shard): --images files are found by data hash only. An item's unique output name
   * and whether one data unit alone has a title depend on every row of the export, which a shard does
   * not see; the data hash depends on the item alone, so shards + merge place what one run places.
   */
  byHashOnly?: boolean;
  /** --media: how files of --images are put into the output (downloads are hard-linked or copied from the cache). */
  mode: MediaMode;
  /** --download: fetch what --images does not have from each item's data_link. */
  download: boolean;
  /** --concurrency: downloads at a time. */
  concurrency: number;
  /** The media cache (with --download). */
  cache?: MediaCache;
  frames: FramesMode;
  frameFormat: FrameFormat;
  /** JPEG quality of extracted frames, 1-100. */
  frameQuality: number;
  http?: Partial<Omit<DownloadOptions, "signal" | "onBytes">>;
}

export interface MediaProgress {
  /** Items whose media is settled (placed or counted lost), and items sent so far. */
  done: number;
  sent: number;
  bytes: number;
  frames: number;
}

export interface MediaHooks {
  onProgress?: (p: MediaProgress) => void;
  /** A line to show the user at once (the first expired link). */
  onNotice?: (text: string) => void;
}

export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_FRAME_QUALITY = 95;

/** Kinds of item with no file of their own to fetch, and why. */
const NOT_FETCHED: Readonly<Record<string, string>> = {
  "dicom-slice": "DICOM slices are not downloaded (no image file per slice in data_link)",
  "nifti-slice": "NIfTI slices are not downloaded (no image file per slice in data_link)",
  "pdf-page": "PDF pages are not downloaded (no image file per page)",
  space: "data-group spaces carry no data_link",
};

export const EXPIRED_REASON = "its signed data_link has expired (Encord's signed URLs last 7 days): export the labels again with signed URLs";
const NO_LINK_REASON = "no downloadable data_link (a storage path, or none: export with signed URLs)";

type Deferred = { t: "image"; folder: string; item: MediaItem } | { t: "video"; batch: VideoBatch };

export class MediaPipeline implements MediaSink {
  readonly tally: MediaTally;
  private readonly local?: LocalFolder;
  private readonly titles = new TitleBook();
  /** Files of --images taken, by the data unit that took them: no two units share a file. */
  private readonly claims = new Map<string, string>();
  private readonly deferred: Spool<Deferred>;
  private readonly jobs: JobSet;
  private readonly net: Semaphore;
  private readonly inflight = new Map<string, Promise<DownloadResult>>();
  private readonly abortCtl = new AbortController();
  private readonly held: HeldFrames[] = [];
  private readonly videoCtx: VideoContext;
  private readonly http: Omit<DownloadOptions, "signal" | "onBytes">;
  private batch: VideoBatch | undefined;
  private seq = 0;
  private noticed = false;
  private readonly progress: MediaProgress = { done: 0, sent: 0, bytes: 0, frames: 0 };

  constructor(
    private readonly options: MediaOptions,
    private readonly outDir: string,
    scratchDir: string,
    report: Report,
    /** Claims a unique output name stem (the run's UniqueNames), for frames without labels. */
    private readonly claimName: (hint: string, tieBreak: string, suffix: string) => string,
    private readonly hooks: MediaHooks = {},
  ) {
    this.tally = new MediaTally(report);
    if (options.local) this.local = new LocalFolder(options.local);
    this.deferred = new Spool<Deferred>(scratchDir, "media-deferred.jsonl");
    this.jobs = new JobSet(Math.max(4, options.concurrency * 4));
    this.net = new Semaphore(options.concurrency);
    this.http = { ...DEFAULT_DOWNLOAD_OPTIONS, ...(options.http ?? {}) };
    let ff: Ffmpeg | undefined;
    this.videoCtx = {
      outDir,
      tally: this.tally,
      ffmpeg: () => {
        ff ??= findFfmpeg();
        if (!ff) throw new InputError(ffmpegMissingMessage());
        return ff;
      },
      slot: new Semaphore(1),
      frames: options.frames,
      format: options.frameFormat,
      qscale: qscaleFor(options.frameQuality),
      signal: this.abortCtl.signal,
      place: options.mode !== "none",
      hold: (h) => this.held.push(h),
      onDecoded: (n) => {
        this.progress.frames += n;
        this.emit();
      },
    };
  }

  async place(item: Item, folder: string): Promise<void> {
    this.jobs.check();
    this.progress.sent++;
    if (this.local?.hasTitle(item.source.dataTitle)) this.titles.note(item.source.dataTitle, item.source.dataHash);
    if (item.source.media === "video-frame") return this.placeFrame(item, folder);
    const byName = this.options.byHashOnly ? undefined : this.local?.byOutputName(item.stem, item.ext);
    const src = this.findLocal(item.source.dataHash, [this.local?.byHash(item.source.dataHash, "image"), byName]);
    if (src) return this.jobs.add(() => this.fromLocal(item, folder, src));
    if (!this.options.byHashOnly && this.local?.hasTitle(item.source.dataTitle)) {
      this.deferred.push({ t: "image", folder, item: mediaItem(item) });
      return;
    }
    return this.obtainImage(item, folder);
  }

  /** Wait for every download and extraction, resolve the items that waited for a title, name held frames. */
  async finish(): Promise<void> {
    await this.flushBatch();
    for await (const d of this.deferred.drain()) {
      if (d.t === "image") {
        const item = asItem(d.item);
        const src = this.titleFile(item.source.dataTitle, item.source.dataHash);
        if (src) await this.jobs.add(() => this.fromLocal(item, d.folder, src));
        else await this.obtainImage(item, d.folder);
      } else {
        const b = d.batch;
        const src = this.titleFile(b.item.source.dataTitle, b.item.source.dataHash);
        if (src) await this.jobs.add(() => this.extract(b, src));
        else await this.obtainVideo(b);
      }
    }
    await this.jobs.drain();
    await this.nameHeldFrames();
    this.emit(true);
  }

  /**
   * Stop downloads and ffmpeg at once (a failed run) and wait until no job can still write into the
   * output, so that removing it removes everything. Partial downloads stay in the cache.
   */
  async abort(): Promise<void> {
    this.abortCtl.abort();
    this.deferred.close();
    await this.jobs.settle();
  }

  /** True when some item's file could still be fetched by a rerun (a failed download): keep the cache. */
  get resumable(): boolean {
    return (this.tally.outcomes.get("failed") ?? 0) > 0;
  }

  // --- images -------------------------------------------------------------------------------------

  /** The first candidate file no other data unit has taken; taken for this one. */
  private findLocal(dataHash: string, candidates: (string | undefined)[]): string | undefined {
    for (const c of candidates) {
      if (c === undefined) continue;
      const owner = this.claims.get(c);
      if (owner !== undefined && owner !== dataHash) continue;
      this.claims.set(c, dataHash);
      return c;
    }
    return undefined;
  }

  /** At the end of the run: the file a title names, when this unit alone has the title and the file is free. */
  private titleFile(title: string, dataHash: string): string | undefined {
    if (!this.local || !this.titles.sole(title, dataHash)) return undefined;
    const p = this.local.byTitle(title);
    return this.findLocal(dataHash, [p]);
  }

  private async obtainImage(item: Item, folder: string): Promise<void> {
    const why = this.unfetchable(item);
    if (why) return this.lost(item, why[0], why[1]);
    const dest = (this.options.cache as MediaCache).path("images", item.source.dataHash, item.ext);
    const link = item.source.dataLink as string;
    return this.jobs.add(async () => {
      const cached = this.options.cache?.has(dest) === true;
      if (!cached) {
        const r = await this.fetchTo(link, dest);
        if (!r.ok) return this.failed(item, r);
      }
      await this.fromFile(item, folder, dest, cached ? "cached" : "downloaded");
    });
  }

  /** Why an item's file cannot be fetched ([outcome, reason]), or undefined when it can. */
  private unfetchable(item: Item): ["missing" | "no-link" | "expired", string] | undefined {
    if (!this.options.download) return ["missing", "not found in the --images folder"];
    const kind = NOT_FETCHED[item.source.media];
    if (kind) return ["no-link", kind];
    const link = item.source.dataLink;
    if (!isDownloadable(link)) return ["no-link", NO_LINK_REASON];
    const expiry = linkExpiry(link);
    if (expiry && expiry.getTime() <= Date.now()) {
      this.tally.expired(expiry);
      if (!this.noticed) {
        this.noticed = true;
        this.hooks.onNotice?.(
          `data links expired on ${expiry.toISOString().replace(/\.\d+Z$/, "Z")} (Encord's signed URLs last 7 days): export the labels again with signed URLs; expired links are not requested and are counted`,
        );
      }
      return ["expired", EXPIRED_REASON];
    }
    return undefined;
  }

  private lost(item: Item, outcome: "missing" | "no-link" | "expired", reason: string): void {
    this.tally.outcome(item, outcome, reason);
    this.settled();
  }

  private failed(item: Item, r: Extract<DownloadResult, { ok: false }>): void {
    const status = r.failure === "http" ? String(r.status) : r.failure;
    this.tally.failed(item, status, failureReason(r));
    this.settled();
  }

  /** Download once per destination at a time (two items of one data unit share the download). */
  private fetchTo(url: string, dest: string): Promise<DownloadResult> {
    let p = this.inflight.get(dest);
    if (!p) {
      p = this.net
        .run(() => download(url, dest, { ...this.http, signal: this.abortCtl.signal, onBytes: (n) => this.bytes(n) }))
        .then((r) => {
          if (r.ok) {
            this.tally.downloads.files++;
            if (r.resumedFrom > 0) this.tally.downloads.resumed++;
          }
          if (r.attempts > 1) this.tally.downloads.retried++;
          return r;
        })
        .finally(() => this.inflight.delete(dest));
      this.inflight.set(dest, p);
    }
    return p.catch((e: unknown) => {
      if (isAbort(e)) throw new InputError("interrupted");
      throw e;
    });
  }

  private bytes(n: number): void {
    this.progress.bytes += n;
    this.tally.downloads.bytes += n;
    this.emit();
  }

  private fromLocal(item: Item, folder: string, src: string): Promise<void> {
    return this.fromFile(item, folder, src, "local");
  }

  /**
   * Check the file's size against the export, then put it at `<folder>/<stem><ext>`: a file of --images
   * as --media says (copy or symlink), a cached download as a hard link where the file system allows
   * (no second copy on disk), else a copy. --media none puts nothing.
   */
  private async fromFile(item: Item, folder: string, src: string, outcome: "local" | "cached" | "downloaded"): Promise<void> {
    await this.checkSize(item, src);
    const mode = this.options.mode;
    if (mode !== "none") {
      const dest = join(this.outDir, folder, `${item.stem}${item.ext}`);
      await mkdir(dirname(dest), { recursive: true });
      if (outcome !== "local") await link(src, dest).catch(() => copyFile(src, dest));
      else if (mode === "link") await symlink(src, dest);
      else await copyFile(src, dest);
      this.tally.placed++;
    }
    this.tally.outcome(item, outcome);
    this.settled();
  }

  private async checkSize(item: Item, file: string): Promise<void> {
    const info = await readImageInfoFromFile(file).catch(() => undefined);
    if (!info) {
      if (/^\.(jpe?g|png|webp|bmp|gif|tiff?)$/i.test(extname(file))) this.tally.notAnImage(item);
      return;
    }
    if (info.displayWidth === item.width && info.displayHeight === item.height) return;
    const turned = info.orientation >= 5 ? ` (stored ${info.width}×${info.height}, EXIF orientation ${info.orientation})` : "";
    this.tally.mismatch(item, `${itemName(item)}: ${info.displayWidth}×${info.displayHeight}${turned}, the export says ${item.width}×${item.height}`);
  }

  // --- video frames -------------------------------------------------------------------------------

  private async placeFrame(item: Item, folder: string): Promise<void> {
    const b0 = this.batch;
    if (b0 && (b0.item.source.dataHash !== item.source.dataHash || b0.folder !== folder || b0.item.source.row !== item.source.row)) await this.flushBatch();
    // A frame file already in --images (extracted earlier) is used as it is.
    const own = this.options.byHashOnly ? undefined : this.findLocal(item.source.dataHash, [this.local?.byOutputName(item.stem, item.ext)]);
    if (own) {
      this.batchFor(item, folder).skip.push(item.source.frame);
      return this.jobs.add(() => this.fromLocal(item, folder, own));
    }
    const b = this.batchFor(item, folder);
    const last = b.frames[b.frames.length - 1];
    if (last !== undefined && item.source.frame <= last) {
      // Frames come in order within a row; anything else is kept sorted for the select filter.
      const at = b.frames.findIndex((f) => f >= item.source.frame);
      b.frames.splice(at, 0, item.source.frame);
      b.stems.splice(at, 0, item.stem);
    } else {
      b.frames.push(item.source.frame);
      b.stems.push(item.stem);
    }
  }

  private batchFor(item: Item, folder: string): VideoBatch {
    this.batch ??= { seq: this.seq++, item: mediaItem(item), folder, frames: [], stems: [], skip: [] };
    return this.batch;
  }

  private async flushBatch(): Promise<void> {
    const b = this.batch;
    this.batch = undefined;
    if (!b || b.frames.length === 0) return;
    const { dataHash, dataTitle } = b.item.source;
    const src = this.findLocal(dataHash, [this.local?.byHash(dataHash, "video")]);
    if (src) return this.jobs.add(() => this.extract(b, src));
    if (!this.options.byHashOnly && this.local?.hasTitle(dataTitle)) {
      this.deferred.push({ t: "video", batch: b });
      return;
    }
    return this.obtainVideo(b);
  }

  private async extract(b: VideoBatch, video: string): Promise<void> {
    if (this.options.mode === "none") {
      for (let i = 0; i < b.frames.length; i++) this.tally.outcome(frameItem(b, i), "local");
    } else {
      await extractBatch(this.videoCtx, b, video);
    }
    for (let i = 0; i < b.frames.length; i++) this.settled();
  }

  private async obtainVideo(b: VideoBatch): Promise<void> {
    const first = frameItem(b, 0);
    const why = this.unfetchable(first);
    if (why) {
      const reason = why[0] === "missing" ? "neither the frame nor its video is in the --images folder" : why[1];
      for (let i = 0; i < b.frames.length; i++) this.lost(frameItem(b, i), why[0], reason);
      return;
    }
    const link = first.source.dataLink as string;
    const dest = (this.options.cache as MediaCache).path("videos" satisfies CacheKind, first.source.dataHash, videoExt(first, link));
    return this.jobs.add(async () => {
      if (!this.options.cache?.has(dest)) {
        const r = await this.fetchTo(link, dest);
        if (!r.ok) {
          for (let i = 0; i < b.frames.length; i++) this.failed(frameItem(b, i), r);
          return;
        }
      }
      await this.extract(b, dest);
    });
  }

  /** --frames all: the frames without labels get names now, after every labelled item has claimed its own. */
  private async nameHeldFrames(): Promise<void> {
    this.held.sort((a, b) => a.seq - b.seq);
    for (const h of this.held) {
      const dest = join(this.outDir, h.folder);
      await mkdir(dest, { recursive: true });
      let k = 0; // the next placed frame to pass over
      for (let f = 0; f < h.decoded; f++) {
        if (k < h.placed.length && h.placed[k] === f) {
          k++;
          continue;
        }
        const name = frameName(h, f);
        const stem = this.claimName(name.hint, h.item.source.dataHash.slice(0, 8), name.suffix);
        await rename(join(h.dir, `${f}${h.item.ext}`), join(dest, `${stem}${h.item.ext}`));
        this.tally.videos.unlabelledFrames++;
        this.tally.placed++;
      }
    }
    await rm(join(this.outDir, ".media-hold"), { recursive: true, force: true });
  }

  // --- progress -----------------------------------------------------------------------------------

  private settled(): void {
    this.progress.done++;
    this.emit();
  }

  private lastEmit = 0;

  private emit(force = false): void {
    if (!this.hooks.onProgress) return;
    const now = Date.now();
    if (!force && now - this.lastEmit < 100) return;
    this.lastEmit = now;
    this.hooks.onProgress({ ...this.progress });
  }
}

/** A download failure in a few fixed words (report notes are counted per reason; no link, no byte counts). */
function failureReason(r: Extract<DownloadResult, { ok: false }>): string {
  const tries = r.attempts > 1 ? `, after ${r.attempts} attempts` : "";
  switch (r.failure) {
    case "http":
      if (r.status === 403) return "download failed: HTTP 403 (the signed link may have expired or been revoked; not retried)";
      return r.status !== undefined && r.status < 500 && r.status !== 429 ? `download failed: HTTP ${r.status} (not retried)` : `download failed: HTTP ${r.status}${tries}`;
    case "timeout":
      return `download failed: no response or no data within the timeout${tries}`;
    case "length":
      return `download failed: the body ended before its Content-Length${tries}`;
    case "network":
      return `download failed: the connection failed${tries}`;
  }
}

/** A video's file extension for the cache: from its title, else its link's path, else ".video". */
function videoExt(item: Item, link: string): string {
  const fromTitle = extname(item.source.dataTitle).toLowerCase();
  if (VIDEO_EXTENSIONS.has(fromTitle)) return fromTitle;
  try {
    const fromLink = extname(new URL(link).pathname).toLowerCase();
    if (VIDEO_EXTENSIONS.has(fromLink)) return fromLink;
  } catch {
    // not a URL: the default below
  }
  return ".video";
}
