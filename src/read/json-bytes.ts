// The bytes of JSON's structure, for the three byte-level scanners of the reader (row boundaries,
// a huge row's frames, a row's shard key), which walk exported bytes without decoding them.

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const COLON = 0x3a;
export const COMMA = 0x2c;
export const SPACE = 0x20;
export const TAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;

/** JSON's insignificant whitespace. */
export function isJsonSpace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

/** What a byte means to a depth-tracking walk outside strings (STRUCTURE's values). */
export const B_OTHER = 0;
export const B_QUOTE = 1;
export const B_OPEN = 2;
export const B_CLOSE = 3;

/**
 * Every byte's meaning outside strings, as one table load instead of five comparisons: the scanners'
 * loops spend most of their time on digits, commas and letters, which are B_OTHER (measured: a row
 * boundary walk over the box/polygon peer export, 357 -> 228 ms).
 */
export const STRUCTURE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  t[QUOTE] = B_QUOTE;
  t[LBRACE] = B_OPEN;
  t[LBRACKET] = B_OPEN;
  t[RBRACE] = B_CLOSE;
  t[RBRACKET] = B_CLOSE;
  return t;
})();
