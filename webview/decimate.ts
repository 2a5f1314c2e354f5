/**
 * Decimation for the loss chart: a run of 100,000 steps is drawn with a few thousand points.
 * Pure (no DOM), so it is unit-tested in Node.
 */

export interface XY {
  x: number;
  y: number;
}

/**
 * Min/max bucketing of ys[from..to) (x of index i is `xOf(i)`): the range is cut into `buckets`
 * equal index ranges and each keeps its lowest and highest finite point, in index order. Spikes
 * survive (a plain stride would drop them). The first and last points are always kept, so the
 * line spans the whole range: at most 2·buckets + 2 points. Ranges no longer than 2·buckets are
 * returned whole. Non-finite values are skipped.
 */
export function minMaxDecimate(ys: ArrayLike<number>, from: number, to: number, buckets: number, xOf: (i: number) => number): XY[] {
  const out: XY[] = [];
  const n = to - from;
  if (n <= 0) return out;
  if (n <= 2 * buckets) {
    for (let i = from; i < to; i++) {
      const y = ys[i];
      if (Number.isFinite(y)) out.push({ x: xOf(i), y });
    }
    return out;
  }
  const size = n / buckets;
  if (Number.isFinite(ys[from])) out.push({ x: xOf(from), y: ys[from] });
  for (let b = 0; b < buckets; b++) {
    const start = from + Math.floor(b * size);
    const end = b === buckets - 1 ? to : from + Math.floor((b + 1) * size);
    let minI = -1;
    let maxI = -1;
    for (let i = start; i < end; i++) {
      const y = ys[i];
      if (!Number.isFinite(y)) continue;
      if (minI < 0 || y < ys[minI]) minI = i;
      if (maxI < 0 || y > ys[maxI]) maxI = i;
    }
    if (minI < 0) continue;
    if (minI === maxI) out.push({ x: xOf(minI), y: ys[minI] });
    else {
      const first = Math.min(minI, maxI);
      const second = Math.max(minI, maxI);
      out.push({ x: xOf(first), y: ys[first] }, { x: xOf(second), y: ys[second] });
    }
  }
  // The ends once each (a bucket may have picked them already).
  if (out.length > 1 && out[1].x === out[0].x) out.splice(1, 1);
  const last = to - 1;
  if (Number.isFinite(ys[last]) && out[out.length - 1]?.x !== xOf(last)) out.push({ x: xOf(last), y: ys[last] });
  return out;
}

/**
 * Mean bucketing for an already smooth series: each of `buckets` index ranges becomes one point
 * at its mean x and mean y (finite values only). Ranges no longer than `buckets` are returned whole.
 */
export function meanDecimate(ys: ArrayLike<number>, from: number, to: number, buckets: number, xOf: (i: number) => number): XY[] {
  const out: XY[] = [];
  const n = to - from;
  if (n <= 0) return out;
  if (n <= buckets) {
    for (let i = from; i < to; i++) {
      const y = ys[i];
      if (Number.isFinite(y)) out.push({ x: xOf(i), y });
    }
    return out;
  }
  const size = n / buckets;
  for (let b = 0; b < buckets; b++) {
    const start = from + Math.floor(b * size);
    const end = b === buckets - 1 ? to : from + Math.floor((b + 1) * size);
    let sumX = 0;
    let sumY = 0;
    let count = 0;
    for (let i = start; i < end; i++) {
      const y = ys[i];
      if (!Number.isFinite(y)) continue;
      sumX += xOf(i);
      sumY += y;
      count++;
    }
    if (count > 0) out.push({ x: sumX / count, y: sumY / count });
  }
  // Keep the newest point exact, so the line ends where training is.
  const last = to - 1;
  if (Number.isFinite(ys[last])) out.push({ x: xOf(last), y: ys[last] });
  return out;
}

/**
 * Debiased exponential moving average (as TensorBoard's smoothing): s_t = β s_{t−1} + (1−β) x_t,
 * reported as s_t / (1 − β^t), so the first values are not pulled towards 0. Non-finite inputs are
 * skipped (the output there is NaN and the average carries on).
 */
export class Ema {
  private sum = 0;
  private weight = 0;

  constructor(readonly beta: number) {}

  push(x: number): number {
    if (!Number.isFinite(x)) return NaN;
    this.sum = this.beta * this.sum + (1 - this.beta) * x;
    this.weight = this.beta * this.weight + (1 - this.beta);
    return this.sum / this.weight;
  }

  reset(): void {
    this.sum = 0;
    this.weight = 0;
  }
}

/** β for a run of `plannedSteps`: an averaging span of about 1% of the run, between 5 and 200 steps. */
export function smoothingBeta(plannedSteps: number): number {
  const span = Math.min(200, Math.max(5, Math.round(plannedSteps / 100)));
  return 1 - 2 / (span + 1);
}
