// One line per output format. A new format is one file in writers/ plus one line here.
import type { FormatName } from "../options.js";
import type { OutputKind } from "../output/atomic.js";
import type { MediaMode } from "../media/sink.js";
import type { Writer, WriterFactory } from "./writer.js";
import { createVocWriter } from "./voc.js";
import { createCocoWriter } from "./coco.js";
import { createMasksWriter } from "./masks.js";
import { createPixelJsonWriter } from "./pixel-json.js";
import { createYoloWriter } from "./yolo.js";
import { createPreviewWriter } from "./preview.js";
import { readImageOrientation } from "../preview/header.js";

// stdout: the writer can write its one file to standard output (-o -); the others need a folder.
// media: how --images files are put into the output when --media is not given (preview only reads them).
const WRITERS: Partial<Record<FormatName, { create: WriterFactory; output: OutputKind; stdout?: true; media?: MediaMode }>> = {
  coco: { create: createCocoWriter, output: "dir", stdout: true },
  voc: { create: createVocWriter, output: "dir" },
  pixel: { create: createPixelJsonWriter, output: "file", stdout: true },
  masks: { create: createMasksWriter, output: "dir" },
  yolo: { create: createYoloWriter, output: "dir" },
  preview: { create: () => createPreviewWriter(readImageOrientation), output: "dir", media: "link" },
};

export function availableFormats(): FormatName[] {
  return Object.keys(WRITERS) as FormatName[];
}

export function createWriter(format: FormatName): Writer {
  const entry = WRITERS[format];
  if (!entry) throw new Error(`format ${format} is not available yet`);
  return entry.create();
}

/** True when the format can be written to standard output with -o -. */
export function writerCanStream(format: FormatName): boolean {
  return WRITERS[format]?.stdout === true;
}

/** How the format takes --images files when --media is not given: copies, or links for a writer that only reads them. */
export function writerMediaMode(format: FormatName): MediaMode {
  return WRITERS[format]?.media ?? "copy";
}

export function writerOutputKind(format: FormatName): OutputKind {
  return WRITERS[format]?.output ?? "dir";
}
