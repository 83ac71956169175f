// Decode an image file's bytes for drawing (PNG through pngjs, JPEG through jpeg-js), refusing a
// frame over --max-pixels before any pixel buffer exists, and turn it upright by its EXIF orientation.
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import type { RasterImage } from "./canvas.js";

export type Decoded = { image: RasterImage } | { problem: string };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  return prefix.every((b, i) => bytes[at + i] === b);
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** A short name of the image format, from its first bytes. */
export function sniffFormat(bytes: Uint8Array): string {
  if (startsWith(bytes, PNG_SIGNATURE)) return "png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpeg";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "webp";
  if (startsWith(bytes, ascii("GIF8"))) return "gif";
  if (startsWith(bytes, ascii("BM"))) return "bmp";
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return "tiff";
  if (startsWith(bytes, ascii("ftyp"), 4)) return "heif/avif";
  return "unknown";
}

function tooLarge(width: number, height: number, maxPixels: number): string | undefined {
  const total = width * height;
  return total > maxPixels ? `the image is ${width}x${height} = ${total} pixels, over the limit of ${maxPixels} (--max-pixels)` : undefined;
}

/** Decode PNG or JPEG bytes to raw pixels; any other format, a corrupt file or a huge one is a problem. */
export function decodeImage(bytes: Buffer, maxPixels: number): Decoded {
  const format = sniffFormat(bytes);
  try {
    if (format === "png") {
      // IHDR is always the first chunk: width and height at bytes 16 and 20.
      if (bytes.length < 24) return { problem: "the PNG file is cut short" };
      const over = tooLarge(bytes.readUInt32BE(16), bytes.readUInt32BE(20), maxPixels);
      if (over) return { problem: over };
      const png = PNG.sync.read(bytes);
      return { image: { width: png.width, height: png.height, channels: 4, data: png.data } };
    }
    if (format === "jpeg") {
      const decoded = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        maxResolutionInMP: maxPixels / 1e6,
        // The RGB output plus jpeg-js's component buffers: a few bytes per allowed pixel.
        maxMemoryUsageInMB: Math.max(64, Math.ceil((maxPixels * 8) / 2 ** 20)),
      });
      return { image: { width: decoded.width, height: decoded.height, channels: 3, data: decoded.data } };
    }
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    return { problem: /resolution|memory/i.test(message) ? `the ${format} image is over the --max-pixels limit (${message})` : `the ${format} file cannot be decoded (${message})` };
  }
  return { problem: `${format} images cannot be decoded here (PNG and JPEG only)` };
}

/** True for the EXIF orientations that swap width and height (5-8). */
export function orientationSwaps(orientation: number): boolean {
  return orientation >= 5 && orientation <= 8;
}

/**
 * The image as it is meant to be seen, given its EXIF orientation (1 = as stored; 2 mirrored; 3 turned
 * 180°; 4 flipped; 5 transposed; 6 to be turned 90° clockwise; 7 transversed; 8 to be turned 90°
 * counter-clockwise). Other values leave the image as it is.
 */
export function applyOrientation(img: RasterImage, orientation: number): RasterImage {
  if (!(orientation >= 2 && orientation <= 8)) return img;
  const { width: w, height: h, channels: c, data } = img;
  const swap = orientationSwaps(orientation);
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const out = new Uint8Array(ow * oh * c);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2:
          [sx, sy] = [w - 1 - x, y];
          break;
        case 3:
          [sx, sy] = [w - 1 - x, h - 1 - y];
          break;
        case 4:
          [sx, sy] = [x, h - 1 - y];
          break;
        case 5:
          [sx, sy] = [y, x];
          break;
        case 6:
          [sx, sy] = [y, h - 1 - x];
          break;
        case 7:
          [sx, sy] = [w - 1 - y, h - 1 - x];
          break;
        default: // 8
          [sx, sy] = [w - 1 - y, x];
      }
      const si = (sy * w + sx) * c;
      const oi = (y * ow + x) * c;
      for (let k = 0; k < c; k++) out[oi + k] = data[si + k] as number;
    }
  }
  return { width: ow, height: oh, channels: c, data: out };
}
