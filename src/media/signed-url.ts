// Signed data links: which ones can be fetched, when they expire (read from the link itself, before any
// request), and how to name one without its credential. A signed URL's query string is a credential:
// nothing the tool prints, logs or reports may hold it, so every message names a link through redactLink.

/** A data_link the downloader may follow: an absolute http: or https: URL. Storage paths, "", null are not. */
export function isDownloadable(link: string | undefined): link is string {
  if (!link) return false;
  try {
    const u = new URL(link);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

/** The query parameter `name`, matched without regard to case (S3 and GCS spell theirs in mixed case). */
function param(q: URLSearchParams, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of q) if (k.toLowerCase() === want) return v;
  return undefined;
}

/** 20250601T100000Z (the SigV4 and GCS V4 date) as a time in ms. */
function compactDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const t = Date.UTC(y as number, (mo as number) - 1, d, h, mi, s);
  return Number.isFinite(t) ? t : undefined;
}

function seconds(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,10}$/.test(text)) return undefined;
  return Number(text);
}

/**
 * When a signed link stops working, from its own query string: S3 SigV4 (X-Amz-Date + X-Amz-Expires),
 * GCS V4 (X-Goog-Date + X-Goog-Expires), Azure SAS (se=, an ISO 8601 time or date), and the older
 * S3/GCS V2 and CloudFront forms (Expires=, seconds since 1970, beside a signature). Undefined when the
 * link says nothing (unsigned, or a form not known here).
 */
export function linkExpiry(link: string): Date | undefined {
  let q: URLSearchParams;
  try {
    q = new URL(link).searchParams;
  } catch {
    return undefined;
  }
  for (const vendor of ["Amz", "Goog"]) {
    const start = param(q, `X-${vendor}-Date`);
    const ttl = seconds(param(q, `X-${vendor}-Expires`));
    if (start !== undefined && ttl !== undefined) {
      const t = compactDate(start);
      if (t !== undefined) return new Date(t + ttl * 1000);
    }
  }
  const se = param(q, "se");
  if (se !== undefined && param(q, "sig") !== undefined) {
    // Azure accepts a date alone (YYYY-MM-DD), meaning its midnight UTC.
    const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(se) ? `${se}T00:00:00Z` : se);
    if (Number.isFinite(t)) return new Date(t);
  }
  const epoch = seconds(param(q, "Expires"));
  if (epoch !== undefined && (param(q, "Signature") !== undefined || param(q, "Key-Pair-Id") !== undefined)) return new Date(epoch * 1000);
  return undefined;
}

/** True when the link names an expiry at or before `now`. */
export function isExpired(link: string, now: number = Date.now()): boolean {
  const e = linkExpiry(link);
  return e !== undefined && e.getTime() <= now;
}

/** A link as it may be shown: scheme, host and path; no user, password, query or fragment. */
export function redactLink(link: string): string {
  try {
    const u = new URL(link);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(a data link)";
  }
}

// Anything URL-shaped inside free text (an error message from the network stack may quote the URL).
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

/** Free text with every URL in it reduced to redactLink's form, so no query string can leak. */
export function scrubLinks(text: string): string {
  return text.replace(URL_IN_TEXT, (m) => redactLink(m));
}
