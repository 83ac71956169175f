// Buffered text output: many small appends, few large writes. Writers build their files through
// this so no object costs a system call of its own.
import { closeSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from "node:fs";
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
