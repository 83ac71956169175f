// Attribute answers (doc §5.3-5.5): static ones from object_answers / classification_answers
// `classifications`, dynamic ones from object_actions `actions` with inclusive frame ranges.
// Options are identified by featureHash; names come from the ontology when it is given.
import type { AnswerOption, Attribute } from "../model.js";
import { finite, inRanges, isRecord, kindOf, own, parseRanges, quote, str } from "./guards.js";
import type { Ontology, OntologyAttribute } from "./ontology.js";

/** Receives a warning about an answer: a Problem code and a one-line message. */
export type Sink = (code: string, message: string) => void;

function options(raw: unknown[], attrName: string, rawAttrName: string | undefined, ontology: Ontology | undefined, sink: Sink): AnswerOption[] {
  const out: AnswerOption[] = [];
  for (const o of raw) {
    if (!isRecord(o)) {
      sink("bad-attribute", `attribute ${quote(attrName)} has an answer that is ${kindOf(o)}, not an option`);
      continue;
    }
    const featureHash = str(own(o, "featureHash"));
    if (featureHash === undefined || featureHash === "") {
      sink("bad-attribute", `attribute ${quote(attrName)} has an option without featureHash`);
      continue;
    }
    const ont = ontology?.optionByHash.get(featureHash);
    const rawName = str(own(o, "name"));
    const rawValue = str(own(o, "value"));
    // Some platform rows put the attribute's name in answers[].name; then only `value` names the option.
    const nameUsable = rawName !== undefined && rawName !== "" && rawName !== rawAttrName && rawName !== attrName;
    const name = ont?.label ?? (nameUsable ? rawName : undefined) ?? rawValue ?? rawName ?? "";
    out.push({ featureHash, name, value: ont?.value ?? rawValue ?? name });
  }
  return out;
}

function compatible(type: OntologyAttribute["type"], value: Attribute["value"]): boolean {
  switch (type) {
    case "text":
      return typeof value === "string";
    case "numeric":
      return typeof value === "number";
    case "radio":
    case "checklist":
      return Array.isArray(value);
    default:
      return true;
  }
}

/** One answered attribute (an entry of `classifications` or `actions`), or undefined after a warning. */
export function resolveAnswer(raw: unknown, dynamic: boolean, ontology: Ontology | undefined, sink: Sink): Attribute | undefined {
  if (!isRecord(raw)) {
    sink("bad-attribute", `attribute answer is ${kindOf(raw)}, not an object`);
    return undefined;
  }
  const rawName = str(own(raw, "name"));
  const featureHash = str(own(raw, "featureHash"));
  if (featureHash === undefined || featureHash === "") {
    sink("bad-attribute", `attribute answer ${quote(rawName ?? "")} has no featureHash`);
    return undefined;
  }
  const ont = ontology?.attributeByHash.get(featureHash);
  const name = ont?.name ?? rawName ?? str(own(raw, "value")) ?? "";
  const answers = own(raw, "answers");
  let value: Attribute["value"];
  let inferred: Attribute["type"];
  if (typeof answers === "string") {
    // A numeric attribute may arrive as a string; keep the number when the ontology says numeric.
    const n = ont?.type === "numeric" && answers.trim() !== "" ? Number(answers) : NaN;
    value = Number.isFinite(n) ? n : answers;
    inferred = typeof value === "number" ? "numeric" : "text";
  } else if (finite(answers) !== undefined) {
    value = answers as number;
    inferred = "numeric";
  } else if (Array.isArray(answers)) {
    value = options(answers, name, rawName, ontology, sink);
    inferred = "checklist";
  } else {
    sink("bad-attribute", `attribute ${quote(name)} has answers that are ${kindOf(answers)}`);
    return undefined;
  }
  let type: Attribute["type"] = inferred;
  if (ont && ont.type !== "unknown") {
    if (compatible(ont.type, value)) type = ont.type;
    else sink("attribute-type-mismatch", `attribute ${quote(name)} is ${ont.type} in the ontology but its answer is ${kindOf(answers)}`);
  }
  return { featureHash, name, type, value, dynamic };
}

/** Static answers: the `classifications` list of an object_answers / classification_answers entry. */
export function staticAttributes(list: unknown, ontology: Ontology | undefined, sink: Sink): Attribute[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    sink("bad-attribute", `classifications is ${kindOf(list)}, not a list of answers`);
    return [];
  }
  const out: Attribute[] = [];
  for (const a of list) {
    const attr = resolveAnswer(a, false, ontology, sink);
    if (attr) out.push(attr);
  }
  return out;
}

export interface DynamicAction {
  ranges: [number, number][];
  spaceId?: string; // data groups: the space the action belongs to
  attribute: Attribute;
}

/** The `actions` of an object_actions entry, parsed once per object. */
export function parseActions(entry: unknown, ontology: Ontology | undefined, sink: Sink): DynamicAction[] {
  if (entry === undefined || entry === null) return [];
  const list = isRecord(entry) ? own(entry, "actions") : entry;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    sink("bad-attribute", `object_actions entry has actions that are ${kindOf(list)}, not a list`);
    return [];
  }
  const out: DynamicAction[] = [];
  for (const a of list) {
    const attribute = resolveAnswer(a, true, ontology, sink);
    if (!attribute) continue;
    const ranges = parseRanges(isRecord(a) ? own(a, "range") : undefined);
    if (!ranges) {
      sink("bad-range", `dynamic attribute ${quote(attribute.name)} has a range that is not a list of [start, end] frames`);
      continue;
    }
    const action: DynamicAction = { ranges, attribute };
    const spaceId = isRecord(a) ? str(own(a, "spaceId")) : undefined;
    if (spaceId !== undefined) action.spaceId = spaceId;
    out.push(action);
  }
  return out;
}

/**
 * Dynamic values at a frame. Several actions may cover the same attribute: checklist options are
 * united (the platform writes one action per ticked option), any other type takes the last one.
 */
export function dynamicAt(actions: readonly DynamicAction[], frame: number, spaceId?: string): Attribute[] {
  const byHash = new Map<string, Attribute>();
  for (const a of actions) {
    if (a.spaceId !== undefined && spaceId !== undefined && a.spaceId !== spaceId) continue;
    if (!inRanges(a.ranges, frame)) continue;
    const prev = byHash.get(a.attribute.featureHash);
    if (prev && prev.type === "checklist" && a.attribute.type === "checklist" && Array.isArray(prev.value) && Array.isArray(a.attribute.value)) {
      const seen = new Set(prev.value.map((o) => o.featureHash));
      const merged = [...prev.value, ...a.attribute.value.filter((o) => !seen.has(o.featureHash))];
      byHash.set(a.attribute.featureHash, { ...prev, value: merged });
    } else {
      byHash.set(a.attribute.featureHash, a.attribute);
    }
  }
  return [...byHash.values()];
}

/** Static answers plus the dynamic ones at this frame; a dynamic answer replaces a static one of the same attribute. */
export function combineAttributes(statics: readonly Attribute[], dynamics: readonly Attribute[]): Attribute[] {
  if (dynamics.length === 0) return [...statics];
  const dyn = new Set(dynamics.map((d) => d.featureHash));
  return [...statics.filter((s) => !dyn.has(s.featureHash)), ...dynamics];
}
