/**
 * The Trainer on the WebAssembly SIMD kernels trains the same network as on the plain
 * JavaScript kernels: after several steps (and a whole epoch) the weights, biases, gradients
 * and losses agree to float rounding. The fast path is checked against the plain one, on
 * every activation and cost pairing the benchmark networks use, with odd layer widths.
 */
import { describe, expect, it } from 'vitest';
import { createKernels } from '../../src/core/engine/createKernels';
import { createTrainer } from '../../src/core/engine/trainer';
import { defaultWasmBuild } from '../../src/core/engine/wasmKernels';
import type { Trainer } from '../../src/core/engine/types';
import { loadDataset, prepareData } from '../../src/core/data';
import { parseSpec } from '../../src/core/lang';
import type { NetworkSpec } from '../../src/core/spec';

function spec(text: string): NetworkSpec {
  const result = parseSpec(text);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`test spec does not parse: ${errors.map((d) => d.message).join('; ')}`);
  return result.spec;
}

function trainers(text: string): { wasm: Trainer; js: Trainer } {
  const network = spec(text);
  if (!network.data) throw new Error('test spec has no data statement');
  const make = (kind: 'wasm' | 'js') => {
    const source = loadDataset(network.data!, { baseDir: '.', assetsDir: 'media', seed: network.seed, outputSize: network.layers.at(-1)?.units });
    const prepared = prepareData(source, { validation: network.validation, normalize: network.normalize, seed: network.seed });
    return createTrainer(network, prepared, { kernels: createKernels(kind) });
  };
  return { wasm: make('wasm'), js: make('js') };
}

/** |a − b| ≤ tolerance · max(1, max |b|) over the whole array. */
function expectArraysClose(actual: Float32Array, expected: Float32Array, tolerance: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  let scale = 1;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]);
    if (!(error <= worst)) {
      worst = error;
      at = i;
    }
  }
  if (!(worst <= tolerance * scale)) {
    throw new Error(`${what}: element ${at} is ${actual[at]} on wasm, ${expected[at]} on js (difference ${worst} > ${tolerance * scale})`);
  }
}

function expectSameNetwork(wasm: Trainer, js: Trainer, tolerance: number, when: string): void {
  expect(wasm.layers.length).toBe(js.layers.length);
  wasm.layers.forEach((layer, l) => {
    const other = js.layers[l];
    expectArraysClose(layer.weights, other.weights, tolerance, `${when}, layer ${l + 1} weights`);
    expectArraysClose(layer.biases, other.biases, tolerance, `${when}, layer ${l + 1} biases`);
    expectArraysClose(layer.gradWeights, other.gradWeights, tolerance, `${when}, layer ${l + 1} ∂C/∂w`);
    expectArraysClose(layer.gradBiases, other.gradBiases, tolerance, `${when}, layer ${l + 1} ∂C/∂b`);
  });
}

const networks: [string, string][] = [
  [
    'sigmoid + quadratic cost, batch 10 (network A, narrowed)',
    `input 28x28
dense 16 sigmoid
dense 13 sigmoid
dense 10 sigmoid
loss mse
optimizer sgd rate=3
batch 10
epochs 2
seed 5
data digits n=200`,
  ],
  [
    'relu + softmax + cross-entropy, momentum, L2, batch 64 with a short last batch (network C, narrowed)',
    `input 28x28
dense 37 relu
dense 21 relu
dense 10 softmax
loss cce
optimizer sgd rate=0.05 momentum=0.9
l2 0.0001
batch 64
epochs 2
init he
seed 2
data digits n=300`,
  ],
  [
    'tanh, batch 1 (network D)',
    `input 2
dense 8 tanh
dense 8 tanh
dense 1 sigmoid
loss bce
optimizer sgd rate=0.1
batch 1
epochs 3
seed 4
data circle n=50`,
  ],
];

describe('Trainer: wasm kernels give the same training as js kernels', () => {
  for (const [name, text] of networks) {
    it(name, () => {
      const { wasm, js } = trainers(text);
      expect(wasm.kernelsName).toBe(`wasm-${defaultWasmBuild()}`);
      expect(js.kernelsName).toBe('js');
      expectSameNetwork(wasm, js, 0, 'initial weights');
      for (let i = 0; i < 8; i++) {
        const a = wasm.stepOnce();
        const b = js.stepOnce();
        expect(a.loss).toBeCloseTo(b.loss, 4);
        expectSameNetwork(wasm, js, 1e-4, `after step ${i + 1}`);
      }
      const a = wasm.stepEpoch();
      const b = js.stepEpoch();
      expect(a.train.loss).toBeCloseTo(b.train.loss, 3);
      expectSameNetwork(wasm, js, 1e-3, 'after the first epoch');
      // And the trainer really trained: the weights moved from their initial values.
      wasm.reset();
      expect(wasm.layers[0].weights).not.toEqual(js.layers[0].weights);
    });
  }
});
