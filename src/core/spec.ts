/**
 * The NNSpec model: what a parsed `.nnspec` file says, with source ranges so that
 * editors can point at it. Pure data, no behaviour; shared by the parser, the engine,
 * the data loaders, the CLI, the worker, the extension and the panel.
 *
 * Positions are zero-based (line, character), exactly like VS Code's `Position`;
 * the CLI adds 1 to both when it prints `FILE:LINE:COL`.
 */

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

/** A text edit that repairs a diagnostic (a quick fix in VS Code). */
export interface Fix {
  title: string;
  range: Range;
  newText: string;
}

export interface Diagnostic {
  severity: Severity;
  range: Range;
  /** What is wrong, in one sentence: "unknown activation 'sigmod'". */
  message: string;
  /** How to put it right, where one helps: "did you mean 'sigmoid'?". */
  hint?: string;
  /** A stable identifier, e.g. 'unknown-activation', for tests and quick fixes. */
  code: string;
  fixes?: Fix[];
}

// ---------------------------------------------------------------------------
// Syntax tree: one statement a line, tokens with ranges.

export interface Token {
  text: string;
  range: Range;
  /** 'word' | 'number' | 'string' (text without quotes) | 'shape' (28x28) | 'arrow' (->) */
  kind: 'word' | 'number' | 'string' | 'shape' | 'arrow';
}

/** `key=value` */
export interface OptionNode {
  key: Token;
  value: Token;
  range: Range;
}

export interface InlineRow {
  x: number[];
  y: number[];
  range: Range;
}

export interface Statement {
  /** The first word, e.g. `dense`; for an unknown word, the word itself. */
  keyword: Token;
  /** Positional arguments after the keyword (options excluded). */
  args: Token[];
  options: OptionNode[];
  /** The whole statement, comment excluded. */
  range: Range;
  /** Only for `data inline … end`: the rows, and the `end` line. */
  rows?: InlineRow[];
  endRange?: Range;
}

// ---------------------------------------------------------------------------
// The model the engine trains.

export type Activation = 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'softmax';
export type LossName = 'mse' | 'bce' | 'cce';
export type Normalize = 'none' | 'minmax' | 'zscore';
/** The `features` of 2-input data (src/core/features.ts has their functions). */
export type FeatureName = 'x1' | 'x2' | 'x1^2' | 'x2^2' | 'x1*x2' | 'sin(x1)' | 'sin(x2)';
export type BuiltinDataName =
  | 'xor' | 'and' | 'or'
  | 'circle' | 'spiral' | 'moons' | 'gaussians'
  | 'sine'
  | 'digits';

export type InitSpec =
  | { kind: 'uniform' | 'normal' | 'xavier' | 'he' }
  | { kind: 'const'; value: number };

export interface LayerSpec {
  /** Layer number l in the book's sense: the first dense layer is l = 1 (l = 0 is the input). */
  index: number;
  units: number;
  activation: Activation;
  bias: boolean;
  /** The layer's own `init=`; else the spec's `init`. */
  init: InitSpec;
  /** `dropout=p`: the probability each output of this layer is dropped while training (absent: 0, none). */
  dropout?: number;
  /** The `dense` statement. */
  range: Range;
}

export type DataSpec =
  | { kind: 'builtin'; name: BuiltinDataName; n?: number; noise?: number; range: Range }
  | {
      kind: 'csv';
      /** As written: relative to the spec's folder unless absolute. */
      path: string;
      /** 'last' (default), 'first', or a header name. */
      label: string;
      /** undefined: detect whether the first row is a header. */
      header?: boolean;
      range: Range;
    }
  | { kind: 'idx'; images: string; labels: string; n?: number; range: Range }
  | { kind: 'inline'; rows: InlineRow[]; range: Range };

export type OptimizerName = 'sgd' | 'adam' | 'rmsprop' | 'adagrad';

/**
 * The `optimizer` line. The options an optimizer does not use are absent; what the file leaves
 * out takes torch.optim's default (optimizers.ts, `optimizerSettings`), and `rate` that of the kind.
 */
export interface OptimizerSpec {
  kind: OptimizerName;
  /** η */
  rate: number;
  /** sgd: μ in v ← μv − η∇C, w ← w + v; 0 = plain SGD. */
  momentum: number;
  /** d: epoch e (from 0) uses η·d^e; 1 = no decay. */
  decay: number;
  /** sgd: w ← w + μv − η∇C (with v already updated) instead of w ← w + v. */
  nesterov?: boolean;
  /** adam: the moments' decay rates β₁, β₂. */
  beta1?: number;
  beta2?: number;
  /** rmsprop: the squares' decay rate ρ (PyTorch's alpha). */
  rho?: number;
  /** adam, rmsprop, adagrad: ε in the denominator. */
  epsilon?: number;
}

export type Monitor = 'loss' | 'validation_loss' | 'accuracy' | 'validation_accuracy';

/**
 * The `stop` line: early stopping with Keras' EarlyStopping rule (`patience`, `min_delta`,
 * `restore`) and/or a goal. At least one of patience and goal is present.
 */
export interface StopSpec {
  /** Epochs without an improvement greater than minDelta before the run stops. */
  patience?: number;
  /** Stop once the monitored value reaches this (≤ for losses, ≥ for accuracies). */
  goal?: number;
  /** What is watched, after every epoch (its evaluation after the epoch's last step). */
  monitor: Monitor;
  /** An improvement must exceed this to count (≥ 0). */
  minDelta: number;
  /** 'best': when patience stops the run, put back the weights of the best epoch. */
  restore: 'best' | 'last';
  range: Range;
}

/** Every field is filled: what the file leaves out takes its default. */
export interface NetworkSpec {
  name?: string;
  input: { size: number; shape?: [rows: number, cols: number] };
  layers: LayerSpec[];
  loss: LossName;
  optimizer: OptimizerSpec;
  /** Samples a mini-batch; 'full' = the whole training set (plain gradient descent). */
  batch: number | 'full';
  epochs: number;
  /** λ: the cost gains (λ/2) Σ w² over weights, not biases. */
  l2: number;
  /** λ₁: the cost gains λ₁ Σ |w| over weights, not biases (absent: 0). */
  l1?: number;
  /** Early stopping (absent: train every epoch). */
  stop?: StopSpec;
  init: InitSpec;
  seed: number;
  data?: DataSpec;
  /** Held-out fraction, 0 ≤ v < 1. */
  validation: number;
  normalize: Normalize;
  /**
   * `features x1 x2 x1^2 …`: what the network sees of each 2-input sample, in order (the input
   * width is their count); absent: the inputs as they are.
   */
  features?: FeatureName[];
}

export interface ParseResult {
  statements: Statement[];
  diagnostics: Diagnostic[];
  /** The model with defaults filled in; present even when there are errors, as far as it could be made. */
  spec: NetworkSpec;
  /** Where each word was said, for hovers and code lenses: keyword → statement. */
  byKeyword: Map<string, Statement>;
}

/** Number of trainable parameters (weights + biases). */
export function parameterCount(spec: Pick<NetworkSpec, 'input' | 'layers'>): number {
  let count = 0;
  let previous = spec.input.size;
  for (const layer of spec.layers) {
    count += layer.units * previous + (layer.bias ? layer.units : 0);
    previous = layer.units;
  }
  return count;
}
