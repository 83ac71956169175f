// File names as a single run gives them. Stems are made unique in input order (output/names.ts), so
// an item whose name another shard's earlier item also wanted got a different name in its shard
// than a single run gives it. Replaying every shard's claims in input order (the `names` logs)
// gives each item its single-run name; merge writes the items that differ under that name.
import { UniqueNames } from "../output/names.js";
import { NAMES_STREAM } from "../output/shard-sidecar.js";
import { interleave, type LogReader } from "./lines.js";
import { MergeRefusal, openLog, type ShardOutput } from "./shards.js";

/** One shard's renamed items: old stem -> new stem, and their media files. */
export class ShardNames {
  readonly stems = new Map<string, string>();
  /** stem + ext -> new stem + ext, for media files. */
  readonly files = new Map<string, string>();
  /** The item's extension, by old stem. */
  readonly exts = new Map<string, string>();

  stem(old: string): string {
    return this.stems.get(old) ?? old;
  }

  /** A per-item file `<stem><suffix>`: its new name (the same when the item kept its name). */
  file(name: string, suffix: string): string {
    if (!name.endsWith(suffix)) return name;
    const renamed = this.stems.get(name.slice(0, name.length - suffix.length));
    return renamed === undefined ? name : renamed + suffix;
  }

  /** A media file (`<stem><ext>`): its new name. */
  media(name: string): string {
    return this.files.get(name) ?? name;
  }
}

export function overlapError(shards: readonly ShardOutput[]): (a: number, b: number, ordinal: number) => MergeRefusal {
  return (a, b, ordinal) => {
    const input = Math.floor(ordinal / 2 ** 32);
    const row = ordinal % 2 ** 32;
    return new MergeRefusal(
      `${shards[a]?.shown} and ${shards[b]?.shown} both hold row ${row}${input > 0 ? ` of input ${input + 1}` : ""}: the same item would be merged twice (were they converted from different exports?)`,
    );
  };
}

/** Replay the shards' name claims in input order; returns each shard's renames and how many there were. */
export function replayNames(shards: readonly ShardOutput[]): { names: ShardNames[]; renamed: number } {
  const logs: (LogReader | undefined)[] = shards.map((s) => openLog(s, NAMES_STREAM));
  const names = shards.map(() => new ShardNames());
  const all = new UniqueNames();
  let renamed = 0;
  try {
    for (const [s, [, stem, hint, tie, ext, suffix]] of interleave(logs, overlapError(shards))) {
      const global = all.claim(String(hint), String(tie), String(suffix ?? ""));
      if (global !== stem) {
        const n = names[s] as ShardNames;
        n.stems.set(String(stem), global);
        n.files.set(`${stem}${ext}`, `${global}${ext}`);
        n.exts.set(String(stem), String(ext));
        renamed++;
      }
    }
  } finally {
    for (const l of logs) l?.close();
  }
  return { names, renamed };
}
