/**
 * Cost functions C and their gradients ∇_a C, side by side. With n samples x in the batch:
 *
 *   mse  C = (1/n) Σ_x ½‖y(x) − a^L(x)‖²                         ∂C_x/∂a_j = a_j − y_j
 *   bce  C = −(1/n) Σ_x Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)]   ∂C_x/∂a_j = (a_j − y_j) / (a_j (1 − a_j))
 *   cce  C = −(1/n) Σ_x Σ_j y_j ln a_j                             ∂C_x/∂a_j = −y_j / a_j
 *
 * For the logarithms a is clamped to [ε, 1 − ε] (ε = 1e-7), so a saturated output gives a large
 * but finite cost instead of ∞; the gradient formulas use the same clamped a.
 *
 * The per-sample functions here return C_x (summed over outputs, not averaged): the engine sums
 * over the batch and divides by m once. The (λ/2) Σ w² L2 term is added by the trainer.
 */
import type { Activation, LossName } from '../spec';
import type { ActivationFunction } from './activations';

/** Clamp for the logarithms of bce and cce. */
export const LOG_EPSILON = 1e-7;

function clamp01(a: number): number {
  return a < LOG_EPSILON ? LOG_EPSILON : a > 1 - LOG_EPSILON ? 1 - LOG_EPSILON : a;
}

export interface CostFunction {
  readonly name: LossName;
  /** C_x for one sample: a and y are `units` values from `offset`. */
  value(a: ArrayLike<number>, y: ArrayLike<number>, offset: number, units: number): number;
  /** ∂C_x/∂a_j for one output. */
  gradient(a: number, y: number): number;
}

// mse: C_x = ½ Σ_j (a_j − y_j)²
const mse: CostFunction = {
  name: 'mse',
  value(a, y, offset, units) {
    let sum = 0;
    for (let j = offset; j < offset + units; j++) {
      const e = a[j] - y[j];
      sum += e * e;
    }
    return 0.5 * sum;
  },
  // ∂C_x/∂a_j = a_j − y_j
  gradient: (a, y) => a - y,
};

// bce: C_x = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)]
const bce: CostFunction = {
  name: 'bce',
  value(a, y, offset, units) {
    let sum = 0;
    for (let j = offset; j < offset + units; j++) {
      const ac = clamp01(a[j]);
      sum -= y[j] * Math.log(ac) + (1 - y[j]) * Math.log(1 - ac);
    }
    return sum;
  },
  // ∂C_x/∂a_j = −y_j/a_j + (1 − y_j)/(1 − a_j) = (a_j − y_j) / (a_j (1 − a_j))
  gradient(a, y) {
    const ac = clamp01(a);
    return (ac - y) / (ac * (1 - ac));
  },
};

// cce: C_x = −Σ_j y_j ln a_j
const cce: CostFunction = {
  name: 'cce',
  value(a, y, offset, units) {
    let sum = 0;
    for (let j = offset; j < offset + units; j++) if (y[j] !== 0) sum -= y[j] * Math.log(clamp01(a[j]));
    return sum;
  },
  // ∂C_x/∂a_j = −y_j / a_j
  gradient: (a, y) => -y / clamp01(a),
};

const table: Record<LossName, CostFunction> = { mse, bce, cce };

export function cost(name: LossName): CostFunction {
  const found = table[name];
  if (!found) throw new Error(`unknown cost '${String(name)}'`);
  return found;
}

/**
 * How δ^L = ∇_a C ⊙ σ'(z^L) is computed for a (cost, output activation) pair:
 *  - 'sigmoid-bce': σ'(z) = a(1 − a) cancels the bce gradient's denominator: δ^L = a − y exactly.
 *  - 'softmax-cce': the softmax Jacobian-vector product of −y/a is δ_j = a_j Σ_i y_i − y_j,
 *    which is δ^L = a − y for one-hot (or any sum-to-one) targets.
 *  - 'chain': the general rule, ∇_a C then the activation's backward (full Jacobian for softmax).
 * (identity + mse also gives a − y, through the general rule since σ' = 1.)
 */
export function outputDeltaRule(loss: LossName, output: Activation): 'sigmoid-bce' | 'softmax-cce' | 'chain' {
  if (loss === 'bce' && output === 'sigmoid') return 'sigmoid-bce';
  if (loss === 'cce' && output === 'softmax') return 'softmax-cce';
  return 'chain';
}

/**
 * δ^L for `count` samples (row-major count × units), per sample (not divided by the batch size),
 * written to D; returns Σ_x C_x over these samples. A = a^L, Z = z^L, Y the targets.
 */
export function outputDelta(
  costFn: CostFunction,
  activationFn: ActivationFunction,
  Z: Float32Array,
  A: Float32Array,
  Y: Float32Array,
  D: Float32Array,
  count: number,
  units: number,
): number {
  let total = 0;
  for (let b = 0; b < count; b++) total += costFn.value(A, Y, b * units, units);
  const length = count * units;
  switch (outputDeltaRule(costFn.name, activationFn.name)) {
    case 'sigmoid-bce':
      // δ^L = a − y
      for (let i = 0; i < length; i++) D[i] = A[i] - Y[i];
      break;
    case 'softmax-cce':
      // δ^L_j = a_j Σ_i y_i − y_j
      for (let b = 0; b < count; b++) {
        const o = b * units;
        let sumY = 0;
        for (let i = 0; i < units; i++) sumY += Y[o + i];
        for (let j = 0; j < units; j++) D[o + j] = A[o + j] * sumY - Y[o + j];
      }
      break;
    case 'chain':
      // δ^L = ∇_a C ⊙ σ'(z^L)  (softmax: Jacobian-vector product)
      for (let i = 0; i < length; i++) D[i] = costFn.gradient(A[i], Y[i]);
      activationFn.backward(Z, A, D, count, units);
      break;
  }
  return total;
}
