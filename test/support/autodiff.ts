/**
 * A tiny reverse-mode automatic differentiation on float64 scalars, micrograd style: each
 * operation computes its value and, right below, its local backward step (how the output's
 * gradient flows to its inputs). It shares no code with the engine, so it is an independent
 * oracle for the engine's backpropagation: the tests build the same network and cost from these
 * scalars and compare gradients.
 */
import type { Activation, LossName } from '../../src/core/spec';

export class Value {
  grad = 0;
  private backwardStep: () => void = () => {};

  constructor(
    public data: number,
    private readonly children: readonly Value[] = [],
  ) {}

  add(other: Value | number): Value {
    const o = lift(other);
    const out = new Value(this.data + o.data, [this, o]);
    out.backwardStep = () => {
      this.grad += out.grad;
      o.grad += out.grad;
    };
    return out;
  }

  mul(other: Value | number): Value {
    const o = lift(other);
    const out = new Value(this.data * o.data, [this, o]);
    out.backwardStep = () => {
      this.grad += o.data * out.grad;
      o.grad += this.data * out.grad;
    };
    return out;
  }

  neg(): Value {
    return this.mul(-1);
  }

  sub(other: Value | number): Value {
    return this.add(lift(other).neg());
  }

  /** this / other, via other^−1. */
  div(other: Value | number): Value {
    return this.mul(lift(other).reciprocal());
  }

  reciprocal(): Value {
    const out = new Value(1 / this.data, [this]);
    out.backwardStep = () => {
      this.grad += (-1 / (this.data * this.data)) * out.grad;
    };
    return out;
  }

  exp(): Value {
    const out = new Value(Math.exp(this.data), [this]);
    out.backwardStep = () => {
      this.grad += out.data * out.grad;
    };
    return out;
  }

  log(): Value {
    const out = new Value(Math.log(this.data), [this]);
    out.backwardStep = () => {
      this.grad += (1 / this.data) * out.grad;
    };
    return out;
  }

  /** max(0, x), or slope·x below 0. */
  relu(slope = 0): Value {
    const out = new Value(this.data > 0 ? this.data : slope * this.data, [this]);
    out.backwardStep = () => {
      this.grad += (this.data > 0 ? 1 : slope) * out.grad;
    };
    return out;
  }

  /** Gradients of this value with respect to every value it was computed from. */
  backward(): void {
    const order: Value[] = [];
    const seen = new Set<Value>();
    const visit = (v: Value): void => {
      if (seen.has(v)) return;
      seen.add(v);
      for (const child of v.children) visit(child);
      order.push(v);
    };
    visit(this);
    for (const v of order) v.grad = 0;
    this.grad = 1;
    for (let i = order.length - 1; i >= 0; i--) order[i].backwardStep();
  }
}

function lift(x: Value | number): Value {
  return typeof x === 'number' ? new Value(x) : x;
}

function sum(values: Value[]): Value {
  return values.reduce((acc, v) => acc.add(v), new Value(0));
}

/** σ(z) = 1 / (1 + e^−z), composed from the primitives. */
function sigmoid(z: Value): Value {
  return new Value(1).div(z.neg().exp().add(1));
}

/** A layer's activations from its weighted inputs, composed from the primitives. */
function activate(name: Activation, zs: Value[]): Value[] {
  switch (name) {
    case 'identity':
      return zs;
    case 'sigmoid':
      return zs.map(sigmoid);
    case 'tanh':
      // tanh z = 2σ(2z) − 1
      return zs.map((z) => sigmoid(z.mul(2)).mul(2).sub(1));
    case 'relu':
      return zs.map((z) => z.relu());
    case 'leaky_relu':
      return zs.map((z) => z.relu(0.01));
    case 'softmax': {
      // e^{z_j − c} / Σ e^{z_i − c}, with c a constant (the row max) for range only
      const c = Math.max(...zs.map((z) => z.data));
      const es = zs.map((z) => z.sub(c).exp());
      const total = sum(es);
      return es.map((e) => e.div(total));
    }
  }
}

/** C_x for one sample. */
function sampleCost(loss: LossName, a: Value[], y: ArrayLike<number>): Value {
  switch (loss) {
    case 'mse':
      return sum(a.map((aj, j) => aj.sub(y[j]).mul(aj.sub(y[j])))).mul(0.5);
    case 'bce':
      return sum(a.map((aj, j) => aj.log().mul(y[j]).add(new Value(1).sub(aj).log().mul(1 - y[j])))).neg();
    case 'cce':
      return sum(a.map((aj, j) => aj.log().mul(y[j]))).neg();
  }
}

export interface OracleLayer {
  activation: Activation;
  bias: boolean;
  /** units rows of inputs values: w_jk. */
  weights: number[][];
  biases: number[];
}

export interface OracleResult {
  /** C = (1/n) Σ_x C_x + (λ/2) Σ w² */
  cost: number;
  /** ∂C/∂w_jk per layer, [j][k]. */
  dW: number[][][];
  /** ∂C/∂b_j per layer (0 where bias=false). */
  db: number[][];
}

/** The mean cost over the samples and its gradient, by reverse-mode autodiff. */
export function oracleGradient(
  layers: OracleLayer[],
  loss: LossName,
  l2: number,
  samples: { x: ArrayLike<number>; y: ArrayLike<number> }[],
): OracleResult {
  const W = layers.map((layer) => layer.weights.map((row) => row.map((w) => new Value(w))));
  const B = layers.map((layer) => layer.biases.map((b) => new Value(b)));
  const costs = samples.map(({ x, y }) => {
    let a: Value[] = Array.from(x, (v) => new Value(v));
    layers.forEach((layer, l) => {
      const zs = W[l].map((row, j) => {
        const dot = sum(row.map((w, k) => w.mul(a[k])));
        return layer.bias ? dot.add(B[l][j]) : dot;
      });
      a = activate(layer.activation, zs);
    });
    return sampleCost(loss, a, y);
  });
  let total = sum(costs).div(samples.length);
  if (l2 !== 0) total = total.add(sum(W.flat(2).map((w) => w.mul(w))).mul(l2 / 2));
  total.backward();
  return {
    cost: total.data,
    dW: W.map((layer) => layer.map((row) => row.map((w) => w.grad))),
    db: B.map((layer, l) => layer.map((b) => (layers[l].bias ? b.grad : 0))),
  };
}

/**
 * Just the mean cost, for finite differences: the same network and cost as oracleGradient, in
 * plain float64 arithmetic (no graph), written out here so it shares nothing with the engine.
 */
export function oracleCost(
  layers: OracleLayer[],
  loss: LossName,
  l2: number,
  samples: { x: ArrayLike<number>; y: ArrayLike<number> }[],
): number {
  const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
  let total = 0;
  for (const { x, y } of samples) {
    let a: number[] = Array.from(x);
    for (const layer of layers) {
      const zs = layer.weights.map((row, j) => row.reduce((s, w, k) => s + w * a[k], layer.bias ? layer.biases[j] : 0));
      switch (layer.activation) {
        case 'identity':
          a = zs;
          break;
        case 'sigmoid':
          a = zs.map(sigmoid);
          break;
        case 'tanh':
          a = zs.map((z) => 2 * sigmoid(2 * z) - 1);
          break;
        case 'relu':
          a = zs.map((z) => (z > 0 ? z : 0));
          break;
        case 'leaky_relu':
          a = zs.map((z) => (z > 0 ? z : 0.01 * z));
          break;
        case 'softmax': {
          const c = Math.max(...zs);
          const es = zs.map((z) => Math.exp(z - c));
          const sum = es.reduce((s, e) => s + e, 0);
          a = es.map((e) => e / sum);
          break;
        }
      }
    }
    for (let j = 0; j < a.length; j++) {
      if (loss === 'mse') total += 0.5 * (a[j] - y[j]) ** 2;
      else if (loss === 'bce') total -= y[j] * Math.log(a[j]) + (1 - y[j]) * Math.log(1 - a[j]);
      else total -= y[j] * Math.log(a[j]);
    }
  }
  let squares = 0;
  for (const layer of layers) for (const row of layer.weights) for (const w of row) squares += w * w;
  return total / samples.length + (l2 / 2) * squares;
}

/** z^l and a^l of every layer for one input, in plain float64 (the same network as oracleCost). */
export function oracleForward(layers: OracleLayer[], x: ArrayLike<number>): { zs: number[][]; activations: number[][] } {
  const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
  let a: number[] = Array.from(x);
  const zs: number[][] = [];
  const activations: number[][] = [a];
  for (const layer of layers) {
    const z = layer.weights.map((row, j) => row.reduce((s, w, k) => s + w * a[k], layer.bias ? layer.biases[j] : 0));
    switch (layer.activation) {
      case 'identity':
        a = z.slice();
        break;
      case 'sigmoid':
        a = z.map(sigmoid);
        break;
      case 'tanh':
        a = z.map((v) => 2 * sigmoid(2 * v) - 1);
        break;
      case 'relu':
        a = z.map((v) => (v > 0 ? v : 0));
        break;
      case 'leaky_relu':
        a = z.map((v) => (v > 0 ? v : 0.01 * v));
        break;
      case 'softmax': {
        const c = Math.max(...z);
        const es = z.map((v) => Math.exp(v - c));
        const total = es.reduce((s, e) => s + e, 0);
        a = es.map((e) => e / total);
        break;
      }
    }
    zs.push(z);
    activations.push(a);
  }
  return { zs, activations };
}
