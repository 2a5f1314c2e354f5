/**
 * The benchmark's data, identical for every engine:
 *   synthetic   10,000 MNIST-shaped samples (784 values in [0, 1], one-hot over 10 classes), seeded:
 *               each class is a noisy blob pattern, so the networks have something to learn, and
 *               about 20% of the pixels are non-zero, like real digits.
 *   digits      the built-in 10,000 real MNIST digits (media/data/digits.bin, via src/core/data):
 *               8,000 to train on, 2,000 held out for the accuracy check.
 *   circle      400 points of the built-in `circle` set (2 inputs, 1 target in {0, 1}), for network D.
 */
import { join } from 'node:path';
import { loadDataset } from '../src/core/data';
import type { Dataset } from '../src/core/data/types';
import { Random } from '../src/core/random';

export interface BenchData {
  name: string;
  count: number;
  inputSize: number;
  outputSize: number;
  /** count × inputSize, row-major. */
  inputs: Float32Array;
  /** count × outputSize, row-major (one-hot for classes). */
  targets: Float32Array;
  /** Class index of each sample (argmax of its target row). */
  labels: Int32Array;
}

export function fromDataset(data: Dataset, from = 0, to = data.count): BenchData {
  const { inputSize, outputSize } = data;
  const count = to - from;
  const inputs = data.inputs.slice(from * inputSize, to * inputSize);
  const targets = data.targets.slice(from * outputSize, to * outputSize);
  return { name: data.name, count, inputSize, outputSize, inputs, targets, labels: labelsOf(targets, count, outputSize) };
}

function labelsOf(targets: Float32Array, count: number, outputs: number): Int32Array {
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let j = 1; j < outputs; j++) if (targets[i * outputs + j] > targets[i * outputs + best]) best = j;
    labels[i] = best;
  }
  return labels;
}

export function syntheticMnist(count = 10_000, seed = 6): BenchData {
  const random = new Random(seed);
  const inputSize = 784;
  const outputSize = 10;
  // One prototype per class: a few bright blobs on the 28 × 28 grid.
  const prototypes: Float32Array[] = [];
  for (let c = 0; c < outputSize; c++) {
    const image = new Float32Array(inputSize);
    for (let blob = 0; blob < 4; blob++) {
      const cy = 6 + random.uniform(0, 16);
      const cx = 6 + random.uniform(0, 16);
      for (let y = 0; y < 28; y++)
        for (let x = 0; x < 28; x++) {
          const d2 = (y - cy) ** 2 + (x - cx) ** 2;
          image[y * 28 + x] = Math.max(image[y * 28 + x], Math.exp(-d2 / 8));
        }
    }
    prototypes.push(image);
  }
  const inputs = new Float32Array(count * inputSize);
  const targets = new Float32Array(count * outputSize);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = random.int(outputSize);
    labels[i] = c;
    targets[i * outputSize + c] = 1;
    const dy = random.int(5) - 2;
    const dx = random.int(5) - 2;
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        const sy = y - dy;
        const sx = x - dx;
        const base = sy >= 0 && sy < 28 && sx >= 0 && sx < 28 ? prototypes[c][sy * 28 + sx] : 0;
        const v = base * random.uniform(0.6, 1.1) + (random.next() < 0.03 ? random.next() : 0);
        inputs[i * inputSize + y * 28 + x] = v < 0.1 ? 0 : Math.min(1, v);
      }
  }
  return { name: 'synthetic MNIST-shaped', count, inputSize, outputSize, inputs, targets, labels };
}

/** The real digits, split 8,000 / 2,000; throws naming the build step when they are not built. */
export function digits(assetsDir: string): { train: BenchData; test: BenchData } {
  const data = loadDataset({ kind: 'builtin', name: 'digits', range: emptyRange }, { baseDir: '.', assetsDir, seed: 1, outputSize: 10 });
  const split = Math.round(data.count * 0.8);
  return { train: fromDataset(data, 0, split), test: fromDataset(data, split, data.count) };
}

export function circle(count = 400): BenchData {
  const data = loadDataset({ kind: 'builtin', name: 'circle', n: count, range: emptyRange }, { baseDir: '.', assetsDir: 'media', seed: 3, outputSize: 1 });
  return fromDataset(data);
}

export function mediaDir(): string {
  return join(process.cwd(), 'media');
}

const emptyRange = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
