// image-header: pixel size and EXIF orientation from header bytes, on hand-built headers (every
// orientation, both byte orders, cut files) and on real files written by ffmpeg and pngjs.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { IMAGE_HEADER_BYTES, readImageInfo, readImageInfoFromFile, readImageInfoFromFileSync } from "../src/media/image-header.js";
import { tempDir } from "./helpers.js";

const dir = tempDir("ec-header-");
const HAVE_FFMPEG = spawnSync("ffmpeg", ["-version"]).status === 0;
if (!HAVE_FFMPEG && process.env.CI) throw new Error("ffmpeg is required in CI (.ci/run installs it)");

/** A TIFF structure holding one IFD0 entry: the orientation as a SHORT. */
function tiff(orientation: number, le: boolean): Buffer {
  const b = Buffer.alloc(8 + 2 + 12 + 4);
  const w16 = (v: number, o: number): number => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const w32 = (v: number, o: number): number => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  b.write(le ? "II" : "MM", 0, "latin1");
  w16(42, 2);
  w32(8, 4);
  w16(1, 8);
  w16(0x0112, 10);
  w16(3, 12);
  w32(1, 14);
  w16(orientation, 18);
  return b;
}

function segment(marker: number, body: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

/** SOI, optional segments, then a baseline frame header of w x h. */
function jpeg(w: number, h: number, before: Buffer[] = []): Buffer {
  const sof = Buffer.from([8, 0, 0, 0, 0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  sof.writeUInt16BE(h, 1);
  sof.writeUInt16BE(w, 3);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), ...before, segment(0xc0, sof), Buffer.from([0xff, 0xd9])]);
}

const exif = (o: number, le: boolean): Buffer => segment(0xe1, Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff(o, le)]));

describe("readImageInfo on hand-built headers", () => {
  it("JPEG: size from the frame header, EXIF orientation 1-8 in both byte orders, 5-8 swap the shown size", () => {
    for (const le of [true, false]) {
      for (let o = 1; o <= 8; o++) {
        const r = readImageInfo(jpeg(640, 480, [segment(0xe0, Buffer.from("JFIF\0\x01\x01\0\0\x01\0\x01\0\0", "latin1")), exif(o, le)]));
        expect(r).toEqual({
          format: "jpeg",
          width: 640,
          height: 480,
          orientation: o,
          displayWidth: o >= 5 ? 480 : 640,
          displayHeight: o >= 5 ? 640 : 480,
        });
      }
    }
  });

  it("JPEG: progressive frame header, fill bytes, an XMP APP1 that is not EXIF, no EXIF at all", () => {
    const sof2 = jpeg(33, 17).toString("latin1").replace("\xff\xc0", "\xff\xc2");
    expect(readImageInfo(Buffer.from(sof2, "latin1"))?.width).toBe(33);
    const withFill = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), jpeg(5, 7).subarray(2)]);
    expect(readImageInfo(withFill)).toMatchObject({ width: 5, height: 7, orientation: 1 });
    const xmp = segment(0xe1, Buffer.from("http://ns.adobe.com/xap/1.0/\0<x/>", "latin1"));
    expect(readImageInfo(jpeg(9, 4, [xmp]))).toMatchObject({ width: 9, height: 4, orientation: 1 });
  });

  it("JPEG: a frame header past the first 64 KiB needs the file reader", async () => {
    const icc = segment(0xe2, Buffer.alloc(65000, 7));
    const big = jpeg(1920, 1080, [exif(6, true), icc, icc]);
    expect(big.length).toBeGreaterThan(IMAGE_HEADER_BYTES);
    expect(readImageInfo(big.subarray(0, IMAGE_HEADER_BYTES))).toBeUndefined();
    const p = join(dir, "big.jpg");
    writeFileSync(p, big);
    const r = await readImageInfoFromFile(p);
    expect(r).toMatchObject({ width: 1920, height: 1080, orientation: 6, displayWidth: 1080, displayHeight: 1920 });
    expect(readImageInfoFromFileSync(p)).toEqual(r);
  });

  it("PNG: IHDR size; an eXIf chunk before IDAT gives the orientation", () => {
    const png = new PNG({ width: 3, height: 2 });
    const file = PNG.sync.write(png);
    expect(readImageInfo(file)).toEqual({ format: "png", width: 3, height: 2, orientation: 1, displayWidth: 3, displayHeight: 2 });
    // Insert an eXIf chunk right after IHDR (8 + 25 bytes); the CRC is not checked by the reader.
    const t = tiff(8, false);
    const chunk = Buffer.alloc(12 + t.length);
    chunk.writeUInt32BE(t.length, 0);
    chunk.write("eXIf", 4, "latin1");
    t.copy(chunk, 8);
    const withExif = Buffer.concat([file.subarray(0, 33), chunk, file.subarray(33)]);
    expect(readImageInfo(withExif)).toMatchObject({ width: 3, height: 2, orientation: 8, displayWidth: 2, displayHeight: 3 });
  });

  it("WebP: VP8, VP8L and VP8X (with an EXIF chunk after the image data)", () => {
    const riff = (chunks: Buffer): Buffer => {
      const head = Buffer.from("RIFF\0\0\0\0WEBP", "latin1");
      head.writeUInt32LE(chunks.length + 4, 4);
      return Buffer.concat([head, chunks]);
    };
    const chunk = (type: string, body: Buffer): Buffer => {
      const h = Buffer.alloc(8);
      h.write(type, 0, "latin1");
      h.writeUInt32LE(body.length, 4);
      return Buffer.concat([h, body, body.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
    };
    const vp8 = Buffer.alloc(10);
    vp8.set([0x9d, 0x01, 0x2a], 3);
    vp8.writeUInt16LE(321, 6);
    vp8.writeUInt16LE(123, 8);
    expect(readImageInfo(riff(chunk("VP8 ", vp8)))).toMatchObject({ format: "webp", width: 321, height: 123 });
    const vp8l = Buffer.alloc(10);
    vp8l[0] = 0x2f;
    vp8l.writeUInt32LE((1000 - 1) | ((700 - 1) << 14), 1);
    expect(readImageInfo(riff(chunk("VP8L", vp8l)))).toMatchObject({ width: 1000, height: 700 });
    const vp8x = Buffer.alloc(10);
    vp8x[0] = 0x08; // EXIF flag
    vp8x.writeUIntLE(4000 - 1, 4, 3);
    vp8x.writeUIntLE(3000 - 1, 7, 3);
    const file = riff(Buffer.concat([chunk("VP8X", vp8x), chunk("VP8 ", vp8), chunk("EXIF", tiff(6, true))]));
    expect(readImageInfo(file)).toMatchObject({ width: 4000, height: 3000, orientation: 6, displayWidth: 3000, displayHeight: 4000 });
  });

  it("BMP (core and info headers, top-down), GIF", () => {
    const bmp = Buffer.alloc(54);
    bmp.write("BM", 0, "latin1");
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(200, 18);
    bmp.writeInt32LE(-100, 22);
    expect(readImageInfo(bmp)).toMatchObject({ format: "bmp", width: 200, height: 100 });
    const core = Buffer.alloc(26);
    core.write("BM", 0, "latin1");
    core.writeUInt32LE(12, 14);
    core.writeUInt16LE(64, 18);
    core.writeUInt16LE(32, 20);
    expect(readImageInfo(core)).toMatchObject({ width: 64, height: 32 });
    const gif = Buffer.from("GIF89a\x0a\x01\x05\x00\x00\x00\x00", "latin1");
    expect(readImageInfo(gif)).toMatchObject({ format: "gif", width: 266, height: 5 });
  });

  it("not an image, cut short, or a zero size: undefined", () => {
    expect(readImageInfo(Buffer.from("<html>not an image</html>"))).toBeUndefined();
    expect(readImageInfo(Buffer.alloc(0))).toBeUndefined();
    expect(readImageInfo(jpeg(10, 10).subarray(0, 8))).toBeUndefined();
    expect(readImageInfo(jpeg(0, 10))).toBeUndefined();
    expect(readImageInfo(PNG.sync.write(new PNG({ width: 4, height: 4 })).subarray(0, 20))).toBeUndefined();
  });
});

describe.skipIf(!HAVE_FFMPEG)("readImageInfo on files written by ffmpeg", () => {
  const cases: [string, string[], string][] = [
    ["a.png", [], "png"],
    ["a.jpg", [], "jpeg"],
    ["a.webp", ["-c:v", "libwebp"], "webp"],
    ["b.webp", ["-c:v", "libwebp", "-lossless", "1"], "webp"],
    ["a.bmp", [], "bmp"],
    ["a.gif", [], "gif"],
    ["a.tiff", [], "tiff"],
  ];
  for (const [name, args, format] of cases) {
    it(`${name}: 37x23`, async () => {
      const p = join(dir, name);
      const r = spawnSync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=37x23:rate=1", "-frames:v", "1", ...args, p]);
      expect(r.status, r.stderr.toString()).toBe(0);
      expect(await readImageInfoFromFile(p)).toMatchObject({ format, width: 37, height: 23, orientation: 1 });
      expect(readImageInfo(readFileSync(p).subarray(0, IMAGE_HEADER_BYTES))).toMatchObject({ width: 37, height: 23 });
    });
  }
});
