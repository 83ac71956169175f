// The merged report: the shards' reports added up, so that with every shard it counts what a single
// run counts. A note said once per run (perRun) is counted once, not once per shard; the warnings
// about the whole export (a class rule matching nothing, nothing written) are judged over all
// shards; the rows a shard left to the others are no loss and not counted; the outputs are the
// merged ones.
import { REPORT_SCHEMA_VERSION, type LossNote, type NoteEntry, type OutputFile, type ReportJSON } from "../report.js";

const MAX_EXAMPLES = 5;
const MAX_PROBLEMS_LISTED = 100;
const MAX_MISSING_LISTED = 1000;

export interface MergeSummary {
  shards: string[]; // "K/N" of each shard merged
  missing: number[]; // shard numbers not given (--allow-missing)
  renamed: number; // items written under another name than in their shard
}

export type MergedReportJSON = ReportJSON & { merge: MergeSummary };

function addRecord(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function sortedRecord(rec: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(rec).sort()) out[k] = rec[k] as number;
  return out;
}

export interface MergeRun {
  /** The merged output (the report's options.out). */
  out: string;
  /** End-of-run notes judged over every shard (convert.endOfRunNotes). */
  runNotes: LossNote[];
}

export function mergeReports(format: string, reports: readonly ReportJSON[], outputs: OutputFile[], merge: MergeSummary, run: MergeRun): MergedReportJSON {
  const byDataType: Record<string, number> = {};
  const byShape: Record<string, number> = {};
  const byClass: Record<string, number> = {};
  const written: Record<string, number> = {};
  const splits: Record<string, number> = {};
  const byCode: Record<string, number> = {};
  const notes = new Map<string, NoteEntry>();
  const problems = { errors: 0, warnings: 0, list: [] as string[] };
  let media: ReportJSON["media"];
  let rows = 0;
  let items = 0;
  let objects = 0;
  let objectsWritten = 0;
  const addNote = (n: NoteEntry): void => {
    const key = `${n.code}\u0000${n.what}\u0000${n.reason}`;
    const e = notes.get(key);
    if (!e) {
      notes.set(key, { ...n, examples: [...n.examples] });
      return;
    }
    e.count = n.perRun ? Math.max(e.count, n.count) : e.count + n.count;
    for (const x of n.examples) if (e.examples.length < MAX_EXAMPLES && !e.examples.includes(x)) e.examples.push(x);
  };
  for (const r of reports) {
    rows += r.rows;
    items += r.items;
    objects += r.objects;
    objectsWritten += r.objectsWritten;
    addRecord(byDataType, r.byDataType);
    addRecord(byShape, r.byShape);
    addRecord(byClass, r.byClass);
    addRecord(written, r.written);
    addRecord(splits, r.splits ?? {});
    addRecord(byCode, r.problems.byCode ?? {});
    for (const n of r.notes) addNote(n);
    problems.errors += r.problems.errors;
    problems.warnings += r.problems.warnings;
    for (const p of r.problems.list) if (problems.list.length < MAX_PROBLEMS_LISTED) problems.list.push(p);
    if (r.media) {
      media ??= { placed: 0, missing: 0, missingList: [] };
      media.placed += r.media.placed;
      media.missing += r.media.missing;
      for (const m of r.media.missingList) if (media.missingList.length < MAX_MISSING_LISTED) media.missingList.push(m);
    }
  }
  for (const n of run.runNotes) addNote({ code: `${n.outcome}.${n.code}`, outcome: n.outcome, what: n.what, reason: n.reason, count: n.count ?? 1, examples: [] });
  const first = reports[0];
  // The run's options as the shards had them, but for the output and the shard.
  const { out: _out, shard: _shard, ...options } = (first?.options ?? {}) as Record<string, unknown>;
  const json: MergedReportJSON = {
    schemaVersion: first?.schemaVersion ?? REPORT_SCHEMA_VERSION,
    tool: first?.tool ?? { name: "encord-convert", version: "" },
    command: "merge",
    inputs: first?.inputs.map((i) => ({ ...i })) ?? [],
    options: { ...options, out: run.out },
    exitCode: 0,
    kept: true,
    format,
    rows,
    items,
    objects,
    objectsWritten,
    byDataType: sortedRecord(byDataType),
    byShape: sortedRecord(byShape),
    byClass: sortedRecord(byClass),
    written: sortedRecord(written),
    splits: sortedRecord(splits),
    notes: [...notes.values()].sort((a, b) => a.outcome.localeCompare(b.outcome) || a.what.localeCompare(b.what) || a.reason.localeCompare(b.reason)),
    problems: { ...problems, byCode: sortedRecord(byCode) },
    outputs: [...outputs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    merge,
  };
  if (media) json.media = media;
  return json;
}
