/**
 * `nnspec train --threads N`: the weights saved are byte-identical at 1, 2 and 4 threads (the
 * benchmark's network C on the digits: its products and its first layer's update are split), every
 * process exits by itself, and a bad N is refused with a message saying what is expected (exit 2).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, requireDigits, spawnCli, tempDir } from './cli-support';

const SPEC_TEXT = ['network threads-C', 'input 28x28', 'dense 128 relu', 'dense 64 relu', 'dense 10 softmax', 'loss cce', 'optimizer adam rate=0.001', 'l2 0.0001', 'batch 64', 'epochs 1', 'init he', 'seed 3', 'data digits', 'validation 0.2', ''].join('\n');
let SPEC = '';

describe('nnspec train --threads', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    requireDigits();
    dir = tempDir();
    SPEC = path.join(dir, 'threads-C.nnspec');
    fs.writeFileSync(SPEC, SPEC_TEXT);
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('saves the same bytes at 1, 2 and 4 threads', () => {
    const saved = [1, 2, 4].map((threads) => {
      const out = path.join(dir, `t${threads}.json`);
      const run = spawnCli(['train', SPEC, '--epochs', '1', '--threads', String(threads), '--save', out, '--quiet']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      return fs.readFileSync(out, 'utf8');
    });
    expect(saved[0].length).toBeGreaterThan(1000);
    expect(saved[1]).toBe(saved[0]);
    expect(saved[2]).toBe(saved[0]);
  }, 180_000);

  it('says which kernels and how many threads trained: in the summary line and the --json done event', () => {
    const plain = spawnCli(['train', SPEC, '--epochs', '1', '--threads', '2']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^done: 1 epoch, [\d,]+ steps in .+ \([\d,.k]+ samples\/s; WebAssembly SIMD kernels( with fused multiply-add)?, 2 threads\)$/m);
    const json = spawnCli(['train', SPEC, '--epochs', '1', '--threads', '1', '--json']);
    const done = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).find((e) => e.event === 'done');
    expect(done).toMatchObject({ threads: 1, kernels: expect.stringMatching(/^wasm-(relaxed-)?simd$/) });
  }, 120_000);

  it('says so when the network is too small for any call to be split', () => {
    const tiny = path.join(dir, 'tiny.nnspec');
    fs.writeFileSync(tiny, 'network tiny\ninput 2\ndense 4 tanh\ndense 1 sigmoid\nloss mse\nbatch 4\nepochs 3\ndata xor\n');
    const run = spawnCli(['train', tiny, '--threads', '2']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/samples\/s; JavaScript kernels, 1 thread of the 2 set: this network's calls are too small to split\)$/m);
  }, 60_000);

  it('takes auto', () => {
    const run = spawnCli(['train', SPEC, '--epochs', '1', '--threads', 'auto', '--quiet']);
    expect(run.code).toBe(0);
  }, 120_000);

  for (const bad of ['0x', '-1', '1.5', '65', 'many', '']) {
    it(`refuses --threads '${bad}'`, () => {
      const run = spawnCli(['train', SPEC, '--threads', bad]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        new RegExp(`^nnspec: --threads: '${bad.replace('.', '\\.')}' is not a number of threads: expected a whole number from 1 to 64, or 0 or auto for min\\(cores − 1, 4\\), at least 1 \\(\\d+ on this machine's \\d+ cores\\)\\n`),
      );
      expect(run.stdout).toBe('');
    });
  }

  it('is in the help', () => {
    const run = spawnCli(['train', '--help']);
    expect(run.stdout).toContain('-t, --threads N');
    expect(run.stdout).toContain('[--threads N]');
  });
});
