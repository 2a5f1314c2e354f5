/**
 * The dense-layer matrix kernels the engine's batched passes are built from. The engine
 * never loops over a matrix itself: it calls these, so a faster backend (WebAssembly SIMD)
 * can replace the plain JavaScript one without touching the maths.
 *
 * Layouts are row-major. m = samples in the batch, n = inputs of the layer (k), p = units (j).
 *   A: m × n activations of the previous layer     W: p × n weights     Z, D: m × p
 */
import type { ParameterArrays, StepScalars } from './optimizers';
import type { Random } from '../random';

export interface Kernels {
  readonly name: string;
  /**
   * A zero-filled Float32Array the kernels can work on. A WebAssembly backend hands out views
   * of its linear memory, which growing would detach: callers allocate everything they need
   * up front (the Trainer makes one call for all its buffers and slices it with subarray).
   */
  alloc(length: number): Float32Array;
  /** Z[b][j] = Σ_k A[b][k] · W[j][k] + bias[j]   (bias may be null) */
  forward(A: Float32Array, W: Float32Array, bias: Float32Array | null, Z: Float32Array, m: number, n: number, p: number): void;
  /** dA[b][k] = Σ_j D[b][j] · W[j][k]   (propagates δ back: (W^T δ) for each sample) */
  backward(D: Float32Array, W: Float32Array, dA: Float32Array, m: number, p: number, n: number): void;
  /**
   * G[j][k] = scale · Σ_b D[b][j] · A[b][k]  and  gb[j] = scale · Σ_b D[b][j]  (gb may be null).
   * Overwrites G and gb.
   */
  gradient(D: Float32Array, A: Float32Array, G: Float32Array, gb: Float32Array | null, m: number, p: number, n: number, scale: number): void;
  /**
   * Optional: one optimizer step over one parameter array (a layer's weights or biases, `count`
   * values), the rule numbered `code` in optimizers.ts, with the same contract as its JavaScript
   * loop there: first g += λ₂·w + λ₁·sign(w) (when p.l2 or p.l1 ≠ 0); then the rule, keeping w and
   * the state before the step in p.previous, p.p1, p.p2; returns Σ w² after the step, which is not
   * finite exactly when some new parameter is not a finite float32 (the trainer then undoes it).
   * Backends without it: the JavaScript loops.
   */
  optimize?(code: number, p: ParameterArrays, count: number, s: StepScalars): number;
  /**
   * Optional: the threads this backend's split calls compute on now: 1 until one of its calls was
   * big enough to split across the training threads (threadPool.ts), or where it never splits.
   */
  threadsUsed?(): number;
  /**
   * Optional: out's row b = source's row order[start + b] for b < m, rows of `width` values (a
   * mini-batch gathered from the training set; every order value below source's row count). Returns
   * false, having done nothing, unless all three arrays are in the backend's own memory (alloc's).
   */
  gather?(source: Float32Array, order: Int32Array, start: number, m: number, width: number, out: Float32Array): boolean;
  /**
   * Optional: A[i] = σ(Z[i]) for i < count, σ the element-wise activation whose `code` is given in
   * activations.ts, with the bits of its JavaScript loop there (A may be Z). Returns false, having
   * done nothing, where the backend has no loop for that activation (the caller runs the JavaScript one).
   */
  activate?(code: number, Z: Float32Array, A: Float32Array, count: number): boolean;
  /** Optional: D[i] ← D[i] · σ'(z_i) in place for i < count (A = σ(Z)), as activate: the JavaScript loop's bits, or false. */
  derive?(code: number, Z: Float32Array, A: Float32Array, D: Float32Array, count: number): boolean;
  /** Optional: out[i] = X[i] · M[i] for i < count (dropout's mask; out may be X). */
  multiply?(X: Float32Array, M: Float32Array, out: Float32Array, count: number): void;
  /**
   * Optional: dropout's mask drawn and applied, for i < count: M[i] = 0 where random.nextUint32()
   * < p·2³², else 1/(1 − p); out[i] = X[i] · M[i]; `random` ends as after `count` draws. The same
   * masks, products and generator state as the Trainer's JavaScript loop (a draw per value) and multiply.
   */
  dropout?(X: Float32Array, M: Float32Array, out: Float32Array, count: number, p: number, random: Random): void;
}
