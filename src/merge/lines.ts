// Reading line-oriented files a line at a time in bounded memory (shard logs, COCO and masks.json
// element lines, pixel JSON rows), and putting the shards' elements back into input order.
import { closeSync, openSync, readSync } from "node:fs";
import { InputError } from "../model.js";

const CHUNK = 1 << 20;
const NEWLINE = 0x0a;

/** The lines of a file, without their newline; a last line without one counts too. */
export class LineReader {
  private readonly fd: number;
  private buf = Buffer.allocUnsafe(CHUNK);
  private start = 0;
  private end = 0;
  private fileOffset: number; // where the next read starts
  private eof = false;
  /** Bytes of the file before the next line. */
  position: number;
  /** Lines read so far. */
  lineNumber = 0;

  constructor(
    readonly path: string,
    offset = 0,
  ) {
    try {
      this.fd = openSync(path, "r");
    } catch (e) {
      throw new InputError(`cannot read ${path}: ${(e as Error).message}`);
    }
    this.fileOffset = offset;
    this.position = offset;
  }

  next(): string | undefined {
    const pieces: Buffer[] = [];
    for (;;) {
      const nl = this.buf.indexOf(NEWLINE, this.start);
      if (nl >= 0 && nl < this.end) {
        pieces.push(this.buf.subarray(this.start, nl));
        this.position += nl - this.start + 1;
        this.start = nl + 1;
        return this.line(pieces);
      }
      if (this.start < this.end) {
        pieces.push(Buffer.from(this.buf.subarray(this.start, this.end)));
        this.position += this.end - this.start;
      }
      this.start = this.end = 0;
      if (this.eof || !this.fill()) {
        this.eof = true;
        return pieces.length > 0 ? this.line(pieces) : undefined;
      }
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  private fill(): boolean {
    const n = readSync(this.fd, this.buf, 0, this.buf.length, this.fileOffset);
    this.fileOffset += n;
    this.end = n;
    return n > 0;
  }

  private line(pieces: Buffer[]): string {
    this.lineNumber++;
    return (pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces)).toString("utf8");
  }
}

/** One line of a shard log: the row's ordinal first, then the stream's own fields. */
export type LogEntry = [number, ...(string | number)[]];

/** A shard log (output/shard-sidecar.ts), entry by entry, with one entry of look-ahead. */
export class LogReader {
  private readonly lines: LineReader;
  private head: LogEntry | undefined;
  private last = -1;

  constructor(path: string) {
    this.lines = new LineReader(path);
    this.head = this.read();
  }

  peek(): LogEntry | undefined {
    return this.head;
  }

  take(): LogEntry {
    const e = this.head;
    if (!e) throw new Error("shard log read past its end"); // a bug, not bad input
    this.head = this.read();
    return e;
  }

  close(): void {
    this.lines.close();
  }

  private read(): LogEntry | undefined {
    const line = this.lines.next();
    if (line === undefined || line === "") return undefined;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      e = undefined;
    }
    if (!Array.isArray(e) || typeof e[0] !== "number" || e[0] < this.last) {
      throw new InputError(`${this.lines.path}: line ${this.lines.lineNumber} is not a shard log entry in row order; the shard output was changed or cut short`);
    }
    this.last = e[0];
    return e as LogEntry;
  }
}

/**
 * The entries of several shards' logs of one stream, in input order: each time the entry with the
 * smallest row ordinal, with the number of its shard. A row lies in one shard only, so two shards
 * with the same row mean the same rows were given twice (`overlap`).
 */
export function* interleave(logs: readonly (LogReader | undefined)[], overlap: (a: number, b: number, ordinal: number) => Error): Generator<[number, LogEntry]> {
  for (;;) {
    let best = -1;
    let bestOrd = Infinity;
    for (let s = 0; s < logs.length; s++) {
      const e = logs[s]?.peek();
      if (!e) continue;
      if (e[0] < bestOrd) {
        best = s;
        bestOrd = e[0];
      } else if (e[0] === bestOrd) {
        throw overlap(best, s, bestOrd);
      }
    }
    if (best < 0) return;
    const log = logs[best] as LogReader;
    // The rest of this row's entries come from the same shard.
    while (log.peek()?.[0] === bestOrd) yield [best, log.take()];
  }
}
