import { describe, expect, it } from 'vitest';
import { applyNormalizer, prepareData, type Dataset } from '../../src/core/data/index';

/** 100 samples: inputs (i, 10·i + 3, 5), target i mod 2 — so every row can be recognised by its first input. */
function source(): Dataset {
  const count = 100;
  const inputs = new Float32Array(count * 3);
  const targets = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    inputs.set([i, 10 * i + 3, 5], i * 3);
    targets[i] = i % 2;
  }
  return { name: 'rows', count, inputSize: 3, outputSize: 1, inputs, targets, task: 'binary', classNames: ['0', '1'] };
}
const ids = (d: Dataset): number[] => Array.from({ length: d.count }, (_, i) => d.inputs[i * d.inputSize]);
const column = (d: Dataset, k: number): number[] => Array.from({ length: d.count }, (_, i) => d.inputs[i * d.inputSize + k]);
const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const sd = (values: number[]): number => Math.sqrt(mean(values.map((v) => (v - mean(values)) ** 2)));

describe('prepareData', () => {
  it('without validation or normalisation: the training part is the data as loaded', () => {
    const d = source();
    const p = prepareData(d, { validation: 0, normalize: 'none', seed: 1 });
    expect(p.validation).toBeNull();
    expect(p.train).toMatchObject({ count: 100, inputSize: 3, outputSize: 1, task: 'binary', classNames: ['0', '1'] });
    expect(Array.from(p.train.inputs)).toEqual(Array.from(d.inputs));
    expect(Array.from(p.train.targets)).toEqual(Array.from(d.targets));
    expect(p.source).toBe(d);
  });

  it('validation 0.25 holds out 25 samples: disjoint from training, rows kept whole, seeded', () => {
    const p = prepareData(source(), { validation: 0.25, normalize: 'none', seed: 1 });
    expect(p.train.count).toBe(75);
    expect(p.validation!.count).toBe(25);
    expect(p.validation!.name).toBe('rows (validation)');
    const all = [...ids(p.train), ...ids(p.validation!)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (const part of [p.train, p.validation!]) {
      for (let i = 0; i < part.count; i++) {
        const id = part.inputs[i * 3];
        expect(part.inputs[i * 3 + 1]).toBe(10 * id + 3);
        expect(part.targets[i]).toBe(id % 2);
      }
    }
    expect(ids(prepareData(source(), { validation: 0.25, normalize: 'none', seed: 1 }).validation!)).toEqual(ids(p.validation!));
    expect(ids(prepareData(source(), { validation: 0.25, normalize: 'none', seed: 2 }).validation!)).not.toEqual(ids(p.validation!));
  });

  it('a tiny validation fraction still holds out one sample, and never all of them', () => {
    expect(prepareData(source(), { validation: 0.001, normalize: 'none', seed: 1 }).validation!.count).toBe(1);
    expect(prepareData(source(), { validation: 0.999, normalize: 'none', seed: 1 }).train.count).toBe(1);
  });

  it('zscore: training inputs get mean 0 and deviation 1 per column; validation uses the training statistics', () => {
    const d = source();
    const p = prepareData(d, { validation: 0.2, normalize: 'zscore', seed: 3 });
    const raw = prepareData(d, { validation: 0.2, normalize: 'none', seed: 3 });
    for (const k of [0, 1]) {
      expect(mean(column(p.train, k))).toBeCloseTo(0, 5);
      expect(sd(column(p.train, k))).toBeCloseTo(1, 4);
      const m = mean(column(raw.train, k));
      const s = sd(column(raw.train, k));
      column(raw.validation!, k).forEach((x, i) => expect(column(p.validation!, k)[i]).toBeCloseTo((x - m) / s, 4));
    }
    // A constant column is moved to 0, not divided by 0.
    expect(column(p.train, 2).every((v) => v === 0)).toBe(true);
    // The data as loaded is untouched.
    expect(Array.from(d.inputs.subarray(0, 6))).toEqual([0, 3, 5, 1, 13, 5]);
  });

  it('minmax: training inputs span [0, 1] per column, and predict-time inputs are mapped the same way', () => {
    const p = prepareData(source(), { validation: 0, normalize: 'minmax', seed: 1 });
    expect(Math.min(...column(p.train, 1))).toBe(0);
    expect(Math.max(...column(p.train, 1))).toBeCloseTo(1, 6);
    const input = new Float32Array([49.5, 498, 5]);
    applyNormalizer(p.normalizer, input);
    expect(input[0]).toBeCloseTo(0.5, 6);
    expect(input[1]).toBeCloseTo(0.5, 6);
    expect(input[2]).toBe(0);
  });
});
