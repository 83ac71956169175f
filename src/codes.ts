// Every machine code a run report can carry, with what it means. Codes are stable: CI steps gate on
// them (--fail-on), so one is never renamed or reused for another meaning; docs/report.md lists them.
// A note's code is "<outcome>.<slug>"; an input problem's is "input.<problem code>".

export const NOTE_CODES: Readonly<Record<string, string>> = {
  // A shape the format cannot hold (the slug is the model's geometry kind).
  "skipped.box": "the format holds no boxes in this mode",
  "skipped.rotated-box": "the format holds no rotated boxes in this mode",
  "skipped.polygon": "the format holds no polygons in this mode",
  "skipped.polyline": "the format has no polyline (COCO, VOC boxes, masks, YOLO region tasks)",
  "skipped.point": "the format has no point in this mode",
  "skipped.skeleton": "the format has no skeleton in this mode",
  "skipped.mask": "the format holds no bitmask in this mode",
  // What the data itself does not allow.
  "skipped.no-size": "the item has no pixel size in the export (a PDF page, width/height 0): its objects cannot be placed",
  "skipped.no-area": "the shape has no area (or is empty) once on its frame",
  "skipped.outside": "the shape lies wholly outside its image",
  "skipped.too-small": "the shape rounds to nothing at the output precision",
  "skipped.not-finite": "coordinates are not finite numbers",
  "skipped.no-class": "the object has no class in the run's class table",
  "skipped.keypoint": "a keypoint the format cannot hold (no slot, outside the image)",
  "skipped.not-image": "a row, object or classification with no image to attach it to (audio, text, ...)",
  "skipped.too-large": "a frame or mask over --max-pixels: nothing is rasterised for it",
  "skipped.palette-full": "more classes or objects than an 8-bit PNG can index",
  "skipped.duplicate-line": "a YOLO line identical to an earlier one of the same image",
  "skipped.duplicate-row": "a label row (label_hash, data_hash, branch) read before",
  "skipped.no-raw": "the raw row was not kept, so pixel JSON has nothing to write",
  "skipped.not-converted": "pixel JSON could not convert this part of a row and left it as exported",
  "skipped.image-missing": "the item's image was not found (in --images, and no --download)",
  "skipped.image-unreadable": "the item's image could not be read or decoded (preview: PNG and JPEG only, within --max-pixels); drawn on a neutral canvas",
  // Media (--download, video frames): what an item lacks and why; docs/media.md.
  "skipped.link-expired": "the item's signed data_link has expired, so it was not requested: export again with signed URLs",
  "skipped.no-link": "no downloadable data_link (a storage path, none, or an item with no file of its own: DICOM/NIfTI slice, PDF page, data-group space)",
  "skipped.download-failed": "downloading the item's file failed (an HTTP status, a timeout, a failed connection, a short body)",
  "skipped.frame-past-end": "a label on a frame past the end of its video",
  "skipped.video-undecodable": "ffmpeg could not decode the item's video",
  // Written, but not exactly as labelled.
  "approximated.clipped": "clipped at the image border",
  "approximated.hole": "a hole the format cannot hold was filled (or written as outer rings)",
  "approximated.widened": "a one-pixel box widened to two pixels, as VOC readers need xmin < xmax",
  "approximated.moved": "a keypoint outside the image moved onto its border",
  "approximated.hidden": "painted over by a later object in a semantic mask",
  "approximated.empty-mask": "the shape covers no pixel centre: its mask is empty",
  "approximated.extent": "a shape other than a box written as the box around it",
  "approximated.text": "characters the format cannot hold replaced",
  "approximated.class-name": "a class name the format cannot hold as given, written changed (VOC)",
  "approximated.multi-part": "a shape of several parts written as one line per part (YOLO reads each as an object)",
  // Removed on purpose by an option (never lossy).
  "filtered.status": "row not selected by --status",
  "filtered.branch": "row not selected by --branch",
  "filtered.data-type": "row not selected by --data-types",
  "filtered.shape": "object not selected by --shapes",
  "filtered.class": "object of a class not in --classes, or dropped by --drop",
  "filtered.empty": "image without objects left out by --skip-empty",
  "filtered.sample": "item not in the preview's --limit sample",
  // Said once per run; lossy, so --strict fails on them.
  "warning.class-unmatched": "a class named in --classes, --drop or --map matches no object of the export",
  "warning.no-items": "the run wrote no item at all",
  "warning.size-mismatch": "an image's real size differs from the export's width and height",
  "warning.image-unreadable": "a file named as an image is no readable image (an error page saved under its name?)",
  "warning.frame-count": "a video decodes to another number of frames than the export's fps × duration (variable frame rate?)",
};

/** Problems the reader finds in the input (Problem.code), reported as "input.<code>". */
export const INPUT_CODES: readonly string[] = [
  "attribute-type-mismatch", "bad-attribute", "bad-classification", "bad-coordinates", "bad-frame", "bad-object",
  "bad-range", "bad-rle", "bad-unit", "deleted-object", "duplicate-item", "empty-shape", "html-range",
  "mask-size-mismatch", "mask-size-missing", "mask-too-large", "missing-size", "rle-short", "unanswered-classification",
  "unknown-data-type", "unknown-feature", "unknown-shape", "unsupported-shape", "unsupported-space",
];

/** Every code a report can hold, notes and input problems alike. */
export function allCodes(): string[] {
  return [...Object.keys(NOTE_CODES), ...INPUT_CODES.map((c) => `input.${c}`)].sort();
}

/** Whether a --fail-on pattern ("skipped.polyline", "approximated.*", "skipped", "input.*") matches a code. */
export function codeMatches(pattern: string, code: string): boolean {
  if (pattern === "*" || pattern === code) return true;
  const prefix = pattern.endsWith(".*") ? pattern.slice(0, -2) : pattern;
  return code.startsWith(`${prefix}.`);
}
