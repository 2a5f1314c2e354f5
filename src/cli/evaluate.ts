/**
 * `nnspec evaluate SPEC --weights IN.json [--json]`: loss and accuracy, and the metrics of
 * src/core/engine/metrics.ts (confusion matrix, per-class precision/recall/F1; RMSE, MAE, R² for
 * regression), for the training and the validation part, at the given weights.
 */
import type { Evaluation, Trainer } from '../core/engine/types';
import { measurePart, type ClassificationMetrics, type PartMetrics } from '../core/engine/metrics';
import type { ParsedCommand } from './args';
import { applyWeightsFile, loadSpecOrFail } from './common';
import { describeData, describeNetwork, networkName } from './describe';
import { formatCount, formatLoss, formatPercent } from './format';
import { CliError, EXIT_OK, type CliIO } from './io';

/** Confusion matrices with more classes than this are left to --json in the readable output. */
const MATRIX_LIMIT = 20;

/** One part in the JSON form: the trainer's loss and accuracy, and the part's metrics. */
export type PartJson = { count: number; loss: number | null; accuracy: number | null } & (
  | Omit<ClassificationMetrics, 'kind' | 'count' | 'accuracy'>
  | { rmse: number; mae: number; r2: number | null }
);

export interface EvaluateJson {
  spec: string;
  weights: string;
  task: Trainer['task'];
  train: PartJson;
  validation: PartJson | null;
}

export function evaluateCommand(io: CliIO, parsed: ParsedCommand): number {
  const given = parsed.positionals[0];
  const weightsGiven = parsed.values.weights;
  if (typeof weightsGiven !== 'string') {
    throw new CliError(`evaluate: --weights IN.json is required (save trained weights with \`nnspec train ${given} --save IN.json\`)`, 2);
  }
  const project = loadSpecOrFail(io, given);
  applyWeightsFile(io, project, weightsGiven, given);
  const { trainer } = project;
  const parts = (['train', 'validation'] as const).map((part) => {
    const evaluation = trainer.evaluate(part);
    const metrics = measurePart(trainer, part);
    return evaluation && metrics ? { evaluation, metrics } : null;
  });
  const [train, validation] = parts;
  if (!train) throw new CliError(`evaluate: ${given}: the training part is empty`, 1);

  if (parsed.values.json) {
    const json: EvaluateJson = {
      spec: given,
      weights: weightsGiven,
      task: trainer.task,
      train: partJson(train.evaluation, train.metrics),
      validation: validation ? partJson(validation.evaluation, validation.metrics) : null,
    };
    io.stdout.write(JSON.stringify(json) + '\n');
    return EXIT_OK;
  }

  const out: string[] = [
    `${networkName(project.spec, given)} (${describeNetwork(project)}) at the weights of ${weightsGiven}`,
    `  ${describeData(project)}`,
    '',
    ...partText('training part', train.evaluation, train.metrics),
  ];
  out.push('');
  if (validation) out.push(...partText('validation part', validation.evaluation, validation.metrics));
  else out.push('validation part: none (a `validation 0.2` line holds 20% of the data out)');
  io.stdout.write(out.join('\n') + '\n');
  return EXIT_OK;
}

function partJson(evaluation: Evaluation, metrics: PartMetrics): PartJson {
  const head = { count: evaluation.count, loss: Number.isFinite(evaluation.loss) ? evaluation.loss : null, accuracy: evaluation.accuracy ?? null };
  if (metrics.kind === 'regression') return { ...head, rmse: metrics.rmse, mae: metrics.mae, r2: metrics.r2 };
  return { ...head, confusion: metrics.confusion, classes: metrics.classes, macro: metrics.macro };
}

function partText(title: string, evaluation: Evaluation, metrics: PartMetrics): string[] {
  let head = `${title} (${formatCount(evaluation.count)} samples): loss ${formatLoss(evaluation.loss)}`;
  if (evaluation.accuracy !== undefined) head += `  accuracy ${formatPercent(evaluation.accuracy)}`;
  if (metrics.kind === 'regression') {
    return [`${head}  RMSE ${formatLoss(metrics.rmse)}  MAE ${formatLoss(metrics.mae)}  R² ${metrics.r2 === null ? '– (constant targets)' : metrics.r2.toFixed(4)}`];
  }
  const lines = [head];
  const names = metrics.classes.map((c) => c.name);
  const K = names.length;
  if (K <= MATRIX_LIMIT) {
    const width = Math.max(6, ...names.map((n) => n.length), ...metrics.confusion.flat().map((n) => String(n).length)) + 1;
    lines.push('  confusion matrix (rows: actual class, columns: predicted class):');
    lines.push('    ' + ''.padStart(width) + names.map((n) => n.padStart(width)).join(''));
    metrics.confusion.forEach((row, i) => lines.push('    ' + names[i].padStart(width) + row.map((n) => String(n).padStart(width)).join('')));
  } else {
    lines.push(`  (${K} classes: the confusion matrix is in --json)`);
  }
  const nameWidth = Math.max(5, ...names.map((n) => n.length));
  lines.push(`  ${'class'.padEnd(nameWidth)}  precision  recall     F1  support`);
  for (const c of metrics.classes) {
    lines.push(`  ${c.name.padEnd(nameWidth)}  ${ratio(c.precision).padStart(9)}  ${ratio(c.recall).padStart(6)}  ${ratio(c.f1).padStart(5)}  ${String(c.support).padStart(7)}`);
  }
  const { macro } = metrics;
  lines.push(`  ${'macro'.padEnd(nameWidth)}  ${ratio(macro.precision).padStart(9)}  ${ratio(macro.recall).padStart(6)}  ${ratio(macro.f1).padStart(5)}`);
  if (metrics.classes.some((c) => c.precision === null || c.recall === null)) {
    lines.push('  (– : nothing to count: a class never predicted has no precision, one absent from the part no recall)');
  }
  return lines;
}

/** 0.8571 → "0.857"; null → "–". */
function ratio(value: number | null): string {
  return value === null ? '–' : value.toFixed(3);
}
