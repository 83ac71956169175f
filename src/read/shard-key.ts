// The row's own data_hash, read from its bytes without parsing it: what --shard assigns rows by, so
// rows of other shards are skipped after the boundary scan and never JSON.parse'd. Only the row's
// top-level key counts (data units hold a "data_hash" of their own, at depth 3), found by tracking
// strings and depth as the boundary scanner does. Encord writes data_hash near the row's start, so a
// row is usually decided within its first few hundred bytes; the rest is never looked at.
import { BACKSLASH, COLON, COMMA, isJsonSpace, LBRACE, LBRACKET, QUOTE, RBRACE, RBRACKET } from "./json-bytes.js";

// Where the scan is directly inside the row object (depth 1).
const AT_KEY = 0; // a key (or '}') comes next
const AT_COLON = 1; // after a key
const AT_VALUE = 2; // after ':'
const AT_AFTER = 3; // inside or after a value: ',' or '}' comes

// What the string being read is.
const S_OTHER = 0;
const S_KEY = 1;
const S_VALUE = 2; // the value of the key looked for

const KEY = "data_hash";
// A longer value is no data hash anyone exports; the row then counts as having none.
const MAX_VALUE_BYTES = 4096;
const MAX_KEY_BYTES = 64;

/**
 * Finds the first top-level `"data_hash"` of one row, fed its bytes in order (a whole row, or a huge
 * row a chunk at a time). `done` once it is known: `value` is the string, or undefined when the row
 * has no top-level data_hash, its value is not a string, or the bytes are not an object at all.
 */
export class RowKeyFinder {
  done = false;
  value: string | undefined;
  private depth = 0;
  private at = AT_KEY;
  private matched = false; // the last top-level key was data_hash
  private inString = false;
  private escaped = false;
  private role = S_OTHER;
  private captured: number[] = [];

  /** Scan a chunk; returns `done`. */
  push(chunk: Buffer): boolean {
    const n = chunk.length;
    for (let i = 0; i < n && !this.done; i++) {
      const c = chunk[i] as number;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          this.stringEnded();
          continue;
        }
        if (this.role !== S_OTHER) this.capture(c);
        continue;
      }
      if (isJsonSpace(c)) continue;
      if (this.depth === 0) {
        // Before the row's '{' (a row always starts with it; anything else is no object).
        if (c === LBRACE) {
          this.depth = 1;
          this.at = AT_KEY;
        } else this.finish(undefined);
        continue;
      }
      if (this.depth === 1 && this.at === AT_VALUE && this.matched && c !== QUOTE) {
        this.finish(undefined); // data_hash is a number, null, an object...
        continue;
      }
      switch (c) {
        case QUOTE:
          this.inString = true;
          this.captured = [];
          if (this.depth !== 1) this.role = S_OTHER;
          else if (this.at === AT_KEY) this.role = S_KEY;
          else if (this.at === AT_VALUE && this.matched) this.role = S_VALUE;
          else {
            this.role = S_OTHER;
            this.at = AT_AFTER;
          }
          break;
        case LBRACE:
        case LBRACKET:
          if (this.depth === 1) this.at = AT_AFTER;
          this.depth++;
          break;
        case RBRACE:
        case RBRACKET:
          this.depth--;
          if (this.depth === 0) this.finish(undefined); // the row ended without it
          break;
        case COLON:
          if (this.depth === 1) this.at = AT_VALUE;
          break;
        case COMMA:
          if (this.depth === 1) {
            this.at = AT_KEY;
            this.matched = false;
          }
          break;
        default:
          if (this.depth === 1 && this.at === AT_VALUE) this.at = AT_AFTER; // a scalar value
          break;
      }
    }
    return this.done;
  }

  /** The row's bytes have all been pushed. */
  end(): void {
    if (!this.done) this.finish(undefined);
  }

  private capture(c: number): void {
    const limit = this.role === S_KEY ? MAX_KEY_BYTES : MAX_VALUE_BYTES;
    if (this.captured.length <= limit) this.captured.push(c);
  }

  private stringEnded(): void {
    if (this.role === S_KEY) {
      this.matched = this.captured.length <= MAX_KEY_BYTES && decode(this.captured) === KEY;
      this.at = AT_COLON;
    } else if (this.role === S_VALUE) {
      this.finish(this.captured.length <= MAX_VALUE_BYTES ? decode(this.captured) : undefined);
    }
    this.role = S_OTHER;
    this.captured = [];
  }

  private finish(value: string | undefined): void {
    this.done = true;
    this.value = value;
    this.captured = [];
  }
}

/** A JSON string's contents (between the quotes) as the string JSON.parse would give. */
function decode(bytes: number[]): string | undefined {
  const raw = Buffer.from(bytes);
  if (!raw.includes(BACKSLASH)) return raw.toString("utf8");
  try {
    return JSON.parse(`"${raw.toString("utf8")}"`) as string;
  } catch {
    return undefined; // a broken escape: as if there were none
  }
}

/** The top-level data_hash of a whole row's bytes, or "" when it has none (see RowKeyFinder). */
export function rowDataHash(row: Buffer): string {
  const f = new RowKeyFinder();
  f.push(row);
  f.end();
  return f.value ?? "";
}
