/**
 * How a trainer computes, in words a user reads (the panel's speed readout, `nnspec train`'s
 * summary): which kernel build and on how many threads its big calls ran.
 */

export interface ComputeInfo {
  /** The kernels' name: 'wasm-relaxed-simd', 'wasm-simd' or 'js'. */
  kernels: string;
  /** Threads that compute the split calls now: 1 until some call was big enough to split (threadPool.ts's THREAD_MIN_WORK). */
  threads: number;
  /** Threads set (nnspec.threads, --threads): more than `threads` when no call of this network is big enough to split, or the pool stopped. */
  threadsSet: number;
}

const KERNELS: Record<string, string> = {
  'wasm-relaxed-simd': 'WebAssembly SIMD kernels with fused multiply-add',
  'wasm-simd': 'WebAssembly SIMD kernels',
  js: 'JavaScript kernels',
};

/** "WebAssembly SIMD kernels, 2 threads"; "JavaScript kernels, 1 thread of the 2 set: this network's calls are too small to split". */
export function describeCompute(info: ComputeInfo): string {
  const kernels = KERNELS[info.kernels] ?? `${info.kernels} kernels`;
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  const set = info.threadsSet > info.threads ? ` of the ${info.threadsSet} set: this network's calls are too small to split` : '';
  return `${kernels}, ${threads}${set}`;
}
