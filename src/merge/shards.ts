// The shard outputs a merge is given: found, read and checked to belong together (one run's shards,
// each once) before anything is written.
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { FormatName } from "../options.js";
import type { OutputKind } from "../output/atomic.js";
import { MANIFEST_FILE, readManifest, sidecarOf, type ShardManifest } from "../output/shard-sidecar.js";
import { shardLabel } from "../shards.js";
import { LogReader } from "./lines.js";

/** A refusal to merge these outputs (wrong set of shards): a usage error, exit 2. */
export class MergeRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MergeRefusal";
  }
}

export interface ShardOutput {
  /** As the user gave it. */
  shown: string;
  /** The output folder (or file, for pixel JSON). */
  root: string;
  sidecar: string;
  manifest: ShardManifest;
  label: string; // "K/N"
}

/** A stream's log of this shard, or undefined when the shard logged nothing to it. */
export function openLog(s: ShardOutput, stream: string): LogReader | undefined {
  const file = s.manifest.streams[stream];
  return file === undefined ? undefined : new LogReader(join(s.sidecar, file));
}

// What each key of the manifest's options is, in the words of the flags.
const OPTION_NAMES: Record<string, string> = {
  formatOptions: "format options",
  filters: "--status, --branch, --data-types or --shapes",
  split: "--split or --seed",
  classes: "--classes",
  rename: "--map",
  drop: "--drop",
  ontologySha256: "--ontology (the ontology files differ)",
  maxPixels: "--max-pixels",
  media: "--images or --media",
};

function describeOption(key: string, m: ShardManifest): string {
  return JSON.stringify(m.options[key] ?? null);
}

/** Read every shard output's manifest and check that they are one run's shards, each once. */
export function loadShards(format: FormatName, paths: readonly string[], kind: OutputKind, allowMissing: boolean): { shards: ShardOutput[]; missing: number[] } {
  if (paths.length === 0) throw new MergeRefusal("merge needs the output of at least one shard");
  const shards: ShardOutput[] = paths.map((p) => {
    const root = resolve(p);
    if (!existsSync(root)) throw new MergeRefusal(`${p} does not exist`);
    const isDir = statSync(root).isDirectory();
    if (kind === "dir" && !isDir) throw new MergeRefusal(`${p} is a file; a ${format} shard output is a folder`);
    if (kind === "file" && isDir) throw new MergeRefusal(`${p} is a folder; a ${format} shard output is a file`);
    const sidecar = sidecarOf(root, kind);
    if (!existsSync(join(sidecar, MANIFEST_FILE))) {
      throw new MergeRefusal(`${p} is not the output of a sharded run (it has no ${MANIFEST_FILE} in ${sidecar}); convert with --shard K/N first`);
    }
    const manifest = readManifest(sidecar, p);
    return { shown: p, root, sidecar, manifest, label: shardLabel(manifest.shard) };
  });
  const first = shards[0] as ShardOutput;
  const m0 = first.manifest;
  for (const s of shards) {
    const m = s.manifest;
    if (m.format !== format) throw new MergeRefusal(`${s.shown} is a ${m.format} shard, not ${format}`);
    if (m.shard.count !== m0.shard.count) {
      throw new MergeRefusal(`${first.shown} is shard ${first.label} but ${s.shown} is shard ${s.label}: shards of runs split ${m0.shard.count} and ${m.shard.count} ways do not go together`);
    }
    if (JSON.stringify(m.inputs) !== JSON.stringify(m0.inputs)) {
      const names = (x: ShardManifest): string => x.inputs.map((i) => `${i.name}${i.bytes !== null ? ` (${i.bytes} bytes)` : ""}`).join(", ");
      throw new MergeRefusal(`${first.shown} and ${s.shown} read different exports (${names(m0)} vs ${names(m)}): merge only shards of one run`);
    }
    const keys = new Set([...Object.keys(m0.options), ...Object.keys(m.options)]);
    for (const k of [...keys].sort()) {
      if (JSON.stringify(m0.options[k] ?? null) !== JSON.stringify(m.options[k] ?? null)) {
        throw new MergeRefusal(
          `${first.shown} and ${s.shown} were converted with different ${OPTION_NAMES[k] ?? k} (${describeOption(k, m0)} vs ${describeOption(k, m)}): merge only shards of one run`,
        );
      }
    }
  }
  const byIndex = new Map<number, ShardOutput>();
  for (const s of shards) {
    const other = byIndex.get(s.manifest.shard.index);
    if (other) throw new MergeRefusal(`${other.shown} and ${s.shown} are both shard ${s.label}: the same rows would be merged twice`);
    byIndex.set(s.manifest.shard.index, s);
  }
  const missing: number[] = [];
  for (let k = 0; k < m0.shard.count; k++) if (!byIndex.has(k)) missing.push(k);
  if (missing.length > 0 && !allowMissing) {
    const list = missing.length > 8 ? `${missing.slice(0, 8).join(", ")}, ... (${missing.length} in all)` : missing.join(", ");
    throw new MergeRefusal(`shard${missing.length > 1 ? "s" : ""} ${list} of ${m0.shard.count} ${missing.length > 1 ? "are" : "is"} missing: give every shard's output, or --allow-missing to merge only these`);
  }
  // In shard order: the order merge reads them in (the output does not depend on it).
  shards.sort((a, b) => a.manifest.shard.index - b.manifest.shard.index);
  return { shards, missing };
}
