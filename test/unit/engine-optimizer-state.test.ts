/**
 * The optimizer state for checkpoints: getOptimizerState is plain JSON; setWeights then
 * setOptimizerState on a fresh trainer continues exactly as the original would (Adam's t
 * included); a state that does not fit is refused with what is wrong. And the summary the
 * `optimizer` line's hover shows.
 */
import { describe, expect, it } from 'vitest';
import { createTrainer } from '../../src/core/engine/trainer';
import { Random } from '../../src/core/random';
import type { OptimizerSpec } from '../../src/core/spec';
import { hoverForOptimizer } from '../../src/extension/features/optimizerHover';
import { makeDataset, makeSpec, prepare, randomSamples } from '../support/engineFixtures';

const SAMPLES = randomSamples(new Random(2), 30, 3, 2, 'mse');

function make(optimizer: Partial<OptimizerSpec> & { kind: OptimizerSpec['kind'] }) {
  const spec = makeSpec(3, [{ units: 5, activation: 'tanh' }, { units: 2, activation: 'sigmoid' }], { batch: 8, seed: 4, optimizer: { rate: 0.01, ...optimizer } });
  return createTrainer(spec, prepare(spec, makeDataset(SAMPLES)));
}

describe('optimizer state', () => {
  for (const optimizer of [{ kind: 'adam' as const }, { kind: 'sgd' as const, momentum: 0.9, nesterov: true }, { kind: 'rmsprop' as const }, { kind: 'adagrad' as const }, { kind: 'sgd' as const }]) {
    it(`${JSON.stringify(optimizer)}: a checkpoint (weights + state, through JSON) resumes exactly`, () => {
      const original = make(optimizer);
      for (let i = 0; i < 5; i++) original.stepOnce();
      const weights = JSON.parse(JSON.stringify(original.getWeights()));
      const state = JSON.parse(JSON.stringify(original.getOptimizerState()));
      expect(state.updates).toBe(5);
      const resumed = make(optimizer);
      resumed.setWeights(weights);
      resumed.setOptimizerState(state);
      expect(resumed.getOptimizerState()).toEqual(state);
      // The same next batches: step the resumed trainer's shuffle to where the original is.
      for (let i = 0; i < 5; i++) resumed.stepOnce();
      resumed.setWeights(weights);
      resumed.setOptimizerState(state);
      for (let i = 0; i < 4; i++) {
        original.stepOnce();
        resumed.stepOnce();
      }
      expect(resumed.getWeights()).toEqual(original.getWeights());
      // Without the state the run differs (except plain SGD, which keeps none).
      const fresh = make(optimizer);
      for (let i = 0; i < 5; i++) fresh.stepOnce();
      fresh.setWeights(weights);
      for (let i = 0; i < 4; i++) fresh.stepOnce();
      if (optimizer.kind === 'sgd' && !('momentum' in optimizer)) expect(fresh.getWeights()).toEqual(original.getWeights());
      else expect(fresh.getWeights()).not.toEqual(original.getWeights());
    });
  }

  it('refuses a state that does not fit, saying what', () => {
    const adam = make({ kind: 'adam' });
    adam.stepOnce();
    const state = adam.getOptimizerState();
    expect(() => make({ kind: 'rmsprop' }).setOptimizerState(state)).toThrow("the optimizer state does not fit: it is adam's, the spec trains with rmsprop");
    const short = structuredClone(state);
    short.layers[1].weights.m.pop();
    expect(() => make({ kind: 'adam' }).setOptimizerState(short)).toThrow('the optimizer state does not fit: layer 2: weights m has 9 values, not 10');
    const bad = structuredClone(state);
    bad.layers[0].biases.v[2] = Number.NaN;
    expect(() => make({ kind: 'adam' }).setOptimizerState(bad)).toThrow('layer 1: biases v[2] is NaN, not a finite float32 number');
  });

  it('the hover of the optimizer line: the rule with its values, then t and the state per layer', () => {
    const adam = make({ kind: 'adam' });
    for (let i = 0; i < 3; i++) adam.stepOnce();
    const summary = adam.optimizerStateSummary();
    expect(summary.updates).toBe(3);
    expect(summary.layers[0].map((s) => s.name)).toEqual(['m', 'v']);
    const m = adam.getOptimizerState().layers[0].weights.m;
    expect(summary.layers[0][0].weightsRms).toBeCloseTo(Math.sqrt(m.reduce((a, x) => a + x * x, 0) / m.length), 12);
    const text = hoverForOptimizer({ kind: 'adam', rate: 0.01, momentum: 0, decay: 1 }, summary);
    expect(text).toContain('**adam**: m ← β₁m');
    expect(text).toContain('η = 0.01, β₁ = 0.9, β₂ = 0.999, ε = 1e-8');
    expect(text).toContain('State after t = 3 updates:');
    expect(text).toMatch(/\| 2 \| [0-9.e-]+ · [0-9.e-]+ \| [0-9.e-]+ · [0-9.e-]+ \|/);
    expect(hoverForOptimizer({ kind: 'sgd', rate: 0.1, momentum: 0, decay: 1 }, make({ kind: 'sgd' }).optimizerStateSummary())).toContain('none (plain SGD keeps no state)');
    // a session of another optimizer (the text changed): the rule only
    expect(hoverForOptimizer({ kind: 'rmsprop', rate: 0.01, momentum: 0, decay: 1 }, summary)).not.toContain('State after');
  });
});
