/**
 * Writes and reads the checkpoints of checkpoint.ts in the extension's workspace storage
 * (context.storageUri; the global storage without a workspace): one file per spec, written
 * atomically (a temporary file renamed over the old one), throttled while a session runs.
 */
import * as vscode from 'vscode';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  checkpointDue,
  checkpointFileName,
  checkpointUsable,
  parseCheckpoint,
  serializeCheckpoint,
  type Checkpoint,
} from './checkpoint';
import { thinEpochs } from '../core/lossHistory';
import type { Restore, SessionManager, TrainingSession } from './sessions';

/**
 * A checkpoint keeps at most this many step losses (a long run's 2^20 thinned by min/max pairs):
 * serializing the host's whole history took the extension host ~0.7 s every 5 s.
 */
export const CHECKPOINT_MAX_LOSSES = 1 << 16;
/** And at most this many epochs' metrics (older ones thinned out, the latest kept). */
export const CHECKPOINT_MAX_EPOCHS = 1 << 12;
/** A due checkpoint waits this long (ms) first, so the pause or the end it follows is on screen before the host serializes. */
export const CHECKPOINT_SETTLE_MS = 300;

export class CheckpointStore {
  private readonly last = new Map<string, { at: number; step: number }>();
  private readonly writing = new Set<string>();

  constructor(private readonly dir: string) {}

  static register(context: vscode.ExtensionContext, sessions: SessionManager): CheckpointStore {
    const dir = (context.storageUri ?? context.globalStorageUri).fsPath;
    const store = new CheckpointStore(dir);
    context.subscriptions.push(sessions.onDidChange((session) => void store.maybeSave(session)));
    return store;
  }

  private file(specUri: vscode.Uri): string {
    return path.join(this.dir, checkpointFileName(specUri.toString()));
  }

  /** Saves the session's checkpoint when one is due (see checkpointDue); never throws. */
  async maybeSave(session: TrainingSession): Promise<void> {
    const key = session.specUri.toString();
    const state = session.state;
    // A stopped session has no worker to ask for weights: its last checkpoint stands.
    if (!session.loaded || this.writing.has(key)) return;
    if (!checkpointDue(state.status, state.step, Date.now(), this.last.get(key))) return;
    this.writing.add(key);
    try {
      await new Promise((resolve) => setTimeout(resolve, CHECKPOINT_SETTLE_MS));
      if (!session.loaded) return;
      const step = state.step;
      // Weights and training state together, between two steps: the step they are at is the worker's.
      const { weights, training } = await session.request({ kind: 'checkpoint' });
      const losses = state.stepLosses.thinned(CHECKPOINT_MAX_LOSSES);
      const epochs = thinEpochs([...state.epochs], CHECKPOINT_MAX_EPOCHS);
      const checkpoint: Checkpoint = {
        format: CHECKPOINT_FORMAT,
        version: CHECKPOINT_VERSION,
        specUri: key,
        specText: session.runningText,
        savedAt: Date.now(),
        resume: { step: training.step, epoch: training.epoch, stepInEpoch: training.stepInEpoch },
        weights,
        training,
        history: { stepLosses: Array.from(losses.values), stepStride: losses.stride, epochs, marks: [...state.marks] },
      };
      await mkdir(this.dir, { recursive: true });
      const file = this.file(session.specUri);
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, serializeCheckpoint(checkpoint));
      await rename(temp, file);
      this.last.set(key, { at: Date.now(), step });
    } catch {
      // The session ended while we asked (or the disk refused): the next change tries again.
    } finally {
      this.writing.delete(key);
    }
    // The session may have settled (paused, done) while we wrote a running checkpoint: catch up.
    if (checkpointDue(state.status, state.step, Date.now(), this.last.get(key))) void this.maybeSave(session);
  }

  /**
   * The checkpoint that brings back the session of `specUri` whose file now says `specText`,
   * or the reason there is none.
   */
  async restorable(specUri: vscode.Uri, specText: string): Promise<{ ok: true; weights: Checkpoint['weights']; restore: Restore } | { ok: false; reason: string }> {
    let text: string;
    try {
      text = await readFile(this.file(specUri), 'utf8');
    } catch {
      return { ok: false, reason: 'no checkpoint' };
    }
    const parsed = parseCheckpoint(text);
    if (!parsed.ok) return parsed;
    const usable = checkpointUsable(parsed.checkpoint, specUri.toString(), specText);
    if (!usable.ok) return usable;
    const { checkpoint } = parsed;
    this.last.set(specUri.toString(), { at: Date.now(), step: checkpoint.resume.step });
    return { ok: true, weights: checkpoint.weights, restore: { resume: checkpoint.resume, history: checkpoint.history, ...(checkpoint.training ? { training: checkpoint.training } : {}) } };
  }
}
