/**
 * The benchmark's networks (issue 6). Every engine trains exactly these layers with the same
 * cost, batch size and rate, the rates translated where an engine scales its cost differently
 * (see each engine's file for its equivalence).
 */
import type { Activation, LossName } from '../src/core/spec';

export type NetworkId = 'A' | 'B' | 'C' | 'D';

export interface BenchNetwork {
  id: NetworkId;
  title: string;
  inputs: number;
  /** The dense layers, l = 1 … L. */
  layers: { units: number; activation: Activation }[];
  /** Nielsen's costs: mse C_x = ½‖y − a‖², cce C_x = −Σ y ln a; the batch cost is the mean over samples. */
  loss: LossName;
  /** m: samples per weight update. */
  batch: number;
  /** η in w ← w − η ∂C/∂w, ∂C/∂w the batch mean. */
  rate: number;
  /** 'mnist': 784 inputs, 10 one-hot targets; 'circle': 2 inputs, 1 target in {0, 1}. */
  data: 'mnist' | 'circle';
  /** Weight updates per timed run (same for every engine). */
  updates: number;
}

export const NETWORKS: Record<NetworkId, BenchNetwork> = {
  A: {
    id: 'A',
    title: '784-16-16-10 σ, mse, m=10',
    inputs: 784,
    layers: [
      { units: 16, activation: 'sigmoid' },
      { units: 16, activation: 'sigmoid' },
      { units: 10, activation: 'sigmoid' },
    ],
    loss: 'mse',
    batch: 10,
    rate: 3,
    data: 'mnist',
    updates: 500,
  },
  B: {
    id: 'B',
    title: '784-30-10 σ, mse, m=10, η=3',
    inputs: 784,
    layers: [
      { units: 30, activation: 'sigmoid' },
      { units: 10, activation: 'sigmoid' },
    ],
    loss: 'mse',
    batch: 10,
    rate: 3,
    data: 'mnist',
    updates: 500,
  },
  C: {
    id: 'C',
    title: '784-128-64-10 relu/softmax, cce, m=64',
    inputs: 784,
    layers: [
      { units: 128, activation: 'relu' },
      { units: 64, activation: 'relu' },
      { units: 10, activation: 'softmax' },
    ],
    loss: 'cce',
    batch: 64,
    rate: 0.1,
    data: 'mnist',
    updates: 80,
  },
  D: {
    // Every layer tanh (brain.js has one activation for the whole network), quadratic cost.
    id: 'D',
    title: '2-8-8-1 tanh, mse, m=1 (one Step)',
    inputs: 2,
    layers: [
      { units: 8, activation: 'tanh' },
      { units: 8, activation: 'tanh' },
      { units: 1, activation: 'tanh' },
    ],
    loss: 'mse',
    batch: 1,
    rate: 0.05,
    data: 'circle',
    updates: 4000,
  },
};

/** Weights (not biases): the FLOP count is ≈ 6 × weights per sample (2 each for forward, backward, gradient). */
export function weightCount(net: Pick<BenchNetwork, 'inputs' | 'layers'>): number {
  let count = 0;
  let previous = net.inputs;
  for (const layer of net.layers) {
    count += layer.units * previous;
    previous = layer.units;
  }
  return count;
}

export function parameterCountOf(net: Pick<BenchNetwork, 'inputs' | 'layers'>): number {
  return weightCount(net) + net.layers.reduce((sum, layer) => sum + layer.units, 0);
}

export function outputsOf(net: BenchNetwork): number {
  return net.layers[net.layers.length - 1].units;
}

/** The same network at batch 1, for engines that train one sample per update (brain.js): η/m per sample. */
export function atBatchOne(net: BenchNetwork): BenchNetwork {
  if (net.batch === 1) return net;
  return { ...net, batch: 1, rate: net.rate / net.batch, updates: net.updates * net.batch };
}

/** The network as a .nnspec file (without a data statement: the benchmark passes the data in). */
export function nnspecText(net: BenchNetwork): string {
  const relu = net.layers.some((layer) => layer.activation === 'relu');
  return [
    `network bench-${net.id}`,
    `input ${net.inputs}`,
    ...net.layers.map((layer) => `dense ${layer.units} ${layer.activation}`),
    `loss ${net.loss}`,
    `optimizer sgd rate=${net.rate}`,
    `batch ${net.batch}`,
    'epochs 1000',
    relu ? 'init he' : 'init xavier',
    'seed 1',
    '',
  ].join('\n');
}
