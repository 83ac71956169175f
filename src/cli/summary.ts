// The short run summary on stderr. Colour only on a TTY and never with NO_COLOR.
import { Chalk, type ChalkInstance } from "chalk";
import type { InspectResult } from "../inspect.js";
import type { ReportJSON, ShardSummary } from "../report.js";

export function makeChalk(stream: NodeJS.WriteStream | NodeJS.WritableStream): ChalkInstance {
  const tty = (stream as NodeJS.WriteStream).isTTY === true;
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "";
  return new Chalk({ level: tty && !noColor ? 1 : 0 });
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
  for (const n of lossy) {
    const tag = n.outcome === "skipped" ? c.yellow("skipped") : c.cyan("approximated");
    lines.push(`  ${tag} ${n.count} × ${n.what}: ${n.reason}`);
  }
  for (const n of filtered) lines.push(`  ${c.dim("filtered")} ${n.count} × ${n.what}: ${n.reason}`);
  if (r.shard) lines.push(shardLine(r.shard, c));
  if (r.problems.errors + r.problems.warnings > 0) {
    lines.push(c.yellow(`  ${r.problems.warnings} warnings, ${r.problems.errors} errors in the input`));
    for (const p of r.problems.list.slice(0, 10)) lines.push(`    ${p}`);
    if (r.problems.list.length > 10) lines.push(`    ... (${r.problems.list.length - 10} more in --report)`);
  }
  return lines.join("\n") + "\n";
}

export function formatInspect(r: InspectResult, c: ChalkInstance): string {
  const lines: string[] = [];
  lines.push(c.bold(`${r.rows} rows, ${r.items} items, ${r.objects} objects, ${r.classifications} classifications`));
  if (r.shard) lines.push(shardLine(r.shard, c));
  lines.push("  rows per data type:", ...table(r.byDataType));
  lines.push("  rows per label status:", ...table(r.byLabelStatus));
  if (Object.keys(r.byShape).length) lines.push("  objects per shape:", ...table(r.byShape));
  if (Object.keys(r.byClass).length) lines.push("  objects per class:", ...table(r.byClass));
  const n = r.problems.errors + r.problems.warnings;
  lines.push(n === 0 ? c.green("  no problems") : c.yellow(`  problems: ${r.problems.warnings} warnings, ${r.problems.errors} errors`));
  if (n > 0) {
    lines.push(...table(r.problems.byCode));
    for (const p of r.problems.list.slice(0, 20)) lines.push(`    ${p}`);
  }
  return lines.join("\n") + "\n";
}
