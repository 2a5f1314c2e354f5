/**
 * What the extension host knows about one training session, built from the worker's messages.
 * Pure (no `vscode`, no worker): TrainingSession (sessions.ts) feeds it every FromWorker
 * message and reads it for the panel, the status bar, the code lens and the hovers.
 */
import type { EpochMetrics, Evaluation } from '../core/engine/types';
import type { Diagnostic } from '../core/spec';
import type { HealthProblem } from '../core/engine/health';
import { LossHistory, thinEpochs } from '../core/lossHistory';
import { formatCompact, formatEpoch } from '../core/format';
import { formatReadoutLoss, readout, type Readout } from '../core/readout';
import type { FromWorker, HyperMark, LayerSnapshot, SessionInfo, SessionStatus, Snapshot, TraceSnapshot } from '../protocol';
import type { CheckpointHistory } from './checkpoint';
import type { OptimizerStateSummary } from '../core/engine/optimizerState';

/** The most epoch metrics the host keeps (see SessionState.epochs). */
export const MAX_EPOCHS_KEPT = 1 << 14;

export class SessionState {
  status: SessionStatus = 'loading';
  info: SessionInfo | undefined;
  /** The latest snapshot as received (its layers may be absent). */
  latest: Snapshot | undefined;
  /** The latest layer arrays and trace any snapshot carried, with the step they belong to. */
  layers: LayerSnapshot[] | undefined;
  trace: TraceSnapshot | undefined;
  layersStep = -1;
  /** The optimizer's state summary the latest layer snapshot carried (the `optimizer` line's hover). */
  optimizer: OptimizerStateSummary | undefined;
  stepLosses = new LossHistory();
  /**
   * Epoch metrics, each once, in bounded memory: all of them up to MAX_EPOCHS_KEPT; beyond,
   * every other one of the older epochs is dropped whenever the list is full (the latest quarter
   * is always complete: the loss hover shows the last five).
   */
  epochs: EpochMetrics[] = [];
  /** Live edits applied so far (for the chart's marks). */
  marks: HyperMark[] = [];
  /** Diagnostics of the last load (data checks included). */
  diagnostics: Diagnostic[] = [];
  /** The training-health problems that hold now (the worker sends the list when it changes). */
  problems: HealthProblem[] = [];
  /** Why the session failed or diverged. */
  message: string | undefined;
  final: { train?: Evaluation; validation?: Evaluation } | undefined;

  /** Applies one worker message; returns true when something visible changed. */
  apply(message: FromWorker): boolean {
    switch (message.type) {
      case 'loaded':
        this.info = message.info;
        this.diagnostics = message.diagnostics;
        this.status = 'ready';
        this.message = undefined;
        this.clearProgress();
        return true;
      case 'loadFailed':
        this.diagnostics = message.diagnostics;
        this.status = 'error';
        this.message = message.message;
        return true;
      case 'snapshot': {
        const snapshot = message.snapshot;
        if (snapshot.step === 0 && snapshot.status === 'ready') this.clearProgress();
        this.status = snapshot.status;
        this.latest = snapshot;
        this.stepLosses.pushSteps(snapshot.newStepLosses, snapshot.step, snapshot.newStepStride ?? 1);
        for (const metrics of snapshot.newEpochs) this.addEpoch(metrics);
        if (snapshot.newMarks) this.marks.push(...snapshot.newMarks);
        if (snapshot.problems) this.problems = snapshot.problems;
        if (snapshot.layers) {
          this.layers = snapshot.layers;
          this.trace = snapshot.trace;
          this.layersStep = snapshot.step;
          this.optimizer = snapshot.optimizer;
        }
        if (snapshot.status !== 'diverged' && snapshot.status !== 'error') this.message = undefined;
        return true;
      }
      case 'finished':
        this.status = message.status;
        this.message = message.message;
        this.final = { train: message.final, validation: message.validation };
        return true;
      case 'fatal':
        this.status = 'error';
        this.message = message.message;
        return true;
      case 'response':
      case 'responseError':
      case 'notice':
        return false;
    }
  }

  /**
   * After a reload: the history a checkpoint kept (right after 'loaded', which cleared it),
   * paused at the checkpoint's step until the worker's first snapshot says where it is.
   */
  restore(history: CheckpointHistory, step: number): void {
    this.stepLosses = LossHistory.restore(history.stepLosses, history.stepStride, step);
    this.epochs = thinEpochs([...history.epochs], MAX_EPOCHS_KEPT);
    this.marks = [...history.marks];
    this.status = 'paused';
  }

  /** The worker crashed or could not start. */
  crashed(message: string): void {
    this.status = 'error';
    this.message = message;
  }

  get step(): number {
    return this.latest?.step ?? 0;
  }

  /** What every readout shows now (src/core/readout.ts): the status bar, the code lens, the notification, the panel. */
  get readout(): Readout {
    return readout(this.info, this.latest);
  }

  /** The latest layer arrays, if they belong to the current step. */
  get currentLayers(): LayerSnapshot[] | undefined {
    return this.layers && this.layersStep === this.step ? this.layers : undefined;
  }

  private addEpoch(metrics: EpochMetrics): void {
    const last = this.epochs[this.epochs.length - 1];
    if (last && last.epoch >= metrics.epoch) return;
    this.epochs.push(metrics);
    this.epochs = thinEpochs(this.epochs, MAX_EPOCHS_KEPT);
  }

  private clearProgress(): void {
    this.latest = undefined;
    this.layers = undefined;
    this.trace = undefined;
    this.layersStep = -1;
    this.stepLosses.clear();
    this.epochs = [];
    this.marks = [];
    this.problems = [];
    this.final = undefined;
  }
}

/**
 * Status bar text of a session: `$(sync~spin) NNSpec epoch 3/30 · loss 0.1230 · 12.3k samples/s`
 * (epochs counted from 1, as epochNumber in src/core/format.ts).
 */
export function statusBarText(state: Pick<SessionState, 'status' | 'info' | 'latest' | 'message'>, stale = false): string {
  const icon: Record<SessionStatus, string> = {
    loading: '$(loading~spin)',
    ready: '$(circle-outline)',
    running: '$(sync~spin)',
    paused: '$(debug-pause)',
    done: '$(check)',
    diverged: '$(warning)',
    error: '$(error)',
    stopped: '$(debug-stop)',
  };
  const parts = [`${icon[state.status]} NNSpec`];
  if (state.status === 'loading') return `${parts[0]} loading…`;
  if (state.status === 'error') return `${parts[0]} error`;
  const r = readout(state.info, state.latest);
  parts[0] += ` epoch ${formatEpoch(r.epoch, r.stepInEpoch, r.epochs)}`;
  parts.push(`loss ${formatReadoutLoss(r)}`);
  if (state.status === 'running' && state.latest) parts.push(`${formatCompact(state.latest.samplesPerSecond)} samples/s`);
  if (state.status === 'diverged') parts.push('diverged');
  if (stale) parts.push('stale');
  return parts.join(' · ');
}


/** The progress notification of a Train run: how far (0–100 %) and "epoch 3/30 · loss 0.1230". */
export function progressReport(state: Pick<SessionState, 'info' | 'latest'>): { percent: number; message: string } {
  const r = readout(state.info, state.latest);
  const epochs = Math.max(1, r.epochs);
  const done = Math.min(epochs, r.epoch) + r.stepInEpoch / Math.max(1, r.stepsPerEpoch);
  return { percent: Math.min(100, (done / epochs) * 100), message: `epoch ${formatEpoch(r.epoch, r.stepInEpoch, epochs)} · loss ${formatReadoutLoss(r)}` };
}
