// Finding a file by title is right only when exactly one data unit of the whole run has that title
// (image-group members "1.png", two assets called "street.jpg"), which is known only at the end. So an
// item found neither by data hash nor by output name, whose title names a file of --images, waits in a
// spool file (one JSON line, the item without its labels) until the run's end, and is resolved then.
// Memory stays bounded: the run-long state is one entry per title that names a file of the folder
// (bounded by the folder's index), and the waiting items are on disk.
import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Item } from "../model.js";

/** Who has each title that names a file of the folder: the first data unit, and whether another has it too. */
export class TitleBook {
  private readonly owners = new Map<string, { unit: string; shared: boolean }>();

  note(title: string, dataHash: string): void {
    const o = this.owners.get(title);
    if (!o) this.owners.set(title, { unit: dataHash, shared: false });
    else if (o.unit !== dataHash) o.shared = true;
  }

  /** True when this data unit is the only one of the run with the title (call once the run is read). */
  sole(title: string, dataHash: string): boolean {
    const o = this.owners.get(title);
    return o !== undefined && !o.shared && o.unit === dataHash;
  }
}

/** An item as the media layer needs it later: everything but its labels. */
export type MediaItem = Omit<Item, "objects" | "classifications">;

export function mediaItem(item: Item): MediaItem {
  const { objects: _o, classifications: _c, ...rest } = item;
  return rest;
}

/** Restore an Item shape (no labels) for code that takes one. */
export function asItem(m: MediaItem): Item {
  return { ...m, objects: [], classifications: [] };
}

export class Spool<T> {
  private fd: number | undefined;
  private readonly path: string;
  count = 0;

  constructor(dir: string, name: string) {
    this.path = join(dir, name);
  }

  push(record: T): void {
    this.fd ??= openSync(this.path, "w");
    writeSync(this.fd, JSON.stringify(record) + "\n");
    this.count++;
  }

  /** The records in the order pushed; closes the file for writing first. */
  async *drain(): AsyncGenerator<T> {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    const lines = createInterface({ input: createReadStream(this.path, "utf8"), crlfDelay: Infinity });
    for await (const line of lines) if (line !== "") yield JSON.parse(line) as T;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
