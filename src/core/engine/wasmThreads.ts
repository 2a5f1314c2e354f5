/**
 * Splits one wasm kernels instance's big calls across the training threads (threadPool.ts):
 * forward and the weight gradient by ranges of units j, backward by ranges of columns k, the
 * update by ranges of parameters. Used by wasmKernels.ts for an instance over shared memory;
 * each method returns false when the call is not worth splitting (or no pool is at hand) and
 * the caller then makes the one-thread call. The bits are the same either way.
 */
import type { ParameterArrays, StepScalars } from './optimizers';
import { JOB, MAX_CHUNKS } from './threadJobs';
import { CHUNK_MIN_WORK, UPDATE_CHUNK, threadPool, threadThreshold, trainingThreads, type ThreadPool } from './threadPool';

/** Chunks per thread (several, so a helper that wakes late leaves little for the caller to wait on). */
const CHUNKS_PER_THREAD = 4;

export interface Splitter {
  forward(A: number, W: number, bias: number, Z: number, m: number, n: number, p: number): boolean;
  backward(D: number, W: number, dA: number, m: number, p: number, n: number): boolean;
  gradient(D: number, A: number, G: number, gb: number, m: number, p: number, n: number, scale: number): boolean;
  /** The batch rows' copy (wasm/kernels.ts gather), by ranges of rows. */
  gather(source: number, order: number, start: number, m: number, width: number, out: number): boolean;
  /** Calls split so far (0: every call of this instance so far stayed on the calling thread). */
  splits(): number;
  /** The update over `count` parameters: Σ w² after it, or null when the caller should do it in one call. */
  optimize(code: number, p: ParameterArrays, count: number, s: StepScalars, address: (array: Float32Array | null) => number): number | null;
}

/** `exports`: this instance's; `module`, `memory`: what a helper instantiates to share its memory. */
export function splitter(exports: object, module: unknown, memory: unknown): Splitter {
  let attachedTo: ThreadPool | null = null;
  let splits = 0;
  let memoryId = 0;
  const self = {};
  const registry = new FinalizationRegistry<{ pool: ThreadPool; id: number }>(({ pool, id }) => pool.forget(id));

  /** The pool and the helpers to use, or null for one thread. */
  function pool(): ThreadPool | null {
    const threads = trainingThreads();
    if (threads < 2) return null;
    const current = threadPool();
    if (current === null) return null;
    current.ensureHelpers(threads - 1);
    if (attachedTo !== current) {
      attachedTo = current;
      memoryId = current.attach(module, memory);
      registry.register(self, { pool: current, id: memoryId });
    }
    return current;
  }

  /** Fills bounds with `chunks` ranges of [0, total) cut at multiples of `step` (the last ends at total). */
  function cut(target: ThreadPool, total: number, chunks: number, step: number): number {
    const size = Math.ceil(total / chunks / step) * step;
    let c = 0;
    for (let start = 0; start < total; start += size) target.bounds[c++] = start;
    target.bounds[c] = total;
    return c;
  }

  function chunksFor(work: number, threads: number): number {
    return Math.max(2, Math.min(threads * CHUNKS_PER_THREAD, Math.floor(work / CHUNK_MIN_WORK)));
  }

  function splitCall(code: number, values: number[], work: number, total: number, step: number): boolean {
    if (work < threadThreshold() || total < 2 * step) return false;
    const target = pool();
    if (target === null) return false;
    const threads = trainingThreads();
    const chunks = cut(target, total, chunksFor(work, threads), step);
    if (chunks < 2) return false;
    for (let i = 0; i < values.length; i++) target.args[4 + i] = values[i];
    target.execute(exports, memoryId, code, chunks, threads - 1);
    splits++;
    return true;
  }

  return {
    splits: () => splits,
    forward: (A, W, bias, Z, m, n, p) => splitCall(JOB.forward, [A, W, bias, Z, m, n, p], m * n * p, p, 4),
    backward: (D, W, dA, m, p, n) => splitCall(JOB.backward, [D, W, dA, m, p, n], m * n * p, n, 8),
    gradient: (D, A, G, gb, m, p, n, scale) => splitCall(JOB.gradient, [D, A, G, gb, m, p, n, scale], m * n * p, p, 4),
    // A copy moves each value once, but from rows scattered over the training set (cache misses a
    // second thread's core waits on alongside): counted as 16 multiply-adds of work per value, so
    // that C's batch (64 rows of 784) is split (docs/performance.md, "Threads").
    gather: (source, order, start, m, width, out) => splitCall(JOB.gather, [source, order, start, width, out], 16 * m * width, m, 1),
    optimize(code, p, count, s, address) {
      // Past UPDATE_CHUNK parameters the update always goes in chunks of UPDATE_CHUNK, summed in
      // order, on one thread or several: Σ w² then has the same bits at any number of threads.
      if (count <= UPDATE_CHUNK) return null;
      const chunks = Math.ceil(count / UPDATE_CHUNK);
      // An update reads and writes some 8 arrays per parameter: counted as 8 multiply-adds of work.
      const target = chunks >= 2 && 8 * count >= threadThreshold() ? pool() : null;
      if (target === null || chunks > MAX_CHUNKS) return chunkedOptimize(exports as OptimizeExport, code, p, count, s, address);
      for (let c = 0; c < chunks; c++) target.bounds[c] = c * UPDATE_CHUNK;
      target.bounds[chunks] = count;
      const args = target.args;
      args[4] = code;
      args[5] = address(p.w);
      args[6] = address(p.g);
      args[7] = address(p.previous);
      args[8] = address(p.s1);
      args[9] = address(p.s2);
      args[10] = address(p.p1);
      args[11] = address(p.p2);
      args[12] = p.l2;
      args[13] = p.l1;
      args[14] = s.rate;
      args[15] = s.momentum;
      args[16] = s.nesterov;
      args[17] = s.beta1;
      args[18] = s.beta2;
      args[19] = s.rho;
      args[20] = s.epsilon;
      args[21] = s.correction2;
      splits++;
      return target.execute(exports, memoryId, JOB.optimize, chunks, trainingThreads() - 1);
    },
  };
}

interface OptimizeExport {
  optimize(
    code: number, w: number, g: number, previous: number, s1: number, s2: number, p1: number, p2: number, count: number,
    l2: number, l1: number, rate: number, momentum: number, nesterov: number, beta1: number, beta2: number, rho: number, epsilon: number, correction2: number,
  ): number;
}

/**
 * The update on the calling thread in the chunks a split update uses (UPDATE_CHUNK parameters
 * each, Σ w² added in chunk order), so that one thread and several give the same sum. Any wasm
 * instance, shared memory or not, updates this way.
 */
export function chunkedOptimize(
  exports: OptimizeExport, code: number, p: ParameterArrays, count: number, s: StepScalars, address: (array: Float32Array | null) => number,
): number {
  const w = address(p.w), g = address(p.g), previous = address(p.previous);
  const s1 = address(p.s1), s2 = address(p.s2), p1 = address(p.p1), p2 = address(p.p2);
  const moved = (at: number, offset: number): number => (at === 0 ? 0 : at + offset);
  let sum = 0;
  for (let lo = 0; lo < count; lo += UPDATE_CHUNK) {
    const o = 4 * lo;
    const n = Math.min(UPDATE_CHUNK, count - lo);
    sum += exports.optimize(
      code, w + o, g + o, previous + o, moved(s1, o), moved(s2, o), moved(p1, o), moved(p2, o), n,
      p.l2, p.l1, s.rate, s.momentum, s.nesterov, s.beta1, s.beta2, s.rho, s.epsilon, s.correction2,
    );
  }
  return sum;
}
