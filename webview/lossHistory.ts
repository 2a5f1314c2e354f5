/**
 * Everything the loss chart has been told: the batch loss of the steps, its moving average, the
 * per-epoch metrics and the live-edit marks, in bounded memory however long the run. Pure (no DOM).
 *
 * Steps go into buckets of `stride` consecutive steps (bucket b covers steps b·stride + 1 …
 * (b + 1)·stride; stride 1 until CAPACITY buckets are full). Each bucket keeps its lowest and its
 * highest batch loss with the steps they were at, and the mean of the moving average over its
 * steps with their mean step. When the buckets are full, neighbours merge in pairs (min of the
 * minima, max of the maxima, count-weighted means) and the stride doubles: a 10-million-step run
 * holds CAPACITY buckets (1.4 MB), and every spike and dip stays where it was, exactly.
 */
import type { EpochMetrics } from '../src/core/engine/types';
import { thinEpochs } from '../src/core/lossHistory';
import type { HyperMark } from '../src/protocol';
import { Ema, smoothingBeta, type XY } from './decimate';

/** The most epoch metrics kept: beyond, every other one of the older epochs goes (the latest quarter stays complete). */
export const MAX_EPOCHS_KEPT = 4096;
/** The most live-edit marks kept (the latest). */
export const MAX_MARKS_KEPT = 256;

export class LossHistory {
  /** Buckets kept at most: 2^15 (× 44 bytes). */
  static readonly CAPACITY = 1 << 15;
  /** Per bucket: lowest and highest finite loss and their steps (NaN / 0 while the bucket has none). */
  private minY: Float32Array;
  private maxY: Float32Array;
  private minAt: Float64Array;
  private maxAt: Float64Array;
  /** Per bucket: Σ of the moving average and Σ of the steps over its finite steps, and how many. */
  private smoothSum: Float64Array;
  private stepSum: Float64Array;
  private finite: Uint32Array;
  /** Buckets in use (the last may be incomplete: it holds the steps after buckets · stride). */
  private buckets = 0;
  stride = 1;
  private ema = new Ema(smoothingBeta(100));
  /** Steps known: losses of steps 1..length (steps never reported count, with no loss). */
  length = 0;
  epochs: EpochMetrics[] = [];
  marks: HyperMark[] = [];

  constructor(private readonly capacity = LossHistory.CAPACITY) {
    this.minY = new Float32Array(capacity);
    this.maxY = new Float32Array(capacity);
    this.minAt = new Float64Array(capacity);
    this.maxAt = new Float64Array(capacity);
    this.smoothSum = new Float64Array(capacity);
    this.stepSum = new Float64Array(capacity);
    this.finite = new Uint32Array(capacity);
  }

  /** Forget everything; `plannedSteps` (epochs × steps per epoch) sets the smoothing span. */
  reset(plannedSteps: number): void {
    this.length = 0;
    this.buckets = 0;
    this.stride = 1;
    this.lastEma = this.firstLoss = this.lastLoss = undefined;
    this.epochs = [];
    this.marks = [];
    this.ema = new Ema(smoothingBeta(plannedSteps));
  }

  /** Losses of steps lastStep − losses.length + 1 … lastStep. Steps already known are not counted twice. */
  addSteps(losses: ArrayLike<number>, lastStep: number): void {
    const first = lastStep - losses.length + 1;
    for (let i = Math.max(0, this.length + 1 - first); i < losses.length; i++) {
      const step = first + i;
      if (step > this.length + 1) this.skipTo(step - 1); // a gap: nothing known there
      this.push(losses[i]);
    }
  }

  /**
   * Losses as a thinned history carries them (the host's, or a fast run's snapshot): value i
   * stands for the `stride` steps up to lastStep − (n − 1 − i)·stride and is placed at the last of them.
   */
  addThinned(values: ArrayLike<number>, lastStep: number, stride: number): void {
    if (stride <= 1) {
      this.addSteps(values, lastStep);
      return;
    }
    const n = values.length;
    for (let i = 0; i < n; i++) {
      const step = lastStep - (n - 1 - i) * stride;
      if (step <= this.length) continue;
      if (step > this.length + 1) this.skipTo(step - 1);
      this.push(values[i]);
    }
  }

  addEpochs(metrics: readonly EpochMetrics[]): void {
    for (const m of metrics) {
      const last = this.epochs[this.epochs.length - 1];
      if (!last || last.epoch < m.epoch) {
        this.epochs.push(m); // the usual case: the next epoch
        continue;
      }
      const at = this.epochs.findIndex((e) => e.epoch >= m.epoch);
      if (this.epochs[at].epoch === m.epoch) this.epochs[at] = m;
      else this.epochs.splice(at, 0, m);
    }
    this.epochs = thinEpochs(this.epochs, MAX_EPOCHS_KEPT);
  }

  /** Live edits, each once (by step and name), in step order; the latest MAX_MARKS_KEPT. */
  addMarks(marks: readonly HyperMark[] | undefined): void {
    if (!marks || marks.length === 0) return;
    for (const m of marks) {
      if (this.marks.some((k) => k.step === m.step && k.name === m.name)) continue;
      this.marks.push(m);
    }
    this.marks.sort((a, b) => a.step - b.step);
    if (this.marks.length > MAX_MARKS_KEPT) this.marks = this.marks.slice(-MAX_MARKS_KEPT);
  }

  /** The batch loss kept for `step` (every step while stride is 1; after thinning only the kept extremes), else NaN. */
  stepLoss(step: number): number {
    if (step < 1 || step > this.length) return NaN;
    const b = Math.floor((step - 1) / this.stride);
    if (this.minAt[b] === step) return this.minY[b];
    if (this.maxAt[b] === step) return this.maxY[b];
    return NaN;
  }

  /** The moving average at `step` (while stride is 1; after thinning, its bucket's mean), else NaN. */
  smoothedLoss(step: number): number {
    if (step < 1 || step > this.length) return NaN;
    const b = Math.floor((step - 1) / this.stride);
    return this.finite[b] > 0 ? this.smoothSum[b] / this.finite[b] : NaN;
  }

  /**
   * Raw step losses, min/max decimated to at most 2·buckets + 2 points, in step order: the kept
   * buckets in `buckets` groups, each group's lowest and highest point at their own steps; the
   * first and the last kept point always; x = xOf(step).
   */
  rawPoints(buckets: number, xOf: (step: number) => number): XY[] {
    const points: { at: number; y: number }[] = [];
    const n = this.buckets;
    const groups = Math.min(buckets, n);
    const size = n / groups;
    for (let g = 0; g < groups; g++) {
      const start = Math.floor(g * size);
      const end = g === groups - 1 ? n : Math.floor((g + 1) * size);
      let lo = -1;
      let hi = -1;
      for (let b = start; b < end; b++) {
        if (this.finite[b] === 0) continue;
        if (lo < 0 || this.minY[b] < this.minY[lo]) lo = b;
        if (hi < 0 || this.maxY[b] > this.maxY[hi]) hi = b;
      }
      if (lo < 0) continue;
      const a = { at: this.minAt[lo], y: this.minY[lo] };
      const c = { at: this.maxAt[hi], y: this.maxY[hi] };
      if (a.at === c.at) points.push(a);
      else points.push(...(a.at < c.at ? [a, c] : [c, a]));
    }
    // The first and the newest loss, exactly, so the line spans the whole history.
    if (this.firstLoss && (points.length === 0 || points[0].at > this.firstLoss.step)) points.unshift({ at: this.firstLoss.step, y: this.firstLoss.y });
    if (this.lastLoss && points[points.length - 1].at < this.lastLoss.step) points.push({ at: this.lastLoss.step, y: this.lastLoss.y });
    return points.map((p) => ({ x: xOf(p.at), y: p.y }));
  }

  /**
   * The moving average, mean decimated to at most buckets + 1 points: each group of kept buckets
   * at its mean step; when groups average several steps, the newest value exactly at the end.
   */
  smoothedPoints(buckets: number, xOf: (step: number) => number): XY[] {
    const out: XY[] = [];
    const n = this.buckets;
    const groups = Math.min(buckets, n);
    const size = n / groups;
    let lastAt = -Infinity;
    for (let g = 0; g < groups; g++) {
      const start = Math.floor(g * size);
      const end = g === groups - 1 ? n : Math.floor((g + 1) * size);
      let sum = 0;
      let steps = 0;
      let count = 0;
      for (let b = start; b < end; b++) {
        sum += this.smoothSum[b];
        steps += this.stepSum[b];
        count += this.finite[b];
      }
      if (count > 0) {
        lastAt = steps / count;
        out.push({ x: xOf(lastAt), y: Math.fround(sum / count) });
      }
    }
    const averaged = this.stride > 1 || groups < n;
    if (averaged && this.lastEma && this.lastEma.step > lastAt) out.push({ x: xOf(this.lastEma.step), y: this.lastEma.y });
    return out;
  }

  /** Bytes held by the step buckets (flat whatever the run's length), for the memory test. */
  get bytes(): number {
    return [this.minY, this.maxY, this.minAt, this.maxAt, this.smoothSum, this.stepSum, this.finite].reduce((sum, a) => sum + a.byteLength, 0);
  }

  /** Buckets in use (at most CAPACITY). */
  get kept(): number {
    return this.buckets;
  }

  // -------------------------------------------------------------------------

  /** The newest finite moving average, the first and the newest finite batch loss, with their steps. */
  private lastEma: { step: number; y: number } | undefined;
  private firstLoss: { step: number; y: number } | undefined;
  private lastLoss: { step: number; y: number } | undefined;

  /** Steps this.length + 1 … step have no loss: count them, quickly (whole buckets at a time). */
  private skipTo(step: number): void {
    while (this.length < step) {
      const b = Math.floor(this.length / this.stride);
      if (b >= this.capacity) {
        this.compact();
        continue;
      }
      if (b === this.buckets) this.open(b);
      const bucketEnd = (b + 1) * this.stride;
      this.length = Math.min(step, bucketEnd);
    }
  }

  private push(loss: number): void {
    let b = Math.floor(this.length / this.stride);
    if (b >= this.capacity) {
      this.compact();
      b = Math.floor(this.length / this.stride);
    }
    if (b === this.buckets) this.open(b);
    const step = ++this.length;
    const smooth = this.ema.push(loss);
    if (!Number.isFinite(loss)) return;
    if (this.finite[b] === 0 || loss < this.minY[b]) {
      this.minY[b] = loss;
      this.minAt[b] = step;
    }
    if (this.finite[b] === 0 || loss > this.maxY[b]) {
      this.maxY[b] = loss;
      this.maxAt[b] = step;
    }
    this.finite[b]++;
    this.smoothSum[b] += smooth;
    this.stepSum[b] += step;
    this.lastEma = { step, y: smooth };
    const y = Math.fround(loss);
    this.firstLoss ??= { step, y };
    this.lastLoss = { step, y };
  }

  private open(b: number): void {
    this.minY[b] = NaN;
    this.maxY[b] = NaN;
    this.minAt[b] = 0;
    this.maxAt[b] = 0;
    this.smoothSum[b] = 0;
    this.stepSum[b] = 0;
    this.finite[b] = 0;
    this.buckets = b + 1;
  }

  /** Halves the resolution: buckets 2i and 2i + 1 become bucket i; the stride doubles. */
  private compact(): void {
    const half = Math.ceil(this.buckets / 2);
    for (let i = 0; i < half; i++) {
      const a = 2 * i;
      const c = 2 * i + 1;
      const hasC = c < this.buckets && this.finite[c] > 0;
      const hasA = this.finite[a] > 0;
      let minY = this.minY[a], minAt = this.minAt[a], maxY = this.maxY[a], maxAt = this.maxAt[a];
      if (hasC && (!hasA || this.minY[c] < minY)) {
        minY = this.minY[c];
        minAt = this.minAt[c];
      }
      if (hasC && (!hasA || this.maxY[c] > maxY)) {
        maxY = this.maxY[c];
        maxAt = this.maxAt[c];
      }
      const smoothSum = this.smoothSum[a] + (c < this.buckets ? this.smoothSum[c] : 0);
      const stepSum = this.stepSum[a] + (c < this.buckets ? this.stepSum[c] : 0);
      const finite = this.finite[a] + (c < this.buckets ? this.finite[c] : 0);
      this.minY[i] = minY;
      this.minAt[i] = minAt;
      this.maxY[i] = maxY;
      this.maxAt[i] = maxAt;
      this.smoothSum[i] = smoothSum;
      this.stepSum[i] = stepSum;
      this.finite[i] = finite;
    }
    this.buckets = half;
    this.stride *= 2;
  }
}
