/**
 * Surviving a window reload (src/extension/checkpoint.ts, the worker's `resume`, the host's
 * SessionState.restore): a checkpoint written from a session and read back brings the weights,
 * the step and epoch counters and the loss chart's history back, paused; a changed spec or a
 * damaged file is refused with a reason.
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { loadProject } from '../../src/core/project';
import type { EpochMetrics } from '../../src/core/engine/types';
import type { FromWorker, SessionInfo, Snapshot } from '../../src/protocol';
import { SessionRunner } from '../../src/worker/runner';
import { SessionState } from '../../src/extension/sessionState';
import { LossHistory } from '../../src/core/lossHistory';
import {
  CHECKPOINT_INTERVAL_MS,
  checkpointDue,
  checkpointFileName,
  checkpointUsable,
  parseCheckpoint,
  serializeCheckpoint,
  type Checkpoint,
} from '../../src/extension/checkpoint';

const root = path.resolve(__dirname, '../..');
const assetsDir = path.join(root, 'media');
const specPath = path.join(root, 'examples', 'test-xor.nnspec');
const specUri = 'file:///work/examples/test-xor.nnspec';
const xor = `input 2
dense 4 tanh
dense 1 sigmoid
loss mse
optimizer sgd rate=0.5
batch 1
epochs 50
seed 1
data xor
`;

function load(text = xor) {
  const project = loadProject(text, specPath, { assetsDir });
  if (!project.ok) throw new Error(project.message);
  return project.trainer;
}

/** What the host would save after `epochs` epochs of xor (4 steps each). */
function checkpointAfter(epochs: number): { checkpoint: Checkpoint; losses: number[]; metrics: EpochMetrics[]; trainer: ReturnType<typeof load> } {
  const trainer = load();
  const losses: number[] = [];
  const metrics: EpochMetrics[] = [];
  for (let e = 0; e < epochs; e++) {
    for (let s = 0; s < trainer.stepsPerEpoch; s++) losses.push(trainer.stepOnce().loss);
    metrics.push({ epoch: e, train: trainer.evaluate('train')! });
  }
  const checkpoint: Checkpoint = {
    format: 'nnspec-checkpoint',
    version: 1,
    specUri,
    specText: xor,
    savedAt: 1,
    resume: { step: trainer.step, epoch: trainer.epoch, stepInEpoch: trainer.stepInEpoch },
    weights: trainer.getWeights(),
    history: { stepLosses: losses, stepStride: 1, epochs: metrics, marks: [{ step: 5, name: 'rate', from: 0.5, to: 0.25, text: 'η 0.5 → 0.25 at step 5' }] },
  };
  return { checkpoint, losses, metrics, trainer };
}

describe('checkpoint files', () => {
  it('read back what was written, NaN losses of a diverged step included', () => {
    const { checkpoint } = checkpointAfter(3);
    checkpoint.history.stepLosses[2] = NaN;
    const parsed = parseCheckpoint(serializeCheckpoint(checkpoint));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.checkpoint.resume).toEqual({ step: 12, epoch: 3, stepInEpoch: 0 });
    expect(parsed.checkpoint.weights).toEqual(checkpoint.weights);
    expect(parsed.checkpoint.history.stepLosses).toHaveLength(12);
    expect(parsed.checkpoint.history.stepLosses[2]).toBeNaN();
    expect(parsed.checkpoint.history.stepLosses[3]).toBe(checkpoint.history.stepLosses[3]);
    expect(parsed.checkpoint.history.epochs).toEqual(checkpoint.history.epochs);
  });

  it('refuse damaged or foreign files with a reason', () => {
    const good = JSON.parse(serializeCheckpoint(checkpointAfter(1).checkpoint));
    const reason = (text: string): string => {
      const r = parseCheckpoint(text);
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason('{"format": "nnspec-checkpoint", "version"')).toMatch(/not JSON/);
    expect(reason('[1, 2]')).toMatch(/not an NNSpec checkpoint/);
    expect(reason(JSON.stringify({ ...good, version: 2 }))).toMatch(/version 2 is not supported/);
    expect(reason(JSON.stringify({ ...good, weights: undefined }))).toMatch(/lacks its weights/);
    expect(reason(JSON.stringify({ ...good, resume: { step: -1, epoch: 0, stepInEpoch: 0 } }))).toMatch(/step and epoch/);
    expect(reason(JSON.stringify({ ...good, history: { ...good.history, stepStride: 0 } }))).toMatch(/history/);
    expect(reason(JSON.stringify(good))).toBe('ok');
  });

  it('are used only for the same spec whose text has not changed since', () => {
    const { checkpoint } = checkpointAfter(1);
    expect(checkpointUsable(checkpoint, specUri, xor)).toEqual({ ok: true });
    expect(checkpointUsable(checkpoint, specUri, xor.replace('rate=0.5', 'rate=0.1'))).toEqual({ ok: false, reason: 'the spec changed since the checkpoint' });
    expect(checkpointUsable(checkpoint, 'file:///other.nnspec', xor).ok).toBe(false);
    expect(checkpointUsable({ ...checkpoint, resume: { step: 0, epoch: 0, stepInEpoch: 0 } }, specUri, xor).ok).toBe(false);
  });

  it('are one file per spec, named by a hash of its URI', () => {
    const a = checkpointFileName(specUri);
    expect(a).toMatch(/^checkpoint-[0-9a-f]{32}\.json$/);
    expect(checkpointFileName(specUri)).toBe(a);
    expect(checkpointFileName('file:///work/examples/spiral.nnspec')).not.toBe(a);
  });

  it('are written at most every few seconds while running, at once when the session settles', () => {
    const last = { at: 10_000, step: 500 };
    expect(checkpointDue('running', 0, 0, undefined)).toBe(false); // nothing learnt yet
    expect(checkpointDue('running', 10, 0, undefined)).toBe(true);
    expect(checkpointDue('running', 900, 10_000 + CHECKPOINT_INTERVAL_MS - 1, last)).toBe(false);
    expect(checkpointDue('running', 900, 10_000 + CHECKPOINT_INTERVAL_MS, last)).toBe(true);
    expect(checkpointDue('paused', 900, 10_001, last)).toBe(true);
    expect(checkpointDue('done', 900, 10_001, last)).toBe(true);
    expect(checkpointDue('paused', 500, 99_999, last)).toBe(false); // already saved this step
    expect(checkpointDue('diverged', 900, 99_999, last)).toBe(false); // NaN weights are not worth keeping
    expect(checkpointDue('error', 900, 99_999, last)).toBe(false);
  });
});

describe('resuming from a checkpoint', () => {
  it('brings the weights, counters and chart back paused, and training carries on counting from there', () => {
    const { checkpoint, losses, trainer: before } = checkpointAfter(3);
    const parsed = parseCheckpoint(serializeCheckpoint(checkpoint));
    if (!parsed.ok) throw new Error(parsed.reason);
    const saved = parsed.checkpoint;

    // The worker's side of a 'load' with weights and resume.
    const trainer = load(saved.specText);
    trainer.setWeights(saved.weights);
    trainer.resumeAt(saved.resume.step, saved.resume.epoch);
    const posted: FromWorker[] = [];
    const runner = new SessionRunner(trainer, { specPath, epochs: trainer.epochs, stepsPerEpoch: trainer.stepsPerEpoch } as SessionInfo, { updateHz: 20, maxParameters: 1e9, includeLayers: true }, (m) => posted.push(m));
    expect(runner.currentStatus).toBe('paused');
    runner.announce();
    const snapshot = posted.find((m): m is Extract<FromWorker, { type: 'snapshot' }> => m.type === 'snapshot')?.snapshot as Snapshot;
    expect(snapshot).toMatchObject({ status: 'paused', step: 12, epoch: 3 });
    // The readouts show the restored weights' loss (no batch loss is known yet).
    expect(snapshot.loadedEvaluation?.train.loss).toBeCloseTo(before.evaluate('train')!.loss, 6);
    // The same network: the same outputs as before the reload.
    for (const point of [[0, 0], [0, 1], [1, 0], [1, 1]]) expect(Array.from(trainer.predict(point))).toEqual(Array.from(before.predict(point)));

    // The host's side: 'loaded' cleared the state, the checkpoint's history goes back in.
    const state = new SessionState();
    state.restore(saved.history, saved.resume.step);
    state.apply({ type: 'snapshot', snapshot });
    expect(state.status).toBe('paused');
    expect(Array.from(state.stepLosses.toArray())).toEqual(Array.from(Float32Array.from(losses)));
    expect(state.epochs.map((m) => m.epoch)).toEqual([0, 1, 2]);
    // The live-edit marks come back for the chart (the panel's init carries state.marks).
    expect(state.marks.map((m) => m.text)).toEqual(['η 0.5 → 0.25 at step 5']);

    // Train: steps 13… join the restored history; epoch 4 completes after 4 more steps.
    const next: number[] = [];
    for (let s = 0; s < 4; s++) next.push(trainer.stepOnce().loss);
    expect(trainer.step).toBe(16);
    expect(trainer.epoch).toBe(4);
    state.stepLosses.pushSteps(next, 16);
    expect(state.stepLosses.steps).toBe(16);
    expect(state.stepLosses.toArray()).toHaveLength(16);
  });

  it('a thinned history keeps its stride and goes on at the right step', () => {
    const history = new LossHistory(8);
    for (let i = 1; i <= 20; i++) history.pushOne(i);
    const restored = LossHistory.restore(history.toArray(), history.stride, 20, 8);
    expect(restored.stride).toBe(history.stride);
    expect(Array.from(restored.toArray())).toEqual(Array.from(history.toArray()));
    restored.pushSteps([100], 21);
    expect(restored.steps).toBe(21);
  });
});
