/**
 * The optimizer's state as plain, JSON-serialisable data, for session checkpoints:
 * `trainer.getOptimizerState()` after `trainer.getWeights()`; to resume, `setWeights(weights)` first
 * (which clears the state), then `setOptimizerState(state)`.
 *
 *   sgd with momentum: velocity v;  adam: m, v (and `updates` = t);  rmsprop: v;  adagrad: sum G
 *   (sgd without momentum keeps none: every layer's records are empty.)
 */
import type { OptimizerName } from '../spec';

export interface OptimizerState {
  format: 'nnspec-optimizer-state';
  version: 1;
  optimizer: OptimizerName;
  /** Updates since the state began: Adam's t of the last update (the next uses t = updates + 1). */
  updates: number;
  /**
   * Per layer (index 0 is layer 1): each state array by name, for the weights (units × inputs,
   * row-major, as in the trainer) and for the biases (units).
   */
  layers: { weights: Record<string, number[]>; biases: Record<string, number[]> }[];
}

/** Throws an Error saying what does not fit when `state` is not this trainer's kind and shape. */
export function checkOptimizerState(
  state: OptimizerState,
  kind: OptimizerName,
  names: readonly string[],
  shapes: readonly { weights: number; biases: number }[],
): void {
  const fail = (what: string): never => {
    throw new Error(`the optimizer state does not fit: ${what}`);
  };
  if (state === null || typeof state !== 'object' || state.format !== 'nnspec-optimizer-state') fail('it is not an nnspec-optimizer-state');
  if (state.version !== 1) fail(`version ${String(state.version)} is not 1`);
  if (state.optimizer !== kind) fail(`it is ${String(state.optimizer)}'s, the spec trains with ${kind}`);
  if (!Number.isInteger(state.updates) || state.updates < 0) fail(`updates is ${String(state.updates)}, not a whole number ≥ 0`);
  if (!Array.isArray(state.layers) || state.layers.length !== shapes.length) fail(`it has ${state.layers?.length} layers, the network ${shapes.length}`);
  state.layers.forEach((layer, l) => {
    for (const part of ['weights', 'biases'] as const) {
      for (const name of names) {
        const values = layer?.[part]?.[name];
        const length = shapes[l][part];
        if (!Array.isArray(values)) fail(`layer ${l + 1} has no ${part} ${name}`);
        if (values.length !== length) fail(`layer ${l + 1}: ${part} ${name} has ${values.length} values, not ${length}`);
        for (let i = 0; i < values.length; i++) {
          if (!Number.isFinite(Math.fround(values[i]))) fail(`layer ${l + 1}: ${part} ${name}[${i}] is ${values[i]}, not a finite float32 number`);
        }
      }
    }
  });
}

/** The state in a few numbers, for the hover of the `optimizer` line: per layer, each state array's RMS. */
export interface OptimizerStateSummary {
  optimizer: OptimizerName;
  updates: number;
  /** Per layer (index 0 is layer 1): each state array by name, √(mean x²) over the weights and over the biases. */
  layers: { name: string; weightsRms: number; biasesRms: number }[][];
}

/** √(mean x²) of the first `count` values (0 for none). */
export function rms(values: ArrayLike<number>, count = values.length): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += values[i] * values[i];
  return count === 0 ? 0 : Math.sqrt(sum / count);
}
