// The Encord ontology structure (SDK OntologyStructure.to_dict(), or an object with it under
// "structure"): object classes in ontology order, classifications, skeleton templates, and lookups
// of attributes/options by featureNodeHash. The export itself never contains it (doc §6.1).
import { InputError, type Attribute } from "../model.js";
import { entries, intKey, isRecord, kindOf, own, str, type JsonRecord } from "./guards.js";

export type AttributeType = Attribute["type"];

export interface OntologyOption {
  featureHash: string;
  label: string;
  value: string;
  /** Attributes nested under this option (radio options in practice). */
  attributes: OntologyAttribute[];
}

export interface OntologyAttribute {
  featureHash: string;
  name: string;
  type: AttributeType;
  dynamic: boolean;
  required: boolean;
  options: OntologyOption[];
}

export interface OntologyObject {
  featureHash: string;
  name: string;
  shape: string;
  color?: string;
  attributes: OntologyAttribute[];
}

export interface OntologyClassification {
  featureHash: string;
  /** Classifications have no name of their own; Encord shows the first attribute's name. */
  name: string;
  level?: string; // "global" for whole-asset classifications
  attributes: OntologyAttribute[];
}

export interface SkeletonTemplate {
  featureHash: string; // the skeleton object's featureNodeHash
  name: string;
  keypoints: string[]; // point names in template order
  keypointHashes: (string | undefined)[];
  edges: [number, number][]; // 0-based indices into keypoints
}

export interface Ontology {
  objects: OntologyObject[]; // ontology order
  classifications: OntologyClassification[];
  skeletons: ReadonlyMap<string, SkeletonTemplate>; // by object featureHash
  objectByHash: ReadonlyMap<string, OntologyObject>;
  classificationByHash: ReadonlyMap<string, OntologyClassification>;
  /** Every attribute, nested ones included. Feature hashes may repeat across objects; first wins. */
  attributeByHash: ReadonlyMap<string, OntologyAttribute>;
  optionByHash: ReadonlyMap<string, OntologyOption>;
}

const ATTRIBUTE_TYPES: ReadonlySet<string> = new Set(["text", "numeric", "radio", "checklist"]);

function fail(path: string, what: string): never {
  throw new InputError(`ontology: ${path} ${what}`);
}

function requireString(rec: JsonRecord, key: string, path: string): string {
  const v = own(rec, key);
  if (typeof v !== "string" || v === "") fail(`${path}.${key}`, `must be a non-empty string, got ${kindOf(v)}`);
  return v;
}

function optionalArray(rec: JsonRecord, key: string, path: string): unknown[] {
  const v = own(rec, key);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(`${path}.${key}`, `must be an array, got ${kindOf(v)}`);
  return v;
}

class Builder {
  readonly attributeByHash = new Map<string, OntologyAttribute>();
  readonly optionByHash = new Map<string, OntologyOption>();

  attributes(list: unknown[], path: string, depth: number): OntologyAttribute[] {
    if (depth > 32) fail(path, "nests attributes more than 32 levels deep");
    return list.map((a, i) => this.attribute(a, `${path}[${i}]`, depth));
  }

  private attribute(raw: unknown, path: string, depth: number): OntologyAttribute {
    if (!isRecord(raw)) fail(path, `must be an object, got ${kindOf(raw)}`);
    const featureHash = requireString(raw, "featureNodeHash", path);
    const name = str(own(raw, "name")) ?? "";
    const rawType = str(own(raw, "type"));
    const type: AttributeType = rawType !== undefined && ATTRIBUTE_TYPES.has(rawType) ? (rawType as AttributeType) : "unknown";
    const attr: OntologyAttribute = {
      featureHash,
      name,
      type,
      dynamic: own(raw, "dynamic") === true,
      required: own(raw, "required") === true,
      options: [],
    };
    attr.options = optionalArray(raw, "options", path).map((o, i) => this.option(o, `${path}.options[${i}]`, depth));
    if (!this.attributeByHash.has(featureHash)) this.attributeByHash.set(featureHash, attr);
    return attr;
  }

  private option(raw: unknown, path: string, depth: number): OntologyOption {
    if (!isRecord(raw)) fail(path, `must be an object, got ${kindOf(raw)}`);
    const featureHash = requireString(raw, "featureNodeHash", path);
    const value = str(own(raw, "value"));
    const label = str(own(raw, "label")) ?? value ?? "";
    const opt: OntologyOption = { featureHash, label, value: value ?? label, attributes: [] };
    opt.attributes = this.attributes(optionalArray(raw, "options", path), `${path}.options`, depth + 1);
    if (!this.optionByHash.has(featureHash)) this.optionByHash.set(featureHash, opt);
    return opt;
  }
}

function skeletonTemplate(raw: unknown, path: string): SkeletonTemplate {
  if (!isRecord(raw)) fail(path, `must be an object, got ${kindOf(raw)}`);
  // Templates come wrapped as {"template": {...}}; accept the bare template too.
  const wrapped = own(raw, "template");
  const t = isRecord(wrapped) ? wrapped : raw;
  const tPath = isRecord(wrapped) ? `${path}.template` : path;
  const featureHash = requireString(t, "feature_node_hash", tPath);
  const points = own(t, "skeleton");
  if (!isRecord(points)) fail(`${tPath}.skeleton`, `must be an object of points, got ${kindOf(points)}`);
  const keyed: { key: string; index: number; point: unknown }[] = [];
  for (const [key, point] of Object.entries(points)) {
    const index = intKey(key);
    if (index === undefined) fail(`${tPath}.skeleton`, `has key ${JSON.stringify(key)}, not a point index`);
    keyed.push({ key, index, point });
  }
  keyed.sort((a, b) => a.index - b.index);
  const position = new Map<string, number>();
  const keypoints: string[] = [];
  const keypointHashes: (string | undefined)[] = [];
  keyed.forEach(({ key, point }, i) => {
    position.set(key, i);
    const p = isRecord(point) ? point : {};
    keypoints.push(str(own(p, "name")) ?? str(own(p, "value")) ?? `point_${key}`);
    keypointHashes.push(str(own(p, "featureHash")));
  });
  const edges: [number, number][] = [];
  const rawEdges = own(t, "skeletonEdges");
  if (rawEdges !== undefined && rawEdges !== null && !isRecord(rawEdges)) {
    fail(`${tPath}.skeletonEdges`, `must be an object, got ${kindOf(rawEdges)}`);
  }
  for (const [from, targets] of entries(rawEdges)) {
    for (const [to] of entries(targets)) {
      const a = position.get(from);
      const b = position.get(to);
      if (a === undefined || b === undefined) {
        fail(`${tPath}.skeletonEdges`, `joins ${JSON.stringify(from)} to ${JSON.stringify(to)}, which is not a point of the template`);
      }
      edges.push([a, b]);
    }
  }
  return { featureHash, name: str(own(t, "name")) ?? "", keypoints, keypointHashes, edges };
}

/** Parse and validate an ontology structure. Throws InputError naming the bad path. */
export function loadOntology(json: unknown): Ontology {
  if (Array.isArray(json)) fail("top level", "is an array; expected the ontology structure object (is this a label export?)");
  if (!isRecord(json)) fail("top level", `must be a JSON object, got ${kindOf(json)}`);
  let root = json;
  const structure = own(json, "structure");
  if (own(json, "objects") === undefined && own(json, "classifications") === undefined && isRecord(structure)) root = structure;
  if (own(root, "objects") === undefined && own(root, "classifications") === undefined) {
    fail("top level", "has neither \"objects\" nor \"classifications\"");
  }

  const b = new Builder();
  const objects: OntologyObject[] = [];
  const objectByHash = new Map<string, OntologyObject>();
  optionalArray(root, "objects", "").forEach((raw, i) => {
    const path = `objects[${i}]`;
    if (!isRecord(raw)) fail(path, `must be an object, got ${kindOf(raw)}`);
    const featureHash = requireString(raw, "featureNodeHash", path);
    const name = str(own(raw, "name"));
    if (name === undefined) fail(`${path}.name`, `must be a string, got ${kindOf(own(raw, "name"))}`);
    const shape = requireString(raw, "shape", path);
    if (objectByHash.has(featureHash)) fail(`${path}.featureNodeHash`, `${JSON.stringify(featureHash)} is used by two objects`);
    const color = str(own(raw, "color"));
    const obj: OntologyObject = {
      featureHash,
      name,
      shape,
      ...(color !== undefined ? { color } : {}),
      attributes: b.attributes(optionalArray(raw, "attributes", path), `${path}.attributes`, 0),
    };
    objects.push(obj);
    objectByHash.set(featureHash, obj);
  });

  const classifications: OntologyClassification[] = [];
  const classificationByHash = new Map<string, OntologyClassification>();
  optionalArray(root, "classifications", "").forEach((raw, i) => {
    const path = `classifications[${i}]`;
    if (!isRecord(raw)) fail(path, `must be an object, got ${kindOf(raw)}`);
    const featureHash = requireString(raw, "featureNodeHash", path);
    if (classificationByHash.has(featureHash)) {
      fail(`${path}.featureNodeHash`, `${JSON.stringify(featureHash)} is used by two classifications`);
    }
    const attributes = b.attributes(optionalArray(raw, "attributes", path), `${path}.attributes`, 0);
    const level = str(own(raw, "level"));
    const c: OntologyClassification = {
      featureHash,
      name: attributes[0]?.name ?? "",
      ...(level !== undefined ? { level } : {}),
      attributes,
    };
    classifications.push(c);
    classificationByHash.set(featureHash, c);
  });

  const skeletons = new Map<string, SkeletonTemplate>();
  const templates = optionalArray(root, "skeleton_templates", "").map((raw, i) => skeletonTemplate(raw, `skeleton_templates[${i}]`));
  for (const t of templates) if (!skeletons.has(t.featureHash)) skeletons.set(t.featureHash, t);
  // A skeleton object whose template carries another hash is matched by name.
  for (const o of objects) {
    if (o.shape !== "skeleton" || skeletons.has(o.featureHash)) continue;
    const byName = templates.find((t) => t.name === o.name);
    if (byName) skeletons.set(o.featureHash, { ...byName, featureHash: o.featureHash });
  }

  return {
    objects,
    classifications,
    skeletons,
    objectByHash,
    classificationByHash,
    attributeByHash: b.attributeByHash,
    optionByHash: b.optionByHash,
  };
}
