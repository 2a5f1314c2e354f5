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
