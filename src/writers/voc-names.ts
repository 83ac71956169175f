// VOC classes: names, colours and the file names of the per-class lists. In VOC a class IS its
// name (labelmap.txt lines, <name> in the XML, <class>_<set>.txt), so names must be unique and fit
// the labelmap's ':'-separated line; and Datumaro/CVAT read SegmentationClass PNGs by colour (OpenCV
// expands the palette), so the PNG palette must carry the labelmap's colours, one per class.
import type { Category } from "../model.js";
import { sanitizeName } from "../output/names.js";
import { vocColormap, type Rgb } from "../output/png.js";
import { uniqueClassNames } from "./common.js";

export const BACKGROUND = "background";
export const BACKGROUND_RGB: Rgb = [0, 0, 0];
/** The devkit's void colour, index 255 of the VOC colormap. */
export const VOID_RGB: Rgb = [224, 224, 192];

/** A name that fits a labelmap line and an XML element: no ':', no control characters, trimmed. */
export function cleanClassName(name: string): string {
  return name.replace(/[:\p{Cc}\p{Cs}\uFFFE\uFFFF]/gu, "_").trim();
}

export interface VocClass {
  name: string;
  /** Set when the written name differs from the category's. */
  renamedFrom?: string;
  colour: Rgb;
}

/** "#RRGGBB" or "#RGB" (any case, '#' optional) as [r,g,b], else null. */
export function parseHexColour(text: string | undefined): Rgb | null {
  if (!text) return null;
  let h = text.trim().replace(/^#/, "");
  if (/^[0-9a-fA-F]{3}$/.test(h)) h = h.replace(/(.)/g, "$1$1");
  if (!/^[0-9a-fA-F]{6}$/.test(h)) return null;
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

/**
 * The run's VOC classes, by category index, growing as categories appear (every rule is
 * prefix-stable: a class's name and colour depend only on the classes before it).
 * Name: the cleaned name (or `class_<n>` when nothing is left), made unique by the rule every writer
 * shares (common.uniqueClassNames: a later namesake becomes "<name> (<shape>)", then "<name>_2"…),
 * with "background" taken by line 0.
 * Colour: the category's own; when it has none, or an earlier line (background black, void
 * 224,224,192 included) already has it, the VOC colormap colour of its index + 1, else the first
 * colormap colour not taken.
 */
export class VocClasses {
  private readonly classes: VocClass[] = [];
  private readonly usedColours = new Set<string>([BACKGROUND_RGB.join(","), VOID_RGB.join(",")]);
  private palette: Rgb[] | undefined;

  /** Classes for every category not seen yet; returns the new ones. */
  extend(categories: readonly Category[]): VocClass[] {
    if (categories.length === this.classes.length) return [];
    const cleaned = categories.map((c, i) => ({ ...c, name: cleanClassName(c.name) || `class_${i + 1}` }));
    const unique = uniqueClassNames([{ index: -1, key: "", name: BACKGROUND, shape: "" }, ...cleaned]).slice(1);
    const cmap = vocColormap(Math.max(256, 2 * categories.length + 2));
    const added: VocClass[] = [];
    for (let i = this.classes.length; i < categories.length; i++) {
      const original = (categories[i] as Category).name;
      const name = unique[i] as string;
      const colour = this.pickColour(parseHexColour((categories[i] as Category).color), i, cmap);
      const c: VocClass = name === original ? { name, colour } : { name, renamedFrom: original, colour };
      this.classes.push(c);
      added.push(c);
    }
    this.palette = undefined;
    return added;
  }

  private pickColour(own: Rgb | null, index: number, cmap: readonly Rgb[]): Rgb {
    const free = (c: Rgb | null | undefined): c is Rgb => c != null && !this.usedColours.has(c.join(","));
    let colour: Rgb | undefined = free(own) ? own : free(cmap[index + 1]) ? cmap[index + 1] : cmap.find((c, j) => j > 0 && free(c));
    colour ??= [0, 0, 1]; // unreachable: the colormap has twice as many colours as there are lines
    this.usedColours.add(colour.join(","));
    return colour;
  }

  get(index: number): VocClass {
    const c = this.classes[index];
    if (!c) throw new RangeError(`no VOC class for class index ${index}`);
    return c;
  }

  name(index: number): string {
    return this.get(index).name;
  }

  get size(): number {
    return this.classes.length;
  }

  /**
   * The SegmentationClass palette: 0 background black, k = the colour of class k−1 (the labelmap's
   * line k), 255 void; indices without a class keep the VOC colormap colour.
   */
  classPalette(): readonly Rgb[] {
    if (!this.palette) {
      const p = vocColormap(256);
      p[0] = BACKGROUND_RGB;
      for (let k = 1; k < 255 && k <= this.classes.length; k++) p[k] = (this.classes[k - 1] as VocClass).colour;
      p[255] = VOID_RGB;
      this.palette = p;
    }
    return this.palette;
  }
}

/** labelmap.txt (Datumaro/CVAT): `background:0,0,0::`, then `name:r,g,b::` per class in class order. */
export function labelmapText(classes: VocClasses): string {
  const lines = [`${BACKGROUND}:${BACKGROUND_RGB.join(",")}::`];
  for (let i = 0; i < classes.size; i++) {
    const c = classes.get(i);
    lines.push(`${c.name}:${c.colour.join(",")}::`);
  }
  return lines.join("\n") + "\n";
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/**
 * True when a name can be a file name as it is on every common file system: no path separators,
 * no characters Windows refuses, no control characters, not "."-led, no trailing dot or space, not a
 * device name, at most 120 bytes of UTF-8.
 */
export function isPortableFileName(name: string): boolean {
  return (
    name !== "" &&
    !/[/\\:*?"<>|\p{Cc}]/u.test(name) &&
    !name.startsWith(".") &&
    !/[. ]$/.test(name) &&
    !WINDOWS_RESERVED.test(name.split(".")[0] ?? "") &&
    Buffer.byteLength(name, "utf8") <= 120 &&
    name === name.normalize("NFC")
  );
}

/**
 * File stems of ImageSets/Main/<class>_<set>.txt, in class then set order. Datumaro opens
 * `<label>_<subset>.txt` by the exact label name, so the name is kept whenever it is a portable file
 * name, and sanitised only when not. Names are unique ignoring case (case-insensitive file
 * systems), and never the name of a set list itself; a clash gets "_2", "_3"….
 */
export function classListStems(classNames: readonly string[], sets: readonly string[]): string[][] {
  const used = new Set<string>(sets.map((s) => s.toLowerCase()));
  return classNames.map((name) =>
    sets.map((set) => {
      const wanted = `${name}_${set}`;
      const base = isPortableFileName(wanted) ? wanted : sanitizeName(wanted);
      let stem = base;
      for (let n = 2; used.has(stem.toLowerCase()); n++) stem = `${base}_${n}`;
      used.add(stem.toLowerCase());
      return stem;
    }),
  );
}
