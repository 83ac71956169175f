import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../src/model.js";
import { readRows } from "../src/read/rows.js";
import { openInput, type InputSource } from "../src/read/source.js";
import { collect, makeZip, rejection, tempDir } from "./read-helpers.js";

const { dir, cleanup } = tempDir();
afterAll(cleanup);

function write(name: string, data: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

function rowsJson(from: number, count: number): string {
  return JSON.stringify(Array.from({ length: count }, (_, i) => ({ label_hash: `h${from + i}`, title: `ré ${from + i} ]}"` })));
}

async function bytesOf(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  return Buffer.concat(await collect(chunks));
}

async function rowValues(src: InputSource, maxRowBytes?: number): Promise<unknown[]> {
  return (await collect(readRows(src, { maxRowBytes }))).map((r) => r.value);
}

describe("openInput: files and gzip", () => {
  it("reads a plain file and counts the bytes read", async () => {
    const text = rowsJson(0, 5);
    const path = write("plain.json", text);
    const src = await openInput(path);
    expect(src).toMatchObject({ name: path, kind: "json", compressedSize: Buffer.byteLength(text) });
    expect(src.bytesRead()).toBe(0);
    expect(await rowValues(src)).toEqual(JSON.parse(text));
    expect(src.bytesRead()).toBe(Buffer.byteLength(text));
    // a file source can be read again
    expect((await bytesOf(src.open())).toString()).toBe(text);
  });

  it("detects gzip by its magic bytes, not its name", async () => {
    const text = rowsJson(0, 50);
    const gz = gzipSync(text);
    const path = write("export.json", gz); // gzip under a .json name
    const src = await openInput(path);
    expect(src.kind).toBe("gzip");
    expect(src.compressedSize).toBe(gz.length);
    const rows = await collect(readRows(src));
    expect(rows.map((r) => r.value)).toEqual(JSON.parse(text));
    expect(rows[0]?.document).toBe(path);
    expect(src.bytesRead()).toBe(gz.length);
    // a .gz name on plain JSON stays plain
    const plain = await openInput(write("plain.json.gz", text));
    expect(plain.kind).toBe("json");
    expect(await rowValues(plain)).toEqual(JSON.parse(text));
  });

  it("reads concatenated gzip members as one document", async () => {
    const path = write("multi.json.gz", Buffer.concat([gzipSync('[{"a":1},'), gzipSync('{"b":2}]')]));
    expect(await rowValues(await openInput(path))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("turns corrupt or truncated gzip into an InputError", async () => {
    const gz = gzipSync(rowsJson(0, 200));
    const path = write("cut.json.gz", gz.subarray(0, gz.length - 40));
    const err = await rejection(async () => rowValues(await openInput(path)));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/cut\.json\.gz: gzip data is corrupt or truncated \(.+\)$/);
    expect(err.message).not.toContain("\n");
    const bad = Buffer.from(gz);
    bad.fill(0xff, 20, 60);
    const err2 = await rejection(async () => rowValues(await openInput(write("bad.json.gz", bad))));
    expect(err2).toBeInstanceOf(InputError);
    expect(err2.message).toContain("gzip data is corrupt or truncated");
  });

  it("names the path of a missing file or a folder in a one-line InputError", async () => {
    const missing = join(dir, "nope", "export.json");
    const err = await rejection(() => openInput(missing));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(`cannot read input ${missing}: no such file`);
    const folder = join(dir, "folder");
    mkdirSync(folder);
    expect((await rejection(() => openInput(folder))).message).toBe(`cannot read input ${folder}: is a directory`);
  });

  it("reports a truncated plain file with the row it ends in", async () => {
    const text = rowsJson(0, 3);
    const path = write("trunc.json", text.slice(0, text.length - 10));
    const err = await rejection(async () => rowValues(await openInput(path)));
    expect(err.message).toBe(`${path}: export ends inside row 2 (byte offset ${Buffer.from(text).lastIndexOf("{")}): the file is truncated`);
  });
});

describe("openInput: stdin", () => {
  it("reads plain JSON from stdin", async () => {
    const text = rowsJson(0, 4);
    const src = await openInput("-", { stdin: Readable.from([Buffer.from(text.slice(0, 7)), Buffer.from(text.slice(7))]) });
    expect(src).toMatchObject({ name: "stdin", kind: "json" });
    expect(src.compressedSize).toBeUndefined();
    const rows = await collect(readRows(src));
    expect(rows.map((r) => r.value)).toEqual(JSON.parse(text));
    expect(rows[0]?.document).toBe("stdin");
    expect(src.bytesRead()).toBe(Buffer.byteLength(text));
  });

  it("detects gzip on stdin, even when the magic is split across chunks", async () => {
    const text = rowsJson(10, 30);
    const gz = gzipSync(text);
    const chunks = [gz.subarray(0, 1), gz.subarray(1, 3), gz.subarray(3)];
    const src = await openInput("-", { stdin: Readable.from(chunks) });
    expect(src.kind).toBe("gzip");
    expect(await rowValues(src, 0)).toEqual(JSON.parse(text));
    expect(src.bytesRead()).toBe(gz.length);
  });

  it("accepts string chunks and an empty stdin (then the scanner says it is empty)", async () => {
    const src = await openInput("-", { stdin: Readable.from(['[{"a":', '"é"}]']) });
    expect(await rowValues(src)).toEqual([{ a: "é" }]);
    const empty = await openInput("-", { stdin: Readable.from([]) });
    expect((await rejection(() => rowValues(empty))).message).toContain("stdin: the export is empty");
  });

  it("refuses a zip on stdin with a clear message, and a second read", async () => {
    const zip = makeZip([{ name: "a.json", data: Buffer.from("[]") }]);
    const err = await rejection(() => openInput("-", { stdin: Readable.from([zip]) }));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe("stdin holds a zip archive; a zip can only be read from a regular file (its directory is at its end): pass the .zip file's path");
    const src = await openInput("-", { stdin: Readable.from([Buffer.from("[]")]) });
    await rowValues(src);
    expect(() => src.open()[Symbol.asyncIterator]()).toThrow(/only once/);
  });
});

describe("openInput: zip", () => {
  const a = rowsJson(0, 3);
  const b = rowsJson(3, 2);
  const c = rowsJson(5, 4);
  const files = [
    { name: "exports/b.json", data: Buffer.from(b), method: 0 }, // stored
    { name: "readme.txt", data: Buffer.from("not json") },
    { name: "exports/", data: Buffer.alloc(0), method: 0 },
    { name: "__MACOSX/exports/._a.json", data: Buffer.from([0, 5, 22, 7]) },
    { name: "exports/._c.json", data: Buffer.from([0, 5, 22, 7]) },
    { name: "exports/c.JSON.gz", data: gzipSync(c) }, // gzip inside deflate
    { name: "exports/a.json", data: Buffer.from(a) }, // deflate
  ];

  for (const zip64 of [false, true]) {
    it(`streams every .json / .json.gz entry in entry-name order${zip64 ? " (zip64)" : ""}`, async () => {
      const zip = makeZip(files, { zip64, comment: "exported by a test" });
      const path = write(zip64 ? "e64.zip" : "e.zip", zip);
      const src = await openInput(path);
      expect(src.kind).toBe("zip");
      expect(src.compressedSize).toBe(zip.length);
      expect(src.entries?.map((e) => e.name)).toEqual(["exports/a.json", "exports/b.json", "exports/c.JSON.gz"]);
      for (const maxRowBytes of [undefined, 0]) {
        const rows = await collect(readRows(src, { maxRowBytes }));
        expect(rows.map((r) => r.value)).toEqual([...JSON.parse(a), ...JSON.parse(b), ...JSON.parse(c)]);
        expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
        expect(rows.map((r) => r.document)).toEqual([
          ...Array(3).fill(`${path}:exports/a.json`),
          ...Array(2).fill(`${path}:exports/b.json`),
          ...Array(4).fill(`${path}:exports/c.JSON.gz`),
        ]);
        expect(rows[3]?.offset).toBe(1);
        const compressed = src.entries?.reduce((n, e) => n + e.compressedSize, 0);
        expect(src.bytesRead()).toBe(compressed);
      }
      expect(() => src.open()).toThrow(/holds 3 JSON entries/);
    });
  }

  it("open() gives the only entry of a one-entry zip", async () => {
    const path = write("one.zip", makeZip([{ name: "x.json", data: Buffer.from(a) }]));
    expect((await bytesOf((await openInput(path)).open())).toString()).toBe(a);
  });

  it("refuses a zip without JSON entries, and an empty zip", async () => {
    const path = write("none.zip", makeZip([{ name: "notes.txt", data: Buffer.from("x") }]));
    expect((await rejection(() => openInput(path))).message).toBe(`${path}: the zip archive holds no .json or .json.gz entries (1 entries in all)`);
    const empty = write("empty.zip", makeZip([]));
    expect((await rejection(() => openInput(empty))).message).toContain("holds no .json");
  });

  it("reports truncated and corrupt archives as InputErrors", async () => {
    const zip = makeZip([{ name: "a.json", data: Buffer.from(a) }]);
    const cut = write("cut.zip", zip.subarray(0, zip.length - 30));
    const err = await rejection(() => openInput(cut));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain("no end-of-central-directory record");

    const crc = write("crc.zip", makeZip([{ name: "a.json", data: Buffer.from(a), method: 0, crcOf: Buffer.from("other") }]));
    const crcErr = await rejection(async () => rowValues(await openInput(crc)));
    expect(crcErr).toBeInstanceOf(InputError);
    expect(crcErr.message).toBe(`${crc}:a.json: CRC-32 mismatch in the zip entry: the archive is corrupt`);

    const method = write("lzma.zip", makeZip([{ name: "a.json", data: Buffer.from(a), method: 14 }]));
    const methodErr = await rejection(async () => rowValues(await openInput(method)));
    expect(methodErr.message).toBe(`${method}:a.json: the zip entry uses compression method 14; only stored (0) and deflate (8) are supported`);

    // corrupt deflate data
    const good = makeZip([{ name: "a.json", data: Buffer.from(rowsJson(0, 100)) }]);
    const bad = Buffer.from(good);
    bad.fill(0xff, 60, 90);
    const badPath = write("bad.zip", bad);
    const inflateErr = await rejection(async () => rowValues(await openInput(badPath)));
    expect(inflateErr).toBeInstanceOf(InputError);
    expect(inflateErr.message).toMatch(/bad\.zip:a\.json: (deflate data is corrupt|CRC-32 mismatch|the zip entry holds)/);
  });

  it("does not unpack to disk: documents are lazy and each can be read on its own", async () => {
    const path = write("lazy.zip", makeZip(files));
    const src = await openInput(path);
    const docs = await collect(src.documents());
    expect(docs.map((d) => d.name)).toEqual([`${path}:exports/a.json`, `${path}:exports/b.json`, `${path}:exports/c.JSON.gz`]);
    expect((await bytesOf(docs[2]!.chunks)).toString()).toBe(c);
    expect((await bytesOf(docs[0]!.chunks)).toString()).toBe(a);
    expect(statSync(dir).isDirectory()).toBe(true);
  });
});

describe.skipIf(process.platform === "win32")("openInput: a path that is a pipe", () => {
  it("reads a named pipe once, as a stream, with gzip detection", async () => {
    const { execFileSync } = await import("node:child_process");
    const { createWriteStream } = await import("node:fs");
    const fifo = join(dir, "pipe.json");
    execFileSync("mkfifo", [fifo]);
    const text = rowsJson(0, 20);
    const writer = createWriteStream(fifo);
    writer.end(gzipSync(text));
    const src = await openInput(fifo);
    expect(src.kind).toBe("gzip");
    expect(src.compressedSize).toBeUndefined();
    expect(await rowValues(src)).toEqual(JSON.parse(text));
  });
});
