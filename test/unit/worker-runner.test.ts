/**
 * The worker's training loop (src/worker/runner.ts) with the host's state (sessionState.ts) on
 * the other end, in one process: flow control (what the worker sends is bounded by what the host
 * takes up, however fast training runs), bounded memory on long runs, and pacing.
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { loadProject } from '../../src/core/project';
import type { Trainer } from '../../src/core/engine/types';
import type { FromWorker, SessionInfo, ToWorker, WorkerSettings } from '../../src/protocol';
import { MAX_PENDING_EPOCHS, MAX_PENDING_LOSSES, SessionRunner } from '../../src/worker/runner';
import { MAX_EPOCHS_KEPT, SessionState } from '../../src/extension/sessionState';
import { LossHistory } from '../../src/core/lossHistory';

const root = path.resolve(__dirname, '../..');
const assetsDir = path.join(root, 'media');
const specPath = path.join(root, 'examples', 'test-xor.nnspec');

const xor = (epochs: number, batch = 1): string => `input 2
dense 4 tanh
dense 1 sigmoid
loss mse
optimizer sgd rate=0.5 momentum=0.9
batch ${batch}
epochs ${epochs}
seed 1
data xor
`;

function runnerFor(text: string, settings: Partial<WorkerSettings>, post: (m: FromWorker) => void): SessionRunner {
  return runnerAndTrainer(text, settings, post).runner;
}

function runnerAndTrainer(text: string, settings: Partial<WorkerSettings>, post: (m: FromWorker) => void): { runner: SessionRunner; trainer: Trainer } {
  const project = loadProject(text, specPath, { assetsDir });
  if (!project.ok) throw new Error(project.message);
  const t = project.trainer;
  const info = {
    specPath,
    name: 'xor',
    inputSize: 2,
    layers: [],
    loss: 'mse',
    task: t.task,
    epochs: t.epochs,
    stepsPerEpoch: t.stepsPerEpoch,
    batchSize: t.batchSize,
    trainCount: t.trainCount,
    validationCount: 0,
    dataName: 'xor',
    parameterCount: 17,
    seed: 1,
  } as SessionInfo;
  return { runner: new SessionRunner(t, info, { updateHz: 20, maxParameters: 1e9, includeLayers: false, ...settings }, (m) => post(m)), trainer: t };
}

/** Plays the host: takes every message into a SessionState and acknowledges snapshots after `ackDelayMs`. */
function host(ackDelayMs: number | null) {
  const state = new SessionState();
  const messages: { at: number; message: FromWorker }[] = [];
  let runner: SessionRunner | undefined;
  let finished: (() => void) | undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const post = (message: FromWorker): void => {
    messages.push({ at: performance.now(), message });
    state.apply(message);
    if (message.type === 'snapshot' && ackDelayMs !== null) {
      const ack = (): void => runner?.handle({ type: 'ack' } satisfies ToWorker);
      if (ackDelayMs === 0) setImmediate(ack);
      else setTimeout(ack, ackDelayMs);
    }
    if (message.type === 'finished' || message.type === 'fatal') finished?.();
  };
  return {
    state,
    messages,
    done,
    post,
    attach(r: SessionRunner) {
      runner = r;
      state.apply({ type: 'loaded', info: { epochs: 1 } as SessionInfo, diagnostics: [] });
    },
  };
}

describe('flow control', () => {
  it('a multi-million-step xor run at full speed sends at most (rate + 1) messages a second, each epoch once, in bounded memory', async () => {
    const epochs = 500_000; // batch 1: 4 steps an epoch, 2 million steps
    const rate = 10;
    const h = host(0);
    const runner = runnerFor(xor(epochs), { updateHz: rate }, h.post);
    h.attach(runner);
    const start = performance.now();
    runner.handle({ type: 'run' });
    await h.done;
    const seconds = (performance.now() - start) / 1000;
    expect(h.state.status).toBe('done');
    expect(h.state.step).toBe(epochs * 4);
    // Every message of the run counted: snapshots, the end.
    expect(h.messages.length).toBeLessThanOrEqual((rate + 1) * seconds + 1);
    // Every step is accounted for in the host's history (thinned, not dropped) …
    expect(h.state.stepLosses.steps).toBe(epochs * 4);
    // … and each epoch's metrics are sent at most once, in order, the last one among them,
    // however many epochs end between two snapshots (no message grows with the speed of the run).
    const perSnapshot = h.messages.flatMap((m) => (m.message.type === 'snapshot' ? [m.message.snapshot] : []));
    const epochNumbers = perSnapshot.flatMap((s) => s.newEpochs.map((e) => e.epoch));
    for (let i = 1; i < epochNumbers.length; i++) expect(epochNumbers[i]).toBeGreaterThan(epochNumbers[i - 1]);
    expect(epochNumbers[epochNumbers.length - 1]).toBe(epochs - 1);
    for (const s of perSnapshot) {
      expect(s.newEpochs.length).toBeLessThanOrEqual(MAX_PENDING_EPOCHS);
      expect(s.newStepLosses.length).toBeLessThanOrEqual(MAX_PENDING_LOSSES + 1);
    }
    // And the host's memory is bounded however long the run.
    expect(h.state.stepLosses.bytes).toBeLessThanOrEqual(LossHistory.CAPACITY * 4);
    expect(h.state.epochs.length).toBeLessThanOrEqual(MAX_EPOCHS_KEPT);
    expect(h.state.epochs[h.state.epochs.length - 1].epoch).toBe(epochs - 1);
  }, 120_000);

  it('a host that takes a snapshot up only every 250 ms gets no more than one per 250 ms', async () => {
    const h = host(250);
    const runner = runnerFor(xor(1_000_000_000), { updateHz: 60 }, h.post);
    h.attach(runner);
    const start = performance.now();
    runner.handle({ type: 'run' });
    await new Promise((r) => setTimeout(r, 1600));
    runner.handle({ type: 'pause' });
    const seconds = (performance.now() - start) / 1000;
    const snapshots = h.messages.filter((m) => m.message.type === 'snapshot');
    // Running + progress (one per ack) + paused.
    expect(snapshots.length).toBeLessThanOrEqual(Math.floor(seconds / 0.25) + 2);
    expect(snapshots.length).toBeGreaterThanOrEqual(3);
    expect(h.state.status).toBe('paused');
    runner.dispose();
  });

  it('a status change is never held back by missing acknowledgements: pause, step and reset go out at once', async () => {
    const h = host(null); // never acknowledges
    const runner = runnerFor(xor(1_000_000_000), { updateHz: 60 }, h.post);
    h.attach(runner);
    runner.handle({ type: 'run' });
    await new Promise((r) => setTimeout(r, 300));
    const progress = h.messages.filter((m) => m.message.type === 'snapshot' && m.message.snapshot.status === 'running');
    expect(progress.length).toBe(1); // the 'running' snapshot, then nothing until an ack
    runner.handle({ type: 'pause' });
    expect(h.state.status).toBe('paused');
    const pausedAt = h.state.step;
    expect(pausedAt).toBeGreaterThan(0);
    // The paused snapshot carries every step loss since the last snapshot: none lost.
    expect(h.state.stepLosses.steps).toBe(pausedAt);
    runner.handle({ type: 'step' });
    expect(h.state.step).toBe(pausedAt + 1);
    runner.handle({ type: 'reset' });
    expect(h.state.status).toBe('ready');
    expect(h.state.step).toBe(0);
    runner.dispose();
  });
});

describe('bounded history on the host', () => {
  it('keeps 10 million step losses in at most 4 MB, with the envelope of the run', () => {
    const history = new LossHistory();
    const chunk = new Float32Array(10_000);
    for (let c = 0; c < 1000; c++) {
      for (let i = 0; i < chunk.length; i++) chunk[i] = 1 / (1 + c) + (i === 1234 && c === 500 ? 5 : 0);
      history.push(chunk);
    }
    expect(history.steps).toBe(10_000_000);
    expect(history.bytes).toBeLessThanOrEqual(LossHistory.CAPACITY * 4);
    expect(history.length * history.stride).toBeLessThanOrEqual(10_000_000);
    expect(history.length * history.stride).toBeGreaterThan(10_000_000 - history.stride);
    const values = history.toArray();
    // The spike at step 5,001,235 survives the thinning, at its place.
    const spikeAt = values.findIndex((v) => v > 4);
    expect(spikeAt).toBeGreaterThanOrEqual(0);
    expect(Math.floor(5_001_234 / history.stride)).toBe(spikeAt);
    expect(values[0]).toBe(1);
    expect(values[values.length - 1]).toBeCloseTo(1 / 1000, 6);
  });

  it('keeps every step while the run is short', () => {
    const history = new LossHistory(8);
    history.push(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    expect(history.stride).toBe(1);
    expect(Array.from(history.toArray())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    history.push(Float32Array.of(9, 10));
    // Full: pairs become one value, alternately their min and max.
    expect(history.stride).toBe(2);
    expect(Array.from(history.toArray())).toEqual([1, 4, 5, 8, 9]);
  });
});

describe('pace', () => {
  it('a paced run takes the steps due at that pace, and a pause stops it at once', async () => {
    const h = host(0);
    const runner = runnerFor(xor(1_000_000), { stepsPerSecond: 20 }, h.post);
    h.attach(runner);
    const start = performance.now();
    runner.handle({ type: 'run' });
    await new Promise((r) => setTimeout(r, 1000));
    runner.handle({ type: 'pause' });
    const seconds = (performance.now() - start) / 1000;
    // Steps are due at 0, 50, 100 … ms: at most 20·t + 1 of them by now, and (timers being late
    // on a busy machine) never more.
    expect(h.state.step).toBeLessThanOrEqual(Math.floor(20 * seconds) + 1);
    expect(h.state.step).toBeGreaterThan(0);
    const at = h.state.step;
    await new Promise((r) => setTimeout(r, 200));
    expect(h.state.step).toBe(at);
    expect(h.state.status).toBe('paused');
  });

  it('a Step Epoch ignores the pace', () => {
    const h = host(0);
    const runner = runnerFor(xor(10, 4), { stepsPerSecond: 1 }, h.post);
    h.attach(runner);
    runner.handle({ type: 'step' });
    runner.handle({ type: 'step' });
    expect(h.state.step).toBe(2);
    runner.dispose();
  });
});

describe('live edits', () => {
  /** xor, full batch (4 samples), plain SGD unless `momentum`: Δw = −η ∂C/∂w (+ μ v). */
  const spec = (over: { momentum?: number; decay?: number; batch?: number } = {}): string =>
    xor(100, over.batch ?? 4).replace('optimizer sgd rate=0.5 momentum=0.9', `optimizer sgd rate=0.5 momentum=${over.momentum ?? 0} decay=${over.decay ?? 1}`);
  const close = (a: ArrayLike<number>, b: ArrayLike<number>): void => {
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(b[i]));
  };
  function setup(text: string) {
    const h = host(0);
    const { runner, trainer } = runnerAndTrainer(text, {}, h.post);
    h.attach(runner);
    runner.handle({ type: 'step' });
    runner.handle({ type: 'step' });
    return { h, runner, trainer };
  }
  const lastMarks = (h: ReturnType<typeof host>) => h.state.marks;

  it('rate: the next step moves w by −η′ ∂C/∂w, and the change is marked at that step', () => {
    const { h, runner, trainer } = setup(spec());
    runner.handle({ type: 'hyper', changes: { rate: 0.1 } });
    expect(lastMarks(h)).toEqual([{ step: 3, name: 'rate', from: 0.5, to: 0.1, text: 'η 0.5 → 0.1 at step 3' }]);
    runner.handle({ type: 'step' });
    const layer = trainer.layers[0];
    close(layer.lastDeltaWeights, Array.from(layer.gradWeights, (g) => -0.1 * g));
    expect(h.state.latest?.rate).toBeCloseTo(0.1, 10);
  });

  it('decay: η of the next epoch is η·d′^epoch', () => {
    const { h, runner } = setup(spec({ decay: 1 }));
    runner.handle({ type: 'hyper', changes: { decay: 0.5 } });
    runner.handle({ type: 'step' }); // epoch 3 (one step an epoch) now runs at 0.5 · 0.5³
    expect(h.state.latest?.epoch).toBe(3);
    expect(h.state.latest?.rate).toBeCloseTo(0.5 * 0.5 ** 3, 10);
    expect(lastMarks(h).map((m) => m.text)).toEqual(['decay 1 → 0.5 at step 3']);
  });

  it('momentum: the next step is Δw = μ′ v − η ∂C/∂w, with v the last step’s Δw', () => {
    const { h, runner, trainer } = setup(spec({ momentum: 0.9 }));
    const v = trainer.layers[0].lastDeltaWeights.slice();
    runner.handle({ type: 'hyper', changes: { momentum: 0.5 } });
    runner.handle({ type: 'step' });
    const layer = trainer.layers[0];
    close(layer.lastDeltaWeights, Array.from(layer.gradWeights, (g, i) => 0.5 * v[i] - 0.5 * g));
    expect(lastMarks(h).map((m) => m.text)).toEqual(['μ 0.9 → 0.5 at step 3']);
  });

  it('momentum from 0 cannot be taken live: a notice, and nothing changes', () => {
    const { h, runner, trainer } = setup(spec({ momentum: 0 }));
    runner.handle({ type: 'hyper', changes: { momentum: 0.9 } });
    expect(h.messages.at(-1)?.message).toMatchObject({ type: 'notice' });
    expect(trainer.spec.optimizer.momentum).toBe(0);
    expect(lastMarks(h)).toEqual([]);
  });

  it('l2: the next step’s ∂C/∂w gains λ′w', () => {
    const { h, runner, trainer } = setup(spec());
    const w = trainer.layers[0].weights.slice();
    const plain = trainer.fullGradient().dW[0]; // full batch: the step's batch is the whole set
    runner.handle({ type: 'hyper', changes: { l2: 0.25 } });
    runner.handle({ type: 'step' });
    close(trainer.layers[0].gradWeights, Array.from(plain, (g, i) => g + 0.25 * w[i]));
    expect(lastMarks(h).map((m) => m.text)).toEqual(['λ₂ 0 → 0.25 at step 3']);
  });

  it('batch: the next step takes the new number of samples, the epoch has the new number of steps', () => {
    const { h, runner, trainer } = setup(spec({ batch: 4 }));
    runner.handle({ type: 'hyper', changes: { batch: 1 } });
    expect(h.state.latest?.stepsPerEpoch).toBe(4);
    runner.handle({ type: 'step' });
    expect(trainer.batchSize).toBe(1);
    expect(h.state.latest?.stepInEpoch).toBe(1);
    expect(lastMarks(h).map((m) => m.text)).toEqual(['batch 4 → 1 at step 3']);
  });

  it('epochs: fewer ends the run at the next slice, more lets a finished run go on', async () => {
    const { h, runner } = setup(spec());
    runner.handle({ type: 'hyper', changes: { epochs: 2 } });
    runner.handle({ type: 'run' });
    await new Promise((r) => setTimeout(r, 50));
    expect(h.state.status).toBe('done');
    expect(h.state.step).toBe(2);
    runner.handle({ type: 'hyper', changes: { epochs: 3 } });
    expect(h.state.status).toBe('paused');
    runner.handle({ type: 'step' });
    expect(h.state.step).toBe(3);
    expect(lastMarks(h).map((m) => m.text)).toEqual(['epochs 100 → 2 at step 3', 'epochs 2 → 3 at step 3']);
  });
});

describe('continuing after DONE (extendEpochs)', () => {
  it('plans that many epochs more, goes on from where it stopped, and finishes again at the new end', () => {
    const messages: FromWorker[] = [];
    const runner = runnerFor(xor(2), {}, (m) => messages.push(m));
    const stepEpoch = (): void => runner.handle({ type: 'step' });
    // 2 epochs of 4 steps (batch 1): step to the end.
    for (let i = 0; i < 8; i++) stepEpoch();
    expect(runner.currentStatus).toBe('done');
    // Train on a finished session only repeats where it is.
    runner.handle({ type: 'run' });
    const before = messages.at(-1);
    expect(before?.type === 'snapshot' && before.snapshot).toMatchObject({ step: 8, status: 'done' });
    runner.handle({ type: 'extendEpochs', epochs: 3 });
    const extended = messages.at(-1);
    expect(extended?.type).toBe('snapshot');
    if (extended?.type !== 'snapshot') return;
    expect(extended.snapshot).toMatchObject({ status: 'paused', epochs: 5, step: 8, epoch: 2 });
    for (let i = 0; i < 12; i++) stepEpoch();
    const last = messages.filter((m) => m.type === 'snapshot').at(-1);
    expect(last?.type === 'snapshot' && last.snapshot).toMatchObject({ step: 20, epoch: 5, status: 'done' });
    // Nonsense is refused, with the state unchanged.
    runner.handle({ type: 'extendEpochs', epochs: -1 });
    const refused = messages.at(-1);
    expect(refused?.type === 'snapshot' && refused.snapshot).toMatchObject({ epochs: 5, status: 'done' });
  });
});

describe('Load Weights refreshes the readouts', () => {
  it('the snapshot after setWeights carries the loaded weights\' cost and accuracy, until the next step', () => {
    const messages: FromWorker[] = [];
    const runner = runnerFor(xor(50), {}, (m) => messages.push(m));
    for (let i = 0; i < 80; i++) runner.handle({ type: 'step' });
    runner.handle({ type: 'request', id: 1, request: { kind: 'getWeights' } });
    const got = messages.at(-1);
    if (got?.type !== 'response' || got.response.kind !== 'getWeights') throw new Error('no weights');
    // Other weights than the trained ones: the seeded initial ones (a fresh runner's).
    const fresh: FromWorker[] = [];
    const initial = runnerFor(xor(50), {}, (m) => fresh.push(m));
    initial.handle({ type: 'request', id: 2, request: { kind: 'getWeights' } });
    const start = fresh.at(-1);
    if (start?.type !== 'response' || start.response.kind !== 'getWeights') throw new Error('no weights');
    // What those weights score, from the core directly.
    const project = loadProject(xor(50), specPath, { assetsDir });
    if (!project.ok) throw new Error(project.message);
    project.trainer.setWeights(start.response.weights);
    const expected = project.trainer.evaluate('train');

    runner.handle({ type: 'request', id: 3, request: { kind: 'setWeights', weights: start.response.weights } });
    const snapshot = messages.find((m, i) => i > messages.indexOf(got) && m.type === 'snapshot');
    expect(snapshot?.type === 'snapshot' && snapshot.snapshot.loadedEvaluation?.train).toEqual(expected);
    runner.handle({ type: 'step' });
    const after = messages.at(-1);
    expect(after?.type === 'snapshot' && after.snapshot.loadedEvaluation).toBeUndefined();
  });
});
