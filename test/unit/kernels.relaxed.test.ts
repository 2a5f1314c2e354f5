/**
 * The relaxed-SIMD kernel build (fused multiply-adds, f32x4.relaxed_madd) is taken exactly where
 * WebAssembly.validate accepts it, and computes what the plain SIMD build computes to float
 * rounding: kernel by kernel against the float64 specification, and over whole training runs;
 * and, like the plain build, gives the same bits at 1, 2 and 4 training threads.
 *
 * Node 20 accepts relaxed SIMD only under --experimental-wasm-relaxed-simd (a process-wide V8
 * flag), so the comparison runs in a child Node with that flag: test/support/relaxedKernels.ts,
 * bundled here with esbuild.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernels } from '../../src/core/engine/createKernels';
import { relaxedSimdAvailable, wasmKernels } from '../../src/core/engine/wasmKernels';
import type { RelaxedReport } from '../support/relaxedKernels';

const ROOT = path.resolve(__dirname, '../..');
const FLAG = '--experimental-wasm-relaxed-simd';

describe('which kernel build runs here', () => {
  it('is the relaxed-SIMD one exactly when WebAssembly.validate accepts it, else the plain SIMD one', () => {
    const expected = relaxedSimdAvailable() ? 'wasm-relaxed-simd' : 'wasm-simd';
    expect(createKernels('auto').name).toBe(expected);
    expect(createKernels('wasm').name).toBe(expected);
    expect(wasmKernels()?.name).toBe(expected);
    expect(createKernels('wasm-simd').name).toBe('wasm-simd');
  });

  it("refuses 'wasm-relaxed-simd' with the runtime's reason where relaxed SIMD is not accepted", () => {
    if (relaxedSimdAvailable()) {
      expect(createKernels('wasm-relaxed-simd').name).toBe('wasm-relaxed-simd');
    } else {
      expect(() => createKernels('wasm-relaxed-simd')).toThrow(/^WebAssembly relaxed-SIMD kernels cannot be compiled here \(.+\); use the 'js' kernels$/);
    }
  });
});

describe(`the relaxed-SIMD build in a child Node with ${FLAG}`, () => {
  let dir = '';
  let report: RelaxedReport;

  beforeAll(async () => {
    const v8Options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    if (!v8Options.includes(FLAG) && !v8Options.includes('--wasm-relaxed-simd')) {
      throw new Error(`this Node (${process.version}) has no ${FLAG}: the relaxed-SIMD test needs Node 20 or later`);
    }
    dir = mkdtempSync(path.join(tmpdir(), 'nnspec-relaxed-'));
    const script = path.join(dir, 'relaxedKernels.cjs');
    await esbuild.build({ entryPoints: [path.join(ROOT, 'test/support/relaxedKernels.ts')], outfile: script, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
    // Newer Nodes ship relaxed SIMD on by default and may drop the flag; only pass it where it exists.
    const flags = v8Options.includes(FLAG) ? [FLAG] : [];
    const child = spawnSync(process.execPath, [...flags, script], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
    if (child.status !== 0) throw new Error(`the child Node failed (${child.status}):\n${child.stderr}`);
    report = JSON.parse(child.stdout) as RelaxedReport;
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('validates there, and every way of asking for kernels takes it (a C-sized Trainer too)', () => {
    expect(report.validates).toBe(true);
    expect(report.names).toEqual({ auto: 'wasm-relaxed-simd', wasm: 'wasm-relaxed-simd', simd: 'wasm-simd', trainer: 'wasm-relaxed-simd' });
  });

  it('forward, backward and gradient agree with the float64 specification (and the plain build) on every shape', () => {
    expect(report.kernels.length).toBeGreaterThan(0);
    for (const row of report.kernels) expect(row.outside, row.what).toEqual([]);
  });

  it('really fuses: on a CPU with FMA some outputs differ from the plain build in their last bits', () => {
    const cpuHasFma = process.platform === 'linux' && process.arch === 'x64' && /\bfma\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
    const differing = report.kernels.reduce((sum, row) => sum + row.differing, 0);
    if (cpuHasFma) expect(differing).toBeGreaterThan(0);
    // Not every output: where a sum has a single term, fused and unfused round alike.
    expect(differing).toBeLessThan(report.kernels.reduce((sum, row) => sum + row.elements, 0));
  });

  it('is bit-identical at 1, 2 and 4 threads, as the plain build is (the promise holds per build)', () => {
    expect(report.threads.map((run) => run.threads)).toEqual([1, 2, 4]);
    expect(report.threads[0].helped).toBe(0);
    for (const run of report.threads.slice(1)) {
      expect(run.same, `${run.threads} threads`).toBe(true);
      expect(run.helped, `helpers computed chunks at ${run.threads} threads`).toBeGreaterThan(0);
      expect(run.loss).toBe(report.threads[0].loss);
    }
  });

  it('trains the same networks as the plain build, to float tolerance', () => {
    expect(report.training.length).toBe(2);
    for (const run of report.training) {
      expect(run.worst, run.name).toBeLessThan(1e-3);
      expect(Math.abs(run.lossRelaxed - run.lossPlain), run.name).toBeLessThan(1e-3 * Math.max(1, Math.abs(run.lossPlain)));
    }
  });
});
