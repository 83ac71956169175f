// Contact sheets: thumbnails of several items in a grid, each with its name underneath.
import type { Rgb } from "../output/png.js";
import { Canvas } from "./canvas.js";
import { drawText, fitText, GLYPH_HEIGHT } from "./font.js";

export interface SheetLayout {
  cols: number;
  rows: number;
  /** The largest side of a thumbnail, in pixels. */
  cell: number;
}

const BACKGROUND: Rgb = [40, 40, 40];
const CAPTION: Rgb = [235, 235, 235];
const PAD = 6;
const CAPTION_HEIGHT = GLYPH_HEIGHT + 6;

/** "4x4" (columns x rows, each 1..64) as numbers, or undefined when it is not that. */
export function parseSheetSpec(text: string): { cols: number; rows: number } | undefined {
  const m = /^(\d{1,2})x(\d{1,2})$/i.exec(text.trim());
  if (!m) return undefined;
  const cols = Number(m[1]);
  const rows = Number(m[2]);
  return cols >= 1 && rows >= 1 && cols <= 64 && rows <= 64 ? { cols, rows } : undefined;
}

/** The scale that fits a width×height frame into a cell×cell thumbnail (a small frame is enlarged). */
export function thumbnailScale(width: number, height: number, cell: number): number {
  return Math.min(cell / width, cell / height);
}

export class ContactSheet {
  private readonly cells: { thumb: Canvas; caption: string }[] = [];

  constructor(readonly layout: SheetLayout) {}

  get size(): number {
    return this.cells.length;
  }

  get full(): boolean {
    return this.cells.length >= this.layout.cols * this.layout.rows;
  }

  add(thumb: Canvas, caption: string): void {
    if (this.full) throw new RangeError("the contact sheet is full");
    this.cells.push({ thumb, caption });
  }

  /** The sheet as one canvas (only the rows in use), and empties it for the next one. */
  take(): Canvas {
    const { cols, cell } = this.layout;
    const usedRows = Math.max(1, Math.ceil(this.cells.length / cols));
    const cellW = cell + PAD;
    const cellH = cell + CAPTION_HEIGHT + PAD;
    const sheet = new Canvas(cols * cellW + PAD, usedRows * cellH + PAD, BACKGROUND);
    this.cells.forEach(({ thumb, caption }, k) => {
      const x = PAD + (k % cols) * cellW;
      const y = PAD + Math.floor(k / cols) * cellH;
      // Centred across its square and standing on its bottom, right above the caption (cut to its width).
      sheet.blit(thumb, x + Math.floor((cell - thumb.width) / 2), y + cell - thumb.height);
      drawText(sheet, x, y + cell + 3, fitText(caption, cell), CAPTION);
    });
    this.cells.length = 0;
    return sheet;
  }
}
