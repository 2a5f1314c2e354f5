/**
 * The initialisations: how a layer's weights start, each with its distribution beside its code.
 * fan_in = the layer's inputs (k), fan_out = its units (j). Biases start at 0 for every scheme.
 *
 * Draws come from one seeded generator (`Random.derive(seed, 'init')`), layer by layer, each
 * layer's weights in row-major order, so the same spec and seed give the same weights.
 */
import type { InitSpec } from '../spec';
import type { Random } from '../random';

export interface Initialiser {
  readonly kind: InitSpec['kind'];
  /** The distribution, as docs and hovers show it. */
  readonly formula: string;
  /** Fills `weights` (units × inputs) for a layer with the given fans. */
  fill(weights: Float32Array, fanIn: number, fanOut: number, random: Random, init: InitSpec): void;
}

const INITIALISERS: Readonly<Record<InitSpec['kind'], Initialiser>> = Object.freeze({
  // xavier (Glorot uniform): w ~ U(−r, r), r = √(6 / (fan_in + fan_out))
  xavier: {
    kind: 'xavier',
    formula: 'w ~ U(−r, r), r = √(6 / (fan_in + fan_out))',
    fill(weights, fanIn, fanOut, random) {
      const r = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < weights.length; i++) weights[i] = random.uniform(-r, r);
    },
  },
  // he (Kaiming normal): w ~ N(0, σ²), σ = √(2 / fan_in)
  he: {
    kind: 'he',
    formula: 'w ~ N(0, σ²), σ = √(2 / fan_in)',
    fill(weights, fanIn, _fanOut, random) {
      const sd = Math.sqrt(2 / fanIn);
      for (let i = 0; i < weights.length; i++) weights[i] = random.normal(0, sd);
    },
  },
  // uniform: w ~ U(−r, r), r = 1 / √fan_in
  uniform: {
    kind: 'uniform',
    formula: 'w ~ U(−r, r), r = 1 / √fan_in',
    fill(weights, fanIn, _fanOut, random) {
      const r = 1 / Math.sqrt(fanIn);
      for (let i = 0; i < weights.length; i++) weights[i] = random.uniform(-r, r);
    },
  },
  // normal: w ~ N(0, σ²), σ = 1 / √fan_in
  normal: {
    kind: 'normal',
    formula: 'w ~ N(0, σ²), σ = 1 / √fan_in',
    fill(weights, fanIn, _fanOut, random) {
      const sd = 1 / Math.sqrt(fanIn);
      for (let i = 0; i < weights.length; i++) weights[i] = random.normal(0, sd);
    },
  },
  // const V: w = V (no draws)
  const: {
    kind: 'const',
    formula: 'w = V',
    fill(weights, _fanIn, _fanOut, _random, init) {
      weights.fill(init.kind === 'const' ? init.value : 0);
    },
  },
});

export function initialiser(kind: InitSpec['kind']): Initialiser {
  const found = INITIALISERS[kind];
  if (!found) throw new Error(`unknown initialisation '${kind}'`);
  return found;
}
