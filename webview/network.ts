/**
 * The network view: the layers as columns of neurons, the links between them coloured (blue
 * positive, red negative, the heatmaps' scale) and thickened by w, ∂C/∂w or Δw, neurons filled
 * by their activation for the traced sample (or the walk's). One canvas, redrawn at most once a
 * frame by the panel.
 *
 * Readable size: up to MAX_NEURONS neurons of a layer are drawn as circles; a wider layer is a
 * band of thin stripes (one per neuron, its activation's colour) with a note, and its links are
 * summarised by the LINKS_PER_BAND largest in size; between two layers of circles at most
 * MAX_LINKS are drawn, the largest. Hover (or arrow keys on the focused canvas)
 * tells a neuron's story (z, a, δ, b, ∂C/∂b) or a link's (the heatmap cell's: w, ∂C/∂w, Δw, a·δ).
 * A click on a hidden layer selects it for the edit buttons (+/− neuron, +/− layer, activation).
 *
 * Pictures (pictures.ts): beside every neuron of a layer drawn as circles, what it computes (its
 * activation over the input plane, its weight tile, or its activation histogram); hover one for
 * the value under the pointer.
 *
 * Frame budget (784-128-64-10 included, docs/performance.md): the links are drawn into an
 * offscreen canvas only when their arrays, the mode, the size, the theme or the walk's highlight
 * change, grouped by colour bin (one style change a bin); a band is one ImageData strip; the largest links
 * of a band are chosen in one pass (no sort of 100,352 values).
 */
import type { LayerSnapshot, NeuronPictures, SessionInfo, TraceSnapshot } from '../src/protocol';
import { cellStory, type CellStory } from './cellStory';
import { scaleIndex, toCss, unpack } from './colors';
import { formatNumber } from './format';
import { symmetricLimit } from './heatmapRender';
import { NeuronPicturesView } from './pictures';
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
/**
 * Links drawn between two layers of circles, at most: the largest in size beyond (64 × 64 layers
 * have 4,096, unreadable, and slow to rasterise: the frame budget, docs/performance.md).
 */
export const MAX_LINKS = 256;

/** Links are drawn in this many colour bins a sign (one style each). */
export const LINK_BINS = 8;

const MARGIN = 28;
/** The view's height without pictures; with them it grows to give each picture ~PICTURE_ROOM px. */
const HEIGHT = 360;
const MAX_HEIGHT = 640;
const PICTURE_ROOM = 34;
/** A picture's side, CSS px. */
const PICTURE_MIN = 12;
const PICTURE_MAX = 44;

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
  /** The side of each neuron's picture (0: none); drawn right of the neuron, centred on it. */
  picture: number;
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
  private linksKey: { layers: LayerSnapshot[] | undefined; mode: LinkMode; width: number; height: number } | undefined;
  /** The links as last drawn (CSS px canvas at the device ratio), and what they were drawn from. */
  private readonly linksCanvas = document.createElement('canvas');
  private linksDrawn: { links: Link[]; palette: Palette; focus: string; ratio: number } | undefined;
  /** Per palette: the scale's colours as CSS strings. */
  private css: { palette: Palette; colors: string[] } | undefined;
  private readonly bandCanvas = document.createElement('canvas');
  readonly pictures = new NeuronPicturesView();
  private width = 0;
  private height = HEIGHT;
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
    this.linksDrawn = undefined;
    this.pictures.build(info);
    if (this.selectedLayer !== undefined && this.selectedLayer >= info.layers.length) this.selectedLayer = undefined;
    const sizes = [info.inputSize, ...info.layers.map((l) => l.units)];
    this.canvas.setAttribute('aria-label', `The network ${sizes.join('-')}: ${info.layers.length} dense layers. Arrow keys move between neurons; their story is read out.`);
  }

  setData(layers: LayerSnapshot[] | undefined, trace: TraceSnapshot | undefined, pictures?: NeuronPictures): void {
    if (layers) this.layers = layers;
    if (trace) this.trace = trace;
    this.pictures.setData(pictures, layers);
  }

  /** While the walk is open: its sample's activations and deltas, and the stage to highlight. */
  setWalk(trace: TraceSnapshot | undefined, focus: WalkFocus | undefined): void {
    this.walkTrace = trace;
    this.focus = focus;
  }

  /** What the view draws from now (the benchmark hook replays it with fresh copies). */
  snapshotData(): { layers: LayerSnapshot[] | undefined; trace: TraceSnapshot | undefined; pictures: NeuronPictures | undefined } {
    return { layers: this.layers, trace: this.trace, pictures: this.pictures.data };
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
    const bin = linkBin(values[j * this.inputsOf(layer) + k], limit);
    return toCss(unpack(palette.scale.lut[scaleIndex(bin.value, 1)]));
  }

  /** Canvas-local (CSS px) box of neuron j's picture in layer l, when it has one. */
  pictureBox(layer: number, j: number): { x: number; y: number; side: number } | undefined {
    const column = this.columns[layer];
    if (!column || !column.picture || j >= column.units) return undefined;
    const c = this.centre(column, j);
    // whole pixels, so a picture's cells are crisp (and read back as drawn)
    return { x: Math.round(c.x + column.radius + 4), y: Math.round(c.y - column.picture / 2), side: column.picture };
  }

  /** Pictures drawn (one a neuron of every pictured layer drawn as circles). */
  pictureCount(): number {
    return this.columns.reduce((sum, c) => sum + (c.picture ? c.units : 0), 0);
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
    let spoken = `${what}: ` + (terms.length > 0 ? terms.map((t) => `${t.key} = ${formatNumber(t.value)}`).join(', ') : 'take a step to see its values');
    const kind = this.pictures.kind(layer);
    const scale = this.pictures.scale(layer);
    if (kind === 'plane' && scale) spoken += `; its picture: a over the input plane, coloured from ${formatNumber(scale.low)} to ${formatNumber(scale.high)}`;
    else if (kind === 'tile') spoken += `; its picture: its ${this.inputsOf(layer)} incoming weights as an image`;
    else if (kind === 'histogram') spoken += '; its picture: a histogram of its activation over training samples';
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
    const height = this.heightFor(info);
    const ratio = window.devicePixelRatio || 1;
    if (width !== this.width || height !== this.height || this.canvas.height !== Math.round(height * ratio)) {
      this.width = width;
      this.height = height;
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    this.layout(info, width);
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = toCss(palette.card);
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.drawLinks(palette, ratio);
    ctx.drawImage(this.linksCanvas, 0, 0);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.drawNeurons(ctx, palette);
    this.lastDrawMs = performance.now() - t0;
    this.draws++;
  }

  /** The view's height: taller when pictures need the room (up to MAX_HEIGHT). */
  private heightFor(info: SessionInfo): number {
    let most = 0;
    info.layers.forEach((l, i) => {
      if (l.units <= MAX_NEURONS && this.pictures.kind(i + 1)) most = Math.max(most, l.units);
    });
    return Math.max(HEIGHT, Math.min(MAX_HEIGHT, most * PICTURE_ROOM + 2 * MARGIN + 14));
  }

  // -------------------------------------------------------------------------

  private layout(info: SessionInfo, width: number): void {
    const sizes = [info.inputSize, ...info.layers.map((l) => l.units)];
    const top = MARGIN;
    const height = this.height - 2 * MARGIN - 14;
    const pictureSide = (c: number, units: number): number =>
      c > 0 && units <= MAX_NEURONS && this.pictures.kind(c) ? Math.floor(Math.max(PICTURE_MIN, Math.min(PICTURE_MAX, (height / Math.max(1, units)) * 0.86))) : 0;
    // room on the right for the last layer's pictures
    const last = sizes.length - 1;
    const right = MARGIN + (pictureSide(last, sizes[last]) > 0 ? pictureSide(last, sizes[last]) + 16 : 0);
    const step = (width - MARGIN - right) / Math.max(1, last);
    this.columns = sizes.map((units, c) => {
      const x = MARGIN + c * step;
      const band = units > MAX_NEURONS;
      const label = c === 0 ? `input ${units}` : `${units} ${info.layers[c - 1].activation}`;
      if (band) {
        const stripe = height / units;
        return { layer: c, units, x, band, y: (j: number) => top + j * stripe, radius: 0, stripe, label, picture: 0 };
      }
      const gap = height / Math.max(1, units);
      const picture = pictureSide(c, units);
      const radius = Math.max(2, Math.min(picture ? 7 : 12, gap * 0.38));
      const offset = top + (height - gap * units) / 2 + gap / 2;
      return { layer: c, units, x, band, y: (j: number) => offset + j * gap, radius, stripe: 0, label, picture };
    });
    // Links: every one between two drawn layers; the largest for a band (worked out again only
    // when the arrays, the mode or the size change: choosing the largest of 100,352 takes a while).
    const key = { layers: this.layers, mode: this.mode, width, height: this.height };
    const k = this.linksKey;
    if (k && k.layers === key.layers && k.mode === key.mode && k.width === key.width && k.height === key.height) return;
    this.linksKey = key;
    this.links = [];
    for (let l = 1; l < this.columns.length; l++) {
      const from = this.columns[l - 1];
      const to = this.columns[l];
      if (!from.band && !to.band && from.units * to.units <= MAX_LINKS) {
        for (let j = 0; j < to.units; j++) for (let k = 0; k < from.units; k++) this.links.push({ layer: l, j, k });
      } else if (this.layers?.[l - 1]) {
        const { values } = this.linkValues(l);
        for (const i of largest(values, from.band || to.band ? LINKS_PER_BAND : MAX_LINKS)) this.links.push({ layer: l, j: Math.floor(i / from.units), k: i % from.units });
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

  /**
   * The links into linksCanvas, only when they changed: grouped by colour bin (sign × LINK_BINS
   * magnitudes, highlighted or not), one style a bin.
   */
  private drawLinks(palette: Palette, ratio: number): void {
    const focus = `${this.focus?.direction}:${this.focus?.layer}`;
    const d = this.linksDrawn;
    const c = this.linksCanvas;
    if (d && d.links === this.links && d.palette === palette && d.focus === focus && d.ratio === ratio && c.width === this.canvas.width && c.height === this.canvas.height) return;
    this.linksDrawn = { links: this.links, palette, focus, ratio };
    c.width = this.canvas.width;
    c.height = this.canvas.height;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    const byLayer = new Map<number, { values: Float32Array; limit: number }>();
    const dim = this.focus?.layer !== undefined;
    // bins: [highlighted][sign][magnitude] → the links' end points, x0 y0 x1 y1 …
    const bins: number[][] = Array.from({ length: 4 * LINK_BINS }, () => []);
    for (const link of this.links) {
      let v = byLayer.get(link.layer);
      if (!v) byLayer.set(link.layer, (v = this.linkValues(link.layer)));
      const from = this.centre(this.columns[link.layer - 1], link.k);
      const to = this.centre(this.columns[link.layer], link.j);
      const value = v.values.length > 0 ? v.values[link.j * this.inputsOf(link.layer) + link.k] : 0;
      const bin = linkBin(value, v.limit);
      bins[(this.highlighted(link) ? 2 * LINK_BINS : 0) + bin.index].push(from.x, from.y, to.x, to.y);
    }
    bins.forEach((points, i) => {
      if (points.length === 0) return;
      const on = i >= 2 * LINK_BINS;
      const { value, t } = binValue(i % (2 * LINK_BINS));
      ctx.globalAlpha = dim && !on ? 0.15 : 0.35 + 0.65 * t;
      ctx.strokeStyle = toCss(unpack(palette.scale.lut[scaleIndex(value, 1)]));
      ctx.lineWidth = 0.5 + 3 * t + (on ? 1 : 0);
      // one stroke a link: one path of many crossing segments makes the rasteriser resolve their
      // overlaps (measured twice as slow for 784-128-64-10's 768 links), single segments do not
      for (let p = 0; p < points.length; p += 4) {
        ctx.beginPath();
        ctx.moveTo(points[p], points[p + 1]);
        ctx.lineTo(points[p + 2], points[p + 3]);
        ctx.stroke();
      }
    });
    ctx.globalAlpha = 1;
  }

  /** The scale's colour for value v against ±limit, as CSS (cached per palette). */
  private color(palette: Palette, v: number, limit: number): string {
    if (this.css?.palette !== palette) this.css = { palette, colors: Array.from(palette.scale.lut, (c) => toCss(unpack(c))) };
    return this.css.colors[scaleIndex(v, limit)];
  }

  private drawNeurons(ctx: CanvasRenderingContext2D, palette: Palette): void {
    const trace = this.walkTrace ?? this.trace;
    ctx.font = `${Math.max(10, palette.fontSize - 2)}px ${palette.fontFamily}`;
    ctx.textAlign = 'center';
    const neutral = toCss(palette.scale.neutral);
    const outline = toCss(palette.contrastBorder ?? palette.muted);
    const focusColor = toCss(palette.focus);
    this.columns.forEach((column, c) => {
      const a = trace?.activations[column.layer];
      const limit = a ? symmetricLimit(a) : 0;
      const on = this.focus?.layer === column.layer || (this.focus?.direction === 'backward' && this.focus.layer === column.layer);
      const selected = this.selectedLayer === column.layer && column.layer > 0;
      if (column.band) {
        // one strip image, a pixel a neuron, stretched over the band
        const b = this.bandCanvas;
        if (b.width !== 1 || b.height !== column.units) {
          b.width = 1;
          b.height = column.units;
        }
        const bctx = b.getContext('2d');
        if (bctx) {
          const image = bctx.createImageData(1, column.units);
          const pixels = new Uint32Array(image.data.buffer);
          const lut = palette.scale.lut;
          for (let j = 0; j < column.units; j++) pixels[j] = a ? lut[scaleIndex(a[j], limit)] : lut[(lut.length - 1) / 2];
          bctx.putImageData(image, 0, 0);
          ctx.imageSmoothingEnabled = false;
          ctx.drawImage(b, column.x - 9, column.y(0), 18, column.stripe * column.units);
        }
        ctx.lineWidth = on || selected ? 2 : 1;
        ctx.strokeStyle = on || selected ? focusColor : outline;
        ctx.strokeRect(column.x - 9, column.y(0), 18, column.stripe * column.units);
      } else {
        for (let j = 0; j < column.units; j++) {
          ctx.fillStyle = a ? this.color(palette, a[j], limit) : neutral;
          ctx.beginPath();
          ctx.arc(column.x, column.y(j), column.radius, 0, Math.PI * 2);
          ctx.fill();
          ctx.lineWidth = on || selected ? 2 : 1;
          ctx.strokeStyle = on || selected ? focusColor : outline;
          ctx.stroke();
          if (column.picture) {
            const box = this.pictureBox(c, j)!;
            this.pictures.draw(ctx, palette, column.layer, j, box.x, box.y, box.side);
          }
        }
      }
      const keyboard = document.activeElement === this.canvas && this.cursor.column === c;
      if (keyboard) {
        const p = this.centre(column, this.cursor.j);
        ctx.strokeStyle = focusColor;
        ctx.lineWidth = 2;
        const extra = column.picture ? column.picture + 4 : 0;
        ctx.strokeRect(p.x - (column.radius || 10) - 3, p.y - Math.max(column.radius || 3, column.picture / 2) - 3, 2 * (column.radius || 10) + 6 + extra, 2 * Math.max(column.radius || 3, column.picture / 2) + 6);
      }
      ctx.fillStyle = toCss(palette.muted);
      // the outer labels lean inwards so they stay on the canvas
      ctx.textAlign = c === 0 ? 'left' : c === this.columns.length - 1 ? 'right' : 'center';
      const labelX = c === 0 ? 4 : c === this.columns.length - 1 ? this.width - 4 : column.x;
      ctx.fillText(column.band ? `${column.label} (band)` : column.label, labelX, this.height - 8);
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

  /** The picture under p: its neuron and where in it (u across, v down, 0…1). */
  private hitPicture(p: { x: number; y: number }): { layer: number; j: number; u: number; v: number } | undefined {
    for (let c = 1; c < this.columns.length; c++) {
      const column = this.columns[c];
      if (!column.picture) continue;
      for (let j = 0; j < column.units; j++) {
        const box = this.pictureBox(c, j)!;
        if (p.x >= box.x && p.x < box.x + box.side && p.y >= box.y && p.y < box.y + box.side) return { layer: c, j, u: (p.x - box.x) / box.side, v: (p.y - box.y) / box.side };
      }
    }
    return undefined;
  }

  /** Neuron j's story with what its picture shows at (u, v). */
  pictureStory(layer: number, j: number, u: number, v: number): CellStory {
    const story = this.neuronStory(layer, j);
    const reading = this.pictures.read(layer, j, u, v);
    if (!reading) return story;
    const sup = String(layer);
    const term =
      reading.kind === 'plane'
        ? { key: 'here', symbol: [{ base: 'a', sub: `${j}`, sup }], value: reading.value, note: `at ${reading.where}` }
        : reading.kind === 'tile'
          ? { key: 'here', symbol: [{ base: 'w', sub: `${j},${reading.row * this.pictures.grid(layer)!.cols + reading.col}`, sup }], value: reading.value, note: reading.where }
          : { key: 'here', symbol: [{ base: 'n' }], value: reading.value, note: reading.where };
    const title = `${story.title} \u00b7 its picture`;
    return { ...story, title, terms: [term, ...story.terms], spoken: `${title}: ${reading.kind === 'histogram' ? reading.where : `${reading.kind === 'plane' ? 'a' : 'w'} = ${formatNumber(reading.value)} at ${reading.where}`}. ${story.spoken}` };
  }

  private hover(e: MouseEvent): void {
    const p = this.local(e);
    const picture = this.hitPicture(p);
    if (picture) {
      this.tooltip.show(this.pictureStory(picture.layer, picture.j, picture.u, picture.v), { x: e.clientX, y: e.clientY });
      return;
    }
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

/** Link bin of value v against ±limit: index sign·LINK_BINS + magnitude bin (see binValue). */
function linkBin(v: number, limit: number): { index: number; value: number } {
  const t = limit > 0 && Number.isFinite(v) ? Math.min(1, Math.abs(v) / limit) : 0;
  const magnitude = Math.min(LINK_BINS - 1, Math.floor(t * LINK_BINS));
  const index = (v < 0 ? LINK_BINS : 0) + magnitude;
  return { index, value: binValue(index).value };
}

/** The bin's representative: its middle magnitude t (0…1) and signed value on a ±1 scale. */
function binValue(index: number): { value: number; t: number } {
  const negative = index >= LINK_BINS;
  const t = ((index % LINK_BINS) + 0.5) / LINK_BINS;
  return { value: negative ? -t : t, t };
}

/**
 * The indices of the `count` largest |values| (in index order), in one pass: a kept set whose
 * smallest member is replaced by anything larger (O(n) for n ≫ count; no sort of all values).
 */
export function largest(values: ArrayLike<number>, count: number): number[] {
  const n = values.length;
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  const kept = new Int32Array(count);
  const size = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    kept[i] = i;
    size[i] = Math.abs(values[i]) || 0;
  }
  let low = 0;
  for (let i = 1; i < count; i++) if (size[i] < size[low]) low = i;
  for (let i = count; i < n; i++) {
    const a = Math.abs(values[i]);
    if (!(a > size[low])) continue;
    kept[low] = i;
    size[low] = a;
    low = 0;
    for (let s = 1; s < count; s++) if (size[s] < size[low]) low = s;
  }
  return Array.from(kept).sort((a, b) => a - b);
}
