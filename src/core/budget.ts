/**
 * The memory budget: the most bytes one spec may claim for its large arrays — the data as loaded
 * (file bytes, decompressed bytes, 32-bit floats), the prepared copy the trainer reads, and the
 * trainer's own buffers (parameters, optimizer state, batch matrices). Every loader and the
 * project check their estimate against it BEFORE allocating, so an oversized input ends in a
 * message with the numbers and the spec's LINE:COL instead of gigabytes of RSS or an internal error.
 *
 * Default 2048 MiB (2 GiB), the same on every machine so that a spec that checks on one machine
 * checks on the next. Why 2 GiB: it holds the whole of MNIST's 60,000 training images as floats
 * (188 MB) ten times over and any network under the 5,000,000-parameter ceiling with batch 256,
 * yet stays below what a VS Code extension host can spare (it shares its process with every other
 * extension) and below the 4 GiB that one WebAssembly memory or one Node Buffer can hold.
 * Raise it with the VS Code setting `nnspec.memoryBudgetMB` or the CLI's `--memory MB`.
 *
 * Units: MB here means MiB (2^20 bytes), as in the setting's name; messages print MB/GB as
 * 10^6/10^9 bytes with three significant figures ("3.17 GB").
 */
import type { Diagnostic, NetworkSpec, OptimizerSpec, Range } from './spec';
import { optimizer, optimizerSettings } from './engine/optimizers';

export const DEFAULT_MEMORY_BUDGET_MB = 2048;
/** The largest budget accepted: 1 TiB (beyond any machine this runs on; guards against typos like 1e12). */
export const MAX_MEMORY_BUDGET_MB = 1 << 20;

const MIB = 2 ** 20;

/** Bytes of a budget given in MB (MiB); undefined or invalid → the default. */
export function budgetBytes(megabytes?: number): number {
  const mb = megabytes !== undefined && Number.isFinite(megabytes) && megabytes > 0 ? Math.min(megabytes, MAX_MEMORY_BUDGET_MB) : DEFAULT_MEMORY_BUDGET_MB;
  return Math.floor(mb * MIB);
}

/**
 * A budget from user text (`--memory 4096`): whole or decimal MB from 1 to MAX_MEMORY_BUDGET_MB;
 * otherwise an error message saying what is accepted.
 */
export function parseBudgetMB(text: string): { mb: number } | { error: string } {
  const mb = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(mb >= 1 && mb <= MAX_MEMORY_BUDGET_MB)) {
    return { error: `'${text}' is not a memory budget: give megabytes from 1 to ${MAX_MEMORY_BUDGET_MB} (default ${DEFAULT_MEMORY_BUDGET_MB})` };
  }
  return { mb };
}

/** "940 MB", "3.17 GB", "66.0 kB", "512 bytes": decimal units, three significant figures. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [1e12, 'TB'],
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'kB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${(bytes / size).toPrecision(3)} ${unit}`;
  }
  return `${Math.round(bytes)} byte${Math.round(bytes) === 1 ? '' : 's'}`;
}

/** The budget as a message names it: "the memory budget of 2.15 GB (2048 MB)". */
export function describeBudget(budget: number): string {
  const mb = budget / MIB;
  return `the memory budget of ${formatBytes(budget)} (${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB)`;
}

/** How to raise the budget, for hints. */
export const RAISE_BUDGET = 'raise the budget with the setting `nnspec.memoryBudgetMB` (VS Code) or `--memory MB` (nnspec CLI)';

/** One named part of an estimate: "pixels as 32-bit floats", 3.76e9. */
export interface BudgetPart {
  what: string;
  bytes: number;
}

/**
 * undefined when the parts fit the budget; else the message:
 * "needs 4.71 GB (… 941 MB + … 3.76 GB), more than the memory budget of 2.15 GB (2048 MB)".
 */
export function overBudget(parts: readonly BudgetPart[], budget: number): string | undefined {
  const total = sumParts(parts);
  if (total <= budget) return undefined;
  // The three largest parts by name, the rest as one.
  const sorted = parts.filter((p) => p.bytes > 0).sort((a, b) => b.bytes - a.bytes);
  const shown = sorted.length === 1 ? [sorted[0].what] : sorted.slice(0, 3).map((p) => `${p.what} ${formatBytes(p.bytes)}`);
  if (sorted.length > 3) shown.push(`the rest ${formatBytes(sumParts(sorted.slice(3)))}`);
  const breakdown = shown.length > 0 ? ` (${shown.join(' + ')})` : '';
  return `needs ${formatBytes(total)}${breakdown}, more than ${describeBudget(budget)}`;
}

/** 1200000 → "1,200,000". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function sumParts(parts: readonly BudgetPart[]): number {
  return parts.reduce((sum, p) => sum + p.bytes, 0);
}

// ---------------------------------------------------------------------------------------------
// The trainer's bytes

/**
 * Float32 arrays the trainer keeps per parameter (per weight w^l_jk and per bias b^l_j), besides
 * the optimizer's state: w, ∂C/∂w, w before the last step, w at the epoch's start, the two Δ
 * read-out buffers (last step, this epoch), and the chunk-gradient scratch.
 */
export const TRAINER_ARRAYS_PER_PARAMETER = 7;

/**
 * Float32 arrays per parameter the optimizer keeps: each state array (optimizers.ts `stateNames`:
 * sgd with momentum the velocity v, adam m and v, rmsprop v, adagrad the sum G; sgd without
 * momentum none) and its value before the last step, which a rejected step restores.
 */
export function optimizerStateArrays(spec: OptimizerSpec): number {
  const settings = optimizerSettings(spec);
  return 2 * optimizer(settings.kind).stateNames(settings).length;
}

/** Batch matrices per layer: Z^l (weighted inputs z), A^l (activations a), D^l (errors δ), rows × units each. */
export const BATCH_MATRICES_PER_LAYER = 3;

/**
 * JavaScript heap per layer besides the Float32 buffers: the layer's objects, its ~20 typed-array
 * views, the step trace's arrays (measured: about 3.5 kB a layer for 900 layers of `dense 1`).
 */
export const TRAINER_BYTES_PER_LAYER = 4096;

/** Rows per chunk when evaluating or taking the full gradient (the trainer's CHUNK_ROWS). */
export const EVALUATION_CHUNK_ROWS = 256;

export interface TrainerEstimate {
  /** Rows of the batch matrices: max(batch size, min(256, max(training, validation samples))). */
  rows: number;
  batchSize: number;
  parts: BudgetPart[];
  /** Bytes of the parameter-shaped arrays (parameters × arrays per parameter × 4), per layer (0-based l = layer l+1). */
  parameterBytes: number[];
  /** Bytes of each layer's batch matrices (3 × rows × units × 4). */
  batchBytes: number[];
  total: number;
}

/**
 * What the trainer (trainer.ts) allocates for `spec` on a training set of `trainCount` samples
 * (and `validationCount` held out): the one Float32 allocation of its constructor (each slice
 * padded to 4 floats) plus its Int32 shuffle orders and per-layer objects. Must agree with the trainer's allocation;
 * test/unit/budget.test.ts checks that it does, allocation by allocation.
 */
export function estimateTrainer(spec: Pick<NetworkSpec, 'input' | 'layers' | 'batch' | 'optimizer'>, trainCount: number, validationCount = 0): TrainerEstimate {
  const count = Math.max(1, trainCount);
  const batchSize = spec.batch === 'full' ? count : Math.max(1, Math.min(Math.floor(spec.batch), count));
  const rows = Math.max(batchSize, Math.min(EVALUATION_CHUNK_ROWS, Math.max(count, validationCount)));
  const padded = (length: number): number => Math.ceil(length / 4) * 4;
  const perParameter = TRAINER_ARRAYS_PER_PARAMETER + optimizerStateArrays(spec.optimizer);
  const outputs = spec.layers.length > 0 ? spec.layers[spec.layers.length - 1].units : 0;
  const parameterBytes: number[] = [];
  const batchBytes: number[] = [];
  let inputs = spec.input.size;
  for (const layer of spec.layers) {
    parameterBytes.push(4 * perParameter * (padded(layer.units * inputs) + padded(layer.units)));
    // dropout adds its mask M and Â = A ⊙ M
    batchBytes.push(4 * (BATCH_MATRICES_PER_LAYER + ((layer.dropout ?? 0) > 0 ? 2 : 0)) * padded(rows * layer.units));
    inputs = layer.units;
  }
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  const parts: BudgetPart[] = [
    { what: `parameters, ∂C/∂w and optimizer state (${perParameter} floats each)`, bytes: sum(parameterBytes) },
    { what: `batch matrices z, a, δ of ${formatCount(rows)} rows`, bytes: sum(batchBytes) + 4 * (padded(rows * spec.input.size) + padded(rows * outputs)) },
    { what: 'shuffle orders', bytes: 8 * count },
    { what: `${formatCount(spec.layers.length)} layers' objects`, bytes: TRAINER_BYTES_PER_LAYER * spec.layers.length },
  ];
  return { rows, batchSize, parts, parameterBytes, batchBytes, total: sumParts(parts) };
}

// ---------------------------------------------------------------------------------------------
// The whole of training: data, its prepared copy, the trainer

/** Bytes of a data set's floats: inputs and targets. */
export function datasetBytes(d: { count: number; inputSize: number; outputSize: number }): number {
  return 4 * d.count * (d.inputSize + d.outputSize);
}

/**
 * The trainer copies the training set into the kernels' memory (for their gather: a memory copy per
 * row, split across the threads, instead of JavaScript's serial copy between the threads' calls) when its inputs and targets take at most this many bytes; a larger
 * set is gathered from its JavaScript arrays, so the copy never more than adds this much memory.
 */
export const TRAIN_COPY_MAX_BYTES = 256 * 2 ** 20;

/**
 * The error for a spec whose training would not fit the budget, placed at what claims most:
 * the `batch` line when the batch matrices do (or the largest layer when the spec has no `batch`
 * line), the largest layer when its parameters do, the `data` line when the data does.
 * undefined when it fits.
 */
export function trainingMemoryDiagnostic(
  spec: NetworkSpec,
  dataset: { count: number; inputSize: number; outputSize: number; name: string },
  validationCount: number,
  byKeyword: ReadonlyMap<string, { range: Range }>,
  budget: number,
): Diagnostic | undefined {
  const trainer = estimateTrainer(spec, dataset.count - validationCount, validationCount);
  const data = datasetBytes(dataset);
  // and, with the wasm kernels, one more copy of the training part in their memory (TRAIN_COPY_MAX_BYTES at most)
  const trainPart = datasetBytes({ ...dataset, count: dataset.count - validationCount });
  const dataBytes = 2 * data + (trainPart <= TRAIN_COPY_MAX_BYTES ? trainPart : 0);
  const parts: BudgetPart[] = [...trainer.parts, { what: `the data ${dataset.name} and its prepared copies`, bytes: dataBytes + 16 * dataset.count }];
  const over = overBudget(parts, budget);
  if (!over) return undefined;
  const [parameters, batch] = trainer.parts;
  const claims = spec.layers.map((_, l) => trainer.parameterBytes[l] + trainer.batchBytes[l]);
  const largest = claims.indexOf(Math.max(...claims));
  const layer = spec.layers[largest];
  const name = `dense ${layer.units}`;
  let range: Range = layer.range;
  let hint: string;
  if (dataBytes > parameters.bytes + batch.bytes && spec.data) {
    range = spec.data.range;
    hint = `the data takes ${formatBytes(dataBytes)}: use fewer samples (n=…), or ${RAISE_BUDGET}`;
  } else if (batch.bytes >= parameters.bytes) {
    range = byKeyword.get('batch')?.range ?? layer.range;
    hint =
      `the batch matrices of \`${name}\` take ${formatBytes(trainer.batchBytes[largest])} at ${trainer.rows} rows (${BATCH_MATRICES_PER_LAYER} × rows × units floats): ` +
      `a smaller batch or layer fits, or ${RAISE_BUDGET}`;
  } else {
    hint = `\`${name}\` keeps ${formatBytes(trainer.parameterBytes[largest])} of parameters and their state: make it smaller, or ${RAISE_BUDGET}`;
  }
  return { severity: 'error', range, message: `training this network ${over}`, hint, code: 'memory-budget' };
}
