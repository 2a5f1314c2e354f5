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
import { fitLabels, fitPictureSides, pictureSideFor, placeColumns, type Extent } from './networkLayout';
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

/** Room above and below the columns (the labels' row is in the bottom one). */
const MARGIN = 28;
/** Room left of the first column's extent and right of the last's (networkLayout.ts). */
const EDGE = 8;
/** The view's height without pictures; with them it grows to give each picture ~PICTURE_ROOM px, each circle ~CIRCLE_ROOM. */
const HEIGHT = 360;
const MAX_HEIGHT = 640;
const PICTURE_ROOM = 34;
const CIRCLE_ROOM = 9;
/** A picture's side, CSS px; smaller, it is not drawn (too close to the next, or too narrow a panel). */
const PICTURE_MIN = 12;
const PICTURE_MAX = 44;
/** Between a neuron's circle and its picture, px. */
const PICTURE_INSET = 4;
/** Half a band's width, px. */
const BAND_HALF = 9;
/** The links keep at least this much room between two columns' extents, px. */
const MIN_GAP = 20;
/** Labels: at least this far apart, and this far inside the canvas, px. */
const LABEL_GAP = 6;
const LABEL_EDGE = 2;

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
  /** The label's forms, longest first ('16 tanh', '16'); the first is the tooltip's. */
  labels: string[];
  /** The side of each neuron's picture (0: none); drawn right of the neuron, centred on it. */
  picture: number;
  /** Room across, px either side of x (the circle, the band, the pictures). */
  extent: Extent;
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

export interface DrawnLabel {
  column: number;
  /** As drawn ('' when nothing is). */
  text: string;
  /** The longest form (the tooltip's). */
  full: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
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
  private linksKey: { layers: LayerSnapshot[] | undefined; mode: LinkMode; geometry: string } | undefined;
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
  private labelsDrawn: DrawnLabel[] = [];
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
    // the labels a narrow panel shortens or leaves out, in full
    const layers = info.layers.map((l) => `${l.units} ${l.activation}`).join(', ');
    this.canvas.setAttribute('aria-label', `The network ${sizes.join('-')}: ${info.inputSize} inputs, ${info.layers.length} dense layers (${layers}). Arrow keys move between neurons; their story is read out.`);
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
    const link = this.links.find((l) => l.layer === layer && l.j === j && l.k === k);
    if (!link) return undefined;
    const s = this.segment(link);
    return { x: (s.x0 + s.x1) / 2, y: (s.y0 + s.y1) / 2 };
  }

  /** The column labels as last drawn: their text and box (CSS px, canvas-local). */
  labels(): DrawnLabel[] {
    return this.labelsDrawn.map((l) => ({ ...l }));
  }

  /** The links as last drawn: their end points (CSS px, canvas-local). */
  linkSegments(): { layer: number; j: number; k: number; x0: number; y0: number; x1: number; y1: number }[] {
    return this.links.map((link) => ({ ...link, ...this.segment(link) }));
  }

  /** The canvas's size, CSS px. */
  size(): { width: number; height: number } {
    return { width: this.width, height: this.height };
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
    return { x: Math.round(c.x + column.radius + PICTURE_INSET), y: Math.round(c.y - column.picture / 2), side: column.picture };
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

  /**
   * The view's height: taller when pictures need the room (a layer whose pictures fit in
   * MAX_HEIGHT at all) or a layer of many circles does, up to MAX_HEIGHT.
   */
  private heightFor(info: SessionInfo): number {
    const room = MAX_HEIGHT - 2 * MARGIN - 14;
    let most = 0;
    [info.inputSize, ...info.layers.map((l) => l.units)].forEach((units, c) => {
      if (units > MAX_NEURONS) return;
      most = Math.max(most, units * CIRCLE_ROOM);
      if (c > 0 && this.pictures.kind(c) && pictureSideFor(room, units, PICTURE_MIN, PICTURE_MAX) > 0) most = Math.max(most, units * PICTURE_ROOM);
    });
    return Math.max(HEIGHT, Math.min(MAX_HEIGHT, most + 2 * MARGIN + 14));
  }

  /** Why some layers' pictures are not drawn: a panel too narrow for any, or layers too crowded up and down. */
  picturesLeftOut(): { narrow: boolean; crowded: number[] } {
    const pictured = this.columns.filter((c) => c.layer > 0 && !c.band && this.pictures.kind(c.layer));
    const crowded = pictured.filter((c) => this.wantedPicture(c.units) === 0).map((c) => c.layer);
    const narrow = pictured.some((c) => this.wantedPicture(c.units) > 0) && pictured.every((c) => c.picture === 0);
    return { narrow, crowded };
  }

  private wantedPicture(units: number): number {
    return pictureSideFor(this.height - 2 * MARGIN - 14, units, PICTURE_MIN, PICTURE_MAX);
  }

  // -------------------------------------------------------------------------

  /**
   * Columns across (networkLayout.ts): each its extent (circle, band, pictures right of the
   * circles), the pictures cut so the links keep room, the gaps between extents equal.
   */
  private layout(info: SessionInfo, width: number): void {
    const sizes = [info.inputSize, ...info.layers.map((l) => l.units)];
    const top = MARGIN;
    const height = this.height - 2 * MARGIN - 14;
    const bands = sizes.map((units) => units > MAX_NEURONS);
    const wanted = sizes.map((units, c) => (c > 0 && !bands[c] && this.pictures.kind(c) ? this.wantedPicture(units) : 0));
    const radii = sizes.map((units, c) => (bands[c] ? 0 : Math.max(2, Math.min(wanted[c] ? 7 : 12, (height / Math.max(1, units)) * 0.38))));
    // the width left once the margins, circles, bands and the pictures' insets (+1 for their border) are taken
    const fixed = sizes.reduce((sum, _, c) => sum + (bands[c] ? 2 * BAND_HALF : 2 * radii[c]) + (wanted[c] ? PICTURE_INSET + 1 : 0), 0);
    const sides = fitPictureSides(wanted, width - 2 * EDGE - fixed, sizes.length - 1, MIN_GAP, PICTURE_MIN);
    const extents = sizes.map((_, c): Extent => {
      if (bands[c]) return { left: BAND_HALF, right: BAND_HALF };
      return { left: radii[c], right: radii[c] + (sides[c] ? PICTURE_INSET + 1 + sides[c] : 0) };
    });
    const { xs } = placeColumns(extents, width, EDGE);
    this.columns = sizes.map((units, c) => {
      const x = xs[c];
      const band = bands[c];
      const size = c === 0 ? `input ${units}` : `${units} ${info.layers[c - 1].activation}`;
      const labels = band ? [`${size} (band)`, size, String(units)] : [size, String(units)];
      const extent = extents[c];
      if (band) {
        const stripe = height / units;
        return { layer: c, units, x, band, y: (j: number) => top + j * stripe, radius: 0, stripe, labels, picture: 0, extent };
      }
      const gap = height / Math.max(1, units);
      const offset = top + (height - gap * units) / 2 + gap / 2;
      return { layer: c, units, x, band, y: (j: number) => offset + j * gap, radius: radii[c], stripe: 0, labels, picture: sides[c], extent };
    });
    // Links: every one between two drawn layers; the largest for a band (worked out again only
    // when the arrays, the mode or the size change: choosing the largest of 100,352 takes a while).
    const geometry = `${width}×${this.height}:` + this.columns.map((c) => `${c.x},${c.radius},${c.picture}`).join(';');
    const key = { layers: this.layers, mode: this.mode, geometry };
    const k = this.linksKey;
    if (k && k.layers === key.layers && k.mode === key.mode && k.geometry === key.geometry) return;
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

  /**
   * Link w^l_jk as drawn: from neuron k of layer l − 1 to neuron j of layer l, leaving from the
   * source's right edge (its picture's far side, a band's side, or its circle's rim) and arriving
   * at the target's rim (a band's side), so no link crosses a picture or runs under a circle.
   */
  private segment(link: Link): { x0: number; y0: number; x1: number; y1: number } {
    const from = this.columns[link.layer - 1];
    const to = this.columns[link.layer];
    const a = this.centre(from, link.k);
    const b = this.centre(to, link.j);
    let x0 = a.x;
    let y0 = a.y;
    let x1 = b.x;
    let y1 = b.y;
    if (from.band) x0 += BAND_HALF;
    else if (from.picture) {
      const box = this.pictureBox(link.layer - 1, link.k)!;
      x0 = box.x + box.side + 1.5;
    }
    if (to.band) x1 -= BAND_HALF;
    const length = Math.hypot(x1 - x0, y1 - y0) || 1;
    const ux = (x1 - x0) / length;
    const uy = (y1 - y0) / length;
    if (!from.band && !from.picture) {
      x0 += from.radius * ux;
      y0 += from.radius * uy;
    }
    if (!to.band) {
      x1 -= to.radius * ux;
      y1 -= to.radius * uy;
    }
    return { x0, y0, x1, y1 };
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
      const s = this.segment(link);
      const value = v.values.length > 0 ? v.values[link.j * this.inputsOf(link.layer) + link.k] : 0;
      const bin = linkBin(value, v.limit);
      bins[(this.highlighted(link) ? 2 * LINK_BINS : 0) + bin.index].push(s.x0, s.y0, s.x1, s.y1);
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
    });
    this.drawLabels(ctx, palette);
  }

  /**
   * The labels' row under the columns: each label centred under its column's extent, in the
   * longest form that keeps it LABEL_GAP px from its neighbours and inside the canvas
   * (fitLabels); one that fits in no form is left to the tooltip (hover the row) and the
   * canvas's aria-label.
   */
  private drawLabels(ctx: CanvasRenderingContext2D, palette: Palette): void {
    const size = Math.max(10, palette.fontSize - 2);
    const baseline = this.height - 8;
    ctx.font = `${size}px ${palette.fontFamily}`;
    ctx.fillStyle = toCss(palette.muted);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    const wishes = this.columns.map((c) => ({ centre: c.x + (c.extent.right - c.extent.left) / 2, forms: c.labels }));
    const placed = fitLabels(wishes, (t) => ctx.measureText(t).width, this.width, LABEL_GAP, LABEL_EDGE);
    this.labelsDrawn = placed.map((p, c) => {
      if (p.text) ctx.fillText(p.text, p.left, baseline);
      // the box a reader sees: the font's size above the baseline, descenders below
      return { column: c, text: p.text, full: this.columns[c].labels[0], left: p.left, right: p.left + p.width, top: baseline - size, bottom: baseline + Math.ceil(size * 0.25) };
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
      const s = this.segment(link);
      const a = { x: s.x0, y: s.y0 };
      const b = { x: s.x1, y: s.y1 };
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

  /** The column whose label is under p: the label drawn there, else the nearest column's (a label left out). */
  private hitLabel(p: { x: number; y: number }): number | undefined {
    const row = this.labelsDrawn[0];
    if (!row || p.y < row.top - 3 || p.y > row.bottom + 3) return undefined;
    const drawn = this.labelsDrawn.find((l) => l.text && p.x >= l.left && p.x <= l.right);
    if (drawn) return drawn.column;
    let best: number | undefined;
    let bestDistance = Infinity;
    this.columns.forEach((c, i) => {
      const d = Math.abs(p.x - (c.x + (c.extent.right - c.extent.left) / 2));
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    });
    return best;
  }

  /** A column's label in full (what a narrow panel shortens), for the tooltip. */
  labelStory(column: number): CellStory {
    const c = this.columns[column];
    const title = c.layer === 0 ? c.labels[0] : `Layer ${c.layer}: ${c.labels[0]}`;
    return { layer: c.layer, j: 0, k: undefined, title, terms: [], spoken: title, plain: true };
  }

  private hover(e: MouseEvent): void {
    const p = this.local(e);
    const label = this.hitLabel(p);
    if (label !== undefined) {
      this.tooltip.show(this.labelStory(label), { x: e.clientX, y: e.clientY });
      return;
    }
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
