// signed-url: expiry read from S3, GCS, Azure and older signed links; redaction keeps no credential.
import { describe, expect, it } from "vitest";
import { isDownloadable, isExpired, linkExpiry, redactLink, scrubLinks } from "../src/media/signed-url.js";

const S3 =
  "https://bucket.s3.eu-west-1.amazonaws.com/cord-images-prod/abc/street.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20250601%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20250601T100000Z&X-Amz-Expires=604800&X-Amz-SignedHeaders=host&X-Amz-Signature=deadbeef";
const GCS =
  "https://storage.googleapis.com/bucket/o/clip.mp4?x-goog-algorithm=GOOG4-RSA-SHA256&x-goog-credential=svc%40p.iam.gserviceaccount.com%2F20250601%2Fauto%2Fstorage%2Fgoog4_request&x-goog-date=20250601T120000Z&x-goog-expires=3600&x-goog-signedheaders=host&x-goog-signature=0123";
const AZURE = "https://acct.blob.core.windows.net/container/a%20b.png?sv=2021-08-06&se=2025-06-08T10%3A00%3A00Z&sr=b&sp=r&sig=abc%2Bdef%3D";

describe("linkExpiry", () => {
  it("S3 SigV4: X-Amz-Date + X-Amz-Expires seconds", () => {
    expect(linkExpiry(S3)?.toISOString()).toBe("2025-06-08T10:00:00.000Z");
  });
  it("GCS V4, lower-case parameter names", () => {
    expect(linkExpiry(GCS)?.toISOString()).toBe("2025-06-01T13:00:00.000Z");
  });
  it("Azure SAS se=, a time or a date alone", () => {
    expect(linkExpiry(AZURE)?.toISOString()).toBe("2025-06-08T10:00:00.000Z");
    expect(linkExpiry("https://a.blob.core.windows.net/c/x.jpg?se=2030-01-02&sig=x")?.toISOString()).toBe("2030-01-02T00:00:00.000Z");
  });
  it("V2 and CloudFront Expires= epoch seconds, only beside a signature", () => {
    expect(linkExpiry("https://b.s3.amazonaws.com/k.jpg?AWSAccessKeyId=A&Expires=1750000000&Signature=s")?.getTime()).toBe(1750000000000);
    expect(linkExpiry("https://d.cloudfront.net/k.jpg?Expires=1750000000&Key-Pair-Id=K&Signature=s")?.getTime()).toBe(1750000000000);
    expect(linkExpiry("https://example.com/k.jpg?Expires=1750000000")).toBeUndefined();
  });
  it("unsigned, malformed or not a URL: no expiry", () => {
    expect(linkExpiry("https://example.com/a.jpg")).toBeUndefined();
    expect(linkExpiry("https://x/a.jpg?X-Amz-Date=2025-06-01&X-Amz-Expires=10")).toBeUndefined();
    expect(linkExpiry("https://x/a.jpg?X-Amz-Date=20250601T100000Z&X-Amz-Expires=-5")).toBeUndefined();
    expect(linkExpiry("cord-images-prod/abc/street.jpg")).toBeUndefined();
  });
  it("isExpired compares with now", () => {
    expect(isExpired(S3, Date.UTC(2025, 5, 8, 9, 59, 59))).toBe(false);
    expect(isExpired(S3, Date.UTC(2025, 5, 8, 10, 0, 0))).toBe(true);
    expect(isExpired("https://example.com/a.jpg", Date.UTC(2100, 0, 1))).toBe(false);
  });
});

describe("isDownloadable", () => {
  it("only absolute http and https URLs", () => {
    expect(isDownloadable(S3)).toBe(true);
    expect(isDownloadable("http://127.0.0.1:8080/a.jpg")).toBe(true);
    for (const bad of ["", undefined, "cord-images-prod/abc/street.jpg", "s3://bucket/key.jpg", "gs://b/k", "file:///etc/passwd", "ftp://h/a.jpg", "/abs/path.jpg"]) {
      expect(isDownloadable(bad)).toBe(false);
    }
  });
});

describe("redaction", () => {
  it("redactLink keeps scheme, host and path only", () => {
    expect(redactLink(S3)).toBe("https://bucket.s3.eu-west-1.amazonaws.com/cord-images-prod/abc/street.jpg");
    expect(redactLink("https://user:pw@h.example:8443/p/q.jpg?sig=1#frag")).toBe("https://h.example:8443/p/q.jpg");
    expect(redactLink("not a url?sig=secret")).not.toContain("secret");
  });
  it("scrubLinks removes every query string from free text", () => {
    const text = `fetch failed for ${S3} (then "${AZURE}")`;
    const out = scrubLinks(text);
    expect(out).not.toContain("X-Amz-Signature");
    expect(out).not.toContain("sig=");
    expect(out).toContain("bucket.s3.eu-west-1.amazonaws.com/cord-images-prod/abc/street.jpg");
  });
});
