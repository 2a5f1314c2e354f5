/**
 * Dropout's masks drawn in the WebAssembly kernels (`dropout` in wasm/kernels.ts) are the masks the
 * Trainer's JavaScript loop draws (its plain twin): the same zeros, the same products Â = A ⊙ M and
 * the same generator state after, so training with them is bit-identical to training without them.
 */
import { describe, expect, it } from 'vitest';
import { createTrainer } from '../../src/core/engine/trainer';
import { wasmKernels } from '../../src/core/engine/wasmKernels';
import type { Kernels } from '../../src/core/engine/kernels';
import type { Trainer } from '../../src/core/engine/types';
import { Random } from '../../src/core/random';
import { makeDataset, makeSpec, prepare, randomSamples } from '../support/engineFixtures';

function wasm(): Kernels {
  const kernels = wasmKernels();
  if (kernels === null) throw new Error('WebAssembly SIMD is unavailable in this Node: the wasm kernels need Node ≥ 20');
  return kernels;
}

describe('the dropout kernel', () => {
  for (const [count, p] of [[1, 0.5], [37, 0.2], [12_288, 0.2], [1000, 0.9], [64, 0.05]] as const) {
    it(`${count} values at p = ${p}: the JavaScript loop's mask, products and generator state`, () => {
      const kernels = wasm();
      const memory = kernels.alloc(3 * count);
      const X = memory.subarray(0, count);
      const M = memory.subarray(count, 2 * count);
      const out = memory.subarray(2 * count, 3 * count);
      const fill = new Random(5);
      for (let i = 0; i < count; i++) X[i] = fill.uniform(-2, 2);
      const random = Random.derive(9, 'dropout');
      random.nextUint32(); // not at the start of its stream
      const twin = Random.fromState(random.state());
      kernels.dropout!(X, M, out, count, p, random);
      const threshold = p * 4294967296;
      const keep = 1 / (1 - p);
      const expectedM = new Float32Array(count);
      const expectedOut = new Float32Array(count);
      for (let i = 0; i < count; i++) expectedM[i] = twin.nextUint32() < threshold ? 0 : keep;
      for (let i = 0; i < count; i++) expectedOut[i] = X[i] * expectedM[i];
      expect(Array.from(M)).toEqual(Array.from(expectedM));
      expect(Array.from(out)).toEqual(Array.from(expectedOut));
      expect(random.state()).toEqual(twin.state());
      if (count >= 1000) {
        const dropped = expectedM.filter((m) => m === 0).length / count;
        expect(Math.abs(dropped - p)).toBeLessThan(0.05);
      }
    });
  }
});

describe('training with dropout through the kernel', () => {
  it('is bit-identical to the JavaScript mask loop: weights, masks, losses and the generator', () => {
    const spec = makeSpec(6, [{ units: 13, activation: 'relu', dropout: 0.3 }, { units: 7, activation: 'tanh', dropout: 0.2 }, { units: 3, activation: 'softmax' }], {
      loss: 'cce',
      batch: 5,
      epochs: 2,
      rate: 0.1,
      seed: 4,
      init: { kind: 'he' },
    });
    const data = makeDataset(randomSamples(new Random(8), 40, 6, 3, 'cce'), 'classification');
    const make = (withKernel: boolean): Trainer => {
      const kernels = wasm();
      if (!withKernel) delete (kernels as { dropout?: unknown }).dropout;
      expect(typeof kernels.dropout).toBe(withKernel ? 'function' : 'undefined');
      return createTrainer(spec, prepare(spec, data), { kernels });
    };
    const [a, b] = [make(true), make(false)];
    while (!a.done) {
      const x = a.stepOnce();
      const y = b.stepOnce();
      expect(x).toEqual(y);
      for (const l of [1, 2]) expect(Array.from(a.dropoutMask(l)!)).toEqual(Array.from(b.dropoutMask(l)!));
    }
    a.layers.forEach((layer, l) => {
      expect(Array.from(layer.weights)).toEqual(Array.from(b.layers[l].weights));
      expect(Array.from(layer.biases)).toEqual(Array.from(b.layers[l].biases));
    });
    expect(a.getTrainingState().dropoutRandom).toEqual(b.getTrainingState().dropoutRandom);
  });
});
