// Download progress: files settled of those sent, bytes, rate and ETA on a TTY (a real pseudo-terminal
// through script(1)), within the terminal's width; nothing at all on a pipe.
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ProgressLine } from "../src/cli/progress.js";
import { REPO } from "./fixtures.js";
import { BIN, tempDir } from "./helpers.js";
import { imageRow, MediaServer, noisePng, runCliAsync } from "./media-helpers.js";

function fakeStream(columns: number): { stream: NodeJS.WriteStream; writes: string[] } {
  const writes: string[] = [];
  const stream = { write: (s: string) => writes.push(s), isTTY: true, columns } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

describe("ProgressLine.media", () => {
  afterEach(() => vi.useRealTimers());

  it("files, bytes, rate and ETA, after the read stats are gone too; fits 60 columns", () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const { stream, writes } = fakeStream(120);
    const p = new ProgressLine(stream);
    p.media({ done: 0, sent: 4, bytes: 0, frames: 0 });
    vi.setSystemTime(2000);
    p.media({ done: 4, sent: 12, bytes: 8e6, frames: 0 });
    expect(writes.at(-1)).toBe("\r\x1b[Kmedia: 4/12 files, 8.0 MB, 4.0 MB/s, ETA 4s");
    vi.setSystemTime(2200);
    p.update({ input: "/data/export.json", bytesRead: 5e6, totalBytes: 10e6, rows: 100 });
    expect(writes.at(-1)).toMatch(/^\r\x1b\[Kmedia: 4\/12 files, 8\.0 MB, 4\.0 MB\/s, ETA 4s \| export\.json 5\.0 MB of 10\.0 MB \(50%\)/);
    const narrow = fakeStream(60);
    const q = new ProgressLine(narrow.stream);
    q.update({ input: "/data/export.json", bytesRead: 5e6, totalBytes: 10e6, rows: 100 });
    vi.setSystemTime(4400);
    q.media({ done: 40, sent: 120, bytes: 80e6, frames: 1234 });
    const line = (narrow.writes.at(-1) as string).replace("\r\x1b[K", "");
    expect(line.length).toBeLessThanOrEqual(59);
    expect(line.startsWith("media: 40/120 files")).toBe(true);
  });
});

describe("progress through the CLI", () => {
  const dir = tempDir("ec-progress-");
  const server = new MediaServer();
  const exportPath = join(dir, "export.json");
  const haveScript = spawnSync("script", ["--version"]).status === 0;

  beforeAll(async () => {
    await server.start();
    const rows = [];
    for (let i = 0; i < 12; i++) {
      const name = `p${i}.png`;
      server.files.set(name, { body: noisePng(64, 64, i + 1), behaviour: "slow", delayMs: 250 });
      rows.push(imageRow({ hash: `h${i}`, title: name, link: server.url(name), w: 64, h: 64 }));
    }
    writeFileSync(exportPath, JSON.stringify(rows));
  });
  afterAll(() => server.stop());

  it("on a pipe: no progress line at all", async () => {
    const r = await runCliAsync(["yolo", exportPath, "-o", join(dir, "pipe"), "--download", "--concurrency", "2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("\x1b[K");
    expect(r.stderr).not.toMatch(/\d+\/\d+ files/);
  });

  it.skipIf(!haveScript)("on a terminal: the media line with files, bytes, rate and ETA", async () => {
    const out = join(dir, "tty");
    const cmd = `stty cols 100; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} yolo ${JSON.stringify(exportPath)} -o ${JSON.stringify(out)} --download --concurrency 2`;
    const text = await new Promise<string>((resolve) => {
      const child = spawn("script", ["-qfec", cmd, "/dev/null"], { cwd: REPO, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
      let all = "";
      child.stdout.on("data", (d: Buffer) => (all += d.toString()));
      child.stderr.on("data", (d: Buffer) => (all += d.toString()));
      child.on("close", () => resolve(all));
    });
    const lines = text.split("\r\x1b[K").map((l) => l.split(/\r?\n/)[0] ?? "");
    const media = lines.filter((l) => l.startsWith("media: "));
    expect(media.length, text).toBeGreaterThan(2);
    expect(media.some((l) => /^media: \d+\/\d+ files, \d+\.\d MB, \d+\.\d MB\/s, ETA \d+s/.test(l)), media.join("\n")).toBe(true);
    for (const l of lines) expect(l.length).toBeLessThan(100);
    expect(text).toContain("media: 12 files placed (12 downloaded)");
  });
});
