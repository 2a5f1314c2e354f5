/**
 * Picks the kernels a Trainer computes with. 'auto' (the default) takes the WebAssembly SIMD
 * kernels where the runtime has WebAssembly SIMD (Node ≥ 16.4, every VS Code since 1.60) and the
 * plain JavaScript kernels elsewhere; 'js' and 'wasm' force one. 'auto' and 'wasm' take the
 * relaxed-SIMD build (fused multiply-adds) where `WebAssembly.validate` accepts it, else the plain
 * SIMD build; 'wasm-simd' and 'wasm-relaxed-simd' force a build. All give the same numbers to
 * float rounding (test/unit/kernels*.test.ts); each build on its own is deterministic.
 */
import type { Kernels } from './kernels';
import { jsKernels } from './jsKernels';
import { wasmKernels, wasmUnavailableReason, type WasmBuild } from './wasmKernels';

export type KernelsKind = 'auto' | 'js' | 'wasm' | 'wasm-simd' | 'wasm-relaxed-simd';

export const kernelsKinds: readonly KernelsKind[] = ['auto', 'js', 'wasm', 'wasm-simd', 'wasm-relaxed-simd'];

/** Fresh kernels (a wasm instance owns its memory: make one per Trainer). Throws for a wasm kind that is unavailable. */
export function createKernels(kind: KernelsKind = 'auto'): Kernels {
  switch (kind) {
    case 'js':
      return jsKernels();
    case 'wasm':
      return requireWasm(undefined);
    case 'wasm-simd':
      return requireWasm('simd');
    case 'wasm-relaxed-simd':
      return requireWasm('relaxed-simd');
    case 'auto':
      return wasmKernels() ?? jsKernels();
    default:
      throw new Error(`unknown kernels '${String(kind)}': expected one of ${kernelsKinds.join(', ')}`);
  }
}

function requireWasm(build: WasmBuild | undefined): Kernels {
  const wasm = wasmKernels({ build });
  if (wasm === null) throw new Error(`${wasmUnavailableReason(build) ?? 'WebAssembly SIMD is unavailable'}; use the 'js' kernels`);
  return wasm;
}
