// --download through the real CLI against a node:http server on 127.0.0.1 that misbehaves on purpose:
// 403 with an expired signature, 500 then success, 429 with Retry-After, a reset mid-body, a short body,
// a slow first byte past the timeout, a redirect, a link whose expiry has passed, storage paths. For each:
// the counts in the report, no .part or half file in the output, and a rerun against a healthy server
// that downloads only what was missing. The signed URL's signature never appears anywhere.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allCodes } from "../src/codes.js";
import { haveValidator, runCli, tempDir, validate } from "./helpers.js";
import { filesContaining, imageRow, MediaServer, noisePng, runCliAsync, SIGNATURE, walk, type ImageSpec } from "./media-helpers.js";

interface Rep {
  media: {
    placed: number;
    missing: number;
    outcomes: Record<string, number>;
    failedBy: Record<string, number>;
    downloads: { files: number; bytes: number; resumed: number; retried: number };
    cache?: string;
    expiredSince?: string;
  };
  notes: { code: string; what: string; reason: string; count: number }[];
}

const W = 96;
const H = 64;

describe("--download against a misbehaving server", () => {
  const dir = tempDir("ec-download-");
  const server = new MediaServer();
  const bodies = new Map<string, Buffer>();
  const specs: ImageSpec[] = [];
  const exportPath = join(dir, "export.json");
  const out = join(dir, "ds");
  const cache = join(dir, ".ds.media-cache");

  beforeAll(async () => {
    await server.start();
    const add = (name: string, behaviour: Parameters<MediaServer["files"]["set"]>[1]["behaviour"], extra: Record<string, number> = {}, link?: string | null): void => {
      const body = noisePng(name === "reset.png" || name === "reset-always.png" ? 256 : W, name === "reset.png" || name === "reset-always.png" ? 256 : H, specs.length + 1);
      bodies.set(name, body);
      server.files.set(name, { body, behaviour, ...extra });
      const big = name.startsWith("reset");
      specs.push({ hash: `h-${name.replace(".png", "")}`, title: name, link: link === undefined ? server.url(name) : link, w: big ? 256 : W, h: big ? 256 : H });
    };
    add("ok.png", "ok");
    add("flaky.png", "status-then-ok", { status: 500, times: 1 });
    add("down.png", "status-then-ok", { status: 503, times: 99 });
    add("busy.png", "429", { retryAfter: 1 });
    add("reset.png", "reset");
    add("reset-always.png", "reset", { times: 99 });
    add("short.png", "short");
    add("slow.png", "slow", { delayMs: 1500 });
    add("moved.png", "redirect");
    add("denied.png", "403");
    add("old.png", "ok", {}, server.url("old.png", true)); // X-Amz-Date 8 days back: expired
    add("stored.png", "ok", {}, "cord-images-prod/abc/stored.png"); // a storage path
    add("none.png", "ok", {}, null);
    writeFileSync(exportPath, JSON.stringify(specs.map((s) => imageRow(s))));
  });
  afterAll(() => server.stop());

  const args = (...extra: string[]): string[] => [
    "yolo", exportPath, "-o", out, "--download", "--concurrency", "4",
    "--download-timeout", "400", "--download-retries", "2", "--retry-backoff", "20", ...extra,
  ];

  let first: { code: number; stdout: string; stderr: string };
  let rep1: Rep;

  it("first run: each misbehaviour counted; retried where it should be, not where it should not", async () => {
    first = await runCliAsync(args("--report", join(dir, "run1.json")));
    expect(first.code, first.stderr).toBe(0);
    rep1 = JSON.parse(readFileSync(join(dir, "run1.json"), "utf8")) as Rep;
    const m = rep1.media;
    expect(m.outcomes).toEqual({ downloaded: 5, expired: 1, failed: 5, "no-link": 2 });
    expect(m.failedBy).toEqual({ "403": 1, "503": 1, length: 1, network: 1, timeout: 1 });
    expect(m.placed).toBe(5);
    expect(m.missing).toBe(8);
    // 403 is final (one request); the expired link and storage paths are never requested.
    expect(server.hitsFor("denied.png")).toHaveLength(1);
    expect(server.hitsFor("old.png")).toHaveLength(0);
    expect(server.hitsFor("down.png")).toHaveLength(3); // 1 + 2 retries
    expect(server.hitsFor("flaky.png")).toHaveLength(2);
    const busy = server.hitsFor("busy.png");
    expect(busy).toHaveLength(2);
    expect((busy[1]?.at ?? 0) - (busy[0]?.at ?? 0)).toBeGreaterThanOrEqual(950); // Retry-After: 1
    const reset = server.hitsFor("reset.png");
    expect(reset).toHaveLength(2);
    expect(reset[1]?.range).toMatch(/^bytes=\d+-$/); // the second attempt resumes
    expect(m.downloads.resumed).toBeGreaterThanOrEqual(1);
    expect(server.hits.some((h) => h.path === "/plain/moved.png")).toBe(true);
    expect(m.expiredSince).toBeDefined();
    // Named reasons, per item.
    const reasons = rep1.notes.filter((n) => n.what === "image file").map((n) => n.reason);
    expect(reasons.some((r) => r.includes("HTTP 403") && r.includes("may have expired"))).toBe(true);
    expect(reasons.some((r) => r.includes("export the labels again with signed URLs"))).toBe(true);
    expect(reasons.some((r) => r.includes("no downloadable data_link"))).toBe(true);
    // Each with its registered machine code.
    const codes = rep1.notes.filter((n) => n.what === "image file").map((n) => n.code);
    expect(new Set(codes)).toEqual(new Set(["skipped.download-failed", "skipped.link-expired", "skipped.no-link"]));
    for (const c of codes) expect(allCodes()).toContain(c);
    // Said at once, and in the summary.
    expect(first.stderr).toContain("data links expired on");
    expect(first.stderr).toMatch(/media missing for 8 items/);
  });

  it("the output holds only whole files, byte for byte, and no .part; the validator accepts it", () => {
    const files = walk(join(out, "images", "train"));
    expect(files).toEqual(["busy.png", "flaky.png", "moved.png", "ok.png", "reset.png"]);
    for (const f of files) expect(readFileSync(join(out, "images", "train", f)).equals(bodies.get(f) as Buffer), f).toBe(true);
    expect(walk(out).filter((f) => f.includes(".part"))).toEqual([]);
    expect(existsSync(cache)).toBe(true); // kept: a rerun can fetch what failed

    expect(rep1.media.cache).toBe(cache);
    if (haveValidator()) {
      const v = validate(out);
      expect(v.code, v.stdout + v.stderr).toBe(0);
    }
  });

  it("the signature of the signed URLs is nowhere: not in stdout, stderr, the report, the output or the cache", () => {
    expect(first.stdout + first.stderr).not.toContain(SIGNATURE);
    expect(first.stdout + first.stderr).not.toContain("X-Amz");
    expect(readFileSync(join(dir, "run1.json"), "utf8")).not.toContain(SIGNATURE);
    expect(filesContaining(out, SIGNATURE)).toEqual([]);
    expect(filesContaining(cache, SIGNATURE)).toEqual([]);
  });

  it("rerun against a healthy server: only what failed is requested (the cut one resumes); then the default cache goes", async () => {
    server.healthy = true;
    server.hits.length = 0;
    const r = await runCliAsync(args("--force", "-q", "--report", join(dir, "run2.json")));
    expect(r.code, r.stderr).toBe(0);
    const m = (JSON.parse(readFileSync(join(dir, "run2.json"), "utf8")) as Rep).media;
    expect(m.outcomes).toEqual({ cached: 5, downloaded: 5, expired: 1, "no-link": 2 });
    const asked = [...new Set(server.hits.map((h) => h.path.replace(/^\/(bucket|plain)\//, "")))].sort();
    expect(asked).toEqual(["denied.png", "down.png", "reset-always.png", "short.png", "slow.png"]);
    expect(server.hitsFor("reset-always.png")[0]?.range).toMatch(/^bytes=\d+-$/); // resumed from the first run's .part
    expect(m.downloads.resumed).toBe(1);
    const files = walk(join(out, "images", "train"));
    expect(files).toHaveLength(10);
    for (const f of files) expect(readFileSync(join(out, "images", "train", f)).equals(bodies.get(f) as Buffer), f).toBe(true);
    expect(walk(out).filter((f) => f.includes(".part"))).toEqual([]);
    expect(existsSync(cache)).toBe(false); // nothing left to resume: the default cache is removed
    expect(m.cache).toBeUndefined();
  });

  it("--media-cache keeps downloads for another format: nothing is fetched twice", async () => {
    const kept = join(dir, "kept-cache");
    server.hits.length = 0;
    const a = await runCliAsync(["coco", exportPath, "-o", join(dir, "coco"), "--download", "--media-cache", kept, "-q"]);
    expect(a.code, a.stderr).toBe(0);
    const fetched = server.hits.length;
    expect(fetched).toBe(10);
    const b = await runCliAsync(["voc", exportPath, "-o", join(dir, "voc"), "--download", "--media-cache", kept, "-q", "--report", join(dir, "voc.json")]);
    expect(b.code, b.stderr).toBe(0);
    expect(server.hits.length).toBe(fetched);
    const m = (JSON.parse(readFileSync(join(dir, "voc.json"), "utf8")) as Rep).media;
    expect(m.outcomes.cached).toBe(10);
    expect(m.cache).toBe(kept);
    expect(walk(join(dir, "voc", "JPEGImages"))).toHaveLength(10);
  });

  it("--strict exits 3 when any image is missing; bad combinations are usage errors", async () => {
    const r = await runCliAsync(["coco", exportPath, "-o", join(dir, "strict"), "--download", "-q", "--strict"]);
    expect(r.code).toBe(3);
    expect(existsSync(join(dir, "strict"))).toBe(false);
    expect(runCli(["coco", exportPath, "-o", "-", "--download"]).code).toBe(2);
    expect(runCli(["coco", exportPath, "-o", join(dir, "x"), "--concurrency", "4"]).code).toBe(2);
    expect(runCli(["coco", exportPath, "-o", join(dir, "x"), "--download", "--concurrency", "0"]).code).toBe(2);
    const bad = runCli(["coco", exportPath, "-o", join(dir, "x"), "--download", "--frames", "some"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--frames");
    expect(runCli(["coco", exportPath, "-o", join(dir, "x"), "--download", "--media-cache", join(dir, "x", "c")]).code).toBe(1);
  });
});
