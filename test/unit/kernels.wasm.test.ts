/**
 * The WebAssembly SIMD kernels compute what the specification (the plain triple loops of
 * kernels.ts, here in float64) and the JavaScript kernels compute, on random shapes including
 * the awkward ones: sizes that are not multiples of the 4 × 2 / 4 × 8 register tiles, one
 * sample (m = 1), one unit, one input. Also: memory ownership, the JS fallback for arrays that
 * live outside the wasm memory, and the errors a caller gets instead of silent corruption.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createKernels } from '../../src/core/engine/createKernels';
import { jsKernels } from '../../src/core/engine/jsKernels';
import type { Kernels } from '../../src/core/engine/kernels';
import { defaultWasmBuild, wasmKernels } from '../../src/core/engine/wasmKernels';
import { Random } from '../../src/core/random';
import { emptyScalars, optimizeJs, optimizer, optimizerSettings, type ParameterArrays } from '../../src/core/engine/optimizers';

function wasm(): Kernels {
  const kernels = wasmKernels();
  if (kernels === null) throw new Error('WebAssembly SIMD is unavailable in this Node: the wasm kernels need Node ≥ 16.4');
  return kernels;
}

// The specification, in float64.
function forwardSpec(A: Float32Array, W: Float32Array, bias: Float32Array | null, m: number, n: number, p: number) {
  const Z = new Float64Array(m * p);
  const size = new Float64Array(m * p); // Σ|terms|, for the tolerance
  for (let b = 0; b < m; b++)
    for (let j = 0; j < p; j++) {
      let s = bias ? bias[j] : 0;
      let t = Math.abs(s);
      for (let k = 0; k < n; k++) {
        s += A[b * n + k] * W[j * n + k];
        t += Math.abs(A[b * n + k] * W[j * n + k]);
      }
      Z[b * p + j] = s;
      size[b * p + j] = t;
    }
  return { value: Z, size };
}

function backwardSpec(D: Float32Array, W: Float32Array, m: number, p: number, n: number) {
  const dA = new Float64Array(m * n);
  const size = new Float64Array(m * n);
  for (let b = 0; b < m; b++)
    for (let k = 0; k < n; k++)
      for (let j = 0; j < p; j++) {
        dA[b * n + k] += D[b * p + j] * W[j * n + k];
        size[b * n + k] += Math.abs(D[b * p + j] * W[j * n + k]);
      }
  return { value: dA, size };
}

function gradientSpec(D: Float32Array, A: Float32Array, m: number, p: number, n: number, scale: number) {
  const G = new Float64Array(p * n);
  const size = new Float64Array(p * n);
  const gb = new Float64Array(p);
  const gbSize = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    for (let b = 0; b < m; b++) {
      gb[j] += scale * D[b * p + j];
      gbSize[j] += Math.abs(scale * D[b * p + j]);
      for (let k = 0; k < n; k++) {
        G[j * n + k] += scale * D[b * p + j] * A[b * n + k];
        size[j * n + k] += Math.abs(scale * D[b * p + j] * A[b * n + k]);
      }
    }
  }
  return { value: G, size, gb, gbSize };
}

/** Float32 sums in any order are within a few ulps of Σ|terms| of the exact sum. */
function expectClose(actual: Float32Array, expected: { value: Float64Array; size: Float64Array }, what: string): void {
  expect(actual.length).toBeGreaterThanOrEqual(expected.value.length);
  for (let i = 0; i < expected.value.length; i++) {
    const error = Math.abs(actual[i] - expected.value[i]);
    const allowed = 1e-5 * expected.size[i] + 1e-7;
    if (!(error <= allowed)) {
      throw new Error(`${what}: element ${i} is ${actual[i]}, expected ${expected.value[i]} (error ${error} > ${allowed})`);
    }
  }
}

function fill(array: Float32Array, random: Random): Float32Array {
  for (let i = 0; i < array.length; i++) array[i] = random.uniform(-1, 1);
  return array;
}

/** Shapes (m, n, p): the benchmark networks' layers, then odd and tiny ones. */
const shapes: [number, number, number][] = [
  [10, 784, 16],
  [10, 16, 10],
  [64, 784, 128],
  [64, 64, 10],
  [1, 2, 8],
  [1, 8, 1],
  [1, 1, 1],
  [1, 13, 7],
  [3, 5, 3],
  [4, 4, 4],
  [5, 9, 6],
  [7, 31, 5],
  [9, 17, 11],
  [17, 33, 19],
  [2, 3, 1],
];

describe('wasm kernels against the specification and the JS kernels', () => {
  const random = new Random(2024);
  // A few random shapes besides the fixed list, reproducibly.
  for (let i = 0; i < 12; i++) shapes.push([1 + random.int(20), 1 + random.int(70), 1 + random.int(40)]);

  for (const [m, n, p] of shapes) {
    it(`m=${m} n=${n} p=${p}: forward, backward and gradient`, () => {
      const kernels = wasm();
      const js = jsKernels();
      const memory = kernels.alloc(m * n * 3 + p * n * 2 + m * p * 4 + p * 4 + 16);
      let offset = 0;
      // Odd offsets on purpose: views need not start on a 16-byte boundary.
      const take = (length: number) => memory.subarray(offset + 1, (offset += length + 1));
      const A = fill(take(m * n), random);
      const W = fill(take(p * n), random);
      const bias = fill(take(p), random);
      const D = fill(take(m * p), random);
      const Z = fill(take(m * p), random); // garbage: every kernel overwrites its output
      const dA = fill(take(m * n), random);
      const G = fill(take(p * n), random);
      const gb = fill(take(p), random);
      const scale = 1 / m;

      kernels.forward(A, W, bias, Z, m, n, p);
      expectClose(Z, forwardSpec(A, W, bias, m, n, p), 'forward');
      const Zjs = new Float32Array(m * p);
      js.forward(A, W, bias, Zjs, m, n, p);
      expectClose(Zjs, forwardSpec(A, W, bias, m, n, p), 'forward (js)');

      kernels.forward(A, W, null, Z, m, n, p);
      expectClose(Z, forwardSpec(A, W, null, m, n, p), 'forward without bias');

      kernels.backward(D, W, dA, m, p, n);
      expectClose(dA, backwardSpec(D, W, m, p, n), 'backward');

      kernels.gradient(D, A, G, gb, m, p, n, scale);
      const spec = gradientSpec(D, A, m, p, n, scale);
      expectClose(G, spec, 'gradient');
      expectClose(gb, { value: spec.gb, size: spec.gbSize }, 'gradient (biases)');
    });
  }

  it('does not write outside its output (neighbouring views keep their values)', () => {
    const kernels = wasm();
    const [m, n, p] = [5, 7, 3];
    const memory = fill(kernels.alloc(1000), random);
    const before = memory.slice();
    const A = memory.subarray(0, m * n);
    const W = memory.subarray(100, 100 + p * n);
    const D = memory.subarray(200, 200 + m * p);
    const out = memory.subarray(300, 300 + Math.max(m * p, m * n, p * n));
    kernels.forward(A, W, null, out, m, n, p);
    kernels.backward(D, W, out, m, p, n);
    kernels.gradient(D, A, out, null, m, p, n, 0.5);
    for (let i = 0; i < memory.length; i++) {
      if (i >= 300 && i < 300 + out.length) continue;
      expect(memory[i]).toBe(before[i]);
    }
    expect(memory[299]).toBe(before[299]);
    expect(memory[300 + out.length]).toBe(before[300 + out.length]);
  });

  it('gives an all-zero gradient for an empty batch (m = 0)', () => {
    const kernels = wasm();
    const memory = fill(kernels.alloc(64), random);
    const G = memory.subarray(0, 12);
    const gb = memory.subarray(16, 19);
    kernels.gradient(memory.subarray(32, 32), memory.subarray(40, 40), G, gb, 0, 3, 4, 1);
    expect(Array.from(G)).toEqual(new Array(12).fill(0));
    expect(Array.from(gb)).toEqual([0, 0, 0]);
  });
});

describe('wasm kernels: the optimizers (optimize) and dropout (multiply)', () => {
  type Rule = 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'rmsprop' | 'adagrad';
  const settings = (rule: Rule) =>
    optimizerSettings({
      kind: rule === 'momentum' || rule === 'nesterov' ? 'sgd' : rule,
      rate: 0.05,
      decay: 1,
      momentum: rule === 'momentum' || rule === 'nesterov' ? 0.9 : 0,
      nesterov: rule === 'nesterov',
    });
  const cases: [count: number, rule: Rule, l2: number, l1: number][] = [
    [1, 'sgd', 0, 0],
    [3, 'momentum', 0, 0],
    [4, 'nesterov', 0.01, 0],
    [13, 'adam', 0.001, 0.002],
    [12_544, 'adam', 0, 0],
    [101, 'rmsprop', 0, 0.001],
    [7, 'adagrad', 0.01, 0.01],
    [1_030, 'adagrad', 0, 0],
  ];
  for (const [count, rule, l2, l1] of cases) {
    it(`count=${count} ${rule} λ₂=${l2} λ₁=${l1}: the rule of optimizers.ts, in wasm, in its JS twin and in float64`, () => {
      const random = new Random(count);
      const kernels = wasm();
      const chosen = settings(rule);
      const opt = optimizer(chosen.kind);
      const states = opt.stateNames(chosen).length;
      const inside = kernels.alloc(7 * count);
      const part = (i: number) => inside.subarray(i * count, (i + 1) * count);
      const p: ParameterArrays = {
        w: fill(part(0), random),
        g: fill(part(1), random),
        previous: part(2),
        s1: states >= 1 ? fill(part(3), random).map(Math.abs) : null,
        s2: states >= 2 ? fill(part(4), random).map(Math.abs) : null,
        p1: states >= 1 ? part(5) : null,
        p2: states >= 2 ? part(6) : null,
        l2,
        l1,
      };
      // The state must be views too: map() made copies.
      if (p.s1) p.s1 = (part(3).set(p.s1), part(3));
      if (p.s2) p.s2 = (part(4).set(p.s2), part(4));
      p.w[0] = 0; // sign(0) = 0
      const plain: ParameterArrays = { ...p, w: p.w.slice(), g: p.g.slice(), previous: new Float32Array(count), s1: p.s1?.slice() ?? null, s2: p.s2?.slice() ?? null, p1: p.s1 ? new Float32Array(count) : null, p2: p.s2 ? new Float32Array(count) : null };
      const [w0, g0, s10, s20] = [p.w.slice(), p.g.slice(), p.s1?.slice(), p.s2?.slice()];
      const t = 3;
      const scalars = emptyScalars();
      opt.scalars(chosen, chosen.rate, t, scalars);

      const sum = kernels.optimize!(opt.code, p, count, scalars);
      const sumJs = optimizeJs(opt.code, plain, count, scalars);

      const close = (actual: number, expected: number, what: string, i: number) => {
        if (!(Math.abs(actual - expected) <= 2e-6 * (1 + Math.abs(expected)))) throw new Error(`${what}[${i}] is ${actual}, expected ${expected}`);
      };
      const { rate: eta, momentum: mu, beta1, beta2, rho, epsilon } = chosen;
      for (let i = 0; i < count; i++) {
        const w = w0[i];
        const g = g0[i] + l2 * w + l1 * Math.sign(w);
        let after: number;
        let s1: number | undefined;
        let s2: number | undefined;
        if (rule === 'sgd') after = w - eta * g;
        else if (rule === 'momentum' || rule === 'nesterov') {
          s1 = mu * s10![i] - eta * g;
          after = rule === 'nesterov' ? w + mu * s1 - eta * g : w + s1;
        } else if (rule === 'adam') {
          s1 = beta1 * s10![i] + (1 - beta1) * g;
          s2 = beta2 * s20![i] + (1 - beta2) * g * g;
          const mHat = s1 / (1 - beta1 ** t);
          const vHat = s2 / (1 - beta2 ** t);
          after = w - (eta * mHat) / (Math.sqrt(vHat) + epsilon);
        } else if (rule === 'rmsprop') {
          s1 = rho * s10![i] + (1 - rho) * g * g;
          after = w - (eta * g) / (Math.sqrt(s1) + epsilon);
        } else {
          s1 = s10![i] + g * g;
          after = w - (eta * g) / (Math.sqrt(s1) + epsilon);
        }
        for (const [arrays, name] of [[p, 'wasm'], [plain, 'js']] as const) {
          close(arrays.g[i], g, `${name} g`, i);
          close(arrays.w[i], after, `${name} w`, i);
          expect(arrays.previous[i]).toBe(w0[i]);
          if (s1 !== undefined) close(arrays.s1![i], s1, `${name} s1`, i);
          if (s2 !== undefined) close(arrays.s2![i], s2, `${name} s2`, i);
          if (s10) expect(arrays.p1![i]).toBe(s10[i]);
          if (s20) expect(arrays.p2![i]).toBe(s20[i]);
        }
      }
      let expectedSum = 0;
      for (let i = 0; i < count; i++) expectedSum += p.w[i] * p.w[i];
      expect(Math.abs(sum - expectedSum)).toBeLessThanOrEqual(1e-9 * expectedSum);
      expect(Math.abs(sumJs - sum)).toBeLessThanOrEqual(1e-5 * sum);
    });
  }

  for (const [what, bad] of [
    ['overflows float32', (w: Float32Array, g: Float32Array) => ((w[6] = 3e38), (g[6] = -3e38))],
    ['is NaN', (_w: Float32Array, g: Float32Array) => (g[2] = NaN)],
    ['is infinite (in the scalar tail)', (_w: Float32Array, g: Float32Array) => (g[8] = -Infinity)],
  ] as const) {
    it(`optimize returns a non-finite Σ w² when a new weight ${what} (and keeps the weights before)`, () => {
      const kernels = wasm();
      const random = new Random(3);
      const count = 9;
      const memory = kernels.alloc(3 * count);
      const w = fill(memory.subarray(0, count), random);
      const g = fill(memory.subarray(count, 2 * count), random);
      bad(w, g);
      const before = w.slice();
      const p: ParameterArrays = { w, g, previous: memory.subarray(2 * count, 3 * count), s1: null, s2: null, p1: null, p2: null, l2: 0, l1: 0 };
      const scalars = { ...emptyScalars(), rate: 1 };
      expect(Number.isFinite(kernels.optimize!(0, p, count, scalars))).toBe(false);
      expect(Array.from(p.previous)).toEqual(Array.from(before));
      const copy: ParameterArrays = { ...p, w: before.slice(), g: g.slice(), previous: new Float32Array(count) };
      expect(Number.isFinite(optimizeJs(0, copy, count, scalars))).toBe(false);
    });
  }

  it('multiply: out = X ⊙ M, in place too, on odd lengths', () => {
    const kernels = wasm();
    const random = new Random(5);
    const count = 37;
    const memory = kernels.alloc(3 * count);
    const X = fill(memory.subarray(0, count), random);
    const M = fill(memory.subarray(count, 2 * count), random);
    const out = memory.subarray(2 * count, 3 * count);
    kernels.multiply!(X, M, out, count);
    for (let i = 0; i < count; i++) expect(out[i]).toBe(Math.fround(X[i] * M[i]));
    const expected = out.slice();
    kernels.multiply!(X, M, X, count);
    expect(Array.from(X)).toEqual(Array.from(expected));
  });
});

describe('wasm kernels: memory', () => {
  it('hands out zero-filled views of its own memory, distinct per instance', () => {
    const first = wasm();
    const second = wasm();
    const a = first.alloc(100_000);
    const b = second.alloc(10);
    expect(a.length).toBe(100_000);
    expect(a.every((v) => v === 0)).toBe(true);
    expect(a.buffer).not.toBe(b.buffer);
    // Later allocations that fit in what the first one reserved are fine and do not overlap it.
    const c = first.alloc(4);
    c.fill(7);
    expect(a.every((v) => v === 0)).toBe(true);
    expect(c.buffer).toBe(a.buffer);
  });

  it('refuses to grow once views exist, saying why, and the old views stay usable', () => {
    const kernels = wasm();
    const a = kernels.alloc(1000);
    a[999] = 5;
    expect(() => kernels.alloc(10_000_000)).toThrow(/would detach the Float32Array views already handed out/);
    expect(a.length).toBe(1000);
    expect(a[999]).toBe(5);
  });

  it('rejects arrays shorter than m, n, p claim instead of reading past them', () => {
    const kernels = wasm();
    const memory = kernels.alloc(100);
    expect(() => kernels.forward(memory.subarray(0, 10), memory.subarray(10, 30), null, memory.subarray(30, 40), 3, 4, 5)).toThrow(
      /forward: A has 10 values but m × n = 12 are needed/,
    );
    expect(() => kernels.gradient(memory.subarray(0, 6), memory.subarray(10, 22), memory.subarray(30, 35), null, 3, 2, 4, 1)).toThrow(
      'gradient: G has 5 values but p × n = 8 are needed',
    );
  });

  it('computes with arrays outside its memory by falling back to JavaScript', () => {
    const kernels = wasm();
    const random = new Random(7);
    const [m, n, p] = [6, 11, 5];
    const inside = kernels.alloc(m * n + p * n);
    const A = fill(inside.subarray(0, m * n), random);
    const W = fill(new Float32Array(p * n), random); // a plain array
    const Z = new Float32Array(m * p);
    kernels.forward(A, W, null, Z, m, n, p);
    expectClose(Z, forwardSpec(A, W, null, m, n, p), 'forward with a plain W');
    const foreign = wasm().alloc(m * p); // another instance's memory
    fill(foreign, random);
    const dA = new Float32Array(m * n);
    kernels.backward(foreign, W, dA, m, p, n);
    expectClose(dA, backwardSpec(foreign, W, m, p, n), 'backward with another instance’s D');
    // Views this instance has already worked on (and remembers) are still foreign to another one.
    const other = wasm();
    const Z2 = fill(other.alloc(m * p), random);
    kernels.forward(A, inside.subarray(m * n, m * n + p * n), null, inside.subarray(0, m * p), m, n, p); // marks A
    other.forward(A, W, null, Z2, m, n, p);
    expectClose(Z2, forwardSpec(A, W, null, m, n, p), 'forward on another instance’s marked A');
  });
});

describe('createKernels', () => {
  it("takes the wasm kernels by default in Node (the build this runtime validates), and 'js' on request", () => {
    const wasmName = `wasm-${defaultWasmBuild()}`;
    expect(createKernels().name).toBe(wasmName);
    expect(createKernels('auto').name).toBe(wasmName);
    expect(createKernels('wasm').name).toBe(wasmName);
    expect(createKernels('wasm-simd').name).toBe('wasm-simd');
    expect(createKernels('js').name).toBe('js');
  });

  it('names the choices when given an unknown one', () => {
    expect(() => createKernels('gpu' as never)).toThrow("unknown kernels 'gpu': expected one of auto, js, wasm, wasm-simd, wasm-relaxed-simd");
  });
});

describe('the committed wasm binary', () => {
  it('is what wasm/kernels.ts compiles to (run node wasm/build.mjs --force after editing it)', () => {
    execFileSync(process.execPath, ['wasm/build.mjs', '--check'], { stdio: 'pipe' });
  });
});
