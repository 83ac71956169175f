// Shared test helpers: spawn the built CLI, run the independent validator, make temp folders.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll } from "vitest";
import { REPO } from "./fixtures.js";

export const BIN = join(REPO, "bin", "encord-convert.js");
export const VALIDATOR = resolve(REPO, "..", "shared", "tools", "validate_outputs.py");
const PYTHON = "/usr/bin/python3";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the built CLI (npm test builds first) with arguments, optional stdin bytes and env. */
export function runCli(args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; cwd?: string } = {}): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input: opts.input,
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: "1", ...(opts.env ?? {}) },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout.toString("utf8"), stderr: r.stderr.toString("utf8") };
}

let validatorOk: boolean | undefined;

/** True when validate_outputs.py and its Python packages are here (CI installs them). */
export function haveValidator(): boolean {
  if (validatorOk === undefined) {
    validatorOk =
      existsSync(VALIDATOR) && existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import numpy, PIL, yaml"]).status === 0;
    if (!validatorOk) console.warn("validate_outputs.py or its Python packages are missing; validator checks are skipped");
  }
  return validatorOk;
}

/** Run the independent validator on an output folder; returns its exit code and output. */
export function validate(dir: string, extra: string[] = []): RunResult {
  const r = spawnSync(PYTHON, [VALIDATOR, dir, ...extra], { maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout.toString("utf8"), stderr: r.stderr.toString("utf8") };
}

/** A fresh temporary folder, removed after the test file. */
export function tempDir(prefix = "ec-test-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(d, { recursive: true, force: true }));
  return d;
}
