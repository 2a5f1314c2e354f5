/**
 * The live hovers: a `dense` line shows its layer's weights and gradients after a step, the
 * `loss` line the current loss and its trend. Pure functions of the session's latest arrays
 * (LayerSnapshot, TraceSnapshot from src/protocol.ts), so the numbers can be checked against
 * the core's Trainer directly.
 *
 * Indices j, k count from 0, like the arrays: w^l_jk = weights[j * inputs + k] (row-major,
 * units × inputs), j a neuron of layer l, k a neuron of layer l−1.
 */
import { formatNumber } from '../../core/format';
import type { EpochMetrics } from '../../core/engine/types';
import type { LayerSnapshot, SessionInfo, TraceSnapshot } from '../../protocol';

export interface WeightEntry {
  j: number;
  k: number;
  /** w_jk now (after the last step). */
  w: number;
  /** ∂C/∂w_jk of the last step (batch mean, L2 included). */
  grad: number;
  /** Δw_jk the last step applied. */
  delta: number;
}

export interface LayerGradientStats {
  units: number;
  inputs: number;
  /** mean over j,k of |∂C/∂w_jk| */
  meanAbsGrad: number;
  /** max over j,k of |∂C/∂w_jk|, and where */
  maxAbsGrad: number;
  maxJ: number;
  maxK: number;
  /** ‖∂C/∂w‖ (Frobenius) */
  gradNorm: number;
  /** ‖Δw‖ of the last step (Frobenius) */
  deltaNorm: number;
  /** The weights with the largest |∂C/∂w_jk|, largest first. */
  top: WeightEntry[];
}

/** Statistics of one layer's last step. `snapshot` arrays are units × inputs, row-major. */
export function layerGradientStats(snapshot: LayerSnapshot, units: number, inputs: number, topCount = 5): LayerGradientStats {
  const { gradWeights, weights, lastDeltaWeights } = snapshot;
  const n = units * inputs;
  let sumAbs = 0;
  let sumSq = 0;
  let deltaSq = 0;
  let maxAbs = -1;
  let maxIndex = 0;
  // Indices of the largest |grad| so far, kept sorted (largest first); topCount is small.
  const best: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = gradWeights[i];
    const a = Math.abs(g);
    sumAbs += a;
    sumSq += g * g;
    deltaSq += lastDeltaWeights[i] * lastDeltaWeights[i];
    if (a > maxAbs) {
      maxAbs = a;
      maxIndex = i;
    }
    if (best.length < topCount || a > Math.abs(gradWeights[best[best.length - 1]])) {
      let at = best.length;
      while (at > 0 && Math.abs(gradWeights[best[at - 1]]) < a) at--;
      best.splice(at, 0, i);
      if (best.length > topCount) best.pop();
    }
  }
  return {
    units,
    inputs,
    meanAbsGrad: n > 0 ? sumAbs / n : 0,
    maxAbsGrad: Math.max(0, maxAbs),
    maxJ: Math.floor(maxIndex / inputs),
    maxK: maxIndex % inputs,
    gradNorm: Math.sqrt(sumSq),
    deltaNorm: Math.sqrt(deltaSq),
    top: best.map((i) => ({
      j: Math.floor(i / inputs),
      k: i % inputs,
      w: weights[i],
      grad: gradWeights[i],
      delta: lastDeltaWeights[i],
    })),
  };
}

/** ‖∂C/∂w‖ of every layer, for the Inspect Gradients quick pick. */
export function gradientNorms(layers: readonly LayerSnapshot[]): number[] {
  return layers.map((layer) => {
    let sumSq = 0;
    for (const g of layer.gradWeights) sumSq += g * g;
    return Math.sqrt(sumSq);
  });
}

/** A number with 4 significant digits; exponent form outside [1e-3, 1e5). */
export function fmt(value: number, digits = 4): string {
  return formatNumber(value, digits);
}

export interface LayerHoverInput {
  layer: SessionInfo['layers'][number];
  snapshot: LayerSnapshot;
  /** The last sample of the last step, as that step saw it (before its update): the chain rule's factors. */
  trace?: TraceSnapshot;
  /** Steps taken (the arrays are from after this step). */
  step: number;
  /** `command:` link that opens the panel on this layer; omitted when undefined. */
  panelCommand?: string;
  topCount?: number;
}

/** Superscript digits and signs (w¹, a⁰, δ¹²): how the hovers write a layer index l. */
export function superscript(text: string | number): string {
  return String(text).replace(/[0-9+\-\u2212]/g, (c) => SUPERSCRIPT[c] ?? c);
}

/** Subscript digits (w₁,₂): how the hovers write the indices j, k. */
export function subscript(text: string | number): string {
  return String(text).replace(/[0-9+\-\u2212]/g, (c) => SUBSCRIPT[c] ?? c);
}

const SUPERSCRIPT: Record<string, string> = {
  '0': '\u2070', '1': '\u00b9', '2': '\u00b2', '3': '\u00b3', '4': '\u2074', '5': '\u2075', '6': '\u2076', '7': '\u2077', '8': '\u2078', '9': '\u2079',
  '+': '\u207a', '-': '\u207b', '\u2212': '\u207b',
};
const SUBSCRIPT: Record<string, string> = {
  '0': '\u2080', '1': '\u2081', '2': '\u2082', '3': '\u2083', '4': '\u2084', '5': '\u2085', '6': '\u2086', '7': '\u2087', '8': '\u2088', '9': '\u2089',
  '+': '\u208a', '-': '\u208b', '\u2212': '\u208b',
};

/** Markdown for hovering a `dense` line once its session has taken a step. */
export function hoverForLayer(input: LayerHoverInput): string {
  const { layer, snapshot, trace, step } = input;
  const l = layer.index;
  const L = superscript(l);
  const stats = layerGradientStats(snapshot, layer.units, layer.inputs, input.topCount ?? 5);
  const lines: string[] = [];
  lines.push(
    `**Layer ${l}** (\`dense ${layer.units} ${layer.activation}\`) after step ${step}: ` +
      `w${L} is ${layer.units} × ${layer.inputs} (j × k, from 0: ${plural(layer.units, 'neuron', 'neurons')}, ${plural(layer.inputs, 'input', 'inputs')} from layer ${l - 1})`,
  );
  // The chain rule first (above the fold): the traced sample's largest term a_k·δ_j of this layer.
  const chain = trace ? largestTerm(trace, l) : undefined;
  if (chain) {
    const w = `w${L}${subscript(chain.j)},${subscript(chain.k)}`;
    lines.push('');
    lines.push(
      `Chain rule, training sample #${chain.sampleIndex} alone (the last of the batch), as step ${step} saw it; its largest term:<br>` +
        `∂C/∂${w} = a${superscript(l - 1)}${subscript(chain.k)} · δ${L}${subscript(chain.j)} = ${fmt(chain.a)} · ${fmt(chain.delta)} = ${fmt(chain.product)}`,
    );
  }
  lines.push('');
  lines.push(`mean |∂C/∂w| = ${fmt(stats.meanAbsGrad)} · max |∂C/∂w| = ${fmt(stats.maxAbsGrad)} at j=${stats.maxJ}, k=${stats.maxK}<br>`);
  lines.push(`‖∂C/∂w‖ = ${fmt(stats.gradNorm)} · ‖Δw‖ of the last step = ${fmt(stats.deltaNorm)}`);
  lines.push('');
  lines.push(`| j | k | w${L}ⱼₖ | ∂C/∂w${L}ⱼₖ | Δw${L}ⱼₖ |`);
  lines.push('|--:|--:|--:|--:|--:|');
  for (const e of stats.top) lines.push(`| ${e.j} | ${e.k} | ${fmt(e.w)} | ${fmt(e.grad)} | ${fmt(e.delta)} |`);
  lines.push('');
  lines.push('∂C/∂w in the table is the mean over the last mini-batch (L2 term included); the chain rule above is one sample\'s term of it.');
  if (input.panelCommand) {
    lines.push('');
    lines.push(`[Show layer ${l} in the training panel](${input.panelCommand})`);
  }
  return lines.join('\n');
}

/** "1 neuron", "30 neurons". */
function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The traced sample's most informative term of layer l: the (j, k) with the largest
 * |a^{l−1}_k · δ^l_j| (the weight that sample pushes hardest), with its factors; undefined when the
 * trace lacks the layer. Ties keep the first (smallest j, then k).
 */
export function largestTerm(trace: TraceSnapshot, l: number): { sampleIndex: number; j: number; k: number; a: number; delta: number; product: number } | undefined {
  const activationsPrev = trace.activations[l - 1];
  const deltas = trace.deltas[l - 1];
  if (!activationsPrev || !deltas || activationsPrev.length === 0 || deltas.length === 0) return undefined;
  // max |a_k δ_j| = max_j |δ_j| · max_k |a_k|: two passes, not units × inputs products.
  let j = 0;
  for (let i = 1; i < deltas.length; i++) if (Math.abs(deltas[i]) > Math.abs(deltas[j])) j = i;
  let k = 0;
  for (let i = 1; i < activationsPrev.length; i++) if (Math.abs(activationsPrev[i]) > Math.abs(activationsPrev[k])) k = i;
  const chain = chainRule(trace, l, j, k);
  return chain && { ...chain, j, k };
}

/** a_k^{l−1}, δ_j^l and their product for the traced sample; undefined when out of range. */
export function chainRule(trace: TraceSnapshot, l: number, j: number, k: number): { sampleIndex: number; a: number; delta: number; product: number } | undefined {
  const activationsPrev = trace.activations[l - 1];
  const deltas = trace.deltas[l - 1];
  if (!activationsPrev || !deltas || k >= activationsPrev.length || j >= deltas.length) return undefined;
  const a = activationsPrev[k];
  const delta = deltas[j];
  return { sampleIndex: trace.sampleIndex, a, delta, product: a * delta };
}

/** Markdown before any step: what the hover will show and how to get there. */
export function hoverBeforeStep(layer: SessionInfo['layers'][number]): string {
  return `**Layer ${layer.index}** (\`dense ${layer.units} ${layer.activation}\`): w${superscript(layer.index)} is ${layer.units} × ${layer.inputs}. Take a step (**NNSpec: Step**) to see its gradients here.`;
}

export interface LossHoverInput {
  loss: string;
  /** Batch loss of the latest step; null before the first. */
  latestLoss: number | null;
  step: number;
  epochs: readonly EpochMetrics[];
  totalEpochs: number;
  /** How many recent epochs to show. */
  recent?: number;
}

/** Markdown for hovering the `loss` line: the current loss and its trend over the last epochs. */
export function hoverForLoss(input: LossHoverInput): string {
  const lines: string[] = [];
  if (input.latestLoss === null) {
    lines.push(`**${input.loss}**: no step taken yet.`);
    return lines.join('\n');
  }
  lines.push(`**Loss (${input.loss})**: ${fmt(input.latestLoss)} on the batch of step ${input.step}`);
  const recent = input.epochs.slice(-(input.recent ?? 5));
  if (recent.length === 0) {
    lines.push('', 'No epoch has ended yet.');
    return lines.join('\n');
  }
  const hasValidation = recent.some((e) => e.validation);
  const hasAccuracy = recent.some((e) => e.train.accuracy !== undefined);
  lines.push('');
  const header = ['epoch', 'train loss'];
  if (hasAccuracy) header.push('train accuracy');
  if (hasValidation) header.push('validation loss');
  lines.push(`| ${header.join(' | ')} |`);
  lines.push(`|${header.map(() => '--:').join('|')}|`);
  for (const e of recent) {
    const row = [`${e.epoch + 1}/${input.totalEpochs}`, fmt(e.train.loss)];
    if (hasAccuracy) row.push(e.train.accuracy === undefined ? '–' : `${(e.train.accuracy * 100).toFixed(1)}%`);
    if (hasValidation) row.push(e.validation ? fmt(e.validation.loss) : '–');
    lines.push(`| ${row.join(' | ')} |`);
  }
  const trend = lossTrend(recent);
  if (trend) lines.push('', trend);
  return lines.join('\n');
}

/** "falling: −42.1% over the last 5 epochs" from the first to the last epoch's training loss. */
export function lossTrend(epochs: readonly EpochMetrics[]): string | undefined {
  if (epochs.length < 2) return undefined;
  const first = epochs[0].train.loss;
  const last = epochs[epochs.length - 1].train.loss;
  if (!Number.isFinite(first) || !Number.isFinite(last) || first === 0) return undefined;
  const change = (last - first) / Math.abs(first);
  const word = change < -0.001 ? 'falling' : change > 0.001 ? 'rising' : 'flat';
  const sign = change < 0 ? '−' : '+';
  return `Trend: ${word}, ${sign}${Math.abs(change * 100).toFixed(1)}% over the last ${epochs.length} epochs`;
}
