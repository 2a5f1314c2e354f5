// AssemblyScript source of NNSpec's WebAssembly SIMD (f32x4) dense-layer kernels.
// Built by wasm/build.mjs (called from esbuild.mjs) into src/core/engine/wasmBinary.ts;
// loaded by src/core/engine/wasmKernels.ts. Not part of the TypeScript project (tsconfig
// does not include wasm/): this is AssemblyScript, where f32, usize and v128 are real types.
//
// The same three products as src/core/engine/kernels.ts, on byte addresses into this module's
// memory (0 = null). Layouts are row-major; m = samples, n = inputs (k), p = units (j):
//   forward   Z[b][j]  = Σ_k A[b][k] · W[j][k] + bias[j]        A: m×n  W: p×n  Z: m×p
//   backward  dA[b][k] = Σ_j D[b][j] · W[j][k]                 D: m×p  W: p×n  dA: m×n
//   gradient  G[j][k]  = scale · Σ_b D[b][j] · A[b][k]          G: p×n
//             gb[j]    = scale · Σ_b D[b][j]
//
// Each product is register-blocked: a small tile of outputs lives in f32x4 accumulators
// (at most 8, so with the operands they fit the 16 SIMD registers V8 uses on x64) while the
// inner loop streams the shared dimension; every vector loaded feeds two to four multiply-adds.
// Tails (sizes not multiples of the tile) are handled by narrower tiles, then scalars.
//
// Ranges, for the training threads (src/core/engine/threadPool.ts): each product computes only
// the outputs of one range, forward and gradient the units j0 ≤ j < j1, backward the columns
// k0 ≤ k < k1 (k0 a multiple of 4). Every output element is the same sequence of operations
// whatever tile it falls in (vector lanes accumulate in the order of the shared dimension; the
// columns past n & ~3 are scalars in every tile), so splitting a product into ranges, on any
// number of threads, gives the same bits as one call over everything.
//
// Two builds of this one source (wasm/build.mjs): plain SIMD, and relaxed SIMD
// (`--enable relaxed-simd`, where the compile-time constant ASC_FEATURE_RELAXED_SIMD is true).
// They differ only in madd below: every vector multiply-add of the three products (and of peak)
// is fused in the relaxed build, s + x·y rounded once instead of twice. Results agree to float
// rounding, not bit for bit; each build on its own is deterministic.

/** s + x·y per lane: f32x4.relaxed_madd (one FMA instruction where the CPU has it) in the relaxed build, mul then add otherwise. */
@inline function madd(s: v128, x: v128, y: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, y, s);
  return f32x4.add(s, f32x4.mul(x, y));
}

// ---------------------------------------------------------------------------------------
// forward: dot products along k, which is contiguous in both A's rows and W's rows.

@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Σ_{k=k0}^{n-1} a[k]·w[k], scalar. */
@inline function dotTail(a: usize, w: usize, k0: i32, n: i32): f32 {
  let s: f32 = 0;
  for (let k = k0; k < n; k++) s += load<f32>(a + (<usize>k << 2)) * load<f32>(w + (<usize>k << 2));
  return s;
}

@inline function biasAt(bias: usize, j: i32): f32 {
  return bias == 0 ? <f32>0 : load<f32>(bias + (<usize>j << 2));
}

export function forward(A: usize, W: usize, bias: usize, Z: usize, m: i32, n: i32, p: i32, j0: i32, j1: i32): void {
  const n4 = n & ~3;
  const row = <usize>n << 2; // bytes in one row of A or W
  const zrow = <usize>p << 2; // bytes in one row of Z
  let b = 0;
  // Four samples × two units: 8 accumulators, 6 loads per 8 multiply-adds.
  for (; b + 4 <= m; b += 4) {
    const a0 = A + <usize>b * row;
    const a1 = a0 + row;
    const a2 = a1 + row;
    const a3 = a2 + row;
    const z0 = Z + <usize>b * zrow;
    let j = j0;
    for (; j + 2 <= j1; j += 2) {
      const w0 = W + <usize>j * row;
      const w1 = w0 + row;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0);
      let s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      for (let k = 0; k < n4; k += 4) {
        const o = <usize>k << 2;
        const y0 = v128.load(w0 + o);
        const y1 = v128.load(w1 + o);
        let x = v128.load(a0 + o);
        s00 = madd(s00, x, y0);
        s01 = madd(s01, x, y1);
        x = v128.load(a1 + o);
        s10 = madd(s10, x, y0);
        s11 = madd(s11, x, y1);
        x = v128.load(a2 + o);
        s20 = madd(s20, x, y0);
        s21 = madd(s21, x, y1);
        x = v128.load(a3 + o);
        s30 = madd(s30, x, y0);
        s31 = madd(s31, x, y1);
      }
      const b0 = biasAt(bias, j);
      const b1 = biasAt(bias, j + 1);
      const zj = z0 + (<usize>j << 2);
      store<f32>(zj, hsum(s00) + dotTail(a0, w0, n4, n) + b0);
      store<f32>(zj, hsum(s01) + dotTail(a0, w1, n4, n) + b1, 4);
      store<f32>(zj + zrow, hsum(s10) + dotTail(a1, w0, n4, n) + b0);
      store<f32>(zj + zrow, hsum(s11) + dotTail(a1, w1, n4, n) + b1, 4);
      store<f32>(zj + 2 * zrow, hsum(s20) + dotTail(a2, w0, n4, n) + b0);
      store<f32>(zj + 2 * zrow, hsum(s21) + dotTail(a2, w1, n4, n) + b1, 4);
      store<f32>(zj + 3 * zrow, hsum(s30) + dotTail(a3, w0, n4, n) + b0);
      store<f32>(zj + 3 * zrow, hsum(s31) + dotTail(a3, w1, n4, n) + b1, 4);
    }
    if (j < j1) {
      // The last unit when the range is odd: four samples × one unit.
      const w0 = W + <usize>j * row;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      for (let k = 0; k < n4; k += 4) {
        const o = <usize>k << 2;
        const y = v128.load(w0 + o);
        s0 = madd(s0, v128.load(a0 + o), y);
        s1 = madd(s1, v128.load(a1 + o), y);
        s2 = madd(s2, v128.load(a2 + o), y);
        s3 = madd(s3, v128.load(a3 + o), y);
      }
      const b0 = biasAt(bias, j);
      const zj = z0 + (<usize>j << 2);
      store<f32>(zj, hsum(s0) + dotTail(a0, w0, n4, n) + b0);
      store<f32>(zj + zrow, hsum(s1) + dotTail(a1, w0, n4, n) + b0);
      store<f32>(zj + 2 * zrow, hsum(s2) + dotTail(a2, w0, n4, n) + b0);
      store<f32>(zj + 3 * zrow, hsum(s3) + dotTail(a3, w0, n4, n) + b0);
    }
  }
  // Remaining samples (all of them when m < 4, e.g. one-sample steps): one sample × four units.
  for (; b < m; b++) {
    const a0 = A + <usize>b * row;
    const z0 = Z + <usize>b * zrow;
    let j = j0;
    for (; j + 4 <= j1; j += 4) {
      const w0 = W + <usize>j * row;
      const w1 = w0 + row;
      const w2 = w1 + row;
      const w3 = w2 + row;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      for (let k = 0; k < n4; k += 4) {
        const o = <usize>k << 2;
        const x = v128.load(a0 + o);
        s0 = madd(s0, x, v128.load(w0 + o));
        s1 = madd(s1, x, v128.load(w1 + o));
        s2 = madd(s2, x, v128.load(w2 + o));
        s3 = madd(s3, x, v128.load(w3 + o));
      }
      const zj = z0 + (<usize>j << 2);
      store<f32>(zj, hsum(s0) + dotTail(a0, w0, n4, n) + biasAt(bias, j));
      store<f32>(zj, hsum(s1) + dotTail(a0, w1, n4, n) + biasAt(bias, j + 1), 4);
      store<f32>(zj, hsum(s2) + dotTail(a0, w2, n4, n) + biasAt(bias, j + 2), 8);
      store<f32>(zj, hsum(s3) + dotTail(a0, w3, n4, n) + biasAt(bias, j + 3), 12);
    }
    for (; j < j1; j++) {
      const w0 = W + <usize>j * row;
      let s0 = f32x4.splat(0);
      for (let k = 0; k < n4; k += 4) {
        const o = <usize>k << 2;
        s0 = madd(s0, v128.load(a0 + o), v128.load(w0 + o));
      }
      store<f32>(z0 + (<usize>j << 2), hsum(s0) + dotTail(a0, w0, n4, n) + biasAt(bias, j));
    }
  }
}

// ---------------------------------------------------------------------------------------
// backward: rows of dA are sums of rows of W weighted by δ, so vectorise along k.

export function backward(D: usize, W: usize, dA: usize, m: i32, p: i32, n: i32, k0: i32, k1: i32): void {
  // Vector columns end at kv: those before n & ~3 (as in one call over every column), scalars after.
  const n4 = n & ~3;
  const kv = k1 < n4 ? k1 : n4;
  const row = <usize>n << 2; // bytes in one row of W or dA
  const drow = <usize>p << 2; // bytes in one row of D
  let b = 0;
  // Four samples × eight columns: 8 accumulators; per unit j, 2 loads of W and 4 splats of δ.
  for (; b + 4 <= m; b += 4) {
    const d0 = D + <usize>b * drow;
    const d1 = d0 + drow;
    const d2 = d1 + drow;
    const d3 = d2 + drow;
    const o0 = dA + <usize>b * row;
    let k = k0;
    for (; k + 8 <= kv; k += 8) {
      const ko = <usize>k << 2;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0);
      let s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      let w = W + ko;
      for (let j = 0; j < p; j++) {
        const jo = <usize>j << 2;
        const y0 = v128.load(w);
        const y1 = v128.load(w, 16);
        let d = v128.load32_splat(d0 + jo);
        s00 = madd(s00, d, y0);
        s01 = madd(s01, d, y1);
        d = v128.load32_splat(d1 + jo);
        s10 = madd(s10, d, y0);
        s11 = madd(s11, d, y1);
        d = v128.load32_splat(d2 + jo);
        s20 = madd(s20, d, y0);
        s21 = madd(s21, d, y1);
        d = v128.load32_splat(d3 + jo);
        s30 = madd(s30, d, y0);
        s31 = madd(s31, d, y1);
        w += row;
      }
      const out = o0 + ko;
      v128.store(out, s00);
      v128.store(out, s01, 16);
      v128.store(out + row, s10);
      v128.store(out + row, s11, 16);
      v128.store(out + 2 * row, s20);
      v128.store(out + 2 * row, s21, 16);
      v128.store(out + 3 * row, s30);
      v128.store(out + 3 * row, s31, 16);
    }
    for (; k < kv; k += 4) {
      const ko = <usize>k << 2;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let w = W + ko;
      for (let j = 0; j < p; j++) {
        const jo = <usize>j << 2;
        const y = v128.load(w);
        s0 = madd(s0, v128.load32_splat(d0 + jo), y);
        s1 = madd(s1, v128.load32_splat(d1 + jo), y);
        s2 = madd(s2, v128.load32_splat(d2 + jo), y);
        s3 = madd(s3, v128.load32_splat(d3 + jo), y);
        w += row;
      }
      const out = o0 + ko;
      v128.store(out, s0);
      v128.store(out + row, s1);
      v128.store(out + 2 * row, s2);
      v128.store(out + 3 * row, s3);
    }
    for (; k < k1; k++) {
      const ko = <usize>k << 2;
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      let w = W + ko;
      for (let j = 0; j < p; j++) {
        const jo = <usize>j << 2;
        const y = load<f32>(w);
        s0 += load<f32>(d0 + jo) * y;
        s1 += load<f32>(d1 + jo) * y;
        s2 += load<f32>(d2 + jo) * y;
        s3 += load<f32>(d3 + jo) * y;
        w += row;
      }
      const out = o0 + ko;
      store<f32>(out, s0);
      store<f32>(out + row, s1);
      store<f32>(out + 2 * row, s2);
      store<f32>(out + 3 * row, s3);
    }
  }
  // Remaining samples: one sample × sixteen columns.
  for (; b < m; b++) {
    const d0 = D + <usize>b * drow;
    const o0 = dA + <usize>b * row;
    let k = k0;
    for (; k + 16 <= kv; k += 16) {
      const ko = <usize>k << 2;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let w = W + ko;
      for (let j = 0; j < p; j++) {
        const d = v128.load32_splat(d0 + (<usize>j << 2));
        s0 = madd(s0, d, v128.load(w));
        s1 = madd(s1, d, v128.load(w, 16));
        s2 = madd(s2, d, v128.load(w, 32));
        s3 = madd(s3, d, v128.load(w, 48));
        w += row;
      }
      const out = o0 + ko;
      v128.store(out, s0);
      v128.store(out, s1, 16);
      v128.store(out, s2, 32);
      v128.store(out, s3, 48);
    }
    for (; k < kv; k += 4) {
      const ko = <usize>k << 2;
      let s0 = f32x4.splat(0);
      let w = W + ko;
      for (let j = 0; j < p; j++) {
        s0 = madd(s0, v128.load32_splat(d0 + (<usize>j << 2)), v128.load(w));
        w += row;
      }
      v128.store(o0 + ko, s0);
    }
    for (; k < k1; k++) {
      const ko = <usize>k << 2;
      let s0: f32 = 0;
      let w = W + ko;
      for (let j = 0; j < p; j++) {
        s0 += load<f32>(d0 + (<usize>j << 2)) * load<f32>(w);
        w += row;
      }
      store<f32>(o0 + ko, s0);
    }
  }
}

// ---------------------------------------------------------------------------------------
// gradient: row j of G is a δ-weighted sum of rows of A, so vectorise along k.

/** Columns per chunk in gradient: m × KC floats of A (e.g. 64 × 128 × 4 B = 32 KiB) fit in L1. */
const KC: i32 = 128;

export function gradient(D: usize, A: usize, G: usize, gb: usize, m: i32, p: i32, n: i32, scale: f32, j0: i32, j1: i32): void {
  const n8 = n & ~7;
  const n4 = n & ~3;
  const row = <usize>n << 2; // bytes in one row of A or G
  const drow = <usize>p << 2; // bytes in one row of D
  const sc = f32x4.splat(scale);
  if (gb != 0) {
    for (let j = j0; j < j1; j++) {
      let s: f32 = 0;
      for (let b = 0; b < m; b++) s += load<f32>(D + <usize>b * drow + (<usize>j << 2));
      store<f32>(gb + (<usize>j << 2), scale * s);
    }
  }
  // Four units × eight columns: 8 accumulators; per sample b, 2 loads of A and 4 splats of δ.
  // Columns in chunks of KC so the chunk of A (m rows × KC columns) stays in L1 while every
  // block of four units passes over it.
  const p4 = j0 + ((j1 - j0) & ~3);
  for (let kc = 0; kc < n8; kc += KC) {
    const kEnd = kc + KC < n8 ? kc + KC : n8;
    for (let j = j0; j < p4; j += 4) {
      const g0 = G + <usize>j * row;
      const dj = D + (<usize>j << 2);
      for (let k = kc; k < kEnd; k += 8) {
        const ko = <usize>k << 2;
        let s00 = f32x4.splat(0), s01 = f32x4.splat(0);
        let s10 = f32x4.splat(0), s11 = f32x4.splat(0);
        let s20 = f32x4.splat(0), s21 = f32x4.splat(0);
        let s30 = f32x4.splat(0), s31 = f32x4.splat(0);
        let a = A + ko;
        let d = dj;
        for (let b = 0; b < m; b++) {
          const x0 = v128.load(a);
          const x1 = v128.load(a, 16);
          let e = v128.load32_splat(d);
          s00 = madd(s00, e, x0);
          s01 = madd(s01, e, x1);
          e = v128.load32_splat(d, 4);
          s10 = madd(s10, e, x0);
          s11 = madd(s11, e, x1);
          e = v128.load32_splat(d, 8);
          s20 = madd(s20, e, x0);
          s21 = madd(s21, e, x1);
          e = v128.load32_splat(d, 12);
          s30 = madd(s30, e, x0);
          s31 = madd(s31, e, x1);
          a += row;
          d += drow;
        }
        const out = g0 + ko;
        v128.store(out, f32x4.mul(sc, s00));
        v128.store(out, f32x4.mul(sc, s01), 16);
        v128.store(out + row, f32x4.mul(sc, s10));
        v128.store(out + row, f32x4.mul(sc, s11), 16);
        v128.store(out + 2 * row, f32x4.mul(sc, s20));
        v128.store(out + 2 * row, f32x4.mul(sc, s21), 16);
        v128.store(out + 3 * row, f32x4.mul(sc, s30));
        v128.store(out + 3 * row, f32x4.mul(sc, s31), 16);
      }
    }
  }
  // The columns past the last multiple of 8, four units at a time.
  let j = j0;
  for (; j < p4; j += 4) {
    const g0 = G + <usize>j * row;
    const dj = D + (<usize>j << 2);
    let k = n8;
    for (; k < n4; k += 4) {
      const ko = <usize>k << 2;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let a = A + ko;
      let d = dj;
      for (let b = 0; b < m; b++) {
        const x = v128.load(a);
        s0 = madd(s0, v128.load32_splat(d), x);
        s1 = madd(s1, v128.load32_splat(d, 4), x);
        s2 = madd(s2, v128.load32_splat(d, 8), x);
        s3 = madd(s3, v128.load32_splat(d, 12), x);
        a += row;
        d += drow;
      }
      const out = g0 + ko;
      v128.store(out, f32x4.mul(sc, s0));
      v128.store(out + row, f32x4.mul(sc, s1));
      v128.store(out + 2 * row, f32x4.mul(sc, s2));
      v128.store(out + 3 * row, f32x4.mul(sc, s3));
    }
    for (; k < n; k++) {
      const ko = <usize>k << 2;
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      let a = A + ko;
      let d = dj;
      for (let b = 0; b < m; b++) {
        const x = load<f32>(a);
        s0 += load<f32>(d) * x;
        s1 += load<f32>(d, 4) * x;
        s2 += load<f32>(d, 8) * x;
        s3 += load<f32>(d, 12) * x;
        a += row;
        d += drow;
      }
      const out = g0 + ko;
      store<f32>(out, scale * s0);
      store<f32>(out + row, scale * s1);
      store<f32>(out + 2 * row, scale * s2);
      store<f32>(out + 3 * row, scale * s3);
    }
  }
  // Remaining units (the range not a multiple of 4): one unit × sixteen columns.
  const n16 = n & ~15;
  for (; j < j1; j++) {
    const g0 = G + <usize>j * row;
    const dj = D + (<usize>j << 2);
    let k = 0;
    for (; k < n16; k += 16) {
      const ko = <usize>k << 2;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let a = A + ko;
      let d = dj;
      for (let b = 0; b < m; b++) {
        const e = v128.load32_splat(d);
        s0 = madd(s0, e, v128.load(a));
        s1 = madd(s1, e, v128.load(a, 16));
        s2 = madd(s2, e, v128.load(a, 32));
        s3 = madd(s3, e, v128.load(a, 48));
        a += row;
        d += drow;
      }
      const out = g0 + ko;
      v128.store(out, f32x4.mul(sc, s0));
      v128.store(out, f32x4.mul(sc, s1), 16);
      v128.store(out, f32x4.mul(sc, s2), 32);
      v128.store(out, f32x4.mul(sc, s3), 48);
    }
    for (; k < n4; k += 4) {
      const ko = <usize>k << 2;
      let s0 = f32x4.splat(0);
      let a = A + ko;
      let d = dj;
      for (let b = 0; b < m; b++) {
        s0 = madd(s0, v128.load32_splat(d), v128.load(a));
        a += row;
        d += drow;
      }
      v128.store(g0 + ko, f32x4.mul(sc, s0));
    }
    for (; k < n; k++) {
      const ko = <usize>k << 2;
      let s0: f32 = 0;
      let a = A + ko;
      let d = dj;
      for (let b = 0; b < m; b++) {
        s0 += load<f32>(d) * load<f32>(a);
        a += row;
        d += drow;
      }
      store<f32>(g0 + ko, scale * s0);
    }
  }
}

// ---------------------------------------------------------------------------------------
// The optimizers (src/core/engine/optimizers.ts, whose loops are the plain twins), over one
// parameter array of `count` values, in one pass, in place:
//   regularise  g ← g + λ₂·w + λ₁·sign(w)        (λ₂ or λ₁ ≠ 0: the weights)
//   keep        prev ← w;  p1 ← s1;  p2 ← s2     (for Δw, and for undoing a diverged step)
//   code 0 sgd      μ = 0 (s1 = 0): w ← w − η g
//                   v ← μ v − η g;  w ← w + v     (nesterov: w ← w + μ v − η g)
//   code 1 adam     m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;  w ← w − η̂ m / (√v / c₂ + ε)
//                   (η̂ = η / (1 − β₁^t) and c₂ = √(1 − β₂^t) come in as `rate` and `correction2`)
//   code 2 rmsprop  v ← ρ v + (1 − ρ) g²;  w ← w − η g / (√v + ε)
//   code 3 adagrad  G ← G + g²;  w ← w − η g / (√G + ε)
// Returns Σ w² after the step, in f64: not finite exactly when some new w is ±∞ or NaN.

@inline function squares(w: v128): v128 {
  const lo = f64x2.promote_low_f32x4(w);
  const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(w, w, 2, 3, 0, 1));
  return f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi));
}

/** The new w of one f32x4 of parameters, updating the state vectors at offset o. */
@inline function rule4(code: i32, o: usize, w: v128, g: v128, s1: usize, s2: usize, p1: usize, p2: usize,
  eta: v128, mu: v128, nesterov: i32, b1: v128, b2: v128, rho: v128, eps: v128, c2: v128): v128 {
  const one = f32x4.splat(1);
  if (code == 0) {
    if (s1 == 0) return f32x4.sub(w, f32x4.mul(eta, g));
    const v0 = v128.load(s1 + o);
    v128.store(p1 + o, v0);
    const step = f32x4.mul(eta, g);
    const v = f32x4.sub(f32x4.mul(mu, v0), step);
    v128.store(s1 + o, v);
    return nesterov != 0 ? f32x4.add(w, f32x4.sub(f32x4.mul(mu, v), step)) : f32x4.add(w, v);
  }
  if (code == 1) {
    const m0 = v128.load(s1 + o);
    const v0 = v128.load(s2 + o);
    v128.store(p1 + o, m0);
    v128.store(p2 + o, v0);
    const m = f32x4.add(f32x4.mul(b1, m0), f32x4.mul(f32x4.sub(one, b1), g));
    const v = f32x4.add(f32x4.mul(b2, v0), f32x4.mul(f32x4.sub(one, b2), f32x4.mul(g, g)));
    v128.store(s1 + o, m);
    v128.store(s2 + o, v);
    const denominator = f32x4.add(f32x4.div(f32x4.sqrt(v), c2), eps);
    return f32x4.sub(w, f32x4.div(f32x4.mul(eta, m), denominator));
  }
  const s0 = v128.load(s1 + o);
  v128.store(p1 + o, s0);
  const s = code == 2
    ? f32x4.add(f32x4.mul(rho, s0), f32x4.mul(f32x4.sub(one, rho), f32x4.mul(g, g)))
    : f32x4.add(s0, f32x4.mul(g, g));
  v128.store(s1 + o, s);
  return f32x4.sub(w, f32x4.div(f32x4.mul(eta, g), f32x4.add(f32x4.sqrt(s), eps)));
}

/** The same for one value at offset o. */
@inline function rule1(code: i32, o: usize, w: f32, g: f32, s1: usize, s2: usize, p1: usize, p2: usize,
  eta: f32, mu: f32, nesterov: i32, b1: f32, b2: f32, rho: f32, eps: f32, c2: f32): f32 {
  if (code == 0) {
    if (s1 == 0) return w - eta * g;
    const v0 = load<f32>(s1 + o);
    store<f32>(p1 + o, v0);
    const step = eta * g;
    const v = mu * v0 - step;
    store<f32>(s1 + o, v);
    return nesterov != 0 ? w + (mu * v - step) : w + v;
  }
  if (code == 1) {
    const m0 = load<f32>(s1 + o);
    const v0 = load<f32>(s2 + o);
    store<f32>(p1 + o, m0);
    store<f32>(p2 + o, v0);
    const m = b1 * m0 + (<f32>1 - b1) * g;
    const v = b2 * v0 + (<f32>1 - b2) * (g * g);
    store<f32>(s1 + o, m);
    store<f32>(s2 + o, v);
    return w - (eta * m) / (Mathf.sqrt(v) / c2 + eps);
  }
  const s0 = load<f32>(s1 + o);
  store<f32>(p1 + o, s0);
  const s = code == 2 ? rho * s0 + (<f32>1 - rho) * (g * g) : s0 + g * g;
  store<f32>(s1 + o, s);
  return w - (eta * g) / (Mathf.sqrt(s) + eps);
}

export function optimize(code: i32, w: usize, g: usize, previous: usize, s1: usize, s2: usize, p1: usize, p2: usize, count: i32,
  l2: f32, l1: f32, rate: f32, momentum: f32, nesterov: i32, beta1: f32, beta2: f32, rho: f32, epsilon: f32, correction2: f32): f64 {
  const count4 = count & ~3;
  const eta = f32x4.splat(rate);
  const mu = f32x4.splat(momentum);
  const b1 = f32x4.splat(beta1);
  const b2 = f32x4.splat(beta2);
  const r = f32x4.splat(rho);
  const eps = f32x4.splat(epsilon);
  const c2 = f32x4.splat(correction2);
  const lambda2 = f32x4.splat(l2);
  const lambda1 = f32x4.splat(l1);
  const zero = f32x4.splat(0);
  const regularised = l2 != 0 || l1 != 0;
  let sums = f64x2.splat(0);
  for (let i = 0; i < count4; i += 4) {
    const o = <usize>i << 2;
    const wi = v128.load(w + o);
    let gi = v128.load(g + o);
    if (regularised) {
      // sign(w)·λ₁: +λ₁ where w > 0, −λ₁ where w < 0, 0 at 0
      const l1term = f32x4.sub(v128.and(f32x4.gt(wi, zero), lambda1), v128.and(f32x4.lt(wi, zero), lambda1));
      gi = f32x4.add(gi, f32x4.add(f32x4.mul(lambda2, wi), l1term));
      v128.store(g + o, gi);
    }
    v128.store(previous + o, wi);
    const after = rule4(code, o, wi, gi, s1, s2, p1, p2, eta, mu, nesterov, b1, b2, r, eps, c2);
    v128.store(w + o, after);
    sums = f64x2.add(sums, squares(after));
  }
  let sum = f64x2.extract_lane(sums, 0) + f64x2.extract_lane(sums, 1);
  for (let i = count4; i < count; i++) {
    const o = <usize>i << 2;
    const wi = load<f32>(w + o);
    let gi = load<f32>(g + o);
    if (regularised) {
      gi += l2 * wi + (wi > 0 ? l1 : wi < 0 ? -l1 : <f32>0);
      store<f32>(g + o, gi);
    }
    store<f32>(previous + o, wi);
    const after = rule1(code, o, wi, gi, s1, s2, p1, p2, rate, momentum, nesterov, beta1, beta2, rho, epsilon, correction2);
    store<f32>(w + o, after);
    sum += <f64>after * <f64>after;
  }
  return sum;
}

// ---------------------------------------------------------------------------------------
// multiply: out[i] = X[i] · M[i] (dropout's mask on a, forward, and on ∂C/∂a, backward).

export function multiply(X: usize, M: usize, out: usize, count: i32): void {
  const count4 = count & ~3;
  for (let i = 0; i < count4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.mul(v128.load(X + o), v128.load(M + o)));
  }
  for (let i = count4; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(X + o) * load<f32>(M + o));
  }
}

// ---------------------------------------------------------------------------------------
// gather: a mini-batch's rows copied out of the training set, both in this memory:
//   out[b][·] = source[order[start + b]][·]   for b < m, rows of `width` float32s
// (order: int32 row numbers, each below source's row count: the trainer's shuffle, a permutation).

export function gather(source: usize, order: usize, start: i32, m: i32, width: i32, out: usize): void {
  const bytes = <usize>width << 2;
  for (let b = 0; b < m; b++) {
    const row = <usize>load<i32>(order + (<usize>(start + b) << 2));
    memory.copy(out + <usize>b * bytes, source + row * bytes, bytes);
  }
}

// ---------------------------------------------------------------------------------------
// activate / derive: the element-wise activations of src/core/engine/activations.ts over `count`
// values, with the same bits as their JavaScript loops there. The codes are those of its table
// (ACTIVATION_CODES). JavaScript computes in float64 and rounds to float32 once per store, so the
// rules with a constant or a product go through f64x2 here (promote, compute, demote) to round the
// same way; relu and a copy are exact in any precision. Each returns 1, or 0 when it has no loop
// for the code (sigmoid's and tanh's exp: the caller runs the JavaScript loop).
//   activate  A[i] = σ(Z[i])                       relu: max(0, z)   leaky_relu: z > 0 ? z : 0.01 z
//   derive    D[i] ← D[i] · σ'(z_i), in place       relu: 1[z > 0]    leaky_relu: 1 or 0.01
//                                                   sigmoid: a(1 − a) tanh: 1 − a²
// A NaN z takes the "else" branch in both (z > 0 is false), as in JavaScript.

const ACT_IDENTITY = 1;
const ACT_SIGMOID = 2;
const ACT_TANH = 3;
const ACT_RELU = 4;
const ACT_LEAKY_RELU = 5;
const LEAKY_SLOPE: f64 = 0.01;

/** Two float32 lanes of `v` (lanes 0, 1 or 2, 3 as `high`) widened to f64x2. */
@inline function widen(v: v128, high: bool): v128 {
  return high ? f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)) : f64x2.promote_low_f32x4(v);
}

/** Four float32 lanes from two f64x2 (each rounded to nearest, as Math.fround). */
@inline function narrow(low: v128, high: v128): v128 {
  return i32x4.shuffle(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 1, 4, 5);
}

export function activate(code: i32, Z: usize, A: usize, count: i32): i32 {
  const count4 = count & ~3;
  const zero = f32x4.splat(0);
  if (code == ACT_IDENTITY) {
    if (A != Z) memory.copy(A, Z, <usize>count << 2);
    return 1;
  }
  if (code == ACT_RELU) {
    for (let i = 0; i < count4; i += 4) {
      const o = <usize>i << 2;
      const z = v128.load(Z + o);
      v128.store(A + o, v128.bitselect(z, zero, f32x4.gt(z, zero)));
    }
    for (let i = count4; i < count; i++) {
      const o = <usize>i << 2;
      const z = load<f32>(Z + o);
      store<f32>(A + o, z > 0 ? z : 0);
    }
    return 1;
  }
  if (code == ACT_LEAKY_RELU) {
    const slope = f64x2.splat(LEAKY_SLOPE);
    for (let i = 0; i < count4; i += 4) {
      const o = <usize>i << 2;
      const z = v128.load(Z + o);
      const scaled = narrow(f64x2.mul(widen(z, false), slope), f64x2.mul(widen(z, true), slope));
      v128.store(A + o, v128.bitselect(z, scaled, f32x4.gt(z, zero)));
    }
    for (let i = count4; i < count; i++) {
      const o = <usize>i << 2;
      const z = load<f32>(Z + o);
      store<f32>(A + o, z > 0 ? z : <f32>(LEAKY_SLOPE * <f64>z));
    }
    return 1;
  }
  return 0;
}

export function derive(code: i32, Z: usize, A: usize, D: usize, count: i32): i32 {
  const count4 = count & ~3;
  const zero = f32x4.splat(0);
  if (code == ACT_IDENTITY) return 1;
  if (code == ACT_RELU) {
    for (let i = 0; i < count4; i += 4) {
      const o = <usize>i << 2;
      v128.store(D + o, v128.and(v128.load(D + o), f32x4.gt(v128.load(Z + o), zero)));
    }
    for (let i = count4; i < count; i++) {
      const o = <usize>i << 2;
      if (!(load<f32>(Z + o) > 0)) store<f32>(D + o, 0);
    }
    return 1;
  }
  if (code == ACT_LEAKY_RELU) {
    const slope = f64x2.splat(LEAKY_SLOPE);
    for (let i = 0; i < count4; i += 4) {
      const o = <usize>i << 2;
      const d = v128.load(D + o);
      const scaled = narrow(f64x2.mul(widen(d, false), slope), f64x2.mul(widen(d, true), slope));
      v128.store(D + o, v128.bitselect(d, scaled, f32x4.gt(v128.load(Z + o), zero)));
    }
    for (let i = count4; i < count; i++) {
      const o = <usize>i << 2;
      if (!(load<f32>(Z + o) > 0)) store<f32>(D + o, <f32>(<f64>load<f32>(D + o) * LEAKY_SLOPE));
    }
    return 1;
  }
  if (code == ACT_SIGMOID || code == ACT_TANH) {
    // σ'(z) from a: a(1 − a) or 1 − a², in float64 as JavaScript does, times D, rounded once.
    const one = f64x2.splat(1);
    const sigmoid = code == ACT_SIGMOID;
    for (let i = 0; i < count4; i += 4) {
      const o = <usize>i << 2;
      const a = v128.load(A + o), d = v128.load(D + o);
      const a0 = widen(a, false), a1 = widen(a, true);
      const s0 = sigmoid ? f64x2.mul(a0, f64x2.sub(one, a0)) : f64x2.sub(one, f64x2.mul(a0, a0));
      const s1 = sigmoid ? f64x2.mul(a1, f64x2.sub(one, a1)) : f64x2.sub(one, f64x2.mul(a1, a1));
      v128.store(D + o, narrow(f64x2.mul(widen(d, false), s0), f64x2.mul(widen(d, true), s1)));
    }
    for (let i = count4; i < count; i++) {
      const o = <usize>i << 2;
      const a = <f64>load<f32>(A + o);
      const slope = sigmoid ? a * (1 - a) : 1 - a * a;
      store<f32>(D + o, <f32>(<f64>load<f32>(D + o) * slope));
    }
    return 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------
// dropout: the training step's mask drawn and applied in one pass, as the Trainer's JavaScript
// twin (trainer.ts drawMask, then multiply) does, with the seeded generator of src/core/random.ts
// (sfc32, its four 32-bit words at `state`, advanced in place by `count` draws u):
//   M[i] = 0 if u < threshold (= p·2³²) else keep (= 1/(1 − p));   out[i] = X[i] · M[i]

export function dropout(X: usize, M: usize, out: usize, count: i32, state: usize, threshold: f64, keep: f32): void {
  let a = load<u32>(state);
  let b = load<u32>(state, 4);
  let c = load<u32>(state, 8);
  let d = load<u32>(state, 12);
  for (let i = 0; i < count; i++) {
    const u = a + b + d;
    d += 1;
    a = b ^ (b >>> 9);
    b = c + (c << 3);
    c = ((c << 21) | (c >>> 11)) + u;
    const o = <usize>i << 2;
    const m: f32 = <f64>u < threshold ? 0 : keep;
    store<f32>(M + o, m);
    store<f32>(out + o, load<f32>(X + o) * m);
  }
  store<u32>(state, a);
  store<u32>(state, b, 4);
  store<u32>(state, c, 8);
  store<u32>(state, d, 12);
}

// ---------------------------------------------------------------------------------------
// peak: the machine's ceiling for this kind of code, for the benchmark. Twelve independent
// f32x4 multiply-add chains over a vector that stays in registers: no memory traffic.
// Returns a sum so the work cannot be optimised away. Flops = iterations × 12 × 4 × 2.

export function peak(iterations: i32, x: f32): f32 {
  const v = f32x4.splat(x);
  const c = f32x4.splat(<f32>0.999);
  let s0 = f32x4.splat(0), s1 = f32x4.splat(1), s2 = f32x4.splat(2), s3 = f32x4.splat(3);
  let s4 = f32x4.splat(4), s5 = f32x4.splat(5), s6 = f32x4.splat(6), s7 = f32x4.splat(7);
  let s8 = f32x4.splat(8), s9 = f32x4.splat(9), s10 = f32x4.splat(10), s11 = f32x4.splat(11);
  for (let i = 0; i < iterations; i++) {
    s0 = madd(v, s0, c);
    s1 = madd(v, s1, c);
    s2 = madd(v, s2, c);
    s3 = madd(v, s3, c);
    s4 = madd(v, s4, c);
    s5 = madd(v, s5, c);
    s6 = madd(v, s6, c);
    s7 = madd(v, s7, c);
    s8 = madd(v, s8, c);
    s9 = madd(v, s9, c);
    s10 = madd(v, s10, c);
    s11 = madd(v, s11, c);
  }
  const t0 = f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3));
  const t1 = f32x4.add(f32x4.add(s4, s5), f32x4.add(s6, s7));
  const t2 = f32x4.add(f32x4.add(s8, s9), f32x4.add(s10, s11));
  return hsum(f32x4.add(f32x4.add(t0, t1), t2));
}

// ---------------------------------------------------------------------------------------
// heapBase: the first byte after the module's static data; the JavaScript side hands out
// Float32Array views of memory from here on (see src/core/engine/wasmKernels.ts).

export function heapBase(): usize {
  return __heap_base;
}
