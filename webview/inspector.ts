/**
 * The row inspector of a wide layer, whose heatmap is an overview (HeatmapLayout.group > 1):
 * row j's weights at a readable size, each its own cell — a rows × cols picture for image inputs
 * (layer 1 of a 28×28 input: what neuron j looks at), otherwise the row wrapped into a near-square
 * grid (k = line · perLine + column). It follows the row hovered or focused in the overview, and
 * every cell has the same tooltip as a heatmap cell.
 */
import type { CellStory } from './cellStory';
import { scaleIndex, toCss } from './colors';
import { formatNumber } from './format';
import type { Palette } from './theme';
import type { CellTooltip } from './tooltip';

export interface InspectorShape {
  /** Lines × cells a line; lines · perLine ≥ inputs. */
  lines: number;
  perLine: number;
  /** Pixels a cell. */
  scale: number;
  /** True when the row is drawn as the input image (rows × cols of the data). */
  image: boolean;
}

/** The picture's shape: the image's for image inputs, else ceil(√inputs) to a line; cells 2–12 px, at most `maxWidth` wide. */
export function inspectorShape(inputs: number, imageShape: [number, number] | undefined, maxWidth: number): InspectorShape {
  const image = imageShape !== undefined && imageShape[0] * imageShape[1] === inputs;
  const perLine = image ? imageShape[1] : Math.ceil(Math.sqrt(inputs));
  const lines = image ? imageShape[0] : Math.ceil(inputs / perLine);
  const scale = Math.max(2, Math.min(12, Math.floor(Math.min(maxWidth, 336) / perLine)));
  return { lines, perLine, scale, image };
}

export class RowInspector {
  readonly root: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private shape?: InspectorShape;
  private image?: ImageData;
  /** The row shown (j). */
  row = 0;
  /** The input outlined (k), from the keyboard. */
  private marked: number | undefined;

  constructor(
    container: HTMLElement,
    private readonly layer: number,
    private readonly inputs: number,
    private readonly imageShape: [number, number] | undefined,
    private readonly tooltip: CellTooltip,
    private readonly story: (j: number, k: number) => CellStory | undefined,
  ) {
    this.root = document.createElement('div');
    this.root.className = 'inspector';
    this.caption = document.createElement('div');
    this.caption.className = 'inspector-caption muted';
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'inspector-canvas pixelated';
    this.canvas.setAttribute('role', 'img');
    this.root.append(this.caption, this.canvas);
    container.append(this.root);
    this.canvas.addEventListener('mousemove', (e) => {
      const k = this.inputAt(e);
      const s = k === undefined ? undefined : this.story(this.row, k);
      if (s) this.tooltip.show(s, { x: e.clientX, y: e.clientY });
      else this.tooltip.hide();
    });
    this.canvas.addEventListener('mouseleave', () => this.tooltip.hide());
  }

  /** Show row j (and outline input k when given). */
  show(j: number, k?: number): void {
    this.row = j;
    this.marked = k;
  }

  remove(): void {
    this.root.remove();
  }

  draw(values: ArrayLike<number> | undefined, bias: number | undefined, limit: number, modeLabel: string, p: Palette, maxWidth: number): void {
    const shape = inspectorShape(this.inputs, this.imageShape, maxWidth);
    const width = shape.perLine * shape.scale;
    const height = shape.lines * shape.scale;
    if (!this.shape || this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
      this.image = new ImageData(width, height);
    }
    this.shape = shape;
    const pixels = new Uint32Array((this.image as ImageData).data.buffer);
    pixels.fill(p.backgroundPixel);
    const { perLine, scale } = shape;
    const row = this.row * this.inputs;
    for (let k = 0; k < this.inputs; k++) {
      const colour = p.scale.lut[scaleIndex(values ? values[row + k] : 0, limit)];
      const x = (k % perLine) * scale;
      const y = Math.floor(k / perLine) * scale;
      for (let dy = 0; dy < scale; dy++) pixels.fill(colour, (y + dy) * width + x, (y + dy) * width + x + scale);
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(this.image as ImageData, 0, 0);
    if (this.marked !== undefined && this.marked < this.inputs) {
      ctx.strokeStyle = toCss(p.foreground);
      ctx.lineWidth = 1;
      ctx.strokeRect((this.marked % perLine) * scale + 0.5, Math.floor(this.marked / perLine) * scale + 0.5, scale - 1, scale - 1);
    }
    const how = shape.image ? `as the ${shape.lines}\u00d7${shape.perLine} input image` : `${perLine} to a line (k = line \u00b7 ${perLine} + column)`;
    this.caption.textContent =
      `Row j = ${this.row} of layer ${this.layer}: its ${this.inputs} weights ${how} \u00b7 ${modeLabel}` + (bias !== undefined && values ? ` \u00b7 bias ${formatNumber(bias)}` : '');
    this.canvas.setAttribute('aria-label', `Row ${this.row} of layer ${this.layer}, ${this.inputs} weights drawn ${how}`);
  }

  /** The input k under the mouse, undefined outside the picture. */
  private inputAt(e: MouseEvent): number | undefined {
    const shape = this.shape;
    if (!shape) return undefined;
    const rect = this.canvas.getBoundingClientRect();
    const x = Math.floor((((e.clientX - rect.left) * this.canvas.width) / rect.width) / shape.scale);
    const y = Math.floor((((e.clientY - rect.top) * this.canvas.height) / rect.height) / shape.scale);
    const k = y * shape.perLine + x;
    return x >= 0 && y >= 0 && x < shape.perLine && k < this.inputs ? k : undefined;
  }
}
