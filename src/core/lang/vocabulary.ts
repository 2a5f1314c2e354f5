/**
 * The words of the .nnspec language, with their documentation: one typed table that the
 * parser checks against, VS Code's completion and hovers show, and docs/nnspec.md repeats.
 *
 * Formulas come twice: `unicode` is plain text for terminals and completion details
 * (σ(z) = 1/(1+e⁻ᶻ)); `markdown` uses <sup>/<sub> for hovers (a MarkdownString with
 * `supportHtml = true` renders them; without it they show as text).
 */
import type { Activation, BuiltinDataName, InitSpec, LossName, Normalize, OptimizerSpec } from '../spec';
import { GENERATED_SETS, MAX_GENERATED_SAMPLES } from '../data/builtin';

/** What the file leaves out. */
export interface Defaults {
  readonly loss: LossName;
  readonly optimizer: Readonly<OptimizerSpec>;
  readonly batch: number | 'full';
  readonly epochs: number;
  readonly l2: number;
  readonly init: Readonly<InitSpec>;
  readonly seed: number;
  readonly validation: number;
  readonly normalize: Normalize;
  /** `dense … bias=` */
  readonly bias: boolean;
  /** Ceiling on weights + biases; the VS Code setting `nnspec.maxParameters` overrides it. */
  readonly maxParameters: number;
  /** Ceiling on `dense` layers: more are refused (at the first one past it) and not read. */
  readonly maxLayers: number;
}

export const DEFAULTS: Defaults = Object.freeze({
  loss: 'mse',
  optimizer: Object.freeze({ kind: 'sgd', rate: 0.1, momentum: 0, decay: 1 }),
  batch: 32,
  epochs: 10,
  l2: 0,
  init: Object.freeze({ kind: 'xavier' }),
  seed: 1,
  validation: 0,
  normalize: 'none',
  bias: true,
  maxParameters: 5_000_000,
  maxLayers: 1_000,
} as const);

/** A formula in two spellings (see the module comment). */
export interface Formula {
  unicode: string;
  markdown: string;
}

export interface OptionDoc {
  /** The key before `=`. */
  name: string;
  /** What may follow `=`: 'true | false', 'number > 0', '"path"'. */
  value: string;
  doc: string;
  /** As text, when the option has one. */
  default?: string;
  example: string;
}

export type KeywordName =
  | 'network' | 'input' | 'dense' | 'loss' | 'optimizer' | 'batch' | 'epochs'
  | 'l2' | 'l1' | 'init' | 'seed' | 'data' | 'validation' | 'normalize' | 'features' | 'stop' | 'end';

export interface KeywordDoc {
  name: KeywordName;
  /** 'dense UNITS ACTIVATION [bias=true|false] [init=SCHEME]' */
  syntax: string;
  /** One line. */
  doc: string;
  example: string;
  /** The file must say it (input, dense, data). */
  required: boolean;
  /** May appear more than once (only dense). */
  repeatable: boolean;
  /** As text, when leaving the statement out means something. */
  default?: string;
  options: OptionDoc[];
}

export interface ActivationDoc {
  name: Activation;
  /** Other spellings the parser accepts as this activation. */
  aliases: string[];
  doc: string;
  formula: Formula;
  derivative: Formula;
  /** Output range, e.g. '(0, 1)'. */
  range: string;
}

export interface CostDoc {
  name: LossName;
  doc: string;
  /** C, with n the samples in the batch. */
  formula: Formula;
  /** ∇_a C for one sample. */
  gradient: Formula;
  /** δ^L for the usual output activation, where it simplifies. */
  outputDelta?: Formula;
  /** The output activations it is meant for. */
  pairsWith: Activation[];
}

export interface DatasetDoc {
  name: BuiltinDataName;
  doc: string;
  inputs: number;
  /** Width of the target: 1 for binary and regression sets, the class count for classification. */
  outputs: number;
  task: 'classification' | 'binary' | 'regression';
  /** Options the set takes. */
  options: ('n' | 'noise')[];
  /** Samples when `n=` is not given (fixed for the truth tables). */
  defaultCount: number;
  /** `noise=` when not given. */
  defaultNoise?: number;
  /** Fewest and most samples `n=` may ask for. */
  minCount: number;
  maxCount: number;
  /** Input width to write, e.g. '2' or '28x28'. */
  inputLine: string;
  /** A last layer that fits. */
  outputLine: string;
}

export interface InitDoc {
  name: InitSpec['kind'];
  syntax: string;
  doc: string;
  example: string;
}

export interface NormalizeDoc {
  name: Normalize;
  doc: string;
  formula: Formula;
}

export interface OptimizerDoc {
  name: OptimizerSpec['kind'];
  doc: string;
  update: Formula;
}

export interface Vocabulary {
  keywords: KeywordDoc[];
  activations: ActivationDoc[];
  costs: CostDoc[];
  optimizers: OptimizerDoc[];
  datasets: DatasetDoc[];
  inits: InitDoc[];
  normalizeModes: NormalizeDoc[];
}

const f = (unicode: string, markdown = unicode): Formula => ({ unicode, markdown });

/** A 2-class, 2-D generated set; defaults from the data loader's own table. */
function generated(name: 'circle' | 'spiral' | 'moons' | 'gaussians', doc: string): DatasetDoc {
  const info = GENERATED_SETS[name];
  return {
    name,
    doc: `${doc} Seeded; noise= ${info.noiseMeaning}. One 0/1 target (two one-hot targets when the last layer has 2 units).`,
    inputs: 2,
    outputs: 1,
    task: 'binary',
    options: ['n', 'noise'],
    defaultCount: info.n,
    defaultNoise: info.noise,
    minCount: 2,
    maxCount: MAX_GENERATED_SAMPLES,
    inputLine: '2',
    outputLine: 'dense 1 sigmoid',
  };
}

export const vocabulary: Vocabulary = {
  keywords: [
    {
      name: 'network',
      syntax: 'network NAME',
      doc: 'Names the network (shown in the panel); optional, the file name otherwise.',
      example: 'network xor',
      required: false,
      repeatable: false,
      options: [],
    },
    {
      name: 'input',
      syntax: 'input WIDTH | input ROWSxCOLS',
      doc: 'The input width: how many numbers one sample has. ROWSxCOLS gives an image shape (28x28 = 784 inputs).',
      example: 'input 2',
      required: true,
      repeatable: false,
      options: [],
    },
    {
      name: 'dense',
      syntax: 'dense UNITS ACTIVATION [bias=true|false] [init=SCHEME] [dropout=p]',
      doc: 'A fully connected layer of UNITS neurons, a = activation(w·a_prev + b). Layers stack in the order written; the last one is the output.',
      example: 'dense 4 tanh',
      required: true,
      repeatable: true,
      options: [
        { name: 'bias', value: 'true | false', doc: 'Whether the layer has biases b_j (false: b stays 0 and is not trained).', default: 'true', example: 'dense 1 identity bias=false' },
        {
          name: 'init',
          value: 'uniform | normal | xavier | he | const:V',
          doc: "This layer's initial weights, instead of the file's `init`. `const:V` sets every weight to V and the biases to 0.",
          default: 'the `init` statement',
          example: 'dense 1 identity init=const:0.8',
        },
        {
          name: 'dropout',
          value: '0 ≤ number < 1',
          doc: 'Inverted dropout while training: each output of this layer is dropped (set to 0) with probability p and the rest scaled by 1/(1 − p), with masks drawn from the seed. Nothing is dropped in evaluation, prediction, gradients or Check Gradients. Not on the output layer.',
          default: '0',
          example: 'dense 64 relu dropout=0.2',
        },
      ],
    },
    {
      name: 'loss',
      syntax: 'loss mse | bce | cce',
      doc: 'The cost C the network minimises: mean squared error, binary cross-entropy, or categorical cross-entropy.',
      example: 'loss cce',
      required: false,
      repeatable: false,
      default: 'mse',
      options: [],
    },
    {
      name: 'optimizer',
      syntax: 'optimizer sgd|adam|rmsprop|adagrad [RATE] [rate=η] [decay=d] [momentum=μ] [nesterov=true] [beta1=β₁] [beta2=β₂] [rho=ρ] [epsilon=ε]',
      doc: 'How a step turns ∂C/∂w into a change of the weights: sgd (with optional momentum, Nesterov), adam, rmsprop or adagrad, each as PyTorch\'s torch.optim defines it, with its defaults; decay lowers η every epoch for all. `optimizer sgd 0.5` is short for `optimizer sgd rate=0.5`.',
      example: 'optimizer adam rate=0.001',
      required: false,
      repeatable: false,
      default: 'sgd rate=0.1 momentum=0 decay=1',
      options: [
        { name: 'rate', value: 'number > 0', doc: 'The learning rate η.', default: 'sgd 0.1, adam 0.001, rmsprop 0.01, adagrad 0.01', example: 'optimizer sgd rate=0.5' },
        { name: 'decay', value: '0 < number ≤ 1', doc: 'd: epoch e (counting from 0) uses the rate η·dᵉ; 1 keeps η constant.', default: '1', example: 'optimizer sgd rate=0.5 decay=0.99' },
        { name: 'momentum', value: '0 ≤ number < 1', doc: 'sgd: μ in v ← μv − η∇C, w ← w + v; 0 is plain SGD.', default: '0', example: 'optimizer sgd rate=0.1 momentum=0.9' },
        { name: 'nesterov', value: 'true | false', doc: 'sgd with momentum: Nesterov\'s step, w ← w + μv − η∇C (after v ← μv − η∇C), as torch.optim.SGD(nesterov=True).', default: 'false', example: 'optimizer sgd rate=0.1 momentum=0.9 nesterov=true' },
        { name: 'beta1', value: '0 ≤ number < 1', doc: 'adam: β₁, the decay of the first moment m.', default: '0.9', example: 'optimizer adam beta1=0.9' },
        { name: 'beta2', value: '0 ≤ number < 1', doc: 'adam: β₂, the decay of the second moment v.', default: '0.999', example: 'optimizer adam beta2=0.999' },
        { name: 'rho', value: '0 ≤ number < 1', doc: 'rmsprop: ρ, the decay of the mean square (PyTorch\'s alpha).', default: '0.99', example: 'optimizer rmsprop rho=0.9' },
        { name: 'epsilon', value: 'number > 0', doc: 'adam, rmsprop, adagrad: ε in the denominator.', default: 'adam 1e-8, rmsprop 1e-8, adagrad 1e-10', example: 'optimizer adam epsilon=1e-8' },
      ],
    },
    {
      name: 'batch',
      syntax: 'batch SIZE | batch full',
      doc: 'Samples per gradient step (mini-batch). 1 is one-sample stochastic gradient descent; full is plain gradient descent on the whole training set. Larger than the training set means the whole set.',
      example: 'batch 32',
      required: false,
      repeatable: false,
      default: '32',
      options: [],
    },
    {
      name: 'epochs',
      syntax: 'epochs N',
      doc: 'How many passes over the training set (reshuffled every epoch with the seed).',
      example: 'epochs 500',
      required: false,
      repeatable: false,
      default: '10',
      options: [],
    },
    {
      name: 'l2',
      syntax: 'l2 λ',
      doc: 'L2 regularisation: the cost gains (λ/2) Σ w² over the weights (not the biases).',
      example: 'l2 0.0001',
      required: false,
      repeatable: false,
      default: '0',
      options: [],
    },
    {
      name: 'l1',
      syntax: 'l1 λ',
      doc: 'L1 regularisation: the cost gains λ Σ |w| over the weights (not the biases); their gradient gains λ·sign(w) (0 at w = 0). Works with every optimizer.',
      example: 'l1 0.0001',
      required: false,
      repeatable: false,
      default: '0',
      options: [],
    },
    {
      name: 'stop',
      syntax: 'stop [patience=N] [goal=G] [monitor=loss|validation_loss|accuracy|validation_accuracy] [min_delta=D] [restore=best|last]',
      doc: "Early stopping, by Keras' EarlyStopping rule: after every epoch the monitored value is compared with the best so far; the run stops when it has not improved by more than min_delta for `patience` epochs, or (goal=) once it reaches G. restore=best then puts back the best epoch's weights. The run says why it stopped.",
      example: 'stop patience=5 restore=best',
      required: false,
      repeatable: false,
      default: 'train every epoch',
      options: [
        { name: 'patience', value: 'whole number ≥ 0', doc: 'Epochs without an improvement before the run stops.', example: 'stop patience=5' },
        { name: 'goal', value: 'number', doc: 'Stop once the monitored value reaches G (≤ G for a loss, ≥ G for an accuracy).', example: 'stop goal=0.01' },
        { name: 'monitor', value: 'loss | validation_loss | accuracy | validation_accuracy', doc: "What is watched: the epoch's evaluation after its last step, on the training or validation part.", default: 'validation_loss with a validation part, else loss', example: 'stop patience=5 monitor=accuracy' },
        { name: 'min_delta', value: 'number ≥ 0', doc: 'An improvement must exceed this to count.', default: '0', example: 'stop patience=5 min_delta=0.001' },
        { name: 'restore', value: 'best | last', doc: "best: when patience stops the run, put back the weights of the best epoch (Keras' restore_best_weights); last keeps the last epoch's.", default: 'last', example: 'stop patience=5 restore=best' },
      ],
    },
    {
      name: 'init',
      syntax: 'init uniform | normal | xavier | he | const V',
      doc: 'How the weights start, for every layer without its own `init=`. The random ones are seeded; `const V` sets every weight to V and the biases to 0.',
      example: 'init xavier',
      required: false,
      repeatable: false,
      default: 'xavier',
      options: [],
    },
    {
      name: 'seed',
      syntax: 'seed N',
      doc: 'All randomness (initial weights, data noise, shuffles, the validation split) derives from this integer: same spec, same seed, same weights.',
      example: 'seed 7',
      required: false,
      repeatable: false,
      default: '1',
      options: [],
    },
    {
      name: 'data',
      syntax: 'data NAME [n=N] [noise=S] | data "FILE.csv" [label=last|first|NAME] [header=true|false] | data "IMAGES-idx3-ubyte" labels="LABELS-idx1-ubyte" [n=N] | data inline … end',
      doc: 'What the network learns from: a built-in set, a CSV file, MNIST IDX files (optionally .gz), or rows written inline until `end`. Paths are relative to the .nnspec file.',
      example: 'data xor',
      required: true,
      repeatable: false,
      options: [
        { name: 'n', value: 'integer ≥ 1', doc: 'How many samples to generate (circle, spiral, moons, gaussians, sine) or to take (digits, IDX files).', example: 'data spiral n=400' },
        { name: 'noise', value: 'number ≥ 0', doc: 'Standard deviation of the noise added to a generated set (circle, spiral, moons, gaussians, sine).', example: 'data moons noise=0.1' },
        { name: 'label', value: 'last | first | NAME', doc: 'Which CSV column is the target: the last, the first, or the one with this header name.', default: 'last', example: 'data "iris.csv" label=species' },
        { name: 'header', value: 'true | false', doc: 'Whether the first CSV row is a header; detected when not given.', example: 'data "points.csv" header=false' },
        { name: 'labels', value: '"FILE"', doc: 'The IDX label file that goes with an IDX image file (its presence says the data is IDX, not CSV).', example: 'data "train-images-idx3-ubyte.gz" labels="train-labels-idx1-ubyte.gz"' },
      ],
    },
    {
      name: 'validation',
      syntax: 'validation FRACTION',
      doc: 'The fraction of the data held out (seeded) to measure the network on samples it does not train on; 0 ≤ FRACTION < 1.',
      example: 'validation 0.2',
      required: false,
      repeatable: false,
      default: '0',
      options: [],
    },
    {
      name: 'normalize',
      syntax: 'normalize none | minmax | zscore',
      doc: 'Rescales each input column, with statistics of the training part, before the network sees it.',
      example: 'normalize zscore',
      required: false,
      repeatable: false,
      default: 'none',
      options: [],
    },
    {
      name: 'features',
      syntax: 'features x1 x2 x1^2 x2^2 x1*x2 sin(x1) sin(x2)',
      doc: 'For 2-input data: the functions of the point (x1, x2) the network sees, any of them in the order written; `input` is their count. Normalisation applies to the features; decision boundaries stay over the (x1, x2) plane.',
      example: 'features x1^2 x2^2',
      required: false,
      repeatable: false,
      default: 'the inputs as they are',
      options: [],
    },
    {
      name: 'end',
      syntax: 'end',
      doc: 'Closes the rows of `data inline`.',
      example: 'end',
      required: false,
      repeatable: false,
      options: [],
    },
  ],

  activations: [
    {
      name: 'identity',
      aliases: ['linear'],
      doc: 'No squashing: the output is z itself. For regression outputs.',
      formula: f('a = z'),
      derivative: f("a'(z) = 1"),
      range: '(−∞, ∞)',
    },
    {
      name: 'sigmoid',
      aliases: [],
      doc: 'The logistic function; outputs in (0, 1). With bce on the output, δᴸ = aᴸ − y.',
      formula: f('σ(z) = 1/(1+e⁻ᶻ)', 'σ(z) = 1/(1+e<sup>−z</sup>)'),
      derivative: f("σ'(z) = σ(z)(1−σ(z))"),
      range: '(0, 1)',
    },
    {
      name: 'tanh',
      aliases: [],
      doc: 'Hyperbolic tangent; outputs in (−1, 1), zero-centred.',
      formula: f('tanh(z) = (eᶻ−e⁻ᶻ)/(eᶻ+e⁻ᶻ)', 'tanh(z) = (e<sup>z</sup>−e<sup>−z</sup>)/(e<sup>z</sup>+e<sup>−z</sup>)'),
      derivative: f("tanh'(z) = 1 − tanh²(z)", "tanh'(z) = 1 − tanh<sup>2</sup>(z)"),
      range: '(−1, 1)',
    },
    {
      name: 'relu',
      aliases: [],
      doc: 'Rectified linear unit.',
      formula: f('relu(z) = max(0, z)'),
      derivative: f("relu'(z) = 1 if z > 0 else 0"),
      range: '[0, ∞)',
    },
    {
      name: 'leaky_relu',
      aliases: [],
      doc: 'ReLU with slope 0.01 below zero, so no unit stops learning for good.',
      formula: f('leaky_relu(z) = z if z > 0 else 0.01·z'),
      derivative: f("leaky_relu'(z) = 1 if z > 0 else 0.01"),
      range: '(−∞, ∞)',
    },
    {
      name: 'softmax',
      aliases: [],
      doc: 'Turns the layer into a probability distribution over classes; last layer only. With cce, δᴸ = aᴸ − y.',
      formula: f('aⱼ = eᶻʲ / Σₖ eᶻᵏ', 'a<sub>j</sub> = e<sup>z<sub>j</sub></sup> / Σ<sub>k</sub> e<sup>z<sub>k</sub></sup>'),
      derivative: f('∂aⱼ/∂zᵢ = aⱼ(δᵢⱼ − aᵢ)', '∂a<sub>j</sub>/∂z<sub>i</sub> = a<sub>j</sub>(δ<sub>ij</sub> − a<sub>i</sub>)'),
      range: '(0, 1), summing to 1',
    },
  ],

  costs: [
    {
      name: 'mse',
      doc: 'Mean squared error (the quadratic cost), for regression or any output.',
      formula: f('C = (1/n) Σₓ ½‖y(x) − aᴸ(x)‖²', 'C = (1/n) Σ<sub>x</sub> ½‖y(x) − a<sup>L</sup>(x)‖<sup>2</sup>'),
      gradient: f('∇ₐC = aᴸ − y', '∇<sub>a</sub>C = a<sup>L</sup> − y'),
      outputDelta: f("δᴸ = (aᴸ − y) ⊙ σ'(zᴸ)", "δ<sup>L</sup> = (a<sup>L</sup> − y) ⊙ σ'(z<sup>L</sup>)"),
      pairsWith: ['identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu'],
    },
    {
      name: 'bce',
      doc: 'Binary cross-entropy, for outputs in (0, 1) (sigmoid) and targets in [0, 1].',
      formula: f(
        'C = −(1/n) Σₓ Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)]',
        'C = −(1/n) Σ<sub>x</sub> Σ<sub>j</sub> [y<sub>j</sub> ln a<sub>j</sub> + (1 − y<sub>j</sub>) ln(1 − a<sub>j</sub>)]',
      ),
      gradient: f('∂C/∂aⱼ = (aⱼ − yⱼ) / (aⱼ(1 − aⱼ))', '∂C/∂a<sub>j</sub> = (a<sub>j</sub> − y<sub>j</sub>) / (a<sub>j</sub>(1 − a<sub>j</sub>))'),
      outputDelta: f('with sigmoid: δᴸ = aᴸ − y', 'with sigmoid: δ<sup>L</sup> = a<sup>L</sup> − y'),
      pairsWith: ['sigmoid'],
    },
    {
      name: 'cce',
      doc: 'Categorical cross-entropy, for a softmax output and one-hot class targets.',
      formula: f('C = −(1/n) Σₓ Σⱼ yⱼ ln aⱼ', 'C = −(1/n) Σ<sub>x</sub> Σ<sub>j</sub> y<sub>j</sub> ln a<sub>j</sub>'),
      gradient: f('∂C/∂aⱼ = −yⱼ / aⱼ', '∂C/∂a<sub>j</sub> = −y<sub>j</sub> / a<sub>j</sub>'),
      outputDelta: f('with softmax: δᴸ = aᴸ − y', 'with softmax: δ<sup>L</sup> = a<sup>L</sup> − y'),
      pairsWith: ['softmax'],
    },
  ],

  optimizers: [
    {
      name: 'sgd',
      doc: 'Mini-batch stochastic gradient descent, with optional momentum (and Nesterov) and rate decay; torch.optim.SGD. Default rate 0.1.',
      update: f(
        'v ← μv − η∇C, w ← w + v (nesterov: w ← w + μv − η∇C; μ = 0: w ← w − (η/m) Σₓ δˣ,ˡ (aˣ,ˡ⁻¹)ᵀ)',
        'v ← μv − η∇C, w ← w + v (nesterov: w ← w + μv − η∇C; μ = 0: w ← w − (η/m) Σ<sub>x</sub> δ<sup>x,l</sup> (a<sup>x,l−1</sup>)<sup>T</sup>)',
      ),
    },
    {
      name: 'adam',
      doc: 'Adam (torch.optim.Adam): moment estimates m and v, bias-corrected, t counting updates from 1. Defaults rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-8.',
      update: f(
        'm ← β₁m + (1−β₁)∇C, v ← β₂v + (1−β₂)(∇C)², w ← w − η/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)',
        'm ← β<sub>1</sub>m + (1−β<sub>1</sub>)∇C, v ← β<sub>2</sub>v + (1−β<sub>2</sub>)(∇C)<sup>2</sup>, w ← w − η/(1−β<sub>1</sub><sup>t</sup>) · m / (√v/√(1−β<sub>2</sub><sup>t</sup>) + ε)',
      ),
    },
    {
      name: 'rmsprop',
      doc: 'RMSprop (torch.optim.RMSprop, not centred, no momentum): a running mean square of the gradient. Defaults rate 0.01, rho 0.99, epsilon 1e-8.',
      update: f('v ← ρv + (1−ρ)(∇C)², w ← w − η∇C / (√v + ε)', 'v ← ρv + (1−ρ)(∇C)<sup>2</sup>, w ← w − η∇C / (√v + ε)'),
    },
    {
      name: 'adagrad',
      doc: 'Adagrad (torch.optim.Adagrad): the sum of squared gradients from 0 scales each weight\'s rate down. Defaults rate 0.01, epsilon 1e-10.',
      update: f('G ← G + (∇C)², w ← w − η∇C / (√G + ε)', 'G ← G + (∇C)<sup>2</sup>, w ← w − η∇C / (√G + ε)'),
    },
  ],

  datasets: [
    { name: 'xor', doc: 'The XOR truth table: rows (0,0) (0,1) (1,0) (1,1), target x₁ ⊕ x₂.', inputs: 2, outputs: 1, task: 'binary', options: [], defaultCount: 4, minCount: 4, maxCount: 4, inputLine: '2', outputLine: 'dense 1 sigmoid' },
    { name: 'and', doc: 'The AND truth table: rows (0,0) (0,1) (1,0) (1,1), target x₁ ∧ x₂.', inputs: 2, outputs: 1, task: 'binary', options: [], defaultCount: 4, minCount: 4, maxCount: 4, inputLine: '2', outputLine: 'dense 1 sigmoid' },
    { name: 'or', doc: 'The OR truth table: rows (0,0) (0,1) (1,0) (1,1), target x₁ ∨ x₂.', inputs: 2, outputs: 1, task: 'binary', options: [], defaultCount: 4, minCount: 4, maxCount: 4, inputLine: '2', outputLine: 'dense 1 sigmoid' },
    generated('circle', 'Class 1 inside a disc of radius 2.5, class 0 in the ring from 3.5 to 5 (as in TensorFlow Playground); inputs in [−5, 5].'),
    generated('spiral', 'Two interleaved spiral arms of 1.75 turns, one per class; inputs in [−5, 5].'),
    generated('moons', 'Two interleaving half-moons, one per class (scikit-learn’s, centred); inputs about [−1.5, 1.5] × [−0.75, 0.75].'),
    generated('gaussians', 'Two Gaussian blobs, class 1 around (2, 2), class 0 around (−2, −2).'),
    {
      name: 'sine',
      doc: `Regression: x uniform in [−π, π], target sin x; noise= ${GENERATED_SETS.sine.noiseMeaning}.`,
      inputs: 1,
      outputs: 1,
      task: 'regression',
      options: ['n', 'noise'],
      defaultCount: GENERATED_SETS.sine.n,
      defaultNoise: GENERATED_SETS.sine.noise,
      minCount: 1,
      maxCount: MAX_GENERATED_SAMPLES,
      inputLine: '1',
      outputLine: 'dense 1 identity',
    },
    {
      name: 'digits',
      doc: '10,000 handwritten MNIST digits, 28×28 grey levels in [0, 1], 10 classes (from the MIT-licensed `mnist` package); n= takes the first n.',
      inputs: 784,
      outputs: 10,
      task: 'classification',
      options: ['n'],
      defaultCount: 10000,
      minCount: 1,
      maxCount: 10000,
      inputLine: '28x28',
      outputLine: 'dense 10 softmax',
    },
  ],

  inits: [
    { name: 'uniform', syntax: 'init uniform', doc: 'Weights uniform in ±1/√n_in, biases 0.', example: 'init uniform' },
    { name: 'normal', syntax: 'init normal', doc: 'Weights from a normal distribution with mean 0 and standard deviation 1/√n_in, biases 0.', example: 'init normal' },
    { name: 'xavier', syntax: 'init xavier', doc: 'Glorot/Xavier: weights uniform in ±√(6/(n_in + n_out)), biases 0; suits sigmoid and tanh.', example: 'init xavier' },
    { name: 'he', syntax: 'init he', doc: 'He: weights normal with mean 0 and standard deviation √(2/n_in), biases 0; suits relu.', example: 'init he' },
    { name: 'const', syntax: 'init const V   (in a dense line: init=const:V)', doc: 'Every weight V and every bias 0, to replay a worked example by hand.', example: 'init const 0.5' },
  ],

  normalizeModes: [
    { name: 'none', doc: 'Inputs as they are.', formula: f('x ← x') },
    { name: 'minmax', doc: 'Each input column scaled to [0, 1] over the training part.', formula: f('x ← (x − min) / (max − min)') },
    { name: 'zscore', doc: 'Each input column to mean 0 and standard deviation 1 over the training part.', formula: f('x ← (x − mean) / sd') },
  ],
};

export const keywordNames = vocabulary.keywords.map((k) => k.name);
export const activationNames = vocabulary.activations.map((a) => a.name);
export const costNames = vocabulary.costs.map((c) => c.name);
export const datasetNames = vocabulary.datasets.map((d) => d.name);
export const initNames = vocabulary.inits.map((i) => i.name);
export const normalizeNames = vocabulary.normalizeModes.map((n) => n.name);
export const optimizerNames = vocabulary.optimizers.map((o) => o.name);

export function keywordDoc(name: string): KeywordDoc | undefined {
  return vocabulary.keywords.find((k) => k.name === name);
}

export function datasetDoc(name: string): DatasetDoc | undefined {
  return vocabulary.datasets.find((d) => d.name === name);
}

/**
 * Words users bring from other tools, for "did you mean" hints; never accepted as such.
 * Keys are compared without case, `_`, `-` and dots.
 */
export const synonyms = {
  keywords: {
    layer: 'dense', hidden: 'dense', linear: 'dense', fc: 'dense', fullyconnected: 'dense',
    inputs: 'input', cost: 'loss', objective: 'loss', criterion: 'loss',
    optimiser: 'optimizer', optim: 'optimizer', sgd: 'optimizer', solver: 'optimizer',
    batchsize: 'batch', minibatch: 'batch', minibatchsize: 'batch',
    epoch: 'epochs', iterations: 'epochs',
    regularization: 'l2', regularisation: 'l2', weightdecay: 'l2', lambda: 'l2',
    initialization: 'init', initialisation: 'init', initializer: 'init', weights: 'init',
    randomseed: 'seed', dataset: 'data', val: 'validation', validationsplit: 'validation', holdout: 'validation',
    normalise: 'normalize', normalization: 'normalize', scale: 'normalize', name: 'network', model: 'network',
  } as Record<string, string>,
  options: {
    learningrate: 'rate', lr: 'rate', eta: 'rate', stepsize: 'rate', alpha: 'rate',
    mu: 'momentum', beta: 'momentum', ratedecay: 'decay', gamma: 'decay',
    usebias: 'bias', biases: 'bias', initialization: 'init', initializer: 'init',
    samples: 'n', count: 'n', size: 'n', noiselevel: 'noise', sigma: 'noise',
    target: 'label', y: 'label', column: 'label', headers: 'header', labelfile: 'labels',
  } as Record<string, string>,
  activations: {
    logistic: 'sigmoid', sigm: 'sigmoid', leakyrelu: 'leaky_relu', lrelu: 'leaky_relu', rectifier: 'relu',
    none: 'identity', id: 'identity',
  } as Record<string, string>,
  costs: {
    quadratic: 'mse', meansquarederror: 'mse', l2: 'mse', squared: 'mse',
    binarycrossentropy: 'bce', logloss: 'bce', binary: 'bce',
    crossentropy: 'cce', categoricalcrossentropy: 'cce', softmaxcrossentropy: 'cce', nll: 'cce', ce: 'cce',
  } as Record<string, string>,
  datasets: { mnist: 'digits', sin: 'sine', blobs: 'gaussians', circles: 'circle', spirals: 'spiral', moon: 'moons', gaussian: 'gaussians', nand: 'and', xnor: 'xor' } as Record<string, string>,
  inits: { glorot: 'xavier', kaiming: 'he', random: 'uniform', gaussian: 'normal', constant: 'const', zeros: 'const', zero: 'const' } as Record<string, string>,
  normalize: { standard: 'zscore', standardize: 'zscore', minmaxscale: 'minmax', scale: 'minmax', off: 'none', no: 'none', false: 'none' } as Record<string, string>,
};
