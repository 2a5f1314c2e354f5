/**
 * Backpropagation taken apart for one training sample: the seven phases of Nielsen's algorithm
 * with the engine's own numbers, for `nnspec explain` and the panel's walk through a step.
 *
 *   1. a^0 = x (and y)
 *   2. for l = 1…L: z^l = w^l a^{l−1} + b^l,  a^l = σ(z^l)
 *   3. C_x, this sample's cost (no L2 term)
 *   4. δ^L = ∇_a C ⊙ σ'(z^L)   (a − y where the cost and the output activation fuse)
 *   5. for l = L−1…1: δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ'(z^l)
 *   6. ∂C_x/∂b^l = δ^l,  ∂C_x/∂w^l = δ^l (a^{l−1})ᵀ, i.e. ∂C_x/∂w^l_jk = a^{l−1}_k δ^l_j
 *   7. over the mini-batch: the mean, + λ₂w + λ₁ sign(w), then the spec's optimizer's rule
 *      (UPDATE_RULES: sgd, momentum, Nesterov, Adam, RMSprop, Adagrad, as optimizers.ts runs them)
 *
 * a, z and δ are the trainer's own (Trainer.trace, Float32); ∂C_x/∂w is the product of those
 * factors, as the trainer's gradient kernel forms it. Layouts: `layers[l]` is layer l + 1 (the
 * index is 0-based where the maths counts from 1); matrices are row-major units × inputs,
 * w_jk at [j * inputs + k].
 */
import type { Activation, LossName } from '../spec';
import { cost, outputDeltaRule } from './costs';
import { optimizerSettings, type OptimizerSettings } from './optimizers';
import type { LayerView, Trainer } from './types';

/** One dense layer as one sample passes through it. */
export interface ExplainedLayer {
  /** l, from 1. */
  index: number;
  units: number;
  inputs: number;
  activation: Activation;
  bias: boolean;
  /** w^l (units × inputs) and b^l at which the sample was taken (copies). */
  weights: Float32Array;
  biases: Float32Array;
  /** z^l, a^l, δ^l: units each. */
  z: Float32Array;
  a: Float32Array;
  delta: Float32Array;
  /** ∂C_x/∂w^l = δ^l (a^{l−1})ᵀ, units × inputs; no L2 term. */
  dW: Float32Array;
  /** ∂C_x/∂b^l = δ^l (zeros for bias=false). */
  db: Float32Array;
}

export interface SampleExplanation {
  /** Index into the training part (after the validation split), in data order. */
  sample: number;
  /** a^0: the input as the network sees it (normalised, features applied). */
  x: Float32Array;
  /** The target (one-hot for classes). */
  y: Float32Array;
  loss: LossName;
  /** C_x, without the L2 term. */
  cost: number;
  /** How δ^L was formed: fused to a − y, or the chain rule ∇_a C ⊙ σ'(z^L). */
  outputRule: 'sigmoid-bce' | 'softmax-cce' | 'chain';
  layers: ExplainedLayer[];
}

/** The `nnspec explain --json` object. dW rows j (neurons), columns k (inputs). */
export interface ExplanationJson {
  sample: number;
  x: number[];
  y: number[];
  cost: number;
  layers: { z: number[]; a: number[]; delta: number[]; dW: number[][]; db: number[] }[];
}

/** The seven phases for training sample `sample` at the trainer's current weights. */
export function explainSample(trainer: Trainer, sample: number): SampleExplanation {
  if (!Number.isInteger(sample) || sample < 0 || sample >= trainer.trainCount) {
    throw new RangeError(`sample ${sample} is not in the training part (0 to ${trainer.trainCount - 1})`);
  }
  const trace = trainer.trace(sample);
  const { train } = trainer.data;
  const o = train.outputSize;
  const y = train.targets.slice(sample * o, (sample + 1) * o);
  const L = trainer.layers.length;
  const output = trace.activations[L];
  const layers = trainer.layers.map((view: LayerView, l): ExplainedLayer => {
    const aPrev = trace.activations[l];
    const delta = trace.deltas[l];
    const dW = new Float32Array(view.units * view.inputs);
    // ∂C_x/∂w^l_jk = a^{l−1}_k δ^l_j (a float32 product, as the gradient kernel forms it)
    for (let j = 0; j < view.units; j++) for (let k = 0; k < view.inputs; k++) dW[j * view.inputs + k] = Math.fround(aPrev[k] * delta[j]);
    const db = new Float32Array(view.units);
    if (view.bias) for (let j = 0; j < view.units; j++) db[j] = delta[j];
    return {
      index: view.index,
      units: view.units,
      inputs: view.inputs,
      activation: view.activation,
      bias: view.bias,
      weights: view.weights.slice(),
      biases: view.biases.slice(),
      z: trace.zs[l],
      a: trace.activations[l + 1],
      delta,
      dW,
      db,
    };
  });
  const loss = trainer.spec.loss;
  return {
    sample,
    x: trace.activations[0],
    y,
    loss,
    cost: cost(loss).value(output, y, 0, o),
    outputRule: outputDeltaRule(loss, trainer.layers[L - 1].activation),
    layers,
  };
}

export function explanationToJson(e: SampleExplanation): ExplanationJson {
  return {
    sample: e.sample,
    x: Array.from(e.x),
    y: Array.from(e.y),
    cost: e.cost,
    layers: e.layers.map((layer) => ({
      z: Array.from(layer.z),
      a: Array.from(layer.a),
      delta: Array.from(layer.delta),
      dW: matrixRows(layer.dW, layer.units, layer.inputs),
      db: Array.from(layer.db),
    })),
  };
}

export function matrixRows(matrix: ArrayLike<number>, units: number, inputs: number): number[][] {
  const rows: number[][] = [];
  for (let j = 0; j < units; j++) {
    const row: number[] = new Array(inputs);
    for (let k = 0; k < inputs; k++) row[k] = matrix[j * inputs + k];
    rows.push(row);
  }
  return rows;
}

// ---------------------------------------------------------------------------
// The formulas each phase shows, in plain Unicode (terminal, hovers) beside TeX (the panel).

/** "¹²" for 12: layer numbers as superscripts. */
export function superscript(n: number): string {
  const digits = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  return String(n)
    .split('')
    .map((c) => (c === '-' ? '⁻' : digits[Number(c)] ?? c))
    .join('');
}

/** The cost's formula for one sample. */
export const COST_FORMULA: Record<LossName, { text: string; tex: string }> = {
  mse: { text: 'C_x = ½ ‖a^L − y‖²', tex: 'C_x = \\tfrac12 \\lVert a^L - y \\rVert^2' },
  bce: { text: 'C_x = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)]', tex: 'C_x = -\\sum_j \\left[y_j \\ln a^L_j + (1-y_j) \\ln(1-a^L_j)\\right]' },
  cce: { text: 'C_x = −Σ_j y_j ln a_j', tex: 'C_x = -\\sum_j y_j \\ln a^L_j' },
};

/** Why δ^L is what it is, in one sentence. */
export function outputRuleNote(rule: SampleExplanation['outputRule'], loss: LossName, output: Activation): string {
  switch (rule) {
    case 'sigmoid-bce':
      return 'sigmoid and bce fuse: σ′(z) = a(1 − a) cancels the cost gradient’s denominator, so δ^L = a − y';
    case 'softmax-cce':
      return 'softmax and cce fuse: the softmax Jacobian times −y/a is a − y for one-hot targets, so δ^L = a − y';
    case 'chain':
      if (loss === 'mse' && output === 'identity') return 'identity output with mse: σ′ = 1, so δ^L = a − y';
      if (output === 'softmax') return `∇_a C of ${loss}, through the full softmax Jacobian: δ^L_j = a_j (g_j − Σ_i g_i a_i), g = ∇_a C`;
      return `∇_a C of ${loss} times ${output}′(z^L), element by element`;
  }
}

// ---------------------------------------------------------------------------
// Phase 7's update rule for every optimizer, formula (plain and TeX) beside the values it uses;
// the rules are optimizers.ts's, g = ∂C/∂w the batch mean with the regularisers added.

export type UpdateRuleName = 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'rmsprop' | 'adagrad';

interface UpdateRuleDoc {
  /** How the walk and the CLI name it. */
  title: string;
  /** The rule, one step per entry, in plain Unicode. */
  text: string[];
  tex: string;
  /** Its hyper-parameters with their values (η already decayed). */
  values(s: OptimizerSettings, rate: number, t: number): [string, number][];
}

export const UPDATE_RULES: Readonly<Record<UpdateRuleName, UpdateRuleDoc>> = {
  // w ← w − η g
  sgd: {
    title: 'gradient descent (sgd)',
    text: ['w ← w − η g'],
    tex: 'w \\leftarrow w - \\eta\\, g',
    values: (_s, rate) => [['η', rate]],
  },
  // v ← μv − η g;  w ← w + v
  momentum: {
    title: 'sgd with momentum',
    text: ['v ← μv − η g', 'w ← w + v'],
    tex: 'v \\leftarrow \\mu v - \\eta\\, g, \\quad w \\leftarrow w + v',
    values: (s, rate) => [['η', rate], ['μ', s.momentum]],
  },
  // v ← μv − η g;  w ← w + μv − η g  (the look-ahead)
  nesterov: {
    title: 'sgd with Nesterov momentum',
    text: ['v ← μv − η g', 'w ← w + μv − η g'],
    tex: 'v \\leftarrow \\mu v - \\eta\\, g, \\quad w \\leftarrow w + \\mu v - \\eta\\, g',
    values: (s, rate) => [['η', rate], ['μ', s.momentum]],
  },
  // m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  w ← w − η/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)
  adam: {
    title: 'Adam',
    text: ['m ← β₁m + (1 − β₁) g', 'v ← β₂v + (1 − β₂) g²', 'w ← w − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)'],
    tex: 'm \\leftarrow \\beta_1 m + (1-\\beta_1)\\, g, \\quad v \\leftarrow \\beta_2 v + (1-\\beta_2)\\, g^2, \\quad w \\leftarrow w - \\frac{\\eta}{1-\\beta_1^t} \\cdot \\frac{m}{\\sqrt{v}/\\sqrt{1-\\beta_2^t} + \\epsilon}',
    values: (s, rate, t) => [['η', rate], ['β₁', s.beta1], ['β₂', s.beta2], ['ε', s.epsilon], ['t', t]],
  },
  // v ← ρv + (1 − ρ)g²;  w ← w − η g / (√v + ε)
  rmsprop: {
    title: 'RMSprop',
    text: ['v ← ρv + (1 − ρ) g²', 'w ← w − η g / (√v + ε)'],
    tex: 'v \\leftarrow \\rho v + (1-\\rho)\\, g^2, \\quad w \\leftarrow w - \\frac{\\eta\\, g}{\\sqrt{v} + \\epsilon}',
    values: (s, rate) => [['η', rate], ['ρ', s.rho], ['ε', s.epsilon]],
  },
  // G ← G + g²;  w ← w − η g / (√G + ε)
  adagrad: {
    title: 'Adagrad',
    text: ['G ← G + g²', 'w ← w − η g / (√G + ε)'],
    tex: 'G \\leftarrow G + g^2, \\quad w \\leftarrow w - \\frac{\\eta\\, g}{\\sqrt{G} + \\epsilon}',
    values: (s, rate) => [['η', rate], ['ε', s.epsilon]],
  },
};

/** Phase 7 as the spec's optimizer and regularisers make it, for the CLI and the walk. */
export interface UpdateRule {
  name: UpdateRuleName;
  title: string;
  /** g = ∂C/∂w: the batch mean plus the regularisers, plain and TeX. */
  gradient: { text: string; tex: string };
  /** The rule's steps, plain; and in TeX. */
  text: string[];
  tex: string;
  /** Its values, e.g. [['η', 0.001], ['β₁', 0.9], …] (η after decay; Adam's t of this step). */
  values: [string, number][];
  /** The biases: the same rule with their own state and no regularisers. */
  biases: string;
}

/** The update rule of `trainer`'s next step (t: the optimizer's update count after it). */
export function updateRule(trainer: Trainer): UpdateRule {
  const settings = optimizerSettings(trainer.spec.optimizer);
  const name: UpdateRuleName = settings.kind === 'sgd' ? (settings.momentum > 0 ? (settings.nesterov ? 'nesterov' : 'momentum') : 'sgd') : settings.kind;
  const doc = UPDATE_RULES[name];
  const l2 = trainer.spec.l2;
  const l1 = trainer.spec.l1 ?? 0;
  const t = trainer.optimizerStateSummary().updates + 1;
  const text = ['g = (1/m) Σ_x ∂C_x/∂w', ...(l2 > 0 ? [`λ₂w (λ₂ = ${l2})`] : []), ...(l1 > 0 ? [`λ₁ sign(w) (λ₁ = ${l1})`] : [])].join(' + ');
  const tex = ['g = \\frac{1}{m} \\sum_x \\frac{\\partial C_x}{\\partial w}', ...(l2 > 0 ? ['\\lambda_2 w'] : []), ...(l1 > 0 ? ['\\lambda_1 \\operatorname{sign}(w)'] : [])].join(' + ');
  return {
    name,
    title: doc.title,
    gradient: { text, tex },
    text: doc.text,
    tex: doc.tex,
    values: doc.values(settings, trainer.rate, t),
    biases: 'b follows the same rule with g = (1/m) Σ_x ∂C_x/∂b (no L2 or L1 term) and its own state',
  };
}

// ---------------------------------------------------------------------------
// Phase 7 for the next mini-batch step: what stepOnce() is about to do, taken apart.

/** One layer's part of the update. All units × inputs (weights) or units (biases), Float32 like the trainer's. */
export interface StepLayer {
  /** (1/m) Σ_x ∂C_x/∂w over the batch, without L2 or L1. */
  meanW: Float32Array;
  /** λw (zeros when λ = 0). */
  l2W: Float32Array;
  /** λ₁ sign(w) (zeros when λ₁ = 0). */
  l1W: Float32Array;
  /** ∂C/∂w = mean + λw + λ₁ sign(w): what the update uses. */
  gradW: Float32Array;
  /** ∂C/∂b = (1/m) Σ_x δ_x. */
  gradB: Float32Array;
  /** v before the step (the last step's change w − w_before; zeros after a reset): only with momentum. */
  velocityW: Float32Array;
  velocityB: Float32Array;
  /** Δw = μv − η ∂C/∂w (μ = 0: −η ∂C/∂w), Δb likewise; empty when the step's rule is not that (see StepExplanation.rule). */
  changeW: Float32Array;
  changeB: Float32Array;
}

export interface StepExplanation {
  /** The step this will be (1 for the first) and its epoch (from 0). */
  step: number;
  epoch: number;
  /** The batch's training samples, in batch order; m = batch.length. */
  batch: number[];
  rate: number;
  momentum: number;
  l2: number;
  /** λ₁ (0: no L1 term). */
  l1: number;
  /**
   * 'sgd': the update is v ← μv − η ∂C/∂w, w ← w + v and changeW is its Δw. Otherwise (adam, rmsprop,
   * adagrad, Nesterov momentum, l1, dropout) the walk names the rule and shows the step's Δw only
   * once it is taken; phases 1–6 and the gradient are those of a step without dropout.
   */
  rule: 'sgd' | 'other';
  /** The spec's optimizer, e.g. 'adam', for the walk to name. */
  optimizer: string;
  /** Phase 7's rule as the spec's optimizer and regularisers make it (UPDATE_RULES). */
  update: UpdateRule;
  /** Mean cost over the batch, L2 term included: the step's loss. */
  loss: number;
  /** Phases 1–6 for one sample of the batch. */
  sample: SampleExplanation;
  layers: StepLayer[];
}

/**
 * The next step of `trainer` taken apart, with phases 1–6 for `sample` (a training index in the
 * batch; default its first). Changes nothing: stepOnce() afterwards takes exactly this step.
 */
export function explainNextStep(trainer: Trainer, sample?: number): StepExplanation {
  const batch = Array.from(trainer.nextBatch());
  const chosen = sample ?? batch[0];
  if (!batch.includes(chosen)) throw new RangeError(`sample ${chosen} is not in the next mini-batch (${batch.length} samples)`);
  const explained = explainSample(trainer, chosen);
  const gradient = trainer.gradientOf(batch);
  const { rate } = trainer;
  const { momentum } = trainer.spec.optimizer;
  const l2 = trainer.spec.l2;
  const l1 = trainer.spec.l1 ?? 0;
  const { optimizer } = trainer.spec;
  const rule = optimizer.kind === 'sgd' && !optimizer.nesterov && !trainer.spec.l1 && !trainer.spec.layers.some((l) => l.dropout) ? 'sgd' : 'other';
  const layers = trainer.layers.map((view, l): StepLayer => {
    const gradW = gradient.dW[l];
    const gradB = gradient.db[l];
    const l2W = new Float32Array(gradW.length);
    const l1W = new Float32Array(gradW.length);
    const meanW = new Float32Array(gradW.length);
    for (let i = 0; i < gradW.length; i++) {
      const w = view.weights[i];
      l2W[i] = l2 * w;
      l1W[i] = w > 0 ? l1 : w < 0 ? -l1 : 0;
      meanW[i] = gradW[i] - l2W[i] - l1W[i];
    }
    const velocityW = momentum > 0 ? view.lastDeltaWeights.slice() : new Float32Array(gradW.length);
    const velocityB = momentum > 0 && view.bias ? view.lastDeltaBiases.slice() : new Float32Array(view.units);
    const changeW = new Float32Array(rule === 'sgd' ? gradW.length : 0);
    // Δw = μv − η ∂C/∂w, rounded to float32 as the trainer's update rounds it
    for (let i = 0; i < changeW.length; i++) changeW[i] = Math.fround(momentum * velocityW[i] - rate * gradW[i]);
    const changeB = new Float32Array(rule === 'sgd' ? view.units : 0);
    if (view.bias && rule === 'sgd') for (let j = 0; j < changeB.length; j++) changeB[j] = Math.fround(momentum * velocityB[j] - rate * gradB[j]);
    return { meanW, l2W, l1W, gradW, gradB, velocityW, velocityB, changeW, changeB };
  });
  return {
    step: trainer.step + 1,
    epoch: trainer.epoch,
    batch,
    rate,
    momentum,
    l2,
    l1,
    rule,
    optimizer: optimizer.kind + (optimizer.nesterov ? ' (Nesterov)' : ''),
    update: updateRule(trainer),
    loss: gradient.loss,
    sample: explained,
    layers,
  };
}
