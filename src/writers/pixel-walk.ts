// Pixel JSON's walk over one raw Encord label row: the same structure, keys and order, with every
// normalised 2-D coordinate turned into pixels of its own frame (x and w times the frame width, y
// and h times its height; Encord's docs page swaps them, the SDK's exporter and its tests do not).
// Pure: the input is never changed (untouched subtrees are shared, converted ones are new objects).
// Frame sizes follow the same rules as the reader (src/encord/normalise.ts), so the pixels here
// match the model's: the data unit's width/height; a DICOM slice's own metadata size when given; a
// data-group space's size, or a medical stack's per-frame size.

export type JsonRecord = Record<string, unknown>;

/** The frame a shape lives on: which data unit (or data-group space), which frame, its size. */
export interface FrameRef {
  dataHash: string; // the data unit's data_hash (or the space id), as the model's ItemSource has it
  frame: number;
  width: number;
  height: number;
}

/** A place in the row, for report notes. */
export interface WalkWhere {
  dataHash?: string;
  frame?: number;
  objectHash?: string;
}

export interface WalkHooks {
  /** Extra keys for a bitmask payload (bbox, area, png), appended after its own keys. */
  bitmask?(mask: JsonRecord, objectHash: string | undefined, frame: FrameRef): JsonRecord;
  /** Something left as exported (not converted to pixels), with why. */
  unconverted(code: string, what: string, reason: string, where: WalkWhere): void;
  /** False drops an object of a converted frame (one the run's filters left out). */
  keep?(objectHash: string | undefined, frame: FrameRef): boolean;
}

export interface WalkOptions {
  /** Decimals for pixel values; undefined = unrounded. */
  round?: number;
}

/** Row data types whose data units hold one flat {objects, classifications} blob each. */
const FLAT_TYPES: ReadonlySet<string> = new Set(["image", "img_group"]);
/** Row data types whose data units hold frame blobs keyed by frame number. */
const FRAME_TYPES: ReadonlySet<string> = new Set(["video", "dicom", "nifti", "pdf"]);
/** Rows with nothing in normalised coordinates: written as they are. */
const RANGE_TYPES: ReadonlySet<string> = new Set(["audio", "plain_text"]);

/** Shapes with no 2-D normalised form here (3-D, point clouds): written as exported. */
const UNCONVERTED_PAYLOADS: readonly string[] = ["cuboid", "cuboid_2d", "cuboid2d", "segmentation"];

export function isRecord(v: unknown): v is JsonRecord {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function own(rec: JsonRecord, key: string): unknown {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined;
}

/** data_sequence as a frame number: an int or a decimal string (real image groups use "0", "1"). */
function frameNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v === "string" && /^\s*\d{1,15}\s*$/.test(v)) return Number(v);
  return undefined;
}

function frameKey(k: string): number | undefined {
  return /^\d{1,15}$/.test(k) ? Number(k) : undefined;
}

/** Round to `decimals` places (half away from zero on the scaled value); never returns -0. */
export function roundTo(v: number, decimals: number | undefined): number {
  let r = v;
  if (decimals !== undefined) {
    const f = 10 ** decimals;
    r = Math.sign(v) * Math.round(Math.abs(v) * f) / f;
  }
  return r === 0 ? 0 : r;
}

/** Converts the shapes of one frame; knows the frame's size and where it is. */
class FrameConverter {
  constructor(
    private readonly frame: FrameRef,
    private readonly options: WalkOptions,
    private readonly hooks: WalkHooks,
  ) {}

  private where(objectHash?: string): WalkWhere {
    const w: WalkWhere = { dataHash: this.frame.dataHash, frame: this.frame.frame };
    if (objectHash !== undefined) w.objectHash = objectHash;
    return w;
  }

  private scale(v: unknown, size: number, objectHash: string | undefined): unknown {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      this.hooks.unconverted("not-finite", "coordinate", "is not a number; left as exported", this.where(objectHash));
      return v;
    }
    return roundTo(v * size, this.options.round);
  }

  /** A record with x/w scaled by the width and y/h by the height; other keys (theta, z, name) kept. */
  private xywh(rec: unknown, objectHash: string | undefined): unknown {
    if (!isRecord(rec)) {
      this.hooks.unconverted("not-converted", "shape payload", "is not an object; left as exported", this.where(objectHash));
      return rec;
    }
    const out: JsonRecord = {};
    for (const [k, v] of Object.entries(rec)) {
      if (k === "x" || k === "w") out[k] = this.scale(v, this.frame.width, objectHash);
      else if (k === "y" || k === "h") out[k] = this.scale(v, this.frame.height, objectHash);
      else out[k] = v;
    }
    return out;
  }

  /** Points as a dict keyed "0".."n" or a list, each {x, y, ...}. */
  private points(v: unknown, objectHash: string | undefined): unknown {
    if (Array.isArray(v)) return v.map((p) => this.xywh(p, objectHash));
    if (!isRecord(v)) {
      if (v !== null) this.hooks.unconverted("not-converted", "point list", "is neither a list nor an object; left as exported", this.where(objectHash));
      return v;
    }
    const out: JsonRecord = {};
    // A bare {x, y} (seen in hand-written point payloads) is one point, not a dict of points.
    if (own(v, "x") !== undefined && own(v, "y") !== undefined) return this.xywh(v, objectHash);
    for (const [k, p] of Object.entries(v)) out[k] = this.xywh(p, objectHash);
    return out;
  }

  /** `polygons`: polygon -> rings -> flat [x0, y0, x1, y1, ...]. */
  private polygons(v: unknown, objectHash: string | undefined): unknown {
    if (v === null) return v;
    const bad = (): unknown => {
      this.hooks.unconverted("not-converted", "polygons", "is not a list of lists of flat coordinate lists; left as exported", this.where(objectHash));
      return v;
    };
    if (!Array.isArray(v)) return bad();
    if (!v.every((poly) => Array.isArray(poly) && poly.every((ring) => Array.isArray(ring)))) return bad();
    return (v as unknown[][][]).map((poly) =>
      poly.map((ring) => ring.map((c, i) => this.scale(c, i % 2 === 0 ? this.frame.width : this.frame.height, objectHash))),
    );
  }

  object(raw: unknown): unknown {
    if (!isRecord(raw)) return raw;
    const hash = own(raw, "objectHash");
    const objectHash = typeof hash === "string" ? hash : undefined;
    const out: JsonRecord = {};
    for (const [k, v] of Object.entries(raw)) {
      switch (k) {
        case "boundingBox":
        case "bounding_box":
        case "rotatableBoundingBox": // theta is kept as it is
        case "rotatable_bounding_box":
          out[k] = this.xywh(v, objectHash);
          break;
        case "polygon":
        case "polyline":
        case "point":
        case "skeleton":
          out[k] = this.points(v, objectHash);
          break;
        case "polygons":
          out[k] = this.polygons(v, objectHash);
          break;
        case "bitmask":
          out[k] = this.bitmask(v, objectHash);
          break;
        default:
          if (UNCONVERTED_PAYLOADS.includes(k) && v !== null && v !== undefined) {
            this.hooks.unconverted("not-converted", `${k} object`, "pixel JSON converts 2-D shapes only; left as exported", this.where(objectHash));
          }
          out[k] = v;
      }
    }
    return out;
  }

  private bitmask(v: unknown, objectHash: string | undefined): unknown {
    if (!isRecord(v)) return v;
    // rleString, top, left, width and height are pixels already; only derived keys are added.
    const extra = this.hooks.bitmask?.(v, objectHash, this.frame) ?? {};
    return { ...v, ...extra };
  }

  private kept(o: unknown): boolean {
    if (!this.hooks.keep) return true;
    const hash = isRecord(o) ? own(o, "objectHash") : undefined;
    return this.hooks.keep(typeof hash === "string" && hash !== "" ? hash : undefined, this.frame);
  }

  blob(blob: JsonRecord): JsonRecord {
    const out: JsonRecord = {};
    for (const [k, v] of Object.entries(blob)) {
      out[k] = k === "objects" && Array.isArray(v) ? v.filter((o) => this.kept(o)).map((o) => this.object(o)) : v;
    }
    return out;
  }
}

/** Number of objects in a frame blob (for notes about frames that cannot be converted). */
function objectCount(blob: unknown): number {
  if (!isRecord(blob)) return 0;
  const list = own(blob, "objects");
  return Array.isArray(list) ? list.length : 0;
}

/** A data unit's own hash (its map key when absent) and its size, as every unit walker needs them. */
function unitFacts(unit: JsonRecord, key: string): { dataHash: string; w: number | undefined; h: number | undefined } {
  const dh = own(unit, "data_hash");
  return {
    dataHash: typeof dh === "string" && dh !== "" ? dh : key,
    w: positiveInt(own(unit, "width")),
    h: positiveInt(own(unit, "height")),
  };
}

export class RowWalker {
  constructor(
    private readonly options: WalkOptions,
    private readonly hooks: WalkHooks,
  ) {}

  private convertBlob(blob: unknown, frame: Omit<FrameRef, "width" | "height">, width: number | undefined, height: number | undefined, what: string): unknown {
    if (!isRecord(blob)) return blob;
    if (width === undefined || height === undefined) {
      // Counted per object, by its shape, as every writer counts objects on an item without a size.
      const list = own(blob, "objects");
      for (const o of Array.isArray(list) ? list : []) {
        const shape = isRecord(o) && typeof own(o, "shape") === "string" ? (own(o, "shape") as string) : "object";
        const objectHash = isRecord(o) && typeof own(o, "objectHash") === "string" ? (own(o, "objectHash") as string) : undefined;
        this.hooks.unconverted("no-size", shape, `its item (${what}) has no size in the export; left normalised`, {
          dataHash: frame.dataHash,
          frame: frame.frame,
          ...(objectHash !== undefined ? { objectHash } : {}),
        });
      }
      return blob;
    }
    return new FrameConverter({ ...frame, width, height }, this.options, this.hooks).blob(blob);
  }

  /** image / img_group: one flat blob per data unit, frame = data_sequence (else its position). */
  private flatUnits(units: JsonRecord, what: string): JsonRecord {
    const out: JsonRecord = {};
    let position = 0;
    for (const [key, unit] of Object.entries(units)) {
      if (!isRecord(unit)) {
        out[key] = unit;
        continue;
      }
      const { dataHash, w, h } = unitFacts(unit, key);
      const frame = frameNumber(own(unit, "data_sequence")) ?? position;
      position++;
      out[key] = this.mapKey(unit, "labels", (labels) => this.convertBlob(labels, { dataHash, frame }, w, h, what));
    }
    return out;
  }

  /** video / dicom / nifti / pdf: frame blobs keyed by frame number. */
  private frameUnits(units: JsonRecord, dataType: string): JsonRecord {
    const out: JsonRecord = {};
    for (const [key, unit] of Object.entries(units)) {
      if (!isRecord(unit)) {
        out[key] = unit;
        continue;
      }
      const { dataHash, w, h } = unitFacts(unit, key);
      out[key] = this.mapKey(unit, "labels", (labels) =>
        this.frames(labels, dataHash, (frame, blob) => {
          let fw = w;
          let fh = h;
          if (dataType === "dicom") {
            // A slice's own size wins (slices of one series can differ), as in the SDK's FrameView.
            const md = isRecord(blob) ? own(blob, "metadata") : undefined;
            const mw = isRecord(md) ? positiveInt(own(md, "width")) : undefined;
            const mh = isRecord(md) ? positiveInt(own(md, "height")) : undefined;
            if (mw !== undefined && mh !== undefined) {
              fw = mw;
              fh = mh;
            }
          }
          return [fw, fh];
        }, `${dataType} frame`),
      );
    }
    return out;
  }

  /** Frame blobs keyed "0", "1", ...; other keys are left as they are (the reader warns about them). */
  private frames(
    labels: unknown,
    dataHash: string,
    sizeOf: (frame: number, blob: unknown) => [number | undefined, number | undefined],
    what: string,
  ): unknown {
    if (!isRecord(labels)) return labels;
    const out: JsonRecord = {};
    for (const [k, blob] of Object.entries(labels)) {
      const frame = frameKey(k);
      if (frame === undefined) {
        if (objectCount(blob) > 0) this.hooks.unconverted("not-converted", what, `key ${JSON.stringify(k)} is not a frame number; left as exported`, { dataHash });
        out[k] = blob;
        continue;
      }
      const [w, h] = sizeOf(frame, blob);
      out[k] = this.convertBlob(blob, { dataHash, frame }, w, h, what);
    }
    return out;
  }

  /** Data groups: each space's frames, sized by the space (or a medical stack's frame list). */
  private spaces(spaces: JsonRecord): JsonRecord {
    const out: JsonRecord = {};
    for (const [spaceId, space] of Object.entries(spaces)) {
      if (!isRecord(space)) {
        out[spaceId] = space;
        continue;
      }
      const st = own(space, "space_type");
      const type = typeof st === "string" ? st : "";
      const frameSizes = own(space, "frames");
      out[spaceId] = this.mapKey(space, "labels", (labels) =>
        this.frames(labels, spaceId, (frame) => {
          let w: unknown = own(space, "width");
          let h: unknown = own(space, "height");
          const f = Array.isArray(frameSizes) ? frameSizes[frame] : undefined;
          if ((w === undefined || h === undefined) && isRecord(f)) {
            w = own(f, "width");
            h = own(f, "height");
          }
          return [positiveInt(w), positiveInt(h)];
        }, `${type || "data group"} space frame`),
      );
    }
    return out;
  }

  /** A copy of `rec` with `key`'s value replaced by fn(value), in the same key order. */
  private mapKey(rec: JsonRecord, key: string, fn: (v: unknown) => unknown): JsonRecord {
    if (!Object.hasOwn(rec, key)) return rec;
    const out: JsonRecord = {};
    for (const [k, v] of Object.entries(rec)) out[k] = k === key ? fn(v) : v;
    return out;
  }

  /**
   * One entry of a frame-keyed data unit's labels, converted as row() converts it in place: for a
   * huge row that comes frame by frame (see pixel-parts.ts). `unit` is the unit without its labels.
   */
  frameEntry(dataType: string, unitKey: string, unit: JsonRecord, key: string, blob: unknown): unknown {
    const out = this.frameUnits({ [unitKey]: { ...unit, labels: { [key]: blob } } }, dataType)[unitKey];
    const labels = isRecord(out) ? own(out, "labels") : undefined;
    return isRecord(labels) ? own(labels, key) : blob;
  }

  /** The row in pixels. Rows of other types (audio, text, unknown) come back as they are. */
  row(raw: unknown): unknown {
    if (!isRecord(raw)) return raw;
    const dt = own(raw, "data_type");
    const dataType = typeof dt === "string" ? dt : "";
    const out: JsonRecord = {};
    for (const [k, v] of Object.entries(raw)) {
      if (k === "data_units" && isRecord(v)) {
        if (FLAT_TYPES.has(dataType)) out[k] = this.flatUnits(v, `${dataType} data unit`);
        else if (FRAME_TYPES.has(dataType)) out[k] = this.frameUnits(v, dataType);
        else if (dataType === "group") out[k] = this.flatUnits(v, "data group unit");
        else {
          if (!RANGE_TYPES.has(dataType) && hasFrameObjects(v)) {
            this.hooks.unconverted("not-converted", `${dataType || "unknown"} row`, `data_type ${JSON.stringify(dataType)} is not an image-like type; left as exported`, {});
          }
          out[k] = v;
        }
      } else if (k === "spaces" && isRecord(v) && dataType === "group") {
        out[k] = this.spaces(v);
      } else {
        out[k] = v;
      }
    }
    return out;
  }
}

/** True when some data unit holds objects (flat or in frames): worth a note when not converted. */
function hasFrameObjects(units: JsonRecord): boolean {
  for (const unit of Object.values(units)) {
    if (!isRecord(unit)) continue;
    const labels = own(unit, "labels");
    if (!isRecord(labels)) continue;
    if (objectCount(labels) > 0) return true;
    for (const blob of Object.values(labels)) if (objectCount(blob) > 0) return true;
  }
  return false;
}

/**
 * Serialise a JSON value exactly as JSON.stringify(value) would, but in pieces: objects and arrays
 * down to `splitDepth` levels are opened here, so no single string holds more than one deeper
 * subtree (a frame of a long video) and a huge row never needs one giant string.
 */
export function emitJson(value: unknown, out: (piece: string) => void, splitDepth = 4): void {
  if (splitDepth <= 0 || value === null || typeof value !== "object") {
    out(JSON.stringify(value) ?? "null");
    return;
  }
  if (Array.isArray(value)) {
    out("[");
    value.forEach((v, i) => {
      if (i > 0) out(",");
      if (v === undefined || typeof v === "function") out("null");
      else emitJson(v, out, splitDepth - 1);
    });
    out("]");
    return;
  }
  out("{");
  let first = true;
  for (const [k, v] of Object.entries(value as JsonRecord)) {
    if (v === undefined || typeof v === "function") continue;
    out(first ? `${JSON.stringify(k)}:` : `,${JSON.stringify(k)}:`);
    first = false;
    emitJson(v, out, splitDepth - 1);
  }
  out("}");
}
