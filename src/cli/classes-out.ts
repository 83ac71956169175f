// inspect --classes-out FILE: the export's class names, one per line, as --classes reads them back.
import { writeFileSync } from "node:fs";
import { InputError } from "../model.js";
import { AtomicOutput } from "../output/atomic.js";

/** The classes file's atomic output (refused when it exists, unless --force). */
export function prepareClassesFile(path: string, force: boolean, inputs: readonly string[]): AtomicOutput {
  return AtomicOutput.prepare(path, "file", force, inputs.filter((i) => i !== "-"));
}

/** Why --classes could not read this name back from a line, or undefined. */
export function unlistable(name: string): string | undefined {
  if (name === "") return "it is empty";
  if (/[\r\n]/.test(name)) return "it holds a line break";
  if (name !== name.trim()) return "it starts or ends with white space";
  if (name.startsWith("#")) return "it starts with '#', which --classes reads as a comment";
  return undefined;
}

/** Write the names and move the file into place. */
export function writeClassesFile(out: AtomicOutput, names: readonly string[]): void {
  for (const n of names) {
    const why = unlistable(n);
    if (why) throw new InputError(`class ${JSON.stringify(n)} cannot be listed one per line for --classes: ${why}`);
  }
  writeFileSync(out.tempPath, names.map((n) => `${n}\n`).join(""));
  out.commit();
}
