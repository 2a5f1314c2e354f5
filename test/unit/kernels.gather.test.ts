/**
 * The mini-batch gather in the WebAssembly kernels (`gather` in wasm/kernels.ts): rows of the
 * training set copied into the batch in the shuffle's order. The kernel gives the rows a JavaScript
 * copy gives; it declines arrays outside its memory; and a Trainer that gathers through it trains
 * bit for bit as one that gathers in JavaScript (its plain twin, what a training set past
 * TRAIN_COPY_MAX_BYTES or a backend without the kernel takes).
 */
import { describe, expect, it } from 'vitest';
import { createTrainer } from '../../src/core/engine/trainer';
import { wasmKernels } from '../../src/core/engine/wasmKernels';
import type { Kernels } from '../../src/core/engine/kernels';
import { Random } from '../../src/core/random';
import { makeDataset, makeSpec, prepare, randomSamples } from '../support/engineFixtures';

function wasm(): Kernels {
  const kernels = wasmKernels();
  if (kernels === null) throw new Error('WebAssembly SIMD is unavailable in this Node: the wasm kernels need Node ≥ 20');
  return kernels;
}

describe('the gather kernel', () => {
  for (const [rows, width, m] of [[50, 784, 16], [9, 3, 9], [200, 10, 64], [7, 1, 1]] as const) {
    it(`${m} of ${rows} rows of ${width}: the rows the order names, in its order`, () => {
      const kernels = wasm();
      const memory = kernels.alloc(rows * width + rows + m * width);
      const source = memory.subarray(0, rows * width);
      const order = new Int32Array(memory.buffer, memory.byteOffset + 4 * rows * width, rows);
      const out = memory.subarray(rows * width + rows, rows * width + rows + m * width);
      const random = new Random(rows + width);
      for (let i = 0; i < source.length; i++) source[i] = random.uniform(-1, 1);
      for (let i = 0; i < rows; i++) order[i] = i;
      random.shuffle(order);
      const start = rows - m;
      expect(kernels.gather!(source, order, start, m, width, out)).toBe(true);
      const expected = new Float32Array(m * width);
      for (let b = 0; b < m; b++) expected.set(source.subarray(order[start + b] * width, (order[start + b] + 1) * width), b * width);
      expect(Array.from(out)).toEqual(Array.from(expected));
    });
  }

  it('declines an order or rows outside its memory, and refuses rows past the order', () => {
    const kernels = wasm();
    const memory = kernels.alloc(64);
    const source = memory.subarray(0, 32);
    const out = memory.subarray(32, 64);
    expect(kernels.gather!(source, new Int32Array([0, 1]), 0, 2, 4, out)).toBe(false);
    const order = new Int32Array(memory.buffer, memory.byteOffset, 2);
    expect(kernels.gather!(new Float32Array(32), order, 0, 2, 4, out)).toBe(false);
    expect(() => kernels.gather!(source, order, 1, 2, 4, out)).toThrow(/gather: rows 1…2 of an order of 2/);
  });
});

describe('a trainer gathering through the kernel', () => {
  it('trains bit for bit as one gathering in JavaScript', () => {
    const random = new Random(3);
    const rows = randomSamples(random, 90, 40, 5, 'cce');
    const spec = makeSpec(40, [{ units: 24, activation: 'relu' }, { units: 5, activation: 'softmax' }], { loss: 'cce', batch: 16, optimizer: { kind: 'adam', rate: 0.01 }, seed: 4 });
    const run = (kernels: Kernels) => {
      const trainer = createTrainer(spec, prepare(spec, makeDataset(rows, 'classification')), { kernels });
      const losses = [trainer.stepEpoch().train.loss, trainer.stepEpoch().train.loss];
      return { losses, weights: trainer.layers.map((layer) => Array.from(layer.weights)) };
    };
    let gathered = 0;
    const counting = wasm();
    const through: Kernels = { ...counting, name: counting.name, gather: (...args) => (gathered++, counting.gather!(...args)) };
    const withKernel = run(through);
    const plain = wasm();
    const withoutKernel = run({ ...plain, name: plain.name, gather: undefined });
    expect(gathered).toBeGreaterThan(0);
    expect(withKernel.losses).toEqual(withoutKernel.losses);
    expect(withKernel.weights).toEqual(withoutKernel.weights);
  });
});
