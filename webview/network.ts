/**
 * The network view: the layers as columns of neurons, the links between them coloured (blue
 * positive, red negative, the heatmaps' scale) and thickened by w, ∂C/∂w or Δw, neurons filled
 * by their activation for the traced sample (or the walk's). One canvas, redrawn at most once a
 * frame by the panel.
 *
 * Readable size: up to MAX_NEURONS neurons of a layer are drawn as circles; a wider layer is a
 * band of thin stripes (one per neuron, its activation's colour) with a note, and its links are
 * summarised by the LINKS_PER_BAND largest in size. Hover (or arrow keys on the focused canvas)
 * tells a neuron's story (z, a, δ, b, ∂C/∂b) or a link's (the heatmap cell's: w, ∂C/∂w, Δw, a·δ).
 * A click on a hidden layer selects it for the edit buttons (+/− neuron, +/− layer, activation).
 */
import type { LayerSnapshot, SessionInfo, TraceSnapshot } from '../src/protocol';
import { cellStory, type CellStory } from './cellStory';
import { scaleIndex, toCss, unpack } from './colors';
import { formatNumber } from './format';
import { symmetricLimit } from './heatmapRender';
import type { Palette } from './theme';
import type { CellTooltip } from './tooltip';
import type { WalkFocus } from './walk';

export type LinkMode = 'weights' | 'gradient' | 'lastDelta';

export const LINK_MODES: { value: LinkMode; text: string; title: string }[] = [
  { value: 'weights', text: 'by w', title: 'links by the current weights' },
  { value: 'gradient', text: 'by ∂C/∂w', title: 'links by the last step’s gradient (batch mean)' },
  { value: 'lastDelta', text: 'by Δw', title: 'links by the last step’s change' },
];

/** Layers wider than this are drawn as a band. */
export const MAX_NEURONS = 64;
/** Links drawn between a band and its neighbour: the largest in size. */
export const LINKS_PER_BAND = 64;

const MARGIN = 28;
const HEIGHT = 360;

interface Column {
  /** 0 for the input, l for layer l. */
  layer: number;
  units: number;
  x: number;
  band: boolean;
  /** Neuron j's centre y (circles) or stripe top (bands). */
  y: (j: number) => number;
  radius: number;
  /** A band's stripe height. */
  stripe: number;
  label: string;
}

interface Link {
  /** Layer l (from 1) of the weight w^l_jk. */
  layer: number;
  j: number;
  k: number;
}

export interface NetworkCounts {
  /** Per column (input first): neurons drawn as circles (0 for a band). */
  circles: number[];
  /** Per column: true where the layer is a band. */
  bands: boolean[];
  /** Links drawn. */
  links: number;
}

export class NetworkView {
  readonly canvas = document.createElement('canvas');
  mode: LinkMode = 'weights';
  private info: SessionInfo | undefined;
  private layers: LayerSnapshot[] | undefined;
  private trace: TraceSnapshot | undefined;
  /** The walk's sample and stage, while it is open. */
  private walkTrace: TraceSnapshot | undefined;
  private focus: WalkFocus | undefined;
  private columns: Column[] = [];
  private links: Link[] = [];
  private linksKey: { layers: LayerSnapshot[] | undefined; mode: LinkMode; width: number } | undefined;
  private width = 0;
  /** Keyboard position: column and neuron. */
  private cursor = { column: 0, j: 0 };
  selectedLayer: number | undefined;

  constructor(
    private readonly tooltip: CellTooltip,
    private readonly announce: (text: string) => void,
    private readonly onSelect: (layer: number | undefined) => void,
  ) {
    const c = this.canvas;
    c.className = 'network';
    c.tabIndex = 0;
    c.setAttribute('role', 'img');
    c.addEventListener('mousemove', (e) => this.hover(e));
    c.addEventListener('mouseleave', () => {
      this.tooltip.hide();
    });
    c.addEventListener('click', (e) => {
      const hit = this.hitNeuron(this.local(e));
      const layer = hit ? this.columns[hit.column].layer : undefined;
      this.selectedLayer = layer && layer > 0 ? layer : undefined;
      this.onSelect(this.selectedLayer);
    });
    c.addEventListener('keydown', (e) => this.key(e));
    c.addEventListener('blur', () => this.tooltip.hide());
  }

  build(info: SessionInfo): void {
    this.info = info;
    this.linksKey = undefined;
    this.layers = undefined;
    this.trace = undefined;
    this.cursor = { column: 0, j: 0 };
    if (this.selectedLayer !== undefined && this.selectedLayer >= info.layers.length) this.selectedLayer = undefined;
    const sizes = [info.inputSize, ...info.layers.map((l) => l.units)];
    this.canvas.setAttribute('aria-label', `The network ${sizes.join('-')}: ${info.layers.length} dense layers. Arrow keys move between neurons; their story is read out.`);
  }

  setData(layers: LayerSnapshot[] | undefined, trace: TraceSnapshot | undefined): void {
    if (layers) this.layers = layers;
    if (trace) this.trace = trace;
  }

  /** While the walk is open: its sample's activations and deltas, and the stage to highlight. */
  setWalk(trace: TraceSnapshot | undefined, focus: WalkFocus | undefined): void {
    this.walkTrace = trace;
    this.focus = focus;
  }

  /** How long the last draw took (ms), and how many there were. */
  lastDrawMs = 0;
  draws = 0;

  /** Canvas-local (CSS px) centre of neuron j of column `layer` (0: the input), as drawn. */
  point(layer: number, j: number): { x: number; y: number } | undefined {
    const column = this.columns[layer];
    return column && j < column.units ? this.centre(column, j) : undefined;
  }

  /** The middle of link w^l_jk when it is drawn. */
  linkPoint(layer: number, j: number, k: number): { x: number; y: number } | undefined {
    if (!this.links.some((l) => l.layer === layer && l.j === j && l.k === k)) return undefined;
    const a = this.centre(this.columns[layer - 1], k);
    const b = this.centre(this.columns[layer], j);
    return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  }

  counts(): NetworkCounts {
    return { circles: this.columns.map((c) => (c.band ? 0 : c.units)), bands: this.columns.map((c) => c.band), links: this.links.length };
  }

  /** The colour a link is drawn in now (CSS rgb()), for tests. */
  linkColor(layer: number, j: number, k: number, palette: Palette): string {
    const { values, limit } = this.linkValues(layer);
    return toCss(unpack(palette.scale.lut[scaleIndex(values[j * this.inputsOf(layer) + k], limit)]));
  }

  /** A neuron's story (column 0 is the input), for the tooltip, tests and screen readers. */
  neuronStory(layer: number, j: number): CellStory {
    const trace = this.walkTrace ?? this.trace;
    const terms: CellStory['terms'] = [];
    const sup = String(layer);
    const a = trace?.activations[layer]?.[j];
    if (layer > 0) {
      const z = trace?.zs?.[layer - 1]?.[j];
      if (z !== undefined) terms.push({ key: 'z', symbol: [{ base: 'z', sub: `${j}`, sup }], value: z });
    }
    if (a !== undefined) terms.push({ key: 'a', symbol: [{ base: 'a', sub: `${j}`, sup }], value: a });
    if (layer > 0) {
      const delta = trace?.deltas[layer - 1]?.[j];
      if (delta !== undefined) terms.push({ key: 'delta', symbol: [{ base: '\\delta', sub: `${j}`, sup }], value: delta });
      const snapshot = this.layers?.[layer - 1];
      if (snapshot && this.info?.layers[layer - 1]?.bias) {
        terms.push({ key: 'b', symbol: [{ base: 'b', sub: `${j}`, sup }], value: snapshot.biases[j] });
        terms.push({ key: 'grad', symbol: [{ prefix: '\\partial C/\\partial ', base: 'b', sub: `${j}`, sup }], value: snapshot.gradBiases[j], note: 'batch mean' });
      }
    }
    const what = layer === 0 ? `Input k = ${j}${this.info?.features ? ` (${this.info.features[j]})` : ''}` : `Layer ${layer} (${this.info?.layers[layer - 1]?.activation}) · neuron j = ${j}`;
    const spoken = `${what}: ` + (terms.length > 0 ? terms.map((t) => `${t.key} = ${formatNumber(t.value)}`).join(', ') : 'take a step to see its values');
    return { layer, j, k: undefined, title: what, terms, sample: undefined, spoken };
  }

  /** A link's story: the heatmap cell's. */
  linkStory(layer: number, j: number, k: number): CellStory | undefined {
    const snapshot = this.layers?.[layer - 1];
    if (!snapshot || !this.info) return undefined;
    return cellStory(layer, this.info.layers[layer - 1].inputs, snapshot, j, k, this.walkTrace ?? this.trace);
  }

  draw(palette: Palette): void {
    const info = this.info;
    if (!info) return;
    const t0 = performance.now();
    const width = Math.max(160, this.canvas.parentElement?.clientWidth ?? 600);
    const ratio = window.devicePixelRatio || 1;
    if (width !== this.width || this.canvas.height !== Math.round(HEIGHT * ratio)) {
      this.width = width;
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(HEIGHT * ratio);
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${HEIGHT}px`;
    }
    this.layout(info, width);
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = toCss(palette.card);
    ctx.fillRect(0, 0, width, HEIGHT);
    this.drawLinks(ctx, palette);
    this.drawNeurons(ctx, palette);
    this.lastDrawMs = performance.now() - t0;
    this.draws++;
  }

  // -------------------------------------------------------------------------

  private layout(info: SessionInfo, width: number): void {
    const sizes = [info.inputSize, ...info.layers.map((l) => l.units)];
    const step = (width - 2 * MARGIN) / Math.max(1, sizes.length - 1);
    const top = MARGIN;
    const height = HEIGHT - 2 * MARGIN - 14;
    this.columns = sizes.map((units, c) => {
      const x = MARGIN + c * step;
      const band = units > MAX_NEURONS;
      const label = c === 0 ? `input ${units}` : `${units} ${info.layers[c - 1].activation}`;
      if (band) {
        const stripe = height / units;
        return { layer: c, units, x, band, y: (j: number) => top + j * stripe, radius: 0, stripe, label };
      }
      const gap = height / Math.max(1, units);
      const radius = Math.max(2, Math.min(12, gap * 0.38));
      const offset = top + (height - gap * units) / 2 + gap / 2;
      return { layer: c, units, x, band, y: (j: number) => offset + j * gap, radius, stripe: 0, label };
    });
    // Links: every one between two drawn layers; the largest for a band (worked out again only
    // when the arrays, the mode or the size change: choosing the largest of 100,352 takes a while).
    const key = { layers: this.layers, mode: this.mode, width };
    if (this.linksKey && this.linksKey.layers === key.layers && this.linksKey.mode === key.mode && this.linksKey.width === key.width) return;
    this.linksKey = key;
    this.links = [];
    for (let l = 1; l < this.columns.length; l++) {
      const from = this.columns[l - 1];
      const to = this.columns[l];
      if (!from.band && !to.band) {
        for (let j = 0; j < to.units; j++) for (let k = 0; k < from.units; k++) this.links.push({ layer: l, j, k });
      } else if (this.layers?.[l - 1]) {
        const { values } = this.linkValues(l);
        for (const i of largest(values, LINKS_PER_BAND)) this.links.push({ layer: l, j: Math.floor(i / from.units), k: i % from.units });
      }
    }
  }

  private inputsOf(layer: number): number {
    return this.info!.layers[layer - 1].inputs;
  }

  private linkValues(layer: number): { values: Float32Array; limit: number } {
    const snapshot = this.layers?.[layer - 1];
    if (!snapshot) return { values: new Float32Array(0), limit: 0 };
    const values = this.mode === 'weights' ? snapshot.weights : this.mode === 'gradient' ? snapshot.gradWeights : snapshot.lastDeltaWeights;
    return { values, limit: symmetricLimit(values) };
  }

  private centre(column: Column, j: number): { x: number; y: number } {
    return column.band ? { x: column.x, y: column.y(j) + column.stripe / 2 } : { x: column.x, y: column.y(j) };
  }

  private highlighted(link: Link): boolean {
    const f = this.focus;
    if (!f || f.layer === undefined) return false;
    if (f.direction === 'forward' || f.direction === 'gradient' || f.direction === 'update') return link.layer === f.layer;
    if (f.direction === 'backward') return link.layer === f.layer + 1;
    return false;
  }

  private drawLinks(ctx: CanvasRenderingContext2D, palette: Palette): void {
    const byLayer = new Map<number, { values: Float32Array; limit: number }>();
    const dim = this.focus?.layer !== undefined;
    for (const link of this.links) {
      let v = byLayer.get(link.layer);
      if (!v) byLayer.set(link.layer, (v = this.linkValues(link.layer)));
      const from = this.centre(this.columns[link.layer - 1], link.k);
      const to = this.centre(this.columns[link.layer], link.j);
      const value = v.values.length > 0 ? v.values[link.j * this.inputsOf(link.layer) + link.k] : 0;
      const t = v.limit > 0 ? Math.min(1, Math.abs(value) / v.limit) : 0;
      const on = this.highlighted(link);
      ctx.globalAlpha = dim && !on ? 0.15 : 0.35 + 0.65 * t;
      ctx.strokeStyle = toCss(unpack(palette.scale.lut[scaleIndex(value, v.limit)]));
      ctx.lineWidth = 0.5 + 3 * t + (on ? 1 : 0);
      ctx.beginPath();
      ctx.moveTo(from.x, from.y);
      ctx.lineTo(to.x, to.y);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }

  private drawNeurons(ctx: CanvasRenderingContext2D, palette: Palette): void {
    const trace = this.walkTrace ?? this.trace;
    ctx.font = `${Math.max(10, palette.fontSize - 2)}px ${palette.fontFamily}`;
    ctx.textAlign = 'center';
    this.columns.forEach((column, c) => {
      const a = trace?.activations[column.layer];
      const limit = a ? symmetricLimit(a) : 0;
      const on = this.focus?.layer === column.layer || (this.focus?.direction === 'backward' && this.focus.layer === column.layer);
      const selected = this.selectedLayer === column.layer && column.layer > 0;
      for (let j = 0; j < column.units; j++) {
        const fill = a ? toCss(unpack(palette.scale.lut[scaleIndex(a[j], limit)])) : toCss(palette.scale.neutral);
        ctx.fillStyle = fill;
        if (column.band) {
          ctx.fillRect(column.x - 9, column.y(j), 18, Math.max(column.stripe, 0.5));
        } else {
          ctx.beginPath();
          ctx.arc(column.x, column.y(j), column.radius, 0, Math.PI * 2);
          ctx.fill();
          ctx.lineWidth = on || selected ? 2 : 1;
          ctx.strokeStyle = toCss(on || selected ? palette.focus : palette.contrastBorder ?? palette.muted);
          ctx.stroke();
        }
      }
      if (column.band) {
        ctx.lineWidth = on || selected ? 2 : 1;
        ctx.strokeStyle = toCss(on || selected ? palette.focus : palette.contrastBorder ?? palette.muted);
        ctx.strokeRect(column.x - 9, column.y(0), 18, column.stripe * column.units);
      }
      const keyboard = document.activeElement === this.canvas && this.cursor.column === c;
      if (keyboard) {
        const p = this.centre(column, this.cursor.j);
        ctx.strokeStyle = toCss(palette.focus);
        ctx.lineWidth = 2;
        ctx.strokeRect(p.x - (column.radius || 10) - 3, p.y - (column.radius || 3) - 3, 2 * (column.radius || 10) + 6, 2 * (column.radius || 3) + 6);
      }
      ctx.fillStyle = toCss(palette.muted);
      // the outer labels lean inwards so they stay on the canvas
      ctx.textAlign = c === 0 ? 'left' : c === this.columns.length - 1 ? 'right' : 'center';
      const labelX = c === 0 ? 4 : c === this.columns.length - 1 ? this.width - 4 : column.x;
      ctx.fillText(column.band ? `${column.label} (band)` : column.label, labelX, HEIGHT - 8);
    });
  }

  // -------------------------------------------------------------------------
  // Hover and keyboard

  private local(e: MouseEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private hitNeuron(p: { x: number; y: number }): { column: number; j: number } | undefined {
    for (let c = 0; c < this.columns.length; c++) {
      const column = this.columns[c];
      if (column.band) {
        if (Math.abs(p.x - column.x) <= 10 && p.y >= column.y(0) && p.y < column.y(column.units)) {
          return { column: c, j: Math.min(column.units - 1, Math.floor((p.y - column.y(0)) / column.stripe)) };
        }
        continue;
      }
      if (Math.abs(p.x - column.x) > column.radius + 2) continue;
      for (let j = 0; j < column.units; j++) if (Math.hypot(p.x - column.x, p.y - column.y(j)) <= column.radius + 2) return { column: c, j };
    }
    return undefined;
  }

  private hitLink(p: { x: number; y: number }): Link | undefined {
    let best: Link | undefined;
    let bestDistance = 4;
    for (const link of this.links) {
      const a = this.centre(this.columns[link.layer - 1], link.k);
      const b = this.centre(this.columns[link.layer], link.j);
      if (p.x < Math.min(a.x, b.x) || p.x > Math.max(a.x, b.x)) continue;
      const d = distanceToSegment(p, a, b);
      if (d < bestDistance) {
        bestDistance = d;
        best = link;
      }
    }
    return best;
  }

  private hover(e: MouseEvent): void {
    const p = this.local(e);
    const neuron = this.hitNeuron(p);
    if (neuron) {
      this.tooltip.show(this.neuronStory(this.columns[neuron.column].layer, neuron.j), { x: e.clientX, y: e.clientY });
      return;
    }
    const link = this.hitLink(p);
    const story = link && this.linkStory(link.layer, link.j, link.k);
    if (link && story) {
      this.tooltip.show(story, { x: e.clientX, y: e.clientY });
    } else {
      this.tooltip.hide();
    }
  }

  private key(e: KeyboardEvent): void {
    const columns = this.columns;
    if (columns.length === 0) return;
    let { column, j } = this.cursor;
    if (e.key === 'ArrowRight') column = Math.min(columns.length - 1, column + 1);
    else if (e.key === 'ArrowLeft') column = Math.max(0, column - 1);
    else if (e.key === 'ArrowDown') j++;
    else if (e.key === 'ArrowUp') j--;
    else if (e.key === 'Enter' || e.key === ' ') {
      const layer = columns[column].layer;
      this.selectedLayer = layer > 0 ? layer : undefined;
      this.onSelect(this.selectedLayer);
      e.preventDefault();
      return;
    } else if (e.key === 'Escape') {
      this.tooltip.hide();
      return;
    } else return;
    e.preventDefault();
    j = Math.max(0, Math.min(columns[column].units - 1, j));
    this.cursor = { column, j };
    const story = this.neuronStory(columns[column].layer, j);
    const r = this.canvas.getBoundingClientRect();
    const p = this.centre(columns[column], j);
    this.tooltip.show(story, { x: r.left + p.x, y: r.top + p.y });
    this.announce(story.spoken);
  }
}

function distanceToSegment(p: { x: number; y: number }, a: { x: number; y: number }, b: { x: number; y: number }): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = dx * dx + dy * dy;
  const t = length === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

function largest(values: ArrayLike<number>, count: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  if (values.length > 4 * count) {
    // a partial selection: the values above the count-th largest magnitude
    const sorted = Array.from(values, Math.abs).sort((a, b) => b - a);
    const threshold = sorted[count - 1];
    return order.filter((i) => Math.abs(values[i]) >= threshold).slice(0, count);
  }
  order.sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]));
  return order.slice(0, count);
}
