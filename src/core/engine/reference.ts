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
 */
import type { Activation, LossName, NetworkSpec } from '../spec';
import type { WeightsFile } from '../weights';
import { activateLayer, activation } from './activations';
import { cost } from './costs';

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
}

export class ReferenceNetwork {
  constructor(
    readonly layers: ReferenceLayer[],
    readonly loss: LossName,
    /** λ of the (λ/2) Σ w² term. */
    readonly l2: number,
  ) {}

  /** The network a spec describes, with the given weights (float32 values widened to float64). */
  static fromWeights(spec: Pick<NetworkSpec, 'input' | 'layers' | 'loss' | 'l2'>, weights: WeightsFile): ReferenceNetwork {
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
    return new ReferenceNetwork(layers, spec.loss, spec.l2);
  }

  /** a^L for input x. */
  feedforward(x: ArrayLike<number>): Float64Array {
    let a: Float64Array = Float64Array.from(x);
    for (const layer of this.layers) a = activateLayer(layer.activation, this.weightedInput(layer, a));
    return a;
  }

  /** C_x for one sample (summed over outputs, no L2). */
  cost(x: ArrayLike<number>, y: ArrayLike<number>): number {
    const a = this.feedforward(x);
    return cost(this.loss).value(a, y, 0, a.length);
  }

  /** (1/n) Σ_x C_x + (λ/2) Σ w². */
  meanCost(samples: ReferenceSample[]): number {
    let sum = 0;
    for (const s of samples) sum += this.cost(s.x, s.y);
    return sum / samples.length + this.l2Term();
  }

  /** (λ/2) Σ w² over all weights (not biases). */
  l2Term(): number {
    if (this.l2 === 0) return 0;
    let sum = 0;
    for (const layer of this.layers) for (const w of layer.weights) sum += w * w;
    return (this.l2 / 2) * sum;
  }

  /** The gradient of C_x for one sample: Nielsen's backprop(x, y). */
  backprop(x: ArrayLike<number>, y: ArrayLike<number>): ReferenceBackprop {
    const L = this.layers.length;
    // feedforward, keeping every z and a
    let a: Float64Array = Float64Array.from(x);
    const activations: Float64Array[] = [a];
    const zs: Float64Array[] = [];
    for (const layer of this.layers) {
      const z = this.weightedInput(layer, a);
      zs.push(z);
      a = activateLayer(layer.activation, z);
      activations.push(a);
    }
    // backward pass
    const deltas: Float64Array[] = new Array(L);
    const nablaB: Float64Array[] = new Array(L);
    const nablaW: Float64Array[] = new Array(L);
    const output = this.layers[L - 1];
    const costFn = cost(this.loss);
    const gradA = new Float64Array(output.units);
    for (let j = 0; j < output.units; j++) gradA[j] = costFn.gradient(activations[L][j], y[j]);
    // δ^L = ∇_a C ⊙ σ'(z^L)
    let delta = this.applyActivationJacobian(output.activation, zs[L - 1], activations[L], gradA);
    for (let l = L - 1; l >= 0; l--) {
      const layer = this.layers[l];
      if (l < L - 1) {
        // δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ'(z^l)
        const next = this.layers[l + 1];
        const back = new Float64Array(layer.units);
        for (let k = 0; k < layer.units; k++) {
          let s = 0;
          for (let j = 0; j < next.units; j++) s += next.weights[j * next.inputs + k] * delta[j];
          back[k] = s;
        }
        delta = this.applyActivationJacobian(layer.activation, zs[l], activations[l + 1], back);
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
      const result = this.backprop(s.x, s.y);
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
      for (let i = 0; i < nablaW[l].length; i++) nablaW[l][i] = nablaW[l][i] / n + this.l2 * layer.weights[i];
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
