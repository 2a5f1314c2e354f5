/**
 * The reference backpropagation: float64, one sample at a time, written as in Nielsen's
 * `network.py` and not optimised. The batched Float32 trainer (trainer.ts) is compared with it
 * in the tests, and `gradientCheck` uses its cost for central finite differences.
 *
 *   a^0 = x;  z^l = w^l a^{l−1} + b^l;  a^l = σ(z^l)
 *   δ^L = ∇_a C ⊙ σ'(z^L)                 (softmax: δ^L = J_σ(z^L)ᵀ ∇_a C, the full Jacobian)
 *   δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ'(z^l)
 *   ∂C/∂b^l_j = δ^l_j;  ∂C/∂w^l_jk = a^{l−1}_k δ^l_j
 *
 * Layouts: weights[l] is units × inputs row-major (w_jk at [j * inputs + k]), index 0 is layer 1.
 * Deliberately no fused a − y shortcut, so it also checks the trainer's fused output deltas.
 *
 * Dropout: `masks[l]` (one sample's row of layer l's mask, 0 or 1/(1 − p); null: none) multiplies
 * a^l before layer l+1 sees it, and ∂C/∂a^l on the way back. `ReferenceOptimizer` is the float64
 * twin of optimizers.ts, written out on its own (it shares no code with it).
 */
import type { Activation, LossName, NetworkSpec } from '../spec';
import type { WeightsFile } from '../weights';
import { activateLayer, activation } from './activations';
import { cost } from './costs';
import type { OptimizerSettings } from './optimizers';

/** Per layer (index 0 is layer 1), one sample's dropout mask row, or null for none. */
export type ReferenceMasks = readonly (ArrayLike<number> | null)[];

export interface ReferenceLayer {
  inputs: number;
  units: number;
  activation: Activation;
  bias: boolean;
  /** units × inputs, row-major. */
  weights: Float64Array;
  /** units */
  biases: Float64Array;
}

export interface ReferenceBackprop {
  /** ∂C_x/∂b^l, l = 1..L at index l − 1. */
  nablaB: Float64Array[];
  /** ∂C_x/∂w^l, units × inputs. */
  nablaW: Float64Array[];
  /** a^0 … a^L */
  activations: Float64Array[];
  /** z^1 … z^L */
  zs: Float64Array[];
  /** δ^1 … δ^L */
  deltas: Float64Array[];
}

export interface ReferenceSample {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Dropout masks for this sample (training only). */
  masks?: ReferenceMasks;
}

export class ReferenceNetwork {
  constructor(
    readonly layers: ReferenceLayer[],
    readonly loss: LossName,
    /** λ of the (λ/2) Σ w² term. */
    readonly l2: number,
    /** λ₁ of the λ₁ Σ |w| term. */
    readonly l1 = 0,
  ) {}

  /** The network a spec describes, with the given weights (float32 values widened to float64). */
  static fromWeights(spec: Pick<NetworkSpec, 'input' | 'layers' | 'loss' | 'l2' | 'l1'>, weights: WeightsFile): ReferenceNetwork {
    let inputs = spec.input.size;
    const layers = spec.layers.map((layer, l) => {
      const file = weights.layers[l];
      const w = new Float64Array(layer.units * inputs);
      for (let j = 0; j < layer.units; j++) for (let k = 0; k < inputs; k++) w[j * inputs + k] = file.weights[j][k];
      const b = new Float64Array(layer.units);
      if (layer.bias) for (let j = 0; j < layer.units; j++) b[j] = file.biases[j] ?? 0;
      const result: ReferenceLayer = { inputs, units: layer.units, activation: layer.activation, bias: layer.bias, weights: w, biases: b };
      inputs = layer.units;
      return result;
    });
    return new ReferenceNetwork(layers, spec.loss, spec.l2, spec.l1 ?? 0);
  }

  /** a^L for input x (with dropout masks: as a training step sees it). */
  feedforward(x: ArrayLike<number>, masks?: ReferenceMasks): Float64Array {
    let a: Float64Array = Float64Array.from(x);
    this.layers.forEach((layer, l) => {
      a = activateLayer(layer.activation, this.weightedInput(layer, a));
      const mask = masks?.[l];
      if (mask) a = a.map((value, j) => value * mask[j]);
    });
    return a;
  }

  /** C_x for one sample (summed over outputs, no L2). */
  cost(x: ArrayLike<number>, y: ArrayLike<number>, masks?: ReferenceMasks): number {
    const a = this.feedforward(x, masks);
    return cost(this.loss).value(a, y, 0, a.length);
  }

  /** (1/n) Σ_x C_x + (λ/2) Σ w² + λ₁ Σ |w|. */
  meanCost(samples: ReferenceSample[]): number {
    let sum = 0;
    for (const s of samples) sum += this.cost(s.x, s.y, s.masks);
    return sum / samples.length + this.l2Term();
  }

  /** (λ/2) Σ w² + λ₁ Σ |w| over all weights (not biases). */
  l2Term(): number {
    if (this.l2 === 0 && this.l1 === 0) return 0;
    let squares = 0;
    let absolute = 0;
    for (const layer of this.layers) {
      for (const w of layer.weights) {
        squares += w * w;
        absolute += Math.abs(w);
      }
    }
    return (this.l2 / 2) * squares + this.l1 * absolute;
  }

  /** The gradient of C_x for one sample: Nielsen's backprop(x, y) (masks: dropout as in training). */
  backprop(x: ArrayLike<number>, y: ArrayLike<number>, masks?: ReferenceMasks): ReferenceBackprop {
    const L = this.layers.length;
    // feedforward, keeping every z and a
    let a: Float64Array = Float64Array.from(x);
    const activations: Float64Array[] = [a];
    const zs: Float64Array[] = [];
    const unmasked: Float64Array[] = [];
    this.layers.forEach((layer, l) => {
      const z = this.weightedInput(layer, a);
      zs.push(z);
      a = activateLayer(layer.activation, z);
      unmasked.push(a);
      const mask = masks?.[l];
      if (mask) a = a.map((value, j) => value * mask[j]);
      activations.push(a);
    });
    // backward pass
    const deltas: Float64Array[] = new Array(L);
    const nablaB: Float64Array[] = new Array(L);
    const nablaW: Float64Array[] = new Array(L);
    const output = this.layers[L - 1];
    const costFn = cost(this.loss);
    const gradA = new Float64Array(output.units);
    for (let j = 0; j < output.units; j++) gradA[j] = costFn.gradient(activations[L][j], y[j]);
    // δ^L = ∇_a C ⊙ σ'(z^L)
    let delta = this.applyActivationJacobian(output.activation, zs[L - 1], unmasked[L - 1], gradA);
    for (let l = L - 1; l >= 0; l--) {
      const layer = this.layers[l];
      if (l < L - 1) {
        // δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ'(z^l)
        const next = this.layers[l + 1];
        const back = new Float64Array(layer.units);
        for (let k = 0; k < layer.units; k++) {
          let s = 0;
          for (let j = 0; j < next.units; j++) s += next.weights[j * next.inputs + k] * delta[j];
          back[k] = s * (masks?.[l]?.[k] ?? 1); // ∂C/∂a^l through the mask
        }
        delta = this.applyActivationJacobian(layer.activation, zs[l], unmasked[l], back);
      }
      deltas[l] = delta;
      // ∂C/∂b^l_j = δ^l_j ; ∂C/∂w^l_jk = a^{l−1}_k δ^l_j
      nablaB[l] = layer.bias ? Float64Array.from(delta) : new Float64Array(layer.units);
      const nw = new Float64Array(layer.units * layer.inputs);
      const aPrev = activations[l];
      for (let j = 0; j < layer.units; j++) for (let k = 0; k < layer.inputs; k++) nw[j * layer.inputs + k] = aPrev[k] * delta[j];
      nablaW[l] = nw;
    }
    return { nablaB, nablaW, activations, zs, deltas };
  }

  /** Gradient of meanCost(samples): the mean of backprop over the samples, plus λw on the weights. */
  meanGradient(samples: ReferenceSample[]): { loss: number; nablaB: Float64Array[]; nablaW: Float64Array[] } {
    const nablaB = this.layers.map((layer) => new Float64Array(layer.units));
    const nablaW = this.layers.map((layer) => new Float64Array(layer.units * layer.inputs));
    let loss = 0;
    for (const s of samples) {
      const result = this.backprop(s.x, s.y, s.masks);
      const L = this.layers.length;
      loss += cost(this.loss).value(result.activations[L], s.y, 0, s.y.length);
      for (let l = 0; l < L; l++) {
        for (let i = 0; i < nablaB[l].length; i++) nablaB[l][i] += result.nablaB[l][i];
        for (let i = 0; i < nablaW[l].length; i++) nablaW[l][i] += result.nablaW[l][i];
      }
    }
    const n = samples.length;
    this.layers.forEach((layer, l) => {
      for (let i = 0; i < nablaB[l].length; i++) nablaB[l][i] /= n;
      for (let i = 0; i < nablaW[l].length; i++) {
        const w = layer.weights[i];
        nablaW[l][i] = nablaW[l][i] / n + this.l2 * w + this.l1 * Math.sign(w);
      }
    });
    return { loss: loss / n + this.l2Term(), nablaB, nablaW };
  }

  /** One plain gradient-descent step on the samples: w ← w − η ∂C/∂w (no momentum). */
  sgdStep(samples: ReferenceSample[], rate: number): number {
    const { loss, nablaB, nablaW } = this.meanGradient(samples);
    this.layers.forEach((layer, l) => {
      for (let i = 0; i < layer.weights.length; i++) layer.weights[i] -= rate * nablaW[l][i];
      if (layer.bias) for (let j = 0; j < layer.units; j++) layer.biases[j] -= rate * nablaB[l][j];
    });
    return loss;
  }

  private weightedInput(layer: ReferenceLayer, a: Float64Array): Float64Array {
    const z = new Float64Array(layer.units);
    for (let j = 0; j < layer.units; j++) {
      let s = layer.biases[j];
      for (let k = 0; k < layer.inputs; k++) s += layer.weights[j * layer.inputs + k] * a[k];
      z[j] = s;
    }
    return z;
  }

  /** Jᵀ g where J = ∂a/∂z: g ⊙ σ'(z) for element-wise σ, the full softmax Jacobian otherwise. */
  private applyActivationJacobian(name: Activation, z: Float64Array, a: Float64Array, g: Float64Array): Float64Array {
    const out = new Float64Array(z.length);
    if (name === 'softmax') {
      // ∂a_i/∂z_j = a_i (1[i=j] − a_j)
      for (let j = 0; j < z.length; j++) {
        let s = 0;
        for (let i = 0; i < z.length; i++) s += g[i] * a[i] * ((i === j ? 1 : 0) - a[j]);
        out[j] = s;
      }
    } else {
      const fn = activation(name);
      for (let j = 0; j < z.length; j++) out[j] = g[j] * fn.derivative(z[j], a[j]);
    }
    return out;
  }
}

/**
 * The optimizers in float64, each written as torch.optim's documentation states it (the twin of
 * optimizers.ts), for whole-batch steps on a ReferenceNetwork. t counts steps from 1.
 *   sgd      v ← μv − ηg;  w ← w + v  (nesterov: w ← w + μv − ηg)
 *   adam     m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  m̂ = m/(1−β₁ᵗ);  v̂ = v/(1−β₂ᵗ);  w ← w − η m̂/(√v̂ + ε)
 *   rmsprop  v ← ρv + (1−ρ)g²;  w ← w − η g/(√v + ε)
 *   adagrad  G ← G + g²;  w ← w − η g/(√G + ε)
 */
export class ReferenceOptimizer {
  private t = 0;
  /** Per layer: first and second state of the weights, then of the biases. */
  private readonly state: { w1: Float64Array; w2: Float64Array; b1: Float64Array; b2: Float64Array }[];

  constructor(
    readonly net: ReferenceNetwork,
    readonly settings: OptimizerSettings,
  ) {
    this.state = net.layers.map((layer) => ({
      w1: new Float64Array(layer.weights.length),
      w2: new Float64Array(layer.weights.length),
      b1: new Float64Array(layer.units),
      b2: new Float64Array(layer.units),
    }));
  }

  /** One step on the mean gradient of `samples` with the epoch's rate η·d^epoch; returns the loss before it. */
  step(samples: ReferenceSample[], epoch: number): number {
    const { loss, nablaW, nablaB } = this.net.meanGradient(samples);
    this.t++;
    const eta = this.settings.rate * Math.pow(this.settings.decay, epoch);
    this.net.layers.forEach((layer, l) => {
      const s = this.state[l];
      this.apply(layer.weights, nablaW[l], s.w1, s.w2, eta);
      if (layer.bias) this.apply(layer.biases, nablaB[l], s.b1, s.b2, eta);
    });
    return loss;
  }

  private apply(w: Float64Array, g: Float64Array, s1: Float64Array, s2: Float64Array, eta: number): void {
    const { kind, momentum: mu, nesterov, beta1, beta2, rho, epsilon } = this.settings;
    for (let i = 0; i < w.length; i++) {
      if (kind === 'sgd') {
        s1[i] = mu * s1[i] - eta * g[i];
        w[i] += nesterov ? mu * s1[i] - eta * g[i] : s1[i];
      } else if (kind === 'adam') {
        s1[i] = beta1 * s1[i] + (1 - beta1) * g[i];
        s2[i] = beta2 * s2[i] + (1 - beta2) * g[i] * g[i];
        const mHat = s1[i] / (1 - Math.pow(beta1, this.t));
        const vHat = s2[i] / (1 - Math.pow(beta2, this.t));
        w[i] -= (eta * mHat) / (Math.sqrt(vHat) + epsilon);
      } else if (kind === 'rmsprop') {
        s1[i] = rho * s1[i] + (1 - rho) * g[i] * g[i];
        w[i] -= (eta * g[i]) / (Math.sqrt(s1[i]) + epsilon);
      } else {
        s1[i] += g[i] * g[i];
        w[i] -= (eta * g[i]) / (Math.sqrt(s1[i]) + epsilon);
      }
    }
  }
}
