/**
 * The WebAssembly SIMD (f32x4) backend of the `Kernels` interface. The products are those of
 * kernels.ts and jsKernels.ts (row-major; A: m × n, W: p × n, Z and D: m × p, G: p × n); the
 * loops live in wasm/kernels.ts (AssemblyScript), compiled at build time into wasmBinary.ts.
 *
 * Two builds of that source are embedded: plain SIMD, and relaxed SIMD, whose products fuse every
 * vector multiply-add (f32x4.relaxed_madd: one FMA instruction, rounded once). The relaxed build
 * is taken where `WebAssembly.validate` accepts it (VS Code's Electron; Node 20 only with
 * --experimental-wasm-relaxed-simd), else the plain one. They agree to float rounding; results are
 * bit-identical run to run within one build, not across builds. `wasmKernels({ build: 'simd' })`
 * forces the plain build.
 *
 * Each call to wasmKernels() makes a fresh WebAssembly.Instance with its own linear memory,
 * so every Trainer owns its memory. `alloc` hands out Float32Array views of that memory:
 * the first call grows it to fit; once views exist, growing would detach them (a wasm memory
 * that grows gets a new ArrayBuffer), so a later alloc that does not fit throws instead.
 * The Trainer allocates all its buffers in one call and slices it, so it never hits that.
 *
 * Arrays that are not views of this instance's memory (plain Float32Arrays, another
 * instance's views) are still accepted: that call runs the plain JavaScript kernel instead.
 *
 * When WebAssembly memory cannot be had — V8 reserves about 10 GB of address space for each
 * memory (8 GB plus guard regions, so that bounds checks are free), which an address-space limit
 * such as `ulimit -v 11000000` forbids, and one memory holds at most 4 GiB — the plain JavaScript
 * kernels take over: wasmKernels() returns null when no instance can be made, and alloc() hands
 * out a plain Float32Array (every call then runs in JavaScript) when the memory cannot grow.
 * Either is reported once per process through the fallback listener (console.warn by default).
 *
 * Training threads (threadPool.ts): where the runtime shares WebAssembly memory between threads,
 * the instance is of the shared-memory build over a shared memory made here, and its big calls
 * (forward, backward, gradient, the update) are split across the threads set with
 * setTrainingThreads (wasmThreads.ts): each output computed by one thread exactly as in one call,
 * so the same bits at any number of threads. Elsewhere the own-memory build, on one thread.
 */
import type { Kernels } from './kernels';
import { jsKernels } from './jsKernels';
import { optimizeJs } from './optimizers';
import { wasmKernelsBase64, wasmKernelsRelaxedBase64, wasmKernelsRelaxedSharedBase64, wasmKernelsSharedBase64 } from './wasmBinary';
import { UPDATE_CHUNK, sharedMemoryAvailable, threadPool, trainingThreads } from './threadPool';
import { chunkedOptimize, splitter, type Splitter } from './wasmThreads';

// The few WebAssembly JS-API members used here. TypeScript declares them only in the DOM
// library, which src/core must not depend on (it runs in the worker, the CLI and tests).
interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
};

/** What wasm/kernels.ts exports. Pointers are byte offsets into `memory`; 0 means null. */
export interface KernelExports {
  memory: WasmMemory;
  heapBase(): number;
  /** The outputs of units j0 ≤ j < j1 only (all: 0, p). */
  forward(A: number, W: number, bias: number, Z: number, m: number, n: number, p: number, j0: number, j1: number): void;
  /** The columns k0 ≤ k < k1 only (k0 a multiple of 4; all: 0, n). */
  backward(D: number, W: number, dA: number, m: number, p: number, n: number, k0: number, k1: number): void;
  /** The units j0 ≤ j < j1 only (all: 0, p). */
  gradient(D: number, A: number, G: number, gb: number, m: number, p: number, n: number, scale: number, j0: number, j1: number): void;
  optimize(
    code: number, w: number, g: number, previous: number, s1: number, s2: number, p1: number, p2: number, count: number,
    l2: number, l1: number, rate: number, momentum: number, nesterov: number, beta1: number, beta2: number, rho: number, epsilon: number, correction2: number,
  ): number;
  multiply(X: number, M: number, out: number, count: number): void;
  gather(source: number, order: number, start: number, m: number, width: number, out: number): void;
  /** 1, or 0 when it has no loop for activation `code`. */
  activate(code: number, Z: number, A: number, count: number): number;
  /** 1, or 0 when it has no loop for activation `code`. */
  derive(code: number, Z: number, A: number, D: number, count: number): number;
  dropout(X: number, M: number, out: number, count: number, state: number, threshold: number, keep: number): void;
  peak(iterations: number, x: number): number;
}

const PAGE = 65536;
/** Views start on 16-byte boundaries (one f32x4). */
const ALIGN = 16;

/**
 * The kernel builds: 'relaxed-simd' (fused multiply-adds) and 'simd' (plain). A Kernels' name says
 * which one computes: 'wasm-relaxed-simd' or 'wasm-simd' (or 'js' after a fallback).
 */
export type WasmBuild = 'relaxed-simd' | 'simd';

const compiled: Partial<Record<WasmBuild, WasmModule | null>> = {};
const unavailableReasons: Partial<Record<WasmBuild, string>> = {};

/** Does this runtime accept the relaxed-SIMD build? (WebAssembly.validate, asked once.) */
let relaxedValid: boolean | undefined;
export function relaxedSimdAvailable(): boolean {
  if (relaxedValid === undefined) {
    try {
      relaxedValid = typeof WebAssembly === 'object' && WebAssembly.validate(decodeBase64(wasmKernelsRelaxedBase64));
    } catch {
      relaxedValid = false;
    }
  }
  return relaxedValid;
}

/** The build wasmKernels() takes by default here: relaxed SIMD where validate accepts it, else plain SIMD. */
export function defaultWasmBuild(): WasmBuild {
  return relaxedSimdAvailable() ? 'relaxed-simd' : 'simd';
}

/** The compiled module of `build` (compiled once per process), or null where it cannot be compiled. */
export function wasmKernelsModule(build: WasmBuild = defaultWasmBuild()): WasmModule | null {
  const known = compiled[build];
  if (known !== undefined) return known;
  compiled[build] = null;
  try {
    if (typeof WebAssembly !== 'object') throw new Error('this runtime has no WebAssembly');
    compiled[build] = new WebAssembly.Module(decodeBase64(build === 'relaxed-simd' ? wasmKernelsRelaxedBase64 : wasmKernelsBase64));
  } catch (error) {
    const what = build === 'relaxed-simd' ? 'WebAssembly relaxed-SIMD' : 'WebAssembly SIMD';
    unavailableReasons[build] = `${what} kernels cannot be compiled here (${error instanceof Error ? error.message : String(error)})`;
  }
  return compiled[build] ?? null;
}

const compiledShared: Partial<Record<WasmBuild, WasmModule | null>> = {};

/** The shared-memory twin of `build` (compiled once per process), or null where shared WebAssembly memory is unavailable. */
function sharedKernelsModule(build: WasmBuild): WasmModule | null {
  const known = compiledShared[build];
  if (known !== undefined) return known;
  compiledShared[build] = null;
  try {
    if (sharedMemoryAvailable() && wasmKernelsModule(build) !== null) {
      compiledShared[build] = new WebAssembly.Module(decodeBase64(build === 'relaxed-simd' ? wasmKernelsRelaxedSharedBase64 : wasmKernelsSharedBase64));
    }
  } catch {
    // No threads here: the own-memory build, on one thread.
  }
  return compiledShared[build] ?? null;
}

/** The most pages a shared memory may grow to (wasm/build.mjs SHARED_MAXIMUM_PAGES: 4 GiB). */
const SHARED_MAXIMUM_PAGES = 65536;

/**
 * A fresh instance of the shared-memory build over a new shared memory, with what a helper thread
 * needs to instantiate the same module over the same memory; null where that cannot be had
 * (then the own-memory build serves, on one thread).
 */
function instantiateShared(build: WasmBuild): { exports: KernelExports; module: WasmModule; memory: WasmMemory } | null {
  const module = sharedKernelsModule(build);
  if (module === null) return null;
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAXIMUM_PAGES, shared: true });
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
    return { exports, module, memory };
  } catch {
    return null;
  }
}

/** Why wasmKernels() returns null in this runtime; undefined when it does not. */
export function wasmUnavailableReason(build: WasmBuild = defaultWasmBuild()): string | undefined {
  wasmKernelsModule(build);
  return unavailableReasons[build];
}

/** Says once per process and kind that the JavaScript kernels took over, and why. */
let fallbackListener: (message: string) => void = (message) => console.warn(`nnspec: ${message}`);
const reported = new Set<string>();

/** Where fallback notices go (the CLI's stderr, a log channel); returns the previous listener. */
export function onWasmFallback(listener: (message: string) => void): (message: string) => void {
  const previous = fallbackListener;
  fallbackListener = listener;
  return previous;
}

function reportFallback(kind: 'instance' | 'grow', message: string): void {
  if (reported.has(kind)) return;
  reported.add(kind);
  fallbackListener(message);
}

/** Forgets what was reported (tests). */
export function resetWasmFallbackReports(): void {
  reported.clear();
}

/**
 * A fresh instance of the raw exports (own memory), or null where WebAssembly SIMD is unavailable
 * or its memory cannot be reserved (reported through the fallback listener).
 */
export function instantiateWasmKernels(build: WasmBuild = defaultWasmBuild()): KernelExports | null {
  const module = wasmKernelsModule(build);
  if (module === null) return null;
  try {
    return new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    reportFallback(
      'instance',
      `WebAssembly memory cannot be reserved here (${detail}): training with the plain JavaScript kernels, which are slower. ` +
        'Each WebAssembly memory reserves about 10 GB of address space; an address-space limit (`ulimit -v`) below that forbids it — raise or remove the limit to get the WebAssembly SIMD kernels back.',
    );
    return null;
  }
}

/**
 * WebAssembly SIMD kernels with their own memory, or null where WebAssembly SIMD is unavailable.
 * `build`: which kernel build (default: relaxed SIMD where the runtime validates it, else plain SIMD).
 * Where memory can be shared between threads, the instance is that build's shared-memory twin.
 */
export function wasmKernels(options: { build?: WasmBuild } = {}): Kernels | null {
  const build = options.build ?? defaultWasmBuild();
  const shared = instantiateShared(build);
  const exports = shared?.exports ?? instantiateWasmKernels(build);
  if (exports === null) return null;
  /** Splits big calls across the training threads (shared memory only). */
  const split: Splitter | null = shared ? splitter(shared.exports, shared.module, shared.memory) : null;
  const { memory } = exports;
  const js = jsKernels();
  let top = Math.max(ALIGN, alignUp(exports.heapBase()));
  /** 16 bytes for the dropout kernel's generator words (before any view: the memory never has to grow for them). */
  const randomWordsAt = top;
  top += ALIGN;
  let randomWords: Int32Array | null = null;
  /** The memory's ArrayBuffer; replaced only when alloc grows the memory, which it does only before any view exists. */
  let buffer = memory.buffer;
  let viewsHandedOut = false;
  /** Set when the memory could not grow to the first alloc: every buffer is plain JavaScript memory and every call runs the JavaScript kernels. */
  let plain = false;

  function alloc(length: number): Float32Array {
    if (plain) return new Float32Array(length);
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`wasm kernels: alloc(${length}): the length must be a whole number ≥ 0`);
    const end = top + alignUp(length * 4);
    if (end > memory.buffer.byteLength) {
      if (viewsHandedOut) {
        throw new Error(
          `wasm kernels: alloc(${length}) needs ${end} bytes of linear memory but only ${memory.buffer.byteLength} are reserved, ` +
            'and growing the memory would detach the Float32Array views already handed out. ' +
            'Allocate every buffer in the first alloc call and slice it with subarray.',
        );
      }
      try {
        memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
      } catch (error) {
        // More than one WebAssembly memory can hold (4 GiB), or more than the machine gives it:
        // plain JavaScript arrays and kernels instead.
        reportFallback(
          'grow',
          `WebAssembly memory cannot grow to ${(end / 2 ** 20).toFixed(1)} MiB (${error instanceof Error ? error.message : String(error)}): ` +
            'this network trains with the plain JavaScript kernels, which are slower.',
        );
        plain = true;
        return new Float32Array(length);
      }
    }
    buffer = memory.buffer;
    const view = new Float32Array(buffer, top, length);
    top = end;
    viewsHandedOut = true;
    return view;
  }

  /**
   * Is `array` a view of this instance's memory? Reading `array.buffer` costs tens of nanoseconds,
   * which adds up on the one-sample steps of small networks (a dozen kernel calls a step), so an
   * array once found to be a view is marked with a symbol-keyed property holding this memory's
   * buffer: the next check is one property load. Sound because a typed array never changes buffer
   * and this memory never grows (so never changes buffer) once views exist.
   */
  const isView = (array: Float32Array): boolean => {
    if ((array as Marked)[IN_MEMORY] === buffer) return true;
    if (array.buffer !== buffer) return false;
    if (Object.isExtensible(array)) (array as Marked)[IN_MEMORY] = buffer;
    return true;
  };
  const inMemory = (a: Float32Array | null, b: Float32Array | null, c: Float32Array | null, d: Float32Array | null): boolean =>
    (a === null || isView(a)) && (b === null || isView(b)) && (c === null || isView(c)) && (d === null || isView(d));
  const address = (array: Float32Array | null): number => (array === null ? 0 : array.byteOffset);

  return {
    get name() {
      return plain ? 'js' : `wasm-${build}`;
    },
    alloc,
    threadsUsed() {
      return split !== null && !plain && split.splits() > 0 && threadPool() !== null ? trainingThreads() : 1;
    },
    forward(A, W, bias, Z, m, n, p) {
      need(A, m * n, 'forward', 'A', 'm × n');
      need(W, p * n, 'forward', 'W', 'p × n');
      need(bias, p, 'forward', 'bias', 'p');
      need(Z, m * p, 'forward', 'Z', 'm × p');
      if (!inMemory(A, W, bias, Z)) return js.forward(A, W, bias, Z, m, n, p);
      const a = A.byteOffset, w = W.byteOffset, b = bias === null ? 0 : bias.byteOffset, z = Z.byteOffset;
      if (split === null || !split.forward(a, w, b, z, m, n, p)) exports.forward(a, w, b, z, m, n, p, 0, p);
    },
    backward(D, W, dA, m, p, n) {
      need(D, m * p, 'backward', 'D', 'm × p');
      need(W, p * n, 'backward', 'W', 'p × n');
      need(dA, m * n, 'backward', 'dA', 'm × n');
      if (!inMemory(D, W, dA, null)) return js.backward(D, W, dA, m, p, n);
      if (split === null || !split.backward(D.byteOffset, W.byteOffset, dA.byteOffset, m, p, n)) exports.backward(D.byteOffset, W.byteOffset, dA.byteOffset, m, p, n, 0, n);
    },
    gradient(D, A, G, gb, m, p, n, scale) {
      need(D, m * p, 'gradient', 'D', 'm × p');
      need(A, m * n, 'gradient', 'A', 'm × n');
      need(G, p * n, 'gradient', 'G', 'p × n');
      need(gb, p, 'gradient', 'gb', 'p');
      if (!inMemory(D, A, G, gb)) return js.gradient(D, A, G, gb, m, p, n, scale);
      const d = D.byteOffset, a = A.byteOffset, g = G.byteOffset, b = gb === null ? 0 : gb.byteOffset;
      if (split === null || !split.gradient(d, a, g, b, m, p, n, scale)) exports.gradient(d, a, g, b, m, p, n, scale, 0, p);
    },
    optimize(code, p, count, s) {
      need(p.w, count, 'optimize', 'w', 'count');
      need(p.g, count, 'optimize', 'g', 'count');
      need(p.previous, count, 'optimize', 'previous', 'count');
      need(p.s1, count, 'optimize', 's1', 'count');
      need(p.s2, count, 'optimize', 's2', 'count');
      need(p.p1, count, 'optimize', 'p1', 'count');
      need(p.p2, count, 'optimize', 'p2', 'count');
      if (!inMemory(p.w, p.g, p.previous, p.s1) || !inMemory(p.s2, p.p1, p.p2, null)) return optimizeJs(code, p, count, s);
      const chunked = split !== null ? split.optimize(code, p, count, s, address) : count > UPDATE_CHUNK ? chunkedOptimize(exports, code, p, count, s, address) : null;
      if (chunked !== null) return chunked;
      return exports.optimize(
        code, p.w.byteOffset, p.g.byteOffset, p.previous.byteOffset, address(p.s1), address(p.s2), address(p.p1), address(p.p2), count,
        p.l2, p.l1, s.rate, s.momentum, s.nesterov, s.beta1, s.beta2, s.rho, s.epsilon, s.correction2,
      );
    },
    multiply(X, M, out, count) {
      need(X, count, 'multiply', 'X', 'count');
      need(M, count, 'multiply', 'M', 'count');
      need(out, count, 'multiply', 'out', 'count');
      if (!inMemory(X, M, out, null)) {
        for (let i = 0; i < count; i++) out[i] = X[i] * M[i];
        return;
      }
      exports.multiply(X.byteOffset, M.byteOffset, out.byteOffset, count);
    },
    gather(source, order, start, m, width, out) {
      need(out, m * width, 'gather', 'out', 'm × width');
      if (start < 0 || start + m > order.length) throw new RangeError(`wasm kernels: gather: rows ${start}…${start + m - 1} of an order of ${order.length}`);
      if (!inMemory(source, out, null, null) || order.buffer !== buffer) return false;
      if (split === null || !split.gather(source.byteOffset, order.byteOffset, start, m, width, out.byteOffset)) {
        exports.gather(source.byteOffset, order.byteOffset, start, m, width, out.byteOffset);
      }
      return true;
    },
    activate(code, Z, A, count) {
      need(Z, count, 'activate', 'Z', 'count');
      need(A, count, 'activate', 'A', 'count');
      return inMemory(Z, A, null, null) && exports.activate(code, Z.byteOffset, A.byteOffset, count) !== 0;
    },
    derive(code, Z, A, D, count) {
      need(Z, count, 'derive', 'Z', 'count');
      need(A, count, 'derive', 'A', 'count');
      need(D, count, 'derive', 'D', 'count');
      return inMemory(Z, A, D, null) && exports.derive(code, Z.byteOffset, A.byteOffset, D.byteOffset, count) !== 0;
    },
    dropout(X, M, out, count, p, random) {
      need(X, count, 'dropout', 'X', 'count');
      need(M, count, 'dropout', 'M', 'count');
      need(out, count, 'dropout', 'out', 'count');
      const threshold = p * 4294967296;
      const keep = 1 / (1 - p);
      if (!inMemory(X, M, out, null)) {
        for (let i = 0; i < count; i++) M[i] = random.nextUint32() < threshold ? 0 : keep;
        for (let i = 0; i < count; i++) out[i] = X[i] * M[i];
        return;
      }
      if (randomWords === null || randomWords.buffer !== memory.buffer) randomWords = new Int32Array(memory.buffer, randomWordsAt, 4);
      random.copyWords(randomWords);
      exports.dropout(X.byteOffset, M.byteOffset, out.byteOffset, count, randomWordsAt, threshold, keep);
      random.setWords(randomWords);
    },
  };
}

/**
 * The wasm code reads memory by address, so an array shorter than its m/n/p claim would be
 * read past its end (someone else's buffer) instead of failing: refuse it with a message.
 * Plain arguments, no arrays: nothing allocated per kernel call.
 */
function need(array: Float32Array | null, needed: number, kernel: string, name: string, shape: string): void {
  if (array !== null && array.length < needed) {
    throw new RangeError(`wasm kernels: ${kernel}: ${name} has ${array.length} values but ${shape} = ${needed} are needed`);
  }
}

/** The property that marks a Float32Array as a view of one instance's memory (its value: that memory's buffer). */
const IN_MEMORY = Symbol('nnspec.wasmKernels.memory');
type Marked = Float32Array & { [IN_MEMORY]?: ArrayBuffer };

function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

function decodeBase64(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
