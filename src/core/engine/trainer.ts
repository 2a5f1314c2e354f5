/**
 * The batched trainer: mini-batch stochastic gradient descent with backpropagation, on Float32
 * matrices, in Nielsen's notation (layer l = 1..L; w^l_jk from neuron k of layer l−1 to j of l).
 *
 * One step on a mini-batch of m samples, each sample a row of the batch matrices:
 *   forward    Z^l = A^{l−1} (W^l)ᵀ + b^l,   A^l = σ(Z^l)                    (kernels.forward)
 *   output     δ^L = ∇_a C ⊙ σ'(Z^L)   (a − y when fused, see costs.ts)      (outputDelta)
 *   backward   δ^l = (δ^{l+1} W^{l+1}) ⊙ σ'(Z^l)                           (kernels.backward)
 *   gradient   ∂C/∂W^l = (1/m) (δ^l)ᵀ A^{l−1} + λ₂ W^l + λ₁ sign(W^l),   ∂C/∂b^l = (1/m) Σ_rows δ^l
 *   update     the optimizer's rule (optimizers.ts: sgd, adam, rmsprop, adagrad); epoch e uses η·d^e
 *
 * Dropout (`dense … dropout=p`, training steps only): inverted dropout on the layer's output,
 *   Â^l = A^l ⊙ M^l with M^l_bj = 0 with probability p, else 1/(1 − p)   (drawn for every step)
 * and Â^l is what layer l+1 sees; backward, ∂C/∂a^l = (δ^{l+1} W^{l+1}) ⊙ M^l before ⊙ σ'(Z^l).
 * Masks come from `Random.derive(seed, 'dropout')`, layer by layer, row-major, step by step.
 * Evaluation, prediction, trace(index) and the gradients (gradientOf, fullGradient) drop nothing.
 *
 * Memory: every Float32Array (weights, gradients, optimizer state, the batch matrices, the masks)
 * is a subarray of ONE `kernels.alloc(total)` made in the constructor, so a WebAssembly backend never
 * has to grow its memory, and `stepOnce` allocates nothing. Layouts (row-major):
 *   weights/gradWeights/…: units × inputs;  X: rows × inputSize;  Y: rows × outputSize;
 *   Z^l, A^l, D^l (= δ^l), M^l, Â^l: rows × units^l, rows = max(batch size, evaluation chunk).
 *
 * Initial weights: initialisers.ts (seeded, `Random.derive(seed, 'init')`, layer by layer,
 * row-major); biases start at 0. Mini-batches come from a shuffle of the training
 * set (`Random.derive(seed, 'shuffle')`), reshuffled at the start of every epoch; the last batch of
 * an epoch may be smaller (m = what is left). Same spec and seed: bit-identical weights.
 *
 * Divergence: a step whose batch loss is not finite, or whose update would make a parameter ±∞ or
 * NaN, throws DivergenceError and leaves weights, biases, optimizer state and counters as they were
 * before it (the gradient views show the rejected step's gradients; lastDelta reads 0).
 *
 * Early stopping (`stop`, stopping.ts): after each epoch the monitored evaluation is checked; a stop
 * makes `done` true and `stopped` says why (restore=best has put the best epoch's weights back).
 *
 * lastDelta and epochDelta are not kept as running sums: the weights before the last step and at
 * the epoch's start are kept (two memcpys), and the views work the differences out when read.
 */
import type { NetworkSpec } from '../spec';
import type { Dataset } from '../data/types';
import type { PreparedData } from '../data/prepare';
import { encodeInput } from '../features';
import { Random } from '../random';
import { checkWeightsShape, WeightsError, type WeightsFile } from '../weights';
import { activation, type ActivationFunction } from './activations';
import { cost, outputDelta, type CostFunction } from './costs';
import type { Kernels } from './kernels';
import { createKernels } from './createKernels';
import { initialiser } from './initialisers';
import { fusedLayerGradient, fusedLayerStep } from './sampleStep';
import { TRAIN_COPY_MAX_BYTES } from '../budget';
import type { ComputeInfo } from './compute';
import { trainingThreads } from './threadPool';
import { jsForward } from './jsKernels';
import { emptyScalars, optimizer, optimizerSettings, regularise, type Optimizer, type OptimizerSettings, type ParameterArrays, type StepScalars } from './optimizers';
import { EarlyStopping, monitoredValue, type StopReason } from './stopping';
import { checkOptimizerState, rms, type OptimizerState, type OptimizerStateSummary } from './optimizerState';
import type { TrainingState } from './trainingState';
import {
  DivergenceError,
  type EpochMetrics,
  type Evaluation,
  type Gradient,
  type LayerView,
  type LiveHyper,
  type SampleTrace,
  type StepResult,
  type Trainer,
} from './types';

export interface TrainerOptions {
  /** The matrix backend; by default defaultKernels(): WebAssembly SIMD where available (plain JavaScript for tiny networks and where it is not). */
  kernels?: Kernels;
  /**
   * false: never the fused one-sample step (sampleStep.ts), always the generic passes it is the
   * bit-identical fast path of (its plain twin, for tests). Default true.
   */
  fusedSteps?: boolean;
}

/** Rows per chunk when evaluating or taking the full gradient (and the least the buffers hold). */
const CHUNK_ROWS = 256;

export function createTrainer(spec: NetworkSpec, data: PreparedData, options: TrainerOptions = {}): Trainer {
  return new BatchTrainer(spec, data, options.kernels ?? defaultKernels(spec, data), options.fusedSteps ?? true);
}

/**
 * Below this many multiply-adds in the largest kernel call of a step, crossing into WebAssembly
 * costs more than SIMD saves (2-8-8-1 with batch 1: about 1.8 µs a step in JS, 2.9 µs in wasm);
 * from 2-8-8-1 with batch 16 (1,024) on, the wasm kernels win.
 */
export const TINY_KERNEL_WORK = 256;

/** createKernels('auto'), except plain JavaScript for tiny networks (see TINY_KERNEL_WORK). */
export function defaultKernels(spec: NetworkSpec, data: PreparedData): Kernels {
  const count = data.train.count;
  const batch = spec.batch === 'full' ? count : Math.max(1, Math.min(Math.floor(spec.batch), count));
  let largest = 0;
  let inputs = spec.input.size;
  for (const layer of spec.layers) {
    largest = Math.max(largest, batch * inputs * layer.units);
    inputs = layer.units;
  }
  return createKernels(largest <= TINY_KERNEL_WORK ? 'js' : 'auto');
}

/**
 * A layer's public view. `lastDelta*` and `epochDelta*` are worked out when read, as
 * w − (w before the last step) and w − (w when the epoch began), so the step loop itself only
 * copies the weights (a memcpy) instead of keeping two more running sums. After a fused
 * one-sample step, ∂C/∂w too is written only when read (`settle`, see BatchTrainer.settle).
 */
class DenseLayerView implements LayerView {
  /** Called before ∂C/∂w is read: writes a pending gradient into gradWeightsBuffer. */
  settle: () => void = () => {};

  get gradWeights(): Float32Array {
    this.settle();
    return this.gradWeightsBuffer;
  }

  constructor(
    readonly index: number,
    readonly inputs: number,
    readonly units: number,
    readonly activation: LayerView['activation'],
    readonly bias: boolean,
    readonly weights: Float32Array,
    readonly biases: Float32Array,
    /** ∂C/∂w's storage; read it through gradWeights, which first writes a pending fused step's gradient. */
    readonly gradWeightsBuffer: Float32Array,
    readonly gradBiases: Float32Array,
    /** w and b before the last step (after a reset or setWeights: the current ones). */
    readonly previousWeights: Float32Array,
    readonly previousBiases: Float32Array,
    /** w and b when the current epoch began. */
    readonly epochStartWeights: Float32Array,
    readonly epochStartBiases: Float32Array,
    /** Buffers the getters fill (the kernels' update hooks use them as scratch in between). */
    readonly lastDeltaW: Float32Array,
    readonly lastDeltaB: Float32Array,
    readonly epochDeltaW: Float32Array,
    readonly epochDeltaB: Float32Array,
  ) {}

  get lastDeltaWeights(): Float32Array {
    return difference(this.weights, this.previousWeights, this.lastDeltaW);
  }

  get lastDeltaBiases(): Float32Array {
    return difference(this.biases, this.previousBiases, this.lastDeltaB);
  }

  get epochDeltaWeights(): Float32Array {
    return difference(this.weights, this.epochStartWeights, this.epochDeltaW);
  }

  get epochDeltaBiases(): Float32Array {
    return difference(this.biases, this.epochStartBiases, this.epochDeltaB);
  }
}

/** out = after − before, element-wise; returns out. */
function difference(after: Float32Array, before: Float32Array, out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = after[i] - before[i];
  return out;
}

interface Layer {
  view: DenseLayerView;
  fn: ActivationFunction;
  /** What the optimizer steps: the weights (with λ₂, λ₁) and the biases (without), each with its state. */
  weightArrays: ParameterArrays;
  biasArrays: ParameterArrays;
  /** Dropout's p (0: none); its mask M and Â = A ⊙ M, rows × units (null without dropout). */
  dropout: number;
  mask: Float32Array | null;
  dropped: Float32Array | null;
  /** Chunk gradients for fullGradient/gradientOf (keeps the last step's gradients intact). */
  scratchWeights: Float32Array;
  scratchBiases: Float32Array;
  /** rows × units: weighted inputs z, activations a, errors δ. */
  Z: Float32Array;
  A: Float32Array;
  D: Float32Array;
}

class BatchTrainer implements Trainer {
  readonly layers: readonly LayerView[];
  /** epochs (also raised when a finished session continues: the worker's 'extendEpochs'), stepsPerEpoch, batchSize, l2, settings and spec change only through retune(). */
  epochs: number;
  stepsPerEpoch: number;
  batchSize: number;
  readonly trainCount: number;
  readonly task: Dataset['task'];
  readonly kernelsName: string;

  epoch = 0;
  step = 0;
  stepInEpoch = 0;

  private readonly net: Layer[];
  private readonly inputSize: number;
  private readonly outputSize: number;
  /** Rows the batch matrices hold. */
  private readonly rows: number;
  /** rows × inputSize: a^0 of the batch. */
  private readonly X: Float32Array;
  /** rows × outputSize: the batch's targets y. */
  private readonly Y: Float32Array;
  /** The current epoch's shuffle of the training set (in the kernels' memory when trainCopy is there). */
  private readonly order: Int32Array;
  /** The training set's inputs and targets in the kernels' memory, for their gather (null: gathered in JavaScript). */
  private readonly trainCopy: { inputs: Float32Array; targets: Float32Array } | null;
  /** 0, 1, …, trainCount − 1 (for fullGradient). */
  private readonly everySample: Int32Array;
  private readonly costFn: CostFunction;
  private l2: number;
  private readonly l1: number;
  private settings: OptimizerSettings;
  private readonly optimizer: Optimizer;
  /** The current step's scalars (rate, bias corrections, …), filled before each update. */
  private readonly scalars: StepScalars = emptyScalars();
  /** Updates since the optimizer state began (Adam's t after the next update is this + 1). */
  private updates = 0;
  private shuffleRandom: Random;
  private dropoutRandom: Random;
  /** Σ w² and Σ |w| over all weights (kept up to date by every update), for the L2 and L1 terms. */
  private sumSquares = 0;
  /** The last update did not sum the squares (the fused step without L2): sumSquares is worked out when the L2 term is next wanted. */
  private sumSquaresStale = false;
  private sumAbs = 0;
  private readonly stopping: EarlyStopping | null;
  private stopReason: StopReason | null = null;
  /** restore=best: the best epoch's weights and biases, per layer (made at the first improvement). */
  private bestParameters: { weights: Float32Array; biases: Float32Array }[] | null = null;
  /** Bumped whenever the parameters change, so an evaluation is computed once per set of weights. */
  private version = 0;
  private readonly evaluations: { train: { version: number; value: Evaluation | null } | null; validation: { version: number; value: Evaluation | null } | null } = {
    train: null,
    validation: null,
  };
  private lastSampleIndex = 0;
  /** m of the last step (the rows its dropout masks cover). */
  private lastStepRows = 0;
  /**
   * The last sample of the last step, copied after its backward pass and before its update:
   * a^0 … a^L, z^1 … z^L, δ^1 … δ^L at the weights that step's ∂C/∂w was computed at, so
   * a^{l−1}_k · δ^l_j is exactly that sample's share of the step's gradient. Plain arrays made once.
   */
  private readonly stepTrace: { activations: Float32Array[]; zs: Float32Array[]; deltas: Float32Array[] };
  /**
   * Lazy: the batch row whose a, z and δ (still in X, Z^l, A^l, D^l after the step) are the last
   * step's trace but not yet copied into stepTrace, or −1. The copy is made only when something
   * else is about to overwrite those buffers (settleTrace) or the trace is read, not on every step.
   */
  private traceRow = -1;
  /**
   * Lazy too: after a fused one-sample step, ∂C/∂w is not written (each value is used in the
   * update and dropped); δ^l and a^{l−1} stay in D^l and A^{l−1}, and the weights before the step in
   * previousWeights, so settle() writes it when it is read or those buffers are about to change.
   */
  private gradientsPending = false;
  /**
   * One-sample steps take the fused step (sampleStep.ts): plain JavaScript kernels, sgd without
   * momentum (no optimizer state), no dropout. Fixed when the trainer is made.
   */
  private readonly fusedSample: boolean;
  /** Per layer, what fusedLayerStep returned in the last fused step. */
  private readonly fusedSums: Float64Array;

  constructor(
    public spec: NetworkSpec,
    readonly data: PreparedData,
    private readonly kernels: Kernels,
    fusedSteps = true,
  ) {
    const train = data.train;
    if (spec.layers.length === 0) throw new Error('the network has no dense layers');
    if (train.count === 0) throw new Error(`the training set ${train.name} is empty`);
    if (train.inputSize !== spec.input.size) {
      throw new Error(`the network takes ${spec.input.size} inputs but the data ${train.name} has ${train.inputSize}`);
    }
    const outputUnits = spec.layers[spec.layers.length - 1].units;
    if (train.outputSize !== outputUnits) {
      throw new Error(`the network has ${outputUnits} outputs but the data ${train.name} has ${train.outputSize} targets`);
    }
    this.kernelsName = kernels.name;
    this.inputSize = spec.input.size;
    this.outputSize = outputUnits;
    this.trainCount = train.count;
    this.task = train.task;
    this.epochs = spec.epochs;
    this.batchSize = spec.batch === 'full' ? train.count : Math.max(1, Math.min(Math.floor(spec.batch), train.count));
    this.stepsPerEpoch = Math.ceil(train.count / this.batchSize);
    this.costFn = cost(spec.loss);
    this.l2 = spec.l2;
    this.l1 = spec.l1 ?? 0;
    this.settings = optimizerSettings(spec.optimizer);
    this.optimizer = optimizer(this.settings.kind);
    this.shuffleRandom = Random.derive(spec.seed, 'shuffle');
    this.dropoutRandom = Random.derive(spec.seed, 'dropout');
    this.stopping = spec.stop ? new EarlyStopping(spec.stop) : null;
    if (spec.stop) checkMonitor(spec.stop.monitor, train.task, data.validation?.count ?? 0);
    const last = spec.layers[spec.layers.length - 1];
    if ((last.dropout ?? 0) > 0) throw new Error(`dropout on the output layer (layer ${last.index}) would drop the network's answers: put it on a hidden layer`);
    const states = this.optimizer.stateNames(this.settings).length;
    this.fusedSample =
      fusedSteps && !kernels.optimize && this.settings.kind === 'sgd' && states === 0 && spec.layers.every((layer) => (layer.dropout ?? 0) === 0);
    this.fusedSums = new Float64Array(spec.layers.length);

    const validationCount = data.validation?.count ?? 0;
    this.rows = Math.max(this.batchSize, Math.min(CHUNK_ROWS, Math.max(train.count, validationCount)));

    // One allocation for everything, sliced below: per layer 7 weight-shaped arrays, 2 more per
    // optimizer state array (it and its value before the step), and their bias-shaped partners;
    // 3 batch matrices (5 with dropout); every slice starts on 16 bytes (SIMD-friendly). With the
    // kernels' gather, the training set and the two sample orders (int32 views of float32 slices) too.
    const ALIGN = 4;
    const padded = (length: number): number => Math.ceil(length / ALIGN) * ALIGN;
    let total = padded(this.rows * this.inputSize) + padded(this.rows * this.outputSize);
    const copyTrain = kernels.gather !== undefined && train.count * (this.inputSize + this.outputSize) * 4 <= TRAIN_COPY_MAX_BYTES;
    if (copyTrain) total += padded(train.count * this.inputSize) + padded(train.count * this.outputSize) + 2 * padded(train.count);
    let inputs = this.inputSize;
    for (const layer of spec.layers) {
      const matrices = (layer.dropout ?? 0) > 0 ? 5 : 3;
      total += (7 + 2 * states) * (padded(layer.units * inputs) + padded(layer.units)) + matrices * padded(this.rows * layer.units);
      inputs = layer.units;
    }
    const memory = kernels.alloc(total);
    let offset = 0;
    const take = (length: number): Float32Array => {
      if (offset + length > total) throw new Error('internal: trainer buffers overrun their allocation');
      const view = memory.subarray(offset, offset + length);
      offset += padded(length);
      return view;
    };
    this.X = take(this.rows * this.inputSize);
    this.Y = take(this.rows * this.outputSize);
    const int32 = (view: Float32Array): Int32Array => new Int32Array(view.buffer, view.byteOffset, view.length);
    this.order = copyTrain ? int32(take(train.count)) : new Int32Array(train.count);
    this.everySample = copyTrain ? int32(take(train.count)) : new Int32Array(train.count);
    this.trainCopy = copyTrain ? { inputs: take(train.count * this.inputSize), targets: take(train.count * this.outputSize) } : null;
    this.trainCopy?.inputs.set(train.inputs.subarray(0, train.count * this.inputSize));
    this.trainCopy?.targets.set(train.targets.subarray(0, train.count * this.outputSize));
    inputs = this.inputSize;
    this.net = spec.layers.map((layer, l) => {
      const size = layer.units * inputs;
      const view = new DenseLayerView(
        l + 1,
        inputs,
        layer.units,
        layer.activation,
        layer.bias,
        take(size),
        take(layer.units),
        take(size),
        take(layer.units),
        take(size),
        take(layer.units),
        take(size),
        take(layer.units),
        take(size),
        take(layer.units),
        take(size),
        take(layer.units),
      );
      const parameters = (w: Float32Array, g: Float32Array, previous: Float32Array, length: number, l2: number, l1: number): ParameterArrays => ({
        w,
        g,
        previous,
        s1: states >= 1 ? take(length) : null,
        s2: states >= 2 ? take(length) : null,
        p1: states >= 1 ? take(length) : null,
        p2: states >= 2 ? take(length) : null,
        l2,
        l1,
      });
      const dropout = layer.dropout ?? 0;
      const result: Layer = {
        view,
        fn: activation(layer.activation),
        weightArrays: parameters(view.weights, view.gradWeightsBuffer, view.previousWeights, size, this.l2, this.l1),
        biasArrays: parameters(view.biases, view.gradBiases, view.previousBiases, layer.units, 0, 0),
        dropout,
        mask: dropout > 0 ? take(this.rows * layer.units) : null,
        dropped: dropout > 0 ? take(this.rows * layer.units) : null,
        scratchWeights: take(size),
        scratchBiases: take(layer.units),
        Z: take(this.rows * layer.units),
        A: take(this.rows * layer.units),
        D: take(this.rows * layer.units),
      };
      inputs = layer.units;
      return result;
    });
    this.layers = this.net.map((layer) => layer.view);
    for (const { view } of this.net) view.settle = () => this.settle();
    for (let i = 0; i < train.count; i++) this.everySample[i] = i;
    this.stepTrace = {
      activations: [new Float32Array(this.inputSize), ...spec.layers.map((layer) => new Float32Array(layer.units))],
      zs: spec.layers.map((layer) => new Float32Array(layer.units)),
      deltas: spec.layers.map((layer) => new Float32Array(layer.units)),
    };
    this.reset();
  }

  get compute(): ComputeInfo {
    return { kernels: this.kernels.name, threads: this.kernels.threadsUsed?.() ?? 1, threadsSet: trainingThreads() };
  }

  get rate(): number {
    // η·d^e, worked out once per epoch and optimizer line (Math.pow costs as much as a tiny step's update)
    const { optimizer } = this.spec;
    if (this.rateOf !== optimizer || this.rateEpoch !== this.epoch) {
      this.rateOf = optimizer;
      this.rateEpoch = this.epoch;
      this.rateValue = optimizer.rate * Math.pow(optimizer.decay, this.epoch);
    }
    return this.rateValue;
  }

  /** The cache of `rate`: the optimizer line and epoch it was worked out for. */
  private rateOf: NetworkSpec['optimizer'] | null = null;
  private rateEpoch = -1;
  private rateValue = 0;

  get done(): boolean {
    return this.epoch >= this.epochs || this.stopReason !== null;
  }

  get stopped(): StopReason | null {
    return this.stopReason;
  }

  retune(changes: LiveHyper): void {
    this.settle(); // a pending gradient's λ₂ and λ₁ are the step's
    const train = this.data.train;
    const batch = changes.batch ?? this.spec.batch;
    const batchSize = batch === 'full' ? train.count : Math.max(1, Math.min(Math.floor(batch), train.count));
    if (batchSize > this.rows) throw new Error(`batch ${batchSize} is larger than this session's batch buffers (${this.rows} rows): restart the session to use it`);
    const optimizer = { ...this.spec.optimizer };
    if (changes.rate !== undefined) optimizer.rate = changes.rate;
    if (changes.decay !== undefined) optimizer.decay = changes.decay;
    if (changes.momentum !== undefined) {
      if (optimizer.kind !== 'sgd') throw new Error(`momentum is an option of sgd, not of ${optimizer.kind}`);
      if (this.settings.momentum === 0 && changes.momentum !== 0) throw new Error('momentum from 0 needs velocity arrays this session does not have: restart the session to use it');
      optimizer.momentum = changes.momentum;
    }
    // The position in the epoch is kept in samples: after a batch change the epoch goes on from
    // the same place in its shuffle (rounded down to the new batch, so a few samples may repeat).
    const samplesDone = this.stepInEpoch * this.batchSize;
    this.spec = { ...this.spec, optimizer, batch, epochs: changes.epochs ?? this.epochs, l2: changes.l2 ?? this.spec.l2 };
    this.settings = optimizerSettings(optimizer);
    this.epochs = this.spec.epochs;
    this.batchSize = batchSize;
    this.stepsPerEpoch = Math.ceil(train.count / batchSize);
    this.stepInEpoch = Math.min(Math.floor(samplesDone / batchSize), this.stepsPerEpoch - 1);
    if (this.l2 !== this.spec.l2) {
      this.l2 = this.spec.l2;
      for (const layer of this.net) layer.weightArrays.l2 = this.l2;
    }
  }

  reset(): void {
    const random = Random.derive(this.spec.seed, 'init');
    this.spec.layers.forEach((layerSpec, l) => {
      const layer = this.net[l];
      const { weights, inputs: fanIn, units: fanOut } = layer.view;
      initialiser(layerSpec.init.kind).fill(weights, fanIn, fanOut, random, layerSpec.init);
      layer.view.biases.fill(0);
      this.clearLayerState(layer);
    });
    this.parametersChanged();
    this.epoch = 0;
    this.step = 0;
    this.stepInEpoch = 0;
    this.lastSampleIndex = 0;
    this.traceRow = -1;
    this.shuffleRandom = Random.derive(this.spec.seed, 'shuffle');
    this.dropoutRandom = Random.derive(this.spec.seed, 'dropout');
    this.order.set(this.everySample);
    this.stopReason = null;
    this.bestParameters = null;
    if (this.stopping) this.stopping.reset();
  }

  resumeAt(step: number, epoch: number): void {
    this.step = step;
    this.epoch = Math.min(epoch, this.epochs);
    this.stepInEpoch = 0;
  }

  stepOnce(): StepResult {
    // this step's trace and gradients replace the pending ones
    this.traceRow = -1;
    this.gradientsPending = false;
    if (this.stepInEpoch === 0) {
      // A new epoch: a fresh shuffle, and its accumulated change starts from zero.
      this.shuffleRandom.shuffle(this.order);
      for (const { view } of this.net) {
        view.epochStartWeights.set(view.weights);
        view.epochStartBiases.set(view.biases);
      }
    }
    const start = this.stepInEpoch * this.batchSize;
    const m = Math.min(this.batchSize, this.trainCount - start);
    this.gather(this.order, start, m);
    const rate = this.rate;
    const stepNumber = this.step + 1;
    let loss: number;
    let updated: boolean;
    if (m === 1 && this.fusedSample) {
      // The fused one-sample step: forward, δ^L and the loss first; then, if the loss is finite,
      // backward, gradient and update in one pass per layer (else the gradients alone, as below).
      this.forwardOne();
      const output = this.net[this.net.length - 1];
      loss = outputDelta(this.costFn, output.fn, output.Z, output.A, this.Y, output.D, 1, this.outputSize) + this.regularisationTerm();
      updated = Number.isFinite(loss) ? this.fusedBackwardUpdate(rate) : (this.backwardPass(1, 'step'), false);
    } else {
      const costSum = this.backpropagate(m, 'step');
      loss = costSum / m + this.regularisationTerm();
      updated = Number.isFinite(loss) && this.update(rate);
    }
    this.traceRow = m - 1;
    if (!Number.isFinite(loss)) throw this.divergence(`loss became ${Number.isNaN(loss) ? 'NaN' : 'infinite'}`, stepNumber, rate);
    if (!updated) throw this.divergence('a weight became NaN or infinite', stepNumber, rate);

    this.lastSampleIndex = this.order[start + m - 1];
    this.lastStepRows = m;
    const epoch = this.epoch;
    this.step = stepNumber;
    this.stepInEpoch++;
    const epochEnded = this.stepInEpoch === this.stepsPerEpoch;
    if (epochEnded) {
      this.stepInEpoch = 0;
      this.epoch++;
      if (this.stopping) this.checkStop(epoch);
    }
    return { step: stepNumber, epoch, loss, batchSize: m, rate, epochEnded };
  }

  nextBatch(): Int32Array {
    let order = this.order;
    if (this.stepInEpoch === 0) {
      // the shuffle stepOnce() will make, on copies of the order and the generator
      order = this.order.slice();
      this.shuffleRandom.clone().shuffle(order);
    }
    const start = this.stepInEpoch * this.batchSize;
    return order.slice(start, Math.min(start + this.batchSize, this.trainCount));
  }

  /** After epoch `epoch` (from 0): the `stop` rule on its evaluation (cached for the caller's own evaluate). */
  private checkStop(epoch: number): void {
    const stopping = this.stopping as EarlyStopping;
    const train = this.evaluate('train') as Evaluation;
    const validation = this.evaluate('validation') ?? undefined;
    const value = monitoredValue(stopping.spec.monitor, { train, validation });
    if (value === undefined) return;
    const verdict = stopping.observe(epoch, value);
    if (verdict === 'improved' && stopping.spec.restore === 'best') this.keepBest();
    if (verdict === 'stop') {
      const reason = stopping.lastReason as StopReason;
      if (reason.restoredEpoch !== undefined && this.bestParameters) this.restoreBest();
      this.stopReason = reason;
    }
  }

  private keepBest(): void {
    this.bestParameters ??= this.net.map(({ view }) => ({ weights: new Float32Array(view.weights.length), biases: new Float32Array(view.units) }));
    this.net.forEach(({ view }, l) => {
      this.bestParameters![l].weights.set(view.weights);
      this.bestParameters![l].biases.set(view.biases);
    });
  }

  /** Puts the best epoch's weights back (the optimizer state stays: the run is over). */
  private restoreBest(): void {
    this.settle();
    this.net.forEach(({ view }, l) => {
      view.weights.set(this.bestParameters![l].weights);
      view.biases.set(this.bestParameters![l].biases);
      view.previousWeights.set(view.weights);
      view.previousBiases.set(view.biases);
    });
    this.parametersChanged();
  }

  stepEpoch(): EpochMetrics {
    let result: StepResult;
    do result = this.stepOnce();
    while (!result.epochEnded);
    const train = this.evaluate('train') as Evaluation;
    const validation = this.evaluate('validation');
    return validation ? { epoch: result.epoch, train, validation } : { epoch: result.epoch, train };
  }

  evaluate(part: 'train' | 'validation'): Evaluation | null {
    const cached = this.evaluations[part];
    if (cached && cached.version === this.version) return cached.value === null ? null : { ...cached.value };
    const value = this.evaluateNow(part);
    this.evaluations[part] = { version: this.version, value };
    return value === null ? null : { ...value };
  }

  private evaluateNow(part: 'train' | 'validation'): Evaluation | null {
    this.settle();
    const dataset = part === 'train' ? this.data.train : this.data.validation;
    if (!dataset || dataset.count === 0) return null;
    const { inputSize, outputSize } = this;
    const output = this.net[this.net.length - 1];
    let costSum = 0;
    let correct = 0;
    for (let start = 0; start < dataset.count; start += this.rows) {
      const m = Math.min(this.rows, dataset.count - start);
      this.X.set(dataset.inputs.subarray(start * inputSize, (start + m) * inputSize));
      this.Y.set(dataset.targets.subarray(start * outputSize, (start + m) * outputSize));
      this.forward(m);
      for (let b = 0; b < m; b++) {
        costSum += this.costFn.value(output.A, this.Y, b * outputSize, outputSize);
        if (isCorrect(this.task, output.A, this.Y, b * outputSize, outputSize)) correct++;
      }
    }
    const loss = costSum / dataset.count + this.regularisationTerm();
    return this.task === 'regression' ? { loss, count: dataset.count } : { loss, accuracy: correct / dataset.count, count: dataset.count };
  }

  forwardPart(
    part: 'train' | 'validation',
    visit: (start: number, m: number, zs: readonly Float32Array[], activations: readonly Float32Array[]) => void,
    limit = Infinity,
  ): void {
    this.settle();
    const dataset = part === 'train' ? this.data.train : this.data.validation;
    if (!dataset) return;
    const count = Math.min(dataset.count, limit);
    const n = this.inputSize;
    for (let start = 0; start < count; start += this.rows) {
      const m = Math.min(this.rows, count - start);
      this.X.set(dataset.inputs.subarray(start * n, (start + m) * n));
      this.forward(m);
      const zs = this.net.map((layer) => layer.Z.subarray(0, m * layer.view.units));
      const activations = this.net.map((layer) => layer.A.subarray(0, m * layer.view.units));
      visit(start, m, zs, activations);
    }
  }

  forwardPoints(
    raw: Float32Array,
    count: number,
    visit: (start: number, m: number, zs: readonly Float32Array[], activations: readonly Float32Array[]) => void,
  ): void {
    this.settle();
    const width = raw.length / Math.max(1, count);
    const n = this.inputSize;
    for (let start = 0; start < count; start += this.rows) {
      const m = Math.min(this.rows, count - start);
      // each point as predict() takes it: the spec's features, then the normalisation
      for (let b = 0; b < m; b++) {
        const from = (start + b) * width;
        encodeInput(this.spec.features, this.data.normalizer, raw.subarray(from, from + width), this.X.subarray(b * n, (b + 1) * n));
      }
      this.forward(m);
      const zs = this.net.map((layer) => layer.Z.subarray(0, m * layer.view.units));
      const activations = this.net.map((layer) => layer.A.subarray(0, m * layer.view.units));
      visit(start, m, zs, activations);
    }
  }

  predict(input: ArrayLike<number>): Float32Array {
    this.settle();
    // the spec's features (of a raw 2-D point), then the normalisation
    encodeInput(this.spec.features, this.data.normalizer, input, this.X.subarray(0, this.inputSize));
    this.forward(1);
    return this.net[this.net.length - 1].A.slice(0, this.outputSize);
  }

  trace(sampleIndex?: number): SampleTrace {
    this.settle();
    if (sampleIndex === undefined && this.step > 0) {
      const { activations, zs, deltas } = this.stepTrace;
      const copy = (arrays: Float32Array[]): Float32Array[] => arrays.map((a) => a.slice());
      return { sampleIndex: this.lastSampleIndex, activations: copy(activations), zs: copy(zs), deltas: copy(deltas) };
    }
    sampleIndex ??= this.lastSampleIndex;
    if (!Number.isInteger(sampleIndex) || sampleIndex < 0 || sampleIndex >= this.trainCount) {
      throw new RangeError(`sample ${sampleIndex} is not in the training set (0 to ${this.trainCount - 1})`);
    }
    const single = Int32Array.of(sampleIndex);
    this.gather(single, 0, 1);
    this.forward(1);
    this.deltas(1);
    return {
      sampleIndex,
      activations: [this.X.slice(0, this.inputSize), ...this.net.map((layer) => layer.A.slice(0, layer.view.units))],
      zs: this.net.map((layer) => layer.Z.slice(0, layer.view.units)),
      deltas: this.net.map((layer) => layer.D.slice(0, layer.view.units)),
    };
  }

  fullGradient(): Gradient {
    return this.gradientOf(this.everySample);
  }

  gradientOf(sampleIndices: ArrayLike<number>): Gradient {
    this.settle();
    const count = sampleIndices.length;
    if (count === 0) throw new RangeError('the gradient needs at least one sample');
    const indices = Int32Array.from(sampleIndices);
    for (const i of indices) {
      if (i < 0 || i >= this.trainCount) throw new RangeError(`sample ${i} is not in the training set (0 to ${this.trainCount - 1})`);
    }
    // Sums in float64 over chunks, divided by the count at the end.
    const sumW = this.net.map((layer) => new Float64Array(layer.view.weights.length));
    const sumB = this.net.map((layer) => new Float64Array(layer.view.units));
    let costSum = 0;
    for (let start = 0; start < count; start += this.rows) {
      const m = Math.min(this.rows, count - start);
      this.gather(indices, start, m);
      costSum += this.backpropagate(m, 'scratch');
      this.net.forEach((layer, l) => {
        for (let i = 0; i < sumW[l].length; i++) sumW[l][i] += layer.scratchWeights[i];
        for (let j = 0; j < sumB[l].length; j++) sumB[l][j] += layer.scratchBiases[j];
      });
    }
    const dW = this.net.map((layer, l) => {
      const w = layer.view.weights;
      const out = new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) out[i] = sumW[l][i] / count;
      if (this.l2 !== 0 || this.l1 !== 0) regularise(w, out, w.length, this.l2, this.l1);
      return out;
    });
    const db = this.net.map((layer, l) => {
      const out = new Float32Array(layer.view.units);
      if (layer.view.bias) for (let j = 0; j < out.length; j++) out[j] = sumB[l][j] / count;
      return out;
    });
    return { loss: costSum / count + this.regularisationTerm(), dW, db };
  }

  getWeights(): WeightsFile {
    return {
      format: 'nnspec-weights',
      version: 1,
      layers: this.net.map(({ view }) => {
        const weights: number[][] = [];
        for (let j = 0; j < view.units; j++) weights.push(Array.from(view.weights.subarray(j * view.inputs, (j + 1) * view.inputs)));
        return { weights, biases: Array.from(view.biases) };
      }),
    };
  }

  setWeights(file: WeightsFile): void {
    checkWeightsShape(file, this.spec);
    file.layers.forEach((layer, l) => {
      layer.weights.forEach((row, j) =>
        row.forEach((value, k) => {
          if (!Number.isFinite(Math.fround(value))) {
            throw new WeightsError(`layer ${l + 1}: weights row ${j + 1}, column ${k + 1} is ${value}, not a finite float32 number`);
          }
        }),
      );
      layer.biases.forEach((value, j) => {
        if (!Number.isFinite(Math.fround(value))) throw new WeightsError(`layer ${l + 1}: bias ${j + 1} is ${value}, not a finite float32 number`);
      });
    });
    file.layers.forEach((layer, l) => {
      const { view } = this.net[l];
      layer.weights.forEach((row, j) => view.weights.set(row, j * view.inputs));
      view.biases.fill(0);
      if (view.bias) view.biases.set(layer.biases);
      this.clearLayerState(this.net[l]);
    });
    this.parametersChanged();
  }

  getOptimizerState(): OptimizerState {
    const names = this.optimizer.stateNames(this.settings);
    const pick = (arrays: ParameterArrays): Record<string, number[]> => {
      const out: Record<string, number[]> = {};
      names.forEach((name, i) => (out[name] = Array.from((i === 0 ? arrays.s1 : arrays.s2) as Float32Array)));
      return out;
    };
    return {
      format: 'nnspec-optimizer-state',
      version: 1,
      optimizer: this.settings.kind,
      updates: this.updates,
      layers: this.net.map((layer) => ({ weights: pick(layer.weightArrays), biases: pick(layer.biasArrays) })),
    };
  }

  optimizerStateSummary(): OptimizerStateSummary {
    const names = this.optimizer.stateNames(this.settings);
    return {
      optimizer: this.settings.kind,
      updates: this.updates,
      layers: this.net.map(({ weightArrays, biasArrays }) =>
        names.map((name, i) => {
          const key = i === 0 ? 's1' : 's2';
          return { name, weightsRms: rms(weightArrays[key] as Float32Array), biasesRms: rms(biasArrays[key] as Float32Array) };
        }),
      ),
    };
  }

  setOptimizerState(state: OptimizerState): void {
    const names = this.optimizer.stateNames(this.settings);
    checkOptimizerState(
      state,
      this.settings.kind,
      names,
      this.net.map(({ view }) => ({ weights: view.weights.length, biases: view.units })),
    );
    this.net.forEach((layer, l) => {
      names.forEach((name, i) => {
        const key = i === 0 ? 's1' : 's2';
        (layer.weightArrays[key] as Float32Array).set(state.layers[l].weights[name]);
        (layer.biasArrays[key] as Float32Array).set(state.layers[l].biases[name]);
      });
    });
    this.updates = state.updates;
  }

  getTrainingState(): TrainingState {
    const state: TrainingState = {
      format: 'nnspec-training-state',
      version: 1,
      step: this.step,
      epoch: this.epoch,
      stepInEpoch: this.stepInEpoch,
      epochs: this.epochs,
      order: Array.from(this.order),
      shuffleRandom: this.shuffleRandom.state(),
      dropoutRandom: this.dropoutRandom.state(),
      optimizer: this.getOptimizerState(),
      sums: [this.currentSumSquares(), this.sumAbs],
    };
    if (this.stopping) state.stopping = this.stopping.state;
    if (this.bestParameters) state.best = this.bestParameters.map((p) => ({ weights: Array.from(p.weights), biases: Array.from(p.biases) }));
    if (this.stopReason) state.stopped = { ...this.stopReason };
    return state;
  }

  setTrainingState(state: TrainingState): void {
    const fail = (what: string): never => {
      throw new Error(`the training state does not fit: ${what}`);
    };
    if (state.order.length !== this.trainCount) fail(`its shuffle orders ${state.order.length} samples, the training set has ${this.trainCount}`);
    const seen = new Uint8Array(this.trainCount);
    for (const i of state.order) {
      if (!(i >= 0 && i < this.trainCount) || seen[i]) fail('its shuffle order is not a permutation of the training samples');
      seen[i] = 1;
    }
    if (state.stepInEpoch >= this.stepsPerEpoch) fail(`it is at step ${state.stepInEpoch + 1} of an epoch of ${this.stepsPerEpoch}`);
    if (state.best) {
      if (state.best.length !== this.net.length) fail(`its best weights have ${state.best.length} layers, the network ${this.net.length}`);
      state.best.forEach((p, l) => {
        const { view } = this.net[l];
        if (p.weights.length !== view.weights.length || p.biases.length !== view.units) fail(`layer ${l + 1}'s best weights are not ${view.units} × ${view.inputs}`);
      });
    }
    this.setOptimizerState(state.optimizer);
    this.step = state.step;
    this.epoch = state.epoch;
    this.stepInEpoch = state.stepInEpoch;
    this.epochs = state.epochs;
    this.order.set(state.order);
    this.shuffleRandom = Random.fromState(state.shuffleRandom);
    this.dropoutRandom = Random.fromState(state.dropoutRandom);
    if (this.stopping) {
      if (state.stopping) this.stopping.restore(state.stopping);
      else this.stopping.reset();
    }
    this.bestParameters = state.best ? state.best.map((p) => ({ weights: Float32Array.from(p.weights), biases: Float32Array.from(p.biases) })) : null;
    this.stopReason = state.stopped ?? null;
    this.version++;
    [this.sumSquares, this.sumAbs] = state.sums;
    this.sumSquaresStale = false;
  }

  dropoutMask(layer: number): Float32Array | null {
    const found = this.net[layer - 1];
    if (!found) throw new RangeError(`layer ${layer} is not in the network (1 to ${this.net.length})`);
    return found.mask === null ? null : found.mask.slice(0, this.lastStepRows * found.view.units);
  }

  // -------------------------------------------------------------------------
  // The passes.

  /**
   * Before anything but a step overwrites the batch buffers, the previous weights or λ, and before
   * ∂C/∂w is read: the pending gradients into gradWeights, the pending trace row into stepTrace.
   */
  private settle(): void {
    if (this.gradientsPending) {
      this.gradientsPending = false;
      this.net.forEach((layer, l) => {
        const { view, weightArrays } = layer;
        const below = l > 0 ? this.net[l - 1] : null;
        fusedLayerGradient(layer.D, below ? below.A : this.X, view.previousWeights, view.gradWeightsBuffer, view.inputs, view.units, weightArrays.l2, weightArrays.l1);
      });
    }
    if (this.traceRow >= 0) {
      this.keepStepTrace(this.traceRow);
      this.traceRow = -1;
    }
  }

  /** Copies batch row b's a, z and δ of every layer into stepTrace (element loops: no views made). */
  private keepStepTrace(b: number): void {
    const { activations, zs, deltas } = this.stepTrace;
    const n = this.inputSize;
    for (let k = 0; k < n; k++) activations[0][k] = this.X[b * n + k];
    this.net.forEach((layer, l) => {
      const units = layer.view.units;
      const A = layer.dropped ?? layer.A; // what the next layer saw
      for (let j = 0, from = b * units; j < units; j++) {
        activations[l + 1][j] = A[from + j];
        zs[l][j] = layer.Z[from + j];
        deltas[l][j] = layer.D[from + j];
      }
    });
  }

  /** Copies samples order[start … start+m) of the training set into the batch rows X, Y. */
  private gather(order: Int32Array, start: number, m: number): void {
    const n = this.inputSize;
    const o = this.outputSize;
    const { X, Y, trainCopy, kernels } = this;
    if (trainCopy !== null && kernels.gather!(trainCopy.inputs, order, start, m, n, X) && kernels.gather!(trainCopy.targets, order, start, m, o, Y)) return;
    const { inputs, targets } = this.data.train;
    for (let b = 0; b < m; b++) {
      const i = order[start + b];
      // element loops rather than set(subarray(…)): no view objects made in the step loop
      for (let k = 0, from = i * n, to = b * n; k < n; k++) X[to + k] = inputs[from + k];
      for (let j = 0, from = i * o, to = b * o; j < o; j++) Y[to + j] = targets[from + j];
    }
  }

  /**
   * z^l = w^l a^{l−1} + b^l, a^l = σ(z^l) for the first m rows; training: with fresh dropout
   * masks, Â^l = A^l ⊙ M^l feeding layer l+1.
   */
  private forward(m: number, training = false): void {
    let A = this.X;
    for (const layer of this.net) {
      const { weights, biases, bias, inputs, units } = layer.view;
      this.kernels.forward(A, weights, bias ? biases : null, layer.Z, m, inputs, units);
      this.activate(layer, m);
      A = layer.A;
      if (training && layer.mask !== null && layer.dropped !== null) {
        // Â = A ⊙ M with a fresh mask: in one kernel pass where the kernels have it
        if (this.kernels.dropout) this.kernels.dropout(layer.A, layer.mask, layer.dropped, m * units, layer.dropout, this.dropoutRandom);
        else {
          this.drawMask(layer.mask, m * units, layer.dropout);
          this.multiply(layer.A, layer.mask, layer.dropped, m * units);
        }
        A = layer.dropped;
      }
    }
  }

  /** forward(1) of the fused one-sample step: the JavaScript kernel called directly (no dropout there). */
  private forwardOne(): void {
    const { net } = this;
    let A = this.X;
    for (let l = 0; l < net.length; l++) {
      const layer = net[l];
      const view = layer.view;
      jsForward(A, view.weights, view.bias ? view.biases : null, layer.Z, 1, view.inputs, view.units);
      layer.fn.forward(layer.Z, layer.A, 1, view.units);
      A = layer.A;
    }
  }

  /** M_i = 0 with probability p, else 1/(1 − p), for the first `count` values. */
  private drawMask(mask: Float32Array, count: number, p: number): void {
    const keep = 1 / (1 - p);
    const random = this.dropoutRandom;
    // next() < p, without its division: next() = u / 2³² for the 32-bit draw u
    const threshold = p * 4294967296;
    for (let i = 0; i < count; i++) mask[i] = random.nextUint32() < threshold ? 0 : keep;
  }

  /** out = X ⊙ M over `count` values (out may be X). */
  private multiply(X: Float32Array, M: Float32Array, out: Float32Array, count: number): void {
    if (this.kernels.multiply) return this.kernels.multiply(X, M, out, count);
    for (let i = 0; i < count; i++) out[i] = X[i] * M[i];
  }

  /** δ^L, then δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ'(z^l), for the first m rows (after forward). Returns Σ_x C_x. */
  private deltas(m: number): number {
    const L = this.net.length;
    const output = this.net[L - 1];
    const costSum = outputDelta(this.costFn, output.fn, output.Z, output.A, this.Y, output.D, m, this.outputSize);
    for (let l = L - 1; l > 0; l--) {
      const layer = this.net[l];
      const below = this.net[l - 1];
      this.kernels.backward(layer.D, layer.view.weights, below.D, m, layer.view.units, layer.view.inputs);
      this.derive(below, m);
    }
    return costSum;
  }

  /**
   * Forward and backward over the first m batch rows, then the gradients: 'step' writes the batch
   * mean (1/m) Σ_x into gradWeights/gradBiases (no L2 yet); 'scratch' writes the sum Σ_x into the
   * scratch buffers. Returns Σ_x C_x. Interleaves ∂C/∂w^l with δ^{l−1} so each layer's δ is used hot.
   */
  private backpropagate(m: number, into: 'step' | 'scratch'): number {
    this.forward(m, into === 'step');
    const output = this.net[this.net.length - 1];
    const costSum = outputDelta(this.costFn, output.fn, output.Z, output.A, this.Y, output.D, m, this.outputSize);
    this.backwardPass(m, into);
    return costSum;
  }

  /** backpropagate after its forward pass and δ^L: ∂C/∂w^l, ∂C/∂b^l and δ^{l−1}, from the last layer down. */
  private backwardPass(m: number, into: 'step' | 'scratch'): void {
    const training = into === 'step';
    const L = this.net.length;
    const scale = into === 'step' ? 1 / m : 1;
    for (let l = L - 1; l >= 0; l--) {
      const layer = this.net[l];
      const { view } = layer;
      const below = l > 0 ? this.net[l - 1] : null;
      const A = below ? (training && below.dropped !== null ? below.dropped : below.A) : this.X;
      const G = into === 'step' ? view.gradWeightsBuffer : layer.scratchWeights;
      const gb = into === 'step' ? view.gradBiases : layer.scratchBiases;
      // ∂C/∂w^l_jk = a^{l−1}_k δ^l_j, ∂C/∂b^l_j = δ^l_j (averaged or summed over the rows)
      this.kernels.gradient(layer.D, A, G, view.bias ? gb : null, m, view.units, view.inputs, scale);
      if (below) {
        // δ^{l−1} = ((w^l)ᵀ δ^l) ⊙ M^{l−1} (training with dropout) ⊙ σ'(z^{l−1})
        this.kernels.backward(layer.D, view.weights, below.D, m, view.units, view.inputs);
        if (training && below.mask !== null) this.multiply(below.D, below.mask, below.D, m * below.view.units);
        this.derive(below, m);
      }
    }
  }

  /** A^l = σ(Z^l) over the first m rows: in the kernels where they have σ's loop, else activations.ts's. */
  private activate(layer: Layer, m: number): void {
    const { fn, Z, A } = layer;
    const units = layer.view.units;
    if (!this.kernels.activate?.(fn.code, Z, A, m * units)) fn.forward(Z, A, m, units);
  }

  /** D^l ← D^l ⊙ σ'(Z^l) (softmax: its Jacobian) over the first m rows: in the kernels where they have the loop, else activations.ts's. */
  private derive(layer: Layer, m: number): void {
    const { fn, Z, A, D } = layer;
    const units = layer.view.units;
    if (!fn.elementwise || !this.kernels.derive?.(fn.code, Z, A, D, m * units)) fn.backward(Z, A, D, m, units);
  }

  /**
   * The fused one-sample step's backward pass and update (sampleStep.ts), after forward and δ^L:
   * per layer from the last down, ∂C/∂w, ∂C/∂b, (w^l)ᵀ δ^l and the sgd update in one pass, then
   * σ' for δ^{l−1}. Bit-identical to backwardPass(1, 'step') followed by update(rate). When some new
   * parameter is not a finite float32, everything is put back and false returned.
   */
  private fusedBackwardUpdate(rate: number): boolean {
    const { net, fusedSums } = this;
    const squares = this.l2 !== 0; // Σ w² only for the L2 term
    for (let l = net.length - 1; l >= 0; l--) {
      const { view, weightArrays, D } = net[l];
      const below = l > 0 ? net[l - 1] : null;
      fusedSums[l] = fusedLayerStep(
        D, below ? below.A : this.X, view.weights, view.previousWeights,
        view.bias ? view.biases : null, view.gradBiases, view.previousBiases, below ? below.D : null,
        view.inputs, view.units, rate, weightArrays.l2, weightArrays.l1, squares,
      );
      if (below) below.fn.backward(below.Z, below.A, below.D, 1, below.view.units);
    }
    // summed over the layers in order 1 … L, as update() does (NaN when some layer's new values are not finite)
    this.gradientsPending = true;
    let sumSquares = 0;
    for (let l = 0; l < net.length; l++) sumSquares += fusedSums[l];
    return this.updated(sumSquares, 0, !squares);
  }

  /**
   * The update: the optimizer's rule over every layer's weights (regularised) and biases, through
   * the kernels' `optimize` where they have it, else the rule's JavaScript loop (optimizers.ts).
   * Each rule keeps the parameters and state from before the step, so when some parameter would
   * become ±∞ or NaN in float32 everything is put back and false returned.
   */
  private update(rate: number): boolean {
    const { optimizer: rule, scalars, kernels } = this;
    rule.scalars(this.settings, rate, this.updates + 1, scalars);
    let sumSquares = 0;
    let biasSquares = 0;
    for (const layer of this.net) {
      const { view, weightArrays, biasArrays } = layer;
      if (kernels.optimize) {
        sumSquares += kernels.optimize(rule.code, weightArrays, view.weights.length, scalars);
        if (view.bias) biasSquares += kernels.optimize(rule.code, biasArrays, view.units, scalars);
      } else {
        if (weightArrays.l2 !== 0 || weightArrays.l1 !== 0) regularise(view.weights, view.gradWeightsBuffer, view.weights.length, weightArrays.l2, weightArrays.l1);
        sumSquares += rule.step(weightArrays, view.weights.length, scalars);
        if (view.bias) biasSquares += rule.step(biasArrays, view.units, scalars);
      }
    }
    return this.updated(sumSquares, biasSquares);
  }

  /**
   * After an update whose new parameters have these Σ w² and Σ b²: the counters, or, when one is not
   * finite, everything put back and false. `stale`: sumSquares was not summed (only checked).
   */
  private updated(sumSquares: number, biasSquares: number, stale = false): boolean {
    if (!Number.isFinite(sumSquares) || !Number.isFinite(biasSquares)) {
      for (const { view, weightArrays, biasArrays } of this.net) {
        view.weights.set(view.previousWeights);
        if (view.bias) view.biases.set(view.previousBiases);
        for (const arrays of view.bias ? [weightArrays, biasArrays] : [weightArrays]) {
          if (arrays.s1 && arrays.p1) arrays.s1.set(arrays.p1);
          if (arrays.s2 && arrays.p2) arrays.s2.set(arrays.p2);
        }
      }
      return false;
    }
    this.updates++;
    this.version++;
    this.sumSquares = sumSquares;
    this.sumSquaresStale = stale;
    if (this.l1 !== 0) this.sumAbs = this.computeSumAbs();
    return true;
  }

  /** (λ₂/2) Σ w² + λ₁ Σ |w| over every weight (biases excluded). */
  private regularisationTerm(): number {
    if (this.l2 === 0) return this.l1 === 0 ? 0 : this.l1 * this.sumAbs;
    return (this.l2 / 2) * this.currentSumSquares() + (this.l1 === 0 ? 0 : this.l1 * this.sumAbs);
  }

  /** Σ w², summed now if the last update left it stale: as update() sums it, per layer in index order, then the layers in order. */
  private currentSumSquares(): number {
    if (this.sumSquaresStale) {
      let sum = 0;
      for (const { view } of this.net) {
        let layer = 0;
        for (const w of view.weights) layer += w * w;
        sum += layer;
      }
      this.sumSquares = sum;
      this.sumSquaresStale = false;
    }
    return this.sumSquares;
  }

  /** After the parameters were replaced (reset, setWeights, restore): the sums, a new version. */
  private parametersChanged(): void {
    this.sumSquares = this.computeSumSquares();
    this.sumSquaresStale = false;
    this.sumAbs = this.computeSumAbs();
    this.version++;
  }

  private computeSumAbs(): number {
    let sum = 0;
    for (const layer of this.net) for (const w of layer.view.weights) sum += Math.abs(w);
    return sum;
  }

  private computeSumSquares(): number {
    let sum = 0;
    for (const layer of this.net) for (const w of layer.view.weights) sum += w * w;
    return sum;
  }

  /** After new weights (reset, setWeights): no gradient, no optimizer state, no change yet. */
  private clearLayerState(layer: Layer): void {
    const { view, weightArrays, biasArrays } = layer;
    this.settle();
    for (const array of [view.gradWeightsBuffer, view.gradBiases, weightArrays.s1, weightArrays.s2, biasArrays.s1, biasArrays.s2]) array?.fill(0);
    this.updates = 0;
    view.previousWeights.set(view.weights);
    view.previousBiases.set(view.biases);
    view.epochStartWeights.set(view.weights);
    view.epochStartBiases.set(view.biases);
  }

  /**
   * The error for a non-finite loss or weight at `step` (counted from 1), in epoch this.epoch + 1
   * (messages count epochs from 1; DivergenceError.epoch stays 0-based). A loss that is not finite
   * at step 1 comes before any update, so the rate is not its cause: the data or the starting
   * weights are.
   */
  private divergence(what: string, step: number, rate: number): DivergenceError {
    const epoch = this.epoch;
    const where = `${what} at step ${step} (epoch ${epoch + 1})`;
    const message =
      step === 1 && what.startsWith('loss')
        ? `${where}, before any update — the data or the starting weights are at fault, not the rate: look for huge or non-finite values in the data (or normalize them), or in the weights file`
        : `${where} — the updates diverged; try a smaller rate (now η = ${Number(rate.toPrecision(4))})`;
    return new DivergenceError(message, step, epoch);
  }
}

/** Classification: argmax agrees; binary: every output on the same side of 0.5 as its target. */
function isCorrect(task: Dataset['task'], A: Float32Array, Y: Float32Array, offset: number, units: number): boolean {
  if (task === 'binary') {
    for (let j = offset; j < offset + units; j++) if (A[j] > 0.5 !== Y[j] > 0.5) return false;
    return true;
  }
  let best = offset;
  let target = offset;
  for (let j = offset + 1; j < offset + units; j++) {
    if (A[j] > A[best]) best = j;
    if (Y[j] > Y[target]) target = j;
  }
  return best === target;
}


/** A `stop monitor=…` this run cannot watch: a clear error when the trainer is made. */
function checkMonitor(monitor: StopReason['monitor'], task: Dataset['task'], validationCount: number): void {
  if (monitor.startsWith('validation_') && validationCount === 0) {
    throw new Error(`stop monitor=${monitor} needs a validation part: add e.g. \`validation 0.2\`, or monitor=${monitor.slice('validation_'.length)}`);
  }
  if (monitor.endsWith('accuracy') && task === 'regression') {
    throw new Error(`stop monitor=${monitor}: this is a regression task, which has no accuracy; monitor a loss instead`);
  }
}
