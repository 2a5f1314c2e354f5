/**
 * brain.js 2.0.0-beta.24 `NeuralNetwork` (CPU). It trains one sample per weight update, so it
 * is compared with NNSpec at batch 1 with the same number of updates (bench.ts pairs them).
 *
 * Same arithmetic as NNSpec at batch 1:
 *   - its error is (y − a) at the output, δ = error ⊙ σ'(z), change = η·δ·a^{l−1}: the gradient
 *     of Nielsen's ½‖y − a‖², so learningRate = η (per-sample; η/m of the batched network).
 *   - one activation for every layer, output included (A, B: sigmoid; D: tanh).
 *   - momentum must be > 0 for brain.js to accept the options: 1e-9 (its effect is below float
 *     rounding). errorThresh must be > 0: 1e-9. Updates are driven through trainPattern, the
 *     method its own train() loop calls once per sample, so no error evaluation is mixed in.
 * Not supported: softmax / cross-entropy (network C).
 */
import type { BenchData } from '../data';
import { outputsOf, type BenchNetwork } from '../networks';
import type { Engine, Session } from './types';

interface Formatted {
  input: Float32Array;
  output: Float32Array;
}

interface BrainNet {
  train(data: { input: number[]; output: number[] }[], options: object): unknown;
  formatData(data: { input: number[]; output: number[] }[]): Formatted[];
  trainPattern(value: Formatted, logErrorRate?: boolean): number | null;
  run(input: number[]): ArrayLike<number>;
  weights: Float32Array[][];
}

type BrainConstructor = new (options: object) => BrainNet;

export function brainEngine(): Engine {
  return {
    id: 'brainjs',
    label: 'brain.js 2.0.0-beta.24 NeuralNetwork (batch 1)',
    batchOneOnly: true,
    unsupported(net) {
      if (net.loss !== 'mse') return 'no softmax / cross-entropy';
      const first = net.layers[0].activation;
      if (net.layers.some((layer) => layer.activation !== first)) return 'one activation for all layers only';
      if (!['sigmoid', 'tanh', 'relu'].includes(first)) return `no ${first} activation`;
      return null;
    },
    async create(net: BenchNetwork, data: BenchData): Promise<Session> {
      const module = (await import('brain.js')) as unknown as { NeuralNetwork?: BrainConstructor; default?: { NeuralNetwork: BrainConstructor } };
      const brain = { NeuralNetwork: module.NeuralNetwork ?? module.default?.NeuralNetwork };
      if (!brain.NeuralNetwork) throw new Error('brain.js has no NeuralNetwork export');
      const o = outputsOf(net);
      const n = net.inputs;
      const network = new brain.NeuralNetwork({
        inputSize: n,
        hiddenLayers: net.layers.slice(0, -1).map((layer) => layer.units),
        outputSize: o,
        activation: net.layers[0].activation,
      });
      // Plain arrays: brain.js treats anything else (a Float32Array too) as a keyed object and
      // trains through lookup tables, returning objects from run().
      const samples = Array.from({ length: data.count }, (_, i) => ({
        input: Array.from(data.inputs.subarray(i * n, (i + 1) * n)),
        output: Array.from(data.targets.subarray(i * o, (i + 1) * o)),
      }));
      const options = { iterations: 1, errorThresh: 1e-9, learningRate: net.rate, momentum: 1e-9, log: false };
      // One short train() call sets the options and builds the network; its update happens before timing.
      network.train(samples.slice(0, 1), options);
      const formatted = network.formatData(samples);
      let cursor = 0;
      return {
        steps(count) {
          for (let s = 0; s < count; s++) {
            network.trainPattern(formatted[cursor]);
            cursor = (cursor + 1) % formatted.length;
          }
        },
        predict(inputs, count) {
          const result = new Float32Array(count * o);
          for (let i = 0; i < count; i++) result.set(Array.from(network.run(Array.from(inputs.subarray(i * n, (i + 1) * n)))), i * o);
          return result;
        },
      };
    },
  };
}
