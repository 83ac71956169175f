// Finding ffmpeg and the flags its version needs. Looked for, in order: FFMPEG_PATH, `ffmpeg` on PATH,
// then the optional npm package @ffmpeg-installer/ffmpeg (which ships the binary inside its registry
// package) when it is installed beside encord-convert. Nothing here runs until a video needs frames.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

export interface Ffmpeg {
  path: string;
  /** "5.1.9", "7.0", or "git" for a build from the development branch (taken as new). */
  version: string;
  major: number;
  minor: number;
  /** Keep every decoded frame once, in order, with its own timestamp (no frame dropped or repeated). */
  passthrough: string[];
  /** The option that reads a filter graph from a file (needed when a selection is long). */
  filterScript: (file: string) => string[];
  /** Where it was found: "FFMPEG_PATH", "PATH" or "npm". */
  from: string;
}

export const FFMPEG_MISSING =
  "ffmpeg is needed to extract video frames and was not found: install it (apt-get install ffmpeg, brew install ffmpeg, winget install ffmpeg), or set FFMPEG_PATH to its binary, or npm install @ffmpeg-installer/ffmpeg";

/**
 * Major and minor release from `ffmpeg -version` output. Release builds say "ffmpeg version 5.1.9" (or
 * "n7.0.2"); builds from git say "N-47683-g0e8eb07980" whatever their age, so for those the release is
 * told from the libavutil version they print (56 = 4.x, 57 = 5.x with 5.1 from 57.28, 58 = 6.x, 59 = 7.x).
 */
export function parseFfmpegVersion(output: string): { version: string; major: number; minor: number } | undefined {
  const m = /ffmpeg version (\S+)/.exec(output);
  if (!m) return undefined;
  const v = m[1] as string;
  const num = /^n?(\d+)\.(\d+)/.exec(v);
  if (num) return { version: v.replace(/^n/, ""), major: Number(num[1]), minor: Number(num[2]) };
  const util = /libavutil\s+(\d+)\.\s*(\d+)/.exec(output);
  if (!util) return { version: v, major: 99, minor: 0 }; // a git build that says nothing more: take it as new
  const [um, un] = [Number(util[1]), Number(util[2])];
  if (um <= 56) return { version: v, major: 4, minor: 0 };
  if (um === 57) return { version: v, major: 5, minor: un >= 28 ? 1 : 0 };
  return { version: v, major: um - 52, minor: 0 };
}

/** The flags for an ffmpeg of this version. */
export function flagsFor(major: number, minor: number): Pick<Ffmpeg, "passthrough" | "filterScript"> {
  // -fps_mode came in 5.1 (replacing -vsync); -/filter_complex <file> in 7.0 (replacing -filter_complex_script).
  const fpsMode = major > 5 || (major === 5 && minor >= 1);
  return {
    passthrough: fpsMode ? ["-fps_mode", "passthrough"] : ["-vsync", "0"],
    filterScript: major >= 7 ? (f) => ["-/filter_complex", f] : (f) => ["-filter_complex_script", f],
  };
}

function probe(path: string, from: string): Ffmpeg | undefined {
  const r = spawnSync(path, ["-hide_banner", "-version"], { encoding: "utf8", timeout: 20_000 });
  if (r.status !== 0 || typeof r.stdout !== "string") return undefined;
  const v = parseFfmpegVersion(r.stdout);
  if (!v) return undefined;
  return { path, ...v, ...flagsFor(v.major, v.minor), from };
}

function fromNpmPackage(): string | undefined {
  try {
    const req = createRequire(import.meta.url);
    const mod = req("@ffmpeg-installer/ffmpeg") as { path?: unknown };
    return typeof mod.path === "string" ? mod.path : undefined;
  } catch {
    return undefined;
  }
}

const found = new Map<string, Ffmpeg | null>();

/**
 * The ffmpeg to use, or undefined when there is none. FFMPEG_PATH, when set, must work: a wrong one is
 * not silently replaced by another binary. Cached for the process (per FFMPEG_PATH).
 */
export function findFfmpeg(env: NodeJS.ProcessEnv = process.env): Ffmpeg | undefined {
  const explicit = env.FFMPEG_PATH;
  const known = found.get(explicit ?? "");
  if (known !== undefined) return known ?? undefined;
  let result: Ffmpeg | undefined;
  if (explicit) result = probe(explicit, "FFMPEG_PATH");
  else {
    result = probe("ffmpeg", "PATH");
    if (!result) {
      const p = fromNpmPackage();
      if (p) result = probe(p, "npm");
    }
  }
  found.set(explicit ?? "", result ?? null);
  return result;
}

/** The error text when ffmpeg is missing, naming FFMPEG_PATH when that was set but does not work. */
export function ffmpegMissingMessage(env: NodeJS.ProcessEnv = process.env): string {
  return env.FFMPEG_PATH ? `FFMPEG_PATH=${env.FFMPEG_PATH} does not run as ffmpeg (\`${env.FFMPEG_PATH} -version\` failed); fix it or unset it` : FFMPEG_MISSING;
}
