// An 8-bit RGB raster to draw previews on, with integer-only blending so every run gives the same
// bytes. Coordinates are pixel indices (column, row), origin top-left; anything outside is ignored.
import type { Rgb } from "../output/png.js";

export class Canvas {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [0, 0, 0],
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`a canvas needs a positive whole size, not ${width}x${height}`);
    }
    this.data = new Uint8Array(width * height * 3);
    this.fill(background);
  }

  fill([r, g, b]: Rgb): void {
    const d = this.data;
    for (let i = 0; i < d.length; i += 3) {
      d[i] = r;
      d[i + 1] = g;
      d[i + 2] = b;
    }
  }

  inside(x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x < this.width && y < this.height;
  }

  get(x: number, y: number): Rgb {
    const i = (y * this.width + x) * 3;
    return [this.data[i] as number, this.data[i + 1] as number, this.data[i + 2] as number];
  }

  set(x: number, y: number, [r, g, b]: Rgb): void {
    if (!this.inside(x, y)) return;
    const i = (y * this.width + x) * 3;
    this.data[i] = r;
    this.data[i + 1] = g;
    this.data[i + 2] = b;
  }

  /** Mix colour over pixel (x, y) with opacity alpha/255, rounded to nearest. */
  blend(x: number, y: number, colour: Rgb, alpha: number): void {
    if (!this.inside(x, y)) return;
    blendAt(this.data, (y * this.width + x) * 3, colour, alpha);
  }

  /** Blend colour over the pixels [x0, x1) of row y (clipped to the canvas). */
  blendSpan(y: number, x0: number, x1: number, colour: Rgb, alpha: number): void {
    if (y < 0 || y >= this.height) return;
    const a = Math.max(0, x0);
    const b = Math.min(this.width, x1);
    for (let x = a; x < b; x++) blendAt(this.data, (y * this.width + x) * 3, colour, alpha);
  }

  /** An opaque rectangle [x, x+w) x [y, y+h), clipped. */
  fillRect(x: number, y: number, w: number, h: number, colour: Rgb): void {
    for (let r = Math.max(0, y); r < Math.min(this.height, y + h); r++) this.blendSpan(r, x, x + w, colour, 255);
  }

  /** Copy another canvas in with its top-left at (x, y), clipped. */
  blit(src: Canvas, x: number, y: number): void {
    for (let r = 0; r < src.height; r++) {
      const ty = y + r;
      if (ty < 0 || ty >= this.height) continue;
      const c0 = Math.max(0, -x);
      const c1 = Math.min(src.width, this.width - x);
      if (c0 >= c1) continue;
      this.data.set(src.data.subarray((r * src.width + c0) * 3, (r * src.width + c1) * 3), (ty * this.width + x + c0) * 3);
    }
  }
}

function blendAt(d: Uint8Array, i: number, [r, g, b]: Rgb, alpha: number): void {
  if (alpha >= 255) {
    d[i] = r;
    d[i + 1] = g;
    d[i + 2] = b;
    return;
  }
  const k = 255 - alpha;
  d[i] = Math.floor((r * alpha + (d[i] as number) * k + 127) / 255);
  d[i + 1] = Math.floor((g * alpha + (d[i + 1] as number) * k + 127) / 255);
  d[i + 2] = Math.floor((b * alpha + (d[i + 2] as number) * k + 127) / 255);
}

/** Relative luminance (0..255, integer weights) for choosing black or white text on a colour. */
export function luma([r, g, b]: Rgb): number {
  return Math.floor((r * 299 + g * 587 + b * 114) / 1000);
}

/** A raw RGBA (4 bytes) or RGB (3 bytes) image, row-major. */
export interface RasterImage {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

/**
 * Resample an image into a canvas of another (or the same) size by area averaging: destination pixel
 * (x, y) takes the mean of source pixels [floor(x·sw/dw), floor((x+1)·sw/dw)) (at least one) in each
 * axis, so shrinking averages and enlarging repeats pixels. Alpha is composited over `background`.
 * Integer arithmetic only.
 */
export function drawImage(canvas: Canvas, img: RasterImage, background: Rgb): void {
  const dw = canvas.width;
  const dh = canvas.height;
  const sw = img.width;
  const sh = img.height;
  const ch = img.channels;
  const src = img.data;
  const out = canvas.data;
  const xs0 = new Int32Array(dw);
  const xs1 = new Int32Array(dw);
  for (let x = 0; x < dw; x++) {
    const a = Math.floor((x * sw) / dw);
    xs0[x] = a;
    xs1[x] = Math.max(a + 1, Math.floor(((x + 1) * sw) / dw));
  }
  const [br, bg, bb] = background;
  for (let y = 0; y < dh; y++) {
    const y0 = Math.floor((y * sh) / dh);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * sh) / dh));
    for (let x = 0; x < dw; x++) {
      const x0 = xs0[x] as number;
      const x1 = xs1[x] as number;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = y0; sy < y1; sy++) {
        let i = (sy * sw + x0) * ch;
        for (let sx = x0; sx < x1; sx++, i += ch) {
          let pr = src[i] as number;
          let pg = src[i + 1] as number;
          let pb = src[i + 2] as number;
          if (ch === 4) {
            const al = src[i + 3] as number;
            if (al < 255) {
              const k = 255 - al;
              pr = Math.floor((pr * al + br * k + 127) / 255);
              pg = Math.floor((pg * al + bg * k + 127) / 255);
              pb = Math.floor((pb * al + bb * k + 127) / 255);
            }
          }
          r += pr;
          g += pg;
          b += pb;
        }
      }
      const n = (x1 - x0) * (y1 - y0);
      const o = (y * dw + x) * 3;
      out[o] = Math.floor((r + (n >> 1)) / n);
      out[o + 1] = Math.floor((g + (n >> 1)) / n);
      out[o + 2] = Math.floor((b + (n >> 1)) / n);
    }
  }
}
