/**
 * Dropout (`dense N ACT dropout=p`): inverted dropout on the layer's output while training.
 * Same seed, same masks; nothing dropped outside training steps; the step's gradient with its
 * masks is the gradient of the masked cost (reference.ts with the same masks, and central finite
 * differences of it).
 */
import { describe, expect, it } from 'vitest';
import { createTrainer } from '../../src/core/engine/trainer';
import { jsKernels } from '../../src/core/engine/jsKernels';
import { wasmKernels } from '../../src/core/engine/wasmKernels';
import type { Kernels } from '../../src/core/engine/kernels';
import { ReferenceNetwork, type ReferenceSample } from '../../src/core/engine/reference';
import { Random } from '../../src/core/random';
import type { NetworkSpec } from '../../src/core/spec';
import { closeTo, makeDataset, makeSpec, prepare, randomSamples } from '../support/engineFixtures';

const BACKENDS: [string, () => Kernels][] = [
  ['js', jsKernels],
  ['wasm', () => wasmKernels()!],
];

function dropoutSpec(seed: number, p = 0.5, extra: Parameters<typeof makeSpec>[2] = {}): NetworkSpec {
  return makeSpec(
    3,
    [
      { units: 8, activation: 'tanh', dropout: p },
      { units: 6, activation: 'sigmoid', dropout: p / 2 },
      { units: 2, activation: 'sigmoid' },
    ],
    { seed, batch: 'full', epochs: 3, rate: 0.5, init: { kind: 'normal' }, ...extra },
  );
}

const SAMPLES = randomSamples(new Random(4), 10, 3, 2, 'mse');

function make(spec: NetworkSpec, kernels: Kernels = jsKernels()) {
  return createTrainer(spec, prepare(spec, makeDataset(SAMPLES)), { kernels });
}

describe('dropout', () => {
  for (const [name, kernels] of BACKENDS) {
    it(`${name}: same seed, same masks; another seed, other masks; values 0 or 1/(1 − p)`, () => {
      const a = make(dropoutSpec(7), kernels());
      const b = make(dropoutSpec(7), kernels());
      const c = make(dropoutSpec(8), kernels());
      for (let step = 0; step < 3; step++) {
        a.stepOnce();
        b.stepOnce();
        c.stepOnce();
        expect(Array.from(a.dropoutMask(1)!)).toEqual(Array.from(b.dropoutMask(1)!));
        expect(Array.from(a.dropoutMask(2)!)).toEqual(Array.from(b.dropoutMask(2)!));
        expect(Array.from(a.dropoutMask(1)!)).not.toEqual(Array.from(c.dropoutMask(1)!));
      }
      expect(a.getWeights()).toEqual(b.getWeights());
      expect(a.dropoutMask(3)).toBeNull();
      const mask = a.dropoutMask(1)!;
      expect(mask.length).toBe(10 * 8);
      for (const value of mask) expect([0, 2]).toContain(value);
      for (const value of a.dropoutMask(2)!) expect([0, Math.fround(1 / 0.75)]).toContain(value);
    });
  }

  it('drops about p of the outputs', () => {
    const spec = makeSpec(3, [{ units: 100, activation: 'relu', dropout: 0.3 }, { units: 2, activation: 'sigmoid' }], { seed: 3, batch: 'full' });
    const trainer = make(spec);
    let dropped = 0;
    let count = 0;
    for (let step = 0; step < 20; step++) {
      trainer.stepOnce();
      for (const value of trainer.dropoutMask(1)!) {
        count++;
        if (value === 0) dropped++;
      }
    }
    expect(dropped / count).toBeGreaterThan(0.27);
    expect(dropped / count).toBeLessThan(0.33);
  });

  it('drops nothing in evaluation, prediction, trace(index) and the gradients', () => {
    const withDropout = make(dropoutSpec(5));
    withDropout.stepOnce();
    withDropout.stepOnce();
    const plainSpec = dropoutSpec(5, 0);
    const plain = make(plainSpec);
    plain.setWeights(withDropout.getWeights());
    expect(withDropout.evaluate('train')).toEqual(plain.evaluate('train'));
    expect(Array.from(withDropout.predict([0.1, -0.2, 0.3]))).toEqual(Array.from(plain.predict([0.1, -0.2, 0.3])));
    const [t1, t2] = [withDropout.trace(3), plain.trace(3)];
    expect(t1.activations.map((a) => Array.from(a))).toEqual(t2.activations.map((a) => Array.from(a)));
    const [g1, g2] = [withDropout.fullGradient(), plain.fullGradient()];
    expect(g1.loss).toBe(g2.loss);
    g1.dW.forEach((dW, l) => expect(Array.from(dW)).toEqual(Array.from(g2.dW[l])));
  });

  for (const [name, kernels] of BACKENDS) {
    it(`${name}: the step's gradient with its masks equals reference.ts with those masks and finite differences`, () => {
      const spec = dropoutSpec(9, 0.4, { rate: 1e-9 });
      const trainer = make(spec, kernels());
      const before = trainer.getWeights();
      const result = trainer.stepOnce();
      // Batch full: row b of the batch is sample order[b] of the first epoch's shuffle.
      const order = Int32Array.from({ length: SAMPLES.length }, (_, i) => i);
      Random.derive(spec.seed, 'shuffle').shuffle(order);
      const masks = spec.layers.map((_, l) => trainer.dropoutMask(l + 1));
      const samples: ReferenceSample[] = Array.from(order, (i, b) => ({
        x: trainer.data.train.inputs.subarray(i * 3, i * 3 + 3),
        y: trainer.data.train.targets.subarray(i * 2, i * 2 + 2),
        masks: masks.map((mask, l) => (mask === null ? null : mask.subarray(b * spec.layers[l].units, (b + 1) * spec.layers[l].units))),
      }));
      const net = ReferenceNetwork.fromWeights(spec, before);
      const exact = net.meanGradient(samples);
      expect(Math.abs(result.loss - exact.loss)).toBeLessThan(1e-6);
      const h = 1e-6;
      net.layers.forEach((layer, l) => {
        const numeric = new Float64Array(layer.weights.length);
        for (let i = 0; i < layer.weights.length; i++) {
          const w = layer.weights[i];
          layer.weights[i] = w + h;
          const plus = net.meanCost(samples);
          layer.weights[i] = w - h;
          const minus = net.meanCost(samples);
          layer.weights[i] = w;
          numeric[i] = (plus - minus) / (2 * h);
        }
        const step = trainer.layers[l].gradWeights;
        expect(closeTo(exact.nablaW[l], numeric, 1e-7, 1e-5), `reference vs finite differences, layer ${l + 1}`).toBeNull();
        expect(closeTo(step, exact.nablaW[l], 1e-6, 1e-4), `trainer vs reference, layer ${l + 1}`).toBeNull();
        expect(closeTo(trainer.layers[l].gradBiases, exact.nablaB[l], 1e-6, 1e-4), `biases, layer ${l + 1}`).toBeNull();
      });
      // The masks matter: without them the gradient is another one.
      const unmasked = net.meanGradient(samples.map(({ x, y }) => ({ x, y })));
      expect(closeTo(trainer.layers[0].gradWeights, unmasked.nablaW[0], 1e-6, 1e-4)).not.toBeNull();
    });
  }

  it('refuses dropout on the output layer', () => {
    const spec = makeSpec(3, [{ units: 3, activation: 'tanh' }, { units: 2, activation: 'sigmoid', dropout: 0.2 }]);
    expect(() => make(spec)).toThrow(/dropout on the output layer \(layer 2\)/);
  });
});
