/**
 * The built-in data sets that need no file: truth tables, TensorFlow-Playground-style 2-D
 * classification sets, and a sine for regression. (`digits` reads a built file: see digits.ts.)
 *
 * Every random set draws from `Random.derive(seed, 'data:NAME')`, so the same seed gives the
 * same samples on every machine, independent of anything else that uses the seed.
 *
 * The 2-class sets alternate classes: sample i belongs to class i mod 2 (class 0 gets the odd
 * one out when n is odd), so any prefix is balanced. Their targets are one column 0/1
 * (task 'binary'), or one-hot in two columns (task 'classification') when the network has two
 * outputs (ctx.outputSize === 2). The truth tables follow the same rule.
 */
import type { BuiltinDataName } from '../spec';
import { Random } from '../random';
import { classTargets } from './targets';
import { DataError, type DataContext, type Dataset } from './types';

/** Largest n= a generated set accepts. */
export const MAX_GENERATED_SAMPLES = 1_000_000;

export interface GeneratedSetInfo {
  /** Samples when n= is not given. */
  n: number;
  /** noise= when not given. */
  noise: number;
  /** What noise= means for this set, for docs and hovers. */
  noiseMeaning: string;
  /** Approximate input range of each coordinate at the default noise. */
  range: [number, number];
  /** classNames[c] names target c (binary sets). */
  classNames?: [string, string];
}

/** Defaults and documentation of the sets that take n= and noise=. */
export const GENERATED_SETS: Record<'circle' | 'spiral' | 'moons' | 'gaussians' | 'sine', GeneratedSetInfo> = {
  circle: {
    n: 200,
    noise: 0.05,
    noiseMeaning: 'each coordinate moves by uniform(−5, 5) × noise',
    range: [-5, 5],
    classNames: ['outside', 'inside'],
  },
  spiral: {
    n: 200,
    noise: 0.1,
    noiseMeaning: 'each coordinate moves by uniform(−1, 1) × noise',
    range: [-5, 5],
    classNames: ['arm 0', 'arm 1'],
  },
  moons: {
    n: 200,
    noise: 0.1,
    noiseMeaning: 'standard deviation of the Gaussian added to each coordinate',
    range: [-1.5, 1.5],
    classNames: ['upper moon', 'lower moon'],
  },
  gaussians: {
    n: 200,
    noise: 0.1,
    noiseMeaning: 'spread: variance 0.5 + 7 × noise around each centre',
    range: [-6, 6],
    classNames: ['around (−2, −2)', 'around (2, 2)'],
  },
  sine: {
    n: 200,
    noise: 0,
    noiseMeaning: 'standard deviation of the Gaussian added to sin(x)',
    range: [-Math.PI, Math.PI],
  },
};

const TRUTH_TABLES: Record<'xor' | 'and' | 'or', (a: number, b: number) => number> = {
  xor: (a, b) => a ^ b,
  and: (a, b) => a & b,
  or: (a, b) => a | b,
};

/**
 * Any built-in set but `digits`.
 * - `xor`, `and`, `or`: rows (0,0), (0,1), (1,0), (1,1) in that order; no n= or noise=.
 * - `circle`: class 1 ("inside") uniform in the disc of radius 2.5, class 0 ("outside") in the ring
 *   of radii 3.5..5, as in TensorFlow Playground; inputs in [−5, 5] (+ noise).
 * - `spiral`: two interleaved arms of 1.75 turns out to radius 5 (Playground's); class 1 is the arm
 *   starting at angle 0, class 0 the one starting at π; inputs in [−5, 5] (+ noise).
 * - `moons`: scikit-learn's two half-moons, moved to centre on the origin: class 0 the upper moon
 *   (cos t − 0.5, sin t − 0.25), class 1 the lower (0.5 − cos t, 0.25 − sin t), t ∈ [0, π];
 *   inputs about [−1.5, 1.5] × [−0.75, 0.75] (+ noise).
 * - `gaussians`: Playground's two Gaussian blobs, class 1 around (2, 2), class 0 around (−2, −2);
 *   inputs about [−6, 6].
 * - `sine`: regression, x uniform in [−π, π], y = sin x (+ Gaussian noise); 1 input, 1 output.
 */
export function generateBuiltin(
  spec: { name: Exclude<BuiltinDataName, 'digits'>; n?: number; noise?: number },
  ctx: Pick<DataContext, 'seed' | 'outputSize'>,
): Dataset {
  const { name } = spec;
  if (name === 'xor' || name === 'and' || name === 'or') {
    if (spec.n !== undefined || spec.noise !== undefined) {
      throw new DataError(`'${name}' is its 4-row truth table: it takes no ${spec.n !== undefined ? 'n=' : 'noise='} option`);
    }
    const inputs = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
    const classes = [0, 1, 2, 3].map((row) => TRUTH_TABLES[name](row >> 1, row & 1));
    return twoClassSet(name, inputs, classes, ctx.outputSize, ['0', '1']);
  }

  const info = GENERATED_SETS[name];
  const n = spec.n ?? info.n;
  const noise = spec.noise ?? info.noise;
  const minimum = name === 'sine' ? 1 : 2;
  if (!Number.isInteger(n) || n < minimum || n > MAX_GENERATED_SAMPLES) {
    throw new DataError(
      `'${name}': n=${n} is not a whole number of samples from ${minimum} to ${MAX_GENERATED_SAMPLES.toLocaleString('en-US')}`,
    );
  }
  if (!Number.isFinite(noise) || noise < 0) {
    throw new DataError(`'${name}': noise=${noise} must be a number ≥ 0 (the default is ${info.noise}; ${info.noiseMeaning})`);
  }
  const random = Random.derive(ctx.seed, `data:${name}`);

  if (name === 'sine') {
    const inputs = new Float32Array(n);
    const targets = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const x = random.uniform(-Math.PI, Math.PI);
      inputs[i] = x;
      targets[i] = Math.sin(x) + (noise > 0 ? random.normal(0, noise) : 0);
    }
    return { name, count: n, inputSize: 1, outputSize: 1, inputs, targets, task: 'regression' };
  }

  const inputs = new Float32Array(n * 2);
  const classes = new Array<number>(n);
  // Per class: how many samples it has, for the sets laid out along a curve.
  const perClass = [Math.ceil(n / 2), Math.floor(n / 2)];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const rank = i >> 1; // this sample's position within its class, 0 .. perClass[label]−1
    const [x, y] = point(name, label, rank, perClass[label], noise, random);
    inputs[2 * i] = x;
    inputs[2 * i + 1] = y;
    classes[i] = label;
  }
  return twoClassSet(name, inputs, classes, ctx.outputSize, info.classNames ?? ['0', '1']);
}

/** One sample of class `label`, the rank-th of `count` in its class. */
function point(
  name: 'circle' | 'spiral' | 'moons' | 'gaussians',
  label: number,
  rank: number,
  count: number,
  noise: number,
  random: Random,
): [number, number] {
  switch (name) {
    case 'circle': {
      const radius = 5;
      const r = label === 1 ? random.uniform(0, radius * 0.5) : random.uniform(radius * 0.7, radius);
      const angle = random.uniform(0, 2 * Math.PI);
      return [r * Math.sin(angle) + random.uniform(-radius, radius) * noise, r * Math.cos(angle) + random.uniform(-radius, radius) * noise];
    }
    case 'spiral': {
      const r = (rank / count) * 5;
      const t = 1.75 * (rank / count) * 2 * Math.PI + (label === 1 ? 0 : Math.PI);
      return [r * Math.sin(t) + random.uniform(-1, 1) * noise, r * Math.cos(t) + random.uniform(-1, 1) * noise];
    }
    case 'moons': {
      const t = count > 1 ? (Math.PI * rank) / (count - 1) : 0;
      const x = label === 0 ? Math.cos(t) - 0.5 : 0.5 - Math.cos(t);
      const y = label === 0 ? Math.sin(t) - 0.25 : 0.25 - Math.sin(t);
      return noise > 0 ? [x + random.normal(0, noise), y + random.normal(0, noise)] : [x, y];
    }
    case 'gaussians': {
      const centre = label === 1 ? 2 : -2;
      const sd = Math.sqrt(0.5 + 7 * noise);
      return [random.normal(centre, sd), random.normal(centre, sd)];
    }
  }
}

function twoClassSet(
  name: string,
  inputs: Float32Array,
  classes: number[],
  outputSize: number | undefined,
  classNames: [string, string],
): Dataset {
  const oneHot = outputSize === 2;
  return {
    name,
    count: classes.length,
    inputSize: 2,
    outputSize: oneHot ? 2 : 1,
    inputs,
    targets: classTargets(classes, oneHot ? 2 : 1),
    task: oneHot ? 'classification' : 'binary',
    classNames: [...classNames],
  };
}
