// A robustness case runner: one worker thread (test/robust-worker.mjs) with a heap cap, a time limit
// per case, and a fresh worker after a hang or a crash. Used by robust-props.test.ts and the long run.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { REPO } from "./fixtures.js";

export interface RobustCase {
  id: number;
  bytes: Uint8Array;
  format: "coco" | "yolo" | "voc" | "pixel" | "masks" | "inspect";
  formatOptions: Record<string, unknown>;
  maxPixels?: number;
  maxRowBytes?: number;
}

export interface RobustOutcome {
  id: number;
  /** ok: the run finished (exit 0 or 3); input-error: a clean exit 1; bug, hang, crash: a failure. */
  kind: "ok" | "input-error" | "bug" | "hang" | "crash";
  message: string;
  exitCode?: number;
  warnings?: number;
  notes?: number;
  /** Partial outputs, spools, or an output kept after a failure. */
  leftovers: string[];
  ms: number;
}

const WORKER = join(REPO, "test", "robust-worker.mjs");

export class RobustPool {
  private worker: Worker | undefined;
  private generation = 0;

  constructor(
    private readonly work: string,
    private readonly limits: { heapMb: number; caseMs: number },
  ) {
    mkdirSync(join(work, "tmp"), { recursive: true });
  }

  private start(): Worker {
    this.generation++;
    const w = new Worker(WORKER, {
      workerData: { work: this.work },
      env: { ...process.env, TMPDIR: join(this.work, "tmp") },
      resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb, maxYoungGenerationSizeMb: 32 },
      stderr: false,
    });
    w.unref();
    return w;
  }

  run(c: RobustCase): Promise<RobustOutcome> {
    const worker = (this.worker ??= this.start());
    return new Promise<RobustOutcome>((resolve) => {
      const started = Date.now();
      const finish = (o: RobustOutcome, restart: boolean): void => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        if (restart) {
          void worker.terminate();
          if (this.worker === worker) this.worker = undefined;
        }
        resolve(o);
      };
      const onMessage = (o: RobustOutcome): void => {
        if (o.id === c.id) finish(o, false);
      };
      const onError = (e: Error): void =>
        finish({ id: c.id, kind: "crash", message: `${(e as NodeJS.ErrnoException).code ?? e.name}: ${e.message}`, leftovers: [], ms: Date.now() - started }, true);
      const onExit = (code: number): void =>
        finish({ id: c.id, kind: "crash", message: `worker exited with ${code}`, leftovers: [], ms: Date.now() - started }, true);
      const timer = setTimeout(
        () => finish({ id: c.id, kind: "hang", message: `no result after ${this.limits.caseMs} ms`, leftovers: [], ms: Date.now() - started }, true),
        this.limits.caseMs,
      );
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      worker.postMessage(c);
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
