// --shard's pure parts: the row's top-level data_hash read from its bytes (never the data units' own,
// whatever the order), the shard of a data hash (pinned: it must never change), --shard's parsing.
import { describe, expect, it } from "vitest";
import { RowKeyFinder, rowDataHash } from "../src/read/shard-key.js";
import { MAX_SHARDS, parseShard, shardOf } from "../src/shards.js";
import { seededRandom } from "./fixtures.js";

const CASES: [string, string, string][] = [
  ["plain", `{"label_hash":"l","data_hash":"top","data_units":{}}`, "top"],
  ["a data unit's data_hash first", `{"data_units":{"u1":{"data_hash":"nested","labels":{}}},"data_hash":"top"}`, "top"],
  ["inside an array first", `{"spaces":[{"data_hash":"in-array"}],"data_hash":"top"}`, "top"],
  ["the key's text in a string first", `{"title":"x \\"data_hash\\":\\"fake\\"","data_hash":"top"}`, "top"],
  ["data_hash as a value first", `{"k":"data_hash","data_hash":"top"}`, "top"],
  ["an escaped key", `{"data\\u005fhash":"escaped-key"}`, "escaped-key"],
  ["escapes in the value", `{"data_hash":"a\\"b\\\\c\\u00e9"}`, 'a"b\\cé'],
  ["white space around", `{ "data_hash" :\n "spaced" , "x": 1 }`, "spaced"],
  ["the first of two", `{"data_hash":"first","data_hash":"second"}`, "first"],
  ["after scalars and containers", `{"n":-1.5e3,"t":true,"z":null,"o":{"a":[1,{"data_hash":"no"}]},"data_hash":"yes"}`, "yes"],
  ["null", `{"data_hash":null,"x":"data_hash"}`, ""],
  ["a number", `{"data_hash":12}`, ""],
  ["an object", `{"data_hash":{"data_hash":"inner"}}`, ""],
  ["none at the top", `{"data_units":{"u":{"data_hash":"nested"}}}`, ""],
  ["not an object", `["data_hash","x"]`, ""],
  ["utf-8 value", `{"data_hash":"données-日本"}`, "données-日本"],
];

describe("rowDataHash: the row's own data_hash from its bytes", () => {
  it.each(CASES)("%s", (_name, row, want) => {
    expect(rowDataHash(Buffer.from(row))).toBe(want);
  });

  it("gives the same answer however the bytes are cut into chunks (every cut, and byte by byte)", () => {
    for (const [name, row, want] of CASES) {
      const bytes = Buffer.from(row);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const f = new RowKeyFinder();
        if (!f.push(bytes.subarray(0, cut))) f.push(bytes.subarray(cut));
        f.end();
        expect(f.value ?? "", `${name}, cut at ${cut}`).toBe(want);
      }
      const f = new RowKeyFinder();
      for (let i = 0; i < bytes.length && !f.done; i++) f.push(bytes.subarray(i, i + 1));
      f.end();
      expect(f.value ?? "", `${name}, byte by byte`).toBe(want);
    }
  });

  it("stops at the value: the rest of the row is never looked at (here it is not even JSON)", () => {
    const f = new RowKeyFinder();
    expect(f.push(Buffer.from(`{"label_hash":"l","data_hash":"early","data_units":{ this is ]]] not json`))).toBe(true);
    expect(f.value).toBe("early");
  });
});

describe("shardOf", () => {
  it("is pinned: a data hash's shard never changes between versions or runs", () => {
    const pinned: [string, number[]][] = [
      ["img-street-0001", [1, 2, 7, 95]],
      ["grp-0001", [0, 0, 2, 28]],
      ["", [1, 2, 7, 92]],
      ["0f3c2a9e-1b7d-4e2f-9a10-5c6d7e8f9a0b", [0, 1, 3, 40]],
      ["vid-1", [1, 2, 6, 80]],
    ];
    for (const [hash, shards] of pinned) expect([2, 3, 8, 100].map((n) => shardOf(hash, n)), hash).toEqual(shards);
    expect(shardOf("anything", 1)).toBe(0);
  });

  it("spreads data hashes evenly (8000 random hashes over 8 shards: each 1000 ± 12%)", () => {
    const random = seededRandom(7);
    const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join("");
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) {
      const s = shardOf(`${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`, 8);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(8);
      counts[s] = (counts[s] as number) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });
});

describe("parseShard", () => {
  it("reads K/N and auto/N (K from JOB_COMPLETION_INDEX)", () => {
    expect(parseShard("0/8", {})).toEqual({ index: 0, count: 8 });
    expect(parseShard(" 7 / 8 ", {})).toEqual({ index: 7, count: 8 });
    expect(parseShard("0/1", {})).toEqual({ index: 0, count: 1 });
    expect(parseShard("auto/4", { JOB_COMPLETION_INDEX: "3" })).toEqual({ index: 3, count: 4 });
  });

  it.each([
    ["8/8", {}, /K must be from 0 to 7/],
    ["1/0", {}, /N must be from 1/],
    [`0/${MAX_SHARDS + 1}`, {}, /N must be from 1/],
    ["-1/8", {}, /must be K\/N/],
    ["a/b", {}, /must be K\/N/],
    ["3", {}, /must be K\/N/],
    ["auto/4", {}, /JOB_COMPLETION_INDEX .*not set/],
    ["auto/4", { JOB_COMPLETION_INDEX: "4" }, /JOB_COMPLETION_INDEX is 4/],
    ["auto/4", { JOB_COMPLETION_INDEX: "two" }, /not a whole number/],
  ] as [string, NodeJS.ProcessEnv, RegExp][])("refuses %s", (text, env, message) => {
    expect(() => parseShard(text, env)).toThrow(message);
  });
});
