// Classifications of a row (doc §5.1-5.2). Placement is the union of the frame-blob entries and the
// frames in classification_answers[h].range (newest exports put it only there); the answers live in
// classification_answers. No placement at all with `range: []` means the whole asset (global).
import type { Attribute, Classification, Location } from "../model.js";
import { staticAttributes } from "./attributes.js";
import { bool, finite, inRanges, isRecord, kindOf, own, parseRanges, str } from "./guards.js";
import type { Ontology } from "./ontology.js";

export type ProblemSink = (code: string, message: string, where: Omit<Location, "row">) => void;

interface Answered {
  hash: string;
  featureHash?: string;
  firstName?: string; // name of the first answered attribute (fallback display name)
  attributes: Attribute[];
  confidence?: number;
  manual?: boolean;
  /** undefined = no `range` key (older rows: placed by frame entries only); [] = no frames. */
  range?: [number, number][];
  /** Data groups: placement per space; [] = the whole space. */
  spaces: Map<string, [number, number][]>;
}

/** A frame-blob entry: a reference to an answered classification. */
interface FrameRef {
  hash: string;
  featureHash?: string;
  name?: string;
  confidence?: number;
  manual?: boolean;
}

export class ClassificationIndex {
  private readonly answers = new Map<string, Answered>();
  private readonly placedByFrames = new Set<string>();
  private readonly unanswered = new Set<string>();

  constructor(
    raw: unknown,
    private readonly ontology: Ontology | undefined,
    private readonly sink: ProblemSink,
  ) {
    if (raw === undefined || raw === null) return;
    if (!isRecord(raw)) {
      sink("bad-classification", `classification_answers is ${kindOf(raw)}, not an object`, {});
      return;
    }
    for (const [key, entry] of Object.entries(raw)) {
      const a = this.parseAnswered(key, entry);
      if (a) this.answers.set(key, a);
    }
  }

  private parseAnswered(key: string, entry: unknown): Answered | undefined {
    const where = { classificationHash: key };
    if (!isRecord(entry)) {
      this.sink("bad-classification", `classification_answers entry is ${kindOf(entry)}, not an object`, where);
      return undefined;
    }
    const list = own(entry, "classifications");
    const attributes = staticAttributes(list, this.ontology, (code, message) => this.sink(code, message, where));
    const a: Answered = { hash: key, attributes, spaces: new Map() };
    const fh = str(own(entry, "featureHash"));
    if (fh) a.featureHash = fh;
    const first = Array.isArray(list) && isRecord(list[0]) ? str(own(list[0], "name")) : undefined;
    if (first !== undefined) a.firstName = first;
    const conf = finite(own(entry, "confidence"));
    if (conf !== undefined) a.confidence = conf;
    const manual = bool(own(entry, "manualAnnotation"));
    if (manual !== undefined) a.manual = manual;
    const rawRange = own(entry, "range");
    if (rawRange !== undefined && rawRange !== null) {
      const r = parseRanges(rawRange);
      if (r) a.range = r;
      else this.sink("bad-range", `classification range is not a list of [start, end] frames`, where);
    }
    const spaces = own(entry, "spaces");
    if (isRecord(spaces)) {
      for (const [spaceId, s] of Object.entries(spaces)) {
        const r = isRecord(s) ? parseRanges(own(s, "range") ?? []) : undefined;
        // html spaces use xpath ranges; they cannot place anything on an image.
        if (r) a.spaces.set(spaceId, r);
      }
    }
    return a;
  }

  private frameRefs(list: unknown, where: Omit<Location, "row">): FrameRef[] {
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) {
      this.sink("bad-classification", `frame classifications are ${kindOf(list)}, not a list`, where);
      return [];
    }
    const out: FrameRef[] = [];
    for (const c of list) {
      const hash = isRecord(c) ? str(own(c, "classificationHash")) : undefined;
      if (!isRecord(c) || hash === undefined || hash === "") {
        this.sink("bad-classification", `frame classification ${isRecord(c) ? "has no classificationHash" : `is ${kindOf(c)}`}`, where);
        continue;
      }
      const ref: FrameRef = { hash };
      const fh = str(own(c, "featureHash"));
      if (fh) ref.featureHash = fh;
      const name = str(own(c, "name"));
      if (name !== undefined) ref.name = name;
      const conf = finite(own(c, "confidence"));
      if (conf !== undefined) ref.confidence = conf;
      const manual = bool(own(c, "manualAnnotation"));
      if (manual !== undefined) ref.manual = manual;
      out.push(ref);
    }
    return out;
  }

  /** False when no answer could be global: then which frames list a classification changes nothing. */
  placementMatters(): boolean {
    for (const a of this.answers.values()) {
      if (a.range !== undefined && a.range.length === 0 && a.spaces.size === 0) return true;
      for (const r of a.spaces.values()) if (r.length === 0) return true;
    }
    return false;
  }

  /** First pass: remember which classifications some frame blob lists (they are not global). */
  noteFrameEntries(list: unknown): void {
    if (!Array.isArray(list)) return;
    for (const c of list) {
      const hash = isRecord(c) ? str(own(c, "classificationHash")) : undefined;
      if (hash) this.placedByFrames.add(hash);
    }
  }

  private build(a: Answered, ref: FrameRef | undefined, global: boolean): Classification {
    const featureHash = a.featureHash ?? ref?.featureHash ?? "";
    const ont = this.ontology?.classificationByHash.get(featureHash);
    return {
      classificationHash: a.hash,
      featureHash,
      name: ont?.name || ref?.name || a.firstName || "",
      attributes: a.attributes,
      global,
      confidence: ref?.confidence ?? a.confidence ?? 1,
      manual: ref?.manual ?? a.manual ?? true,
    };
  }

  private isGlobal(a: Answered, spaceId?: string): boolean {
    if (this.placedByFrames.has(a.hash)) return false;
    if (spaceId !== undefined) {
      const r = a.spaces.get(spaceId);
      return r !== undefined && r.length === 0;
    }
    // Row-wide: `range: []` and no space naming it (a space entry scopes it to that space).
    return a.range !== undefined && a.range.length === 0 && a.spaces.size === 0;
  }

  /** Global classifications of the whole row. */
  rowGlobals(): Classification[] {
    const out: Classification[] = [];
    for (const a of this.answers.values()) if (this.isGlobal(a)) out.push(this.build(a, undefined, true));
    return out;
  }

  /**
   * Classifications of one item: its frame entries, then those whose range covers its frame, then the
   * globals (of the row, or of the item's space). `spaceId` is given for data-group items.
   */
  forItem(frameList: unknown, frame: number, where: Omit<Location, "row">, rowGlobals: readonly Classification[], spaceId?: string): Classification[] {
    const out: Classification[] = [];
    const seen = new Set<string>();
    for (const ref of this.frameRefs(frameList, where)) {
      if (seen.has(ref.hash)) continue;
      const a = this.answers.get(ref.hash);
      if (!a) {
        // Unanswered (the SDK ignores these too); said once per row.
        if (!this.unanswered.has(ref.hash)) {
          this.unanswered.add(ref.hash);
          this.sink("unanswered-classification", `classification ${ref.hash} is on a frame but has no classification_answers entry; ignored`, {
            ...where,
            classificationHash: ref.hash,
          });
        }
        continue;
      }
      seen.add(ref.hash);
      out.push(this.build(a, ref, false));
    }
    for (const a of this.answers.values()) {
      if (seen.has(a.hash)) continue;
      const ranges = spaceId !== undefined ? a.spaces.get(spaceId) : a.range;
      if (ranges && inRanges(ranges, frame)) {
        seen.add(a.hash);
        out.push(this.build(a, undefined, false));
      }
    }
    for (const g of rowGlobals) {
      if (seen.has(g.classificationHash)) continue;
      seen.add(g.classificationHash);
      out.push(g);
    }
    if (spaceId !== undefined) {
      for (const a of this.answers.values()) {
        if (seen.has(a.hash) || !this.isGlobal(a, spaceId)) continue;
        seen.add(a.hash);
        out.push(this.build(a, undefined, true));
      }
    }
    return out;
  }
}

