// Pascal VOC annotation XML, built by hand: a tiny element tree, an escaping function, and the
// mapping from one object's geometry to its <bndbox> and the extra elements that keep the exact
// shape (readers of VOC ignore elements they do not know). Pure functions; no I/O.
import type { Geometry } from "../model.js";
import { encodeRleString } from "../geometry/rle.js";
import { clipBox, geometryExtent, rotatedCorners, toVocBox, type Box, type VocBox } from "../geometry/shapes.js";
import type { PlainValue } from "./common.js";

/** An element with text or children (never both), rendered one per line, tab-indented. */
export interface XmlNode {
  tag: string;
  text?: string;
  children?: XmlNode[];
}

// Characters XML 1.0 cannot carry at all (not even as references): C0 controls other than tab, LF
// and CR, lone surrogates, U+FFFE and U+FFFF.
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Every character escapeXml may change: & < > CR, the C0 controls, any surrogate, U+FFFE and U+FFFF.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[&<>\r\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** True when the text holds characters that XML cannot carry (escapeXml replaces them). */
export function hasNonXmlChars(s: string): boolean {
  if (!NEEDS_ESCAPE.test(s)) return false;
  NOT_XML.lastIndex = 0;
  return NOT_XML.test(s);
}

/**
 * Escape text for element content: & < > as entities, CR as &#13; (a parser would turn a raw CR
 * into LF), characters XML cannot carry as U+FFFD. Everything else, all of Unicode, is kept as is.
 */
export function escapeXml(s: string): string {
  // Most texts (numbers, names, hashes) need nothing: one test instead of five replacements.
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s
    .replace(NOT_XML, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\r/g, "&#13;");
}

export function el(tag: string, text: string | number): XmlNode {
  return { tag, text: String(text) };
}

export function parent(tag: string, children: XmlNode[]): XmlNode {
  return { tag, children };
}

/** The element and its subtree as text, one element per line, indented with tabs. */
export function renderXml(node: XmlNode, depth = 0): string {
  const pad = PADS[depth] ?? "\t".repeat(depth);
  const children = node.children;
  if (children === undefined) return `${pad}<${node.tag}>${escapeXml(node.text ?? "")}</${node.tag}>\n`;
  if (children.length === 0) return `${pad}<${node.tag}></${node.tag}>\n`;
  // Appended in a loop rather than map().join(""): no array per element (a polygon has one per vertex).
  let text = `${pad}<${node.tag}>\n`;
  for (const c of children) text += renderXml(c, depth + 1);
  return `${text}${pad}</${node.tag}>\n`;
}

const PADS: readonly string[] = Array.from({ length: 8 }, (_, i) => "\t".repeat(i));

/**
 * A coordinate of an extra element: at most 6 decimals (a micro-pixel; this also removes the float
 * noise of normalised × size, e.g. 28.999999999999996 -> 29), no trailing zeros, never "-0".
 */
export function formatCoord(v: number): string {
  if (Number.isInteger(v)) return v === 0 ? "0" : String(v);
  if (!(Math.abs(v) < 1e15)) {
    const r = Number(v.toFixed(6));
    return Object.is(r, -0) ? "0" : String(r);
  }
  // toFixed(6) without its trailing zeros is the shortest text of the 6-decimal number it names: below
  // 1e15 two 6-decimal numbers are always more than an ulp apart, so no shorter text reads back as the
  // same double. Same bytes as String(Number(text)), four times faster (measured on 2 M coordinates).
  const t = v.toFixed(6);
  let end = t.length;
  while (t.charCodeAt(end - 1) === 48) end--; // '0'
  if (t.charCodeAt(end - 1) === 46) end--; // '.'
  const s = end === t.length ? t : t.slice(0, end);
  return s === "-0" ? "0" : s;
}

/** A plain attribute value as text: checklists as their option names joined by ",". */
export function valueText(v: PlainValue): string {
  return Array.isArray(v) ? v.join(",") : String(v);
}

/** CVAT/Datumaro's attribute block: <attributes><attribute><name/><value/></attribute>…</attributes>. */
export function attributesNode(record: Readonly<Record<string, PlainValue>>): XmlNode | null {
  const entries = Object.entries(record);
  if (entries.length === 0) return null;
  return parent(
    "attributes",
    entries.map(([name, value]) => parent("attribute", [el("name", name), el("value", valueText(value))])),
  );
}

/** Object flags the way CVAT/Datumaro carry them: attributes named pose, truncated, difficult, occluded. */
export interface VocFlags {
  pose: string;
  truncated: boolean;
  difficult: boolean;
  occluded: boolean;
}

export const FLAG_NAMES: readonly string[] = ["pose", "truncated", "difficult", "occluded"];

/** A yes/no answer as a boolean, or null when the value does not read as one. */
export function truthValue(v: PlainValue): boolean | null {
  if (typeof v === "number") return v !== 0;
  if (Array.isArray(v)) return v.length > 0;
  const s = v.trim().toLowerCase();
  if (["1", "true", "yes", "y"].includes(s)) return true;
  if (["0", "false", "no", "n", ""].includes(s)) return false;
  return null;
}

/**
 * Take the flag attributes out of an object's attribute record: a pose text, and truncated /
 * difficult / occluded answers that read as yes/no. What is taken is removed from `rest`; an answer
 * that does not read as a flag stays an ordinary attribute.
 */
export function splitFlags(record: Readonly<Record<string, PlainValue>>): { flags: VocFlags; rest: Record<string, PlainValue> } {
  const flags: VocFlags = { pose: "Unspecified", truncated: false, difficult: false, occluded: false };
  const rest: Record<string, PlainValue> = {};
  for (const [name, value] of Object.entries(record)) {
    const key = name.trim().toLowerCase();
    if (key === "pose" && !Array.isArray(value) && String(value).trim() !== "") {
      flags.pose = String(value).trim();
      continue;
    }
    if (key === "truncated" || key === "difficult" || key === "occluded") {
      const t = truthValue(value);
      if (t !== null) {
        flags[key] = t;
        continue;
      }
    }
    rest[name] = value;
  }
  return { flags, rest };
}

const EDGE_EPS = 1e-6;

/** True when some of the extent lies outside [0,W]×[0,H] (beyond float noise). */
export function crossesBorder(ext: Box, width: number, height: number): boolean {
  const c = clipBox(ext.x, ext.y, ext.w, ext.h, width, height);
  return (
    c.x - ext.x > EDGE_EPS ||
    c.y - ext.y > EDGE_EPS ||
    ext.x + ext.w - (c.x + c.w) > EDGE_EPS ||
    ext.y + ext.h - (c.y + c.h) > EDGE_EPS
  );
}

/**
 * Keypoints are positions, not areas: the box of a skeleton spans the pixels that contain its
 * points (a point at x = 384.0 lies in pixel column 384), so points on one vertical line still give
 * a box one pixel wide instead of none.
 */
export function pointPixels(ext: Box): Box {
  const x = pixelOf(ext.x);
  const y = pixelOf(ext.y);
  return { x, y, w: pixelOf(ext.x + ext.w) - x + 1, h: pixelOf(ext.y + ext.h) - y + 1 };
}

/** The pixel index holding a coordinate, ignoring float noise (383.99999999999994 is 384). */
function pixelOf(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) < EDGE_EPS ? r : Math.floor(v);
}

export type BoxOutcome =
  | { ok: true; box: VocBox; truncated: boolean; widened: boolean }
  | { ok: false; reason: "outside" | "no-extent" | "too-small-image" };

/**
 * The <bndbox> of a geometry: its extent (masks: set pixels; skeletons: the pixels holding the
 * labelled points) mapped by
 * the devkit rule (toVocBox: 1-based, inclusive, clipped). A box one pixel wide or high has
 * xmin = xmax, which Datumaro and the validator refuse, so it is widened by one pixel (to the right
 * or down, else left or up). `zeroBased` then gives pixel edges: xmin−1, ymin−1, xmax, ymax.
 */
export function vocBoxOf(g: Geometry, width: number, height: number, zeroBased: boolean): BoxOutcome {
  const ext = geometryExtent(g);
  if (!ext || !Number.isFinite(ext.x + ext.y + ext.w + ext.h)) return { ok: false, reason: "no-extent" };
  const px = g.kind === "skeleton" ? pointPixels(ext) : ext;
  const b = toVocBox(px.x, px.y, px.w, px.h, width, height);
  if (!b) return { ok: false, reason: ext.w > 0 && ext.h > 0 ? "outside" : "no-extent" };
  const truncated = crossesBorder(ext, width, height);
  let widened = false;
  if (zeroBased) return { ok: true, box: { xmin: b.xmin - 1, ymin: b.ymin - 1, xmax: b.xmax, ymax: b.ymax }, truncated, widened };
  if (b.xmin === b.xmax) {
    if (width < 2) return { ok: false, reason: "too-small-image" };
    if (b.xmax < width) b.xmax++;
    else b.xmin--;
    widened = true;
  }
  if (b.ymin === b.ymax) {
    if (height < 2) return { ok: false, reason: "too-small-image" };
    if (b.ymax < height) b.ymax++;
    else b.ymin--;
    widened = true;
  }
  return { ok: true, box: b, truncated, widened };
}

/** A flat ring as <tag><x1/><y1/><x2/><y2/>…</tag> (Roboflow/supervision's <polygon>). */
function ringNode(tag: string, ring: readonly number[]): XmlNode {
  const children: XmlNode[] = [];
  for (let i = 0; i + 1 < ring.length; i += 2) {
    const k = i / 2 + 1;
    children.push(el(`x${k}`, formatCoord(ring[i] as number)), el(`y${k}`, formatCoord(ring[i + 1] as number)));
  }
  return parent(tag, children);
}

/**
 * The exact shape of a geometry as extra elements, in frame pixels (0-based, continuous, unclipped):
 * rotated box: <rotated_box> (centre, size, degrees clockwise) and its corners as <polygon>;
 * polygon: one <polygon> per part (outer ring), each followed by a <hole> per hole;
 * mask: <mask> with its placement and Encord's row-major rleString; skeleton: <keypoints>.
 * A plain box needs nothing beyond <bndbox>.
 */
export function shapeNodes(g: Geometry): XmlNode[] {
  switch (g.kind) {
    case "rotated-box":
      return [
        parent("rotated_box", [
          el("cx", formatCoord(g.x + g.w / 2)),
          el("cy", formatCoord(g.y + g.h / 2)),
          el("width", formatCoord(g.w)),
          el("height", formatCoord(g.h)),
          el("degrees", formatCoord(g.degrees)),
        ]),
        ringNode("polygon", rotatedCorners(g.x, g.y, g.w, g.h, g.degrees)),
      ];
    case "polygon": {
      const out: XmlNode[] = [];
      for (const rings of g.polygons) {
        rings.forEach((ring, i) => out.push(ringNode(i === 0 ? "polygon" : "hole", ring)));
      }
      return out;
    }
    case "mask": {
      const m = g.mask;
      return [
        parent("mask", [
          el("left", m.left),
          el("top", m.top),
          el("width", m.width),
          el("height", m.height),
          el("rle", encodeRleString(m.counts)),
        ]),
      ];
    }
    case "skeleton":
      return [
        parent(
          "keypoints",
          g.points.map((p) =>
            parent("keypoint", [
              ...(p.name !== undefined ? [el("name", p.name)] : []),
              el("x", formatCoord(p.x)),
              el("y", formatCoord(p.y)),
              el("visibility", p.visibility),
            ]),
          ),
        ),
      ];
    default:
      return [];
  }
}

/** Everything one <object> holds, decided by the writer. */
export interface VocObjectSpec {
  name: string;
  flags: VocFlags;
  box: VocBox;
  attributes: Readonly<Record<string, PlainValue>>;
  geometry: Geometry;
}

const bit = (b: boolean): string => (b ? "1" : "0");

/** One <object>: VOC's elements in the devkit's order, then attributes, then the exact shape. */
export function objectNode(o: VocObjectSpec): XmlNode {
  const children: XmlNode[] = [
    el("name", o.name),
    el("pose", o.flags.pose),
    el("truncated", bit(o.flags.truncated)),
    el("difficult", bit(o.flags.difficult)),
    el("occluded", bit(o.flags.occluded)),
    parent("bndbox", [el("xmin", o.box.xmin), el("ymin", o.box.ymin), el("xmax", o.box.xmax), el("ymax", o.box.ymax)]),
  ];
  const attrs = attributesNode(o.attributes);
  if (attrs) children.push(attrs);
  children.push(...shapeNodes(o.geometry));
  return parent("object", children);
}

export interface VocAnnotationSpec {
  folder: string;
  filename: string;
  source: { database: string; annotation: string; image: string; dataHash: string; frame: number };
  width: number;
  height: number;
  depth: number;
  segmented: boolean;
  objects: XmlNode[];
  /** Image-level classifications, as an <attributes> block after the objects. */
  classifications: Readonly<Record<string, PlainValue>>;
}

/** True when some text in the tree holds characters XML cannot carry (they are written as U+FFFD). */
export function treeHasNonXmlChars(node: XmlNode): boolean {
  if (node.text !== undefined && hasNonXmlChars(node.text)) return true;
  return (node.children ?? []).some(treeHasNonXmlChars);
}

/** The whole annotation file. */
export function annotationXml(a: VocAnnotationSpec): string {
  return renderXml(annotationTree(a));
}

/** The whole annotation as an element tree. */
export function annotationTree(a: VocAnnotationSpec): XmlNode {
  const children: XmlNode[] = [...annotationHead(a), ...a.objects];
  const cls = attributesNode(a.classifications);
  if (cls) children.push(cls);
  return parent("annotation", children);
}

/** The elements before the objects: file, source, size, segmented. */
function annotationHead(a: Omit<VocAnnotationSpec, "objects">): XmlNode[] {
  return [
    el("folder", a.folder),
    el("filename", a.filename),
    parent("source", [
      el("database", a.source.database),
      el("annotation", a.source.annotation),
      el("image", a.source.image),
      el("data_hash", a.source.dataHash),
      el("frame", a.source.frame),
    ]),
    parent("size", [el("width", a.width), el("height", a.height), el("depth", a.depth)]),
    el("segmented", bit(a.segmented)),
  ];
}

/**
 * The annotation file with its <object> elements given as rendered text (renderXml at depth 1):
 * the same bytes as renderXml(annotationTree(...)) of those objects. nonXml: some text of the head
 * or the classifications holds characters XML cannot carry.
 */
export function annotationText(a: Omit<VocAnnotationSpec, "objects">, objects: readonly string[]): { text: string; nonXml: boolean } {
  const head = annotationHead(a);
  const cls = attributesNode(a.classifications);
  let text = "<annotation>\n";
  for (const n of head) text += renderXml(n, 1);
  text += objects.join("");
  if (cls) text += renderXml(cls, 1);
  text += "</annotation>\n";
  const nonXml = head.some(treeHasNonXmlChars) || (cls !== null && treeHasNonXmlChars(cls));
  return { text, nonXml };
}

/** An <object> rendered at depth 1 with an empty name, cut after its name line; objectText puts a name back. */
export const OBJECT_HEAD = "\t<object>\n\t\t<name></name>\n";

export function objectText(name: string, rest: string): string {
  return `\t<object>\n\t\t<name>${escapeXml(name)}</name>\n${rest}`;
}
