// preview --download: the images come from each item's signed data_link, through the media layer,
// served by a real HTTP server on 127.0.0.1; the preview draws on them, and no link leaks anywhere.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";
import { filesContaining, imageRow, MediaServer, runCliAsync, SIGNATURE } from "./media-helpers.js";

describe("preview --download", () => {
  const root = tempDir("ec-preview-dl-");
  const server = new MediaServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it("draws on the downloaded images and counts the one that failed", async () => {
    const solid = (w: number, h: number, rgb: [number, number, number]): Buffer => {
      const png = new PNG({ width: w, height: h });
      for (let i = 0; i < png.data.length; i += 4) png.data.set([...rgb, 255], i);
      return PNG.sync.write(png);
    };
    server.files.set("a.png", { body: solid(40, 30, [10, 200, 30]), behaviour: "ok" });
    server.files.set("b.png", { body: solid(40, 30, [10, 10, 10]), behaviour: "403" });
    const exp = join(root, "export.json");
    writeFileSync(exp, JSON.stringify([
      imageRow({ hash: "img-a", title: "a.png", link: server.url("a.png"), w: 40, h: 30 }),
      imageRow({ hash: "img-b", title: "b.png", link: server.url("b.png"), w: 40, h: 30 }),
    ]));
    const out = join(root, "preview");
    const rep = join(root, "report.json");
    const r = await runCliAsync(["preview", exp, "--download", "-o", out, "--report", rep, "--media-cache", join(root, "cache")]);
    expect(r.code, r.stderr).toBe(0);
    const a = PNG.sync.read(readFileSync(join(out, "a.png")));
    // A corner pixel, away from the drawn box: the downloaded image's own colour.
    expect([...a.data.subarray(0, 3)]).toEqual([10, 200, 30]);
    const b = PNG.sync.read(readFileSync(join(out, "b.png")));
    expect([...b.data.subarray(0, 3)]).not.toEqual([10, 10, 10]); // a neutral canvas, not the image
    const report = JSON.parse(readFileSync(rep, "utf8")) as { notes: { code: string; count: number }[]; media: { outcomes: Record<string, number> } };
    expect(report.notes.find((n) => n.code === "skipped.download-failed")?.count).toBe(1);
    // The signed link is in the export only: never in the output, the report or the cache.
    expect(filesContaining(root, SIGNATURE)).toEqual(["export.json"]);
    expect(r.stderr).not.toContain(SIGNATURE);
  });
});
