/**
 * The live loop under load: the real training worker (dist/worker.js) runs a small network at full
 * speed — the case that floods a host without flow control — while this thread plays the extension
 * host: it takes each snapshot up and acknowledges it (ack), as sessions.ts does. Measured:
 * messages a second the host receives (bounded by updateHz + 1 however fast training runs), and
 * the pause latency — from posting 'pause' to receiving the paused snapshot — over several tries.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker } from '../src/protocol';

export interface LiveLoopResult {
  spec: string;
  updateHz: number;
  seconds: number;
  /** Every message the host received while running, a second. */
  messagesPerSecond: number;
  stepsPerSecond: number;
  pauseMs: { tries: number[]; p50: number; p95: number; max: number };
}

const XOR_LONG = `network xor-long
input 2
dense 4 tanh
dense 1 sigmoid
loss mse
optimizer sgd rate=0.5 momentum=0.9
batch 1
epochs 100000000
seed 1
data xor
`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function measureLiveLoop(distDir: string, mediaDir: string, seconds = 3, tries = 10): Promise<LiveLoopResult | string> {
  const workerPath = join(distDir, 'worker.js');
  if (!existsSync(workerPath)) return `${workerPath} is not built (run node esbuild.mjs)`;
  const updateHz = 20;
  const worker = new Worker(workerPath);
  const post = (message: ToWorker): void => worker.postMessage(message);
  let messages = 0;
  let step = 0;
  let waiter: ((m: FromWorker) => void) | undefined;
  worker.on('message', (message: FromWorker) => {
    messages++;
    if (message.type === 'snapshot') {
      step = message.snapshot.step;
      post({ type: 'ack' });
    }
    waiter?.(message);
  });
  const next = (test: (m: FromWorker) => boolean): Promise<FromWorker> =>
    new Promise((resolve) => {
      waiter = (m) => {
        if (test(m)) {
          waiter = undefined;
          resolve(m);
        }
      };
    });
  try {
    const loaded = next((m) => m.type === 'loaded' || m.type === 'loadFailed');
    post({ type: 'load', specText: XOR_LONG, specPath: join(process.cwd(), 'xor-long.nnspec'), assetsDir: mediaDir, settings: { updateHz, maxParameters: 5_000_000, includeLayers: true } });
    const answer = await loaded;
    if (answer.type !== 'loaded') return `the worker could not load the xor run: ${answer.type === 'loadFailed' ? answer.message : answer.type}`;

    // Messages a second at full speed.
    post({ type: 'run' });
    await new Promise((r) => setTimeout(r, 300)); // past the start
    const from = messages;
    const fromStep = step;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const elapsed = (performance.now() - t0) / 1000;
    const messagesPerSecond = (messages - from) / elapsed;
    const stepsPerSecond = (step - fromStep) / elapsed;

    // Pause latency, run → pause → run …
    const pauses: number[] = [];
    for (let i = 0; i < tries; i++) {
      const paused = next((m) => m.type === 'snapshot' && m.snapshot.status === 'paused');
      const start = performance.now();
      post({ type: 'pause' });
      await paused;
      pauses.push(performance.now() - start);
      const running = next((m) => m.type === 'snapshot' && m.snapshot.status === 'running');
      post({ type: 'run' });
      await running;
      await new Promise((r) => setTimeout(r, 200));
    }
    post({ type: 'pause' });
    return {
      spec: 'xor 2-4-1, batch 1, at full speed, layers included (panel visible)',
      updateHz,
      seconds: elapsed,
      messagesPerSecond,
      stepsPerSecond,
      pauseMs: { tries: pauses, p50: percentile(pauses, 50), p95: percentile(pauses, 95), max: Math.max(...pauses) },
    };
  } finally {
    await worker.terminate();
  }
}
