// Dataset statistics (`inspect --stats`): class balance, objects per item, box sizes and shapes in
// pixels and relative to the image, empty items, image sizes, and warnings in the manner of
// Datumaro's validator (few samples in a class, imbalanced classes, classes defined but not found,
// items without annotations). Memory is bounded: counters per class and per distinct image size (capped),
// fixed histograms for sizes; nothing per object is kept.
import { clipBox, geometryExtent, geometryFinite } from "../geometry/shapes.js";
import type { Item } from "../model.js";
import { FixedHistogram, IntegerCounts, logEdges, PER_ITEM_EDGES, unitEdges, type Summary } from "./histogram.js";

export interface StatsOptions {
  /** A class with fewer objects than this is warned as rare (default 2: a class of one object). */
  rareBelow?: number;
  /** Warn when the largest class has at least this many times the objects of the smallest (default 50). */
  imbalanceRatio?: number;
  /** Classes the ontology defines, to warn about those no object uses. */
  definedClasses?: readonly string[];
}

export const DEFAULT_RARE_BELOW = 2;
export const DEFAULT_IMBALANCE_RATIO = 50;
/** Distinct image sizes counted one by one; later new sizes are counted together as "other". */
export const MAX_DISTINCT_SIZES = 10_000;
const LISTED_SIZES = 50;
const LISTED_EMPTY = 20;
export const HEATMAP_BINS = 10;

export interface ClassStats {
  name: string;
  objects: number;
  items: number; // items holding at least one object of the class
  share: number; // objects / all objects on items, 0..1
  colour?: string; // #RRGGBB, when the caller knows the class's drawing colour
}

export interface StatsWarning {
  code: "few-samples" | "imbalance" | "defined-not-found" | "items-without-objects";
  message: string;
  class?: string;
  count?: number;
  ratio?: number;
}

export interface DatasetStats {
  items: number;
  objects: number;
  classes: ClassStats[]; // most objects first, then by name
  objectsPerItem: Summary; // exact
  itemsWithoutObjects: { count: number; examples: string[] };
  imageSizes: { distinct: number; distinctCapped: boolean; sizes: { width: number; height: number; items: number }[]; other: number; withoutSize: number };
  boxes: {
    count: number; // objects with an extent of positive area inside their image
    withoutArea: number; // points, lines along one axis, objects outside the image or with bad coordinates
    /** Medians of these are approximate: the middle of the quarter-octave bin that holds them. */
    widthPx: Summary;
    heightPx: Summary;
    /** Width and height over the image's, 0..1: 20 bins; medians approximate (bin middle). */
    relativeWidth: Summary;
    relativeHeight: Summary;
    /** Width over height: quarter-octave bins. */
    aspect: Summary;
    /** Counts by relative width (columns) and height (rows) in HEATMAP_BINS x HEATMAP_BINS cells. */
    heatmap: number[][];
  };
  thresholds: { rareBelow: number; imbalanceRatio: number };
  imbalanceRatio: number | null; // largest / smallest class with objects
  warnings: StatsWarning[];
}

interface ClassCounter {
  objects: number;
  items: number;
  colour?: string;
}

export class StatsCollector {
  private items = 0;
  private objects = 0;
  private readonly classes = new Map<string, ClassCounter>();
  private readonly perItem = new IntegerCounts();
  private emptyCount = 0;
  private readonly emptyExamples: string[] = [];
  private readonly sizes = new Map<string, number>();
  private otherSizes = 0;
  private withoutSize = 0;
  private boxCount = 0;
  private withoutArea = 0;
  private readonly widthPx = new FixedHistogram(logEdges(0, 14, 4));
  private readonly heightPx = new FixedHistogram(logEdges(0, 14, 4));
  private readonly relW = new FixedHistogram(unitEdges(20));
  private readonly relH = new FixedHistogram(unitEdges(20));
  private readonly aspect = new FixedHistogram(logEdges(-6, 6, 4));
  private readonly heat: number[][] = Array.from({ length: HEATMAP_BINS }, () => new Array<number>(HEATMAP_BINS).fill(0));

  constructor(private readonly options: StatsOptions = {}) {}

  /**
   * Count one item. className gives an object's class as the caller names classes (the object's own
   * name by default); colourOf, when given, a class's drawing colour for the report.
   */
  addItem(item: Item, name: string, className: (o: Item["objects"][number]) => string = (o) => o.name, colourOf?: (o: Item["objects"][number]) => string | undefined): void {
    this.items++;
    const n = item.objects.length;
    this.objects += n;
    this.perItem.add(n);
    if (n === 0) {
      this.emptyCount++;
      if (this.emptyExamples.length < LISTED_EMPTY) this.emptyExamples.push(name);
    }
    this.countSize(item.width, item.height);
    const seen = new Set<string>();
    for (const o of item.objects) {
      const cls = className(o);
      let c = this.classes.get(cls);
      if (!c) {
        c = { objects: 0, items: 0 };
        const colour = colourOf?.(o);
        if (colour !== undefined) c.colour = colour;
        this.classes.set(cls, c);
      }
      c.objects++;
      if (!seen.has(cls)) {
        seen.add(cls);
        c.items++;
      }
      this.countBox(o.geometry, item.width, item.height);
    }
  }

  private countSize(width: number, height: number): void {
    if (!(width > 0 && height > 0)) {
      this.withoutSize++;
      return;
    }
    const key = `${width}x${height}`;
    const known = this.sizes.get(key);
    if (known !== undefined) this.sizes.set(key, known + 1);
    else if (this.sizes.size < MAX_DISTINCT_SIZES) this.sizes.set(key, 1);
    else this.otherSizes++;
  }

  private countBox(g: Item["objects"][number]["geometry"], width: number, height: number): void {
    const e = geometryFinite(g) && width > 0 && height > 0 ? geometryExtent(g) : null;
    const b = e ? clipBox(e.x, e.y, e.w, e.h, width, height) : null;
    if (!b || !(b.w > 0 && b.h > 0)) {
      this.withoutArea++;
      return;
    }
    this.boxCount++;
    this.widthPx.add(b.w);
    this.heightPx.add(b.h);
    const rw = b.w / width;
    const rh = b.h / height;
    this.relW.add(rw);
    this.relH.add(rh);
    this.aspect.add(b.w / b.h);
    const col = Math.min(HEATMAP_BINS - 1, Math.floor(rw * HEATMAP_BINS));
    const row = Math.min(HEATMAP_BINS - 1, Math.floor(rh * HEATMAP_BINS));
    const cells = this.heat[row] as number[];
    cells[col] = (cells[col] as number) + 1;
  }

  finish(): DatasetStats {
    const rareBelow = this.options.rareBelow ?? DEFAULT_RARE_BELOW;
    const imbalanceRatio = this.options.imbalanceRatio ?? DEFAULT_IMBALANCE_RATIO;
    const classes: ClassStats[] = [...this.classes.entries()]
      .map(([name, c]) => {
        const s: ClassStats = { name, objects: c.objects, items: c.items, share: this.objects ? c.objects / this.objects : 0 };
        if (c.colour) s.colour = c.colour;
        return s;
      })
      .sort((a, b) => b.objects - a.objects || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const warnings: StatsWarning[] = [];
    for (const c of classes) {
      if (c.objects < rareBelow) warnings.push({ code: "few-samples", class: c.name, count: c.objects, message: `class "${c.name}" has ${c.objects} object${c.objects === 1 ? "" : "s"} (fewer than ${rareBelow})` });
    }
    let ratio: number | null = null;
    if (classes.length > 0) {
      ratio = (classes[0] as ClassStats).objects / (classes[classes.length - 1] as ClassStats).objects;
      if (classes.length > 1 && ratio >= imbalanceRatio) {
        const big = classes[0] as ClassStats;
        const small = classes[classes.length - 1] as ClassStats;
        warnings.push({ code: "imbalance", ratio, message: `classes are imbalanced: "${big.name}" has ${big.objects} objects, "${small.name}" ${small.objects} (ratio ${round(ratio)}, warned from ${imbalanceRatio})` });
      }
    }
    for (const name of this.options.definedClasses ?? []) {
      if (!this.classes.has(name)) warnings.push({ code: "defined-not-found", class: name, message: `class "${name}" is in the ontology but no object has it` });
    }
    if (this.emptyCount > 0) warnings.push({ code: "items-without-objects", count: this.emptyCount, message: `${this.emptyCount} of ${this.items} items have no object` });
    const sizes = [...this.sizes.entries()]
      .map(([k, items]) => {
        const [w, h] = k.split("x").map(Number) as [number, number];
        return { width: w, height: h, items };
      })
      .sort((a, b) => b.items - a.items || a.width - b.width || a.height - b.height);
    const listed = sizes.slice(0, LISTED_SIZES);
    const unlisted = sizes.slice(LISTED_SIZES).reduce((t, s) => t + s.items, 0);
    return {
      items: this.items,
      objects: this.objects,
      classes,
      objectsPerItem: this.perItem.summary(PER_ITEM_EDGES),
      itemsWithoutObjects: { count: this.emptyCount, examples: [...this.emptyExamples] },
      imageSizes: { distinct: this.sizes.size, distinctCapped: this.otherSizes > 0, sizes: listed, other: this.otherSizes + unlisted, withoutSize: this.withoutSize },
      boxes: {
        count: this.boxCount,
        withoutArea: this.withoutArea,
        widthPx: this.widthPx.summary(true),
        heightPx: this.heightPx.summary(true),
        relativeWidth: this.relW.summary(false),
        relativeHeight: this.relH.summary(false),
        aspect: this.aspect.summary(true),
        heatmap: this.heat.map((r) => [...r]),
      },
      thresholds: { rareBelow, imbalanceRatio },
      imbalanceRatio: ratio,
      warnings,
    };
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
