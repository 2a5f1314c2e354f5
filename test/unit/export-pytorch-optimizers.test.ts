/**
 * The PyTorch export of what the engine gained beyond sgd: adam, rmsprop, adagrad, nesterov, L1,
 * dropout (with NNSpec's masks) and early stopping (restore=best). For each spec, `nnspec train
 * --weights W --epochs 3` and the exported `train.py --weights W --epochs 3` give the same weights
 * within 1e-4 relative and print the same epoch lines; torchrun with 2 processes matches with
 * dropout too. Needs Debian's python3-torch (fails saying so when missing).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWeightsFile, type WeightsFile } from '../../src/core/weights';
import { runPython, runTorchrun, torchPython, type PythonRun } from '../support/python';
import { nnspec, tempDir } from './cli-support';

interface Case {
  name: string;
  text: string;
}

const CASES: Case[] = [
  {
    name: 'adam-l1',
    text: 'input 2\ndense 6 tanh\ndense 1 sigmoid\nloss bce\noptimizer adam rate=0.01 decay=0.9\nl1 0.001\nbatch 8\nseed 4\nnormalize zscore\ndata moons n=64\n',
  },
  {
    name: 'rmsprop-dropout',
    text: 'input 2\ndense 8 relu dropout=0.3\ndense 3 softmax\nloss cce\noptimizer rmsprop rate=0.01 rho=0.9\nbatch 6\nseed 5\ndata inline\n 0 0 -> 1 0 0\n 1 0 -> 0 1 0\n 0 1 -> 0 0 1\n 2 2 -> 1 0 0\n 3 1 -> 0 1 0\n 1 3 -> 0 0 1\n 0.5 0.5 -> 1 0 0\n 2 0 -> 0 1 0\n 0 2 -> 0 0 1\n 2.5 2 -> 1 0 0\n 3 0.5 -> 0 1 0\n 0.5 3 -> 0 0 1\nend\n',
  },
  {
    name: 'adagrad-l2-l1-full',
    text: 'input 1\ndense 5 sigmoid\ndense 1 identity\nloss mse\noptimizer adagrad rate=0.1\nbatch full\nl2 0.01\nl1 0.002\nseed 6\ndata sine n=40\n',
  },
  {
    // patience 1 on the validation loss: with this seed epoch 2 does not beat epoch 1, so the run
    // stops after it and restore=best puts back epoch 1's weights
    name: 'nesterov-dropout-stop',
    text: 'input 2\ndense 6 leaky_relu dropout=0.2\ndense 1 sigmoid\nloss bce\noptimizer sgd rate=0.05 momentum=0.9 nesterov=true\nbatch 4\nseed 8\nvalidation 0.25\nstop patience=1 monitor=validation_loss restore=best\ndata circle n=48\n',
  },
];

function worstRelative(a: WeightsFile, b: WeightsFile): number {
  let worst = 0;
  a.layers.forEach((layer, l) => {
    const other = b.layers[l];
    layer.weights.forEach((row, j) => row.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - other.weights[j][k]) / Math.max(Math.abs(v), 1e-3)))));
    layer.biases.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (other.biases[j] ?? 0)) / Math.max(Math.abs(v), 1e-3))));
  });
  return worst;
}

function expectOk(run: PythonRun, what: string): void {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
}

let dir: string;
const results = new Map<string, { start: WeightsFile; nnspec: WeightsFile; torch: WeightsFile; stdout: string; nnspecStdout: string }>();

beforeAll(async () => {
  torchPython(); // fails here, naming python3-torch, when there is none
  dir = tempDir();
  for (const c of CASES) {
    const spec = path.join(dir, `${c.name}.nnspec`);
    fs.writeFileSync(spec, `network ${c.name}\nepochs 3\n${c.text}`);
    const exported = await nnspec(['export', spec, '--format', 'pytorch', '--out', path.join(dir, c.name)]);
    if (exported.code !== 0) throw new Error(`export of ${c.name} failed: ${exported.stderr}`);
  }
  const runs: PythonRun[] = [];
  for (let i = 0; i < CASES.length; i += 2) {
    const pair = CASES.slice(i, i + 2).map((c) => runPython(['train.py', '--weights', 'weights.json', '--epochs', '3', '--save', 'B.json', '--device', 'cpu'], path.join(dir, c.name)));
    runs.push(...(await Promise.all(pair)));
  }
  for (const [i, c] of CASES.entries()) {
    expectOk(runs[i], `train.py of ${c.name}`);
    const folder = path.join(dir, c.name);
    const a = await nnspec(['train', path.join(dir, `${c.name}.nnspec`), '--weights', path.join(folder, 'weights.json'), '--epochs', '3', '--save', path.join(folder, 'A.json')]);
    if (a.code !== 0) throw new Error(`nnspec train of ${c.name} failed: ${a.stderr}`);
    const read = (name: string): WeightsFile => parseWeightsFile(fs.readFileSync(path.join(folder, name), 'utf8'), name);
    results.set(c.name, { start: read('weights.json'), nnspec: read('A.json'), torch: read('B.json'), stdout: runs[i].stdout, nnspecStdout: a.stdout });
  }
}, 600_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('PyTorch export: the optimizer table, L1, dropout, early stopping', () => {
  it.each(CASES.map((c) => c.name))('%s: train.py gives nnspec train’s weights within 1e-4 and prints its epoch lines', (name) => {
    const result = results.get(name)!;
    expect(worstRelative(result.start, result.nnspec)).toBeGreaterThan(1e-3);
    expect(worstRelative(result.nnspec, result.torch)).toBeLessThan(1e-4);
    const epochLines = (text: string): string[] => text.split('\n').filter((line) => line.startsWith('epoch ')).map((line) => line.replace(/\s+[\d,]+ samples\/s$/, ''));
    expect(epochLines(result.stdout).length).toBeGreaterThan(0);
    expect(epochLines(result.stdout)).toEqual(epochLines(result.nnspecStdout));
  });

  it('early stopping stops both after the same epoch, with the best epoch’s weights restored', () => {
    const result = results.get('nesterov-dropout-stop')!;
    const done = (text: string): string | undefined => /^done: (\d+) epochs?,/m.exec(text)?.[1];
    expect(done(result.nnspecStdout)).toBe('2');
    expect(done(result.stdout)).toBe('2');
    expect(result.stdout).toContain('stopped early after epoch 2: validation_loss has not improved by more than 0 for 1 epoch (best');
    expect(result.stdout).toContain('whose weights were restored)');
  });

  it('torchrun --nproc_per_node=2 with dropout gives the single-process weights (batch 6: 3 rows each)', async () => {
    const folder = path.join(dir, 'rmsprop-dropout');
    const run = await runTorchrun(2, ['train.py', '--epochs', '3', '--device', 'cpu', '--save', 'ddp.json'],
      folder,
    );
    expectOk(run, 'torchrun train.py');
    const ddp = parseWeightsFile(fs.readFileSync(path.join(folder, 'ddp.json'), 'utf8'), 'ddp.json');
    expect(worstRelative(results.get('rmsprop-dropout')!.torch, ddp)).toBeLessThan(1e-5);
    expect(worstRelative(results.get('rmsprop-dropout')!.nnspec, ddp)).toBeLessThan(1e-4);
  }, 240_000);
});
