// Small concurrency tools: a counting semaphore, and a set of running jobs with a bound (so the
// pipeline waits instead of queueing without limit) that keeps the first failure for the caller.

export class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

export class JobSet {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly max: number) {}

  /** Start a job, first waiting while `max` are running. Throws a failure of an earlier job. */
  async add(job: () => Promise<void>): Promise<void> {
    this.check();
    while (this.running.size >= this.max) await Promise.race(this.running);
    this.check();
    const p: Promise<void> = job()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Wait for every job; throws the first failure. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
    this.check();
  }

  /** Wait for every job, whatever its outcome (a failing run, before it removes its output). */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  get size(): number {
    return this.running.size;
  }

  /** Throws the first failure of a finished job, if any. */
  check(): void {
    if (this.failure) throw this.failure.error;
  }
}
