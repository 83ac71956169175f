#!/usr/bin/env node
// The before/after table of the peer rows: two results files of `bench/run.mjs --peers-only` (or of a
// full run), rows matched by export, what and jobs. Absolute seconds move with the machine's load, so
// the change is also given as the ratio of the two `× JSON.parse` figures, each from its own run.
//
//   node bench/compare.mjs bench/results/before.json bench/results/after.json
//   node bench/compare.mjs bench/results/ab.json     # one run with --baseline-cli: baseline rows vs this build's
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const f2 = (x) => x.toFixed(2);
const key = (x) => `${x.export}\0${x.what}\0${String(x.jobs).replace(/^default \((\d+)\)$/, "$1")}`;
const load = (x) => {
  const l = x.loadPerRun.map((v) => v[0]);
  return `${Math.min(...l).toFixed(1)}-${Math.max(...l).toFixed(1)}`;
};

/** One A/B run (rows with build "baseline" and "this") as the before and after of compareTable. */
export function splitBuilds(results) {
  const side = (b) => ({ peers: { ...results.peers, rows: results.peers.rows.filter((x) => x.build === undefined || x.build === b) } });
  return [side("baseline"), side("this")];
}

/** Markdown: one line per row of `after` (then rows only `before` has), both runs' figures side by side. */
export function compareTable(before, after) {
  const b = new Map(before.peers.rows.map((x) => [key(x), x]));
  const a = new Map(after.peers.rows.map((x) => [key(x), x]));
  const keys = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
  const lines = [
    "| export | what | jobs | before: s (range) | before: × JSON.parse | after: s (range) | after: × JSON.parse | faster by (ratio of × JSON.parse) | peak RSS before → after | load 1 min before / after | after vs Encord SDK, published (not measured in this run) |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const k of keys) {
    const x = b.get(k);
    const y = a.get(k);
    const r = y ?? x;
    const ok = (v) => v && !v.failed;
    const s = (v) => (v?.failed ? "FAILED" : v ? `${f2(v.seconds)} (${f2(v.minSeconds)}-${f2(v.maxSeconds)})` : "-");
    const ratio = (v) => (ok(v) ? f2(v.ratioToJsonParse) : "-");
    const faster = ok(x) && ok(y) && r.format !== "json-parse" ? `${f2(x.ratioToJsonParse / y.ratioToJsonParse)}×` : "";
    const rss = `${ok(x) ? x.rssMb.toFixed(0) : "-"} → ${ok(y) ? y.rssMb.toFixed(0) : "-"} MB`;
    const pub = y?.speedUpVsPublished !== undefined ? `${y.publishedEncordSdkSeconds} s published: ${y.speedUpVsPublished.toFixed(0)}× faster` : "";
    lines.push(`| ${r.export} | ${r.what} | ${r.jobs} | ${s(x)} | ${ratio(x)} | ${s(y)} | ${ratio(y)} | ${faster} | ${rss} | ${x ? load(x) : "-"} / ${y ? load(y) : "-"} | ${pub} |`);
  }
  lines.push("", after.peers.publishedNote ?? before.peers.publishedNote ?? "");
  return lines.join("\n") + "\n";
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [bf, af] = process.argv.slice(2);
  const read = (f) => JSON.parse(readFileSync(f, "utf8"));
  if (!bf) {
    process.stderr.write("usage: compare.mjs BEFORE.json AFTER.json | compare.mjs AB.json (a run with --baseline-cli)\n");
    process.exitCode = 2;
  } else if (!af) {
    process.stdout.write(compareTable(...splitBuilds(read(bf))));
  } else {
    process.stdout.write(compareTable(read(bf), read(af)));
  }
}
