/**
 * The fused one-sample step (src/core/engine/sampleStep.ts: batch 1, plain sgd, the JavaScript
 * kernels) is a fast path of the generic passes, not a second engine: step for step it gives
 * bit-identical losses, weights, biases, gradients, last and epoch changes, traces and evaluations,
 * on every activation and cost, with and without biases, L2, L1 and decay, through epoch
 * boundaries, a live retune, and a step that diverges. (Agreement with reference.ts and the
 * autodiff oracle is tested in engine.test.ts and gradients.test.ts, whose batch-1 networks take
 * this path by default.)
 */
import { describe, expect, it } from 'vitest';
import { createTrainer } from '../../src/core/engine/trainer';
import { jsKernels } from '../../src/core/engine/jsKernels';
import { wasmKernels } from '../../src/core/engine/wasmKernels';
import type { Trainer } from '../../src/core/engine/types';
import type { LossName } from '../../src/core/spec';
import { Random } from '../../src/core/random';
import { makeDataset, makeSpec, prepare, randomSamples, type LayerOptions } from '../support/engineFixtures';

type Options = Parameters<typeof makeSpec>[2];

/** The same spec and data twice: with the fused step (the default) and without it (the generic passes). */
function pair(inputs: number, layers: LayerOptions[], options: Options & { loss: LossName }, samples = 24, zeroFirstInput = false): { fused: Trainer; generic: Trainer } {
  const spec = makeSpec(inputs, layers, { batch: 1, epochs: 3, seed: 7, ...options });
  const outputs = layers[layers.length - 1].units;
  const task = options.loss === 'cce' ? 'classification' : options.loss === 'bce' ? 'binary' : 'regression';
  const rows = randomSamples(new Random(11), samples, inputs, outputs, options.loss);
  if (zeroFirstInput) for (const row of rows) row.x[0] = 0;
  const data = makeDataset(rows, task);
  return {
    fused: createTrainer(spec, prepare(spec, data), { kernels: jsKernels() }),
    generic: createTrainer(spec, prepare(spec, data), { kernels: jsKernels(), fusedSteps: false }),
  };
}

const takesFusedStep = (trainer: Trainer): boolean => (trainer as unknown as { fusedSample: boolean }).fusedSample;

/** Every number the panel, the hovers and the CLI read, compared bit for bit (Object.is: −0 ≠ 0, NaN = NaN). */
function expectIdentical(a: Trainer, b: Trainer, when: string): void {
  const same = (x: ArrayLike<number>, y: ArrayLike<number>, what: string) => {
    expect(x.length, `${when}: ${what} length`).toBe(y.length);
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i])) throw new Error(`${when}: ${what}[${i}] is ${x[i]} fused, ${y[i]} generic`);
    }
  };
  a.layers.forEach((layer, l) => {
    const other = b.layers[l];
    same(layer.weights, other.weights, `layer ${l + 1} weights`);
    same(layer.biases, other.biases, `layer ${l + 1} biases`);
    same(layer.gradWeights, other.gradWeights, `layer ${l + 1} ∂C/∂w`);
    same(layer.gradBiases, other.gradBiases, `layer ${l + 1} ∂C/∂b`);
    same(layer.lastDeltaWeights, other.lastDeltaWeights, `layer ${l + 1} last Δw`);
    same(layer.lastDeltaBiases, other.lastDeltaBiases, `layer ${l + 1} last Δb`);
    same(layer.epochDeltaWeights, other.epochDeltaWeights, `layer ${l + 1} epoch Δw`);
    same(layer.epochDeltaBiases, other.epochDeltaBiases, `layer ${l + 1} epoch Δb`);
  });
  const ta = a.trace();
  const tb = b.trace();
  expect(ta.sampleIndex, `${when}: trace sample`).toBe(tb.sampleIndex);
  ta.activations.forEach((x, l) => same(x, tb.activations[l], `trace a^${l}`));
  ta.zs.forEach((x, l) => same(x, tb.zs[l], `trace z^${l + 1}`));
  ta.deltas.forEach((x, l) => same(x, tb.deltas[l], `trace δ^${l + 1}`));
}

function runBoth(fused: Trainer, generic: Trainer, steps: number, label: string): void {
  expect(takesFusedStep(fused), `${label}: the fused trainer takes the fused step`).toBe(true);
  expect(takesFusedStep(generic)).toBe(false);
  for (let s = 1; s <= steps && !fused.done; s++) {
    const a = fused.stepOnce();
    const b = generic.stepOnce();
    expect(Object.is(a.loss, b.loss), `${label}, step ${s}: loss ${a.loss} fused, ${b.loss} generic`).toBe(true);
    expect(a).toEqual(b);
    // Reading everything every few steps (and not in between) also exercises the lazy bookkeeping.
    if (s % 7 === 0 || a.epochEnded) expectIdentical(fused, generic, `${label}, step ${s}`);
    if (s % 11 === 0) {
      // an evaluation and a prediction overwrite the batch buffers the lazy trace and gradient come from
      expect(fused.evaluate('train')).toEqual(generic.evaluate('train'));
      const input = new Array(fused.layers[0].inputs).fill(0.25);
      expect(Array.from(fused.predict(input))).toEqual(Array.from(generic.predict(input)));
      expectIdentical(fused, generic, `${label}, step ${s}, after evaluate and predict`);
    }
  }
  expectIdentical(fused, generic, `${label}, at the end`);
  expect(fused.evaluate('train')).toEqual(generic.evaluate('train'));
}

const T = 'tanh' as const;

describe('the fused one-sample step is bit-identical to the generic passes', () => {
  const cases: [string, number, LayerOptions[], Options & { loss: LossName }][] = [
    ['2-8-8-1 tanh, mse (network D)', 2, [{ units: 8, activation: T }, { units: 8, activation: T }, { units: 1, activation: T }], { loss: 'mse', rate: 0.05 }],
    ['3-5-2 sigmoid, bce', 3, [{ units: 5, activation: 'sigmoid' }, { units: 2, activation: 'sigmoid' }], { loss: 'bce', rate: 0.5 }],
    ['4-6-3 relu/softmax, cce, decay', 4, [{ units: 6, activation: 'relu' }, { units: 3, activation: 'softmax' }], { loss: 'cce', rate: 0.2, decay: 0.9, init: { kind: 'he' } }],
    ['5-7-4-2 leaky_relu/tanh/identity, mse, a layer without biases', 5, [{ units: 7, activation: 'leaky_relu' }, { units: 4, activation: T, bias: false }, { units: 2, activation: 'identity' }], { loss: 'mse', rate: 0.05 }],
    ['3-9-1 tanh/sigmoid, mse, L2', 3, [{ units: 9, activation: T }, { units: 1, activation: 'sigmoid' }], { loss: 'mse', rate: 0.3, l2: 0.01 }],
    ['3-9-1 relu/sigmoid, bce, L1 and L2', 3, [{ units: 9, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], { loss: 'bce', rate: 0.3, l2: 0.003, l1: 0.002 }],
    ['6-1 sigmoid, mse, one layer', 6, [{ units: 1, activation: 'sigmoid' }], { loss: 'mse', rate: 1 }],
  ];
  for (const [name, inputs, layers, options] of cases) {
    it(name, () => {
      const { fused, generic } = pair(inputs, layers, options);
      runBoth(fused, generic, 80, name);
    });
  }

  it('with signed zeros: weights of −0 and +0 meeting products a·δ of ±0 (inputs and relu outputs of exactly 0)', () => {
    const layers: LayerOptions[] = [{ units: 6, activation: 'relu' }, { units: 3, activation: 'relu' }, { units: 1, activation: 'identity' }];
    // every sample's first input exactly 0: products a·δ of ±0 in the first layer (relu's zeros do it further on)
    const { fused, generic } = pair(4, layers, { loss: 'mse', rate: 0.05 }, 24, true);
    for (const t of [fused, generic]) {
      const file = t.getWeights();
      // every third weight −0, every third +0, the rest as drawn
      for (const layer of file.layers) layer.weights = layer.weights.map((row) => row.map((w, k) => (k % 3 === 0 ? -0 : k % 3 === 1 ? 0 : w)));
      t.setWeights(file);
    }
    expect(fused.layers[0].weights.some((w) => Object.is(w, -0))).toBe(true);
    runBoth(fused, generic, 60, 'signed zeros');
  });

  it('after a live retune (L2 from 0 on, the rate, the batch to 4 and back to 1)', () => {
    const layers: LayerOptions[] = [{ units: 6, activation: T }, { units: 1, activation: 'sigmoid' }];
    const { fused, generic } = pair(3, layers, { loss: 'bce', rate: 0.4, epochs: 6 });
    runBoth(fused, generic, 30, 'before');
    for (const t of [fused, generic]) t.stepOnce(); // nothing read after it: its trace and gradient still pending
    for (const t of [fused, generic]) t.retune({ l2: 0.02, rate: 0.1 });
    expectIdentical(fused, generic, 'right after the retune'); // the last step's ∂C/∂w without the new λ₂
    runBoth(fused, generic, 30, 'with L2');
    for (const t of [fused, generic]) t.retune({ batch: 4 });
    runBoth(fused, generic, 10, 'batch 4 (the generic passes on both)');
    for (const t of [fused, generic]) t.retune({ batch: 1, l2: 0 });
    runBoth(fused, generic, 30, 'batch 1 again, no L2');
  });

  it('a diverging step: the same error at the same step, and the same state after it', () => {
    const layers: LayerOptions[] = [{ units: 4, activation: 'identity' }, { units: 1, activation: 'identity' }];
    const { fused, generic } = pair(2, layers, { loss: 'mse', rate: 1e19, epochs: 50 });
    const failure = (t: Trainer): { step: number; message: string } => {
      for (let s = 1; s <= 500; s++) {
        try {
          t.stepOnce();
        } catch (error) {
          return { step: s, message: (error as Error).message };
        }
      }
      throw new Error('the step never diverged');
    };
    const a = failure(fused);
    expect(a).toEqual(failure(generic));
    expect(a.message).toMatch(/became (NaN or infinite|infinite|NaN)/);
    expectIdentical(fused, generic, 'after the diverged step');
    for (const layer of fused.layers) for (const w of layer.weights) expect(Number.isFinite(w)).toBe(true);
  });

  it('a step where only a bias would become infinite is refused too (inputs tiny, the rate huge)', () => {
    const spec = makeSpec(2, [{ units: 1, activation: 'identity' }], { batch: 1, rate: 1e39, loss: 'mse', init: { kind: 'const', value: 0.5 } });
    const data = makeDataset([{ x: [0.001, -0.001], y: [3] }, { x: [0.002, 0.001], y: [-2] }]);
    const [fused, generic] = [true, false].map((fusedSteps) => createTrainer(spec, prepare(spec, data), { kernels: jsKernels(), fusedSteps }));
    expect(takesFusedStep(fused)).toBe(true);
    for (const t of [fused, generic]) expect(() => t.stepOnce()).toThrow(/step 1 \(epoch 1\) — the updates diverged/);
    expectIdentical(fused, generic, 'after the refused step');
    expect(Array.from(fused.layers[0].biases)).toEqual([0]);
    expect(Array.from(fused.layers[0].weights)).toEqual([0.5, 0.5]);
  });

  it('is taken only where it applies: not with momentum, another optimizer, dropout or the wasm kernels', () => {
    const layers: LayerOptions[] = [{ units: 4, activation: T }, { units: 1, activation: T }];
    const spec = (options: Options) => makeSpec(2, layers, { batch: 1, ...options });
    const data = makeDataset(randomSamples(new Random(3), 8, 2, 1, 'mse'));
    const fusedWith = (options: Options, kernels = jsKernels()) => takesFusedStep(createTrainer(spec(options), prepare(spec(options), data), { kernels }));
    expect(fusedWith({})).toBe(true);
    expect(fusedWith({ momentum: 0.9 })).toBe(false);
    expect(fusedWith({ optimizer: { kind: 'adam' } })).toBe(false);
    const dropped = makeSpec(2, [{ units: 4, activation: T, dropout: 0.5 }, { units: 1, activation: T }], { batch: 1 });
    expect(takesFusedStep(createTrainer(dropped, prepare(dropped, data), { kernels: jsKernels() }))).toBe(false);
    const wasm = wasmKernels();
    if (wasm === null) throw new Error('WebAssembly SIMD is unavailable in this Node: the engine needs Node ≥ 20');
    expect(fusedWith({}, wasm)).toBe(false);
  });
});
