/**
 * Where a step of network C goes, at 1 thread and at 2 (issue 14): the product's Trainer with its
 * default kernels, every kernel call timed from outside (a wrapper around each `Kernels` member,
 * ~0.1 µs a call), the rest of the step (softmax and the cost, the loss, bookkeeping) by
 * difference. What does not shrink at 2 threads is the serial part that caps the speed-up
 * (Amdahl): 1 ÷ (serial + split ÷ 2).
 */
import { createTrainer, defaultKernels } from '../src/core/engine/trainer';
import type { Kernels } from '../src/core/engine/kernels';
import { prepareData } from '../src/core/data/prepare';
import { parseSpec } from '../src/core/lang';
import { setTrainingThreads, threadPool } from '../src/core/engine/threadPool';
import type { BenchData } from './data';
import { NETWORKS, nnspecText } from './networks';
import { median } from './stats';

/** The parts a step is cut into, in the order they are printed. */
export const STEP_PARTS = ['gather', 'forward', 'activations', 'backward', 'gradient', 'update', 'rest'] as const;
export type StepPart = (typeof STEP_PARTS)[number];

export interface StepPartsRow {
  threads: number;
  /** µs a step, median over the rounds. */
  stepMicroseconds: number;
  parts: Record<StepPart, number>;
}

/** Which part each kernel member's time counts towards. */
const PART_OF: Partial<Record<keyof Kernels, StepPart>> = {
  gather: 'gather',
  forward: 'forward',
  activate: 'activations',
  derive: 'activations',
  backward: 'backward',
  gradient: 'gradient',
  optimize: 'update',
};

/** C at each of `counts` threads: `rounds` interleaved rounds of `steps` steps after a warm-up of 300 at each. */
export async function measureStepParts(data: BenchData, counts: number[], rounds = 5, steps = 200): Promise<StepPartsRow[]> {
  const net = NETWORKS.C;
  const parsed = parseSpec(nnspecText(net));
  const dataset = { name: data.name, count: data.count, inputSize: data.inputSize, outputSize: data.outputSize, inputs: data.inputs, targets: data.targets, task: 'classification' as const };
  const prepared = prepareData(dataset, { validation: 0, normalize: 'none', seed: 1 });
  const inner = defaultKernels(parsed.spec, prepared);
  const spent = new Map<StepPart, number>();
  const timed: Record<string, unknown> = { ...inner, name: inner.name };
  for (const [member, part] of Object.entries(PART_OF) as [keyof Kernels, StepPart][]) {
    const fn = inner[member] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof fn !== 'function') continue;
    timed[member] = (...args: unknown[]) => {
      const t0 = performance.now();
      const result = fn.apply(inner, args);
      spent.set(part, (spent.get(part) ?? 0) + performance.now() - t0);
      return result;
    };
  }
  const trainer = createTrainer(parsed.spec, prepared, { kernels: timed as unknown as Kernels });
  const pool = threadPool();
  if (pool) await pool.ready(Math.max(...counts) - 1);
  const samples = new Map<number, { step: number[]; parts: Map<StepPart, number[]> }>(counts.map((t) => [t, { step: [], parts: new Map(STEP_PARTS.map((p) => [p, []])) }]));
  for (const t of counts) {
    setTrainingThreads(t);
    for (let i = 0; i < 300; i++) trainer.stepOnce();
  }
  for (let r = 0; r < rounds; r++) {
    for (const t of counts) {
      setTrainingThreads(t);
      spent.clear();
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) trainer.stepOnce();
      const step = ((performance.now() - t0) * 1000) / steps;
      const entry = samples.get(t)!;
      entry.step.push(step);
      let kernels = 0;
      for (const part of STEP_PARTS) {
        if (part === 'rest') continue;
        const us = ((spent.get(part) ?? 0) * 1000) / steps;
        kernels += us;
        entry.parts.get(part)!.push(us);
      }
      entry.parts.get('rest')!.push(step - kernels);
    }
  }
  setTrainingThreads(1);
  return counts.map((threads) => {
    const entry = samples.get(threads)!;
    const parts = Object.fromEntries(STEP_PARTS.map((p) => [p, median(entry.parts.get(p)!)])) as Record<StepPart, number>;
    return { threads, stepMicroseconds: median(entry.step), parts };
  });
}
