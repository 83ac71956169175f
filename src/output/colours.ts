// Class colours, shared by everything that paints classes (mask palettes, previews, the HTML report):
// a class's own colour (from the ontology, or its first object when the export defines the classes),
// else the VOC colormap entry of its value (class index + 1; 0 is background).
import type { Category } from "../model.js";
import { vocColormap, type Rgb } from "./png.js";

const VOC_COLOURS: readonly Rgb[] = vocColormap(256);

/** "#RRGGBB" (or "#RGB") as [r, g, b]; undefined for anything else. */
export function parseHexColour(text: string | undefined): Rgb | undefined {
  if (text === undefined) return undefined;
  const m = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(text.trim());
  if (!m) return undefined;
  let hex = m[1] as string;
  if (hex.length === 3) hex = hex.replace(/./g, (c) => c + c);
  const n = parseInt(hex, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function hexColour([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, "0")).join("").toUpperCase()}`;
}

/** The VOC colormap colour of a class value (0..255; larger values wrap past background). */
export function paletteColour(value: number): Rgb {
  const v = value <= 255 ? value : 1 + ((value - 1) % 255);
  return VOC_COLOURS[v] as Rgb;
}

/**
 * The colour of class value v (category v-1): the category's own colour when it has a valid one, else
 * the VOC colormap's entry v. A class's colour is set when the class is added and never changes.
 */
export function classColour(category: Category | undefined, value: number): Rgb {
  return parseHexColour(category?.color) ?? paletteColour(value);
}
