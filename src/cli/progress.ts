// A one-line progress display on a TTY: bytes read of the total, rows per second, ETA; with --download or
// video frames, the media files settled, bytes, rate and ETA first (it goes on after the export is read).
// At most ten updates a second; nothing at all when stderr is not a TTY or with --quiet. The line
// never reaches the last column (a terminal wraps there, and \r would then redraw only the tail).
import { basename } from "node:path";
import type { Progress } from "../convert.js";
import type { MediaProgress } from "../media/index.js";

const MIN_INTERVAL_MS = 100;

function mb(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`;
}

function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "?";
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${Math.round(s)}s`;
}

/** "<name>: <stats>" in at most columns - 1 characters: the name is shortened first, then the stats cut. */
export function fit(name: string, stats: string, columns: number): string {
  const room = Math.max(10, columns - 1);
  const nameRoom = room - stats.length - 2;
  if (nameRoom >= name.length) return `${name}: ${stats}`;
  if (nameRoom >= 8) return `…${name.slice(name.length - (nameRoom - 1))}: ${stats}`;
  return stats.slice(0, room);
}

export class ProgressLine {
  private last = 0;
  private readonly start = Date.now();
  private shown = false;
  private readName = "";
  private readStats = "";
  private mediaStats = "";
  private mediaStart?: number;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  static forStderr(quiet: boolean): ProgressLine | undefined {
    return !quiet && process.stderr.isTTY ? new ProgressLine(process.stderr) : undefined;
  }

  update(p: Progress): void {
    const now = Date.now();
    if (now - this.last < MIN_INTERVAL_MS) return;
    this.last = now;
    this.readName = p.input === "-" ? "stdin" : basename(p.input);
    const secs = (now - this.start) / 1000;
    const rate = secs > 0 ? p.rows / secs : 0;
    let stats = `${mb(p.bytesRead)}`;
    if (p.totalBytes) {
      const frac = p.bytesRead / p.totalBytes;
      const eta = frac > 0 ? secs / frac - secs : NaN;
      stats += ` of ${mb(p.totalBytes)} (${(frac * 100).toFixed(0)}%), ETA ${duration(eta)}`;
    }
    stats += `, ${p.rows} rows, ${rate.toFixed(0)} rows/s`;
    this.readStats = stats;
    this.draw();
  }

  /** Media files settled of those sent so far, bytes, rate, ETA (of what was sent), frames decoded. */
  media(p: MediaProgress): void {
    const now = Date.now();
    this.mediaStart ??= now;
    const secs = (now - this.mediaStart) / 1000;
    let stats = `${p.done}/${p.sent} files, ${mb(p.bytes)}`;
    if (secs >= 1) {
      stats += `, ${mb(p.bytes / secs)}/s`;
      if (p.done > 0 && p.sent > p.done) stats += `, ETA ${duration((secs / p.done) * (p.sent - p.done))}`;
    }
    if (p.frames > 0) stats += `, ${p.frames} frames decoded`;
    this.mediaStats = stats;
    if (now - this.last < MIN_INTERVAL_MS) return;
    this.last = now;
    this.draw();
  }

  /** Clear the line so that a message can be printed; the next update draws it again. */
  clear(): void {
    if (this.shown) this.stream.write("\r\x1b[K");
  }

  private draw(): void {
    const room = Math.max(10, (this.stream.columns || 80) - 1);
    let line: string;
    if (this.mediaStats) {
      // The media part first (it goes on after the export is read); the read part only when it fits.
      line = `media: ${this.mediaStats}`;
      const both = this.readStats ? `${line} | ${this.readName} ${this.readStats}` : line;
      line = both.length <= room ? both : line.slice(0, room);
    } else line = fit(this.readName, this.readStats, room + 1);
    this.stream.write(`\r\x1b[K${line}`);
    this.shown = true;
  }


  done(): void {
    if (this.shown) this.stream.write("\r\x1b[K");
  }
}
