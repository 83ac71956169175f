// Input sources: a plain file, gzip (by its magic bytes, not its name), stdin ("-"), or a .zip whose
// .json / .json.gz entries are streamed one after another. A source yields one or more JSON documents
// as decompressed byte chunks; nothing is unpacked to disk or held whole in memory.

import { cannotRead, oneLine } from "./file-error.js";
import { createReadStream } from "node:fs";
import { open as openFile, type FileHandle } from "node:fs/promises";
import { Readable, pipeline } from "node:stream";
import zlib from "node:zlib";
import { InputError } from "../model.js";
import { readZipDirectory, zipEntryDataOffset, type ZipEntry } from "./zip.js";

export type { ZipEntry } from "./zip.js";

/** How the bytes on disk are packed. */
export type InputKind = "json" | "gzip" | "zip";

/** One JSON document of a source: a file's content, or one entry of a zip. */
export interface InputDocument {
  /** The file's path, or "archive.zip:entry/name.json" for a zip entry. */
  name: string;
  /** The document's decompressed bytes; iterate once. */
  chunks: AsyncIterable<Buffer>;
}

export interface InputSource {
  /** The path as given, or "stdin". */
  name: string;
  kind: InputKind;
  /** Size on disk (compressed size for gzip and zip); undefined for stdin. */
  compressedSize?: number;
  /** Bytes consumed so far of the on-disk (compressed) input, for progress against compressedSize. */
  bytesRead(): number;
  /** The decompressed bytes of the source's only document (a zip must hold exactly one JSON entry). */
  open(): AsyncIterable<Buffer>;
  /** Every JSON document of the source, in order (zip entries in entry-name order). */
  documents(): AsyncIterable<InputDocument>;
  /** For a zip: the JSON entries that documents() yields, in that order. */
  entries?: readonly ZipEntry[];
}

export interface OpenInputOptions {
  /** What "-" reads; default process.stdin. */
  stdin?: NodeJS.ReadableStream;
}

// Large reads: fewer chunks means fewer rows split across chunks (which cost a copy) and less overhead.
const READ_CHUNK = 1 << 20;
const INFLATE_CHUNK = 256 * 1024;

const GZIP_MAGIC = [0x1f, 0x8b] as const;

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/** PK\3\4 (a local file header) or PK\5\6 (the end record of an empty archive). */
function isZip(head: Buffer): boolean {
  return (
    head.length >= 4 &&
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    ((head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x05 && head[3] === 0x06))
  );
}

function fileError(path: string, err: unknown): InputError {
  return cannotRead("input", path, err);
}

/** Open an export for reading. `path` "-" reads stdin. */
export async function openInput(path: string, opts: OpenInputOptions = {}): Promise<InputSource> {
  if (path === "-") return openStream("stdin", opts.stdin ?? process.stdin);
  let fh: FileHandle;
  try {
    fh = await openFile(path, "r");
  } catch (err) {
    throw fileError(path, err);
  }
  let handedOver = false; // a pipe's handle now belongs to its read stream
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new InputError(`cannot read input ${path}: is a directory`);
    if (!st.isFile()) {
      // A pipe or device (/dev/stdin, <(zcat ...)): read it once, as a stream, through the handle already open.
      handedOver = true;
      const stream = fh.createReadStream({ highWaterMark: READ_CHUNK });
      try {
        return await openStream(path, stream);
      } catch (err) {
        stream.destroy();
        throw err;
      }
    }
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    const magic = head.subarray(0, bytesRead);
    if (isZip(magic)) return await openZip(path, fh, st.size);
    return openPlainFile(path, st.size, isGzip(magic) ? "gzip" : "json");
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw fileError(path, err);
  } finally {
    if (!handedOver) await fh.close();
  }
}

/** Counts the bytes passing through, for bytesRead(). */
async function* counted(src: AsyncIterable<Buffer>, add: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of src) {
    add(chunk.length);
    yield chunk;
  }
}

async function* fileChunks(path: string, start?: number, end?: number): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK, start, end });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw fileError(path, err);
  }
}

/** Pipe chunks through a zlib transform, turning its errors into one-line InputErrors. */
async function* throughZlib(
  src: AsyncIterable<Buffer>,
  transform: zlib.Gunzip | zlib.InflateRaw,
  describe: (message: string) => string,
): AsyncGenerator<Buffer> {
  const input = Readable.from(src, { objectMode: false });
  // Errors surface through the iteration of `transform` below; the callback only has to exist.
  pipeline(input, transform, () => undefined);
  try {
    for await (const chunk of transform) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === "string" && code.startsWith("Z_")) {
      throw new InputError(oneLine(describe(err instanceof Error ? err.message : String(err))));
    }
    throw err;
  }
}

function gunzip(src: AsyncIterable<Buffer>, name: string): AsyncGenerator<Buffer> {
  return throughZlib(src, zlib.createGunzip({ chunkSize: INFLATE_CHUNK }), (m) => `${name}: gzip data is corrupt or truncated (${m})`);
}

/** Read the first few bytes of a stream without losing them. */
async function peek(
  it: AsyncIterator<Buffer | string>,
  want: number,
): Promise<{ head: Buffer; chunks: Buffer[]; ended: boolean }> {
  const chunks: Buffer[] = [];
  let have = 0;
  while (have < want) {
    const r = await it.next();
    if (r.done) return { head: Buffer.concat(chunks), chunks, ended: true };
    const chunk = typeof r.value === "string" ? Buffer.from(r.value, "utf8") : r.value;
    chunks.push(chunk);
    have += chunk.length;
  }
  return { head: Buffer.concat(chunks).subarray(0, want), chunks, ended: false };
}

async function* replay(first: Buffer[], it: AsyncIterator<Buffer | string>, ended: boolean): AsyncGenerator<Buffer> {
  for (const chunk of first) yield chunk;
  if (ended) return;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    yield typeof r.value === "string" ? Buffer.from(r.value, "utf8") : r.value;
  }
}

/** Decompress when the content starts with the gzip magic, else pass it through. */
async function* gunzipIfMagic(src: AsyncIterable<Buffer>, name: string): AsyncGenerator<Buffer> {
  const it = src[Symbol.asyncIterator]();
  const { head, chunks, ended } = await peek(it, 2);
  const all = replay(chunks, it, ended);
  if (isGzip(head)) yield* gunzip(all, name);
  else yield* all;
}

/** Wrap a generator factory so each iteration starts afresh. */
function iterable(make: () => AsyncIterator<Buffer>): AsyncIterable<Buffer> {
  return { [Symbol.asyncIterator]: make };
}

function openPlainFile(path: string, size: number, kind: "json" | "gzip"): InputSource {
  let read = 0;
  const add = (n: number): void => {
    read += n;
  };
  const open = (): AsyncIterable<Buffer> =>
    iterable(() => {
      read = 0;
      const raw = counted(fileChunks(path), add);
      return kind === "gzip" ? gunzip(raw, path) : raw;
    });
  return {
    name: path,
    kind,
    compressedSize: size,
    bytesRead: () => read,
    open,
    documents: () => singleDocument(path, open()),
  };
}

async function* singleDocument(name: string, chunks: AsyncIterable<Buffer>): AsyncGenerator<InputDocument> {
  yield { name, chunks };
}

/** A stream's own failure (a reset pipe, an I/O error) as a one-line InputError naming the source. */
async function* streamFailures(src: AsyncIterable<Buffer>, name: string): AsyncGenerator<Buffer> {
  try {
    yield* src;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read ${name}: ${oneLine(err instanceof Error ? err.message : String(err))}`);
  }
}

/** A source read once from a stream: stdin, or a path that is a pipe. */
async function openStream(name: string, stream: NodeJS.ReadableStream): Promise<InputSource> {
  const it = stream[Symbol.asyncIterator]();
  const { head, chunks, ended } = await peek(it, 4);
  if (isZip(head)) {
    throw new InputError(
      `${name} holds a zip archive; a zip can only be read from a regular file (its directory is at its end): pass the .zip file's path`,
    );
  }
  const kind = isGzip(head) ? "gzip" : "json";
  let read = 0;
  let used = false;
  const open = (): AsyncIterable<Buffer> =>
    iterable(() => {
      if (used) throw new Error(`${name} can be read only once`);
      used = true;
      const raw = counted(streamFailures(replay(chunks, it, ended), name), (n) => {
        read += n;
      });
      return kind === "gzip" ? gunzip(raw, name) : raw;
    });
  return {
    name,
    kind,
    bytesRead: () => read,
    open,
    documents: () => singleDocument(name, open()),
  };
}

async function openZip(path: string, fh: FileHandle, size: number): Promise<InputSource> {
  const all = await readZipDirectory(fh, size, path);
  const entries = all.filter((e) => isJsonEntryName(e.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (entries.length === 0) {
    throw new InputError(`${path}: the zip archive holds no .json or .json.gz entries (${all.length} entries in all)`);
  }
  let read = 0;
  const add = (n: number): void => {
    read += n;
  };
  const docName = (e: ZipEntry): string => `${path}:${e.name}`;
  const document = (e: ZipEntry): InputDocument => ({
    name: docName(e),
    chunks: iterable(() => gunzipIfMagic(zipEntryChunks(path, e, docName(e), add), docName(e))),
  });
  async function* documents(): AsyncGenerator<InputDocument> {
    read = 0;
    for (const e of entries) yield document(e);
  }
  return {
    name: path,
    kind: "zip",
    compressedSize: size,
    bytesRead: () => read,
    open: () => {
      const only = entries[0];
      if (entries.length !== 1 || !only) {
        throw new InputError(`${path}: the zip archive holds ${entries.length} JSON entries; read them with documents()`);
      }
      return document(only).chunks;
    },
    documents,
    entries,
  };
}

/** .json and .json.gz entries, minus folders and macOS resource forks (__MACOSX/, ._name). */
function isJsonEntryName(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower.endsWith("/")) return false;
  if (lower.startsWith("__macosx/")) return false;
  const base = lower.slice(lower.lastIndexOf("/") + 1);
  if (base.startsWith("._")) return false;
  return lower.endsWith(".json") || lower.endsWith(".json.gz");
}

/** One entry's uncompressed bytes, checked against its size and CRC-32. */
async function* zipEntryChunks(path: string, entry: ZipEntry, name: string, add: (n: number) => void): AsyncGenerator<Buffer> {
  if (entry.encrypted) throw new InputError(`${name}: the zip entry is encrypted, which is not supported`);
  if (entry.method !== 0 && entry.method !== 8) {
    throw new InputError(`${name}: the zip entry uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
  }
  let fh: FileHandle;
  try {
    fh = await openFile(path, "r");
  } catch (err) {
    throw fileError(path, err);
  }
  let start: number;
  try {
    start = await zipEntryDataOffset(fh, entry, name);
  } finally {
    await fh.close();
  }
  let compressedSeen = 0;
  async function* raw(): AsyncGenerator<Buffer> {
    if (entry.compressedSize === 0) return;
    for await (const chunk of fileChunks(path, start, start + entry.compressedSize - 1)) {
      compressedSeen += chunk.length;
      add(chunk.length);
      yield chunk;
    }
    if (compressedSeen < entry.compressedSize) {
      throw new InputError(`${name}: the zip archive is truncated (entry data ends after ${compressedSeen} of ${entry.compressedSize} bytes)`);
    }
  }
  const out =
    entry.method === 8
      ? throughZlib(raw(), zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK }), (m) => `${name}: deflate data is corrupt (${m})`)
      : raw();
  let crc = 0;
  let size = 0;
  // zlib.crc32 arrived in Node 20.15; without it the size check still catches truncation.
  const crc32 = typeof zlib.crc32 === "function" ? zlib.crc32 : undefined;
  for await (const chunk of out) {
    if (crc32) crc = crc32(chunk, crc);
    size += chunk.length;
    yield chunk;
  }
  if (size !== entry.size) {
    throw new InputError(`${name}: the zip entry holds ${size} bytes but its directory says ${entry.size}: the archive is corrupt`);
  }
  if (crc32 && crc >>> 0 !== entry.crc32 >>> 0) {
    throw new InputError(`${name}: CRC-32 mismatch in the zip entry: the archive is corrupt`);
  }
}
