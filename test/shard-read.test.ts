// --shard in the reader: every row in exactly one shard, by its data hash alone (adding, removing or
// moving other rows changes no row's shard); rows of other shards are never JSON.parse'd, and huge
// rows of other shards are never spooled, whatever their bytes hold after the data hash.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InputError } from "../src/model.js";
import { readExport } from "../src/pipeline/read-export.js";
import { shardOf } from "../src/shards.js";
import { tempDir } from "./helpers.js";

const dir = tempDir("ec-shard-read-");

function imageRow(hash: string, extra = ""): string {
  return (
    `{"label_hash":"l-${hash}","data_hash":"${hash}","data_title":"${hash}.jpg","data_type":"image","label_status":"LABELLED",` +
    `"data_units":{"${hash}":{"data_hash":"${hash}","data_title":"${hash}.jpg","data_type":"image/jpeg","data_sequence":0,"width":10,"height":10,` +
    `"labels":{"objects":[{"objectHash":"o-${hash}","featureHash":"f","name":"a","shape":"bounding_box","boundingBox":{"x":0.1,"y":0.1,"w":0.5,"h":0.5}}${extra}],"classifications":[]}}},` +
    `"object_answers":{},"object_actions":{},"classification_answers":{}}`
  );
}

/** A video row of `frames` frames; with `hashLast` its data_hash comes after the data units. */
function videoRow(hash: string, frames: number, opts: { hashLast?: boolean; broken?: boolean } = {}): string {
  const box = `{"objectHash":"t","featureHash":"f","name":"a","shape":"bounding_box","boundingBox":{"x":0.1,"y":0.1,"w":0.2,"h":0.2}}`;
  const labels = Array.from({ length: frames }, (_, f) => `"${f}":{"objects":[${box}],"classifications":[]}`);
  // Broken punctuation inside the labels: the frame splitter throws on it if it ever sees it.
  if (opts.broken) labels.splice(frames >> 1, 0, `"bad" "no colon"`);
  const units = `"data_units":{"u-${hash}":{"data_hash":"u-${hash}","data_title":"${hash}.mp4","data_type":"video/mp4","data_sequence":0,"width":64,"height":48,"labels":{${labels.join(",")}}}}`;
  const head = `"label_hash":"l-${hash}","data_title":"${hash}.mp4","data_type":"video","label_status":"LABELLED"`;
  const tail = `"object_answers":{},"object_actions":{},"classification_answers":{}`;
  return opts.hashLast ? `{${head},${units},${tail},"data_hash":"${hash}"}` : `{${head},"data_hash":"${hash}",${units},${tail}}`;
}

function write(name: string, rows: string[]): string {
  const p = join(dir, name);
  writeFileSync(p, `[\n${rows.join(",\n")}\n]\n`);
  return p;
}

/** A hash (from a numbered family) whose row lands in `shard` of `count`. */
function hashIn(shard: number, count: number, family: string): string {
  for (let i = 0; ; i++) if (shardOf(`${family}-${i}`, count) === shard) return `${family}-${i}`;
}

async function shardsOf(input: string, count: number, extra: { maxRowBytes?: number } = {}): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let k = 0; k < count; k++) {
    for await (const row of readExport({ inputs: [input], shard: { index: k, count }, ...extra })) {
      if (row.part !== 0) continue;
      expect(out.has(row.meta.dataHash), `${row.meta.dataHash} in two shards`).toBe(false);
      out.set(row.meta.dataHash, k);
    }
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe("every row in one shard, by its data hash alone", () => {
  it("N shards hold every row once; removing, adding and moving rows changes no other row's shard", async () => {
    const hashes = Array.from({ length: 60 }, (_, i) => `h-${i}`);
    const a = write("a.json", [...hashes.map((h) => imageRow(h)), videoRow("v-1", 5), videoRow("v-2", 5)]);
    // Every third row gone, 20 new ones, the order reversed.
    const kept = hashes.filter((_, i) => i % 3 !== 0);
    const b = write("b.json", [videoRow("v-2", 5), ...[...kept, ...Array.from({ length: 20 }, (_, i) => `new-${i}`)].reverse().map((h) => imageRow(h))]);
    for (const count of [3, 8]) {
      const inA = await shardsOf(a, count);
      const inB = await shardsOf(b, count);
      expect(inA.size).toBe(62);
      expect(inB.size).toBe(kept.length + 21);
      for (const [h, k] of inB) {
        if (inA.has(h)) expect(k, h).toBe(inA.get(h));
        expect(k).toBe(shardOf(h, count));
      }
    }
  });

  it("all frames of a video stay in one shard, through the huge-row path too", async () => {
    const input = write("videos.json", [videoRow("v-a", 40), imageRow("i-1"), videoRow("v-b", 40), videoRow("v-c", 40, { hashLast: true })]);
    for (const maxRowBytes of [undefined, 600]) {
      const frames = new Map<string, Set<number>>();
      for (let k = 0; k < 3; k++) {
        for await (const row of readExport({ inputs: [input], shard: { index: k, count: 3 }, maxRowBytes })) {
          for (const item of row.items) {
            if (item.source.dataType !== "video") continue;
            const shards = frames.get(row.meta.dataHash) ?? new Set<number>();
            shards.add(k);
            frames.set(row.meta.dataHash, shards);
          }
        }
      }
      expect([...frames.keys()].sort()).toEqual(["v-a", "v-b", "v-c"]);
      for (const [h, shards] of frames) expect([...shards], h).toEqual([shardOf(h, 3)]);
    }
  });
});

describe("rows of other shards are never parsed", () => {
  it("invalid JSON inside a row of another shard: the run reads on; in its own shard it fails", async () => {
    const bad = hashIn(1, 2, "bad");
    const good = [hashIn(0, 2, "good"), hashIn(0, 2, "good2")];
    const input = write("invalid.json", [imageRow(good[0] as string), imageRow(bad, `,{"objectHash": oops not json}`), imageRow(good[1] as string)]);
    const skipped: number[] = [];
    const rows: string[] = [];
    for await (const row of readExport({ inputs: [input], shard: { index: 0, count: 2 }, onOtherShard: (r) => skipped.push(r.index) })) rows.push(row.meta.dataHash);
    expect(rows).toEqual(good);
    expect(skipped).toEqual([1]);
    await expect(async () => {
      for await (const _ of readExport({ inputs: [input], shard: { index: 1, count: 2 } })) void _;
    }).rejects.toThrow(InputError);
    await expect(async () => {
      for await (const _ of readExport({ inputs: [input], shard: { index: 1, count: 2 } })) void _;
    }).rejects.toThrow(/row 1 .*not valid JSON/);
  });

  it("JSON.parse never sees a byte of another shard's row", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `p-${i}`);
    const input = write("marked.json", rows.map((h) => imageRow(h, shardOf(h, 4) === 2 ? "" : `,{"objectHash":"MARK-OTHER-${h}","featureHash":"f","name":"a","shape":"point","point":{"0":{"x":0.5,"y":0.5}}}`)));
    const parse = vi.spyOn(JSON, "parse");
    const seen: string[] = [];
    for await (const row of readExport({ inputs: [input], shard: { index: 2, count: 4 } })) seen.push(row.meta.dataHash);
    const touched = parse.mock.calls.filter(([text]) => typeof text === "string" && text.includes("MARK-OTHER"));
    expect(touched).toEqual([]);
    expect(seen).toEqual(rows.filter((h) => shardOf(h, 4) === 2));
    expect(parse.mock.calls.length).toBeGreaterThanOrEqual(seen.length);
  });

  it("a huge row of another shard is skipped without spooling: its broken labels are never seen", async () => {
    const other = hashIn(1, 2, "huge");
    const keep = [hashIn(0, 2, "keep-a"), hashIn(0, 2, "keep-b")];
    const input = write("huge.json", [imageRow(keep[0] as string), videoRow(other, 300, { broken: true }), imageRow(keep[1] as string)]);
    const skipped: number[] = [];
    const seen: string[] = [];
    for await (const row of readExport({ inputs: [input], shard: { index: 0, count: 2 }, maxRowBytes: 2000, onOtherShard: (r) => skipped.push(r.index) })) {
      seen.push(row.meta.dataHash);
    }
    expect(seen).toEqual(keep);
    expect(skipped).toEqual([1]);
    // In its own shard the same row is spooled, and its broken labels fail the run.
    await expect(async () => {
      for await (const _ of readExport({ inputs: [input], shard: { index: 1, count: 2 }, maxRowBytes: 2000 })) void _;
    }).rejects.toThrow(/in a data unit's labels/);
  });

  it("a huge row whose data_hash comes after its frames (past the first MiB) is still decided before anything is parsed", async () => {
    const other = hashIn(1, 2, "late");
    const mine = hashIn(0, 2, "late");
    const frames = 9000; // ~1.3 MB of labels before the data_hash
    const input = write("late.json", [videoRow(other, frames, { hashLast: true }), videoRow(mine, frames, { hashLast: true })]);
    const parse = vi.spyOn(JSON, "parse");
    let items = 0;
    for await (const row of readExport({ inputs: [input], shard: { index: 0, count: 2 }, maxRowBytes: 4096 })) {
      expect(row.meta.dataHash).toBe(mine);
      items += row.items.length;
    }
    expect(items).toBe(frames);
    // The other row's shell and frames were never parsed (only its keys, to find its place).
    const otherRow = parse.mock.calls.filter(([text]) => typeof text === "string" && text.includes(`l-${other}`));
    expect(otherRow).toEqual([]);
  });
});
