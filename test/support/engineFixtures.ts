/**
 * Building NetworkSpecs and PreparedData directly (without the parser or the loaders), so the
 * engine's tests say exactly which network and data they mean.
 */
import type { Activation, InitSpec, LossName, NetworkSpec, OptimizerSpec, Range } from '../../src/core/spec';
import type { Dataset } from '../../src/core/data/types';
import { prepareData, type PreparedData } from '../../src/core/data/prepare';
import { Random } from '../../src/core/random';
import type { WeightsFile } from '../../src/core/weights';
import type { OracleLayer } from './autodiff';

const NOWHERE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export interface LayerOptions {
  units: number;
  activation: Activation;
  bias?: boolean;
  init?: InitSpec;
  dropout?: number;
}

export function makeSpec(
  inputSize: number,
  layers: LayerOptions[],
  options: Partial<Omit<NetworkSpec, 'input' | 'layers' | 'optimizer'>> & { rate?: number; momentum?: number; decay?: number; optimizer?: Partial<OptimizerSpec> } = {},
): NetworkSpec {
  const init = options.init ?? { kind: 'xavier' };
  return {
    input: { size: inputSize },
    layers: layers.map((layer, i) => ({
      index: i + 1,
      units: layer.units,
      activation: layer.activation,
      bias: layer.bias ?? true,
      init: layer.init ?? init,
      ...(layer.dropout ? { dropout: layer.dropout } : {}),
      range: NOWHERE,
    })),
    loss: options.loss ?? 'mse',
    optimizer: { kind: 'sgd', rate: options.rate ?? 0.1, momentum: options.momentum ?? 0, decay: options.decay ?? 1, ...options.optimizer },
    batch: options.batch ?? 'full',
    epochs: options.epochs ?? 10,
    l2: options.l2 ?? 0,
    ...(options.l1 ? { l1: options.l1 } : {}),
    ...(options.stop ? { stop: options.stop } : {}),
    init,
    seed: options.seed ?? 1,
    validation: options.validation ?? 0,
    normalize: options.normalize ?? 'none',
  };
}

export function makeDataset(
  rows: { x: number[]; y: number[] }[],
  task: Dataset['task'] = 'regression',
  name = 'test',
): Dataset {
  const inputSize = rows[0].x.length;
  const outputSize = rows[0].y.length;
  return {
    name,
    count: rows.length,
    inputSize,
    outputSize,
    inputs: Float32Array.from(rows.flatMap((r) => r.x)),
    targets: Float32Array.from(rows.flatMap((r) => r.y)),
    task,
  };
}

/** The data as the trainer gets it: no validation split, normalisation as the spec says. */
export function prepare(spec: NetworkSpec, dataset: Dataset): PreparedData {
  return prepareData(dataset, { validation: spec.validation, normalize: spec.normalize, seed: spec.seed });
}

/**
 * Random samples whose targets suit the cost: one-hot for cce, 0/1 for bce, values in (0.1, 0.9)
 * for mse (reachable by sigmoid and softmax outputs too).
 */
export function randomSamples(random: Random, count: number, inputSize: number, outputSize: number, loss: LossName): { x: number[]; y: number[] }[] {
  return Array.from({ length: count }, () => {
    const x = Array.from({ length: inputSize }, () => Math.fround(random.uniform(-1.5, 1.5)));
    let y: number[];
    if (loss === 'cce') {
      y = new Array(outputSize).fill(0);
      y[random.int(outputSize)] = 1;
    } else if (loss === 'bce') {
      y = Array.from({ length: outputSize }, () => random.int(2));
    } else {
      y = Array.from({ length: outputSize }, () => Math.fround(random.uniform(0.1, 0.9)));
    }
    return { x, y };
  });
}

/** The trainer's weights as the oracle's layers. */
export function oracleLayers(spec: NetworkSpec, weights: WeightsFile): OracleLayer[] {
  return spec.layers.map((layer, l) => ({
    activation: layer.activation,
    bias: layer.bias,
    weights: weights.layers[l].weights,
    biases: weights.layers[l].biases,
  }));
}

/** |a − b| ≤ abs + rel·max(|a|, |b|) for every element, else a message naming the first miss. */
export function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, abs: number, rel: number): string | null {
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const b = expected[i];
    if (!(Math.abs(a - b) <= abs + rel * Math.max(Math.abs(a), Math.abs(b)))) return `at ${i}: ${a}, expected ${b}`;
  }
  return null;
}
