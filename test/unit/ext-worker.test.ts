/**
 * The training worker as the extension uses it: src/worker/worker.ts bundled by esbuild (the
 * same options as esbuild.mjs) and run in a real worker_threads Worker, driven with ToWorker
 * messages; every answer is compared with the core's Trainer made in this process from the
 * same spec.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { loadProject, type LoadedProject } from '../../src/core/project';
import type { FromWorker, Snapshot, ToWorker, WorkerSettings } from '../../src/protocol';
import { LAYER_BYTES_PER_SECOND } from '../../src/worker/runner';

const root = path.resolve(__dirname, '../..');
const assetsDir = path.join(root, 'media');
let workerPath = '';

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnspec-worker-'));
  workerPath = path.join(dir, 'worker.js');
  await esbuild.build({
    entryPoints: [path.join(root, 'src/worker/worker.ts')],
    outfile: workerPath,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
  });
});

const XOR = `network xor
input 2
dense 3 tanh
dense 1 sigmoid
loss mse
optimizer sgd rate=0.5
batch 2
epochs 50
seed 3
data xor
`;

const specPath = path.join(root, 'examples', 'test-xor.nnspec');
const settings: WorkerSettings = { updateHz: 20, maxParameters: 5_000_000, includeLayers: false };

/** A worker and the messages it sent, with waiting helpers. */
class Harness {
  readonly worker = new Worker(workerPath);
  readonly messages: FromWorker[] = [];
  private waiters: { test: (m: FromWorker) => boolean; resolve: (m: FromWorker) => void }[] = [];
  exitCode: number | undefined;

  /** `ack` every snapshot as the host does (flow control); off to play a host that stopped taking them. */
  constructor(readonly autoAck = true) {
    this.worker.on('message', (m: FromWorker) => {
      this.messages.push(m);
      if (m.type === 'snapshot' && this.autoAck) this.send({ type: 'ack' });
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(m)) return true;
        w.resolve(m);
        return false;
      });
    });
    this.worker.on('exit', (code) => (this.exitCode = code));
  }

  send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /** The next message (from now on) that passes `test`. */
  next<T extends FromWorker>(test: (m: FromWorker) => m is T, timeoutMs?: number): Promise<T>;
  next(test: (m: FromWorker) => boolean, timeoutMs?: number): Promise<FromWorker>;
  next(test: (m: FromWorker) => boolean, timeoutMs = 20_000): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching message from the worker in time')), timeoutMs);
      this.waiters.push({
        test,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  snapshot(test: (s: Snapshot) => boolean = () => true): Promise<Snapshot> {
    return this.next((m) => m.type === 'snapshot' && test(m.snapshot)).then((m) => (m as { snapshot: Snapshot }).snapshot);
  }

  async load(text = XOR, extra: Partial<WorkerSettings> = {}): Promise<Extract<FromWorker, { type: 'loaded' }>> {
    const answer = this.next((m) => m.type === 'loaded' || m.type === 'loadFailed');
    this.send({ type: 'load', specText: text, specPath, assetsDir, settings: { ...settings, ...extra } });
    const m = await answer;
    if (m.type !== 'loaded') throw new Error(`load failed: ${JSON.stringify(m)}`);
    return m;
  }

  async request(id: number, request: Extract<ToWorker, { type: 'request' }>['request']): Promise<FromWorker> {
    const answer = this.next((m) => (m.type === 'response' || m.type === 'responseError') && m.id === id);
    this.send({ type: 'request', id, request });
    return answer;
  }
}

function core(text = XOR): LoadedProject {
  const project = loadProject(text, specPath, { assetsDir });
  if (!project.ok) throw new Error(project.message);
  return project;
}

const harnesses: Harness[] = [];
function harness(autoAck = true): Harness {
  const h = new Harness(autoAck);
  harnesses.push(h);
  return h;
}

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.worker.terminate()));
});

describe('training worker', () => {
  it('loads a spec and describes the session', async () => {
    const h = harness();
    const { info } = await h.load();
    expect(info.name).toBe('xor');
    expect(info.inputSize).toBe(2);
    expect(info.layers.map((l) => [l.index, l.inputs, l.units, l.activation])).toEqual([
      [1, 2, 3, 'tanh'],
      [2, 3, 1, 'sigmoid'],
    ]);
    expect(info.trainCount).toBe(4);
    expect(info.stepsPerEpoch).toBe(2);
    expect(info.parameterCount).toBe(2 * 3 + 3 + 3 + 1);
    expect(info.plane?.points).toBeInstanceOf(Float32Array);
    expect(info.plane?.points.length).toBe(8);
  });

  it('answers a broken spec with loadFailed and the parser diagnostics', async () => {
    const h = harness();
    const answer = h.next((m) => m.type === 'loaded' || m.type === 'loadFailed');
    h.send({ type: 'load', specText: XOR.replace('sigmoid', 'sigmod'), specPath, assetsDir, settings });
    const m = await answer;
    expect(m.type).toBe('loadFailed');
    if (m.type !== 'loadFailed') return;
    const d = m.diagnostics.find((x) => x.code === 'unknown-activation');
    expect(d?.range.start).toEqual({ line: 3, character: 8 });
    expect(m.message).toMatch(/error/);
  });

  it('steps one mini-batch exactly like the core trainer, with layers and trace as Float32Arrays', async () => {
    const h = harness();
    await h.load();
    const after = h.snapshot();
    h.send({ type: 'step' });
    const s = await after;
    const trainer = core().trainer;
    const result = trainer.stepOnce();
    expect(s.status).toBe('paused');
    expect(s.step).toBe(1);
    expect(s.loss).toBeCloseTo(result.loss, 6);
    expect(Array.from(s.newStepLosses)).toEqual([Math.fround(result.loss)]);
    expect(s.layers).toHaveLength(2);
    trainer.layers.forEach((layer, l) => {
      const copy = s.layers![l];
      expect(copy.weights).toBeInstanceOf(Float32Array);
      expect(Array.from(copy.weights)).toEqual(Array.from(layer.weights));
      expect(Array.from(copy.gradWeights)).toEqual(Array.from(layer.gradWeights));
      expect(Array.from(copy.lastDeltaWeights)).toEqual(Array.from(layer.lastDeltaWeights));
      expect(Array.from(copy.gradBiases)).toEqual(Array.from(layer.gradBiases));
    });
    const trace = trainer.trace();
    expect(s.trace?.sampleIndex).toBe(trace.sampleIndex);
    expect(s.trace?.activations.map((a) => Array.from(a))).toEqual(trace.activations.map((a) => Array.from(a)));
    expect(s.trace?.deltas.map((d) => Array.from(d))).toEqual(trace.deltas.map((d) => Array.from(d)));
  });

  it('steps an epoch and reports its metrics in the snapshot', async () => {
    const h = harness();
    await h.load();
    const after = h.snapshot((s) => s.status !== 'running');
    h.send({ type: 'stepEpoch' });
    const s = await after;
    const trainer = core().trainer;
    const metrics = trainer.stepEpoch();
    expect(s.step).toBe(2);
    expect(s.epoch).toBe(1);
    expect(s.newStepLosses.length).toBe(2);
    expect(s.newEpochs.map((x) => x.epoch)).toEqual([0]);
    expect(s.newEpochs[0].train.loss).toBeCloseTo(metrics.train.loss, 6);
    expect(s.newEpochs[0].train.accuracy).toBe(metrics.train.accuracy);
  });

  it('a Step Epoch can be paused before the epoch ends', async () => {
    const h = harness();
    // One epoch of 1,000,000 single-sample steps: far longer than the pause takes to arrive.
    await h.load(XOR.replace('data xor', 'data circle n=1000000').replace('batch 2', 'batch 1'));
    const running = h.snapshot((s) => s.status === 'running' && s.step > 0);
    h.send({ type: 'stepEpoch' });
    await running;
    const paused = h.snapshot((s) => s.status !== 'running');
    h.send({ type: 'pause' });
    const s = await paused;
    expect(s.status).toBe('paused');
    expect(s.epoch).toBe(0);
    expect(s.step).toBeLessThan(1_000_000);
    expect(h.messages.some((m) => m.type === 'snapshot' && m.snapshot.newEpochs.length > 0)).toBe(false);
  });

  it('after the pause acknowledgement no further step is taken', async () => {
    const h = harness();
    await h.load(XOR.replace('epochs 50', 'epochs 1000000000'));
    const running = h.snapshot((s) => s.status === 'running' && s.step > 0);
    h.send({ type: 'run' });
    await running;
    const paused = h.snapshot((s) => s.status === 'paused');
    h.send({ type: 'pause' });
    const ack = await paused;
    const countAtPause = h.messages.length;
    await new Promise((r) => setTimeout(r, 300));
    // Nothing was sent after the acknowledgement: no snapshot, no epoch.
    expect(h.messages.slice(countAtPause)).toEqual([]);
    // And the trainer did not move: one Step now lands exactly one step further.
    const stepped = h.snapshot();
    h.send({ type: 'step' });
    expect((await stepped).step).toBe(ack.step + 1);
  });

  it('runs to the end: every epoch’s metrics and every step loss once, then finished', async () => {
    const h = harness();
    await h.load();
    const finished = h.next((m) => m.type === 'finished');
    h.send({ type: 'run' });
    const f = await finished;
    if (f.type !== 'finished') throw new Error('expected finished');
    expect(f.status).toBe('done');
    const trainer = core().trainer;
    for (let e = 0; e < 50; e++) trainer.stepEpoch();
    expect(f.final?.loss).toBeCloseTo(trainer.evaluate('train')!.loss, 6);
    const snapshots = h.messages.filter((m): m is Extract<FromWorker, { type: 'snapshot' }> => m.type === 'snapshot');
    expect(snapshots.flatMap((m) => m.snapshot.newEpochs.map((e) => e.epoch))).toEqual(Array.from({ length: 50 }, (_, e) => e));
    const losses = snapshots.reduce((n, m) => n + m.snapshot.newStepLosses.length, 0);
    expect(losses).toBe(100);
    expect(snapshots[snapshots.length - 1].snapshot.status).toBe('done');
    expect(snapshots[snapshots.length - 1].snapshot.layers).toHaveLength(2);
  });

  it('stop: ends the run early and says why in finished (restore=best: the best epoch evaluated)', async () => {
    const h = harness();
    const text = XOR + '\nstop patience=2 min_delta=0.5 restore=best\n';
    await h.load(text);
    const finished = h.next((m) => m.type === 'finished');
    h.send({ type: 'run' });
    const f = await finished;
    if (f.type !== 'finished') throw new Error('expected finished');
    expect(f.status).toBe('done');
    expect(f.stopRule).toBe('patience');
    expect(f.message).toMatch(/^stopped early after epoch 3: loss has not improved by more than 0\.5 for 2 epochs \(best .* after epoch 1, whose weights were restored\)$/);
    const snapshots = h.messages.filter((m): m is Extract<FromWorker, { type: 'snapshot' }> => m.type === 'snapshot');
    expect(snapshots.flatMap((m) => m.snapshot.newEpochs.map((e) => e.epoch))).toEqual([0, 1, 2]);
    const trainer = core(text).trainer;
    trainer.stepEpoch();
    expect(f.final?.loss).toBe(trainer.evaluate('train')!.loss);
  });

  it('sends running snapshots at most updateHz a second, with layers only when asked', async () => {
    const h = harness();
    await h.load(XOR.replace('epochs 50', 'epochs 1000000000'), { updateHz: 5 });
    const first = h.snapshot((s) => s.status === 'running');
    h.send({ type: 'run' });
    await first;
    const start = Date.now();
    const from = h.messages.length;
    await new Promise((r) => setTimeout(r, 1200));
    const elapsed = (Date.now() - start) / 1000;
    const running = h.messages.slice(from).filter((m) => m.type === 'snapshot');
    expect(running.length).toBeLessThanOrEqual(Math.ceil(elapsed * 5) + 1);
    expect(running.length).toBeGreaterThan(0);
    for (const m of running) if (m.type === 'snapshot') expect(m.snapshot.layers).toBeUndefined();
    const withLayers = h.snapshot((s) => s.status === 'running' && s.layers !== undefined);
    h.send({ type: 'settings', settings: { includeLayers: true } });
    const s = await withLayers;
    expect(s.layers?.[0].weights.length).toBe(6);
    h.send({ type: 'pause' });
  });

  it('sends the layer arrays of a big network within the byte budget while running, progress at updateHz', async () => {
    const big = 'input 1\ndense 1000 relu\ndense 1000 relu\ndense 1 identity\nloss mse\nbatch 8\nepochs 1000000\ndata sine\n';
    const h = harness();
    const loaded = await h.load(big, { updateHz: 20, includeLayers: true });
    const layerBytes = loaded.info.parameterCount * 4 * Float32Array.BYTES_PER_ELEMENT;
    const first = h.snapshot((s) => s.status === 'running');
    // Every running snapshot from the run's start on, against the time since `run` was sent: the
    // worker sent them all within that time, however late a loaded machine delivered them.
    const from = h.messages.length;
    const start = Date.now();
    h.send({ type: 'run' });
    await first;
    await new Promise((r) => setTimeout(r, 1500));
    const elapsed = (Date.now() - start) / 1000;
    const running = h.messages.slice(from).flatMap((m) => (m.type === 'snapshot' && m.snapshot.status === 'running' ? [m.snapshot] : []));
    const withLayers = running.filter((s) => s.layers !== undefined);
    expect(withLayers.length).toBeLessThanOrEqual(Math.ceil((elapsed * LAYER_BYTES_PER_SECOND) / layerBytes) + 1);
    expect(running.length).toBeGreaterThan(withLayers.length);
    const paused = h.snapshot((s) => s.status === 'paused');
    h.send({ type: 'pause' });
    expect((await paused).layers).toHaveLength(3);
  });

  it('trains on the threads the settings give (nnspec.threads), and says so in its snapshots', async () => {
    const wide = 'input 1\ndense 256 relu\ndense 256 relu\ndense 1 identity\nloss mse\nbatch 64\nepochs 1000000\ndata sine\n';
    const h = harness();
    await h.load(wide, { threads: 2 });
    const split = h.snapshot((s) => s.status === 'running' && (s.compute?.threads ?? 1) === 2);
    h.send({ type: 'run' });
    expect((await split).compute).toEqual({ kernels: expect.stringMatching(/^wasm-(relaxed-)?simd$/), threads: 2, threadsSet: 2 });
    // Back to one thread with a settings message, as when the user changes nnspec.threads mid-run.
    const one = h.snapshot((s) => s.status === 'running' && s.compute?.threads === 1);
    h.send({ type: 'settings', settings: { ...settings, threads: 1 } });
    expect((await one).compute?.threadsSet).toBe(1);
    const paused = h.snapshot((s) => s.status === 'paused');
    h.send({ type: 'pause' });
    await paused;
  });

  it('resets to the seeded initial weights', async () => {
    const h = harness();
    await h.load();
    const initial = (await h.request(1, { kind: 'getWeights' })) as Extract<FromWorker, { type: 'response' }>;
    const stepped = h.snapshot();
    h.send({ type: 'step' });
    await stepped;
    const reset = h.snapshot();
    h.send({ type: 'reset' });
    const s = await reset;
    expect(s.status).toBe('ready');
    expect(s.step).toBe(0);
    expect(s.loss).toBeNull();
    const again = (await h.request(2, { kind: 'getWeights' })) as Extract<FromWorker, { type: 'response' }>;
    expect(again.response).toEqual(initial.response);
    expect(initial.response).toEqual({ kind: 'getWeights', weights: core().trainer.getWeights() });
  });

  it('answers requests: predict, setWeights (with a shape check), checkGradients, fullGradient', async () => {
    const h = harness();
    await h.load();
    const trainer = core().trainer;

    const predicted = await h.request(1, { kind: 'predict', input: [1, 0] });
    expect(predicted).toMatchObject({ type: 'response', response: { kind: 'predict' } });
    if (predicted.type !== 'response' || predicted.response.kind !== 'predict') throw new Error('expected predict');
    const expected = trainer.predict([1, 0])[0];
    expect(predicted.response.output[0]).toBeCloseTo(expected, 6);
    expect(predicted.response.predictedClass).toBe(expected > 0.5 ? 1 : 0);

    const wrongWidth = await h.request(2, { kind: 'predict', input: [1, 0, 1] });
    expect(wrongWidth).toMatchObject({ type: 'responseError', message: 'the network takes 2 inputs, got 3' });

    const weights = trainer.getWeights();
    weights.layers[1].weights[0].pop();
    const badShape = await h.request(3, { kind: 'setWeights', weights });
    expect(badShape.type).toBe('responseError');
    if (badShape.type === 'responseError') expect(badShape.message).toMatch(/layer 2/);

    const good = trainer.getWeights();
    good.layers[0].weights[0][0] = 0.25;
    const loaded = h.snapshot();
    const set = await h.request(4, { kind: 'setWeights', weights: good });
    expect(set.type).toBe('response');
    expect((await loaded).layers?.[0].weights[0]).toBe(0.25);

    const check = await h.request(5, { kind: 'checkGradients' });
    if (check.type !== 'response' || check.response.kind !== 'checkGradients') throw new Error(JSON.stringify(check));
    expect(check.response.layers.map((l) => l.index)).toEqual([1, 2]);
    for (const l of check.response.layers) expect(l.maxRelativeError).toBeLessThan(1e-2);

    trainer.setWeights(good);
    const full = await h.request(6, { kind: 'fullGradient' });
    if (full.type !== 'response' || full.response.kind !== 'fullGradient') throw new Error(JSON.stringify(full));
    const gradient = trainer.fullGradient();
    expect(full.response.loss).toBeCloseTo(gradient.loss, 6);
    expect(full.response.dW[0]).toBeInstanceOf(Float32Array);
    expect(Array.from(full.response.dW[0])).toEqual(Array.from(gradient.dW[0]));
  });

  it('reports divergence with finished/diverged and keeps answering', async () => {
    const h = harness();
    await h.load(XOR.replace('rate=0.5', 'rate=1e30').replace('dense 1 sigmoid', 'dense 1 identity'));
    const finished = h.next((m) => m.type === 'finished');
    h.send({ type: 'run' });
    const f = await finished;
    expect(f).toMatchObject({ type: 'finished', status: 'diverged' });
    if (f.type === 'finished') expect(f.message).toBeTruthy();
    const weights = await h.request(1, { kind: 'getWeights' });
    expect(weights.type).toBe('response');
    expect(h.exitCode).toBeUndefined();
  });
});
