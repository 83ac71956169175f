import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InputError } from "../src/model.js";
import { DEFAULT_MAX_ROW_BYTES } from "../src/options.js";
import { readRows, type HugeRowConsumer, type RawRowEvent } from "../src/read/rows.js";
import { FIXTURES, HAVE_FIXTURES, fixturePath } from "./fixtures.js";
import { chunked, collect, memorySource, rejection, rowsOf } from "./read-helpers.js";

// Values where JSON.parse and a token-by-token assembler could disagree.
const EDGE_ROWS: unknown[] = [
  {
    label_hash: "h-0",
    text: "héllo — 日本語 😀 \u0000\u001f \u2028\u2029 \ud83d\ude00",
    escapes: "\"\\/\b\f\n\r\t]}[{",
    numbers: [0, -0, 1, -1, 1.5, 1e308, 2.5e-308, 5e-324, 12345678901234567890, 0.1, 1e21, 1.7976931348623157e308],
    nested: { a: [[], {}, [[[]]], { b: { c: [null, true, false] } }] },
    empty: "",
  },
  { label_hash: "h-1", data_units: {}, object_answers: { x: { classifications: [] } } },
  { long: "x".repeat(5000), keys: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i} "q"`, i])) },
];
// Spellings JSON.stringify never writes (exponents, escaped letters, lone surrogates, duplicate and __proto__ keys).
const ODD_TEXT =
  '[{"n":[1E2, 1e+2, -0.0e-0, 1.0, 100e-2], "u":"\\u0041\\u00e9\\ud83d\\ude00\\ud800x", "dup":1, "dup":2, "__proto__":{"p":1}},\n' +
  ' {"deep":[[[[[[[[[[{"z":"\\\\"}]]]]]]]]]]} ]';

// What the rows are once written as JSON (-0 becomes 0).
const EDGE_JSON: unknown[] = JSON.parse(JSON.stringify(EDGE_ROWS)) as unknown[];

function values(rows: RawRowEvent[]): unknown[] {
  return rows.map((r) => r.value);
}

describe("readRows over in-memory documents", () => {
  it("reads the rows of a small array with index, offset and length", async () => {
    const text = `[\n ${EDGE_ROWS.map((r) => JSON.stringify(r)).join(",\n ")}\n]`;
    const rows = await rowsOf(text);
    expect(values(rows)).toEqual(EDGE_JSON);
    const buf = Buffer.from(text);
    rows.forEach((r, i) => {
      expect(r.kind).toBe("row");
      expect(r.index).toBe(i);
      expect(r.document).toBe("doc.json");
      expect(JSON.parse(buf.subarray(r.offset, r.offset + r.bytes).toString())).toEqual(r.value);
      expect(buf[r.offset]).toBe(0x7b);
    });
    expect(rows[0]?.offset).toBe(3);
  });

  it("reads a single top-level object as one row", async () => {
    const rows = await rowsOf(JSON.stringify(EDGE_ROWS[0]));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ index: 0, offset: 0, value: EDGE_JSON[0] });
  });

  it("gives the same rows for chunks of 1..7 bytes, on both paths", async () => {
    const text = JSON.stringify(EDGE_ROWS.slice(0, 2), null, 1);
    const expected = await rowsOf(text);
    for (let size = 1; size <= 7; size++) {
      expect(await rowsOf(text, size)).toEqual(expected);
      expect(await rowsOf(text, size, { maxRowBytes: 0 })).toEqual(expected);
      expect(await rowsOf(text, size, { maxRowBytes: 100 })).toEqual(expected);
    }
  });

  it("huge-row path equals the fast path (maxRowBytes 0, 100, default)", async () => {
    for (const text of [JSON.stringify(EDGE_ROWS), ODD_TEXT, JSON.stringify(EDGE_ROWS[2]), "[]"]) {
      const fast = await rowsOf(text);
      expect(values(fast)).toEqual(values(await rowsOf(text, 1 << 20, { maxRowBytes: DEFAULT_MAX_ROW_BYTES })));
      for (const maxRowBytes of [0, 100]) {
        for (const chunk of [3, 64, 1 << 20]) {
          expect(await rowsOf(text, chunk, { maxRowBytes })).toEqual(fast);
        }
      }
    }
    const odd = (await rowsOf(ODD_TEXT, 5, { maxRowBytes: 0 }))[0]?.value as Record<string, unknown>;
    expect(odd.dup).toBe(2);
    expect(Object.getPrototypeOf(odd)).toBe(Object.prototype);
    expect(Object.keys(odd)).toContain("__proto__");
    expect(Object.is((odd.n as number[])[2], -0)).toBe(true);
  });

  it("counts rows across documents and names each row's document", async () => {
    const src = memorySource([
      { name: "a.json", chunks: chunked(Buffer.from('[{"i":0},{"i":1}]'), 4) },
      { name: "b.json", chunks: [Buffer.from('{"i":2}')] },
      { name: "c.json", chunks: [Buffer.from("[]")] },
      { name: "d.json", chunks: [Buffer.from('[{"i":3}]')] },
    ]);
    const rows = await collect(readRows(src, { maxRowBytes: 3 }));
    expect(rows.map((r) => [r.index, r.document, r.offset, r.value])).toEqual([
      [0, "a.json", 1, { i: 0 }],
      [1, "a.json", 9, { i: 1 }],
      [2, "b.json", 0, { i: 2 }],
      [3, "d.json", 1, { i: 3 }],
    ]);
  });

  it("reports a row JSON.parse rejects with its index, offset and the parser's message", async () => {
    const text = '[{"a":1},\n{"b": tru},{"c":3}]';
    const err = await rejection(() => rowsOf(text));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/^doc\.json: row 1 \(byte offset 10\) is not valid JSON: \S.*/);
    expect(err.message).not.toContain("\n");
    expect((err as InputError).where?.row).toBe(1);
    // the same on the huge-row path
    const huge = await rejection(() => rowsOf(text, 4, { maxRowBytes: 0 }));
    expect(huge).toBeInstanceOf(InputError);
    expect(huge.message).toMatch(/^doc\.json: row 1 \(byte offset 10\) is not valid JSON: \S.*/);
    // mismatched brackets keep the depth count but fail the parse
    expect((await rejection(() => rowsOf('[{"a":[1}]]'))).message).toContain("row 0 (byte offset 1) is not valid JSON");
    expect((await rejection(() => rowsOf('[{"a":[1}]]', 2, { maxRowBytes: 0 }))).message).toContain("row 0 (byte offset 1) is not valid JSON");
    // raw control characters inside strings are invalid on both paths
    expect((await rejection(() => rowsOf('[{"a":"x\ny"}]'))).message).toContain("row 0");
    expect((await rejection(() => rowsOf('[{"a":"x\ny"}]', 3, { maxRowBytes: 0 }))).message).toContain("row 0");
  });

  it("reports truncation and garbage from the scanner on both paths", async () => {
    for (const maxRowBytes of [undefined, 0]) {
      const err = await rejection(() => rowsOf('[{"a":1},{"b":[1,2', 3, { maxRowBytes }));
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toBe("doc.json: export ends inside row 1 (byte offset 9): the file is truncated");
      expect((await rejection(() => rowsOf('"text"', 3, { maxRowBytes }))).message).toBe(
        "doc.json: top level is a string; expected an array of label rows",
      );
      expect((await rejection(() => rowsOf("[{}, 7]", 3, { maxRowBytes }))).message).toContain("row 1 (byte offset 5) is a number, not an object");
      expect((await rejection(() => rowsOf("[{}]]", 3, { maxRowBytes }))).message).toContain("trailing garbage");
    }
  });

  it("lets a huge-row consumer take over the token stream, and skips what it leaves", async () => {
    const seen: { index: number; tokens: number; first: string | undefined }[] = [];
    const consumer: HugeRowConsumer = async function* (tokens, row) {
      let count = 0;
      let first: string | undefined;
      for await (const batch of tokens) {
        first ??= batch[0]?.name;
        count += batch.length;
        if (row.index === 1) break; // stop early on row 1
      }
      seen.push({ index: row.index, tokens: count, first });
      yield { kind: "row", index: row.index, offset: row.offset, bytes: row.bytes(), document: row.document, value: count };
    };
    const text = '[{"a":[1,2,3]},{"b":"' + "y".repeat(300) + '"},{"c":{}}]';
    const rows = await rowsOf(text, 16, { maxRowBytes: 0, hugeRow: consumer });
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(seen[0]).toEqual({ index: 0, tokens: 8, first: "startObject" });
    expect(rows[0]?.bytes).toBe(13);
    expect(rows[2]?.value).toBe(5);
  });
});

describe.skipIf(!HAVE_FIXTURES)("readRows over the Encord SDK fixtures", () => {
  const files = HAVE_FIXTURES ? readdirSync(FIXTURES).filter((f) => f.endsWith(".json")) : [];

  it.each(files)("%s: as many rows as JSON.parse finds, the same values on both paths", async (file) => {
    const data = readFileSync(fixturePath(file));
    const whole: unknown = JSON.parse(data.toString("utf8"));
    const expected = Array.isArray(whole) ? whole : [whole];
    const fast = await rowsOf(data, 4096);
    expect(fast).toHaveLength(expected.length);
    expect(values(fast)).toEqual(expected);
    for (const r of fast) expect(JSON.parse(data.subarray(r.offset, r.offset + r.bytes).toString())).toEqual(r.value);
    expect(await rowsOf(data, 1000, { maxRowBytes: 0 })).toEqual(fast);
  });
});
