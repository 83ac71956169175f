// Inline SVG charts for the HTML report: plain markup, no script, fixed number formatting, so the same
// statistics give the same bytes. Every figure shown is also an attribute (data-value) for checks.

/** Text safe inside HTML/SVG element content and double-quoted attributes. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

/** A number as shown: whole numbers as they are, others with up to `digits` decimals. */
export function num(v: number | null, digits = 2): string {
  if (v === null || !Number.isFinite(v)) return "-";
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toFixed(digits)));
}

export interface Bar {
  label: string;
  value: number;
  colour?: string;
}

/** Horizontal bars, one per row, labelled on the left and valued on the right. */
export function horizontalBars(bars: readonly Bar[], opts: { id: string; title: string; width?: number }): string {
  const width = opts.width ?? 720;
  const rowH = 18;
  const labelW = 170;
  const valueW = 70;
  const plotW = width - labelW - valueW;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = Math.max(1, bars.length) * rowH + 8;
  const rows = bars.map((b, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(b.value > 0 ? 1 : 0, Math.round((b.value / max) * plotW));
    return (
      `<g data-label="${esc(b.label)}" data-value="${b.value}">` +
      `<text x="${labelW - 6}" y="${y + 13}" text-anchor="end">${esc(clip(b.label, 26))}</text>` +
      `<rect x="${labelW}" y="${y + 2}" width="${w}" height="${rowH - 4}" fill="${esc(b.colour ?? "#4a7ab5")}"/>` +
      `<text x="${labelW + w + 4}" y="${y + 13}">${b.value}</text></g>`
    );
  });
  return svg(opts.id, opts.title, width, height, rows.join(""));
}

/** Vertical bars over labelled bins (a histogram). */
export function columnChart(bars: readonly Bar[], opts: { id: string; title: string; width?: number; height?: number }): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 220;
  const bottom = 40;
  const top = 18;
  const plotH = height - bottom - top;
  const n = Math.max(1, bars.length);
  const colW = (width - 20) / n;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const cols = bars.map((b, i) => {
    const h = Math.max(b.value > 0 ? 1 : 0, Math.round((b.value / max) * plotH));
    const x = 10 + i * colW;
    const cx = x + colW / 2;
    return (
      `<g data-label="${esc(b.label)}" data-value="${b.value}">` +
      `<rect x="${fmt(x + 2)}" y="${top + plotH - h}" width="${fmt(Math.max(1, colW - 4))}" height="${h}" fill="${esc(b.colour ?? "#4a7ab5")}"/>` +
      `<text x="${fmt(cx)}" y="${top + plotH - h - 4}" text-anchor="middle">${b.value}</text>` +
      `<text x="${fmt(cx)}" y="${height - bottom + 16}" text-anchor="middle" class="tick">${esc(b.label)}</text></g>`
    );
  });
  return svg(opts.id, opts.title, width, height, cols.join(""));
}

/** A grid of counts shaded by size: cells[row][col], row 0 at the bottom (y grows upwards). */
export function heatMap(cells: readonly (readonly number[])[], opts: { id: string; title: string; xLabel: string; yLabel: string; size?: number }): string {
  const size = opts.size ?? 320;
  const margin = 44;
  const n = cells.length;
  const cell = (size - margin) / n;
  const max = Math.max(1, ...cells.flat());
  const parts: string[] = [];
  cells.forEach((row, r) =>
    row.forEach((v, c) => {
      // Square-root shading so a few large cells do not wash out the rest.
      const shade = v === 0 ? 0 : 0.12 + 0.88 * Math.sqrt(v / max);
      const x = margin + c * cell;
      const y = (n - 1 - r) * cell;
      parts.push(`<rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(cell)}" height="${fmt(cell)}" fill="rgba(200,60,40,${shade.toFixed(3)})" stroke="#ddd" data-row="${r}" data-col="${c}" data-value="${v}"><title>${v}</title></rect>`);
    }),
  );
  parts.push(`<text x="${fmt(margin + (size - margin) / 2)}" y="${size - 8}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  parts.push(`<text x="12" y="${fmt((size - margin) / 2)}" text-anchor="middle" transform="rotate(-90 12 ${fmt((size - margin) / 2)})">${esc(opts.yLabel)}</text>`);
  parts.push(`<text x="${margin}" y="${size - margin + 14}" class="tick">0</text><text x="${size - 8}" y="${size - margin + 14}" text-anchor="end" class="tick">1</text>`);
  return svg(opts.id, opts.title, size, size, parts.join(""));
}

function svg(id: string, title: string, width: number, height: number, body: string): string {
  return `<svg id="${esc(id)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>${body}</svg>`;
}

function fmt(v: number): string {
  return Number(v.toFixed(2)).toString();
}

function clip(text: string, n: number): string {
  const chars = [...text];
  return chars.length <= n ? text : `${chars.slice(0, n - 1).join("")}…`;
}
