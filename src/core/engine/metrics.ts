/**
 * How well a network does on a part of the data, beyond loss and accuracy. Pure functions of
 * outputs and targets (the trainer's forwardPart supplies them), so they are tested on fixed
 * prediction sets.
 *
 * Classification (K classes; 'binary' is K = 2 with one output, class = output > 0.5):
 *   predicted class  ĉ(x) = argmax_j a_j(x)           actual class  c(x) = argmax_j y_j(x)
 *   confusion        N_ij = #{x : c(x) = i, ĉ(x) = j}   rows i actual, columns j predicted
 *   precision_i = N_ii / Σ_r N_ri   (of the samples predicted i, the share that are i)
 *   recall_i    = N_ii / Σ_j N_ij   (of the samples that are i, the share predicted i)
 *   F1_i        = 2 · precision_i · recall_i / (precision_i + recall_i)
 *   support_i   = Σ_j N_ij;  accuracy = Σ_i N_ii / n
 * A ratio with nothing to count (0/0: a class never predicted, or absent) is null, not 0; the macro
 * averages are means over the classes where the value is defined.
 *
 * Regression (n samples, D outputs, ȳ_d the mean target of output d over the part):
 *   RMSE = √( (1/(nD)) Σ_x Σ_d (a_d − y_d)² )      MAE = (1/(nD)) Σ_x Σ_d |a_d − y_d|
 *   R²   = 1 − Σ_x Σ_d (y_d − a_d)² / Σ_x Σ_d (y_d − ȳ_d)²   (null when every target is equal)
 * in the targets' own units (NNSpec never normalises targets).
 */
import type { Trainer } from './types';

export type Task = 'classification' | 'binary' | 'regression';

export interface ClassMetrics {
  /** The class's name (the data's class names, else its index). */
  name: string;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Samples of this class in the part. */
  support: number;
}

export interface ClassificationMetrics {
  kind: 'classification';
  count: number;
  /** K × K, row i = actual class i, column j = predicted class j. */
  confusion: number[][];
  classes: ClassMetrics[];
  accuracy: number;
  macro: { precision: number | null; recall: number | null; f1: number | null };
}

export interface RegressionMetrics {
  kind: 'regression';
  count: number;
  rmse: number;
  mae: number;
  r2: number | null;
}

export type PartMetrics = ClassificationMetrics | RegressionMetrics;

/** Classes a task has: K outputs for classification, 2 for binary, 0 for regression. */
export function classCount(task: Task, outputSize: number): number {
  return task === 'classification' ? outputSize : task === 'binary' ? 2 : 0;
}

/** The class a row of `units` values from `offset` stands for: argmax (first of ties), or > 0.5 for binary. */
export function classOf(task: Task, values: ArrayLike<number>, offset: number, units: number): number {
  if (task === 'binary') return values[offset] > 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < units; j++) if (values[offset + j] > values[offset + best]) best = j;
  return best;
}

/** N (K × K, row-major as a flat array): N[i·K + j] counts samples of actual class i predicted j. */
export function confusionMatrix(task: Task, outputs: ArrayLike<number>, targets: ArrayLike<number>, count: number, units: number): Int32Array {
  const K = classCount(task, units);
  const counts = new Int32Array(K * K);
  for (let x = 0; x < count; x++) {
    const actual = classOf(task, targets, x * units, units);
    const predicted = classOf(task, outputs, x * units, units);
    counts[actual * K + predicted]++;
  }
  return counts;
}

/** Precision, recall, F1 and support per class, accuracy and macro averages, from a K × K confusion matrix. */
export function classificationMetrics(confusion: ArrayLike<number>, K: number, names?: readonly string[]): ClassificationMetrics {
  const rows: number[][] = [];
  for (let i = 0; i < K; i++) rows.push(Array.from({ length: K }, (_, j) => confusion[i * K + j]));
  let count = 0;
  let correct = 0;
  const classes: ClassMetrics[] = [];
  for (let i = 0; i < K; i++) {
    const tp = rows[i][i];
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < K; j++) {
      support += rows[i][j];
      predicted += rows[j][i];
    }
    count += support;
    correct += tp;
    const precision = predicted > 0 ? tp / predicted : null;
    const recall = support > 0 ? tp / support : null;
    const f1 = precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    classes.push({ name: names?.[i] ?? String(i), precision, recall, f1, support });
  }
  return {
    kind: 'classification',
    count,
    confusion: rows,
    classes,
    accuracy: count > 0 ? correct / count : 0,
    macro: {
      precision: meanOfDefined(classes.map((c) => c.precision)),
      recall: meanOfDefined(classes.map((c) => c.recall)),
      f1: meanOfDefined(classes.map((c) => c.f1)),
    },
  };
}

/** RMSE, MAE and R² over `count` rows of `units` outputs (row-major). */
export function regressionMetrics(outputs: ArrayLike<number>, targets: ArrayLike<number>, count: number, units: number): RegressionMetrics {
  const means = new Float64Array(units);
  for (let x = 0; x < count; x++) for (let d = 0; d < units; d++) means[d] += targets[x * units + d];
  for (let d = 0; d < units; d++) means[d] /= Math.max(1, count);
  let squares = 0;
  let absolutes = 0;
  let total = 0;
  for (let x = 0; x < count; x++) {
    for (let d = 0; d < units; d++) {
      const y = targets[x * units + d];
      const e = outputs[x * units + d] - y;
      squares += e * e;
      absolutes += Math.abs(e);
      total += (y - means[d]) * (y - means[d]);
    }
  }
  const n = Math.max(1, count * units);
  return { kind: 'regression', count, rmse: Math.sqrt(squares / n), mae: absolutes / n, r2: total > 0 ? 1 - squares / total : null };
}

/** The metrics of a task from outputs and targets. */
export function metricsOf(
  task: Task,
  outputs: ArrayLike<number>,
  targets: ArrayLike<number>,
  count: number,
  units: number,
  names?: readonly string[],
): PartMetrics {
  if (task === 'regression') return regressionMetrics(outputs, targets, count, units);
  return classificationMetrics(confusionMatrix(task, outputs, targets, count, units), classCount(task, units), names);
}

/** The network's outputs a^L over a part (count × outputs, row-major) at the current weights; null without that part. */
export function partOutputs(trainer: Trainer, part: 'train' | 'validation'): Float32Array | null {
  const dataset = part === 'train' ? trainer.data.train : trainer.data.validation;
  if (!dataset || dataset.count === 0) return null;
  const units = dataset.outputSize;
  const outputs = new Float32Array(dataset.count * units);
  trainer.forwardPart(part, (start, m, _zs, activations) => {
    outputs.set(activations[activations.length - 1].subarray(0, m * units), start * units);
  });
  return outputs;
}

/** The metrics of a part at the trainer's current weights; null without that part. */
export function measurePart(trainer: Trainer, part: 'train' | 'validation'): PartMetrics | null {
  const dataset = part === 'train' ? trainer.data.train : trainer.data.validation;
  const outputs = partOutputs(trainer, part);
  if (!dataset || !outputs) return null;
  return metricsOf(trainer.task, outputs, dataset.targets, dataset.count, dataset.outputSize, dataset.classNames);
}

/**
 * The confusion matrix of a part (flat K × K counts) at the current weights: what the panel's live
 * matrix shows. Null for regression or without that part.
 */
export function partConfusion(trainer: Trainer, part: 'train' | 'validation'): { classes: number; counts: Int32Array } | null {
  if (trainer.task === 'regression') return null;
  const dataset = part === 'train' ? trainer.data.train : trainer.data.validation;
  const outputs = partOutputs(trainer, part);
  if (!dataset || !outputs) return null;
  return { classes: classCount(trainer.task, dataset.outputSize), counts: confusionMatrix(trainer.task, outputs, dataset.targets, dataset.count, dataset.outputSize) };
}

function meanOfDefined(values: (number | null)[]): number | null {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length === 0 ? null : defined.reduce((a, b) => a + b, 0) / defined.length;
}
