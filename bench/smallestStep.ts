/**
 * Network D (2-8-8-1 tanh, mse, one sample a Step) side by side: NNSpec's product path (its default
 * kernels for D: plain JavaScript, the fused one-sample step) and brain.js's trainPattern, in this
 * process, their runs interleaved (NNSpec, brain.js, NNSpec, …) so a busy machine slows both alike.
 * A Step takes about a microsecond, so the speed table's 4,000-update runs last a few milliseconds
 * and swing with every scheduler hiccup; here each engine gets `rounds` runs of `steps` Steps and
 * the medians of wall-clock and CPU time per Step are compared.
 */
import { brainEngine } from './engines/brain';
import { nnspecEngine } from './engines/nnspec';
import type { BenchData } from './data';
import { NETWORKS } from './networks';
import { median } from './stats';

export interface SmallestStepResult {
  rounds: number;
  steps: number;
  /** µs per Step, median over the rounds: wall clock and this process's CPU time. */
  nnspec: { wallUs: number; cpuUs: number };
  brain: { wallUs: number; cpuUs: number };
  /** brain.js's time ÷ NNSpec's (≥ 1: NNSpec's Step is at least as fast). */
  ratio: number;
  cpuRatio: number;
}

export async function measureSmallestStep(data: BenchData, rounds = 31, steps = 5000): Promise<SmallestStepResult> {
  const net = NETWORKS.D;
  const engines = [nnspecEngine('auto'), brainEngine()];
  const sessions = await Promise.all(engines.map((engine) => engine.create(net, data)));
  for (const session of sessions) await session.steps(4 * steps); // warm-up
  const wall = engines.map(() => [] as number[]);
  const cpu = engines.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < sessions.length; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await sessions[i].steps(steps);
      const seconds = (performance.now() - t0) / 1000;
      const used = process.cpuUsage(c0);
      wall[i].push((1e6 * seconds) / steps);
      cpu[i].push((used.user + used.system) / steps);
    }
  }
  for (const session of sessions) session.dispose?.();
  const nnspec = { wallUs: median(wall[0]), cpuUs: median(cpu[0]) };
  const brain = { wallUs: median(wall[1]), cpuUs: median(cpu[1]) };
  return { rounds, steps, nnspec, brain, ratio: brain.wallUs / nnspec.wallUs, cpuRatio: brain.cpuUs / nnspec.cpuUs };
}
