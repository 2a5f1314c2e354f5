/**
 * The training threads (src/core/engine/threadPool.ts, wasmThreads.ts): weights after a run are
 * bit-identical at 1, 2 and 4 threads, on random networks (the split threshold lowered so that
 * every call of two chunks or more is split: forward, backward δ, gradient, update), for every optimizer, with L2, L1 and dropout: with the caller taking chunks as in
 * the product (who computes which chunk is then a race), and with the helpers computing every chunk
 * (so the bits checked are surely theirs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrainer } from '../../src/core/engine/trainer';
import { wasmKernels } from '../../src/core/engine/wasmKernels';
import { setThreadThreshold, setTrainingThreads, shutdownThreadPool, threadPool, THREAD_MIN_WORK, UPDATE_CHUNK } from '../../src/core/engine/threadPool';
import type { Activation, LossName, OptimizerSpec } from '../../src/core/spec';
import { Random } from '../../src/core/random';
import { makeDataset, makeSpec, prepare, randomSamples } from '../support/engineFixtures';

/** [threads, do the helpers compute every chunk (the caller only waits)?] */
const MODES: [number, boolean][] = [
  [1, false],
  [2, false],
  [4, false],
  [2, true],
  [4, true],
];

const OPTIMIZERS: { name: string; optimizer: Partial<OptimizerSpec> & { kind: OptimizerSpec['kind'] } }[] = [
  { name: 'sgd', optimizer: { kind: 'sgd', rate: 0.1 } },
  { name: 'sgd momentum', optimizer: { kind: 'sgd', rate: 0.05, momentum: 0.9 } },
  { name: 'sgd nesterov', optimizer: { kind: 'sgd', rate: 0.05, momentum: 0.8, nesterov: true } },
  { name: 'adam', optimizer: { kind: 'adam', rate: 0.005 } },
  { name: 'rmsprop', optimizer: { kind: 'rmsprop', rate: 0.002 } },
  { name: 'adagrad', optimizer: { kind: 'adagrad', rate: 0.02 } },
];

const REGULARISERS = [
  { name: 'plain', l2: 0, l1: 0, dropout: 0 },
  { name: 'l2 + l1 + dropout', l2: 0.01, l1: 0.001, dropout: 0.25 },
];

interface Run {
  weights: Uint8Array[];
  losses: number[];
  helped: number;
}

/** A random network: inputs 200–300, hidden layers 90–150 and 40–150 wide, 3–12 outputs, batch 24–48. */
function randomCase(seed: number) {
  const random = new Random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random.next() * (hi - lo + 1));
  const activations: Activation[] = ['relu', 'tanh', 'sigmoid', 'leaky_relu'];
  const loss: LossName = random.next() < 0.5 ? 'cce' : 'mse';
  return {
    inputs: int(200, 300),
    hidden: [int(90, 150), int(40, 150)],
    outputs: int(3, 12),
    batch: int(24, 48),
    activation: activations[int(0, activations.length - 1)],
    loss,
    samples: 150,
  };
}

function train(seed: number, optimizer: (typeof OPTIMIZERS)[number]['optimizer'], regulariser: (typeof REGULARISERS)[number], [threads, helpersOnly]: [number, boolean]): Run {
  const c = randomCase(seed);
  const random = new Random(seed + 1000);
  const rows = randomSamples(random, c.samples, c.inputs, c.outputs, c.loss);
  const spec = makeSpec(
    c.inputs,
    [
      { units: c.hidden[0], activation: c.activation, dropout: regulariser.dropout },
      { units: c.hidden[1], activation: c.activation, dropout: regulariser.dropout },
      { units: c.outputs, activation: c.loss === 'cce' ? 'softmax' : 'sigmoid' },
    ],
    { loss: c.loss, batch: c.batch, l2: regulariser.l2, l1: regulariser.l1, optimizer, seed },
  );
  const data = prepare(spec, makeDataset(rows, c.loss === 'cce' ? 'classification' : 'regression'));
  const kernels = wasmKernels();
  if (kernels === null) throw new Error('this Node has no WebAssembly SIMD: the thread tests need Node ≥ 20');
  setTrainingThreads(threads);
  const pool = threadPool()!;
  pool.callerTakesChunks = !helpersOnly;
  const helpedBefore = pool.helped;
  const trainer = createTrainer(spec, data, { kernels });
  const losses: number[] = [];
  for (let epoch = 0; epoch < 2; epoch++) losses.push(trainer.stepEpoch().train.loss);
  const weights = trainer.layers.flatMap((layer) => [new Uint8Array(layer.weights.slice().buffer), new Uint8Array(layer.biases.slice().buffer)]);
  pool.callerTakesChunks = true;
  return { weights, losses, helped: pool.helped - helpedBefore };
}

describe('training threads: the same bits at 1, 2 and 4 threads', () => {
  beforeAll(async () => {
    // Helpers start asynchronously; until they run the caller does every chunk (same bits), which
    // would make this test pass without testing anything: wait for them.
    await threadPool()!.ready(3);
    // Every call of two chunks or more is split (the product splits only the big ones): the
    // split itself is what is under test, on every layer, the output layer's too.
    setThreadThreshold(1);
  }, 60_000);
  afterAll(async () => {
    setThreadThreshold(THREAD_MIN_WORK);
    setTrainingThreads(1);
    await shutdownThreadPool();
  });

  it('the random networks have first layers of several update chunks (so the update is split too)', () => {
    for (let seed = 1; seed <= OPTIMIZERS.length * REGULARISERS.length; seed++) {
      const c = randomCase(seed);
      expect(c.inputs * c.hidden[0]).toBeGreaterThan(UPDATE_CHUNK);
    }
  });

  let seed = 0;
  for (const { name, optimizer } of OPTIMIZERS) {
    for (const regulariser of REGULARISERS) {
      const caseSeed = ++seed;
      it(`${name}, ${regulariser.name}`, () => {
        const runs = MODES.map((mode) => train(caseSeed, optimizer, regulariser, mode));
        expect(runs[0].helped).toBe(0);
        for (let i = 1; i < runs.length; i++) {
          const [threads, helpersOnly] = MODES[i];
          if (helpersOnly) expect(runs[i].helped, `helpers computed the chunks at ${threads} threads`).toBeGreaterThan(0);
          expect(runs[i].losses).toEqual(runs[0].losses);
          expect(runs[i].weights.length).toBe(runs[0].weights.length);
          runs[i].weights.forEach((bytes, l) => {
            expect(Buffer.compare(Buffer.from(bytes), Buffer.from(runs[0].weights[l])), `array ${l} at ${threads} threads${helpersOnly ? ', helpers only' : ''}`).toBe(0);
          });
        }
        // The run did something: the weights moved and the loss is finite.
        expect(runs[0].losses.every(Number.isFinite)).toBe(true);
      }, 60_000);
    }
  }
});
