// The frame-streaming huge-row consumer: a row longer than maxRowBytes (a long video can be larger
// than V8's longest string) is read in bounded memory. Every value of a data unit's `labels` object
// (a video's frames) goes, as its own bytes, to a temporary spool file, one entry per frame; the rest
// of the row (its "shell": object_answers, object_actions and classification_answers come after
// data_units) is kept. At the row's end the shell is parsed and the frames can be read back one at a
// time, so the normaliser can hand the row on in parts. Every piece is parsed by JSON.parse, so the
// values equal the fast path's exactly. The split works on bytes, as the row scanner does, rather
// than on stream-json's tokens: measured ~10x faster on a 600 MB video row (README, Performance).

import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../model.js";
import type { HugeRowBytesConsumer, HugeRowInfo, RawRowEvent } from "./rows.js";
import { B_CLOSE, B_OPEN, B_OTHER, B_QUOTE, BACKSLASH, COLON, COMMA, isJsonSpace, LBRACE, LBRACKET, QUOTE, RBRACE, RBRACKET, STRUCTURE } from "./json-bytes.js";

/**
 * The entries of one data unit's `labels` (its frame blobs, keyed by frame number), in the order
 * JSON.parse gives an object's keys, read back on demand. Kept in typed arrays: a long video's
 * index costs a few dozen bytes per frame.
 */
export interface SpooledFrames {
  readonly count: number;
  key(i: number): string;
  /** The entry's value is a JSON object (else read() gives the scalar or array as it is). */
  isObject(i: number): boolean;
  /** Parse entry i from the spool (each call parses afresh). */
  read(i: number): unknown;
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
  /** Data unit key -> the entries of its `labels`. */
  units: ReadonlyMap<string, SpooledFrames>;
}

export interface SpoolOptions {
  /**
   * Where the spool file goes (a private folder is made inside); default the OS temp folder. A
   * function is called only when a row has something to spool.
   */
  tempDir?: string | (() => string);
}

// The shell is parsed as one string; beyond this it would come close to V8's string limit.
const MAX_SHELL_BYTES = 256 * 1024 * 1024;
const FLUSH_AT = 1 << 20;

/** The spool file: appended while the row is read, then read back at random offsets. */
class SpoolFile {
  private dir: string | undefined;
  private fd = -1;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private size = 0;
  private scratch = Buffer.alloc(0);
  constructor(private readonly baseDir: string | (() => string) | undefined) {}

  /** Append an entry's bytes (pieces of it); returns its position. */
  append(pieces: readonly Buffer[], bytes: number): number {
    if (this.fd < 0) {
      const base = typeof this.baseDir === "function" ? this.baseDir() : (this.baseDir ?? tmpdir());
      this.dir = mkdtempSync(join(base, "encord-convert-row-"));
      this.fd = openSync(join(this.dir, "frames.json"), "w+");
    }
    const pos = this.size;
    this.size += bytes;
    for (const p of pieces) this.pending.push(p);
    this.pendingBytes += bytes;
    if (this.pendingBytes >= FLUSH_AT) this.flush();
    return pos;
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const data = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done);
  }

  read(pos: number, bytes: number): string {
    // One buffer for every read: a fresh one per frame left freed buffers piling up in the C heap.
    if (this.scratch.length < bytes) this.scratch = Buffer.allocUnsafe(Math.max(bytes, 2 * this.scratch.length, 64 * 1024));
    const buf = this.scratch;
    let done = 0;
    while (done < bytes) {
      const n = readSync(this.fd, buf, done, bytes - done, pos + done);
      if (n <= 0) throw new Error(`spool file ended at ${pos + done} of ${pos + bytes}`); // a bug, not bad input
      done += n;
    }
    return buf.toString("utf8", 0, bytes);
  }

  dispose(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.scratch = Buffer.alloc(0);
  }
}

// What an open container is, by where it sits in the row (tracked down to the labels' depth).
const ROW = 1;
const UNITS = 2; // the row's data_units
const UNIT = 3; // one data unit
const LABELS = 4; // a unit's labels: its entries are spooled
const OTHER = 5;

// Where the bytes being scanned go.
const TO_SHELL = 0;
const TO_NOWHERE = 1; // the labels' own punctuation and keys
const TO_ENTRY = 2;

// Inside a labels object, between entries.
const L_KEY = 0; // a key, or '}' right after '{'
const L_NEXT_KEY = 1; // a key (after ',')
const L_COLON = 2;
const L_VALUE = 3;
const L_AFTER = 4; // ',' or '}'

/** One unit's spooled entries, as they are read: slots in file order, then put in key order. */
class UnitEntries implements SpooledFrames {
  private order: Record<string, number> | undefined = Object.create(null) as Record<string, number>; // key -> slot
  private keys: string[] = [];
  private pos = new Float64Array(64);
  private len = new Uint32Array(64);
  private objects = new Uint8Array(64);
  private slots = 0;
  private sorted: Uint32Array | undefined; // position i -> slot, in JSON.parse's key order

  constructor(
    private readonly spool: SpoolFile,
    private readonly fail: (message: string) => InputError,
  ) {}

  add(key: string, pos: number, bytes: number, isObject: boolean): void {
    const order = this.order as Record<string, number>;
    let slot = order[key];
    if (slot === undefined) {
      slot = this.slots++;
      order[key] = slot;
      if (slot >= this.pos.length) this.grow();
      this.keys.push(key);
    }
    // A repeated key keeps the first one's place and takes the last one's value, as JSON.parse does.
    this.pos[slot] = pos;
    this.len[slot] = bytes;
    this.objects[slot] = isObject ? 1 : 0;
  }

  private grow(): void {
    const n = this.pos.length * 2;
    const pos = new Float64Array(n);
    pos.set(this.pos);
    const len = new Uint32Array(n);
    len.set(this.len);
    const objects = new Uint8Array(n);
    objects.set(this.objects);
    this.pos = pos;
    this.len = len;
    this.objects = objects;
  }

  /** All entries are in: fix the order (an object's keys: array indices ascending, then the rest as inserted). */
  finish(): void {
    this.sorted = Uint32Array.from(Object.values(this.order as Record<string, number>));
    this.order = undefined;
  }

  get count(): number {
    return this.slots;
  }

  private slot(i: number): number {
    return (this.sorted as Uint32Array)[i] as number;
  }

  key(i: number): string {
    return this.keys[this.slot(i)] as string;
  }

  isObject(i: number): boolean {
    return this.objects[this.slot(i)] === 1;
  }

  read(i: number): unknown {
    const slot = this.slot(i);
    return parseEntry(this.spool.read(this.pos[slot] as number, this.len[slot] as number), this.keys[slot] as string, this.fail);
  }
}

function parseEntry(text: string, key: string, fail: (message: string) => InputError): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw fail(`is not valid JSON: ${err instanceof Error ? err.message : String(err)} (in the labels entry ${JSON.stringify(key)})`);
  }
}

/**
 * Splits one row's bytes into the shell (every byte but the entries of data units' labels) and the
 * entries, without parsing: it tracks strings and depth like the row scanner, and reads only the
 * keys that say where it is (the row's, data_units', a unit's and the labels' own). JSON.parse later
 * checks every piece; the labels' punctuation, which no piece keeps, is checked here.
 */
class FrameSplitter {
  readonly units = new Map<string, UnitEntries>();
  private shell: Buffer[] = [];
  private shellBytes = 0;
  private depth = 0;
  private started = false;
  private readonly role: number[] = [0]; // per depth 1..4
  private readonly expectKey: boolean[] = [false]; // per depth 1..4 (objects)
  private readonly key: (string | undefined)[] = [undefined]; // last key per depth 1..4
  private unitKey = "";
  // strings
  private inString = false;
  private escaped = false; // a chunk ended on a backslash inside a string
  private capture: Buffer[] | undefined; // bytes of a key being read
  // routing
  private target = TO_SHELL;
  private labels = L_KEY;
  private labelsDepth = 0;
  // the entry being read
  private entry: Buffer[] = [];
  private entryBytes = 0;
  private entryKey = "";
  private entryObject = false;
  private scalar = false; // the entry is a number/true/false/null, ended by a delimiter
  private position = 0; // bytes of the row consumed before the current chunk

  constructor(
    private readonly spool: SpoolFile,
    private readonly rowOffset: number,
    private readonly fail: (message: string) => InputError,
  ) {}

  get complete(): boolean {
    return this.started && this.depth === 0 && !this.inString;
  }

  /** The shell's bytes (the row with each spooled unit's labels as {}). */
  shellText(): string {
    const text = Buffer.concat(this.shell, this.shellBytes).toString("utf8");
    this.shell = [];
    return text;
  }

  push(chunk: Buffer): void {
    const n = chunk.length;
    let from = 0; // start of the bytes not yet sent to the target
    let i = 0;
    while (i < n) {
      if (this.inString) {
        const end = this.stringEnd(chunk, i, n);
        if (this.capture) this.capture.push(chunk.subarray(i, Math.min(end, n)));
        if (end >= n) break;
        i = end + 1;
        this.inString = false;
        if (this.capture) this.keyRead();
        else if (this.target === TO_ENTRY && this.depth === this.labelsDepth) from = this.endEntry(chunk, from, i);
        continue;
      }
      if (this.target === TO_ENTRY && !this.scalar && this.depth > 4 && this.depth > this.labelsDepth) {
        // Deep inside an entry (below the levels whose keys and roles are kept, and above the labels'
        // own), only strings and depth matter until a closer that could end the entry: one table load
        // per byte instead of the general cases below.
        const floor = this.labelsDepth > 4 ? this.labelsDepth : 4;
        let depth = this.depth;
        while (i < n) {
          const k = STRUCTURE[chunk[i] as number] as number;
          if (k === B_OTHER) {
            i++;
            continue;
          }
          if (k === B_QUOTE || (k === B_CLOSE && depth - 1 <= floor)) break;
          depth += k === B_OPEN ? 1 : -1;
          i++;
        }
        this.depth = depth;
        if (i >= n) break;
      }
      const c = chunk[i] as number;
      if (this.scalar) {
        if (c === COMMA || c === RBRACE || c === RBRACKET || isJsonSpace(c)) {
          from = this.endEntry(chunk, from, i);
          continue; // the delimiter is read as labels punctuation
        }
        i++;
        continue;
      }
      if (this.target === TO_NOWHERE) {
        // Between entries of a labels object: its punctuation, keys, and where values start.
        if (isJsonSpace(c)) {
          i++;
          continue;
        }
        if (this.labels === L_VALUE) {
          this.target = TO_ENTRY;
          from = i;
          this.entry = [];
          this.entryBytes = 0;
          this.entryObject = c === LBRACE;
          this.labels = L_AFTER;
          if (c !== QUOTE && c !== LBRACE && c !== LBRACKET) {
            this.scalar = true;
            i++;
            continue;
          }
          // containers and strings go through the general cases below
        } else if (c === QUOTE && (this.labels === L_KEY || this.labels === L_NEXT_KEY)) {
          this.inString = true;
          this.capture = [];
          i++;
          continue;
        } else if (c === COLON && this.labels === L_COLON) {
          this.labels = L_VALUE;
          i++;
          continue;
        } else if (c === COMMA && this.labels === L_AFTER) {
          this.labels = L_NEXT_KEY;
          i++;
          continue;
        } else if (c === RBRACE && (this.labels === L_KEY || this.labels === L_AFTER)) {
          // The labels object ends: its '}' goes to the shell.
          this.target = TO_SHELL;
          from = i;
        } else {
          throw this.fail(`is not valid JSON: unexpected ${describe(c)} in a data unit's labels at byte offset ${this.rowOffset + this.position + i}`);
        }
      }
      switch (c) {
        case QUOTE:
          this.inString = true;
          // A key of the row, data_units or a unit says where we are (an entry's strings are not keys).
          if (this.target === TO_SHELL && this.depth <= 4 && this.expectKey[this.depth] === true && this.role[this.depth] !== OTHER) this.capture = [];
          break;
        case LBRACE:
        case LBRACKET:
          this.started = true;
          this.depth++;
          if (this.depth <= 4) {
            const role = c === LBRACE ? this.roleOf() : OTHER;
            this.role[this.depth] = role;
            this.expectKey[this.depth] = c === LBRACE;
            this.key[this.depth] = undefined;
            if (role === LABELS) {
              // The labels' '{' stays in the shell; its entries go to the spool.
              this.send(chunk, from, i + 1);
              from = i + 1;
              this.target = TO_NOWHERE;
              this.labels = L_KEY;
              this.labelsDepth = this.depth;
            }
          }
          break;
        case RBRACE:
        case RBRACKET:
          this.depth--;
          if (this.target === TO_ENTRY && this.depth === this.labelsDepth) {
            from = this.endEntry(chunk, from, i + 1);
            i++;
            continue;
          }
          break;
        case COLON:
          if (this.depth <= 4) this.expectKey[this.depth] = false;
          break;
        case COMMA:
          if (this.depth <= 4 && this.role[this.depth] !== OTHER) this.expectKey[this.depth] = true;
          break;
        default:
          break;
      }
      i++;
    }
    this.send(chunk, from, n);
    this.position += n;
    if (this.shellBytes > MAX_SHELL_BYTES) {
      throw this.fail(`holds more than ${MAX_SHELL_BYTES / (1024 * 1024)} MiB outside the frames of its data units, which is not supported`);
    }
  }

  /** From `i` inside a string: the index of its closing quote, or >= n when the chunk ends first. */
  private stringEnd(chunk: Buffer, i: number, n: number): number {
    if (this.escaped) {
      this.escaped = false;
      i++; // the byte after a backslash that ended the previous chunk
    }
    for (;;) {
      const q = chunk.indexOf(QUOTE, i);
      const to = q < 0 || q >= n ? n : q;
      let j = to;
      while (j > i && chunk[j - 1] === BACKSLASH) j--;
      const odd = ((to - j) & 1) === 1;
      if (to === n) {
        this.escaped = odd;
        return n;
      }
      if (!odd) return q;
      i = q + 1;
    }
  }

  /** The role of a '{' just opened at this.depth, from its parent and the parent's last key. */
  private roleOf(): number {
    const d = this.depth;
    if (d === 1) return ROW;
    const parent = this.role[d - 1];
    const key = this.key[d - 1];
    if (parent === ROW && key === "data_units") {
      this.units.clear(); // a repeated data_units: JSON.parse keeps the last
      return UNITS;
    }
    if (parent === UNITS) {
      // A repeated unit key: JSON.parse keeps the last one, so entries read for an earlier one go.
      this.unitKey = key ?? "";
      this.units.delete(this.unitKey);
      return UNIT;
    }
    if (parent === UNIT && key === "labels") {
      this.units.set(this.unitKey, new UnitEntries(this.spool, this.fail));
      return LABELS;
    }
    return OTHER;
  }

  /** A key string has been read: decode it (JSON.parse of the literal handles every escape). */
  private keyRead(): void {
    const raw = Buffer.concat(this.capture as Buffer[]).toString("utf8");
    this.capture = undefined;
    let key: string;
    try {
      key = JSON.parse(`"${raw}"`) as string;
    } catch (err) {
      throw this.fail(`is not valid JSON: a key does not parse (${err instanceof Error ? err.message : String(err)})`);
    }
    if (this.target === TO_NOWHERE) {
      this.entryKey = key;
      this.labels = L_COLON;
    } else {
      this.key[this.depth] = key;
    }
  }

  private send(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    // Copies: the chunk may be reused by its reader.
    const piece = Buffer.from(chunk.subarray(from, to));
    if (this.target === TO_SHELL) {
      this.shell.push(piece);
      this.shellBytes += piece.length;
    } else if (this.target === TO_ENTRY) {
      this.entry.push(piece);
      this.entryBytes += piece.length;
    }
  }

  /** The entry's value ends before `end`: spool it; returns where the next bytes start. */
  private endEntry(chunk: Buffer, from: number, end: number): number {
    this.send(chunk, from, end);
    this.scalar = false;
    this.target = TO_NOWHERE;
    const bytes = this.entryBytes;
    const pos = this.spool.append(this.entry, bytes);
    this.entry = [];
    this.entryBytes = 0;
    const key = this.entryKey;
    // Entries that are not frame numbers are never read by the normaliser; check them now.
    if (!/^\d{1,15}$/.test(key)) {
      this.spool.flush();
      parseEntry(this.spool.read(pos, bytes), key, this.fail);
    }
    this.units.get(this.unitKey)?.add(key, pos, bytes, this.entryObject);
    return end;
  }
}

function describe(c: number): string {
  return c >= 0x21 && c <= 0x7e ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, "0")}`;
}

/**
 * A huge-row consumer (of the row's bytes) that spools the entries of its data units' labels.
 * Yields a RawRowEvent when the row has no units with labels (its value is then complete), else one
 * SpooledRowEvent whose frames can be read while the event is being handled; the spool is removed
 * when the consumer moves on.
 */
export function spoolHugeRow(options: SpoolOptions = {}): HugeRowBytesConsumer<RawRowEvent | SpooledRowEvent> {
  return async function* spooled(bytes: AsyncIterable<Buffer>, row: HugeRowInfo): AsyncGenerator<RawRowEvent | SpooledRowEvent> {
    const where = `${row.document}: row ${row.index} (byte offset ${row.offset})`;
    const fail = (message: string): InputError => new InputError(`${where} ${message}`, { row: row.index });
    const spool = new SpoolFile(options.tempDir);
    try {
      const splitter = new FrameSplitter(spool, row.offset, fail);
      for await (const chunk of bytes) splitter.push(chunk);
      if (!splitter.complete) throw fail("ended before its value was complete");
      spool.flush();
      let shell: unknown;
      try {
        shell = JSON.parse(splitter.shellText());
      } catch (err) {
        throw fail(`is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
      }
      const base = { index: row.index, offset: row.offset, bytes: row.bytes(), document: row.document };
      if (splitter.units.size === 0) {
        yield { kind: "row", ...base, value: shell };
        return;
      }
      for (const u of splitter.units.values()) u.finish();
      yield { kind: "spooled", ...base, shell, units: splitter.units };
    } finally {
      spool.dispose();
    }
  };
}
