/**
 * `npm run bench`: NNSpec against TensorFlow.js (cpu and wasm backends), brain.js and convnetjs,
 * in one process, on identical data, the same networks, batch sizes and number of weight updates
 * (issue 6). Prints the tables and writes bench/results.json; docs/performance.md explains them.
 *
 *   node dist/bench.js [--quick] [--only A,B] [--engines nnspec-auto,tfjs-wasm-loop] [--runs 5]
 *                      [--skip accuracy,memory,eventloop,liveloop,heatmap,peak,parse,optimizers,threads,stepparts,threshold,scale,smallest] [--out bench/results.json]
 *
 * Speed: per network and engine, one warm-up run, then `runs` timed runs of `updates` weight
 * updates each; samples/s = updates × m / seconds: median (min–max). GFLOP/s counts 6 × weights
 * per sample (2 flops per multiply-add, in the forward, backward and gradient products). Engines
 * that train one sample per update (brain.js) run at batch 1 (rate η/m) against NNSpec at batch 1
 * with the same number of updates.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { circle, digits, mediaDir, syntheticMnist, type BenchData } from './data';
import { measureEventLoop, type EventLoopResult } from './eventLoop';
import { measureLiveLoop, type LiveLoopResult } from './liveLoop';
import { measureHeatmap, type HeatmapResult } from './heatmap';
import { measureParse, type ParseRow } from './parse';
import { measureOptimizers, type OptimizerRow } from './optimizers';
import { measureSmallestStep, type SmallestStepResult } from './smallestStep';
import { NETWORKS, atBatchOne, outputsOf, parameterCountOf, weightCount, type BenchNetwork, type NetworkId } from './networks';
import { markdown } from './markdown';
import { measurePeak, type Peak } from './peak';
import { fixed, median, si, table } from './stats';
import { brainEngine } from './engines/brain';
import { convnetEngine } from './engines/convnet';
import { nnspecEngine } from './engines/nnspec';
import { tfjsEngine } from './engines/tfjs';
import type { Engine, Session } from './engines/types';
import { defaultWasmBuild } from '../src/core/engine/wasmKernels';
import { defaultTrainingThreads } from '../src/core/engine/threadPool';
import { measureStepParts, STEP_PARTS, type StepPartsRow } from './stepParts';
import { measureScale, measureThreadScaling, measureThreshold, threadCounts, type ScaleResult, type ThreadRow, type ThresholdRow } from './threads';

const ROOT = process.cwd();

const ENGINES: Engine[] = [
  nnspecEngine('auto'),
  nnspecEngine('js'),
  nnspecEngine('auto', { batchOne: true }),
  tfjsEngine('wasm', 'loop'),
  tfjsEngine('cpu', 'loop'),
  tfjsEngine('cpu', 'fit'),
  convnetEngine(),
  brainEngine(),
];
// Where the runtime takes the relaxed-SIMD (FMA) build, the plain SIMD build beside it, for comparison.
if (defaultWasmBuild() === 'relaxed-simd') ENGINES.splice(1, 0, nnspecEngine('wasm-simd'));
/** The product's own choice of kernels (what a user's training runs with): the headline. */
const NNSPEC = 'nnspec-auto';
const NNSPEC_B1 = 'nnspec-auto-b1';
const isNnspec = (id: string) => id.startsWith('nnspec-');

interface Options {
  quick: boolean;
  only: NetworkId[];
  engines: string[] | null;
  runs: number;
  skip: Set<string>;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  const known = new Set(['--quick', '--only', '--engines', '--runs', '--skip', '--out']);
  for (const arg of argv) if (arg.startsWith('--') && !known.has(arg)) throw new Error(`unknown option ${arg}; options: ${[...known].join(' ')}`);
  const quick = argv.includes('--quick');
  const only = (value('--only') ?? 'A,B,C,D').split(',').map((s) => s.trim().toUpperCase());
  for (const id of only) if (!(id in NETWORKS)) throw new Error(`--only: no network '${id}' (A, B, C, D)`);
  const engines = value('--engines')?.split(',').map((s) => s.trim()) ?? null;
  for (const id of engines ?? []) if (!ENGINES.some((e) => e.id === id)) throw new Error(`--engines: no engine '${id}' (${ENGINES.map((e) => e.id).join(', ')})`);
  const runs = Number(value('--runs') ?? (quick ? 3 : 5));
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs needs a whole number ≥ 1');
  return { quick, only: only as NetworkId[], engines, runs, skip: new Set((value('--skip') ?? '').split(',').filter(Boolean)), out: value('--out') ?? join(ROOT, 'bench', 'results.json') };
}

// ---------------------------------------------------------------------------------------------
// Machine

interface Machine {
  date: string;
  cpu: string;
  nproc: number;
  memoryGiB: number;
  node: string;
  v8: string;
  loadAverageAtStart: number[];
  commit: string;
  /** The wasm kernel build NNSpec's default kernels use here: 'relaxed-simd' (fused multiply-adds) or 'simd'. */
  kernelBuild: string;
}

function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) cpu = line.split(':')[1].trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    cpu,
    nproc: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    loadAverageAtStart: loadavg().map((v) => Number(v.toFixed(2))),
    commit,
    kernelBuild: defaultWasmBuild(),
  };
}

// ---------------------------------------------------------------------------------------------
// Speed

interface SpeedRow {
  network: NetworkId;
  engine: string;
  label: string;
  batch: number;
  updates: number;
  samplesPerSecond: { median: number; min: number; max: number };
  /**
   * Samples per second of this process's CPU time (user + system, all its threads): on a busy
   * machine, time spent waiting for a core does not count, so this is close to what a quiet
   * machine gives (cache and clock effects of the contention remain).
   */
  cpuSamplesPerSecond?: { median: number; min: number; max: number };
  microsecondsPerUpdate: number;
  gflops: number;
  fractionOfWasmPeak?: number;
  /** NNSpec at the same batch ÷ this engine (samples/s). */
  nnspecRatio?: number;
  /** The same by CPU-time samples/s. */
  nnspecCpuRatio?: number;
  error?: string;
  skipped?: string;
}

async function timeEngine(engine: Engine, net: BenchNetwork, data: BenchData, runs: number): Promise<SpeedRow> {
  const base = { network: net.id, engine: engine.id, label: engine.label, batch: net.batch, updates: net.updates };
  const empty = { samplesPerSecond: { median: NaN, min: NaN, max: NaN }, microsecondsPerUpdate: NaN, gflops: NaN };
  const why = engine.unsupported(net);
  if (why) return { ...base, ...empty, skipped: why };
  let session: Session | undefined;
  try {
    session = await engine.create(net, data);
    await session.steps(Math.max(10, Math.round(net.updates / 2))); // warm-up: JIT, caches, lazy allocations
    const rates: number[] = [];
    const cpuRates: number[] = [];
    for (let r = 0; r < runs; r++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await session.steps(net.updates);
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      rates.push((net.updates * net.batch) / seconds);
      cpuRates.push((net.updates * net.batch) / ((cpu.user + cpu.system) / 1e6));
    }
    const mid = median(rates);
    const cpuMid = median(cpuRates);
    return {
      ...base,
      samplesPerSecond: { median: mid, min: Math.min(...rates), max: Math.max(...rates) },
      cpuSamplesPerSecond: { median: cpuMid, min: Math.min(...cpuRates), max: Math.max(...cpuRates) },
      microsecondsPerUpdate: (1e6 * net.batch) / mid,
      gflops: (6 * weightCount(net) * mid) / 1e9,
    };
  } catch (error) {
    return { ...base, ...empty, error: error instanceof Error ? error.message : String(error) };
  } finally {
    session?.dispose?.();
  }
}

async function speed(options: Options, peak: Peak | undefined): Promise<SpeedRow[]> {
  const rows: SpeedRow[] = [];
  const synthetic = syntheticMnist();
  const points = circle();
  for (const id of options.only) {
    const full = NETWORKS[id];
    const net = options.quick ? { ...full, updates: Math.max(1, Math.round(full.updates / 2)) } : full;
    const data = net.data === 'mnist' ? synthetic : points;
    console.log(`\n${net.id}: ${net.title} — ${weightCount(net).toLocaleString('en')} weights, ${data.name} data, ${net.updates} updates a run`);
    for (const engine of ENGINES) {
      if (options.engines && !options.engines.includes(engine.id)) continue;
      // NNSpec at batch 1 only where a batch-1-only peer (brain.js) runs, as its yardstick.
      if (engine.id === NNSPEC_B1 && (net.batch === 1 || !ENGINES.some((e) => e.batchOneOnly && !isNnspec(e.id) && !e.unsupported(net) && (!options.engines || options.engines.includes(e.id))))) continue;
      const target = engine.batchOneOnly ? atBatchOne(net) : net;
      const row = await timeEngine(engine, target, data, options.runs);
      if (peak && Number.isFinite(row.gflops)) row.fractionOfWasmPeak = row.gflops / peak.wasmSimdGflops;
      rows.push(row);
      const s = row.samplesPerSecond;
      console.log(
        `  ${engine.label.padEnd(52)} ` +
          (row.skipped ? `— (${row.skipped})` : row.error ? `FAILED: ${row.error}` : `${si(s.median).padStart(6)} samples/s (${si(s.min)}–${si(s.max)})  ${fixed(row.gflops, 2).padStart(6)} GFLOP/s  ${fixed(row.microsecondsPerUpdate, 1)} µs/update  [CPU time: ${si(row.cpuSamplesPerSecond?.median ?? NaN)} samples/s]`),
      );
    }
    // Ratios against NNSpec at the same batch size.
    for (const row of rows.filter((r) => r.network === id)) {
      const reference = rows.find((r) => r.network === id && r.engine === (row.batch === net.batch ? NNSPEC : NNSPEC_B1) && r.batch === row.batch);
      if (reference && Number.isFinite(row.samplesPerSecond.median) && !isNnspec(row.engine)) {
        row.nnspecRatio = reference.samplesPerSecond.median / row.samplesPerSecond.median;
        if (reference.cpuSamplesPerSecond && row.cpuSamplesPerSecond) row.nnspecCpuRatio = reference.cpuSamplesPerSecond.median / row.cpuSamplesPerSecond.median;
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Accuracy on the real digits: every engine, one epoch, held-out accuracy.

interface AccuracyRow {
  network: NetworkId;
  engine: string;
  batch: number;
  updates: number;
  accuracy?: number;
  /** Training speed on the real digits over this one epoch (one run, first steps included). */
  samplesPerSecond?: number;
  skipped?: string;
  error?: string;
}

async function accuracy(options: Options): Promise<{ rows: AccuracyRow[]; note?: string }> {
  let split: { train: BenchData; test: BenchData };
  try {
    split = digits(mediaDir());
  } catch (error) {
    return { rows: [], note: `digits unavailable: ${error instanceof Error ? error.message : String(error)}` };
  }
  const rows: AccuracyRow[] = [];
  const epochs = 1;
  for (const id of options.only.filter((n) => NETWORKS[n].data === 'mnist')) {
    console.log(`\naccuracy on digits, ${id}: ${epochs} epoch over ${split.train.count} digits, tested on ${split.test.count}`);
    for (const engine of ENGINES) {
      if (options.engines && !options.engines.includes(engine.id)) continue;
      if (engine.id === 'nnspec-js' || (engine.id === NNSPEC_B1 && !ENGINES.some((e) => e.batchOneOnly && !isNnspec(e.id) && !e.unsupported(NETWORKS[id])))) continue;
      const base = engine.batchOneOnly ? atBatchOne(NETWORKS[id]) : NETWORKS[id];
      const net = { ...base, updates: Math.ceil((epochs * split.train.count) / base.batch) };
      const row: AccuracyRow = { network: id, engine: engine.id, batch: net.batch, updates: net.updates };
      const why = engine.unsupported(net);
      if (why) {
        rows.push({ ...row, skipped: why });
        continue;
      }
      let session: Session | undefined;
      try {
        session = await engine.create(net, split.train);
        const t0 = performance.now();
        await session.steps(net.updates);
        row.samplesPerSecond = (net.updates * net.batch) / ((performance.now() - t0) / 1000);
        const outputs = await session.predict(split.test.inputs, split.test.count);
        const o = outputsOf(net);
        let correct = 0;
        for (let i = 0; i < split.test.count; i++) {
          let best = 0;
          for (let j = 1; j < o; j++) if (outputs[i * o + j] > outputs[i * o + best]) best = j;
          if (best === split.test.labels[i]) correct++;
        }
        row.accuracy = correct / split.test.count;
        console.log(`  ${engine.label.padEnd(52)} ${(100 * row.accuracy).toFixed(1)}%   (trained at ${si(row.samplesPerSecond)} samples/s)`);
      } catch (error) {
        row.error = error instanceof Error ? error.message : String(error);
        console.log(`  ${engine.label.padEnd(52)} FAILED: ${row.error}`);
      } finally {
        session?.dispose?.();
      }
      rows.push(row);
    }
  }
  return { rows };
}

// ---------------------------------------------------------------------------------------------
// Memory: each engine in a fresh process (so no other engine's garbage counts), network C
// (brain.js: A at batch 1), 20 updates on 512 samples; bytes per parameter from the process's growth.

interface MemoryRow {
  network: NetworkId;
  engine: string;
  parameters: number;
  /** (heapUsed + external + arrayBuffers) growth after training, after GC, per parameter. */
  bytesPerParameter?: number;
  /** Resident set growth per parameter (includes code, JIT and the engine's module loading). */
  rssBytesPerParameter?: number;
  /** The engine's own buffers (NNSpec: its one alloc; TF.js: tf.memory().numBytes) per parameter. */
  engineBytesPerParameter?: number;
  error?: string;
}

async function memoryChild(engineId: string, networkId: NetworkId): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the memory child needs node --expose-gc');
  const engine = ENGINES.find((e) => e.id === engineId);
  if (!engine) throw new Error(`no engine ${engineId}`);
  const net = engine.batchOneOnly ? atBatchOne(NETWORKS[networkId]) : NETWORKS[networkId];
  // A small data set (512 samples), so that engines which copy their training data (NNSpec's
  // prepareData, brain.js's formatData) are charged for the network, not for the data.
  const data = net.data === 'mnist' ? syntheticMnist(512) : circle();
  // Load the engine's code before the baseline, so the delta is the network, not the library.
  const warm = await engine.create({ ...net, layers: [{ units: outputsOf(net), activation: net.layers[net.layers.length - 1].activation }] }, data);
  await warm.steps(1);
  warm.dispose?.();
  gc();
  const before = process.memoryUsage();
  const session = await engine.create(net, data);
  await session.steps(20);
  gc();
  const after = process.memoryUsage();
  const heap = (m: NodeJS.MemoryUsage) => m.heapUsed + m.external + m.arrayBuffers;
  const params = parameterCountOf(net);
  const result = {
    bytesPerParameter: (heap(after) - heap(before)) / params,
    rssBytesPerParameter: (after.rss - before.rss) / params,
    engineBytesPerParameter: session.bufferBytes ? session.bufferBytes() / params : undefined,
  };
  process.stdout.write('MEMORY ' + JSON.stringify(result) + '\n');
}

function memory(options: Options): MemoryRow[] {
  const rows: MemoryRow[] = [];
  console.log('\nmemory while training (fresh process per engine, after GC):');
  for (const engine of ENGINES) {
    if (options.engines && !options.engines.includes(engine.id)) continue;
    if (engine.id === NNSPEC_B1) continue;
    const networkId: NetworkId = engine.unsupported(NETWORKS.C) ? 'A' : 'C';
    const net = engine.batchOneOnly ? atBatchOne(NETWORKS[networkId]) : NETWORKS[networkId];
    const row: MemoryRow = { network: networkId, engine: engine.id, parameters: parameterCountOf(net) };
    const child = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', __filename, '--memory-child', engine.id, networkId], { encoding: 'utf8', cwd: ROOT, timeout: 120_000 });
    const line = child.stdout?.split('\n').find((l) => l.startsWith('MEMORY '));
    if (line) Object.assign(row, JSON.parse(line.slice(7)));
    else row.error = (child.stderr || child.error?.message || `exit ${child.status}`).trim().split('\n').slice(-3).join(' ');
    rows.push(row);
    console.log(
      `  ${engine.label.padEnd(52)} ${networkId}: ` +
        (row.error ? `FAILED: ${row.error}` : `${fixed(row.bytesPerParameter ?? NaN)} B/param (heap+external), ${fixed(row.rssBytesPerParameter ?? NaN)} B/param (RSS)` + (row.engineBytesPerParameter !== undefined ? `, own buffers ${fixed(row.engineBytesPerParameter)} B/param` : '')),
    );
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------

interface Goal {
  goal: string;
  measured: string;
  met: boolean | null;
}

function goals(rows: SpeedRow[], eventLoop: EventLoopResult[], heatmap: HeatmapResult | string | undefined, parse: ParseRow[] = [], threads: ThreadRow[] = []): Goal[] {
  const out: Goal[] = [];
  const ratioGoal = (id: NetworkId, least: number) => {
    const peers = rows.filter((r) => r.network === id && !isNnspec(r.engine) && r.nnspecRatio !== undefined);
    if (peers.length === 0) return;
    const worst = peers.reduce((a, b) => ((a.nnspecRatio ?? Infinity) < (b.nnspecRatio ?? Infinity) ? a : b));
    const worstCpu = peers.reduce((a, b) => ((a.nnspecCpuRatio ?? Infinity) < (b.nnspecCpuRatio ?? Infinity) ? a : b));
    out.push({
      goal: `${id}: NNSpec ≥ ${least}× every peer`,
      measured:
        `${fixed(worst.nnspecRatio ?? NaN, 2)}× the fastest relative to NNSpec (${worst.label}${worst.batch === 1 && NETWORKS[id].batch > 1 ? ', batch 1' : ''}); ` +
        `by CPU time ${fixed(worstCpu.nnspecCpuRatio ?? NaN, 2)}× (${worstCpu.label})`,
      met: (worst.nnspecRatio ?? 0) >= least,
    });
  };
  ratioGoal('A', 5);
  ratioGoal('B', 5);
  ratioGoal('C', 3);
  ratioGoal('D', 1);
  const c = rows.find((r) => r.network === 'C' && r.engine === NNSPEC);
  if (c) {
    const cpuGflops = (6 * weightCount(NETWORKS.C) * (c.cpuSamplesPerSecond?.median ?? NaN)) / 1e9;
    out.push({ goal: 'C: NNSpec ≥ 30 GFLOP/s (6 × weights)', measured: `${fixed(c.gflops, 1)} GFLOP/s (by CPU time ${fixed(cpuGflops, 1)})`, met: c.gflops >= 30 });
  }
  const d = rows.find((r) => r.network === 'D' && r.engine === NNSPEC);
  if (d) out.push({ goal: 'D: one Step < 1 ms in the engine', measured: `${fixed(d.microsecondsPerUpdate, 1)} µs/step`, met: d.microsecondsPerUpdate < 1000 });
  const c2 = threads.find((r) => r.network === 'C' && r.threads === 2);
  if (c2) {
    out.push({ goal: 'C: 2 threads ≥ 1.7× 1 thread (issue 14)', measured: `${fixed(c2.ratio, 2)}× (${si(c2.samplesPerSecond.median)} samples/s)`, met: c2.ratio >= 1.7 });
    out.push({ goal: 'C: 2 threads ≥ 50 GFLOP/s (6 × weights)', measured: `${fixed(c2.gflops, 1)} GFLOP/s`, met: c2.gflops >= 50 });
  }
  for (const e of eventLoop) {
    out.push({
      goal: `host event-loop delay p99 < 10 ms while C trains (snapshots ${e.includeLayers ? 'with' : 'without'} layers, ${e.threads} training thread${e.threads === 1 ? '' : 's'}${e.threads === defaultTrainingThreads() ? ', the default' : ''})`,
      measured: `${fixed(e.p99Ms, 2)} ms`,
      met: e.p99Ms < 10,
    });
  }
  if (heatmap && typeof heatmap !== 'string') {
    out.push({ goal: 'heatmap redraw of 784×128 < 4 ms (median)', measured: `${fixed(heatmap.medianMs, 2)} ms median, ${fixed(heatmap.p95Ms, 2)} ms p95`, met: heatmap.medianMs < 4 });
  }
  if (parse.length > 0) {
    const worst = parse.reduce((a, b) => (a.medianMs > b.medianMs ? a : b));
    out.push({ goal: 'any 1 MB spec parsed < 200 ms (issue 10)', measured: `slowest ${fixed(worst.medianMs, 0)} ms median (${worst.name}; CPU ${fixed(worst.medianCpuMs, 0)} ms)`, met: worst.medianMs < 200 });
  }
  return out;
}

function printSpeedTable(rows: SpeedRow[], only: NetworkId[]): void {
  console.log('\nsamples/s: median (min–max) of the timed runs; ×: NNSpec at the same batch ÷ engine');
  const engines = [...new Set(rows.map((r) => r.engine))];
  const header = ['engine', ...only.map((id) => `${id} ${NETWORKS[id].title}`)];
  const body = engines.map((engineId) => {
    const label = rows.find((r) => r.engine === engineId)?.label ?? engineId;
    return [
      label,
      ...only.map((id) => {
        const r = rows.find((x) => x.network === id && x.engine === engineId);
        if (!r) return '';
        if (r.skipped) return `— (${r.skipped})`;
        if (r.error) return 'failed';
        const s = r.samplesPerSecond;
        const main = id === 'D' ? `${fixed(r.microsecondsPerUpdate, 1)} µs/step` : `${si(s.median)} (${si(s.min)}–${si(s.max)})`;
        return `${main} ${fixed(r.gflops, 2)} GF${r.nnspecRatio !== undefined ? ` ×${fixed(r.nnspecRatio, 2)}` : ''}${r.batch === 1 && NETWORKS[id].batch > 1 ? ' [m=1]' : ''}`;
      }),
    ];
  });
  console.log(table(header, body));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--memory-child') return memoryChild(argv[1], argv[2] as NetworkId);
  const options = parseArgs(argv);
  const started = performance.now();
  const info = machine();
  console.log(`NNSpec benchmark — ${info.date}\n${info.cpu}, ${info.nproc} cores, ${info.memoryGiB} GiB; Node ${info.node} (V8 ${info.v8}); load average ${info.loadAverageAtStart.join(' ')}; commit ${info.commit}`);
  console.log(
    info.kernelBuild === 'relaxed-simd'
      ? 'kernels: wasm-relaxed-simd (fused multiply-adds; WebAssembly.validate accepts relaxed SIMD here), the plain wasm-simd build beside it'
      : `kernels: wasm-simd (this runtime does not accept relaxed SIMD${process.execArgv.includes('--experimental-wasm-relaxed-simd') ? '' : '; node --experimental-wasm-relaxed-simd dist/bench.js runs the FMA build'})`,
  );
  if (info.loadAverageAtStart[0] > 0.5 * info.nproc) console.log(`note: the machine is busy (load ${info.loadAverageAtStart[0]} on ${info.nproc} cores): expect lower, noisier numbers`);

  let peak: Peak | undefined;
  if (!options.skip.has('peak')) {
    peak = measurePeak();
    console.log(`\npeak on this machine: WebAssembly SIMD multiply-add ${fixed(peak.wasmSimdGflops, 1)} GFLOP/s, plain JS multiply-add ${fixed(peak.plainJsGflops, 1)} GFLOP/s (one thread, registers only)`);
  }

  const rows = await speed(options, peak);
  printSpeedTable(rows, options.only);

  let smallest: SmallestStepResult | undefined;
  if (options.only.includes('D') && !options.skip.has('smallest')) {
    smallest = await measureSmallestStep(circle());
    const { nnspec, brain } = smallest;
    console.log(
      `\nD side by side (NNSpec and brain.js interleaved, ${smallest.rounds} rounds of ${smallest.steps.toLocaleString('en')} Steps each, medians): ` +
        `NNSpec ${fixed(nnspec.wallUs, 3)} µs/Step (CPU ${fixed(nnspec.cpuUs, 3)}), brain.js ${fixed(brain.wallUs, 3)} µs/Step (CPU ${fixed(brain.cpuUs, 3)}): ` +
        `NNSpec ${fixed(smallest.ratio, 2)}× brain.js (CPU ${fixed(smallest.cpuRatio, 2)}×)`,
    );
  }

  // Training threads (bench/threads.ts): A, B, C at 1, 2, … threads; where the split pays; MNIST at scale.
  let threadRows: ThreadRow[] = [];
  const threadNets = options.only.filter((id) => id !== 'D');
  if (!options.skip.has('threads') && threadNets.length > 0 && (!options.engines || options.engines.includes(NNSPEC))) {
    console.log(`\ntraining threads: NNSpec's default kernels at ${threadCounts().join(', ')} threads (runs interleaved; the default here is ${defaultTrainingThreads()}):`);
    // at least 9 rounds: a round where a helper thread was descheduled for a few milliseconds (a 2-core
    // machine's other work) then moves the median little
    threadRows = await measureThreadScaling(threadNets, syntheticMnist(), Math.max(options.runs, 9), options.quick);
    for (const r of threadRows) {
      const s = r.samplesPerSecond;
      console.log(`  ${r.network} ${String(r.threads).padStart(2)} thread${r.threads === 1 ? ' ' : 's'} ${si(s.median).padStart(6)} samples/s (${si(s.min)}–${si(s.max)})  ${fixed(r.gflops, 2).padStart(6)} GFLOP/s  ×${fixed(r.ratio, 2)} of 1 thread  [${r.helperChunks} chunks by helpers]`);
    }
  }
  let stepParts: StepPartsRow[] = [];
  if (!options.skip.has('stepparts') && options.only.includes('C')) {
    stepParts = await measureStepParts(syntheticMnist(), [1, 2], options.quick ? 3 : 5);
    console.log('\nwhere a step of C goes (µs a step, median of interleaved rounds; "rest": softmax and the cost, the loss, bookkeeping):');
    for (const row of stepParts) {
      console.log(`  ${row.threads} thread${row.threads === 1 ? ' ' : 's'}  step ${fixed(row.stepMicroseconds, 0).padStart(4)} µs  ${STEP_PARTS.map((p) => `${p} ${fixed(row.parts[p], 0)}`).join(', ')}`);
    }
  }
  let threshold: ThresholdRow[] = [];
  if (!options.skip.has('threshold')) {
    threshold = await measureThreshold();
    console.log('\none kernel call, m = 64, n = 128, on 1 thread and split over 2 (median µs a call): where the split pays');
    for (const t of threshold) {
      console.log(`  ${t.kernel.padEnd(8)} p=${String(t.p).padStart(3)}  ${si(t.work).padStart(6)} multiply-adds  1 thread ${fixed(t.oneThreadMicroseconds, 1).padStart(7)} µs  2 threads ${fixed(t.twoThreadsMicroseconds, 1).padStart(7)} µs  ×${fixed(t.speedup, 2)}`);
    }
  }
  let scale: ScaleResult | string | undefined;
  if (!options.skip.has('scale')) {
    const counts = [...new Set([1, 2, cpus().length])];
    scale = measureScale(mediaDir(), counts, options.quick ? 30_000 : 60_000);
    if (typeof scale === 'string') console.log(`\nscale: ${scale}`);
    else {
      console.log(`\nscale: ${scale.images.toLocaleString('en')} MNIST images from IDX files (the built-in digits repeated), 784-128-64-10 relu/softmax, m=64; loaded in ${fixed(scale.loadSeconds, 2)} s`);
      for (const r of scale.rows) console.log(`  ${String(r.threads).padStart(2)} thread${r.threads === 1 ? ' ' : 's'} ${si(r.samplesPerSecond).padStart(6)} samples/s  ${fixed(r.secondsPerEpoch, 2)} s per epoch`);
    }
  }

  const acc = options.skip.has('accuracy') ? { rows: [] as AccuracyRow[] } : await accuracy(options);
  if (acc.note) console.log(`\naccuracy: ${acc.note}`);
  const accuracyCheck = acc.rows.filter((r) => r.accuracy !== undefined).map((r) => {
    const reference = acc.rows.find((x) => x.network === r.network && x.engine === (r.batch === NETWORKS[r.network].batch ? NNSPEC : NNSPEC_B1));
    return { ...r, differenceFromNnspec: reference?.accuracy !== undefined ? (r.accuracy as number) - reference.accuracy : undefined };
  });
  const accuracyOk = accuracyCheck.every((r) => r.differenceFromNnspec === undefined || Math.abs(r.differenceFromNnspec) <= 0.1);
  if (acc.rows.length) console.log(accuracyOk ? 'accuracy check: every engine within 10 points of NNSpec ✓' : 'accuracy check: some engine differs from NNSpec by more than 10 points ✗');

  const mem = options.skip.has('memory') ? [] : memory(options);

  const eventLoop: EventLoopResult[] = [];
  let eventLoopNote: string | undefined;
  if (!options.skip.has('eventloop')) {
    console.log('\nextension-host event loop while network C trains on the digits in dist/worker.js:');
    // With the default number of training threads (nnspec.threads = 0), panel visible and hidden;
    // then with every core training, to show what the default leaves to the host.
    const configurations: [boolean, number][] = [
      [true, defaultTrainingThreads()],
      [false, defaultTrainingThreads()],
    ];
    if (cpus().length !== defaultTrainingThreads()) configurations.push([true, cpus().length]);
    for (const [includeLayers, threads] of configurations) {
      try {
        const result = await measureEventLoop(__dirname, mediaDir(), options.quick ? 3 : 5, includeLayers, threads);
        if (typeof result === 'string') {
          eventLoopNote = result;
          console.log(`  skipped: ${result}`);
          break;
        }
        eventLoop.push(result);
        console.log(
          `  ${threads} training thread${threads === 1 ? '' : 's'}${threads === defaultTrainingThreads() ? ' (the default)' : ''}, snapshots ${includeLayers ? 'with layer arrays (panel visible)' : 'without layers (panel hidden)'}: p50 ${fixed(result.p50Ms, 2)} ms, p99 ${fixed(result.p99Ms, 2)} ms, max ${fixed(result.maxMs, 1)} ms; ` +
            `${result.snapshots} snapshots in ${result.seconds} s, ≤ ${si(result.maxSnapshotBytes)}B each; ${result.stepsTrained} steps trained`,
        );
      } catch (error) {
        eventLoopNote = error instanceof Error ? error.message : String(error);
        console.log(`  FAILED: ${eventLoopNote}`);
        break;
      }
    }
  }

  // The live loop (bench/liveLoop.ts): messages a second and pause latency under load.
  let liveLoop: LiveLoopResult | string | undefined;
  if (!options.skip.has('liveloop')) {
    console.log('\nlive loop: xor at full speed in dist/worker.js, this thread acknowledging each snapshot as the host does:');
    try {
      liveLoop = await measureLiveLoop(__dirname, mediaDir(), options.quick ? 2 : 3, 10);
      if (typeof liveLoop === 'string') console.log(`  skipped: ${liveLoop}`);
      else {
        console.log(
          `  ${fixed(liveLoop.messagesPerSecond, 1)} messages/s to the host (updateHz ${liveLoop.updateHz}) at ${si(liveLoop.stepsPerSecond)} steps/s; ` +
            `pause → paused snapshot: p50 ${fixed(liveLoop.pauseMs.p50, 2)} ms, p95 ${fixed(liveLoop.pauseMs.p95, 2)} ms, max ${fixed(liveLoop.pauseMs.max, 2)} ms over ${liveLoop.pauseMs.tries.length} tries`,
        );
      }
    } catch (error) {
      liveLoop = `failed: ${error instanceof Error ? error.message : String(error)}`;
      console.log(`  FAILED: ${liveLoop}`);
    }
  }

  let heatmap: HeatmapResult | string | undefined;
  if (!options.skip.has('heatmap')) {
    try {
      heatmap = await measureHeatmap(ROOT);
    } catch (error) {
      heatmap = `failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    console.log(
      typeof heatmap === 'string'
        ? `\nheatmap redraw: ${heatmap}`
        : `\nheatmap redraw of a ${heatmap.inputs}×${heatmap.units} layer (canvas ${heatmap.canvas}) in headless Chromium: median ${fixed(heatmap.medianMs, 2)} ms, p95 ${fixed(heatmap.p95Ms, 2)} ms, max ${fixed(heatmap.maxMs, 2)} ms over ${heatmap.redraws} redraws`,
    );
  }

  let parse: ParseRow[] = [];
  if (!options.skip.has('parse')) {
    parse = measureParse();
    console.log('\nparseSpec on 1 MB specs (median of 5; CPU time includes the GC threads):');
    for (const p of parse) console.log(`  ${p.name.padEnd(26)} ${fixed(p.megabytes, 2)} MB  ${fixed(p.medianMs, 0).padStart(4)} ms  (CPU ${fixed(p.medianCpuMs, 0)} ms)  ${p.diagnostics} diagnostics`);
  }

  let optimizers: OptimizerRow[] = [];
  if (!options.skip.has('optimizers')) {
    optimizers = measureOptimizers(syntheticMnist(), options.runs, options.quick ? Math.round(NETWORKS.C.updates / 2) : NETWORKS.C.updates);
    console.log(`\nnetwork C (${NETWORKS.C.title}) by optimizer and with dropout, NNSpec's default kernels (runs interleaved):`);
    for (const o of optimizers) {
      const s = o.samplesPerSecond;
      console.log(`  ${o.variant.padEnd(16)} ${si(s.median).padStart(6)} samples/s (${si(s.min)}–${si(s.max)})  ${fixed(100 * o.ofSgd, 0).padStart(3)}% of sgd  [CPU time: ${si(o.cpuSamplesPerSecond)} samples/s, ${fixed(100 * o.cpuOfSgd, 0)}%]  [${o.kernels}; ${o.spec}]`);
    }
  }

  const goalRows = goals(rows, eventLoop, heatmap, parse, threadRows);
  if (smallest) {
    goalRows.push({
      goal: 'D side by side: NNSpec ≥ 1× brain.js (interleaved runs, median)',
      measured: `${fixed(smallest.ratio, 2)}× (${fixed(smallest.nnspec.wallUs, 3)} vs ${fixed(smallest.brain.wallUs, 3)} µs/Step; by CPU time ${fixed(smallest.cpuRatio, 2)}×)`,
      met: smallest.ratio >= 1,
    });
  }
  for (const o of optimizers.filter((x) => x.variant === 'adam' || x.variant === 'sgd + dropout')) {
    goalRows.push({ goal: `network C with ${o.variant} within 15% of sgd's samples/s (issue 13)`, measured: `${fixed(100 * o.ofSgd, 0)}% (${si(o.samplesPerSecond.median)} samples/s; by CPU time ${fixed(100 * o.cpuOfSgd, 0)}%)`, met: o.ofSgd >= 0.85 });
  }
  console.log('\ngoals (issue 6):');
  for (const g of goalRows) console.log(`  ${g.met === null ? '?' : g.met ? '✓' : '✗'} ${g.goal}: ${g.measured}`);

  const results = {
    machine: info,
    options: { quick: options.quick, only: options.only, engines: options.engines, runs: options.runs, skip: [...options.skip] },
    peak,
    networks: options.only.map((id) => ({ ...NETWORKS[id], weights: weightCount(NETWORKS[id]), parameters: parameterCountOf(NETWORKS[id]) })),
    speed: rows,
    accuracy: { rows: accuracyCheck, ok: accuracyOk, note: acc.note },
    memory: mem,
    eventLoop: { results: eventLoop, note: eventLoopNote },
    liveLoop,
    heatmap,
    parse,
    optimizers,
    smallestStep: smallest,
    threads: { default: defaultTrainingThreads(), counts: threadCounts(), scaling: threadRows, stepParts, threshold, scale },
    goals: goalRows,
    seconds: (performance.now() - started) / 1000,
  };
  writeFileSync(options.out, JSON.stringify(results, null, 2) + '\n');
  const mdPath = options.out.replace(/\.json$/, '') + '.md';
  writeFileSync(
    mdPath,
    markdown({
      machine: info,
      peak,
      only: options.only,
      runs: options.runs,
      speed: rows,
      accuracy: acc.rows,
      memory: mem,
      eventLoop,
      eventLoopNote,
      heatmap,
      threads: threadRows,
      stepParts,
      threshold,
      scale,
      defaultThreads: defaultTrainingThreads(),
      goals: goalRows,
    }),
  );
  console.log(`\nwrote ${options.out} and ${mdPath} (${fixed(results.seconds, 0)} s)`);
}

main().catch((error) => {
  // A usage mistake is a message; anything else keeps its stack (it is a bug to report).
  const usage = error instanceof Error && /^(unknown option|--\w+)/.test(error.message);
  console.error(`bench: ${error instanceof Error ? (usage ? error.message : error.stack ?? error.message) : String(error)}`);
  process.exit(usage ? 2 : 1);
});
