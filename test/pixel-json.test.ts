// The pixel JSON writer on hand-made rows: the array and JSONL layouts byte for byte, streaming to a
// slow stdout, bitmask bbox/area from the model's decoded runs, --masks-dir PNGs and their paths.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { decodeRleString } from "../src/geometry/rle.js";
import type { Item, LabeledObject, NormalisedRow } from "../src/model.js";
import type { FormatOptions } from "../src/options.js";
import { decodePng8 } from "../src/output/png.js";
import { Report } from "../src/report.js";
import { PixelJsonWriter } from "../src/writers/pixel-json.js";
import type { WriterContext } from "../src/writers/writer.js";
import { tempDir } from "./helpers.js";

const root = tempDir("ec-pixel-unit-");
let runNo = 0;

/** A stdout stand-in that takes a while per chunk and keeps a tiny buffer (forces backpressure). */
class SlowSink extends Writable {
  chunks: Buffer[] = [];
  constructor() {
    super({ highWaterMark: 16 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    setTimeout(() => cb(), 1);
  }
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

function rawImage(dataHash: string, objects: unknown[], width = 8, height = 4): Record<string, unknown> {
  return {
    label_hash: `L-${dataHash}`,
    data_hash: dataHash,
    data_type: "image",
    data_units: { [dataHash]: { data_hash: dataHash, data_sequence: 0, width, height, labels: { objects, classifications: [] } } },
  };
}

function modelItem(dataHash: string, objects: LabeledObject[], width = 8, height = 4): Item {
  return {
    key: dataHash,
    stem: `stem-${dataHash}`,
    ext: ".png",
    nameHint: dataHash,
    width,
    height,
    source: { row: 0, labelHash: "L", dataHash, rowDataHash: dataHash, dataTitle: "t", rowTitle: "t", dataType: "image", media: "image", frame: 0 },
    objects,
    classifications: [],
  };
}

function maskObject(objectHash: string, counts: number[], width: number, height: number): LabeledObject {
  return {
    objectHash,
    featureHash: "fm",
    name: "blob",
    shape: "bitmask",
    geometry: { kind: "mask", mask: { width, height, left: 0, top: 0, counts: Uint32Array.from(counts) } },
    attributes: [],
    confidence: 1,
    manual: true,
    category: 0,
  };
}

function row(index: number, raw: unknown, items: Item[] = []): NormalisedRow {
  return {
    meta: { index, labelHash: "L", dataHash: "d", dataTitle: "t", dataType: "image", labelStatus: "", branchName: "", datasetHash: "", datasetTitle: "" },
    items,
    rangeObjects: [],
    rowClassifications: [],
    problems: [],
    raw,
    part: 0,
    lastPart: true,
  };
}

interface Run {
  text: string;
  report: Report;
  dir: string;
}

async function run(rows: NormalisedRow[], options: FormatOptions = {}, mode: "stdout" | "file" = "stdout", strict = false): Promise<Run> {
  const dir = join(root, `run${runNo++}`);
  const report = new Report("pixel");
  const sink = new SlowSink();
  const outFile = join(dir, ".out.json.partial");
  const ctx: WriterContext = {
    outDir: mode === "file" ? outFile : "",
    tempDir: root,
    options: options.masksDir !== undefined ? { ...options, masksDir: join(dir, options.masksDir) } : options,
    report,
    categories: { list: () => [{ index: 0, key: "fm", name: "blob", shape: "bitmask" }], fixed: true },
    strict,
  };
  if (mode === "stdout") ctx.stdout = sink;
  const w = new PixelJsonWriter();
  await w.open(ctx);
  for (const r of rows) await w.write(r);
  await w.close();
  return { text: mode === "stdout" ? sink.text() : readFileSync(outFile, "utf8"), report, dir };
}

const box = (objectHash: string, b: Record<string, number>): Record<string, unknown> => ({ objectHash, shape: "bounding_box", boundingBox: b });

describe("pixel JSON layout", () => {
  const rows = (): NormalisedRow[] => [row(0, rawImage("a", [box("o1", { x: 0.5, y: 0.25, w: 0.25, h: 0.5 })])), row(1, rawImage("b", []))];
  const rowA =
    '{"label_hash":"L-a","data_hash":"a","data_type":"image","data_units":{"a":{"data_hash":"a","data_sequence":0,"width":8,"height":4,' +
    '"labels":{"objects":[{"objectHash":"o1","shape":"bounding_box","boundingBox":{"x":4,"y":1,"w":2,"h":2}}],"classifications":[]}}}}';
  const rowB = '{"label_hash":"L-b","data_hash":"b","data_type":"image","data_units":{"b":{"data_hash":"b","data_sequence":0,"width":8,"height":4,"labels":{"objects":[],"classifications":[]}}}}';

  it("a JSON array, one row per line, streamed to a slow stdout", async () => {
    const { text } = await run(rows());
    expect(text).toBe(`[\n${rowA},\n${rowB}\n]\n`);
  });

  it("--jsonl: one row per line and nothing else", async () => {
    const { text } = await run(rows(), { jsonl: true });
    expect(text).toBe(`${rowA}\n${rowB}\n`);
  });

  it("to a file, the same bytes", async () => {
    const { text } = await run(rows(), {}, "file");
    expect(text).toBe(`[\n${rowA},\n${rowB}\n]\n`);
  });

  it("an export with no rows is an empty array (or empty JSONL)", async () => {
    expect((await run([])).text).toBe("[]\n");
    expect((await run([], { jsonl: true })).text).toBe("");
  });

  it("many rows through a slow stream arrive whole and in order", async () => {
    const many = Array.from({ length: 300 }, (_, i) => row(i, rawImage(`h${i}`, [box("o", { x: 0.5, y: 0.5, w: 0.5, h: 0.5 })])));
    const parsed = JSON.parse((await run(many)).text) as { data_hash: string }[];
    expect(parsed.map((r) => r.data_hash)).toEqual(many.map((_, i) => `h${i}`));
  });
});

describe("pixel JSON bitmasks", () => {
  it("bbox and area come from the model's decoded runs (no second decode)", async () => {
    // The payload says all ones; the model's runs (what the reader decoded) say 2 pixels at (3,0),(4,0).
    const raw = rawImage("m", [{ objectHash: "bm", shape: "bitmask", bitmask: { rleString: "0:", top: 0, left: 0, width: 5, height: 2 } }], 5, 2);
    const { text } = await run([row(0, raw, [modelItem("m", [maskObject("bm", [3, 2, 5], 5, 2)], 5, 2)])]);
    const out = JSON.parse(text)[0].data_units.m.labels.objects[0].bitmask;
    expect(out).toEqual({ rleString: "0:", top: 0, left: 0, width: 5, height: 2, bbox: [3, 0, 2, 1], area: 2 });
  });

  it("a bitmask the model does not hold is decoded from its payload: 12202O = 0110/0110/0001", async () => {
    // (As when the reader skipped it with a warning; it is written as exported, with bbox and area.)
    const raw = rawImage("m", [{ objectHash: "bm", bitmask: { rleString: "12202O", top: 0, left: 0, width: 4, height: 3 } }], 4, 3);
    const r = row(0, raw, [modelItem("m", [], 4, 3)]);
    r.problems = [{ severity: "warning", code: "x", message: "x", where: { row: 0, dataHash: "m", frame: 0, objectHash: "bm" } }];
    const { text, report } = await run([r]);
    expect(JSON.parse(text)[0].data_units.m.labels.objects[0].bitmask).toMatchObject({ bbox: [1, 0, 3, 3], area: 5 });
    expect(report.noteList()).toEqual([]);
  });

  it("an empty bitmask has bbox null and area 0; a corrupt one is written as it is and reported", async () => {
    const raw = rawImage(
      "m",
      [
        { objectHash: "e", bitmask: { rleString: "4", width: 2, height: 2 } },
        { objectHash: "x", bitmask: { rleString: "~~", width: 2, height: 2 } },
      ],
      2,
      2,
    );
    const { text, report } = await run([row(0, raw)]);
    const [e, x] = JSON.parse(text)[0].data_units.m.labels.objects;
    expect(e.bitmask).toEqual({ rleString: "4", width: 2, height: 2, bbox: null, area: 0 });
    expect(x.bitmask).toEqual({ rleString: "~~", width: 2, height: 2 });
    expect(report.noteList().map((n) => `${n.outcome} ${n.what}`)).toEqual(["skipped bitmask bbox/area"]);
  });

  it("--masks-dir writes each bitmask as a frame-sized 0/255 PNG and adds its path relative to the JSON", async () => {
    const counts = decodeRleString("12202O");
    const raw = rawImage("m", [{ objectHash: "b/m+", bitmask: { rleString: "12202O", top: 0, left: 0, width: 4, height: 3 } }], 4, 3);
    const { text, dir } = await run([row(0, raw, [modelItem("m", [maskObject("b/m+", counts, 4, 3)], 4, 3)])], { masksDir: "pngs" }, "file");
    const out = JSON.parse(text)[0].data_units.m.labels.objects[0].bitmask;
    expect(out.png).toBe("pngs/stem-m/b_m+.png");
    const p = decodePng8(readFileSync(join(dir, out.png)));
    expect([p.width, p.height, p.colorType]).toEqual([4, 3, 0]);
    expect(Array.from(p.pixels)).toEqual([0, 255, 255, 0, 0, 255, 255, 0, 0, 0, 0, 255]);
    // Written through a temporary sibling and renamed into place at close.
    expect(readdirSync(dir).sort()).toEqual([".out.json.partial", "pngs"]);
  });

  it("a --strict run that lost something keeps no masks folder", async () => {
    const raw = rawImage("m", [{ objectHash: "bm", bitmask: { rleString: "12202O", width: 4, height: 3 } }, { objectHash: "c", cuboid: { a: 1 } }], 4, 3);
    const r = row(0, raw, [modelItem("m", [maskObject("bm", decodeRleString("12202O"), 4, 3)], 4, 3)]);
    r.problems = [{ severity: "warning", code: "unsupported-shape", message: "cuboid", where: { row: 0, dataHash: "m", frame: 0, objectHash: "c" } }];
    const { dir, report } = await run([r], { masksDir: "pngs" }, "file", true);
    expect(report.lossy).toBe(true);
    expect(existsSync(join(dir, "pngs"))).toBe(false);
    expect(readdirSync(dir)).toEqual([".out.json.partial"]);
  });
});

describe("pixel JSON and the run's object filters", () => {
  it("drops objects the filters left out, keeps those the reader reported and those it cannot tell apart", async () => {
    const b = { x: 0.5, y: 0.5, w: 0.5, h: 0.5 };
    const raw = rawImage("f", [box("kept", b), box("filtered", b), box("troubled", b), { shape: "bounding_box", boundingBox: b }]);
    const model = modelItem("f", [{ ...maskObject("kept", [32], 8, 4), geometry: { kind: "box", x: 4, y: 2, w: 4, h: 2 } }]);
    const r = row(0, raw, [model]);
    r.problems = [{ severity: "warning", code: "bad-coordinates", message: "x", where: { row: 0, dataHash: "f", frame: 0, objectHash: "troubled" } }];
    const { text } = await run([r]);
    const objects = JSON.parse(text)[0].data_units.f.labels.objects as { objectHash?: string }[];
    expect(objects.map((o) => o.objectHash ?? "(none)")).toEqual(["kept", "troubled", "(none)"]);
  });
});

describe("pixel JSON through the CLI with filters", () => {
  it("--shapes bitmask,polygon keeps only those shapes in the frames", async () => {
    const { runCli } = await import("./helpers.js");
    const { SAMPLES } = await import("./fixtures.js");
    const r = runCli(["pixel", join(SAMPLES, "images.json"), "--shapes", "bitmask,polygon", "-q"]);
    expect(r.code).toBe(0);
    const shapes: string[] = [];
    for (const row of JSON.parse(r.stdout) as { data_units: Record<string, { labels: { objects?: { shape: string }[] } }> }[]) {
      for (const u of Object.values(row.data_units)) for (const o of u.labels.objects ?? []) shapes.push(o.shape);
    }
    expect(shapes).toEqual(["polygon", "bitmask", "polygon"]);
  });
});

describe("pixel JSON --masks-dir over an existing folder", () => {
  const ctxFor = (masksDir: string, force: boolean | undefined): WriterContext => {
    const ctx: WriterContext = {
      outDir: join(root, `force${runNo++}.json`),
      tempDir: root,
      options: { masksDir },
      report: new Report("pixel"),
      categories: { list: () => [], fixed: true },
    };
    if (force !== undefined) ctx.force = force;
    return ctx;
  };

  it("is refused without --force, replaced with it", async () => {
    const dir = join(root, "existing-masks");
    const { mkdirSync, writeFileSync } = await import("node:fs");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "old.png"), "x");
    await expect(new PixelJsonWriter().open(ctxFor(dir, undefined))).rejects.toThrow(/already exists and is not empty; remove it or choose another folder/);
    await expect(new PixelJsonWriter().open(ctxFor(dir, false))).rejects.toThrow(/use --force/);
    const w = new PixelJsonWriter();
    await w.open(ctxFor(dir, true));
    await w.close();
    expect(readdirSync(dir)).toEqual([]);
  });
});
