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

/** Markdown for hovering a `dense` line once its session has taken a step. */
export function hoverForLayer(input: LayerHoverInput): string {
  const { layer, snapshot, trace, step } = input;
  const l = layer.index;
  const stats = layerGradientStats(snapshot, layer.units, layer.inputs, input.topCount ?? 5);
  const lines: string[] = [];
  lines.push(
    `**Layer ${l}** (\`dense ${layer.units} ${layer.activation}\`) after step ${step}: ` +
      `w<sup>${l}</sup> is ${layer.units} × ${layer.inputs} (j × k, from 0: ${layer.units} neurons, ${layer.inputs} inputs from layer ${l - 1})`,
  );
  lines.push('');
  lines.push(`mean |∂C/∂w| = ${fmt(stats.meanAbsGrad)} · max |∂C/∂w| = ${fmt(stats.maxAbsGrad)} at j=${stats.maxJ}, k=${stats.maxK}<br>`);
  lines.push(`‖∂C/∂w‖ = ${fmt(stats.gradNorm)} · ‖Δw‖ of the last step = ${fmt(stats.deltaNorm)}`);
  lines.push('');
  lines.push('| j | k | w<sub>jk</sub> | ∂C/∂w<sub>jk</sub> | Δw<sub>jk</sub> |');
  lines.push('|--:|--:|--:|--:|--:|');
  for (const e of stats.top) lines.push(`| ${e.j} | ${e.k} | ${fmt(e.w)} | ${fmt(e.grad)} | ${fmt(e.delta)} |`);
  lines.push('');
  lines.push('∂C/∂w is the mean over the last mini-batch (L2 term included).');
  const top = stats.top[0];
  const chain = top && trace ? chainRule(trace, l, top.j, top.k) : undefined;
  if (chain) {
    lines.push('');
    lines.push(
      `Chain rule for w<sub>${top.j}${top.k}</sub>, training sample #${chain.sampleIndex} alone (the last of the batch), as step ${step} saw it: ` +
        `∂C/∂w<sub>jk</sub> = a<sub>k</sub><sup>${l - 1}</sup> · δ<sub>j</sub><sup>${l}</sup> = ${fmt(chain.a)} · ${fmt(chain.delta)} = ${fmt(chain.product)}`,
    );
  }
  if (input.panelCommand) {
    lines.push('');
    lines.push(`[Show layer ${l} in the training panel](${input.panelCommand})`);
  }
  return lines.join('\n');
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
  return `**Layer ${layer.index}** (\`dense ${layer.units} ${layer.activation}\`): w<sup>${layer.index}</sup> is ${layer.units} × ${layer.inputs}. Take a step (**NNSpec: Step**) to see its gradients here.`;
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
