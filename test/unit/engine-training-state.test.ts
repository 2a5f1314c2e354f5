/**
 * A checkpoint continues exactly: N steps, the weights and the training state through a session
 * checkpoint file (JSON), restored into a fresh trainer of the same spec, M more steps — the
 * weights, the losses and where early stopping ends the run are bit for bit those of an
 * uninterrupted N + M run. For Adam, SGD with momentum, dropout and the stop rule (patience,
 * restore=best), with N in the middle of an epoch.
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { loadProject } from '../../src/core/project';
import type { Trainer } from '../../src/core/engine/types';
import { parseCheckpoint, serializeCheckpoint, type Checkpoint } from '../../src/extension/checkpoint';

const root = path.resolve(__dirname, '../..');
const specPath = path.join(root, 'examples', 'circle.nnspec');

function circle(lines: string): string {
  return `input 2
dense 8 tanh${lines.includes('dropout') ? ' dropout=0.2' : ''}
dense 1 sigmoid
loss bce
${lines.includes('batch ') ? '' : 'batch 16'}
epochs 60
seed 3
data circle n=200
validation 0.2
${lines.replace('dropout', '')}
`;
}

function load(text: string): Trainer {
  const project = loadProject(text, specPath, { assetsDir: path.join(root, 'media') });
  if (!project.ok) throw new Error(project.message);
  return project.trainer;
}

/** Steps until `steps` were taken or the run is done; the batch losses. */
function run(trainer: Trainer, steps: number): number[] {
  const losses: number[] = [];
  while (trainer.step < steps && !trainer.done) losses.push(trainer.stepOnce().loss);
  return losses;
}

/** What the host writes and reads back after a reload. */
function throughCheckpoint(trainer: Trainer, specText: string): Checkpoint {
  const training = trainer.getTrainingState();
  const checkpoint: Checkpoint = {
    format: 'nnspec-checkpoint',
    version: 1,
    specUri: 'file:///circle.nnspec',
    specText,
    savedAt: 0,
    resume: { step: training.step, epoch: training.epoch, stepInEpoch: training.stepInEpoch },
    weights: trainer.getWeights(),
    training,
    history: { stepLosses: [], stepStride: 1, epochs: [], marks: [] },
  };
  const parsed = parseCheckpoint(serializeCheckpoint(checkpoint));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.checkpoint;
}

function restored(checkpoint: Checkpoint): Trainer {
  const trainer = load(checkpoint.specText);
  trainer.setWeights(checkpoint.weights);
  trainer.setTrainingState(checkpoint.training!);
  return trainer;
}

const CASES = {
  adam: 'optimizer adam rate=0.01',
  'sgd momentum': 'optimizer sgd rate=0.1 momentum=0.9',
  'adam, dropout': 'optimizer adam rate=0.01\ndropout',
  'sgd momentum, batch 1 (one sample a step)': 'optimizer sgd rate=0.05 momentum=0.9\nbatch 1',
  'early stopping (patience, restore=best)': 'optimizer sgd rate=0.5 momentum=0.9\nstop patience=3 monitor=validation_loss min_delta=0.01 restore=best',
};

describe('a checkpoint continues exactly', () => {
  for (const [name, lines] of Object.entries(CASES)) {
    it(`${name}: N steps, checkpoint, restore into a fresh trainer, M more = N + M uninterrupted`, () => {
      const text = circle(lines);
      const total = 400;
      const whole = load(text);
      const wholeLosses = run(whole, total);

      const N = 37; // batch 16: 10 steps an epoch, the checkpoint is in the middle of epoch 3 (batch 1: of epoch 1)
      const first = load(text);
      run(first, N);
      expect(first.stepInEpoch).toBe(lines.includes('batch 1') ? 37 : 7);
      const checkpoint = throughCheckpoint(first, text);
      const second = restored(checkpoint);
      expect(second.step).toBe(N);
      const losses = run(second, total);

      expect(second.getWeights()).toEqual(whole.getWeights());
      expect(losses).toEqual(wholeLosses.slice(N));
      expect(second.getOptimizerState()).toEqual(whole.getOptimizerState());
      expect([second.step, second.epoch, second.done]).toEqual([whole.step, whole.epoch, whole.done]);
      expect(second.stopped).toEqual(whole.stopped);
    });
  }

  it('early stopping: the patience counted before the reload still counts after it', () => {
    const text = circle(CASES['early stopping (patience, restore=best)']);
    const whole = load(text);
    run(whole, 10_000);
    // The rule stopped the run early (else this test would not test it) …
    expect(whole.stopped?.rule).toBe('patience');
    const stoppedAt = whole.step;
    // … a checkpoint two epochs before it stopped, while it was already waiting:
    const first = load(text);
    run(first, stoppedAt - 20);
    const state = first.getTrainingState();
    expect(state.stopping?.wait).toBeGreaterThan(0);
    const second = restored(throughCheckpoint(first, text));
    run(second, 10_000);
    expect(second.step).toBe(stoppedAt);
    expect(second.stopped).toEqual(whole.stopped);
    expect(second.getWeights()).toEqual(whole.getWeights()); // the best epoch's, restored
    // Without the stop rule's counters the restored run would wait its patience afresh.
    const forgetful = load(text);
    forgetful.setWeights(first.getWeights());
    forgetful.setTrainingState({ ...state, stopping: undefined, best: undefined });
    run(forgetful, 10_000);
    expect(forgetful.step).toBeGreaterThan(stoppedAt);
  });

  it('without the optimizer state a restored Adam run would differ (the test can fail)', () => {
    const text = circle(CASES.adam);
    const whole = load(text);
    run(whole, 100);
    const first = load(text);
    run(first, 37);
    const state = first.getTrainingState();
    const fresh = load(text);
    fresh.setWeights(first.getWeights());
    fresh.setTrainingState({ ...state, optimizer: fresh.getOptimizerState() });
    run(fresh, 100);
    expect(fresh.getWeights()).not.toEqual(whole.getWeights());
  });

  it('refuses a state that does not fit the trainer, saying what', () => {
    const text = circle(CASES.adam);
    const trainer = load(text);
    run(trainer, 5);
    const state = trainer.getTrainingState();
    const other = load(text);
    expect(() => other.setTrainingState({ ...state, order: state.order.slice(1) })).toThrow(/shuffle orders 159 samples, the training set has 160/);
    expect(() => other.setTrainingState({ ...state, order: state.order.map(() => 0) })).toThrow(/not a permutation/);
    expect(() => other.setTrainingState({ ...state, stepInEpoch: 10 })).toThrow(/step 11 of an epoch of 10/);
    const sgd = load(circle(CASES['sgd momentum']));
    expect(() => sgd.setTrainingState(state)).toThrow(/optimizer state does not fit: it is adam's, the spec trains with sgd/);
  });
});
