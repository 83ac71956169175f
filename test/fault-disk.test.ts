// Disk full: every format, with the first, a middle and the very last write to disk failing with ENOSPC
// (test/fault-inject.mjs), and, where this machine lets us mount one, a real 512 KiB tmpfs. Each run
// must end with exit 1 and one clear line, keep no partial output, remove its spools, and leave the
// existing output (replaced only on success with --force) and its neighbours byte-for-byte as they were.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SAMPLES } from "./fixtures.js";
import { LIMIT_MS, runInjected, snapshot, STACK_LINE } from "./fault-helpers.js";
import { BIN, tempDir } from "./helpers.js";
import { writeSampleCopies } from "./robust-gen.js";

const INPUTS = [join(SAMPLES, "images.json"), join(SAMPLES, "media.json")];

interface Target {
  name: string;
  args: (out: string, work: string) => string[];
  file?: boolean; // the output is one file (pixel JSON)
}

const TARGETS: Target[] = [
  { name: "coco", args: (o) => ["coco", ...INPUTS, "-o", o] },
  { name: "coco --split --images", args: (o, w) => ["coco", ...INPUTS, "-o", o, "--split", "train=0.5,val=0.5", "--images", join(w, "images")] },
  { name: "yolo segment", args: (o) => ["yolo", ...INPUTS, "-o", o, "--task", "segment"] },
  { name: "voc --masks", args: (o) => ["voc", ...INPUTS, "-o", o, "--masks"] },
  { name: "pixel --masks-dir", args: (o, w) => ["pixel", ...INPUTS, "-o", `${o}.json`, "--masks-dir", join(w, "pngs")], file: true },
  { name: "masks instance", args: (o) => ["masks", ...INPUTS, "-o", o] },
  { name: "masks semantic", args: (o) => ["masks", ...INPUTS, "-o", o, "--mode", "semantic"] },
];

/** A work folder with an existing output, a --masks-dir from an earlier run, a neighbour and images. */
function setUp(root: string, name: string): { work: string; out: string; tmp: string } {
  const work = join(root, name.replace(/[^a-z]+/g, "-"));
  const out = join(work, "out");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "precious.txt"), "the previous run's output\n");
  writeFileSync(`${out}.json`, "[]\n");
  mkdirSync(join(work, "pngs"));
  writeFileSync(join(work, "pngs", "old.png"), "not really a png");
  writeFileSync(join(work, "neighbour.txt"), "a file next to the output\n");
  mkdirSync(join(work, "images"));
  for (const t of ["street.jpg", "crossing_a.jpg", "crossing_b.png", "road.jpg"]) writeFileSync(join(work, "images", t), `image ${t}`);
  return { work, out, tmp: join(root, `${name.replace(/[^a-z]+/g, "-")}-tmp`) };
}

function writesOf(stderr: string): number {
  const m = /encord-test-writes=(\d+)/.exec(stderr);
  if (!m) throw new Error(`no write count in: ${stderr}`);
  return Number(m[1]);
}

describe("disk full (injected ENOSPC)", { timeout: LIMIT_MS }, () => {
  const root = tempDir("ec-fault-disk-");

  for (const t of TARGETS) {
    it(`${t.name}: first, middle and last write failing -> exit 1, one line, nothing changed`, () => {
      const { work, out, tmp } = setUp(root, t.name);
      // How many writes a whole run makes (into a fresh folder, then removed).
      const probe = runInjected([...t.args(join(root, `probe-${t.name.replace(/[^a-z]+/g, "-")}`), work), "-q", "--force"], tmp, {
        env: { ENCORD_TEST_COUNT_WRITES: "1" },
      });
      expect(probe.code, probe.stderr).toBe(0);
      const writes = writesOf(probe.stderr);
      expect(writes).toBeGreaterThan(1);
      const before = snapshot(work);
      for (const n of new Set([1, Math.ceil(writes / 2), writes])) {
        const r = runInjected([...t.args(out, work), "--force"], tmp, { env: { ENCORD_TEST_FAIL_WRITE_AT: String(n), ENCORD_TEST_COUNT_WRITES: "1" } });
        const stderr = r.stderr.replace(/encord-test-writes=\d+\n/, "");
        const what = `${t.name}, write ${n} of ${writes} fails:\n${stderr}`;
        expect(r.code, what).toBe(1);
        expect(stderr, what).not.toMatch(STACK_LINE);
        expect(stderr.trimEnd().split("\n"), what).toHaveLength(1);
        expect(stderr, what).toMatch(/^encord-convert: error: no space left on the device \(ENOSPC/);
        expect(snapshot(work), what).toEqual(before); // no partial sibling, old output and neighbours intact
        expect(readdirSync(tmp), what).toEqual([]); // spools removed
      }
    });
  }
});

/** True when this machine lets an unprivileged user namespace mount a tmpfs (Linux, not in every CI). */
function canMountTmpfs(): boolean {
  const r = spawnSync("unshare", ["-r", "-m", "sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d && umount $d && rmdir $d"], { timeout: 10_000 });
  return r.status === 0;
}

describe("disk full (a real 512 KiB tmpfs)", { timeout: LIMIT_MS }, () => {
  const root = tempDir("ec-fault-tmpfs-");
  const mountable = process.platform === "linux" && canMountTmpfs();

  it.skipIf(!mountable)("coco, yolo, voc, pixel and masks on a full disk: exit 1, one line, the disk as it was", async () => {
    const input = join(root, "export.json");
    await writeSampleCopies(input, 300); // outputs of a few MB: far more than the disk holds
    const script = join(root, "run.sh");
    // Inside a private mount namespace: mount, put an earlier output and a neighbour there, run each
    // format onto the full disk with --force, and list the disk before and after each run.
    writeFileSync(
      script,
      `set -u
disk=${JSON.stringify(join(root, "disk"))}
mkdir -p "$disk" && mount -t tmpfs -o size=512k tmpfs "$disk" || exit 99
mkdir "$disk/out" && echo precious > "$disk/out/keep.txt" && echo neighbour > "$disk/neighbour.txt" && echo '[]' > "$disk/out.json"
list() { (cd "$disk" && find . -print0 | sort -z | xargs -0 -I{} sh -c 'if [ -f "{}" ]; then sha256sum "{}"; else echo "dir {}"; fi'); }
before=$(list)
for fmt in coco yolo voc pixel masks; do
  out="$disk/out"; extra=""
  [ $fmt = pixel ] && out="$disk/out.json"
  [ $fmt = voc ] && extra="--masks"
  err=$(TMPDIR=${JSON.stringify(join(root, "tmp"))} ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} $fmt ${JSON.stringify(input)} -o "$out" --force -q $extra 2>&1 >/dev/null)
  rc=$?
  after=$(list)
  same=no; [ "$before" = "$after" ] && same=yes
  printf '%s\\t%s\\t%s\\t%s\\n' "$fmt" "$rc" "$same" "$err"
done
`,
    );
    mkdirSync(join(root, "tmp"));
    const r = spawnSync("unshare", ["-r", "-m", "bash", script], { timeout: 120_000 });
    expect(r.status, r.stderr.toString()).toBe(0);
    const lines = r.stdout.toString("utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      const [fmt, rc, same, err] = line.split("\t");
      expect(rc, line).toBe("1");
      expect(same, line).toBe("yes");
      expect(err, line).toMatch(/^encord-convert: error: no space left on the device \(ENOSPC/);
      expect(err?.split("\n"), `${fmt}: ${line}`).toHaveLength(1);
    }
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
  });
});
