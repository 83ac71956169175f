// Name hints and file extensions from Encord titles. Sanitising and de-duplication are the
// pipeline's job; these only strip or pick extensions.

const IMAGE_EXTS: ReadonlySet<string> = new Set([
  "jpg", "jpeg", "jpe", "jfif", "png", "bmp", "gif", "tif", "tiff", "webp", "jp2", "j2k", "avif", "heic", "heif", "pgm", "ppm", "pbm",
]);

const MIME_EXTS: ReadonlyMap<string, string> = new Map([
  ["image/jpeg", ".jpg"],
  ["image/jpg", ".jpg"],
  ["image/png", ".png"],
  ["image/bmp", ".bmp"],
  ["image/gif", ".gif"],
  ["image/tiff", ".tiff"],
  ["image/webp", ".webp"],
  ["image/avif", ".avif"],
]);

// An extension starts with a letter, so "13.04.59" or a DICOM UID keeps its dots.
const EXT = /\.([A-Za-z][A-Za-z0-9]{0,4})$/;
const COMPRESSED: ReadonlySet<string> = new Set(["gz", "bz2", "xz", "zst", "zip"]);

/** The title without its extension ("scan.nii.gz" -> "scan", "a.b.png" -> "a.b"). */
export function titleStem(title: string): string {
  let m = EXT.exec(title);
  if (!m) return title;
  let stem = title.slice(0, m.index);
  if (COMPRESSED.has((m[1] ?? "").toLowerCase())) {
    m = EXT.exec(stem);
    if (m) stem = stem.slice(0, m.index);
  }
  return stem === "" ? title : stem;
}

/** The title's extension when it is an image one ("photo.PNG" -> ".PNG"), else from the MIME type, else ".jpg". */
export function imageExt(title: string, mime?: string): string {
  const m = EXT.exec(title);
  if (m && IMAGE_EXTS.has((m[1] ?? "").toLowerCase())) return `.${m[1]}`;
  return (mime !== undefined ? MIME_EXTS.get(mime.toLowerCase()) : undefined) ?? ".jpg";
}

/** "_<frame, 6 digits>": what a frame of a multi-frame asset adds to its title stem. */
export function frameSuffix(frame: number): string {
  return `_${String(frame).padStart(6, "0")}`;
}
