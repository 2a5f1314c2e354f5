/**
 * The plain JavaScript kernels against the triple loops they stand for (float64), on odd sizes
 * that exercise every remainder path of the register blocking.
 */
import { describe, expect, it } from 'vitest';
import { jsKernels } from '../../src/core/engine/index';
import { Random } from '../../src/core/random';
import { closeTo } from '../support/engineFixtures';

const random = new Random(77);
const fill = (n: number): Float32Array => Float32Array.from({ length: n }, () => random.uniform(-1, 1));
const kernels = jsKernels();

const SIZES: [number, number, number][] = [];
for (const m of [1, 2, 3, 4, 5, 7, 8, 9, 10]) for (const n of [1, 3, 4, 6, 13]) for (const p of [1, 2, 3, 5, 7]) SIZES.push([m, n, p]);
// more rows than one gradient chunk (64)
SIZES.push([70, 5, 3], [130, 9, 4], [64, 4, 2], [65, 1, 1]);

describe('jsKernels', () => {
  it('alloc gives zeroed Float32Arrays of the length asked', () => {
    const a = kernels.alloc(17);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(17);
    expect(a.every((v) => v === 0)).toBe(true);
  });

  it.each(SIZES)('m=%i n=%i p=%i: forward, backward and gradient equal the triple loops', (m, n, p) => {
    const A = fill(m * n);
    const W = fill(p * n);
    const bias = fill(p);
    const D = fill(m * p);
    const scale = 1 / m;

    // Z[b][j] = Σ_k A[b][k] W[j][k] + bias[j]
    const Z = new Float32Array(m * p).fill(NaN);
    kernels.forward(A, W, bias, Z, m, n, p);
    const Zexp = new Float64Array(m * p);
    for (let b = 0; b < m; b++) for (let j = 0; j < p; j++) {
      let s = bias[j];
      for (let k = 0; k < n; k++) s += A[b * n + k] * W[j * n + k];
      Zexp[b * p + j] = s;
    }
    expect(closeTo(Z, Zexp, 1e-6, 1e-6), 'forward').toBeNull();
    const Znobias = new Float32Array(m * p);
    kernels.forward(A, W, null, Znobias, m, n, p);
    expect(closeTo(Znobias, Zexp.map((z, i) => z - bias[i % p]), 1e-6, 1e-6), 'forward without bias').toBeNull();

    // dA[b][k] = Σ_j D[b][j] W[j][k]  (overwrites what was there)
    const dA = new Float32Array(m * n).fill(123);
    kernels.backward(D, W, dA, m, p, n);
    const dAexp = new Float64Array(m * n);
    for (let b = 0; b < m; b++) for (let k = 0; k < n; k++) for (let j = 0; j < p; j++) dAexp[b * n + k] += D[b * p + j] * W[j * n + k];
    expect(closeTo(dA, dAexp, 1e-6, 1e-6), 'backward').toBeNull();

    // G[j][k] = scale Σ_b D[b][j] A[b][k], gb[j] = scale Σ_b D[b][j]  (overwrites)
    const G = new Float32Array(p * n).fill(123);
    const gb = new Float32Array(p).fill(123);
    kernels.gradient(D, A, G, gb, m, p, n, scale);
    const Gexp = new Float64Array(p * n);
    const gbExp = new Float64Array(p);
    for (let j = 0; j < p; j++) for (let b = 0; b < m; b++) {
      gbExp[j] += scale * D[b * p + j];
      for (let k = 0; k < n; k++) Gexp[j * n + k] += scale * D[b * p + j] * A[b * n + k];
    }
    expect(closeTo(G, Gexp, 1e-6, 1e-6), 'gradient').toBeNull();
    expect(closeTo(gb, gbExp, 1e-6, 1e-6), 'gradient biases').toBeNull();
    const G2 = new Float32Array(p * n).fill(123);
    kernels.gradient(D, A, G2, null, m, p, n, scale);
    expect(Array.from(G2)).toEqual(Array.from(G));
  });

  it('works on subarray views of one buffer (as the trainer uses them) and leaves the rest alone', () => {
    const memory = new Float32Array(100).fill(7);
    const A = memory.subarray(0, 6); // 2 × 3
    const W = memory.subarray(10, 16); // 2 × 3
    const Z = memory.subarray(20, 24); // room for 2 × 2, plus spare
    A.set([1, 2, 3, 4, 5, 6]);
    W.set([1, 0, -1, 0.5, 0.5, 0.5]);
    kernels.forward(A, W, null, Z, 2, 3, 2);
    expect(Array.from(Z)).toEqual([-2, 3, -2, 7.5]);
    expect(memory[24]).toBe(7);
    expect(memory[19]).toBe(7);
  });
});
