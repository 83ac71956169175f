// Reference: pngjs's own encode speed for the mask images the masks benchmark writes: every bitmask
// of the export (1920x1080, as 0/255 grayscale) encoded N times with PNG.sync.write, with the tuned
// options (deflate level 1, Z_RLE, filter 0) and with pngjs's defaults. Only the encode is timed.
//   node bench/ref-pngjs.mjs EXPORT [masks, default 40]
import { readFileSync } from "node:fs";
import { PNG } from "pngjs";
import { decodeRleString, runsToMask } from "../dist/geometry/rle.js";

const N = Number(process.argv[3] ?? 40);
const rows = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8"));
const images = [];
for (const row of rows) {
  for (const unit of Object.values(row.data_units)) {
    for (const obj of unit.labels.objects ?? []) {
      if (!obj.bitmask || images.length >= N) continue;
      const { width, height, rleString } = obj.bitmask;
      images.push({ width, height, data: runsToMask(decodeRleString(rleString), width * height, 255) });
    }
  }
}
function rate(options) {
  const t0 = process.hrtime.bigint();
  for (const im of images) {
    const png = new PNG({ width: im.width, height: im.height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false, ...options });
    png.data = Buffer.from(im.data.buffer, im.data.byteOffset, im.data.length);
    PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, ...options });
  }
  return images.length / (Number(process.hrtime.bigint() - t0) / 1e9);
}
rate({ deflateLevel: 1, deflateStrategy: 3, filterType: 0 }); // warm up
const tuned = rate({ deflateLevel: 1, deflateStrategy: 3, filterType: 0 });
const defaults = rate({});
process.stdout.write(`${JSON.stringify({ images: images.length, width: images[0]?.width, height: images[0]?.height, tunedPerSecond: tuned, defaultPerSecond: defaults })}\n`);
