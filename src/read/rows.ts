// Raw label rows, one at a time, from every document of a source.
// Fast path: the boundary scanner's slice of a row -> one utf8 decode -> JSON.parse (scanRows hands
// out the slice unparsed, for JSON.parse in a worker thread).
// Huge-row path (a row longer than maxRowBytes, possibly longer than V8's longest string): the row's
// bytes go to a huge-row consumer, either as they are (hugeRowBytes: the pipeline's frame spool,
// read/spool.ts) or through stream-json's tokenizer (hugeRow: by default assembled into the row's
// value), so no single string ever holds the row.

import { StringDecoder } from "node:string_decoder";
import Assembler from "stream-json/assembler.js";
import { jsonParser, type Token } from "stream-json/parser.js";
import { InputError } from "../model.js";
import { DEFAULT_MAX_ROW_BYTES } from "../options.js";
import { RowScanner, type ScanEvent, type ScanPart } from "./scanner.js";
import type { InputSource } from "./source.js";

export type { Token } from "stream-json/parser.js";

export interface RawRowEvent {
  kind: "row";
  /** 0-based, counted across all documents of the source. */
  index: number;
  /** Byte offset of the row's '{' in the decompressed document. */
  offset: number;
  /** The row's length in bytes. */
  bytes: number;
  /** Name of the document the row came from. */
  document: string;
  value: unknown;
}

/** Where a huge row is; handed to the consumer of its token stream. */
export interface HugeRowInfo {
  index: number;
  offset: number;
  document: string;
  /** Bytes of the row tokenized so far (its full length once the token stream has ended). */
  bytes(): number;
}

/**
 * Consumes the token stream of one row that exceeds maxRowBytes and yields its events. The default
 * assembles the whole row; a frame-streaming consumer can replace it without touching the reader.
 * Tokens come in batches (one per input chunk); stopping early is allowed (the rest is skipped).
 */
export type HugeRowConsumer<E = RawRowEvent> = (tokens: AsyncIterable<readonly Token[]>, row: HugeRowInfo) => AsyncIterable<E>;

/**
 * Consumes the bytes of one row that exceeds maxRowBytes (in order, a chunk at a time) and yields
 * its events: for a consumer that does its own splitting (read/spool.ts) rather than take tokens.
 */
export type HugeRowBytesConsumer<E = RawRowEvent> = (bytes: AsyncIterable<Buffer>, row: HugeRowInfo) => AsyncIterable<E>;

export interface ReadRowsOptions<E = RawRowEvent> {
  /** Rows longer than this many bytes take the streaming path. Default DEFAULT_MAX_ROW_BYTES. */
  maxRowBytes?: number;
  /** What to do with a huge row's tokens. Default: assembleHugeRow. */
  hugeRow?: HugeRowConsumer<E>;
  /** What to do with a huge row's bytes; when given, it is used instead of hugeRow (no tokens). */
  hugeRowBytes?: HugeRowBytesConsumer<E>;
}

/** A row of at most maxRowBytes, not parsed yet: its bytes (a view that is valid until the next event). */
export interface RowBytesEvent {
  kind: "bytes";
  index: number;
  offset: number;
  document: string;
  data: Buffer;
}

function oneLine(message: string): string {
  return message.replace(/\s+/g, " ").trim();
}

function errorMessage(err: unknown): string {
  return oneLine(err instanceof Error ? err.message : String(err));
}

/** Parse one whole row (fast path). */
export function parseRow(data: Buffer, index: number, offset: number, document: string): RawRowEvent {
  let value: unknown;
  try {
    value = JSON.parse(data.toString("utf8"));
  } catch (err) {
    throw new InputError(`${document}: row ${index} (byte offset ${offset}) is not valid JSON: ${errorMessage(err)}`, { row: index });
  }
  return { kind: "row", index, offset, bytes: data.length, document, value };
}

/** The default huge-row consumer: builds the row's value with stream-json's Assembler. */
export async function* assembleHugeRow(tokens: AsyncIterable<readonly Token[]>, row: HugeRowInfo): AsyncGenerator<RawRowEvent> {
  const asm = new Assembler();
  for await (const batch of tokens) {
    for (const token of batch) asm.consume(token);
  }
  if (!asm.done) {
    throw new InputError(`${row.document}: row ${row.index} (byte offset ${row.offset}) ended before its value was complete`, { row: row.index });
  }
  yield { kind: "row", index: row.index, offset: row.offset, bytes: row.bytes(), document: row.document, value: asm.current };
}

/**
 * Tokenize a row's bytes with stream-json's tokenizer, one batch of tokens per chunk. Keys, strings and
 * numbers come packed (keyValue / stringValue / numberValue), which is what Assembler reads.
 */
export async function* tokenizeRow(
  bytes: AsyncIterable<Buffer>,
  row: { index: number; offset: number; document: string },
  counted: (n: number) => void = () => undefined,
): AsyncGenerator<readonly Token[]> {
  const tokenizer = jsonParser({ packValues: true, streamValues: false });
  // An empty input yields the library's "no output" symbol, which is also what flushes the tokenizer.
  const none = tokenizer("");
  const decoder = new StringDecoder("utf8");
  const fail = (err: unknown): InputError =>
    new InputError(`${row.document}: row ${row.index} (byte offset ${row.offset}) is not valid JSON: ${errorMessage(err)}`, { row: row.index });
  const run = (input: string | typeof none): readonly Token[] => {
    let out: unknown;
    try {
      out = (tokenizer as (value: unknown) => unknown)(input);
    } catch (err) {
      throw fail(err);
    }
    return typeof out === "object" && out !== null ? (out as { values: Token[] }).values : [];
  };
  for await (const chunk of bytes) {
    counted(chunk.length);
    const text = decoder.write(chunk);
    if (text.length > 0) {
      const batch = run(text);
      if (batch.length > 0) yield batch;
    }
  }
  const rest = decoder.end();
  const batch = rest.length > 0 ? [...run(rest), ...run(none)] : run(none);
  if (batch.length > 0) yield batch;
}

async function* counted(bytes: AsyncIterable<Buffer>, add: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of bytes) {
    add(chunk.length);
    yield chunk;
  }
}

/** Every raw label row of the source, in order, one at a time. */
export async function* readRows<E = RawRowEvent>(source: InputSource, opts: ReadRowsOptions<E> = {}): AsyncGenerator<RawRowEvent | E> {
  for await (const ev of scanRows(source, opts)) {
    yield isRowBytes(ev) ? parseRow(ev.data, ev.index, ev.offset, ev.document) : ev;
  }
}

function isRowBytes(ev: unknown): ev is RowBytesEvent {
  return (ev as { kind?: unknown }).kind === "bytes";
}

/**
 * The rows of the source, in order, before parsing: the bytes of each ordinary row (so the caller
 * decides where JSON.parse runs, e.g. in a worker thread), and whatever the huge-row consumer makes
 * of each row longer than maxRowBytes.
 */
export async function* scanRows<E = RawRowEvent>(source: InputSource, opts: ReadRowsOptions<E> = {}): AsyncGenerator<RowBytesEvent | E> {
  const maxRowBytes = opts.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
  const hugeRow = (opts.hugeRow ?? assembleHugeRow) as HugeRowConsumer<E>;
  let nextIndex = 0;
  for await (const doc of source.documents()) {
    const scanner = new RowScanner({ maxRowBytes, firstIndex: nextIndex, name: doc.name });
    const chunks = doc.chunks[Symbol.asyncIterator]();
    const queue: ScanEvent[] = [];
    let head = 0; // next event of `queue` to hand out
    let ended = false;

    // Refill the queue from the next chunk(s); false once the document has ended.
    const pull = async (): Promise<boolean> => {
      queue.length = 0;
      head = 0;
      while (queue.length === 0) {
        if (ended) return false;
        const r = await chunks.next();
        if (r.done) {
          ended = true;
          scanner.end();
          return queue.length > 0;
        }
        scanner.push(r.value, queue);
      }
      return true;
    };
    const next = async (): Promise<ScanEvent | undefined> => {
      if (head >= queue.length && !(await pull())) return undefined;
      return queue[head++];
    };

    try {
      for (;;) {
        const ev = await next();
        if (!ev) break;
        if (ev.kind === "element") {
          yield { kind: "bytes", index: ev.index, offset: ev.offset, document: doc.name, data: ev.data };
          continue;
        }
        // A huge row: its parts follow in order until `last`.
        let lastSeen = ev.last;
        async function* partBytes(first: ScanPart): AsyncGenerator<Buffer> {
          yield first.data;
          while (!lastSeen) {
            const part = await next();
            if (!part || part.kind !== "part" || part.index !== first.index) {
              throw new Error(`row scanner lost row ${first.index}`); // a bug, not bad input
            }
            lastSeen = part.last;
            yield part.data;
          }
        }
        let size = 0;
        const info: HugeRowInfo = { index: ev.index, offset: ev.offset, document: doc.name, bytes: () => size };
        const bytes = partBytes(ev);
        if (opts.hugeRowBytes) {
          yield* opts.hugeRowBytes(counted(bytes, (n) => (size += n)), info);
        } else {
          const tokens = tokenizeRow(bytes, info, (n) => {
            size += n;
          });
          yield* hugeRow(tokens, info);
        }
        // A consumer that stopped early leaves the rest of the row to skip.
        while (!lastSeen) {
          const part = await next();
          if (!part) break;
          lastSeen = part.kind === "part" && part.last;
        }
      }
    } finally {
      if (!ended) await chunks.return?.();
    }
    nextIndex += scanner.count;
  }
}
