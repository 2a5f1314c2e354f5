/**
 * The optimizers: how one step turns the gradient g = ∂C/∂w into a change of the parameters.
 * Each is defined exactly as PyTorch's torch.optim defines it, with its defaults, and its update
 * rule is written above its code. `decay d` applies to all: epoch e (from 0) uses η·d^e.
 *
 * Regularisers come first, on the weights only (never the biases), for every optimizer:
 *   L2   g ← g + λ₂ w            (the cost's (λ₂/2) Σ w²)
 *   L1   g ← g + λ₁ sign(w)      (the cost's λ₁ Σ |w|; sign(0) = 0)
 * and the regularised g is what the gradient views show.
 *
 * Every rule works on one parameter array at a time (a layer's weights, or its biases), in place,
 * in one pass: it keeps the values before the step (w and the state, for Δw and for undoing a
 * diverged step), updates the state, writes the new w and returns Σ w² after the step. That sum
 * is not finite exactly when some new w is not a finite float32 (a float32 squared fits a float64),
 * which is how the trainer learns the step diverged.
 *
 * These loops are the plain JavaScript path; the WebAssembly kernels (wasm/kernels.ts, `optimize`)
 * run the same rules on f32x4 vectors, numbered by `code`. reference.ts has a float64 twin.
 */
import type { OptimizerName, OptimizerSpec } from '../spec';

/** Every hyper-parameter of an optimizer line, defaults filled in. */
export interface OptimizerSettings {
  kind: OptimizerName;
  rate: number;
  decay: number;
  momentum: number;
  nesterov: boolean;
  beta1: number;
  beta2: number;
  rho: number;
  epsilon: number;
}

/** One parameter array and its optimizer state, made once per layer by the trainer. */
export interface ParameterArrays {
  /** The parameters (weights or biases), `count` values. */
  w: Float32Array;
  /** ∂C/∂w of the step (batch mean); the regularisers are added to it in place. */
  g: Float32Array;
  /** w before the last step (written by the step). */
  previous: Float32Array;
  /** The state arrays (`stateNames`), null where the optimizer has fewer. */
  s1: Float32Array | null;
  s2: Float32Array | null;
  /** s1 and s2 before the last step (written by the step). */
  p1: Float32Array | null;
  p2: Float32Array | null;
  /** λ₂ and λ₁ for this array: the spec's for weights, 0 for biases. */
  l2: number;
  l1: number;
}

/** The scalars of one step, filled by the trainer before every step (one object, reused). */
export interface StepScalars {
  /** η·d^e, the epoch's rate; Adam: η·d^e / (1 − β₁^t), its bias-corrected step size. */
  rate: number;
  momentum: number;
  /** 1 for Nesterov, else 0. */
  nesterov: number;
  beta1: number;
  beta2: number;
  /** ρ (rmsprop). */
  rho: number;
  epsilon: number;
  /** Adam: √(1 − β₂^t). */
  correction2: number;
}

export interface Optimizer {
  readonly name: OptimizerName;
  /** The rule's number in the WebAssembly kernels (wasm/kernels.ts `optimize`). */
  readonly code: number;
  /** The update rule, as the docs and the hover of the `optimizer` line show it. */
  readonly formula: string;
  /** torch.optim's defaults (rate included). */
  readonly defaults: Readonly<Omit<OptimizerSettings, 'kind' | 'decay'>>;
  /** The state kept per parameter, in s1, s2 order (sgd without momentum keeps none). */
  stateNames(settings: OptimizerSettings): readonly string[];
  /** Fills the step's scalars; t counts the updates since the state began, from 1. */
  scalars(settings: OptimizerSettings, rate: number, t: number, out: StepScalars): void;
  /** One step over `count` values (see the module comment); returns Σ w² after it. */
  step(p: ParameterArrays, count: number, s: StepScalars): number;
}

const COMMON = { momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, rho: 0.99 };

/** g ← g + λ₂ w + λ₁ sign(w), over the first count values (only called when λ₂ or λ₁ ≠ 0). */
export function regularise(w: Float32Array, g: Float32Array, count: number, l2: number, l1: number): void {
  for (let i = 0; i < count; i++) {
    const x = w[i];
    g[i] += l2 * x + (x > 0 ? l1 : x < 0 ? -l1 : 0);
  }
}

// sgd, torch.optim.SGD(lr=η, momentum=μ, nesterov=…), in NNSpec's velocity form:
//   μ = 0:      w ← w − η g
//   momentum:   v ← μ v − η g;   w ← w + v
//   nesterov:   v ← μ v − η g;   w ← w + μ v − η g
// With a constant η, v = −η·(PyTorch's buffer b ← μ b + g), so both forms give the same w.
const sgd: Optimizer = {
  name: 'sgd',
  code: 0,
  formula: 'v ← μv − η∇C;  w ← w + v  (nesterov: w ← w + μv − η∇C)',
  defaults: { ...COMMON, rate: 0.1, epsilon: 0 },
  stateNames: (settings) => (settings.momentum === 0 ? [] : ['velocity']),
  scalars(settings, rate, _t, out) {
    out.rate = rate;
    out.momentum = settings.momentum;
    out.nesterov = settings.nesterov ? 1 : 0;
  },
  step({ w, g, previous, s1: v, p1: previousV }, count, { rate, momentum, nesterov }) {
    let sum = 0;
    if (v === null || previousV === null) {
      for (let i = 0; i < count; i++) {
        const before = w[i];
        previous[i] = before;
        const after = Math.fround(before - rate * g[i]);
        w[i] = after;
        sum += after * after;
      }
    } else if (nesterov === 0) {
      for (let i = 0; i < count; i++) {
        const before = w[i];
        previous[i] = before;
        previousV[i] = v[i];
        const velocity = Math.fround(momentum * v[i] - rate * g[i]);
        v[i] = velocity;
        const after = Math.fround(before + velocity);
        w[i] = after;
        sum += after * after;
      }
    } else {
      for (let i = 0; i < count; i++) {
        const before = w[i];
        previous[i] = before;
        previousV[i] = v[i];
        const step = rate * g[i];
        const velocity = Math.fround(momentum * v[i] - step);
        v[i] = velocity;
        const after = Math.fround(before + (momentum * velocity - step));
        w[i] = after;
        sum += after * after;
      }
    }
    return sum;
  },
};

// adam, torch.optim.Adam(lr=η, betas=(β₁, β₂), eps=ε), bias-corrected, no amsgrad; t = 1, 2, …:
//   m ← β₁ m + (1 − β₁) g
//   v ← β₂ v + (1 − β₂) g²
//   w ← w − (η / (1 − β₁^t)) · m / (√v / √(1 − β₂^t) + ε)
const adam: Optimizer = {
  name: 'adam',
  code: 1,
  formula: 'm ← β₁m + (1 − β₁)∇C;  v ← β₂v + (1 − β₂)(∇C)²;  w ← w − η/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)',
  defaults: { ...COMMON, rate: 0.001, epsilon: 1e-8 },
  stateNames: () => ['m', 'v'],
  scalars(settings, rate, t, out) {
    out.rate = rate / (1 - Math.pow(settings.beta1, t));
    out.beta1 = settings.beta1;
    out.beta2 = settings.beta2;
    out.epsilon = settings.epsilon;
    out.correction2 = Math.sqrt(1 - Math.pow(settings.beta2, t));
  },
  step({ w, g, previous, s1: m, s2: v, p1: previousM, p2: previousV }, count, { rate, beta1, beta2, epsilon, correction2 }) {
    if (m === null || v === null || previousM === null || previousV === null) throw new Error('internal: adam needs m and v');
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const before = w[i];
      const gi = g[i];
      previous[i] = before;
      previousM[i] = m[i];
      previousV[i] = v[i];
      const mi = Math.fround(beta1 * m[i] + (1 - beta1) * gi);
      const vi = Math.fround(beta2 * v[i] + (1 - beta2) * gi * gi);
      m[i] = mi;
      v[i] = vi;
      const after = Math.fround(before - (rate * mi) / (Math.sqrt(vi) / correction2 + epsilon));
      w[i] = after;
      sum += after * after;
    }
    return sum;
  },
};

// rmsprop, torch.optim.RMSprop(lr=η, alpha=ρ, eps=ε), not centred, no momentum:
//   v ← ρ v + (1 − ρ) g²
//   w ← w − η g / (√v + ε)
const rmsprop: Optimizer = {
  name: 'rmsprop',
  code: 2,
  formula: 'v ← ρv + (1 − ρ)(∇C)²;  w ← w − η∇C / (√v + ε)',
  defaults: { ...COMMON, rate: 0.01, epsilon: 1e-8 },
  stateNames: () => ['v'],
  scalars(settings, rate, _t, out) {
    out.rate = rate;
    out.rho = settings.rho;
    out.epsilon = settings.epsilon;
  },
  step({ w, g, previous, s1: v, p1: previousV }, count, { rate, rho, epsilon }) {
    if (v === null || previousV === null) throw new Error('internal: rmsprop needs v');
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const before = w[i];
      const gi = g[i];
      previous[i] = before;
      previousV[i] = v[i];
      const vi = Math.fround(rho * v[i] + (1 - rho) * gi * gi);
      v[i] = vi;
      const after = Math.fround(before - (rate * gi) / (Math.sqrt(vi) + epsilon));
      w[i] = after;
      sum += after * after;
    }
    return sum;
  },
};

// adagrad, torch.optim.Adagrad(lr=η, eps=ε), accumulator from 0, no lr_decay:
//   G ← G + g²
//   w ← w − η g / (√G + ε)
const adagrad: Optimizer = {
  name: 'adagrad',
  code: 3,
  formula: 'G ← G + (∇C)²;  w ← w − η∇C / (√G + ε)',
  defaults: { ...COMMON, rate: 0.01, epsilon: 1e-10 },
  stateNames: () => ['sum'],
  scalars(settings, rate, _t, out) {
    out.rate = rate;
    out.epsilon = settings.epsilon;
  },
  step({ w, g, previous, s1: G, p1: previousG }, count, { rate, epsilon }) {
    if (G === null || previousG === null) throw new Error('internal: adagrad needs its sum');
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const before = w[i];
      const gi = g[i];
      previous[i] = before;
      previousG[i] = G[i];
      const Gi = Math.fround(G[i] + gi * gi);
      G[i] = Gi;
      const after = Math.fround(before - (rate * gi) / (Math.sqrt(Gi) + epsilon));
      w[i] = after;
      sum += after * after;
    }
    return sum;
  },
};

const OPTIMIZERS: Readonly<Record<OptimizerName, Optimizer>> = Object.freeze({ sgd, adam, rmsprop, adagrad });

export const optimizerNames = Object.keys(OPTIMIZERS) as OptimizerName[];

export function optimizer(name: OptimizerName): Optimizer {
  const found = OPTIMIZERS[name];
  if (!found) throw new Error(`unknown optimizer '${name}'`);
  return found;
}

/** The line's hyper-parameters with torch.optim's defaults for what it leaves out. */
export function optimizerSettings(spec: OptimizerSpec): OptimizerSettings {
  const { defaults } = optimizer(spec.kind);
  return {
    kind: spec.kind,
    rate: spec.rate,
    decay: spec.decay,
    momentum: spec.kind === 'sgd' ? spec.momentum : 0,
    nesterov: spec.kind === 'sgd' && spec.nesterov === true && spec.momentum > 0,
    beta1: spec.beta1 ?? defaults.beta1,
    beta2: spec.beta2 ?? defaults.beta2,
    rho: spec.rho ?? defaults.rho,
    epsilon: spec.epsilon ?? defaults.epsilon,
  };
}

const BY_CODE: readonly Optimizer[] = [sgd, adam, rmsprop, adagrad];

/** The whole step of rule `code` in JavaScript: the regularisers on g, then the rule (the kernels' `optimize` contract). */
export function optimizeJs(code: number, p: ParameterArrays, count: number, s: StepScalars): number {
  if (p.l2 !== 0 || p.l1 !== 0) regularise(p.w, p.g, count, p.l2, p.l1);
  return BY_CODE[code].step(p, count, s);
}

export function emptyScalars(): StepScalars {
  return { rate: 0, momentum: 0, nesterov: 0, beta1: 0, beta2: 0, rho: 0, epsilon: 0, correction2: 1 };
}
