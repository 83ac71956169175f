// Dataset statistics: exact counts on synthetic items, bounded structures, and inspect --stats on the samples.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Geometry, Item, LabeledObject } from "../src/model.js";
import { MAX_DISTINCT_SIZES, StatsCollector } from "../src/stats/collect.js";
import { FixedHistogram, IntegerCounts, logEdges, PER_ITEM_EDGES, unitEdges } from "../src/stats/histogram.js";
import { SAMPLES, seededRandom } from "./fixtures.js";
import { runCli, tempDir } from "./helpers.js";

function obj(name: string, geometry: Geometry): LabeledObject {
  return { objectHash: name, featureHash: name, name, shape: geometry.kind, geometry, attributes: [], confidence: 1, manual: true, category: 0 };
}

function item(key: string, width: number, height: number, objects: LabeledObject[]): Item {
  return {
    key,
    stem: key,
    ext: ".jpg",
    nameHint: key,
    width,
    height,
    objects,
    classifications: [],
    source: { row: 0, labelHash: "l", dataHash: key, rowDataHash: key, dataTitle: key, rowTitle: key, dataType: "image", media: "image", frame: 0 },
  };
}

describe("histograms", () => {
  it("bins values by fixed edges, with exact count, min, max and mean", () => {
    const h = new FixedHistogram([0, 10, 20, Infinity]);
    for (const v of [1, 5, 12, 30, 300, NaN]) h.add(v);
    const s = h.summary(false);
    expect(s.bins.map((b) => b.count)).toEqual([2, 1, 2]);
    expect([s.count, s.min, s.max, s.mean]).toEqual([5, 1, 300, 69.6]);
    expect(s.median).toBe(15); // the middle value (12) lies in [10, 20)
    expect(s.exactMedian).toBe(false);
  });

  it("makes quarter-octave and unit edges", () => {
    const e = logEdges(0, 2, 4);
    expect(e[0]).toBe(0);
    expect(e.slice(1, 6)).toEqual([1, 2 ** 0.25, 2 ** 0.5, 2 ** 0.75, 2]);
    expect(e[e.length - 1]).toBe(Infinity);
    const u = new FixedHistogram(unitEdges(20));
    u.add(1);
    u.add(0);
    expect(u.summary(false).bins[19]?.count).toBe(1); // exactly 1 falls in the last bin
  });

  it("counts whole numbers exactly: median, min, max, mean and bins", () => {
    const c = new IntegerCounts();
    for (const v of [0, 1, 1, 2, 8, 8, 1200]) c.add(v);
    const s = c.summary(PER_ITEM_EDGES);
    expect([s.min, s.median, s.max, s.exactMedian]).toEqual([0, 2, 1200, true]);
    expect(s.mean).toBeCloseTo(1220 / 7, 10);
    expect(s.bins.find((b) => b.from === 5)?.count).toBe(2);
    expect(s.bins[s.bins.length - 1]?.count).toBe(1); // 1000+
    const even = new IntegerCounts();
    for (const v of [3, 1, 4, 2]) even.add(v);
    expect(even.summary(PER_ITEM_EDGES).median).toBe(2); // lower middle
  });
});

describe("StatsCollector", () => {
  const box = (x: number, y: number, w: number, h: number): Geometry => ({ kind: "box", x, y, w, h });

  it("gives per-class counts, objects per item, sizes and Datumaro-style warnings", () => {
    const stats = new StatsCollector({ rareBelow: 2, imbalanceRatio: 2, definedClasses: ["car", "road", "truck"] });
    stats.addItem(item("a", 100, 50, [obj("car", box(10, 10, 20, 10)), obj("car", box(0, 0, 50, 25)), obj("person", { kind: "point", x: 3, y: 4 })]), "a");
    stats.addItem(item("b", 200, 100, [obj("road", { kind: "polygon", polygons: [[[0, 0, 100, 0, 100, 50, 0, 50]]] })]), "b");
    stats.addItem(item("c", 100, 50, []), "c");
    stats.addItem(item("d", 0, 0, [obj("car", box(1, 1, 5, 5))]), "d");
    const s = stats.finish();
    expect([s.items, s.objects]).toEqual([4, 5]);
    expect(s.classes).toEqual([
      { name: "car", objects: 3, items: 2, share: 0.6 },
      { name: "person", objects: 1, items: 1, share: 0.2 },
      { name: "road", objects: 1, items: 1, share: 0.2 },
    ]);
    expect(s.objectsPerItem).toMatchObject({ min: 0, median: 1, max: 3, mean: 1.25, exactMedian: true });
    expect(s.itemsWithoutObjects).toEqual({ count: 1, examples: ["c"] });
    expect(s.imageSizes).toEqual({ distinct: 2, distinctCapped: false, sizes: [{ width: 100, height: 50, items: 2 }, { width: 200, height: 100, items: 1 }], other: 0, withoutSize: 1 });
    // Three extents with an area; the point and the box on a size-less item have none.
    expect([s.boxes.count, s.boxes.withoutArea]).toEqual([3, 2]);
    expect([s.boxes.widthPx.min, s.boxes.widthPx.max]).toEqual([20, 100]);
    expect([s.boxes.relativeWidth.min, s.boxes.relativeWidth.max]).toEqual([0.2, 0.5]);
    expect(s.boxes.heatmap[2]?.[2]).toBe(1); // 0.2 x 0.2
    expect(s.boxes.heatmap[5]?.[5]).toBe(2); // two at 0.5 x 0.5
    expect(s.boxes.heatmap.flat().reduce((t, v) => t + v, 0)).toBe(3);
    expect(s.boxes.aspect.min).toBe(2);
    expect(s.imbalanceRatio).toBe(3);
    expect(s.warnings.map((w) => [w.code, w.class ?? w.count ?? w.ratio])).toEqual([
      ["few-samples", "person"],
      ["few-samples", "road"],
      ["imbalance", 3],
      ["defined-not-found", "truck"],
      ["items-without-objects", 1],
    ]);
  });

  it("clips extents to the image and keeps its structures bounded", () => {
    const stats = new StatsCollector();
    stats.addItem(item("a", 100, 100, [obj("car", box(90, 90, 40, 40)), obj("car", box(200, 200, 5, 5))]), "a");
    for (let k = 0; k < MAX_DISTINCT_SIZES + 500; k++) stats.addItem(item(`s${k}`, 1000 + k, 10, []), `s${k}`);
    const s = stats.finish();
    expect([s.boxes.widthPx.max, s.boxes.count, s.boxes.withoutArea]).toEqual([10, 1, 1]);
    expect(s.imageSizes.distinct).toBe(MAX_DISTINCT_SIZES);
    expect(s.imageSizes.distinctCapped).toBe(true);
    expect(s.imageSizes.sizes).toHaveLength(50);
    // Every item is counted: listed + other + none.
    expect(s.imageSizes.sizes.reduce((t, z) => t + z.items, 0) + s.imageSizes.other).toBe(MAX_DISTINCT_SIZES + 501);
    expect(s.warnings.find((w) => w.code === "items-without-objects")?.count).toBe(MAX_DISTINCT_SIZES + 500);
  });
});

describe("StatsCollector memory", () => {
  it("holds the same fixed structures for 300,000 objects as for one", () => {
    const random = seededRandom(5);
    const one = new StatsCollector();
    one.addItem(item("x", 640, 480, [obj("car", { kind: "box", x: 1, y: 1, w: 10, h: 10 })]), "x");
    const many = new StatsCollector();
    for (let k = 0; k < 3000; k++) {
      const objects = Array.from({ length: 100 }, (_, j) => obj(`c${j % 7}`, { kind: "box", x: random() * 600, y: random() * 400, w: 1 + random() * 500, h: 1 + random() * 300 }));
      many.addItem(item(`i${k}`, 640, 480, objects), `i${k}`);
    }
    const a = one.finish();
    const b = many.finish();
    expect(b.objects).toBe(300_000);
    for (const key of ["widthPx", "heightPx", "relativeWidth", "relativeHeight", "aspect"] as const) expect(b.boxes[key].bins.length).toBe(a.boxes[key].bins.length);
    expect(b.objectsPerItem.bins.length).toBe(a.objectsPerItem.bins.length);
    // 7 classes, one image size: the whole result stays a few kilobytes.
    expect(JSON.stringify(b).length).toBeLessThan(JSON.stringify(a).length + 2000);
  });
});

describe("inspect --stats", () => {
  const dir = tempDir("ec-stats-");
  it("reports the samples' statistics in JSON, the same through --report", () => {
    const report = join(dir, "inspect.json");
    const r = runCli(["inspect", join(SAMPLES, "images.json"), join(SAMPLES, "media.json"), "--ontology", join(SAMPLES, "ontology.json"), "--stats", "--json", "--report", report]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.stats.items).toBe(10);
    expect(j.stats.objects).toBe(18); // 20 objects less the audio and text ranges
    expect(j.stats.classes[0]).toEqual({ name: "car", objects: 7, items: 6, share: 7 / 18, colour: "#D33115" });
    expect(j.stats.objectsPerItem).toMatchObject({ min: 0, median: 1, max: 8 });
    expect(j.stats.itemsWithoutObjects).toEqual({ count: 1, examples: ["empty_road"] });
    expect(j.stats.imageSizes.sizes[0]).toEqual({ width: 1280, height: 720, items: 3 });
    expect(j.stats.warnings.filter((w: { code: string }) => w.code === "few-samples")).toHaveLength(5);
    expect(JSON.parse(readFileSync(report, "utf8"))).toEqual(j);
    const text = runCli(["inspect", join(SAMPLES, "images.json"), "--stats", "--rare", "1", "--imbalance", "3"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("objects per item: min 0, median 1");
    expect(text.stdout).toContain('warning: classes are imbalanced: "car" has 4 objects');
    expect(runCli(["inspect", join(SAMPLES, "images.json"), "--imbalance", "0.5"]).code).toBe(2);
  });

  it("writes --html atomically and never over an existing file without --force", () => {
    const page = join(dir, "page.html");
    writeFileSync(page, "keep me");
    const refused = runCli(["inspect", join(SAMPLES, "images.json"), "--html", page]);
    expect(refused.code).toBe(2);
    expect(readFileSync(page, "utf8")).toBe("keep me");
    const forced = runCli(["inspect", join(SAMPLES, "images.json"), "--html", page, "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(page, "utf8")).toMatch(/^<!DOCTYPE html>/);
    expect(readdirSync(dir).filter((f) => f.includes(".partial-"))).toEqual([]);
    expect(runCli(["inspect", join(SAMPLES, "images.json"), "--images", dir]).code).toBe(2); // --images needs --html
  });
});
