/**
 * `nnspec explain SPEC [--weights IN.json] [--sample I] [--json]`: backpropagation for one
 * training sample, phase by phase, with the engine's numbers (src/core/engine/explain.ts).
 * Readable text by default; `--json` prints exactly one ExplanationJson object.
 */
import { COST_FORMULA, explainSample, explanationToJson, outputRuleNote, superscript, updateRule, type ExplainedLayer } from '../core/engine/explain';
import type { ParsedCommand } from './args';
import { applyWeightsFile, loadSpecOrFail } from './common';
import { formatLoss, formatValue } from './format';
import { CliError, EXIT_OK, type CliIO } from './io';

/** Vectors with at most this many entries are printed whole, longer ones by their largest entries. */
const FULL_VECTOR = 16;
/** Matrices with at most this many entries are printed whole. */
const FULL_MATRIX = 64;
/** How many of the largest entries stand for a big vector or matrix. */
const LARGEST = 6;

export function explainCommand(io: CliIO, parsed: ParsedCommand): number {
  const given = parsed.positionals[0];
  const sampleText = typeof parsed.values.sample === 'string' ? parsed.values.sample : '0';
  if (!/^\s*\d+\s*$/.test(sampleText)) throw new CliError(`--sample wants a whole number ≥ 0, not '${sampleText}'`, 2);
  const sample = Number(sampleText);
  const project = loadSpecOrFail(io, given);
  const weightsGiven = typeof parsed.values.weights === 'string' ? parsed.values.weights : undefined;
  if (weightsGiven !== undefined) applyWeightsFile(io, project, weightsGiven, given);
  const { trainer, spec } = project;
  if (sample >= trainer.trainCount) {
    throw new CliError(`--sample ${sample}: the training part of ${given} has ${trainer.trainCount} sample${trainer.trainCount === 1 ? '' : 's'} (0 to ${trainer.trainCount - 1})`, 2);
  }
  const e = explainSample(trainer, sample);
  if (parsed.values.json) {
    io.stdout.write(JSON.stringify(explanationToJson(e)) + '\n');
    return EXIT_OK;
  }

  const L = e.layers.length;
  const at = weightsGiven ? `the weights of ${weightsGiven}` : `the seeded initial weights (seed ${spec.seed})`;
  const arch = [spec.input.size, ...spec.layers.map((l) => l.units)].join('-');
  const out: string[] = [
    `backpropagation for training sample ${sample} of ${trainer.trainCount} (${trainer.data.train.name}), network ${arch}, cost ${spec.loss}, at ${at}`,
    'indices j (neuron) and k (input) count from 0; layers l from 1 (l = 0 is the input)',
    '',
    '1. input',
    `   a⁰ = x = ${vector(e.x)}` + inputNote(spec.features, spec.normalize),
    `   y = ${vector(e.y)}`,
    '',
    '2. forward: z^l = w^l a^(l−1) + b^l,  a^l = σ(z^l)',
  ];
  for (const layer of e.layers) {
    const l = superscript(layer.index);
    out.push(`   layer ${layer.index} (dense ${layer.units} ${layer.activation}${layer.bias ? '' : ' nobias'}):`);
    out.push(`     z${l} = w${l} a${superscript(layer.index - 1)}${layer.bias ? ` + b${l}` : ''} = ${vector(layer.z)}`);
    out.push(`     a${l} = ${layer.activation}(z${l}) = ${vector(layer.a)}`);
  }
  const output = e.layers[L - 1];
  out.push('', '3. cost (this sample alone, no L2 term)', `   ${COST_FORMULA[spec.loss].text} = ${formatLoss(e.cost)}`);
  const sL = superscript(L);
  const fused = e.outputRule !== 'chain';
  out.push('', '4. output error', `   δ${sL} = ${fused ? `a${sL} − y` : `∇_a C ⊙ σ′(z${sL})`} = ${vector(output.delta)}`);
  out.push(`   (${outputRuleNote(e.outputRule, spec.loss, output.activation)})`);
  out.push('', '5. error passed back: δ^l = ((w^(l+1))ᵀ δ^(l+1)) ⊙ σ′(z^l)');
  if (L === 1) out.push('   (one layer: nothing to pass back)');
  for (let i = L - 2; i >= 0; i--) {
    const layer = e.layers[i];
    const l = superscript(layer.index);
    out.push(`   δ${l} = ((w${superscript(layer.index + 1)})ᵀ δ${superscript(layer.index + 1)}) ⊙ ${layer.activation}′(z${l}) = ${vector(layer.delta)}`);
  }
  out.push('', '6. gradients of C_x: ∂C/∂b^l = δ^l,  ∂C/∂w^l = δ^l (a^(l−1))ᵀ, i.e. ∂C/∂w^l_jk = a^(l−1)_k · δ^l_j');
  for (const layer of e.layers) out.push(...gradientLines(layer));
  const rule = updateRule(trainer);
  out.push(
    '',
    `7. the update (over a mini-batch of m samples): ${rule.title}`,
    `   ${rule.gradient.text};  ∂C/∂b = (1/m) Σ_x ∂C_x/∂b`,
    ...rule.text.map((line) => `   ${line}`),
    // hyper-parameters as a spec writes them (η after decay to 6 digits)
    `   (${rule.values.map(([name, value]) => `${name} = ${Number(value.toPrecision(6))}`).join(', ')})`,
    `   ${rule.biases}`,
    `   this sample's part of g over a batch of ${trainer.batchSize}: (1/m) ∂C_x/∂w; \`nnspec gradients\` gives the whole training set's mean`,
  );
  io.stdout.write(out.join('\n') + '\n');
  return EXIT_OK;
}

/** "   (features x1 x2 x1^2 of the point (x1, x2), normalised: zscore)" or ''. */
function inputNote(features: readonly string[] | undefined, normalize: string): string {
  const parts: string[] = [];
  if (features) parts.push(`features ${features.join(' ')} of the point (x1, x2)`);
  if (normalize !== 'none') parts.push(`normalised: ${normalize}`);
  return parts.length > 0 ? `   (${parts.join(', ')})` : '';
}

function gradientLines(layer: ExplainedLayer): string[] {
  const l = superscript(layer.index);
  const lines: string[] = [`   layer ${layer.index}:`];
  if (layer.bias) lines.push(`     ∂C/∂b${l} = δ${l} = ${vector(layer.db)}`);
  else lines.push(`     (no bias)`);
  const size = layer.units * layer.inputs;
  if (size <= FULL_MATRIX) {
    lines.push(`     ∂C/∂w${l} = δ${l} (a${superscript(layer.index - 1)})ᵀ, ${layer.units}×${layer.inputs}, rows j, columns k:`);
    for (let j = 0; j < layer.units; j++) {
      const row: string[] = [];
      for (let k = 0; k < layer.inputs; k++) row.push(formatValue(layer.dW[j * layer.inputs + k]).padStart(11));
      lines.push('       ' + row.join(' '));
    }
  } else {
    const largest = largestIndices(layer.dW, LARGEST)
      .map((i) => `[${Math.floor(i / layer.inputs)},${i % layer.inputs}] ${formatValue(layer.dW[i])}`)
      .join(', ');
    lines.push(`     ∂C/∂w${l} = δ${l} (a${superscript(layer.index - 1)})ᵀ, ${layer.units}×${layer.inputs}; the ${LARGEST} largest [j,k]: ${largest}`);
  }
  return lines;
}

/** "[0.1, −0.2]" whole, or "(784 entries; the largest: [3] 0.5, …)". */
function vector(values: ArrayLike<number>): string {
  if (values.length <= FULL_VECTOR) return '[' + Array.from(values, formatValue).join(', ') + ']';
  const nonZero = Array.from(values).filter((v) => v !== 0).length;
  const largest = largestIndices(values, LARGEST)
    .map((i) => `[${i}] ${formatValue(values[i])}`)
    .join(', ');
  return `(${values.length} entries, ${nonZero} non-zero; the largest: ${largest})`;
}

function largestIndices(values: ArrayLike<number>, count: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]) || a - b);
  return order.slice(0, count);
}
