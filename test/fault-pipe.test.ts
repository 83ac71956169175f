// Standard output closed early by the next command of a pipe (`| head -c 100`): the run stops at its
// next write, exits 0 and says nothing (no EPIPE noise, no stack trace), keeps no --masks-dir output
// and leaves no spool. Through the real CLI, both with a pipe this test closes and with a real shell.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { finished, LIMIT_MS, partials, runEnv, STACK_LINE, startCli } from "./fault-helpers.js";
import { BIN, tempDir } from "./helpers.js";
import { writeSampleCopies } from "./robust-gen.js";

describe("stdout closed early", { timeout: LIMIT_MS }, () => {
  const root = tempDir("ec-fault-pipe-");
  const input = join(root, "export.json");
  const tmp = join(root, "tmp");
  beforeAll(async () => {
    await writeSampleCopies(input, 2000); // 8,000 rows, ~18 MB of pixel JSON
  });

  /** Run, take `keep` bytes of stdout (0: close it at once), then close it; time the whole run. */
  async function closeAfter(args: string[], keep: number): Promise<{ code: number | null; stderr: string; got: number; ms: number }> {
    const started = Date.now();
    const child = startCli(args, tmp);
    const done = finished(child);
    let got = 0;
    const stdout = child.stdout;
    if (!stdout) throw new Error("no stdout pipe");
    if (keep === 0) stdout.destroy();
    else
      stdout.on("data", (d: Buffer) => {
        got += d.length;
        if (got >= keep) stdout.destroy();
      });
    const r = await done;
    return { code: r.code, stderr: r.stderr, got, ms: Date.now() - started };
  }

  it("pixel -o - closed after 100 bytes: exit 0, silent, stops early, no --masks-dir output, no spool", async () => {
    const t0 = Date.now();
    const full = spawnSync(process.execPath, [BIN, "pixel", input, "-o", "-", "-q"], { env: runEnv(tmp), maxBuffer: 1 << 30 });
    const wholeRun = Date.now() - t0;
    expect(full.status).toBe(0);

    const r = await closeAfter(["pixel", input, "-o", "-", "--masks-dir", join(root, "pngs")], 100);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(""); // no summary of a cut-short run, no EPIPE, no stack
    expect(r.got).toBeGreaterThanOrEqual(100);
    expect(existsSync(join(root, "pngs"))).toBe(false);
    expect(partials(root)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
    console.log(`pipe: pixel stopped ${r.ms} ms after start; the whole run takes ${wholeRun} ms`);
    expect(r.ms).toBeLessThan(wholeRun);
  });

  for (const args of [
    ["coco", "<input>", "-o", "-"],
    ["pixel", "<input>", "--jsonl"],
    ["inspect", "--json", "<input>"],
    ["inspect", "<input>"],
    ["--help"],
    ["coco", "--help"],
  ]) {
    it(`${args.join(" ")} with stdout closed before it writes: exit 0, no EPIPE, no stack trace`, async () => {
      const r = await closeAfter(
        args.map((a) => (a === "<input>" ? input : a)),
        0,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/EPIPE|internal error/);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(readdirSync(tmp)).toEqual([]);
    });
  }

  it.skipIf(!existsSync("/bin/bash"))("a real shell: encord-convert pixel ... -o - | head -c 100", () => {
    const r = spawnSync(
      "/bin/bash",
      ["-c", `set -o pipefail; "${process.execPath}" "${BIN}" pixel "${input}" -o - | head -c 100 > /dev/null; echo "status \${PIPESTATUS[0]}"`],
      { env: runEnv(tmp), timeout: 60_000 },
    );
    expect(r.stdout.toString("utf8").trim()).toBe("status 0");
    expect(r.stderr.toString("utf8")).toBe("");
    expect(readdirSync(tmp)).toEqual([]);
  });
});
