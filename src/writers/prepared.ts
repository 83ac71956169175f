// Per-object work done ahead of the writer: the part of an object's output that depends only on the
// object and its item (frame size, format options), never on the run's class table. Parsing
// workers compute these pieces beside the normalised row (pipeline/worker.ts); the main thread
// attaches them to the row's objects on arrival, and the writer only joins them with ids and class
// numbers. A writer falls back to the same function when an object has no piece (--jobs 0, huge
// rows), so there is one way each piece is made and the output does not depend on where.
import type { LossNote } from "../report.js";
import type { Geometry, Item, LabeledObject, NormalisedRow } from "../model.js";

/** One object's prepared output: the notes its shape gives, and the text the writer joins (none: nothing written). */
export interface PreparedObject {
  notes: LossNote[];
  /** The format's text for the object without its class (see each writer for the exact cut). */
  text?: string;
  /** A format's extra bit (VOC: 1 when the object is difficult; 2 when its text holds characters XML cannot carry). */
  flags?: number;
}

/** Makes an object's piece, or undefined when the piece needs the class table (the writer does it then). */
export type ObjectPreparer = (obj: LabeledObject, item: Item) => PreparedObject | undefined;

const attached = new WeakMap<LabeledObject, PreparedObject>();

/** The pieces of a row's objects, item by item, object by object (null: none). */
export function prepareRowPieces(row: NormalisedRow, prepare: ObjectPreparer): (PreparedObject | null)[] {
  const out: (PreparedObject | null)[] = [];
  for (const item of row.items) {
    const sized = item.width > 0 && item.height > 0;
    for (const obj of item.objects) out.push(sized ? (prepare(obj, item) ?? null) : null);
  }
  return out;
}

/** Attach pieces made by prepareRowPieces (in a worker) to the row's objects (the row as it arrived). */
export function attachPieces(row: NormalisedRow, pieces: readonly (PreparedObject | null)[]): void {
  let k = 0;
  for (const item of row.items) {
    for (const obj of item.objects) {
      const p = pieces[k++];
      if (p) attached.set(obj, p);
    }
  }
}

/** The piece made for an object ahead of the writer, or the writer's own (same function, made now). */
export function preparedOf(obj: LabeledObject, item: Item, prepare: ObjectPreparer): PreparedObject | undefined {
  return attached.get(obj) ?? prepare(obj, item);
}

/**
 * The geometry an object keeps once its text is made, when the writer needs no more: its kind (the
 * --shapes filter reads it) without its coordinates, which cost more to pass between threads than
 * the text made from them. Only kinds a preparer makes text for (never points or skeletons, whose
 * coordinates the class table learns from) reach here.
 */
export function stripped(g: Geometry): Geometry {
  switch (g.kind) {
    case "polygon":
      return { ...g, polygons: [] };
    case "mask":
      return { ...g, mask: { ...g.mask, counts: new Uint32Array(0) } };
    default:
      return g;
  }
}
