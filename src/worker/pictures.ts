/**
 * Every neuron's picture (issue 11), computed in the worker with the engine's own forward pass:
 *   plane      2-input data: a^l_j over a grid of the ORIGINAL input plane (x1, x2), each point
 *              through the spec's `features` and the normalisation exactly as predict() takes
 *              it (Trainer.forwardPoints), row 0 at yMax; the output neuron's is the decision
 *              boundary (TensorFlow Playground's per-neuron pictures).
 *   histogram  any other data: a^l_j's histogram over the first HISTOGRAM_SAMPLES training
 *              samples (Trainer.forwardPart), one range per layer so a layer's neurons compare.
 * Image inputs' layer 1 is pictured by its weight tiles in the panel (the layer arrays it already
 * has), so nothing extra comes from here for it beyond the histogram.
 *
 * Bounded: only layers of at most PICTURED_UNITS neurons (the network view draws wider ones as a
 * band), and at most MAX_PICTURE_FLOATS grid values in all (the resolution shrinks to fit).
 */
import type { Trainer } from '../core/engine/types';
import type { NeuronPictures, SessionInfo } from '../protocol';

/** Layers wider than this get no pictures (the network view's MAX_NEURONS: drawn as a band). */
export const PICTURED_UNITS = 64;
/** Grid cells a side of a plane picture, at most. */
export const PICTURE_RESOLUTION = 24;
/** The least resolution the bound may shrink it to. */
export const MIN_PICTURE_RESOLUTION = 8;
/** Every plane picture's values together, at most (4 bytes each: 256 KB). */
export const MAX_PICTURE_FLOATS = 1 << 16;
/** Bins of a histogram picture. */
export const PICTURE_BINS = 16;
/** Training samples a histogram picture counts. */
export const HISTOGRAM_SAMPLES = 512;

/** The grid's resolution for layers of these widths: PICTURE_RESOLUTION, less when the bound needs it. */
export function pictureResolution(units: readonly number[]): number {
  const pictured = units.filter((u) => u <= PICTURED_UNITS).reduce((sum, u) => sum + u, 0);
  if (pictured === 0) return PICTURE_RESOLUTION;
  const fit = Math.floor(Math.sqrt(MAX_PICTURE_FLOATS / pictured));
  return Math.max(MIN_PICTURE_RESOLUTION, Math.min(PICTURE_RESOLUTION, fit));
}

/** The raw input at grid cell (row, col) of a resolution² grid over the plane: the cell's centre. */
export function gridPoint(plane: NonNullable<SessionInfo['plane']>, resolution: number, row: number, col: number): [number, number] {
  return [plane.xMin + ((col + 0.5) / resolution) * (plane.xMax - plane.xMin), plane.yMax - ((row + 0.5) / resolution) * (plane.yMax - plane.yMin)];
}

/** 2-input data: every pictured neuron's activation over the plane (see the file comment). */
export function planePictures(trainer: Trainer, plane: NonNullable<SessionInfo['plane']>, resolution = pictureResolution(trainer.layers.map((l) => l.units))): NeuronPictures {
  const n = resolution;
  const cells = n * n;
  const raw = new Float32Array(cells * 2);
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      const [x1, x2] = gridPoint(plane, n, row, col);
      raw[2 * (row * n + col)] = x1;
      raw[2 * (row * n + col) + 1] = x2;
    }
  }
  const layers = trainer.layers.map((l) => new Float32Array(l.units <= PICTURED_UNITS ? l.units * cells : 0));
  trainer.forwardPoints(raw, cells, (start, m, _zs, activations) => {
    activations.forEach((a, l) => {
      const out = layers[l];
      if (out.length === 0) return;
      const units = trainer.layers[l].units;
      // a is m × units (row b: grid cell start + b); the picture of neuron j is its column
      for (let b = 0; b < m; b++) for (let j = 0; j < units; j++) out[j * cells + start + b] = a[b * units + j];
    });
  });
  return { kind: 'plane', step: trainer.step, resolution: n, layers };
}

/** Any data: every pictured neuron's activation histogram over the first `samples` training samples. */
export function histogramPictures(trainer: Trainer, bins = PICTURE_BINS, samples = HISTOGRAM_SAMPLES): NeuronPictures {
  const count = Math.min(samples, trainer.trainCount);
  // The activations of the pictured layers, kept (count × units each) to find the ranges first.
  const kept = trainer.layers.map((l) => (l.units <= PICTURED_UNITS ? new Float32Array(count * l.units) : new Float32Array(0)));
  trainer.forwardPart(
    'train',
    (start, m, _zs, activations) => {
      activations.forEach((a, l) => {
        if (kept[l].length > 0) kept[l].set(a.subarray(0, m * trainer.layers[l].units), start * trainer.layers[l].units);
      });
    },
    count,
  );
  const layers = kept.map((values, l) => {
    const units = trainer.layers[l].units;
    if (values.length === 0) return { min: 0, max: 0, counts: new Float32Array(0) };
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (!(max > min)) {
      // one value (a dead layer): a range around it, so it lands in the middle bin
      min = (Number.isFinite(min) ? min : 0) - 0.5;
      max = min + 1;
    }
    const counts = new Float32Array(units * bins);
    const width = (max - min) / bins;
    for (let b = 0; b < count; b++) {
      for (let j = 0; j < units; j++) {
        const bin = Math.min(bins - 1, Math.max(0, Math.floor((values[b * units + j] - min) / width)));
        counts[j * bins + bin]++;
      }
    }
    return { min, max, counts };
  });
  return { kind: 'histogram', step: trainer.step, bins, samples: count, layers };
}

/** The pictures for this session's data: over the plane for 2-input data, else histograms. */
export function neuronPictures(trainer: Trainer, info: SessionInfo): NeuronPictures {
  return info.plane ? planePictures(trainer, info.plane) : histogramPictures(trainer);
}

/** The buffers a snapshot moves rather than copies. */
export function pictureBuffers(pictures: NeuronPictures): ArrayBuffer[] {
  return pictures.kind === 'plane' ? pictures.layers.map((a) => a.buffer as ArrayBuffer) : pictures.layers.map((h) => h.counts.buffer as ArrayBuffer);
}
