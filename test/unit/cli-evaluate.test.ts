import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluateJson } from '../../src/cli/evaluate';
import { nnspec, tempDir } from './cli-support';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Trains SPEC with --save, then evaluates the saved weights with --json. */
async function trainAndEvaluate(spec: string): Promise<{ done: Record<string, number | null>; evaluation: EvaluateJson }> {
  const weights = path.join(dir, path.basename(spec, '.nnspec') + '.json');
  const train = await nnspec(['train', spec, '--save', weights, '--json']);
  expect(train.code, train.stderr).toBe(0);
  const done = JSON.parse(train.stdout.trim().split('\n').pop() ?? '');
  const run = await nnspec(['evaluate', spec, '--weights', weights, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return { done, evaluation: JSON.parse(run.stdout) };
}

describe('nnspec evaluate --json', () => {
  it('classification: loss and accuracy as training ended, a confusion matrix that agrees with them, per-class metrics', async () => {
    const { done, evaluation } = await trainAndEvaluate('examples/circle.nnspec');
    expect(evaluation.task).toBe('binary');
    for (const [part, loss, accuracy] of [
      ['train', done.loss, done.accuracy],
      ['validation', done.validationLoss, done.validationAccuracy],
    ] as const) {
      const json = evaluation[part];
      if (!json || !('confusion' in json)) throw new Error(`${part}: no confusion matrix in ${JSON.stringify(json)}`);
      expect(json.loss).toBeCloseTo(loss as number, 6);
      expect(json.accuracy).toBe(accuracy);
      const { confusion, classes } = json;
      expect(confusion).toHaveLength(2);
      const total = confusion.flat().reduce((a, b) => a + b, 0);
      expect(total).toBe(json.count);
      expect((confusion[0][0] + confusion[1][1]) / total).toBeCloseTo(json.accuracy as number, 12);
      // recall of class i is N_ii over row i, precision over column i
      expect(classes[1].recall).toBeCloseTo(confusion[1][1] / (confusion[1][0] + confusion[1][1]), 12);
      expect(classes[1].precision).toBeCloseTo(confusion[1][1] / (confusion[0][1] + confusion[1][1]), 12);
      expect(classes.map((c) => c.support)).toEqual(confusion.map((row) => row[0] + row[1]));
    }
    expect(evaluation.train.count + (evaluation.validation?.count ?? 0)).toBe(400);
  });

  it('regression: RMSE, MAE and R² (RMSE² = 2 × the ½-squared-error loss with one output)', async () => {
    const { evaluation } = await trainAndEvaluate('examples/sine.nnspec');
    expect(evaluation.task).toBe('regression');
    const train = evaluation.train;
    if (!('rmse' in train)) throw new Error('no rmse');
    expect(train.accuracy).toBeNull();
    expect(train.rmse ** 2).toBeCloseTo(2 * (train.loss as number), 5);
    expect(train.mae).toBeLessThanOrEqual(train.rmse);
    expect(train.r2).toBeGreaterThan(0.9);
    expect(evaluation.validation && 'rmse' in evaluation.validation).toBe(true);
  });

  it('without a validation part it says null; the readable form prints the matrix and the class table', async () => {
    const weights = path.join(dir, 'xor.json');
    expect((await nnspec(['train', 'examples/xor.nnspec', '--save', weights, '--quiet'])).code).toBe(0);
    const json = JSON.parse((await nnspec(['evaluate', 'examples/xor.nnspec', '--weights', weights, '--json'])).stdout);
    expect(json.validation).toBeNull();
    const text = await nnspec(['evaluate', 'examples/xor.nnspec', '--weights', weights]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/training part \(4 samples\): loss \S+ {2}accuracy 100\.0%/);
    expect(text.stdout).toMatch(/rows: actual class, columns: predicted class/);
    expect(text.stdout).toMatch(/^ {2}1 +1\.000 +1\.000 +1\.000 +2$/m);
    expect(text.stdout).toMatch(/validation part: none/);
  });

  it('--weights is required; a weights file that does not fit is exit 2', async () => {
    const missing = await nnspec(['evaluate', 'examples/xor.nnspec']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--weights IN\.json is required/);
    const wrong = path.join(dir, 'wrong.json');
    fs.writeFileSync(wrong, JSON.stringify({ format: 'nnspec-weights', version: 1, layers: [{ weights: [[1]], biases: [0] }] }));
    const misfit = await nnspec(['evaluate', 'examples/xor.nnspec', '--weights', wrong]);
    expect(misfit.code).toBe(2);
    expect(misfit.stderr).toMatch(/wrong\.json/);
  });
});
