/**
 * The shared layout of the training threads (threadPool.ts) and the code each of them runs: the
 * control words, the job's arguments, and the one function that computes a chunk of a job. That
 * function is JavaScript source text (CHUNK_SOURCE), so the calling thread (compiled with
 * `new Function`) and every helper thread (its eval'd script, HELPER_SOURCE) run the same code
 * whatever bundler or test runner loaded this file.
 *
 * A job is one kernel call split into chunks of outputs; chunk c covers the outputs
 * bounds[c] ≤ i < bounds[c + 1] (units j for forward and the weight gradient, columns k of δ·W for
 * backward, parameter indices for optimize, batch rows b for gather). Every thread, the caller included, claims chunks one
 * at a time until none is left, so a thread that is slow to wake (or not started yet) only means
 * the others do more; which thread computes a chunk never changes its bits.
 */

/** Indices into the control Int32Array (over a SharedArrayBuffer). */
export const CTL = {
  /** (generation << 10) | next chunk to claim; the low 10 bits are CLOSED between jobs. */
  CLAIM: 0,
  /** Chunks finished in the current job. */
  DONE: 1,
  /** 0, or the helper index + 1 of the first helper whose chunk threw (its message in the error text). */
  ERROR: 2,
  /** Bumped when messages (memories to attach or forget) wait on the helpers' ports. */
  MAIL: 3,
  /** 1: the helpers leave their loop and end. */
  SHUTDOWN: 4,
  /** Bumped by a helper that is exiting (process.exit in it, say), so a waiting caller looks at once. */
  DEATHS: 5,
  /** Helpers whose loop is running (each adds 1 when it starts). */
  READY: 6,
  /** Chunks computed by helpers so far (what the tests and the benchmark read to see the split happen). */
  HELPED: 7,
  /** Helper i sleeps on WAKE + i; the caller bumps it and notifies to start a job. */
  WAKE: 16,
  /** Helper i writes 1 at DEAD + i when it exits. */
  DEAD: 96,
  LENGTH: 176,
} as const;

/** Most helper threads (WAKE and DEAD have room for this many). */
export const MAX_HELPERS = 63;
/** The claim word's chunk field when the job is closed (no chunk can be claimed). */
export const CLOSED = 1023;
/** Most chunks in one job. */
export const MAX_CHUNKS = 1022;

/** Job codes (args[0]). */
export const JOB = {
  forward: 1,
  backward: 2,
  gradient: 3,
  optimize: 4,
  gather: 5,
  /** Tests: the helper that claims a chunk throws (a thread failing). */
  testThrow: 90,
  /** Tests: the helper that claims a chunk exits at once (a thread dying mid-job). */
  testExit: 91,
  /** Tests: the helper that claims a chunk never finishes it (a thread hanging). */
  testHang: 92,
} as const;

/**
 * args (Float64Array over a SharedArrayBuffer): [0] job code, [1] memory id, [2] chunks,
 * [3] helpers allowed to join (threads − 1), [4…] the kernel's arguments in its wasm order
 * without the range (byte addresses and sizes; optimize: the rule code, 7 addresses, then
 * l2, l1, rate, momentum, nesterov, beta1, beta2, rho, epsilon, correction2; gather: source,
 * order, start, width, out).
 */
export const ARGS_LENGTH = 32;

/**
 * `run(exports, args, bounds, sums, c)`: computes chunk c of the job in args with one thread's
 * instance of the kernels. optimize's chunk works on the parameters lo…hi−1 (its addresses moved
 * by 4·lo bytes; a 0 address stays 0) and leaves its Σ w² in sums[c]; gather's copies the batch
 * rows lo…hi−1.
 */
export const CHUNK_SOURCE = `function run(ex, args, bounds, sums, c) {
  const lo = bounds[c], hi = bounds[c + 1];
  switch (args[0]) {
    case ${JOB.forward}: ex.forward(args[4], args[5], args[6], args[7], args[8], args[9], args[10], lo, hi); return;
    case ${JOB.backward}: ex.backward(args[4], args[5], args[6], args[7], args[8], args[9], lo, hi); return;
    case ${JOB.gradient}: ex.gradient(args[4], args[5], args[6], args[7], args[8], args[9], args[10], args[11], lo, hi); return;
    case ${JOB.optimize}: {
      const o = 4 * lo;
      sums[c] = ex.optimize(args[4], args[5] + o, args[6] + o, args[7] + o,
        args[8] === 0 ? 0 : args[8] + o, args[9] === 0 ? 0 : args[9] + o, args[10] === 0 ? 0 : args[10] + o, args[11] === 0 ? 0 : args[11] + o,
        hi - lo, args[12], args[13], args[14], args[15], args[16], args[17], args[18], args[19], args[20], args[21]);
      return;
    }
    case ${JOB.gather}: ex.gather(args[4], args[5], args[6] + lo, hi - lo, args[7], args[8] + 4 * lo * args[7]); return;
    case ${JOB.testThrow}: throw new Error('a test asked this training thread to fail');
    case ${JOB.testExit}: process.exit(3);
    case ${JOB.testHang}: for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    default: throw new Error('unknown training-thread job ' + args[0]);
  }
}`;

/** How long a helper keeps polling for the next job before it sleeps (ms): the gap between a step's kernel calls. */
export const HELPER_SPIN_MS = 0.25;

/**
 * The script of one helper thread (a worker_threads Worker with eval: true). workerData: the
 * shared arrays and this helper's index `id` and `port` (a MessagePort whose messages are
 * { attach: id, module, memory } or { forget: id }, read with receiveMessageOnPort when MAIL moves).
 * It instantiates the shared-memory kernel build over each attached memory, then loops: take
 * chunks of the current job while there are any, poll for a new one for HELPER_SPIN_MS, sleep on
 * its WAKE word. A chunk that throws is reported in ERROR and the error text, never hangs the caller.
 */
export const HELPER_SOURCE = `'use strict';
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { control, argsBuffer, boundsBuffer, sumsBuffer, ownersBuffer, errorBuffer, id, port } = workerData;
const ctl = new Int32Array(control);
const args = new Float64Array(argsBuffer);
const bounds = new Int32Array(boundsBuffer);
const sums = new Float64Array(sumsBuffer);
const owners = new Int32Array(ownersBuffer);
const errorText = new Uint8Array(errorBuffer);
const run = (${CHUNK_SOURCE});
const instances = new Map();
process.on('exit', () => {
  Atomics.store(ctl, ${CTL.DEAD} + id, 1);
  Atomics.add(ctl, ${CTL.DEATHS}, 1);
  Atomics.notify(ctl, ${CTL.DONE});
});
function readMail() {
  for (let received = receiveMessageOnPort(port); received !== undefined; received = receiveMessageOnPort(port)) {
    const message = received.message;
    if (message.attach !== undefined) {
      instances.set(message.attach, new WebAssembly.Instance(message.module, { env: { memory: message.memory } }).exports);
    } else if (message.forget !== undefined) {
      instances.delete(message.forget);
    }
  }
}
function fail(error) {
  if (Atomics.compareExchange(ctl, ${CTL.ERROR}, 0, id + 1) !== 0) return;
  const text = new TextEncoder().encode(String(error && error.message ? error.message : error)).subarray(0, errorText.length - 1);
  errorText.fill(0);
  errorText.set(text);
}
function work() {
  let word = Atomics.load(ctl, ${CTL.CLAIM});
  if ((word & 1023) >= ${CLOSED}) return;
  const generation = word >>> 10;
  if (id >= args[3]) return;
  const chunks = args[2];
  let ex = instances.get(args[1]);
  if (ex === undefined && args[0] < ${JOB.testThrow}) {
    readMail();
    ex = instances.get(args[1]);
    if (ex === undefined) return;
  }
  for (;;) {
    word = Atomics.load(ctl, ${CTL.CLAIM});
    const c = word & 1023;
    if (word >>> 10 !== generation || c >= chunks) return;
    if (Atomics.compareExchange(ctl, ${CTL.CLAIM}, word, word + 1) !== word) continue;
    owners[c] = id + 1;
    try {
      run(ex, args, bounds, sums, c);
    } catch (error) {
      fail(error);
    }
    Atomics.add(ctl, ${CTL.HELPED}, 1);
    // Only the last chunk wakes the caller: a wake-up per chunk would cost it a futex call each
    // and, on a busy machine, preempt the helpers still computing.
    if (Atomics.add(ctl, ${CTL.DONE}, 1) + 1 >= chunks) Atomics.notify(ctl, ${CTL.DONE});
  }
}
Atomics.add(ctl, ${CTL.READY}, 1);
let mail = -1;
let seen = Atomics.load(ctl, ${CTL.WAKE} + id);
for (;;) {
  if (Atomics.load(ctl, ${CTL.SHUTDOWN}) !== 0) break;
  const now = Atomics.load(ctl, ${CTL.MAIL});
  if (now !== mail) {
    mail = now;
    readMail();
  }
  work();
  const start = performance.now();
  while (Atomics.load(ctl, ${CTL.WAKE} + id) === seen && performance.now() - start < ${HELPER_SPIN_MS}) {}
  Atomics.wait(ctl, ${CTL.WAKE} + id, seen);
  seen = Atomics.load(ctl, ${CTL.WAKE} + id);
}
port.close();
`;
