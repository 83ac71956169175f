// `inspect`: counts of what an export holds, without writing anything; optionally the export's class
// list in the order a conversion would number it (--classes-out, for --classes with --shard), and with
// `stats` the dataset statistics of src/stats/ (classes named and coloured as a conversion with the same
// ontology would).
import { writeFileSync } from "node:fs";
import { CategoryRegistry } from "./categories.js";
import { newRunState, prepareRow, readExport, type PipelineOptions, type RunState } from "./convert.js";
import { ontologySeeds } from "./encord/seeds.js";
import { SeenRows } from "./dedupe.js";
import { describeLocation, type Category, type Item, type NormalisedRow } from "./model.js";
import { DEFAULT_MAX_PIXELS } from "./options.js";
import { AtomicOutput, makeScratchDir } from "./output/atomic.js";
import { classColour, hexColour } from "./output/colours.js";
import { DEFAULT_CONCURRENCY, DEFAULT_FRAME_QUALITY, indexFolder, MediaPipeline } from "./media/index.js";
import { readImageOrientation } from "./preview/header.js";
import { Report, type ShardSummary } from "./report.js";
import { StatsCollector, type DatasetStats, type StatsOptions } from "./stats/collect.js";
import { statsPage, type Thumbnail } from "./stats/html.js";
import { ThumbnailSampler } from "./stats/thumbnails.js";

export interface InspectOptions extends PipelineOptions {
  /** Collect the class list (InspectResult.classList). */
  classList?: boolean;
  /** Compute dataset statistics (result.stats). */
  stats?: boolean | StatsOptions;
  /** With stats: called for every item after classes and names are assigned (the HTML report's thumbnails). */
  onItem?: (item: Item, categories: readonly Category[]) => void;
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
  stats?: DatasetStats;
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

/** What stats need per row: the pipeline's class assignment and unique names, without filters. */
function statsState(options: InspectOptions): { state: RunState; collector: StatsCollector } {
  const seeds = options.ontology ? ontologySeeds(options.ontology) : undefined;
  const state = newRunState(new Report("inspect"), new CategoryRegistry({ seeds }));
  const statsOptions: StatsOptions = typeof options.stats === "object" ? { ...options.stats } : {};
  statsOptions.definedClasses ??= seeds?.map((s) => s.name);
  return { state, collector: new StatsCollector(statsOptions) };
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
  const stats = options.stats ? statsState(options) : undefined;
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
    if (stats) addStats(row, stats.state, stats.collector, options.onItem);
  }
  if (stats) r.stats = stats.collector.finish();
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

function addStats(row: NormalisedRow, state: RunState, collector: StatsCollector, onItem: InspectOptions["onItem"]): void {
  prepareRow(row, state); // counts nothing of ours: the state's report is thrown away
  const categories = state.categories.list();
  const nameOf = (o: Item["objects"][number]): string => categories[o.category]?.name ?? o.name;
  const colourOf = (o: Item["objects"][number]): string => hexColour(classColour(categories[o.category], o.category + 1));
  for (const item of row.items) {
    collector.addItem(item, item.stem, nameOf, colourOf);
    onItem?.(item, categories);
  }
}

export interface InspectHtmlOptions {
  /** Where the page goes; written atomically, an existing file replaced only with force. */
  file: string;
  force?: boolean;
  /** A folder of the export's images: a sample of items is drawn on them as thumbnails. */
  images?: string;
  thumbnails?: number; // how many (default 12)
  seed?: number; // which ones (the --limit sample rule of preview)
  thumbnailSize?: number; // largest side in pixels (default 192)
  maxPixels?: number;
}

export const DEFAULT_THUMBNAILS = 12;

/** inspect with stats, and the self-contained HTML report page of them. */
export async function inspectToHtml(options: InspectOptions, html: InspectHtmlOptions): Promise<InspectResult> {
  const reads = [...options.inputs.filter((i) => i !== "-"), html.images].filter((p): p is string => p !== undefined);
  const index = html.images !== undefined ? indexFolder(html.images) : undefined;
  const output = AtomicOutput.prepare(html.file, "file", html.force ?? false, reads);
  try {
    const sampler = index ? new ThumbnailSampler(html.thumbnails ?? DEFAULT_THUMBNAILS, html.seed ?? 0) : undefined;
    const result = await inspectExport({ ...options, stats: options.stats || true, onItem: sampler?.offer });
    // The sampled items' images are linked into a scratch folder by the media layer, then drawn on.
    const scratch = index ? makeScratchDir("encord-convert-thumbs-") : undefined;
    let thumbnails: Thumbnail[] = [];
    try {
      const media =
        index && scratch
          ? new MediaPipeline(
              { local: index, mode: "link", download: false, concurrency: DEFAULT_CONCURRENCY, frames: "labelled", frameFormat: "jpg", frameQuality: DEFAULT_FRAME_QUALITY },
              scratch.path,
              scratch.path,
              new Report("inspect"),
              // Sampled items keep the stems the run gave them; no unlabelled frame is extracted here.
              (hint) => hint,
            )
          : undefined;
      const maxPixels = html.maxPixels ?? DEFAULT_MAX_PIXELS;
      if (sampler) {
        thumbnails = await sampler.render({
          media,
          placedIn: scratch?.path,
          settle: media ? () => media.finish() : undefined,
          maxPixels,
          readHeader: readImageOrientation,
          cell: html.thumbnailSize ?? 192,
        });
      }
    } finally {
      scratch?.remove();
    }
    writeFileSync(output.tempPath, statsPage({ result, inputs: options.inputs, thumbnails }));
    output.commit();
    return result;
  } catch (e) {
    output.abort();
    throw e;
  }
}
