// One item's picture, as the preview writer and the HTML report draw it: refused over --max-pixels,
// else its image (a file the media layer placed) or a neutral canvas, with its objects drawn, at full
// size or fitted into a thumbnail square.
import type { Category, Item } from "../model.js";
import { frameOverLimit } from "../writers/common.js";
import type { Canvas } from "./canvas.js";
import { renderItem, type DrawNote, type ObjectOutcome } from "./draw.js";
import { loadItemImage, type ImageHeaderReader } from "./load.js";
import { thumbnailScale } from "./sheet.js";

export interface PictureOptions {
  categories: readonly Category[];
  /** The item's image file (placed by the media layer); a neutral canvas without one. */
  imagePath?: string;
  maxPixels: number;
  readHeader: ImageHeaderReader;
  /** Fit into a cell×cell square; full size when absent. */
  cell?: number;
}

export type ItemPicture =
  | { refused: string }
  | { canvas: Canvas; background: "image" | "neutral"; imageNote?: DrawNote; objects: ObjectOutcome[] };

export async function pictureOf(item: Item, o: PictureOptions): Promise<ItemPicture> {
  const over = frameOverLimit(item.width, item.height, o.maxPixels);
  if (over !== undefined) return { refused: over };
  const loaded = o.imagePath !== undefined ? await loadItemImage(o.imagePath, o.maxPixels, o.readHeader) : {};
  const scale = o.cell !== undefined ? thumbnailScale(item.width, item.height, o.cell) : 1;
  const { canvas, objects } = renderItem({ width: item.width, height: item.height, objects: item.objects, categories: o.categories, image: loaded.image, scale });
  const picture: ItemPicture = { canvas, background: loaded.image ? "image" : "neutral", objects };
  if (loaded.note) picture.imageNote = loaded.note;
  return picture;
}
