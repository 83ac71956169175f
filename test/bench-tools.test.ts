// The bench's generator and identity manifest: the before/after figures and the saved output of main
// compare runs on exports made at different times, so the generator must keep writing the same bytes.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../bench/generate.mjs";
import { compareTable } from "../bench/compare.mjs";
import { compareFiles } from "../bench/identity.mjs";
import { tempDir } from "./helpers.js";

const sha256 = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

interface Obj {
  shape: string;
}
interface Row {
  data_units: Record<string, { labels: { objects: Obj[] } }>;
}

const PEER = { objects: 10, vertices: 20, videoEvery: 0, polygonShare: 0.3 };

describe("bench/generate.mjs", () => {
  const dir = tempDir();
  it("writes the same bytes as before --rows and --polygon-share existed (video rows, bitmasks)", async () => {
    const out = join(dir, "mixed.json");
    await generate({ out, mb: 0.5, videoEvery: 3, frames: 5, bitmaskShare: 0.2 });
    // made by the generator of dd150fe (main before the peer options) with the same options
    expect(sha256(out)).toBe("156e55b3998ac533f911a7e4a2225ed6065ee7c748fe81846fb72d35d6c313dc");
    const meta = JSON.parse(readFileSync(`${out}.meta.json`, "utf8"));
    expect(Object.keys(meta.options)).not.toContain("rows");
    expect(Object.keys(meta.options)).not.toContain("polygonShare");
  });

  it("makes the peer shape: exactly --rows image rows of boxes, polygons and the bitmask share", async () => {
    const out = join(dir, "peer.json");
    const meta = await generate({ out, rows: 300, ...PEER, bitmaskShare: 0.2 });
    const rows = JSON.parse(readFileSync(out, "utf8")) as Row[];
    expect(rows.length).toBe(300);
    expect(meta.rows).toBe(300);
    const shapes: Record<string, number> = {};
    for (const row of rows) {
      for (const du of Object.values(row.data_units)) {
        expect(du.labels.objects.length).toBe(10);
        for (const o of du.labels.objects) shapes[o.shape] = (shapes[o.shape] ?? 0) + 1;
      }
    }
    expect(Object.keys(shapes).sort()).toEqual(["bitmask", "bounding_box", "polygon"]);
    expect(shapes.bitmask).toBe(meta.bitmasks);
    expect(shapes.polygon).toBe(meta.polygons);
    // 3,000 objects: 20% bitmasks, then 30% of the rest polygons, within a few standard deviations
    expect(Math.abs((shapes.bitmask ?? 0) / 3000 - 0.2)).toBeLessThan(0.03);
    expect(Math.abs((shapes.polygon ?? 0) / (3000 - (shapes.bitmask ?? 0)) - 0.3)).toBeLessThan(0.04);
  });

  it("writes the first N rows of a longer export byte for byte (the identity check's 500-row cases rely on it)", async () => {
    await generate({ out: join(dir, "short.json"), rows: 20, ...PEER, bitmaskShare: 0.2 });
    await generate({ out: join(dir, "long.json"), rows: 50, ...PEER, bitmaskShare: 0.2 });
    const short = readFileSync(join(dir, "short.json"), "utf8");
    const long = readFileSync(join(dir, "long.json"), "utf8");
    const body = short.slice(0, short.length - "]\n".length);
    expect(long.startsWith(`${body},\n`)).toBe(true);
  });
});

describe("bench/identity.mjs compareFiles", () => {
  it("names missing, differing and extra files", () => {
    const want = { "a.txt": "1", "b.txt": "2", "c.txt": "3" };
    const got = { "a.txt": "1", "b.txt": "9", "d.txt": "4" };
    expect(compareFiles(want, got)).toEqual(["differs: b.txt", "missing: c.txt", "extra: d.txt"]);
    expect(compareFiles(want, { ...want })).toEqual([]);
  });
});

describe("bench/compare.mjs compareTable", () => {
  const row = (what: string, jobs: string, seconds: number, parse: number) => ({
    export: "peer-boxpoly",
    what,
    format: what.split(" ")[0],
    jobs,
    seconds,
    minSeconds: seconds,
    maxSeconds: seconds,
    rssMb: 100,
    loadPerRun: [[2, 2, 2]],
    ratioToJsonParse: seconds / parse,
  });
  it("matches rows by export, what and jobs (a default's resolved number too) and gives the change as a ratio of ratios", () => {
    const before = { peers: { rows: [row("coco", "0", 4, 2), row("voc", "0", 8, 2)] } };
    // a busier machine: everything twice as slow, JSON.parse included; coco really 2x faster
    const after = { peers: { rows: [{ ...row("coco", "default (0)", 4, 4), speedUpVsPublished: 26, publishedEncordSdkSeconds: 104 }, row("voc", "0", 16, 4)] } };
    const lines = compareTable(before, after).split("\n");
    const coco = lines.find((l) => l.startsWith("| peer-boxpoly | coco |")) ?? "";
    expect(coco).toContain("| 2.00 | 4.00 (4.00-4.00) | 1.00 | 2.00× |");
    expect(coco).toContain("104 s published: 26× faster");
    expect(lines.find((l) => l.startsWith("| peer-boxpoly | voc |"))).toContain("| 1.00× |");
  });
});
