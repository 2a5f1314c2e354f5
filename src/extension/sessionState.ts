/**
 * What the extension host knows about one training session, built from the worker's messages.
 * Pure (no `vscode`, no worker): TrainingSession (sessions.ts) feeds it every FromWorker
 * message and reads it for the panel, the status bar, the code lens and the hovers.
 */
import type { EpochMetrics, Evaluation } from '../core/engine/types';
import type { Diagnostic } from '../core/spec';
import type { FromWorker, LayerSnapshot, SessionInfo, SessionStatus, Snapshot, TraceSnapshot } from '../protocol';

/** The batch losses of every step so far, in a growable Float32Array (index i = step i + 1). */
export class LossHistory {
  private values = new Float32Array(1024);
  length = 0;

  push(losses: Float32Array): void {
    if (this.length + losses.length > this.values.length) {
      const grown = new Float32Array(Math.max(this.values.length * 2, this.length + losses.length));
      grown.set(this.values.subarray(0, this.length));
      this.values = grown;
    }
    this.values.set(losses, this.length);
    this.length += losses.length;
  }

  /** A copy of the losses so far (safe to post or transfer). */
  toArray(): Float32Array {
    return this.values.slice(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }
}

export class SessionState {
  status: SessionStatus = 'loading';
  info: SessionInfo | undefined;
  /** The latest snapshot as received (its layers may be absent). */
  latest: Snapshot | undefined;
  /** The latest layer arrays and trace any snapshot carried, with the step they belong to. */
  layers: LayerSnapshot[] | undefined;
  trace: TraceSnapshot | undefined;
  layersStep = -1;
  readonly stepLosses = new LossHistory();
  epochs: EpochMetrics[] = [];
  /** Diagnostics of the last load (data checks included). */
  diagnostics: Diagnostic[] = [];
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
        this.stepLosses.push(snapshot.newStepLosses);
        // Epochs also arrive one by one as 'epoch' messages; keep each once.
        for (const metrics of snapshot.newEpochs) this.addEpoch(metrics);
        if (snapshot.layers) {
          this.layers = snapshot.layers;
          this.trace = snapshot.trace;
          this.layersStep = snapshot.step;
        }
        if (snapshot.status !== 'diverged' && snapshot.status !== 'error') this.message = undefined;
        return true;
      }
      case 'epoch':
        this.addEpoch(message.metrics);
        return false;
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
        return false;
    }
  }

  /** The worker crashed or could not start. */
  crashed(message: string): void {
    this.status = 'error';
    this.message = message;
  }

  get step(): number {
    return this.latest?.step ?? 0;
  }

  /** The latest layer arrays, if they belong to the current step. */
  get currentLayers(): LayerSnapshot[] | undefined {
    return this.layers && this.layersStep === this.step ? this.layers : undefined;
  }

  private addEpoch(metrics: EpochMetrics): void {
    const last = this.epochs[this.epochs.length - 1];
    if (last && last.epoch >= metrics.epoch) return;
    this.epochs.push(metrics);
  }

  private clearProgress(): void {
    this.latest = undefined;
    this.layers = undefined;
    this.trace = undefined;
    this.layersStep = -1;
    this.stepLosses.clear();
    this.epochs = [];
    this.final = undefined;
  }
}

/**
 * The epoch to show people, from 1: the one in progress, or, between epochs (no step taken in
 * the current one yet), the one just finished — after the first Step Epoch it says 1, not 2.
 */
export function displayEpoch(epoch: number, stepInEpoch: number, epochs: number): number {
  const shown = stepInEpoch === 0 && epoch > 0 ? epoch : epoch + 1;
  return Math.min(shown, Math.max(epochs, 1));
}

/** "12.3k" — short numbers for the status bar. */
export function shortNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e6) return (value / 1e6).toFixed(1) + 'M';
  if (abs >= 1e4) return (value / 1e3).toFixed(1) + 'k';
  if (abs >= 1e3) return (value / 1e3).toFixed(2) + 'k';
  return value.toFixed(0);
}

/** A loss for display: 4 significant digits, exponent form when small. */
export function formatLoss(loss: number | null | undefined): string {
  if (loss === null || loss === undefined) return '–';
  if (!Number.isFinite(loss)) return String(loss);
  if (loss !== 0 && Math.abs(loss) < 1e-3) return loss.toExponential(2);
  return loss.toPrecision(4);
}

/**
 * Status bar text of a session: `$(sync~spin) NNSpec epoch 3/30 · loss 0.1230 · 12.3k samples/s`
 * (epochs as displayEpoch shows them).
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
  const epochs = state.info?.epochs ?? 0;
  parts[0] += ` epoch ${displayEpoch(state.latest?.epoch ?? 0, state.latest?.stepInEpoch ?? 0, epochs)}/${epochs}`;
  parts.push(`loss ${formatLoss(state.latest?.loss)}`);
  if (state.status === 'running' && state.latest) parts.push(`${shortNumber(state.latest.samplesPerSecond)} samples/s`);
  if (state.status === 'diverged') parts.push('diverged');
  if (stale) parts.push('stale');
  return parts.join(' · ');
}
