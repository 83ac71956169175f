import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { crc32, decodePng8, encodeGray8, encodePalette8, pngChunk, vocColormap, type Rgb } from "../src/output/png.js";
import { REPO, seededRandom } from "./fixtures.js";

const PNGCHECK = "/usr/bin/pngcheck";
const HAVE_PNGCHECK = existsSync(PNGCHECK);

mkdirSync(join(REPO, ".vitest-tmp"), { recursive: true });
const TMP = mkdtempSync(join(REPO, ".vitest-tmp", "png-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function randomPixels(n: number, below: number, seed: number): Uint8Array {
  const rand = seededRandom(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * below);
  return out;
}

/** Chunk types in file order. */
function chunkTypes(png: Buffer): string[] {
  const types: string[] = [];
  for (let p = 8; p < png.length; p += 12 + png.readUInt32BE(p)) types.push(png.toString("latin1", p + 4, p + 8));
  return types;
}

/** Write the PNG under the repo's scratch folder and run `pngcheck -q` on it; null without pngcheck. */
function pngcheck(png: Buffer, name: string): { status: number | null; output: string } | null {
  if (!HAVE_PNGCHECK) return null;
  const file = join(TMP, name);
  writeFileSync(file, png);
  const r = spawnSync(PNGCHECK, ["-q", file], { encoding: "utf8" });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe("crc32", () => {
  it("matches the standard check values", () => {
    expect(crc32(Buffer.from("123456789", "latin1"))).toBe(0xcbf43926);
    expect(crc32(Buffer.from("IEND", "latin1"))).toBe(0xae426082);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("pngChunk lays out length, type, data and CRC", () => {
    const c = pngChunk("IEND", new Uint8Array(0));
    expect([...c]).toEqual([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
  });
});

describe("encodeGray8", () => {
  const width = 37;
  const height = 23;
  const pixels = randomPixels(width * height, 256, 42);
  const png = encodeGray8(width, height, pixels);

  it("writes an 8-bit grayscale IHDR", () => {
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString("latin1", 12, 16)).toBe("IHDR");
    expect(png.readUInt32BE(16)).toBe(width);
    expect(png.readUInt32BE(20)).toBe(height);
    expect([...png.subarray(24, 29)]).toEqual([8, 0, 0, 0, 0]); // depth 8, gray, deflate, filter 0, no interlace
    expect(chunkTypes(png)).toEqual(["IHDR", "IDAT", "IEND"]);
  });

  it("decodes with pngjs to the same values", () => {
    const img = PNG.sync.read(png);
    expect(img.width).toBe(width);
    expect(img.height).toBe(height);
    for (let i = 0; i < pixels.length; i++) {
      const v = pixels[i] as number;
      expect([img.data[4 * i], img.data[4 * i + 1], img.data[4 * i + 2], img.data[4 * i + 3]]).toEqual([v, v, v, 255]);
    }
  });

  it("decodes with decodePng8 to the same bytes", () => {
    const d = decodePng8(png);
    expect(d).toMatchObject({ width, height, colorType: 0, palette: null });
    expect(d.pixels).toEqual(pixels);
  });

  it("uses the tuned options: deflate level 1 and no row filter", () => {
    const at = 8 + 25; // IDAT follows the 25-byte IHDR chunk
    expect(png.toString("latin1", at + 4, at + 8)).toBe("IDAT");
    // zlib header 0x78 0x01: FLEVEL 0, "fastest", written for deflate level 1.
    expect([png[at + 8], png[at + 9]]).toEqual([0x78, 0x01]);
  });

  it("works on a subarray view and a 1x1 image", () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 4, 9]);
    const view = backing.subarray(2, 6);
    expect(decodePng8(encodeGray8(2, 2, view)).pixels).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(decodePng8(encodeGray8(1, 1, new Uint8Array([255]))).pixels).toEqual(new Uint8Array([255]));
  });

  it("refuses a wrong size", () => {
    expect(() => encodeGray8(3, 3, new Uint8Array(8))).toThrow(RangeError);
    expect(() => encodeGray8(0, 3, new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeGray8(1.5, 2, new Uint8Array(3))).toThrow(RangeError);
  });

  it.skipIf(!HAVE_PNGCHECK)("passes pngcheck -q", () => {
    const r = pngcheck(png, "gray.png");
    expect(r?.output).toBe("");
    expect(r?.status).toBe(0);
    const big = new Uint8Array(640 * 480);
    big.fill(255, 640 * 100, 640 * 300);
    const r2 = pngcheck(encodeGray8(640, 480, big), "gray-big.png");
    expect(r2?.status).toBe(0);
  });
});

describe("vocColormap", () => {
  const cmap = vocColormap();

  it("is the VOC bitget colormap", () => {
    expect(cmap.length).toBe(256);
    const expected: Rgb[] = [
      [0, 0, 0],
      [128, 0, 0],
      [0, 128, 0],
      [128, 128, 0],
      [0, 0, 128],
      [128, 0, 128],
      [0, 128, 128],
      [128, 128, 128],
      [64, 0, 0],
      [192, 0, 0],
      [64, 128, 0],
      [192, 128, 0],
      [64, 0, 128],
      [192, 0, 128],
      [64, 128, 128],
      [192, 128, 128],
    ];
    expect(cmap.slice(0, 16)).toEqual(expected);
    expect(cmap[255]).toEqual([224, 224, 192]);
  });

  it("takes a length", () => {
    expect(vocColormap(3)).toEqual([
      [0, 0, 0],
      [128, 0, 0],
      [0, 128, 0],
    ]);
    expect(vocColormap(0)).toEqual([]);
  });
});

describe("encodePalette8", () => {
  const width = 19;
  const height = 11;
  const cmap = vocColormap();
  const pixels = randomPixels(width * height, 21, 7);
  pixels[0] = 255; // the VOC void index
  const png = encodePalette8(width, height, pixels, cmap);

  it("sets colour type 3 in IHDR with a correct CRC", () => {
    expect([...png.subarray(24, 29)]).toEqual([8, 3, 0, 0, 0]);
    expect(png.readUInt32BE(29)).toBe(crc32(png.subarray(12, 29)));
  });

  it("puts a PLTE chunk with the palette right after IHDR, before IDAT", () => {
    expect(chunkTypes(png)).toEqual(["IHDR", "PLTE", "IDAT", "IEND"]);
    expect(png.readUInt32BE(33)).toBe(768);
    expect(png.toString("latin1", 37, 41)).toBe("PLTE");
    expect([...png.subarray(41, 41 + 12)]).toEqual([0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0]);
    expect([...png.subarray(41 + 765, 41 + 768)]).toEqual([224, 224, 192]);
    expect(png.readUInt32BE(41 + 768)).toBe(crc32(png.subarray(37, 41 + 768)));
  });

  it("keeps the grayscale IDAT bytes unchanged", () => {
    const gray = encodeGray8(width, height, pixels);
    const idat = (b: Buffer): Buffer => {
      let p = 8;
      while (b.toString("latin1", p + 4, p + 8) !== "IDAT") p += 12 + b.readUInt32BE(p);
      return b.subarray(p, p + 12 + b.readUInt32BE(p));
    };
    expect(idat(png)).toEqual(idat(gray));
  });

  it("decodes to the same indices, and with pngjs to the palette colours", () => {
    const d = decodePng8(png);
    expect(d.colorType).toBe(3);
    expect(d.palette).toEqual(cmap);
    expect(d.pixels).toEqual(pixels);
    const img = PNG.sync.read(png);
    for (let i = 0; i < pixels.length; i++) {
      const [r, g, b] = cmap[pixels[i] as number] as Rgb;
      expect([img.data[4 * i], img.data[4 * i + 1], img.data[4 * i + 2], img.data[4 * i + 3]]).toEqual([r, g, b, 255]);
    }
  });

  it("accepts a short palette that covers every pixel, and refuses one that does not", () => {
    const small = encodePalette8(2, 2, new Uint8Array([0, 1, 1, 0]), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(small.readUInt32BE(33)).toBe(6);
    expect(decodePng8(small).palette).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(() => encodePalette8(2, 2, new Uint8Array([0, 1, 2, 0]), cmap.slice(0, 2))).toThrow(RangeError);
    expect(() => encodePalette8(1, 1, new Uint8Array([0]), [])).toThrow(RangeError);
    expect(() => encodePalette8(1, 1, new Uint8Array([0]), vocColormap(257))).toThrow(RangeError);
  });

  it.skipIf(!HAVE_PNGCHECK)("passes pngcheck -q", () => {
    const r = pngcheck(png, "palette.png");
    expect(r?.output).toBe("");
    expect(r?.status).toBe(0);
  });
});

describe("decodePng8", () => {
  it("undoes every filter type (pngjs adaptive filtering)", () => {
    // Smooth gradients make pngjs's adaptive choice use Sub/Up/Average/Paeth rows.
    const width = 40;
    const height = 30;
    const pixels = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = (x * 7 + y * 13 + ((x * y) % 11)) & 0xff;
    const img = { width, height, data: Buffer.from(pixels) } as unknown as PNG;
    const filtered = PNG.sync.write(img, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
    expect(decodePng8(filtered).pixels).toEqual(pixels);
    for (const filterType of [0, 1, 2, 3, 4]) {
      const one = PNG.sync.write(img, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8, filterType });
      expect(decodePng8(one).pixels).toEqual(pixels);
    }
  });

  it("rejects a bad signature, a bad CRC and unsupported formats", () => {
    const png = encodeGray8(2, 2, new Uint8Array([1, 2, 3, 4]));
    expect(() => decodePng8(Buffer.from("not a png"))).toThrow(/signature/);
    const broken = Buffer.from(png);
    broken[30] = (broken[30] as number) ^ 0xff; // inside IHDR's CRC
    expect(() => decodePng8(broken)).toThrow(/CRC/);
    const rgba = PNG.sync.write({ width: 1, height: 1, data: Buffer.from([1, 2, 3, 4]) } as unknown as PNG);
    expect(() => decodePng8(rgba)).toThrow(/gray or palette/);
  });
});
