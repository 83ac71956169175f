// Pixel JSON: the export itself, row by row, with every normalised coordinate in pixels (see
// pixel-walk.ts and docs/pixel.md). A JSON array (one row per line) or, with --jsonl, one row per
// line and nothing else. Bitmasks keep their rleString and gain their pixel `bbox` and `area`; with
// --masks-dir each is also written as a frame-sized 0/255 PNG whose path goes into `png`.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { geometryExtent } from "../geometry/shapes.js";
import { paintRunsRows } from "../geometry/raster.js";
import { runsArea } from "../geometry/rle.js";
import { decodeRleRuns } from "../geometry/rle-codec.js";
import type { Item, LabeledObject, MaskRuns, NormalisedRow } from "../model.js";
import { DEFAULT_MAX_PIXELS } from "../options.js";
import { AtomicOutput, OutputExistsError } from "../output/atomic.js";
import { BufferedFile } from "../output/files.js";
import { UniqueNames } from "../output/names.js";
import { GrayRows } from "../output/png.js";
import { frameOverLimit, objectMaskPath } from "./common.js";
import { emitJson, isRecord, RowWalker, type FrameRef, type JsonRecord, type WalkWhere } from "./pixel-walk.js";
import { PartedRow } from "./pixel-parts.js";
import type { Writer, WriterContext } from "./writer.js";

/** The shard log of written rows (output/shard-sidecar.ts): [row]. */
export const PIXEL_STREAM = "rows";

/** Where text goes: a file (BufferedFile) or a stream (stdout), written in large pieces. */
interface TextSink {
  write(text: string): void;
  /** Hand buffered text on when enough has gathered (stdout: waits for the reader to keep up). */
  maybeFlush(): Promise<void>;
  close(): Promise<void>;
}

class FileSink implements TextSink {
  private readonly file: BufferedFile;
  constructor(path: string) {
    this.file = new BufferedFile(path);
  }
  write(text: string): void {
    this.file.write(text);
  }
  async maybeFlush(): Promise<void> {
    // BufferedFile flushes itself at 1 MiB.
  }
  async close(): Promise<void> {
    this.file.close();
  }
}

const STREAM_FLUSH_AT = 64 * 1024;

/** A writable stream with backpressure; a stream error (EPIPE) surfaces at the next write. */
class StreamSink implements TextSink {
  private parts: string[] = [];
  private pending = 0;
  private error: Error | undefined;
  private readonly onError = (e: Error): void => {
    this.error ??= e;
  };

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on("error", this.onError);
  }

  write(text: string): void {
    this.parts.push(text);
    this.pending += text.length;
  }

  async maybeFlush(): Promise<void> {
    if (this.pending >= STREAM_FLUSH_AT) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.error) throw this.error;
    if (this.parts.length === 0) return;
    const text = this.parts.join("");
    this.parts = [];
    this.pending = 0;
    if (!this.stream.write(text)) {
      await new Promise<void>((resolveDrain, reject) => {
        const done = (): void => {
          this.stream.off("drain", done);
          this.stream.off("error", fail);
          resolveDrain();
        };
        const fail = (e: Error): void => {
          this.stream.off("drain", done);
          this.stream.off("error", fail);
          reject(e);
        };
        this.stream.on("drain", done);
        this.stream.on("error", fail);
      });
    }
  }

  async close(): Promise<void> {
    await this.flush();
    // Wait until the stream has taken the last piece, so nothing is lost when the process exits.
    await new Promise<void>((res) => this.stream.write("", () => res()));
    this.stream.off("error", this.onError);
    if (this.error) throw this.error;
  }
}

/** One item of the current row, found by data hash and frame, with its objects by hash. */
interface ItemEntry {
  item: Item;
  objects: Map<string, LabeledObject>;
  names: UniqueNames;
}

function itemKey(dataHash: string, frame: number): string {
  return `${dataHash}\u0000${frame}`;
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined;
}

/**
 * A bitmask the model does not hold (an object left out by --shapes/--classes/--drop, or one the
 * reader skipped): decoded from its own payload, as the reader would, or an error message.
 */
export function decodeBitmaskPayload(mask: JsonRecord, frame: FrameRef, maxPixels = DEFAULT_MAX_PIXELS): MaskRuns | string {
  const rle = mask.rleString;
  if (typeof rle !== "string") return "rleString is not a string";
  const width = positiveInt(mask.width) ?? frame.width;
  const height = positiveInt(mask.height) ?? frame.height;
  const left = typeof mask.left === "number" && Number.isFinite(mask.left) ? mask.left : 0;
  const top = typeof mask.top === "number" && Number.isFinite(mask.top) ? mask.top : 0;
  if (width * height > maxPixels) return `${width}x${height} = ${width * height} pixels is over the limit of ${maxPixels} (--max-pixels)`;
  try {
    const { counts } = decodeRleRuns(rle, width * height);
    return { width, height, left, top, counts };
  } catch (e) {
    return (e as Error).message;
  }
}

/** A path relative to `base`, with forward slashes on every platform. */
function portableRelative(base: string, path: string): string {
  return relative(base, path).split(sep).join("/");
}

export class PixelJsonWriter implements Writer {
  readonly name = "pixel";
  readonly needsRaw = true;
  private ctx!: WriterContext;
  private sink!: TextSink;
  private walker!: RowWalker;
  private rowsWritten = 0;
  private masks: AtomicOutput | undefined;
  private pngBase = "";
  private readonly items = new Map<string, ItemEntry>();
  private readonly madeDirs = new Set<string>();
  private readonly gray = new GrayRows();
  private currentRow = 0;
  /** A huge row being written part by part. */
  private parted: PartedRow | undefined;
  /** Objects of the current row the reader reported a problem with: data hash, frame, object hash. */
  private readonly troubled = new Set<string>();

  async open(ctx: WriterContext): Promise<void> {
    this.ctx = ctx;
    const o = ctx.options;
    if (o.masksDir !== undefined) {
      try {
        this.masks = AtomicOutput.prepare(resolve(o.masksDir), "dir", ctx.force ?? false);
      } catch (e) {
        // Until the pipeline passes --force on (ctx.force), saying "use --force" would mislead.
        if (e instanceof OutputExistsError && ctx.force === undefined) {
          throw new OutputExistsError(`--masks-dir ${o.masksDir} already exists and is not empty; remove it or choose another folder`);
        }
        throw e;
      }
      // `png` paths are relative to the JSON file's folder (stdout: the current folder).
      this.pngBase = ctx.stdout ? process.cwd() : dirname(resolve(ctx.outDir));
    }
    this.sink = ctx.stdout ? new StreamSink(ctx.stdout) : new FileSink(ctx.outDir);
    this.walker = new RowWalker(o.round !== undefined ? { round: o.round } : {}, {
      bitmask: (mask, objectHash, frame) => this.bitmaskExtra(mask, objectHash, frame),
      unconverted: (code, what, reason, where) => this.unconverted(code, what, reason, where),
      keep: (objectHash, frame) => this.keep(objectHash, frame),
    });
    if (!o.jsonl) this.sink.write("[");
  }

  private location(where: WalkWhere): { row: number; dataHash?: string; frame?: number; objectHash?: string } {
    return { row: this.currentRow, ...where };
  }

  private unconverted(code: string, what: string, reason: string, where: WalkWhere): void {
    this.ctx.report.skip(code, what, reason, this.location(where));
  }

  /**
   * Objects the run's filters (--shapes, --classes, --drop) left out are left out here too. An object
   * is kept when the model holds it, when the reader reported a problem with it (it is written as
   * exported, and the problem is in the report), or when it cannot be told apart (no objectHash, or
   * a frame the reader kept no item for).
   */
  private keep(objectHash: string | undefined, frame: FrameRef): boolean {
    if (objectHash === undefined) return true;
    const entry = this.items.get(itemKey(frame.dataHash, frame.frame));
    if (!entry) return true;
    return entry.objects.has(objectHash) || this.troubled.has(`${itemKey(frame.dataHash, frame.frame)}\u0000${objectHash}`);
  }

  private bitmaskExtra(mask: JsonRecord, objectHash: string | undefined, frame: FrameRef): JsonRecord {
    const entry = this.items.get(itemKey(frame.dataHash, frame.frame));
    const obj = objectHash !== undefined ? entry?.objects.get(objectHash) : undefined;
    // The reader's decoded runs when it has the object; the payload itself otherwise.
    const runs: MaskRuns | string = obj?.geometry.kind === "mask" ? obj.geometry.mask : decodeBitmaskPayload(mask, frame, this.ctx.maxPixels);
    if (typeof runs === "string") {
      this.unconverted("not-converted", "bitmask bbox/area", `rleString does not decode (${runs}); the bitmask is written without them`, {
        dataHash: frame.dataHash,
        frame: frame.frame,
        ...(objectHash !== undefined ? { objectHash } : {}),
      });
      return {};
    }
    const box = geometryExtent({ kind: "mask", mask: runs });
    const extra: JsonRecord = { bbox: box ? [box.x, box.y, box.w, box.h] : null, area: runsArea(runs.counts) };
    if (this.masks) {
      if (!entry) {
        this.unconverted("not-converted", "bitmask PNG", "its frame is not an image the reader kept; no PNG written", { dataHash: frame.dataHash, frame: frame.frame });
      } else {
        const png = this.writePng(entry, objectHash ?? "object", runs);
        if (png !== undefined) extra.png = png;
      }
    }
    return extra;
  }

  /** Write the mask as a frame-sized 0/255 PNG; returns its path relative to the JSON's folder. */
  private writePng(entry: ItemEntry, objectHash: string, runs: MaskRuns): string | undefined {
    const masks = this.masks as AtomicOutput;
    const { width, height } = entry.item;
    const over = frameOverLimit(width, height, this.ctx.maxPixels);
    if (over) {
      this.unconverted(over.startsWith("the frame has no size") ? "no-size" : "too-large", "bitmask PNG", `${over}; no PNG written`, { dataHash: entry.item.source.dataHash, frame: entry.item.source.frame, objectHash });
      return undefined;
    }
    const rel = objectMaskPath(entry.item, objectHash, entry.names);
    // Painted straight into the PNG's rows (no frame buffer to clear and copy per mask).
    this.gray.reset(width, height);
    const painted = paintRunsRows(this.gray, runs, width, height, 255);
    if (painted < runsArea(runs.counts)) {
      this.ctx.report.approximate("clipped", "bitmask PNG", "bitmask reaches outside its frame; clipped to the frame", this.location({ dataHash: entry.item.source.dataHash, frame: entry.item.source.frame, objectHash }));
    }
    const path = join(masks.tempPath, rel);
    const dir = dirname(path);
    if (!this.madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    writeFileSync(path, this.gray.encode());
    return portableRelative(this.pngBase, join(masks.finalPath, rel));
  }

  async write(row: NormalisedRow): Promise<void> {
    this.currentRow = row.meta.index;
    if (row.raw === undefined && row.rawFrames === undefined) {
      if (row.part === 0) this.ctx.report.skip("no-raw", "row", "the raw row was not kept by the reader; nothing written", { row: row.meta.index });
      return;
    }
    this.items.clear();
    this.madeDirs.clear();
    this.troubled.clear();
    for (const p of row.problems) {
      const w = p.where;
      if (w.objectHash !== undefined && w.dataHash !== undefined && w.frame !== undefined) {
        this.troubled.add(`${itemKey(w.dataHash, w.frame)}\u0000${w.objectHash}`);
      }
    }
    for (const item of row.items) {
      const objects = new Map<string, LabeledObject>();
      for (const o of item.objects) {
        if (!objects.has(o.objectHash)) objects.set(o.objectHash, o);
        this.ctx.report.wroteObject(this.ctx.categories.list()[o.category]?.name ?? o.name);
      }
      this.items.set(itemKey(item.source.dataHash, item.source.frame), { item, objects, names: new UniqueNames() });
    }
    const jsonl = this.ctx.options.jsonl === true;
    const out = (piece: string): void => this.sink.write(piece);
    if (row.part === 0 && !jsonl) this.sink.write(this.rowsWritten === 0 ? "\n" : ",\n");
    if (row.rawFrames === undefined) {
      emitJson(this.walker.row(row.raw), out);
    } else {
      // A huge row in parts: the same text, written as its frames arrive.
      if (row.part === 0) {
        this.parted = new PartedRow(this.walker, out);
        this.parted.begin(isRecord(row.raw) ? row.raw : {}, row.rawUnits ?? []);
      }
      this.parted?.frames(row.rawFrames);
      if (row.lastPart) this.parted?.end();
    }
    if (row.lastPart) {
      this.parted = undefined;
      if (jsonl) this.sink.write("\n");
      this.rowsWritten++;
      this.ctx.shard?.element(PIXEL_STREAM, row.meta.index);
    }
    this.items.clear();
    await this.sink.maybeFlush();
  }

  async close(): Promise<void> {
    if (!this.ctx.options.jsonl) this.sink.write(this.rowsWritten === 0 ? "]\n" : "\n]\n");
    await this.sink.close();
    if (this.masks) {
      // The PNGs stand or fall with the JSON: a --strict run that skipped anything keeps neither.
      if (this.ctx.strict === true && this.ctx.report.lossy) this.masks.abort();
      else this.masks.commit();
    }
  }

  /** A failed run keeps no PNGs either. */
  abort(): void {
    this.masks?.abort();
  }
}

export function createPixelJsonWriter(): Writer {
  return new PixelJsonWriter();
}
