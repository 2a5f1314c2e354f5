/**
 * Picks the kernels a Trainer computes with. 'auto' (the default) takes the WebAssembly SIMD
 * kernels where the runtime has WebAssembly SIMD (Node ≥ 16.4, every VS Code since 1.60) and the
 * plain JavaScript kernels elsewhere; 'js' and 'wasm' force one. Both give the same numbers to
 * float rounding (test/unit/kernels*.test.ts); the wasm ones are several times faster.
 */
import type { Kernels } from './kernels';
import { jsKernels } from './jsKernels';
import { wasmKernels, wasmUnavailableReason } from './wasmKernels';

export type KernelsKind = 'auto' | 'js' | 'wasm';

export const kernelsKinds: readonly KernelsKind[] = ['auto', 'js', 'wasm'];

/** Fresh kernels (a wasm instance owns its memory: make one per Trainer). Throws for 'wasm' where it is unavailable. */
export function createKernels(kind: KernelsKind = 'auto'): Kernels {
  switch (kind) {
    case 'js':
      return jsKernels();
    case 'wasm': {
      const wasm = wasmKernels();
      if (wasm === null) throw new Error(`${wasmUnavailableReason() ?? 'WebAssembly SIMD is unavailable'}; use the 'js' kernels`);
      return wasm;
    }
    case 'auto':
      return wasmKernels() ?? jsKernels();
    default:
      throw new Error(`unknown kernels '${String(kind)}': expected one of ${kernelsKinds.join(', ')}`);
  }
}
