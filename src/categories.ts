// The shared class order every writer uses (COCO ids, YOLO indices, VOC/mask palette indices).
// Fixed up front by an ontology or an explicit class list; otherwise the order of first appearance.
// Identity is the ontology featureHash, except that classes renamed by --map merge by their new name.
import type { Category, CategorySeed, LabeledObject } from "./model.js";

export type { CategorySeed };
import type { CategoryTable } from "./writers/writer.js";

export interface CategoryRules {
  seeds?: CategorySeed[]; // from an ontology, in its order
  classes?: string[]; // --classes: keep only these names, in this order
  rename?: ReadonlyMap<string, string>; // --map old=new
  drop?: ReadonlySet<string>; // --drop name
  /**
   * No class may be added during the run (--shard: every shard must number classes alike): an
   * object of a class outside the ontology is then `outside`, not a new class.
   */
  closed?: boolean;
}

export type Assignment = { index: number } | { filtered: string } | { outside: string };

/** The row (input index) whose object first set a category's shape and keypoints; merge needs them. */
export interface LearnedAt {
  shape?: number;
  keypoints?: number;
}

/** A class name given in --classes, --drop or --map (its old name) that names nothing. */
export interface UnmatchedName {
  flag: "--classes" | "--drop" | "--map";
  name: string;
}

/** Every class name a rule gives, with the flag that gave it. */
function ruleNames(rules: CategoryRules): { flag: UnmatchedName["flag"]; name: string; renamed: boolean }[] {
  return [
    ...(rules.classes ?? []).map((name) => ({ flag: "--classes" as const, name, renamed: true })),
    ...[...(rules.drop ?? [])].map((name) => ({ flag: "--drop" as const, name, renamed: true })),
    ...[...(rules.rename?.keys() ?? [])].map((name) => ({ flag: "--map" as const, name, renamed: false })),
  ];
}

/**
 * Names in the rules that no class of the ontology has. --classes and --drop name classes after --map
 * (so a --map target counts); --map names them before.
 */
export function namesNotInOntology(rules: CategoryRules, ontologyNames: readonly string[]): (UnmatchedName & { known: string[] })[] {
  const before = new Set(ontologyNames);
  const after = new Set([...ontologyNames.map((n) => rules.rename?.get(n) ?? n), ...(rules.rename?.values() ?? [])]);
  return ruleNames(rules)
    .filter((r) => !(r.renamed ? after : before).has(r.name))
    .map((r) => ({ flag: r.flag, name: r.name, known: [...(r.renamed ? after : before)] }));
}

export class CategoryRegistry implements CategoryTable {
  private readonly categories: Category[] = [];
  private readonly byIdentity = new Map<string, number>();
  private readonly seedNames = new Map<string, CategorySeed>();
  private readonly learned = new Map<number, LearnedAt>();
  /** Class names of the objects seen, before and after --map: which rule names matched something. */
  private readonly seenBefore = new Set<string>();
  private readonly seenAfter = new Set<string>();
  readonly fixed: boolean;

  constructor(private readonly rules: CategoryRules = {}) {
    for (const s of rules.seeds ?? []) this.seedNames.set(s.key, s);
    if (rules.classes) {
      for (const name of rules.classes) this.add(`name:${name}`, { key: `name:${name}`, name, shape: "" });
      this.fixed = true;
    } else if (rules.seeds && rules.seeds.length > 0) {
      for (const s of rules.seeds) {
        const name = this.rename(s.name);
        if (rules.drop?.has(name)) continue;
        this.add(this.identity(s.key, s.name), { ...s, name });
      }
      this.fixed = true;
    } else {
      this.fixed = false;
    }
  }

  list(): readonly Category[] {
    return this.categories;
  }

  /** What was learned from objects (shape, keypoints) for a category, and from which row. */
  learnedAt(index: number): LearnedAt {
    return { ...(this.learned.get(index) ?? {}) };
  }

  /**
   * The category of an object, or why it is filtered out. May add a class (first appearance).
   * `row`: the object's row, recorded when the object teaches its class a shape or keypoints.
   */
  assign(obj: LabeledObject, row = -1): Assignment {
    const seed = this.seedNames.get(obj.featureHash);
    const original = seed?.name ?? obj.name;
    const name = this.rename(original);
    this.seenBefore.add(original);
    this.seenAfter.add(name);
    if (this.rules.drop?.has(name)) return { filtered: `class "${name}" dropped by --drop` };
    if (this.rules.classes) {
      const i = this.byIdentity.get(`name:${name}`);
      if (i === undefined) return { filtered: `class "${name}" not in --classes` };
      this.learnKeypoints(i, obj, row);
      return { index: i };
    }
    const identity = this.identity(obj.featureHash, seed?.name ?? obj.name);
    let i = this.byIdentity.get(identity);
    if (i === undefined) {
      if (this.rules.closed) return { outside: `class "${name}" (feature hash ${obj.featureHash}) is not in the ontology` };
      // Not in the ontology (or no ontology): a new class at the end, in order of first appearance.
      i = this.add(identity, { key: obj.featureHash, name, shape: obj.shape, color: obj.color });
    }
    this.learnKeypoints(i, obj, row);
    return { index: i };
  }

  /** Names given in --classes, --drop or --map that matched no object of the run so far. */
  unmatched(): UnmatchedName[] {
    return ruleNames(this.rules)
      .filter((r) => !(r.renamed ? this.seenAfter : this.seenBefore).has(r.name))
      .map(({ flag, name }) => ({ flag, name }));
  }

  private rename(name: string): string {
    return this.rules.rename?.get(name) ?? name;
  }

  private identity(featureHash: string, originalName: string): string {
    const renamed = this.rules.rename?.get(originalName);
    return renamed !== undefined ? `name:${renamed}` : featureHash;
  }

  private add(identity: string, seed: CategorySeed): number {
    const existing = this.byIdentity.get(identity);
    if (existing !== undefined) return existing;
    const index = this.categories.length;
    const cat: Category = { index, key: seed.key, name: seed.name, shape: seed.shape };
    if (seed.color) cat.color = seed.color;
    if (seed.keypoints) cat.keypoints = [...seed.keypoints];
    if (seed.skeleton) cat.skeleton = seed.skeleton.map(([a, b]) => [a, b]);
    this.categories.push(cat);
    this.byIdentity.set(identity, index);
    return index;
  }

  /** Without a template, a skeleton class takes its keypoint names from the first skeleton seen. */
  private learnKeypoints(index: number, obj: LabeledObject, row: number): void {
    const cat = this.categories[index];
    if (!cat || cat.keypoints) return;
    const learned = this.learned.get(index) ?? {};
    if (!cat.shape) {
      cat.shape = obj.shape;
      learned.shape = row;
    }
    const g = obj.geometry;
    if (g.kind === "skeleton") {
      cat.keypoints = g.points.map((p, k) => p.name ?? `point_${k}`);
      cat.skeleton ??= [];
      learned.keypoints = row;
    } else if (g.kind === "point") {
      cat.keypoints = ["keypoint"];
      cat.skeleton = [];
      learned.keypoints = row;
    }
    if (learned.shape !== undefined || learned.keypoints !== undefined) this.learned.set(index, learned);
  }
}
