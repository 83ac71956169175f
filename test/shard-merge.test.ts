// The proof of --shard and merge: for every format, 1, 3 and 8 shards of one export, merged, are
// byte for byte the single run's output (every file and folder of the tree), and the shards'
// reports add up to the single run's counts. The export has titles that collide across shards,
// videos, image groups, DICOM, polylines and skeletons whose padding depends on other shards.
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { convert, type ConvertLibraryOptions } from "../src/convert.js";
import { inspectExport } from "../src/inspect.js";
import { mergeShards } from "../src/merge/merge.js";
import type { FormatName, FormatOptions } from "../src/options.js";
import { MANIFEST_FILE, sidecarOf, type ShardManifest } from "../src/output/shard-sidecar.js";
import type { ReportJSON } from "../src/report.js";
import { parseSplit } from "../src/splits.js";
import { tempDir } from "./helpers.js";
import { writeShardExport } from "./shard-export.js";

const dir = tempDir("ec-shards-");
const EXPORT = join(dir, "export.json");
const IMAGES = join(dir, "media");
let classes: string[] = [];

beforeAll(async () => {
  await writeShardExport(EXPORT, dir);
  classes = (await inspectExport({ inputs: [EXPORT], classList: true })).classList ?? [];
  // A few media files, so --images places (and merge renames) some of them. A shard finds --images files
  // by data hash only (an item's unique name and a title's owner depend on every row), so they are named
  // by data hash (test/media-images.test.ts has the whole-run lookups).
  mkdirSync(IMAGES, { recursive: true });
  const rows = JSON.parse(readFileSync(EXPORT, "utf8")) as { data_units: Record<string, { data_hash: string; data_type: string }> }[];
  const units = rows.flatMap((r) => Object.values(r.data_units)).filter((u) => u.data_type.startsWith("image/"));
  for (const u of units.filter((_u, i) => i % 7 === 0)) writeFileSync(join(IMAGES, `${u.data_hash}.jpg`), `image ${u.data_hash}\n`);
}, 60_000);

/** Every entry under a folder (or the one file): path, kind and bytes or link target. */
function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const st = lstatSync(root);
  if (st.isFile()) {
    out.set(".", readFileSync(root).toString("base64"));
    return out;
  }
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      const s = lstatSync(p);
      if (s.isSymbolicLink()) out.set(r, `link:${readlinkSync(p)}`);
      else if (s.isDirectory()) {
        out.set(r, "dir");
        walk(p, r);
      } else out.set(r, readFileSync(p).toString("base64"));
    }
  };
  walk(root, "");
  return out;
}

function expectSameTree(actual: string, expected: string): void {
  const a = tree(actual);
  const e = tree(expected);
  expect([...a.keys()]).toEqual([...e.keys()]);
  for (const [k, v] of e) {
    if (a.get(k) !== v) expect(Buffer.from(a.get(k) ?? "", "base64").toString("utf8"), `${k} differs`).toBe(Buffer.from(v, "base64").toString("utf8"));
  }
}

const byText = (a: unknown, b: unknown): number => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);

/** A warning about the whole export, which shards leave to merge. */
const aboutTheExport = (n: { code: string }) => n.code === "warning.class-unmatched" || n.code === "warning.no-items";

/** The counts of a report that a merge must reproduce (not timings, examples or output sizes). */
function counts(r: ReportJSON, withoutExportWarnings = false): unknown {
  return {
    rows: r.rows, items: r.items, objects: r.objects, objectsWritten: r.objectsWritten,
    byDataType: r.byDataType, byShape: r.byShape, byClass: r.byClass, written: r.written, splits: r.splits,
    notes: r.notes.filter((n) => !(withoutExportWarnings && aboutTheExport(n))).map((n) => [n.code, n.what, n.reason, n.count]).sort(byText),
    problems: [r.problems.errors, r.problems.warnings],
    media: r.media ? [r.media.placed, r.media.missing] : undefined,
  };
}

function sumCounts(reports: ReportJSON[]): unknown {
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  };
  const sorted = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const notes = new Map<string, [string, string, string, number]>();
  const sum = { rows: 0, items: 0, objects: 0, objectsWritten: 0, byDataType: {}, byShape: {}, byClass: {}, written: {}, splits: {}, problems: [0, 0], media: undefined as number[] | undefined };
  for (const r of reports) {
    sum.rows += r.rows;
    sum.items += r.items;
    sum.objects += r.objects;
    sum.objectsWritten += r.objectsWritten;
    add(sum.byDataType, r.byDataType);
    add(sum.byShape, r.byShape);
    add(sum.byClass, r.byClass);
    add(sum.written, r.written);
    add(sum.splits, r.splits);
    sum.problems = [(sum.problems[0] as number) + r.problems.errors, (sum.problems[1] as number) + r.problems.warnings];
    if (r.media) sum.media = [(sum.media?.[0] ?? 0) + r.media.placed, (sum.media?.[1] ?? 0) + r.media.missing];
    for (const n of r.notes) {
      expect(aboutTheExport(n), `a shard judged ${n.code} alone`).toBe(false);
      const key = `${n.code}\u0000${n.what}\u0000${n.reason}`;
      const e = notes.get(key);
      // A note said once per run is said by every shard: counted once.
      if (e) e[3] = n.perRun ? Math.max(e[3], n.count) : e[3] + n.count;
      else notes.set(key, [n.code, n.what, n.reason, n.count]);
    }
  }
  return {
    ...sum, byDataType: sorted(sum.byDataType), byShape: sorted(sum.byShape), byClass: sorted(sum.byClass), written: sorted(sum.written), splits: sorted(sum.splits),
    notes: [...notes.values()].sort(byText),
  };
}

interface Variant {
  name: string;
  format: FormatName;
  formatOptions?: FormatOptions;
  split?: boolean;
  images?: "copy" | "link";
  maxRowBytes?: number;
  /** A class in --classes that no object has: the single run warns, and so must the merge. */
  extraClass?: string;
}

const VARIANTS: Variant[] = [
  { name: "coco", format: "coco", formatOptions: { polylineAs: "keypoints" }, split: true, images: "copy" },
  { name: "coco-huge-rows", format: "coco", maxRowBytes: 20_000 },
  { name: "yolo-segment", format: "yolo", formatOptions: { task: "segment" }, split: true, images: "link" },
  { name: "yolo-pose", format: "yolo", formatOptions: { task: "pose" } },
  { name: "voc", format: "voc", formatOptions: { vocMasks: true }, split: true, images: "copy" },
  { name: "masks-instance", format: "masks", formatOptions: { maskMode: "instance" }, images: "copy" },
  { name: "masks-semantic", format: "masks", formatOptions: { maskMode: "semantic" }, split: true, extraClass: "unicorn" },
  { name: "pixel", format: "pixel", maxRowBytes: 20_000 },
  { name: "pixel-jsonl", format: "pixel", formatOptions: { jsonl: true } },
];

function optionsFor(v: Variant, out: string): ConvertLibraryOptions {
  return {
    format: v.format,
    inputs: [EXPORT],
    out,
    force: true,
    formatOptions: v.formatOptions ?? {},
    categoryRules: { classes: v.extraClass ? [...classes, v.extraClass] : classes },
    ...(v.split ? { split: parseSplit("train=0.6,val=0.25,test=0.15", 3) } : {}),
    ...(v.images ? { images: IMAGES, media: v.images } : {}),
    ...(v.maxRowBytes ? { maxRowBytes: v.maxRowBytes } : {}),
  };
}

describe.each(VARIANTS)("$name: shards + merge = one run", (v) => {
  const ext = v.format === "pixel" ? (v.formatOptions?.jsonl ? ".jsonl" : ".json") : "";
  const single = join(dir, `${v.name}-single${ext}`);
  let singleReport: ReportJSON;

  beforeAll(async () => {
    singleReport = (await convert(optionsFor(v, single))).report.toJSON();
  });

  it.each([1, 3, 8])("%i shards", async (n) => {
    const outs: string[] = [];
    const reports: ReportJSON[] = [];
    for (let k = 0; k < n; k++) {
      const out = join(dir, `${v.name}-${n}-${k}${ext}`);
      const r = await convert({ ...optionsFor(v, out), shard: { index: k, count: n } });
      expect(r.exitCode).toBe(0);
      const json = r.report.toJSON();
      expect(json.shard).toEqual({ index: k, count: n, otherRows: singleReport.rows - json.rows });
      reports.push(json);
      outs.push(out);
    }
    // Each row in exactly one shard; the shards' counts add up to the single run's (merge adds the
    // warnings about the whole export).
    expect(sumCounts(reports)).toEqual(counts(singleReport, true));
    const merged = join(dir, `${v.name}-${n}-merged${ext}`);
    // Merge reads the shards in any order given.
    const result = await mergeShards({ format: v.format, shards: [...outs].reverse(), out: merged, force: true });
    expectSameTree(merged, single);
    expect(counts(result.report)).toEqual(counts(singleReport));
    if (v.extraClass) expect(result.report.notes.filter(aboutTheExport).map((n) => n.what)).toEqual([`--classes ${v.extraClass}`]);
    expect(result.report.outputs).toEqual(singleReport.outputs);
    if (n > 1 && v.format !== "pixel") expect(result.report.merge.renamed).toBeGreaterThan(0);
    if (n === 8) {
      // What only the merge can settle really differs between the shards here.
      const manifests = outs.map((o) => JSON.parse(readFileSync(join(sidecarOf(o, v.format === "pixel" ? "file" : "dir"), MANIFEST_FILE), "utf8")) as ShardManifest);
      const distinct = (f: (m: ShardManifest) => unknown) => new Set(manifests.map((m) => JSON.stringify(f(m)))).size;
      expect(distinct((m) => m.categories), "classes learn their shape in different shards").toBeGreaterThan(1);
      if (v.name === "coco") expect(distinct((m) => m.facts.polylineVertices), "polylines padded to different lengths").toBeGreaterThan(1);
      if (v.name === "yolo-pose") expect(distinct((m) => m.facts.rowPoints), "pose rows of different widths").toBeGreaterThan(1);
    }
  });
});
