// encodeGray8 writes PNG bytes itself (no pngjs pass over every pixel): its output must be byte for
// byte what pngjs writes with the options it replaced, and decode back to the same pixels.
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { decodePng8, encodeGray8, encodePalette8, vocColormap } from "../src/output/png.js";

function viaPngjs(width: number, height: number, pixels: Uint8Array): Buffer {
  const image = { width, height, data: Buffer.from(pixels) } as unknown as PNG;
  return PNG.sync.write(image, { deflateLevel: 1, deflateStrategy: 3, filterType: 0, colorType: 0, bitDepth: 8, inputColorType: 0, inputHasAlpha: false });
}

/** A deterministic pseudo-random image: runs of a few values, like masks. */
function image(width: number, height: number, seed: number): Uint8Array {
  const px = new Uint8Array(width * height);
  let s = seed;
  let v = 0;
  for (let i = 0; i < px.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    if (s % 17 === 0) v = s % 5;
    px[i] = v;
  }
  return px;
}

describe("encodeGray8", () => {
  it.each([
    [1, 1],
    [3, 2],
    [640, 480],
    [1921, 7],
    [5, 3000],
  ])("%i×%i: byte-identical to pngjs, decodes to the same pixels", (w, h) => {
    for (const seed of [1, 2]) {
      const px = image(w, h, seed);
      const png = encodeGray8(w, h, px);
      expect(png.equals(viaPngjs(w, h, px))).toBe(true);
      const back = decodePng8(png);
      expect([back.width, back.height, back.colorType]).toEqual([w, h, 0]);
      expect(Buffer.from(back.pixels).equals(Buffer.from(px))).toBe(true);
    }
  });

  it("the palette PNG built on it keeps its indices", () => {
    const px = image(33, 21, 7);
    const back = decodePng8(encodePalette8(33, 21, px, vocColormap(256)));
    expect(back.colorType).toBe(3);
    expect(Buffer.from(back.pixels).equals(Buffer.from(px))).toBe(true);
  });
});
