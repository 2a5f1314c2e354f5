/**
 * For 2-input data: the network's output over the input plane (Snapshot.boundary, row 0 = yMax)
 * under the training points (SessionInfo.plane), coloured with the heatmaps' diverging scale;
 * the axes x₁ (across) and x₂ (up) with their ticks, and a legend of the colours.
 */
import type { SessionInfo, Snapshot } from '../src/protocol';
import { pack, scaleIndex, toCss, unpack, type Rgba } from './colors';
import { tickLabel } from './format';
import type { Palette } from './theme';

type Plane = NonNullable<SessionInfo['plane']>;

/**
 * How an output value maps to −1…1 on the scale: a binary/probability output (0…1) is centred on
 * 0.5, so the boundary (p = 0.5) is the neutral colour; anything else is centred on 0.
 */
function centre(values: Float32Array): { offset: number; limit: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min >= 0 && max <= 1) return { offset: 0.5, limit: 0.5 };
  const limit = Math.max(Math.abs(min), Math.abs(max));
  return { offset: 0, limit: limit > 0 ? limit : 1 };
}

/** The class of training point i: 0/1 for one output (target > 0.5), else the one-hot row's argmax. */
function pointClass(targets: Float32Array, i: number, perPoint: number): number {
  if (perPoint === 1) return targets[i] > 0.5 ? 1 : 0;
  let best = 0;
  for (let c = 1; c < perPoint; c++) if (targets[i * perPoint + c] > targets[i * perPoint + best]) best = c;
  return best;
}

/** Class colours for several outputs: the scale's two ends first, then the theme's other chart colours. */
function classColors(p: Palette): Rgba[] {
  return [unpack(p.scale.lut[0]), unpack(p.scale.lut[p.scale.lut.length - 1]), p.green, p.orange, p.purple, p.yellow];
}

function mixColor(a: Rgba, b: Rgba, t: number): Rgba {
  return { r: a.r + (b.r - a.r) * t, g: a.g + (b.g - a.g) * t, b: a.b + (b.b - a.b) * t, a: 1 };
}

/** Ticks 1, 2 or 5 × 10ⁿ apart inside [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count = 4): number[] {
  const span = max - min;
  if (!(span > 0) || !Number.isFinite(span)) return [min];
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

export class BoundaryView {
  readonly root: HTMLElement;
  private canvas: HTMLCanvasElement;
  private readonly xTicks = document.createElement('div');
  private readonly yTicks = document.createElement('div');
  private readonly legend = document.createElement('div');
  private offscreen = document.createElement('canvas');
  private boundary?: NonNullable<Snapshot['boundary']>;

  constructor(
    container: HTMLElement,
    private readonly plane: Plane,
    /** Output units: 1 → values are the output (centred on 0.5 or 0); more → values are class indices. */
    private readonly outputs: number,
  ) {
    this.root = document.createElement('section');
    this.root.className = 'card boundary-card';
    const header = document.createElement('header');
    const title = document.createElement('h3');
    title.textContent = 'Decision boundary';
    const note = document.createElement('span');
    note.className = 'muted';
    note.textContent = 'output over the input plane \u00b7 training points';
    header.append(title, note);
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'boundary';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', `Decision boundary: the network output over the input plane (x1 from ${plane.xMin} to ${plane.xMax}, x2 from ${plane.yMin} to ${plane.yMax}) with the training points`);
    // [x₂ title][x₂ ticks][plane] / [][][x₁ ticks] / [][][x₁ title]
    const figure = document.createElement('div');
    figure.className = 'plane-figure';
    const yTitle = document.createElement('div');
    yTitle.className = 'axis-title y-title';
    yTitle.textContent = 'x\u2082';
    const xTitle = document.createElement('div');
    xTitle.className = 'axis-title x-title';
    xTitle.textContent = 'x\u2081';
    this.xTicks.className = 'plane-ticks x-ticks';
    this.yTicks.className = 'plane-ticks y-ticks';
    this.fillTicks(this.xTicks, niceTicks(plane.xMin, plane.xMax), plane.xMin, plane.xMax, 'left');
    this.fillTicks(this.yTicks, niceTicks(plane.yMin, plane.yMax), plane.yMin, plane.yMax, 'bottom');
    figure.append(yTitle, this.yTicks, this.canvas, this.xTicks, xTitle);
    this.legend.className = 'boundary-legend muted';
    this.root.append(header, figure, this.legend);
    container.append(this.root);
  }

  /** Tick labels at their place along the axis (percent of the plane's side). */
  private fillTicks(box: HTMLElement, ticks: number[], min: number, max: number, side: 'left' | 'bottom'): void {
    box.replaceChildren(
      ...ticks.map((v) => {
        const t = document.createElement('span');
        t.textContent = tickLabel(v, ticks);
        t.style[side] = `${((v - min) / (max - min)) * 100}%`;
        return t;
      }),
    );
  }

  /** What the colours mean: the points' classes, and the background (the output, or the predicted class). */
  private drawLegend(p: Palette): void {
    const colours = classColors(p);
    const item = (colour: Rgba, text: string, kind: 'dot' | 'patch'): HTMLElement => {
      const span = document.createElement('span');
      span.className = 'legend-item';
      const swatch = document.createElement('span');
      swatch.className = `swatch ${kind}`;
      swatch.style.background = toCss(colour);
      span.append(swatch, text);
      return span;
    };
    const items: (HTMLElement | string)[] = [];
    if (this.outputs > 1) {
      for (let c = 0; c < Math.min(this.outputs, colours.length); c++) items.push(item(colours[c], `class ${c}`, 'dot'));
      items.push('\u00b7 background: the predicted class');
    } else {
      items.push(item(colours[0], 'target 0', 'dot'), item(colours[1], 'target 1', 'dot'));
      items.push('\u00b7 background: the output,');
      items.push(item(unpack(p.scale.lut[0]), 'low', 'patch'), item(p.scale.neutral, '0.5 (the boundary)', 'patch'), item(unpack(p.scale.lut[p.scale.lut.length - 1]), 'high', 'patch'));
    }
    this.legend.replaceChildren(...items);
  }

  setData(boundary: Snapshot['boundary']): void {
    if (boundary) this.boundary = boundary;
  }

  draw(p: Palette): void {
    this.drawLegend(p);
    // Room for the x₂ title and ticks on the left.
    const size = Math.max(140, Math.min(360, this.root.clientWidth - 32 - 48));
    const dpr = window.devicePixelRatio || 1;
    const px = Math.round(size * dpr);
    if (this.canvas.width !== px) {
      this.canvas.width = px;
      this.canvas.height = px;
      this.canvas.style.width = `${size}px`;
      this.canvas.style.height = `${size}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = toCss(p.scale.neutral);
    ctx.fillRect(0, 0, px, px);
    const b = this.boundary;
    if (b) {
      const n = b.resolution;
      if (this.offscreen.width !== n) {
        this.offscreen.width = n;
        this.offscreen.height = n;
      }
      const octx = this.offscreen.getContext('2d');
      if (octx) {
        const image = octx.createImageData(n, n);
        const pixels = new Uint32Array(image.data.buffer);
        if (this.outputs > 1) {
          // The predicted class, in its colour softened towards neutral.
          const classes = classColors(p).map((c) => pack(mixColor(p.scale.neutral, c, 0.45)));
          for (let i = 0; i < n * n; i++) pixels[i] = classes[Math.round(b.values[i]) % classes.length] ?? p.backgroundPixel;
        } else {
          const { offset, limit } = centre(b.values);
          // Softer than the heatmaps, so the points stay readable on top.
          for (let i = 0; i < n * n; i++) pixels[i] = p.scale.lut[scaleIndex((b.values[i] - offset) * 0.6, limit)];
        }
        octx.putImageData(image, 0, 0);
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(this.offscreen, 0, 0, px, px);
      }
    }
    const { xMin, xMax, yMin, yMax, points, targets } = this.plane;
    const count = points.length / 2;
    const perPoint = count > 0 ? Math.max(1, Math.round(targets.length / count)) : 1;
    const r = Math.max(2.5, Math.min(4.5, 900 / Math.max(1, count))) * dpr;
    const outline = toCss(p.contrastBorder ?? p.background);
    const colours = classColors(p).map((c) => toCss(c));
    ctx.lineWidth = 1.25 * dpr;
    for (let i = 0; i < count; i++) {
      const x = ((points[2 * i] - xMin) / (xMax - xMin)) * px;
      const y = ((yMax - points[2 * i + 1]) / (yMax - yMin)) * px;
      ctx.beginPath();
      ctx.arc(x, y, r, 0, Math.PI * 2);
      ctx.fillStyle = colours[pointClass(targets, i, perPoint) % colours.length];
      ctx.fill();
      ctx.strokeStyle = outline;
      ctx.stroke();
    }
  }
}
