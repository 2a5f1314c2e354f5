/**
 * `nnspec train` with a `stop` line: the run ends early and says why (text and --json).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nnspec } from './cli-support';

const dir = mkdtempSync(path.join(tmpdir(), 'nnspec-stop-'));
const SPEC = 'input 2\ndense 3 tanh\ndense 1 sigmoid\ndata xor\nbatch full\nepochs 40\noptimizer adam rate=0.01\nstop patience=2 min_delta=0.5\n';

describe('nnspec train with stop', () => {
  it('prints why the run stopped, and trains only that far', async () => {
    writeFileSync(path.join(dir, 'stop.nnspec'), SPEC);
    const run = await nnspec(['train', path.join(dir, 'stop.nnspec'), '--quiet']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('stopped early after epoch 3: loss has not improved by more than 0.5 for 2 epochs (best ');
    expect(run.stdout).toMatch(/done: 3 epochs, 3 steps/);
  });

  it('--json: the done event carries stopReason', async () => {
    writeFileSync(path.join(dir, 'stop.nnspec'), SPEC);
    const run = await nnspec(['train', path.join(dir, 'stop.nnspec'), '--json']);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    const done = events.find((e) => e.event === 'done');
    expect(done.epochs).toBe(3);
    expect(done.stopReason).toMatch(/^stopped early after epoch 3: loss/);
    expect(events.filter((e) => e.event === 'epoch')).toHaveLength(3);
  });
});
