// Helpers for the read tests: an in-memory source, chunking, and a tiny zip writer (tests only).

import { deflateRawSync, crc32 } from "node:zlib";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InputDocument, InputSource } from "../src/read/source.js";
import { readRows, type RawRowEvent, type ReadRowsOptions } from "../src/read/rows.js";

/** Split `data` into chunks of `size` bytes (the last may be shorter). */
export function chunked(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

async function* each(chunks: Buffer[]): AsyncGenerator<Buffer> {
  for (const c of chunks) yield c;
}

/** A source whose documents are the given chunk lists. */
export function memorySource(docs: { name: string; chunks: Buffer[] }[]): InputSource {
  let read = 0;
  return {
    name: "memory",
    kind: "json",
    bytesRead: () => read,
    open: () => each(docs[0]?.chunks ?? []),
    documents: async function* (): AsyncGenerator<InputDocument> {
      for (const d of docs) {
        yield {
          name: d.name,
          chunks: (async function* () {
            for (const c of d.chunks) {
              read += c.length;
              yield c;
            }
          })(),
        };
      }
    },
  };
}

/** Rows of one in-memory document cut into chunks of `chunkSize` bytes. */
export async function rowsOf(text: string | Buffer, chunkSize = 1 << 20, opts: ReadRowsOptions = {}): Promise<RawRowEvent[]> {
  const data = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  return collect(readRows(memorySource([{ name: "doc.json", chunks: chunked(data, chunkSize) }]), opts));
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The error an async action rejects with (fails the test if it resolves). */
export async function rejection(action: () => Promise<unknown>): Promise<Error> {
  try {
    await action();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "encord-read-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ZipInput {
  name: string;
  data: Buffer;
  /** Write the CRC of these bytes instead (to make a corrupt archive). */
  crcOf?: Buffer;
  method?: number; // default 8 (deflate); any other method stores the data as is
}

/**
 * A minimal zip writer: local headers, data, central directory, end record. With `zip64` the sizes and
 * offsets are written as 0xFFFFFFFF with a zip64 extra field, plus the zip64 end record and locator.
 */
export function makeZip(files: ZipInput[], opts: { zip64?: boolean; comment?: string } = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const z64 = opts.zip64 === true;
  for (const f of files) {
    const method = f.method ?? 8;
    const body = method === 8 ? deflateRawSync(f.data) : f.data;
    const crcData = f.crcOf ?? f.data;
    const name = Buffer.from(f.name, "utf8");
    const crc = crc32(crcData) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(z64 ? 45 : 20, 4);
    local.writeUInt16LE(0x800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    // a local extra field the central directory does not have: readers must use the local lengths
    const localExtra = Buffer.from([0xfe, 0xca, 0x02, 0x00, 0x00, 0x00]);
    local.writeUInt16LE(localExtra.length, 28);
    parts.push(local, name, localExtra, body);

    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0);
    cen.writeUInt16LE(z64 ? 45 : 20, 4);
    cen.writeUInt16LE(z64 ? 45 : 20, 6);
    cen.writeUInt16LE(0x800, 8);
    cen.writeUInt16LE(method, 10);
    cen.writeUInt32LE(crc, 16);
    let extra = Buffer.alloc(0);
    if (z64) {
      cen.writeUInt32LE(0xffffffff, 20);
      cen.writeUInt32LE(0xffffffff, 24);
      cen.writeUInt32LE(0xffffffff, 42);
      extra = Buffer.alloc(4 + 24);
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(f.data.length), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    } else {
      cen.writeUInt32LE(body.length, 20);
      cen.writeUInt32LE(f.data.length, 24);
      cen.writeUInt32LE(offset, 42);
    }
    cen.writeUInt16LE(name.length, 28);
    cen.writeUInt16LE(extra.length, 30);
    central.push(cen, name, extra);
    offset += local.length + name.length + localExtra.length + body.length;
  }
  const cd = Buffer.concat(central);
  const cdOffset = offset;
  const tail: Buffer[] = [];
  if (z64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(files.length), 24);
    rec.writeBigUInt64LE(BigInt(files.length), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(cdOffset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
  }
  const comment = Buffer.from(opts.comment ?? "", "utf8");
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(z64 ? 0xffff : files.length, 8);
  end.writeUInt16LE(z64 ? 0xffff : files.length, 10);
  end.writeUInt32LE(z64 ? 0xffffffff : cd.length, 12);
  end.writeUInt32LE(z64 ? 0xffffffff : cdOffset, 16);
  end.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...parts, cd, ...tail, end, comment]);
}
