// VOC merge: Annotations, segmentation PNGs and JPEGImages united (renamed where a single run names
// an item differently, the XML's <filename> with it); ImageSets written anew from the shards' item
// logs interleaved in input order (each split's list, trainval, Segmentation, and the per-class
// lists from the same spool a single run uses); labelmap.txt from the merged classes.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BufferedFile } from "../output/files.js";
import { addToSets, SetFiles, VOC_SPLITS_STREAM, VOC_STREAM, vocSets, writeVocClassLists } from "../writers/voc.js";
import { labelmapText, VocClasses } from "../writers/voc-names.js";
import { escapeXml } from "../writers/voc-xml.js";
import type { MergeContext } from "./context.js";
import { copyFolder } from "./files.js";
import { interleave, type LogReader } from "./lines.js";
import { openLog } from "./shards.js";
import { InputError } from "../model.js";

/** The splits in order of first appearance over all shards. */
function splitOrder(ctx: MergeContext): string[] {
  const first = new Map<string, number>();
  for (const s of ctx.shards) {
    const log = openLog(s, VOC_SPLITS_STREAM);
    if (!log) continue;
    try {
      for (let e = log.peek(); e; e = log.peek()) {
        const [ord, split] = log.take();
        const name = String(split);
        if (!first.has(name) || ord < (first.get(name) as number)) first.set(name, ord);
      }
    } finally {
      log.close();
    }
  }
  return [...first].sort((a, b) => a[1] - b[1]).map(([name]) => name);
}

export async function mergeVoc(ctx: MergeContext): Promise<void> {
  const masks = ctx.options.vocMasks === true;
  mkdirSync(join(ctx.out, "Annotations"), { recursive: true });
  ctx.shards.forEach((s, k) => {
    const n = ctx.names[k];
    // An item whose name changes: its file, and the <filename> inside.
    const rewrite = (src: string, dest: string, name: string): boolean => {
      const renamed = n?.file(name, ".xml") ?? name;
      if (renamed === name || !n) return false;
      const stem = name.slice(0, -4);
      const ext = n.exts.get(stem) ?? "";
      const was = `<filename>${escapeXml(stem + ext)}</filename>`;
      const text = readFileSync(src, "utf8");
      const at = text.indexOf(was);
      if (at < 0) throw new InputError(`${src}: no ${was}; not an annotation of this shard as encord-convert wrote it`);
      const now = `<filename>${escapeXml((n.stems.get(stem) as string) + ext)}</filename>`;
      writeFileSync(dest, text.slice(0, at) + now + text.slice(at + was.length), { flag: "wx" });
      return true;
    };
    copyFolder(join(s.root, "Annotations"), join(ctx.out, "Annotations"), (f) => n?.file(f, ".xml") ?? f, { write: rewrite });
    for (const folder of ["SegmentationClass", "SegmentationObject"]) {
      copyFolder(join(s.root, folder), join(ctx.out, folder), (f) => n?.file(f, ".png") ?? f, { always: masks });
    }
    copyFolder(join(s.root, "JPEGImages"), join(ctx.out, "JPEGImages"), (f) => n?.media(f) ?? f);
  });
  if (masks) {
    mkdirSync(join(ctx.out, "SegmentationClass"), { recursive: true });
    mkdirSync(join(ctx.out, "SegmentationObject"), { recursive: true });
  }
  // Image sets, from the items in input order.
  const main = new SetFiles(join(ctx.out, "ImageSets", "Main"));
  const seg = masks ? new SetFiles(join(ctx.out, "ImageSets", "Segmentation")) : undefined;
  const spoolPath = join(ctx.tempDir, "voc-class-presence.tsv");
  const spool = new BufferedFile(spoolPath);
  const logs: (LogReader | undefined)[] = ctx.shards.map((s) => openLog(s, VOC_STREAM));
  try {
    for (const [k, [, split, stem, presence, segmented]] of interleave(logs, ctx.overlap)) {
      const name = ctx.names[k]?.stem(String(stem)) ?? String(stem);
      addToSets(main, String(split), name);
      spool.write(`${split}\t${name}\t${presence}\n`);
      if (seg && segmented === 1) addToSets(seg, String(split), name);
    }
  } finally {
    for (const l of logs) l?.close();
    spool.close();
  }
  const sets = vocSets(splitOrder(ctx));
  main.ensure(sets);
  main.close();
  seg?.ensure(sets);
  seg?.close();
  const classes = new VocClasses();
  classes.extend(ctx.categories);
  writeFileSync(join(ctx.out, "labelmap.txt"), labelmapText(classes));
  const names = Array.from({ length: classes.size }, (_, i) => classes.name(i));
  await writeVocClassLists(ctx.out, spoolPath, names, sets);
}
