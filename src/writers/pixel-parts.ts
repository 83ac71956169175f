// Pixel JSON for a huge row that comes in parts (the reader's frame-streaming path): the row's
// text is written piece by piece, byte for byte what one pass over the whole row would write. Part 0
// brings the row without the frames of its streamed units (`rawUnits`); every part brings some of
// those frames, in order (`rawFrames`). The row is walked once with a placeholder where each
// streamed unit's labels go; the text between placeholders is kept and written as the frames arrive.
import type { RawFrame } from "../model.js";
import { emitJson, isRecord, type JsonRecord, type RowWalker } from "./pixel-walk.js";

/** Set a key as JSON.parse does (a "__proto__" key stays an own key). */
function put(rec: JsonRecord, key: string, value: unknown): void {
  Object.defineProperty(rec, key, { value, writable: true, enumerable: true, configurable: true });
}

/** A placeholder no JSON text of a real export holds (a NUL-led string). */
function placeholder(i: number): string {
  return `\u0000encord-convert-labels-${i}`;
}

export class PartedRow {
  private segments: string[] = []; // row text between the streamed units' labels
  private readonly unitIndex = new Map<string, number>();
  private units: { key: string; unit: JsonRecord }[] = [];
  private open = -1; // the streamed unit whose labels are being written
  private entries = 0; // entries written in it
  private dataType = "";

  constructor(
    private readonly walker: RowWalker,
    private readonly out: (piece: string) => void,
  ) {}

  /** Part 0: write the row's text up to the first streamed unit's labels. */
  begin(raw: JsonRecord, rawUnits: readonly string[]): void {
    this.dataType = typeof raw.data_type === "string" ? raw.data_type : "";
    const units = isRecord(raw.data_units) ? raw.data_units : {};
    // A copy of the row with each streamed unit's labels replaced by its placeholder (nothing else changes).
    const placed: JsonRecord = {};
    for (const [k, u] of Object.entries(units)) {
      const i = rawUnits.indexOf(k);
      if (i < 0 || !isRecord(u)) {
        put(placed, k, u);
        continue;
      }
      const copy: JsonRecord = {};
      for (const [uk, uv] of Object.entries(u)) put(copy, uk, uk === "labels" ? placeholder(this.units.length) : uv);
      this.unitIndex.set(k, this.units.length);
      this.units.push({ key: k, unit: u });
      put(placed, k, copy);
    }
    const row: JsonRecord = {};
    for (const [k, v] of Object.entries(raw)) put(row, k, k === "data_units" ? placed : v);
    const marks = new Map(this.units.map((_, i) => [JSON.stringify(placeholder(i)), i]));
    let text = "";
    this.segments = [];
    emitJson(this.walker.row(row), (piece) => {
      if (marks.has(piece)) {
        this.segments.push(text);
        text = "";
      } else {
        text += piece;
      }
    });
    this.segments.push(text);
    this.out(this.segments[0] as string);
    this.open = -1;
    this.entries = 0;
  }

  /** Write frames of the streamed units (in unit order, then labels order). */
  frames(frames: readonly RawFrame[]): void {
    for (const f of frames) {
      const u = this.unitIndex.get(f.unit);
      const target = this.units[u ?? -1];
      if (u === undefined || !target || u < this.open) throw new Error(`frame ${f.key} of unit ${f.unit} arrived out of order`); // a bug
      this.openUnit(u);
      this.out(`${this.entries++ > 0 ? "," : ""}${JSON.stringify(f.key)}:`);
      emitJson(this.walker.frameEntry(this.dataType, target.key, target.unit, f.key, f.value), this.out, 3);
    }
  }

  /** The last part: close the labels still open and write the rest of the row. */
  end(): void {
    this.openUnit(this.units.length);
  }

  /** Close labels up to unit `u` and open u's (u = the number of units: close them all). */
  private openUnit(u: number): void {
    while (this.open < u) {
      if (this.open >= 0) this.out(`}${this.segments[this.open + 1] ?? ""}`);
      this.open++;
      this.entries = 0;
      if (this.open < this.units.length) this.out("{");
    }
  }
}
