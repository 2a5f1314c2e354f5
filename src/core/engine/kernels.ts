/**
 * The dense-layer matrix kernels the engine's batched passes are built from. The engine
 * never loops over a matrix itself: it calls these, so a faster backend (WebAssembly SIMD)
 * can replace the plain JavaScript one without touching the maths.
 *
 * Layouts are row-major. m = samples in the batch, n = inputs of the layer (k), p = units (j).
 *   A: m × n activations of the previous layer     W: p × n weights     Z, D: m × p
 */
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
   * Optional (added by the performance work): the SGD step over one parameter array (a layer's
   * weights or biases, `count` values), in two passes so that a step that would make a parameter
   * non-finite leaves every parameter as it was. Backends without them: the Trainer's own loops.
   *   proposeUpdate:  g[i] += λ·w[i] (when λ ≠ 0);  Δ[i] = μ·v[i] − η·g[i]  (v null: Δ[i] = −η·g[i]);
   *                   returns false when some w[i] + Δ[i] is not a finite float32.
   *   commitUpdate:   w[i] += Δ[i];  E[i] += Δ[i];  v[i] = Δ[i] (v non-null);  returns Σ w[i]² after.
   * (w: weights, g: gradWeights, v: velocity, Δ: lastDeltaWeights, E: epochDeltaWeights.)
   */
  proposeUpdate?(w: Float32Array, g: Float32Array, v: Float32Array | null, delta: Float32Array, count: number, rate: number, momentum: number, l2: number): boolean;
  commitUpdate?(w: Float32Array, delta: Float32Array, epochDelta: Float32Array, v: Float32Array | null, count: number): number;
}
