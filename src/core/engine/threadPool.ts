/**
 * The training threads: a small pool of worker_threads that help the calling thread with the
 * big kernel calls (forward, backward δ, the weight gradient, the optimizer's update) over the
 * kernels' shared WebAssembly memory. One pool per JavaScript thread that trains (the extension's
 * training worker, the CLI's main thread, the benchmark), made on the first call that is worth
 * splitting; its helpers are unref'd, so they never keep a process alive.
 *
 * A call is split into chunks of outputs (threadJobs.ts) and every thread, the caller too, claims
 * chunks until none is left, then the caller waits (Atomics.wait) for the others' chunks. Each
 * output element is computed by one thread with exactly the operations of the one-thread call
 * (wasm/kernels.ts, "Ranges"), so the results are bit-identical at any number of threads.
 *
 * The number of threads is one setting per JavaScript thread (setTrainingThreads): the CLI's
 * --threads, the extension's nnspec.threads. Where SharedArrayBuffer, shared WebAssembly memory
 * or worker_threads are missing, everything runs on the calling thread, as with 1.
 *
 * A helper that throws makes the call fail with its message; one that dies or hangs in the
 * middle of a call makes it fail after HELPER_TIMEOUT_MS at most (at once when it exited); either
 * way the pool is shut and later calls run on the calling thread alone, after one notice.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import * as os from 'node:os';
import { ARGS_LENGTH, CHUNK_SOURCE, CLOSED, CTL, HELPER_SOURCE, JOB, MAX_CHUNKS, MAX_HELPERS } from './threadJobs';

/** Most threads a setting may ask for (the caller + MAX_HELPERS helpers). */
export const MAX_THREADS = MAX_HELPERS + 1;

/**
 * The default number of training threads: min(cores − 1, 4), at least 1. One core is left to the
 * VS Code window and extension host (and the rest of the machine); beyond 4 the kernels of a
 * feed-forward network this size gain little (see docs/performance.md, "Threads").
 */
export function defaultTrainingThreads(cores: number = availableCores()): number {
  return Math.max(1, Math.min(cores - 1, 4));
}

export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Parses a thread count as a user gives it ("auto", 0 = auto, or a whole number 1…MAX_THREADS):
 * the count, or an error message saying what is wrong (without the option's name).
 */
export function parseThreads(value: unknown): { threads: number } | { error: string } {
  if (value === 'auto' || value === 0 || value === '0') return { threads: defaultTrainingThreads() };
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < 1 || number > MAX_THREADS) {
    const shown = typeof value === 'string' ? `'${value}'` : String(value);
    return { error: `${shown} is not a number of threads: expected a whole number from 1 to ${MAX_THREADS}, or 0 or auto for min(cores − 1, 4), at least 1 (${defaultTrainingThreads()} on this machine's ${availableCores()} cores)` };
  }
  return { threads: number };
}

let configured = 1;

/** Sets the number of threads this JavaScript thread's kernels compute with from now on (1 = no helpers). */
export function setTrainingThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new RangeError(`training threads: ${threads} is not a whole number from 1 to ${MAX_THREADS}`);
  }
  configured = threads;
}

/** The number of threads set (1 unless setTrainingThreads said otherwise). */
export function trainingThreads(): number {
  return configured;
}

/**
 * Below this many multiply-adds a kernel call stays on the calling thread: handing work to a
 * helper (a notify, its wake-up, the caller waiting for its last chunk) costs microseconds to tens
 * of microseconds, which a call of ~20 µs (≈ 500k multiply-adds at 25 GFLOP/s) does not repay.
 * In network C that splits the first layer's products (64 × 784 × 128) and the second's
 * (64 × 128 × 64); A's and B's (10 × 784 × 16 or 30) stay on one thread. The benchmark's
 * "Where the split pays" table measures it (docs/performance.md, "Threads").
 */
export const THREAD_MIN_WORK = 524288;

let threshold = THREAD_MIN_WORK;
/** The work (multiply-adds) from which calls are split: THREAD_MIN_WORK unless the benchmark, measuring below it, says otherwise. */
export function threadThreshold(): number {
  return threshold;
}
/** For the benchmark's threshold measurement (bench/threads.ts): split calls from `work` multiply-adds on. */
export function setThreadThreshold(work: number): void {
  threshold = work;
}
/** The least work (multiply-adds, or parameters for an update) in one chunk. */
export const CHUNK_MIN_WORK = 16384;
/**
 * An update over more parameters than this is done in chunks of exactly this many (in one
 * thread or several alike), so its Σ w² is summed the same way at any number of threads.
 */
export const UPDATE_CHUNK = 16384;
/** A helper that holds a chunk this long is taken for dead or hung (the call then fails). */
export const HELPER_TIMEOUT_MS = 10_000;

/** Can this runtime share WebAssembly memory between threads? (asked once) */
let sharedSupport: boolean | undefined;
export function sharedMemoryAvailable(): boolean {
  if (sharedSupport === undefined) {
    try {
      sharedSupport =
        typeof SharedArrayBuffer === 'function' &&
        typeof Atomics === 'object' &&
        typeof Worker === 'function' &&
        new (WebAssembly as unknown as { Memory: new (d: object) => { buffer: unknown } }).Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
    } catch {
      sharedSupport = false;
    }
  }
  return sharedSupport;
}

/** The few kernel exports a chunk calls (wasmKernels.ts's KernelExports). */
type ChunkExports = object;
type ChunkRunner = (exports: ChunkExports, args: Float64Array, bounds: Int32Array, sums: Float64Array, c: number) => void;

interface Helper {
  worker: Worker;
  port: MessagePort;
  exited: boolean;
}

let notice: (message: string) => void = (message) => console.warn(`nnspec: ${message}`);

/** Where the pool's notices go (a helper that stopped; the CLI's stderr, a log); returns the previous listener. */
export function onThreadNotice(listener: (message: string) => void): (message: string) => void {
  const previous = notice;
  notice = listener;
  return previous;
}

export class ThreadPool {
  readonly control = new Int32Array(new SharedArrayBuffer(CTL.LENGTH * 4));
  readonly args = new Float64Array(new SharedArrayBuffer(ARGS_LENGTH * 8));
  readonly bounds = new Int32Array(new SharedArrayBuffer((MAX_CHUNKS + 1) * 4));
  readonly sums = new Float64Array(new SharedArrayBuffer(MAX_CHUNKS * 8));
  /** owners[c]: the helper index + 1 that claimed chunk c of the current job (0: the caller). */
  readonly owners = new Int32Array(new SharedArrayBuffer(MAX_CHUNKS * 4));
  readonly errorText = new Uint8Array(new SharedArrayBuffer(1024));
  private readonly helpers: Helper[] = [];
  private readonly memories = new Map<number, { module: unknown; memory: unknown }>();
  private nextMemoryId = 1;
  private generation = 0;
  private readonly run: ChunkRunner = new Function(`return (${CHUNK_SOURCE});`)() as ChunkRunner;
  /** Why the pool no longer takes work (a helper failed, or it was shut); null while it does. */
  closed: string | null = null;
  timeoutMs = HELPER_TIMEOUT_MS;
  /**
   * false: the caller only waits and the helpers compute every chunk (the tests use it to be sure
   * the helpers' results are the ones checked); true (the product) the caller takes chunks too.
   */
  callerTakesChunks = true;

  constructor() {
    Atomics.store(this.control, CTL.CLAIM, CLOSED);
  }

  /** Helpers started so far (some may still be starting: they join the calls once they run). */
  get size(): number {
    return this.helpers.length;
  }

  /** Helpers that have not exited. */
  get alive(): number {
    return this.helpers.filter((helper) => !helper.exited).length;
  }

  /** Chunks helpers have computed so far. */
  get helped(): number {
    return Atomics.load(this.control, CTL.HELPED);
  }

  /** Resolves once `count` helpers run their loop (started with ensureHelpers); rejects after `timeoutMs`. */
  async ready(count: number, timeoutMs = 30_000): Promise<void> {
    this.ensureHelpers(count);
    const started = Date.now();
    while (Atomics.load(this.control, CTL.READY) < count) {
      if (this.closed !== null) throw new Error(this.closed);
      if (Date.now() - started > timeoutMs) throw new Error(`training threads: ${Atomics.load(this.control, CTL.READY)} of ${count} helpers started in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Starts helpers until there are `count` (they start asynchronously). */
  ensureHelpers(count: number): void {
    while (this.closed === null && this.helpers.length < Math.min(count, MAX_HELPERS)) this.spawn();
  }

  private spawn(): void {
    const id = this.helpers.length;
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(HELPER_SOURCE, {
      eval: true,
      workerData: {
        control: this.control.buffer,
        argsBuffer: this.args.buffer,
        boundsBuffer: this.bounds.buffer,
        sumsBuffer: this.sums.buffer,
        ownersBuffer: this.owners.buffer,
        errorBuffer: this.errorText.buffer,
        id,
        port: port2,
      },
      transferList: [port2],
      name: `nnspec training thread ${id + 1}`,
    });
    worker.unref();
    const helper: Helper = { worker, port: port1, exited: false };
    worker.on('error', (error) => {
      if (this.closed === null) notice(`training thread ${id + 1} failed (${error.message}); training goes on with the others`);
    });
    worker.on('exit', (code) => {
      helper.exited = true;
      if (this.closed === null) notice(`training thread ${id + 1} stopped (exit code ${code}); training goes on with the others`);
    });
    this.helpers.push(helper);
    for (const [memoryId, { module, memory }] of this.memories) port1.postMessage({ attach: memoryId, module, memory });
    this.mail();
  }

  private mail(): void {
    Atomics.add(this.control, CTL.MAIL, 1);
    for (let i = 0; i < this.helpers.length; i++) {
      Atomics.add(this.control, CTL.WAKE + i, 1);
      Atomics.notify(this.control, CTL.WAKE + i);
    }
  }

  /** Makes a shared memory (and the module to instantiate over it) known to the helpers; returns its id. */
  attach(module: unknown, memory: unknown): number {
    const id = this.nextMemoryId++;
    this.memories.set(id, { module, memory });
    for (const helper of this.helpers) helper.port.postMessage({ attach: id, module, memory });
    this.mail();
    return id;
  }

  /** The helpers drop their instance over memory `id` (its kernels were collected). */
  forget(id: number): void {
    if (!this.memories.delete(id) || this.closed !== null) return;
    for (const helper of this.helpers) helper.port.postMessage({ forget: id });
    this.mail();
  }

  /**
   * Runs job `code` (its kernel arguments already in args[4…], its chunk bounds in
   * bounds[0…chunks]) on the caller's `exports` and up to `helpers` helpers; returns Σ sums[c]
   * in chunk order (optimize's Σ w²; 0 for the products). Throws when a helper failed.
   */
  execute(exports: ChunkExports, memoryId: number, code: number, chunks: number, helpers: number): number {
    const { control, args, bounds, sums, owners, run } = this;
    if (chunks < 1 || chunks > MAX_CHUNKS) throw new RangeError(`training threads: ${chunks} chunks (1…${MAX_CHUNKS})`);
    args[0] = code;
    args[1] = memoryId;
    args[2] = chunks;
    args[3] = helpers;
    owners.fill(0, 0, chunks);
    Atomics.store(control, CTL.DONE, 0);
    Atomics.store(control, CTL.ERROR, 0);
    const deathsBefore = Atomics.load(control, CTL.DEATHS);
    this.generation = (this.generation + 1) & 0x3fffff;
    const open = this.generation << 10;
    Atomics.store(control, CTL.CLAIM, open);
    for (let i = 0; i < helpers && i < this.helpers.length; i++) {
      Atomics.add(control, CTL.WAKE + i, 1);
      Atomics.notify(control, CTL.WAKE + i, 1);
    }
    // The caller takes chunks like any helper.
    let failure: unknown = null;
    while (this.callerTakesChunks || helpers === 0) {
      const word = Atomics.load(control, CTL.CLAIM);
      const c = word & 1023;
      if (c >= chunks) break;
      if (Atomics.compareExchange(control, CTL.CLAIM, word, word + 1) !== word) continue;
      try {
        if (failure === null) run(exports, args, bounds, sums, c);
      } catch (error) {
        failure = error;
      }
      Atomics.add(control, CTL.DONE, 1);
    }
    // Then waits for the chunks helpers took: a short spin (they are usually nearly done), then
    // sleeps in slices, watching for a helper that exited with a chunk in hand.
    const started = performance.now();
    for (;;) {
      const done = Atomics.load(control, CTL.DONE);
      if (done >= chunks) break;
      let spins = 0;
      while (spins < 4000 && Atomics.load(control, CTL.DONE) === done) spins++;
      if (Atomics.load(control, CTL.DONE) !== done) continue;
      Atomics.wait(control, CTL.DONE, done, 20);
      const dead = Atomics.load(control, CTL.DEATHS) !== deathsBefore ? this.deadOwner(chunks) : -1;
      if (dead >= 0) {
        Atomics.store(control, CTL.CLAIM, open | CLOSED);
        this.fail(`training thread ${dead + 1} exited in the middle of ${jobName(code)}`);
      }
      if (performance.now() - started > this.timeoutMs) {
        Atomics.store(control, CTL.CLAIM, open | CLOSED);
        const late = this.lateOwner(chunks);
        this.fail(`training thread ${late + 1} did not finish its part of ${jobName(code)} in ${(this.timeoutMs / 1000).toFixed(1)} s (it died or hangs)`);
      }
    }
    Atomics.store(control, CTL.CLAIM, open | CLOSED);
    const errorFrom = Atomics.load(control, CTL.ERROR);
    if (errorFrom !== 0) {
      const text = new TextDecoder().decode(this.errorText.slice(0, this.errorText.indexOf(0) < 0 ? undefined : this.errorText.indexOf(0)));
      this.fail(`training thread ${errorFrom} failed in ${jobName(code)}: ${text}`);
    }
    if (failure !== null) throw failure;
    if (code !== JOB.optimize) return 0;
    let sum = 0;
    for (let c = 0; c < chunks; c++) sum += sums[c];
    return sum;
  }

  /** A helper that exited while owning an unfinished chunk, or −1. */
  private deadOwner(chunks: number): number {
    for (let i = 0; i < this.helpers.length; i++) {
      if (Atomics.load(this.control, CTL.DEAD + i) === 0) continue;
      for (let c = 0; c < chunks; c++) if (this.owners[c] === i + 1) return i;
    }
    return -1;
  }

  /** Some helper that owns a chunk of the current job (the one the caller waits on). */
  private lateOwner(chunks: number): number {
    for (let c = chunks - 1; c >= 0; c--) if (this.owners[c] > 0) return this.owners[c] - 1;
    return 0;
  }

  private fail(reason: string): never {
    const message = `${reason}; training goes on in one thread`;
    this.closed = message;
    void this.terminate();
    notice(message);
    throw new Error(message);
  }

  /** Ends every helper; later calls run on the calling thread. Resolves when they have exited. */
  shutdown(reason = 'the training threads were shut down'): Promise<void> {
    if (this.closed === null) this.closed = reason;
    Atomics.store(this.control, CTL.SHUTDOWN, 1);
    this.mail();
    return Promise.all(
      this.helpers.map((helper) => (helper.exited ? Promise.resolve() : new Promise<void>((resolve) => helper.worker.once('exit', () => resolve())).then(() => undefined))),
    ).then(() => undefined);
  }

  /** Ends every helper at once (worker.terminate), for a helper that may hang. */
  terminate(): Promise<void> {
    if (this.closed === null) this.closed = 'the training threads were terminated';
    return Promise.all(this.helpers.map((helper) => helper.worker.terminate())).then(() => undefined);
  }
}

function jobName(code: number): string {
  switch (code) {
    case JOB.forward:
      return 'the forward pass';
    case JOB.backward:
      return 'the backward pass (δ)';
    case JOB.gradient:
      return 'the weight gradient';
    case JOB.optimize:
      return 'the update';
    case JOB.gather:
      return 'the batch gather';
    default:
      return `a test job (${code})`;
  }
}

let pool: ThreadPool | null = null;

/** This JavaScript thread's pool, made (without helpers yet) on first use; null once it failed or was shut. */
export function threadPool(): ThreadPool | null {
  if (pool === null) pool = new ThreadPool();
  return pool.closed === null ? pool : null;
}

/** Shuts this thread's pool down (tests, a CLI that wants to be tidy); the next use makes a new one. */
export async function shutdownThreadPool(): Promise<void> {
  const current = pool;
  pool = null;
  if (current) await current.shutdown();
}
