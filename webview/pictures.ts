/**
 * Every neuron's picture in the network view (issue 11):
 *   plane      2-input data: a^l_j over the input plane (Snapshot.pictures, the worker's forward
 *              pass over a grid of (x1, x2); row 0 = x2's top), the output neuron's being the
 *              decision boundary;
 *   tile       image inputs, layer 1: neuron j's incoming weights w^1_j· as a rows × cols image
 *              (from the layer arrays, the weight tiles' scale);
 *   histogram  otherwise: a^l_j's histogram over a sample of the training data.
 * Each picture is drawn into a square box beside its neuron from a per-layer offscreen canvas
 * (made once per new data, so a redraw is one drawImage a neuron). Colours: the heatmaps' scale.
 */
import type { Activation } from '../src/core/spec';
import type { LayerSnapshot, NeuronPictures, SessionInfo } from '../src/protocol';
import { scaleIndex, toCss, unpack } from './colors';
import { formatNumber } from './format';
import { symmetricLimit } from './heatmapRender';
import type { Palette } from './theme';

export type PictureKind = 'plane' | 'tile' | 'histogram';

/** How a layer's values map to the diverging scale: (a − offset) against ±limit. */
export interface PictureScale {
  offset: number;
  limit: number;
  /** The values at the scale's ends and middle, for the legend. */
  low: number;
  mid: number;
  high: number;
}

/** What a point inside a picture shows, for the tooltip and screen readers. */
export interface PictureReading {
  kind: PictureKind;
  /** The value there: a (plane), w (tile), samples in the bin (histogram). */
  value: number;
  /** Where: "x₁ = 0.5, x₂ = −1", "pixel (3, 14), k = 98", "a in [0.1, 0.2)". */
  where: string;
  /** plane: the grid cell; tile: the pixel; histogram: the bin (row 0). */
  row: number;
  col: number;
}

/** sigmoid and softmax give 0…1 (0.5 is the boundary), tanh −1…1; others: ±max|a| of the layer. */
export function activationScale(activation: Activation, values: Float32Array): PictureScale {
  if (activation === 'sigmoid' || activation === 'softmax') return { offset: 0.5, limit: 0.5, low: 0, mid: 0.5, high: 1 };
  if (activation === 'tanh') return { offset: 0, limit: 1, low: -1, mid: 0, high: 1 };
  const limit = symmetricLimit(values) || 1;
  return { offset: 0, limit, low: -limit, mid: 0, high: limit };
}

export class NeuronPicturesView {
  private info: SessionInfo | undefined;
  private pictures: NeuronPictures | undefined;
  private layers: LayerSnapshot[] | undefined;
  /** Per layer (index l − 1): its pictures stacked in one canvas, and the scale they were drawn with. */
  private sheets: ({ canvas: HTMLCanvasElement; size: number; scale: PictureScale } | undefined)[] = [];
  private sheetsFor: { pictures: NeuronPictures | undefined; layers: LayerSnapshot[] | undefined; palette: Palette | undefined } = { pictures: undefined, layers: undefined, palette: undefined };

  build(info: SessionInfo): void {
    this.info = info;
    this.pictures = undefined;
    this.layers = undefined;
    this.sheets = [];
    this.sheetsFor = { pictures: undefined, layers: undefined, palette: undefined };
  }

  setData(pictures: NeuronPictures | undefined, layers: LayerSnapshot[] | undefined): void {
    if (pictures) this.pictures = pictures;
    if (layers) this.layers = layers;
  }

  /** Whether layer l (from 1) has pictures, and of what kind. */
  kind(layer: number): PictureKind | undefined {
    const info = this.info;
    if (!info || layer < 1 || layer > info.layers.length) return undefined;
    const shape = info.imageShape;
    if (layer === 1 && shape && info.layers[0].inputs === shape[0] * shape[1]) return this.layers ? 'tile' : undefined;
    const p = this.pictures;
    if (!p) return undefined;
    if (p.kind === 'plane') return (p.layers[layer - 1]?.length ?? 0) > 0 ? 'plane' : undefined;
    return (p.layers[layer - 1]?.counts.length ?? 0) > 0 ? 'histogram' : undefined;
  }

  /** Pictures drawn now (a neuron each), for tests. */
  count(): number {
    if (!this.info) return 0;
    return this.info.layers.reduce((sum, l, i) => sum + (this.kind(i + 1) ? l.units : 0), 0);
  }

  get data(): NeuronPictures | undefined {
    return this.pictures;
  }

  get step(): number | undefined {
    return this.pictures?.step;
  }

  /** The value behind grid cell / pixel / bin (row, col) of neuron j's picture in layer l. */
  value(layer: number, j: number, row: number, col: number): number | undefined {
    const kind = this.kind(layer);
    if (kind === 'plane' && this.pictures?.kind === 'plane') {
      const n = this.pictures.resolution;
      return this.pictures.layers[layer - 1][j * n * n + row * n + col];
    }
    if (kind === 'tile' && this.layers && this.info?.imageShape) {
      const [, cols] = this.info.imageShape;
      return this.layers[0].weights[j * this.info.layers[0].inputs + row * cols + col];
    }
    if (kind === 'histogram' && this.pictures?.kind === 'histogram') return this.pictures.layers[layer - 1].counts[j * this.pictures.bins + col];
    return undefined;
  }

  /** Rows × columns of a picture of layer l: the grid, the image, or 1 × bins. */
  grid(layer: number): { rows: number; cols: number } | undefined {
    const kind = this.kind(layer);
    if (kind === 'plane' && this.pictures?.kind === 'plane') return { rows: this.pictures.resolution, cols: this.pictures.resolution };
    if (kind === 'tile' && this.info?.imageShape) return { rows: this.info.imageShape[0], cols: this.info.imageShape[1] };
    if (kind === 'histogram' && this.pictures?.kind === 'histogram') return { rows: 1, cols: this.pictures.bins };
    return undefined;
  }

  /** What (u, v) ∈ [0, 1)² of neuron j's picture shows (u across, v down). */
  read(layer: number, j: number, u: number, v: number): PictureReading | undefined {
    const kind = this.kind(layer);
    const grid = this.grid(layer);
    const info = this.info;
    if (!kind || !grid || !info) return undefined;
    const col = Math.min(grid.cols - 1, Math.max(0, Math.floor(u * grid.cols)));
    const row = Math.min(grid.rows - 1, Math.max(0, Math.floor(v * grid.rows)));
    const value = this.value(layer, j, row, col);
    if (value === undefined) return undefined;
    if (kind === 'plane' && info.plane) {
      const p = info.plane;
      const n = grid.rows;
      const x1 = p.xMin + ((col + 0.5) / n) * (p.xMax - p.xMin);
      const x2 = p.yMax - ((row + 0.5) / n) * (p.yMax - p.yMin);
      return { kind, value, where: `x\u2081 = ${formatNumber(x1)}, x\u2082 = ${formatNumber(x2)}`, row, col };
    }
    if (kind === 'tile') return { kind, value, where: `pixel row ${row}, column ${col} (k = ${row * grid.cols + col})`, row, col };
    const h = this.pictures as Extract<NeuronPictures, { kind: 'histogram' }>;
    const { min, max } = h.layers[layer - 1];
    const width = (max - min) / h.bins;
    return { kind, value, where: `a in [${formatNumber(min + col * width)}, ${formatNumber(min + (col + 1) * width)}): ${value} of ${h.samples} samples`, row: 0, col };
  }

  /** The values' scale of layer l's pictures (tiles: ±max|w| of layer 1, as the weight tiles). */
  scale(layer: number): PictureScale | undefined {
    const kind = this.kind(layer);
    const info = this.info;
    if (!kind || !info) return undefined;
    if (kind === 'plane' && this.pictures?.kind === 'plane') return activationScale(info.layers[layer - 1].activation, this.pictures.layers[layer - 1]);
    if (kind === 'tile' && this.layers) {
      const limit = symmetricLimit(this.layers[0].weights) || 1;
      return { offset: 0, limit, low: -limit, mid: 0, high: limit };
    }
    return undefined;
  }

  /** Draws neuron j's picture of layer l into the box (CSS px) at (x, y), `side` a side. */
  draw(ctx: CanvasRenderingContext2D, palette: Palette, layer: number, j: number, x: number, y: number, side: number): void {
    const kind = this.kind(layer);
    if (!kind) return;
    if (kind === 'histogram') {
      this.drawHistogram(ctx, palette, layer, j, x, y, side);
    } else {
      const sheet = this.sheet(layer, palette);
      if (sheet) {
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(sheet.canvas, 0, j * sheet.size, sheet.size, sheet.size, x, y, side, side);
      }
    }
    ctx.lineWidth = 1;
    ctx.strokeStyle = toCss(palette.contrastBorder ?? palette.muted);
    ctx.strokeRect(x - 0.5, y - 0.5, side + 1, side + 1);
  }

  /** A few words for the legend under the view. */
  legendText(): string | undefined {
    const info = this.info;
    if (!info) return undefined;
    const kinds = info.layers.map((_, i) => this.kind(i + 1));
    const parts: string[] = [];
    if (kinds.includes('plane')) parts.push('beside each neuron, its activation a over the input plane (x\u2081 across, x\u2082 up; the output\u2019s picture is the decision boundary)');
    if (kinds.includes('tile') && info.imageShape) parts.push(`layer 1: each neuron\u2019s ${info.layers[0].inputs} incoming weights as a ${info.imageShape[0]}\u00d7${info.imageShape[1]} image`);
    if (kinds.includes('histogram') && this.pictures?.kind === 'histogram') parts.push(`a histogram of each neuron\u2019s activation a over ${this.pictures.samples} training samples (the layer\u2019s range, low to high)`);
    if (parts.length === 0) return undefined;
    return `Pictures: ${parts.join('; ')}.`;
  }

  // -------------------------------------------------------------------------

  private sheet(layer: number, palette: Palette): { canvas: HTMLCanvasElement; size: number; scale: PictureScale } | undefined {
    const f = this.sheetsFor;
    if (f.pictures !== this.pictures || f.layers !== this.layers || f.palette !== palette) {
      this.sheets = [];
      this.sheetsFor = { pictures: this.pictures, layers: this.layers, palette };
    }
    const cached = this.sheets[layer - 1];
    if (cached) return cached;
    const grid = this.grid(layer);
    const scale = this.scale(layer);
    const info = this.info;
    if (!grid || !scale || !info) return undefined;
    const units = info.layers[layer - 1].units;
    const size = grid.cols; // square pictures: the plane grid, the image (rows = cols for 28 × 28)
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = grid.rows * units;
    const ctx = canvas.getContext('2d');
    if (!ctx) return undefined;
    const image = ctx.createImageData(size, grid.rows * units);
    const pixels = new Uint32Array(image.data.buffer);
    const lut = palette.scale.lut;
    const cells = grid.rows * grid.cols;
    const values = this.pictures?.kind === 'plane' && this.kind(layer) === 'plane' ? this.pictures.layers[layer - 1] : this.layers![0].weights;
    // plane: neuron j's cells at j·n² (row-major); tile: its weights' row j (rows × cols)
    for (let i = 0; i < units * cells; i++) pixels[i] = lut[scaleIndex(values[i] - scale.offset, scale.limit)];
    ctx.putImageData(image, 0, 0);
    const sheet = { canvas, size, scale };
    this.sheets[layer - 1] = sheet;
    return sheet;
  }

  private drawHistogram(ctx: CanvasRenderingContext2D, palette: Palette, layer: number, j: number, x: number, y: number, side: number): void {
    const h = this.pictures;
    if (h?.kind !== 'histogram') return;
    const { counts } = h.layers[layer - 1];
    const bins = h.bins;
    let most = 0;
    for (let b = 0; b < bins; b++) most = Math.max(most, counts[j * bins + b]);
    ctx.fillStyle = toCss(palette.card);
    ctx.fillRect(x, y, side, side);
    ctx.fillStyle = toCss(unpack(palette.scale.lut[palette.scale.lut.length - 1]));
    const w = side / bins;
    ctx.beginPath();
    for (let b = 0; b < bins; b++) {
      const c = counts[j * bins + b];
      if (c <= 0 || most <= 0) continue;
      // at least a pixel for any sample, so a lone count stays visible
      const height = Math.max(1, (c / most) * (side - 2));
      ctx.rect(x + b * w, y + side - height, Math.max(0.75, w - 0.5), height);
    }
    ctx.fill();
  }
}
