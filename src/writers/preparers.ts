// Which formats have per-object pieces a parsing worker can make (writers/prepared.ts). The worker
// builds the preparer from the format's name and options, as the writer does in open().
import type { FormatOptions } from "../options.js";
import { cocoPreparer } from "./coco.js";
import type { ObjectPreparer } from "./prepared.js";
import { vocPreparer } from "./voc.js";
import { yoloPreparer } from "./yolo.js";

/** What a worker needs to make a format's pieces (plain data: it crosses to the worker). */
export interface PrepareSpec {
  format: string;
  options: FormatOptions;
  maxPixels: number;
  /** The writer reads an object's geometry even when its text was made (VOC's segmentation PNGs). */
  keepGeometry?: boolean;
}

export function objectPreparer(spec: PrepareSpec): ObjectPreparer | undefined {
  switch (spec.format) {
    case "coco":
      return cocoPreparer(spec.options, spec.maxPixels);
    case "yolo":
      return yoloPreparer(spec.options);
    case "voc":
      return vocPreparer(spec.options);
    default:
      return undefined;
  }
}
