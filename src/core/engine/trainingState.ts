/**
 * Where a trainer is, as plain, JSON-serialisable data, for session checkpoints: with the weights
 * (`getWeights()`) it is everything the next step depends on, so that
 *
 *   setWeights(w); setTrainingState(s)   on a fresh trainer of the same spec
 *
 * continues bit for bit as the trainer that gave w and s would have:
 *
 *   counters        step (from 1), epoch (from 0), stepInEpoch, the planned epochs
 *   the shuffle     this epoch's order of the training samples, and the generator that draws
 *                   the next epoch's (sfc32 words); the dropout masks' generator
 *   the optimizer   its moments / accumulators and update count t (optimizerState.ts)
 *   the stop rule   best, its epoch, the epochs waited (stopping.ts), the best epoch's weights
 *                   (restore=best) and why the run stopped, if it did
 *   Σw², Σ|w|       as the last update left them (the L2/L1 term of the next loss is
 *                   computed from them, not summed afresh, so it keeps the same rounding)
 */
import type { RandomState } from '../random';
import type { OptimizerState } from './optimizerState';
import type { StopReason, StoppingState } from './stopping';

export interface TrainingState {
  format: 'nnspec-training-state';
  version: 1;
  step: number;
  epoch: number;
  stepInEpoch: number;
  epochs: number;
  /** The current epoch's shuffle: order[i] is the training sample at position i. */
  order: number[];
  shuffleRandom: RandomState;
  dropoutRandom: RandomState;
  optimizer: OptimizerState;
  /** The `stop` line's counters (absent without one). */
  stopping?: StoppingState;
  /** restore=best: per layer (index 0 is layer 1), the best epoch's weights (units × inputs, row-major) and biases. */
  best?: { weights: number[]; biases: number[] }[];
  /** Set when the stop rule ended the run. */
  stopped?: StopReason;
  /** Σ w² and Σ |w| over all weights, as the trainer keeps them. */
  sums: [number, number];
}

/** A count: a whole number ≥ 0. */
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** A number that may have gone through JSON as a string ("Infinity", "-Infinity", "NaN"). */
function decodeNumber(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
}

/**
 * Checks the parts of a training state that do not depend on the trainer (its shape is checked
 * by setTrainingState) and puts back the numbers JSON cannot hold (±∞ of `stopping.best`).
 * Throws an Error saying what is wrong.
 */
export function decodeTrainingState(data: unknown): TrainingState {
  const fail = (what: string): never => {
    throw new Error(`the training state does not fit: ${what}`);
  };
  if (typeof data !== 'object' || data === null) return fail('it is not an object');
  const s = data as Partial<TrainingState>;
  if (s.format !== 'nnspec-training-state') fail('it is not an nnspec-training-state');
  if (s.version !== 1) fail(`version ${String(s.version)} is not 1`);
  for (const key of ['step', 'epoch', 'stepInEpoch', 'epochs'] as const) if (!isCount(s[key])) fail(`${key} is ${String(s[key])}, not a whole number ≥ 0`);
  if (!Array.isArray(s.order) || !s.order.every(isCount)) fail('the shuffle order is not a list of sample indices');
  const random = (r: unknown, name: string): RandomState => {
    if (!Array.isArray(r) || r.length !== 5 || !r.slice(0, 4).every((v) => Number.isInteger(v))) return fail(`${name} is not a generator state`);
    return [r[0], r[1], r[2], r[3], r[4] === null ? null : decodeNumber(r[4])];
  };
  if (typeof s.optimizer !== 'object' || s.optimizer === null) fail('it has no optimizer state');
  const sums = Array.isArray(s.sums) && s.sums.length === 2 ? ([decodeNumber(s.sums[0]), decodeNumber(s.sums[1])] as [number, number]) : fail('it has no Σw², Σ|w|');
  const out: TrainingState = {
    format: 'nnspec-training-state',
    version: 1,
    step: s.step as number,
    epoch: s.epoch as number,
    stepInEpoch: s.stepInEpoch as number,
    epochs: s.epochs as number,
    order: s.order as number[],
    shuffleRandom: random(s.shuffleRandom, 'the shuffle generator'),
    dropoutRandom: random(s.dropoutRandom, 'the dropout generator'),
    optimizer: s.optimizer as OptimizerState,
    sums,
  };
  if (s.stopping !== undefined) {
    const st = s.stopping as Partial<Record<keyof StoppingState, unknown>>;
    if (typeof st !== 'object' || st === null || !Number.isInteger(st.bestEpoch) || !isCount(st.wait)) fail('the stop rule’s counters are not numbers');
    out.stopping = { best: decodeNumber(st.best), bestEpoch: st.bestEpoch as number, wait: st.wait as number };
  }
  if (s.best !== undefined) {
    if (!Array.isArray(s.best) || !s.best.every((l) => Array.isArray(l?.weights) && Array.isArray(l?.biases))) fail('the best epoch’s weights are not per-layer lists');
    out.best = s.best;
  }
  if (s.stopped !== undefined && s.stopped !== null) out.stopped = s.stopped;
  return out;
}
