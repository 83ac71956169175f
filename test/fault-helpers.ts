// Helpers for the fault and path tests: run the built CLI with injected faults, snapshot folders to prove
// files were left untouched, find partial outputs and spools that should not exist.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, lstatSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { REPO } from "./fixtures.js";
import { BIN } from "./helpers.js";

export const INJECT = join(REPO, "test", "fault-inject.mjs");

/** True for `npm run test:long`: many more cases, fresh seeds, the slow checks. */
export const LONG = process.env.ROBUST_LONG === "1";

/** Per-test time limit of the robustness, fault and path suites (npm test passes its own as well). */
export const LIMIT_MS = LONG ? 7_200_000 : 120_000;

/** Every file, folder and link under `root` with a digest of its content: equal snapshots, equal trees. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const rel = relative(root, p).split(sep).join("/");
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out[rel] = `link -> ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[`${rel}/`] = "dir";
        walk(p);
      } else out[rel] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

/** Names in `dir` that are partial outputs (`.<name>.partial-<pid>-<tag>`) or their `.old` twins. */
export function partials(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.includes(".partial-")) : [];
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  maxRssKb?: number;
}

export interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
  input?: string | Buffer;
  /** Extra node flags, e.g. --max-old-space-size=256. */
  node?: string[];
  timeoutMs?: number;
}

/** Environment for a run: no colour, a private TMPDIR (spools must be gone afterwards). */
export function runEnv(tmp: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  mkdirSync(tmp, { recursive: true });
  return { ...process.env, NO_COLOR: "1", TMPDIR: tmp, ...extra };
}

/** Run the built CLI with fault-inject.mjs loaded; ENCORD_TEST_* variables in env choose the faults. */
export function runInjected(args: string[], tmp: string, opts: CliOptions = {}): CliRun {
  const r = spawnSync(process.execPath, [...(opts.node ?? []), "--import", INJECT, BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    env: runEnv(tmp, { ENCORD_TEST_RSS: "1", ...(opts.env ?? {}) }),
    input: opts.input,
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  let stderr = r.stderr.toString("utf8");
  let maxRssKb: number | undefined;
  const m = /^encord-test-maxrss=(\d+)\n/m.exec(stderr);
  if (m) {
    maxRssKb = Number(m[1]);
    stderr = stderr.replace(m[0], "");
  }
  return { code: r.status, signal: r.signal, stdout: r.stdout.toString("utf8"), stderr, maxRssKb };
}

/** Start the built CLI without waiting for it. */
export function startCli(args: string[], tmp: string, opts: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [...(opts.node ?? []), BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    env: runEnv(tmp, opts.env),
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Wait for a child to exit; collects its stderr. */
export function finished(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr })));
}

/** Poll until `test` holds (true) or the time is up (false). */
export async function waitFor(test: () => boolean, timeoutMs: number, everyMs = 10): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (test()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return test();
}

/** A line that looks like a JavaScript stack frame. */
export const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;
