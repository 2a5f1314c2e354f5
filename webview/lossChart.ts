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

  constructor(canvas: HTMLCanvasElement, palette: Palette) {
    const dataset = (label: string, yAxisID = 'y'): LineDataset => ({ label, data: [], yAxisID, parsing: false, normalized: true } as LineDataset);
    this.chart = new Chart<'line', XY[]>(canvas, {
      type: 'line',
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
    }
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
