// VOC class names and colours. In VOC a class IS its name (labelmap.txt lines, <name> in the XML),
// so names must be unique and fit the labelmap's ':'-separated line. Pure functions and one small
// class that grows with the run's class table.
import type { Category } from "../model.js";
import type { Rgb } from "../output/png.js";
import { uniqueClassNames } from "./common.js";

export const BACKGROUND = "background";

/** A name that fits a labelmap line and an XML element: no ':', no control characters, trimmed. */
export function cleanClassName(name: string): string {
  return name.replace(/[:\p{Cc}\p{Cs}\uFFFE\uFFFF]/gu, "_").trim();
}

export interface NamedClass {
  name: string;
  /** Set when the written name differs from the category's. */
  renamedFrom?: string;
}

/**
 * Assigns each category (by index, in order) its VOC name: the cleaned name (or `class_<n>` when
 * nothing is left), made unique by the rule every writer shares (common.uniqueClassNames: a later
 * namesake becomes "<name> (<shape>)", then "<name>_2"…), with "background" taken by line 0.
 * The rule is prefix-stable, so names given early never change as classes appear.
 */
export class VocClassNames {
  private names: NamedClass[] = [];

  /** Names for every category not named yet; returns the newly named ones. */
  extend(categories: readonly Category[]): { index: number; named: NamedClass }[] {
    if (categories.length === this.names.length) return [];
    const cleaned = categories.map((c, i) => ({ ...c, name: cleanClassName(c.name) || `class_${i + 1}` }));
    const unique = uniqueClassNames([{ index: -1, key: "", name: BACKGROUND, shape: "" }, ...cleaned]).slice(1);
    const added: { index: number; named: NamedClass }[] = [];
    for (let i = this.names.length; i < categories.length; i++) {
      const original = (categories[i] as Category).name;
      const name = unique[i] as string;
      const named: NamedClass = name === original ? { name } : { name, renamedFrom: original };
      this.names.push(named);
      added.push({ index: i, named });
    }
    return added;
  }

  name(index: number): string {
    const n = this.names[index];
    if (!n) throw new RangeError(`no VOC name for class index ${index}`);
    return n.name;
  }

  get size(): number {
    return this.names.length;
  }
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
 * labelmap.txt (Datumaro/CVAT): `background:0,0,0::`, then `name:r,g,b::` per class in class order.
 * The colour is the category's own, else the VOC colormap colour of its PNG index (index + 1).
 */
export function labelmapText(categories: readonly Category[], names: VocClassNames, colormap: (i: number) => Rgb): string {
  const lines = [`${BACKGROUND}:0,0,0::`];
  categories.forEach((c, i) => {
    const rgb = parseHexColour(c.color) ?? colormap(i + 1);
    lines.push(`${names.name(i)}:${rgb.join(",")}::`);
  });
  return lines.join("\n") + "\n";
}
