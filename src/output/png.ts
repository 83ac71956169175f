// 8-bit PNG encoding for masks: grayscale written directly (the same bytes pngjs writes with the
// options below, ~4x faster: no per-pixel filter pass), and palette (colour type 3, for VOC
// SegmentationClass/SegmentationObject) by patching that grayscale file: an 8-bit grayscale and an
// 8-bit palette image have identical IDAT bytes, so only the IHDR colour type (and its CRC) changes
// and a PLTE chunk goes in before the first IDAT.
import { deflateSync, inflateSync } from "node:zlib";

/**
 * Measured fastest for masks (design.md §Masks): fast deflate, Z_RLE, no filter. These are pngjs's
 * {deflateLevel: 1, deflateStrategy: 3, filterType: 0} with its default chunk size; a test checks
 * that the output is byte-identical to pngjs's.
 */
const DEFLATE_OPTIONS = { level: 1, strategy: 3 /* Z_RLE */, chunkSize: 32 * 1024 } as const;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export type Rgb = [number, number, number];

function checkSize(width: number, height: number, pixels: Uint8Array): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG size must be positive integers, got ${width}x${height}`);
  }
  if (pixels.length !== width * height) {
    throw new RangeError(`PNG pixels hold ${pixels.length} bytes, not ${width}x${height}`);
  }
}

/**
 * The raw image data of the last grayscale PNG, reused: a fresh zeroed frame-sized buffer per PNG
 * cost more than the copy into it (allocation, zeroing, then the collector), measured on masks.
 */
let rawScratch = Buffer.alloc(0);

/**
 * An 8-bit grayscale PNG (colour type 0) of row-major pixels, one byte each: signature, IHDR, one
 * IDAT holding every row behind filter byte 0 (None), IEND.
 */
export function encodeGray8(width: number, height: number, pixels: Uint8Array): Buffer {
  checkSize(width, height, pixels);
  const size = (width + 1) * height; // each row: filter type 0, then the row's bytes
  if (rawScratch.length < size) rawScratch = Buffer.alloc(size);
  const raw = rawScratch;
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0;
    raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  }
  return encodeGray8Raw(width, height, raw.subarray(0, size));
}

/** A grayscale PNG of raw image data already laid out as PNG rows (filter byte 0, then the row). */
function encodeGray8Raw(width: number, height: number, raw: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13); // compression, filter and interlace methods stay 0
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // colour type: grayscale
  return Buffer.concat([SIGNATURE, pngChunk("IHDR", ihdr), pngChunk("IDAT", deflateSync(raw, DEFLATE_OPTIONS)), pngChunk("IEND", Buffer.alloc(0))]);
}

/**
 * One 8-bit grayscale image kept in PNG's raw row layout (a 0 filter byte before each row), painted
 * span by span and encoded with no copy: a mask painted here goes from its runs to deflate without
 * a frame buffer of its own. Reused from image to image; a reset clears only the bytes painted
 * since the last one, so a small mask in a large frame costs its own size, not the frame's.
 */
export class GrayRows {
  private raw = Buffer.alloc(0);
  private width = 0;
  private height = 0;
  private dirtyStart = 0; // byte range painted since the last reset
  private dirtyEnd = 0;

  /** Start a new all-zero image of width×height. */
  reset(width: number, height: number): void {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`PNG size must be positive integers, got ${width}x${height}`);
    }
    const size = (width + 1) * height;
    if (this.raw.length < size) this.raw = Buffer.alloc(size);
    else if (this.dirtyEnd > this.dirtyStart) this.raw.fill(0, this.dirtyStart, this.dirtyEnd);
    this.width = width;
    this.height = height;
    this.dirtyStart = size;
    this.dirtyEnd = 0;
  }

  /** Set pixels [x0, x1) of row y (inside the image) to value. */
  span(y: number, x0: number, x1: number, value: number): void {
    const start = y * (this.width + 1) + 1 + x0;
    const end = start + (x1 - x0);
    this.raw.fill(value, start, end);
    if (start < this.dirtyStart) this.dirtyStart = start;
    if (end > this.dirtyEnd) this.dirtyEnd = end;
  }

  /** Set the pixels of a row-major index range [start, end) of the image (rows wrap) to value. */
  range(start: number, end: number, value: number): void {
    if (end <= start) return;
    const w = this.width;
    const y = Math.floor(start / w);
    let x = start - y * w;
    let left = end - start;
    const raw = this.raw;
    let at = y * (w + 1) + 1 + x;
    if (at < this.dirtyStart) this.dirtyStart = at;
    while (left > 0) {
      const n = left < w - x ? left : w - x;
      raw.fill(value, at, at + n);
      left -= n;
      at += n + 1; // past the next row's filter byte
      x = 0;
    }
    if (at - 1 > this.dirtyEnd) this.dirtyEnd = at - 1;
  }

  /** The PNG of the image as painted. */
  encode(): Buffer {
    return encodeGray8Raw(this.width, this.height, this.raw.subarray(0, (this.width + 1) * this.height));
  }
}

/**
 * An 8-bit palette PNG (colour type 3): pixel values are indices into `palette` (1..256 entries;
 * every pixel must be below palette.length, as the PNG spec requires).
 */
export function encodePalette8(width: number, height: number, pixels: Uint8Array, palette: readonly Rgb[]): Buffer {
  checkSize(width, height, pixels);
  if (palette.length < 1 || palette.length > 256) throw new RangeError(`a PNG palette holds 1..256 colours, not ${palette.length}`);
  if (palette.length < 256) {
    // A byte is always below 256, so only a short palette needs the scan.
    let max = 0;
    for (let i = 0; i < pixels.length; i++) if ((pixels[i] as number) > max) max = pixels[i] as number;
    if (max >= palette.length) throw new RangeError(`pixel value ${max} is outside the ${palette.length}-colour palette`);
  }

  const gray = encodeGray8(width, height, pixels);
  // IHDR is the first chunk: length at 8, type at 12, data at 16 (colour type at data+9), CRC at 29.
  gray[16 + 9] = 3;
  gray.writeUInt32BE(crc32(gray.subarray(12, 29)), 29);

  const plte = Buffer.alloc(palette.length * 3);
  palette.forEach(([r, g, b], i) => {
    plte[3 * i] = r;
    plte[3 * i + 1] = g;
    plte[3 * i + 2] = b;
  });
  const at = firstChunkOffset(gray, "IDAT");
  return Buffer.concat([gray.subarray(0, at), pngChunk("PLTE", plte), gray.subarray(at)]);
}

/**
 * An 8-bit RGB PNG (colour type 2) of row-major pixels, three bytes each, for previews: every row
 * behind the Paeth filter (photos and flat drawings both compress well with it), deflate level 6.
 */
export function encodeRgb8(width: number, height: number, rgb: Uint8Array): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG size must be positive integers, got ${width}x${height}`);
  }
  if (rgb.length !== width * height * 3) throw new RangeError(`PNG pixels hold ${rgb.length} bytes, not ${width}x${height}x3`);
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1);
    raw[o] = 4; // Paeth
    const row = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= 3 ? (rgb[row + i - 3] as number) : 0;
      const b = y > 0 ? (rgb[row - stride + i] as number) : 0;
      const c = i >= 3 && y > 0 ? (rgb[row - stride + i - 3] as number) : 0;
      const pa = Math.abs(b - c);
      const pb = Math.abs(a - c);
      const pc = Math.abs(a + b - 2 * c);
      const pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      raw[o + 1 + i] = ((rgb[row + i] as number) - pred) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([SIGNATURE, pngChunk("IHDR", ihdr), pngChunk("IDAT", deflateSync(raw, { level: 6 })), pngChunk("IEND", Buffer.alloc(0))]);
}

/** Byte offset of the first chunk of the given type. */
function firstChunkOffset(png: Buffer, type: string): number {
  let p = 8;
  while (p + 8 <= png.length) {
    if (png.toString("latin1", p + 4, p + 8) === type) return p;
    p += 12 + png.readUInt32BE(p);
  }
  throw new Error(`PNG has no ${type} chunk`);
}

/** One PNG chunk: length, type, data, CRC-32 of type + data. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const CRC_TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309 / PNG), unsigned. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The VOC "bitget" colormap: bits 0,1,2 of i go to bit 7 of R,G,B, bits 3,4,5 to bit 6, and so on.
 * 1:(128,0,0) 2:(0,128,0) 3:(128,128,0) … 255:(224,224,192).
 */
export function vocColormap(n = 256): Rgb[] {
  const out: Rgb[] = [];
  for (let i = 0; i < n; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let c = i;
    for (let j = 0; j < 8; j++) {
      r |= (c & 1) << (7 - j);
      g |= ((c >> 1) & 1) << (7 - j);
      b |= ((c >> 2) & 1) << (7 - j);
      c >>= 3;
    }
    out.push([r, g, b]);
  }
  return out;
}

export interface DecodedPng8 {
  width: number;
  height: number;
  colorType: number;
  palette: Rgb[] | null;
  /** Row-major, one byte per pixel: gray levels or palette indices. */
  pixels: Uint8Array;
}

/**
 * Decode an 8-bit, non-interlaced grayscale or palette PNG to its raw bytes (pngjs would expand a
 * palette image to RGBA, losing the indices). Checks the signature and every chunk's CRC; undoes all
 * five filter types. Meant for tests and checks, not for arbitrary PNGs.
 */
export function decodePng8(png: Buffer): DecodedPng8 {
  if (png.length < 8 || !png.subarray(0, 8).equals(SIGNATURE)) throw new Error("not a PNG (bad signature)");
  let p = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  let palette: Rgb[] | null = null;
  const idat: Buffer[] = [];
  let ended = false;
  while (!ended) {
    if (p + 12 > png.length) throw new Error("PNG ends inside a chunk");
    const len = png.readUInt32BE(p);
    const type = png.toString("latin1", p + 4, p + 8);
    if (p + 12 + len > png.length) throw new Error(`PNG chunk ${type} runs past the end`);
    const data = png.subarray(p + 8, p + 8 + len);
    if (crc32(png.subarray(p + 4, p + 8 + len)) !== png.readUInt32BE(p + 8 + len)) throw new Error(`PNG chunk ${type} has a bad CRC`);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      colorType = data[9] as number;
      if (depth !== 8 || (colorType !== 0 && colorType !== 3) || data[12] !== 0) {
        throw new Error(`decodePng8 reads 8-bit non-interlaced gray or palette PNGs only (depth ${depth}, colour type ${colorType})`);
      }
    } else if (type === "PLTE") {
      palette = [];
      for (let i = 0; i + 2 < len; i += 3) palette.push([data[i] as number, data[i + 1] as number, data[i + 2] as number]);
    } else if (type === "IDAT") {
      idat.push(data);
    } else if (type === "IEND") {
      ended = true;
    }
    p += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length !== (width + 1) * height) throw new Error(`PNG image data holds ${raw.length} bytes, not ${(width + 1) * height}`);
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)];
    const src = y * (width + 1) + 1;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const a = x > 0 ? (pixels[row + x - 1] as number) : 0; // left
      const b = y > 0 ? (pixels[row - width + x] as number) : 0; // up
      const c = x > 0 && y > 0 ? (pixels[row - width + x - 1] as number) : 0; // up-left
      let pred: number;
      switch (filter) {
        case 0:
          pred = 0;
          break;
        case 1:
          pred = a;
          break;
        case 2:
          pred = b;
          break;
        case 3:
          pred = (a + b) >> 1;
          break;
        case 4: {
          const pa = Math.abs(b - c);
          const pb = Math.abs(a - c);
          const pc = Math.abs(a + b - 2 * c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new Error(`PNG row ${y} has unknown filter type ${filter}`);
      }
      pixels[row + x] = ((raw[src + x] as number) + pred) & 0xff;
    }
  }
  return { width, height, colorType, palette, pixels };
}
