/**
 * The one seeded random generator. All randomness in NNSpec (initial weights, data-set
 * noise, shuffles, validation splits) comes from a `Random` made from the spec's `seed`,
 * so the same spec and seed give bit-identical results on every machine.
 *
 * Algorithm: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded through
 * splitmix32; 32-bit integer arithmetic only, so it is exact in JavaScript.
 */
/** sfc32's four 32-bit words and Box–Muller's spare normal value (null when none is kept). */
export type RandomState = [number, number, number, number, number | null];

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
    return array;
  }

  /** An independent copy in the same state: it draws what this one would draw next. */
  clone(): Random {
    const copy = Object.create(Random.prototype) as Random;
    copy.a = this.a;
    copy.b = this.b;
    copy.c = this.c;
    copy.d = this.d;
    copy.spareNormal = this.spareNormal;
    return copy;
  }

  /** sfc32's four words into out[0 … 3] (for a kernel that draws in WebAssembly memory); setWords takes them back. */
  copyWords(out: Int32Array): void {
    out[0] = this.a;
    out[1] = this.b;
    out[2] = this.c;
    out[3] = this.d;
  }

  setWords(from: Int32Array): void {
    this.a = from[0];
    this.b = from[1];
    this.c = from[2];
    this.d = from[3];
  }

  /** The generator's state as plain numbers (a session checkpoint): fromState() draws on from here. */
  state(): RandomState {
    return [this.a, this.b, this.c, this.d, this.spareNormal];
  }

  /** A generator in the state state() gave. */
  static fromState(state: RandomState): Random {
    const copy = Object.create(Random.prototype) as Random;
    [copy.a, copy.b, copy.c, copy.d] = state.map((v) => (v ?? 0) | 0) as [number, number, number, number];
    copy.spareNormal = state[4] ?? null;
    return copy;
  }

  /** A generator for a named purpose, independent of how much this one has been used. */
  static derive(seed: number, purpose: string): Random {
    let h = seed >>> 0;
    for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193) >>> 0;
    return new Random(h);
  }
}
