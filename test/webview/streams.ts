/**
 * Hand-made panel messages with exactly representable numbers, for assertions on exact text
 * and colours. The recorded streams (harness.recordSession) cover real training.
 */
import type { LayerSnapshot, SessionInfo, Snapshot, ToPanel } from '../../src/protocol';

/** A 2 → 3 tanh → 1 sigmoid network on 'xor'. */
export function tinyInfo(overrides: Partial<SessionInfo> = {}): SessionInfo {
  return {
    specPath: '/work/specs/tiny.nnspec',
    name: 'tiny',
    inputSize: 2,
    layers: [
      { index: 1, inputs: 2, units: 3, activation: 'tanh', bias: true },
      { index: 2, inputs: 3, units: 1, activation: 'sigmoid', bias: true },
    ],
    loss: 'mse',
    task: 'binary',
    epochs: 10,
    stepsPerEpoch: 4,
    batchSize: 1,
    trainCount: 4,
    validationCount: 0,
    dataName: 'xor',
    parameterCount: 13,
    seed: 1,
    ...overrides,
  };
}

/** Every array of a layer from one generator f(kind, index). */
export function layerSnapshot(units: number, inputs: number, f: (kind: keyof LayerSnapshot, i: number) => number): LayerSnapshot {
  const make = (kind: keyof LayerSnapshot, n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => f(kind, i));
  return {
    weights: make('weights', units * inputs),
    biases: make('biases', units),
    gradWeights: make('gradWeights', units * inputs),
    gradBiases: make('gradBiases', units),
    lastDeltaWeights: make('lastDeltaWeights', units * inputs),
    lastDeltaBiases: make('lastDeltaBiases', units),
    epochDeltaWeights: make('epochDeltaWeights', units * inputs),
    epochDeltaBiases: make('epochDeltaBiases', units),
  };
}

/**
 * Layer 1 (3 × 2): weights row 0 = [0.5, 0], row 1 = [−0.5, 0.25], row 2 = [0.125, −0.25];
 * biases [0, 0.25, −0.125]; gradients −w/4; last Δw = w/8; epoch Δw = w/2. Layer 2 (1 × 3) likewise
 * from [1, −1, 0.5]. Trace: a^0 = [0.25, 0.75], a^1 = [0.5, −0.5, 0.25], a^2 = [0.75]; δ^1 = [−0.5, 0.125, 0.25], δ^2 = [0.375].
 */
export function tinySnapshot(step: number, overrides: Partial<Snapshot> = {}): Snapshot {
  const w1 = [0.5, 0, -0.5, 0.25, 0.125, -0.25];
  const b1 = [0, 0.25, -0.125];
  const w2 = [1, -1, 0.5];
  const b2 = [0.5];
  const derived = (w: number[], b: number[]) => (kind: keyof LayerSnapshot, i: number): number => {
    const isBias = kind.toLowerCase().includes('bias');
    const v = isBias ? b[i] : w[i];
    if (kind === 'weights' || kind === 'biases') return v;
    if (kind.startsWith('grad')) return -v / 4;
    if (kind.startsWith('last')) return v / 8;
    return v / 2;
  };
  return {
    status: 'paused',
    epoch: Math.floor(step / 4),
    step,
    stepInEpoch: step % 4,
    rate: 0.5,
    loss: 0.125,
    newStepLosses: Float32Array.from([0.125]),
    newEpochs: [],
    samplesPerSecond: 1234,
    layers: [layerSnapshot(3, 2, derived(w1, b1)), layerSnapshot(1, 3, derived(w2, b2))],
    trace: {
      sampleIndex: 2,
      activations: [Float32Array.from([0.25, 0.75]), Float32Array.from([0.5, -0.5, 0.25]), Float32Array.from([0.75])],
      deltas: [Float32Array.from([-0.5, 0.125, 0.25]), Float32Array.from([0.375])],
    },
    ...overrides,
  };
}

export function tinyInit(stepLosses: number[], latest?: Snapshot, info = tinyInfo()): ToPanel {
  return { type: 'init', info, status: latest?.status ?? 'ready', history: { stepLosses: Float32Array.from(stepLosses), epochs: [] }, latest };
}

/**
 * 784 → 30 sigmoid → 10 sigmoid on 28×28 images (the digits' first layer that used to spill out
 * of its card). w^1_jk = ((7j + k) mod 17 − 8) / 64, b^1_j = (j − 15) / 64; layer 2 likewise
 * from (3j + k) mod 5 − 2; gradients −w/4, last Δw w/8, epoch Δw w/2 (all exact in float32).
 */
export function wideInfo(): SessionInfo {
  return tinyInfo({
    specPath: '/work/specs/digits-30.nnspec',
    name: 'digits-30',
    inputSize: 784,
    imageShape: [28, 28],
    layers: [
      { index: 1, inputs: 784, units: 30, activation: 'sigmoid', bias: true },
      { index: 2, inputs: 30, units: 10, activation: 'sigmoid', bias: true },
    ],
    task: 'classification',
    loss: 'mse',
    epochs: 3,
    stepsPerEpoch: 40,
    batchSize: 10,
    trainCount: 400,
    dataName: 'digits',
    parameterCount: 784 * 30 + 30 + 30 * 10 + 10,
  });
}

export const wideWeight = (j: number, k: number): number => (((7 * j + k) % 17) - 8) / 64;

export function wideSnapshot(step: number): Snapshot {
  const derived = (w: (i: number) => number, b: (i: number) => number) => (kind: keyof LayerSnapshot, i: number): number => {
    const v = kind.toLowerCase().includes('bias') ? b(i) : w(i);
    if (kind === 'weights' || kind === 'biases') return v;
    if (kind.startsWith('grad')) return -v / 4;
    if (kind.startsWith('last')) return v / 8;
    return v / 2;
  };
  return tinySnapshot(step, {
    epoch: Math.floor(step / 40),
    stepInEpoch: step % 40,
    layers: [
      layerSnapshot(30, 784, derived((i) => wideWeight(Math.floor(i / 784), i % 784), (j) => (j - 15) / 64)),
      layerSnapshot(10, 30, derived((i) => ((3 * Math.floor(i / 30) + (i % 30)) % 5) - 2, (j) => j / 8)),
    ],
    trace: {
      sampleIndex: 7,
      activations: [Float32Array.from({ length: 784 }, (_, k) => (k % 4) / 4), Float32Array.from({ length: 30 }, (_, j) => j / 32), Float32Array.from({ length: 10 }, () => 0.5)],
      deltas: [Float32Array.from({ length: 30 }, (_, j) => (j - 8) / 128), Float32Array.from({ length: 10 }, (_, j) => j / 16)],
    },
  });
}
