/**
 * The plain JavaScript dense-layer kernels: Float32Array loops, register-blocked so each value
 * loaded from memory is used several times (2 samples × 4 units of sums in `forward`, 2 units ×
 * 4 inputs in `gradient`, 2 × 2 in `backward`), accumulating in float64 registers, and never
 * allocating. (Measured against the other blockings on 784-30-10: these were fastest in V8.) Layouts as in kernels.ts (row-major; W is p × n, A is m × n, Z/D are m × p).
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

/** The forward kernel itself, called directly by the fused one-sample step (trainer.ts), which runs only on these kernels. */
export { forward as jsForward };

function alloc(length: number): Float32Array {
  return new Float32Array(length);
}

function forward(A: Float32Array, W: Float32Array, bias: Float32Array | null, Z: Float32Array, m: number, n: number, p: number): void {
  let b = 0;
  // Two samples × four units: 8 sums in registers, each loaded a or w used by several of them.
  for (; b + 2 <= m; b += 2) {
    const a0 = b * n;
    const a1 = a0 + n;
    const z0 = b * p;
    const z1 = z0 + p;
    let j = 0;
    for (; j + 4 <= p; j += 4) {
      const w0 = j * n;
      const w1 = w0 + n;
      const w2 = w1 + n;
      const w3 = w2 + n;
      let s00 = 0;
      let s10 = 0;
      let s01 = 0;
      let s11 = 0;
      let s02 = 0;
      let s12 = 0;
      let s03 = 0;
      let s13 = 0;
      for (let k = 0; k < n; k++) {
        const x0 = A[a0 + k];
        const x1 = A[a1 + k];
        const c0 = W[w0 + k];
        const c1 = W[w1 + k];
        const c2 = W[w2 + k];
        const c3 = W[w3 + k];
        s00 += x0 * c0;
        s10 += x1 * c0;
        s01 += x0 * c1;
        s11 += x1 * c1;
        s02 += x0 * c2;
        s12 += x1 * c2;
        s03 += x0 * c3;
        s13 += x1 * c3;
      }
      if (bias !== null) {
        const b0 = bias[j];
        const b1 = bias[j + 1];
        const b2 = bias[j + 2];
        const b3 = bias[j + 3];
        s00 += b0;
        s10 += b0;
        s01 += b1;
        s11 += b1;
        s02 += b2;
        s12 += b2;
        s03 += b3;
        s13 += b3;
      }
      Z[z0 + j] = s00;
      Z[z1 + j] = s10;
      Z[z0 + j + 1] = s01;
      Z[z1 + j + 1] = s11;
      Z[z0 + j + 2] = s02;
      Z[z1 + j + 2] = s12;
      Z[z0 + j + 3] = s03;
      Z[z1 + j + 3] = s13;
    }
    for (; j + 2 <= p; j += 2) {
      const w0 = j * n;
      const w1 = w0 + n;
      let s00 = 0;
      let s10 = 0;
      let s01 = 0;
      let s11 = 0;
      for (let k = 0; k < n; k++) {
        const x0 = A[a0 + k];
        const x1 = A[a1 + k];
        const c0 = W[w0 + k];
        const c1 = W[w1 + k];
        s00 += x0 * c0;
        s10 += x1 * c0;
        s01 += x0 * c1;
        s11 += x1 * c1;
      }
      const b0 = bias === null ? 0 : bias[j];
      const b1 = bias === null ? 0 : bias[j + 1];
      Z[z0 + j] = s00 + b0;
      Z[z1 + j] = s10 + b0;
      Z[z0 + j + 1] = s01 + b1;
      Z[z1 + j + 1] = s11 + b1;
    }
    for (; j < p; j++) {
      const w = j * n;
      let s0 = 0;
      let s1 = 0;
      for (let k = 0; k < n; k++) {
        const c = W[w + k];
        s0 += A[a0 + k] * c;
        s1 += A[a1 + k] * c;
      }
      const bj = bias === null ? 0 : bias[j];
      Z[z0 + j] = s0 + bj;
      Z[z1 + j] = s1 + bj;
    }
  }
  // A last odd sample: four partial sums along k.
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

/** Rows of A and D one pass of `gradient` covers, so those rows stay in cache across the k blocks. */
const GRADIENT_ROWS = 64;

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
  // Rows in chunks; within a chunk, two units × four inputs: 8 sums in registers over the chunk's
  // samples, then one write (or add) of each G value.
  for (let start = 0; start < m; start += GRADIENT_ROWS) {
    const end = Math.min(m, start + GRADIENT_ROWS);
    const first = start === 0;
    let j = 0;
    for (; j + 2 <= p; j += 2) {
      const g0 = j * n;
      const g1 = g0 + n;
      let k = 0;
      for (; k + 4 <= n; k += 4) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let t0 = 0;
        let t1 = 0;
        let t2 = 0;
        let t3 = 0;
        for (let b = start; b < end; b++) {
          const d0 = D[b * p + j];
          const d1 = D[b * p + j + 1];
          const a = b * n + k;
          const x0 = A[a];
          const x1 = A[a + 1];
          const x2 = A[a + 2];
          const x3 = A[a + 3];
          s0 += d0 * x0;
          s1 += d0 * x1;
          s2 += d0 * x2;
          s3 += d0 * x3;
          t0 += d1 * x0;
          t1 += d1 * x1;
          t2 += d1 * x2;
          t3 += d1 * x3;
        }
        if (first) {
          G[g0 + k] = scale * s0;
          G[g0 + k + 1] = scale * s1;
          G[g0 + k + 2] = scale * s2;
          G[g0 + k + 3] = scale * s3;
          G[g1 + k] = scale * t0;
          G[g1 + k + 1] = scale * t1;
          G[g1 + k + 2] = scale * t2;
          G[g1 + k + 3] = scale * t3;
        } else {
          G[g0 + k] += scale * s0;
          G[g0 + k + 1] += scale * s1;
          G[g0 + k + 2] += scale * s2;
          G[g0 + k + 3] += scale * s3;
          G[g1 + k] += scale * t0;
          G[g1 + k + 1] += scale * t1;
          G[g1 + k + 2] += scale * t2;
          G[g1 + k + 3] += scale * t3;
        }
      }
      for (; k < n; k++) {
        let s = 0;
        let t = 0;
        for (let b = start; b < end; b++) {
          const x = A[b * n + k];
          s += D[b * p + j] * x;
          t += D[b * p + j + 1] * x;
        }
        if (first) {
          G[g0 + k] = scale * s;
          G[g1 + k] = scale * t;
        } else {
          G[g0 + k] += scale * s;
          G[g1 + k] += scale * t;
        }
      }
    }
    for (; j < p; j++) {
      const g = j * n;
      for (let k = 0; k < n; k++) {
        let s = 0;
        for (let b = start; b < end; b++) s += D[b * p + j] * A[b * n + k];
        if (first) G[g + k] = scale * s;
        else G[g + k] += scale * s;
      }
    }
  }
}
