/**
 * For 2-input data: the network's output over the input plane (Snapshot.boundary, row 0 = yMax)
 * under the training points (SessionInfo.plane), coloured with the heatmaps' diverging scale.
 */
import type { SessionInfo, Snapshot } from '../src/protocol';
import { pack, scaleIndex, toCss, unpack, type Rgba } from './colors';
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

export class BoundaryView {
  readonly root: HTMLElement;
  private canvas: HTMLCanvasElement;
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
    this.canvas.setAttribute('aria-label', 'Decision boundary: the network output over the input plane with the training points');
    this.root.append(header, this.canvas);
    container.append(this.root);
  }

  setData(boundary: Snapshot['boundary']): void {
    if (boundary) this.boundary = boundary;
  }

  draw(p: Palette): void {
    const size = Math.max(160, Math.min(360, this.root.clientWidth - 32));
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
