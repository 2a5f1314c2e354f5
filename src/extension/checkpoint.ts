/**
 * Checkpoints that let a training session survive a window reload: the spec text it ran, its
 * latest weights, where it was (step, epoch) and its history (step losses, epoch metrics, live-edit
 * marks). Pure (no `vscode`, no file system): checkpointStore.ts writes and reads the files.
 */
import { createHash } from 'node:crypto';
import type { EpochMetrics } from '../core/engine/types';
import type { WeightsFile } from '../core/weights';
import type { HyperMark } from '../protocol';
import { decodeTrainingState, type TrainingState } from '../core/engine/trainingState';

export const CHECKPOINT_FORMAT = 'nnspec-checkpoint';
export const CHECKPOINT_VERSION = 1;
/** While a session runs, at most one checkpoint this often (pause, done and stop write at once). */
export const CHECKPOINT_INTERVAL_MS = 5000;

/** Where a session was, as restored into the worker (counters) and the host (history). */
export interface ResumePoint {
  /** Steps taken (counted from 1) and epochs completed, as the trainer counts them. */
  step: number;
  epoch: number;
  stepInEpoch: number;
}

export interface CheckpointHistory {
  /** LossHistory.toArray(): value i covers steps i·stepStride + 1 … (i + 1)·stepStride. */
  stepLosses: number[];
  stepStride: number;
  epochs: EpochMetrics[];
  marks: HyperMark[];
}

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  specUri: string;
  /** The spec text the session ran (a checkpoint is used only while the file still says this). */
  specText: string;
  savedAt: number;
  resume: ResumePoint;
  weights: WeightsFile;
  /**
   * The trainer's training state (the shuffle, the optimizer's state, the stop rule's counters):
   * with it Train continues exactly as if no reload had happened. Checkpoints written before it
   * existed lack it (their run begins the checkpoint's epoch afresh, with a fresh optimizer state).
   */
  training?: TrainingState;
  history: CheckpointHistory;
}

/** The checkpoint's file name for a spec: a hash of its URI (one file per spec). */
export function checkpointFileName(specUri: string): string {
  return `checkpoint-${createHash('sha256').update(specUri).digest('hex').slice(0, 32)}.json`;
}

/** NaN and ±Infinity (a diverged step's loss) survive JSON as strings. */
function encodeNumber(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

export function serializeCheckpoint(checkpoint: Checkpoint): string {
  return JSON.stringify(checkpoint, encodeNumber);
}

/** The step losses back as numbers ("NaN", "Infinity" → NaN, Infinity). */
function decodeLosses(values: unknown[]): number[] {
  return values.map((v) => (typeof v === 'number' ? v : Number(v)));
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Reads a checkpoint file's text; a reason (for the log) when it is not a checkpoint this version can use. */
export function parseCheckpoint(text: string): { ok: true; checkpoint: Checkpoint } | { ok: false; reason: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `the checkpoint is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof data !== 'object' || data === null) return { ok: false, reason: 'the checkpoint is not an object' };
  const c = data as Partial<Checkpoint>;
  if (c.format !== CHECKPOINT_FORMAT) return { ok: false, reason: `not an NNSpec checkpoint (format ${JSON.stringify(c.format)})` };
  if (c.version !== CHECKPOINT_VERSION) return { ok: false, reason: `checkpoint version ${String(c.version)} is not supported (expected ${CHECKPOINT_VERSION})` };
  if (typeof c.specUri !== 'string' || typeof c.specText !== 'string') return { ok: false, reason: 'the checkpoint lacks its spec' };
  const r = c.resume;
  if (!r || !isCount(r.step) || !isCount(r.epoch) || !isCount(r.stepInEpoch)) return { ok: false, reason: 'the checkpoint lacks its step and epoch' };
  const w = c.weights;
  if (!w || w.format !== 'nnspec-weights' || !Array.isArray(w.layers)) return { ok: false, reason: 'the checkpoint lacks its weights' };
  const h = c.history;
  if (!h || !Array.isArray(h.stepLosses) || !isCount(h.stepStride) || h.stepStride < 1 || !Array.isArray(h.epochs) || !Array.isArray(h.marks)) {
    return { ok: false, reason: 'the checkpoint lacks its history' };
  }
  const checkpoint: Checkpoint = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    specUri: c.specUri,
    specText: c.specText,
    savedAt: typeof c.savedAt === 'number' ? c.savedAt : 0,
    resume: { step: r.step, epoch: r.epoch, stepInEpoch: r.stepInEpoch },
    weights: w,
    history: { stepLosses: decodeLosses(h.stepLosses as unknown[]), stepStride: h.stepStride, epochs: h.epochs, marks: h.marks },
  };
  if (c.training !== undefined) {
    // A damaged training state costs only the exact continuation: the weights and history still come back.
    try {
      checkpoint.training = decodeTrainingState(c.training);
    } catch {
      // (the worker then counts on from `resume` with a fresh optimizer state)
    }
  }
  return { ok: true, checkpoint };
}

/**
 * Whether a checkpoint can bring the session of `specUri` back: the same spec, whose file still
 * says what the session ran, at least one step in. Otherwise the reason (the panel says the
 * session ended with the reload).
 */
export function checkpointUsable(checkpoint: Checkpoint, specUri: string, specText: string): { ok: true } | { ok: false; reason: string } {
  if (checkpoint.specUri !== specUri) return { ok: false, reason: 'the checkpoint belongs to another spec' };
  if (checkpoint.specText !== specText) return { ok: false, reason: 'the spec changed since the checkpoint' };
  if (checkpoint.resume.step === 0) return { ok: false, reason: 'the session had taken no step' };
  return { ok: true };
}

/** Statuses after which a session has nothing new to checkpoint until it runs again. */
const SETTLED = new Set(['paused', 'done', 'stopped', 'ready']);

/**
 * Whether to write a checkpoint now: never before the first step or after an error; while
 * running at most every CHECKPOINT_INTERVAL_MS; once the session settles (pause, done, stop),
 * at once, unless the last checkpoint already holds this step.
 */
export function checkpointDue(status: string, step: number, now: number, last: { at: number; step: number } | undefined): boolean {
  if (step === 0 || status === 'error' || status === 'diverged' || status === 'loading') return false;
  if (last && last.step === step) return false;
  if (SETTLED.has(status)) return true;
  return !last || now - last.at >= CHECKPOINT_INTERVAL_MS;
}
