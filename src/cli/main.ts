// The command line: a thin shell over the library. Exit codes: 0 success, 1 bad input or data,
// 2 bad usage, 3 a --strict run that skipped or approximated anything.
import { writeFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { convert, readOntologyFile, reportOfFailure, type ConvertResult, type Progress } from "../convert.js";
import { inspectExport, inspectToHtml } from "../inspect.js";
import { MergeRefusal, mergeShards } from "../merge/merge.js";
import { describeLocation, InputError } from "../model.js";
import { DEFAULT_JOBS, type FormatName } from "../options.js";
import { DEFAULT_CONCURRENCY, DEFAULT_FRAME_QUALITY, type MediaProgress } from "../media/index.js";
import { OutputExistsError } from "../output/atomic.js";
import { Report, type ReportJSON } from "../report.js";
import { didYouMean } from "../suggest.js";
import { toolVersion } from "../version.js";
import { availableFormats } from "../writers/registry.js";
import { prepareClassesFile, writeClassesFile } from "./classes-out.js";
import { convertOptionsFrom, inspectStatsFrom, jobsFrom, shardFrom, UsageError, type CliFlags } from "./options.js";
import { ProgressLine } from "./progress.js";
import { formatInspect, formatRefusal, formatSummary, makeChalk } from "./summary.js";

export const EXIT = { ok: 0, input: 1, usage: 2, strict: 3 } as const;

const PREFIX = "encord-convert: ";

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** An option whose value is one of a closed set: --help lists them, a typo gets "did you mean". */
function closed(flags: string, description: string, values: readonly string[], defaultValue?: string): Option {
  const o = new Option(flags, description).choices(values);
  o.argParser((v: string) => {
    if (!values.includes(v)) throw new InvalidArgumentError(`unknown value "${v}"${didYouMean(v, values)}`);
    return v;
  });
  return defaultValue === undefined ? o : o.default(defaultValue);
}

function addCommon(cmd: Command, outDescription: string): Command {
  return cmd
    .argument("<export...>", "Encord export(s): .json, .json.gz, .zip, or - for stdin")
    .option("-o, --out <path>", outDescription)
    .option("--ontology <file>", "Encord ontology structure JSON: class order, names, skeletons")
    .option("--report <file>", "write the run report as JSON (- = standard output)")
    .option("--strict", "exit 3 (and keep no output) when anything is skipped, approximated or warned about")
    .option("--fail-on <codes>", "exit 3 (and keep no output) only for these report codes, e.g. skipped.polyline,approximated.*")
    .option("--max-warnings <n>", "exit 3 (and keep no output) when more than n things were lost")
    .option("--force", "replace an existing output")
    .option("-q, --quiet", "no summary or progress on stderr")
    .option("--status <list>", "keep rows whose label_status is listed: NOT_LABELLED, LABEL_IN_PROGRESS, LABELLED, REVIEW_IN_PROGRESS, REVIEWED, REVIEWED_TWICE")
    .option("--branch <names>", "keep rows of these branches (comma-separated)")
    .option("--classes <file|list>", "keep and order classes: a file with one name per line, or a,b,c")
    .option("--map <old=new>", "rename a class (repeatable; classes renamed alike merge)", collect)
    .option("--drop <name>", "drop a class (repeatable)", collect)
    .option("--shapes <list>", "keep only these shapes (Encord's names or box, rotated-box, mask), e.g. bounding_box,polygon")
    .option("--data-types <list>", "keep only rows of these data types: image, img_group, video, dicom, nifti, audio, plain_text, pdf, group, scene, dicom_study")
    .option("--split <spec>", "assign splits train, val, test by data hash, e.g. train=0.8,val=0.1,test=0.1 (valid, validation = val)")
    .option("--seed <n>", "seed for --split", "0")
    .option("--images <folder>", "find each item's image (or video) here: by data hash, output file name, or a title only one item has")
    .addOption(closed("--media <mode>", "how files of --images go into the output; none only checks (default copy)", ["link", "copy", "none"]))
    .option("--download", "download each item's image or video from its data_link (signed URLs) when --images does not have it")
    .option("--concurrency <n>", `with --download: downloads at a time (default ${DEFAULT_CONCURRENCY})`)
    .option("--media-cache <dir>", "with --download: keep downloads here for later runs (default: .<out>.media-cache beside the output, kept only while a rerun needs it)")
    .addOption(closed("--frames <which>", "video frames to extract with ffmpeg (default labelled)", ["labelled", "all"]))
    .addOption(closed("--frame-format <fmt>", "extracted video frames as jpg or png (default jpg)", ["jpg", "png"]))
    .option("--frame-quality <q>", `JPEG quality of extracted frames, 1-100 (default ${DEFAULT_FRAME_QUALITY})`)
    .addOption(new Option("--download-timeout <ms>", "per-request timeout").hideHelp())
    .addOption(new Option("--download-retries <n>", "retries per file").hideHelp())
    .addOption(new Option("--retry-backoff <ms>", "first retry wait").hideHelp())
    .option("--jobs <n>", `worker threads that parse and normalise rows and make each object's output; 0 = all in the main thread (default ${DEFAULT_JOBS}: measured faster on 2 cores, see the README's Performance)`)
    .option("--shard <K/N>", "convert only shard K of N (by data hash; auto/N: K from JOB_COMPLETION_INDEX); join with merge")
    .addOption(new Option("--max-row-bytes <n>", "rows larger than this take the streaming path").hideHelp())
    .option("--max-pixels <n>", "refuse masks larger than this many pixels");
}

interface FormatSpec {
  name: FormatName;
  summary: string;
  example: string;
  options: (cmd: Command) => Command;
}

const FORMATS: FormatSpec[] = [
  {
    name: "coco",
    summary: "COCO instances/keypoints JSON (boxes, polygons, RLE masks, keypoints)",
    example: "encord-convert coco export.json --ontology ontology.json -o coco/",
    options: (c) =>
      c
        .addOption(closed("--category-id-start <n>", "first category id", ["0", "1"], "1"))
        .option("--skip-empty", "leave out images with no objects")
        .addOption(closed("--polyline-as <mode>", "COCO has no polyline: skip it (counted) or write its vertices as keypoints", ["skip", "keypoints"], "skip"))
        .option("--info-date <date>", "write this date into info.date_created"),
  },
  {
    name: "yolo",
    summary: "Ultralytics YOLO dataset (detect, segment, obb, pose)",
    example: "encord-convert yolo export.json --task segment --split train=0.8,val=0.2 -o yolo/",
    options: (c) =>
      c
        .addOption(closed("--task <task>", "what the labels are for", ["detect", "segment", "obb", "pose"], "detect"))
        .option("--precision <n>", "decimals of normalised values", "6")
        .option("--skip-empty", "no label file for images with no objects"),
  },
  {
    name: "voc",
    summary: "Pascal VOC XML, label map, image sets, segmentation PNGs",
    example: "encord-convert voc export.json --masks -o voc/",
    options: (c) =>
      c
        .option("--masks", "also write SegmentationClass and SegmentationObject PNGs")
        .option("--zero-based", "0-based box coordinates instead of the devkit's 1-based")
        .option("--void-border", "draw the classic 255 boundary in segmentation PNGs")
        .option("--skip-empty", "no XML for images with no objects"),
  },
  {
    name: "pixel",
    summary: "the same Encord JSON with every coordinate in pixels",
    example: "encord-convert pixel export.json -o - | jq '.[0].data_units'",
    options: (c) =>
      c
        .option("--jsonl", "one row per line")
        .option("--round <n>", "round pixel values to n decimals")
        .option("--masks-dir <dir>", "also write each bitmask as a PNG into this folder"),
  },
  {
    name: "masks",
    summary: "PNG masks: one per object (instance) or one per image (semantic)",
    example: "encord-convert masks export.json --mode semantic -o masks/",
    options: (c) => c.addOption(closed("--mode <mode>", "one PNG per object (instance) or per image (semantic)", ["instance", "semantic"], "instance")),
  },
  {
    name: "preview",
    summary: "PNG previews: each item's image (or a neutral canvas) with its objects drawn, or contact sheets",
    example: "encord-convert preview export.json --images media/ --limit 16 --sheet 4x4 -o preview/",
    options: (c) =>
      c
        .option("--limit <n>", "draw only a sample of n items, chosen by --seed (the same sample every run)")
        .option("--sheet <CxR>", "contact sheets of C columns and R rows of thumbnails instead of one PNG per item, e.g. 4x4")
        .option("--thumb <px>", "largest thumbnail side on a contact sheet", "256"),
  },
];

/** The run report as JSON, to a file or (--report -) to standard output. */
function writeReport(path: string, report: Report | ReportJSON): void {
  const text = JSON.stringify(report instanceof Report ? report.toJSON() : report, null, 2) + "\n";
  if (path === "-") process.stdout.write(text);
  else writeFileSync(path, text);
}

async function runConvert(format: FormatName, inputs: string[], flags: CliFlags): Promise<number> {
  const options = convertOptionsFrom(format, inputs, flags);
  const quiet = flags.quiet === true;
  const progress = ProgressLine.forStderr(quiet);
  const hooks = {
    onProgress: progress ? (p: Progress) => progress.update(p) : undefined,
    media: {
      onProgress: progress ? (p: MediaProgress) => progress.media(p) : undefined,
      onNotice: quiet
        ? undefined
        : (text: string) => {
            progress?.clear();
            process.stderr.write(`${PREFIX}${text}\n`);
          },
    },
  };
  let result: ConvertResult;
  try {
    result = await convert(options, hooks);
  } catch (e) {
    progress?.done();
    // A run that got as far as reading input leaves its report, with the error and its place.
    const failed = reportOfFailure(e);
    if (failed && options.reportFile) writeReport(options.reportFile, failed);
    throw e;
  }
  progress?.done();
  if (options.reportFile) writeReport(options.reportFile, result.report);
  if (!quiet) process.stderr.write(formatSummary(result.report.toJSON(), makeChalk(process.stderr), result.outputPath));
  if (result.refusal) process.stderr.write(`${PREFIX}${formatRefusal(result.refusal)}\n`);
  return result.exitCode;
}

type InspectFlags = CliFlags & { json?: boolean; classesOut?: string; stats?: boolean; rare?: string; imbalance?: string; html?: string; thumbnails?: string };

async function runInspect(inputs: string[], flags: InspectFlags): Promise<number> {
  const shard = shardFrom(flags);
  if (shard && flags.classesOut !== undefined) {
    throw new UsageError("--classes-out lists the classes of the whole export: run it without --shard (once, before the shards)");
  }
  const want = inspectStatsFrom(flags);
  const classesOut = flags.classesOut !== undefined ? prepareClassesFile(flags.classesOut, flags.force === true, inputs) : undefined;
  const ontology = flags.ontology ? readOntologyFile(flags.ontology) : undefined;
  let result;
  try {
    const options = { inputs, ontology, jobs: jobsFrom(flags), shard, classList: classesOut !== undefined, stats: want.stats };
    result = want.html ? await inspectToHtml(options, want.html) : await inspectExport(options);
    if (classesOut) writeClassesFile(classesOut, result.classList ?? []);
  } catch (e) {
    classesOut?.abort();
    throw e;
  }
  const json = JSON.stringify(result, null, 2) + "\n";
  // --report - is the JSON on standard output, as for the conversions; then nothing else goes there.
  if (flags.report !== undefined && flags.report !== "-") writeFileSync(flags.report, json);
  if (flags.json || flags.report === "-") process.stdout.write(json);
  else process.stdout.write(formatInspect(result, makeChalk(process.stdout)));
  return EXIT.ok;
}

type MergeFlags = { out?: string; force?: boolean; report?: string; quiet?: boolean; allowMissing?: boolean; copy?: boolean };

async function runMerge(format: string, shards: string[], flags: MergeFlags): Promise<number> {
  const formats = availableFormats();
  if (!(formats as string[]).includes(format)) throw new UsageError(`merge: unknown format "${format}" (one of ${formats.join(", ")})`);
  if (!flags.out) throw new UsageError("merge needs -o, --out <path> for the merged output");
  const result = await mergeShards({
    format: format as FormatName,
    shards,
    out: flags.out,
    force: flags.force === true,
    allowMissing: flags.allowMissing === true,
    noCopy: flags.copy === false,
  });
  const json = result.report;
  if (flags.report) writeReport(flags.report, json);
  if (!flags.quiet) {
    const m = json.merge;
    process.stderr.write(formatSummary(json, makeChalk(process.stderr), result.outputPath));
    const missing = m.missing.length > 0 ? `; shards ${m.missing.join(", ")} missing (--allow-missing)` : "";
    process.stderr.write(`  merged shards ${m.shards.join(", ")}; ${m.renamed} ${m.renamed === 1 ? "item" : "items"} renamed to the name a single run gives${missing}\n`);
  }
  return EXIT.ok;
}

export function buildProgram(setCode: (code: number) => void): Command {
  const program = new Command("encord-convert")
    .description("Convert Encord JSON label exports to COCO, YOLO, Pascal VOC, pixel-space JSON and PNG masks.")
    .version(toolVersion())
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`${PREFIX}${text}`) })
    .showHelpAfterError("(run with --help for usage)");
  program
    .command("inspect")
    .description("count what an export holds: rows, items, objects per shape and class, problems")
    .argument("<export...>", "Encord export(s): .json, .json.gz, .zip, or - for stdin")
    .option("--json", "print one JSON object to stdout")
    .option("--ontology <file>", "Encord ontology structure JSON")
    .option("--jobs <n>", `worker threads that parse and normalise rows and make each object's output; 0 = all in the main thread (default ${DEFAULT_JOBS}: measured faster on 2 cores, see the README's Performance)`)
    .option("--shard <K/N>", "inspect only shard K of N (auto/N: K from JOB_COMPLETION_INDEX)")
    .option("--classes-out <file>", "write the export's class names, one per line, in conversion order (for --classes with --shard)")
    .option("--stats", "dataset statistics: class balance, objects per item, object and image sizes, warnings")
    .option("--rare <n>", "with --stats: warn about classes with fewer than n objects (default 2)")
    .option("--imbalance <ratio>", "with --stats: warn when the largest class has this many times the objects of the smallest (default 50)")
    .option("--html <file>", "write the statistics as one self-contained HTML page (implies --stats)")
    .option("--images <folder>", "with --html: draw a sample of items on their images as thumbnails")
    .option("--thumbnails <n>", "with --html --images: how many thumbnails (default 12)")
    .option("--seed <n>", "which items the thumbnails show (default 0)")
    .option("--max-pixels <n>", "with --html --images: refuse images larger than this many pixels")
    .option("--report <file>", "write the result (as --json prints it) to a file (- = standard output)")
    .option("--force", "replace an existing --classes-out or --html file")
    .addHelpText(
      "after",
      "\nExample:\n  encord-convert inspect export.json --json | jq .byShape\n  encord-convert inspect export.json --classes-out classes.txt   # the class list for --shard\n  encord-convert inspect export.json --stats --html report.html --images media/\n",
    )
    .action(async (inputs: string[], flags: InspectFlags) => setCode(await runInspect(inputs, flags)));
  program
    .command("merge")
    .description("join the outputs of a run's shards (--shard K/N) into what a single run writes")
    .argument("<format>", "coco | yolo | voc | masks | pixel")
    .argument("<shard-out...>", "the shards' output folders (files for pixel)")
    .option("-o, --out <path>", "merged output folder (a file for pixel)")
    .option("--force", "replace an existing output")
    .option("--report <file>", "write the merged report (the shards' reports added up) as JSON (- = standard output)")
    .option("-q, --quiet", "no summary on stderr")
    .option("--allow-missing", "merge the shards given even if some of the run's shards are not among them")
    .option("--no-copy", "yolo: write only a data.yaml listing the shard folders, copying nothing")
    .addHelpText("after", "\nExample:\n  encord-convert merge coco out/shard-0 out/shard-1 out/shard-2 -o coco/\n")
    .action(async (format: string, shards: string[], flags: MergeFlags) => setCode(await runMerge(format, shards, flags)));
  const available = new Set(availableFormats());
  for (const spec of FORMATS) {
    const cmd = program
      .command(spec.name)
      .description(available.has(spec.name) ? spec.summary : `${spec.summary} (not available yet)`)
      .addHelpText("after", `\nExample:\n  ${spec.example}\n`);
    const outDescription = spec.name === "pixel" ? "output file (- = standard output, the default)" : spec.name === "coco" ? "output folder (- = standard output)" : "output folder";
    spec.options(addCommon(cmd, outDescription)).action(async (inputs: string[], flags: CliFlags) => setCode(await runConvert(spec.name, inputs, flags)));
  }
  return program;
}

/** Set when the reader of our stdout has gone (`| head -c 100`). */
let stdoutGone = false;
let watching = false;

/**
 * Standard output closed by the next command of a pipe is not an error of ours: the run stops at its
 * next write to stdout and exits 0 without a word (no EPIPE noise, no stack trace), as `| head` users
 * expect. Any other failure to write stdout (a full disk behind `>`) is one line and exit 1.
 */
function watchStdio(): void {
  if (watching) return; // main() may run more than once in one process (tests)
  watching = true;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") {
      stdoutGone = true;
      return;
    }
    process.stderr.write(`encord-convert: error: cannot write to standard output: ${e.message}\n`);
    process.exitCode = EXIT.input;
  });
  process.stderr.on("error", () => undefined); // nowhere left to say anything
}

/** Run the CLI; resolves to the process exit code. Never prints a stack trace. */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  watchStdio();
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    return reportError(e);
  }
}

function reportError(e: unknown): number {
  const say = (msg: string): void => {
    process.stderr.write(`${PREFIX}${msg}\n`);
  };
  if (e instanceof CommanderError) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.ok;
    return EXIT.usage; // commander already printed the message
  }
  if (e instanceof UsageError || e instanceof OutputExistsError || e instanceof MergeRefusal) {
    say(`error: ${e.message}`);
    return EXIT.usage;
  }
  if (e instanceof InputError) {
    const where = describeLocation(e.where);
    say(`error: ${where ? `${where}: ` : ""}${e.message}`);
    return EXIT.input;
  }
  const err = e as NodeJS.ErrnoException;
  if (stdoutGone || err?.code === "EPIPE") return EXIT.ok; // see watchStdio
  if (err?.code === "ENOSPC" || err?.code === "EDQUOT") {
    say(`error: no space left on the device (${err.message}); no output was kept and existing files are unchanged`);
    return EXIT.input;
  }
  if (typeof err?.code === "string" && typeof err.syscall === "string") {
    // Any other system error (permissions, read-only disk, I/O error): one line, no stack.
    say(`error: ${err.message}`);
    return EXIT.input;
  }
  say(`internal error: ${err instanceof Error ? err.message : String(e)}`);
  if (process.env.ENCORD_CONVERT_DEBUG) process.stderr.write(`${err instanceof Error ? err.stack : ""}\n`);
  return EXIT.input;
}
