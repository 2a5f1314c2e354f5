/**
 * Fixed-size histograms of a layer's numbers, for the panel's histograms over time (TensorBoard's
 * offset histograms): the distribution of w, of ∂C/∂w and of the update ratio |Δw_jk| / |w_jk| of
 * the last step. Small and bounded whatever the layer's size: at most HISTOGRAM_BINS counts and a range.
 *
 *   bins: [min, max] cut into B equal bins; value v goes to ⌊(v − min) / (max − min) · B⌋ (max into
 *   the last); min = max (all equal): every value in bin 0.
 *   ratios are binned as log10(|Δw| / |w|): they span orders of magnitude; entries with w = 0 or
 *   Δw = 0 have no logarithm and are left out (`skipped` counts them).
 */
export const HISTOGRAM_BINS = 30;

/** Bins for n values: ⌈2√n⌉ within 6 … HISTOGRAM_BINS (a layer of 16 weights gets 8, not 30 mostly empty bins). */
export function binsFor(n: number): number {
  return Math.max(6, Math.min(HISTOGRAM_BINS, Math.ceil(2 * Math.sqrt(n))));
}

export interface Histogram {
  min: number;
  max: number;
  /** B counts, bin i covering [min + i·(max − min)/B, min + (i+1)·(max − min)/B). */
  counts: Float32Array;
  /** Values left out (not finite, or no log10 for ratios). */
  skipped: number;
}

export interface LayerHistograms {
  weights: Histogram;
  gradients: Histogram;
  /** Of log10(|Δw| / |w|). */
  ratios: Histogram;
}

/** The histogram of the finite values of `values` (optionally mapped first: null leaves a value out). */
export function histogram(values: ArrayLike<number>, bins = HISTOGRAM_BINS, map?: (v: number, i: number) => number | null): Histogram {
  let min = Infinity;
  let max = -Infinity;
  let skipped = 0;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = map ? map(values[i], i) : values[i];
    if (v === null || !Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Float32Array(bins);
  if (min > max) return { min: 0, max: 0, counts, skipped: n };
  const scale = max > min ? bins / (max - min) : 0;
  for (let i = 0; i < n; i++) {
    const v = map ? map(values[i], i) : values[i];
    if (v === null || !Number.isFinite(v)) {
      skipped++;
      continue;
    }
    counts[Math.min(bins - 1, Math.floor((v - min) * scale))]++;
  }
  return { min, max, counts, skipped };
}

/** w, ∂C/∂w and log10(|Δw|/|w|) of one layer (weights only, not biases). */
export function layerHistograms(weights: Float32Array, gradients: Float32Array, deltas: Float32Array, bins = binsFor(weights.length)): LayerHistograms {
  return {
    weights: histogram(weights, bins),
    gradients: histogram(gradients, bins),
    ratios: histogram(deltas, bins, (d, i) => {
      const w = weights[i];
      return d === 0 || w === 0 ? null : Math.log10(Math.abs(d) / Math.abs(w));
    }),
  };
}
