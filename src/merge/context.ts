// What every format's merge gets: the shards (checked), their renames, the merged classes, where to write.
import type { Category } from "../model.js";
import type { FormatOptions } from "../options.js";
import type { ShardNames } from "./names.js";
import type { ShardOutput } from "./shards.js";

export interface MergeContext {
  shards: ShardOutput[];
  /** Per shard (same order): the items a single run names differently. */
  names: ShardNames[];
  categories: Category[];
  /** The format options of the run (the same in every shard). */
  options: FormatOptions;
  /** The temporary output (a folder, or a file for pixel JSON), renamed into place on success. */
  out: string;
  /** The merged output's final path (for paths relative to it). */
  finalPath: string;
  /** Scratch folder, removed after the merge. */
  tempDir: string;
  /** YOLO --no-copy: a data.yaml that lists the shard folders instead of copies. */
  noCopy: boolean;
  overlap: (a: number, b: number, ordinal: number) => Error;
}
