// A 5x7 bitmap font of this project's own design for labels and captions: printable ASCII (32..126);
// any other character is drawn as a hollow box, so a name in any script shows how many characters
// it has without a font file. Each glyph is 7 rows of 5 bits (leftmost pixel = 16), one base-32
// digit (0-9, A-V) per row, top row first.
import type { Rgb } from "../output/png.js";
import type { Canvas } from "./canvas.js";

const GLYPHS = [
  "0000000 4444404 AAA0000 AAVAVAA 4FKE5U4 OP248J3 CIK8LID 4480000", // ' !"#$%&\''
  "2488842 8422248 04LEL40 044V440 0000C48 000V000 00000CC 01248G0", // '()*+,-./'
  "EHJLPHE 4C4444E EH1248V V2421HE 26AIV22 VGU11HE 68GUHHE V124888", // '01234567'
  "EHHEHHE EHHF12C 0CC0CC0 0CC0C48 248G842 00V0V00 8421248 EH12404", // '89:;<=>?'
  "EH1DLLE EHHVHHH UHHUHHU EHGGGHE SIHHHIS VGGUGGV VGGUGGG EHGNHHF", // '@ABCDEFG'
  "HHHVHHH E44444E 72222IC HIKOKIH GGGGGGV HRLLHHH HHPLJHH EHHHHHE", // 'HIJKLMNO'
  "UHHUGGG EHHHLID UHHUKIH FGGE11U V444444 HHHHHHE HHHHHA4 HHHLLLA", // 'PQRSTUVW'
  "HHA4AHH HHA4444 V1248GV E88888E 0G84210 E22222E 4AH0000 000000V", // 'XYZ[\\]^_'
  "8420000 00E1FHF GGMPHHU 00EGGHE 11DJHHF 00EHVGE 698S888 0FHHF1E", // '`abcdefg'
  "GGMPHHH 40C444E 20622IC GGIKOKI C44444E 00QLLHH 00MPHHH 00EHHHE", // 'hijklmno'
  "00UHUGG 00DJF11 00MPGGG 00EGE1U 88S8896 00HHHJD 00HHHA4 00HHLLA", // 'pqrstuvw'
  "00HA4AH 00HHF1E 00V248V 2448442 4444444 8442448 008L200", // 'xyz{|}~'
].join(" ").split(" ");

/** The glyph drawn for anything outside printable ASCII: a hollow box. */
const PLACEHOLDER = "VHHHHHV";

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Horizontal step from one character to the next (glyph plus one column of space). */
export const ADVANCE = GLYPH_WIDTH + 1;

/** Row bitmaps (bit 4 = leftmost column) of the glyph for one code point. */
export function glyphRows(codePoint: number): number[] {
  const code = codePoint >= 32 && codePoint <= 126 ? (GLYPHS[codePoint - 32] as string) : PLACEHOLDER;
  return [...code].map((c) => parseInt(c, 32));
}

/** The characters as drawn: NFC code points (one glyph each). */
export function glyphCodes(text: string): number[] {
  return [...text.normalize("NFC")].map((c) => c.codePointAt(0) as number);
}

/** Width in pixels of text drawn at an integer scale (no trailing space column). */
export function textWidth(text: string, scale = 1): number {
  const n = glyphCodes(text).length;
  return n === 0 ? 0 : (n * ADVANCE - 1) * scale;
}

/** Draw text with its top-left at (x, y), each font pixel a scale×scale square; clipped to the canvas. */
export function drawText(canvas: Canvas, x: number, y: number, text: string, colour: Rgb, scale = 1): void {
  let cx = x;
  for (const code of glyphCodes(text)) {
    const rows = glyphRows(code);
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      const bits = rows[r] as number;
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (bits & (16 >> c)) canvas.fillRect(cx + c * scale, y + r * scale, scale, scale, colour);
      }
    }
    cx += ADVANCE * scale;
  }
}

/** The longest prefix of text that fits maxWidth at this scale, with "..." when it was cut. */
export function fitText(text: string, maxWidth: number, scale = 1): string {
  const chars = [...text.normalize("NFC")];
  const fits = (n: number): boolean => n === 0 || (n * ADVANCE - 1) * scale <= maxWidth;
  if (fits(chars.length)) return chars.join("");
  let n = chars.length;
  while (n > 0 && !fits(n + 3)) n--;
  return n === 0 ? "" : chars.slice(0, n).join("") + "...";
}
