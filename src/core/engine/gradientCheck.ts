/**
 * Gradient checking: the trainer's batched Float32 backpropagation against central finite
 * differences of the float64 reference cost (reference.ts), at the trainer's current weights,
 *   ∂C/∂w ≈ (C(w + ε) − C(w − ε)) / 2ε,
 * on a seeded sample of training samples and parameters. Used by the "Check Gradients" command.
 */
import { Random } from '../random';
import { ReferenceNetwork, type ReferenceSample } from './reference';
import type { Trainer } from './types';

export interface GradientCheckOptions {
  /** Training samples the cost is taken over (default 16, at most the training set). */
  samples?: number;
  /** Weights checked per layer (default 40; all of them when the layer has fewer); plus up to a quarter as many biases. */
  perLayer?: number;
  /** Finite-difference step ε (default 1e-5). */
  epsilon?: number;
  /** Chooses the samples and parameters (default: the spec's seed). */
  seed?: number;
}

export interface GradientCheckLayer {
  /** l, from 1. */
  index: number;
  /** max over checked parameters of |backprop − numeric| / max(|backprop|, |numeric|, 1e-6). */
  maxRelativeError: number;
  maxAbsoluteError: number;
  /** Parameters compared (weights + biases). */
  checked: number;
  /** Where the largest relative error is: ('weight', j, k) or ('bias', j), from 0. */
  worst: { kind: 'weight' | 'bias'; j: number; k?: number; backprop: number; numeric: number } | null;
}

/** Per layer, the largest error between backprop and central finite differences. */
export function gradientCheck(trainer: Trainer, options: GradientCheckOptions = {}): GradientCheckLayer[] {
  const epsilon = options.epsilon ?? 1e-5;
  const perLayer = Math.max(1, options.perLayer ?? 40);
  const random = Random.derive(options.seed ?? trainer.spec.seed, 'gradient-check');
  const train = trainer.data.train;

  const all = Int32Array.from({ length: train.count }, (_, i) => i);
  const count = Math.min(train.count, Math.max(1, options.samples ?? 16));
  const indices = Array.from(random.shuffle(all).subarray(0, count)).sort((a, b) => a - b);
  const samples: ReferenceSample[] = indices.map((i) => ({
    x: train.inputs.subarray(i * train.inputSize, (i + 1) * train.inputSize),
    y: train.targets.subarray(i * train.outputSize, (i + 1) * train.outputSize),
  }));

  const backprop = trainer.gradientOf(indices);
  const reference = ReferenceNetwork.fromWeights(trainer.spec, trainer.getWeights());

  const numeric = (values: Float64Array, i: number): number => {
    const saved = values[i];
    values[i] = saved + epsilon;
    const plus = reference.meanCost(samples);
    values[i] = saved - epsilon;
    const minus = reference.meanCost(samples);
    values[i] = saved;
    return (plus - minus) / (2 * epsilon);
  };

  return reference.layers.map((layer, l) => {
    const result: GradientCheckLayer = { index: l + 1, maxRelativeError: 0, maxAbsoluteError: 0, checked: 0, worst: null };
    const compare = (kind: 'weight' | 'bias', i: number, analytic: number, numerical: number): void => {
      const absolute = Math.abs(analytic - numerical);
      const relative = absolute / Math.max(Math.abs(analytic), Math.abs(numerical), 1e-6);
      result.checked++;
      result.maxAbsoluteError = Math.max(result.maxAbsoluteError, absolute);
      if (relative >= result.maxRelativeError) {
        result.maxRelativeError = relative;
        result.worst =
          kind === 'weight'
            ? { kind, j: Math.floor(i / layer.inputs), k: i % layer.inputs, backprop: analytic, numeric: numerical }
            : { kind, j: i, backprop: analytic, numeric: numerical };
      }
    };
    for (const i of pick(layer.weights.length, perLayer, random)) compare('weight', i, backprop.dW[l][i], numeric(layer.weights, i));
    if (layer.bias) {
      for (const j of pick(layer.units, Math.max(1, Math.ceil(perLayer / 4)), random)) compare('bias', j, backprop.db[l][j], numeric(layer.biases, j));
    }
    return result;
  });
}

/** All of 0 … n−1 when n ≤ limit, else `limit` of them chosen at random (sorted). */
function pick(n: number, limit: number, random: Random): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= limit) return all;
  return random.shuffle(all).slice(0, limit).sort((a, b) => a - b);
}
