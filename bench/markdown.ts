/**
 * The results as Markdown (bench/results.md), the tables docs/performance.md shows:
 * copy the file's content between the RESULTS markers there after a run on a quiet machine.
 */
import { NETWORKS, weightCount, type NetworkId } from './networks';

const weightsOf = (id: NetworkId) => weightCount(NETWORKS[id]);
import { fixed, si } from './stats';

interface Row {
  network: NetworkId;
  engine: string;
  label: string;
  batch: number;
  samplesPerSecond: { median: number; min: number; max: number };
  cpuSamplesPerSecond?: { median: number; min: number; max: number };
  nnspecCpuRatio?: number;
  microsecondsPerUpdate: number;
  gflops: number;
  fractionOfWasmPeak?: number;
  nnspecRatio?: number;
  skipped?: string;
  error?: string;
}

export interface MarkdownInput {
  machine: { date: string; cpu: string; nproc: number; memoryGiB: number; node: string; v8: string; loadAverageAtStart: number[]; commit: string; kernelBuild?: string };
  peak?: { wasmSimdGflops: number; plainJsGflops: number };
  only: NetworkId[];
  runs: number;
  speed: Row[];
  accuracy: { network: NetworkId; engine: string; batch: number; accuracy?: number; samplesPerSecond?: number; skipped?: string; error?: string }[];
  memory: { network: NetworkId; engine: string; bytesPerParameter?: number; rssBytesPerParameter?: number; engineBytesPerParameter?: number; error?: string }[];
  eventLoop: { includeLayers: boolean; threads?: number; seconds: number; p50Ms: number; p99Ms: number; maxMs: number; snapshots: number; maxSnapshotBytes: number; stepsTrained: number }[];
  eventLoopNote?: string;
  heatmap?: { medianMs: number; p95Ms: number; maxMs: number; canvas: string; redraws: number } | string;
  threads?: { network: NetworkId; threads: number; samplesPerSecond: { median: number; min: number; max: number }; gflops: number; ratio: number; helperChunks: number }[];
  stepParts?: { threads: number; stepMicroseconds: number; parts: Record<string, number> }[];
  threshold?: { kernel: string; m: number; n: number; p: number; work: number; oneThreadMicroseconds: number; twoThreadsMicroseconds: number; speedup: number }[];
  scale?: { images: number; loadSeconds: number; rows: { threads: number; samplesPerSecond: number; secondsPerEpoch: number }[] } | string;
  /** The default number of training threads on this machine (nnspec.threads = 0). */
  defaultThreads?: number;
  goals: { goal: string; measured: string; met: boolean | null }[];
}

export function markdown(r: MarkdownInput): string {
  const m = r.machine;
  const lines: string[] = [];
  lines.push(
    `Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu}, ${m.nproc} cores (\`nproc\`), ${m.memoryGiB} GiB, Node ${m.node} (V8 ${m.v8}), commit ${m.commit}; ` +
      `load average at the start ${m.loadAverageAtStart.join(' / ')} (1 / 5 / 15 min) — the machine was shared with other builds and tests, so every engine ran slower than on a quiet machine, and unevenly. ` +
      `One thread per engine in the comparison (NNSpec's threads have their own table); ${r.runs} timed runs after a warm-up.` +
      (m.kernelBuild ? ` NNSpec's kernel build: **wasm-${m.kernelBuild}**${m.kernelBuild === 'relaxed-simd' ? ' (fused multiply-adds)' : ' (relaxed SIMD not accepted by this runtime)'}.` : ''),
  );
  if (r.peak) {
    lines.push('', `Peak on this machine, same moment: WebAssembly SIMD multiply-add **${fixed(r.peak.wasmSimdGflops, 1)} GFLOP/s**, plain JS multiply-add **${fixed(r.peak.plainJsGflops, 1)} GFLOP/s**.`);
  }
  lines.push('', '### Speed (samples/s, median (min–max); GFLOP/s by 6 × weights; × = NNSpec at the same batch ÷ engine)', '');
  const engines = [...new Set(r.speed.map((row) => row.engine))];
  lines.push(`| engine | ${r.only.map((id) => `${id}: ${NETWORKS[id].title}`).join(' | ')} |`);
  lines.push(`|---|${r.only.map(() => '---').join('|')}|`);
  for (const engine of engines) {
    const label = r.speed.find((row) => row.engine === engine)?.label ?? engine;
    const cells = r.only.map((id) => {
      const row = r.speed.find((x) => x.network === id && x.engine === engine);
      if (!row) return '';
      if (row.skipped) return `— (${row.skipped})`;
      if (row.error) return `failed: ${row.error}`;
      const s = row.samplesPerSecond;
      const speed = id === 'D' ? `**${fixed(row.microsecondsPerUpdate, 1)} µs/step**` : `**${si(s.median)}** (${si(s.min)}–${si(s.max)})`;
      const peak = row.fractionOfWasmPeak !== undefined ? `, ${fixed(100 * row.fractionOfWasmPeak, 0)}% of peak` : '';
      const ratio = row.nnspecRatio !== undefined ? `, ×${fixed(row.nnspecRatio, 1)}` : '';
      const one = row.batch === 1 && NETWORKS[id].batch > 1 ? ' [m=1]' : '';
      return `${speed} ${fixed(row.gflops, 2)} GF${peak}${ratio}${one}`;
    });
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  lines.push('', '### The same by CPU time (samples per second of the process’s CPU time: waiting for a core on the busy machine not counted)', '');
  lines.push(`| engine | ${r.only.map((id) => id).join(' | ')} |`, `|---|${r.only.map(() => '---').join('|')}|`);
  for (const engine of engines) {
    const label = r.speed.find((row) => row.engine === engine)?.label ?? engine;
    const cells = r.only.map((id) => {
      const row = r.speed.find((x) => x.network === id && x.engine === engine);
      if (!row || !row.cpuSamplesPerSecond || row.skipped || row.error) return row?.skipped ? '—' : '';
      const c = row.cpuSamplesPerSecond;
      const main = id === 'D' ? `${fixed((1e6 * row.batch) / c.median, 1)} µs/step` : `${si(c.median)} (${si(c.min)}–${si(c.max)})`;
      return `${main}, ${fixed((6 * weightsOf(id) * c.median) / 1e9, 2)} GF${row.nnspecCpuRatio !== undefined ? `, ×${fixed(row.nnspecCpuRatio, 1)}` : ''}`;
    });
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  if (r.threads?.length) {
    const counts = [...new Set(r.threads.map((t) => t.threads))];
    const nets = [...new Set(r.threads.map((t) => t.network))];
    lines.push('', `### Training threads (NNSpec's default kernels; samples/s median (min–max), GFLOP/s by 6 × weights, × = ÷ 1 thread; runs interleaved; default here: ${r.defaultThreads ?? '?'})`, '');
    lines.push(`| network | ${counts.map((t) => `${t} thread${t === 1 ? '' : 's'}`).join(' | ')} |`, `|---|${counts.map(() => '---').join('|')}|`);
    for (const id of nets) {
      const cells = counts.map((t) => {
        const row = r.threads!.find((x) => x.network === id && x.threads === t);
        return row ? `**${si(row.samplesPerSecond.median)}** (${si(row.samplesPerSecond.min)}–${si(row.samplesPerSecond.max)}) ${fixed(row.gflops, 1)} GF ×${fixed(row.ratio, 2)}` : '';
      });
      lines.push(`| ${id}: ${NETWORKS[id].title} | ${cells.join(' | ')} |`);
    }
  }
  if (r.stepParts?.length) {
    const parts = Object.keys(r.stepParts[0].parts);
    lines.push('', '### Where a step of C goes (µs a step, median of interleaved rounds; "rest": softmax and the cost, the loss, bookkeeping)', '');
    lines.push(`| threads | step | ${parts.join(' | ')} |`, `|---|---|${parts.map(() => '---').join('|')}|`);
    for (const row of r.stepParts) lines.push(`| ${row.threads} | **${fixed(row.stepMicroseconds, 0)}** | ${parts.map((p) => fixed(row.parts[p], 0)).join(' | ')} |`);
  }
  if (r.threshold?.length) {
    const ps = [...new Set(r.threshold.map((t) => t.p))];
    const first = r.threshold[0];
    lines.push('', `### Where the split pays: one kernel call, m = ${first.m}, n = ${first.n}, p units (1 thread µs → 2 threads µs, ×)`, '');
    lines.push(`| kernel | ${ps.map((p) => `p=${p} (${si(first.m * first.n * p)})`).join(' | ')} |`, `|---|${ps.map(() => '---').join('|')}|`);
    for (const kernel of [...new Set(r.threshold.map((t) => t.kernel))]) {
      const cells = ps.map((p) => {
        const t = r.threshold!.find((x) => x.kernel === kernel && x.p === p);
        return t ? `${fixed(t.oneThreadMicroseconds, 1)} → ${fixed(t.twoThreadsMicroseconds, 1)} ×${fixed(t.speedup, 2)}` : '';
      });
      lines.push(`| ${kernel} | ${cells.join(' | ')} |`);
    }
  }
  if (r.scale !== undefined) {
    lines.push('', '### Scale: the full MNIST training set, 784-128-64-10 relu/softmax, m = 64', '');
    if (typeof r.scale === 'string') lines.push(r.scale);
    else {
      lines.push(`${r.scale.images.toLocaleString('en')} images read from IDX files the bench writes (the 10,000 built-in digits repeated), loaded in ${fixed(r.scale.loadSeconds, 2)} s.`, '');
      lines.push('| threads | samples/s | seconds per epoch |', '|---|---|---|');
      for (const row of r.scale.rows) lines.push(`| ${row.threads} | **${si(row.samplesPerSecond)}** | ${fixed(row.secondsPerEpoch, 2)} s |`);
    }
  }
  if (r.accuracy.length) {
    const nets = [...new Set(r.accuracy.map((a) => a.network))];
    lines.push('', '### Accuracy on the real digits (one epoch on 8,000, tested on 2,000) and the speed of that epoch', '');
    lines.push(`| engine | ${nets.map((id) => id).join(' | ')} |`, `|---|${nets.map(() => '---').join('|')}|`);
    const accEngines = [...new Set(r.accuracy.map((a) => a.engine))];
    for (const engine of accEngines) {
      const label = r.speed.find((row) => row.engine === engine)?.label ?? engine;
      const cells = nets.map((id) => {
        const a = r.accuracy.find((x) => x.network === id && x.engine === engine);
        if (!a) return '';
        if (a.skipped) return `— (${a.skipped})`;
        if (a.error || a.accuracy === undefined) return `failed`;
        return `${fixed(100 * a.accuracy, 1)}% (${si(a.samplesPerSecond ?? NaN)}/s)${a.batch === 1 && NETWORKS[id].batch > 1 ? ' [m=1]' : ''}`;
      });
      lines.push(`| ${label} | ${cells.join(' | ')} |`);
    }
  }
  if (r.memory.length) {
    lines.push('', '### Memory while training (bytes per parameter; fresh process per engine)', '');
    lines.push('| engine | network | heap + external + array buffers | RSS | engine’s own buffers |', '|---|---|---|---|---|');
    for (const row of r.memory) {
      const label = r.speed.find((x) => x.engine === row.engine)?.label ?? row.engine;
      if (row.error) lines.push(`| ${label} | ${row.network} | failed: ${row.error} | | |`);
      else lines.push(`| ${label} | ${row.network} | ${fixed(row.bytesPerParameter ?? NaN)} | ${fixed(row.rssBytesPerParameter ?? NaN)} | ${row.engineBytesPerParameter !== undefined ? fixed(row.engineBytesPerParameter) : '—'} |`);
    }
  }
  if (r.eventLoop.length || r.eventLoopNote) {
    lines.push('', '### Extension-host event loop while network C trains in dist/worker.js', '');
    if (r.eventLoopNote) lines.push(r.eventLoopNote, '');
    if (r.eventLoop.length) {
      lines.push('| training threads | snapshots | p50 | p99 | max | snapshots received | largest snapshot | steps trained |', '|---|---|---|---|---|---|---|---|');
      for (const e of r.eventLoop) {
        lines.push(`| ${e.threads ?? 1}${e.threads === r.defaultThreads ? ' (default)' : ''} | ${e.includeLayers ? 'with layer arrays (panel visible)' : 'without layers (panel hidden)'} | ${fixed(e.p50Ms, 2)} ms | **${fixed(e.p99Ms, 2)} ms** | ${fixed(e.maxMs, 1)} ms | ${e.snapshots} in ${e.seconds} s | ${si(e.maxSnapshotBytes)}B | ${e.stepsTrained} |`);
      }
    }
  }
  if (r.heatmap !== undefined) {
    lines.push('', '### Panel heatmap redraw, 784 × 128 layer, headless Chromium', '');
    lines.push(typeof r.heatmap === 'string' ? r.heatmap : `canvas ${r.heatmap.canvas}: median **${fixed(r.heatmap.medianMs, 2)} ms**, p95 ${fixed(r.heatmap.p95Ms, 2)} ms, max ${fixed(r.heatmap.maxMs, 2)} ms over ${r.heatmap.redraws} redraws.`);
  }
  lines.push('', '### Goals', '');
  for (const g of r.goals) lines.push(`- ${g.met === null ? '?' : g.met ? '✅' : '❌'} ${g.goal}: ${g.measured}`);
  return lines.join('\n') + '\n';
}
