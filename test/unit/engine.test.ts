/**
 * The trainer's behaviour: the seed's worked examples checked step by step against the hand
 * formulas, XOR, determinism, the batched Float32 path against the float64 reference on shuffled
 * mini-batches, momentum, decay, L2, divergence, the per-layer views, trace, predict, evaluate,
 * initialisation, memory, and the weights file.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/core/random';
import {
  createTrainer,
  DivergenceError,
  ReferenceNetwork,
  type Kernels,
  type Trainer,
} from '../../src/core/engine/index';
import type { NetworkSpec } from '../../src/core/spec';
import { createKernels, type KernelsKind } from '../../src/core/engine/createKernels';
import { closeTo, makeDataset, makeSpec, prepare, randomSamples } from '../support/engineFixtures';

/** Every behaviour below, on the plain JavaScript kernels and on the WebAssembly SIMD ones (with their update hooks). */
for (const kind of ['js', 'wasm'] as const) {
  describe(`${kind} kernels`, () => {
    suite(kind);
  });
}

function suite(kind: KernelsKind): void {
  const js = (): { kernels: Kernels } => ({ kernels: createKernels(kind) });

  // ---------------------------------------------------------------------------
  // The seed's worked example: one weight, a = w·x, points (1.5, 0.5) and (6, 2.1).
  //   C(w) = (1/2) Σ_x ½ (w x − y)²,  ∂C/∂w = (1/2) Σ_x (w x − y) x = 19.125 w − 6.675
  //   least squares: w* = Σxy / Σx² = 13.35 / 38.25

  const POINTS = [
    { x: [1.5], y: [0.5] },
    { x: [6], y: [2.1] },
  ];
  const f32 = Math.fround;
  const SXX = (1.5 * 1.5 + 6 * 6) / 2; // 19.125
  const SXY = (1.5 * 0.5 + 6 * f32(2.1)) / 2; // 6.675 (with y = 2.1 as float32)
  const slope = (w: number): number => SXX * w - SXY;
  const cost = (w: number): number => ((w * 1.5 - 0.5) ** 2 / 2 + (w * 6 - f32(2.1)) ** 2 / 2) / 2;

  function oneWeight(options: Parameters<typeof makeSpec>[2] = {}, bias = false): Trainer {
    const spec = makeSpec(1, [{ units: 1, activation: 'identity', bias, init: { kind: 'const', value: 0.8 } }], {
      loss: 'mse',
      batch: 'full',
      rate: 0.05,
      epochs: 60,
      ...options,
    });
    return createTrainer(spec, prepare(spec, makeDataset(POINTS)), js());
  }

  describe('worked example: one weight, a = w·x', () => {
    it('takes the first steps the hand formula gives', () => {
      const trainer = oneWeight();
      expect(trainer.layers[0].weights[0]).toBeCloseTo(0.8, 7);
      let w = 0.8;
      const first = trainer.stepOnce();
      expect(first.loss).toBeCloseTo(1.945, 6); // (½·0.7² + ½·2.7²) / 2
      expect(trainer.layers[0].gradWeights[0]).toBeCloseTo(8.625, 5); // ((0.7)(1.5) + (2.7)(6)) / 2
      w -= 0.05 * slope(w);
      expect(trainer.layers[0].weights[0]).toBeCloseTo(w, 6); // 0.8 − 0.05 · 8.625 = 0.36875
      expect(w).toBeCloseTo(0.36875, 4);
      for (let t = 2; t <= 4; t++) {
        const result = trainer.stepOnce();
        expect(result.loss).toBeCloseTo(cost(w), 6);
        w -= 0.05 * slope(w);
        expect(trainer.layers[0].weights[0]).toBeCloseTo(w, 6);
        expect(result.step).toBe(t);
        expect(result.epoch).toBe(t - 1); // batch full: one step an epoch
      }
    });

    it('converges to the least-squares w = 13.35/38.25', () => {
      const trainer = oneWeight();
      while (!trainer.done) trainer.stepOnce();
      expect(trainer.epoch).toBe(60);
      expect(trainer.layers[0].weights[0]).toBeCloseTo(13.35 / 38.25, 5);
      expect(trainer.layers[0].biases[0]).toBe(0); // bias=false: stays 0
    });

    it('momentum: v ← μv − η∇C, w ← w + v, two steps by hand', () => {
      const trainer = oneWeight({ momentum: 0.9 });
      let w = 0.8;
      let v = 0;
      for (let t = 0; t < 2; t++) {
        trainer.stepOnce();
        v = 0.9 * v - 0.05 * slope(w);
        w += v;
        expect(trainer.layers[0].weights[0]).toBeCloseTo(w, 6);
        expect(trainer.layers[0].lastDeltaWeights[0]).toBeCloseTo(v, 6);
      }
      // second step: v = 0.9 (−0.43125) − 0.05 slope(0.36875)
      expect(v).toBeCloseTo(-0.9 * 0.43125 - 0.05 * (19.125 * 0.36875 - 6.675), 4);
    });

    it('decay: epoch e uses η·d^e, two epochs by hand', () => {
      const trainer = oneWeight({ decay: 0.5 });
      expect(trainer.rate).toBeCloseTo(0.05, 12);
      const first = trainer.stepOnce();
      expect(first.rate).toBeCloseTo(0.05, 12);
      let w = 0.8 - 0.05 * slope(0.8);
      expect(trainer.layers[0].weights[0]).toBeCloseTo(w, 6);
      expect(trainer.rate).toBeCloseTo(0.025, 12);
      const second = trainer.stepOnce();
      expect(second.rate).toBeCloseTo(0.025, 12);
      w -= 0.025 * slope(w);
      expect(trainer.layers[0].weights[0]).toBeCloseTo(w, 6);
      expect(trainer.rate).toBeCloseTo(0.0125, 12);
    });

    it('L2 adds λw to the weight gradient and (λ/2)w² to the loss, nothing to the bias', () => {
      const trainer = oneWeight({ l2: 0.1 }, true);
      trainer.setWeights({ format: 'nnspec-weights', version: 1, layers: [{ weights: [[0.8]], biases: [0.3]}] });
      // residuals: 0.8·1.5 + 0.3 − 0.5 = 1.0 and 0.8·6 + 0.3 − 2.1 = 3.0
      const result = trainer.stepOnce();
      expect(result.loss).toBeCloseTo((0.5 * 1 + 0.5 * 9) / 2 + 0.05 * 0.64, 5);
      expect(trainer.layers[0].gradWeights[0]).toBeCloseTo((1.0 * 1.5 + 3.0 * 6) / 2 + 0.1 * 0.8, 5);
      expect(trainer.layers[0].gradBiases[0]).toBeCloseTo((1.0 + 3.0) / 2, 5);
      expect(trainer.layers[0].biases[0]).toBeCloseTo(0.3 - 0.05 * 2, 6);
      const plain = oneWeight({}, true);
      plain.setWeights({ format: 'nnspec-weights', version: 1, layers: [{ weights: [[0.8]], biases: [0.3]}] });
      plain.stepOnce();
      expect(plain.layers[0].gradWeights[0]).toBeCloseTo(9.75, 5);
    });
  });

  describe('worked example: a sigmoid unit fitted to x = 1.5 → y = 0.5', () => {
    const spec = makeSpec(1, [{ units: 1, activation: 'sigmoid', bias: false, init: { kind: 'const', value: 0.8 } }], {
      loss: 'mse',
      rate: 2,
      epochs: 120,
    });
    const sigma = (z: number): number => 1 / (1 + Math.exp(-z));

    it('first steps follow w ← w − η (σ(wx) − y) σ(wx)(1 − σ(wx)) x', () => {
      const trainer = createTrainer(spec, prepare(spec, makeDataset([{ x: [1.5], y: [0.5] }])), js());
      let w = 0.8;
      for (let t = 0; t < 3; t++) {
        const a = sigma(1.5 * w);
        const result = trainer.stepOnce();
        expect(result.loss).toBeCloseTo(0.5 * (a - 0.5) ** 2, 7);
        const grad = (a - 0.5) * a * (1 - a) * 1.5;
        expect(trainer.layers[0].gradWeights[0]).toBeCloseTo(grad, 6);
        w -= 2 * grad;
        expect(trainer.layers[0].weights[0]).toBeCloseTo(w, 6);
      }
      // the first gradient: σ(1.2) = 0.76852, (0.26852)(0.17789)(1.5) = 0.07165
      expect(0.8 - w).toBeGreaterThan(0.3);
    });

    it('sends w to 0, where σ(0) = 0.5', () => {
      const trainer = createTrainer(spec, prepare(spec, makeDataset([{ x: [1.5], y: [0.5] }])), js());
      while (!trainer.done) trainer.stepOnce();
      expect(Math.abs(trainer.layers[0].weights[0])).toBeLessThan(1e-4);
      expect(trainer.predict([1.5])[0]).toBeCloseTo(0.5, 5);
    });
  });

  // ---------------------------------------------------------------------------

  const XOR = [
    { x: [0, 0], y: [0] },
    { x: [0, 1], y: [1] },
    { x: [1, 0], y: [1] },
    { x: [1, 1], y: [0] },
  ];

  function xorSpec(seed: number): NetworkSpec {
    return makeSpec(2, [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], {
      loss: 'mse',
      rate: 0.5,
      momentum: 0.9,
      batch: 4,
      epochs: 500,
      seed,
    });
  }

  describe('XOR 2-4-1', () => {
    it('learns XOR to loss < 0.01 and classifies all four points', () => {
      const spec = xorSpec(7);
      const trainer = createTrainer(spec, prepare(spec, makeDataset(XOR, 'binary')), js());
      let metrics;
      while (!trainer.done) metrics = trainer.stepEpoch();
      expect(metrics!.epoch).toBe(499);
      expect(metrics!.train.loss).toBeLessThan(0.01);
      expect(metrics!.train.accuracy).toBe(1);
      for (const { x, y } of XOR) expect(Math.abs(trainer.predict(x)[0] - y[0])).toBeLessThan(0.2);
    });
  });

  describe('determinism', () => {
    function run(seed: number): Float32Array[] {
      const spec = makeSpec(5, [{ units: 8, activation: 'relu', init: { kind: 'he' } }, { units: 3, activation: 'softmax' }], {
        loss: 'cce',
        rate: 0.1,
        momentum: 0.5,
        batch: 4,
        epochs: 3,
        seed,
      });
      const samples = randomSamples(new Random(42), 30, 5, 3, 'cce');
      const trainer = createTrainer(spec, prepare(spec, makeDataset(samples, 'classification')), js());
      while (!trainer.done) trainer.stepOnce();
      return trainer.layers.flatMap((l) => [l.weights.slice(), l.biases.slice()]);
    }
    const bytes = (arrays: Float32Array[]): number[] => arrays.flatMap((a) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)));

    it('the same spec and seed give bit-identical weights', () => {
      expect(bytes(run(11))).toEqual(bytes(run(11)));
    });

    it('a different seed gives different weights', () => {
      expect(bytes(run(11))).not.toEqual(bytes(run(12)));
    });

    it('reset() replays the run exactly', () => {
      const spec = xorSpec(3);
      const trainer = createTrainer(spec, prepare(spec, makeDataset(XOR, 'binary')), js());
      const initial = trainer.getWeights();
      for (let i = 0; i < 25; i++) trainer.stepOnce();
      const after = trainer.getWeights();
      trainer.reset();
      expect(trainer.step).toBe(0);
      expect(trainer.epoch).toBe(0);
      expect(trainer.getWeights()).toEqual(initial);
      for (let i = 0; i < 25; i++) trainer.stepOnce();
      expect(trainer.getWeights()).toEqual(after);
    });
  });

  // ---------------------------------------------------------------------------

  describe('batched Float32 path = float64 reference, on shuffled mini-batches', () => {
    const configs: { name: string; spec: NetworkSpec }[] = [
      {
        name: '4-6-5-3 tanh/sigmoid/softmax, cce, batch 4 of 10 (last batch 2), decay',
        spec: makeSpec(4, [{ units: 6, activation: 'tanh' }, { units: 5, activation: 'sigmoid' }, { units: 3, activation: 'softmax' }], {
          loss: 'cce',
          rate: 0.3,
          decay: 0.9,
          batch: 4,
          epochs: 3,
          seed: 21,
        }),
      },
      {
        name: '3-7-2 leaky_relu/identity (no bias), mse, batch 3 of 10, l2',
        spec: makeSpec(3, [{ units: 7, activation: 'leaky_relu', init: { kind: 'he' } }, { units: 2, activation: 'identity', bias: false }], {
          loss: 'mse',
          rate: 0.05,
          l2: 0.01,
          batch: 3,
          epochs: 3,
          seed: 22,
        }),
      },
      {
        name: '5-4-4-4-1 relu/tanh/sigmoid/sigmoid, bce, batch 1',
        spec: makeSpec(
          5,
          [{ units: 4, activation: 'relu' }, { units: 4, activation: 'tanh' }, { units: 4, activation: 'sigmoid' }, { units: 1, activation: 'sigmoid' }],
          { loss: 'bce', rate: 0.5, batch: 1, epochs: 2, seed: 23, init: { kind: 'uniform' } },
        ),
      },
    ];

    for (const { name, spec } of configs) {
      it(name, () => {
        const inputs = spec.input.size;
        const outputs = spec.layers[spec.layers.length - 1].units;
        const samples = randomSamples(new Random(spec.seed), 10, inputs, outputs, spec.loss);
        const trainer = createTrainer(spec, prepare(spec, makeDataset(samples)), js());
        const reference = ReferenceNetwork.fromWeights(spec, trainer.getWeights());
        const batch = spec.batch as number;
        expect(trainer.stepsPerEpoch).toBe(Math.ceil(10 / batch));

        // The documented order: a shuffle of 0..n−1 with Random.derive(seed, 'shuffle'), reshuffled each epoch.
        const shuffle = Random.derive(spec.seed, 'shuffle');
        const order = Array.from({ length: 10 }, (_, i) => i);
        for (let epoch = 0; epoch < spec.epochs; epoch++) {
          shuffle.shuffle(order);
          for (let start = 0; start < 10; start += batch) {
            const chosen = order.slice(start, start + batch).map((i) => samples[i]);
            const expected = reference.meanGradient(chosen);
            const rate = spec.optimizer.rate * spec.optimizer.decay ** epoch;
            const result = trainer.stepOnce();
            expect(result.batchSize).toBe(chosen.length);
            expect(result.epoch).toBe(epoch);
            expect(result.epochEnded).toBe(start + batch >= 10);
            expect(result.loss).toBeCloseTo(expected.loss, 5);
            expect(result.rate).toBeCloseTo(rate, 12);
            reference.sgdStep(chosen, rate);
            trainer.layers.forEach((view, l) => {
              expect(closeTo(view.gradWeights, expected.nablaW[l], 1e-5, 1e-4), `step ${result.step} layer ${l + 1} ∂C/∂w`).toBeNull();
              expect(closeTo(view.gradBiases, expected.nablaB[l], 1e-5, 1e-4), `step ${result.step} layer ${l + 1} ∂C/∂b`).toBeNull();
              expect(closeTo(view.weights, reference.layers[l].weights, 1e-5, 1e-4), `step ${result.step} layer ${l + 1} weights`).toBeNull();
              expect(closeTo(view.biases, reference.layers[l].biases, 1e-5, 1e-4), `step ${result.step} layer ${l + 1} biases`).toBeNull();
            });
            // trace() defaults to the last sample of the batch just taken
            expect(trainer.trace().sampleIndex).toBe(order[Math.min(start + batch, 10) - 1]);
          }
        }
        expect(trainer.done).toBe(true);
      });
    }
  });

  describe('per-layer views', () => {
    const spec = makeSpec(3, [{ units: 4, activation: 'sigmoid' }, { units: 2, activation: 'sigmoid' }], { loss: 'mse', rate: 1, batch: 2, epochs: 4, seed: 5 });
    const samples = randomSamples(new Random(5), 6, 3, 2, 'mse');
    const make = (): Trainer => createTrainer(spec, prepare(spec, makeDataset(samples)), js());

    it('describe each layer: l, inputs, units, activation, bias, array sizes units × inputs', () => {
      const trainer = make();
      expect(trainer.layers.map((l) => [l.index, l.inputs, l.units, l.activation, l.bias])).toEqual([
        [1, 3, 4, 'sigmoid', true],
        [2, 4, 2, 'sigmoid', true],
      ]);
      for (const l of trainer.layers) {
        for (const a of [l.weights, l.gradWeights, l.lastDeltaWeights, l.epochDeltaWeights]) expect(a.length).toBe(l.units * l.inputs);
        for (const a of [l.biases, l.gradBiases, l.lastDeltaBiases, l.epochDeltaBiases]) expect(a.length).toBe(l.units);
      }
    });

    it('lastDelta is w_after − w_before; epochDelta sums an epoch and restarts with the next', () => {
      const trainer = make();
      expect(trainer.stepsPerEpoch).toBe(3);
      const start = trainer.layers.map((l) => l.weights.slice());
      const sum = trainer.layers.map((l) => new Float64Array(l.weights.length));
      for (let s = 0; s < 3; s++) {
        const before = trainer.layers.map((l) => l.weights.slice());
        const result = trainer.stepOnce();
        expect(result.epochEnded).toBe(s === 2);
        trainer.layers.forEach((l, i) => {
          const change = Array.from(l.weights, (w, k) => w - before[i][k]);
          expect(closeTo(l.lastDeltaWeights, change, 1e-7, 1e-5)).toBeNull();
          l.lastDeltaWeights.forEach((d, k) => (sum[i][k] += d));
        });
      }
      trainer.layers.forEach((l, i) => {
        expect(closeTo(l.epochDeltaWeights, sum[i], 1e-7, 1e-5)).toBeNull();
        expect(closeTo(l.epochDeltaWeights, Array.from(l.weights, (w, k) => w - start[i][k]), 1e-6, 1e-4)).toBeNull();
        expect(l.epochDeltaWeights.some((d) => d !== 0)).toBe(true);
      });
      trainer.stepOnce(); // first step of epoch 1
      trainer.layers.forEach((l) => expect(Array.from(l.epochDeltaWeights)).toEqual(Array.from(l.lastDeltaWeights)));
    });

    it('trace(i): a^0..a^L, z and δ for one sample, as the reference backprop gives them', () => {
      const trainer = make();
      trainer.stepOnce();
      const reference = ReferenceNetwork.fromWeights(spec, trainer.getWeights());
      const trace = trainer.trace(4);
      const expected = reference.backprop(samples[4].x, samples[4].y);
      expect(trace.sampleIndex).toBe(4);
      expect(trace.activations).toHaveLength(3);
      expect(trace.zs).toHaveLength(2);
      expect(trace.deltas).toHaveLength(2);
      expected.activations.forEach((a, l) => expect(closeTo(trace.activations[l], a, 1e-6, 1e-5)).toBeNull());
      expected.zs.forEach((z, l) => expect(closeTo(trace.zs[l], z, 1e-6, 1e-5)).toBeNull());
      expected.deltas.forEach((d, l) => expect(closeTo(trace.deltas[l], d, 1e-6, 1e-5)).toBeNull());
      // the chain-rule factors: ∂C_x/∂w^2_jk = a^1_k δ^2_j
      expect(trace.activations[1][3] * trace.deltas[1][1]).toBeCloseTo(expected.nablaW[1][1 * 4 + 3], 6);
      expect(() => trainer.trace(6)).toThrow(/sample 6 is not in the training set \(0 to 5\)/);
    });

    it("trace() after a step is that step's last sample before its update: with batch 1, a_k · δ_j is ∂C/∂w_jk", () => {
      const one = makeSpec(3, [
        { units: 4, activation: 'tanh' },
        { units: 2, activation: 'sigmoid' },
      ], { loss: 'mse', batch: 1, rate: 0.5 });
      const trainer = createTrainer(one, prepare(one, makeDataset(samples)), js());
      for (let s = 0; s < 3; s++) {
        const before = ReferenceNetwork.fromWeights(one, trainer.getWeights());
        trainer.stepOnce();
        const trace = trainer.trace();
        const expected = before.backprop(samples[trace.sampleIndex].x, samples[trace.sampleIndex].y);
        expected.deltas.forEach((d, l) => expect(closeTo(trace.deltas[l], d, 1e-6, 1e-5)).toBeNull());
        trainer.layers.forEach((layer, l) => {
          const products = Array.from(layer.gradWeights, (_, i) => trace.activations[l][i % layer.inputs] * trace.deltas[l][Math.floor(i / layer.inputs)]);
          expect(closeTo(layer.gradWeights, products, 1e-7, 1e-5)).toBeNull();
        });
      }
    });
  });

  describe('batches and epochs', () => {
    it('clamps the batch to the training set and uses the last partial batch', () => {
      const samples = randomSamples(new Random(1), 10, 2, 1, 'mse');
      const big = makeSpec(2, [{ units: 1, activation: 'sigmoid' }], { batch: 100 });
      const t1 = createTrainer(big, prepare(big, makeDataset(samples)), js());
      expect([t1.batchSize, t1.stepsPerEpoch]).toEqual([10, 1]);
      const four = makeSpec(2, [{ units: 1, activation: 'sigmoid' }], { batch: 4, epochs: 2 });
      const t2 = createTrainer(four, prepare(four, makeDataset(samples)), js());
      const sizes = [];
      while (!t2.done) sizes.push(t2.stepOnce().batchSize);
      expect(sizes).toEqual([4, 4, 2, 4, 4, 2]);
      expect([t2.step, t2.epoch, t2.stepInEpoch]).toEqual([6, 2, 0]);
    });

    it('stepEpoch finishes the current epoch and reports train and validation metrics', () => {
      const samples = randomSamples(new Random(4), 40, 2, 3, 'cce');
      const spec = makeSpec(2, [{ units: 5, activation: 'tanh' }, { units: 3, activation: 'softmax' }], { loss: 'cce', batch: 8, validation: 0.25, seed: 2 });
      const trainer = createTrainer(spec, prepare(spec, makeDataset(samples, 'classification')), js());
      expect(trainer.trainCount).toBe(30);
      trainer.stepOnce();
      const metrics = trainer.stepEpoch();
      expect(metrics.epoch).toBe(0);
      expect(trainer.stepInEpoch).toBe(0);
      expect(trainer.step).toBe(4);
      expect(metrics.train).toEqual(trainer.evaluate('train'));
      expect(metrics.validation).toEqual(trainer.evaluate('validation'));
      expect(metrics.validation!.count).toBe(10);
    });
  });

  describe('evaluate and predict', () => {
    it('accuracy: argmax for classification, > 0.5 for binary, none for regression; loss as the reference', () => {
      const samples = randomSamples(new Random(8), 25, 3, 4, 'cce');
      const spec = makeSpec(3, [{ units: 4, activation: 'softmax' }], { loss: 'cce', l2: 0.01, seed: 8 });
      const trainer = createTrainer(spec, prepare(spec, makeDataset(samples, 'classification')), js());
      trainer.stepOnce();
      const reference = ReferenceNetwork.fromWeights(spec, trainer.getWeights());
      const argmax = (v: ArrayLike<number>): number => Array.from(v).indexOf(Math.max(...Array.from(v)));
      const correct = samples.filter((s) => argmax(reference.feedforward(s.x)) === argmax(s.y)).length;
      const evaluation = trainer.evaluate('train')!;
      expect(evaluation.count).toBe(25);
      expect(evaluation.accuracy).toBe(correct / 25);
      expect(evaluation.loss).toBeCloseTo(reference.meanCost(samples), 5);
      expect(trainer.evaluate('validation')).toBeNull();

      const binary = randomSamples(new Random(9), 20, 2, 1, 'bce');
      const bspec = makeSpec(2, [{ units: 1, activation: 'sigmoid' }], { loss: 'bce', seed: 9 });
      const btrainer = createTrainer(bspec, prepare(bspec, makeDataset(binary, 'binary')), js());
      const bref = ReferenceNetwork.fromWeights(bspec, btrainer.getWeights());
      const bcorrect = binary.filter((s) => bref.feedforward(s.x)[0] > 0.5 === s.y[0] > 0.5).length;
      expect(btrainer.evaluate('train')!.accuracy).toBe(bcorrect / 20);

      const regression = randomSamples(new Random(10), 5, 2, 1, 'mse');
      const rspec = makeSpec(2, [{ units: 1, activation: 'identity' }]);
      const rtrainer = createTrainer(rspec, prepare(rspec, makeDataset(regression)), js());
      expect(rtrainer.evaluate('train')!.accuracy).toBeUndefined();
    });

    it('predict normalises the raw input with the training statistics', () => {
      const rows = [
        { x: [0, 100], y: [1] },
        { x: [10, 300], y: [0] },
        { x: [5, 200], y: [1] },
      ];
      const spec = makeSpec(2, [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], { normalize: 'minmax', seed: 4 });
      const trainer = createTrainer(spec, prepare(spec, makeDataset(rows, 'binary')), js());
      const reference = ReferenceNetwork.fromWeights(spec, trainer.getWeights());
      const out = trainer.predict([2.5, 250]);
      expect(out).toBeInstanceOf(Float32Array);
      expect(out[0]).toBeCloseTo(reference.feedforward([0.25, 0.75])[0], 6);
      expect(() => trainer.predict([1])).toThrow(/takes 2 inputs, got 1/);
    });
  });

  describe('divergence', () => {
    it('a huge rate throws DivergenceError naming the step, and keeps the weights from before it', () => {
      const trainer = oneWeight({ rate: 1e4, epochs: 100 });
      let before = trainer.getWeights();
      let error: unknown;
      for (let i = 0; i < 100 && !error; i++) {
        try {
          before = trainer.getWeights();
          trainer.stepOnce();
        } catch (e) {
          error = e;
        }
      }
      expect(error).toBeInstanceOf(DivergenceError);
      const divergence = error as DivergenceError;
      expect(divergence.step).toBeGreaterThan(1);
      // The message counts epochs from 1; DivergenceError.epoch is 0-based.
      expect(divergence.message).toMatch(
        new RegExp(`(loss became (NaN|infinite)|a weight became NaN or infinite) at step ${divergence.step} \\(epoch ${divergence.epoch + 1}\\) — the updates diverged; try a smaller rate \\(now η = 10000\\)`),
      );
      expect(trainer.step).toBe(divergence.step - 1);
      expect(trainer.getWeights()).toEqual(before);
      expect(Number.isFinite(trainer.layers[0].weights[0])).toBe(true);
    });
  });

  describe('initialisation', () => {
    const wide = (init: NetworkSpec['init'], seed = 1): Trainer => {
      const spec = makeSpec(200, [{ units: 100, activation: 'relu', init }, { units: 2, activation: 'identity', init: { kind: 'const', value: 0.25 } }], { seed });
      const rows = [{ x: new Array(200).fill(0), y: [0, 0] }];
      return createTrainer(spec, prepare(spec, makeDataset(rows)), js());
    };
    const stats = (a: Float32Array) => {
      let sum = 0;
      let sq = 0;
      let maxAbs = 0;
      for (const v of a) {
        sum += v;
        sq += v * v;
        maxAbs = Math.max(maxAbs, Math.abs(v));
      }
      const mean = sum / a.length;
      return { mean, sd: Math.sqrt(sq / a.length - mean * mean), maxAbs };
    };

    it.each([
      ['xavier', Math.sqrt(6 / 300), Math.sqrt(6 / 300) / Math.sqrt(3)],
      ['uniform', 1 / Math.sqrt(200), 1 / Math.sqrt(200) / Math.sqrt(3)],
    ] as const)('%s: uniform within ±bound', (kind, bound, sd) => {
      const s = stats(wide({ kind }).layers[0].weights);
      expect(s.maxAbs).toBeLessThanOrEqual(bound);
      expect(s.maxAbs).toBeGreaterThan(0.99 * bound);
      expect(s.sd).toBeGreaterThan(0.97 * sd);
      expect(s.sd).toBeLessThan(1.03 * sd);
      expect(Math.abs(s.mean)).toBeLessThan(0.05 * sd);
    });

    it.each([
      ['he', Math.sqrt(2 / 200)],
      ['normal', 1 / Math.sqrt(200)],
    ] as const)('%s: normal with the right spread', (kind, sd) => {
      const s = stats(wide({ kind }).layers[0].weights);
      expect(s.sd).toBeGreaterThan(0.97 * sd);
      expect(s.sd).toBeLessThan(1.03 * sd);
      expect(Math.abs(s.mean)).toBeLessThan(0.05 * sd);
      expect(s.maxAbs).toBeGreaterThan(3 * sd);
    });

    it('const V, layer init overriding the spec, biases 0, and the seed deciding', () => {
      const trainer = wide({ kind: 'xavier' });
      expect(Array.from(trainer.layers[1].weights).every((w) => w === 0.25)).toBe(true);
      for (const l of trainer.layers) expect(Array.from(l.biases).every((b) => b === 0)).toBe(true);
      expect(trainer.layers[0].weights).not.toEqual(wide({ kind: 'xavier' }, 2).layers[0].weights);
      expect(trainer.layers[0].weights).toEqual(wide({ kind: 'xavier' }, 1).layers[0].weights);
    });
  });

  describe('memory', () => {
    it('allocates once, through kernels.alloc, and never again', () => {
      const inner = createKernels(kind);
      const sizes: number[] = [];
      const counting: Kernels = { ...inner, name: 'counting', alloc: (n) => (sizes.push(n), inner.alloc(n)) };
      const samples = randomSamples(new Random(3), 12, 3, 2, 'mse');
      const spec = makeSpec(3, [{ units: 5, activation: 'tanh' }, { units: 2, activation: 'sigmoid' }], { batch: 5, momentum: 0.5, validation: 0.25, epochs: 3 });
      const trainer = createTrainer(spec, prepare(spec, makeDataset(samples)), { kernels: counting });
      expect(sizes).toHaveLength(1);
      trainer.stepOnce();
      trainer.stepEpoch();
      trainer.evaluate('validation');
      trainer.trace(0);
      trainer.predict([1, 2, 3]);
      trainer.fullGradient();
      trainer.setWeights(trainer.getWeights());
      trainer.reset();
      expect(sizes).toHaveLength(1);
      // every view lies inside that one allocation
      for (const l of trainer.layers) expect(l.weights.buffer).toBe(trainer.layers[0].biases.buffer);
      // each starting on 16 bytes, for SIMD loads
      for (const l of trainer.layers) {
        for (const a of [l.weights, l.biases, l.gradWeights, l.gradBiases]) expect(a.byteOffset % 16).toBe(0);
      }
    });
  });

  describe('getWeights / setWeights', () => {
    const spec = makeSpec(3, [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'sigmoid', bias: false }], { seed: 6 });
    const samples = randomSamples(new Random(6), 5, 3, 2, 'mse');
    const make = (seed = 6): Trainer => createTrainer({ ...spec, seed }, prepare(spec, makeDataset(samples)), js());

    it('round-trips: rows j of columns k, biases per unit', () => {
      const a = make();
      a.stepOnce();
      const file = a.getWeights();
      expect(file.format).toBe('nnspec-weights');
      expect(file.layers[0].weights).toHaveLength(4);
      expect(file.layers[0].weights[2]).toHaveLength(3);
      expect(file.layers[0].weights[2][1]).toBe(a.layers[0].weights[2 * 3 + 1]);
      expect(file.layers[1].biases).toEqual([0, 0]);
      const b = make(99);
      b.setWeights(file);
      expect(b.getWeights()).toEqual(file);
      expect(b.predict([0.1, 0.2, 0.3])).toEqual(a.predict([0.1, 0.2, 0.3]));
    });

    it('names the layer, what it expected and what it got', () => {
      const t = make();
      const file = t.getWeights();
      expect(() => t.setWeights({ ...file, layers: [file.layers[0]] })).toThrow(/the weights have 1 layer, the network has 2/);
      const wrongRows = structuredClone(file);
      wrongRows.layers[1].weights.pop();
      expect(() => t.setWeights(wrongRows)).toThrow(/layer 2: expected 2 × 4 weights \(units × inputs\), got 1 × 4/);
      const ragged = structuredClone(file);
      ragged.layers[0].weights[2].push(1);
      expect(() => t.setWeights(ragged)).toThrow(/layer 1: expected 4 × 3 weights \(units × inputs\), got row 3 has 4 values, row 1 has 3/);
      const biases = structuredClone(file);
      biases.layers[0].biases = [1, 2];
      expect(() => t.setWeights(biases)).toThrow(/layer 1: expected 4 biases, got 2/);
      const noBias = structuredClone(file);
      noBias.layers[1].biases = [0.5, 0];
      expect(() => t.setWeights(noBias)).toThrow(/layer 2 has bias=false/);
      const huge = structuredClone(file);
      huge.layers[0].weights[1][1] = 1e39;
      expect(() => t.setWeights(huge)).toThrow(/layer 1: weights row 2, column 2 is 1e\+39, not a finite float32 number/);
      expect(t.getWeights()).toEqual(file); // nothing changed by the failed calls
    });
  });
}
