// `inspect`: counts of what an export holds, without writing anything; optionally the export's class
// list in the order a conversion would number it (--classes-out, for --classes with --shard).
import { CategoryRegistry } from "./categories.js";
import { readExport, type PipelineOptions } from "./convert.js";
import { ontologySeeds } from "./encord/seeds.js";
import { SeenRows } from "./dedupe.js";
import { describeLocation } from "./model.js";
import type { ShardSummary } from "./report.js";

export interface InspectOptions extends PipelineOptions {
  /** Collect the class list (InspectResult.classList). */
  classList?: boolean;
}

export interface InspectResult {
  rows: number;
  items: number;
  objects: number;
  rangeObjects: number;
  classifications: number;
  byDataType: Record<string, number>;
  byShape: Record<string, number>;
  byClass: Record<string, number>;
  byLabelStatus: Record<string, number>;
  /** Objects on items without a pixel size (PDF pages), per kind of item: counted, but no format can place them. */
  unplaced: Record<string, number>;
  /** Label rows read before (same label_hash, data_hash and branch), which a conversion skips. */
  duplicateRows: number;
  problems: { errors: number; warnings: number; byCode: Record<string, number>; list: string[] };
  /**
   * With `classList`: every class name of the export's image objects, in the order a conversion
   * numbers them (the ontology's classes first when one is given, then first appearance), each once.
   */
  classList?: string[];
  /** --shard K/N: the rows of other shards were skipped unread. */
  shard?: ShardSummary;
}

const MAX_LISTED = 50;

function bump(rec: Record<string, number>, key: string): void {
  rec[key] = (rec[key] ?? 0) + 1;
}

function sorted(rec: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(rec).sort()) out[k] = rec[k] ?? 0;
  return out;
}

export async function inspectExport(options: InspectOptions): Promise<InspectResult> {
  const r: InspectResult = {
    rows: 0, items: 0, objects: 0, rangeObjects: 0, classifications: 0,
    byDataType: {}, byShape: {}, byClass: {}, byLabelStatus: {}, unplaced: {}, duplicateRows: 0,
    problems: { errors: 0, warnings: 0, byCode: {}, list: [] },
  };
  // Per row (a huge row comes in parts): a classification spans frames, and counts once.
  const seenClassifications = new Set<string>();
  const classes = options.classList ? new CategoryRegistry({ seeds: options.ontology ? ontologySeeds(options.ontology) : undefined }) : undefined;
  let otherRows = 0;
  const reading = readExport({
    ...options,
    onOtherShard: (row) => {
      otherRows++;
      options.onOtherShard?.(row);
    },
  });
  const seen = new SeenRows();
  let duplicate = -1;
  for await (const row of reading) {
    if (row.part === 0 && seen.seenBefore(row.meta.labelHash, row.meta.dataHash, row.meta.branchName)) {
      duplicate = row.meta.index;
      r.duplicateRows++;
    }
    if (duplicate === row.meta.index) continue;
    if (row.part === 0) {
      r.rows++;
      seenClassifications.clear();
      bump(r.byDataType, row.meta.dataType || "(none)");
      bump(r.byLabelStatus, row.meta.labelStatus || "(none)");
    }
    for (const p of row.problems) {
      if (p.severity === "error") r.problems.errors++;
      else r.problems.warnings++;
      bump(r.problems.byCode, p.code);
      if (r.problems.list.length < MAX_LISTED) r.problems.list.push(`${p.severity}: ${describeLocation(p.where)}: ${p.message}`);
    }
    for (const item of row.items) {
      r.items++;
      for (const obj of item.objects) {
        r.objects++;
        bump(r.byShape, obj.shape);
        bump(r.byClass, obj.name);
        classes?.assign(obj);
        if (!(item.width > 0 && item.height > 0)) bump(r.unplaced, item.source.media);
      }
      // A classification counts once per row however many frames it spans.
      for (const c of item.classifications) seenClassifications.add(c.classificationHash);
    }
    for (const o of row.rangeObjects) {
      r.rangeObjects++;
      r.objects++;
      bump(r.byShape, o.shape);
      bump(r.byClass, o.name);
    }
    for (const c of row.rowClassifications) seenClassifications.add(c.classificationHash);
    if (row.lastPart) r.classifications += seenClassifications.size;
  }
  r.byDataType = sorted(r.byDataType);
  r.byShape = sorted(r.byShape);
  r.byClass = sorted(r.byClass);
  r.byLabelStatus = sorted(r.byLabelStatus);
  r.unplaced = sorted(r.unplaced);
  r.problems.byCode = sorted(r.problems.byCode);
  if (classes) r.classList = [...new Set(classes.list().map((c) => c.name))];
  if (options.shard) r.shard = { index: options.shard.index, count: options.shard.count, otherRows };
  return r;
}
