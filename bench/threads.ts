/**
 * The training threads (src/core/engine/threadPool.ts) in `npm run bench` (issue 14):
 *   scaling    A, B, C with NNSpec's default kernels at 1, 2, … threads, runs interleaved so a
 *              busy machine slows every count alike; samples/s, GFLOP/s (6 × weights), ratio to 1.
 *   threshold  one kernel call (forward, backward δ, weight gradient) of m = 64 at growing sizes,
 *              on 1 thread and split over 2: where the split starts to pay (THREAD_MIN_WORK).
 *   scale      the full 60,000-image MNIST, read from IDX files written here (the 10,000 built-in
 *              digits six times), 784-128-64-10 relu/softmax, batch 64: samples/s and seconds per
 *              epoch at 1, 2 and all threads, through the product's loader and trainer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../src/core/project';
import { wasmKernels } from '../src/core/engine/wasmKernels';
import { defaultTrainingThreads, setThreadThreshold, setTrainingThreads, THREAD_MIN_WORK, threadPool } from '../src/core/engine/threadPool';
import { digits, type BenchData } from './data';
import { nnspecEngine } from './engines/nnspec';
import { NETWORKS, weightCount, type NetworkId } from './networks';
import { median } from './stats';

/** 1, 2, 4, … up to the cores, and the cores themselves (at least 1 and 2). */
export function threadCounts(cores = cpus().length): number[] {
  const counts = new Set<number>([1, 2]);
  for (let t = 4; t <= cores; t *= 2) counts.add(t);
  counts.add(Math.max(2, cores));
  return [...counts].sort((a, b) => a - b);
}

export interface ThreadRow {
  network: NetworkId;
  threads: number;
  samplesPerSecond: { median: number; min: number; max: number };
  gflops: number;
  /** samples/s ÷ samples/s at 1 thread. */
  ratio: number;
  /** Chunks the helper threads computed during the timed runs (0 at 1 thread). */
  helperChunks: number;
}

/** Network `id` at each thread count, `runs` interleaved rounds of `updates` updates. */
export async function measureThreadScaling(ids: NetworkId[], data: BenchData, runs: number, quick: boolean): Promise<ThreadRow[]> {
  const counts = threadCounts();
  const pool = threadPool();
  if (pool) await pool.ready(counts[counts.length - 1] - 1);
  const rows: ThreadRow[] = [];
  for (const id of ids) {
    const net = NETWORKS[id];
    // Twice the speed table's updates a run (C: 160 steps, 50–100 ms), so that a scheduler hiccup
    // weighs less; and a warm-up of 4 runs' worth at each count: the first couple of hundred split
    // steps run slower (the helpers' code and the caller's waiting path are still being optimised).
    const updates = 2 * (quick ? Math.round(net.updates / 2) : net.updates);
    const session = await nnspecEngine('auto').create(net, data);
    const rates = new Map<number, number[]>(counts.map((t) => [t, []]));
    const helped = new Map<number, number>(counts.map((t) => [t, 0]));
    for (const t of counts) {
      setTrainingThreads(t);
      await session.steps(4 * updates); // warm-up at this count
    }
    for (let r = 0; r < runs; r++) {
      for (const t of counts) {
        setTrainingThreads(t);
        const before = pool?.helped ?? 0;
        const t0 = performance.now();
        await session.steps(updates);
        const seconds = (performance.now() - t0) / 1000;
        rates.get(t)!.push((updates * net.batch) / seconds);
        helped.set(t, helped.get(t)! + (pool?.helped ?? 0) - before);
      }
    }
    setTrainingThreads(1);
    session.dispose?.();
    const one = median(rates.get(1)!);
    for (const t of counts) {
      const list = rates.get(t)!;
      const mid = median(list);
      rows.push({
        network: id,
        threads: t,
        samplesPerSecond: { median: mid, min: Math.min(...list), max: Math.max(...list) },
        gflops: (6 * weightCount(net) * mid) / 1e9,
        ratio: mid / one,
        helperChunks: helped.get(t)!,
      });
    }
  }
  return rows;
}

export interface ThresholdRow {
  kernel: 'forward' | 'backward' | 'gradient';
  m: number;
  n: number;
  p: number;
  /** m · n · p multiply-adds. */
  work: number;
  oneThreadMicroseconds: number;
  twoThreadsMicroseconds: number;
  /** one ÷ two: above 1 the split pays. */
  speedup: number;
}

/**
 * One call at a time, m = 64 (C's batch), n = 128, p from 2 to 784: the median of many calls on
 * one thread, and split over two (the threshold lowered to 0 for the measurement).
 */
export async function measureThreshold(): Promise<ThresholdRow[]> {
  const pool = threadPool();
  if (!pool) return [];
  await pool.ready(1);
  const kernels = wasmKernels();
  if (kernels === null) return [];
  const m = 64;
  const n = 128;
  const ps = [2, 4, 8, 16, 32, 64, 128, 256, 784];
  const pMax = ps[ps.length - 1];
  const memory = kernels.alloc(m * n + pMax * n + pMax + m * pMax + m * n + pMax * n);
  let offset = 0;
  const take = (length: number) => memory.subarray(offset, (offset += length));
  const A = take(m * n), W = take(pMax * n), bias = take(pMax), Z = take(m * pMax), dA = take(m * n), G = take(pMax * n);
  for (let i = 0; i < A.length; i++) A[i] = Math.sin(i);
  for (let i = 0; i < W.length; i++) W[i] = Math.cos(i) / 10;
  const rows: ThresholdRow[] = [];
  const time = (call: () => void): number => {
    for (let i = 0; i < 20; i++) call();
    const samples: number[] = [];
    for (let r = 0; r < 15; r++) {
      const reps = 20;
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) call();
      samples.push(((performance.now() - t0) * 1000) / reps);
    }
    return median(samples);
  };
  setThreadThreshold(0);
  try {
    for (const kernel of ['forward', 'backward', 'gradient'] as const) {
      for (const p of ps) {
        const call =
          kernel === 'forward'
            ? () => kernels.forward(A, W, bias, Z, m, n, p)
            : kernel === 'backward'
              ? () => kernels.backward(Z, W, dA, m, p, n)
              : () => kernels.gradient(Z, A, G, bias, m, p, n, 1 / m);
        setTrainingThreads(1);
        const one = time(call);
        setTrainingThreads(2);
        const two = time(call);
        rows.push({ kernel, m, n, p, work: m * n * p, oneThreadMicroseconds: one, twoThreadsMicroseconds: two, speedup: one / two });
      }
    }
  } finally {
    setTrainingThreads(1);
    setThreadThreshold(THREAD_MIN_WORK);
  }
  return rows;
}

export interface ScaleRow {
  threads: number;
  samplesPerSecond: number;
  secondsPerEpoch: number;
}

export interface ScaleResult {
  images: number;
  /** Seconds to read and prepare the IDX files (the product's loader). */
  loadSeconds: number;
  rows: ScaleRow[];
}

/** Writes `count` images (the digits repeated) and their labels as MNIST IDX files in `dir`. */
function writeIdx(dir: string, source: BenchData, count: number): { images: string; labels: string } {
  const size = 28 * 28;
  const images = Buffer.alloc(16 + count * size);
  images.writeUInt32BE(0x00000803, 0);
  images.writeUInt32BE(count, 4);
  images.writeUInt32BE(28, 8);
  images.writeUInt32BE(28, 12);
  const labels = Buffer.alloc(8 + count);
  labels.writeUInt32BE(0x00000801, 0);
  labels.writeUInt32BE(count, 4);
  for (let i = 0; i < count; i++) {
    const s = i % source.count;
    for (let k = 0; k < size; k++) images[16 + i * size + k] = Math.round(255 * Math.min(1, Math.max(0, source.inputs[s * size + k])));
    labels[8 + i] = source.labels[s];
  }
  const paths = { images: join(dir, 'train-images-idx3-ubyte'), labels: join(dir, 'train-labels-idx1-ubyte') };
  writeFileSync(paths.images, images);
  writeFileSync(paths.labels, labels);
  return paths;
}

/** One epoch of the 60,000 images per thread count (the same trainer, going on training). */
export function measureScale(mediaDir: string, counts: number[], images = 60_000): ScaleResult | string {
  let real: { train: BenchData; test: BenchData };
  try {
    real = digits(mediaDir);
  } catch (error) {
    return `digits unavailable: ${error instanceof Error ? error.message : String(error)}`;
  }
  const all: BenchData = {
    ...real.train,
    count: real.train.count + real.test.count,
    inputs: Float32Array.from([...real.train.inputs, ...real.test.inputs]),
    labels: Int32Array.from([...real.train.labels, ...real.test.labels]),
  };
  const dir = mkdtempSync(join(tmpdir(), 'nnspec-scale-'));
  try {
    const files = writeIdx(dir, all, images);
    const spec = [
      'network mnist-scale',
      'input 28x28',
      'dense 128 relu',
      'dense 64 relu',
      'dense 10 softmax',
      'loss cce',
      'optimizer sgd rate=0.1',
      'batch 64',
      `epochs ${counts.length + 1}`,
      'init he',
      'seed 1',
      `data "${files.images}" labels="${files.labels}"`,
      '',
    ].join('\n');
    const t0 = performance.now();
    const project = loadProject(spec, join(dir, 'scale.nnspec'), { assetsDir: mediaDir });
    if (!project.ok) return `the scale spec did not load: ${project.message}`;
    const loadSeconds = (performance.now() - t0) / 1000;
    const trainer = project.trainer;
    const rows: ScaleRow[] = [];
    // A short warm-up (JIT, tier-up of the wasm), then one full epoch per thread count.
    setTrainingThreads(counts[counts.length - 1]);
    for (let i = 0; i < 50; i++) trainer.stepOnce();
    for (const threads of counts) {
      setTrainingThreads(threads);
      const start = performance.now();
      const steps = trainer.stepsPerEpoch;
      for (let i = 0; i < steps; i++) trainer.stepOnce();
      const seconds = (performance.now() - start) / 1000;
      rows.push({ threads, samplesPerSecond: trainer.trainCount / seconds, secondsPerEpoch: seconds });
    }
    setTrainingThreads(1);
    return { images, loadSeconds, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export { defaultTrainingThreads };
