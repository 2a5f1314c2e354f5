/**
 * The training threads' pool (src/core/engine/threadPool.ts) when things go wrong, and its end:
 * a helper that throws, exits or hangs in the middle of a call makes that call fail with a
 * message naming the thread (never a hang), later calls run on one thread with the right
 * results; shutting the pool down ends every helper; a process that trained with helpers and
 * never shut them down still exits.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { jsKernels } from '../../src/core/engine/jsKernels';
import { JOB } from '../../src/core/engine/threadJobs';
import { onThreadNotice, setTrainingThreads, shutdownThreadPool, threadPool } from '../../src/core/engine/threadPool';
import { wasmKernels } from '../../src/core/engine/wasmKernels';

const ROOT = path.join(__dirname, '..', '..');

/** A forward product big enough to be split (64 × 300 × 200 multiply-adds), checked against the JavaScript kernels. */
function forwardIsRight(): boolean {
  const kernels = wasmKernels();
  if (kernels === null) throw new Error('this Node has no WebAssembly SIMD: the thread tests need Node ≥ 20');
  const m = 64, n = 300, p = 200;
  const memory = kernels.alloc(m * n + p * n + p + m * p);
  const A = memory.subarray(0, m * n);
  const W = memory.subarray(m * n, m * n + p * n);
  const bias = memory.subarray(m * n + p * n, m * n + p * n + p);
  const Z = memory.subarray(m * n + p * n + p);
  for (let i = 0; i < A.length; i++) A[i] = Math.sin(i);
  for (let i = 0; i < W.length; i++) W[i] = Math.cos(i) / 10;
  for (let i = 0; i < p; i++) bias[i] = i / p;
  kernels.forward(A, W, bias, Z, m, n, p);
  const expected = new Float32Array(m * p);
  jsKernels().forward(A, W, bias, expected, m, n, p);
  return Z.every((z, i) => Math.abs(z - expected[i]) <= 1e-4 * (1 + Math.abs(expected[i])));
}

describe('a training thread that fails', () => {
  const notices: string[] = [];
  let restore: ((message: string) => void) | undefined;
  afterEach(async () => {
    if (restore) onThreadNotice(restore);
    notices.length = 0;
    setTrainingThreads(1);
    await shutdownThreadPool();
  });

  async function helperOnlyPool() {
    restore = onThreadNotice((message) => notices.push(message));
    const pool = threadPool()!;
    await pool.ready(1);
    pool.callerTakesChunks = false;
    return pool;
  }

  it('by throwing: the call fails with its message, later calls run on one thread, rightly', async () => {
    const pool = await helperOnlyPool();
    expect(() => pool.execute({}, 0, JOB.testThrow, 2, 1)).toThrow(
      'training thread 1 failed in a test job (90): a test asked this training thread to fail; training goes on in one thread',
    );
    expect(notices).toEqual(['training thread 1 failed in a test job (90): a test asked this training thread to fail; training goes on in one thread']);
    expect(threadPool()).toBeNull();
    setTrainingThreads(2);
    expect(forwardIsRight()).toBe(true);
    // The helper took both chunks (the caller none), and the forward pass after the failure none.
    expect(pool.helped).toBe(2);
  });

  it('by exiting in the middle of a call: the call fails at once, naming the thread', async () => {
    const pool = await helperOnlyPool();
    const started = Date.now();
    expect(() => pool.execute({}, 0, JOB.testExit, 2, 1)).toThrow('training thread 1 exited in the middle of a test job (91); training goes on in one thread');
    expect(Date.now() - started).toBeLessThan(pool.timeoutMs / 2);
    expect(threadPool()).toBeNull();
  });

  it('by hanging: the call fails after the timeout, and the hung thread is ended', async () => {
    const pool = await helperOnlyPool();
    pool.timeoutMs = 300;
    const started = Date.now();
    expect(() => pool.execute({}, 0, JOB.testHang, 2, 1)).toThrow('training thread 1 did not finish its part of a test job (92) in 0.3 s (it died or hangs); training goes on in one thread');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await expect.poll(() => pool.alive, { timeout: 10_000 }).toBe(0);
  });
});

describe('the end of the pool', () => {
  it('shutdownThreadPool ends every helper', async () => {
    const pool = threadPool()!;
    await pool.ready(3);
    setTrainingThreads(4);
    expect(forwardIsRight()).toBe(true);
    setTrainingThreads(1);
    await shutdownThreadPool();
    expect(pool.alive).toBe(0);
    expect(pool.size).toBe(3);
  });

  it('a process that trained with 4 threads and never shut them down exits by itself', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nnspec-threads-'));
    const entry = path.join(dir, 'main.ts');
    writeFileSync(
      entry,
      [
        `import { setTrainingThreads, threadPool } from ${JSON.stringify(path.join(ROOT, 'src/core/engine/threadPool'))};`,
        `import { wasmKernels } from ${JSON.stringify(path.join(ROOT, 'src/core/engine/wasmKernels'))};`,
        'void (async () => {',
        '  await threadPool()!.ready(3);',
        '  setTrainingThreads(4);',
        '  const k = wasmKernels()!;',
        '  const m = 64, n = 300, p = 200;',
        '  const mem = k.alloc(m * n + p * n + m * p);',
        '  for (let r = 0; r < 20; r++) k.forward(mem.subarray(0, m * n), mem.subarray(m * n, m * n + p * n), null, mem.subarray(m * n + p * n), m, n, p);',
        '  console.log("helped", threadPool()!.helped > 0, "alive", threadPool()!.alive);',
        '})();',
      ].join('\n'),
    );
    const outfile = path.join(dir, 'main.js');
    buildSync({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent' });
    const started = Date.now();
    const result = spawnSync(process.execPath, [outfile], { encoding: 'utf8', timeout: 30_000 });
    expect(result.error).toBeUndefined();
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('helped true alive 3');
    expect(result.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 60_000);
});
