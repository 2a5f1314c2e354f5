/**
 * The gradient story of one weight: what the tooltip and the screen-reader label say about cell
 * (j, k) of layer l. Pure (no DOM).
 *
 * ∂C/∂w^l_jk = a^{l−1}_k δ^l_j for one sample; the panel's ∂C/∂w is the batch mean of that
 * product (plus the L2 term), so the traced sample's product is shown next to it, not equal to it.
 */
import type { LayerSnapshot, TraceSnapshot } from '../src/protocol';
import { formatNumber } from './format';

/** One factor of a term's label, in TeX pieces: prefix base^{sup}_{sub} (math/symbolTex). */
export interface MathSymbol {
  /** TeX before the base, e.g. \partial C/\partial. */
  prefix?: string;
  /** TeX, e.g. w or \delta. */
  base: string;
  sub?: string;
  sup?: string;
}

export interface StoryTerm {
  /** Stable key for tests and styling: 'w', 'grad', 'delta', 'a', 'd', 'product' (b…, for a bias). */
  key: string;
  /** Label: factors (joined by ·), each a base symbol with subscript and superscript, typeset by KaTeX. */
  symbol: MathSymbol[];
  value: number;
  note?: string;
}

export interface CellStory {
  /** Layer l (from 1). */
  layer: number;
  j: number;
  /** k, or undefined for the bias b_j. */
  k: number | undefined;
  title: string;
  terms: StoryTerm[];
  /** Chain-rule factors of the traced sample; absent before the first trace. */
  sample?: number;
  /** One sentence for the aria-live region. */
  spoken: string;
  /** No chain rule behind it (a network column's label): the tooltip adds no hint. */
  plain?: boolean;
}

/**
 * `layer` is l (from 1); `k === inputs` means the bias. `trace` holds a^0…a^L and δ^1…δ^L:
 * a^{l−1} = trace.activations[l − 1], δ^l = trace.deltas[l − 1].
 */
export function cellStory(layer: number, inputs: number, snapshot: LayerSnapshot, j: number, k: number, trace?: TraceSnapshot): CellStory {
  const isBias = k >= inputs;
  const at = j * inputs + k;
  const lsup = String(layer);
  const prev = String(layer - 1); // a^{l−1}: the previous layer's activations
  const terms: StoryTerm[] = [];
  const aValue = !isBias ? trace?.activations[layer - 1]?.[k] : 1;
  const dValue = trace?.deltas[layer - 1]?.[j];
  if (isBias) {
    terms.push({ key: 'b', symbol: [{ base: 'b', sub: `${j}`, sup: lsup }], value: snapshot.biases[j] });
    terms.push({ key: 'grad', symbol: [{ prefix: '\\partial C/\\partial ', base: 'b', sub: `${j}`, sup: lsup }], value: snapshot.gradBiases[j], note: 'batch mean' });
    terms.push({ key: 'delta', symbol: [{ prefix: '\\text{last }\\Delta ', base: 'b', sub: `${j}`, sup: lsup }], value: snapshot.lastDeltaBiases[j] });
    terms.push({ key: 'epochDelta', symbol: [{ prefix: '\\text{epoch }\\Delta ', base: 'b', sub: `${j}`, sup: lsup }], value: snapshot.epochDeltaBiases[j] });
  } else {
    terms.push({ key: 'w', symbol: [{ base: 'w', sub: `${j},${k}`, sup: lsup }], value: snapshot.weights[at] });
    terms.push({ key: 'grad', symbol: [{ prefix: '\\partial C/\\partial ', base: 'w', sub: `${j},${k}`, sup: lsup }], value: snapshot.gradWeights[at], note: 'batch mean' });
    terms.push({ key: 'delta', symbol: [{ prefix: '\\text{last }\\Delta ', base: 'w', sub: `${j},${k}`, sup: lsup }], value: snapshot.lastDeltaWeights[at] });
    terms.push({ key: 'epochDelta', symbol: [{ prefix: '\\text{epoch }\\Delta ', base: 'w', sub: `${j},${k}`, sup: lsup }], value: snapshot.epochDeltaWeights[at] });
  }
  let sample: number | undefined;
  if (trace && aValue !== undefined && dValue !== undefined) {
    sample = trace.sampleIndex;
    if (!isBias) terms.push({ key: 'a', symbol: [{ base: 'a', sub: `${k}`, sup: prev }], value: aValue });
    terms.push({ key: 'd', symbol: [{ base: '\\delta', sub: `${j}`, sup: lsup }], value: dValue });
    if (!isBias) {
      terms.push({
        key: 'product',
        symbol: [{ base: 'a', sub: `${k}`, sup: prev }, { base: '\\delta', sub: `${j}`, sup: lsup }],
        value: Math.fround(aValue) * Math.fround(dValue),
        note: 'this sample',
      });
    }
  }
  const name = isBias ? `bias b${j}` : `weight j=${j} k=${k}`;
  const title = isBias ? `Layer ${layer} · bias of neuron j = ${j}` : `Layer ${layer} · weight j = ${j}, k = ${k}`;
  const first = terms[0];
  const grad = terms[1];
  let spoken = `layer ${layer}, ${name}: ${isBias ? 'b' : 'w'} = ${formatNumber(first.value)}, gradient ${formatNumber(grad.value)}, last change ${formatNumber(terms[2].value)}`;
  if (sample !== undefined) {
    spoken += isBias
      ? `; sample ${sample}: delta = ${formatNumber(dValue as number)}`
      : `; sample ${sample}: a = ${formatNumber(aValue as number)}, delta = ${formatNumber(dValue as number)}, product ${formatNumber(terms[terms.length - 1].value)}`;
  }
  return { layer, j, k: isBias ? undefined : k, title, terms, sample, spoken };
}
