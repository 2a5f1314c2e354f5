import { describe, expect, it } from 'vitest';
import { describeDataset, loadDataset, type DataContext, type Dataset } from '../../src/core/data/index';
import type { BuiltinDataName, DataSpec } from '../../src/core/spec';
import { dataError } from '../fixtures/data/helpers';

const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 9 } };
const ctx = (extra: Partial<DataContext> = {}): DataContext => ({ baseDir: '/nowhere', assetsDir: '/nowhere/media', seed: 7, ...extra });
const builtin = (name: BuiltinDataName, options: { n?: number; noise?: number } = {}, extra: Partial<DataContext> = {}): Dataset =>
  loadDataset({ kind: 'builtin', name, range, ...options }, ctx(extra));

/** Sample i's inputs as a plain array. */
const row = (d: Dataset, i: number): number[] => Array.from(d.inputs.subarray(i * d.inputSize, (i + 1) * d.inputSize));
/** Class of sample i: the 0/1 target, or the argmax of a one-hot row. */
const classOf = (d: Dataset, i: number): number => {
  if (d.outputSize === 1) return d.targets[i];
  const y = Array.from(d.targets.subarray(i * d.outputSize, (i + 1) * d.outputSize));
  return y.indexOf(Math.max(...y));
};
const classCounts = (d: Dataset): number[] => {
  const counts = [0, 0];
  for (let i = 0; i < d.count; i++) counts[classOf(d, i)]++;
  return counts;
};

describe('truth tables', () => {
  it.each([
    ['xor', [0, 1, 1, 0]],
    ['and', [0, 0, 0, 1]],
    ['or', [0, 1, 1, 1]],
  ] as const)('%s is the 4-row table with one binary output', (name, expected) => {
    const d = builtin(name);
    expect(d).toMatchObject({ name, count: 4, inputSize: 2, outputSize: 1, task: 'binary' });
    expect(Array.from(d.inputs)).toEqual([0, 0, 0, 1, 1, 0, 1, 1]);
    expect(Array.from(d.targets)).toEqual(expected);
  });

  it('becomes one-hot classification when the network has two outputs', () => {
    const d = builtin('xor', {}, { outputSize: 2 });
    expect(d).toMatchObject({ outputSize: 2, task: 'classification' });
    expect(Array.from(d.targets)).toEqual([1, 0, 0, 1, 0, 1, 1, 0]);
  });

  it('refuses n= and noise=, saying why', () => {
    expect(dataError(() => builtin('xor', { n: 100 })).message).toBe("'xor' is its 4-row truth table: it takes no n= option");
    expect(dataError(() => builtin('and', { noise: 0.1 })).message).toBe("'and' is its 4-row truth table: it takes no noise= option");
  });
});

describe('2-D two-class sets', () => {
  const sets = ['circle', 'spiral', 'moons', 'gaussians'] as const;

  it.each(sets)('%s: 200 samples by default, 2 inputs, balanced binary classes that alternate', (name) => {
    const d = builtin(name);
    expect(d).toMatchObject({ name, count: 200, inputSize: 2, outputSize: 1, task: 'binary' });
    expect(d.inputs.length).toBe(400);
    expect(classCounts(d)).toEqual([100, 100]);
    expect(classOf(d, 0)).toBe(0);
    expect(classOf(d, 1)).toBe(1);
    expect(d.classNames).toHaveLength(2);
    expect(d.inputs.every(Number.isFinite)).toBe(true);
  });

  it.each(sets)('%s: n= sets the count, an odd n gives class 0 the extra sample', (name) => {
    expect(classCounts(builtin(name, { n: 51 }))).toEqual([26, 25]);
  });

  it.each(sets)('%s: same seed, same samples; another seed, other samples', (name) => {
    const a = builtin(name, { noise: 0.2 });
    const b = builtin(name, { noise: 0.2 });
    const c = builtin(name, { noise: 0.2 }, { seed: 8 });
    expect(Array.from(b.inputs)).toEqual(Array.from(a.inputs));
    expect(Array.from(c.inputs)).not.toEqual(Array.from(a.inputs));
  });

  it.each(sets)('%s: one-hot targets in two columns when the network has two outputs, same points', (name) => {
    const binary = builtin(name);
    const oneHot = builtin(name, {}, { outputSize: 2 });
    expect(oneHot).toMatchObject({ outputSize: 2, task: 'classification' });
    expect(Array.from(oneHot.inputs)).toEqual(Array.from(binary.inputs));
    for (let i = 0; i < binary.count; i++) {
      expect([oneHot.targets[2 * i], oneHot.targets[2 * i + 1]]).toEqual(binary.targets[i] === 1 ? [0, 1] : [1, 0]);
    }
  });

  it('circle without noise: class 1 inside radius 2.5, class 0 in the ring 3.5..5', () => {
    const d = builtin('circle', { noise: 0, n: 1000 });
    for (let i = 0; i < d.count; i++) {
      const r = Math.hypot(...row(d, i));
      if (classOf(d, i) === 1) expect(r).toBeLessThanOrEqual(2.5 + 1e-6);
      else {
        expect(r).toBeGreaterThanOrEqual(3.5 - 1e-6);
        expect(r).toBeLessThanOrEqual(5 + 1e-6);
      }
    }
  });

  it('circle with noise moves points by at most 5·noise per coordinate', () => {
    const d = builtin('circle', { noise: 0.1, n: 1000 });
    expect(d.inputs.every((v) => Math.abs(v) <= 5 + 0.5 + 1e-6)).toBe(true);
    const clean = builtin('circle', { noise: 0, n: 1000 });
    expect(Array.from(d.inputs)).not.toEqual(Array.from(clean.inputs));
  });

  it('spiral without noise: two arms of radius up to 5, point-symmetric to each other', () => {
    const d = builtin('spiral', { noise: 0, n: 400 });
    for (let i = 0; i < d.count; i += 2) {
      const [x0, y0] = row(d, i); // class 0, rank i/2: the arm starting at π
      const [x1, y1] = row(d, i + 1); // class 1, same rank: the arm starting at 0
      expect(Math.hypot(x0, y0)).toBeLessThan(5 + 1e-6);
      expect(x0).toBeCloseTo(-x1, 5);
      expect(y0).toBeCloseTo(-y1, 5);
    }
  });

  it('moons without noise lie on their half circles around (±0.5, ∓0.25)', () => {
    const d = builtin('moons', { noise: 0 });
    for (let i = 0; i < d.count; i++) {
      const [x, y] = row(d, i);
      const upper = classOf(d, i) === 0;
      const [cx, cy] = upper ? [-0.5, -0.25] : [0.5, 0.25];
      expect(Math.hypot(x - cx, y - cy)).toBeCloseTo(1, 5);
      expect(upper ? y >= cy - 1e-6 : y <= cy + 1e-6).toBe(true);
      expect(Math.abs(x)).toBeLessThanOrEqual(1.5 + 1e-6);
    }
  });

  it('gaussians: class means near (2, 2) and (−2, −2), spread growing with noise', () => {
    const spread = (noise: number): { means: number[][]; sd: number } => {
      const d = builtin('gaussians', { noise, n: 4000 });
      const sums = [
        [0, 0],
        [0, 0],
      ];
      let squares = 0;
      for (let i = 0; i < d.count; i++) {
        const c = classOf(d, i);
        const [x, y] = row(d, i);
        sums[c][0] += x;
        sums[c][1] += y;
        const centre = c === 1 ? 2 : -2;
        squares += (x - centre) ** 2 + (y - centre) ** 2;
      }
      return { means: sums.map(([x, y]) => [x / 2000, y / 2000]), sd: Math.sqrt(squares / (2 * d.count)) };
    };
    const low = spread(0);
    expect(low.means[1][0]).toBeCloseTo(2, 1);
    expect(low.means[1][1]).toBeCloseTo(2, 1);
    expect(low.means[0][0]).toBeCloseTo(-2, 1);
    expect(low.sd).toBeCloseTo(Math.sqrt(0.5), 1);
    expect(spread(0.5).sd).toBeCloseTo(2, 1); // variance 0.5 + 7·0.5 = 4
  });

  it('bad n= and noise= say what range is allowed', () => {
    expect(dataError(() => builtin('circle', { n: 1 })).message).toBe("'circle': n=1 is not a whole number of samples from 2 to 1,000,000");
    expect(dataError(() => builtin('spiral', { n: 10.5 })).message).toContain('n=10.5 is not a whole number');
    expect(dataError(() => builtin('moons', { n: 2_000_000 })).message).toContain('from 2 to 1,000,000');
    expect(dataError(() => builtin('gaussians', { noise: -1 })).message).toBe(
      "'gaussians': noise=-1 must be a number ≥ 0 (the default is 0.1; spread: variance 0.5 + 7 × noise around each centre)",
    );
    expect(dataError(() => builtin('circle', { noise: Number.NaN })).message).toContain('noise=NaN must be a number ≥ 0');
  });
});

describe('sine', () => {
  it('is a regression of sin(x) for x in [−π, π], 200 samples by default', () => {
    const d = builtin('sine');
    expect(d).toMatchObject({ name: 'sine', count: 200, inputSize: 1, outputSize: 1, task: 'regression' });
    expect(d.classNames).toBeUndefined();
    for (let i = 0; i < d.count; i++) {
      expect(Math.abs(d.inputs[i])).toBeLessThanOrEqual(Math.PI);
      expect(d.targets[i]).toBeCloseTo(Math.sin(d.inputs[i]), 5);
    }
    // Spread over the whole interval, not bunched.
    expect(Math.min(...d.inputs)).toBeLessThan(-2.8);
    expect(Math.max(...d.inputs)).toBeGreaterThan(2.8);
  });

  it('noise= adds Gaussian noise of that standard deviation', () => {
    const d = builtin('sine', { noise: 0.2, n: 5000 });
    let squares = 0;
    for (let i = 0; i < d.count; i++) squares += (d.targets[i] - Math.sin(d.inputs[i])) ** 2;
    expect(Math.sqrt(squares / d.count)).toBeCloseTo(0.2, 1);
  });

  it('is deterministic per seed', () => {
    expect(Array.from(builtin('sine', { noise: 0.1 }).targets)).toEqual(Array.from(builtin('sine', { noise: 0.1 }).targets));
    expect(Array.from(builtin('sine', {}, { seed: 1 }).inputs)).not.toEqual(Array.from(builtin('sine').inputs));
  });
});

describe('loadDataset', () => {
  it('refuses a data statement of a kind it does not know, with a DataError', () => {
    const bogus = { kind: 'sql', range } as unknown as DataSpec;
    expect(dataError(() => loadDataset(bogus, ctx())).message).toBe("unknown kind of data 'sql'");
  });
});

describe('describeDataset', () => {
  it('says name, count, widths and the kind of targets in one line', () => {
    expect(describeDataset(builtin('xor'))).toBe('xor: 4 samples, 2 inputs, 2 classes (binary: 0/1)');
    expect(describeDataset(builtin('circle', {}, { outputSize: 2 }))).toBe('circle: 200 samples, 2 inputs, 2 classes');
    expect(describeDataset(builtin('sine', { n: 1 }))).toBe('sine: 1 sample, 1 input, 1 output (regression)');
  });
});
