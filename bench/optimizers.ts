/**
 * Network C (784-128-64-10 relu/softmax, cce, m = 64) trained by NNSpec's product path (default
 * kernels: WebAssembly SIMD) with each optimizer and with dropout, beside plain SGD (issue 13
 * item 7: within 15% of SGD's samples/s). The variants' runs are interleaved (SGD, Adam, …, SGD,
 * Adam, …) so a busy machine slows them alike; samples/s = updates × m / seconds, median of the runs.
 */
import { createTrainer, defaultKernels } from '../src/core/engine/trainer';
import { prepareData } from '../src/core/data/prepare';
import { parseSpec } from '../src/core/lang';
import type { BenchData } from './data';
import { NETWORKS, nnspecText } from './networks';
import { median } from './stats';

export interface OptimizerRow {
  variant: string;
  /** The lines that differ from network C's spec. */
  spec: string;
  samplesPerSecond: { median: number; min: number; max: number };
  /** This variant's median ÷ SGD's. */
  ofSgd: number;
  /** The same by CPU time of this process (steadier on a busy machine). */
  cpuSamplesPerSecond: number;
  cpuOfSgd: number;
  kernels: string;
}

const C = NETWORKS.C;

/** Each variant: network C's spec text with its lines replaced. */
const VARIANTS: { variant: string; spec: string; edit: (text: string) => string }[] = [
  { variant: 'sgd', spec: `optimizer sgd rate=${C.rate}`, edit: (t) => t },
  { variant: 'sgd momentum', spec: 'optimizer sgd rate=0.05 momentum=0.9', edit: (t) => t.replace(/^optimizer .*$/m, 'optimizer sgd rate=0.05 momentum=0.9') },
  { variant: 'adam', spec: 'optimizer adam rate=0.001', edit: (t) => t.replace(/^optimizer .*$/m, 'optimizer adam rate=0.001') },
  { variant: 'rmsprop', spec: 'optimizer rmsprop rate=0.001', edit: (t) => t.replace(/^optimizer .*$/m, 'optimizer rmsprop rate=0.001') },
  { variant: 'adagrad', spec: 'optimizer adagrad rate=0.01', edit: (t) => t.replace(/^optimizer .*$/m, 'optimizer adagrad rate=0.01') },
  {
    variant: 'sgd + dropout',
    spec: 'dense 128 relu dropout=0.2, dense 64 relu dropout=0.2',
    edit: (t) => t.replace('dense 128 relu', 'dense 128 relu dropout=0.2').replace('dense 64 relu', 'dense 64 relu dropout=0.2'),
  },
  {
    variant: 'adam + dropout',
    spec: 'optimizer adam rate=0.001, dropout=0.2 on both hidden layers',
    edit: (t) => t.replace(/^optimizer .*$/m, 'optimizer adam rate=0.001').replace('dense 128 relu', 'dense 128 relu dropout=0.2').replace('dense 64 relu', 'dense 64 relu dropout=0.2'),
  },
];

export function measureOptimizers(data: BenchData, runs: number, updates = C.updates): OptimizerRow[] {
  const dataset = { name: data.name, count: data.count, inputSize: data.inputSize, outputSize: data.outputSize, inputs: data.inputs, targets: data.targets, task: 'classification' as const };
  const prepared = prepareData(dataset, { validation: 0, normalize: 'none', seed: 1 });
  const trainers = VARIANTS.map((v) => {
    const parsed = parseSpec(v.edit(nnspecText(C)));
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'missing-data');
    if (errors.length > 0) throw new Error(`bench spec ${v.variant} does not parse: ${errors.map((d) => d.message).join('; ')}`);
    const trainer = createTrainer(parsed.spec, prepared, { kernels: defaultKernels(parsed.spec, prepared) });
    for (let i = 0; i < Math.max(10, updates / 2); i++) trainer.stepOnce(); // warm-up
    return trainer;
  });
  const rates: number[][] = VARIANTS.map(() => []);
  const cpuRates: number[][] = VARIANTS.map(() => []);
  for (let r = 0; r < runs; r++) {
    trainers.forEach((trainer, i) => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let s = 0; s < updates; s++) trainer.stepOnce();
      const cpu = process.cpuUsage(cpu0);
      rates[i].push((updates * C.batch) / ((performance.now() - t0) / 1000));
      cpuRates[i].push((updates * C.batch) / ((cpu.user + cpu.system) / 1e6));
    });
  }
  const sgd = median(rates[0]);
  const cpuSgd = median(cpuRates[0]);
  return VARIANTS.map((v, i) => ({
    variant: v.variant,
    spec: v.spec,
    samplesPerSecond: { median: median(rates[i]), min: Math.min(...rates[i]), max: Math.max(...rates[i]) },
    ofSgd: median(rates[i]) / sgd,
    cpuSamplesPerSecond: median(cpuRates[i]),
    cpuOfSgd: median(cpuRates[i]) / cpuSgd,
    kernels: trainers[i].kernelsName,
  }));
}
