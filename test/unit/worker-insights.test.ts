/**
 * What the training worker adds to its snapshots (src/worker/insights.ts): the training-health
 * problems, the live confusion matrix and the histograms, through the real bundled worker.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { FromWorker, Snapshot, ToWorker, WorkerSettings } from '../../src/protocol';
import type { WeightsFile } from '../../src/core/weights';
import { HISTOGRAM_BINS } from '../../src/core/engine/histograms';

const root = path.resolve(__dirname, '../..');
let workerPath = '';
const workers: Worker[] = [];

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnspec-insights-'));
  workerPath = path.join(dir, 'worker.js');
  await esbuild.build({ entryPoints: [path.join(root, 'src/worker/worker.ts')], outfile: workerPath, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

const settings: WorkerSettings = { updateHz: 20, maxParameters: 5_000_000, includeLayers: false };

/** Starts a worker on a spec file; resolves with a way to send and to wait for a snapshot. */
async function start(specFile: string, weights?: WeightsFile) {
  const worker = new Worker(workerPath);
  workers.push(worker);
  const snapshots: Snapshot[] = [];
  let waiter: { test: (s: Snapshot) => boolean; resolve: (s: Snapshot) => void } | undefined;
  let loaded: (m: FromWorker) => void = () => {};
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'loaded' || m.type === 'loadFailed' || m.type === 'fatal') loaded(m);
    if (m.type !== 'snapshot') return;
    worker.postMessage({ type: 'ack' } satisfies ToWorker);
    snapshots.push(m.snapshot);
    if (waiter?.test(m.snapshot)) {
      waiter.resolve(m.snapshot);
      waiter = undefined;
    }
  });
  const send = (message: ToWorker): void => worker.postMessage(message);
  const until = (test: (s: Snapshot) => boolean): Promise<Snapshot> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no such snapshot in time')), 30_000);
      waiter = { test, resolve: (s) => (clearTimeout(timer), resolve(s)) };
    });
  const file = path.join(root, specFile);
  const first = await new Promise<FromWorker>((resolve) => {
    loaded = resolve;
    send({ type: 'load', specText: fs.readFileSync(file, 'utf8'), specPath: file, assetsDir: path.join(root, 'media'), settings, ...(weights ? { weights } : {}) });
  });
  if (first.type !== 'loaded') throw new Error(`the spec did not load: ${JSON.stringify(first)}`);
  return { send, until, snapshots };
}

/** The problems list as the host holds it: the latest one any snapshot carried. */
function latestProblems(snapshots: Snapshot[]): NonNullable<Snapshot['problems']> {
  for (let i = snapshots.length - 1; i >= 0; i--) if (snapshots[i].problems) return snapshots[i].problems ?? [];
  return [];
}

const DEAD: WeightsFile = {
  format: 'nnspec-weights',
  version: 1,
  layers: [
    { weights: Array.from({ length: 8 }, (_, j) => [0.5 * ((j % 3) - 1), 0.3]), biases: Array.from({ length: 8 }, (_, j) => (j < 6 ? -50 : 0.1)) },
    { weights: [Array(8).fill(0.1)], biases: [0] },
  ],
};

describe('the worker’s snapshots carry the training health', () => {
  it('dead-units on the dense line after an epoch; Reset (seeded weights) clears it', async () => {
    const session = await start('test/fixtures/health/dead-relu.nnspec', DEAD);
    const text = fs.readFileSync(path.join(root, 'test/fixtures/health/dead-relu.nnspec'), 'utf8').split('\n');
    session.send({ type: 'stepEpoch' });
    await session.until((s) => s.status !== 'running' && s.step > 0);
    const problems = latestProblems(session.snapshots);
    const dead = problems.find((p) => p.code === 'dead-units');
    expect(dead, JSON.stringify(problems)).toBeDefined();
    expect(text[dead!.range.start.line].trim()).toBe('dense 8 relu');
    expect(dead!.message).toMatch(/^6 of 8 ReLU units never fire \(layer 1\)/);
    expect(dead!.fixes?.map((f) => f.title)).toContain('Start layer 1 from init=he');
    session.send({ type: 'reset' });
    const reset = await session.until((s) => s.step === 0 && s.status === 'ready');
    expect(reset.problems).toEqual([]);
  });

  it('the confusion matrix is of the validation part; histograms are bounded (≤ 30 bins) and count every weight', async () => {
    const session = await start('examples/circle.nnspec');
    session.send({ type: 'stepEpoch' });
    const done = await session.until((s) => s.status !== 'running' && s.step > 0);
    expect(done.confusion?.part).toBe('validation');
    expect(done.confusion?.classes).toBe(2);
    expect(done.confusion?.step).toBe(done.step);
    // circle n=400, validation 0.2: 80 held out
    expect(Array.from(done.confusion!.counts).reduce((a, b) => a + b, 0)).toBe(80);
    const layers = done.histograms?.layers ?? [];
    expect(layers).toHaveLength(2);
    // 16 weights: ⌈2√16⌉ = 8 bins; never more than HISTOGRAM_BINS
    expect(layers[0].weights.counts).toHaveLength(8);
    // layer 1 of 2-8-1: 16 weights, each in one bin
    expect(Array.from(layers[0].weights.counts).reduce((a, b) => a + b, 0)).toBe(16);
    expect(layers[0].weights.min).toBeLessThan(layers[0].weights.max);
    expect(layers[1].gradients.counts.length).toBeLessThanOrEqual(HISTOGRAM_BINS);
    // ratios are log10(|Δw|/|w|): an ordinary step moves weights by ~1e-4…1e-1 of themselves
    expect(layers[0].ratios.max).toBeLessThan(1);
    expect(layers[0].ratios.min).toBeGreaterThan(-12);
  });

  it('while running with the panel hidden, histograms stay out of the progress snapshots', async () => {
    const session = await start('examples/spiral.nnspec');
    session.send({ type: 'run' });
    await session.until((s) => s.step > 2000);
    session.send({ type: 'pause' });
    const paused = await session.until((s) => s.status === 'paused');
    const running = session.snapshots.filter((s) => s.status === 'running');
    expect(running.length).toBeGreaterThan(1);
    expect(running.every((s) => s.histograms === undefined)).toBe(true);
    // the snapshot that ends the burst has them
    expect(paused.histograms?.step).toBe(paused.step);
  });
});
