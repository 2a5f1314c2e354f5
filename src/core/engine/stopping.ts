/**
 * Early stopping: the `stop` line, with Keras' EarlyStopping rule. After every epoch e (from 0)
 * the monitored value x (that epoch's evaluation after its last step) is compared with the best:
 *
 *   improvement   x < best − min_delta   (losses; accuracies: x > best + min_delta)
 *   on epoch end  wait ← wait + 1;  on an improvement: best ← x, best epoch ← e, wait ← 0;
 *                 otherwise, when wait ≥ patience and e > 0: stop
 *                 (best starts at +∞ for losses, −∞ for accuracies; wait at 0)
 *   goal G        stop once x ≤ G (losses) or x ≥ G (accuracies)
 *
 * `restore=best` (Keras' restore_best_weights): when patience stops the run, the weights go back
 * to the best epoch's. This module holds the rule; the trainer keeps the weights.
 */
import type { Monitor, StopSpec } from '../spec';
import type { EpochMetrics } from './types';

/** Why a run ended before its last epoch. Epochs are from 0, as in EpochMetrics. */
export interface StopReason {
  rule: 'patience' | 'goal';
  /** The epoch after which it stopped. */
  epoch: number;
  monitor: Monitor;
  /** The monitored value after that epoch. */
  value: number;
  /** The best value and its epoch (patience). */
  best?: number;
  bestEpoch?: number;
  /** Set when restore=best put back the weights of this epoch. */
  restoredEpoch?: number;
  /** One sentence for the CLI, the panel and the log. */
  message: string;
}

export function isLossMonitor(monitor: Monitor): boolean {
  return monitor === 'loss' || monitor === 'validation_loss';
}

/** The monitored value of an epoch's metrics, or undefined when the run has no such number. */
export function monitoredValue(monitor: Monitor, metrics: Pick<EpochMetrics, 'train' | 'validation'>): number | undefined {
  switch (monitor) {
    case 'loss':
      return metrics.train.loss;
    case 'accuracy':
      return metrics.train.accuracy;
    case 'validation_loss':
      return metrics.validation?.loss;
    case 'validation_accuracy':
      return metrics.validation?.accuracy;
  }
}

/** EarlyStopping's counters: best (±∞ before the first epoch), its epoch (−1 before), wait. */
export interface StoppingState {
  best: number;
  bestEpoch: number;
  wait: number;
}

export type StopVerdict = 'improved' | 'continue' | 'stop';

export class EarlyStopping {
  private best: number;
  private bestEpoch = -1;
  private wait = 0;
  private readonly minimise: boolean;

  constructor(readonly spec: StopSpec) {
    this.minimise = isLossMonitor(spec.monitor);
    this.best = this.minimise ? Infinity : -Infinity;
  }

  get bestValue(): number {
    return this.best;
  }

  /** The best epoch so far (from 0), −1 before the first. */
  get bestEpochSoFar(): number {
    return this.bestEpoch;
  }

  /**
   * Epoch `epoch` (from 0) ended with the monitored value `value`. Returns 'improved' (a new best:
   * keep the weights when restoring), 'continue', or 'stop' (then `reason` says why).
   */
  observe(epoch: number, value: number): StopVerdict {
    const { patience, goal, minDelta } = this.spec;
    const reached = goal !== undefined && (this.minimise ? value <= goal : value >= goal);
    this.wait++;
    // Keras: monitor_op(current − min_delta·(−1 if min), best)
    const improved = this.minimise ? value + minDelta < this.best : value - minDelta > this.best;
    if (improved) {
      this.best = value;
      this.bestEpoch = epoch;
      this.wait = 0;
    }
    if (reached) {
      this.lastReason = {
        rule: 'goal',
        epoch,
        monitor: this.spec.monitor,
        value,
        message: `stopped after epoch ${epoch + 1}: ${this.spec.monitor} ${format(value)} reached the goal ${format(goal)}`,
      };
      return 'stop';
    }
    if (improved) return 'improved';
    if (patience !== undefined && this.wait >= patience && epoch > 0) {
      const restore = this.spec.restore === 'best' && this.bestEpoch >= 0;
      this.lastReason = {
        rule: 'patience',
        epoch,
        monitor: this.spec.monitor,
        value,
        best: this.best,
        bestEpoch: this.bestEpoch,
        ...(restore ? { restoredEpoch: this.bestEpoch } : {}),
        message:
          `stopped early after epoch ${epoch + 1}: ${this.spec.monitor} has not improved by more than ${format(minDelta)} ` +
          `for ${this.wait} epoch${this.wait === 1 ? '' : 's'} (best ${format(this.best)} after epoch ${this.bestEpoch + 1}` +
          (restore ? ', whose weights were restored)' : ')'),
      };
      return 'stop';
    }
    return 'continue';
  }

  /** The rule's counters (a session checkpoint): the best value, its epoch and the epochs waited since. */
  get state(): StoppingState {
    return { best: this.best, bestEpoch: this.bestEpoch, wait: this.wait };
  }

  /** Carries on from counters `state` gave (after a reload: patience counts on as if none happened). */
  restore(state: StoppingState): void {
    this.best = state.best;
    this.bestEpoch = state.bestEpoch;
    this.wait = state.wait;
  }

  /** Why the last 'stop' stopped. */
  lastReason: StopReason | null = null;

  /** Back to the start (a reset run). */
  reset(): void {
    this.best = this.minimise ? Infinity : -Infinity;
    this.bestEpoch = -1;
    this.wait = 0;
    this.lastReason = null;
  }
}

function format(value: number | undefined): string {
  return value === undefined ? '?' : String(Number(value.toPrecision(4)));
}
