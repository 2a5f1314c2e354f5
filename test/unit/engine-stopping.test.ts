/**
 * Early stopping (`stop`): the rule is Keras' EarlyStopping.on_epoch_end, written out again here
 * from Keras' source (wait += 1; an improvement resets it; stop when wait ≥ patience and epoch > 0);
 * a crafted run stops at the epoch that rule gives, says why, and restore=best puts back that
 * epoch's weights. `goal` stops at the first epoch that reaches it.
 */
import { describe, expect, it } from 'vitest';
import { createTrainer } from '../../src/core/engine/trainer';
import { EarlyStopping } from '../../src/core/engine/stopping';
import type { Monitor, NetworkSpec, StopSpec } from '../../src/core/spec';
import { Random } from '../../src/core/random';
import { makeDataset, makeSpec, prepare, randomSamples } from '../support/engineFixtures';

const NOWHERE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function stopSpec(options: Partial<StopSpec>): StopSpec {
  return { monitor: 'loss', minDelta: 0, restore: 'last', range: NOWHERE, ...options };
}

/** Keras' rule (keras/callbacks.py EarlyStopping, baseline None, start_from_epoch 0): the epoch it stops after, or null. */
function kerasStopEpoch(values: number[], patience: number, minDelta: number, mode: 'min' | 'max'): { stopped: number | null; bestEpoch: number } {
  // Keras: min_delta *= -1 in min mode; improvement = monitor_op(current - min_delta, best)
  const signed = mode === 'min' ? -minDelta : minDelta;
  const better = (a: number, b: number) => (mode === 'min' ? a - signed < b : a - signed > b);
  let best = mode === 'min' ? Infinity : -Infinity;
  let bestEpoch = 0;
  let wait = 0;
  for (let epoch = 0; epoch < values.length; epoch++) {
    wait += 1;
    if (better(values[epoch], best)) {
      best = values[epoch];
      bestEpoch = epoch;
      wait = 0;
      continue;
    }
    if (wait >= patience && epoch > 0) return { stopped: epoch, bestEpoch };
  }
  return { stopped: null, bestEpoch };
}

describe('EarlyStopping: the rule', () => {
  const sequences: [number[], number, number, 'min' | 'max'][] = [
    [[1, 0.9, 0.95, 0.91, 0.92, 0.5], 2, 0, 'min'],
    [[1, 0.9, 0.86, 0.84, 0.83, 0.82, 0.81], 2, 0.03, 'min'],
    [[1, 1.1], 0, 0, 'min'],
    [[0.5, 0.6, 0.6, 0.59, 0.58, 0.7], 3, 0, 'max'],
    [[0.5, 0.6, 0.7, 0.8], 1, 0, 'max'],
    [[2, 2, 2, 2], 1, 0, 'min'],
  ];
  for (const [values, patience, minDelta, mode] of sequences) {
    it(`patience=${patience} min_delta=${minDelta} ${mode} on ${values.join(', ')}`, () => {
      const monitor: Monitor = mode === 'min' ? 'loss' : 'accuracy';
      const rule = new EarlyStopping(stopSpec({ patience, minDelta, monitor }));
      const expected = kerasStopEpoch(values, patience, minDelta, mode);
      let stopped: number | null = null;
      for (let epoch = 0; epoch < values.length && stopped === null; epoch++) if (rule.observe(epoch, values[epoch]) === 'stop') stopped = epoch;
      expect(stopped).toBe(expected.stopped);
      if (stopped !== null) expect(rule.lastReason!.bestEpoch).toBe(expected.bestEpoch);
    });
  }

  it('min_delta by hand: 1, 0.9, 0.86, 0.84, 0.83 with min_delta 0.03, patience 2 stops after epoch 4 (index), best epoch 2', () => {
    // 0.9 + 0.03 < 1 and 0.86 + 0.03 < 0.9 improve; 0.84 + 0.03 and 0.83 + 0.03 are not < 0.86
    expect(kerasStopEpoch([1, 0.9, 0.86, 0.84, 0.83, 0.82], 2, 0.03, 'min')).toEqual({ stopped: 4, bestEpoch: 2 });
    const rule = new EarlyStopping(stopSpec({ patience: 2, minDelta: 0.03 }));
    expect([1, 0.9, 0.86, 0.84, 0.83].map((v, e) => rule.observe(e, v))).toEqual(['improved', 'improved', 'improved', 'continue', 'stop']);
  });

  it('goal: stops at the first epoch at or past it', () => {
    const loss = new EarlyStopping(stopSpec({ goal: 0.5 }));
    expect([0.9, 0.6, 0.5].map((v, e) => loss.observe(e, v))).toEqual(['improved', 'improved', 'stop']);
    expect(loss.lastReason!.message).toBe('stopped after epoch 3: loss 0.5 reached the goal 0.5');
    const accuracy = new EarlyStopping(stopSpec({ goal: 0.9, monitor: 'validation_accuracy' }));
    expect([0.5, 0.95].map((v, e) => accuracy.observe(e, v))).toEqual(['improved', 'stop']);
  });
});

const SAMPLES = randomSamples(new Random(21), 40, 2, 1, 'mse');

function run(stop: StopSpec | undefined, epochs = 60): ReturnType<typeof createTrainer> {
  const spec: NetworkSpec = makeSpec(2, [{ units: 6, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], {
    seed: 5,
    batch: 8,
    epochs,
    validation: 0.25,
    rate: 0.5,
    stop,
  });
  return createTrainer(spec, prepare(spec, makeDataset(SAMPLES)));
}

describe('early stopping in the trainer', () => {
  it('a crafted run stops at the epoch Keras gives; restore=best puts back the best epoch’s weights', () => {
    const patience = 3;
    const minDelta = 0.0002;
    // The same run without `stop`: its validation losses after every epoch, and its weights.
    const free = run(undefined);
    const values: number[] = [];
    const weights = [];
    while (!free.done) {
      const metrics = free.stepEpoch();
      values.push(metrics.validation!.loss);
      weights.push(free.getWeights());
    }
    const expected = kerasStopEpoch(values, patience, minDelta, 'min');
    expect(expected.stopped, 'the crafted run must stop early').not.toBeNull();
    expect(expected.stopped!).toBeGreaterThan(expected.bestEpoch);

    const stopped = run(stopSpec({ patience, minDelta, monitor: 'validation_loss', restore: 'best' }));
    while (!stopped.done) stopped.stepOnce();
    expect(stopped.epoch).toBe(expected.stopped! + 1);
    const reason = stopped.stopped!;
    expect(reason.rule).toBe('patience');
    expect(reason.epoch).toBe(expected.stopped);
    expect(reason.bestEpoch).toBe(expected.bestEpoch);
    expect(reason.restoredEpoch).toBe(expected.bestEpoch);
    expect(reason.message).toMatch(
      new RegExp(`^stopped early after epoch ${expected.stopped! + 1}: validation_loss has not improved by more than ${minDelta} for ${patience} epochs \\(best .* after epoch ${expected.bestEpoch + 1}, whose weights were restored\\)$`),
    );
    expect(stopped.getWeights()).toEqual(weights[expected.bestEpoch]);
    expect(stopped.evaluate('validation')!.loss).toBe(values[expected.bestEpoch]);

    // restore=last keeps the last epoch's weights.
    const last = run(stopSpec({ patience, minDelta, monitor: 'validation_loss', restore: 'last' }));
    while (!last.done) last.stepOnce();
    expect(last.getWeights()).toEqual(weights[expected.stopped!]);
    expect(last.stopped!.restoredEpoch).toBeUndefined();

    // reset starts over: not stopped, the rule forgotten.
    last.reset();
    expect(last.stopped).toBeNull();
    expect(last.done).toBe(false);
  });

  it('goal stops at the first epoch whose loss reaches it', () => {
    const free = run(undefined);
    const losses: number[] = [];
    while (!free.done) losses.push(free.stepEpoch().train.loss);
    const goal = losses[9];
    const first = losses.findIndex((loss) => loss <= goal);
    const trainer = run(stopSpec({ goal, monitor: 'loss' }));
    while (!trainer.done) trainer.stepOnce();
    expect(trainer.epoch).toBe(first + 1);
    expect(trainer.stopped!.rule).toBe('goal');
  });

  it('refuses a monitor the run cannot watch', () => {
    const spec = makeSpec(2, [{ units: 1, activation: 'sigmoid' }], { stop: stopSpec({ patience: 2, monitor: 'validation_loss' }) });
    expect(() => createTrainer(spec, prepare(spec, makeDataset(SAMPLES)))).toThrow(/stop monitor=validation_loss needs a validation part/);
    const accuracy = makeSpec(2, [{ units: 1, activation: 'sigmoid' }], { stop: stopSpec({ patience: 2, monitor: 'accuracy' }) });
    expect(() => createTrainer(accuracy, prepare(accuracy, makeDataset(SAMPLES)))).toThrow(/regression task, which has no accuracy/);
  });
});
