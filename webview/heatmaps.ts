/**
 * One heatmap card per dense layer: the canvas (ImageData, one fill per frame at most), its
 * numbered legend, hover and keyboard inspection of a cell.
 */
import type { HeatmapMode, LayerSnapshot, SessionInfo, TraceSnapshot } from '../src/protocol';
import { cellStory } from './cellStory';
import { SCALE_SIZE, toCss } from './colors';
import { formatNumber, plural } from './format';
import { cellAt, cellOrigin, columnInputs, heatmapLayout, renderHeatmap, symmetricLimit, type HeatmapLayout } from './heatmapRender';
import { RowInspector } from './inspector';
import type { Palette } from './theme';
import type { CellTooltip } from './tooltip';

export const MODE_LABELS: Record<HeatmapMode, { short: string; long: string }> = {
  lastDelta: { short: '\u0394w last step', long: 'change of each weight in the last step' },
  epochDelta: { short: '\u0394w this epoch', long: 'change of each weight summed over the epoch so far' },
  gradient: { short: '\u2202C/\u2202w', long: 'gradient of the cost (batch mean) in the last step' },
  weights: { short: 'w', long: 'current weights' },
};

/** The modes in the order the switches show them. */
export const HEATMAP_MODES: readonly HeatmapMode[] = ['lastDelta', 'epochDelta', 'gradient', 'weights'];

/** The arrays a mode shows. */
export function modeArrays(layer: LayerSnapshot, mode: HeatmapMode): { values: Float32Array; biases: Float32Array } {
  switch (mode) {
    case 'lastDelta':
      return { values: layer.lastDeltaWeights, biases: layer.lastDeltaBiases };
    case 'epochDelta':
      return { values: layer.epochDeltaWeights, biases: layer.epochDeltaBiases };
    case 'gradient':
      return { values: layer.gradWeights, biases: layer.gradBiases };
    case 'weights':
      return { values: layer.weights, biases: layer.biases };
  }
}

type LayerInfo = SessionInfo['layers'][number];

interface Card {
  info: LayerInfo;
  root: HTMLElement;
  canvas: HTMLCanvasElement;
  outline: HTMLElement;
  axes: HTMLElement;
  legendBar: HTMLCanvasElement;
  legendTicks: HTMLElement;
  range: HTMLElement;
  layout?: HeatmapLayout;
  image?: ImageData;
  /** Focused/hovered cell; k === inputs for the bias. */
  cell?: { j: number; k: number };
  limit: number;
  /** Every weight of one row, when the heatmap is an overview (layout.group > 1). */
  inspector?: RowInspector;
}

export interface HeatmapHost {
  tooltip: CellTooltip;
  announce(text: string): void;
  /** The user looked at layer l (hover or focus). */
  onLayerFocus(layer: number): void;
}

export class Heatmaps {
  private cards: Card[] = [];
  private layers: LayerSnapshot[] | undefined;
  private trace: TraceSnapshot | undefined;
  private hovering: Card | undefined;
  private imageShape: [number, number] | undefined;
  private palette: Palette | undefined;
  /** Where the mouse is over `hovering` (client coordinates), so a redraw keeps the tooltip in place. */
  private mouse: { x: number; y: number } | undefined;
  mode: HeatmapMode = 'lastDelta';
  /** Redraws done (tests check that a storm of snapshots is coalesced). */
  draws = 0;
  /** Duration of the last full redraw, ms. */
  lastDrawMs = 0;

  constructor(
    private readonly container: HTMLElement,
    private readonly host: HeatmapHost,
  ) {}

  build(info: SessionInfo): void {
    this.imageShape = info.imageShape;
    this.container.replaceChildren();
    this.cards = info.layers.map((layer) => this.buildCard(layer));
    this.layers = undefined;
    this.trace = undefined;
  }

  setData(layers: LayerSnapshot[] | undefined, trace: TraceSnapshot | undefined): void {
    if (layers) this.layers = layers;
    if (trace) this.trace = trace;
  }

  get hasData(): boolean {
    return this.layers !== undefined;
  }

  card(layer: number): Card | undefined {
    return this.cards.find((c) => c.info.index === layer);
  }

  /** Redraw every card from the latest data. */
  draw(palette: Palette): void {
    this.palette = palette;
    const start = performance.now();
    for (let i = 0; i < this.cards.length; i++) this.drawCard(this.cards[i], this.layers?.[i], palette);
    this.draws++;
    this.lastDrawMs = performance.now() - start;
    // Keep an open tooltip's numbers current.
    const active = this.cards.find((c) => c.cell && (c === this.hovering || document.activeElement === c.canvas));
    if (active?.cell && this.host.tooltip.visible) this.showCell(active, active.cell.j, active.cell.k, active === this.hovering ? this.mouse : undefined, false);
  }

  /** Scroll to layer l and highlight its card. */
  reveal(layer: number): void {
    const card = this.card(layer);
    if (!card) return;
    card.root.scrollIntoView({ block: 'nearest', behavior: 'auto' });
    card.root.classList.add('highlight');
    setTimeout(() => card.root.classList.remove('highlight'), 1200);
  }

  /** The canvas pixel at the centre of cell (j, k) of layer l (k = inputs: bias), for tests. */
  cellPixel(layer: number, j: number, k: number): { x: number; y: number } | undefined {
    const card = this.card(layer);
    if (!card?.layout) return undefined;
    const o = cellOrigin(card.layout, j, k);
    const half = Math.floor(card.layout.cell / 2);
    return { x: o.x + half, y: o.y + half };
  }

  limitOf(layer: number): number | undefined {
    return this.card(layer)?.limit;
  }

  private buildCard(info: LayerInfo): Card {
    const root = document.createElement('section');
    root.className = `card layer-card${info.inputs + 1 > 40 || info.units > 40 ? ' wide' : ''}`;
    root.id = `layer-${info.index}`;
    const header = document.createElement('header');
    const title = document.createElement('h3');
    title.textContent = `Layer ${info.index}`;
    const desc = document.createElement('span');
    desc.className = 'muted';
    desc.textContent = `dense ${info.units} ${info.activation} \u00b7 ${info.units} \u00d7 ${info.inputs} weights${info.bias ? ` + ${plural(info.units, 'bias', 'biases')}` : ''}`;
    const range = document.createElement('span');
    range.className = 'range muted';
    header.append(title, desc, range);

    const axes = document.createElement('div');
    axes.className = 'axis-note muted';

    const wrap = document.createElement('div');
    wrap.className = 'heatmap-wrap';
    const canvas = document.createElement('canvas');
    canvas.className = 'heatmap';
    canvas.tabIndex = 0;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-roledescription', 'heatmap');
    canvas.setAttribute('aria-label', `Layer ${info.index} heatmap, ${info.units} rows by ${info.inputs} columns. Arrow keys move between weights.`);
    canvas.dataset.layer = String(info.index);
    const outline = document.createElement('div');
    outline.className = 'cell-outline';
    outline.hidden = true;
    wrap.append(canvas, outline);

    const legend = document.createElement('div');
    legend.className = 'legend';
    const legendBar = document.createElement('canvas');
    legendBar.className = 'legend-bar';
    legendBar.width = SCALE_SIZE;
    legendBar.height = 1;
    const legendTicks = document.createElement('div');
    legendTicks.className = 'legend-ticks';
    legend.append(legendBar, legendTicks);

    root.append(header, axes, wrap, legend);
    this.container.append(root);
    const card: Card = { info, root, canvas, outline, axes, legendBar, legendTicks, range, limit: 0 };

    canvas.addEventListener('mousemove', (e) => {
      const cell = this.cellFromEvent(card, e);
      this.hovering = card;
      this.mouse = { x: e.clientX, y: e.clientY };
      if (!cell) {
        this.host.tooltip.hide();
        return;
      }
      const picked = this.pickInGroup(card, cell);
      card.cell = picked;
      if (card.inspector && card.inspector.row !== picked.j) {
        card.inspector.show(picked.j);
        this.drawInspector(card);
      }
      this.showCell(card, picked.j, picked.k, { x: e.clientX, y: e.clientY }, false);
      this.host.onLayerFocus(info.index);
    });
    canvas.addEventListener('mouseleave', () => {
      this.hovering = undefined;
      if (document.activeElement !== canvas) this.host.tooltip.hide();
    });
    canvas.addEventListener('focus', () => {
      const cell = card.cell ?? { j: 0, k: 0 };
      card.cell = cell;
      this.showCell(card, cell.j, cell.k, undefined, true);
      this.host.onLayerFocus(info.index);
    });
    canvas.addEventListener('blur', () => {
      outline.hidden = true;
      this.host.tooltip.hide();
    });
    canvas.addEventListener('keydown', (e) => this.onKey(card, e));
    return card;
  }

  private onKey(card: Card, e: KeyboardEvent): void {
    const rows = card.info.units;
    const cols = card.info.inputs + (card.info.bias ? 1 : 0);
    const cell = card.cell ?? { j: 0, k: 0 };
    let { j, k } = cell;
    switch (e.key) {
      case 'ArrowUp':
        j = Math.max(0, j - 1);
        break;
      case 'ArrowDown':
        j = Math.min(rows - 1, j + 1);
        break;
      case 'ArrowLeft':
        k = Math.max(0, k - 1);
        break;
      case 'ArrowRight':
        k = Math.min(cols - 1, k + 1);
        break;
      case 'Home':
        k = 0;
        break;
      case 'End':
        k = cols - 1;
        break;
      case 'PageUp':
        j = Math.max(0, j - 8);
        break;
      case 'PageDown':
        j = Math.min(rows - 1, j + 8);
        break;
      case 'Escape':
        this.host.tooltip.hide();
        return;
      default:
        return;
    }
    e.preventDefault();
    card.cell = { j, k };
    if (card.inspector) {
      card.inspector.show(j, k);
      this.drawInspector(card);
    }
    this.showCell(card, j, k, undefined, true);
  }

  /** In an overview column, the input of the group with the largest |v| in the current mode (what the pixel shows). */
  private pickInGroup(card: Card, cell: { j: number; k: number }): { j: number; k: number } {
    const layout = card.layout;
    const layer = this.layers?.[this.cards.indexOf(card)];
    if (!layout || layout.group === 1 || !layer || cell.k >= card.info.inputs) return cell;
    const { values } = modeArrays(layer, this.mode);
    const { start, end } = columnInputs(layout, Math.floor(cell.k / layout.group));
    let best = start;
    for (let k = start; k < end; k++) if (Math.abs(values[cell.j * card.info.inputs + k]) > Math.abs(values[cell.j * card.info.inputs + best])) best = k;
    return { j: cell.j, k: best };
  }

  private drawInspector(card: Card): void {
    const inspector = card.inspector;
    if (!inspector || !this.palette) return;
    const layer = this.layers?.[this.cards.indexOf(card)];
    const arrays = layer ? modeArrays(layer, this.mode) : undefined;
    inspector.draw(arrays?.values, card.info.bias ? arrays?.biases[inspector.row] : undefined, card.limit, MODE_LABELS[this.mode].short, this.palette, Math.max(60, card.root.clientWidth - 32));
  }

  private cellFromEvent(card: Card, e: MouseEvent): { j: number; k: number } | undefined {
    if (!card.layout) return undefined;
    const rect = card.canvas.getBoundingClientRect();
    const x = ((e.clientX - rect.left) * card.canvas.width) / rect.width;
    const y = ((e.clientY - rect.top) * card.canvas.height) / rect.height;
    return cellAt(card.layout, Math.floor(x), Math.floor(y));
  }

  /** Tooltip (+ outline and spoken label when from the keyboard) for cell (j, k) of a card. */
  private showCell(card: Card, j: number, k: number, mouse: { x: number; y: number } | undefined, fromKeyboard: boolean): void {
    const layer = this.layers?.[this.cards.indexOf(card)];
    const rect = card.canvas.getBoundingClientRect();
    const layout = card.layout;
    let anchor = mouse;
    if (layout) {
      const sx = rect.width / layout.width;
      const sy = rect.height / layout.height;
      const o = cellOrigin(layout, j, k);
      if (fromKeyboard || document.activeElement === card.canvas) {
        const ol = card.outline;
        const size = Math.max(4, layout.cell * sx);
        ol.style.left = `${o.x * sx + (layout.cell * sx - size) / 2}px`;
        ol.style.top = `${o.y * sy + (layout.cell * sy - size) / 2}px`;
        ol.style.width = `${size}px`;
        ol.style.height = `${Math.max(4, layout.cell * sy)}px`;
        ol.hidden = false;
      }
      anchor ??= { x: rect.left + (o.x + layout.cell) * sx, y: rect.top + (o.y + layout.cell) * sy };
    }
    if (!layer) {
      if (fromKeyboard) this.host.announce(`Layer ${card.info.index}: no weights yet. Take a step or train.`);
      return;
    }
    const story = cellStory(card.info.index, card.info.inputs, layer, j, k, this.trace);
    this.host.tooltip.show(story, anchor ?? { x: rect.left, y: rect.top });
    if (fromKeyboard) this.host.announce(story.spoken);
  }

  private drawCard(card: Card, layer: LayerSnapshot | undefined, p: Palette): void {
    const { info, canvas } = card;
    const available = Math.max(60, card.root.clientWidth - 32);
    const layout = heatmapLayout(info.units, info.inputs, info.bias, available);
    if (!card.layout || card.layout.width !== layout.width || card.layout.height !== layout.height || card.layout.cell !== layout.cell) {
      canvas.width = layout.width;
      canvas.height = layout.height;
      card.image = new ImageData(layout.width, layout.height);
      if (layout.group > 1) {
        // Overview: as wide as the card, each row stretched to a few pixels so it can be pointed at.
        const rowHeight = Math.max(1, Math.min(6, Math.round(240 / layout.rows)));
        canvas.style.width = `${layout.width}px`;
        canvas.style.height = `${layout.height * rowHeight}px`;
      } else {
        // Big layers (one pixel a weight) are scaled up with crisp edges, up to 3×, to fill the card.
        const scale = layout.cell === 1 ? Math.max(1, Math.min(3, available / layout.width)) : Math.min(1, available / layout.width);
        canvas.style.width = `${layout.width * scale}px`;
        canvas.style.height = `${layout.height * scale}px`;
      }
      canvas.classList.toggle('pixelated', layout.cell <= 4);
    }
    card.layout = layout;
    card.axes.textContent = axisNote(info, layout);
    if (layout.group > 1 && !card.inspector) {
      card.inspector = new RowInspector(card.root, info.index, info.inputs, info.index === 1 ? this.imageShape : undefined, this.host.tooltip, (j, k) => {
        const l = this.layers?.[this.cards.indexOf(card)];
        return l ? cellStory(info.index, info.inputs, l, j, k, this.trace) : undefined;
      });
      card.inspector.show(card.cell?.j ?? 0);
    } else if (layout.group === 1 && card.inspector) {
      card.inspector.remove();
      card.inspector = undefined;
    }
    const image = card.image as ImageData;
    const pixels = new Uint32Array(image.data.buffer);
    if (layer) {
      const { values, biases } = modeArrays(layer, this.mode);
      const limit = symmetricLimit(values, info.bias ? biases : undefined);
      card.limit = limit;
      renderHeatmap(pixels, layout, values, info.bias ? biases : undefined, limit, p.scale.lut, p.backgroundPixel);
      card.range.textContent = `max |${MODE_LABELS[this.mode].short}| = ${formatNumber(limit)}`;
    } else {
      card.limit = 0;
      const zeros = new Float32Array(info.units * info.inputs);
      renderHeatmap(pixels, layout, zeros, info.bias ? new Float32Array(info.units) : undefined, 0, p.scale.lut, p.backgroundPixel);
      card.range.textContent = 'no weights yet';
    }
    canvas.getContext('2d')?.putImageData(image, 0, 0);
    this.drawLegend(card, p);
    this.drawInspector(card);
  }

  private drawLegend(card: Card, p: Palette): void {
    const ctx = card.legendBar.getContext('2d');
    if (ctx) {
      const image = ctx.createImageData(SCALE_SIZE, 1);
      new Uint32Array(image.data.buffer).set(p.scale.lut);
      ctx.putImageData(image, 0, 0);
    }
    const limit = card.limit;
    const ticks = limit > 0 ? [-1, -0.5, 0, 0.5, 1].map((t) => formatNumber(t * limit, 3)) : ['0'];
    if (card.legendTicks.dataset.values !== ticks.join('|')) {
      card.legendTicks.dataset.values = ticks.join('|');
      card.legendTicks.replaceChildren(
        ...ticks.map((t) => {
          const s = document.createElement('span');
          s.textContent = t;
          return s;
        }),
      );
      card.legendTicks.classList.toggle('single', ticks.length === 1);
    }
    card.legendBar.style.borderColor = toCss(p.contrastBorder ?? p.border);
  }
}

/** "0–127", or "0" for a single index. */
export function indexRange(count: number): string {
  return count === 1 ? '0' : `0\u2013${count - 1}`;
}

/** What the rows and columns of layer l's heatmap are (and, for an overview, how many inputs a pixel). */
export function axisNote(info: LayerInfo, layout: HeatmapLayout): string {
  const rows = `rows j = neuron of layer ${info.index} (${indexRange(info.units)})`;
  const cols = `columns k = neuron of layer ${info.index - 1} (${indexRange(info.inputs)})`;
  const overview = layout.group > 1 ? ` \u00b7 overview: a pixel is ${layout.group} neighbouring inputs (the largest |v| of them); the row below shows every weight` : '';
  return `${rows} \u00b7 ${cols}${info.bias ? ' \u00b7 last column: bias' : ''}${overview}`;
}
