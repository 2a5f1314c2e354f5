import { describe, expect, it } from 'vitest';
import {
  classificationMetrics,
  confusionMatrix,
  measurePart,
  metricsOf,
  partConfusion,
  partOutputs,
  regressionMetrics,
  type ClassificationMetrics,
} from '../../src/core/engine/metrics';
import { createTrainer, jsKernels } from '../../src/core/engine/index';
import { makeDataset, makeSpec, prepare } from '../support/engineFixtures';

/** One-hot rows of K values for the given classes. */
function oneHot(classes: number[], K: number): Float32Array {
  const rows = new Float32Array(classes.length * K);
  classes.forEach((c, x) => (rows[x * K + c] = 1));
  return rows;
}

/** Output rows whose largest value is at the given class (the others below it). */
function outputsFor(classes: number[], K: number): Float32Array {
  const rows = new Float32Array(classes.length * K).fill(0.1);
  classes.forEach((c, x) => (rows[x * K + c] = 0.7));
  return rows;
}

describe('confusion matrix and per-class metrics on a fixed prediction set', () => {
  // actual:    0 0 0 0 1 1 1 2 2 2
  // predicted: 0 0 1 2 1 1 0 2 2 1
  const actual = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
  const predicted = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];
  const metrics = metricsOf('classification', outputsFor(predicted, 3), oneHot(actual, 3), 10, 3, ['a', 'b', 'c']) as ClassificationMetrics;

  it('counts rows as the actual class and columns as the predicted one', () => {
    expect(metrics.confusion).toEqual([
      [2, 1, 1],
      [1, 2, 0],
      [0, 1, 2],
    ]);
    expect(metrics.count).toBe(10);
    expect(metrics.accuracy).toBeCloseTo(0.6, 12);
  });

  it('precision = N_ii / column sum, recall = N_ii / row sum, F1 their harmonic mean, support the row sum', () => {
    const [a, b, c] = metrics.classes;
    expect(a).toMatchObject({ name: 'a', support: 4 });
    expect(a.precision).toBeCloseTo(2 / 3, 12);
    expect(a.recall).toBeCloseTo(1 / 2, 12);
    expect(a.f1).toBeCloseTo(4 / 7, 12);
    expect(b).toMatchObject({ name: 'b', support: 3 });
    expect(b.precision).toBeCloseTo(1 / 2, 12);
    expect(b.recall).toBeCloseTo(2 / 3, 12);
    expect(b.f1).toBeCloseTo(4 / 7, 12);
    expect(c.precision).toBeCloseTo(2 / 3, 12);
    expect(c.recall).toBeCloseTo(2 / 3, 12);
    expect(c.f1).toBeCloseTo(2 / 3, 12);
    expect(metrics.macro.f1).toBeCloseTo((4 / 7 + 4 / 7 + 2 / 3) / 3, 12);
    expect(metrics.macro.precision).toBeCloseTo((2 / 3 + 1 / 2 + 2 / 3) / 3, 12);
  });

  it('a class never predicted has precision null (0/0), not 0; one never present has recall null', () => {
    // class 2 never predicted; class 1 never present
    const result = classificationMetrics(Int32Array.from([3, 0, 0, 0, 0, 0, 1, 0, 0]), 3);
    expect(result.classes[2].precision).toBeNull();
    expect(result.classes[2].recall).toBe(0);
    expect(result.classes[2].f1).toBeNull();
    expect(result.classes[1].recall).toBeNull();
    expect(result.classes[1].precision).toBeNull();
    expect(result.classes[0].precision).toBeCloseTo(3 / 4, 12);
    expect(result.classes[0].name).toBe('0');
    // macro over the defined values only
    expect(result.macro.precision).toBeCloseTo(3 / 4, 12);
    expect(result.macro.recall).toBeCloseTo(1 / 2, 12);
  });

  it('ties go to the first class, as the trainer’s accuracy counts them', () => {
    // both rows tie → both predicted 0: the actual-1 sample lands in N_10, the actual-0 one in N_00
    const outputs = Float32Array.from([0.5, 0.5, 0.2, 0.2]);
    expect(Array.from(confusionMatrix('classification', outputs, oneHot([1, 0], 2), 2, 2))).toEqual([1, 0, 1, 0]);
  });

  it('binary: one output, class 1 when it exceeds 0.5', () => {
    const outputs = Float32Array.from([0.9, 0.2, 0.6, 0.4, 0.5]);
    const targets = Float32Array.from([1, 0, 0, 1, 1]);
    const result = metricsOf('binary', outputs, targets, 5, 1, ['outside', 'inside']) as ClassificationMetrics;
    expect(result.confusion).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(result.classes.map((c) => c.name)).toEqual(['outside', 'inside']);
    expect(result.classes[1].recall).toBeCloseTo(1 / 3, 12);
    expect(result.classes[1].precision).toBeCloseTo(1 / 2, 12);
  });
});

describe('regression metrics on fixed predictions', () => {
  it('RMSE, MAE and R² as their formulas give', () => {
    // errors 0, −1, −2; mean target 3, Σ(y − ȳ)² = 8
    const result = regressionMetrics(Float32Array.from([1, 2, 3]), Float32Array.from([1, 3, 5]), 3, 1);
    expect(result.rmse).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(result.mae).toBeCloseTo(1, 12);
    expect(result.r2).toBeCloseTo(1 - 5 / 8, 12);
  });

  it('two outputs: means per output, sums over both', () => {
    // output 0: y = 0, 2 (mean 1), a = 0, 2 (exact); output 1: y = 1, 1 (mean 1), a = 2, 0
    const result = regressionMetrics(Float32Array.from([0, 2, 2, 0]), Float32Array.from([0, 1, 2, 1]), 2, 2);
    expect(result.rmse).toBeCloseTo(Math.sqrt(2 / 4), 12);
    expect(result.mae).toBeCloseTo(2 / 4, 12);
    expect(result.r2).toBeCloseTo(1 - 2 / 2, 12);
  });

  it('a perfect fit has R² = 1; constant targets leave R² undefined (null)', () => {
    expect(regressionMetrics(Float32Array.from([1, 2]), Float32Array.from([1, 2]), 2, 1).r2).toBe(1);
    expect(regressionMetrics(Float32Array.from([1, 2]), Float32Array.from([3, 3]), 2, 1).r2).toBeNull();
  });
});

describe('metrics of a trainer’s part', () => {
  const rows = [
    { x: [0, 0], y: [1, 0, 0] },
    { x: [1, 0], y: [0, 1, 0] },
    { x: [0, 1], y: [0, 0, 1] },
    { x: [1, 1], y: [1, 0, 0] },
    { x: [0.5, 0.2], y: [0, 1, 0] },
    { x: [0.2, 0.8], y: [0, 0, 1] },
  ];

  it('the outputs are the network’s, the accuracy the trainer’s own', () => {
    const spec = makeSpec(2, [{ units: 5, activation: 'tanh' }, { units: 3, activation: 'softmax' }], { loss: 'cce', rate: 0.5, epochs: 30, validation: 1 / 3 });
    const trainer = createTrainer(spec, prepare(spec, makeDataset(rows, 'classification')), { kernels: jsKernels() });
    for (let e = 0; e < 30; e++) trainer.stepEpoch();
    for (const part of ['train', 'validation'] as const) {
      const metrics = measurePart(trainer, part) as ClassificationMetrics;
      const evaluation = trainer.evaluate(part);
      expect(metrics.count).toBe(evaluation?.count);
      expect(metrics.accuracy).toBe(evaluation?.accuracy);
      const confusion = partConfusion(trainer, part);
      expect(confusion?.classes).toBe(3);
      expect(Array.from(confusion?.counts ?? []).reduce((a, b) => a + b, 0)).toBe(evaluation?.count);
    }
    // the first training row's output is trace()'s a^L for sample 0
    const outputs = partOutputs(trainer, 'train') as Float32Array;
    const trace = trainer.trace(0);
    expect(Array.from(outputs.subarray(0, 3))).toEqual(Array.from(trace.activations[2]));
  });

  it('regression parts give RMSE, MAE, R²; no confusion matrix', () => {
    const data = Array.from({ length: 20 }, (_, i) => ({ x: [i / 10], y: [Math.sin(i / 3)] }));
    const spec = makeSpec(1, [{ units: 6, activation: 'tanh' }, { units: 1, activation: 'identity' }], { rate: 0.1 });
    const trainer = createTrainer(spec, prepare(spec, makeDataset(data, 'regression')), { kernels: jsKernels() });
    const metrics = measurePart(trainer, 'train');
    expect(metrics?.kind).toBe('regression');
    if (metrics?.kind !== 'regression') return;
    // mse loss is ½ · mean squared error per sample (one output): RMSE² = 2 · loss
    expect(metrics.rmse ** 2).toBeCloseTo(2 * (trainer.evaluate('train')?.loss ?? NaN), 5);
    expect(measurePart(trainer, 'validation')).toBeNull();
    expect(partConfusion(trainer, 'train')).toBeNull();
  });
});
