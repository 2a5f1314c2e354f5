import type { Normalize } from '../spec';
import { Random } from '../random';
import type { Dataset } from './types';

/**
 * Input normalisation fitted on the training part and applied to every input the network
 * sees (training, validation, predict): x ← (x − offset) ⊙ scale, per input column.
 */
export interface Normalizer {
  kind: Normalize;
  offset: Float32Array;
  scale: Float32Array;
}

export interface PreparedData {
  /** The training part, in the data's order (mini-batches are drawn from a reshuffle each epoch), normalised. */
  train: Dataset;
  /** The held-out part (`validation` fraction), normalised with the training statistics; null when 0. */
  validation: Dataset | null;
  normalizer: Normalizer;
  /** The data set as loaded, before the split. */
  source: Dataset;
}

/**
 * Splits off the validation fraction (a seeded random choice of round(count · validation) samples,
 * at least 1 and at most count − 1 when validation > 0; both parts keep the data's order) and
 * normalises inputs with statistics of the training part alone. Does not modify `source`.
 */
export function prepareData(
  source: Dataset,
  options: { validation: number; normalize: Normalize; seed: number },
): PreparedData {
  const order = Array.from({ length: source.count }, (_, i) => i);
  const validationCount = validationCountOf(source.count, options.validation);
  if (validationCount > 0) Random.derive(options.seed, 'validation').shuffle(order);
  const trainIdx = order.slice(0, source.count - validationCount).sort((a, b) => a - b);
  const validIdx = order.slice(source.count - validationCount).sort((a, b) => a - b);
  const train = subset(source, trainIdx, source.name);
  const validation = validationCount > 0 ? subset(source, validIdx, `${source.name} (validation)`) : null;
  const normalizer = fitNormalizer(train, options.normalize);
  applyNormalizer(normalizer, train.inputs);
  if (validation) applyNormalizer(normalizer, validation.inputs);
  return { train, validation, normalizer, source };
}

/** Samples held out: round(count · validation), at least 1 and at most count − 1 when validation > 0. */
export function validationCountOf(count: number, validation: number): number {
  return validation > 0 && count > 1 ? Math.min(count - 1, Math.max(1, Math.round(count * validation))) : 0;
}

export function subset(source: Dataset, indices: number[], name: string): Dataset {
  const { inputSize, outputSize } = source;
  const inputs = new Float32Array(indices.length * inputSize);
  const targets = new Float32Array(indices.length * outputSize);
  indices.forEach((from, to) => {
    inputs.set(source.inputs.subarray(from * inputSize, (from + 1) * inputSize), to * inputSize);
    targets.set(source.targets.subarray(from * outputSize, (from + 1) * outputSize), to * outputSize);
  });
  return { ...source, name, count: indices.length, inputs, targets };
}

export function fitNormalizer(data: Dataset, kind: Normalize): Normalizer {
  const n = data.inputSize;
  const offset = new Float32Array(n);
  const scale = new Float32Array(n).fill(1);
  if (kind === 'none' || data.count === 0) return { kind, offset, scale };
  for (let k = 0; k < n; k++) {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < data.count; i++) {
      const v = data.inputs[i * n + k];
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      sumSq += v * v;
    }
    if (kind === 'minmax') {
      offset[k] = min;
      scale[k] = max > min ? 1 / (max - min) : 1;
    } else {
      const mean = sum / data.count;
      const sd = Math.sqrt(Math.max(0, sumSq / data.count - mean * mean));
      offset[k] = mean;
      scale[k] = sd > 1e-12 ? 1 / sd : 1;
    }
  }
  return { kind, offset, scale };
}

/** In place, on row-major rows of normalizer.offset.length values. */
export function applyNormalizer(normalizer: Normalizer, inputs: Float32Array): void {
  if (normalizer.kind === 'none') return;
  const n = normalizer.offset.length;
  for (let i = 0; i < inputs.length; i++) {
    const k = i % n;
    inputs[i] = (inputs[i] - normalizer.offset[k]) * normalizer.scale[k];
  }
}
