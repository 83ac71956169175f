// A one-line progress display on a TTY: bytes read of the total, rows per second, ETA.
// At most ten updates a second; nothing at all when stderr is not a TTY or with --quiet.
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

export class ProgressLine {
  private last = 0;
  private readonly start = Date.now();
  private shown = false;
  private readText = "";
  private mediaText = "";
  private mediaStart = 0;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  static forStderr(quiet: boolean): ProgressLine | undefined {
    return !quiet && process.stderr.isTTY ? new ProgressLine(process.stderr) : undefined;
  }

  update(p: Progress): void {
    const now = Date.now();
    if (now - this.last < MIN_INTERVAL_MS) return;
    this.last = now;
    const secs = (now - this.start) / 1000;
    const rate = secs > 0 ? p.rows / secs : 0;
    let text = `${p.input}: ${mb(p.bytesRead)}`;
    if (p.totalBytes) {
      const frac = p.bytesRead / p.totalBytes;
      const eta = frac > 0 ? secs / frac - secs : NaN;
      text += ` of ${mb(p.totalBytes)} (${(frac * 100).toFixed(0)}%), ETA ${duration(eta)}`;
    }
    text += `, ${p.rows} rows, ${rate.toFixed(0)} rows/s`;
    this.readText = text;
    this.draw();
  }

  /** Downloads and frames: files settled of those sent, bytes, rate and ETA of what was sent so far. */
  media(p: MediaProgress): void {
    const now = Date.now();
    if (this.mediaStart === 0) this.mediaStart = now;
    const secs = (now - this.mediaStart) / 1000;
    let text = `media: ${p.done}/${p.sent} files, ${mb(p.bytes)}`;
    if (secs > 0.5) {
      text += `, ${mb(p.bytes / secs)}/s`;
      const perFile = p.done > 0 ? secs / p.done : NaN;
      if (p.sent > p.done) text += `, ETA ${duration(perFile * (p.sent - p.done))}`;
    }
    if (p.frames > 0) text += `, ${p.frames} frames decoded`;
    this.mediaText = text;
    if (now - this.last < MIN_INTERVAL_MS) return;
    this.last = now;
    this.draw();
  }

  /** Clear the line so another message can be printed; the next update draws it again. */
  clear(): void {
    if (this.shown) this.stream.write("\r\x1b[K");
  }

  private draw(): void {
    const text = [this.readText, this.mediaText].filter((t) => t !== "").join(" | ");
    this.stream.write(`\r\x1b[K${text}`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.stream.write("\r\x1b[K");
  }
}
