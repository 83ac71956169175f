// One file over HTTP(S) with Node's own fetch: the body streamed to a hidden `.part` file beside the
// destination, renamed only when complete and as long as Content-Length (or Content-Range) says.
// Network errors, timeouts, short bodies, 5xx and 429 are retried with backoff (Retry-After honoured);
// other 4xx are final. An interrupted file resumes with a Range request when the server gave a validator
// (ETag or Last-Modified) to check it is the same file, and restarts otherwise. No message built here
// holds the URL: the caller names the item, never the link (a signed URL is a credential).
import { mkdirSync } from "node:fs";
import { open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { scrubLinks } from "./signed-url.js";

export interface DownloadOptions {
  /** An attempt fails when no response headers, or no body bytes, arrive for this long. */
  timeoutMs: number;
  /** Attempts after the first, for failures worth retrying. */
  retries: number;
  /** The wait before retry k is backoffMs × 2^(k-1), plus up to half as much at random, at most 30 s. */
  backoffMs: number;
  /** A Retry-After longer than this is not waited for: the file fails with its status. */
  maxRetryAfterMs: number;
  /** The run's own abort (Ctrl-C, a failed run): stops at once, keeping the .part for a later resume. */
  signal?: AbortSignal;
  /** Called with each body chunk's size (progress). */
  onBytes?: (n: number) => void;
}

export const DEFAULT_DOWNLOAD_OPTIONS: Omit<DownloadOptions, "signal" | "onBytes"> = {
  timeoutMs: 30_000,
  retries: 4,
  backoffMs: 500,
  maxRetryAfterMs: 120_000,
};

export type DownloadFailure = "http" | "timeout" | "network" | "length";

export type DownloadResult =
  | { ok: true; bytes: number; resumedFrom: number; attempts: number }
  | { ok: false; failure: DownloadFailure; status?: number; attempts: number; detail: string };

/** The hidden partial file for a destination, and the small JSON beside it that makes resuming safe. */
export function partPaths(dest: string): { part: string; meta: string } {
  const part = join(dirname(dest), `.${basename(dest)}.part`);
  return { part, meta: `${part}.json` };
}

interface PartMeta {
  validator: string; // the ETag, or Last-Modified when the server gave no ETag
  total?: number;
}

/** One attempt's outcome: done, or a failure with whether it is worth another attempt. */
type Attempt =
  | { done: true; bytes: number; resumedFrom: number }
  | { done: false; retry: boolean; failure: DownloadFailure; status?: number; detail: string; waitMs?: number };

class AbortedError extends Error {}

/** Files larger than this get their resume record before the body (smaller ones restart cheaply after a kill). */
const EAGER_META_BYTES = 4 * 1024 * 1024;
/** Body chunks are written in batches of about this many bytes. */
const WRITE_BYTES = 1024 * 1024;

/** Download `url` to `dest` (whose folder is created). Never throws for network or HTTP trouble. */
export async function download(url: string, dest: string, options: DownloadOptions): Promise<DownloadResult> {
  mkdirSync(dirname(dest), { recursive: true });
  let attempts = 0;
  let last: Attempt | undefined;
  for (let k = 0; k <= options.retries; k++) {
    if (k > 0 && last && !last.done) {
      const backoff = Math.min(30_000, options.backoffMs * 2 ** (k - 1));
      await sleep(Math.max(last.waitMs ?? 0, backoff + Math.random() * backoff * 0.5), options.signal);
    }
    attempts++;
    last = await attempt(url, dest, options);
    if (last.done) return { ok: true, bytes: last.bytes, resumedFrom: last.resumedFrom, attempts };
    if (!last.retry) break;
  }
  const f = last as Extract<Attempt, { done: false }>;
  return { ok: false, failure: f.failure, status: f.status, attempts, detail: f.detail };
}

async function readMeta(path: string): Promise<PartMeta | undefined> {
  try {
    const m = JSON.parse(await readFile(path, "utf8")) as PartMeta;
    return typeof m.validator === "string" ? m : undefined;
  } catch {
    return undefined;
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function discard(part: string, meta: string): Promise<void> {
  await rm(part, { force: true });
  await rm(meta, { force: true });
}

/** Retry-After as milliseconds: delta seconds or an HTTP date. */
function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const t = Date.parse(value);
  return Number.isFinite(t) ? Math.max(0, t - Date.now()) : undefined;
}

function parseContentRange(value: string | null): { start: number; total?: number } | undefined {
  const m = value ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value.trim()) : null;
  if (!m) return undefined;
  return { start: Number(m[1]), total: m[3] === "*" ? undefined : Number(m[3]) };
}

function errorText(e: unknown): { code?: string; text: string } {
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err?.cause?.code ?? err?.code;
  const text = err?.cause?.message ?? err?.message ?? String(e);
  return { code, text: scrubLinks(text) };
}

async function attempt(url: string, dest: string, options: DownloadOptions): Promise<Attempt> {
  const { part, meta } = partPaths(dest);
  const have = await sizeOf(part);
  const saved = have > 0 ? await readMeta(meta) : undefined;
  if (have > 0 && !saved) await discard(part, meta); // nothing to check the partial file against: start over
  const from = saved ? have : 0;

  const ctl = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      ctl.abort();
    }, options.timeoutMs);
  };
  const onRunAbort = (): void => ctl.abort();
  if (options.signal?.aborted) throw new AbortedError("aborted");
  options.signal?.addEventListener("abort", onRunAbort, { once: true });
  arm();
  let received = 0;
  let base = 0; // bytes already in the .part that this response continues
  let stage: "headers" | "body" = "headers";
  let total: number | undefined;
  let validator: string | null = null;
  let metaSaved = false;
  const saveMeta = async (): Promise<void> => {
    if (!validator || metaSaved) return;
    metaSaved = true;
    await writeFile(meta, JSON.stringify({ validator, total } satisfies PartMeta));
  };
  try {
    const headers: Record<string, string> = { "accept-encoding": "identity" };
    if (saved && from > 0) {
      headers.range = `bytes=${from}-`;
      headers["if-range"] = saved.validator;
    }
    const res = await fetch(url, { headers, signal: ctl.signal, redirect: "follow" });
    if (res.status === 416 && from > 0) {
      // The partial file is no prefix of what the server has now: start over at once.
      await res.body?.cancel();
      await discard(part, meta);
      return { done: false, retry: true, failure: "http", status: 416, detail: "range not satisfiable; restarting", waitMs: 0 };
    }
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel().catch(() => undefined);
      const retry = res.status === 429 || res.status >= 500;
      const wait = retryAfterMs(res.headers.get("retry-after"));
      if (retry && wait !== undefined && wait > options.maxRetryAfterMs) {
        return { done: false, retry: false, failure: "http", status: res.status, detail: `HTTP ${res.status}, Retry-After ${Math.round(wait / 1000)} s is too long to wait` };
      }
      return { done: false, retry, failure: "http", status: res.status, detail: `HTTP ${res.status}`, waitMs: wait };
    }
    let append = false;
    const encoded = (res.headers.get("content-encoding") ?? "identity") !== "identity";
    if (res.status === 206) {
      const range = parseContentRange(res.headers.get("content-range"));
      if (!range || range.start !== from) {
        await res.body?.cancel().catch(() => undefined);
        await discard(part, meta);
        return { done: false, retry: true, failure: "http", status: 206, detail: "unexpected Content-Range; restarting", waitMs: 0 };
      }
      append = true;
      base = from;
      total = range.total;
    } else {
      const len = res.headers.get("content-length");
      total = len !== null && /^\d+$/.test(len) && !encoded ? Number(len) : undefined;
    }
    validator = res.headers.get("etag") ?? res.headers.get("last-modified");
    // The resume record goes down before the body of a large file (so that even a killed run resumes it);
    // for a small one only when this attempt leaves a partial file behind (saveMeta below).
    if (!append && saved) await rm(meta, { force: true }); // a record of another file's bytes
    if (validator && (total === undefined || total - base > EAGER_META_BYTES)) await saveMeta();
    stage = "body";
    const fh = await open(part, append ? "a" : "w");
    // Chunks are gathered up to WRITE_BYTES and written together: one file write per ~16 KiB chunk costs more than the download.
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      if (pendingBytes === 0) return;
      const batch = pending;
      pending = [];
      pendingBytes = 0;
      await fh.writev(batch);
    };
    try {
      if (res.body) {
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          arm();
          pending.push(chunk);
          pendingBytes += chunk.length;
          received += chunk.length;
          options.onBytes?.(chunk.length);
          if (pendingBytes >= WRITE_BYTES) await flush();
        }
      }
    } finally {
      // What arrived before a failure is kept: the next attempt continues from it.
      await flush().finally(() => fh.close());
    }
    const size = base + received;
    if (total !== undefined && size !== total) {
      if (size > total) await discard(part, meta);
      else await saveMeta();
      return { done: false, retry: true, failure: "length", detail: `got ${size} of ${total} bytes` };
    }
    await rename(part, dest);
    if (metaSaved || saved) await rm(meta, { force: true });
    return { done: true, bytes: size, resumedFrom: base };
  } catch (e) {
    if (stage === "body" && base + received > 0) await saveMeta().catch(() => undefined);
    if (options.signal?.aborted) throw new AbortedError("aborted");
    if (timedOut) {
      const detail = stage === "headers" ? `no response within ${options.timeoutMs} ms` : `no data for ${options.timeoutMs} ms`;
      return { done: false, retry: true, failure: "timeout", detail };
    }
    const { code, text } = errorText(e);
    // A body cut off before its announced length, without a reset, is a short body rather than a network fault.
    if (stage === "body" && code !== "ECONNRESET" && total !== undefined && base + received < total) {
      return { done: false, retry: true, failure: "length", detail: `connection closed after ${base + received} of ${total} bytes` };
    }
    return { done: false, retry: true, failure: "network", detail: code ? `${code}: ${text}` : text };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onRunAbort);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError("aborted"));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new AbortedError("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function isAbort(e: unknown): boolean {
  return e instanceof AbortedError;
}
