// Items waiting for their images: written to a scratch file as they come (one JSON line each, a
// bitmask's run counts as a plain array) and read back one at a time once the media layer has put every
// image in place, so a preview of any size holds one item in memory.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Item } from "../model.js";
import { BufferedFile } from "../output/files.js";

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Uint32Array ? Array.from(value) : value;
}

/** Back to a model item: the one typed array of the model (MaskRuns.counts) restored. */
function revive(item: Item): Item {
  for (const o of item.objects) {
    if (o.geometry.kind === "mask") o.geometry.mask.counts = Uint32Array.from(o.geometry.mask.counts as unknown as number[]);
  }
  return item;
}

export class ItemSpool {
  private readonly file: BufferedFile;
  private count = 0;

  constructor(readonly path: string) {
    this.file = new BufferedFile(path);
  }

  add(item: Item): void {
    this.file.write(`${JSON.stringify(item, replacer)}\n`);
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** The items in the order they were added (closes the file for writing first). */
  async *items(): AsyncGenerator<Item> {
    this.file.close();
    const lines = createInterface({ input: createReadStream(this.path, "utf8"), crlfDelay: Infinity });
    for await (const line of lines) if (line !== "") yield revive(JSON.parse(line) as Item);
  }
}
