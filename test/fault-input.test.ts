// Input that fails midway, through the real CLI: a truncated .json.gz and .zip (a cut download), a named
// pipe whose writer stops halfway, stdin cut short, and a disk read error (EIO, injected). Each run ends
// with exit 1 and one line naming the input (and the row, where the JSON itself is cut), keeps no
// partial output and no spool, and leaves the existing output as it was. A stream that errors midway
// through the library (hooks.stdin) rejects with an InputError.
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { convert } from "../src/convert.js";
import { InputError } from "../src/model.js";
import { finished, LIMIT_MS, runInjected, snapshot, STACK_LINE, startCli } from "./fault-helpers.js";
import { tempDir } from "./helpers.js";
import { makeZip } from "./read-helpers.js";
import { writeSampleCopies } from "./robust-gen.js";

describe("input failing midway", { timeout: LIMIT_MS }, () => {
  const root = tempDir("ec-fault-input-");
  const work = join(root, "work");
  const tmp = join(root, "tmp");
  const input = join(root, "export.json");
  let bytes: Buffer;
  let before: Record<string, string>;

  beforeAll(async () => {
    await writeSampleCopies(input, 200);
    bytes = readFileSync(input);
    mkdirSync(join(work, "out"), { recursive: true });
    writeFileSync(join(work, "out", "keep.txt"), "the previous run's output\n");
    writeFileSync(join(work, "neighbour.txt"), "next to the output\n");
    mkdirSync(tmp);
    before = snapshot(work);
  });

  /** The promise for every failed run: exit 1, one line matching `message`, nothing changed. */
  function expectCleanFailure(r: { code: number | null; stderr: string }, message: RegExp): void {
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr.trimEnd().split("\n"), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(snapshot(work)).toEqual(before);
    expect(readdirSync(tmp)).toEqual([]);
  }

  const out = (): string[] => ["-o", join(work, "out"), "--force"];

  it("a .json.gz cut in half: exit 1, 'corrupt or truncated'", () => {
    const gz = gzipSync(bytes);
    const cut = join(root, "cut.json.gz");
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2)));
    expectCleanFailure(runInjected(["coco", cut, ...out()], tmp), /^encord-convert: error: .*cut\.json\.gz: gzip data is corrupt or truncated/);
  });

  it("a .zip cut before its directory: exit 1, names the archive", () => {
    const zip = makeZip([{ name: "export.json", data: bytes }]);
    const cut = join(root, "cut.zip");
    writeFileSync(cut, zip.subarray(0, Math.floor(zip.length * 0.7)));
    expectCleanFailure(runInjected(["yolo", cut, ...out()], tmp), /^encord-convert: error: .*cut\.zip/);
  });

  it("plain JSON cut in the middle of a row: exit 1, names the row", () => {
    const cut = join(root, "cut.json");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expectCleanFailure(runInjected(["voc", cut, ...out(), "--masks"], tmp), /^encord-convert: error: row \d+\b/);
  });

  it("stdin cut short: exit 1, names the row", () => {
    const r = runInjected(["masks", "-", ...out()], tmp, { input: bytes.subarray(0, Math.floor(bytes.length / 3)) });
    expectCleanFailure(r, /^encord-convert: error: row \d+\b.*stdin/);
  });

  it.skipIf(process.platform === "win32")("a named pipe whose writer stops halfway: exit 1, names the row", async () => {
    const fifo = join(root, "export.fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const child = startCli(["coco", fifo, ...out()], tmp);
    const done = finished(child);
    // Opening a FIFO for writing waits for the reader; the stream opens it off the main thread.
    const w = createWriteStream(fifo);
    w.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    w.end();
    expectCleanFailure(await done, /^encord-convert: error: row \d+\b.*export\.fifo/);
  });

  it("gzip through a named pipe, cut halfway: exit 1, 'corrupt or truncated'", async () => {
    const fifo = join(root, "export-gz.fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const child = startCli(["pixel", fifo, "-o", join(work, "out.json")], tmp);
    const done = finished(child);
    const gz = gzipSync(bytes);
    const w = createWriteStream(fifo);
    w.write(gz.subarray(0, Math.floor(gz.length / 2)));
    w.end();
    expectCleanFailure(await done, /^encord-convert: error: .*export-gz\.fifo: gzip data is corrupt or truncated/);
  });

  it("a disk read error (EIO) after 64 KiB: exit 1, names the input", () => {
    const r = runInjected(["coco", input, ...out()], tmp, { env: { ENCORD_TEST_FAIL_READ_AT: String(64 * 1024) } });
    expectCleanFailure(r, /^encord-convert: error: cannot read input .*export\.json: EIO/);
  });

  it("library: a stdin stream that errors midway rejects with an InputError and keeps nothing", async () => {
    let sent = false;
    const stdin = new Readable({
      read() {
        if (sent) return;
        sent = true;
        this.push(bytes.subarray(0, 200_000));
        setTimeout(() => this.destroy(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", syscall: "read" })), 5);
      },
    });
    const target = join(work, "out");
    const err = await convert({ format: "coco", inputs: ["-"], out: target, force: true }, { stdin }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe("cannot read stdin: read ECONNRESET");
    expect(snapshot(work)).toEqual(before);
  });
});
