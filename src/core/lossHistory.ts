/**
 * Step losses in bounded memory, shared by the worker (what it holds for the next snapshot) and
 * the host (the session's whole history). Pure (no `vscode`, no Node API).
 */

/**
 * The batch losses of the steps so far, in bounded memory however long the run: every step
 * until CAPACITY steps, then each stored value stands for `stride` consecutive steps (a power of
 * two that doubles whenever the store is full), alternately the lowest and the highest batch loss
 * of those steps, so the chart keeps its envelope and its spikes. Value i covers steps
 * i·stride + 1 … (i + 1)·stride; `steps` counts every step pushed.
 */
export class LossHistory {
  /** 2^20 values = 4 MB, whatever the number of steps. */
  static readonly CAPACITY = 1 << 20;
  private values: Float32Array;
  /** Values stored (complete strides). */
  length = 0;
  stride = 1;
  /** Steps pushed in all. */
  steps = 0;
  /** The stride in progress: its lowest and highest loss and how many steps it has. */
  private partMin = Infinity;
  private partMax = -Infinity;
  private partCount = 0;

  constructor(private readonly capacity = LossHistory.CAPACITY) {
    this.values = new Float32Array(Math.min(1024, capacity));
  }

  /** Losses of consecutive steps, one each. */
  push(losses: ArrayLike<number>): void {
    for (let i = 0; i < losses.length; i++) this.pushOne(losses[i]);
  }

  /**
   * Losses as a snapshot carries them: value i stands for the steps up to
   * lastStep − (n − 1 − i)·stride (each the `stride` steps before it, or fewer for the first
   * when steps were already known). Steps already here are not counted twice.
   */
  pushSteps(values: ArrayLike<number>, lastStep: number, stride = 1): void {
    const n = values.length;
    for (let i = 0; i < n; i++) {
      const end = lastStep - (n - 1 - i) * stride;
      for (let count = end - this.steps; count > 0; count--) this.pushOne(values[i]);
    }
  }

  /**
   * Everything pushed since the last take, as a snapshot carries it (stored values, then the
   * stride in progress as one more value), and starts empty again.
   */
  take(): { values: Float32Array; stride: number } {
    const stored = this.values.subarray(0, this.length);
    const partial = this.stride > 1 && this.partCount > 0;
    const values = new Float32Array(this.length + (partial ? 1 : 0));
    values.set(stored);
    if (partial) values[this.length] = this.length % 2 === 0 ? this.partMin : this.partMax;
    const stride = this.stride;
    this.clear();
    return { values, stride };
  }

  /** The loss of the next step. */
  pushOne(loss: number): void {
    this.steps++;
    if (this.stride === 1) {
      this.store(loss);
      return;
    }
    // NaN (a diverged step) must not vanish in min/max: Math.min/max propagate it.
    this.partMin = this.partCount === 0 ? loss : Math.min(this.partMin, loss);
    this.partMax = this.partCount === 0 ? loss : Math.max(this.partMax, loss);
    this.partCount++;
    if (this.partCount === this.stride) {
      this.store(this.length % 2 === 0 ? this.partMin : this.partMax);
      this.partCount = 0;
    }
  }

  private store(value: number): void {
    if (this.length === this.values.length) {
      if (this.values.length < this.capacity) {
        const grown = new Float32Array(Math.min(this.capacity, this.values.length * 2));
        grown.set(this.values);
        this.values = grown;
      } else {
        this.compact();
      }
    }
    this.values[this.length++] = value;
  }

  /** Halves the resolution: pairs of values become one (the pair's min at even, max at odd positions). */
  private compact(): void {
    const half = this.length >> 1;
    for (let i = 0; i < half; i++) {
      const a = this.values[2 * i];
      const b = this.values[2 * i + 1];
      this.values[i] = i % 2 === 0 ? Math.min(a, b) : Math.max(a, b);
    }
    this.length = half;
    this.stride *= 2;
  }

  /**
   * The stored values at most `maxValues` of them: pairs merged (min at even, max at odd
   * positions, as when the store fills) until they fit; value i covers steps i·stride + 1 … (i + 1)·stride
   * of the returned stride. An odd value left over at the end is dropped (restore() counts its
   * steps as the stride in progress).
   */
  thinned(maxValues: number): { values: Float32Array; stride: number } {
    let values = this.toArray();
    let stride = this.stride;
    while (values.length > Math.max(1, maxValues)) {
      const half = new Float32Array(values.length >> 1);
      for (let i = 0; i < half.length; i++) {
        const a = values[2 * i];
        const b = values[2 * i + 1];
        half[i] = i % 2 === 0 ? Math.min(a, b) : Math.max(a, b);
      }
      values = half;
      stride *= 2;
    }
    return { values, stride };
  }

  /** A copy of the stored values (safe to post or transfer); value i covers steps i·stride + 1 … (i + 1)·stride. */
  toArray(): Float32Array {
    return this.values.slice(0, this.length);
  }

  /**
   * A history as toArray() and `stride` gave it, `steps` steps long (a checkpoint read back after
   * a reload). Steps past the stored strides count as a stride in progress whose lowest and
   * highest loss are the last stored value's (their own losses were not kept).
   */
  static restore(values: ArrayLike<number>, stride: number, steps: number, capacity = LossHistory.CAPACITY): LossHistory {
    const history = new LossHistory(capacity);
    const n = Math.min(values.length, capacity);
    history.values = new Float32Array(Math.max(1024, n));
    for (let i = 0; i < n; i++) history.values[i] = values[i];
    history.length = n;
    history.stride = stride;
    history.steps = Math.max(steps, n * stride);
    const pending = history.steps - n * stride;
    if (stride > 1 && pending > 0) {
      history.partCount = Math.min(stride - 1, pending);
      history.partMin = history.partMax = n > 0 ? history.values[n - 1] : NaN;
    }
    return history;
  }

  /** Bytes held, for the memory test. */
  get bytes(): number {
    return this.values.byteLength;
  }

  clear(): void {
    this.length = 0;
    this.steps = 0;
    this.stride = 1;
    this.partCount = 0;
    if (this.values.length > 1024) this.values = new Float32Array(1024);
  }
}


/**
 * Bounds a list of epoch metrics in epoch order. Once it is longer than `capacity`, it keeps the
 * epochs that are multiples of a power-of-two stride s (the smallest that leaves at most
 * capacity / 2 of them), plus the first and the latest. The choice depends on the epoch number,
 * not on the position in the list, so thinning again keeps the same epochs: the spacing stays
 * even over the whole run (stride s, then every epoch since the last thinning) instead of the
 * oldest part being halved once more at every call. Halving to capacity / 2 makes the cost
 * O(capacity) once per capacity / 2 appends.
 * Returns the list to keep (the same one when nothing was dropped).
 */
export function thinEpochs<T extends { epoch: number }>(list: T[], capacity: number): T[] {
  if (list.length <= capacity) return list;
  const first = list[0].epoch;
  const span = list[list.length - 1].epoch - first;
  let stride = 1;
  while (span / stride >= capacity >> 1) stride *= 2;
  const last = list.length - 1;
  return list.filter((m, i) => i === 0 || i === last || (m.epoch - first) % stride === 0);
}
