// Just enough of the zip format (APPNOTE.TXT) to stream entries: the end-of-central-directory record
// (and its zip64 form), the central directory, and each entry's local header to find where its data starts.

import type { FileHandle } from "node:fs/promises";
import { InputError } from "../model.js";

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate; others are refused when read. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  encrypted: boolean;
  /** Where the entry's local header starts. */
  localHeaderOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
const FLAG_ENCRYPTED = 0x1;
const FLAG_UTF8 = 0x800;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError("zip64 value too large");
  return Number(v);
}

interface Directory {
  entries: number;
  size: number;
  offset: number;
}

async function findDirectory(fh: FileHandle, fileSize: number, path: string): Promise<Directory> {
  const tailLength = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT);
  const tailStart = fileSize - tailLength;
  const tail = await readAt(fh, tailStart, tailLength);
  // The record is followed only by its comment, so search backwards from the latest place it can start.
  let at = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD && i + EOCD_SIZE + tail.readUInt16LE(i + 20) <= tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new InputError(`${path}: not a readable zip archive (no end-of-central-directory record; truncated?)`);
  if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0) {
    throw new InputError(`${path}: multi-part (split) zip archives are not supported`);
  }
  let dir: Directory = { entries: tail.readUInt16LE(at + 10), size: tail.readUInt32LE(at + 12), offset: tail.readUInt32LE(at + 16) };
  const needs64 = dir.entries === U16_MAX || dir.size === U32_MAX || dir.offset === U32_MAX;
  const loc = at - 20;
  if (loc >= 0 && tail.readUInt32LE(loc) === SIG_ZIP64_LOCATOR) {
    const recordOffset = u64(tail, loc + 8);
    const rec = await readAt(fh, recordOffset, 56);
    if (rec.length < 56 || rec.readUInt32LE(0) !== SIG_ZIP64_EOCD) {
      throw new InputError(`${path}: the zip64 end-of-central-directory record is missing or corrupt`);
    }
    dir = { entries: u64(rec, 32), size: u64(rec, 40), offset: u64(rec, 48) };
  } else if (needs64) {
    throw new InputError(`${path}: the zip archive needs a zip64 record but has none: corrupt`);
  }
  if (dir.offset + dir.size > fileSize) {
    throw new InputError(`${path}: the zip central directory lies beyond the end of the file: truncated or corrupt`);
  }
  return dir;
}

/** Every entry of the archive's central directory, in directory order. */
export async function readZipDirectory(fh: FileHandle, fileSize: number, path: string): Promise<ZipEntry[]> {
  const dir = await findDirectory(fh, fileSize, path);
  const cd = await readAt(fh, dir.offset, dir.size);
  const entries: ZipEntry[] = [];
  let p = 0;
  const corrupt = (): InputError => new InputError(`${path}: the zip central directory is corrupt (entry ${entries.length})`);
  while (entries.length < dir.entries) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw corrupt();
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const crc32 = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20);
    let size = cd.readUInt32LE(p + 24);
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const nameStart = p + 46;
    const extraStart = nameStart + nameLength;
    const next = extraStart + extraLength + commentLength;
    if (next > cd.length) throw corrupt();
    // Names without the UTF-8 flag are CP437 by the spec; real exports use ASCII names, which read the same.
    const name = cd.toString(flags & FLAG_UTF8 ? "utf8" : "latin1", nameStart, extraStart);
    // zip64: the extra field 0x0001 holds, in order, only the values whose 32-bit fields are saturated.
    for (let x = extraStart; x + 4 <= extraStart + extraLength; ) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        const end = q + len;
        if (size === U32_MAX && q + 8 <= end) {
          size = u64(cd, q);
          q += 8;
        }
        if (compressedSize === U32_MAX && q + 8 <= end) {
          compressedSize = u64(cd, q);
          q += 8;
        }
        if (localHeaderOffset === U32_MAX && q + 8 <= end) localHeaderOffset = u64(cd, q);
      }
      x += 4 + len;
    }
    entries.push({
      name,
      method,
      compressedSize,
      size,
      crc32,
      encrypted: (flags & FLAG_ENCRYPTED) !== 0,
      localHeaderOffset,
    });
    p = next;
  }
  return entries;
}

/** Where the entry's data starts: after its local header, whose name and extra lengths may differ from the directory's. */
export async function zipEntryDataOffset(fh: FileHandle, entry: ZipEntry, name: string): Promise<number> {
  const head = await readAt(fh, entry.localHeaderOffset, 30);
  if (head.length < 30 || head.readUInt32LE(0) !== SIG_LOCAL) {
    throw new InputError(`${name}: the zip entry's local header is missing or corrupt`);
  }
  return entry.localHeaderOffset + 30 + head.readUInt16LE(26) + head.readUInt16LE(28);
}
