/**
 * Input features for 2-input data (TensorFlow Playground's): the `features` statement names
 * which functions of the raw point (x1, x2) the network sees, in the order written, so the input
 * width is the number of features. Each feature's formula and function side by side.
 *
 * The pipeline for one raw sample: (x1, x2) → [f(x1, x2) for f in features] → normalisation
 * (fitted on the training part's feature columns) → a^0. The data set as loaded keeps the raw
 * plane, so decision boundaries and neuron pictures are drawn over (x1, x2).
 */
import type { Dataset } from './data/types';
import type { Normalizer } from './data/prepare';
import { applyNormalizer } from './data/prepare';
import type { FeatureName } from './spec';

export interface FeatureDoc {
  name: FeatureName;
  /** The formula in plain Unicode. */
  formula: string;
  doc: string;
  f(x1: number, x2: number): number;
}

export const FEATURES: readonly FeatureDoc[] = [
  // x1: the first coordinate as it is
  { name: 'x1', formula: 'x₁', doc: 'The first coordinate as it is.', f: (x1) => x1 },
  // x2
  { name: 'x2', formula: 'x₂', doc: 'The second coordinate as it is.', f: (_x1, x2) => x2 },
  // x1^2: circles and ellipses become linear in (x1², x2²)
  { name: 'x1^2', formula: 'x₁²', doc: 'The first coordinate squared: with x2^2, a circle around the origin becomes a straight line.', f: (x1) => x1 * x1 },
  // x2^2
  { name: 'x2^2', formula: 'x₂²', doc: 'The second coordinate squared.', f: (_x1, x2) => x2 * x2 },
  // x1*x2: the quadrants (xor) become linear
  { name: 'x1*x2', formula: 'x₁·x₂', doc: 'The product of the coordinates: its sign tells the quadrants apart (xor in one neuron).', f: (x1, x2) => x1 * x2 },
  // sin(x1): periodic patterns along x1
  { name: 'sin(x1)', formula: 'sin x₁', doc: 'The sine of the first coordinate (radians): periodic patterns along x1.', f: (x1) => Math.sin(x1) },
  // sin(x2)
  { name: 'sin(x2)', formula: 'sin x₂', doc: 'The sine of the second coordinate (radians).', f: (_x1, x2) => Math.sin(x2) },
];

export const featureNames: readonly FeatureName[] = FEATURES.map((f) => f.name);

export function featureDoc(name: string): FeatureDoc | undefined {
  return FEATURES.find((f) => f.name === name);
}

/** A copy of a 2-input data set with its inputs replaced by the features (count × features.length). */
export function applyFeatures(dataset: Dataset, features: readonly FeatureName[]): Dataset {
  if (dataset.inputSize !== 2) throw new Error(`features need 2-input data, ${dataset.name} has ${dataset.inputSize} inputs`);
  const fns = features.map((name) => featureDoc(name)!.f);
  const width = fns.length;
  const inputs = new Float32Array(dataset.count * width);
  for (let i = 0; i < dataset.count; i++) {
    const x1 = dataset.inputs[i * 2];
    const x2 = dataset.inputs[i * 2 + 1];
    for (let k = 0; k < width; k++) inputs[i * width + k] = fns[k](x1, x2);
  }
  return { ...dataset, inputSize: width, inputs, imageShape: undefined };
}

/**
 * a^0 for one raw input, written to `out`: the features (when there are any) then the
 * normalisation. `raw` has 2 values with features, else out.length.
 */
export function encodeInput(features: readonly FeatureName[] | undefined, normalizer: Normalizer, raw: ArrayLike<number>, out: Float32Array): void {
  if (features && features.length > 0) {
    if (raw.length !== 2) throw new Error(`the network's features take 2 raw inputs (x1 x2), got ${raw.length}`);
    features.forEach((name, k) => (out[k] = featureDoc(name)!.f(raw[0], raw[1])));
  } else {
    if (raw.length !== out.length) throw new Error(`the network takes ${out.length} inputs, got ${raw.length}`);
    for (let k = 0; k < out.length; k++) out[k] = raw[k];
  }
  applyNormalizer(normalizer, out);
}

/** How many raw numbers one sample has: 2 with features, else the input width. */
export function rawInputSize(spec: { input: { size: number }; features?: readonly FeatureName[] }): number {
  return spec.features && spec.features.length > 0 ? 2 : spec.input.size;
}
