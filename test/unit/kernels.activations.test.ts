/**
 * The element-wise activations in the WebAssembly kernels (`activate` and `derive` in
 * wasm/kernels.ts) give the bits of their JavaScript loops in activations.ts (their plain twins):
 * A = σ(Z) and D ← D ⊙ σ'(z), on ordinary values and on NaN, ±0, ±∞, subnormals and the largest
 * floats, at lengths with and without a tail past the last group of four. Where the kernels have no
 * loop (σ's and tanh's exponentials, softmax) they say so and leave the arrays alone.
 */
import { describe, expect, it } from 'vitest';
import { activation } from '../../src/core/engine/activations';
import { wasmKernels } from '../../src/core/engine/wasmKernels';
import type { Kernels } from '../../src/core/engine/kernels';
import type { Activation } from '../../src/core/spec';
import { Random } from '../../src/core/random';

function wasm(): Kernels {
  const kernels = wasmKernels();
  if (kernels === null) throw new Error('WebAssembly SIMD is unavailable in this Node: the wasm kernels need Node ≥ 20');
  return kernels;
}

const SPECIAL = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38, 1e-30, -1e-30, 0.5, -0.5, 1, -1, 2.5e-7];

/** `count` float32 values: the special ones first, then normal draws at several scales. */
function values(count: number, seed: number): Float32Array {
  const random = new Random(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = i < SPECIAL.length ? SPECIAL[i] : random.normal() * [0.01, 1, 30][i % 3];
  return out;
}

const bits = (array: Float32Array): number[] => Array.from(new Uint32Array(array.buffer, array.byteOffset, array.length));

describe('the element-wise activation kernels', () => {
  for (const name of ['identity', 'relu', 'leaky_relu'] as Activation[]) {
    for (const count of [1, 7, 64, 1001]) {
      it(`${name} forward over ${count} values: the JavaScript loop's bits`, () => {
        const kernels = wasm();
        const memory = kernels.alloc(2 * count);
        const Z = memory.subarray(0, count);
        const A = memory.subarray(count, 2 * count);
        Z.set(values(count, count));
        const fn = activation(name);
        const expected = new Float32Array(count);
        fn.forward(Z.slice(), expected, count, 1);
        expect(kernels.activate!(fn.code, Z, A, count)).toBe(true);
        expect(bits(A)).toEqual(bits(expected));
      });
    }
  }

  for (const name of ['identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu'] as Activation[]) {
    for (const count of [1, 6, 64, 1003]) {
      it(`${name} σ' over ${count} values: the JavaScript loop's bits`, () => {
        const kernels = wasm();
        const memory = kernels.alloc(3 * count);
        const Z = memory.subarray(0, count);
        const A = memory.subarray(count, 2 * count);
        const D = memory.subarray(2 * count, 3 * count);
        const fn = activation(name);
        Z.set(values(count, count));
        // a = σ(z) from the JavaScript loop, plus the special values themselves as a (σ' reads a for σ and tanh)
        fn.forward(Z, A, count, 1);
        A.set(values(Math.min(count, SPECIAL.length), 99).subarray(0, Math.min(count, SPECIAL.length)));
        D.set(values(count, count + 1).reverse());
        const expected = D.slice();
        fn.backward(Z.slice(), A.slice(), expected, count, 1);
        expect(kernels.derive!(fn.code, Z, A, D, count)).toBe(true);
        expect(bits(D)).toEqual(bits(expected));
      });
    }
  }

  it('has no loop for sigmoid and tanh forward (exp) or softmax, and leaves the arrays alone', () => {
    const kernels = wasm();
    const memory = kernels.alloc(24);
    const Z = memory.subarray(0, 8);
    const A = memory.subarray(8, 16);
    const D = memory.subarray(16, 24);
    Z.set(values(8, 1));
    A.fill(7);
    D.fill(3);
    for (const name of ['sigmoid', 'tanh', 'softmax'] as Activation[]) expect(kernels.activate!(activation(name).code, Z, A, 8), name).toBe(false);
    expect(kernels.derive!(activation('softmax').code, Z, A, D, 8)).toBe(false);
    expect(Array.from(A)).toEqual(new Array(8).fill(7));
    expect(Array.from(D)).toEqual(new Array(8).fill(3));
  });

  it('refuses arrays shorter than the count, and runs nothing on arrays outside its memory', () => {
    const kernels = wasm();
    const memory = kernels.alloc(8);
    expect(() => kernels.activate!(activation('relu').code, memory.subarray(0, 4), memory.subarray(4, 8), 6)).toThrow(/activate: Z has 4 values but count = 6/);
    const outside = new Float32Array([-1, 2]);
    expect(kernels.activate!(activation('relu').code, outside, outside, 2)).toBe(false);
    expect(Array.from(outside)).toEqual([-1, 2]);
  });
});
