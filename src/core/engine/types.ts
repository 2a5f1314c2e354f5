/**
 * The engine's public face. Notation is Nielsen's: layer l = 1..L (0 is the input),
 * w^l_jk connects neuron k of layer l−1 to neuron j of layer l.
 *
 * Array layouts: every matrix is a row-major Float32Array, rows × cols.
 * A layer's weights are units × inputs: w^l_jk = weights[j * inputs + k].
 */
import type { ComputeInfo } from './compute';
import type { Activation, NetworkSpec } from '../spec';
import type { PreparedData } from '../data/prepare';
import type { WeightsFile } from '../weights';
import type { OptimizerState, OptimizerStateSummary } from './optimizerState';
import type { StopReason } from './stopping';
import type { TrainingState } from './trainingState';

export interface LayerView {
  /** l, from 1. */
  index: number;
  /** k runs over these: the previous layer's width. */
  inputs: number;
  /** j runs over these. */
  units: number;
  activation: Activation;
  bias: boolean;
  /** units × inputs. Live views into the engine's memory: copy before keeping. */
  weights: Float32Array;
  /** units (zeros and never changed when bias=false). */
  biases: Float32Array;
  /** ∂C/∂w of the last step: batch mean, L2 term included. units × inputs. */
  gradWeights: Float32Array;
  gradBiases: Float32Array;
  /** The change the last step applied, v: w_after = w_before + v (rounded to float32). */
  lastDeltaWeights: Float32Array;
  lastDeltaBiases: Float32Array;
  /** Sum of the changes applied since the current epoch began (all zero at its start). */
  epochDeltaWeights: Float32Array;
  epochDeltaBiases: Float32Array;
}

/** One sample's pass through the network, for the chain rule ∂C/∂w^l_jk = a^{l−1}_k δ^l_j. */
export interface SampleTrace {
  /** Index into the training set. */
  sampleIndex: number;
  /** a^0 (the normalised input) … a^L: L+1 arrays. */
  activations: Float32Array[];
  /** z^1 … z^L: L arrays (index 0 is layer 1). */
  zs: Float32Array[];
  /** δ^1 … δ^L: L arrays (index 0 is layer 1); δ for this sample alone, not averaged. */
  deltas: Float32Array[];
}

export interface StepResult {
  /** Steps taken since the start (1 after the first step). */
  step: number;
  /** The epoch this step belonged to, from 0. */
  epoch: number;
  /** Mean cost of the batch before the update, L2 term included. */
  loss: number;
  batchSize: number;
  /** η used for this step (after decay). */
  rate: number;
  /** True when this step finished its epoch. */
  epochEnded: boolean;
}

export interface Evaluation {
  /** Mean cost over the part, L2 term included. */
  loss: number;
  /** Fraction correct, for classification and binary tasks. */
  accuracy?: number;
  count: number;
}

export interface EpochMetrics {
  /** The epoch that ended, from 0. */
  epoch: number;
  /** After the epoch's last step. */
  train: Evaluation;
  validation?: Evaluation;
}

export interface Gradient {
  loss: number;
  /** Per layer, units × inputs. */
  dW: Float32Array[];
  db: Float32Array[];
}

/**
 * Raised by step() when the loss or a weight stops being finite. The message names the step
 * and suggests a smaller rate; the weights are those before the failing update.
 */
export class DivergenceError extends Error {
  constructor(
    message: string,
    readonly step: number,
    readonly epoch: number,
  ) {
    super(message);
    this.name = 'DivergenceError';
  }
}

/** Hyper-parameters a trainer takes between two steps (live edits of a running session's spec). */
export interface LiveHyper {
  /** η, before decay. */
  rate?: number;
  /** η is multiplied by this once per epoch. */
  decay?: number;
  /** μ of SGD with momentum. */
  momentum?: number;
  /** λ of the L2 term (λ/2)·Σw². */
  l2?: number;
  /** Mini-batch size (`full`: the whole training set). */
  batch?: number | 'full';
  epochs?: number;
}

export interface Trainer {
  readonly layers: readonly LayerView[];
  /** Current epoch, from 0; equals `epochs` when training is complete. */
  readonly epoch: number;
  /** The planned epochs; raised when a finished session continues (the worker's 'extendEpochs'). */
  epochs: number;
  /** Steps taken since the start. */
  readonly step: number;
  /** Steps taken in the current epoch. */
  readonly stepInEpoch: number;
  readonly stepsPerEpoch: number;
  readonly batchSize: number;
  /** η for the next step, after decay. */
  readonly rate: number;
  /** epoch >= epochs, or the `stop` rule stopped the run (then `stopped` says why). */
  readonly done: boolean;
  /** Why the run ended before its last epoch; null while it has not. */
  readonly stopped: StopReason | null;
  readonly trainCount: number;
  readonly task: 'classification' | 'binary' | 'regression';

  /** One mini-batch: forward, backward, update. Throws DivergenceError. */
  stepOnce(): StepResult;
  /**
   * Carry on counting from a checkpoint (after its weights were set): `step` steps taken and
   * `epoch` epochs complete; the next step begins epoch `epoch` (counted from 0) afresh, with a new shuffle.
   */
  resumeAt(step: number, epoch: number): void;
  /**
   * The training samples (indices into the training set) the next stepOnce() will take, in batch
   * order, without changing anything (at an epoch's start: the reshuffle it will draw).
   */
  nextBatch(): Int32Array;
  /** Steps until the current epoch ends; returns its metrics. */
  stepEpoch(): EpochMetrics;
  /** Loss and accuracy over a part with the current weights (no update). */
  evaluate(part: 'train' | 'validation'): Evaluation | null;
  /**
   * A forward pass over a part at the current weights, in chunks, nothing updated: for each chunk,
   * visit(start, m, zs, activations) sees rows start … start+m−1 of the part (at most `limit` rows
   * from the first), zs[l−1] = z^l and activations[l−1] = a^l of layer l (l from 1), each m × units
   * row-major. The arrays are views into the trainer's buffers, valid only during the call.
   * Metrics (confusion matrix, RMSE) and the health analysis read the layers through it.
   */
  forwardPart(
    part: 'train' | 'validation',
    visit: (start: number, m: number, zs: readonly Float32Array[], activations: readonly Float32Array[]) => void,
    limit?: number,
  ): void;
  /**
   * forwardPart's pass over `count` raw inputs (as predict takes them: with `features`, points
   * (x1, x2)), `raw` holding them one after another; nothing updated. The neuron pictures' grid.
   */
  forwardPoints(
    raw: Float32Array,
    count: number,
    visit: (start: number, m: number, zs: readonly Float32Array[], activations: readonly Float32Array[]) => void,
  ): void;
  /** The network's output for one raw (unnormalised) input; with `features`, the raw point (x1, x2). */
  predict(input: ArrayLike<number>): Float32Array;
  /**
   * One sample's activations, z and deltas. With an index: at the current weights. Without one,
   * after a step: the last sample of the last batch as that step saw it (before its update), so
   * a^{l−1}_k · δ^l_j is that sample's term of the step's ∂C/∂w^l_jk; before any step: sample 0.
   */
  trace(sampleIndex?: number): SampleTrace;
  /** Gradient of the mean cost over the whole training set at the current weights (L2 included). */
  fullGradient(): Gradient;
  /**
   * Gradient of the mean cost over the given training samples (indices into the training set)
   * at the current weights, L2 included; the last step's gradients are left alone.
   */
  gradientOf(sampleIndices: ArrayLike<number>): Gradient;
  /** The spec and data this trainer was made from (not copied: do not modify). */
  readonly spec: NetworkSpec;
  readonly data: PreparedData;
  /** Which Kernels backend runs the matrices: 'js', 'wasm-simd', 'wasm-relaxed-simd' (fused multiply-adds). */
  readonly kernelsName: string;
  /** The kernels and the threads their split calls compute on now (compute.ts: describeCompute says it in words). */
  readonly compute: ComputeInfo;
  getWeights(): WeightsFile;
  /** Throws WeightsError naming the layer and the shape that does not fit. */
  setWeights(weights: WeightsFile): void;
  /** Back to the seeded initial weights, epoch 0, step 0. */
  reset(): void;
  /**
   * Takes edited hyper-parameters from the next step on; `spec` becomes the edited spec. Throws,
   * changing nothing, when an edit needs buffers the trainer lacks (μ from 0: SGD keeps no
   * velocities then; a batch larger than the batch matrices).
   */
  retune(changes: LiveHyper): void;
  /** The optimizer's moments, accumulators and update count, as plain data (optimizerState.ts). */
  getOptimizerState(): OptimizerState;
  /**
   * Everything besides the weights the next step depends on (trainingState.ts): counters, the
   * shuffle and its generators, the optimizer's state, the stop rule's counters.
   */
  getTrainingState(): TrainingState;
  /**
   * After setWeights(): carry on exactly where getTrainingState() was (a checkpoint after a
   * reload). Throws, saying what, when the state does not fit this trainer.
   */
  setTrainingState(state: TrainingState): void;
  /** The state in a few numbers (RMS per layer and array), for the `optimizer` line's hover. */
  optimizerStateSummary(): OptimizerStateSummary;
  /** Puts a state from getOptimizerState back (after setWeights, which clears it); throws when it does not fit. */
  setOptimizerState(state: OptimizerState): void;
  /** Layer l's (from 1) dropout mask of the last step, rows × units (0 or 1/(1 − p)); null without dropout. */
  dropoutMask(layer: number): Float32Array | null;
}
