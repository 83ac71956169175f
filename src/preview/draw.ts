// Draw an item's objects as the model holds them, on a canvas of the item's frame scaled by `scale`
// (1 for a full-size preview, less for a thumbnail). Three passes so nothing hides a later outline:
// translucent regions (boxes, rotated boxes, polygons with even-odd holes, bitmasks), then opaque
// lines and markers (outlines, polylines, points, skeletons), then class-name labels.
//
// Rules:
// - Regions are rasterised by geometry/raster.ts's one rule (pixel centres, even-odd), so a hole stays
//   unfilled exactly where the masks and COCO RLE leave it empty; bitmasks are their decoded runs.
// - A line or marker at a continuous coordinate v lands in pixel floor(v) (v equal to the canvas
//   width or height is the last pixel), so an outline runs through the pixels that hold its
//   vertices, as OpenCV's drawing does for integer corners.
// - What reaches outside the frame is drawn clipped and noted as approximated (as a conversion notes
//   its clipping); what lies wholly outside, has no finite coordinates or no pixel is skipped.
import { forEachFrameSpan, geometryRuns } from "../geometry/raster.js";
import { extent, geometryExtent, geometryFinite, geometryPolygons, type Box } from "../geometry/shapes.js";
import type { Category, Geometry, LabeledObject, MaskRuns } from "../model.js";
import { classColour } from "../output/colours.js";
import type { Rgb } from "../output/png.js";
import type { LossNote } from "../report.js";
import { Canvas, drawImage, luma, type RasterImage } from "./canvas.js";
import { drawText, GLYPH_HEIGHT, textWidth } from "./font.js";

/** The colour of the canvas where there is no image. */
export const NEUTRAL: Rgb = [192, 192, 192];
const OUTLINE: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];
/** Coordinates this far past the frame are float noise, not clipping (as in the COCO writer). */
const EDGE_EPS = 1e-6;

export interface DrawStyle {
  thickness: number; // line width in pixels
  fontScale: number; // each font pixel is fontScale×fontScale
  fillAlpha: number; // 0..255, regions
  maskAlpha: number; // 0..255, bitmasks
}

/** Line width and text size grow with the canvas so a 4K preview stays legible; 1 up to ~960 px. */
export function styleFor(width: number, height: number): DrawStyle {
  const k = Math.max(1, Math.round(Math.max(width, height) / 640));
  return { thickness: k, fontScale: k, fillAlpha: 80, maskAlpha: 110 };
}

/** What could not be drawn, or only clipped; `what` is the object's Encord shape name. */
export type DrawNote = LossNote;

export interface ObjectOutcome {
  object: LabeledObject;
  drawn: boolean;
  notes: DrawNote[];
}

export interface RenderInput {
  /** The item's frame size: the coordinates' space. */
  width: number;
  height: number;
  objects: readonly LabeledObject[];
  categories: readonly Category[];
  /** The item's image, upright; resampled to the canvas. Without one the canvas is NEUTRAL. */
  image?: RasterImage;
  /** Canvas = round(width·scale) × round(height·scale); default 1. */
  scale?: number;
}

export interface RenderResult {
  canvas: Canvas;
  objects: ObjectOutcome[];
}

interface Planned {
  g: Geometry; // scaled to the canvas (a bitmask keeps its own runs; see fillMask)
  colour: Rgb;
  label: string;
  anchor: Box; // scaled extent, for the label
  keypointEdges: readonly [number, number][];
}

/** The canvas size of a frame drawn at a scale: at least one pixel each way. */
export function canvasSize(width: number, height: number, scale: number): [number, number] {
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

export function renderItem(input: RenderInput): RenderResult {
  const scale = input.scale ?? 1;
  const [cw, ch] = canvasSize(input.width, input.height, scale);
  const canvas = new Canvas(cw, ch, NEUTRAL);
  if (input.image) drawImage(canvas, input.image, NEUTRAL);
  const style = styleFor(cw, ch);
  const outcomes: ObjectOutcome[] = [];
  const planned: Planned[] = [];
  for (const object of input.objects) {
    const notes: DrawNote[] = [];
    const plan = planObject(object, input, scale, notes);
    outcomes.push({ object, drawn: plan !== null, notes });
    if (plan) planned.push(plan);
  }
  for (const p of planned) fillRegion(canvas, p, input, scale, style);
  for (const p of planned) strokeShape(canvas, p, style);
  for (const p of planned) drawLabel(canvas, p.label, p.anchor, p.colour, style);
  return { canvas, objects: outcomes };
}

function planObject(object: LabeledObject, input: RenderInput, scale: number, notes: DrawNote[]): Planned | null {
  const g = object.geometry;
  const what = object.shape;
  if (!geometryFinite(g)) {
    notes.push({ outcome: "skipped", code: "not-finite", what, reason: "coordinates are not finite numbers" });
    return null;
  }
  const ext = g.kind === "skeleton" ? extent(g.points.flatMap((p) => [p.x, p.y])) : geometryExtent(g);
  if (!ext) {
    notes.push({ outcome: "skipped", code: "no-area", what, reason: g.kind === "mask" ? "the bitmask has no set pixel" : "has no point to draw" });
    return null;
  }
  const { width: W, height: H } = input;
  if (ext.x > W || ext.y > H || ext.x + ext.w < 0 || ext.y + ext.h < 0) {
    notes.push({ outcome: "skipped", code: "outside", what, reason: "lies wholly outside the image" });
    return null;
  }
  if (ext.x < -EDGE_EPS || ext.y < -EDGE_EPS || ext.x + ext.w > W + EDGE_EPS || ext.y + ext.h > H + EDGE_EPS) {
    notes.push({ outcome: "approximated", code: "clipped", what, reason: "reaches outside the image; drawn clipped" });
  }
  const category = input.categories[object.category];
  const anchor = { x: Math.max(0, ext.x) * scale, y: Math.max(0, ext.y) * scale, w: ext.w * scale, h: ext.h * scale };
  return {
    g: scaleGeometry(g, scale),
    colour: classColour(category, object.category + 1),
    label: category?.name ?? object.name,
    anchor,
    keypointEdges: category?.skeleton ?? [],
  };
}

function scaleGeometry(g: Geometry, s: number): Geometry {
  if (s === 1) return g;
  switch (g.kind) {
    case "box":
      return { kind: "box", x: g.x * s, y: g.y * s, w: g.w * s, h: g.h * s };
    case "rotated-box":
      return { ...g, x: g.x * s, y: g.y * s, w: g.w * s, h: g.h * s };
    case "polygon":
      return { kind: "polygon", polygons: g.polygons.map((p) => p.map((r) => r.map((v) => v * s))) };
    case "polyline":
      return { kind: "polyline", points: g.points.map((v) => v * s) };
    case "point":
      return { kind: "point", x: g.x * s, y: g.y * s };
    case "skeleton":
      return { kind: "skeleton", points: g.points.map((p) => ({ ...p, x: p.x * s, y: p.y * s })) };
    case "mask":
      return g; // runs stay in frame pixels; fillMask maps them
  }
}

function fillRegion(canvas: Canvas, p: Planned, input: RenderInput, scale: number, style: DrawStyle): void {
  if (p.g.kind === "mask") {
    fillMask(canvas, p.g.mask, input.width, input.height, scale, p.colour, style.maskAlpha);
    return;
  }
  const runs = geometryRuns(p.g, canvas.width, canvas.height);
  if (!runs) return;
  forEachFrameSpan(runs, canvas.width, canvas.height, (y, x0, x1) => canvas.blendSpan(y, x0, x1, p.colour, style.fillAlpha));
}

/**
 * A bitmask as a translucent overlay. At scale 1 its spans are blended directly; otherwise a canvas
 * pixel is covered when any frame pixel of the mask overlaps it (shrunk, thin parts stay visible;
 * enlarged, each frame pixel becomes a block).
 */
export function fillMask(canvas: Canvas, runs: MaskRuns, frameWidth: number, frameHeight: number, scale: number, colour: Rgb, alpha: number): void {
  if (scale === 1 && canvas.width === frameWidth && canvas.height === frameHeight) {
    forEachFrameSpan(runs, frameWidth, frameHeight, (y, x0, x1) => canvas.blendSpan(y, x0, x1, colour, alpha));
    return;
  }
  const cw = canvas.width;
  const ch = canvas.height;
  const covered = new Uint8Array(cw * ch);
  // Frame pixel range [p0, p1) covers canvas pixels floor(p0·s) .. ceil(p1·s) - 1 (at least one).
  const first = (p: number, size: number): number => Math.min(size - 1, Math.floor(p * scale));
  const last = (p0: number, p1: number, size: number): number => Math.min(size - 1, Math.max(first(p0, size), Math.ceil(p1 * scale) - 1));
  forEachFrameSpan(runs, frameWidth, frameHeight, (y, x0, x1) => {
    const a = first(x0, cw);
    const b = last(x0, x1, cw);
    for (let ty = first(y, ch); ty <= last(y, y + 1, ch); ty++) covered.fill(1, ty * cw + a, ty * cw + b + 1);
  });
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) if (covered[y * cw + x]) canvas.blend(x, y, colour, alpha);
  }
}

function strokeShape(canvas: Canvas, p: Planned, style: DrawStyle): void {
  const g = p.g;
  const t = style.thickness;
  const radius = 1 + 2 * t;
  switch (g.kind) {
    case "box":
    case "rotated-box":
    case "polygon":
      for (const rings of geometryPolygons(g) ?? []) for (const ring of rings) strokePath(canvas, ring, true, p.colour, t);
      return;
    case "polyline":
      if (g.points.length >= 4) strokePath(canvas, g.points, false, p.colour, t);
      else if (g.points.length >= 2) drawDisc(canvas, g.points[0] as number, g.points[1] as number, t, p.colour);
      return;
    case "point":
      drawMarker(canvas, g.x, g.y, radius, p.colour, "filled");
      return;
    case "skeleton": {
      const pts = g.points;
      for (const [a, b] of p.keypointEdges) {
        const pa = pts[a];
        const pb = pts[b];
        if (!pa || !pb) continue;
        // An edge to an invisible point is dashed: the point is placed but not seen.
        const dashed = pa.visibility === 0 || pb.visibility === 0;
        drawLine(canvas, pa.x, pa.y, pb.x, pb.y, p.colour, t, dashed ? 3 * t : 0);
      }
      for (const q of pts) drawMarker(canvas, q.x, q.y, radius, p.colour, q.visibility === 2 ? "filled" : q.visibility === 1 ? "hollow" : "cross");
      return;
    }
    case "mask":
      return;
  }
}

/** A flat [x0,y0,x1,y1,...] path, closed back to its start when `closed`. */
function strokePath(canvas: Canvas, pts: readonly number[], closed: boolean, colour: Rgb, t: number): void {
  const n = Math.floor(pts.length / 2);
  if (n === 1) drawDisc(canvas, pts[0] as number, pts[1] as number, t, colour);
  for (let i = 0; i + 1 < n || (closed && n > 2 && i < n); i++) {
    const j = (i + 1) % n;
    drawLine(canvas, pts[2 * i] as number, pts[2 * i + 1] as number, pts[2 * j] as number, pts[2 * j + 1] as number, colour, t, 0);
  }
}

/** The pixel that holds a continuous coordinate (the far border belongs to the last pixel). */
function pixelOf(v: number, size: number): number {
  return v === size ? size - 1 : Math.floor(v);
}

/** A t×t brush whose top-left is offset so odd widths centre on the pixel. */
function stamp(canvas: Canvas, px: number, py: number, t: number, colour: Rgb): void {
  const o = Math.floor((t - 1) / 2);
  if (t === 1) canvas.set(px, py, colour);
  else canvas.fillRect(px - o, py - o, t, t, colour);
}

/**
 * A straight line of width t from (x0,y0) to (x1,y1), first clipped to the canvas (with a margin for
 * the brush) so far-away coordinates cost nothing; `dash` > 0 leaves every other run of that many steps.
 */
export function drawLine(canvas: Canvas, x0: number, y0: number, x1: number, y1: number, colour: Rgb, t: number, dash: number): void {
  const m = t + 1;
  const clipped = clipSegment(x0, y0, x1, y1, -m, -m, canvas.width + m, canvas.height + m);
  if (!clipped) return;
  const [ax, ay, bx, by] = clipped;
  const dx = bx - ax;
  const dy = by - ay;
  // Two samples per pixel of length so no pixel along the line is stepped over.
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(dx), Math.abs(dy)) * 2));
  let lastX = NaN;
  let lastY = NaN;
  for (let i = 0; i <= steps; i++) {
    if (dash > 0 && Math.floor(i / (2 * dash)) % 2 === 1) continue;
    const px = pixelOf(ax + (dx * i) / steps, canvas.width);
    const py = pixelOf(ay + (dy * i) / steps, canvas.height);
    if (px === lastX && py === lastY) continue;
    lastX = px;
    lastY = py;
    stamp(canvas, px, py, t, colour);
  }
}

/** Liang-Barsky: the part of a segment inside [xmin,xmax]x[ymin,ymax], or null. */
function clipSegment(x0: number, y0: number, x1: number, y1: number, xmin: number, ymin: number, xmax: number, ymax: number): [number, number, number, number] | null {
  let t0 = 0;
  let t1 = 1;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const edges: [number, number][] = [
    [-dx, x0 - xmin],
    [dx, xmax - x0],
    [-dy, y0 - ymin],
    [dy, ymax - y0],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return null;
      continue;
    }
    const r = q / p;
    if (p < 0) {
      if (r > t1) return null;
      if (r > t0) t0 = r;
    } else {
      if (r < t0) return null;
      if (r < t1) t1 = r;
    }
  }
  return [x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy];
}

function drawDisc(canvas: Canvas, x: number, y: number, r: number, colour: Rgb): void {
  const cx = pixelOf(x, canvas.width);
  const cy = pixelOf(y, canvas.height);
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= r * r + r) canvas.set(cx + dx, cy + dy, colour);
  }
}

/**
 * A keypoint marker centred on the point's pixel: "filled" a disc in the class colour ringed in black
 * (visible), "hollow" a ring in the class colour (labelled but occluded), "cross" an X (invisible).
 */
export function drawMarker(canvas: Canvas, x: number, y: number, r: number, colour: Rgb, kind: "filled" | "hollow" | "cross"): void {
  const cx = pixelOf(x, canvas.width);
  const cy = pixelOf(y, canvas.height);
  if (kind === "cross") {
    for (let d = -r; d <= r; d++) {
      canvas.set(cx + d, cy + d, colour);
      canvas.set(cx + d, cy - d, colour);
    }
    return;
  }
  const inner = r * r + r;
  const outer = (r + 1) * (r + 1) + (r + 1);
  const ringInner = (r - 1) * (r - 1) + (r - 1);
  for (let dy = -r - 1; dy <= r + 1; dy++) {
    for (let dx = -r - 1; dx <= r + 1; dx++) {
      const d = dx * dx + dy * dy;
      if (d <= inner) {
        if (kind === "filled" || d > ringInner) canvas.set(cx + dx, cy + dy, colour);
      } else if (d <= outer && kind === "filled") {
        canvas.set(cx + dx, cy + dy, OUTLINE);
      }
    }
  }
}

/**
 * The class name on a class-coloured tab at the object's top-left: above it when there is room, else
 * just inside; kept within the canvas. Text is black or white, whichever reads on the colour.
 */
function drawLabel(canvas: Canvas, text: string, anchor: Box, colour: Rgb, style: DrawStyle): void {
  const s = style.fontScale;
  const w = textWidth(text, s) + 2 * s;
  const h = (GLYPH_HEIGHT + 2) * s;
  let x = Math.floor(anchor.x);
  let y = Math.floor(anchor.y) - h;
  if (y < 0) y = Math.floor(anchor.y);
  x = Math.max(0, Math.min(x, canvas.width - w));
  y = Math.max(0, Math.min(y, canvas.height - h));
  canvas.fillRect(x, y, w, h, colour);
  drawText(canvas, x + s, y + s, text, luma(colour) < 140 ? WHITE : OUTLINE, s);
}
