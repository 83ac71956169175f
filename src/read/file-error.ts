// One line for a file the run cannot read: what it was for, its path, and why in plain words.
import { InputError } from "../model.js";

export function oneLine(message: string): string {
  return message.replace(/\s+/g, " ").trim();
}

/** "cannot read <what> <path>: no such file" (never Node's raw ENOENT text). */
export function cannotRead(what: string, path: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === "ENOENT" || code === "ENOTDIR"
      ? "no such file"
      : code === "EACCES" || code === "EPERM"
        ? "permission denied"
        : code === "EISDIR"
          ? "is a directory"
          : oneLine(err instanceof Error ? err.message : String(err));
  return new InputError(`cannot read ${what} ${path}: ${why}`);
}
