// Runs robustness cases for test/robust-props.test.ts in a worker thread, against the built library
// (dist/), so a case that hangs can be stopped (Worker.terminate interrupts even a busy loop) and one
// that allocates without bound hits the worker's heap limit instead of the test runner's.
// Plain JS because a worker thread cannot load TypeScript here; the shapes are documented below.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { convert } from "../dist/convert.js";
import { inspectExport } from "../dist/inspect.js";
import { InputError, describeLocation } from "../dist/model.js";

/**
 * @typedef {{ id: number, bytes: Uint8Array, format: string, formatOptions: Record<string, unknown>,
 *   maxPixels?: number, maxRowBytes?: number }} Case
 * @typedef {{ id: number, kind: "ok" | "input-error" | "bug", message: string, exitCode?: number,
 *   warnings?: number, notes?: number, leftovers: string[], ms: number }} Outcome
 */

const work = /** @type {string} */ (workerData.work);
const tmp = join(work, "tmp"); // the worker's TMPDIR (set by the parent): spools must be gone after each case
mkdirSync(tmp, { recursive: true });

/** Files a finished case must not leave: partial outputs, spools, or an output after a failure. */
function leftovers(failed, out, extra) {
  const found = [];
  for (const name of readdirSync(work)) if (name.includes(".partial-")) found.push(name);
  for (const name of readdirSync(tmp)) found.push(`tmp/${name}`);
  if (failed) for (const p of [out, ...extra]) if (existsSync(p)) found.push(p);
  return found;
}

/** @param {Case} c @returns {Promise<Outcome>} */
async function runCase(c) {
  const started = Date.now();
  const input = join(work, `in-${c.id}.json`);
  writeFileSync(input, c.bytes);
  const out = c.format === "pixel" ? join(work, `out-${c.id}.json`) : join(work, `out-${c.id}`);
  const formatOptions = { ...c.formatOptions };
  const extra = [];
  if (formatOptions.masksDir !== undefined) {
    formatOptions.masksDir = join(work, `pngs-${c.id}`);
    extra.push(formatOptions.masksDir);
  }
  /** @type {Outcome} */
  let outcome;
  try {
    if (c.format === "inspect") {
      const r = await inspectExport({ inputs: [input], maxPixels: c.maxPixels, maxRowBytes: c.maxRowBytes });
      outcome = { id: c.id, kind: "ok", message: "", exitCode: 0, warnings: r.problems.warnings, leftovers: [], ms: 0 };
    } else {
      const r = await convert({
        format: /** @type {any} */ (c.format),
        inputs: [input],
        out,
        force: true,
        formatOptions,
        maxPixels: c.maxPixels,
        maxRowBytes: c.maxRowBytes,
      });
      const json = r.report.toJSON();
      outcome = { id: c.id, kind: "ok", message: "", exitCode: r.exitCode, warnings: json.problems.warnings, notes: json.notes.length, leftovers: [], ms: 0 };
    }
  } catch (e) {
    if (e instanceof InputError) {
      const where = describeLocation(e.where);
      outcome = { id: c.id, kind: "input-error", message: `${where ? `${where}: ` : ""}${e.message}`, leftovers: [], ms: 0 };
    } else {
      const err = /** @type {Error} */ (e);
      outcome = { id: c.id, kind: "bug", message: `${err?.name}: ${err?.message}\n${err?.stack ?? ""}`, leftovers: [], ms: 0 };
    }
  }
  outcome.leftovers = leftovers(outcome.kind !== "ok", out, extra);
  outcome.ms = Date.now() - started;
  for (const p of [input, out, ...extra]) rmSync(p, { recursive: true, force: true });
  for (const name of readdirSync(tmp)) rmSync(join(tmp, name), { recursive: true, force: true });
  return outcome;
}

parentPort?.on("message", (c) => {
  runCase(c).then(
    (o) => parentPort?.postMessage(o),
    (e) => parentPort?.postMessage({ id: c.id, kind: "bug", message: String(e?.stack ?? e), leftovers: [], ms: 0 }),
  );
});
