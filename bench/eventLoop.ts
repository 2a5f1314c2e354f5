/**
 * The extension host's responsiveness while a network trains: the real training worker
 * (dist/worker.js) runs network C on the digits in a worker_threads Worker, as a session does,
 * while this thread — standing in for the extension host — receives its progress snapshots and
 * records its own event-loop delay with perf_hooks.monitorEventLoopDelay.
 * Also: how big the progress messages are (they must stay bounded whatever the run length).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerSettings } from '../src/protocol';

export interface EventLoopResult {
  includeLayers: boolean;
  /** Training threads of the worker (nnspec.threads, resolved). */
  threads: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  snapshots: number;
  /** Bytes of typed arrays per snapshot message: largest and mean. */
  maxSnapshotBytes: number;
  meanSnapshotBytes: number;
  stepsTrained: number;
}

const SPEC_C = `network bench-C-digits
input 28x28
dense 128 relu
dense 64 relu
dense 10 softmax
loss cce
optimizer sgd rate=0.1
batch 64
epochs 1000
init he
seed 1
data digits
validation 0.2
`;

/** Σ byteLength of every typed array reachable from a message (what structured cloning copies). */
function typedBytes(value: unknown, depth = 0): number {
  if (depth > 6 || value === null || typeof value !== 'object') return 0;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  let sum = 0;
  for (const item of Array.isArray(value) ? value : Object.values(value)) sum += typedBytes(item, depth + 1);
  return sum;
}

export async function measureEventLoop(distDir: string, mediaDir: string, seconds: number, includeLayers: boolean, threads = 1): Promise<EventLoopResult | string> {
  const workerPath = join(distDir, 'worker.js');
  if (!existsSync(workerPath)) return `${workerPath} is not built (run node esbuild.mjs)`;
  const worker = new Worker(workerPath);
  const post = (message: ToWorker) => worker.postMessage(message);
  try {
    const settings: WorkerSettings = { updateHz: 20, maxParameters: 5_000_000, includeLayers, threads };
    const loaded = new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type === 'loaded') resolve();
        else if (message.type === 'loadFailed' || message.type === 'fatal') reject(new Error(`worker could not load network C: ${message.message}`));
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    post({ type: 'load', specText: SPEC_C, specPath: join(process.cwd(), 'bench-C.nnspec'), assetsDir: mediaDir, settings });
    await loaded;

    let snapshots = 0;
    let maxBytes = 0;
    let totalBytes = 0;
    let step = 0;
    worker.on('message', (message: FromWorker) => {
      if (message.type !== 'snapshot') return;
      snapshots++;
      const bytes = typedBytes(message.snapshot);
      maxBytes = Math.max(maxBytes, bytes);
      totalBytes += bytes;
      step = message.snapshot.step;
      post({ type: 'ack' }); // as the extension host does (flow control: the next snapshot waits for it)
    });
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    post({ type: 'run' });
    histogram.enable();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    histogram.disable();
    post({ type: 'pause' });
    return {
      includeLayers,
      threads,
      seconds,
      p50Ms: histogram.percentile(50) / 1e6,
      p99Ms: histogram.percentile(99) / 1e6,
      maxMs: histogram.max / 1e6,
      snapshots,
      maxSnapshotBytes: maxBytes,
      meanSnapshotBytes: snapshots ? totalBytes / snapshots : 0,
      stepsTrained: step,
    };
  } finally {
    await worker.terminate();
  }
}
