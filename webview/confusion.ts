/**
 * The live confusion matrix (Snapshot.confusion): rows i = actual class, columns j = predicted,
 * cell N_ij drawn on a canvas with its count. A cell's strength is its share of its row (recall
 * on the diagonal, the confusions off it): the diagonal in the theme's blue, mistakes in its red,
 * 0 the card's colour. Counts are written in the cells while they are large enough to read.
 */
import type { Snapshot } from '../src/protocol';
import { luminance, toCss, type Rgba } from './colors';
import { el } from './dom';
import { formatPercent } from './format';
import type { Palette } from './theme';

type Confusion = NonNullable<Snapshot['confusion']>;

/** Cell size limits in CSS pixels. */
const MIN_CELL = 14;
const MAX_CELL = 40;
/** Counts are written in cells at least this big. */
const LABELLED_CELL = 20;

export class ConfusionView {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly note: HTMLElement;
  private data: Confusion | undefined;
  /** Where the cells were drawn (CSS pixels of the canvas). */
  private layout = { left: 0, top: 0, cell: 0 };

  constructor() {
    this.root = el('section', 'card confusion-card');
    const header = el('header');
    this.note = el('span', 'muted');
    header.append(el('h2', undefined, 'Confusion matrix'), this.note);
    this.canvas = el('canvas');
    this.canvas.setAttribute('role', 'img');
    this.root.append(header, this.canvas);
    this.root.hidden = true;
  }

  /** The latest matrix (undefined: keep the one shown). */
  setData(confusion: Confusion | undefined): void {
    if (confusion) this.data = confusion;
  }

  clear(): void {
    this.data = undefined;
  }

  /** Share of samples on the diagonal. */
  accuracy(): number | undefined {
    const d = this.data;
    if (!d) return undefined;
    let total = 0;
    let correct = 0;
    for (let i = 0; i < d.classes; i++) for (let j = 0; j < d.classes; j++) {
      total += d.counts[i * d.classes + j];
      if (i === j) correct += d.counts[i * d.classes + j];
    }
    return total > 0 ? correct / total : undefined;
  }

  /** The centre of cell (i, j) in the canvas's CSS pixels (for the tests' pixel checks). */
  cellCentre(i: number, j: number): { x: number; y: number } {
    const { left, top, cell } = this.layout;
    return { x: left + (j + 0.5) * cell, y: top + (i + 0.5) * cell };
  }

  draw(p: Palette): void {
    const d = this.data;
    this.root.hidden = d === undefined;
    if (!d) return;
    const K = d.classes;
    const names = Array.from({ length: K }, (_, i) => d.names?.[i] ?? String(i));
    const accuracy = this.accuracy();
    this.note.textContent = `${d.part === 'validation' ? 'validation part' : 'training part'} · step ${d.step}${accuracy !== undefined ? ` · ${formatPercent(accuracy)} on the diagonal` : ''}`;

    const font = `${Math.round(p.fontSize * 0.85)}px ${p.fontFamily}`;
    const measure = this.canvas.getContext('2d') as CanvasRenderingContext2D;
    measure.font = font;
    const labelWidth = Math.ceil(Math.max(...names.map((n) => measure.measureText(n).width))) + 8;
    const available = Math.max(120, (this.root.clientWidth || 320) - 24);
    const cell = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor((available - labelWidth - 18) / K)));
    const line = Math.round(p.fontSize * 1.3);
    // layout: "predicted" title and column labels on top, "actual" down the left, then the row labels
    const top = 2 * line;
    const left = line + labelWidth;
    const width = left + K * cell + 2;
    const height = top + K * cell + 2;
    this.layout = { left, top, cell };
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    const g = this.canvas.getContext('2d') as CanvasRenderingContext2D;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    g.font = font;
    g.textBaseline = 'middle';

    g.fillStyle = toCss(p.muted);
    g.textAlign = 'center';
    g.fillText('predicted', left + (K * cell) / 2, line / 2);
    g.save();
    g.translate(line / 2, top + (K * cell) / 2);
    g.rotate(-Math.PI / 2);
    g.fillText('actual', 0, 0);
    g.restore();
    g.fillStyle = toCss(p.foreground);
    for (let j = 0; j < K; j++) if (cell >= MIN_CELL) g.fillText(clip(names[j], cell), left + (j + 0.5) * cell, line * 1.5);
    g.textAlign = 'right';
    for (let i = 0; i < K; i++) g.fillText(names[i], left - 6, top + (i + 0.5) * cell);

    g.textAlign = 'center';
    let summary = '';
    for (let i = 0; i < K; i++) {
      let row = 0;
      for (let j = 0; j < K; j++) row += d.counts[i * K + j];
      for (let j = 0; j < K; j++) {
        const n = d.counts[i * K + j];
        const share = row > 0 ? n / row : 0;
        const colour = mix(p.card, i === j ? p.blue : p.red, n === 0 ? 0 : 0.12 + 0.88 * share);
        g.fillStyle = toCss(colour);
        g.fillRect(left + j * cell + 1, top + i * cell + 1, cell - 2, cell - 2);
        if (p.contrastBorder) {
          g.strokeStyle = toCss(p.contrastBorder);
          g.strokeRect(left + j * cell + 0.5, top + i * cell + 0.5, cell - 1, cell - 1);
        }
        if (cell >= LABELLED_CELL && n > 0) {
          g.fillStyle = luminance(colour) > 0.45 ? '#000000' : '#ffffff';
          g.fillText(compact(n), left + (j + 0.5) * cell, top + (i + 0.5) * cell);
        }
      }
      summary += ` ${names[i]}: ${d.counts[i * K + i]} of ${row} right;`;
    }
    this.canvas.setAttribute('aria-label', `Confusion matrix, rows actual class, columns predicted class.${summary}`);
  }
}

function mix(a: Rgba, b: Rgba, t: number): Rgba {
  return { r: a.r + (b.r - a.r) * t, g: a.g + (b.g - a.g) * t, b: a.b + (b.b - a.b) * t, a: 1 };
}

/** 1234 → "1.2k": counts must fit a cell. */
function compact(n: number): string {
  return n < 1000 ? String(n) : n < 1e6 ? `${Number((n / 1000).toPrecision(2))}k` : `${Number((n / 1e6).toPrecision(2))}M`;
}

/** A column label cut to about what a cell holds. */
function clip(text: string, cell: number): string {
  const chars = Math.max(1, Math.floor(cell / 7));
  return text.length <= chars ? text : text.slice(0, Math.max(1, chars - 1)) + '…';
}
