// The short run summary on stderr. Colour as chalk detects it for the stream (TTY, FORCE_COLOR,
// TERM=dumb, CI), and none with NO_COLOR (no-color.org), which chalk leaves to its callers.
import { Chalk, supportsColor, supportsColorStderr, type ChalkInstance } from "chalk";
import type { Refusal } from "../convert.js";
import type { InspectResult } from "../inspect.js";
import type { DatasetStats } from "../stats/collect.js";
import type { MediaSummary, ReportJSON, ShardSummary } from "../report.js";

export function makeChalk(stream: NodeJS.WriteStream | NodeJS.WritableStream): ChalkInstance {
  const detected = stream === process.stderr ? supportsColorStderr : stream === process.stdout ? supportsColor : false;
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "" && process.env.FORCE_COLOR === undefined;
  return new Chalk({ level: detected && !noColor ? detected.level : 0 });
}

const RULE_TEXT: Record<Refusal["rule"], string> = {
  strict: "--strict",
  "fail-on": "--fail-on",
  "max-warnings": "--max-warnings",
};

/** One line: why the run was refused, with the codes (and counts) that broke the rule. */
export function formatRefusal(r: Refusal): string {
  const entries = [...r.codes];
  const total = entries.reduce((a, [, n]) => a + n, 0);
  const shown = entries.slice(0, 6).map(([c, n]) => `${c} ${n}`).join(", ") + (entries.length > 6 ? ", ..." : "");
  const listed = entries.slice(0, 6).map(([c, n]) => `${c} (${n})`).join(", ") + (entries.length > 6 ? ", ..." : "");
  if (r.rule === "fail-on") return `--fail-on: ${listed}; no output was kept`;
  const things = total === 1 ? "1 thing was" : `${total} things were`;
  return `${RULE_TEXT[r.rule]}: ${things} skipped, approximated or warned about (${shown}); no output was kept`;
}

function table(rec: Record<string, number>, indent = "    "): string[] {
  const keys = Object.keys(rec);
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys.map((k) => `${indent}${k.padEnd(width)}  ${rec[k]}`);
}

function shardLine(s: ShardSummary, c: ChalkInstance): string {
  return `  ${c.dim("shard")} ${s.index}/${s.count}: ${s.otherRows} rows of other shards left to them, unread`;
}

export function formatSummary(r: ReportJSON, c: ChalkInstance, outPath?: string): string {
  const lines: string[] = [];
  const where = outPath ? ` -> ${outPath}` : "";
  lines.push(c.bold(`${r.format}: ${r.rows} rows, ${r.items} items, ${r.objectsWritten} of ${r.objects} objects written${where}`));
  if (Object.keys(r.written).length > 0) {
    lines.push("  objects written per class:");
    lines.push(...table(r.written));
  }
  const lossy = r.notes.filter((n) => n.outcome !== "filtered");
  const filtered = r.notes.filter((n) => n.outcome === "filtered");
  const splits = Object.entries(r.splits);
  if (splits.length > 0) lines.push(`  items per split: ${splits.map(([k, n]) => `${k} ${n}`).join(", ")}`);
  if (r.format === "yolo" && r.items > 0 && !r.splits.val) lines.push("  no item went to val: data.yaml points val at the train images (Ultralytics requires val)");
  for (const n of lossy) {
    const tag = n.outcome === "skipped" ? c.yellow("skipped") : n.outcome === "warning" ? c.red("warning") : c.cyan("approximated");
    lines.push(`  ${tag} ${n.count} × ${n.what}: ${n.reason}`);
  }
  for (const n of filtered) lines.push(`  ${c.dim("filtered")} ${n.count} × ${n.what}: ${n.reason}`);
  if (r.media) lines.push(...formatMedia(r.media, c));
  if (r.shard) lines.push(shardLine(r.shard, c));
  if (r.problems.errors + r.problems.warnings > 0) {
    lines.push(c.yellow(`  ${r.problems.warnings} warnings, ${r.problems.errors} errors in the input`));
    for (const p of r.problems.list.slice(0, 10)) lines.push(`    ${p}`);
    if (r.problems.list.length > 10) lines.push(`    ... (${r.problems.list.length - 10} more in --report)`);
  }
  return lines.join("\n") + "\n";
}

/** "3 downloaded, 1 cached" from the outcome counts named, in that order, leaving out zeros. */
function counted(rec: Record<string, number>, keys: [string, string][]): string {
  return keys
    .filter(([k]) => (rec[k] ?? 0) > 0)
    .map(([k, label]) => `${rec[k]} ${label}`)
    .join(", ");
}

export function formatMedia(m: MediaSummary, c: ChalkInstance): string[] {
  const o = m.outcomes ?? {};
  const lines: string[] = [];
  const got = counted(o, [["local", "from --images"], ["cached", "cached"], ["downloaded", "downloaded"], ["frames-extracted", "video frames extracted"]]);
  lines.push(`  media: ${m.placed} files placed${got ? ` (${got})` : ""}`);
  if (m.missing > 0) {
    const failed = Object.entries(m.failedBy ?? {})
      .map(([k, n]) => `${/^\d+$/.test(k) ? `HTTP ${k}` : k} ${n}`)
      .join(", ");
    const lost = counted(o, [
      ["missing", "not found"],
      ["expired", "link expired"],
      ["no-link", "no downloadable link"],
      ["failed", `download failed${failed ? ` (${failed})` : ""}`],
      ["frames-missing", "frames past the end of their video"],
      ["frames-failed", "frames of videos that could not be decoded"],
    ]);
    lines.push(c.yellow(`  media missing for ${m.missing} items: ${lost}`));
  }
  if (m.expiredSince) lines.push(c.yellow(`  data links expired since ${m.expiredSince}: export the labels again with signed URLs`));
  if ((m.sizeMismatch ?? 0) > 0) lines.push(c.yellow(`  ${m.sizeMismatch} images differ in size from the export's width and height (see the warnings)`));
  if ((m.unreadable ?? 0) > 0) lines.push(c.yellow(`  ${m.unreadable} files are not readable images`));
  const d = m.downloads;
  if (d && d.files > 0) lines.push(`  downloaded ${d.files} files, ${(d.bytes / 1e6).toFixed(1)} MB${d.resumed ? `, ${d.resumed} resumed` : ""}${d.retried ? `, ${d.retried} retried` : ""}`);
  const v = m.videos;
  if (v && v.extracted > 0) lines.push(`  ${v.extracted} videos decoded (${v.framesDecoded} frames)${v.unlabelledFrames ? `, ${v.unlabelledFrames} frames without labels written` : ""}`);
  if (m.cache) lines.push(`  media cache kept: ${m.cache}${(o.failed ?? 0) > 0 ? " (run again to fetch what failed)" : ""}`);
  return lines;
}

export function formatInspect(r: InspectResult, c: ChalkInstance): string {
  const lines: string[] = [];
  lines.push(c.bold(`${r.rows} rows, ${r.items} items, ${r.objects} objects, ${r.classifications} classifications`));
  if (r.shard) lines.push(shardLine(r.shard, c));
  lines.push("  rows per data type:", ...table(r.byDataType));
  lines.push("  rows per label status:", ...table(r.byLabelStatus));
  if (Object.keys(r.byShape).length) lines.push("  objects per shape:", ...table(r.byShape));
  if (Object.keys(r.byClass).length) lines.push("  objects per class:", ...table(r.byClass));
  if (Object.keys(r.unplaced).length) lines.push("  objects on items without a pixel size (no format can place them):", ...table(r.unplaced));
  if (r.duplicateRows > 0) lines.push(c.yellow(`  ${r.duplicateRows} label rows read before (a conversion skips them)`));
  const n = r.problems.errors + r.problems.warnings;
  lines.push(n === 0 ? c.green("  no problems") : c.yellow(`  problems: ${r.problems.warnings} warnings, ${r.problems.errors} errors`));
  if (n > 0) {
    lines.push(...table(r.problems.byCode));
    for (const p of r.problems.list.slice(0, 20)) lines.push(`    ${p}`);
  }
  if (r.stats) lines.push(...formatStats(r.stats, c));
  return lines.join("\n") + "\n";
}

const fixed = (v: number | null, d = 1): string => (v === null ? "-" : Number.isInteger(v) ? String(v) : v.toFixed(d));

function formatStats(s: DatasetStats, c: ChalkInstance): string[] {
  const lines = [c.bold("  statistics:"), "    class: objects, items with it, share"];
  const width = Math.max(0, ...s.classes.map((k) => k.name.length));
  for (const k of s.classes) lines.push(`      ${k.name.padEnd(width)}  ${k.objects}  ${k.items}  ${(k.share * 100).toFixed(1)}%`);
  const o = s.objectsPerItem;
  lines.push(`    objects per item: min ${fixed(o.min)}, median ${fixed(o.median)}, mean ${fixed(o.mean, 2)}, max ${fixed(o.max)}`);
  lines.push(`    items without objects: ${s.itemsWithoutObjects.count}`);
  const b = s.boxes;
  lines.push(`    objects with an area: ${b.count} (median about ${fixed(b.widthPx.median)} x ${fixed(b.heightPx.median)} px, ${fixed((b.relativeWidth.median ?? 0) * 100)}% x ${fixed((b.relativeHeight.median ?? 0) * 100)}% of the image); without: ${b.withoutArea}`);
  const sizes = s.imageSizes.sizes.slice(0, 5).map((z) => `${z.width}x${z.height} (${z.items})`);
  lines.push(`    image sizes: ${s.imageSizes.distinct}${s.imageSizes.distinctCapped ? "+" : ""} distinct${sizes.length ? `; most common ${sizes.join(", ")}` : ""}`);
  lines.push(`    imbalance ratio (largest / smallest class): ${fixed(s.imbalanceRatio, 2)}`);
  for (const w of s.warnings) lines.push(c.yellow(`    warning: ${w.message}`));
  return lines;
}
