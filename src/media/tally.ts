// What became of each item's media, for the summary and the report: one outcome per item, the failed
// downloads by status, size mismatches, and a report note (with its machine code) for everything an
// item lacks. Messages name items by title or file name and never by link.
import type { Item, Location } from "../model.js";
import type { MediaSummary, Report } from "../report.js";

/** Exactly one per item (image or labelled video frame) the writers sent. */
export type MediaOutcome =
  | "local" // found in --images
  | "cached" // in the media cache from an earlier run
  | "downloaded"
  | "frames-extracted" // a labelled video frame, extracted from its video
  | "missing" // not in --images, and no --download
  | "expired" // the signed link's expiry has passed: not requested
  | "no-link" // no http(s) data_link (or a kind of item that has no file of its own)
  | "failed" // the download failed (by status in failedBy)
  | "frames-missing" // a label on a frame past the end of the video
  | "frames-failed"; // ffmpeg could not decode the video

/** The report code (skipped.<code>) of each lost outcome (codes.ts). */
const LOST: ReadonlyMap<MediaOutcome, string> = new Map([
  ["missing", "image-missing"],
  ["expired", "link-expired"],
  ["no-link", "no-link"],
  ["failed", "download-failed"],
  ["frames-missing", "frame-past-end"],
  ["frames-failed", "video-undecodable"],
]);
const MAX_LISTED = 1000;

export function where(item: Item): Location {
  return { row: item.source.row, dataHash: item.source.dataHash, frame: item.source.media === "video-frame" ? item.source.frame : undefined };
}

/** How an item is named in a message: its title, or for a video frame the frame's output name. */
export function itemName(item: Item): string {
  return item.source.media === "video-frame" ? `${item.stem}${item.ext}` : item.source.dataTitle || `${item.stem}${item.ext}`;
}

export class MediaTally {
  readonly outcomes = new Map<MediaOutcome, number>();
  readonly failedBy = new Map<string, number>();
  placed = 0;
  missing = 0;
  readonly missingList: string[] = [];
  readonly sizeMismatchList: string[] = [];
  readonly frameCountList: string[] = [];
  sizeMismatch = 0;
  unreadable = 0;
  downloads = { files: 0, bytes: 0, resumed: 0, retried: 0 };
  videos = { extracted: 0, framesDecoded: 0, unlabelledFrames: 0 };
  expiredSince?: Date;
  cache?: string;

  constructor(private readonly report: Report) {}

  private bump<K>(map: Map<K, number>, key: K, by = 1): void {
    map.set(key, (map.get(key) ?? 0) + by);
  }

  /**
   * Record an item's outcome; a lost one is a skip in the report with its reason. Reasons are a few
   * fixed texts (notes are counted per reason); the items are named in missingList.
   */
  outcome(item: Item, outcome: MediaOutcome, reason?: string): void {
    this.bump(this.outcomes, outcome);
    const code = LOST.get(outcome);
    if (code === undefined) return;
    this.missing++;
    if (this.missingList.length < MAX_LISTED) this.missingList.push(itemName(item));
    const what = item.source.media === "video-frame" ? "video frame" : "image file";
    this.report.skip(code, what, reason ?? outcome, where(item));
  }

  /** A failed download: its kind or HTTP status, counted once per item that lacks the file. */
  failed(item: Item, status: string, reason: string): void {
    this.bump(this.failedBy, status);
    this.outcome(item, "failed", reason);
  }

  /** The file's shown size differs from the export's width and height; `named` says which and how (sizeMismatchList). */
  mismatch(item: Item, named: string, count = 1): void {
    this.sizeMismatch += count;
    if (this.sizeMismatchList.length < MAX_LISTED) this.sizeMismatchList.push(named);
    const what = item.source.media === "video-frame" ? "video frame" : "image file";
    const reason = "its pixel size (EXIF orientation applied) differs from the export's width and height: labels normalised for one size would train on another";
    this.report.note("warning", "size-mismatch", what, reason, where(item), count);
  }

  /** The file is no image the header reader knows although its extension says it should be. */
  notAnImage(item: Item): void {
    this.unreadable++;
    this.report.warn("image-unreadable", item.source.media === "video-frame" ? "video frame" : "image file", "not a readable image although its name says so (an error page saved as the image?)", where(item));
  }

  /** The number of frames ffmpeg decoded differs from the export's fps × duration. */
  frameCount(item: Item, named: string): void {
    if (this.frameCountList.length < MAX_LISTED) this.frameCountList.push(named);
    const reason = "ffmpeg decoded another number of frames than the export's fps × duration gives (a variable frame rate?): labels stay on their frame numbers";
    this.report.warn("frame-count", "video", reason, { row: item.source.row, dataHash: item.source.dataHash });
  }

  expired(at: Date): void {
    if (!this.expiredSince || at < this.expiredSince) this.expiredSince = at;
  }

  summary(): MediaSummary {
    const rec = <K extends string>(m: Map<K, number>): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const k of [...m.keys()].sort()) out[k] = m.get(k) ?? 0;
      return out;
    };
    const s: MediaSummary = {
      placed: this.placed,
      missing: this.missing,
      missingList: [...this.missingList],
      outcomes: rec(this.outcomes),
      failedBy: rec(this.failedBy),
      sizeMismatch: this.sizeMismatch,
      sizeMismatchList: [...this.sizeMismatchList],
      frameCountList: [...this.frameCountList],
      unreadable: this.unreadable,
      downloads: { ...this.downloads },
      videos: { ...this.videos },
    };
    if (this.expiredSince) s.expiredSince = this.expiredSince.toISOString();
    if (this.cache) s.cache = this.cache;
    return s;
  }
}
