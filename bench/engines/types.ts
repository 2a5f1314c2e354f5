/** What the benchmark needs from each engine (NNSpec and every peer). */
import type { BenchData } from '../data';
import type { BenchNetwork } from '../networks';

export interface Session {
  /** `count` weight updates on consecutive mini-batches of the data (wrapping round at its end). */
  steps(count: number): void | Promise<void>;
  /** Network outputs for `count` samples of `inputs` (count × inputSize) → count × outputs. */
  predict(inputs: Float32Array, count: number): Float32Array | Promise<Float32Array>;
  /** Bytes of the engine's own buffers for this network (weights, gradients, activations), when known. */
  bufferBytes?(): number;
  dispose?(): void;
}

export interface Engine {
  id: string;
  label: string;
  /** True when the engine trains one sample per weight update whatever the batch (brain.js): it is run at batch 1. */
  batchOneOnly?: boolean;
  /** Why the engine cannot train this network, or null when it can. */
  unsupported(net: BenchNetwork): string | null;
  create(net: BenchNetwork, data: BenchData): Promise<Session>;
}
