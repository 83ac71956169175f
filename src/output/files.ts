// Buffered text output: many small appends, few large writes. Writers build their files through
// this so no object costs a system call of its own.
import { closeSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from "node:fs";
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

/**
 * A whole small file (a VOC annotation, a YOLO label file, a segmentation PNG), written synchronously.
 * Measured on 20,000 files of 2.5 KB on this project's 2-core machines: open/write/close through the
 * libuv pool took 0.9-1.3 s of wall and 1.0-1.5 s of system time at 8 in flight (each request wakes a
 * pool thread, and the threads contend for the directory), the same calls made synchronously 0.4-0.6 s
 * and 0.3-0.5 s; the pool's submissions alone cost the main thread about as much as the writes.
 */
export function writeWhole(path: string, data: string | Uint8Array): void {
  writeFileSync(path, data);
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
