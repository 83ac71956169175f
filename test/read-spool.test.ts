// The frame-streaming huge-row consumer (read/spool.ts): a row's shell plus its spooled labels
// entries, read back, are exactly what JSON.parse gives for the whole row, whatever the chunking.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InputError } from "../src/model.js";
import { scanRows, type RawRowEvent } from "../src/read/rows.js";
import { spoolHugeRow, type SpooledRowEvent } from "../src/read/spool.js";
import { chunked, memorySource, rejection, tempDir } from "./read-helpers.js";

type Event = RawRowEvent | SpooledRowEvent;

/** Every row of `text` through the spool consumer (every row is "huge": maxRowBytes 0). */
async function spooled(text: string, chunk: number): Promise<Event[]> {
  const src = memorySource([{ name: "doc.json", chunks: chunked(Buffer.from(text, "utf8"), chunk) }]);
  const out: Event[] = [];
  for await (const ev of scanRows(src, { maxRowBytes: 0, hugeRowBytes: spoolHugeRow() })) {
    if (ev.kind === "bytes") throw new Error("a row took the fast path");
    // Read the entries back while the event is current (the spool goes when the consumer moves on).
    out.push(ev.kind === "spooled" ? { ...ev, shell: rebuild(ev) } : ev);
  }
  return out;
}

/** The shell with every spooled labels object put back, keys set as JSON.parse sets them. */
function rebuild(ev: SpooledRowEvent): unknown {
  const units = (ev.shell as { data_units: Record<string, Record<string, unknown>> }).data_units;
  for (const [key, frames] of ev.units) {
    const labels: Record<string, unknown> = {};
    for (let i = 0; i < frames.count; i++) {
      expect(frames.isObject(i)).toBe(typeof frames.read(i) === "object" && frames.read(i) !== null && !Array.isArray(frames.read(i)));
      Object.defineProperty(labels, frames.key(i), { value: frames.read(i), writable: true, enumerable: true, configurable: true });
    }
    expect(units[key]?.labels).toEqual({});
    (units[key] as Record<string, unknown>).labels = labels;
  }
  return ev.shell;
}

function valueOf(ev: Event): unknown {
  return ev.kind === "row" ? ev.value : ev.shell;
}

/** Keys at every level, in order: toEqual alone does not compare key order. */
function keyOrder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(keyOrder);
  if (v === null || typeof v !== "object") return v;
  return Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, keyOrder(x)]);
}

const VIDEO = {
  label_hash: "lh",
  data_type: "video",
  "data\"units": "a key with a quote",
  data_units: {
    "u-1": {
      data_hash: "u-1",
      labels: {
        "2": { objects: [{ objectHash: "o\"}{", bbox: [1, 2.5, -0, 1e21] }], classifications: [] },
        "0": { objects: [], note: "[{\\\"" },
        "10": { objects: [{ s: "é日本😀\u2028" }] },
        "1": "not an object",
        x: 7,
        "3": null,
        "4": [1, { a: [] }],
        __proto__: { p: true },
        "5": true,
      },
      width: 640,
      height: 480,
    },
    "u-2": { data_hash: "u-2", labels: null },
    "u-3": { labels: {} },
  },
  object_answers: { o: { classifications: [{ labels: { "0": 1 } }] } },
  after: { data_units: { x: { labels: { "9": 9 } } } },
};

describe("spoolHugeRow", () => {
  const text = `[ ${JSON.stringify(VIDEO)} ,\n ${JSON.stringify({ data_units: {}, plain: [1, "x"] })} ]`;
  const expected = JSON.parse(text) as unknown[];

  it("gives back exactly JSON.parse's rows, keys in order, at every chunk size", async () => {
    for (const chunk of [1, 2, 3, 5, 7, 64, 1 << 20]) {
      const rows = await spooled(text, chunk);
      expect(rows.map((r) => r.kind)).toEqual(["spooled", "row"]);
      expect(rows.map(valueOf)).toEqual(expected);
      expect(rows.map((r) => keyOrder(valueOf(r)))).toEqual(expected.map(keyOrder));
    }
  });

  it("keeps what JSON.parse keeps for repeated keys, __proto__ and escaped keys", async () => {
    const odd =
      '[{"data_units":{"u":{"labels":{"1":{"v":"first"},"\\u0030":{"v":"zero"},"1":{"v":"last"},"__proto__":{"v":"p"}}},' +
      '"u":{"labels":{"7":{"v":"second unit wins"}}}}, "data_units":{"w":{"labels":{"3":{}}},"w":{"nolabels":1}}}]';
    const want = JSON.parse(odd) as unknown[];
    for (const chunk of [1, 3, 1 << 20]) {
      const rows = await spooled(odd, chunk);
      expect(rows.map(valueOf)).toEqual(want);
      expect(rows.map((r) => keyOrder(valueOf(r)))).toEqual(want.map(keyOrder));
    }
    // The last data_units holds no labels object, so nothing is left spooled: a plain row.
    expect((await spooled(odd, 4))[0]?.kind).toBe("row");
  });

  it("keeps whitespace-heavy rows intact", async () => {
    const spaced = JSON.stringify([VIDEO], null, 3).replace(/:/g, " :\n\t");
    expect((await spooled(spaced, 3)).map(valueOf)).toEqual(JSON.parse(spaced));
  });

  it("fails on bad JSON with the row and its offset, in the shell, the labels or an entry", async () => {
    const cases: [string, RegExp][] = [
      ['[{"data_units":{"u":{"labels":{"0" {}}}}}]', /row 0 \(byte offset 1\) is not valid JSON: unexpected '\{' in a data unit's labels at byte offset 35/],
      ['[{"data_units":{"u":{"labels":{"0":{},}}}}]', /row 0 \(byte offset 1\) is not valid JSON: unexpected '\}'/],
      ['[{"data_units":{"u":{"labels":{"0":{} "1":{}}}}}]', /is not valid JSON: unexpected '"'/],
      ['[{"data_units":{"u":{"labels":{"x":{"a":tru}}}}}]', /is not valid JSON: .*labels entry "x"/],
      ['[{"data_units":{"u":{"labels":{}}},"k":nul}]', /row 0 \(byte offset 1\) is not valid JSON/],
    ];
    for (const [bad, message] of cases) {
      const err = await rejection(() => spooled(bad, 4));
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(message);
      expect((err as InputError).where?.row).toBe(0);
    }
    // A bad frame-numbered entry is found when it is read.
    const src = memorySource([{ name: "d", chunks: [Buffer.from('[{"data_units":{"u":{"labels":{"0":{"a":tru}}}}}]')] }]);
    let read = 0;
    for await (const ev of scanRows(src, { maxRowBytes: 0, hugeRowBytes: spoolHugeRow() })) {
      if (ev.kind !== "spooled") throw new Error("expected a spooled row");
      expect(() => ev.units.get("u")?.read(0)).toThrow(/d: row 0 \(byte offset 1\) is not valid JSON: .*labels entry "0"/);
      read++;
    }
    expect(read).toBe(1);
    const truncated = await rejection(() => spooled('[{"data_units":{"u":{"labels":{"0":{"a":1}', 5));
    expect(truncated.message).toContain("the file is truncated");
  });

  it("removes its spool when the consumer moves on", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const src = memorySource([{ name: "doc.json", chunks: chunked(Buffer.from(text), 16) }]);
      for await (const ev of scanRows(src, { maxRowBytes: 0, hugeRowBytes: spoolHugeRow({ tempDir: dir }) })) {
        if (ev.kind === "spooled") expect(readdirSync(dir)).toHaveLength(1);
      }
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
