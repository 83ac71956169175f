// The HTML report in a real headless Chromium (Debian's, installed by .ci/run): it loads with no
// console error and no network request, its thumbnails decode, and every number it shows equals
// `inspect --json`'s. Skipped only where Chromium is absent outside CI.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PNG } from "pngjs";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetStats } from "../src/stats/collect.js";
import { SAMPLES } from "./fixtures.js";
import { runCli, tempDir } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && !process.env.CI) console.warn(`${CHROMIUM} not found; the HTML report browser test is skipped`);

/**
 * Chromium with the flags this machine needs (no sandbox as root, no background network) and a fresh
 * profile folder, which Playwright takes as the persistent context's user data dir.
 */
async function launchChromium(): Promise<{ context: BrowserContext; cleanup(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "ec-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  return {
    context,
    cleanup: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

describe.skipIf(!HAVE_CHROMIUM && !process.env.CI)("HTML report in Chromium", () => {
  const dir = tempDir("ec-html-");
  let chrome: Awaited<ReturnType<typeof launchChromium>>;
  const args = [join(SAMPLES, "images.json"), join(SAMPLES, "media.json"), "--ontology", join(SAMPLES, "ontology.json")];

  beforeAll(async () => {
    chrome = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await chrome?.cleanup();
  });

  it("loads with no console error and no request, and shows inspect --json's numbers", async () => {
    const media = join(dir, "media");
    mkdirSync(media);
    const img = new PNG({ width: 800, height: 600 });
    img.data.fill(120);
    writeFileSync(join(media, "crossing_a.png"), PNG.sync.write(img));
    const page = join(dir, "report.html");
    const made = runCli(["inspect", ...args, "--html", page, "--images", media, "--thumbnails", "4", "--seed", "1"]);
    expect(made.code, made.stderr).toBe(0);
    // Deterministic bytes: the same page again.
    const again = runCli(["inspect", ...args, "--html", join(dir, "again.html"), "--images", media, "--thumbnails", "4", "--seed", "1"]);
    expect(again.code).toBe(0);
    expect(readFileSync(join(dir, "again.html")).equals(readFileSync(page))).toBe(true);
    const json = runCli(["inspect", ...args, "--stats", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const expected = JSON.parse(json.stdout) as { rows: number; items: number; objects: number; classifications: number; stats: DatasetStats };
    const s = expected.stats;

    const tab = await chrome.context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    tab.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
    });
    tab.on("pageerror", (e) => errors.push(e.message));
    tab.on("request", (r) => requests.push(r.url()));
    const url = pathToFileURL(page).href;
    await tab.goto(url, { waitUntil: "load" });

    expect(errors).toEqual([]);
    expect(requests.filter((u) => u !== url && !u.startsWith("data:"))).toEqual([]);

    const text = (sel: string): Promise<string> => tab.locator(sel).first().innerText();
    const n = async (sel: string): Promise<number> => Number(await text(sel));
    expect(await n('[data-stat="rows"]')).toBe(expected.rows);
    expect(await n('[data-stat="items"]')).toBe(expected.items);
    expect(await n('[data-stat="objects"]')).toBe(expected.objects);
    expect(await n('[data-stat="classifications"]')).toBe(expected.classifications);
    expect(await n('[data-stat="classes"]')).toBe(s.classes.length);

    // Classes: table rows and histogram bars, in the same order and with the same counts.
    const rows = await tab.locator("#classes tbody tr").evaluateAll((trs) =>
      trs.map((tr) => [tr.getAttribute("data-class"), ...[...tr.querySelectorAll("[data-stat]")].map((td) => (td as HTMLElement).innerText)]),
    );
    expect(rows).toEqual(s.classes.map((c) => [c.name, String(c.objects), String(c.items), `${Number((c.share * 100).toFixed(1))}%`]));
    const bars = await tab.locator("#class-histogram g[data-label]").evaluateAll((gs) => gs.map((g) => [g.getAttribute("data-label"), Number(g.getAttribute("data-value"))]));
    expect(bars).toEqual(s.classes.map((c) => [c.name, c.objects]));

    // Objects per item.
    expect(await n('[data-stat="opi-min"]')).toBe(s.objectsPerItem.min);
    expect(await n('[data-stat="opi-median"]')).toBe(s.objectsPerItem.median);
    expect(await n('[data-stat="opi-max"]')).toBe(s.objectsPerItem.max);
    expect(await n('[data-stat="opi-mean"]')).toBeCloseTo(s.objectsPerItem.mean as number, 2);
    const perItem = await tab.locator("#objects-per-item g[data-value]").evaluateAll((gs) => gs.map((g) => Number(g.getAttribute("data-value"))));
    expect(perItem.reduce((t, v) => t + v, 0)).toBe(expected.items);
    expect(perItem).toEqual(s.objectsPerItem.bins.slice(0, perItem.length).map((b) => b.count));
    expect(await n('[data-stat="empty-items"]')).toBe(s.itemsWithoutObjects.count);

    // Object sizes: the heat map cell by cell, the counts and the exact figures.
    const cells = await tab.locator("#box-heatmap rect[data-value]").evaluateAll((rs) => rs.map((r) => [Number(r.getAttribute("data-row")), Number(r.getAttribute("data-col")), Number(r.getAttribute("data-value"))]));
    expect(cells).toHaveLength(100);
    for (const [r, c, v] of cells) expect(v, `cell ${r},${c}`).toBe(s.boxes.heatmap[r as number]?.[c as number]);
    expect(await n('[data-stat="boxes"]')).toBe(s.boxes.count);
    expect(await n('[data-stat="without-area"]')).toBe(s.boxes.withoutArea);
    expect(await n('[data-stat="width-px-min"]')).toBe(s.boxes.widthPx.min);
    expect(await n('[data-stat="width-px-max"]')).toBe(s.boxes.widthPx.max);
    expect(await n('[data-stat="height-px-max"]')).toBe(s.boxes.heightPx.max);
    expect(await text('[data-stat="width-px-median"]')).toBe(`≈${Number((s.boxes.widthPx.median as number).toFixed(2))}`);

    // Image sizes.
    const sizes = await tab.locator("#sizes tr[data-size]").evaluateAll((trs) => trs.map((tr) => [tr.getAttribute("data-size"), Number((tr.querySelector("[data-stat]") as HTMLElement).innerText)]));
    expect(sizes).toEqual(s.imageSizes.sizes.map((z) => [`${z.width}x${z.height}`, z.items]));
    expect(await n('[data-stat="distinct-sizes"]')).toBe(s.imageSizes.distinct);

    // Warnings: one list entry per warning, by code.
    const codes = await tab.locator("li[data-code]").evaluateAll((ls) => ls.map((l) => l.getAttribute("data-code")));
    expect(codes).toEqual(s.warnings.map((w) => w.code));

    // Thumbnails: four, decoded by the browser; crossing_a drawn on its image if it was sampled.
    expect(await n('[data-stat="thumbnails"]')).toBe(4);
    const decoded = await tab.locator("figure img").evaluateAll((imgs) => imgs.map((i) => [(i as HTMLImageElement).alt, (i as HTMLImageElement).naturalWidth > 0]));
    expect(decoded).toHaveLength(4);
    expect(decoded.every(([, ok]) => ok)).toBe(true);
    const withImage = decoded.some(([alt]) => alt === "crossing_a") ? 1 : 0;
    expect(await n('[data-stat="thumbnails-with-image"]')).toBe(withImage);
    await tab.close();

    // The checks can fail: a copy of the page asking for a remote image is caught (CSP refuses it, loudly).
    const tampered = join(dir, "tampered.html");
    writeFileSync(tampered, readFileSync(page, "utf8").replace("</body>", '<img src="http://127.0.0.1:9/x.png"></body>'));
    const probe = await chrome.context.newPage();
    const seen: string[] = [];
    probe.on("console", (m) => {
      if (m.type() === "error") seen.push(m.text());
    });
    await probe.goto(pathToFileURL(tampered).href, { waitUntil: "load" });
    expect(seen.join("\n")).toContain("Content Security Policy");
    await probe.close();
  }, 120_000);
});
