/**
 * One session state, every readout (src/core/readout.ts, src/extension/sessionState.ts): the
 * status bar, the code lens and the progress notification show the same epoch and loss as the
 * panel's header at every moment — after Load Weights (the loaded weights' loss, not the last
 * batch's), after a restore from a checkpoint (the restored weights' loss, not "–"), after live
 * edits of `epochs`, and back to the batch loss at the next step.
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { loadProject } from '../../src/core/project';
import { formatLoss } from '../../src/core/format';
import { readout, formatReadoutLoss } from '../../src/core/readout';
import type { FromWorker, SessionInfo, Snapshot } from '../../src/protocol';
import { progressReport, SessionState, statusBarText } from '../../src/extension/sessionState';
import { codeLensItems, type LensSession } from '../../src/extension/features/codeLens';
import { SessionRunner } from '../../src/worker/runner';

const info = { epochs: 30, stepsPerEpoch: 4 } as SessionInfo;
const snapshot = (over: Partial<Snapshot>): Extract<FromWorker, { type: 'snapshot' }> => ({
  type: 'snapshot',
  snapshot: { status: 'paused', epoch: 2, step: 10, stepInEpoch: 2, rate: 0.1, loss: 0.5, newStepLosses: new Float32Array(0), newEpochs: [], samplesPerSecond: 0, ...over },
});

/** What the code lens shows for a state (as languageFeatures.lensSession builds it). */
function lens(state: SessionState): string {
  const r = state.readout;
  const session: LensSession = { status: state.status, epoch: r.epoch, stepInEpoch: r.stepInEpoch, epochs: r.epochs, loss: r.loss, lossOf: r.lossOf, stale: false };
  return codeLensItems(session)[4].title;
}

/** Every host readout's epoch and loss, as text. */
function readouts(state: SessionState): { statusBar: string; lens: string; notification: string } {
  return { statusBar: statusBarText(state), lens: lens(state), notification: progressReport(state).message };
}

function loaded(): SessionState {
  const state = new SessionState();
  state.apply({ type: 'loaded', info, diagnostics: [] });
  return state;
}

describe('every readout from one state', () => {
  it('while training: the last batch loss and the epoch counted from 1, the same everywhere', () => {
    const state = loaded();
    state.apply(snapshot({ loss: 0.5 }));
    expect(readouts(state)).toEqual({
      statusBar: '$(debug-pause) NNSpec epoch 3/30 · loss 0.5',
      lens: 'epoch 3/30 · loss 0.5 · paused',
      notification: 'epoch 3/30 · loss 0.5',
    });
  });

  it('after Load Weights: the loaded weights\' loss (not the last batch\'s) until the next step', () => {
    const state = loaded();
    state.apply(snapshot({ loss: 0.5 }));
    // The worker's snapshot after setWeights: the last batch loss is still 0.5, of other weights.
    state.apply(snapshot({ loss: 0.5, loadedEvaluation: { train: { loss: 0.03125, count: 4, accuracy: 1 } } }));
    expect(state.readout).toMatchObject({ loss: 0.03125, lossOf: 'loaded' });
    expect(readouts(state)).toEqual({
      statusBar: '$(debug-pause) NNSpec epoch 3/30 · loss 0.03125 (loaded weights)',
      lens: 'epoch 3/30 · loss 0.03125 (loaded weights) · paused',
      notification: 'epoch 3/30 · loss 0.03125 (loaded weights)',
    });
    // The next step: its batch loss again.
    state.apply(snapshot({ step: 11, stepInEpoch: 3, loss: 0.25 }));
    expect(readouts(state).statusBar).toBe('$(debug-pause) NNSpec epoch 3/30 · loss 0.25');
    expect(readouts(state).lens).toBe('epoch 3/30 · loss 0.25 · paused');
  });

  it('a live edit of epochs: every readout counts to the new plan (the snapshot\'s), as the panel does', () => {
    const state = loaded();
    state.apply(snapshot({ epochs: 60, stepsPerEpoch: 4 }));
    const r = readouts(state);
    expect(r.statusBar).toContain('epoch 3/60');
    expect(r.lens).toContain('epoch 3/60');
    expect(r.notification).toContain('epoch 3/60');
    expect(progressReport(state).percent).toBeCloseTo(((2 + 2 / 4) / 60) * 100, 10);
  });

  it('before any step: "–" everywhere', () => {
    const state = loaded();
    state.apply(snapshot({ step: 0, epoch: 0, stepInEpoch: 0, loss: null, status: 'ready' }));
    expect(readout(state.info, state.latest)).toMatchObject({ loss: null, lossOf: 'none' });
    expect(readouts(state).statusBar).toBe('$(circle-outline) NNSpec epoch 1/30 · loss –');
    expect(formatReadoutLoss(state.readout)).toBe('–');
  });

  it('after a restore from a checkpoint: the restored weights\' loss in every readout at once, not "–" until the next step', () => {
    const root = path.resolve(__dirname, '../..');
    const text = 'input 2\ndense 4 tanh\ndense 1 sigmoid\nloss mse\noptimizer sgd rate=0.5\nbatch 1\nepochs 50\nseed 1\ndata xor\n';
    const project = loadProject(text, '/work/xor.nnspec', { assetsDir: path.join(root, 'media') });
    if (!project.ok) throw new Error(project.message);
    const before = project.trainer;
    for (let i = 0; i < 10; i++) before.stepOnce();
    // The worker's side of the reload: a fresh trainer with the checkpoint's weights and state, announced.
    const again = loadProject(text, '/work/xor.nnspec', { assetsDir: path.join(root, 'media') });
    if (!again.ok) throw new Error(again.message);
    again.trainer.setWeights(before.getWeights());
    again.trainer.setTrainingState(before.getTrainingState());
    const posted: FromWorker[] = [];
    const runner = new SessionRunner(again.trainer, { specPath: '/work/xor.nnspec', epochs: 50, stepsPerEpoch: 4 } as SessionInfo, { updateHz: 20, maxParameters: 1e9, includeLayers: true }, (m) => posted.push(m));
    runner.announce();
    // The host's side: 'loaded', the checkpoint's history, then the announced snapshot.
    const state = new SessionState();
    state.apply({ type: 'loaded', info: { ...info, epochs: 50 }, diagnostics: [] });
    state.restore({ stepLosses: [], stepStride: 1, epochs: [], marks: [] }, 10);
    for (const m of posted) state.apply(m);
    const loss = before.evaluate('train')!.loss;
    expect(state.latest?.loss).toBeNull(); // no batch of these weights yet …
    expect(state.readout).toMatchObject({ loss, lossOf: 'loaded', step: 10 }); // … but every readout has their loss
    const shown = `${formatLoss(loss)} (loaded weights)`;
    expect(readouts(state)).toEqual({
      statusBar: `$(debug-pause) NNSpec epoch 3/50 · loss ${shown}`,
      lens: `epoch 3/50 · loss ${shown} · paused`,
      notification: `epoch 3/50 · loss ${shown}`,
    });
  });
});
