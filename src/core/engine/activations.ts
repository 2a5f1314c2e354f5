/**
 * Activation functions σ, each with its derivative right below it.
 *
 * Two forms of each:
 *  - scalar `f(z)` and `derivative(z, a)` (a = f(z), passed because σ' is cheapest from it),
 *    used by the float64 reference (reference.ts) and by hovers;
 *  - batched, in place over row-major m × units Float32Arrays: `forward(Z, A, count, units)` writes
 *    A = σ(Z), and `backward(Z, A, D, count, units)` turns D = ∂C/∂a into δ = ∂C/∂z.
 *
 * For the element-wise activations `backward` is δ = D ⊙ σ'(z). Softmax is not element-wise: its
 * Jacobian ∂a_i/∂z_j = a_i(1[i=j] − a_j) is full, so `backward` applies the Jacobian-vector product
 * row by row: δ_j = Σ_i D_i ∂a_i/∂z_j = a_j (D_j − Σ_i D_i a_i). (For softmax + cce the engine does
 * not go through here: costs.ts gives δ^L directly.)
 */
import type { Activation } from '../spec';

export interface ActivationFunction {
  readonly name: Activation;
  /** Its number in the kernels' element-wise passes (wasm/kernels.ts activate and derive). */
  readonly code: number;
  /** σ(z); for softmax, meaningless alone (use forwardRow). */
  f(z: number): number;
  /** σ'(z), given z and a = σ(z). Softmax: the diagonal term a(1 − a) only. */
  derivative(z: number, a: number): number;
  /** True when σ acts on each unit alone (everything but softmax). */
  readonly elementwise: boolean;
  /** A[i] = σ(Z)[i] for `count` rows of `units` values (row-major). A may be Z. */
  forward(Z: Float32Array, A: Float32Array, count: number, units: number): void;
  /** D ← ∂C/∂z from D = ∂C/∂a, in place, for `count` rows of `units` values. */
  backward(Z: Float32Array, A: Float32Array, D: Float32Array, count: number, units: number): void;
}

/** The leaky ReLU's slope for z < 0. */
export const LEAKY_SLOPE = 0.01;

function elementwise(
  name: Activation,
  code: number,
  f: (z: number) => number,
  derivative: (z: number, a: number) => number,
  forward: ActivationFunction['forward'],
  backward: ActivationFunction['backward'],
): ActivationFunction {
  return { name, code, f, derivative, elementwise: true, forward, backward };
}

// identity (alias linear): σ(z) = z
const identity = elementwise(
  'identity',
  1,
  (z) => z,
  // σ'(z) = 1
  () => 1,
  (Z, A, count, units) => {
    if (A !== Z) A.set(Z.subarray(0, count * units));
  },
  () => {
    /* δ = D · 1 */
  },
);

// sigmoid: σ(z) = 1 / (1 + e^−z)
const sigmoid = elementwise(
  'sigmoid',
  2,
  (z) => 1 / (1 + Math.exp(-z)),
  // σ'(z) = σ(z)(1 − σ(z))
  (_z, a) => a * (1 - a),
  (Z, A, count, units) => {
    const length = count * units;
    for (let i = 0; i < length; i++) A[i] = 1 / (1 + Math.exp(-Z[i]));
  },
  (_Z, A, D, count, units) => {
    const length = count * units;
    for (let i = 0; i < length; i++) {
      const a = A[i];
      D[i] *= a * (1 - a);
    }
  },
);

// tanh: σ(z) = (e^z − e^−z) / (e^z + e^−z)
const tanh = elementwise(
  'tanh',
  3,
  (z) => Math.tanh(z),
  // σ'(z) = 1 − tanh²(z)
  (_z, a) => 1 - a * a,
  (Z, A, count, units) => {
    const length = count * units;
    for (let i = 0; i < length; i++) A[i] = Math.tanh(Z[i]);
  },
  (_Z, A, D, count, units) => {
    const length = count * units;
    for (let i = 0; i < length; i++) {
      const a = A[i];
      D[i] *= 1 - a * a;
    }
  },
);

// relu: σ(z) = max(0, z)
const relu = elementwise(
  'relu',
  4,
  (z) => (z > 0 ? z : 0),
  // σ'(z) = 1 for z > 0, else 0 (0 taken at z = 0)
  (z) => (z > 0 ? 1 : 0),
  (Z, A, count, units) => {
    const length = count * units;
    for (let i = 0; i < length; i++) {
      const z = Z[i];
      A[i] = z > 0 ? z : 0;
    }
  },
  (Z, _A, D, count, units) => {
    const length = count * units;
    for (let i = 0; i < length; i++) if (!(Z[i] > 0)) D[i] = 0;
  },
);

// leaky_relu: σ(z) = z for z > 0, else 0.01 z
const leakyRelu = elementwise(
  'leaky_relu',
  5,
  (z) => (z > 0 ? z : LEAKY_SLOPE * z),
  // σ'(z) = 1 for z > 0, else 0.01
  (z) => (z > 0 ? 1 : LEAKY_SLOPE),
  (Z, A, count, units) => {
    const length = count * units;
    for (let i = 0; i < length; i++) {
      const z = Z[i];
      A[i] = z > 0 ? z : LEAKY_SLOPE * z;
    }
  },
  (Z, _A, D, count, units) => {
    const length = count * units;
    for (let i = 0; i < length; i++) if (!(Z[i] > 0)) D[i] *= LEAKY_SLOPE;
  },
);

/** a_j = e^{z_j − max z} / Σ_i e^{z_i − max z} (shifted by the row's max so exp cannot overflow). */
export function softmaxRow(z: ArrayLike<number>, a: { [i: number]: number }, offset: number, units: number): void {
  let max = -Infinity;
  for (let j = 0; j < units; j++) if (z[offset + j] > max) max = z[offset + j];
  let sum = 0;
  for (let j = 0; j < units; j++) {
    const e = Math.exp(z[offset + j] - max);
    a[offset + j] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let j = 0; j < units; j++) a[offset + j] *= inv;
}

// softmax: a_j = e^{z_j} / Σ_i e^{z_i}
const softmax: ActivationFunction = {
  name: 'softmax',
  code: 6,
  elementwise: false,
  f: () => {
    throw new Error('softmax is defined on a whole layer, not one unit: use softmaxRow');
  },
  // ∂a_j/∂z_j = a_j(1 − a_j); the off-diagonal terms −a_i a_j are applied by backward().
  derivative: (_z, a) => a * (1 - a),
  forward(Z, A, count, units) {
    for (let b = 0; b < count; b++) softmaxRow(Z, A, b * units, units);
  },
  // δ_j = a_j (D_j − Σ_i D_i a_i): the full Jacobian-vector product, row by row.
  backward(_Z, A, D, count, units) {
    for (let b = 0; b < count; b++) {
      const o = b * units;
      let dot = 0;
      for (let i = 0; i < units; i++) dot += D[o + i] * A[o + i];
      for (let j = 0; j < units; j++) D[o + j] = A[o + j] * (D[o + j] - dot);
    }
  },
};

const table: Record<Activation, ActivationFunction> = {
  identity,
  sigmoid,
  tanh,
  relu,
  leaky_relu: leakyRelu,
  softmax,
};

export function activation(name: Activation): ActivationFunction {
  const found = table[name];
  if (!found) throw new Error(`unknown activation '${String(name)}'`);
  return found;
}

/** σ over a whole layer's z in float64 (the reference path): element-wise, or softmax over the row. */
export function activateLayer(name: Activation, z: Float64Array): Float64Array {
  const a = new Float64Array(z.length);
  if (name === 'softmax') softmaxRow(z, a, 0, z.length);
  else {
    const f = table[name].f;
    for (let j = 0; j < z.length; j++) a[j] = f(z[j]);
  }
  return a;
}
