// Memory does not grow with the export: a 50 MB export converts under a 64 MB heap, and a single
// 40 MB video row under a 48 MB heap (frame by frame), where parsing that row whole runs out of heap.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generate } from "../bench/generate.mjs";
import { BIN, tempDir } from "./helpers.js";

const dir = tempDir("ec-mem-");
const EXPORT = join(dir, "export-50mb.json");
const VIDEO = join(dir, "video-40mb.json");

beforeAll(async () => {
  await generate({ out: EXPORT, mb: 50, videoEvery: 40, frames: 1500 });
  await generate({ out: VIDEO, hugeVideoMb: 40 });
}, 60_000);

function capped(heapMb: number, args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, BIN, ...args, "-q", "--force"], { maxBuffer: 16 * 1024 * 1024 });
  return { code: r.status, stderr: r.stderr.toString("utf8").slice(0, 2000) };
}

describe("bounded memory", { timeout: 60_000 }, () => {
  it.each([
    ["coco", []],
    ["yolo", ["--task", "segment"]],
    ["pixel", []],
    ["coco", ["--jobs", "2"]],
    ["preview", ["--limit", "12", "--sheet", "4x3"]],
  ])("%s %s: a 50 MB export under a 64 MB heap", (format, args) => {
    const out = join(dir, `${format}-${args.join("")}${format === "pixel" ? ".json" : ""}`);
    const r = capped(64, [format, EXPORT, "-o", out, ...args]);
    expect(r.code, r.stderr).toBe(0);
  });

  it("inspect --stats: a 50 MB export under a 64 MB heap (histograms, not per-object lists)", () => {
    const r = spawnSync(process.execPath, ["--max-old-space-size=64", BIN, "inspect", EXPORT, "--stats", "--json"], { maxBuffer: 16 * 1024 * 1024 });
    expect(r.status, r.stderr.toString("utf8").slice(0, 2000)).toBe(0);
    expect(JSON.parse(r.stdout.toString("utf8")).stats.objects).toBeGreaterThan(50_000);
  });

  it("a 40 MB video row under a 48 MB heap, which parsing the row whole cannot do", () => {
    const r = capped(48, ["coco", VIDEO, "-o", join(dir, "video")]);
    expect(r.code, r.stderr).toBe(0);
    const whole = capped(48, ["coco", VIDEO, "-o", join(dir, "video-whole"), "--max-row-bytes", "100000000"]);
    expect(whole.code).not.toBe(0);
  });
});
