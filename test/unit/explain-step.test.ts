/**
 * The walk's phase 7: explainNextStep() says, before the step, which samples the next mini-batch
 * holds and what the update will be; stepOnce() then takes exactly that step (same batch, same
 * ∂C/∂w, same Δw), across epoch boundaries (reshuffles), with momentum and with L2.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainNextStep, explainSample } from '../../src/core/engine/explain';
import { createTrainer, jsKernels } from '../../src/core/engine/index';
import { defaultAssetsDir, loadProject } from '../../src/core/project';
import { Random } from '../../src/core/random';
import type { Trainer } from '../../src/core/engine/types';
import { closeTo, makeDataset, makeSpec, prepare, randomSamples } from '../support/engineFixtures';
import { ROOT } from './cli-support';

function example(name: string): Trainer {
  const file = path.join(ROOT, 'examples', `${name}.nnspec`);
  const project = loadProject(fs.readFileSync(file, 'utf8'), file, { assetsDir: defaultAssetsDir() });
  if (!project.ok) throw new Error(project.message);
  return project.trainer;
}

function l2Trainer(): Trainer {
  const spec = makeSpec(3, [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'sigmoid' }], { loss: 'mse', l2: 0.05, rate: 0.3, momentum: 0.5, batch: 3, seed: 9 });
  return createTrainer(spec, prepare(spec, makeDataset(randomSamples(new Random(9), 7, 3, 2, 'mse'))), { kernels: jsKernels() });
}

function checkSteps(trainer: Trainer, steps: number): void {
  for (let s = 0; s < steps; s++) {
    const walk = explainNextStep(trainer);
    const weightsBefore = trainer.layers.map((l) => l.weights.slice());
    const result = trainer.stepOnce();
    const where = `step ${result.step}`;
    expect(walk.step, where).toBe(result.step);
    expect(walk.epoch, where).toBe(result.epoch);
    expect(walk.batch.length, where).toBe(result.batchSize);
    expect(walk.rate, where).toBe(result.rate);
    expect(walk.loss, where).toBeCloseTo(result.loss, 5);
    // the step's last sample is the batch's last
    expect(trainer.trace().sampleIndex, where).toBe(walk.batch[walk.batch.length - 1]);
    trainer.layers.forEach((view, l) => {
      const w = walk.layers[l];
      expect(closeTo(view.gradWeights, w.gradW, 1e-6, 1e-4), `${where} layer ${l + 1} ∂C/∂w`).toBeNull();
      expect(closeTo(view.gradBiases, w.gradB, 1e-6, 1e-4), `${where} layer ${l + 1} ∂C/∂b`).toBeNull();
      expect(closeTo(view.lastDeltaWeights, w.changeW, 1e-7, 1e-4), `${where} layer ${l + 1} Δw`).toBeNull();
      expect(closeTo(view.lastDeltaBiases, w.changeB, 1e-7, 1e-4), `${where} layer ${l + 1} Δb`).toBeNull();
      const l2 = trainer.spec.l2;
      expect(closeTo(w.l2W, Array.from(weightsBefore[l], (x) => l2 * x), 1e-7, 1e-6)).toBeNull();
    });
  }
}

describe('explainNextStep: the step Finish takes', () => {
  it('xor (whole batch, momentum): batch, ∂C/∂w and Δw agree with the step taken', () => checkSteps(example('xor'), 5));
  it('spiral (batch 16 of 320, momentum): across an epoch’s reshuffle', () => {
    const trainer = example('spiral');
    expect(trainer.stepsPerEpoch).toBe(20);
    checkSteps(trainer, 23);
  });
  it('L2 and momentum with a short last batch', () => checkSteps(l2Trainer(), 7));

  it('phases 1–6 are those of the chosen sample; a sample outside the batch is refused', () => {
    const trainer = example('spiral');
    const batch = Array.from(trainer.nextBatch());
    const walk = explainNextStep(trainer, batch[3]);
    expect(walk.sample.sample).toBe(batch[3]);
    expect(walk.sample.cost).toBe(explainSample(trainer, batch[3]).cost);
    const outside = Array.from({ length: trainer.trainCount }, (_, i) => i).find((i) => !batch.includes(i))!;
    expect(() => explainNextStep(trainer, outside)).toThrow(`sample ${outside} is not in the next mini-batch`);
  });

  it('asking changes nothing', () => {
    const a = example('spiral');
    const b = example('spiral');
    for (let i = 0; i < 25; i++) {
      explainNextStep(a);
      a.nextBatch();
      a.stepOnce();
      b.stepOnce();
    }
    expect(a.getWeights()).toEqual(b.getWeights());
  });
});
