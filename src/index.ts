// The public API: the same pipeline the CLI runs, from code.
export { convert, readExport, readOntologyFile, prepareRow } from "./convert.js";
export type { ConvertHooks, ConvertLibraryOptions, ConvertResult, PipelineOptions, Progress } from "./convert.js";
export { inspectExport, inspectToHtml } from "./inspect.js";
export type { InspectResult, InspectOptions, InspectHtmlOptions } from "./inspect.js";
export type { DatasetStats, StatsOptions, ClassStats, StatsWarning } from "./stats/collect.js";
export { CategoryRegistry } from "./categories.js";
export type { CategoryRules, CategorySeed } from "./categories.js";
export { parseSplit, assignSplit } from "./splits.js";
export type { SplitSpec } from "./splits.js";
export type { RowFilters } from "./filters.js";
export { Report } from "./report.js";
export type { ReportJSON, NoteEntry, OutputFile } from "./report.js";
export type { ConvertOptions, FormatName, FormatOptions } from "./options.js";
export { InputError, describeLocation } from "./model.js";
export type * from "./model.js";
export { OutputExistsError } from "./output/atomic.js";
export type { Writer, WriterContext, CategoryTable } from "./writers/writer.js";
