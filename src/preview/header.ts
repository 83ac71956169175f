// The image header reader the preview takes EXIF orientation from. The media layer's
// src/media/image-header.ts (readImageInfo) is the one reader of image headers in the project; until it
// is on this branch, no orientation is read (every image is drawn as stored).
import type { ImageHeaderReader } from "./load.js";

export const readImageOrientation: ImageHeaderReader = () => undefined;
