/**
 * For image inputs: each neuron of layer 1 drawn as an image of its incoming weights
 * (rows × cols, the input's shape) — what that neuron looks at. Its own mode, the weights w by
 * default (Δw of one step only shows the last sample's silhouette); the heatmaps' colour scale;
 * one canvas, filled through ImageData.
 */
import type { HeatmapMode, LayerSnapshot, SessionInfo, TraceSnapshot } from '../src/protocol';
import { cellStory } from './cellStory';
import { formatNumber } from './format';
import { renderTiles, symmetricLimit, tileCellAt, tileLayout, type TileLayout } from './heatmapRender';
import { el, segmented, type Segmented } from './dom';
import { HEATMAP_MODES, MODE_LABELS, modeArrays } from './heatmaps';
import type { Palette } from './theme';
import type { CellTooltip } from './tooltip';

export class Tiles {
  readonly root: HTMLElement;
  private canvas: HTMLCanvasElement;
  private caption: HTMLElement;
  private layout?: TileLayout;
  private image?: ImageData;
  private layer?: LayerSnapshot;
  private trace?: TraceSnapshot;
  private readonly modeSeg: Segmented;
  limit = 0;

  constructor(
    container: HTMLElement,
    private readonly info: SessionInfo,
    private readonly shape: [number, number],
    private readonly tooltip: CellTooltip,
    /** The tiles' mode, and how to change it (the panel saves it and redraws). */
    private readonly mode: () => HeatmapMode,
    setMode: (mode: HeatmapMode) => void,
  ) {
    this.root = document.createElement('section');
    this.root.className = 'card tiles-card';
    const header = document.createElement('header');
    const title = document.createElement('h3');
    title.textContent = 'What each neuron of layer 1 looks at';
    this.caption = el('span', 'muted');
    this.modeSeg = segmented<HeatmapMode>(
      'Tiles show',
      HEATMAP_MODES.map((m) => ({ value: m, text: MODE_LABELS[m].short, title: MODE_LABELS[m].long })),
      mode,
      (m) => {
        setMode(m);
        this.modeSeg.sync();
      },
    );
    header.append(title, this.modeSeg.root, this.caption);
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'tiles pixelated';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', `Incoming weights of each of the ${info.layers[0].units} neurons of layer 1, drawn as ${shape[0]}\u00d7${shape[1]} images`);
    this.root.append(header, this.canvas);
    container.append(this.root);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => this.tooltip.hide());
  }

  setData(layer: LayerSnapshot | undefined, trace: TraceSnapshot | undefined): void {
    if (layer) this.layer = layer;
    if (trace) this.trace = trace;
  }

  draw(p: Palette): void {
    const mode = this.mode();
    this.modeSeg.sync();
    const [rows, cols] = this.shape;
    const units = this.info.layers[0].units;
    const available = Math.max(100, this.root.clientWidth - 32);
    const layout = tileLayout(units, rows, cols, available);
    if (!this.layout || this.layout.width !== layout.width || this.layout.height !== layout.height) {
      this.canvas.width = layout.width;
      this.canvas.height = layout.height;
      this.image = new ImageData(layout.width, layout.height);
    }
    this.layout = layout;
    const image = this.image as ImageData;
    const arrays = this.layer ? modeArrays(this.layer, mode) : undefined;
    const values = arrays?.values ?? new Float32Array(units * rows * cols);
    // Layer 1's limits (biases included), so tiles and heatmap share one colour scale.
    this.limit = symmetricLimit(values, this.info.layers[0].bias ? arrays?.biases : undefined);
    renderTiles(new Uint32Array(image.data.buffer), layout, values, this.limit, p.scale.lut, p.backgroundPixel);
    this.canvas.getContext('2d')?.putImageData(image, 0, 0);
    this.caption.textContent = `${units} tiles of ${rows}\u00d7${cols} (tile j: neuron j\u2019s ${rows * cols} incoming weights) \u00b7 max |${MODE_LABELS[mode].short}| = ${formatNumber(this.limit)}`;
  }

  private hover(e: MouseEvent): void {
    if (!this.layout || !this.layer) return;
    const rect = this.canvas.getBoundingClientRect();
    const x = Math.floor(((e.clientX - rect.left) * this.canvas.width) / rect.width);
    const y = Math.floor(((e.clientY - rect.top) * this.canvas.height) / rect.height);
    const cell = tileCellAt(this.layout, x, y);
    if (!cell) {
      this.tooltip.hide();
      return;
    }
    const inputs = this.info.layers[0].inputs;
    this.tooltip.show(cellStory(1, inputs, this.layer, cell.j, cell.k, this.trace), { x: e.clientX, y: e.clientY });
  }
}
