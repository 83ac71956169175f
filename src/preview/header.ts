// The image header reader the preview takes EXIF orientation from: the media layer's
// src/media/image-header.ts, the one reader of image headers in the project.
import { readImageInfo } from "../media/image-header.js";
import type { ImageHeaderReader } from "./load.js";

export const readImageOrientation: ImageHeaderReader = (bytes) => readImageInfo(bytes);
