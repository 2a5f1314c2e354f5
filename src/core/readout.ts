/**
 * The one rule for what a session's readouts show — the panel's header, the status bar, the code
 * lens, the progress notification, the `loss` hover — from the latest snapshot, so they agree at
 * every moment. Pure (no `vscode`, no DOM): the host's SessionState and the panel both call it.
 *
 *   epochs, steps per epoch   the snapshot's (live edits of `epochs` and `batch` change the plan),
 *                             else the session's as loaded
 *   loss                      after Load Weights or a restore after a reload, until the next step:
 *                             the loaded weights' cost on the training part (no batch loss of
 *                             these weights exists yet); otherwise the latest step's batch loss;
 *                             none before the first step
 */
import type { Evaluation } from './engine/types';
import { formatLoss } from './format';

/** What of a snapshot the readouts use (Snapshot in src/protocol.ts has these fields). */
export interface ReadoutSnapshot {
  epoch: number;
  stepInEpoch: number;
  step: number;
  loss: number | null;
  epochs?: number;
  stepsPerEpoch?: number;
  loadedEvaluation?: { train: Evaluation; validation?: Evaluation };
}

export interface Readout {
  /** Epoch from 0 and steps taken in it, steps in all (as the trainer counts them). */
  epoch: number;
  stepInEpoch: number;
  step: number;
  epochs: number;
  stepsPerEpoch: number;
  loss: number | null;
  /** Where `loss` comes from: the last step's batch, the loaded (or restored) weights, or nothing yet. */
  lossOf: 'batch' | 'loaded' | 'none';
}

/** What the unit after a loaded weights' loss says (the panel shows it too). */
export const LOADED_WEIGHTS = 'loaded weights';

export function readout(plan: { epochs: number; stepsPerEpoch: number } | undefined, latest: ReadoutSnapshot | undefined): Readout {
  const loaded = latest?.loadedEvaluation;
  const loss = loaded ? loaded.train.loss : (latest?.loss ?? null);
  return {
    epoch: latest?.epoch ?? 0,
    stepInEpoch: latest?.stepInEpoch ?? 0,
    step: latest?.step ?? 0,
    epochs: latest?.epochs ?? plan?.epochs ?? 0,
    stepsPerEpoch: latest?.stepsPerEpoch ?? plan?.stepsPerEpoch ?? 0,
    loss,
    lossOf: loaded ? 'loaded' : loss === null ? 'none' : 'batch',
  };
}

/** "0.1235", "0.1235 (loaded weights)" or "–": the loss as the status bar, lens and notification write it. */
export function formatReadoutLoss(r: Pick<Readout, 'loss' | 'lossOf'>): string {
  return r.lossOf === 'loaded' ? `${formatLoss(r.loss)} (${LOADED_WEIGHTS})` : formatLoss(r.loss);
}
