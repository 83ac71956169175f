// Output appears only when a run succeeds: everything is written into a temporary sibling and
// renamed into place at the end; a failed or interrupted run removes it. A non-empty existing
// output is never replaced without --force.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { InputError } from "../model.js";

/** Raised when the output exists and --force was not given (a usage error). */
export class OutputExistsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputExistsError";
  }
}

const pending = new Set<string>();
let handlersInstalled = false;

/** Remove every temporary output and scratch folder still pending; used on signals and on exit. */
export function removePendingOutputs(): void {
  for (const p of pending) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch {
      // best effort while exiting
    }
  }
  pending.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [signal, code] of [["SIGHUP", 129], ["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.once(signal, () => {
      removePendingOutputs();
      process.stderr.write(`\nencord-convert: interrupted (${signal}); no output was written\n`);
      process.exit(code);
    });
  }
  process.once("exit", removePendingOutputs);
}

/**
 * A private scratch folder in the system's temp folder (spools), removed by remove() and, like a
 * pending output, on exit and on SIGINT/SIGTERM/SIGHUP, so an interrupted run leaves no spool behind.
 */
export function makeScratchDir(prefix = "encord-convert-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  installHandlers();
  pending.add(path);
  return {
    path,
    remove: () => {
      rmSync(path, { recursive: true, force: true });
      pending.delete(path);
    },
  };
}

function isNonEmpty(path: string): boolean {
  const st = statSync(path);
  return st.isDirectory() ? readdirSync(path).length > 0 : true;
}

/** The real path of `p` (symlinks resolved) when it exists, else its absolute path. */
function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/** True when `inner` is `outer` or lies inside it. */
function within(outer: string, inner: string): boolean {
  const r = relative(outer, inner);
  return r === "" || (r !== ".." && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

export type OutputKind = "dir" | "file";

/** A temporary sibling of `finalPath` that becomes it on commit(). */
export class AtomicOutput {
  readonly finalPath: string;
  readonly tempPath: string;
  private done = false;

  private constructor(finalPath: string, readonly kind: OutputKind) {
    this.finalPath = resolve(finalPath);
    const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
    this.tempPath = join(dirname(this.finalPath), `.${basename(this.finalPath)}.partial-${tag}`);
  }

  /**
   * Check the destination and create the temporary sibling. `keep`: paths the run reads (inputs,
   * ontology, images); --force never replaces an output that is or holds one of them, or the
   * current folder, since replacing it would delete them.
   */
  static prepare(finalPath: string, kind: OutputKind, force: boolean, keep: readonly string[] = []): AtomicOutput {
    const out = new AtomicOutput(finalPath, kind);
    if (existsSync(out.finalPath)) {
      const st = statSync(out.finalPath);
      if (kind === "dir" && !st.isDirectory()) {
        throw new OutputExistsError(`output ${finalPath} exists and is not a folder`);
      }
      if (kind === "file" && st.isDirectory()) {
        throw new OutputExistsError(`output ${finalPath} is a folder; give a file name`);
      }
      if (!force && isNonEmpty(out.finalPath)) {
        throw new OutputExistsError(
          `output ${finalPath} already exists${kind === "dir" ? " and is not empty" : ""}; use --force to replace it`,
        );
      }
      const target = real(out.finalPath);
      const held = [process.cwd(), ...keep].find((p) => within(target, real(p)));
      if (held !== undefined) {
        const what = held === process.cwd() ? "the current folder" : held;
        throw new OutputExistsError(`refusing to replace ${finalPath}: it ${target === real(held) ? "is" : "holds"} ${what}, which replacing would delete`);
      }
    }
    try {
      mkdirSync(dirname(out.finalPath), { recursive: true });
      if (kind === "dir") mkdirSync(out.tempPath);
    } catch (e) {
      throw new InputError(`cannot create output next to ${finalPath}: ${(e as Error).message}`);
    }
    installHandlers();
    pending.add(out.tempPath);
    return out;
  }

  /** Move the finished output into place, replacing what --force allowed us to replace. */
  commit(): void {
    if (this.done) return;
    this.done = true;
    if (this.kind === "file" && !existsSync(this.tempPath)) {
      pending.delete(this.tempPath);
      return;
    }
    let old: string | undefined;
    if (existsSync(this.finalPath)) {
      old = `${this.tempPath}.old`;
      renameSync(this.finalPath, old);
    }
    renameSync(this.tempPath, this.finalPath);
    pending.delete(this.tempPath);
    if (old) rmSync(old, { recursive: true, force: true });
  }

  /** Remove the temporary output; the destination is left as it was. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    rmSync(this.tempPath, { recursive: true, force: true });
    pending.delete(this.tempPath);
  }
}
