/**
 * The one message protocol between the extension host, the training worker and the panel.
 * Every message has a string-literal `type`; handlers `switch (message.type)` and the compiler
 * checks every case. Float32Arrays travel as transferables (worker) or structured clones
 * (webview), never as JSON arrays.
 *
 * Imported by src/extension, src/worker and webview/: keep it free of runtime imports
 * other than types.
 */
import type { Activation, Diagnostic, FeatureName, LossName } from './core/spec';
import type { EpochMetrics, Evaluation } from './core/engine/types';
import type { WeightsFile, WeightsShape } from './core/weights';

export type SessionStatus =
  | 'loading' // worker is parsing the spec and loading data
  | 'ready' // loaded, no step taken yet
  | 'running' // training continuously
  | 'paused' // stopped between steps, can resume
  | 'done' // all epochs trained
  | 'diverged' // loss became NaN/∞; message says where
  | 'error' // load failed or the worker crashed
  | 'stopped'; // the session was ended

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
}

/** Progress, sent at most `updateHz` times a second while running and after every Step. */
export interface Snapshot {
  status: SessionStatus;
  epoch: number;
  step: number;
  stepInEpoch: number;
  /** η for the next step, after decay. */
  rate: number;
  /** Batch loss of the latest step; null before the first step. */
  loss: number | null;
  /** Batch losses of the steps since the previous snapshot: the last one is step `step`. */
  newStepLosses: Float32Array;
  /** Metrics of epochs that ended since the previous snapshot. */
  newEpochs: EpochMetrics[];
  samplesPerSecond: number;
  /** Copies of every layer's arrays; omitted when nobody is looking (keeps messages bounded). */
  layers?: LayerSnapshot[];
  trace?: TraceSnapshot;
  /**
   * Network output over a grid of the input plane (2-input data): resolution² values, row 0 = yMax,
   * column 0 = xMin, cell centres. One output unit: that output; several: the index of the
   * largest output (the predicted class).
   */
  boundary?: { resolution: number; values: Float32Array };
}

// ---------------------------------------------------------------------------
// Host ⇄ worker

export type WorkerRequest =
  | { kind: 'getWeights' }
  | { kind: 'setWeights'; weights: WeightsFile }
  | { kind: 'predict'; input: number[] }
  | { kind: 'checkGradients' }
  | { kind: 'fullGradient' };

export type WorkerResponse =
  | { kind: 'getWeights'; weights: WeightsFile }
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
  | { kind: 'fullGradient'; loss: number; dW: Float32Array[]; db: Float32Array[] };

export type ToWorker =
  | {
      type: 'load';
      specText: string;
      specPath: string;
      /** The extension's media/ folder (built-in data). */
      assetsDir: string;
      settings: WorkerSettings;
      weights?: WeightsFile;
    }
  | { type: 'run' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'stepEpoch' }
  | { type: 'reset' }
  | { type: 'settings'; settings: Partial<WorkerSettings> }
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
}

export type FromWorker =
  | { type: 'loaded'; info: SessionInfo; diagnostics: Diagnostic[] }
  | { type: 'loadFailed'; message: string; diagnostics: Diagnostic[] }
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'epoch'; metrics: EpochMetrics }
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
  | { type: 'fatal'; message: string };

// ---------------------------------------------------------------------------
// Host ⇄ weights reader (dist/weightsWorker.js: Load Weights reads and parses off the host thread)

export type ToWeightsReader =
  /** Read `file` (an absolute path), check its size, parse it, check its shapes. */
  | { type: 'readFile'; file: string; source: string; shape: WeightsShape; memoryBudget: number }
  /** Parse text the host read (a file on a virtual file system), after checking its size. */
  | { type: 'parseText'; text: string; source: string; shape: WeightsShape; memoryBudget: number };

export type FromWeightsReader = { type: 'weights'; weights: WeightsFile } | { type: 'weightsError'; message: string };

// ---------------------------------------------------------------------------
// Host ⇄ panel (webview)

export type HeatmapMode = 'lastDelta' | 'epochDelta' | 'gradient' | 'weights';

export type PanelAction = 'train' | 'pause' | 'step' | 'stepEpoch' | 'reset';

export type ToPanel =
  /** Everything the panel needs to draw from scratch (after 'ready', a reload, or a reset). */
  | { type: 'init'; info: SessionInfo; status: SessionStatus; history: { stepLosses: Float32Array; epochs: EpochMetrics[] }; latest?: Snapshot }
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'status'; status: SessionStatus; message?: string }
  | { type: 'focusLayer'; layer: number; mode: HeatmapMode }
  | { type: 'loadFailed'; message: string };

export type FromPanel =
  | { type: 'ready' }
  | { type: 'control'; action: PanelAction }
  | { type: 'viewState'; visibleLayers: boolean };

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
