/**
 * The engine's gradients against two independent oracles: reverse-mode autodiff on float64
 * scalars (test/support/autodiff.ts) and central finite differences of the float64 cost, for every
 * legal output activation × cost, depths 1–4, with and without L2, with bias=false layers, on
 * batches of several samples. Also the float64 reference backprop (reference.ts) against the same
 * oracle, since other tests lean on it.
 */
import { describe, expect, it } from 'vitest';
import type { Activation, LossName } from '../../src/core/spec';
import { Random } from '../../src/core/random';
import { createTrainer, gradientCheck, jsKernels, ReferenceNetwork } from '../../src/core/engine/index';
import { oracleCost, oracleGradient, type OracleLayer } from '../support/autodiff';
import { closeTo, makeDataset, makeSpec, oracleLayers, prepare, randomSamples, type LayerOptions } from '../support/engineFixtures';

const LEGAL: [LossName, Activation][] = [
  ['mse', 'identity'],
  ['mse', 'sigmoid'],
  ['mse', 'tanh'],
  ['mse', 'relu'],
  ['mse', 'leaky_relu'],
  ['mse', 'softmax'],
  ['bce', 'sigmoid'],
  ['bce', 'softmax'],
  ['cce', 'softmax'],
];
const HIDDEN: Activation[] = ['tanh', 'sigmoid', 'relu', 'leaky_relu', 'identity'];
const WIDTHS = [4, 3, 5];

interface Case {
  name: string;
  loss: LossName;
  layers: LayerOptions[];
  l2: number;
  seed: number;
}

const cases: Case[] = [];
let seed = 100;
for (const [loss, output] of LEGAL) {
  for (let depth = 1; depth <= 4; depth++) {
    for (const l2 of [0, 0.03]) {
      const layers: LayerOptions[] = [];
      for (let l = 0; l < depth - 1; l++) {
        // bias=false on the first hidden layer of odd depths
        layers.push({ units: WIDTHS[l], activation: HIDDEN[(l + depth) % HIDDEN.length], bias: !(l === 0 && depth % 2 === 1) });
      }
      // and on the output layer of the depth-2 cases
      layers.push({ units: 3, activation: output, bias: depth !== 2 });
      const shape = layers.map((l) => `${l.units} ${l.activation}${l.bias ? '' : ' nobias'}`).join(', ');
      cases.push({ name: `${loss} / ${output}, depth ${depth} [${shape}]${l2 ? ', l2' : ''}`, loss, layers, l2, seed: seed++ });
    }
  }
}

const SAMPLES = 6;
const INPUTS = 3;

function setUp(c: Case) {
  const random = new Random(c.seed);
  const samples = randomSamples(random, SAMPLES, INPUTS, 3, c.loss);
  const spec = makeSpec(INPUTS, c.layers, { loss: c.loss, l2: c.l2, seed: c.seed, init: { kind: 'normal' }, rate: 0.05, batch: 'full' });
  const data = prepare(spec, makeDataset(samples));
  const trainer = createTrainer(spec, data, { kernels: jsKernels() });
  // Samples as the trainer sees them (float32 values, same order: no validation split).
  const seen = samples.map((s) => ({ x: s.x, y: s.y }));
  return { spec, trainer, samples: seen };
}

/** Central differences of the oracle's float64 cost, for every parameter. */
function finiteDifferences(layers: OracleLayer[], loss: LossName, l2: number, samples: { x: number[]; y: number[] }[]) {
  const h = 1e-6;
  const at = (): number => oracleCost(layers, loss, l2, samples);
  const diff = (get: () => number, set: (v: number) => void): number => {
    const saved = get();
    set(saved + h);
    const plus = at();
    set(saved - h);
    const minus = at();
    set(saved);
    return (plus - minus) / (2 * h);
  };
  const dW = layers.map((layer) => layer.weights.map((row) => row.map((_, k) => diff(() => row[k], (v) => (row[k] = v)))));
  const db = layers.map((layer) => layer.biases.map((_, j) => (layer.bias ? diff(() => layer.biases[j], (v) => (layer.biases[j] = v)) : 0)));
  return { dW, db };
}

describe('engine gradients = autodiff = central finite differences', () => {
  it('covers every legal activation × cost at depths 1–4, with and without L2 and bias', () => {
    expect(cases.length).toBe(LEGAL.length * 4 * 2);
    expect(cases.some((c) => c.layers.some((l) => l.bias === false))).toBe(true);
  });

  for (const c of cases) {
    it(c.name, () => {
      const { spec, trainer, samples } = setUp(c);
      const layers = oracleLayers(spec, trainer.getWeights());
      const oracle = oracleGradient(layers, c.loss, c.l2, samples);
      const numeric = finiteDifferences(structuredClone(layers), c.loss, c.l2, samples);
      const engine = trainer.fullGradient();

      expect(engine.loss).toBeCloseTo(oracle.cost, 5);
      spec.layers.forEach((layer, l) => {
        const where = `layer ${l + 1}`;
        // the oracle against finite differences (float64 both: tight)
        expect(closeTo(oracle.dW[l].flat(), numeric.dW[l].flat(), 1e-7, 1e-5), `${where} dW autodiff vs FD`).toBeNull();
        expect(closeTo(oracle.db[l], numeric.db[l], 1e-7, 1e-5), `${where} db autodiff vs FD`).toBeNull();
        // the engine (float32, batched) against both
        expect(closeTo(engine.dW[l], oracle.dW[l].flat(), 1e-5, 1e-4), `${where} dW engine vs autodiff`).toBeNull();
        expect(closeTo(engine.db[l], oracle.db[l], 1e-5, 1e-4), `${where} db engine vs autodiff`).toBeNull();
        expect(closeTo(engine.dW[l], numeric.dW[l].flat(), 1e-5, 1e-4), `${where} dW engine vs FD`).toBeNull();
        expect(closeTo(engine.db[l], numeric.db[l], 1e-5, 1e-4), `${where} db engine vs FD`).toBeNull();
        if (!layer.bias) expect(Array.from(engine.db[l]).every((b) => b === 0), `${where}: bias=false has no bias gradient`).toBe(true);
      });

      // The float64 reference backprop agrees with the oracle to rounding.
      const reference = ReferenceNetwork.fromWeights(spec, trainer.getWeights()).meanGradient(samples);
      expect(reference.loss).toBeCloseTo(oracle.cost, 10);
      spec.layers.forEach((_, l) => {
        expect(closeTo(reference.nablaW[l], oracle.dW[l].flat(), 1e-12, 1e-9), `reference layer ${l + 1} dW`).toBeNull();
        expect(closeTo(reference.nablaB[l], oracle.db[l], 1e-12, 1e-9), `reference layer ${l + 1} db`).toBeNull();
      });

      // One step on the whole batch: gradWeights is the same gradient, and w ← w − η ∂C/∂w.
      const before = trainer.getWeights();
      const result = trainer.stepOnce();
      expect(result.batchSize).toBe(SAMPLES);
      expect(result.loss).toBeCloseTo(oracle.cost, 5);
      trainer.layers.forEach((view, l) => {
        expect(closeTo(view.gradWeights, oracle.dW[l].flat(), 1e-5, 1e-4), `layer ${l + 1} gradWeights`).toBeNull();
        expect(closeTo(view.gradBiases, oracle.db[l], 1e-5, 1e-4), `layer ${l + 1} gradBiases`).toBeNull();
        const expected = before.layers[l].weights.flat().map((w, i) => w - 0.05 * oracle.dW[l].flat()[i]);
        expect(closeTo(view.weights, expected, 1e-6, 1e-5), `layer ${l + 1} weights after the step`).toBeNull();
        const expectedB = before.layers[l].biases.map((b, j) => b - 0.05 * oracle.db[l][j]);
        expect(closeTo(view.biases, expectedB, 1e-6, 1e-5), `layer ${l + 1} biases after the step`).toBeNull();
      });
    });
  }
});

describe('gradientCheck (the Check Gradients command)', () => {
  it('reports small errors per layer for a correct backprop', () => {
    const spec = makeSpec(4, [{ units: 6, activation: 'tanh' }, { units: 5, activation: 'relu' }, { units: 3, activation: 'softmax' }], {
      loss: 'cce',
      l2: 0.01,
      seed: 3,
    });
    const samples = randomSamples(new Random(9), 40, 4, 3, 'cce');
    const trainer = createTrainer(spec, prepare(spec, makeDataset(samples, 'classification')), { kernels: jsKernels() });
    trainer.stepEpoch();
    const report = gradientCheck(trainer, { samples: 20, perLayer: 12 });
    expect(report.map((r) => r.index)).toEqual([1, 2, 3]);
    for (const layer of report) {
      expect(layer.checked).toBeGreaterThan(12); // 12 weights + biases
      expect(layer.maxRelativeError).toBeLessThan(1e-3);
      expect(layer.maxAbsoluteError).toBeLessThan(1e-5);
      expect(layer.worst).not.toBeNull();
    }
  });

  it('catches a wrong gradient: a corrupted weight gradient shows as a large error in its layer', () => {
    const spec = makeSpec(2, [{ units: 3, activation: 'sigmoid' }, { units: 1, activation: 'sigmoid' }], { loss: 'bce', seed: 5 });
    const samples = randomSamples(new Random(2), 8, 2, 1, 'bce');
    const trainer = createTrainer(spec, prepare(spec, makeDataset(samples, 'binary')), { kernels: jsKernels() });
    // A trainer whose backprop doubles layer 2's weight gradient: gradientCheck must notice.
    const broken = Object.create(trainer) as typeof trainer;
    broken.gradientOf = (indices) => {
      const g = trainer.gradientOf(indices);
      g.dW[1] = g.dW[1].map((v) => 2 * v);
      return g;
    };
    const report = gradientCheck(broken);
    expect(report[0].maxRelativeError).toBeLessThan(1e-3);
    expect(report[1].maxRelativeError).toBeGreaterThan(0.3);
  });
});

describe('fused output deltas hold beyond one-hot targets', () => {
  it.each([
    ['cce', 'softmax', [[0.2, 0.5, 0.3], [0.5, 0.9, 0], [0, 0, 0]]],
    ['bce', 'sigmoid', [[0.2, 0.5, 0.3], [0.5, 0.9, 0], [1, 1, 1]]],
  ] as const)('%s + %s with soft targets (δ^L = a Σy − y, δ^L = a − y)', (loss, output, targets) => {
    const samples = targets.map((y, i) => ({ x: [0.3 * i - 0.4, 0.7 - 0.2 * i], y: [...y] }));
    const spec = makeSpec(2, [{ units: 4, activation: 'tanh' }, { units: 3, activation: output }], { loss, seed: 12, init: { kind: 'normal' } });
    const trainer = createTrainer(spec, prepare(spec, makeDataset(samples)), { kernels: jsKernels() });
    const oracle = oracleGradient(oracleLayers(spec, trainer.getWeights()), loss, 0, samples);
    const engine = trainer.fullGradient();
    expect(engine.loss).toBeCloseTo(oracle.cost, 5);
    spec.layers.forEach((_, l) => {
      expect(closeTo(engine.dW[l], oracle.dW[l].flat(), 1e-5, 1e-4), `layer ${l + 1} dW`).toBeNull();
      expect(closeTo(engine.db[l], oracle.db[l], 1e-5, 1e-4), `layer ${l + 1} db`).toBeNull();
    });
  });
});
