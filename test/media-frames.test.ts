// Video frames with a real ffmpeg: videos whose frame k is a flat colour encoding k (lossless x264rgb in
// mkv, near-lossless x264 in mp4), labelled on some frames, converted with --download (from a local
// server) or --images; every extracted image is decoded and must be frame k's colour. A label past the
// last frame is reported; --frames all writes every frame; every folder format gets the frames.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFfmpeg, flagsFor, parseFfmpegVersion } from "../src/media/ffmpeg.js";
import { extractFrames, frameRuns, qscaleFor, selectExpression } from "../src/media/frames.js";
import { haveValidator, tempDir, validate } from "./helpers.js";
import {
  colourOf,
  ffmpegOrSkip,
  frameOfColour,
  groupRow,
  imageRow,
  makeColourVideo,
  makeImage,
  meanColour,
  MediaServer,
  runCliAsync,
  videoRow,
  walk,
} from "./media-helpers.js";

const HAVE = ffmpegOrSkip();

describe("frames.ts and ffmpeg.ts, pure parts", () => {
  it("frameRuns joins consecutive frames; selectExpression is a balanced tree true exactly on them", () => {
    expect(frameRuns([0, 1, 2, 5, 7, 8])).toEqual([[0, 2], [5, 5], [7, 8]]);
    expect(selectExpression([])).toBe("0");
    expect(selectExpression([[4, 4]])).toBe("eq(n,4)");
    expect(selectExpression([[0, 2], [5, 5], [7, 8]])).toBe("if(lt(n,5),between(n,0,2),if(lt(n,7),eq(n,5),between(n,7,8)))");
    // Depth grows with log2(runs): ffmpeg's expression parser allows only ~100 levels.
    const many = Array.from({ length: 100_000 }, (_, i) => [i * 3, i * 3] as [number, number]);
    const e = selectExpression(many);
    let depth = 0;
    let max = 0;
    for (const ch of e) {
      if (ch === "(") max = Math.max(max, ++depth);
      else if (ch === ")") depth--;
    }
    expect(max).toBeLessThanOrEqual(2 * 18);
  });

  it("version parsing picks -fps_mode (5.1+) or -vsync, and the filter-script option of the version", () => {
    expect(parseFfmpegVersion("ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026")).toMatchObject({ major: 5, minor: 1 });
    expect(parseFfmpegVersion("ffmpeg version n7.0.2 Copyright")).toMatchObject({ major: 7, minor: 0, version: "7.0.2" });
    expect(parseFfmpegVersion("ffmpeg version 4.1.4-static https://johnvansickle.com")).toMatchObject({ major: 4, minor: 1 });
    expect(parseFfmpegVersion("ffmpeg version N-113000-g1234abcd")).toMatchObject({ major: 99 });
    // A git build (as the npm package @ffmpeg-installer/linux-x64 ships, from 2018): told by its libavutil.
    expect(parseFfmpegVersion("ffmpeg version N-47683-g0e8eb07980-static https://johnvansickle.com/ffmpeg/\nlibavutil      56. 24.101 / 56. 24.101\n")).toMatchObject({ major: 4 });
    expect(parseFfmpegVersion("ffmpeg version N-1-gabc\nlibavutil      57. 28.100 / 57. 28.100")).toMatchObject({ major: 5, minor: 1 });
    expect(parseFfmpegVersion("ffmpeg version N-1-gabc\nlibavutil      57. 17.100 / 57. 17.100")).toMatchObject({ major: 5, minor: 0 });
    expect(parseFfmpegVersion("ffmpeg version N-1-gabc\nlibavutil      59.  8.100 / 59.  8.100")).toMatchObject({ major: 7 });
    expect(parseFfmpegVersion("not ffmpeg")).toBeUndefined();
    expect(flagsFor(4, 1).passthrough).toEqual(["-vsync", "0"]);
    expect(flagsFor(5, 0).passthrough).toEqual(["-vsync", "0"]);
    expect(flagsFor(5, 1).passthrough).toEqual(["-fps_mode", "passthrough"]);
    expect(flagsFor(6, 1).filterScript("f")).toEqual(["-filter_complex_script", "f"]);
    expect(flagsFor(7, 0).filterScript("f")).toEqual(["-/filter_complex", "f"]);
  });

  it("JPEG quality 1-100 maps onto ffmpeg's -q:v 31-2", () => {
    expect(qscaleFor(100)).toBe(2);
    expect(qscaleFor(95)).toBe(3);
    expect(qscaleFor(1)).toBe(31);
  });
});

describe.skipIf(!HAVE)("extractFrames on real videos", () => {
  const dir = tempDir("ec-frames-");

  it("a long video with sparse labels: one pass writes only the wanted frames, each the right one", async () => {
    const video = join(dir, "long.mkv");
    makeColourVideo(video, 300, 32, 24);
    const ff = findFfmpeg();
    if (!ff) throw new Error("no ffmpeg");
    const work = join(dir, "work-sparse");
    mkdirSync(work);
    const out = await extractFrames(ff, { video, frames: [5, 250, 299, 300, 1000], workDir: work, format: "png", qscale: 2 });
    expect(out.decoded).toBe(300);
    expect(out.files).toHaveLength(3); // 300 and 1000 are past the end
    expect(walk(work).filter((f) => f.endsWith(".png"))).toHaveLength(3);
    for (const [i, k] of [5, 250, 299].entries()) {
      const png = PNG.sync.read(readFileSync(out.files[i] as string));
      expect([...png.data.subarray(0, 3)]).toEqual(colourOf(k));
    }
  });

  it("a selection of 150 separate runs (read from a filter script)", async () => {
    const video = join(dir, "every-other.mkv");
    makeColourVideo(video, 300, 16, 16);
    const ff = findFfmpeg();
    if (!ff) throw new Error("no ffmpeg");
    const work = join(dir, "work-runs");
    mkdirSync(work);
    const wanted = Array.from({ length: 150 }, (_, i) => i * 2);
    const out = await extractFrames(ff, { video, frames: wanted, workDir: work, format: "png", qscale: 2 });
    expect(out.files).toHaveLength(150);
    out.files.forEach((f, i) => expect(frameOfColour(meanColour(f)), f).toBe(wanted[i]));
  });
});

interface Rep {
  media: {
    placed: number;
    outcomes: Record<string, number>;
    videos: { extracted: number; framesDecoded: number; unlabelledFrames: number };
    sizeMismatch: number;
    frameCountList: string[];
  };
  notes: { code: string; what: string; reason: string; count: number }[];
}

describe.skipIf(!HAVE)("video frames through the CLI", () => {
  const dir = tempDir("ec-frames-cli-");
  const server = new MediaServer();
  server.healthy = true;
  const exportPath = join(dir, "export.json");
  const mkvFrames = [0, 1, 7, 8, 9, 23, 39];
  const mp4Frames = [7, 38];

  beforeAll(async () => {
    await server.start();
    makeColourVideo(join(dir, "clip.mkv"), 40);
    makeColourVideo(join(dir, "clip.mp4"), 40);
    makeColourVideo(join(dir, "short.mp4"), 10);
    const img = makeImage(join(dir, "street.jpg"), 64, 48);
    const m1 = makeImage(join(dir, "m1.png"), 30, 20, [9, 9, 9]);
    const m2 = makeImage(join(dir, "m2.png"), 20, 30, [8, 8, 8]);
    for (const [name, body] of [["street.jpg", img], ["m1.png", m1], ["m2.png", m2]] as const) server.files.set(name, { body, behaviour: "ok" });
    for (const n of ["clip.mkv", "clip.mp4", "short.mp4"]) server.files.set(n, { body: readFileSync(join(dir, n)), behaviour: "ok" });
    const rows = [
      imageRow({ hash: "img-1", title: "street.jpg", link: server.url("street.jpg"), w: 64, h: 48 }),
      groupRow("grp-1", "a group", [
        { hash: "m-1", title: "1.png", link: server.url("m1.png"), w: 30, h: 20 },
        { hash: "m-2", title: "2.png", link: server.url("m2.png"), w: 20, h: 30 },
      ]),
      groupRow("seq-1", "a sequence", [{ hash: "s-1", title: "1.png", link: server.url("m1.png"), w: 30, h: 20 }], true),
      videoRow("vid-mkv", "clip.mkv", server.url("clip.mkv"), mkvFrames),
      // Same title stem as the mkv ("clip"): its frame 7 is named clip_vid-mp4_000007 by the labels (the mkv's frame 7 came first), its frame 38 clip_000038.
      videoRow("vid-mp4", "clip.mp4", server.url("clip.mp4"), mp4Frames),
      // Labels on frames 10 and 15 of a 10-frame video; fps × duration says 12 frames.
      videoRow("vid-short", "short.mp4", server.url("short.mp4"), [2, 9, 10, 15], 64, 48, 25, 0.48),
    ];
    writeFileSync(exportPath, JSON.stringify(rows));
  });
  afterAll(() => server.stop());

  const cocoFiles = (out: string): string[] =>
    (JSON.parse(readFileSync(join(out, "annotations.json"), "utf8")) as { images: { file_name: string }[] }).images.map((i) => i.file_name).sort();

  it("COCO --download: each labelled frame is frame k's colour, under the name its labels use; past-the-end labels reported", async () => {
    const out = join(dir, "coco");
    const r = await runCliAsync(["coco", exportPath, "-o", out, "--download", "-q", "--report", join(dir, "coco.json")]);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(readFileSync(join(dir, "coco.json"), "utf8")) as Rep;
    expect(rep.media.outcomes).toEqual({ downloaded: 4, "frames-extracted": 11, "frames-missing": 2 });
    expect(rep.media.videos).toEqual({ extracted: 3, framesDecoded: 90, unlabelledFrames: 0 });
    const files = walk(join(out, "images"));
    // Every file the labels name is there, except the two past the end.
    expect(cocoFiles(out).filter((f) => !files.includes(f))).toEqual(["short_000010.jpg", "short_000015.jpg"]);
    for (const k of mkvFrames) expect(frameOfColour(meanColour(join(out, "images", `clip_${String(k).padStart(6, "0")}.jpg`))), `mkv ${k}`).toBe(k);
    expect(frameOfColour(meanColour(join(out, "images", "clip_vid-mp4_000007.jpg")))).toBe(7);
    expect(frameOfColour(meanColour(join(out, "images", "clip_000038.jpg")))).toBe(38);
    for (const k of [2, 9]) expect(frameOfColour(meanColour(join(out, "images", `short_00000${k}.jpg`)))).toBe(k);
    const past = rep.notes.find((n) => n.what === "video frame");
    expect(past?.count).toBe(2);
    expect(past?.reason).toMatch(/past the end of the video \(10 frames decoded\)/);
    expect(rep.media.frameCountList).toEqual(["short.mp4: ffmpeg decoded 10 frames, the export's 25 fps × 0.48 s gives 12"]);
    expect(rep.notes.find((n) => n.code === "warning.frame-count")?.count).toBe(1);
    expect(walk(out).filter((f) => f.includes(".frames-") || f.includes(".part"))).toEqual([]);
    if (haveValidator()) {
      const v = validate(out);
      expect(v.code, v.stdout + v.stderr).toBe(0);
    }
  });

  it("PNG frames from the lossless video are exactly frame k's colour", async () => {
    const out = join(dir, "yolo-png");
    const r = await runCliAsync(["yolo", exportPath, "-o", out, "--download", "-q", "--frame-format", "png"]);
    expect(r.code, r.stderr).toBe(0);
    for (const k of mkvFrames) {
      const png = PNG.sync.read(readFileSync(join(out, "images", "train", `clip_${String(k).padStart(6, "0")}.png`)));
      expect([png.width, png.height]).toEqual([64, 48]);
      for (let i = 0; i < png.width * png.height; i += 97) expect([...png.data.subarray(i * 4, i * 4 + 3)]).toEqual(colourOf(k));
    }
    // The label files pair with the PNGs.
    expect(walk(join(out, "labels", "train"))).toContain("clip_000007.txt");
    if (haveValidator()) expect(validate(out).code).toBe(0);
  });

  it("--frames all writes every frame (unlabelled ones named like the labelled), YOLO takes them as background", async () => {
    const out = join(dir, "yolo-all");
    const r = await runCliAsync(["yolo", exportPath, "-o", out, "--download", "-q", "--frames", "all", "--report", join(dir, "all.json")]);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(readFileSync(join(dir, "all.json"), "utf8")) as Rep;
    expect(rep.media.videos.unlabelledFrames).toBe(90 - 11);
    const files = walk(join(out, "images", "train"));
    // Every decoded frame once (40 + 40 + 10), and the 4 images.
    expect(files).toHaveLength(94);
    expect(files.filter((f) => f.startsWith("short_"))).toHaveLength(10);
    const colour = (f: string): number => frameOfColour(meanColour(join(out, "images", "train", f)));
    expect(colour("clip_000002.jpg")).toBe(2); // the mkv's unlabelled frame 2 (the mkv comes first)
    expect(colour("clip_vid-mp4_000002.jpg")).toBe(2); // the mp4's
    // Unlabelled frames are named after every labelled one: the mp4's labelled frame 38 has clip_000038.
    expect(colour("clip_000038.jpg")).toBe(38);
    expect(colour("clip_vid-mkv_000038.jpg")).toBe(38);
    expect(colour("short_000009.jpg")).toBe(9);
    if (haveValidator()) expect(validate(out).code).toBe(0);
  });

  it("VOC JPEGImages and masks images/ get the frames; --images holding the videos needs no download", async () => {
    const local = join(dir, "local");
    mkdirSync(local);
    for (const n of ["clip.mkv", "short.mp4"]) writeFileSync(join(local, n), readFileSync(join(dir, n)));
    writeFileSync(join(local, "vid-mp4.mp4"), readFileSync(join(dir, "clip.mp4"))); // by data hash
    for (const format of ["voc", "masks"]) {
      const out = join(dir, `${format}-local`);
      server.hits.length = 0;
      const r = await runCliAsync([format, exportPath, "-o", out, "--images", local, "-q", "--report", join(dir, `${format}.json`)]);
      expect(r.code, r.stderr).toBe(0);
      const rep = JSON.parse(readFileSync(join(dir, `${format}.json`), "utf8")) as Rep;
      expect(rep.media.outcomes).toMatchObject({ "frames-extracted": 11, "frames-missing": 2, missing: 4 });
      expect(server.hits).toHaveLength(0);
      const folder = format === "voc" ? "JPEGImages" : "images";
      expect(frameOfColour(meanColour(join(out, folder, "clip_000023.jpg")))).toBe(23);
      expect(frameOfColour(meanColour(join(out, folder, "clip_vid-mp4_000007.jpg")))).toBe(7);
      if (haveValidator()) {
        const v = validate(out);
        expect(v.code, v.stdout + v.stderr).toBe(0);
      }
    }
  });

  it("--media none with --images holding the videos (one found by title at the run's end): counted, nothing written", async () => {
    const local = join(dir, "local"); // made by the test before
    const out = join(dir, "none-local");
    const r = await runCliAsync(["coco", exportPath, "-o", out, "--images", local, "--media", "none", "-q", "--report", join(dir, "none.json")]);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(readFileSync(join(dir, "none.json"), "utf8")) as Rep;
    expect(rep.media.outcomes).toEqual({ local: 13, missing: 4 });
    expect(rep.media.placed).toBe(0);
    expect(walk(out).filter((f) => f.startsWith("images/"))).toEqual([]);
  });

  it("without ffmpeg: one line naming the fix, exit 1, no output", async () => {
    const out = join(dir, "no-ffmpeg");
    const r = await runCliAsync(["coco", exportPath, "-o", out, "--download", "-q"], { FFMPEG_PATH: join(dir, "nope", "ffmpeg") });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("FFMPEG_PATH=");
    const none = await runCliAsync(["coco", exportPath, "-o", out, "--download", "-q"], { PATH: "/nonexistent" });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/ffmpeg is needed to extract video frames and was not found: install it/);
  });
});
