// The internal model: what the Encord reader produces and every writer consumes.
// Writers see only this module, geometry/ and output/; they never see Encord's JSON.
// All coordinates are pixels of the item's own frame, origin top-left, y down.

/** Where something is in the input, for error messages and the report. */
export interface Location {
  row: number; // 0-based index of the label row in the export
  dataHash?: string;
  objectHash?: string;
  classificationHash?: string;
  frame?: number;
}

export type Visibility = 0 | 1 | 2; // COCO: 0 not labelled, 1 labelled but hidden, 2 visible

export interface SkeletonPoint {
  x: number;
  y: number;
  visibility: Visibility;
  name?: string;
  featureHash?: string;
}

/** Encord's rleString decoded: run lengths over the ROW-major flattening, zeros first. */
export interface MaskRuns {
  width: number; // the mask's own size (normally the frame size)
  height: number;
  left: number; // where the mask sits in the frame (0,0 in every export seen)
  top: number;
  counts: Uint32Array;
}

export type Geometry =
  | { kind: "box"; x: number; y: number; w: number; h: number }
  // x,y,w,h: the un-rotated box; rotated clockwise on screen by `degrees` about its centre.
  | { kind: "rotated-box"; x: number; y: number; w: number; h: number; degrees: number }
  // polygon -> rings -> flat [x0,y0,x1,y1,...]; ring 0 is the outer boundary, the rest holes.
  | { kind: "polygon"; polygons: number[][][] }
  | { kind: "polyline"; points: number[] }
  | { kind: "point"; x: number; y: number }
  | { kind: "skeleton"; points: SkeletonPoint[] }
  | { kind: "mask"; mask: MaskRuns };

export type GeometryKind = Geometry["kind"];

/** One option of a radio or checklist answer. */
export interface AnswerOption {
  featureHash: string;
  name: string; // the option label (from the ontology when given)
  value: string;
}

/** An answered attribute of an object or a classification. */
export interface Attribute {
  featureHash: string; // the attribute's featureNodeHash
  name: string;
  type: "text" | "numeric" | "radio" | "checklist" | "unknown";
  value: string | number | AnswerOption[];
  dynamic: boolean; // from object_actions (value at this frame)
}

export interface Classification {
  classificationHash: string;
  featureHash: string;
  name: string;
  attributes: Attribute[];
  global: boolean; // whole asset rather than this frame
  confidence: number;
  manual: boolean;
}

export interface LabeledObject {
  objectHash: string; // instance / track id
  featureHash: string; // ontology object id: the category key
  name: string;
  color?: string;
  shape: string; // Encord's shape name, as written in the export
  geometry: Geometry;
  attributes: Attribute[]; // static answers plus dynamic answers at this frame
  confidence: number;
  manual: boolean;
  /** 0-based index in the run's shared class order; set by the pipeline, never by the reader. */
  category: number;
}

export type MediaKind = "image" | "group-image" | "sequence-frame" | "video-frame" | "dicom-slice" | "nifti-slice" | "pdf-page" | "space";

export interface ItemSource {
  row: number;
  labelHash: string;
  dataHash: string; // the data unit's own hash (or the space id for data groups)
  rowDataHash: string; // the label row's data_hash
  dataTitle: string; // the data unit's title (or the space's file name)
  rowTitle: string; // the label row's data_title
  dataType: string; // the row's data_type (image, video, ...)
  media: MediaKind;
  frame: number; // 0 for single images; data_sequence for groups; frame/slice/page index otherwise
  /** The data unit's data_link as exported (a signed URL, a storage path...): the media layer decides what it can fetch. */
  dataLink?: string;
  /** A video unit's data_fps and data_duration (seconds), to check the decoded frame count against. */
  dataFps?: number;
  dataDuration?: number;
}

/** One image-like unit: an image, a group member, a labelled video frame, a DICOM slice. */
export interface Item {
  key: string; // unique and stable: dataHash, or dataHash + ":" + frame
  /** Sanitised stem, unique within the run (set by the pipeline); file names are stem + ext. */
  stem: string;
  ext: string; // extension of the media file, with the dot (".jpg")
  /** Suggested stem from titles, before sanitising and de-duplication (set by the reader). */
  nameHint: string;
  /**
   * What must end the stem whatever happens to the hint (a frame's "_000042"): kept whole when a long
   * title is cut, and after any collision suffix, so frame files stay paired with their frames.
   */
  nameSuffix?: string;
  width: number;
  height: number;
  source: ItemSource;
  objects: LabeledObject[];
  classifications: Classification[];
  split?: string; // set by the pipeline when --split is given
}

/** An object that lives on a time or character range (audio, text): no pixels. */
export interface RangeObject {
  objectHash: string;
  featureHash: string;
  name: string;
  shape: string; // "audio" | "text" | ...
  ranges: [number, number][];
  attributes: Attribute[];
}

export interface RowMeta {
  index: number;
  labelHash: string;
  dataHash: string;
  dataTitle: string;
  dataType: string;
  labelStatus: string;
  branchName: string;
  datasetHash: string;
  datasetTitle: string;
}

export type Severity = "error" | "warning";

export interface Problem {
  severity: Severity;
  code: string; // stable machine-readable code, e.g. "bad-rle", "unknown-shape"
  message: string;
  where: Location;
}

/** One label row after normalisation: its items in frame order, plus what has no pixels. */
export interface NormalisedRow {
  meta: RowMeta;
  items: Item[];
  rangeObjects: RangeObject[];
  rowClassifications: Classification[]; // global classifications of the row (also copied onto items)
  problems: Problem[];
  /** The raw label row as parsed, for writers that keep Encord's structure (pixel JSON). */
  raw?: unknown;
  /** A huge row is delivered in parts (a frame at a time); 0 for an ordinary row. */
  part: number;
  lastPart: boolean;
  /**
   * A huge row in parts with its raw row kept: on part 0, the keys of the data units whose `labels`
   * are left empty in `raw`; their entries come, in order, in the parts' `rawFrames`.
   */
  rawUnits?: string[];
  rawFrames?: RawFrame[];
}

/** One entry of a data unit's `labels` (a frame blob) of a huge row, as exported. */
export interface RawFrame {
  unit: string; // the data unit's key in data_units
  key: string; // the entry's key in labels ("0", "1", ...)
  value: unknown;
}

export interface Category {
  index: number; // 0-based position in the shared order
  key: string; // featureHash
  name: string;
  shape: string;
  color?: string;
  keypoints?: string[]; // skeleton keypoint names, in template order
  skeleton?: [number, number][]; // edges as 0-based keypoint index pairs
}

/** A class before it has a place in the run's order: from an ontology or first appearance. */
export type CategorySeed = Omit<Category, "index">;

/** Thrown for bad input the run cannot continue past; carries the place. */
export class InputError extends Error {
  constructor(
    message: string,
    public readonly where?: Location,
  ) {
    super(message);
    this.name = "InputError";
  }
}

/** Format a location the way every message names a place. */
export function describeLocation(where: Location | undefined): string {
  if (!where) return "";
  const parts = [`row ${where.row}`];
  if (where.dataHash) parts.push(`data ${where.dataHash}`);
  if (where.frame !== undefined) parts.push(`frame ${where.frame}`);
  if (where.objectHash) parts.push(`object ${where.objectHash}`);
  if (where.classificationHash) parts.push(`classification ${where.classificationHash}`);
  return parts.join(", ");
}

/** Thrown for a bad option value or combination (exit 2): nothing was read or written yet. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
