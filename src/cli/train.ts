/**
 * `nnspec train SPEC`: trains in slices of ~50 ms so that Ctrl-C is heard between mini-batches,
 * and reports through one of four reporters: a live bar (terminal), plain lines (pipe or file),
 * NDJSON events (--json) or nothing until the summary (--quiet).
 */
import type { EpochMetrics, Evaluation, Trainer } from '../core/engine/types';
import { DivergenceError } from '../core/engine/types';
import type { LoadedProject } from '../core/project';
import { HealthMonitor, healthPlaces, type HealthProblem } from '../core/engine/health';
import { formatDiagnostic } from '../core/lang/index';
import { parsePositiveInteger, type ParsedCommand } from './args';
import { weightsToJson } from '../core/weights';
import { applyWeightsFile, loadSpecOrFail, memoryOption, threadsOption } from './common';
import { setTrainingThreads } from '../core/engine/threadPool';
import { describeCompute, type ComputeInfo } from '../core/engine/compute';
import { prepareSave, writeSaved } from './files';
import { CLEAR_LINE } from './output';
import { architecture, describeData, describeNetwork, networkName } from './describe';
import { bar, formatCount, formatDuration, formatLoss, formatPercent } from './format';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, type CliIO } from './io';

/** How long one slice of training runs before the event loop gets a turn (Ctrl-C, output). */
const SLICE_MS = 50;
/** The progress bar is redrawn at most this often. */
const BAR_INTERVAL_MS = 100;
/** Plain-line output prints at most about this many epoch lines. */
const MAX_LINES = 100;

export interface TrainProgress {
  /** Epochs completed. */
  epochsDone: number;
  epochs: number;
  step: number;
  totalSteps: number;
  stepsDone: number;
  /** Mean batch loss of the steps taken in the current epoch (or the last one, at its end). */
  runningLoss: number | null;
  /** The latest epoch evaluation, if any. */
  latest?: EpochMetrics;
  /** Wall time since training began. */
  seconds: number;
  /** Training samples per second of training time (evaluations excluded). */
  samplesPerSecond: number;
  /** How long the latest evaluation of the training and validation parts took, in seconds. */
  evaluationSeconds: number;
}

export interface TrainSummary {
  status: 'done' | 'stopped' | 'diverged';
  epochsDone: number;
  steps: number;
  seconds: number;
  samplesPerSecond: number;
  /** The kernels and threads that trained (compute.ts). */
  compute: ComputeInfo;
  train: Evaluation;
  validation: Evaluation | null;
  message?: string;
  saved?: string;
  /** --save named a symlink: the file it points to, which was written. */
  savedVia?: string;
  /** --save was given but nothing was written (the run diverged): the file named. */
  notSaved?: string;
  /** The `stop` rule ended the run early: why, in one sentence. */
  stopReason?: string;
  /** --save failed at the end: why, and where the weights were kept instead (if anywhere). */
  saveFailed?: { given: string; reason: string; keptAt?: string };
  /** The signal that stopped the run (status 'stopped'). */
  signal?: 'SIGINT' | 'SIGTERM';
}

interface Reporter {
  /** Whether the epoch that just ended (1-based count) should be evaluated and reported. */
  wantsEpoch(epochsDone: number, progress: TrainProgress): boolean;
  start(project: LoadedProject): void;
  epoch(metrics: EpochMetrics, progress: TrainProgress): void;
  progress(progress: TrainProgress): void;
  /** A training-health problem began to hold (core/engine/health.ts). */
  problem(problem: HealthProblem): void;
  /** …or stopped holding. */
  cleared(problem: HealthProblem): void;
  finish(summary: TrainSummary): void;
}

export async function trainCommand(io: CliIO, parsed: ParsedCommand): Promise<number> {
  const given = parsed.positionals[0];
  const epochs = typeof parsed.values.epochs === 'string' ? parsePositiveInteger('epochs', parsed.values.epochs) : undefined;
  const saveGiven = typeof parsed.values.save === 'string' ? parsed.values.save : undefined;
  // Checked before the data is loaded and a minute is spent training: see files.ts.
  const saveTarget = saveGiven === undefined ? undefined : prepareSave(io, saveGiven);
  const memoryBudgetMB = memoryOption(parsed.values);
  setTrainingThreads(threadsOption(parsed.values));
  const project = loadSpecOrFail(io, given, { epochs, memoryBudgetMB });
  if (typeof parsed.values.weights === 'string') applyWeightsFile(io, project, parsed.values.weights, given, memoryBudgetMB);

  const reporter: Reporter = parsed.values.json
    ? new JsonReporter(io, given)
    : parsed.values.quiet
      ? new QuietReporter(io, given)
      : io.stdout.isTTY
        ? new BarReporter(io, given)
        : new LineReporter(io, given);

  // Listen for Ctrl-C before the first line is out: whoever sees it may press Ctrl-C at once.
  const stop: { requested: boolean; signal?: 'SIGINT' | 'SIGTERM' } = { requested: false };
  const stopListening = io.onInterrupt((signal) => {
    stop.requested = true;
    stop.signal = signal;
  });
  let summary: TrainSummary;
  try {
    reporter.start(project);
    summary = await runTraining(io, project.trainer, reporter, stop, new HealthMonitor(project.trainer, healthPlaces(project.parse)));
    if (saveTarget !== undefined && summary.status !== 'diverged') {
      const result = writeSaved(saveTarget, weightsToJson(project.trainer.getWeights()));
      if (result.ok) {
        summary.saved = saveTarget.given;
        if (saveTarget.viaLink) summary.savedVia = saveTarget.viaLink;
      } else {
        summary.saveFailed = { given: saveTarget.given, reason: result.reason, keptAt: result.keptAt };
      }
    } else if (saveGiven !== undefined) {
      summary.notSaved = saveGiven;
    }
  } finally {
    stopListening();
  }
  reporter.finish(summary);
  if (summary.saveFailed) reportSaveFailure(io, summary.saveFailed);
  if (summary.status === 'diverged' || summary.saveFailed) return EXIT_FAILED;
  if (summary.status === 'stopped') return summary.signal === 'SIGTERM' ? EXIT_TERMINATED : EXIT_INTERRUPTED;
  return EXIT_OK;
}

async function runTraining(
  io: CliIO,
  trainer: Trainer,
  reporter: Reporter,
  stop: { requested: boolean; signal?: 'SIGINT' | 'SIGTERM' },
  health: HealthMonitor,
): Promise<TrainSummary> {
  let healthVersion = health.version;
  let shown: readonly HealthProblem[] = [];
  /** Reports the problems that began or stopped holding since the last call. */
  const reportHealth = (): void => {
    if (health.version === healthVersion) return;
    healthVersion = health.version;
    const key = (p: HealthProblem): string => `${p.code}/${p.layer}`;
    const now = health.problems;
    for (const p of shown) if (!now.some((q) => key(q) === key(p))) reporter.cleared(p);
    for (const p of now) if (!shown.some((q) => key(q) === key(p))) reporter.problem(p);
    shown = now;
  };
  const started = io.now();
  const firstStep = trainer.step;
  const totalSteps = Math.max(0, trainer.epochs - trainer.epoch) * trainer.stepsPerEpoch - trainer.stepInEpoch;
  let samples = 0;
  /** Time spent evaluating, kept out of the samples/s. */
  let evaluationMs = 0;
  let lastEvaluationMs = 0;
  let epochLossSum = 0;
  let epochSamples = 0;
  let runningLoss: number | null = null;
  let latest: EpochMetrics | undefined;
  let status: TrainSummary['status'] = 'done';
  let message: string | undefined;

  const progress = (): TrainProgress => {
    const seconds = (io.now() - started) / 1000;
    const trainingSeconds = seconds - evaluationMs / 1000;
    return {
      epochsDone: trainer.epoch,
      epochs: trainer.epochs,
      step: trainer.step,
      totalSteps,
      stepsDone: trainer.step - firstStep,
      runningLoss,
      latest,
      seconds,
      samplesPerSecond: trainingSeconds > 0 ? samples / trainingSeconds : 0,
      evaluationSeconds: lastEvaluationMs / 1000,
    };
  };

  try {
    while (!trainer.done && !stop.requested) {
      const sliceEnd = io.now() + SLICE_MS;
      do {
        const result = trainer.stepOnce();
        health.afterStep(result);
        reportHealth();
        samples += result.batchSize;
        epochLossSum += result.loss * result.batchSize;
        epochSamples += result.batchSize;
        runningLoss = epochLossSum / epochSamples;
        if (result.epochEnded) {
          const state = progress();
          if (reporter.wantsEpoch(result.epoch + 1, state) || trainer.done) {
            const before = io.now();
            latest = evaluateEpoch(trainer, result.epoch);
            lastEvaluationMs = io.now() - before;
            evaluationMs += lastEvaluationMs;
            reporter.epoch(latest, { ...progress(), latest });
          }
          epochLossSum = 0;
          epochSamples = 0;
        }
        // A slow reader (`| less`, a full pipe): stop producing output until it catches up.
      } while (!trainer.done && io.now() < sliceEnd && !io.stdout.full);
      reporter.progress(progress());
      // Wait while stdout's buffer is over its high-water mark (memory stays bounded), then let
      // the event loop run: Ctrl-C is delivered here.
      await io.stdout.drain?.();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (stop.requested && !trainer.done) {
      status = 'stopped';
      message = `stopped by ${stop.signal === 'SIGTERM' ? 'SIGTERM' : 'Ctrl-C'} at epoch ${trainer.epoch + 1}/${trainer.epochs}, step ${trainer.step}`;
    }
  } catch (error) {
    if (!(error instanceof DivergenceError)) throw error;
    status = 'diverged';
    message = error.message;
    health.diverged(error.message);
    reportHealth();
  }

  const seconds = (io.now() - started) / 1000;
  const trainingSeconds = seconds - evaluationMs / 1000;
  // The last epoch's evaluation is the final one when training ran to the end: no second pass
  // (restore=best has put other weights back: those are evaluated).
  const restored = trainer.stopped?.restoredEpoch !== undefined;
  const final = status === 'done' && !restored && latest?.epoch === trainer.epoch - 1 ? latest : evaluateEpoch(trainer, trainer.epoch);
  return {
    status,
    epochsDone: trainer.epoch,
    steps: trainer.step,
    seconds,
    samplesPerSecond: trainingSeconds > 0 ? samples / trainingSeconds : 0,
    compute: trainer.compute,
    train: final.train,
    validation: final.validation ?? null,
    message,
    ...(status === 'done' && trainer.stopped ? { stopReason: trainer.stopped.message } : {}),
    ...(status === 'stopped' && stop.signal ? { signal: stop.signal } : {}),
  };
}

function evaluateEpoch(trainer: Trainer, epoch: number): EpochMetrics {
  const train = trainer.evaluate('train') ?? { loss: NaN, count: 0 };
  const validation = trainer.evaluate('validation');
  return validation ? { epoch, train, validation } : { epoch, train };
}

// ---------------------------------------------------------------------------
// Reporters

function startLine(project: LoadedProject, given: string): string {
  const { spec, trainer } = project;
  const steps = trainer.stepsPerEpoch;
  return (
    `training ${networkName(spec, given)} (${describeNetwork(project)})\n` +
    `  ${describeData(project)}; batch ${trainer.batchSize}, ${steps} step${steps === 1 ? '' : 's'} per epoch, ` +
    `${trainer.epochs} epoch${trainer.epochs === 1 ? '' : 's'}, η = ${spec.optimizer.rate}\n`
  );
}

function metricsText(train: Evaluation, validation: Evaluation | null | undefined): string {
  let text = `loss ${formatLoss(train.loss)}`;
  if (train.accuracy !== undefined) text += `  accuracy ${formatPercent(train.accuracy)}`;
  if (validation) {
    text += `  validation loss ${formatLoss(validation.loss)}`;
    if (validation.accuracy !== undefined) text += `  accuracy ${formatPercent(validation.accuracy)}`;
  }
  return text;
}

function summaryText(summary: TrainSummary, epochs: number): string {
  const head =
    summary.status === 'done'
      ? `done: ${summary.epochsDone} epoch${summary.epochsDone === 1 ? '' : 's'}`
      : summary.status === 'stopped'
        ? `${summary.message}`
        : `diverged after ${summary.epochsDone}/${epochs} epochs`;
  const lines = [
    ...(summary.stopReason ? [summary.stopReason] : []),
    `${head}, ${formatCount(summary.steps)} steps in ${formatDuration(summary.seconds)} (${formatCount(summary.samplesPerSecond)} samples/s; ${describeCompute(summary.compute)})`,
    `  training:   ${evaluationText(summary.train)}`,
  ];
  if (summary.validation) lines.push(`  validation: ${evaluationText(summary.validation)}`);
  if (summary.notSaved) lines.push(`did not save ${summary.notSaved}: the weights diverged`);
  if (summary.status === 'stopped' && !summary.saved) lines.push('the weights were not saved: add --save OUT.json to keep them next time');
  if (summary.saved) {
    const via = summary.savedVia ? ` (a link: written to the file it points to, ${summary.savedVia})` : '';
    lines.push(`saved the weights to ${summary.saved}${via}` + (summary.status === 'stopped' ? ' (as trained so far)' : ''));
  }
  return lines.join('\n') + '\n';
}

function evaluationText(evaluation: Evaluation): string {
  let text = `loss ${formatLoss(evaluation.loss)}`;
  if (evaluation.accuracy !== undefined) text += `  accuracy ${formatPercent(evaluation.accuracy)}`;
  return text + `  (${formatCount(evaluation.count)} samples)`;
}

/** A save that failed at the end (stderr, all modes): why, and where the weights are instead. */
function reportSaveFailure(io: CliIO, failed: NonNullable<TrainSummary['saveFailed']>): void {
  io.stderr.write(`nnspec: could not save the weights to ${failed.given}: ${failed.reason}\n`);
  io.stderr.write(failed.keptAt ? `  the trained weights are kept in ${failed.keptAt}\n` : '  and they could not be kept in the temporary folder either: they are lost\n');
}

/** Prints divergence to stderr (all modes): what happened and what to try. */
function reportDivergence(io: CliIO, given: string, summary: TrainSummary): void {
  if (summary.status !== 'diverged') return;
  io.stderr.write(`nnspec: ${given}: ${summary.message}\n`);
  if (!/smaller rate|not the rate/.test(summary.message ?? '')) io.stderr.write('  try a smaller rate in the `optimizer` line\n');
}

class QuietReporter implements Reporter {
  private epochs = 0;
  constructor(
    private readonly io: CliIO,
    private readonly given: string,
  ) {}
  wantsEpoch(): boolean {
    return false;
  }
  start(project: LoadedProject): void {
    this.epochs = project.trainer.epochs;
  }
  epoch(): void {}
  progress(): void {}
  problem(problem: HealthProblem): void {
    printProblem(this.io, this.given, problem);
  }
  cleared(): void {}
  finish(summary: TrainSummary): void {
    this.io.stdout.write(summaryText(summary, this.epochs));
    reportDivergence(this.io, this.given, summary);
  }
}

/** One plain line per epoch, or per k epochs so that at most ~100 lines are printed. */
class LineReporter implements Reporter {
  private every = 1;
  private epochs = 0;
  private width = 1;
  constructor(
    private readonly io: CliIO,
    private readonly given: string,
  ) {}
  wantsEpoch(epochsDone: number): boolean {
    return epochsDone % this.every === 0 || epochsDone === this.epochs;
  }
  start(project: LoadedProject): void {
    this.epochs = project.trainer.epochs;
    this.every = Math.ceil(this.epochs / MAX_LINES);
    this.width = String(this.epochs).length;
    this.io.stdout.write(startLine(project, this.given));
  }
  epoch(metrics: EpochMetrics, progress: TrainProgress): void {
    const n = String(metrics.epoch + 1).padStart(this.width);
    this.io.stdout.write(
      `epoch ${n}/${this.epochs}  ${metricsText(metrics.train, metrics.validation)}  ${formatCount(progress.samplesPerSecond)} samples/s\n`,
    );
  }
  progress(): void {}
  problem(problem: HealthProblem): void {
    printProblem(this.io, this.given, problem);
  }
  cleared(): void {}
  finish(summary: TrainSummary): void {
    this.io.stdout.write(summaryText(summary, this.epochs));
    reportDivergence(this.io, this.given, summary);
  }
}

/** A live line redrawn in place (carriage return), at most 10 times a second. */
class BarReporter implements Reporter {
  private epochs = 0;
  private lastDraw = -Infinity;
  private lastEvaluation = -Infinity;
  private drawn = false;
  constructor(
    private readonly io: CliIO,
    private readonly given: string,
  ) {}
  wantsEpoch(epochsDone: number, progress: TrainProgress): boolean {
    // Evaluating costs a forward pass over the training and validation parts: a few times a
    // second at most, and rarer when it is slow, so it takes no more than ~20% of the time.
    const now = this.io.now();
    const interval = Math.max(250, 4000 * progress.evaluationSeconds);
    if (epochsDone === this.epochs || now - this.lastEvaluation >= interval) {
      this.lastEvaluation = now;
      return true;
    }
    return false;
  }
  start(project: LoadedProject): void {
    this.epochs = project.trainer.epochs;
    this.io.stdout.write(startLine(project, this.given));
  }
  epoch(_metrics: EpochMetrics, progress: TrainProgress): void {
    this.draw(progress, false);
  }
  progress(progress: TrainProgress): void {
    this.draw(progress, false);
  }
  problem(problem: HealthProblem): void {
    // the warning gets a line of its own above the bar, which is redrawn at the next progress
    if (this.drawn) this.io.stdout.write(CLEAR_LINE);
    this.drawn = false;
    this.lastDraw = -Infinity;
    printProblem(this.io, this.given, problem);
  }
  cleared(): void {}
  finish(summary: TrainSummary): void {
    if (this.drawn) this.io.stdout.write(CLEAR_LINE);
    this.io.stdout.write(summaryText(summary, this.epochs));
    reportDivergence(this.io, this.given, summary);
  }
  private draw(p: TrainProgress, force: boolean): void {
    const now = this.io.now();
    if (!force && now - this.lastDraw < BAR_INTERVAL_MS) return;
    this.lastDraw = now;
    const fraction = p.totalSteps > 0 ? p.stepsDone / p.totalSteps : 1;
    const epochText = `epoch ${Math.min(p.epochsDone + 1, p.epochs)}/${p.epochs}`;
    const accuracy = p.latest?.train.accuracy;
    const validation = p.latest?.validation;
    const remaining = p.stepsDone > 0 ? (p.seconds / p.stepsDone) * (p.totalSteps - p.stepsDone) : NaN;
    const line = (barWidth: number, drop: Set<string>): string => {
      const parts = [`${epochText} ${bar(fraction, barWidth)} ${Math.floor(fraction * 100)}%`];
      if (p.runningLoss !== null) parts.push(`loss ${formatLoss(p.runningLoss)}`);
      if (accuracy !== undefined && !drop.has('acc')) parts.push(`acc ${formatPercent(accuracy)}`);
      if (validation && !drop.has('val')) {
        parts.push(`val ${formatLoss(validation.loss)}${validation.accuracy !== undefined ? ' ' + formatPercent(validation.accuracy) : ''}`);
      }
      if (!drop.has('speed')) parts.push(`${formatCount(p.samplesPerSecond)} samples/s`);
      parts.push(`ETA ${formatDuration(remaining)}`);
      return parts.join('  ');
    };
    // Narrow terminals: drop the least needed parts first, so the line never wraps.
    const columns = (this.io.stdout.columns ?? 100) - 1;
    const attempts: [number, string[]][] = [
      [20, []],
      [20, ['val']],
      [10, ['val']],
      [10, ['val', 'speed']],
      [10, ['val', 'speed', 'acc']],
    ];
    let text = '';
    for (const [width, drop] of attempts) {
      text = line(width, new Set(drop));
      if ([...text].length <= columns) break;
    }
    if ([...text].length > columns) text = [...text].slice(0, Math.max(0, columns)).join('');
    this.io.stdout.write(CLEAR_LINE + text);
    this.drawn = true;
  }
}

/** NDJSON: {"event":"start"}, one {"event":"epoch"} per epoch, {"event":"done"}. Numbers, never strings. */
class JsonReporter implements Reporter {
  constructor(
    private readonly io: CliIO,
    private readonly given: string,
  ) {}
  wantsEpoch(): boolean {
    return true;
  }
  start(project: LoadedProject): void {
    const { spec, trainer, prepared } = project;
    this.emit({
      event: 'start',
      spec: this.given,
      name: networkName(spec, this.given),
      architecture: architecture(spec),
      inputSize: spec.input.size,
      layers: spec.layers.map((layer) => ({ units: layer.units, activation: layer.activation, bias: layer.bias })),
      loss: spec.loss,
      task: trainer.task,
      data: project.dataset.name,
      trainCount: prepared.train.count,
      validationCount: prepared.validation?.count ?? 0,
      batchSize: trainer.batchSize,
      stepsPerEpoch: trainer.stepsPerEpoch,
      epochs: trainer.epochs,
      rate: spec.optimizer.rate,
      seed: spec.seed,
    });
  }
  epoch(metrics: EpochMetrics, progress: TrainProgress): void {
    this.emit({
      event: 'epoch',
      epoch: metrics.epoch + 1,
      step: progress.step,
      loss: metrics.train.loss,
      accuracy: metrics.train.accuracy ?? null,
      validationLoss: metrics.validation?.loss ?? null,
      validationAccuracy: metrics.validation?.accuracy ?? null,
      seconds: progress.seconds,
      samplesPerSecond: progress.samplesPerSecond,
    });
  }
  progress(): void {}
  problem(problem: HealthProblem): void {
    this.emit({ event: 'problem', ...problemJson(problem), ...(problem.hint ? { hint: problem.hint } : {}), fixes: problem.fixes?.map((f) => f.title) ?? [] });
  }
  cleared(problem: HealthProblem): void {
    this.emit({ event: 'problemCleared', ...problemJson(problem) });
  }
  finish(summary: TrainSummary): void {
    this.emit({
      event: 'done',
      status: summary.status,
      epochs: summary.epochsDone,
      steps: summary.steps,
      loss: finiteOrNull(summary.train.loss),
      accuracy: summary.train.accuracy ?? null,
      validationLoss: summary.validation ? finiteOrNull(summary.validation.loss) : null,
      validationAccuracy: summary.validation?.accuracy ?? null,
      seconds: summary.seconds,
      samplesPerSecond: summary.samplesPerSecond,
      kernels: summary.compute.kernels,
      threads: summary.compute.threads,
      saved: summary.saved ?? null,
      ...(summary.saveFailed ? { saveError: summary.saveFailed.reason, keptAt: summary.saveFailed.keptAt ?? null } : {}),
      ...(summary.message ? { message: summary.message } : {}),
      ...(summary.stopReason ? { stopReason: summary.stopReason } : {}),
    });
    reportDivergence(this.io, this.given, summary);
  }
  private emit(event: Record<string, unknown>): void {
    this.io.stdout.write(JSON.stringify(event) + '\n');
  }
}

/** `SPEC:LINE:COL: warning: message (hint)` on stderr, as `nnspec check` prints diagnostics. */
function printProblem(io: CliIO, given: string, problem: HealthProblem): void {
  io.stderr.write(formatDiagnostic(given, problem) + '\n');
}

/** code, line and column (1-based, as `check` prints them), layer (l from 1, or null), message. */
function problemJson(problem: HealthProblem): { code: string; line: number; column: number; layer: number | null; message: string } {
  return { code: problem.code, line: problem.range.start.line + 1, column: problem.range.start.character + 1, layer: problem.layer, message: problem.message };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
