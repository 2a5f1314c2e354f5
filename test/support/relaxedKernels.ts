/**
 * Run in a child Node with --experimental-wasm-relaxed-simd (test/unit/kernels.relaxed.test.ts
 * bundles it with esbuild): the relaxed-SIMD kernel build (fused multiply-adds) against the plain
 * SIMD build and the float64 specification, kernel by kernel and over whole training runs.
 * Prints one JSON object (RelaxedReport) on stdout; the test asserts on it.
 */
import { createKernels } from '../../src/core/engine/createKernels';
import { createTrainer, defaultKernels } from '../../src/core/engine/trainer';
import { relaxedSimdAvailable, wasmKernels, type WasmBuild } from '../../src/core/engine/wasmKernels';
import { setThreadThreshold, setTrainingThreads, threadPool, THREAD_MIN_WORK } from '../../src/core/engine/threadPool';
import type { Kernels } from '../../src/core/engine/kernels';
import { loadDataset, prepareData } from '../../src/core/data';
import { parseSpec } from '../../src/core/lang';
import { Random } from '../../src/core/random';

export interface RelaxedReport {
  validates: boolean;
  /** createKernels('auto'|'wasm'|'wasm-simd').name and a default Trainer's kernelsName on a C-sized network. */
  names: { auto: string; wasm: string; simd: string; trainer: string };
  /** Per kernel and shape: elements outside the tolerance (should be none), and elements whose bits differ from the plain build. */
  kernels: { what: string; outside: string[]; differing: number; elements: number }[];
  /** Per training run: the worst |relaxed − plain| / max(1, max |plain|) of any weight after the run, and whether any weight differs at all. */
  training: { name: string; worst: number; anyDifferent: boolean; lossRelaxed: number; lossPlain: number }[];
  /**
   * The relaxed build trained at 1, 2 and 4 threads (every call of two chunks or more split): per
   * thread count, whether the weights' bytes are those of 1 thread (`same`), and the chunks the
   * helper threads computed (so the split surely happened).
   */
  threads: { threads: number; same: boolean; helped: number; loss: number }[];
}

function kernelsOf(build: WasmBuild): Kernels {
  const kernels = wasmKernels({ build });
  if (kernels === null) throw new Error(`the ${build} kernel build cannot be instantiated here`);
  return kernels;
}

/** [m, n, p]: the benchmark networks' layers, tails of every tile and tiny ones. */
const shapes: [number, number, number][] = [
  [10, 784, 16],
  [64, 784, 128],
  [64, 128, 64],
  [1, 2, 8],
  [1, 13, 7],
  [3, 5, 3],
  [5, 9, 6],
  [7, 31, 5],
  [9, 17, 11],
  [17, 33, 19],
];

function compareKernels(report: RelaxedReport): void {
  const random = new Random(99);
  const fill = (array: Float32Array) => {
    for (let i = 0; i < array.length; i++) array[i] = random.uniform(-1, 1);
    return array;
  };
  for (const [m, n, p] of shapes) {
    const inputs = { A: fill(new Float32Array(m * n)), W: fill(new Float32Array(p * n)), bias: fill(new Float32Array(p)), D: fill(new Float32Array(m * p)) };
    const run = (build: WasmBuild) => {
      const k = kernelsOf(build);
      const memory = k.alloc(2 * m * n + 2 * p * n + 2 * m * p + 2 * p + 64);
      let offset = 0;
      const take = (length: number) => {
        const view = memory.subarray(offset, offset + length);
        offset = Math.ceil((offset + length) / 4) * 4;
        return view;
      };
      const A = take(m * n);
      const W = take(p * n);
      const bias = take(p);
      const D = take(m * p);
      A.set(inputs.A);
      W.set(inputs.W);
      bias.set(inputs.bias);
      D.set(inputs.D);
      const Z = take(m * p);
      const dA = take(m * n);
      const G = take(p * n);
      const gb = take(p);
      k.forward(A, W, bias, Z, m, n, p);
      k.backward(D, W, dA, m, p, n);
      k.gradient(D, A, G, gb, m, p, n, 1 / m);
      return { Z: Z.slice(), dA: dA.slice(), G: G.slice(), gb: gb.slice() };
    };
    const relaxed = run('relaxed-simd');
    const plain = run('simd');
    const { A, W, bias, D } = inputs;
    // The exact values and Σ|terms| in float64, for a tolerance of 1e-5 · Σ|terms| (as test/unit/kernels.wasm.test.ts).
    const exact = {
      Z: (i: number) => {
        const b = Math.floor(i / p), j = i % p;
        let s = bias[j], t = Math.abs(bias[j]);
        for (let k = 0; k < n; k++) (s += A[b * n + k] * W[j * n + k]), (t += Math.abs(A[b * n + k] * W[j * n + k]));
        return [s, t];
      },
      dA: (i: number) => {
        const b = Math.floor(i / n), k = i % n;
        let s = 0, t = 0;
        for (let j = 0; j < p; j++) (s += D[b * p + j] * W[j * n + k]), (t += Math.abs(D[b * p + j] * W[j * n + k]));
        return [s, t];
      },
      G: (i: number) => {
        const j = Math.floor(i / n), k = i % n;
        let s = 0, t = 0;
        for (let b = 0; b < m; b++) (s += (D[b * p + j] * A[b * n + k]) / m), (t += Math.abs(D[b * p + j] * A[b * n + k]) / m);
        return [s, t];
      },
      gb: (j: number) => {
        let s = 0, t = 0;
        for (let b = 0; b < m; b++) (s += D[b * p + j] / m), (t += Math.abs(D[b * p + j]) / m);
        return [s, t];
      },
    };
    for (const key of ['Z', 'dA', 'G', 'gb'] as const) {
      const outside: string[] = [];
      let differing = 0;
      for (let i = 0; i < plain[key].length; i++) {
        const [value, size] = exact[key](i);
        for (const [build, out] of [['relaxed', relaxed[key]], ['plain', plain[key]]] as const) {
          const error = Math.abs(out[i] - value);
          if (!(error <= 1e-5 * size + 1e-7) && outside.length < 5) outside.push(`${build} ${key}[${i}] = ${out[i]}, exact ${value}`);
        }
        if (!Object.is(relaxed[key][i], plain[key][i])) differing++;
      }
      report.kernels.push({ what: `${key} m=${m} n=${n} p=${p}`, outside, differing, elements: plain[key].length });
    }
  }
}

const runs: [string, string][] = [
  ['C narrowed: relu/softmax, cce, momentum, batch 64', 'input 28x28\ndense 64 relu\ndense 32 relu\ndense 10 softmax\nloss cce\noptimizer sgd rate=0.05 momentum=0.9\nbatch 64\nepochs 1\ninit he\nseed 2\ndata digits n=640'],
  ['A narrowed: sigmoid, mse, adam, batch 10', 'input 28x28\ndense 16 sigmoid\ndense 16 sigmoid\ndense 10 sigmoid\nloss mse\noptimizer adam rate=0.01\nbatch 10\nepochs 1\nseed 3\ndata digits n=300'],
];

function spec(text: string) {
  const parsed = parseSpec(text);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`spec does not parse: ${errors.map((d) => d.message).join('; ')}`);
  return parsed.spec;
}

function prepared(network: ReturnType<typeof spec>) {
  const source = loadDataset(network.data!, { baseDir: '.', assetsDir: 'media', seed: network.seed, outputSize: network.layers.at(-1)?.units });
  return prepareData(source, { validation: network.validation, normalize: network.normalize, seed: network.seed });
}

function compareTraining(report: RelaxedReport): void {
  for (const [name, text] of runs) {
    const network = spec(text);
    const [relaxed, plain] = (['relaxed-simd', 'simd'] as const).map((build) => createTrainer(network, prepared(network), { kernels: kernelsOf(build) }));
    let lossRelaxed = 0;
    let lossPlain = 0;
    while (!relaxed.done) {
      lossRelaxed = relaxed.stepOnce().loss;
      lossPlain = plain.stepOnce().loss;
    }
    let worst = 0;
    let anyDifferent = false;
    relaxed.layers.forEach((layer, l) => {
      const other = plain.layers[l].weights;
      let scale = 1;
      for (const v of other) scale = Math.max(scale, Math.abs(v));
      layer.weights.forEach((w, i) => {
        worst = Math.max(worst, Math.abs(w - other[i]) / scale);
        if (!Object.is(w, other[i])) anyDifferent = true;
      });
    });
    report.training.push({ name, worst, anyDifferent, lossRelaxed, lossPlain });
  }
}

/** The first run's network on the relaxed build at 1, 2 and 4 threads: the weights' bytes compared to 1 thread's. */
async function compareThreads(report: RelaxedReport): Promise<void> {
  const network = spec(runs[0][1]);
  const pool = threadPool();
  if (pool === null) throw new Error('no training threads in this child Node (SharedArrayBuffer or worker_threads missing)');
  await pool.ready(3);
  setThreadThreshold(1); // every call of two chunks or more is split: the split itself is under test
  let first: Uint8Array[] = [];
  for (const threads of [1, 2, 4]) {
    setTrainingThreads(threads);
    const helpedBefore = pool.helped;
    const trainer = createTrainer(network, prepared(network), { kernels: kernelsOf('relaxed-simd') });
    let loss = 0;
    while (!trainer.done) loss = trainer.stepOnce().loss;
    const bytes = trainer.layers.flatMap((layer) => [new Uint8Array(layer.weights.slice().buffer), new Uint8Array(layer.biases.slice().buffer)]);
    if (threads === 1) first = bytes;
    const same = bytes.length === first.length && bytes.every((b, i) => Buffer.compare(Buffer.from(b), Buffer.from(first[i])) === 0);
    report.threads.push({ threads, same, helped: pool.helped - helpedBefore, loss });
  }
  setThreadThreshold(THREAD_MIN_WORK);
  setTrainingThreads(1);
  // No shutdown: the helpers are unref'd, so they end with this process (awaiting their exit
  // would keep nothing alive and the process would end before the report is written).
}

const validates = relaxedSimdAvailable();
const big = spec(runs[0][1]);
const report: RelaxedReport = {
  validates,
  names: {
    auto: createKernels('auto').name,
    wasm: createKernels('wasm').name,
    simd: createKernels('wasm-simd').name,
    trainer: createTrainer(big, prepared(big), { kernels: defaultKernels(big, prepared(big)) }).kernelsName,
  },
  kernels: [],
  training: [],
  threads: [],
};
void (async () => {
  if (validates) {
    compareKernels(report);
    compareTraining(report);
    await compareThreads(report);
  }
  process.stdout.write(JSON.stringify(report));
})();
