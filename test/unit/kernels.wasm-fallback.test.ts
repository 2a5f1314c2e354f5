/**
 * When WebAssembly memory cannot be had, the plain JavaScript kernels take over and say so once
 * (issue 10: under `ulimit -v 11000000`, digits-30 failed with "internal error:
 * WebAssembly.Instance(): Out of memory").
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultWasmBuild, onWasmFallback, resetWasmFallbackReports, wasmKernels } from '../../src/core/engine/wasmKernels';
import { jsKernels } from '../../src/core/engine/jsKernels';
import { ensureBuilt, requireDigits, ROOT } from './cli-support';

describe('a memory that cannot grow to the first alloc', () => {
  let restore: ((message: string) => void) | undefined;
  afterEach(() => {
    if (restore) onWasmFallback(restore);
    resetWasmFallbackReports();
  });

  it('hands out plain arrays, computes with the JavaScript kernels, is named js, and says so once', () => {
    const notices: string[] = [];
    restore = onWasmFallback((message) => notices.push(message));
    const kernels = wasmKernels();
    if (kernels === null) throw new Error('this Node has no WebAssembly SIMD: the wasm kernels tests need Node ≥ 20');
    expect(kernels.name).toBe(`wasm-${defaultWasmBuild()}`);
    // 2^30 floats + the heap base: more than one WebAssembly memory holds (4 GiB). Plain
    // Float32Arrays of that size are lazily zeroed pages: cheap until written.
    const huge = kernels.alloc(2 ** 30);
    expect(huge.length).toBe(2 ** 30);
    expect(kernels.name).toBe('js');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^WebAssembly memory cannot grow to 4096\.\d MiB \(.*\): this network trains with the plain JavaScript kernels, which are slower\.$/);

    // Later allocs are plain too, and the products are the JavaScript kernels' (2×3 times 3×2).
    const A = kernels.alloc(6);
    const W = kernels.alloc(6);
    const Z = kernels.alloc(4);
    A.set([1, 2, 3, 4, 5, 6]);
    W.set([1, 0, -1, 0.5, 0.5, 0.5]);
    kernels.forward(A, W, null, Z, 2, 3, 2);
    const expected = new Float32Array(4);
    jsKernels().forward(A, W, null, expected, 2, 3, 2);
    expect(Array.from(Z)).toEqual(Array.from(expected));
    expect(Array.from(Z)).toEqual([-2, 3, -2, 7.5]);

    wasmKernels()!.alloc(2 ** 30);
    expect(notices).toHaveLength(1);
  });
});

describe('an address-space limit of 11 GB (ulimit -v 11000000)', () => {
  beforeAll(() => {
    ensureBuilt();
    requireDigits();
  }, 120_000);

  it('digits-30 trains with the JavaScript kernels and says why, instead of an internal error', () => {
    const spec = path.join(ROOT, 'examples', 'digits-30.nnspec');
    const result = spawnSync('bash', ['-c', `ulimit -v 11000000 && exec "${process.execPath}" dist/cli.js train "${spec}" --epochs 1 --quiet`], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (result.error) throw result.error;
    expect(result.stderr).not.toContain('internal error');
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('nnspec: WebAssembly memory cannot be reserved here (WebAssembly.Instance(): Out of memory');
    expect(result.stderr).toContain('training with the plain JavaScript kernels');
    expect(result.stderr).toContain('`ulimit -v`');
    expect(result.stderr.match(/WebAssembly memory cannot be reserved/g)).toHaveLength(1);
    expect(result.stdout).toMatch(/done: 1 epoch/);
  });
});
