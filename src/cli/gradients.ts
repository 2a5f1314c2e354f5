/**
 * `nnspec gradients SPEC`: ∂C/∂w and ∂C/∂b of the mean cost over the whole training set
 * (validation part excluded, L2 included), at the given weights or the seeded initial ones.
 */
import type { Gradient, LayerView } from '../core/engine/types';
import type { ParsedCommand } from './args';
import { applyWeightsFile, loadSpecOrFail, memoryOption } from './common';
import { formatLoss, formatValue } from './format';
import { EXIT_OK, type CliIO } from './io';

/** Layers with at most this many weights are printed in full in the readable output. */
const FULL_MATRIX_LIMIT = 64;

/** The JSON form: dW[j][k] = ∂C/∂w^l_jk (rows j: this layer's neurons, columns k: the previous layer's). */
export interface GradientsJson {
  loss: number;
  layers: { dW: number[][]; db: number[] }[];
}

export function gradientToJson(gradient: Gradient, layers: readonly LayerView[]): GradientsJson {
  return {
    loss: gradient.loss,
    layers: layers.map((layer, i) => ({
      dW: rows(gradient.dW[i], layer.units, layer.inputs),
      db: Array.from(gradient.db[i]),
    })),
  };
}

export function gradientsCommand(io: CliIO, parsed: ParsedCommand): number {
  const given = parsed.positionals[0];
  const memoryBudgetMB = memoryOption(parsed.values);
  const project = loadSpecOrFail(io, given, { memoryBudgetMB });
  const weightsGiven = typeof parsed.values.weights === 'string' ? parsed.values.weights : undefined;
  if (weightsGiven !== undefined) applyWeightsFile(io, project, weightsGiven, given, memoryBudgetMB);
  const { trainer } = project;
  const gradient = trainer.fullGradient();

  if (parsed.values.json) {
    io.stdout.write(JSON.stringify(gradientToJson(gradient, trainer.layers)) + '\n');
    return EXIT_OK;
  }

  const at = weightsGiven ? `the weights of ${weightsGiven}` : `the seeded initial weights (seed ${project.spec.seed})`;
  const out: string[] = [
    `gradient of the mean cost over ${trainer.trainCount} training sample${trainer.trainCount === 1 ? '' : 's'} at ${at}`,
    `loss C = ${formatLoss(gradient.loss)}` + (project.spec.l2 > 0 ? ` (L2 term λ = ${project.spec.l2} included)` : ''),
  ];
  trainer.layers.forEach((layer, i) => {
    const dW = gradient.dW[i];
    const db = gradient.db[i];
    out.push('');
    out.push(`layer ${layer.index}: dense ${layer.units} ${layer.activation}, weights ${layer.units}×${layer.inputs} (w_jk: j = neuron, k = input, counted from 0)`);
    const largest = argmaxAbs(dW);
    const j = Math.floor(largest / layer.inputs);
    const k = largest % layer.inputs;
    out.push(
      `  ∂C/∂w: ‖·‖ = ${formatValue(norm(dW))}, mean |·| = ${formatValue(meanAbs(dW))}, largest in size ∂C/∂w_jk at j=${j}, k=${k}: ${formatValue(dW[largest] ?? 0)}`,
    );
    if (layer.bias) {
      const b = argmaxAbs(db);
      out.push(`  ∂C/∂b: ‖·‖ = ${formatValue(norm(db))}, largest in size ∂C/∂b_j at j=${b}: ${formatValue(db[b] ?? 0)}`);
    }
    if (dW.length <= FULL_MATRIX_LIMIT) {
      out.push('  ∂C/∂w (rows j, columns k):');
      for (const row of rows(dW, layer.units, layer.inputs)) out.push('    ' + row.map((v) => formatValue(v).padStart(11)).join(' '));
      if (layer.bias) out.push('  ∂C/∂b: ' + Array.from(db, (v) => formatValue(v)).join(' '));
    }
  });
  io.stdout.write(out.join('\n') + '\n');
  return EXIT_OK;
}

function rows(matrix: Float32Array, units: number, inputs: number): number[][] {
  const result: number[][] = [];
  for (let j = 0; j < units; j++) result.push(Array.from(matrix.subarray(j * inputs, (j + 1) * inputs)));
  return result;
}

function argmaxAbs(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (Math.abs(values[i]) > Math.abs(values[best])) best = i;
  return best;
}

function norm(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return Math.sqrt(sum);
}

function meanAbs(values: Float32Array): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += Math.abs(v);
  return sum / values.length;
}
