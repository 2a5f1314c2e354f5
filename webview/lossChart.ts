/**
 * The loss chart (chart.js, only the parts it uses): per-step batch loss (raw, faint) and its
 * moving average, per-epoch training and validation loss, and accuracy on a second axis for
 * classification. Redrawn at most once a frame by the caller; no animation.
 */
import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
  type ScaleOptionsByType,
} from 'chart.js';
import { toCss } from './colors';
import { minMaxDecimate, type XY } from './decimate';
import { formatNumber, formatPercent, tickLabel } from './format';
import type { LossHistory } from './lossHistory';
import type { Palette } from './theme';
import type { HyperMark } from '../src/protocol';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip);

/** Buckets of the min/max decimation: the raw series never has more than 2 × this + 2 points. */
export const CHART_BUCKETS = 1500;

export type YScale = 'linear' | 'log';
export type XAxis = 'steps' | 'epochs';

export const DATASET = {
  raw: 0,
  smoothed: 1,
  trainEpoch: 2,
  validationEpoch: 3,
  trainAccuracy: 4,
  validationAccuracy: 5,
} as const;

type LineDataset = ChartDataset<'line', XY[]>;

/** A live-edit mark as drawn: its line's pixel, the label shown beside it ('' when none fits). */
export interface DrawnMark {
  text: string;
  x: number;
  label: string;
  /** Where the label's text starts and its width in px (0 without one), and the plot's edges. */
  labelX: number;
  width: number;
  left: number;
  top: number;
  bottom: number;
  right: number;
}

/**
 * The labels a mark can have, longest first: "η 0.5 → 0.1" (its text without "at step …"), then
 * "η 0.1" (the new value alone). The full text is in the tooltip.
 */
export function markLabels(mark: HyperMark): string[] {
  const long = mark.text.replace(/\s+at step\s+[\d,.\s]+$/u, '');
  const arrow = long.lastIndexOf('→');
  const symbol = long.split(' ')[0];
  const short = arrow >= 0 ? `${symbol} ${long.slice(arrow + 1).trim()}` : long;
  return short === long ? [long] : [long, short];
}

/** How near (px) the pointer must be to a mark's line for the tooltip to name it. */
const MARK_HOVER_PX = 8;


/** The style fields of a scale this chart sets (chart.js's option types are all-required here). */
interface ScaleStyle {
  grid?: { color?: string; tickColor?: string };
  border?: { color?: string };
  ticks?: { color?: string; font?: { family: string; size: number } };
  title?: { color?: string; font?: { family: string; size: number } };
}

export class LossChart {
  readonly chart: Chart<'line', XY[]>;
  private scale: YScale = 'linear';
  private axis: XAxis = 'steps';
  private stepsPerEpoch = 1;
  private showAccuracy = false;
  /** The live edits to mark (the history's), and where the last draw put them. */
  private marks: readonly HyperMark[] = [];
  private drawnMarks: DrawnMark[] = [];
  private markStyle = { line: 'gray', text: 'gray', background: 'white', font: '11px sans-serif', dash: [4, 3] };

  constructor(canvas: HTMLCanvasElement, palette: Palette) {
    const dataset = (label: string, yAxisID = 'y'): LineDataset => ({ label, data: [], yAxisID, parsing: false, normalized: true } as LineDataset);
    this.chart = new Chart<'line', XY[]>(canvas, {
      type: 'line',
      // Live edits: a dashed vertical line where the new value starts and a label beside it.
      plugins: [{ id: 'nnspecMarks', afterDatasetsDraw: (chart) => this.drawMarks(chart as Chart<'line', XY[]>) }],
      data: {
        datasets: [
          dataset('Batch loss'),
          dataset('Smoothed'),
          dataset('Train loss (epoch)'),
          dataset('Validation loss'),
          dataset('Train accuracy', 'y1'),
          dataset('Validation accuracy', 'y1'),
        ],
      },
      options: {
        animation: false,
        responsive: true,
        // A narrow panel (a panel beside the editor, ~300 px): the legend goes below the plot in
        // small type, so the plot keeps its height and the axis titles their room.
        onResize: (chart, size) => this.fitWidth(chart as Chart<'line', XY[]>, size.width),
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        spanGaps: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        elements: { point: { radius: 0, hitRadius: 4 }, line: { borderWidth: 1.5 } },
        scales: {
          // Steps and epochs are whole: precision 0 keeps the tick step an integer (no step 0.5).
          x: { type: 'linear', min: 0, title: { display: true, text: 'Step' }, ticks: { maxTicksLimit: 10, precision: 0, callback: (v, _i, ticks) => tickLabel(Number(v), ticks.map((t) => t.value)) } },
          y: {
            type: 'linear',
            title: { display: true, text: 'Loss' },
            ticks: { callback: (v, _i, ticks) => (this.scale === 'log' ? formatNumber(Number(v), 3) : tickLabel(Number(v), ticks.map((t) => t.value))) },
          },
          y1: {
            type: 'linear',
            position: 'right',
            min: 0,
            max: 1,
            display: false,
            title: { display: true, text: 'Accuracy' },
            grid: { drawOnChartArea: false },
            ticks: { callback: (v) => `${Math.round(Number(v) * 100)}%` },
          },
        },
        plugins: {
          legend: {
            position: 'top',
            align: 'end',
            labels: { boxWidth: 14, boxHeight: 2, padding: 12, filter: (item, data) => (data.datasets[item.datasetIndex ?? 0]?.data.length ?? 0) > 0 },
          },
          tooltip: {
            callbacks: {
              title: (items) => (items.length ? `${this.axis === 'steps' ? 'Step' : 'Epoch'} ${formatNumber(items[0].parsed.x ?? 0, 5)}` : ''),
              label: (item) => {
                const y = item.parsed.y ?? NaN;
                const isAccuracy = item.datasetIndex >= DATASET.trainAccuracy;
                return `${item.dataset.label}: ${isAccuracy ? formatPercent(y) : formatNumber(y)}`;
              },
              // Near a live-edit mark: its full text ("η 0.5 → 0.1 at step 1,234").
              footer: (items) => (items.length ? this.marksNear(items[0].element.x).map((m) => m.text) : []),
            },
          },
        },
      },
    });
    this.applyPalette(palette);
  }

  applyPalette(p: Palette): void {
    const c = this.chart;
    const ds = c.data.datasets;
    const line = (d: LineDataset, colour: string, width: number, dash: number[] = [], points = 0): void => {
      d.borderColor = colour;
      d.backgroundColor = colour;
      d.borderWidth = width;
      d.borderDash = dash;
      d.pointRadius = points;
      d.pointHoverRadius = points + 2;
    };
    // The raw batch loss: faint beside its moving average, but legible on a dark background too.
    line(ds[DATASET.raw], toCss(p.blue, p.kind.startsWith('high') ? 0.55 : p.kind === 'dark' ? 0.45 : 0.32), 1);
    line(ds[DATASET.smoothed], toCss(p.blue), 2);
    line(ds[DATASET.trainEpoch], toCss(p.orange), 2, [], 2.5);
    line(ds[DATASET.validationEpoch], toCss(p.purple), 2, [], 2.5);
    line(ds[DATASET.trainAccuracy], toCss(p.green), 1.5, [5, 3]);
    line(ds[DATASET.validationAccuracy], toCss(p.yellow), 1.5, [2, 3]);
    const font = { family: p.fontFamily, size: Math.round(p.fontSize * 0.92) };
    Chart.defaults.font.family = p.fontFamily;
    Chart.defaults.font.size = font.size;
    Chart.defaults.color = toCss(p.muted);
    // The raw configuration (plain objects), not the resolved chart.options proxies.
    const options = c.config.options ?? {};
    for (const id of ['x', 'y', 'y1'] as const) {
      const s = options.scales?.[id] as unknown as ScaleStyle | undefined;
      if (!s) continue;
      s.grid = Object.assign(s.grid ?? {}, { color: toCss(p.grid), tickColor: toCss(p.grid) });
      s.border = Object.assign(s.border ?? {}, { color: toCss(p.contrastBorder ?? p.grid) });
      s.ticks = Object.assign(s.ticks ?? {}, { color: toCss(p.muted), font });
      s.title = Object.assign(s.title ?? {}, { color: toCss(p.muted), font });
    }
    const legend = options.plugins?.legend;
    if (legend?.labels) {
      legend.labels.color = toCss(p.foreground);
      legend.labels.font = font;
    }
    const tooltip = options.plugins?.tooltip;
    if (tooltip) {
      tooltip.backgroundColor = toCss(p.background, 0.96);
      tooltip.titleColor = toCss(p.foreground);
      tooltip.bodyColor = toCss(p.foreground);
      tooltip.borderColor = toCss(p.contrastBorder ?? p.border);
      tooltip.borderWidth = 1;
      tooltip.titleFont = { ...font, weight: 'bold' };
      tooltip.bodyFont = font;
      tooltip.footerColor = toCss(p.foreground);
      tooltip.footerFont = { ...font, weight: 'normal' };
    }
    const contrast = p.kind.startsWith('high');
    this.markStyle = {
      line: toCss(p.foreground, contrast ? 1 : 0.55),
      text: toCss(p.foreground),
      background: toCss(p.card, 0.85),
      // A size smaller than the axes': labels fit between marks on a ~300 px panel.
      font: `${Math.max(9, Math.round(p.fontSize * 0.8))}px ${p.fontFamily}`,
      dash: contrast ? [] : [4, 3],
    };
  }

  /** The marks whose line is within MARK_HOVER_PX of pixel x, as last drawn. */
  marksNear(x: number): DrawnMark[] {
    return this.drawnMarks.filter((m) => Math.abs(m.x - x) <= MARK_HOVER_PX);
  }

  /** Where the last draw put the marks (for tests). */
  markLayout(): DrawnMark[] {
    return this.drawnMarks.map((m) => ({ ...m }));
  }

  /** x of the boundary before step s: the new value starts at step s, so the line sits between s − 1 and s. */
  private markX(step: number): number {
    const s = step - 0.5;
    return this.axis === 'steps' ? s : s / this.stepsPerEpoch;
  }

  /**
   * Each mark as a dashed vertical line over the plot, labelled at the top with the longest of
   * markLabels() that fits before the next mark's line (or the plot's right edge); none when even
   * the shortest does not (a narrow panel, marks close together): the tooltip still names it.
   */
  private drawMarks(chart: Chart<'line', XY[]>): void {
    const area = chart.chartArea;
    const scale = chart.scales.x;
    this.drawnMarks = [];
    if (!area || !scale || this.marks.length === 0) return;
    const ctx = chart.ctx;
    const style = this.markStyle;
    const placed = this.marks
      .map((mark) => ({ mark, x: scale.getPixelForValue(this.markX(mark.step)) }))
      .filter((m) => Number.isFinite(m.x) && m.x >= area.left - 0.5 && m.x <= area.right + 0.5);
    ctx.save();
    ctx.font = style.font;
    ctx.textBaseline = 'top';
    const pad = 3;
    const height = Math.ceil(ctx.measureText('Mg').actualBoundingBoxDescent + ctx.measureText('Mg').actualBoundingBoxAscent) || 12;
    // The right edge of the last label drawn: a label never overlaps the one before it.
    let taken = area.left;
    placed.forEach(({ mark, x }, i) => {
      ctx.strokeStyle = style.line;
      ctx.lineWidth = 1;
      ctx.setLineDash(style.dash);
      ctx.beginPath();
      const px = Math.round(x) + 0.5;
      ctx.moveTo(px, area.top);
      ctx.lineTo(px, area.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      // Right of the line up to the next one, else left of it back to the previous label: the
      // long label on either side, then the short one.
      const right = (i + 1 < placed.length ? placed[i + 1].x : area.right) - px - 2 * pad;
      const left = px - taken - 2 * pad;
      let label = '';
      let labelX = px;
      for (const text of markLabels(mark)) {
        const w = ctx.measureText(text).width;
        if (w <= right) [label, labelX] = [text, px + pad];
        else if (w <= left) [label, labelX] = [text, px - pad - w];
        if (label) break;
      }
      const width = label ? ctx.measureText(label).width : 0;
      if (label) {
        ctx.fillStyle = style.background;
        ctx.fillRect(labelX - pad + 1, area.top + 1, width + 2 * pad - 2, height + 2 * pad - 2);
        ctx.fillStyle = style.text;
        ctx.fillText(label, labelX, area.top + pad);
        taken = Math.max(taken, labelX + width + pad);
      } else {
        taken = Math.max(taken, px);
      }
      this.drawnMarks.push({ text: mark.text, x, label, labelX, width, left: area.left, top: area.top, bottom: area.bottom, right: area.right });
    });
    ctx.restore();
  }

  private narrow: boolean | undefined;

  private fitWidth(chart: Chart<'line', XY[]>, width: number): void {
    const narrow = width < 460;
    if (narrow === this.narrow) return;
    this.narrow = narrow;
    const legend = chart.config.options?.plugins?.legend;
    if (legend) {
      legend.position = narrow ? 'bottom' : 'top';
      legend.align = narrow ? 'start' : 'end';
      if (legend.labels) {
        legend.labels.padding = narrow ? 6 : 12;
        legend.labels.boxWidth = narrow ? 10 : 14;
      }
    }
    const x = chart.config.options?.scales?.x as Partial<ScaleOptionsByType<'linear'>> | undefined;
    if (x?.ticks) x.ticks.maxTicksLimit = narrow ? 5 : 10;
    chart.update('none');
  }

  configure(stepsPerEpoch: number, showAccuracy: boolean): void {
    this.stepsPerEpoch = Math.max(1, stepsPerEpoch);
    this.showAccuracy = showAccuracy;
  }

  setScale(scale: YScale): void {
    this.scale = scale;
    const y = this.chart.config.options?.scales?.y as Partial<ScaleOptionsByType<'linear' | 'logarithmic'>> | undefined;
    if (y) y.type = scale === 'log' ? 'logarithmic' : 'linear';
  }

  setAxis(axis: XAxis): void {
    this.axis = axis;
    const x = this.chart.config.options?.scales?.x as Partial<ScaleOptionsByType<'linear'>> | undefined;
    if (x?.title) x.title.text = axis === 'steps' ? 'Step' : 'Epoch';
  }

  get yScale(): YScale {
    return this.scale;
  }

  get xAxis(): XAxis {
    return this.axis;
  }

  /** Rebuilds the (decimated) series from the history and redraws. */
  update(history: LossHistory): void {
    const spe = this.stepsPerEpoch;
    const xOfStep = this.axis === 'steps' ? (s: number) => s : (s: number) => s / spe;
    const xOfEpoch = this.axis === 'steps' ? (e: number) => (e + 1) * spe : (e: number) => e + 1;
    const positive = this.scale === 'log' ? (p: XY) => p.y > 0 : () => true;
    const ds = this.chart.data.datasets;
    ds[DATASET.raw].data = history.rawPoints(CHART_BUCKETS, xOfStep).filter(positive);
    ds[DATASET.smoothed].data = history.smoothedPoints(CHART_BUCKETS, xOfStep).filter(positive);
    // Min/max decimated like the steps: a long run's thousands of epochs would cost chart.js more than a frame.
    const epochPoints = (pick: (m: (typeof history.epochs)[number]) => number | undefined): XY[] => {
      const epochs = history.epochs;
      const ys = epochs.map((m) => pick(m) ?? NaN);
      return minMaxDecimate(ys, 0, ys.length, CHART_BUCKETS, (i) => xOfEpoch(epochs[i].epoch));
    };
    ds[DATASET.trainEpoch].data = epochPoints((m) => m.train.loss).filter(positive);
    ds[DATASET.validationEpoch].data = epochPoints((m) => m.validation?.loss).filter(positive);
    ds[DATASET.trainAccuracy].data = this.showAccuracy ? epochPoints((m) => m.train.accuracy) : [];
    const y1 = this.chart.config.options?.scales?.y1;
    if (y1) y1.display = ds[DATASET.trainAccuracy].data.length > 0;
    ds[DATASET.validationAccuracy].data = this.showAccuracy ? epochPoints((m) => m.validation?.accuracy) : [];
    // Dense epoch series read better without dots.
    const dots = history.epochs.length <= 60 ? 2.5 : 0;
    ds[DATASET.trainEpoch].pointRadius = dots;
    ds[DATASET.validationEpoch].pointRadius = dots;
    // After a Step or two a line is a dot: draw the dots, or nothing shows.
    ds[DATASET.smoothed].pointRadius = ds[DATASET.smoothed].data.length <= 30 ? 2.5 : 0;
    this.fitLossRange();
    // A mark made while paused is at the next step, past the data: the axis reaches it.
    const x = this.chart.config.options?.scales?.x as Partial<ScaleOptionsByType<'linear'>> | undefined;
    const lastMark = history.marks[history.marks.length - 1];
    if (x) x.suggestedMax = lastMark ? xOfStep(lastMark.step) : undefined;
    if (this.marks.length !== history.marks.length || this.marks !== history.marks) {
      this.marks = history.marks;
      const canvas = this.chart.canvas;
      const base = 'Loss per step and per epoch';
      canvas.setAttribute('aria-label', this.marks.length ? `${base}; live edits: ${this.marks.map((m) => m.text).join('; ')}` : base);
    }
    this.chart.update('none');
  }

  /**
   * Losses that are (nearly) all equal, as after one step (the batch loss and the epoch loss differ
   * only by float32 rounding), would give an axis of identical labels: widen it to ±5 % around them.
   */
  private fitLossRange(): void {
    const y = this.chart.config.options?.scales?.y as Partial<ScaleOptionsByType<'linear' | 'logarithmic'>> | undefined;
    if (!y) return;
    let min = Infinity;
    let max = -Infinity;
    for (const d of this.chart.data.datasets.slice(0, DATASET.trainAccuracy)) {
      for (const p of d.data) {
        if (p.y < min) min = p.y;
        if (p.y > max) max = p.y;
      }
    }
    const flat = Number.isFinite(min) && max - min <= Math.abs(max) * 1e-3;
    if (flat && this.scale === 'log') {
      y.min = min / 1.1;
      y.max = max * 1.1;
    } else if (flat) {
      const pad = Math.abs(max) * 0.05 || 1;
      y.min = min - pad;
      y.max = max + pad;
    } else {
      y.min = undefined;
      y.max = undefined;
    }
  }

  /** What the chart draws, for tests: label and points of every series. */
  series(): { label: string; points: XY[] }[] {
    return this.chart.data.datasets.map((d) => ({ label: String(d.label), points: d.data.map((p) => ({ x: p.x, y: p.y })) }));
  }
}
