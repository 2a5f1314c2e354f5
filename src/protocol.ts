/**
 * The one message protocol between the extension host, the training worker and the panel.
 * Every message has a string-literal `type`; handlers `switch (message.type)` and the compiler
 * checks every case. Float32Arrays travel as transferables (worker) or structured clones
 * (webview), never as JSON arrays.
 *
 * Imported by src/extension, src/worker and webview/: keep it free of runtime imports
 * other than types.
 */
import type { ComputeInfo } from './core/engine/compute';
import type { Activation, Diagnostic, FeatureName, LossName } from './core/spec';
import type { EpochMetrics, Evaluation, LiveHyper } from './core/engine/types';
import type { HealthProblem } from './core/engine/health';
import type { LayerHistograms } from './core/engine/histograms';
import type { StepExplanation } from './core/engine/explain';
import type { OptimizerStateSummary } from './core/engine/optimizerState';
import type { TrainingState } from './core/engine/trainingState';
import type { PackedWeights, WeightsFile, WeightsShape } from './core/weights';

export type SessionStatus =
  | 'loading' // worker is parsing the spec and loading data
  | 'ready' // loaded, no step taken yet
  | 'running' // training continuously
  | 'paused' // stopped between steps, can resume
  | 'done' // all epochs trained
  | 'diverged' // loss became NaN/∞; message says where
  | 'error' // load failed or the worker crashed
  | 'stopped'; // the session was ended

/**
 * How fast a session trains: 'auto' (the default rule: small networks at a pace a person can
 * watch, larger ones at full speed; see docs/vscode.md), 'full' speed, or that many steps a second.
 */
export type Pace = 'auto' | 'full' | number;

/** The watchable paces the panel and the `nnspec.pace` setting offer (steps a second). */
export const PACE_STEPS_PER_SECOND = [1, 10, 100, 1000] as const;

/** The hyper-parameters a session takes while it runs, without a restart (live edits of the spec). */
export type { LiveHyper };

/** A live edit as the loss chart marks it: "η 0.5 → 0.1 at step 1,234". */
export interface HyperMark {
  /** The first step taken with the new value (steps counted from 1). */
  step: number;
  name: keyof LiveHyper;
  from: number | 'full';
  to: number | 'full';
  /** "η 0.5 → 0.1 at step 1,234", formatted by src/core/format.ts. */
  text: string;
}

/** What a session trains: sent once after loading. */
export interface SessionInfo {
  specPath: string;
  /** `network NAME`, else the file's base name. */
  name: string;
  inputSize: number;
  /** `features x1 x2 …`: the network's inputs are these functions of a raw 2-D point (predict takes x1 x2). */
  features?: FeatureName[];
  /** For image inputs: rows × cols (digits, `input 28x28`). */
  imageShape?: [number, number];
  layers: { index: number; inputs: number; units: number; activation: Activation; bias: boolean }[];
  loss: LossName;
  task: 'classification' | 'binary' | 'regression';
  epochs: number;
  stepsPerEpoch: number;
  batchSize: number;
  trainCount: number;
  validationCount: number;
  dataName: string;
  parameterCount: number;
  seed: number;
  /** For 2-input data: the input plane the decision boundary covers, and the training points (raw inputs). */
  plane?: { xMin: number; xMax: number; yMin: number; yMax: number; points: Float32Array; targets: Float32Array };
}

export interface LayerSnapshot {
  weights: Float32Array;
  biases: Float32Array;
  gradWeights: Float32Array;
  gradBiases: Float32Array;
  lastDeltaWeights: Float32Array;
  lastDeltaBiases: Float32Array;
  epochDeltaWeights: Float32Array;
  epochDeltaBiases: Float32Array;
}

export interface TraceSnapshot {
  sampleIndex: number;
  /** a^0 … a^L */
  activations: Float32Array[];
  /** δ^1 … δ^L */
  deltas: Float32Array[];
  /** z^1 … z^L */
  zs?: Float32Array[];
}

/** Progress, sent at most `updateHz` times a second while running and after every Step. */
export interface Snapshot {
  status: SessionStatus;
  /**
   * After Load Weights, until the next step: the loaded weights' cost and accuracy on the training
   * (and validation) part, so the readouts show these weights rather than the last step's.
   */
  loadedEvaluation?: { train: Evaluation; validation?: Evaluation };
  epoch: number;
  step: number;
  stepInEpoch: number;
  /** η for the next step, after decay. */
  rate: number;
  /** Batch loss of the latest step; null before the first step. */
  loss: number | null;
  /**
   * Batch losses of the steps since the previous snapshot: the last one is step `step`. With
   * `newStepStride` > 1 (a run faster than the host takes snapshots up) each value stands for
   * that many steps before it, alternately their lowest and highest loss.
   */
  newStepLosses: Float32Array;
  newStepStride?: number;
  /** Metrics of epochs that ended since the previous snapshot (each epoch's metrics are sent once, here). */
  newEpochs: EpochMetrics[];
  /** Live edits applied since the previous snapshot. */
  newMarks?: HyperMark[];
  /** The epochs and steps per epoch the session now plans (live edits of `epochs` and `batch` change them). */
  epochs?: number;
  stepsPerEpoch?: number;
  /** The pace the worker keeps: steps a second, 0 = full speed. */
  stepsPerSecond?: number;
  samplesPerSecond: number;
  /** The kernels and threads that computed (src/core/engine/compute.ts): the speed readout's detail. */
  compute?: ComputeInfo;
  /** Copies of every layer's arrays; omitted when nobody is looking (keeps messages bounded). */
  layers?: LayerSnapshot[];
  /** With the layers: the optimizer's update count and state sizes (the `optimizer` line's hover). */
  optimizer?: OptimizerStateSummary;
  trace?: TraceSnapshot;
  /**
   * Network output over a grid of the input plane (2-input data): resolution² values, row 0 = yMax,
   * column 0 = xMin, cell centres. One output unit: that output; several: the index of the
   * largest output (the predicted class).
   */
  boundary?: { resolution: number; values: Float32Array };
  /**
   * The training-health problems that hold now (core/engine/health.ts), whenever the list changed
   * since the previous snapshot (an empty list: all cleared); absent when unchanged.
   */
  problems?: HealthProblem[];
  /**
   * The live confusion matrix (classification): counts[i·classes + j] = samples of actual class i
   * predicted j, on the validation part when there is one, at the weights of `step`. At most
   * ~2 a second (rarer when a pass over the part is slow), and in every snapshot ending a burst of work.
   */
  confusion?: { part: 'train' | 'validation'; step: number; classes: number; names?: string[]; counts: Float32Array };
  /** Per layer, histograms of w, ∂C/∂w and log10(|Δw|/|w|) at `step` (core/engine/histograms.ts); while the panel is visible, ≤ 5 a second. */
  histograms?: { step: number; layers: LayerHistograms[] };
  /** Every neuron's picture (src/worker/pictures.ts), with the layers, while the network view is on screen. */
  pictures?: NeuronPictures;
}

/**
 * What each neuron computes, for the network view. Layers wider than the view draws as circles
 * (64) get none (an empty array), so a message stays bounded (≤ 64 × 64 × 24² floats).
 */
export type NeuronPictures =
  /**
   * 2-input data: a^l_j over a resolution² grid of the ORIGINAL input plane (SessionInfo.plane;
   * cell centres, row 0 = yMax, column 0 = xMin), through `features` and the normalisation;
   * layers[l − 1] is units × resolution², neuron j's cells at j·resolution².
   */
  | { kind: 'plane'; step: number; resolution: number; layers: Float32Array[] }
  /**
   * Other data: a^l_j's histogram over the first `samples` training samples; per layer the
   * range [min, max] of a^l (all its neurons) cut into `bins`, counts units × bins.
   */
  | { kind: 'histogram'; step: number; bins: number; samples: number; layers: { min: number; max: number; counts: Float32Array }[] };

// ---------------------------------------------------------------------------
// Host ⇄ worker

export type WorkerRequest =
  | { kind: 'getWeights' }
  /** What a session checkpoint holds of the trainer: its weights and its training state (trainingState.ts), taken together between steps. */
  | { kind: 'checkpoint' }
  /** Packed (Float32Arrays) from Load Weights, so that millions of weights cross the host cheaply. */
  | { kind: 'setWeights'; weights: WeightsFile | PackedWeights }
  | { kind: 'predict'; input: number[] }
  | { kind: 'checkGradients' }
  | { kind: 'fullGradient' }
  /** The next step taken apart (pauses a running session): phases 1–6 for `sample` (default: the batch's first), 7 for the batch. */
  | { kind: 'walk'; sample?: number };

export type WorkerResponse =
  | { kind: 'getWeights'; weights: WeightsFile }
  | { kind: 'checkpoint'; weights: WeightsFile; training: TrainingState }
  | { kind: 'setWeights' }
  | { kind: 'predict'; output: number[]; predictedClass?: number; className?: string }
  | {
      kind: 'checkGradients';
      layers: {
        index: number;
        maxRelativeError: number;
        maxAbsoluteError: number;
        /** Parameters compared (weights + biases). */
        checked?: number;
        /** Where the largest relative error is (j, k from 0). */
        worst?: { kind: 'weight' | 'bias'; j: number; k?: number; backprop: number; numeric: number } | null;
      }[];
    }
  | { kind: 'fullGradient'; loss: number; dW: Float32Array[]; db: Float32Array[] }
  | { kind: 'walk'; walk: StepExplanation };

export type ToWorker =
  | {
      type: 'load';
      specText: string;
      specPath: string;
      /** The extension's media/ folder (built-in data). */
      assetsDir: string;
      settings: WorkerSettings;
      weights?: WeightsFile;
      /**
       * After a reload (with the checkpoint's `weights`): the trainer's counters to carry on from;
       * the session starts paused there.
       */
      resume?: { step: number; epoch: number; stepInEpoch: number };
      /**
       * With `resume`, from a checkpoint that has it: the trainer's whole training state (the
       * shuffle, the optimizer's state, the stop rule's counters), so Train continues exactly as
       * if no reload had happened. Without it the run begins the checkpoint's epoch afresh.
       */
      training?: TrainingState;
    }
  | { type: 'run' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'stepEpoch' }
  | { type: 'reset' }
  | { type: 'settings'; settings: Partial<WorkerSettings> }
  /**
   * Flow control: the host took up the latest snapshot (and, with the panel visible, the panel
   * drew it). While running, the worker sends the next progress snapshot only after this.
   */
  | { type: 'ack' }
  /** Live edits of the spec's hyper-parameters: applied before the next step, marked in the next snapshot. */
  | { type: 'hyper'; changes: LiveHyper }
  /**
   * Continue after the planned epochs (the panel's "Train N more epochs" once DONE): plan `epochs`
   * more from where training stopped; a finished session becomes paused, ready to run.
   */
  | { type: 'extendEpochs'; epochs: number }
  | { type: 'request'; id: number; request: WorkerRequest };

export interface WorkerSettings {
  /** Most snapshots a second while running. */
  updateHz: number;
  /** Refuse networks with more parameters than this. */
  maxParameters: number;
  /** The memory budget in MB (MiB) for data and training (src/core/budget.ts); default 2048. */
  memoryBudgetMB?: number;
  /** Include layer arrays (and the boundary) in snapshots. */
  includeLayers: boolean;
  /** Steps a second while running; 0 or absent = full speed (the CLI and the benchmark never pace). */
  stepsPerSecond?: number;
  /** Training threads (the `nnspec.threads` setting, resolved: 1…64; src/core/engine/threadPool.ts); absent = 1. */
  threads?: number;
  /** The network view is on screen: snapshots with layers carry the neuron pictures. */
  pictures?: boolean;
}

export type FromWorker =
  | { type: 'loaded'; info: SessionInfo; diagnostics: Diagnostic[] }
  | { type: 'loadFailed'; message: string; diagnostics: Diagnostic[] }
  | { type: 'snapshot'; snapshot: Snapshot }
  | {
      type: 'finished';
      status: 'done' | 'diverged';
      /** diverged: what went wrong; done: why the `stop` rule ended the run early (absent when every epoch ran). */
      message?: string;
      /** done early: which `stop` rule ended it. */
      stopRule?: 'patience' | 'goal';
      final?: Evaluation;
      validation?: Evaluation;
    }
  | { type: 'response'; id: number; response: WorkerResponse }
  | { type: 'responseError'; id: number; message: string }
  /** Something the person should know that changes nothing else (a live edit that needs a restart). */
  | { type: 'notice'; message: string }
  /** The worker cannot go on; `message` says why in a sentence (never a stack trace). */
  | { type: 'fatal'; message: string };

// ---------------------------------------------------------------------------
// Host ⇄ weights reader (dist/weightsWorker.js: Load Weights reads and parses off the host thread)

export type ToWeightsReader =
  /** Read `file` (an absolute path), check its size, parse it, check its shapes. */
  | { type: 'readFile'; file: string; source: string; shape: WeightsShape; memoryBudget: number }
  /** Parse text the host read (a file on a virtual file system), after checking its size. */
  | { type: 'parseText'; text: string; source: string; shape: WeightsShape; memoryBudget: number };

export type FromWeightsReader = { type: 'weights'; weights: PackedWeights } | { type: 'weightsError'; message: string };

// ---------------------------------------------------------------------------
// Host ⇄ panel (webview)

export type HeatmapMode = 'lastDelta' | 'epochDelta' | 'gradient' | 'weights';

/** 'continue': after DONE, train as many epochs again as the spec plans (ToWorker 'extendEpochs', then 'run'). */
export type PanelAction = 'train' | 'pause' | 'step' | 'stepEpoch' | 'reset' | 'continue';

export type ToPanel =
  /** Everything the panel needs to draw from scratch (after 'ready', a reload, or a reset). */
  | {
      type: 'init';
      info: SessionInfo;
      status: SessionStatus;
      /**
       * `stepLosses[i]` stands for steps i·stepStride + 1 … (i + 1)·stepStride: every step while
       * stepStride is 1; on long runs the host keeps bounded history, alternately the lowest and
       * the highest loss of each stride (so spikes survive).
       */
      history: { stepLosses: Float32Array; stepStride?: number; epochs: EpochMetrics[]; marks?: HyperMark[] };
      latest?: Snapshot;
      /** Why the session is in this status (e.g. "the session ended with the window reload"). */
      message?: string;
      /** Pace and staleness as the `session` message has them. */
      session?: Omit<Extract<ToPanel, { type: 'session' }>, 'type'>;
    }
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'status'; status: SessionStatus; message?: string }
  | { type: 'focusLayer'; layer: number; mode: HeatmapMode }
  /**
   * What the host knows about the session beyond the worker's snapshots: the pace it runs at
   * (`pace` as chosen, `stepsPerSecond` as resolved, 0 = full speed) and whether the spec
   * changed in a way that needs a restart (`stale`: the session runs an older spec).
   */
  | { type: 'session'; pace: Pace; stepsPerSecond: number; stale: boolean; staleReason?: string }
  | { type: 'loadFailed'; message: string }
  /** Walk Through a Step: the next step taken apart, every number the engine's (explain.ts). */
  | { type: 'walk'; walk: StepExplanation }
  | { type: 'walkFailed'; message: string };

export type FromPanel =
  | { type: 'ready' }
  | { type: 'control'; action: PanelAction }
  /** The panel drew the snapshot of this step (flow control: the host sends the next only after it). */
  | { type: 'drawn'; step: number }
  /** The panel's speed control: the pace for this session (overrides the `nnspec.pace` setting). */
  | { type: 'pace'; pace: Pace }
  /** Take the next step apart (for `sample`, a training index in its batch). */
  | { type: 'walk'; sample?: number }
  /** The walk shows layer l (from 1): highlight its `dense` line in the editor; null: none. */
  | { type: 'walkFocus'; layer: number | null }
  /** Point and click: change the spec's text (src/extension/features/pointAndClick.ts). */
  | { type: 'editSpec'; edit: SpecEditRequest }
  /** The network view came on screen (or left it): the worker sends the neuron pictures only while it is shown. */
  | { type: 'networkShown'; shown: boolean };

/** A change made by point and click, as an edit of the `.nnspec` text. Layers l from 1. */
export type SpecEditRequest =
  | { kind: 'addNeuron'; layer: number }
  | { kind: 'removeNeuron'; layer: number }
  /** A new hidden layer after layer `after` (0: right after the input). */
  | { kind: 'addLayer'; after: number }
  | { kind: 'removeLayer'; layer: number }
  | { kind: 'setActivation'; layer: number; activation: Activation }
  | { kind: 'setRate'; value: number }
  | { kind: 'setBatch'; value: number | 'full' }
  | { kind: 'setNoise'; value: number }
  | { kind: 'setValidation'; value: number };

/** For `default:` branches of exhaustive switches: the compiler proves `value` is never reached. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/** What the panel keeps with setState, so it can be restored after a reload (WebviewPanelSerializer). */
export interface PanelState {
  specPath: string;
  focusedLayer?: number;
  mode?: HeatmapMode;
  /** What the first layer's image tiles show (default: the weights w). */
  tilesMode?: HeatmapMode;
  scale?: 'linear' | 'log';
  xAxis?: 'steps' | 'epochs';
}
