// Hostile titles, object hashes and class names through the real CLI, for every format: path traversal, absolute and
// Windows paths, device names, NUL/newline/colon, 300-character names, NFC and NFD forms of one name,
// two rows with one title, names differing only in case. Every run writes only inside its output
// folder (the test walks the whole sandbox, nested deep enough that any `..` escape lands inside it),
// every file name is safe on Linux, macOS and Windows, names are unique, and a rerun is byte-identical.
// And what -o and --force may never replace: the current folder or a parent of it, an input, the
// --images folder; nor may a folder format write "-" (it would land in the current folder).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SAMPLES } from "./fixtures.js";
import { LIMIT_MS, runEnv, snapshot, STACK_LINE } from "./fault-helpers.js";
import { BIN, tempDir } from "./helpers.js";
import { ffmpegOrSkip } from "./media-helpers.js";

const HAVE_FFMPEG = ffmpegOrSkip();

const UP = "../".repeat(9);

/** Every title the issue lists, and a few more. */
export const HOSTILE_TITLES: readonly string[] = [
  "../../etc/passwd",
  `${UP}escape.jpg`,
  "/abs/path.jpg",
  "a\\b.png",
  "..\\..\\windows\\system32\\x.jpg",
  "C:\\Users\\x.jpg",
  "con.jpg",
  "NUL",
  "aux.tar.png",
  "COM1.jpg",
  "lpt9.jpeg",
  "nul\u0000byte.jpg",
  "new\nline.jpg",
  "carriage\rreturn\ttab.png",
  "co:lon.jpg",
  'star*quest?"less<more>pipe|.jpg',
  `${"x".repeat(300)}.jpg`,
  `${"é".repeat(300)}.png`,
  `${"🦊".repeat(100)}.jpg`,
  "café.jpg", // NFC
  "cafe\u0301.jpg", // NFD: the same name to a reader, other bytes
  "dup.jpg",
  "dup.jpg", // a second row with the same title
  "DUP.jpg", // differs only in case
  ".",
  "..",
  "",
  "   ",
  ".hidden.jpg",
  "-rf.jpg",
  "$(touch pwned).jpg",
  "~/home.jpg",
  "%2e%2e%2fetc.jpg",
  "\u202Egnp.exe", // right-to-left override
  "zero\u200Bwidth.jpg",
];

type Row = Record<string, unknown>;

/** One image row per title (every shape; a bitmask whose objectHash and a class whose name are paths) plus a video row. */
function hostileExport(): { rows: Row[]; items: number } {
  const template = (JSON.parse(readFileSync(join(SAMPLES, "images.json"), "utf8")) as Row[])[0] as Row;
  const rows: Row[] = HOSTILE_TITLES.map((title, i) => {
    const row = structuredClone(template);
    const hash = `hostile-${String(i).padStart(3, "0")}`;
    const unit = structuredClone(Object.values(row.data_units as Record<string, Row>)[0] as Row);
    unit.data_hash = hash;
    unit.data_title = title;
    const labels = unit.labels as { objects: Row[] };
    for (const o of labels.objects) {
      if (o.shape === "bitmask") o.objectHash = `${UP}tmp/evil`;
      if (o.shape === "polygon") o.objectHash = "CON";
      // Class names become VOC file names (<class>_<set>.txt).
      if (o.shape === "bounding_box") o.name = `${UP}etc/cls:name\u0000`;
    }
    return { ...row, data_hash: hash, data_title: title, data_units: { [hash]: unit } };
  });
  const video = (JSON.parse(readFileSync(join(SAMPLES, "media.json"), "utf8")) as Row[])[0] as Row;
  const unit = Object.values(video.data_units as Record<string, Row>)[0] as Row;
  unit.data_title = `${UP}clip.mp4`;
  rows.push({ ...video, data_title: `${UP}clip.mp4` });
  const frames = Object.keys(unit.labels as Row).length;
  return { rows, items: HOSTILE_TITLES.length + frames };
}

/** What every file and folder name must be: one safe component on every common file system. */
function nameProblem(name: string): string | undefined {
  if (name === "" || name === "." || name === "..") return "empty or dot name";
  if (/[\u0000-\u001f\u007f]/.test(name)) return "control character";
  if (/[/\\:*?"<>|]/.test(name)) return "character Windows or POSIX refuses";
  if (Buffer.byteLength(name, "utf8") > 255) return "longer than 255 bytes";
  if (name !== name.normalize("NFC")) return "not NFC";
  if (/^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i.test(name.split(".")[0] ?? "")) return "Windows device name";
  if (/[. ]$/.test(name)) return "ends in a dot or space (Windows drops it)";
  return undefined;
}

interface Format {
  name: string;
  args: (input: string, out: string, images: string, pngs: string) => string[];
  /** Folders (relative to the output) holding one file per item. */
  perItem: string[];
  file?: boolean;
}

const FORMATS: Format[] = [
  { name: "coco", args: (i, o, img) => ["coco", i, "-o", o, "--images", img], perItem: ["images"] },
  { name: "coco-link", args: (i, o, img) => ["coco", i, "-o", o, "--images", img, "--media", "link"], perItem: ["images"] },
  { name: "yolo", args: (i, o, img) => ["yolo", i, "-o", o, "--task", "segment", "--images", img], perItem: ["labels/train", "images/train"] },
  { name: "voc", args: (i, o, img) => ["voc", i, "-o", o, "--masks", "--images", img], perItem: ["Annotations", "SegmentationClass", "SegmentationObject", "JPEGImages"] },
  { name: "pixel", args: (i, o, _img, pngs) => ["pixel", i, "-o", `${o}.json`, "--masks-dir", pngs], perItem: [], file: true },
  { name: "masks", args: (i, o, img) => ["masks", i, "-o", o, "--images", img], perItem: ["images"] },
  { name: "masks-semantic", args: (i, o) => ["masks", i, "-o", o, "--mode", "semantic"], perItem: ["semantic"] },
];

describe("hostile titles and object hashes", { timeout: LIMIT_MS }, () => {
  const sandbox = tempDir("ec-paths-");
  // Deep enough that nine "../" from any output file stay inside the sandbox, where the walk sees them.
  const deep = join(sandbox, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
  const input = join(sandbox, "hostile.json");
  const images = join(sandbox, "images-in");
  const tmp = join(sandbox, "tmp");
  let items = 0;
  let videoFrames = 0;

  beforeAll(() => {
    mkdirSync(deep, { recursive: true });
    mkdirSync(images);
    const { rows, items: n } = hostileExport();
    items = n;
    videoFrames = n - HOSTILE_TITLES.length;
    writeFileSync(input, JSON.stringify(rows));
    // Images found by data hash (a title with "/" cannot be a file name).
    for (const r of rows) writeFileSync(join(images, `${String(r.data_hash)}.jpg`), `pixels of ${String(r.data_hash)}`);
    // The video by its data hash: its labelled frames are extracted under the (hostile) title's names.
    if (HAVE_FFMPEG) {
      const v = spawnSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=25", "-frames:v", "12", join(images, "vid-clip-0001.mp4")]);
      expect(v.status, v.stderr.toString()).toBe(0);
    }
    mkdirSync(tmp);
  });

  /** Run one format into `out` from a working folder inside the sandbox. */
  function run(f: Format, out: string, pngs: string): { code: number | null; stderr: string } {
    const r = spawnSync(process.execPath, [BIN, ...f.args(input, out, images, pngs), "-q"], {
      cwd: deep,
      env: runEnv(tmp),
      timeout: 120_000,
    });
    return { code: r.status, stderr: r.stderr.toString("utf8") };
  }

  for (const f of FORMATS) {
    it(`${f.name}: writes only inside its output, safe and unique names, byte-identical rerun`, () => {
      const out = join(deep, `out-${f.name}`);
      const pngs = join(deep, `pngs-${f.name}`);
      const before = snapshot(sandbox);
      const r = run(f, out, pngs);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(STACK_LINE);

      // Nothing outside the output changed: the whole sandbox minus the outputs equals the snapshot.
      const roots = [f.file ? `${out}.json` : out, ...(f.file ? [pngs] : [])];
      const inside = (rel: string): boolean => roots.some((root) => {
        const r2 = relative(root, join(sandbox, rel.replace(/\/$/, "")));
        return r2 === "" || (!r2.startsWith("..") && !r2.startsWith(sep));
      });
      const after = snapshot(sandbox);
      const outside = Object.keys(after).filter((k) => !inside(k) && after[k] !== before[k]);
      expect(outside).toEqual([]);
      expect(Object.keys(before).filter((k) => !(k in after))).toEqual([]);
      expect(readdirSync(tmp)).toEqual([]);
      expect(existsSync("/abs")).toBe(false);

      // Every name in the output is safe, and unique per folder even ignoring case.
      const walkRoots = f.file ? [pngs] : [out];
      for (const root of walkRoots) {
        const files = Object.keys(snapshot(root));
        for (const rel of files) {
          for (const part of rel.replace(/\/$/, "").split("/")) expect(nameProblem(part), rel).toBeUndefined();
        }
        const lower = files.map((p) => p.toLowerCase());
        expect(new Set(lower).size).toBe(lower.length);
      }
      // One file per item where the format has one: two rows with one title are two files.
      for (const folder of f.perItem) {
        // Without ffmpeg (only outside CI) the video's frames have no image.
        const media = /images|JPEGImages/.test(folder) && !HAVE_FFMPEG ? items - videoFrames : items;
        expect(readdirSync(join(out, folder)).length, folder).toBe(media);
      }
      if (f.name === "coco") {
        const coco = JSON.parse(readFileSync(join(out, "annotations.json"), "utf8")) as { images: { file_name: string }[] };
        const names = coco.images.map((i) => i.file_name);
        expect(new Set(names).size).toBe(items);
        for (const n of names) expect(nameProblem(n), n).toBeUndefined();
      }
      if (f.file) {
        // Every png path in the JSON stays inside the masks folder.
        const text = readFileSync(`${out}.json`, "utf8");
        const pngPaths = [...text.matchAll(/"png":\s*"([^"]+)"/g)].map((m) => m[1] as string);
        expect(pngPaths.length).toBeGreaterThan(0);
        for (const p of pngPaths) expect(statSync(join(deep, p)).isFile(), p).toBe(true);
        for (const p of pngPaths) expect(relative(pngs, join(deep, p)).startsWith(".."), p).toBe(false);
      }

      // Stable: the same input gives the same names and bytes.
      const out2 = join(deep, `again-${f.name}`);
      const pngs2 = join(deep, `again-pngs-${f.name}`);
      expect(run(f, out2, pngs2).code).toBe(0);
      if (f.file) expect(snapshot(pngs2)).toEqual(snapshot(pngs));
      else expect(snapshot(out2)).toEqual(snapshot(out));
    });
  }
});

describe("what --force and -o may never replace", { timeout: LIMIT_MS }, () => {
  const sandbox = tempDir("ec-paths-force-");
  const project = join(sandbox, "project");
  const tmp = join(sandbox, "tmp");

  beforeAll(() => {
    mkdirSync(join(project, "data"), { recursive: true });
    mkdirSync(join(project, "media"));
    mkdirSync(tmp);
    writeFileSync(join(project, "data", "export.json"), readFileSync(join(SAMPLES, "images.json")));
    mkdirSync(join(project, "meta"));
    writeFileSync(join(project, "meta", "ontology.json"), readFileSync(join(SAMPLES, "ontology.json")));
    writeFileSync(join(project, "media", "street.jpg"), "pixels");
    writeFileSync(join(project, "notes.txt"), "the user's own file\n");
  });

  const cases: { name: string; args: string[]; message: RegExp }[] = [
    { name: "-o . (the current folder)", args: ["coco", "data/export.json", "-o", ".", "--force"], message: /refusing to replace \.: it is the current folder/ },
    { name: "-o .. (holds the current folder)", args: ["yolo", "data/export.json", "-o", "..", "--force"], message: /refusing to replace \.\.: it holds the current folder/ },
    { name: "-o data (holds the input)", args: ["voc", "data/export.json", "-o", "data", "--force"], message: /refusing to replace data: it holds data\/export\.json/ },
    { name: "-o the input file itself", args: ["pixel", "data/export.json", "-o", "data/export.json", "--force"], message: /refusing to replace data\/export\.json: it is data\/export\.json/ },
    { name: "-o meta (holds the ontology)", args: ["coco", "data/export.json", "--ontology", "meta/ontology.json", "-o", "meta", "--force"], message: /refusing to replace meta: it holds meta\/ontology\.json/ },
    { name: "-o media (the --images folder)", args: ["masks", "data/export.json", "-o", "media", "--images", "media", "--force"], message: /refusing to replace media: it is media/ },
    { name: "-o - for a folder format", args: ["yolo", "data/export.json", "-o", "-"], message: /yolo writes a folder; give -o <folder>/ },
  ];
  for (const c of cases) {
    it(`${c.name}: exit 2, nothing touched`, () => {
      const before = snapshot(sandbox);
      const r = spawnSync(process.execPath, [BIN, ...c.args], { cwd: project, env: runEnv(tmp) });
      const stderr = r.stderr.toString("utf8");
      expect(r.status, stderr).toBe(2);
      expect(stderr).toMatch(c.message);
      expect(snapshot(sandbox)).toEqual(before);
    });
  }
});
