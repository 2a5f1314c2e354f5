/**
 * Histograms over time, drawn like TensorBoard's offset histograms: per layer, the distribution
 * of w, of ∂C/∂w or of log10(|Δw|/|w|) (Snapshot.histograms, ≤ 30 bins each) at the last
 * HISTORY_SLICES snapshots that carried them, one curve per step, the oldest at the back (top,
 * faint), the newest in front (bottom, strong), all on one horizontal axis (the union of their
 * ranges). Each curve is scaled to its own tallest bin, so the shapes compare across steps.
 */
import type { Histogram, LayerHistograms } from '../src/core/engine/histograms';
import type { SessionInfo, Snapshot } from '../src/protocol';
import { toCss, type Rgba } from './colors';
import { el, segmented } from './dom';
import { formatNumber } from './format';
import type { Palette } from './theme';

export type HistogramKind = 'weights' | 'gradients' | 'ratios';

export const HISTOGRAM_KINDS: { value: HistogramKind; text: string; title: string }[] = [
  { value: 'weights', text: 'w', title: 'the weights w_jk' },
  { value: 'gradients', text: '∂C/∂w', title: 'the gradients ∂C/∂w_jk of the last step' },
  { value: 'ratios', text: '|Δw|/|w|', title: 'the update ratio |Δw_jk| / |w_jk| of the last step, on a log10 axis' },
];

/** Slices kept and drawn per layer. */
export const HISTORY_SLICES = 40;

const HEIGHT = 150;
/** Height of the front slice's tallest bin. */
const PEAK = 56;
/** The most pixels between two slices' baselines. */
const MAX_ROW_STEP = 12;

interface Slice {
  step: number;
  histograms: LayerHistograms;
}

export class HistogramsView {
  readonly root: HTMLElement;
  private readonly list: HTMLElement;
  private readonly canvases: HTMLCanvasElement[] = [];
  private history: Slice[][] = [];
  private kind: HistogramKind = 'weights';
  private readonly kindSeg: ReturnType<typeof segmented<HistogramKind>>;

  constructor(private readonly onKind: () => void) {
    this.root = el('section', 'card histograms-card');
    const header = el('header');
    this.kindSeg = segmented<HistogramKind>('Histograms of', HISTOGRAM_KINDS, () => this.kind, (k) => {
      this.kind = k;
      this.kindSeg.sync();
      this.onKind();
    });
    header.append(el('h2', undefined, 'Distributions over steps'), this.kindSeg.root);
    this.list = el('div', 'histogram-list');
    this.root.append(header, this.list);
    this.root.hidden = true;
  }

  get shownKind(): HistogramKind {
    return this.kind;
  }

  build(info: SessionInfo): void {
    this.list.replaceChildren();
    this.canvases.length = 0;
    this.history = info.layers.map(() => []);
    for (const layer of info.layers) {
      const figure = el('figure', 'histogram');
      const caption = el('figcaption', 'muted', `layer ${layer.index}: dense ${layer.units} ${layer.activation} (${layer.units}×${layer.inputs} weights)`);
      const canvas = el('canvas');
      canvas.dataset.histogramLayer = String(layer.index);
      canvas.setAttribute('role', 'img');
      figure.append(caption, canvas);
      this.list.append(figure);
      this.canvases.push(canvas);
    }
  }

  /** Adds the snapshot's histograms (a later step than the last kept) to every layer's history. */
  add(histograms: Snapshot['histograms']): void {
    if (!histograms) return;
    histograms.layers.forEach((h, l) => {
      const slices = this.history[l];
      if (!slices) return;
      const last = slices[slices.length - 1];
      if (last && last.step >= histograms.step) {
        if (last.step === histograms.step) slices[slices.length - 1] = { step: histograms.step, histograms: h };
        return;
      }
      slices.push({ step: histograms.step, histograms: h });
      if (slices.length > HISTORY_SLICES) slices.splice(0, slices.length - HISTORY_SLICES);
    });
  }

  clear(): void {
    this.history = this.history.map(() => []);
  }

  /** Slices kept for layer l (from 1), oldest first: for the tests. */
  slices(layer: number): number[] {
    return (this.history[layer - 1] ?? []).map((s) => s.step);
  }

  draw(p: Palette): void {
    const any = this.history.some((slices) => slices.length > 0);
    this.root.hidden = !any;
    if (!any) return;
    const width = Math.max(200, Math.min(520, (this.list.clientWidth || 400) - 4));
    this.canvases.forEach((canvas, l) => drawLayer(canvas, this.history[l] ?? [], this.kind, width, p));
  }
}

function drawLayer(canvas: HTMLCanvasElement, slices: Slice[], kind: HistogramKind, width: number, p: Palette): void {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(HEIGHT * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${HEIGHT}px`;
  const g = canvas.getContext('2d') as CanvasRenderingContext2D;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, HEIGHT);
  const histograms = slices.map((s) => s.histograms[kind]).filter((h) => sum(h.counts) > 0);
  const font = `${Math.round(p.fontSize * 0.8)}px ${p.fontFamily}`;
  g.font = font;
  if (histograms.length === 0) {
    g.fillStyle = toCss(p.muted);
    g.textBaseline = 'middle';
    g.fillText(kind === 'ratios' ? 'no update yet' : 'nothing yet', 8, HEIGHT / 2);
    canvas.setAttribute('aria-label', 'no histogram yet');
    return;
  }
  const shown = slices.filter((s) => sum(s.histograms[kind].counts) > 0);
  let min = Infinity;
  let max = -Infinity;
  for (const h of histograms) {
    min = Math.min(min, h.min);
    max = Math.max(max, h.max);
  }
  if (!(max > min)) {
    min -= 0.5;
    max += 0.5;
  }
  const axis = Math.round(p.fontSize * 1.4);
  const stepLabel = 56;
  const plotLeft = 6;
  const plotRight = width - stepLabel;
  const front = HEIGHT - axis;
  const back = PEAK + 6;
  const n = histograms.length;
  // slices spread over the height, but no further apart than MAX_ROW_STEP (few slices stay together)
  const rowStep = n > 1 ? Math.min(MAX_ROW_STEP, (front - back) / (n - 1)) : 0;
  const x = (v: number): number => plotLeft + ((v - min) / (max - min)) * (plotRight - plotLeft);
  const colour = kind === 'weights' ? p.blue : kind === 'gradients' ? p.orange : p.purple;

  histograms.forEach((h, i) => {
    // oldest (i = 0) furthest back; the newest sits on the axis
    const baseline = front - (n - 1 - i) * rowStep;
    const age = n > 1 ? i / (n - 1) : 1;
    const peak = Math.max(...h.counts);
    const bins = h.counts.length;
    const binWidth = (h.max - h.min) / bins;
    g.beginPath();
    g.moveTo(x(h.min), baseline);
    for (let b = 0; b < bins; b++) {
      const centre = h.max > h.min ? h.min + (b + 0.5) * binWidth : h.min;
      g.lineTo(x(centre), baseline - (h.counts[b] / peak) * PEAK);
    }
    g.lineTo(x(h.max), baseline);
    g.closePath();
    g.fillStyle = toCss(mix(p.card, colour, 0.08 + 0.25 * age));
    g.fill();
    g.lineWidth = i === n - 1 ? 1.6 : 1;
    g.strokeStyle = toCss(mix(p.card, colour, 0.25 + 0.75 * age));
    g.stroke();
  });

  // axis: the range, and the steps of the back and front slices
  g.strokeStyle = toCss(p.grid);
  g.beginPath();
  g.moveTo(plotLeft, front + 0.5);
  g.lineTo(plotRight, front + 0.5);
  g.stroke();
  g.fillStyle = toCss(p.muted);
  g.textBaseline = 'top';
  const label = (v: number): string => (kind === 'ratios' ? `1e${formatNumber(Number(v.toFixed(1)))}` : formatNumber(Number(v.toPrecision(3))));
  g.textAlign = 'left';
  g.fillText(label(min), plotLeft, front + 3);
  g.textAlign = 'right';
  g.fillText(label(max), plotRight, front + 3);
  g.textAlign = 'center';
  if (min < 0 && max > 0 && kind !== 'ratios') g.fillText('0', x(0), front + 3);
  g.textAlign = 'left';
  g.textBaseline = 'middle';
  g.fillText(`step ${shown[shown.length - 1].step}`, plotRight + 6, front - 4);
  if (n > 1 && (n - 1) * rowStep >= p.fontSize) g.fillText(`step ${shown[0].step}`, plotRight + 6, front - (n - 1) * rowStep - 4);
  const last = histograms[n - 1];
  canvas.setAttribute(
    'aria-label',
    `${HISTOGRAM_KINDS.find((k) => k.value === kind)?.title}: ${n} steps, the latest (step ${shown[n - 1].step}) from ${label(last.min)} to ${label(last.max)}`,
  );
}

function sum(counts: Float32Array): number {
  let s = 0;
  for (const c of counts) s += c;
  return s;
}

function mix(a: Rgba, b: Rgba, t: number): Rgba {
  return { r: a.r + (b.r - a.r) * t, g: a.g + (b.g - a.g) * t, b: a.b + (b.b - a.b) * t, a: 1 };
}

export type { Histogram };
