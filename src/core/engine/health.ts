/**
 * Training health: while a network trains, watch for the problems a learner can fix in the spec,
 * and say where (the layer's `dense` line, or the `optimizer` line), with the numbers and a fix.
 * One analysis shared by the VS Code worker (Problems panel) and `nnspec train` (warnings, --json).
 *
 * What is watched, and the thresholds (HEALTH below):
 *   dead-units          hidden ReLU units with a = 0 for every sample of a sweep (the first
 *                       ≤ 256 training samples run forward, at the first epoch's end and then at the
 *                       end of an epoch once ≥ 2,048 samples were trained since the last sweep):
 *                       σ'(z) = 0 there, so ∂C/∂w of their weights
 *                       is 0 and they never recover. Reported when ≥ 1/4 of a layer's units are dead.
 *   saturated-units     hidden sigmoid/tanh units with σ'(z) < 0.01 (sigmoid |z| > 4.6, tanh |z| > 3)
 *                       on ≥ 90% of the sweep's samples: δ = … ⊙ σ'(z) is ~0, they barely learn.
 *                       Reported when ≥ 1/2 of a layer's units are saturated.
 *   vanishing-gradient  r = ‖∂C/∂w^1‖ / ‖∂C/∂w^L‖ (Frobenius norms of the step's gradients), its
 *   exploding-gradient  median over the last 20 sampled steps below 1e-4 or above 1e4: the first
 *                       layer learns 10,000× slower (or faster) than the last. Networks of ≥ 2 layers.
 *   update-ratio        u^l = ‖Δw^l‖ / ‖w^l‖ of a step; ~1e-3 is the rule of thumb. Its median over
 *                       the last 20 sampled steps above 0.1 (the rate is too large) or below 1e-6
 *                       (too small), while the loss is still above half the baseline (a weight
 *                       shrinking geometrically to its exact answer 0 has a large u and is fine).
 *   plateau             the epoch's mean batch loss flat (max − min within 1% of the mean) for
 *                       E = max(20, ⌈500 / steps per epoch⌉) epochs, at ≥ 1/2 of the baseline.
 *   diverged            the trainer threw DivergenceError (the loss or a weight became NaN/∞).
 * The baseline is the loss of the best constant prediction on the training part (mse: ½ Σ_d Var(y_d);
 * bce: Σ_d H(ȳ_d); cce: the entropy of the class frequencies): "no better than guessing".
 * Only hidden layers are checked for dead or saturated units: an output unit saturated at its
 * target (sigmoid output → 0.99 for a 1) is a network that has learnt.
 *
 * The conditions are worked out every 50 steps, after each sweep and on divergence.
 * Steps are sampled (norms of ∂C/∂w, Δw, w: 3 plain-JavaScript passes over the weights) every
 * max(4, ⌈weights / 500⌉) steps (784-30-10: every 48th), so
 * watching costs a few percent of the (WebAssembly) training; short runs of big networks may then
 * see too few samples for the medians, and only the sweep's problems. Everything depends only on the step count, so the CLI and the worker report
 * the same problems for the same run.
 */
import type { Activation, Diagnostic, Fix, ParseResult, Range, Statement } from '../spec';
import { optimizerNames } from '../lang/vocabulary';
import type { StepResult, Trainer } from './types';

export type HealthCode = 'dead-units' | 'saturated-units' | 'vanishing-gradient' | 'exploding-gradient' | 'update-ratio' | 'plateau' | 'diverged';

export const HEALTH_CODES: readonly HealthCode[] = [
  'dead-units',
  'saturated-units',
  'vanishing-gradient',
  'exploding-gradient',
  'update-ratio',
  'plateau',
  'diverged',
];

/** A problem in a run: a warning Diagnostic on the line to fix, with the layer it concerns. */
export interface HealthProblem extends Diagnostic {
  severity: 'warning';
  code: HealthCode;
  /** l from 1 (as in the spec), or null for the whole network. */
  layer: number | null;
}

export const HEALTH = {
  /** Training samples a sweep runs forward (the first ones of the training part). */
  sweepRows: 256,
  /** Training samples between sweeps (a sweep's forward pass then costs ~4% of the training). */
  sweepEvery: 2048,
  /** A layer is reported when at least this share of its ReLU units are dead. */
  deadShare: 0.25,
  /** σ'(z) below this is saturated… */
  saturatedDerivative: 0.01,
  /** …and a unit is saturated when it is so on at least this share of the sweep's samples… */
  saturatedSamples: 0.9,
  /** …and a layer is reported when at least this share of its units are saturated. */
  saturatedShare: 0.5,
  vanishingRatio: 1e-4,
  explodingRatio: 1e4,
  updateRatioHigh: 0.1,
  updateRatioLow: 1e-6,
  /** Sampled steps the medians are over (and that must have been seen before they count). */
  window: 20,
  /** Steps are sampled every max(4, ⌈weights / 500⌉) steps. */
  samplingStride: 4,
  samplingWeights: 500,
  plateauEpochs: 20,
  plateauSteps: 500,
  plateauSpread: 0.01,
  /** Loss "still high": at least this share of the baseline loss. */
  highLossShare: 0.5,
  /** The conditions are worked out every this many steps (and after a sweep, and on divergence). */
  checkEvery: 50,
} as const;

/** Where the problems go: the dense statements (layer l at index l − 1) and the optimizer statement. */
export interface HealthPlaces {
  dense: (Statement | undefined)[];
  optimizer?: Statement;
  /** Where whole-network problems go when there is no optimizer line. */
  fallback: Range;
}

/** The places in a parsed spec (the parse the trainer's spec came from). */
export function healthPlaces(parse: ParseResult): HealthPlaces {
  const dense = parse.statements.filter((s) => s.keyword.text === 'dense');
  const optimizer = parse.byKeyword.get('optimizer');
  const fallback = parse.spec.layers[parse.spec.layers.length - 1]?.range ?? parse.statements[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return { dense: parse.spec.layers.map((_, l) => dense[l]), optimizer, fallback };
}

/** A ring of the last `size` numbers. */
class Ring {
  private readonly values: Float64Array;
  private count = 0;
  constructor(size: number) {
    this.values = new Float64Array(size);
  }
  push(value: number): void {
    this.values[this.count % this.values.length] = value;
    this.count++;
  }
  get full(): boolean {
    return this.count >= this.values.length;
  }
  clear(): void {
    this.count = 0;
  }
  median(): number {
    const n = Math.min(this.count, this.values.length);
    const sorted = this.values.slice(0, n).sort();
    return n === 0 ? NaN : n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}

export class HealthMonitor {
  /** Sampled steps are those with step % stride === 0. */
  readonly stride: number;
  readonly baseline: number;
  private readonly gradientRatio = new Ring(HEALTH.window);
  private readonly updateRatios: Ring[];
  private readonly recentLoss = new Ring(HEALTH.window);
  /** Per layer: the sweep's dead and saturated unit counts (null: not swept yet or not checked). */
  private sweepResult: ({ dead: number; saturated: number; rows: number } | null)[];
  private epochLosses: number[] = [];
  private epochLossSum = 0;
  private epochSamples = 0;
  private samplesSinceSweep = 0;
  private divergence: string | null = null;
  private current: HealthProblem[] = [];
  /** Counts changes of the problem list, so a reader can tell when to send it again. */
  version = 0;

  constructor(
    private readonly trainer: Trainer,
    private readonly places: HealthPlaces,
  ) {
    const weights = trainer.layers.reduce((sum, layer) => sum + layer.weights.length, 0);
    this.stride = Math.max(HEALTH.samplingStride, Math.ceil(weights / HEALTH.samplingWeights));
    this.updateRatios = trainer.layers.map(() => new Ring(HEALTH.window));
    this.sweepResult = trainer.layers.map(() => null);
    this.baseline = baselineLoss(trainer);
  }

  /** The problems that hold now. */
  get problems(): readonly HealthProblem[] {
    return this.current;
  }

  /** Back to a fresh run (after Reset or new weights). */
  reset(): void {
    this.gradientRatio.clear();
    this.recentLoss.clear();
    for (const ring of this.updateRatios) ring.clear();
    this.sweepResult = this.trainer.layers.map(() => null);
    this.epochLosses = [];
    this.epochLossSum = 0;
    this.epochSamples = 0;
    this.samplesSinceSweep = 0;
    this.divergence = null;
    this.publish([]);
  }

  /** After every successful step (the trainer's views hold that step's ∂C/∂w and Δw). */
  afterStep(result: StepResult): void {
    this.epochLossSum += result.loss * result.batchSize;
    this.epochSamples += result.batchSize;
    this.samplesSinceSweep += result.batchSize;
    let check = result.step % HEALTH.checkEvery === 0;
    if (result.step % this.stride === 0) this.sampleStep(result);
    if (result.epochEnded) {
      this.epochLosses.push(this.epochLossSum / Math.max(1, this.epochSamples));
      if (this.epochLosses.length > 4 * plateauEpochs(this.trainer)) this.epochLosses.splice(0, this.epochLosses.length - 2 * plateauEpochs(this.trainer));
      this.epochLossSum = 0;
      this.epochSamples = 0;
      if (this.samplesSinceSweep >= HEALTH.sweepEvery || this.sweepResult.every((r) => r === null)) {
        this.sweep();
        check = true;
      }
    }
    if (check) this.evaluate();
  }

  /** The run diverged: the message says where (DivergenceError's). */
  diverged(message: string): void {
    this.divergence = message;
    this.evaluate();
  }

  /** Runs the first ≤ sweepRows training samples forward and counts dead and saturated hidden units. */
  sweep(): void {
    this.samplesSinceSweep = 0;
    const layers = this.trainer.layers;
    const L = layers.length;
    const dead = layers.map((layer) => new Uint8Array(layer.units).fill(1));
    const saturatedCounts = layers.map((layer) => new Int32Array(layer.units));
    let rows = 0;
    this.trainer.forwardPart(
      'train',
      (_start, m, zs, activations) => {
        rows += m;
        for (let l = 0; l < L - 1; l++) {
          const { units, activation } = layers[l];
          const a = activations[l];
          if (activation === 'relu') {
            for (let i = 0; i < m * units; i++) if (a[i] > 0) dead[l][i % units] = 0;
          } else if (activation === 'sigmoid' || activation === 'tanh') {
            const z = zs[l];
            for (let i = 0; i < m * units; i++) {
              if (derivativeAt(activation, z[i], a[i]) < HEALTH.saturatedDerivative) saturatedCounts[l][i % units]++;
            }
          }
        }
      },
      HEALTH.sweepRows,
    );
    this.sweepResult = layers.map((layer, l) => {
      if (l === L - 1 || rows === 0) return null;
      let deadCount = 0;
      let saturated = 0;
      for (let j = 0; j < layer.units; j++) {
        if (layer.activation === 'relu' && dead[l][j]) deadCount++;
        if (saturatedCounts[l][j] >= HEALTH.saturatedSamples * rows) saturated++;
      }
      return { dead: deadCount, saturated, rows };
    });
  }

  private sampleStep(result: StepResult): void {
    const layers = this.trainer.layers;
    this.recentLoss.push(result.loss);
    layers.forEach((layer, l) => {
      const w = layer.weights;
      const dw = layer.lastDeltaWeights;
      let ww = 0;
      let dd = 0;
      for (let i = 0; i < w.length; i++) {
        ww += w[i] * w[i];
        dd += dw[i] * dw[i];
      }
      if (ww > 0) this.updateRatios[l].push(Math.sqrt(dd / ww));
    });
    if (layers.length >= 2) {
      const first = norm(layers[0].gradWeights);
      const last = norm(layers[layers.length - 1].gradWeights);
      if (last > 0 && Number.isFinite(first)) this.gradientRatio.push(first / last);
    }
  }

  /** Works out which problems hold now and publishes the list when it changed. */
  private evaluate(): void {
    const problems: HealthProblem[] = [];
    const layers = this.trainer.layers;
    const rate = this.trainer.rate;
    const high = (loss: number): boolean => this.baseline > 0 && loss > HEALTH.highLossShare * this.baseline;

    layers.forEach((layer, l) => {
      const swept = this.sweepResult[l];
      if (!swept) return;
      const name = layer.activation === 'relu' ? 'ReLU' : layer.activation;
      if (layer.activation === 'relu' && swept.dead > 0 && swept.dead >= HEALTH.deadShare * layer.units) {
        problems.push(
          this.atLayer(
            'dead-units',
            l,
            `${swept.dead} of ${layer.units} ReLU units never fire (layer ${l + 1}): a = 0 for all ${swept.rows} samples of the sweep`,
            'a dead unit has σ′(z) = 0, so its weights get no gradient and it never recovers; start from init=he, or lower the rate',
            [this.initFix(l, 'he'), this.rateFix(rate / 10, 'lower')],
          ),
        );
      }
      if ((layer.activation === 'sigmoid' || layer.activation === 'tanh') && swept.saturated > 0 && swept.saturated >= HEALTH.saturatedShare * layer.units) {
        problems.push(
          this.atLayer(
            'saturated-units',
            l,
            `${swept.saturated} of ${layer.units} ${name} units are saturated (layer ${l + 1}): σ′(z) < ${HEALTH.saturatedDerivative} for ≥ ${HEALTH.saturatedSamples * 100}% of ${swept.rows} samples`,
            'δ = (wᵀδ) ⊙ σ′(z) is almost 0 through them, so they barely learn; start from init=xavier, normalize the inputs, or lower the rate',
            [this.initFix(l, 'xavier'), this.rateFix(rate / 10, 'lower')],
          ),
        );
      }
    });

    if (layers.length >= 2 && this.gradientRatio.full) {
      const r = this.gradientRatio.median();
      const L = layers.length;
      if (r < HEALTH.vanishingRatio) {
        problems.push(
          this.atLayer(
            'vanishing-gradient',
            0,
            `the gradient vanishes on its way back: ‖∂C/∂w¹‖ is ${sci(r)} × ‖∂C/∂w^${L}‖ (median of the last ${HEALTH.window} steps), so layer 1 barely learns`,
            'each sigmoid/tanh layer multiplies δ by σ′(z) ≤ 1 (sigmoid ≤ 0.25); relu hidden layers with init=he, fewer layers or init=xavier keep it alive',
            [this.initFix(0, layers[0].activation === 'relu' ? 'he' : 'xavier')],
          ),
        );
      } else if (r > HEALTH.explodingRatio) {
        problems.push(
          this.atLayer(
            'exploding-gradient',
            0,
            `the gradient explodes on its way back: ‖∂C/∂w¹‖ is ${sci(r)} × ‖∂C/∂w^${L}‖ (median of the last ${HEALTH.window} steps)`,
            'large weights multiply δ layer after layer; lower the rate, or start from init=xavier',
            [this.rateFix(rate / 10, 'lower'), this.initFix(0, layers[0].activation === 'relu' ? 'he' : 'xavier')],
          ),
        );
      }
    }

    // update-ratio: the layer furthest from ~1e-3 (one problem, on the optimizer line); tiny updates
    // are not reported while the gradient vanishes or units are dead or saturated (that is their
    // cause, and a larger rate no cure)
    const starved = problems.some((p) => p.code === 'vanishing-gradient' || p.code === 'dead-units' || p.code === 'saturated-units');
    let worst: { l: number; u: number; kind: 'high' | 'low' } | null = null;
    this.updateRatios.forEach((ring, l) => {
      if (!ring.full) return;
      const u = ring.median();
      if (!high(this.recentLoss.median())) return;
      if (u > HEALTH.updateRatioHigh && (!worst || u / 1e-3 > distance(worst.u))) worst = { l, u, kind: 'high' };
      else if (u < HEALTH.updateRatioLow && !starved && (!worst || 1e-3 / u > distance(worst.u))) worst = { l, u, kind: 'low' };
    });
    if (worst !== null) {
      const { l, u, kind } = worst as { l: number; u: number; kind: 'high' | 'low' };
      problems.push(
        kind === 'high'
          ? this.atOptimizer(
              'update-ratio',
              l,
              `updates are too large: ‖Δw‖/‖w‖ = ${sci(u)} in layer ${l + 1} (median of the last ${HEALTH.window} steps; about 1e-3 is healthy)`,
              'each step changes the weights by a large share of themselves; lower the rate',
              [this.rateFix(rate * clamp(1e-2 / u, 0.01, 0.5), 'lower')],
            )
          : this.atOptimizer(
              'update-ratio',
              l,
              `updates are too small: ‖Δw‖/‖w‖ = ${sci(u)} in layer ${l + 1} (median of the last ${HEALTH.window} steps; about 1e-3 is healthy) while the loss is still high`,
              'the weights hardly move; raise the rate',
              [this.rateFix(rate * clamp(1e-4 / u, 10, 100), 'raise')],
            ),
      );
    }

    const E = plateauEpochs(this.trainer);
    if (this.epochLosses.length > E) {
      const recent = this.epochLosses.slice(-(E + 1));
      const min = Math.min(...recent);
      const max = Math.max(...recent);
      const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      if (Number.isFinite(mean) && max - min <= HEALTH.plateauSpread * mean && high(mean)) {
        const fixes = [this.rateFix(rate * 3, 'raise')];
        const adam = this.optimizerFix('adam', 'rate=0.001');
        if (adam) fixes.push(adam);
        problems.push(
          this.atOptimizer(
            'plateau',
            null,
            `the loss has stayed at ${fix4(mean)} (within ${HEALTH.plateauSpread * 100}%) for ${E} epochs, ${mean >= this.baseline ? 'no better than' : 'close to'} predicting a constant (${fix4(this.baseline)})`,
            'learning has stalled; a larger rate or another optimizer may get it moving (saturated or dead units stall it too)',
            fixes,
          ),
        );
      }
    }

    if (this.divergence !== null) {
      problems.push(this.atOptimizer('diverged', null, this.divergence, undefined, [this.rateFix(rate / 10, 'lower')]));
    }
    this.publish(problems);
  }

  private publish(problems: HealthProblem[]): void {
    const key = (list: readonly HealthProblem[]): string => list.map((p) => `${p.code}/${p.layer}/${p.message}`).join('\n');
    if (key(problems) === key(this.current)) return;
    this.current = problems;
    this.version++;
  }

  private atLayer(code: HealthCode, l: number, message: string, hint: string, fixes: (Fix | null)[]): HealthProblem {
    const range = this.places.dense[l]?.range ?? this.places.fallback;
    return problem(code, l + 1, range, message, hint, fixes);
  }

  private atOptimizer(code: HealthCode, l: number | null, message: string, hint: string | undefined, fixes: (Fix | null)[]): HealthProblem {
    const range = this.places.optimizer?.range ?? this.places.fallback;
    return problem(code, l === null ? null : l + 1, range, message, hint, fixes);
  }

  /** `init=SCHEME` on the layer's dense line (replacing its init= value), unless it has that already. */
  private initFix(l: number, scheme: 'he' | 'xavier'): Fix | null {
    const statement = this.places.dense[l];
    if (!statement) return null;
    const option = statement.options.find((o) => o.key.text === 'init');
    if (option) {
      if (option.value.text === scheme) return null;
      return { title: `Start layer ${l + 1} from init=${scheme}`, range: option.value.range, newText: scheme };
    }
    if (this.trainer.spec.layers[l]?.init.kind === scheme) return null;
    return { title: `Start layer ${l + 1} from init=${scheme}`, range: { start: statement.range.end, end: statement.range.end }, newText: ` init=${scheme}` };
  }

  /** `rate=R` on the optimizer line. */
  private rateFix(rate: number, verb: 'lower' | 'raise'): Fix | null {
    const statement = this.places.optimizer;
    if (!statement || !(rate > 0) || !Number.isFinite(rate)) return null;
    const text = String(Number(rate.toPrecision(2)));
    const title = `${verb === 'lower' ? 'Lower' : 'Raise'} the rate to ${text}`;
    const option = statement.options.find((o) => o.key.text === 'rate');
    if (option) return { title, range: option.value.range, newText: text };
    return { title, range: { start: statement.range.end, end: statement.range.end }, newText: ` rate=${text}` };
  }

  /** Replaces the optimizer's name and options with another optimizer (when the language has it). */
  private optimizerFix(name: string, options: string): Fix | null {
    const statement = this.places.optimizer;
    if (!statement || !(optimizerNames as readonly string[]).includes(name) || statement.args[0]?.text === name) return null;
    const start = statement.args[0]?.range.start ?? statement.range.end;
    return { title: `Switch to optimizer ${name} ${options}`, range: { start, end: statement.range.end }, newText: `${name} ${options}` };
  }
}

function problem(code: HealthCode, layer: number | null, range: Range, message: string, hint: string | undefined, fixes: (Fix | null)[]): HealthProblem {
  const kept = fixes.filter((f): f is Fix => f !== null);
  return { severity: 'warning', code, layer, range, message, ...(hint ? { hint } : {}), ...(kept.length > 0 ? { fixes: kept } : {}) };
}

/** σ'(z) of sigmoid (a(1 − a)) and tanh (1 − a²), from a = σ(z). */
function derivativeAt(activation: Activation, _z: number, a: number): number {
  return activation === 'sigmoid' ? a * (1 - a) : 1 - a * a;
}

/** E: the epochs a plateau must last. */
function plateauEpochs(trainer: Trainer): number {
  return Math.max(HEALTH.plateauEpochs, Math.ceil(HEALTH.plateauSteps / trainer.stepsPerEpoch));
}

/**
 * The loss of the best constant prediction on the training part: mse ½ Σ_d Var(y_d);
 * bce Σ_d H(ȳ_d), H(p) = −p ln p − (1 − p) ln(1 − p); cce −Σ_c p_c ln p_c.
 */
export function baselineLoss(trainer: Trainer): number {
  const { targets, count, outputSize } = trainer.data.train;
  const means = new Float64Array(outputSize);
  for (let x = 0; x < count; x++) for (let d = 0; d < outputSize; d++) means[d] += targets[x * outputSize + d];
  for (let d = 0; d < outputSize; d++) means[d] /= Math.max(1, count);
  const h = (p: number): number => (p <= 0 || p >= 1 ? 0 : -p * Math.log(p) - (1 - p) * Math.log(1 - p));
  switch (trainer.spec.loss) {
    case 'mse': {
      let sum = 0;
      for (let x = 0; x < count; x++) {
        for (let d = 0; d < outputSize; d++) {
          const e = targets[x * outputSize + d] - means[d];
          sum += e * e;
        }
      }
      return (0.5 * sum) / Math.max(1, count);
    }
    case 'bce':
      return Array.from(means).reduce((sum, p) => sum + h(p), 0);
    case 'cce':
      return Array.from(means).reduce((sum, p) => sum + (p > 0 ? -p * Math.log(p) : 0), 0);
  }
}

function norm(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return Math.sqrt(sum);
}

/** How many orders of magnitude u is from 1e-3, as a factor ≥ 1. */
function distance(u: number): number {
  return u > 1e-3 ? u / 1e-3 : 1e-3 / u;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** 3.2e-6, 1.5e+5 → "3.2e-6", "1.5e5"; 0.31 → "0.31". */
function sci(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  if (value >= 1e-2 && value < 1e3) return String(Number(value.toPrecision(2)));
  return value.toExponential(1).replace('e+', 'e');
}

function fix4(value: number): string {
  return String(Number(value.toPrecision(4)));
}
