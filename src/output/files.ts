// Buffered text output: many small appends, few large writes. Writers build their files through
// this so no object costs a system call of its own.
import { close, closeSync, mkdirSync, open, openSync, readdirSync, statSync, write, writeSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import type { OutputFile } from "../report.js";

// Flush at 256 KiB of text or 1024 pieces, whichever first: a writer may hold many files open at once
// (VOC keeps one per class and image set), and each small piece costs far more than its characters.
const FLUSH_AT = 1 << 18;
const MAX_PARTS = 1024;

export class BufferedFile {
  private fd: number;
  private parts: string[] = [];
  private pendingBytes = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, "w");
  }

  write(text: string): void {
    this.parts.push(text);
    this.pendingBytes += text.length;
    if (this.pendingBytes >= FLUSH_AT || this.parts.length >= MAX_PARTS) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join("");
    this.parts = [];
    this.pendingBytes = 0;
    writeSync(this.fd, text);
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

// Files written at once. VOC writes one small file per image: measured on 21,600 XML files, the
// synchronous open/write/close of each was a quarter of the main thread's time.
const WRITES_IN_FLIGHT = 8;

/**
 * Whole files written through the libuv pool, a few at a time, so the main thread goes on building
 * the next one. write() waits only while the pool is full; drain() waits for all and reports the
 * first failure (also thrown by the next write).
 */
export class FileWrites {
  private readonly pending = new Set<Promise<void>>();
  private failure: Error | undefined;

  constructor(private readonly limit = WRITES_IN_FLIGHT) {}

  async write(path: string, data: string | Uint8Array): Promise<void> {
    while (this.pending.size >= this.limit) await Promise.race(this.pending);
    if (this.failure) throw this.failure;
    const p: Promise<void> = writeWhole(path, data).then(
      () => void this.pending.delete(p),
      (e: unknown) => {
        this.failure ??= e instanceof Error ? e : new Error(String(e));
        this.pending.delete(p);
      },
    );
    this.pending.add(p);
  }

  async drain(): Promise<void> {
    await Promise.all(this.pending);
    if (this.failure) throw this.failure;
  }

  /** Wait for the writes in flight, ignoring failures (before a failed run's output is removed). */
  async settle(): Promise<void> {
    await Promise.all(this.pending);
  }
}

/**
 * Create (or truncate) a file and write all of `data` with the callback API: fs/promises' FileHandle
 * per file cost the main thread several times more (measured). open/write/close rather than
 * fs.writeFile, so a write goes through fs.write like every other write of the output.
 */
function writeWhole(path: string, data: string | Uint8Array): Promise<void> {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  return new Promise<void>((resolve, reject) => {
    open(path, "w", (err, fd) => {
      if (err) return reject(err);
      const finish = (e: Error | null): void =>
        close(fd, (ce) => {
          const failed = e ?? ce;
          if (failed) reject(failed);
          else resolve();
        });
      const from = (offset: number): void => {
        if (offset >= bytes.length) return finish(null);
        write(fd, bytes, offset, bytes.length - offset, null, (we, n) => (we ? finish(we) : from(offset + n)));
      };
      from(0);
    });
  });
}

/** Every file under `root`, with sizes, as paths relative to it (forward slashes), sorted. */
export function listOutputFiles(root: string): OutputFile[] {
  const out: OutputFile[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.push({ path: relative(root, p).split(sep).join("/"), bytes: st.size });
    }
  };
  walk(root);
  return out;
}
