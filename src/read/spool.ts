// The frame-streaming huge-row consumer: a row longer than maxRowBytes (a long video can be larger
// than V8's longest string) is read from stream-json's tokens in bounded memory. Every value of a
// data unit's `labels` object (a video's frames) goes to a temporary spool file as JSON text, one
// entry per frame; the rest of the row (its "shell": object_answers, object_actions and
// classification_answers come after data_units) is kept as JSON text. At the row's end the shell is
// parsed and the frames can be read back one at a time, so the normaliser can hand the row on in
// parts. Both are parsed by JSON.parse, so values equal the fast path's exactly.

import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../model.js";
import type { HugeRowConsumer, HugeRowInfo, RawRowEvent, Token } from "./rows.js";

/** One entry of a data unit's `labels` (a frame blob, keyed by frame number), read back on demand. */
export interface SpooledFrame {
  key: string;
  /** The entry's value is a JSON object (else read() gives the scalar or array as it is). */
  isObject: boolean;
  /** Its bytes in the spool file. */
  bytes: number;
  /** Parse the entry from the spool (each call parses afresh). */
  read(): unknown;
}

/** A huge row whose units' labels were spooled. */
export interface SpooledRowEvent {
  kind: "spooled";
  index: number;
  offset: number;
  bytes: number;
  document: string;
  /** The row as JSON.parse gives it, except that each spooled unit's `labels` is an empty object. */
  shell: unknown;
  /** Data unit key -> the entries of its `labels`, in the order JSON.parse would give its keys. */
  units: ReadonlyMap<string, readonly SpooledFrame[]>;
}

export interface SpoolOptions {
  /** Where the spool file goes (a private folder is made inside); default the OS temp folder. */
  tempDir?: string;
}

// The shell is parsed as one string; beyond this it would come close to V8's string limit.
const MAX_SHELL_CHARS = 256 * 1024 * 1024;
const FLUSH_AT = 1 << 20;

/** Writes a token stream back as compact JSON text (the value JSON.parse reads back is the same). */
class JsonText {
  text = "";
  private readonly first: boolean[] = []; // per open container: nothing written in it yet
  private afterKey = false;

  /** Depth of open containers. */
  get depth(): number {
    return this.first.length;
  }

  reset(): void {
    this.text = "";
    this.first.length = 0;
    this.afterKey = false;
  }

  private separate(): void {
    if (this.afterKey) {
      this.afterKey = false;
      return;
    }
    const d = this.first.length - 1;
    if (d < 0) return;
    if (this.first[d]) this.first[d] = false;
    else this.text += ",";
  }

  write(t: Token): void {
    switch (t.name) {
      case "startObject":
        this.separate();
        this.text += "{";
        this.first.push(true);
        break;
      case "startArray":
        this.separate();
        this.text += "[";
        this.first.push(true);
        break;
      case "endObject":
        this.first.pop();
        this.text += "}";
        break;
      case "endArray":
        this.first.pop();
        this.text += "]";
        break;
      case "keyValue":
        this.separate();
        this.text += `${JSON.stringify(t.value)}:`;
        this.afterKey = true;
        break;
      case "stringValue":
        this.separate();
        this.text += JSON.stringify(t.value);
        break;
      case "numberValue":
        // The number's own text: JSON.parse reads it as the fast path does.
        this.separate();
        this.text += String(t.value);
        break;
      case "nullValue":
        this.separate();
        this.text += "null";
        break;
      case "trueValue":
        this.separate();
        this.text += "true";
        break;
      case "falseValue":
        this.separate();
        this.text += "false";
        break;
      default:
        // startString/stringChunk/... never come: the tokenizer packs values.
        break;
    }
  }
}

/** The spool file: appended while the row is read, then read back at random offsets. */
class SpoolFile {
  private dir: string | undefined;
  private fd = -1;
  private pending: string[] = [];
  private pendingChars = 0;
  private size = 0;
  private readonly baseDir: string;

  constructor(baseDir: string | undefined) {
    this.baseDir = baseDir ?? tmpdir();
  }

  /** Append text; returns its byte position and length. */
  append(text: string): { pos: number; bytes: number } {
    if (this.fd < 0) {
      this.dir = mkdtempSync(join(this.baseDir, "encord-convert-row-"));
      this.fd = openSync(join(this.dir, "frames.jsonl"), "w+");
    }
    const bytes = Buffer.byteLength(text, "utf8");
    const pos = this.size;
    this.size += bytes;
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= FLUSH_AT) this.flush();
    return { pos, bytes };
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? (this.pending[0] as string) : this.pending.join("");
    this.pending = [];
    this.pendingChars = 0;
    writeSync(this.fd, text);
  }

  read(pos: number, bytes: number): string {
    const buf = Buffer.allocUnsafe(bytes);
    let done = 0;
    while (done < bytes) {
      const n = readSync(this.fd, buf, done, bytes - done, pos + done);
      if (n <= 0) throw new Error(`spool file ended at ${pos + done} of ${pos + bytes}`); // a bug, not bad input
      done += n;
    }
    return buf.toString("utf8");
  }

  dispose(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

// What an open container of the shell is, by where it sits in the row.
const ROW = 1;
const UNITS = 2; // the row's data_units
const UNIT = 3; // one data unit
const LABELS = 4; // a unit's labels: its entries are spooled
const OTHER = 5;

interface UnitEntries {
  order: Record<string, number>; // key -> slot; an object so the keys come out in JSON.parse's order
  slots: SpooledFrame[];
}

/** Splits one row's token stream into the shell's text and the spooled label entries. */
class RowSplitter {
  readonly shell = new JsonText();
  readonly units = new Map<string, UnitEntries>();
  private readonly roles: number[] = []; // role of each open shell container
  private key: string | undefined; // the last key read in the current shell object
  private unitKey = "";
  private inFrame = false; // reading an entry's value
  private frameKey = "";
  private readonly frame = new JsonText();
  private frameObject = false;

  constructor(
    private readonly spool: SpoolFile,
    private readonly fail: (message: string) => InputError,
  ) {}

  consume(batch: readonly Token[]): void {
    for (const t of batch) {
      if (this.inFrame) this.frameToken(t);
      else this.shellToken(t);
    }
    if (this.shell.text.length > MAX_SHELL_CHARS) {
      throw this.fail(`holds more than ${MAX_SHELL_CHARS / (1024 * 1024)} MiB outside the frames of its data units, which is not supported`);
    }
  }

  get complete(): boolean {
    return this.roles.length === 0 && this.shell.text.length > 0 && !this.inFrame;
  }

  private shellToken(t: Token): void {
    const parent = this.roles[this.roles.length - 1];
    if (parent === LABELS) {
      if (t.name === "keyValue") {
        this.frameKey = String(t.value);
        this.inFrame = true;
        this.frame.reset();
        this.frameObject = false;
        return;
      }
      if (t.name === "endObject") {
        this.roles.pop();
        this.shell.write(t);
        return;
      }
    }
    if (t.name === "startObject" || t.name === "startArray") {
      this.roles.push(t.name === "startObject" ? this.roleOf(parent) : OTHER);
    } else if (t.name === "endObject" || t.name === "endArray") {
      this.roles.pop();
    }
    if (t.name === "keyValue") this.key = String(t.value);
    this.shell.write(t);
  }

  private roleOf(parent: number | undefined): number {
    if (parent === undefined) return ROW;
    if (parent === ROW && this.key === "data_units") return UNITS;
    if (parent === UNITS) {
      // A repeated unit key: JSON.parse keeps the last one, so entries read for an earlier one go.
      this.unitKey = this.key ?? "";
      this.units.delete(this.unitKey);
      return UNIT;
    }
    if (parent === UNIT && this.key === "labels") {
      this.units.set(this.unitKey, { order: Object.create(null) as Record<string, number>, slots: [] });
      return LABELS;
    }
    return OTHER;
  }

  private frameToken(t: Token): void {
    if (this.frame.depth === 0 && t.name === "startObject") this.frameObject = true;
    this.frame.write(t);
    if (this.frame.depth > 0) return;
    // The entry's value is complete.
    this.inFrame = false;
    const { pos, bytes } = this.spool.append(this.frame.text);
    this.frame.reset();
    const { spool, fail } = this;
    const key = this.frameKey;
    const entry: SpooledFrame = {
      key,
      isObject: this.frameObject,
      bytes,
      read: () => {
        try {
          return JSON.parse(spool.read(pos, bytes)) as unknown;
        } catch (err) {
          // Only a frame longer than a JS string can hold gets here (the text was written from valid tokens).
          throw fail(`has a frame (${JSON.stringify(key)}, ${bytes} bytes) that cannot be read: ${err instanceof Error ? err.message : String(err)}`);
        }
      },
    };
    const unit = this.units.get(this.unitKey);
    if (!unit) return;
    const slot = unit.order[this.frameKey];
    if (slot === undefined) {
      unit.order[this.frameKey] = unit.slots.length;
      unit.slots.push(entry);
    } else {
      unit.slots[slot] = entry; // a repeated key: the last value, at the first one's place
    }
  }
}

/**
 * A huge-row consumer that spools the frames of the row's data units. Yields a RawRowEvent when the
 * row has no units with labels (its value is then complete), else one SpooledRowEvent whose frames
 * can be read while the event is being handled; the spool is removed when the consumer moves on.
 */
export function spoolHugeRow(options: SpoolOptions = {}): HugeRowConsumer<RawRowEvent | SpooledRowEvent> {
  return async function* spooled(tokens: AsyncIterable<readonly Token[]>, row: HugeRowInfo): AsyncGenerator<RawRowEvent | SpooledRowEvent> {
    const where = `${row.document}: row ${row.index} (byte offset ${row.offset})`;
    const fail = (message: string): InputError => new InputError(`${where} ${message}`, { row: row.index });
    const spool = new SpoolFile(options.tempDir);
    try {
      const splitter = new RowSplitter(spool, fail);
      for await (const batch of tokens) splitter.consume(batch);
      if (!splitter.complete) throw fail("ended before its value was complete");
      spool.flush();
      let shell: unknown;
      try {
        shell = JSON.parse(splitter.shell.text);
      } catch (err) {
        throw fail(`could not be read back: ${err instanceof Error ? err.message : String(err)}`);
      }
      splitter.shell.reset();
      const base = { index: row.index, offset: row.offset, bytes: row.bytes(), document: row.document };
      if (splitter.units.size === 0) {
        yield { kind: "row", ...base, value: shell };
        return;
      }
      const units = new Map<string, readonly SpooledFrame[]>();
      for (const [key, u] of splitter.units) {
        units.set(
          key,
          Object.values(u.order).map((slot) => u.slots[slot] as SpooledFrame),
        );
      }
      yield { kind: "spooled", ...base, shell, units };
    } finally {
      spool.dispose();
    }
  };
}
