/**
 * The plain JavaScript dense-layer kernels: Float32Array loops, register-blocked so each value
 * loaded from memory is used several times (4 samples share one weight row in `forward`, two
 * units × four samples share loads in `gradient`), accumulating in float64 registers, and
 * never allocating. Layouts as in kernels.ts (row-major; W is p × n, A is m × n, Z/D are m × p).
 *
 * The straightforward triple loops they replace are the specification:
 *   forward   Z[b][j] = Σ_k A[b][k] · W[j][k] + bias[j]
 *   backward  dA[b][k] = Σ_j D[b][j] · W[j][k]
 *   gradient  G[j][k] = scale · Σ_b D[b][j] · A[b][k],  gb[j] = scale · Σ_b D[b][j]
 * and the tests compare these against them (and against reference.ts) on odd sizes.
 */
import type { Kernels } from './kernels';

export function jsKernels(): Kernels {
  return { name: 'js', alloc, forward, backward, gradient };
}

function alloc(length: number): Float32Array {
  return new Float32Array(length);
}

function forward(A: Float32Array, W: Float32Array, bias: Float32Array | null, Z: Float32Array, m: number, n: number, p: number): void {
  let b = 0;
  // Four samples at a time: one pass over weight row j serves four dot products.
  for (; b + 4 <= m; b += 4) {
    const a0 = b * n;
    const a1 = a0 + n;
    const a2 = a1 + n;
    const a3 = a2 + n;
    for (let j = 0; j < p; j++) {
      const w = j * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < n; k++) {
        const wk = W[w + k];
        s0 += A[a0 + k] * wk;
        s1 += A[a1 + k] * wk;
        s2 += A[a2 + k] * wk;
        s3 += A[a3 + k] * wk;
      }
      const bj = bias === null ? 0 : bias[j];
      Z[b * p + j] = s0 + bj;
      Z[(b + 1) * p + j] = s1 + bj;
      Z[(b + 2) * p + j] = s2 + bj;
      Z[(b + 3) * p + j] = s3 + bj;
    }
  }
  // Remaining samples: one at a time, four partial sums along k.
  for (; b < m; b++) {
    const a = b * n;
    for (let j = 0; j < p; j++) {
      const w = j * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let k = 0;
      for (; k + 4 <= n; k += 4) {
        s0 += A[a + k] * W[w + k];
        s1 += A[a + k + 1] * W[w + k + 1];
        s2 += A[a + k + 2] * W[w + k + 2];
        s3 += A[a + k + 3] * W[w + k + 3];
      }
      for (; k < n; k++) s0 += A[a + k] * W[w + k];
      Z[b * p + j] = s0 + s1 + (s2 + s3) + (bias === null ? 0 : bias[j]);
    }
  }
}

function backward(D: Float32Array, W: Float32Array, dA: Float32Array, m: number, p: number, n: number): void {
  dA.fill(0, 0, m * n);
  let b = 0;
  // Two samples × two units: each weight loaded once feeds two samples' sums.
  for (; b + 2 <= m; b += 2) {
    const o0 = b * n;
    const o1 = o0 + n;
    let j = 0;
    for (; j + 2 <= p; j += 2) {
      const d00 = D[b * p + j];
      const d01 = D[b * p + j + 1];
      const d10 = D[(b + 1) * p + j];
      const d11 = D[(b + 1) * p + j + 1];
      const w0 = j * n;
      const w1 = w0 + n;
      for (let k = 0; k < n; k++) {
        const x0 = W[w0 + k];
        const x1 = W[w1 + k];
        dA[o0 + k] += d00 * x0 + d01 * x1;
        dA[o1 + k] += d10 * x0 + d11 * x1;
      }
    }
    for (; j < p; j++) {
      const d0 = D[b * p + j];
      const d1 = D[(b + 1) * p + j];
      const w = j * n;
      for (let k = 0; k < n; k++) {
        const x = W[w + k];
        dA[o0 + k] += d0 * x;
        dA[o1 + k] += d1 * x;
      }
    }
  }
  for (; b < m; b++) {
    const o = b * n;
    for (let j = 0; j < p; j++) {
      const d = D[b * p + j];
      const w = j * n;
      for (let k = 0; k < n; k++) dA[o + k] += d * W[w + k];
    }
  }
}

function gradient(
  D: Float32Array,
  A: Float32Array,
  G: Float32Array,
  gb: Float32Array | null,
  m: number,
  p: number,
  n: number,
  scale: number,
): void {
  if (gb !== null) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let b = 0; b < m; b++) s += D[b * p + j];
      gb[j] = scale * s;
    }
  }
  if (m === 0) {
    G.fill(0, 0, p * n);
    return;
  }
  let j = 0;
  // Two units at a time, samples four at a time: each A value loaded once feeds both rows of G.
  for (; j + 2 <= p; j += 2) {
    const g0 = j * n;
    const g1 = g0 + n;
    let b = 0;
    let first = true;
    for (; b + 4 <= m; b += 4) {
      const a0 = b * n;
      const a1 = a0 + n;
      const a2 = a1 + n;
      const a3 = a2 + n;
      const d00 = scale * D[b * p + j];
      const d10 = scale * D[(b + 1) * p + j];
      const d20 = scale * D[(b + 2) * p + j];
      const d30 = scale * D[(b + 3) * p + j];
      const d01 = scale * D[b * p + j + 1];
      const d11 = scale * D[(b + 1) * p + j + 1];
      const d21 = scale * D[(b + 2) * p + j + 1];
      const d31 = scale * D[(b + 3) * p + j + 1];
      if (first) {
        for (let k = 0; k < n; k++) {
          const x0 = A[a0 + k];
          const x1 = A[a1 + k];
          const x2 = A[a2 + k];
          const x3 = A[a3 + k];
          G[g0 + k] = d00 * x0 + d10 * x1 + (d20 * x2 + d30 * x3);
          G[g1 + k] = d01 * x0 + d11 * x1 + (d21 * x2 + d31 * x3);
        }
        first = false;
      } else {
        for (let k = 0; k < n; k++) {
          const x0 = A[a0 + k];
          const x1 = A[a1 + k];
          const x2 = A[a2 + k];
          const x3 = A[a3 + k];
          G[g0 + k] += d00 * x0 + d10 * x1 + (d20 * x2 + d30 * x3);
          G[g1 + k] += d01 * x0 + d11 * x1 + (d21 * x2 + d31 * x3);
        }
      }
    }
    for (; b < m; b++) {
      const a = b * n;
      const d0 = scale * D[b * p + j];
      const d1 = scale * D[b * p + j + 1];
      if (first) {
        for (let k = 0; k < n; k++) {
          const x = A[a + k];
          G[g0 + k] = d0 * x;
          G[g1 + k] = d1 * x;
        }
        first = false;
      } else {
        for (let k = 0; k < n; k++) {
          const x = A[a + k];
          G[g0 + k] += d0 * x;
          G[g1 + k] += d1 * x;
        }
      }
    }
  }
  for (; j < p; j++) {
    const g = j * n;
    for (let k = 0; k < n; k++) G[g + k] = 0;
    for (let b = 0; b < m; b++) {
      const a = b * n;
      const d = scale * D[b * p + j];
      for (let k = 0; k < n; k++) G[g + k] += d * A[a + k];
    }
  }
}
