// The progress line: bytes of the total, rows per second, ETA; at most ten updates a second.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ProgressLine } from "../src/cli/progress.js";

function fakeStream(): { stream: NodeJS.WriteStream; writes: string[] } {
  const writes: string[] = [];
  const stream = { write: (s: string) => writes.push(s), isTTY: true } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

describe("ProgressLine", () => {
  afterEach(() => vi.useRealTimers());

  it("shows bytes of the total, percent, ETA and rows per second, at most every 100 ms", () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const { stream, writes } = fakeStream();
    const p = new ProgressLine(stream);
    vi.setSystemTime(2000);
    p.update({ input: "x.json", bytesRead: 50e6, totalBytes: 200e6, rows: 1000 });
    expect(writes).toHaveLength(1);
    expect(writes[0]).toBe("\r\x1b[Kx.json: 50.0 MB of 200.0 MB (25%), ETA 6s, 1000 rows, 500 rows/s");
    vi.setSystemTime(2050);
    p.update({ input: "x.json", bytesRead: 51e6, totalBytes: 200e6, rows: 1010 });
    expect(writes).toHaveLength(1); // throttled
    vi.setSystemTime(2101);
    p.update({ input: "x.json", bytesRead: 52e6, rows: 1020 });
    expect(writes).toHaveLength(2);
    expect(writes[1]).toMatch(/52\.0 MB, 1020 rows/); // no total: no percent or ETA
    p.done();
    expect(writes[2]).toBe("\r\x1b[K");
  });

  it("is not created off a TTY or with --quiet", () => {
    const tty = process.stderr.isTTY;
    try {
      Object.defineProperty(process.stderr, "isTTY", { value: false, configurable: true });
      expect(ProgressLine.forStderr(false)).toBeUndefined();
      Object.defineProperty(process.stderr, "isTTY", { value: true, configurable: true });
      expect(ProgressLine.forStderr(true)).toBeUndefined();
      expect(ProgressLine.forStderr(false)).toBeInstanceOf(ProgressLine);
    } finally {
      Object.defineProperty(process.stderr, "isTTY", { value: tty, configurable: true });
    }
  });
});
