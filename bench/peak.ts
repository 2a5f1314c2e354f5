/**
 * The ceiling on this machine for the kind of code the engines run, measured, not quoted:
 *   wasm SIMD   twelve independent f32x4 multiply-add chains in registers (wasm/kernels.ts `peak`)
 *   plain JS    eight independent scalar multiply-add chains in a loop (V8 keeps them in registers)
 * Neither touches memory, so real kernels (which must load their operands) stay below them.
 */
import { instantiateWasmKernels } from '../src/core/engine/wasmKernels';

export interface Peak {
  wasmSimdGflops: number;
  plainJsGflops: number;
}

function best(runs: number, run: () => number): number {
  let most = 0;
  for (let r = 0; r < runs; r++) most = Math.max(most, run());
  return most;
}

export function measurePeak(): Peak {
  const wasm = instantiateWasmKernels();
  if (wasm === null) throw new Error('WebAssembly SIMD is unavailable in this Node: no peak to measure');
  const iterations = 4_000_000;
  let sink = 0;
  wasm.peak(1000, 0.5);
  const wasmSimdGflops = best(7, () => {
    const t0 = performance.now();
    sink += wasm.peak(iterations, 0.5);
    const seconds = (performance.now() - t0) / 1000;
    return (iterations * 12 * 4 * 2) / seconds / 1e9;
  });
  const jsLoop = (count: number, x: number): number => {
    let s0 = 0, s1 = 1, s2 = 2, s3 = 3, s4 = 4, s5 = 5, s6 = 6, s7 = 7;
    const c = 0.999;
    for (let i = 0; i < count; i++) {
      s0 = s0 * c + x;
      s1 = s1 * c + x;
      s2 = s2 * c + x;
      s3 = s3 * c + x;
      s4 = s4 * c + x;
      s5 = s5 * c + x;
      s6 = s6 * c + x;
      s7 = s7 * c + x;
    }
    return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
  };
  jsLoop(100_000, 0.5);
  const plainJsGflops = best(7, () => {
    const t0 = performance.now();
    sink += jsLoop(iterations, 0.5);
    const seconds = (performance.now() - t0) / 1000;
    return (iterations * 8 * 2) / seconds / 1e9;
  });
  if (!Number.isFinite(sink)) throw new Error('peak loops overflowed');
  return { wasmSimdGflops, plainJsGflops };
}
