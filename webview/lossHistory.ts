/**
 * Everything the loss chart has been told: the batch loss of every step, its moving average and
 * the per-epoch metrics. Pure (no DOM). Step s (from 1) is stored at index s − 1.
 */
import type { EpochMetrics } from '../src/core/engine/types';
import { Ema, meanDecimate, minMaxDecimate, smoothingBeta, type XY } from './decimate';

export class LossHistory {
  private raw = new Float32Array(1024);
  private smooth = new Float32Array(1024);
  private ema = new Ema(smoothingBeta(100));
  /** Steps known: losses of steps 1..length. */
  length = 0;
  epochs: EpochMetrics[] = [];

  /** Forget everything; `plannedSteps` (epochs × steps per epoch) sets the smoothing span. */
  reset(plannedSteps: number): void {
    this.length = 0;
    this.epochs = [];
    this.ema = new Ema(smoothingBeta(plannedSteps));
  }

  /** Losses of steps lastStep − losses.length + 1 … lastStep. Steps already known are not counted twice. */
  addSteps(losses: ArrayLike<number>, lastStep: number): void {
    const first = lastStep - losses.length + 1;
    for (let i = 0; i < losses.length; i++) {
      const step = first + i;
      if (step <= this.length) continue; // already have it (an init's history overlapping a snapshot)
      while (this.length < step - 1) this.push(NaN); // a gap: nothing known there
      this.push(losses[i]);
    }
  }

  addEpochs(metrics: readonly EpochMetrics[]): void {
    for (const m of metrics) {
      const last = this.epochs[this.epochs.length - 1];
      if (last === undefined || last.epoch < m.epoch) {
        this.epochs.push(m); // the usual case: later epochs than any known (no search over a long run's epochs)
        continue;
      }
      const at = this.epochs.findIndex((e) => e.epoch >= m.epoch);
      if (at < 0) this.epochs.push(m);
      else if (this.epochs[at].epoch === m.epoch) this.epochs[at] = m;
      else this.epochs.splice(at, 0, m);
    }
  }

  stepLoss(step: number): number {
    return step >= 1 && step <= this.length ? this.raw[step - 1] : NaN;
  }

  smoothedLoss(step: number): number {
    return step >= 1 && step <= this.length ? this.smooth[step - 1] : NaN;
  }

  /** Raw step losses, min/max decimated to at most 2·buckets + 2 points; x = step or step / stepsPerEpoch. */
  rawPoints(buckets: number, xOf: (step: number) => number): XY[] {
    return minMaxDecimate(this.raw, 0, this.length, buckets, (i) => xOf(i + 1));
  }

  /** The moving average, mean decimated to at most buckets + 1 points. */
  smoothedPoints(buckets: number, xOf: (step: number) => number): XY[] {
    return meanDecimate(this.smooth, 0, this.length, buckets, (i) => xOf(i + 1));
  }

  private push(loss: number): void {
    if (this.length === this.raw.length) {
      const raw = new Float32Array(this.raw.length * 2);
      raw.set(this.raw);
      this.raw = raw;
      const smooth = new Float32Array(this.smooth.length * 2);
      smooth.set(this.smooth);
      this.smooth = smooth;
    }
    this.raw[this.length] = loss;
    this.smooth[this.length] = this.ema.push(loss);
    this.length++;
  }
}
