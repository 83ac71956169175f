// Ultralytics YOLO dataset: labels/<split>/<stem>.txt per item (empty for background images),
// images/<split>/ (media placed there when the run has images), data.yaml and classes.txt at close.
// Line rules per task live in yolo-lines.ts; the dataset files in yolo-dataset.ts; docs/yolo.md.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError, type Geometry, type Item, type NormalisedRow } from "../model.js";
import { DEFAULT_SPLIT, objectLocation, reportNonSpatial, skipUnsized, splitOf, uniqueClassNames } from "./common.js";
import type { Writer, WriterContext } from "./writer.js";
import type { FormatOptions } from "../options.js";
import { preparedOf, type ObjectPreparer } from "./prepared.js";
import { FileWrites } from "../output/files.js";
import { classesTxt, classKeypointCount, dataYaml, poseLayout, yoloClassName } from "./yolo-dataset.js";
import {
  MAX_PRECISION,
  missingKeypoint,
  objectLines,
  quantizer,
  YOLO_TASKS,
  type ObjectLines,
  type PoseShape,
  type Quantizer,
  type YoloTask,
} from "./yolo-lines.js";

export const DEFAULT_PRECISION = 6;

/**
 * An object's label lines without their class number, made where the row was parsed: each line
 * after the class ("0 ..." cut to " ..."), joined by "\n". Pose lines depend on the class's keypoint
 * count, so pose (and options open() would refuse) have no pieces.
 */
export function yoloPreparer(options: FormatOptions): ObjectPreparer | undefined {
  const task = options.task ?? "detect";
  const precision = options.precision ?? DEFAULT_PRECISION;
  if (task === "pose" || !YOLO_TASKS.includes(task)) return undefined;
  if (!Number.isInteger(precision) || precision < 0 || precision > MAX_PRECISION) return undefined;
  const q = quantizer(precision);
  const none: PoseShape = { classPoints: 0, rowPoints: 0 };
  return (obj, item) => {
    const out = objectLines(task, 0, obj.geometry, item, q, none);
    if (out.lines.length === 0) return { notes: out.notes };
    return { notes: out.notes, text: out.lines.map((l) => l.slice(1)).join("\n") };
  };
}

export class YoloWriter implements Writer {
  readonly name = "yolo";
  private ctx!: WriterContext;
  private task: YoloTask = "detect";
  private q: Quantizer = quantizer(DEFAULT_PRECISION);
  private readonly splits = new Set<string>();
  /** The splits that received a label file (before close's fallback to "train"). */
  private received: string[] = [];
  /** Pose: keypoints per row so far, and the fewest any written row holds (padded at close). */
  private rowPoints = 0;
  private narrowest = Infinity;
  private prepare: ObjectPreparer | undefined;
  /** Label files, written a few at a time through the libuv pool. */
  private readonly files = new FileWrites();

  async open(ctx: WriterContext): Promise<void> {
    this.ctx = ctx;
    const task = ctx.options.task ?? "detect";
    if (!YOLO_TASKS.includes(task)) throw new InputError(`YOLO task must be one of ${YOLO_TASKS.join(", ")}, got ${String(task)}`);
    this.task = task;
    const precision = ctx.options.precision ?? DEFAULT_PRECISION;
    if (!Number.isInteger(precision) || precision < 0 || precision > MAX_PRECISION) {
      throw new InputError(`YOLO precision must be a whole number of decimals from 0 to ${MAX_PRECISION}, got ${precision}`);
    }
    this.q = quantizer(precision);
    this.prepare = yoloPreparer(ctx.options);
    // With an ontology the classes (and most templates) are known now; more may come with the rows.
    for (const c of ctx.categories.list()) this.rowPoints = Math.max(this.rowPoints, classKeypointCount(c));
    mkdirSync(join(ctx.outDir, "labels"), { recursive: true });
  }

  async write(row: NormalisedRow): Promise<void> {
    reportNonSpatial(row, this.ctx.report, "YOLO");
    for (const item of row.items) await this.writeItem(item);
  }

  private async writeItem(item: Item): Promise<void> {
    const { report, options } = this.ctx;
    // Nothing can be normalised without the item's width and height.
    if (skipUnsized(item, report)) return;
    const lines: string[] = [];
    const seen = new Set<string>();
    for (const obj of item.objects) {
      const cat = this.ctx.categories.list()[obj.category];
      const pose = this.poseShape(cat ? classKeypointCount(cat) : 0, obj.geometry);
      const prepared = this.prepare ? preparedOf(obj, item, this.prepare) : undefined;
      const out = prepared ? withClass(prepared.text, prepared.notes, obj.category) : objectLines(this.task, obj.category, obj.geometry, item, this.q, pose);
      const where = objectLocation(item, obj);
      for (const n of out.notes) report.add(n, where);
      let wrote = false;
      for (const line of out.lines) {
        if (seen.has(line)) {
          report.skip("duplicate-line", "duplicate line", "identical to an earlier line of the same image (Ultralytics drops duplicates)", where);
          continue;
        }
        seen.add(line);
        lines.push(line);
        wrote = true;
      }
      if (wrote) {
        report.wroteObject(cat?.name ?? obj.name);
        if (this.task === "pose") this.narrowest = Math.min(this.narrowest, pose.rowPoints);
      }
    }
    if (lines.length === 0 && options.skipEmpty) {
      report.filter("empty", "image without label lines", "left out by --skip-empty", { row: item.source.row, dataHash: item.source.dataHash, frame: item.source.frame });
      return;
    }
    const split = splitOf(item);
    this.useSplit(split);
    await this.files.write(join(this.ctx.outDir, "labels", split, `${item.stem}.txt`), lines.map((l) => `${l}\n`).join(""));
    if (this.ctx.media) await this.ctx.media.place(item, `images/${split}`);
  }

  /** Keypoints of this object's class, and of every row (grown when a class has more than any so far). */
  private poseShape(classCount: number, g: Geometry): PoseShape {
    if (this.task !== "pose") return { classPoints: 0, rowPoints: 0 };
    let classPoints = classCount;
    if (classPoints === 0) classPoints = g.kind === "skeleton" ? g.points.length : g.kind === "point" ? 1 : 0;
    this.rowPoints = Math.max(this.rowPoints, classPoints);
    return { classPoints, rowPoints: this.rowPoints };
  }

  private useSplit(split: string): void {
    if (this.splits.has(split)) return;
    this.splits.add(split);
    mkdirSync(join(this.ctx.outDir, "labels", split), { recursive: true });
    // The folder data.yaml names must exist even when no media is placed.
    mkdirSync(join(this.ctx.outDir, "images", split), { recursive: true });
  }

  shardFacts(): Record<string, unknown> {
    return { splits: [...this.received].sort(), rowPoints: this.rowPoints };
  }

  async settle(): Promise<void> {
    await this.files.settle();
  }

  async close(): Promise<void> {
    await this.files.drain();
    const { outDir } = this.ctx;
    this.received = [...this.splits];
    if (this.splits.size === 0) this.useSplit(DEFAULT_SPLIT);
    // data.yaml's train falls back to images/train when no item went to a "train" split.
    if (!this.splits.has(DEFAULT_SPLIT)) mkdirSync(join(outDir, "images", DEFAULT_SPLIT), { recursive: true });
    // One name per line (yoloClassName), then unique as in COCO (an ontology may repeat a name).
    const names = uniqueClassNames(this.ctx.categories.list().map((c, i) => ({ ...c, name: yoloClassName(c.name, i) })));
    let pose: { k: number; flip: number[] } | undefined;
    if (this.task === "pose") {
      pose = poseLayout(this.ctx.categories.list(), this.rowPoints);
      if (this.narrowest < pose.k) this.padPoseRows(pose.k);
    }
    writeFileSync(join(outDir, "data.yaml"), dataYaml({ task: this.task, splits: this.splits, names, pose }));
    writeFileSync(join(outDir, "classes.txt"), classesTxt(names));
  }

  /**
   * Rows written before a class with more keypoints appeared are padded with missing keypoints, so
   * every row holds 5 + 3k fields. One label file at a time: memory stays bounded.
   */
  private padPoseRows(k: number): void {
    const want = 5 + 3 * k;
    const pad = ` ${missingKeypoint(this.q)}`;
    for (const split of [...this.splits].sort()) {
      const dir = join(this.ctx.outDir, "labels", split);
      for (const file of readdirSync(dir).sort()) {
        const path = join(dir, file);
        const text = readFileSync(path, "utf8");
        if (text === "") continue;
        const lines = text.split("\n");
        let changed = false;
        const out = lines.map((line) => {
          if (line === "") return line;
          const fields = line.split(" ").length;
          if (fields >= want) return line;
          changed = true;
          return line + pad.repeat((want - fields) / 3);
        });
        if (changed) writeFileSync(path, out.join("\n"));
      }
    }
  }
}

/** A prepared piece's lines with the class number put in front of each. */
function withClass(text: string | undefined, notes: ObjectLines["notes"], cls: number): ObjectLines {
  if (text === undefined) return { lines: [], notes };
  return { lines: text.split("\n").map((rest) => `${cls}${rest}`), notes };
}

export function createYoloWriter(): Writer {
  return new YoloWriter();
}
