/**
 * The fused one-sample step: backward pass, gradient and plain-SGD update of one layer in a single
 * pass over its weights. The Trainer takes it for steps of one sample (m = 1) on the plain
 * JavaScript kernels (tiny networks, see TINY_KERNEL_WORK in trainer.ts) with `optimizer sgd` and
 * no momentum and no dropout, where a step is a few hundred multiply-adds and the generic path's
 * separate passes and kernel calls (gradient, backward, regularise, the rule's loop) cost more than
 * the arithmetic.
 *
 * For layer l (from L down to 1; 0-based `l` in the Trainer), δ = δ^l (σ' applied), a = a^{l−1},
 * W = w^l as it was before the step:
 *   ∂C/∂b_j  = δ_j                                              b_j  ← b_j − η ∂C/∂b_j
 *   ∂C/∂w_jk = a_k δ_j  (+ λ₂ w_jk + λ₁ sign w_jk)               w_jk ← w_jk − η ∂C/∂w_jk
 *   (∂C/∂a^{l−1})_k = Σ_j w_jk δ_j   (with the old w_jk: read before it is written)
 * The caller applies σ'(z^{l−1}) to the last and goes on with layer l − 1.
 *
 * Its plain twin is the generic path (jsKernels.gradient and .backward at m = 1, optimizers.ts's
 * regularise and sgd loop): every value is rounded where that path rounds it (each stored float32,
 * the sums in the same order), so the weights, gradients, previous weights and losses are
 * bit-identical to it (test/unit/engine-sampleStep.test.ts, on every activation and cost, with
 * and without biases, L2 and L1).
 */

/**
 * One layer of the fused step, in place. W, P: p × n (weights, w before the step);
 * bias, gb, pb: p (null without biases); D: δ^l, p values; A: a^{l−1}, n values; dA: n values
 * that receive (w^l)ᵀ δ^l (null for the first layer). ∂C/∂w is not stored: fusedLayerGradient
 * writes it, from the same D, A and P, when someone reads it (the Trainer's settle()).
 *
 * Returns NaN when some new weight or bias is not a finite float32 (the caller then puts W and
 * bias back from P and pb); else, with `squares`, Σ w² of the new weights summed in index order
 * (what optimizers.ts's sgd loop returns, for the L2 term), and without it 0: the sum is a chain of
 * dependent additions that costs more than the rest of the loop, and without L2 nothing needs it.
 */
export function fusedLayerStep(
  D: Float32Array,
  A: Float32Array,
  W: Float32Array,
  P: Float32Array,
  bias: Float32Array | null,
  gb: Float32Array,
  pb: Float32Array,
  dA: Float32Array | null,
  n: number,
  p: number,
  rate: number,
  l2: number,
  l1: number,
  squares: boolean,
): number {
  const regularised = l2 !== 0 || l1 !== 0;
  let sum = 0;
  // Finiteness: Σ of the new values, a row at a time, is finite exactly when every one is (float32
  // values cannot overflow a float64 sum); x − x is 0 for a finite x and NaN for ±∞ and NaN.
  let finite = true;
  let biasSum = 0;
  for (let j = 0; j < p; j++) {
    const d = D[j];
    if (bias !== null) {
      // as jsKernels.gradient: gb_j = scale · Σ_b δ_bj with scale = 1/m = 1
      const g = Math.fround(1 * (0 + d));
      gb[j] = g;
      const before = bias[j];
      pb[j] = before;
      const after = Math.fround(before - rate * g);
      bias[j] = after;
      biasSum += after;
    }
    const row = j * n;
    let rowSum = 0;
    if (!regularised && !squares) {
      // The common case (no L2, L1, Σ w²) with its branches out of the loop, two columns at a time
      // with a finiteness sum each (one chain of dependent additions would be the loop's critical
      // path). g = fround(0 + δ·a): the 0 + turns −0 into +0, as jsKernels.gradient's sum from 0 does.
      let rowSum1 = 0;
      let k = 0;
      for (; k + 2 <= n; k += 2) {
        const i = row + k;
        const w0 = W[i];
        const w1 = W[i + 1];
        if (dA !== null) {
          dA[k] = (j === 0 ? 0 : dA[k]) + d * w0;
          dA[k + 1] = (j === 0 ? 0 : dA[k + 1]) + d * w1;
        }
        P[i] = w0;
        P[i + 1] = w1;
        const after0 = Math.fround(w0 - rate * Math.fround(0 + d * A[k]));
        const after1 = Math.fround(w1 - rate * Math.fround(0 + d * A[k + 1]));
        W[i] = after0;
        W[i + 1] = after1;
        rowSum += after0;
        rowSum1 += after1;
      }
      if (k < n) {
        const i = row + k;
        const w = W[i];
        if (dA !== null) dA[k] = (j === 0 ? 0 : dA[k]) + d * w;
        P[i] = w;
        const after = Math.fround(w - rate * Math.fround(0 + d * A[k]));
        W[i] = after;
        rowSum += after;
      }
      if (rowSum - rowSum + (rowSum1 - rowSum1) !== 0) finite = false;
      continue;
    }
    for (let k = 0; k < n; k++) {
      const i = row + k;
      const w = W[i];
      // jsKernels.backward zero-fills dA, then adds d·w for j = 0, 1, …: the same roundings
      if (dA !== null) dA[k] = (j === 0 ? 0 : dA[k]) + d * w;
      let g = Math.fround(1 * (0 + d * A[k]));
      if (regularised) g = Math.fround(g + (l2 * w + (w > 0 ? l1 : w < 0 ? -l1 : 0)));
      P[i] = w;
      const after = Math.fround(w - rate * g);
      W[i] = after;
      if (squares) sum += after * after;
      else rowSum += after;
    }
    if (rowSum - rowSum !== 0) finite = false;
  }
  return finite && biasSum - biasSum === 0 ? sum : NaN;
}

/**
 * ∂C/∂w of one layer's fused step, written into G (p × n) after the step, from its δ^l (D), a^{l−1}
 * (A) and weights before the step (P): the values fusedLayerStep computed and used, bit for bit.
 */
export function fusedLayerGradient(D: Float32Array, A: Float32Array, P: Float32Array, G: Float32Array, n: number, p: number, l2: number, l1: number): void {
  const regularised = l2 !== 0 || l1 !== 0;
  for (let j = 0; j < p; j++) {
    const d = D[j];
    const row = j * n;
    for (let k = 0; k < n; k++) {
      let g = Math.fround(1 * (0 + d * A[k]));
      if (regularised) {
        const w = P[row + k];
        g = Math.fround(g + (l2 * w + (w > 0 ? l1 : w < 0 ? -l1 : 0)));
      }
      G[row + k] = g;
    }
  }
}
