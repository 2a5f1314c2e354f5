/**
 * Every optimizer, with and without L2, L1 and decay, on random networks with `batch full`: the
 * trainer's weights after a few epochs (plain JavaScript kernels and WebAssembly SIMD) equal
 * torch.optim's (Debian's python3-torch at /usr/bin/python3, test/support/torch_optim.py) and the
 * float64 twin in reference.ts (ReferenceOptimizer), within float32 tolerance.
 *
 * PyTorch's SGD keeps b ← μb + g and steps −η·b; NNSpec keeps v = −η·b. The two agree while η is
 * constant, so SGD with momentum and decay < 1 is compared with the float64 twin only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTrainer } from '../../src/core/engine/trainer';
import { jsKernels } from '../../src/core/engine/jsKernels';
import { wasmKernels } from '../../src/core/engine/wasmKernels';
import { optimizerSettings } from '../../src/core/engine/optimizers';
import { ReferenceNetwork, ReferenceOptimizer, type ReferenceSample } from '../../src/core/engine/reference';
import type { Activation, LossName, NetworkSpec, OptimizerSpec } from '../../src/core/spec';
import type { WeightsFile } from '../../src/core/weights';
import { Random } from '../../src/core/random';
import { makeDataset, makeSpec, prepare, randomSamples } from '../support/engineFixtures';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, '..', 'support', 'torch_optim.py');
const EPOCHS = 6;

interface Case {
  name: string;
  optimizer: Partial<OptimizerSpec> & { kind: OptimizerSpec['kind'] };
  l2: number;
  l1: number;
  decay: number;
  /** false: PyTorch's form differs (momentum with a decaying rate) */
  torch: boolean;
  spec: NetworkSpec;
  samples: { x: number[]; y: number[] }[];
}

const OPTIMIZERS: { name: string; optimizer: Case['optimizer'] }[] = [
  { name: 'sgd', optimizer: { kind: 'sgd', rate: 0.3 } },
  { name: 'sgd momentum=0.9', optimizer: { kind: 'sgd', rate: 0.1, momentum: 0.9 } },
  { name: 'sgd momentum=0.8 nesterov', optimizer: { kind: 'sgd', rate: 0.1, momentum: 0.8, nesterov: true } },
  { name: 'adam', optimizer: { kind: 'adam', rate: 0.01 } },
  { name: 'adam beta1=0.8 beta2=0.99 epsilon=1e-6', optimizer: { kind: 'adam', rate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 } },
  { name: 'rmsprop', optimizer: { kind: 'rmsprop', rate: 0.01 } },
  { name: 'rmsprop rho=0.9', optimizer: { kind: 'rmsprop', rate: 0.005, rho: 0.9 } },
  { name: 'adagrad', optimizer: { kind: 'adagrad', rate: 0.05 } },
];
const REGULARISERS = [
  { name: 'plain', l2: 0, l1: 0, decay: 1 },
  { name: 'l2', l2: 0.01, l1: 0, decay: 1 },
  { name: 'l1', l2: 0, l1: 0.003, decay: 1 },
  { name: 'decay', l2: 0, l1: 0, decay: 0.8 },
  { name: 'l2 + l1 + decay', l2: 0.005, l1: 0.002, decay: 0.9 },
];
const NETWORKS: { inputs: number; layers: { units: number; activation: Activation }[]; loss: LossName }[] = [
  { inputs: 3, layers: [{ units: 5, activation: 'tanh' }, { units: 2, activation: 'sigmoid' }], loss: 'mse' },
  { inputs: 4, layers: [{ units: 6, activation: 'relu' }, { units: 5, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'cce' },
];

function makeCases(): Case[] {
  const cases: Case[] = [];
  let seed = 11;
  for (const o of OPTIMIZERS) {
    for (const r of REGULARISERS) {
      const net = NETWORKS[seed % NETWORKS.length];
      seed++;
      const spec = makeSpec(net.inputs, net.layers, {
        loss: net.loss,
        seed,
        init: { kind: 'normal' },
        batch: 'full',
        epochs: EPOCHS,
        l2: r.l2,
        l1: r.l1,
        optimizer: { ...o.optimizer, decay: r.decay },
      });
      const samples = randomSamples(new Random(seed * 7), 12, net.inputs, net.layers[net.layers.length - 1].units, net.loss);
      const momentum = (o.optimizer.momentum ?? 0) > 0;
      cases.push({ name: `${o.name}, ${r.name}`, optimizer: o.optimizer, l2: r.l2, l1: r.l1, decay: r.decay, torch: !(momentum && r.decay !== 1), spec, samples });
    }
  }
  return cases;
}

const CASES = makeCases();

/** The initial weights (the trainer's seeded ones) and the weights after EPOCHS epochs, per backend. */
function trainAll(c: Case) {
  const data = prepare(c.spec, makeDataset(c.samples, c.spec.loss === 'cce' ? 'classification' : 'regression'));
  const js = createTrainer(c.spec, data, { kernels: jsKernels() });
  const wasm = createTrainer(c.spec, data, { kernels: wasmKernels()! });
  const initial = js.getWeights();
  for (let e = 0; e < EPOCHS; e++) {
    js.stepEpoch();
    wasm.stepEpoch();
  }
  // The exact float32 inputs and targets the trainer saw.
  const train = data.train;
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < train.count; i++) {
    x.push(Array.from(train.inputs.subarray(i * train.inputSize, (i + 1) * train.inputSize)));
    y.push(Array.from(train.targets.subarray(i * train.outputSize, (i + 1) * train.outputSize)));
  }
  return { initial, js: js.getWeights(), wasm: wasm.getWeights(), x, y, optimizerState: js.getOptimizerState() };
}

function reference(c: Case, initial: WeightsFile, x: number[][], y: number[][]): WeightsFile {
  const net = ReferenceNetwork.fromWeights(c.spec, initial);
  const opt = new ReferenceOptimizer(net, optimizerSettings(c.spec.optimizer));
  const samples: ReferenceSample[] = x.map((xi, i) => ({ x: xi, y: y[i] }));
  for (let e = 0; e < EPOCHS; e++) opt.step(samples, e);
  return {
    format: 'nnspec-weights',
    version: 1,
    layers: net.layers.map((layer) => ({
      weights: Array.from({ length: layer.units }, (_, j) => Array.from(layer.weights.subarray(j * layer.inputs, (j + 1) * layer.inputs))),
      biases: Array.from(layer.biases),
    })),
  };
}

/** Largest |a − b| / max(|b|, 0.01) over every weight and bias (relative, floored for weights near 0). */
function maxRelative(actual: WeightsFile, expected: WeightsFile): number {
  let worst = 0;
  actual.layers.forEach((layer, l) => {
    const other = expected.layers[l];
    const pairs: [number, number][] = [
      ...layer.weights.flatMap((row, j) => row.map((w, k): [number, number] => [w, other.weights[j][k]])),
      ...layer.biases.map((b, j): [number, number] => [b, other.biases[j]]),
    ];
    for (const [a, b] of pairs) worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(b), 0.01));
  });
  return worst;
}

const TOLERANCE = 2e-4;

describe('optimizers: the trainer equals torch.optim and a float64 twin (batch full, random networks)', () => {
  let trained: ReturnType<typeof trainAll>[];
  let torch: WeightsFile[];
  const figures: Record<string, { torch?: number; float64: number; wasm: number }> = {};

  beforeAll(() => {
    trained = CASES.map(trainAll);
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install Debian's python3-torch (apt-get install --no-install-recommends python3-torch)`);
    try {
      execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'pipe' });
    } catch {
      throw new Error(`${PYTHON} cannot import torch: install Debian's python3-torch (apt-get install --no-install-recommends python3-torch)`);
    }
    const input = CASES.filter((c) => c.torch).map((c) => {
      const t = trained[CASES.indexOf(c)];
      const settings = optimizerSettings(c.spec.optimizer);
      return {
        layers: c.spec.layers.map((layer, l) => ({ activation: layer.activation, bias: layer.bias, weights: t.initial.layers[l].weights, biases: t.initial.layers[l].biases })),
        loss: c.spec.loss,
        x: t.x,
        y: t.y,
        optimizer: settings,
        l2: c.l2,
        l1: c.l1,
        epochs: EPOCHS,
      };
    });
    const output = execFileSync(PYTHON, [SCRIPT], { input: JSON.stringify(input), maxBuffer: 64 << 20 }).toString();
    const results = JSON.parse(output) as { layers: { weights: number[][]; biases: number[] }[] }[];
    let next = 0;
    torch = CASES.map((c) => (c.torch ? { format: 'nnspec-weights', version: 1, layers: results[next++].layers } : (null as unknown as WeightsFile)));
  }, 120_000);

  CASES.forEach((c, i) => {
    it(c.name, () => {
      const t = trained[i];
      const f64 = reference(c, t.initial, t.x, t.y);
      const moved = maxRelative(t.js, t.initial);
      expect(moved, 'the weights moved').toBeGreaterThan(1e-3);
      const figure = { float64: maxRelative(t.js, f64), wasm: maxRelative(t.wasm, f64), ...(c.torch ? { torch: maxRelative(t.js, torch[i]) } : {}) };
      figures[c.name] = figure;
      expect(figure.float64, 'js vs float64').toBeLessThan(TOLERANCE);
      expect(figure.wasm, 'wasm vs float64').toBeLessThan(TOLERANCE);
      if (c.torch) {
        expect(figure.torch!, 'js vs torch').toBeLessThan(TOLERANCE);
        expect(maxRelative(t.wasm, torch[i]), 'wasm vs torch').toBeLessThan(TOLERANCE);
      }
      // Adam's t, the state's count, is the number of updates.
      expect(t.optimizerState.updates).toBe(EPOCHS);
    });
  });

  it('reports the parity figures', () => {
    const values = Object.values(figures);
    const worst = (key: 'torch' | 'float64' | 'wasm') => Math.max(...values.map((f) => f[key] ?? 0));
    if (process.env.NNSPEC_PARITY) console.log(JSON.stringify({ worstTorch: worst('torch'), worstFloat64: worst('float64'), worstWasm: worst('wasm'), figures }, null, 1));
    expect(values.length).toBe(CASES.length);
  });
});
