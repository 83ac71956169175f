// Pixel size and EXIF orientation of an image from the first bytes of its file, without decoding it:
// PNG, JPEG, WebP, BMP, GIF and TIFF. Pure; used to check a placed or downloaded image against the
// width and height the export gives its labels. This API is imported by other modules: keep it stable.
import { closeSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";

export type ImageFormat = "png" | "jpeg" | "webp" | "bmp" | "gif" | "tiff";

export interface ImageInfo {
  format: ImageFormat;
  /** The stored pixel size, before any EXIF rotation. */
  width: number;
  height: number;
  /** EXIF orientation 1..8 (1 when the file has none). */
  orientation: number;
  /** The size as shown (and as trainers such as Ultralytics see it): width and height swapped for orientations 5-8. */
  displayWidth: number;
  displayHeight: number;
}

/** How many leading bytes are enough for every format but a JPEG with large segments before its frame header. */
export const IMAGE_HEADER_BYTES = 64 * 1024;
/** The file readers start with this much (most headers need a few hundred bytes) and read 4× more while cut. */
const FIRST_READ_BYTES = 16 * 1024;
/** The file reader gives up past this many bytes (a JPEG whose frame header never comes). */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** The parser's answer: the info, "need more bytes", or not an image it knows. */
type Parsed = ImageInfo | "truncated" | undefined;

function info(format: ImageFormat, width: number, height: number, orientation = 1): ImageInfo | undefined {
  if (!(width > 0 && height > 0)) return undefined;
  const o = orientation >= 1 && orientation <= 8 ? orientation : 1;
  const swap = o >= 5;
  return { format, width, height, orientation: o, displayWidth: swap ? height : width, displayHeight: swap ? width : height };
}

/** The orientation tag (0x0112) of IFD0 of a TIFF structure (an EXIF block or a TIFF file); 1 when absent or unreadable. */
function tiffTags(b: Buffer, start: number): { orientation: number; width?: number; height?: number } {
  const out: { orientation: number; width?: number; height?: number } = { orientation: 1 };
  if (b.length < start + 8) return out;
  const order = b.toString("latin1", start, start + 2);
  if (order !== "II" && order !== "MM") return out;
  const le = order === "II";
  const u16 = (o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  if (u16(start + 2) !== 42) return out;
  const ifd = start + u32(start + 4);
  if (ifd + 2 > b.length) return out;
  const n = u16(ifd);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > b.length) break;
    const tag = u16(e);
    const type = u16(e + 2);
    // SHORT (3) values sit in the first two bytes of the value field; LONG (4) in all four.
    const value = type === 3 ? u16(e + 8) : type === 4 ? u32(e + 8) : undefined;
    if (value === undefined) continue;
    if (tag === 0x0112) out.orientation = value;
    else if (tag === 0x0100) out.width = value;
    else if (tag === 0x0101) out.height = value;
  }
  return out;
}

function parsePng(b: Buffer): Parsed {
  if (b.length < 24) return "truncated";
  if (b.toString("latin1", 12, 16) !== "IHDR") return undefined;
  const width = b.readUInt32BE(16);
  const height = b.readUInt32BE(20);
  // An eXIf chunk (PNG 1.5) may carry an orientation; it must come before IDAT.
  let orientation = 1;
  let p = 8;
  while (p + 8 <= b.length) {
    const len = b.readUInt32BE(p);
    const type = b.toString("latin1", p + 4, p + 8);
    if (type === "IDAT" || type === "IEND") break;
    if (type === "eXIf") {
      if (p + 8 + len > b.length) return "truncated";
      orientation = tiffTags(b, p + 8).orientation;
      break;
    }
    p += 12 + len;
  }
  return info("png", width, height, orientation);
}

// Start-of-frame markers that carry the frame size (not DHT C4, JPG C8, DAC CC).
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function parseJpeg(b: Buffer): Parsed {
  let p = 2;
  let orientation = 1;
  for (;;) {
    if (p + 4 > b.length) return "truncated";
    if (b[p] !== 0xff) return undefined;
    const marker = b[p + 1] as number;
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    // Markers without a length: TEM and RSTn.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      p += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image or scan data before any frame header
    const len = b.readUInt16BE(p + 2);
    if (len < 2) return undefined;
    if (SOF.has(marker)) {
      if (p + 9 > b.length) return "truncated";
      return info("jpeg", b.readUInt16BE(p + 7), b.readUInt16BE(p + 5), orientation);
    }
    if (marker === 0xe1 && orientation === 1) {
      if (p + 2 + len > b.length) return "truncated";
      if (b.toString("latin1", p + 4, p + 10) === "Exif\0\0") orientation = tiffTags(b.subarray(0, p + 2 + len), p + 10).orientation;
    }
    p += 2 + len;
  }
}

function parseWebp(b: Buffer): Parsed {
  if (b.length < 30) return "truncated";
  const chunk = b.toString("latin1", 12, 16);
  if (chunk === "VP8 ") {
    // Lossy: a key frame starts with a 3-byte tag, then 9d 01 2a and two 14-bit sizes.
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return info("webp", b.readUInt16LE(26) & 0x3fff, b.readUInt16LE(28) & 0x3fff);
  }
  if (chunk === "VP8L") {
    if (b[20] !== 0x2f) return undefined;
    const bits = b.readUInt32LE(21);
    return info("webp", (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk !== "VP8X") return undefined;
  const width = b.readUIntLE(24, 3) + 1;
  const height = b.readUIntLE(27, 3) + 1;
  let orientation = 1;
  if ((b[20] as number) & 0x08) {
    // The EXIF chunk comes after the image data in most files: walk the chunks to it.
    let p = 12;
    for (;;) {
      if (p + 8 > b.length) return "truncated";
      const type = b.toString("latin1", p, p + 4);
      const len = b.readUInt32LE(p + 4);
      if (type === "EXIF") {
        if (p + 8 + len > b.length) return "truncated";
        const start = b.toString("latin1", p + 8, p + 14) === "Exif\0\0" ? p + 14 : p + 8;
        orientation = tiffTags(b.subarray(0, p + 8 + len), start).orientation;
        break;
      }
      p += 8 + len + (len & 1);
    }
  }
  return info("webp", width, height, orientation);
}

function parseBmp(b: Buffer): Parsed {
  if (b.length < 26) return "truncated";
  const dib = b.readUInt32LE(14);
  // BITMAPCOREHEADER has 16-bit sizes; the later headers 32-bit signed, a negative height meaning top-down.
  if (dib === 12) return info("bmp", b.readUInt16LE(18), b.readUInt16LE(20));
  if (dib < 40) return undefined;
  return info("bmp", Math.abs(b.readInt32LE(18)), Math.abs(b.readInt32LE(22)));
}

function parseTiff(b: Buffer): Parsed {
  const t = tiffTags(b, 0);
  if (t.width === undefined || t.height === undefined) return b.length < IMAGE_HEADER_BYTES ? "truncated" : undefined;
  return info("tiff", t.width, t.height, t.orientation);
}

function parse(b: Buffer): Parsed {
  if (b.length < 4) return "truncated";
  if (b[0] === 0x89 && b.toString("latin1", 1, 4) === "PNG") return parsePng(b);
  if (b[0] === 0xff && b[1] === 0xd8) return parseJpeg(b);
  const magic = b.toString("latin1", 0, 4);
  if (magic === "RIFF") return b.length < 12 ? "truncated" : b.toString("latin1", 8, 12) === "WEBP" ? parseWebp(b) : undefined;
  if (magic === "GIF8") return b.length < 10 ? "truncated" : info("gif", b.readUInt16LE(6), b.readUInt16LE(8));
  if (b[0] === 0x42 && b[1] === 0x4d) return parseBmp(b);
  if (magic === "II*\0" || magic === "MM\0*") return parseTiff(b);
  return undefined;
}

/**
 * The size and orientation of an image from its first bytes (IMAGE_HEADER_BYTES are enough for all
 * but JPEGs with large segments before the frame header). Undefined when the bytes are not a known
 * image format, are cut before the size, or give a zero size.
 */
export function readImageInfo(head: Buffer): ImageInfo | undefined {
  const r = parse(head);
  return r === "truncated" ? undefined : r;
}

/** readImageInfo of a file, reading only as much of it as the header needs (at most 16 MiB). */
export async function readImageInfoFromFile(path: string): Promise<ImageInfo | undefined> {
  const fh = await open(path, "r");
  try {
    let want = FIRST_READ_BYTES;
    let buf = Buffer.alloc(0);
    for (;;) {
      const more = Buffer.alloc(want - buf.length);
      const { bytesRead } = await fh.read(more, 0, more.length, buf.length);
      buf = Buffer.concat([buf, more.subarray(0, bytesRead)]);
      const r = parse(buf);
      if (r !== "truncated") return r;
      if (bytesRead < more.length || want >= MAX_HEADER_BYTES) return undefined; // the file ends (or goes on) without a size
      want *= 4;
    }
  } finally {
    await fh.close();
  }
}

/** The synchronous form of readImageInfoFromFile. */
export function readImageInfoFromFileSync(path: string): ImageInfo | undefined {
  const fd = openSync(path, "r");
  try {
    let want = FIRST_READ_BYTES;
    let buf = Buffer.alloc(0);
    for (;;) {
      const more = Buffer.alloc(want - buf.length);
      const bytesRead = readSync(fd, more, 0, more.length, buf.length);
      buf = Buffer.concat([buf, more.subarray(0, bytesRead)]);
      const r = parse(buf);
      if (r !== "truncated") return r;
      if (bytesRead < more.length || want >= MAX_HEADER_BYTES) return undefined;
      want *= 4;
    }
  } finally {
    closeSync(fd);
  }
}
