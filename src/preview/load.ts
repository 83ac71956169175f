// An item's image for drawing: the file the media layer placed for it (from --images, or a download),
// decoded and turned upright by its EXIF orientation (read by the media layer's header reader).
import { readFile } from "node:fs/promises";
import type { RasterImage } from "./canvas.js";
import type { DrawNote } from "./draw.js";
import { applyOrientation, decodeImage } from "./image.js";

/** The part of the media layer's image-header reader the preview uses. */
export type ImageHeaderReader = (bytes: Buffer) => { orientation: number } | undefined;

export interface ItemImage {
  image?: RasterImage;
  /** What went wrong or was changed (the image is then absent, or stretched). */
  note?: DrawNote;
}

export async function loadItemImage(path: string, maxPixels: number, readHeader: ImageHeaderReader): Promise<ItemImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    return { note: { outcome: "skipped", code: "image-unreadable", what: "image file", reason: `cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"}); drawn on a neutral canvas` } };
  }
  const decoded = decodeImage(bytes, maxPixels);
  if ("problem" in decoded) return { note: { outcome: "skipped", code: "image-unreadable", what: "image file", reason: `${decoded.problem}; drawn on a neutral canvas` } };
  const orientation = readHeader(bytes)?.orientation ?? 1;
  const image = applyOrientation(decoded.image, orientation);
  // An upright size other than the export's is drawn stretched to it; the media layer, which placed the
  // file, has already counted it (warning.size-mismatch), so it is not counted again here.
  return { image };
}
