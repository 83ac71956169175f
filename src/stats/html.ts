// The dataset health report as one self-contained HTML page: inline CSS and SVG charts, thumbnails as
// data: URLs, no script, and a Content-Security-Policy that forbids every network request. Every
// figure carries a data-stat (or data-value) attribute so a test can read the page's numbers.
import { basename } from "node:path";
import type { DatasetStats } from "./collect.js";
import type { Bin, Summary } from "./histogram.js";
import { columnChart, esc, heatMap, horizontalBars, num, type Bar } from "./svg.js";

export interface Thumbnail {
  name: string;
  png: Buffer;
  background: "image" | "neutral";
}

/** The parts of inspect's result the page shows (InspectResult has them all). */
export interface PageCounts {
  rows: number;
  items: number;
  objects: number;
  classifications: number;
  problems: { errors: number; warnings: number };
  stats?: DatasetStats;
}

export interface PageInput {
  result: PageCounts;
  inputs: readonly string[];
  thumbnails?: readonly Thumbnail[];
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
dl.totals{display:grid;grid-template-columns:repeat(6,auto);gap:4px 18px;justify-content:start}
dl.totals dt{color:#666}dl.totals dd{margin:0;font-weight:600}
table{border-collapse:collapse}td,th{padding:2px 10px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}
svg text{font:11px system-ui,sans-serif;fill:#222}svg .tick{fill:#666}
.warn{color:#8a4b00}.ok{color:#2a7a2a}
.grid{display:flex;flex-wrap:wrap;gap:10px}figure{margin:0;font-size:12px}figure img{display:block;border:1px solid #ccc}
figure.chart figcaption{font-weight:600;margin:8px 0 4px}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;vertical-align:middle}
`;

function stat(name: string, value: number | string | null, digits = 2): string {
  const shown = typeof value === "string" ? esc(value) : num(value, digits);
  return `<span data-stat="${esc(name)}">${shown}</span>`;
}

function binLabel(b: Bin, integer: boolean): string {
  if (!Number.isFinite(b.to)) return `${num(b.from)}+`;
  if (integer) return b.to - b.from === 1 ? String(b.from) : `${b.from}-${b.to - 1}`;
  return `${num(b.from)}-${num(b.to)}`;
}

/** Quarter-octave bins joined into octaves, trimmed to the non-empty range, for display. */
function octaves(s: Summary): Bar[] {
  const bars: Bar[] = [];
  const bins = s.bins;
  // bins[0] is [0, first edge); then four per octave.
  bars.push({ label: `<${num(bins[1]?.from ?? 0)}`, value: bins[0]?.count ?? 0 });
  for (let i = 1; i < bins.length; i += 4) {
    const group = bins.slice(i, i + 4);
    const from = group[0]?.from ?? 0;
    const last = group[group.length - 1];
    const open = last !== undefined && !Number.isFinite(last.to);
    bars.push({ label: open ? `${num(from)}+` : `${num(from)}-${num(last?.to ?? 0)}`, value: group.reduce((t, b) => t + b.count, 0) });
  }
  let a = 0;
  let b = bars.length - 1;
  while (a < b && bars[a]?.value === 0) a++;
  while (b > a && bars[b]?.value === 0) b--;
  return bars.slice(a, b + 1);
}

function chart(caption: string, svgText: string): string {
  return `<figure class="chart"><figcaption>${esc(caption)}</figcaption>${svgText}</figure>`;
}

function summaryRow(label: string, key: string, s: Summary, unit = ""): string {
  const median = s.exactMedian ? num(s.median) : `≈${num(s.median)}`;
  return (
    `<tr><td>${esc(label)}</td><td>${stat(`${key}-min`, s.min)}${unit}</td>` +
    `<td><span data-stat="${key}-median">${median}</span>${unit}</td><td>${stat(`${key}-mean`, s.mean)}${unit}</td><td>${stat(`${key}-max`, s.max)}${unit}</td></tr>`
  );
}

export function statsPage(input: PageInput): string {
  const r = input.result;
  const s = r.stats;
  if (!s) throw new Error("statsPage needs an inspect result with stats");
  const names = input.inputs.map((i) => (i === "-" ? "stdin" : basename(i)));
  const out: string[] = [];
  out.push(
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    // No request of any kind leaves the page: only inline styles and data: images.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Dataset report: ${esc(names.join(", "))}</title><style>${CSS}</style></head><body>`,
    `<h1>Dataset report: ${esc(names.join(", "))}</h1>`,
    '<dl class="totals">',
    `<dt>rows</dt><dd>${stat("rows", r.rows)}</dd><dt>items</dt><dd>${stat("items", r.items)}</dd><dt>objects</dt><dd>${stat("objects", r.objects)}</dd>`,
    `<dt>classes</dt><dd>${stat("classes", s.classes.length)}</dd><dt>classifications</dt><dd>${stat("classifications", r.classifications)}</dd><dt>problems</dt><dd>${stat("problems", r.problems.errors + r.problems.warnings)}</dd>`,
    "</dl>",
  );

  out.push("<h2>Warnings</h2>");
  if (s.warnings.length === 0) out.push('<p class="ok" data-stat="warnings">none</p>');
  else out.push(`<ul class="warn">${s.warnings.map((w) => `<li data-code="${esc(w.code)}">${esc(w.message)}</li>`).join("")}</ul>`);

  out.push("<h2>Classes</h2>");
  out.push(chart("Objects per class", horizontalBars(s.classes.map((c) => ({ label: c.name, value: c.objects, colour: c.colour })), { id: "class-histogram", title: "Objects per class" })));
  out.push('<table id="classes"><thead><tr><th>class</th><th>objects</th><th>items with it</th><th>share</th></tr></thead><tbody>');
  for (const c of s.classes) {
    const swatch = c.colour ? `<span class="swatch" style="background:${esc(c.colour)}"></span>` : "";
    out.push(`<tr data-class="${esc(c.name)}"><td>${swatch}${esc(c.name)}</td><td data-stat="objects">${c.objects}</td><td data-stat="items">${c.items}</td><td data-stat="share">${num(c.share * 100, 1)}%</td></tr>`);
  }
  out.push("</tbody></table>");
  out.push(`<p>Imbalance (largest class / smallest): ${stat("imbalance-ratio", s.imbalanceRatio)}; rare below ${s.thresholds.rareBelow} objects, imbalance warned from ${s.thresholds.imbalanceRatio}.</p>`);

  out.push("<h2>Objects per item</h2>");
  // Bins up to the one holding the largest count; the empty ones past it say nothing.
  const opiBins = s.objectsPerItem.bins;
  const lastUsed = Math.max(0, ...opiBins.map((b, i) => (b.count > 0 ? i : 0)));
  out.push(chart("Items by number of objects", columnChart(opiBins.slice(0, lastUsed + 1).map((b) => ({ label: binLabel(b, true), value: b.count })), { id: "objects-per-item", title: "Items by number of objects" })));
  out.push("<table><tr><th></th><th>min</th><th>median</th><th>mean</th><th>max</th></tr>");
  out.push(summaryRow("objects per item", "opi", s.objectsPerItem));
  out.push("</table>");
  const empty = s.itemsWithoutObjects;
  out.push(`<p>Items without objects: ${stat("empty-items", empty.count)}${empty.examples.length ? ` (${esc(empty.examples.join(", "))}${empty.count > empty.examples.length ? ", ..." : ""})` : ""}</p>`);

  out.push("<h2>Object sizes</h2>");
  const b = s.boxes;
  out.push(`<p>${stat("boxes", b.count)} objects with an area (their extent, clipped to the image); ${stat("without-area", b.withoutArea)} without (points, lines, outside the image). Medians marked ≈ are the middle of the histogram bin that holds them.</p>`);
  out.push('<div class="grid">');
  out.push(chart("Width and height relative to the image", heatMap(b.heatmap, { id: "box-heatmap", title: "Object width and height relative to the image", xLabel: "width / image width", yLabel: "height / image height" })));
  out.push(chart("Widths in pixels", columnChart(octaves(b.widthPx), { id: "box-width", title: "Object widths in pixels", width: 330, height: 200 })));
  out.push(chart("Aspect ratio (width / height)", columnChart(octaves(b.aspect), { id: "box-aspect", title: "Aspect ratio (width / height)", width: 330, height: 200 })));
  out.push("</div>");
  out.push("<table><tr><th></th><th>min</th><th>median</th><th>mean</th><th>max</th></tr>");
  out.push(summaryRow("width", "width-px", b.widthPx, " px"), summaryRow("height", "height-px", b.heightPx, " px"));
  out.push(summaryRow("width / image width", "rel-width", b.relativeWidth), summaryRow("height / image height", "rel-height", b.relativeHeight));
  out.push(summaryRow("aspect (w / h)", "aspect", b.aspect));
  out.push("</table>");

  out.push("<h2>Image sizes</h2>");
  const sz = s.imageSizes;
  out.push(`<p>${stat("distinct-sizes", sz.distinct)}${sz.distinctCapped ? "+" : ""} distinct sizes; ${stat("without-size", sz.withoutSize)} items without a size.</p>`);
  out.push('<table id="sizes"><tr><th>size</th><th>items</th></tr>');
  for (const z of sz.sizes) out.push(`<tr data-size="${z.width}x${z.height}"><td>${z.width} × ${z.height}</td><td data-stat="items">${z.items}</td></tr>`);
  if (sz.other > 0) out.push(`<tr><td>other sizes</td><td data-stat="other-sizes">${sz.other}</td></tr>`);
  out.push("</table>");

  const thumbs = input.thumbnails ?? [];
  if (thumbs.length > 0) {
    const found = thumbs.filter((t) => t.background === "image").length;
    out.push("<h2>Previews</h2>", `<p>A sample of ${stat("thumbnails", thumbs.length)} items; ${stat("thumbnails-with-image", found)} drawn on their image, the rest on a neutral canvas.</p>`, '<div class="grid">');
    for (const t of thumbs) {
      out.push(`<figure><img alt="${esc(t.name)}" src="data:image/png;base64,${t.png.toString("base64")}"><figcaption>${esc(t.name)}</figcaption></figure>`);
    }
    out.push("</div>");
  }
  out.push("</body></html>", "");
  return out.join("\n");
}
