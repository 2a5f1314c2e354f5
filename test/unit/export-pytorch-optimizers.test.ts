/**
 * The PyTorch export of what the engine gained beyond sgd: adam, rmsprop, adagrad, nesterov, L1,
 * dropout (with NNSpec's masks) and early stopping (restore=best). The language has no words for
 * them yet, so each spec is parsed and then given them in code, trained in-process by NNSpec's
 * trainer (what `nnspec train` runs) and by the exported train.py from the same weights: 3 epochs
 * give the same weights within 1e-4 relative; torchrun with 2 processes matches with dropout too.
 * Needs Debian's python3-torch (fails saying so when missing).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrainer } from '../../src/core/engine/index';
import { exportFiles, writeExport } from '../../src/core/export/index';
import { defaultAssetsDir, loadProject } from '../../src/core/project';
import type { NetworkSpec } from '../../src/core/spec';
import { parseWeightsFile, type WeightsFile } from '../../src/core/weights';
import { runPython, torchPython, torchrunArgs, type PythonRun } from '../support/python';
import { tempDir } from './cli-support';

interface Case {
  name: string;
  text: string;
  /** What the language cannot say yet, given to the parsed spec. */
  extend: (spec: NetworkSpec) => NetworkSpec;
}

const withDropout = (spec: NetworkSpec, p: number): NetworkSpec => ({ ...spec, layers: spec.layers.map((layer, l) => (l === 0 ? { ...layer, dropout: p } : layer)) });

const CASES: Case[] = [
  {
    name: 'adam-l1',
    text: 'input 2\ndense 6 tanh\ndense 1 sigmoid\nloss bce\nbatch 8\nseed 4\nnormalize zscore\ndata moons n=64\n',
    extend: (spec) => ({ ...spec, optimizer: { kind: 'adam', rate: 0.01, momentum: 0, decay: 0.9 }, l1: 0.001 }),
  },
  {
    name: 'rmsprop-dropout',
    text: 'input 2\ndense 8 relu\ndense 3 softmax\nloss cce\nbatch 6\nseed 5\ndata inline\n 0 0 -> 1 0 0\n 1 0 -> 0 1 0\n 0 1 -> 0 0 1\n 2 2 -> 1 0 0\n 3 1 -> 0 1 0\n 1 3 -> 0 0 1\n 0.5 0.5 -> 1 0 0\n 2 0 -> 0 1 0\n 0 2 -> 0 0 1\n 2.5 2 -> 1 0 0\n 3 0.5 -> 0 1 0\n 0.5 3 -> 0 0 1\nend\n',
    extend: (spec) => withDropout({ ...spec, optimizer: { kind: 'rmsprop', rate: 0.01, momentum: 0, decay: 1, rho: 0.9 } }, 0.3),
  },
  {
    name: 'adagrad-l2-l1-full',
    text: 'input 1\ndense 5 sigmoid\ndense 1 identity\nloss mse\nbatch full\nl2 0.01\nseed 6\ndata sine n=40\n',
    extend: (spec) => ({ ...spec, optimizer: { kind: 'adagrad', rate: 0.1, momentum: 0, decay: 1 }, l1: 0.002 }),
  },
  {
    name: 'nesterov-dropout-stop',
    text: 'input 2\ndense 6 leaky_relu\ndense 1 sigmoid\nloss bce\nbatch 4\nseed 8\nvalidation 0.25\ndata circle n=48\n',
    // patience 1 on the validation loss: with this seed epoch 2 does not beat epoch 1, so the run
    // stops after it and restore=best puts back epoch 1's weights
    extend: (spec) => ({
      ...withDropout({ ...spec, optimizer: { kind: 'sgd', rate: 0.05, momentum: 0.9, decay: 1, nesterov: true } }, 0.2),
      stop: { patience: 1, monitor: 'validation_loss', minDelta: 0, restore: 'best', range: spec.layers[0].range },
    }),
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
const results = new Map<string, { start: WeightsFile; nnspec: WeightsFile; torch: WeightsFile; stdout: string; epochs: number; stopped: string | null }>();

beforeAll(async () => {
  torchPython(); // fails here, naming python3-torch, when there is none
  dir = tempDir();
  const runs: Promise<void>[] = [];
  for (const c of CASES) {
    const file = path.join(dir, `${c.name}.nnspec`);
    const project = loadProject(`network ${c.name}\nepochs 3\n${c.text}`, file, { assetsDir: defaultAssetsDir() });
    if (!project.ok) throw new Error(`${c.name} does not load: ${project.message}`);
    const spec = c.extend(project.spec);
    const trainer = createTrainer(spec, project.prepared);
    const start = trainer.getWeights();
    const folder = path.join(dir, c.name);
    writeExport(exportFiles('pytorch', { spec, prepared: project.prepared }, start, { name: c.name, assetsDir: defaultAssetsDir() }), folder);
    while (!trainer.done) trainer.stepEpoch();
    const nnspec = trainer.getWeights();
    const epochs = trainer.epoch;
    const stopped = trainer.stopped?.message ?? null;
    runs.push(
      runPython(['train.py', '--weights', 'weights.json', '--epochs', '3', '--save', 'B.json', '--device', 'cpu'], folder).then((run) => {
        expectOk(run, `train.py of ${c.name}`);
        const torch = parseWeightsFile(fs.readFileSync(path.join(folder, 'B.json'), 'utf8'), 'B.json');
        results.set(c.name, { start, nnspec, torch, stdout: run.stdout, epochs, stopped });
      }),
    );
    if (runs.length === 2) await Promise.all(runs.splice(0));
  }
  await Promise.all(runs);
}, 600_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('PyTorch export: the optimizer table, L1, dropout, early stopping', () => {
  it.each(CASES.map((c) => c.name))('%s: train.py gives the trainer’s weights within 1e-4', (name) => {
    const result = results.get(name)!;
    expect(worstRelative(result.start, result.nnspec)).toBeGreaterThan(1e-3);
    expect(worstRelative(result.nnspec, result.torch)).toBeLessThan(1e-4);
  });

  it('early stopping stops both after the same epoch, with the best epoch’s weights restored', () => {
    const result = results.get('nesterov-dropout-stop')!;
    expect(result.epochs).toBeLessThan(3);
    expect(result.stopped).toContain('whose weights were restored');
    expect(result.stdout).toContain(result.stopped);
    expect(result.stdout).toMatch(new RegExp(`^done: ${result.epochs} epochs?,`, 'm'));
  });

  it('torchrun --nproc_per_node=2 with dropout gives the single-process weights (batch 6: 3 rows each)', async () => {
    const folder = path.join(dir, 'rmsprop-dropout');
    const run = await runPython(
      [...(await torchrunArgs(2)), 'train.py', '--epochs', '3', '--device', 'cpu', '--save', 'ddp.json'],
      folder,
    );
    expectOk(run, 'torchrun train.py');
    const ddp = parseWeightsFile(fs.readFileSync(path.join(folder, 'ddp.json'), 'utf8'), 'ddp.json');
    expect(worstRelative(results.get('rmsprop-dropout')!.torch, ddp)).toBeLessThan(1e-5);
  }, 240_000);
});
