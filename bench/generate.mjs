#!/usr/bin/env node
// encord-convert's own deterministic generator of synthetic Encord label exports, for the benchmark
// and the memory tests. Same options => byte-identical file. Needs the build (dist/) for the RLE code.
//
//   node bench/generate.mjs --out FILE [--mb 200] [--seed 1] [--objects 20] [--vertices 60]
//                           [--video-every 400] [--frames 2000] [--huge-video-mb 0] [--bitmask-share 0.04]
//                           [--rows N] [--polygon-share P]
//
//   The two peer-shaped exports of the bench (issue 14: 20,000 images of 10 objects, no video):
//   node bench/generate.mjs --out peer-boxpoly.json --rows 20000 --objects 10 --vertices 20 \
//                           --video-every 0 --bitmask-share 0 --polygon-share 0.3        # ~118 MB
//   node bench/generate.mjs --out peer-bitmask.json --rows 20000 --objects 10 --vertices 20 \
//                           --video-every 0 --bitmask-share 0.2 --polygon-share 0.3      # ~219 MB
//
// What it writes (a JSON array of label rows, compact, as Encord's API delivers them):
// - image rows, one data unit each, 1920x1080, `--objects` objects: boxes, rotatable boxes, polygons
//   of `--vertices` vertices (the legacy `polygon` dict and, for half of them, the newer `polygons`
//   list, one in ten of those with a hole), points, and bitmasks (`--bitmask-share`, 4%; 1 makes a
//   bitmask-only export for the mask benchmark) whose rleString is a real COCO-compressed string
//   over the ROW-major flattening (what Encord writes) of a union of ellipses;
// - one video row after every `--video-every` image rows, with `--frames` labelled frames of tracked
//   boxes and polygons, dynamic attributes in object_actions and a frame-range classification;
// - with --huge-video-mb X: a single video row of about X MB (frames generated and written one at a
//   time, so any size can be produced in bounded memory), alone in the export;
// - with --rows N: exactly N rows (video rows included) instead of rows until `--mb` is reached;
// - with --polygon-share P: the objects that are not bitmasks are only boxes and polygons, P of them
//   polygons (the peer exports' 70% boxes / 30% polygons), instead of the default mix.
// Without the last two options the output is byte-identical to what the generator wrote before them.
// A sidecar FILE.meta.json records the options and what was written (rows, items, objects, bytes).
import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
import { pathToFileURL } from "node:url";

const W = 1920;
const H = 1080;

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same export on every machine. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

class Gen {
  constructor(opts, encodeRleString) {
    this.o = opts;
    this.rand = prng(opts.seed);
    this.encode = encodeRleString;
    this.masks = [];
    this.counts = { rows: 0, imageRows: 0, videoRows: 0, items: 0, objects: 0, bitmasks: 0, polygons: 0, frames: 0 };
  }

  int(n) {
    return Math.floor(this.rand() * n);
  }

  hash(n = 8) {
    let s = "";
    for (let i = 0; i < n; i++) s += ALPHABET[this.int(62)];
    return s;
  }

  uuid() {
    const h = () => this.int(0x10000).toString(16).padStart(4, "0");
    return `${h()}${h()}-${h()}-4${h().slice(1)}-a${h().slice(1)}-${h()}${h()}${h()}`;
  }

  /** A normalised coordinate with 4 decimals, as Encord writes them. */
  coord(v) {
    return Math.min(1, Math.max(0, v)).toFixed(4);
  }

  /** A pool of bitmasks (union of 1..5 ellipses), each a row-major COCO RLE string as a JSON literal. */
  mask() {
    if (this.masks.length < 48) {
      const k = 1 + this.int(5);
      const ell = [];
      for (let i = 0; i < k; i++) {
        ell.push({ cx: 100 + this.int(W - 200), cy: 80 + this.int(H - 160), rx: 20 + this.int(220), ry: 20 + this.int(160) });
      }
      const counts = [];
      let pos = 0; // pixels accounted for so far
      for (let y = 0; y < H; y++) {
        // the row's set intervals: the ellipses' chords, merged
        const iv = [];
        for (const e of ell) {
          const dy = (y + 0.5 - e.cy) / e.ry;
          if (dy * dy >= 1) continue;
          const half = e.rx * Math.sqrt(1 - dy * dy);
          const x0 = Math.max(0, Math.ceil(e.cx - half - 0.5));
          const x1 = Math.min(W, Math.floor(e.cx + half - 0.5) + 1);
          if (x1 > x0) iv.push([x0, x1]);
        }
        iv.sort((a, b) => a[0] - b[0]);
        const merged = [];
        for (const [x0, x1] of iv) {
          const last = merged[merged.length - 1];
          if (last && x0 <= last[1]) last[1] = Math.max(last[1], x1);
          else merged.push([x0, x1]);
        }
        for (const [x0, x1] of merged) {
          const s = y * W + x0;
          const e = y * W + x1;
          // a run that starts where the last one ended (a row wrapping into the next) extends it
          if (counts.length > 0 && s === pos) counts[counts.length - 1] += e - s;
          else counts.push(s - pos, e - s);
          pos = e;
        }
      }
      counts.push(W * H - pos);
      // the code uses '0'..'o', which includes the backslash: kept as a JSON string literal
      this.masks.push(JSON.stringify(this.encode(counts)));
      return this.masks[this.masks.length - 1];
    }
    return this.masks[this.int(this.masks.length)];
  }

  /** Fields every Encord object carries. */
  objectHead(name, color, shape, objectHash, featureHash) {
    const t = "Mon, 11 Jul 2022 17:10:51 UTC";
    return (
      `"name":"${name}","color":"${color}","shape":"${shape}","value":"${name.toLowerCase()}","createdAt":"${t}",` +
      `"createdBy":"annotator@example.com","confidence":1,"objectHash":"${objectHash}","featureHash":"${featureHash}",` +
      `"lastEditedAt":"${t}","lastEditedBy":"annotator@example.com","manualAnnotation":true`
    );
  }

  box(cx, cy, w, h) {
    return `{"h":${this.coord(h)},"w":${this.coord(w)},"x":${this.coord(cx - w / 2)},"y":${this.coord(cy - h / 2)}}`;
  }

  /** A star-like ring of n vertices around (cx, cy), normalised. */
  ring(cx, cy, r, n) {
    const pts = [];
    const phase = this.rand() * Math.PI;
    for (let i = 0; i < n; i++) {
      const a = phase + (2 * Math.PI * i) / n;
      const rr = r * (0.75 + 0.25 * Math.sin(5 * a) + 0.05 * this.rand());
      pts.push([cx + (rr * Math.cos(a) * H) / W, cy + rr * Math.sin(a)]);
    }
    return pts;
  }

  /** The legacy `polygon` dict and, when asked, the newer `polygons` list (with a hole when asked). */
  polygonPayload(cx, cy, r, n, withList, withHole) {
    const pts = this.ring(cx, cy, r, n);
    let s = `"polygon":{${pts.map(([x, y], i) => `"${i}":{"x":${this.coord(x)},"y":${this.coord(y)}}`).join(",")}}`;
    if (withList) {
      const flat = (ring) => ring.map(([x, y]) => `${this.coord(x)},${this.coord(y)}`).join(",");
      const rings = [flat(pts)];
      if (withHole) rings.push(flat(this.ring(cx, cy, r / 4, 8)));
      s += `,"polygons":[[${rings.map((r) => `[${r}]`).join(",")}]]`;
    }
    return s;
  }

  /** One image object: the kind is drawn from a fixed mix. */
  imageObject(answers) {
    // Bitmasks take the first `bitmaskShare` of the roll; the rest is split as before.
    const u = this.rand();
    const share = this.o.bitmaskShare;
    const polygonShare = this.o.polygonShare;
    // roll 0.04 lands in the polygon branch below, 0.5 in the box branch; one draw either way, so the
    // default mix's random sequence is untouched
    const rest = share >= 1 ? 1 : (u - share) / (1 - share);
    const roll = u < share ? 0 : polygonShare !== undefined ? (rest < polygonShare ? 0.04 : 0.5) : share >= 1 ? 1 : 0.04 + rest * 0.96;
    const objectHash = this.hash();
    const cx = 0.1 + 0.8 * this.rand();
    const cy = 0.1 + 0.8 * this.rand();
    let body;
    if (roll < 0.04) {
      body = `${this.objectHead("Mask", "#FE9200", "bitmask", objectHash, "mAsK0001")},"bitmask":{"top":0,"left":0,"width":${W},"height":${H},"rleString":${this.mask()}}`;
      this.counts.bitmasks++;
    } else if (roll < 0.34) {
      body = `${this.objectHead("Region", "#68BC00", "polygon", objectHash, "p0LyG0n1")},${this.polygonPayload(cx, cy, 0.05 + 0.1 * this.rand(), this.o.vertices, this.rand() < 0.5, this.rand() < 0.1)}`;
      this.counts.polygons++;
    } else if (roll < 0.42) {
      body = `${this.objectHead("Rotated", "#0062B1", "rotatable_bounding_box", objectHash, "r0tBoX01")},"rotatableBoundingBox":{"h":${this.coord(0.1)},"w":${this.coord(0.08)},"x":${this.coord(cx - 0.04)},"y":${this.coord(cy - 0.05)},"theta":${(this.rand() * 360).toFixed(2)}}`;
    } else if (roll < 0.47) {
      body = `${this.objectHead("Point", "#D33115", "point", objectHash, "p0InT001")},"point":{"0":{"x":${this.coord(cx)},"y":${this.coord(cy)}}}`;
    } else {
      const cls = this.int(3);
      const names = ["Car", "Person", "Bicycle"];
      body = `${this.objectHead(names[cls], "#AB149E", "bounding_box", objectHash, `b0xCl4s${cls}`)},"boundingBox":${this.box(cx, cy, 0.02 + 0.2 * this.rand(), 0.02 + 0.2 * this.rand())}`;
    }
    const answer = this.rand() < 0.5 ? `{"name":"Occluded","value":"occluded","answers":[{"name":"Yes","value":"yes","featureHash":"yEs00001"}],"featureHash":"0cclUd3d","manualAnnotation":true}` : "";
    answers.push(`"${objectHash}":{"objectHash":"${objectHash}","classifications":[${answer}]}`);
    this.counts.objects++;
    return `{${body}}`;
  }

  rowHead(dataHash, title, dataType) {
    return (
      `"label_hash":"${this.uuid()}","branch_name":"main","created_at":"Thu, 09 Feb 2023 14:12:03 UTC",` +
      `"last_edited_at":"Thu, 09 Feb 2023 14:12:03 UTC","data_hash":"${dataHash}","annotation_task_status":"COMPLETED",` +
      `"is_shadow_data":false,"dataset_hash":"d947e847-88c8-4762-aee5-53dc7eeab852","dataset_title":"Synthetic benchmark",` +
      `"data_title":"${title}","data_type":"${dataType}","spaces":{}`
    );
  }

  imageRow(k) {
    const dataHash = this.uuid();
    const title = k % 50 === 7 ? `photo_${k}_été.jpg` : `photo_${k}.jpg`;
    const answers = [];
    const objects = [];
    for (let i = 0; i < this.o.objects; i++) objects.push(this.imageObject(answers));
    this.counts.rows++;
    this.counts.imageRows++;
    this.counts.items++;
    return (
      `{${this.rowHead(dataHash, title, "image")},"data_units":{"${dataHash}":{"data_hash":"${dataHash}","data_title":"${title}",` +
      `"data_type":"image/jpeg","data_sequence":0,"labels":{"objects":[${objects.join(",")}],"classifications":[]},` +
      `"data_link":"https://storage.example.com/${dataHash}","width":${W},"height":${H}}},` +
      `"object_answers":{${answers.join(",")}},"classification_answers":{},"object_actions":{},"label_status":"LABELLED"}`
    );
  }

  /**
   * A video row written piece by piece through `emit`: `frames` frames, or frames until `bytes`
   * have been written when bytes > 0. Tracks keep their objectHash across frames.
   */
  videoRow(k, frames, bytes, emit) {
    const dataHash = this.uuid();
    const unit = this.uuid();
    const title = `clip_${k}.mp4`;
    const tracks = [];
    for (let t = 0; t < 12; t++) {
      tracks.push({ hash: this.hash(), poly: t % 4 === 0, cx: 0.2 + 0.6 * this.rand(), cy: 0.2 + 0.6 * this.rand(), vx: (this.rand() - 0.5) / 2000, vy: (this.rand() - 0.5) / 2000 });
    }
    const classification = this.hash();
    let written = 0;
    const put = (s) => {
      written += s.length;
      emit(s);
    };
    put(`{${this.rowHead(dataHash, title, "video")},"data_units":{"${unit}":{"data_hash":"${unit}","data_title":"${title}","data_type":"video/mp4","data_sequence":0,"labels":{`);
    let f = 0;
    for (; bytes > 0 ? written < bytes : f < frames; f++) {
      const objs = [];
      for (const t of tracks) {
        // each track is on screen for 7 frames out of 8
        if ((f + t.hash.charCodeAt(0)) % 8 === 0) continue;
        const cx = t.cx + t.vx * (f % 4000);
        const cy = t.cy + t.vy * (f % 4000);
        if (t.poly) {
          objs.push(`{${this.objectHead("Region", "#68BC00", "polygon", t.hash, "p0LyG0n1")},${this.polygonPayload(cx, cy, 0.06, this.o.vertices, false, false)}}`);
          this.counts.polygons++;
        } else {
          objs.push(`{${this.objectHead("Car", "#AB149E", "bounding_box", t.hash, "b0xCl4s0")},"boundingBox":${this.box(cx, cy, 0.1, 0.08)}}`);
        }
        this.counts.objects++;
      }
      const cls = f % 100 < 10 ? `{"name":"Weather","value":"weather","createdAt":"Mon, 11 Jul 2022 17:10:51 UTC","createdBy":"annotator@example.com","confidence":1,"featureHash":"w3aTh3r1","classificationHash":"${classification}","manualAnnotation":true}` : "";
      put(`${f > 0 ? "," : ""}"${f}":{"objects":[${objs.join(",")}],"classifications":[${cls}]}`);
      this.counts.frames++;
      this.counts.items++;
    }
    const actions = tracks
      .filter((_, i) => i % 3 === 0)
      .map(
        (t) =>
          `"${t.hash}":{"objectHash":"${t.hash}","actions":[{"name":"Speed","value":"speed","answers":"fast","featureHash":"sP33d001","range":[[0,${Math.floor(f / 2)}]],"shouldPropagate":false,"trackHash":"${this.hash()}","manualAnnotation":true}]}`,
      );
    put(
      `},"data_fps":25,"data_duration":${(f / 25).toFixed(2)},"data_link":"https://storage.example.com/${unit}","width":${W},"height":${H}}},` +
        `"object_answers":{${tracks.map((t) => `"${t.hash}":{"objectHash":"${t.hash}","classifications":[]}`).join(",")}},` +
        `"classification_answers":{"${classification}":{"classificationHash":"${classification}","featureHash":"w3aTh3r1","classifications":[{"name":"Weather","value":"weather","answers":[{"name":"Sunny","value":"sunny","featureHash":"sUnNy001"}],"featureHash":"w3aTh3rQ","manualAnnotation":true}]}},` +
        `"object_actions":{${actions.join(",")}},"label_status":"LABELLED"}`,
    );
    this.counts.rows++;
    this.counts.videoRows++;
  }
}

/**
 * Write an export. Options: out (path), mb (target size in MB = 1e6 bytes), seed, objects,
 * vertices, videoEvery (0 = no video rows), frames, hugeVideoMb (> 0: one video row of that size),
 * bitmaskShare, rows (> 0: exactly that many rows, mb ignored), polygonShare (set: boxes and
 * polygons only besides bitmasks). Options left unset stay out of the sidecar's record.
 * Returns what was written.
 */
export async function generate(options) {
  const o = { mb: 200, seed: 1, objects: 20, vertices: 60, videoEvery: 400, frames: 2000, hugeVideoMb: 0, bitmaskShare: 0.04, ...options };
  const { encodeRleString } = await import(new URL("../dist/geometry/rle.js", import.meta.url).href);
  const g = new Gen(o, encodeRleString);
  const fd = openSync(o.out, "w");
  let bytes = 0;
  let parts = [];
  let pending = 0;
  const flush = () => {
    if (parts.length === 0) return;
    const buf = Buffer.from(parts.join(""), "utf8");
    writeSync(fd, buf);
    bytes += buf.length;
    parts = [];
    pending = 0;
  };
  const emit = (s) => {
    parts.push(s);
    pending += s.length;
    if (pending >= 4 << 20) flush();
  };
  try {
    emit("[");
    if (o.hugeVideoMb > 0) {
      g.videoRow(0, 0, o.hugeVideoMb * 1e6, emit);
    } else {
      const target = o.mb * 1e6;
      const more = (k) => (o.rows > 0 ? k < o.rows : bytes + pending < target);
      for (let k = 0; more(k); k++) {
        if (k > 0) emit(",\n");
        if (o.videoEvery > 0 && k % o.videoEvery === o.videoEvery - 1) g.videoRow(k, o.frames, 0, emit);
        else emit(g.imageRow(k));
      }
    }
    emit("]\n");
    flush();
  } finally {
    closeSync(fd);
  }
  const meta = { generator: "encord-convert bench/generate.mjs", options: { ...o, out: undefined }, bytes, ...g.counts };
  writeFileSync(`${o.out}.meta.json`, JSON.stringify(meta, null, 2) + "\n");
  return meta;
}

function parseArgs(argv) {
  const names = {
    out: "out",
    mb: "mb",
    seed: "seed",
    objects: "objects",
    vertices: "vertices",
    "video-every": "videoEvery",
    frames: "frames",
    "huge-video-mb": "hugeVideoMb",
    "bitmask-share": "bitmaskShare",
    rows: "rows",
    "polygon-share": "polygonShare",
  };
  const o = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[(argv[i] ?? "").replace(/^--/, "")];
    const value = argv[i + 1];
    if (!key || value === undefined) {
      throw new Error("usage: generate.mjs --out FILE [--mb N] [--seed N] [--objects N] [--vertices N] [--video-every N] [--frames N] [--huge-video-mb N] [--bitmask-share P] [--rows N] [--polygon-share P]");
    }
    o[key] = key === "out" ? value : Number(value);
  }
  if (!o.out) throw new Error("--out FILE is required");
  return o;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    const meta = await generate(parseArgs(process.argv.slice(2)));
    process.stdout.write(`${JSON.stringify(meta)}\n`);
  } catch (e) {
    process.stderr.write(`generate: ${e.message}\n`);
    process.exitCode = 2;
  }
}
