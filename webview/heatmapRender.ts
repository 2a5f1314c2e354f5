/**
 * The heatmap of one dense layer as pixels: pure (no DOM), so the panel draws it into ImageData
 * and the benchmark can time it anywhere.
 *
 * Layout: rows j (this layer's neurons) × columns k (the previous layer's), then, set apart by a
 * wider gap, the bias column. Values are row-major units × inputs: w_jk = values[j * cols + k].
 * A layer too wide for one pixel a column (784 inputs in a 450-pixel card) is drawn as an
 * overview: each pixel column stands for `group` neighbouring inputs and shows the one of them
 * with the largest |v|, so no extreme is lost; the row inspector (inspector.ts) shows every weight.
 */
import { scaleIndex } from './colors';

export interface HeatmapLayout {
  rows: number;
  cols: number;
  hasBias: boolean;
  /** Pixels per cell (square). */
  cell: number;
  /** Pixels between neighbouring cells (0 for small cells). */
  gap: number;
  /** Pixels between the last weight column and the bias column. */
  biasGap: number;
  /** Inputs per drawn column: 1, or more for an overview of a wide layer. */
  group: number;
  /** Weight columns drawn: ceil(cols / group). */
  shown: number;
  /** Canvas size in pixels. */
  width: number;
  height: number;
}

/**
 * Largest cell that lets `cols` (+ bias) columns fit `availableWidth` pixels, between 1 and
 * `maxCell`; when even one pixel a column is too wide, an overview of `group` inputs a pixel.
 * The width never exceeds `availableWidth` (at least 8 pixels).
 */
export function heatmapLayout(rows: number, cols: number, hasBias: boolean, availableWidth: number, maxCell = 28): HeatmapLayout {
  const columns = cols + (hasBias ? 1 : 0);
  const available = Math.max(8, Math.floor(availableWidth));
  let cell = Math.max(1, Math.min(maxCell, Math.floor(available / (columns + (hasBias ? 2 : 0)))));
  // Tall layers stay within about 560 pixels.
  cell = Math.max(1, Math.min(cell, Math.floor(560 / rows) || 1));
  const gap = cell >= 8 ? 1 : 0;
  const biasGap = hasBias ? Math.max(3, Math.round(cell / 2)) : 0;
  const pitch = cell + gap;
  const biasWidth = hasBias ? biasGap + cell : 0;
  // Overview: the fewest inputs a column that make the weights fit beside the bias column.
  const group = cols * pitch - gap + biasWidth > available ? Math.ceil(cols / Math.max(1, available - biasWidth)) : 1;
  const shown = Math.ceil(cols / group);
  const width = shown * pitch - gap + biasWidth;
  const height = rows * pitch - gap;
  return { rows, cols, hasBias, cell, gap, biasGap, group, shown, width, height };
}

/** The inputs k of drawn column c: [start, end). */
export function columnInputs(layout: HeatmapLayout, c: number): { start: number; end: number } {
  const start = c * layout.group;
  return { start, end: Math.min(layout.cols, start + layout.group) };
}

/** Top-left pixel of cell (j, k); k === cols is the bias column. */
export function cellOrigin(layout: HeatmapLayout, j: number, k: number): { x: number; y: number } {
  const pitch = layout.cell + layout.gap;
  const x = k < layout.cols ? Math.floor(k / layout.group) * pitch : layout.shown * pitch - layout.gap + layout.biasGap;
  return { x, y: j * pitch };
}

/**
 * The cell under pixel (x, y), k === cols for the bias column; undefined over a gap's far side or
 * outside. In an overview, k is the first input of the column's group (columnInputs gives all).
 */
export function cellAt(layout: HeatmapLayout, x: number, y: number): { j: number; k: number } | undefined {
  if (x < 0 || y < 0 || x >= layout.width || y >= layout.height) return undefined;
  const pitch = layout.cell + layout.gap;
  const j = Math.min(layout.rows - 1, Math.floor(y / pitch));
  const weightsEnd = layout.shown * pitch - layout.gap;
  if (x < weightsEnd) return { j, k: Math.min(layout.shown - 1, Math.floor(x / pitch)) * layout.group };
  if (layout.hasBias && x >= weightsEnd + layout.biasGap) return { j, k: layout.cols };
  return undefined;
}

/** max |v| over both arrays (finite values only); 0 when all are 0. */
export function symmetricLimit(values: ArrayLike<number>, biases?: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (a > max && a !== Infinity) max = a;
  }
  if (biases) {
    for (let i = 0; i < biases.length; i++) {
      const a = Math.abs(biases[i]);
      if (a > max && a !== Infinity) max = a;
    }
  }
  return max;
}

/**
 * Fills `pixels` (layout.width × layout.height, packed RGBA as from a Uint32Array view of
 * ImageData) with the cells' colours from `lut` for symmetric limits ±limit; gaps get `background`.
 */
export function renderHeatmap(
  pixels: Uint32Array,
  layout: HeatmapLayout,
  values: ArrayLike<number>,
  biases: ArrayLike<number> | undefined,
  limit: number,
  lut: Uint32Array,
  background: number,
): void {
  const { rows, cols, cell, gap, width } = layout;
  const pitch = cell + gap;
  if (layout.group > 1) {
    // Overview: each pixel the input of its group with the largest |v| (NaN counts as 0).
    const { group, shown } = layout;
    for (let j = 0; j < rows; j++) {
      const row = j * cols;
      const out = j * width;
      for (let c = 0; c < shown; c++) {
        const end = Math.min(cols, (c + 1) * group);
        let pick = 0;
        for (let k = c * group; k < end; k++) {
          const v = values[row + k];
          if (Math.abs(v) > Math.abs(pick)) pick = v;
        }
        pixels[out + c] = lut[scaleIndex(pick, limit)];
      }
      if (layout.hasBias) pixels.fill(background, out + shown, out + shown + layout.biasGap);
    }
  } else if (cell === 1 && gap === 0) {
    // Big layers: one pixel a weight, straight through the table. t = half + v·half/limit + ½,
    // so t | 0 rounds to the nearest entry; beyond ±limit clamps to the ends, NaN takes 0's colour.
    const half = (lut.length - 1) / 2;
    const last = lut.length - 1;
    const inv = limit > 0 ? half / limit : 0;
    const centre = half + 0.5;
    const biasStart = cols;
    const biasEnd = cols + layout.biasGap;
    for (let j = 0; j < rows; j++) {
      const row = j * cols;
      const out = j * width;
      for (let k = 0; k < cols; k++) {
        const t = values[row + k] * inv + centre;
        pixels[out + k] = lut[t >= 0 ? (t < last + 1 ? t | 0 : last) : t < 0 ? 0 : half];
      }
      if (layout.hasBias) pixels.fill(background, out + biasStart, out + biasEnd);
    }
  } else {
    pixels.fill(background);
    for (let j = 0; j < rows; j++) {
      for (let k = 0; k < cols; k++) {
        fillCell(pixels, width, k * pitch, j * pitch, cell, lut[scaleIndex(values[j * cols + k], limit)]);
      }
    }
  }
  if (layout.hasBias && biases) {
    const x = layout.shown * pitch - gap + layout.biasGap;
    for (let j = 0; j < rows; j++) fillCell(pixels, width, x, j * pitch, cell, lut[scaleIndex(biases[j], limit)]);
  }
}

function fillCell(pixels: Uint32Array, width: number, x: number, y: number, size: number, colour: number): void {
  for (let dy = 0; dy < size; dy++) {
    const start = (y + dy) * width + x;
    pixels.fill(colour, start, start + size);
  }
}

/**
 * Image tiles: row j of a units × (rows·cols) matrix shown as a rows × cols picture, tiles laid out
 * `perRow` to a line, `scale` pixels per input pixel, `gap` pixels between tiles.
 */
export interface TileLayout {
  units: number;
  imageRows: number;
  imageCols: number;
  scale: number;
  gap: number;
  perRow: number;
  width: number;
  height: number;
}

export function tileLayout(units: number, imageRows: number, imageCols: number, availableWidth: number): TileLayout {
  const gap = 4;
  let scale = 3;
  let perRow = Math.max(1, Math.floor((availableWidth + gap) / (imageCols * scale + gap)));
  while (scale > 1 && Math.ceil(units / perRow) * (imageRows * scale + gap) > 900) {
    scale--;
    perRow = Math.max(1, Math.floor((availableWidth + gap) / (imageCols * scale + gap)));
  }
  perRow = Math.min(perRow, units);
  const lines = Math.ceil(units / perRow);
  return {
    units,
    imageRows,
    imageCols,
    scale,
    gap,
    perRow,
    width: perRow * (imageCols * scale + gap) - gap,
    height: lines * (imageRows * scale + gap) - gap,
  };
}

/** The (j, k) under pixel (x, y) of a tile picture: j the tile, k the input pixel. */
export function tileCellAt(layout: TileLayout, x: number, y: number): { j: number; k: number } | undefined {
  const tw = layout.imageCols * layout.scale + layout.gap;
  const th = layout.imageRows * layout.scale + layout.gap;
  const tx = Math.floor(x / tw);
  const ty = Math.floor(y / th);
  if (x < 0 || y < 0 || tx >= layout.perRow) return undefined;
  const j = ty * layout.perRow + tx;
  const px = Math.floor((x - tx * tw) / layout.scale);
  const py = Math.floor((y - ty * th) / layout.scale);
  if (j >= layout.units || px >= layout.imageCols || py >= layout.imageRows) return undefined;
  return { j, k: py * layout.imageCols + px };
}

export function renderTiles(pixels: Uint32Array, layout: TileLayout, values: ArrayLike<number>, limit: number, lut: Uint32Array, background: number): void {
  pixels.fill(background);
  const { imageRows, imageCols, scale, gap, perRow, width } = layout;
  const inputs = imageRows * imageCols;
  for (let j = 0; j < layout.units; j++) {
    const ox = (j % perRow) * (imageCols * scale + gap);
    const oy = Math.floor(j / perRow) * (imageRows * scale + gap);
    for (let r = 0; r < imageRows; r++) {
      for (let c = 0; c < imageCols; c++) {
        const colour = lut[scaleIndex(values[j * inputs + r * imageCols + c], limit)];
        const x = ox + c * scale;
        for (let dy = 0; dy < scale; dy++) {
          const start = (oy + r * scale + dy) * width + x;
          pixels.fill(colour, start, start + scale);
        }
      }
    }
  }
}
