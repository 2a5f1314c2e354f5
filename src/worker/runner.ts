/**
 * The training loop of one session, as the worker runs it: a Trainer driven by `ToWorker`
 * messages, reporting through `FromWorker` messages. No worker_threads here (worker.ts wires
 * it to the port), so the loop can be read and tested on its own.
 *
 * Continuous training (Train, and Step Epoch up to the epoch's end) runs in slices: steps until
 * `sliceMs` have passed, then yields to the event loop (setImmediate), so a 'pause' or 'step'
 * message is handled within one slice (one step, if a single step takes longer; an epoch's
 * evaluation over the training set happens inside the slice that ends the epoch).
 *
 * Flow control: while running, a progress snapshot goes out at most `updateHz` times a second
 * AND only after the host acknowledged the previous one ('ack': the host handled it and, with
 * the panel visible, the panel drew it), so however fast training runs, the host and the panel
 * never have more than one progress snapshot queued. Everything in between is coalesced into the
 * next snapshot: the step losses since the last one, the metrics of the epochs that ended (each
 * sent once; there is no per-epoch message). Snapshots that change the status (run, pause, a
 * Step, the end, a reset) go out at once, credit or not, so a status is never queued behind
 * progress. Layer arrays ride along only when
 * `includeLayers` is on (the panel is visible) and no more bytes of them a second than
 * LAYER_BYTES_PER_SECOND.
 *
 * Pace: with `stepsPerSecond` > 0 a Train run takes that many steps a second (steps are due at
 * start + n/stepsPerSecond; the loop sleeps with a timer between them, so a pause still gets
 * through at once). Step and Step Epoch always run at full speed.
 *
 * Every snapshot that ends a burst of work
 * (after a Step, a Step Epoch, a pause, the end of training, a reset, a weights load) carries
 * the layers and the trace, so the host always holds the latest weights and gradients
 * when training is idle — that is what the gradient hovers read.
 */
import { unpackWeights } from '../core/weights';
import type { EpochMetrics, Evaluation, StepResult, Trainer } from '../core/engine/types';
import { explainNextStep } from '../core/engine/explain';
import { LossHistory, thinEpochs } from '../core/lossHistory';
import { formatCount, formatNumber } from '../core/format';
import type {
  FromWorker,
  HyperMark,
  LiveHyper,
  LayerSnapshot,
  SessionInfo,
  SessionStatus,
  Snapshot,
  ToWorker,
  TraceSnapshot,
  WorkerRequest,
  WorkerResponse,
  WorkerSettings,
} from '../protocol';
import type { RunInsights } from './insights';

export type Post = (message: FromWorker, transfer: ArrayBuffer[]) => void;

/** A LayerSnapshot holds this many parameter-shaped arrays (w, b, ∂C/∂w, ∂C/∂b, Δw, Δb, epoch Δw, epoch Δb). */
const LAYER_ARRAYS = 4;
/**
 * While running, snapshots carry layer arrays at most at this many bytes a second (they are
 * copied, posted to the host and on to the panel): a 784-30-10 network gets them at the full
 * update rate, a 784-128-64-10 one about 5 times a second. Stats and losses still go at updateHz.
 */
export const LAYER_BYTES_PER_SECOND = 16_000_000;

/**
 * The most values of step losses held for the next snapshot: beyond, pairs merge (min/max, see
 * LossHistory), so a run far faster than the host takes snapshots up sends each value for 2, 4, …
 * steps instead of growing the worker's memory and the message.
 */
export const MAX_PENDING_LOSSES = 1 << 13;
/**
 * The most epoch metrics held for the next snapshot (a run of 1-step epochs at full speed ends
 * ~10^5 epochs a second); beyond, older ones are thinned out (thinEpochs), the latest always kept.
 */
export const MAX_PENDING_EPOCHS = 1 << 12;

/** Per-layer result of a gradient check, as the worker reports it. */
export type GradientCheckReport = Extract<WorkerResponse, { kind: 'checkGradients' }>['layers'];

export interface RunnerOptions {
  /** Training health, the confusion matrix and histograms for the snapshots (insights.ts). */
  insights?: RunInsights;
  /** Length of one training slice before yielding to the event loop. */
  sliceMs?: number;
  /** Grid resolution of the decision boundary (2-input data). */
  boundaryResolution?: number;
  /** Compares backprop with finite differences for the current weights. */
  checkGradients?: (trainer: Trainer) => GradientCheckReport;
  /** Class names of the data set, for Predict. */
  classNames?: string[];
  now?: () => number;
}

export class SessionRunner {
  private status: SessionStatus = 'ready';
  private settings: WorkerSettings;
  private timer: NodeJS.Immediate | undefined;
  /** A paced run waiting for its next step to be due. */
  private paceTimer: NodeJS.Timeout | undefined;
  /** Paced runs: steps are due at paceStart + n · 1000 / stepsPerSecond ms (n = steps since paceStep). */
  private paceStart = 0;
  private paceStep = 0;
  /** A progress snapshot went out and the host has not acknowledged it yet. */
  private awaitingAck = false;
  private lastSnapshotAt = -Infinity;
  /** When the last snapshot with layer arrays went out (running snapshots respect LAYER_BYTES_PER_SECOND). */
  private lastLayersAt = -Infinity;
  /** Milliseconds between running snapshots that carry layers: their bytes / LAYER_BYTES_PER_SECOND. */
  private readonly layersIntervalMs: number;
  private lastLoss: number | null = null;
  private pendingLosses = new LossHistory(MAX_PENDING_LOSSES);
  private pendingEpochs: EpochMetrics[] = [];
  private pendingMarks: HyperMark[] = [];
  /** Samples and busy milliseconds since the last snapshot, for samples/s. */
  private samplesSince = 0;
  private busyMsSince = 0;
  private samplesPerSecond = 0;
  /** While a Step Epoch runs: the epoch at which it stops. */
  private untilEpoch: number | undefined;
  /** The metrics of the latest epoch that ended (reused as the final evaluation). */
  private lastEpochMetrics: EpochMetrics | undefined;
  /** Load Weights' evaluation of the loaded weights, sent with every snapshot until the next step. */
  private loadedEvaluation: { train: Evaluation; validation?: Evaluation } | undefined;
  private readonly sliceMs: number;
  private readonly resolution: number;
  private readonly now: () => number;

  constructor(
    private readonly trainer: Trainer,
    private readonly info: SessionInfo,
    settings: WorkerSettings,
    private readonly post: Post,
    private readonly options: RunnerOptions = {},
  ) {
    this.settings = { ...settings };
    this.sliceMs = options.sliceMs ?? 8;
    this.resolution = options.boundaryResolution ?? 40;
    this.now = options.now ?? (() => performance.now());
    if (trainer.done) this.status = 'done';
    else if (trainer.step > 0) this.status = 'paused'; // resumed from a checkpoint after a reload
    const floats = trainer.layers.reduce((sum, layer) => sum + LAYER_ARRAYS * (layer.weights.length + layer.biases.length), 0);
    this.layersIntervalMs = (1000 * floats * Float32Array.BYTES_PER_ELEMENT) / LAYER_BYTES_PER_SECOND;
  }

  /**
   * After a resume: sends a snapshot of where the session is, with its layers, and the restored
   * weights' loss and accuracy (as after Load Weights: no step's batch loss is known yet).
   */
  announce(): void {
    const train = this.trainer.evaluate('train');
    const validation = this.trainer.evaluate('validation') ?? undefined;
    this.loadedEvaluation = train ? { train, ...(validation ? { validation } : {}) } : undefined;
    this.sendSnapshot(true);
  }

  get currentStatus(): SessionStatus {
    return this.status;
  }

  /** Handles every message but 'load' (worker.ts owns loading). */
  handle(message: Exclude<ToWorker, { type: 'load' }>): void {
    switch (message.type) {
      case 'run':
        this.run();
        break;
      case 'pause':
        this.pause();
        break;
      case 'step':
        this.stopLoop();
        this.untilEpoch = undefined;
        this.guarded(() => this.recordStep(this.trainer.stepOnce()));
        this.afterManualWork();
        break;
      case 'stepEpoch':
        // Sliced like a run (so a pause gets through), stopping where the current epoch ends;
        // step by step rather than trainer.stepEpoch() so every batch loss reaches the chart.
        this.stopLoop();
        if (this.trainer.done || this.status === 'diverged') {
          this.sendSnapshot(true);
          break;
        }
        this.untilEpoch = this.trainer.epoch + 1;
        this.status = 'running';
        this.lastSnapshotAt = this.now();
        this.schedule();
        break;
      case 'reset':
        this.stopLoop();
        this.untilEpoch = undefined;
        this.trainer.reset();
        this.options.insights?.reset();
        this.lastLoss = null;
        this.pendingLosses.clear();
        this.pendingEpochs = [];
        this.samplesPerSecond = 0;
        this.lastEpochMetrics = undefined;
        this.loadedEvaluation = undefined;
        this.status = 'ready';
        this.sendSnapshot(true);
        break;
      case 'settings': {
        const paceBefore = this.stepsPerSecond;
        this.settings = { ...this.settings, ...message.settings };
        if (this.stepsPerSecond !== paceBefore && this.status === 'running' && this.untilEpoch === undefined) {
          // A new pace starts now (a slower one must not wait out the old one's next step).
          this.stopLoop();
          this.anchorPace();
          this.schedule();
          this.sendSnapshot(false);
        }
        // Someone started looking: give them the arrays now rather than at the next step.
        if ((message.settings.includeLayers || message.settings.pictures) && this.status !== 'running') this.sendSnapshot(true);
        break;
      }
      case 'ack':
        this.awaitingAck = false;
        break;
      case 'hyper':
        this.retune(message.changes);
        break;
      case 'extendEpochs':
        // Plan `epochs` more from where training is (early stopping's reason, if any, still holds).
        if (this.status !== 'diverged' && Number.isInteger(message.epochs) && message.epochs > 0) {
          this.trainer.epochs = Math.max(this.trainer.epochs, this.trainer.epoch) + message.epochs;
          if (this.status === 'done' && !this.trainer.done) this.status = 'paused';
        }
        this.sendSnapshot(true);
        break;
      case 'request':
        this.answer(message.id, message.request);
        break;
    }
  }

  /**
   * Live edits: the trainer takes them before its next step; each change becomes a mark
   * ("η 0.5 → 0.1 at step 1,235") in a snapshot sent at once. Edits the trainer cannot take
   * (they need a restart) come back as a notice, and nothing changes.
   */
  private retune(changes: LiveHyper): void {
    const before = hyperOf(this.trainer);
    try {
      this.trainer.retune(changes);
    } catch (error) {
      this.post({ type: 'notice', message: error instanceof Error ? error.message : String(error) }, []);
      return;
    }
    const after = hyperOf(this.trainer);
    // More epochs after the end: the run can go on (Train resumes); fewer: it ends at the next slice.
    if (this.status === 'done' && !this.trainer.done) this.status = 'paused';
    const step = this.trainer.step + 1;
    for (const name of Object.keys(changes) as (keyof LiveHyper)[]) {
      const from = before[name];
      const to = after[name];
      if (from === undefined || to === undefined || from === to) continue;
      this.pendingMarks.push({ step, name, from, to, text: `${HYPER_SYMBOL[name]} ${showHyper(from)} → ${showHyper(to)} at step ${formatCount(step)}` });
    }
    if (this.trainer.done && (this.status === 'paused' || this.status === 'ready')) {
      this.finish(); // fewer epochs than already trained: the run is over (the marks go with it)
      return;
    }
    // The marks (and the new plan: epochs, steps per epoch) go out now; a running loop goes on.
    this.sendSnapshot(this.status !== 'running');
  }

  /** Stops the loop for good (the worker is being terminated). */
  dispose(): void {
    this.stopLoop();
  }

  private run(): void {
    if (this.status === 'running' && this.untilEpoch === undefined) return;
    this.untilEpoch = undefined;
    if (this.trainer.done || this.status === 'diverged') {
      this.sendSnapshot(true);
      return;
    }
    this.stopLoop();
    this.status = 'running';
    this.anchorPace();
    this.sendSnapshot(false);
    this.schedule();
  }

  /** Steps a second of a Train run (0: full speed). */
  private get stepsPerSecond(): number {
    const pace = this.settings.stepsPerSecond ?? 0;
    return Number.isFinite(pace) && pace > 0 ? pace : 0;
  }

  private anchorPace(): void {
    this.paceStart = this.now();
    this.paceStep = this.trainer.step;
  }

  private pause(): void {
    this.untilEpoch = undefined;
    if (this.status !== 'running') {
      this.sendSnapshot(true);
      return;
    }
    this.stopLoop();
    this.status = 'paused';
    // The acknowledgement: no step happens after this snapshot until the next run/step.
    this.sendSnapshot(true);
  }

  private schedule(): void {
    const pace = this.untilEpoch === undefined ? this.stepsPerSecond : 0;
    if (pace > 0) {
      const nextDue = this.paceStart + ((this.trainer.step - this.paceStep) * 1000) / pace;
      const wait = nextDue - this.now();
      if (wait > 0) {
        this.paceTimer = setTimeout(() => {
          this.paceTimer = undefined;
          this.slice();
        }, wait);
        return;
      }
    }
    this.timer = setImmediate(() => this.slice());
  }

  private stopLoop(): void {
    if (this.timer !== undefined) clearImmediate(this.timer);
    if (this.paceTimer !== undefined) clearTimeout(this.paceTimer);
    this.timer = undefined;
    this.paceTimer = undefined;
  }

  /** How many steps this slice may take: unlimited at full speed, else the steps now due. */
  private stepsDue(start: number): number {
    const pace = this.untilEpoch === undefined ? this.stepsPerSecond : 0;
    if (pace === 0) return Infinity;
    const taken = this.trainer.step - this.paceStep;
    const due = Math.floor(((start - this.paceStart) * pace) / 1000) + 1 - taken;
    if (due > pace) {
      // More than a second behind (the machine was busy): start the pace again from now
      // instead of catching up in one burst.
      this.anchorPace();
      return 1;
    }
    return Math.max(0, due);
  }

  private slice(): void {
    this.timer = undefined;
    if (this.status !== 'running') return;
    const start = this.now();
    const target = this.untilEpoch;
    if (this.trainer.done) {
      this.finish(); // a live edit of `epochs` ended the run
      return;
    }
    const due = this.stepsDue(start);
    let taken = 0;
    const ok = this.guarded(() => {
      while (taken < due) {
        this.recordStep(this.trainer.stepOnce());
        taken++;
        if (this.trainer.done || (target !== undefined && this.trainer.epoch >= target) || this.now() - start >= this.sliceMs) break;
      }
    });
    if (!ok) return;
    if (this.trainer.done) {
      this.finish();
      return;
    }
    if (target !== undefined && this.trainer.epoch >= target) {
      this.untilEpoch = undefined;
      this.afterManualWork();
      return;
    }
    const now = this.now();
    if (!this.awaitingAck && now - this.lastSnapshotAt >= 1000 / Math.max(0.1, this.settings.updateHz)) {
      // Progress at updateHz once the last one was taken up; the (large) layer arrays only as
      // often as the byte budget allows.
      this.sendSnapshot(this.settings.includeLayers && now - this.lastLayersAt >= this.layersIntervalMs);
    }
    this.schedule();
  }

  /** After a Step or Step Epoch: the status it leaves, one full snapshot. */
  private afterManualWork(): void {
    if (this.status === 'diverged' || this.status === 'error') return;
    if (this.trainer.done) {
      this.finish();
      return;
    }
    this.status = 'paused';
    this.sendSnapshot(true);
  }

  private recordStep(result: StepResult): void {
    this.options.insights?.afterStep(result);
    this.loadedEvaluation = undefined;
    this.lastLoss = result.loss;
    this.pendingLosses.pushOne(result.loss);
    this.samplesSince += result.batchSize;
    if (result.epochEnded) {
      const metrics: EpochMetrics = { epoch: result.epoch, train: this.trainer.evaluate('train') ?? emptyEvaluation() };
      const validation = this.trainer.evaluate('validation');
      if (validation) metrics.validation = validation;
      this.pendingEpochs.push(metrics);
      // Bounded like the losses: a host that stops acknowledging gets the latest epochs.
      this.pendingEpochs = thinEpochs(this.pendingEpochs, MAX_PENDING_EPOCHS);
      this.lastEpochMetrics = metrics;
    }
  }

  /** Runs training work; a DivergenceError or any other error ends the run and is reported. */
  private guarded(work: () => void): boolean {
    const started = this.now();
    try {
      work();
      return true;
    } catch (error) {
      this.stopLoop();
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof Error && error.name === 'DivergenceError') {
        this.status = 'diverged';
        this.options.insights?.diverged(message);
        this.sendSnapshot(true);
        this.post({ type: 'finished', status: 'diverged', message }, []);
      } else {
        this.status = 'error';
        this.sendSnapshot(false);
        this.post({ type: 'fatal', message: `training failed: ${message}` }, []);
      }
      return false;
    } finally {
      this.busyMsSince += this.now() - started;
    }
  }

  private finish(): void {
    this.stopLoop();
    this.status = 'done';
    this.sendSnapshot(true);
    // Training ends with an epoch: its metrics are the final ones (no second pass over the data),
    // unless `stop restore=best` put the best epoch's weights back.
    const stopped = this.trainer.stopped;
    const last = this.lastEpochMetrics?.epoch === this.trainer.epoch - 1 && stopped?.restoredEpoch === undefined ? this.lastEpochMetrics : undefined;
    const final = last ? last.train : this.trainer.evaluate('train') ?? undefined;
    const validation = last ? last.validation : this.trainer.evaluate('validation') ?? undefined;
    this.post({ type: 'finished', status: 'done', final, validation, ...(stopped ? { message: stopped.message, stopRule: stopped.rule } : {}) }, []);
  }

  private sendSnapshot(includeLayers: boolean): void {
    const now = this.now();
    if (this.busyMsSince > 0) this.samplesPerSecond = (this.samplesSince * 1000) / this.busyMsSince;
    this.samplesSince = 0;
    this.busyMsSince = 0;
    this.lastSnapshotAt = now;
    this.awaitingAck = true;
    const transfer: ArrayBuffer[] = [];
    const { values: newStepLosses, stride } = this.pendingLosses.take();
    transfer.push(newStepLosses.buffer as ArrayBuffer);
    const snapshot: Snapshot = {
      status: this.status,
      epoch: this.trainer.epoch,
      step: this.trainer.step,
      stepInEpoch: this.trainer.stepInEpoch,
      rate: this.trainer.rate,
      loss: this.lastLoss,
      newStepLosses,
      newEpochs: this.pendingEpochs,
      ...(stride > 1 ? { newStepStride: stride } : {}),
      ...(this.pendingMarks.length > 0 ? { newMarks: this.pendingMarks } : {}),
      samplesPerSecond: this.samplesPerSecond,
      compute: this.trainer.compute,
      epochs: this.trainer.epochs,
      stepsPerEpoch: this.trainer.stepsPerEpoch,
      stepsPerSecond: this.stepsPerSecond,
      ...(this.loadedEvaluation ? { loadedEvaluation: this.loadedEvaluation } : {}),
    };
    this.pendingEpochs = [];
    this.pendingMarks = [];
    if (includeLayers) {
      this.lastLayersAt = now;
      snapshot.layers = this.trainer.layers.map((layer) => copyLayer(layer, transfer));
      snapshot.optimizer = this.trainer.optimizerStateSummary();
      if (this.trainer.step > 0) snapshot.trace = this.traceSnapshot(transfer);
      const boundary = this.boundary();
      if (boundary) {
        snapshot.boundary = boundary;
        transfer.push(boundary.values.buffer as ArrayBuffer);
      }
    }
    this.options.insights?.attach(snapshot, includeLayers, this.settings.includeLayers, transfer, this.settings.pictures === true);
    this.post({ type: 'snapshot', snapshot }, transfer);
  }

  private traceSnapshot(transfer: ArrayBuffer[]): TraceSnapshot | undefined {
    try {
      const trace = this.trainer.trace();
      const activations = trace.activations.map((a) => a.slice());
      const deltas = trace.deltas.map((d) => d.slice());
      const zs = trace.zs.map((z) => z.slice());
      for (const array of [...activations, ...deltas, ...zs]) transfer.push(array.buffer as ArrayBuffer);
      return { sampleIndex: trace.sampleIndex, activations, deltas, zs };
    } catch {
      return undefined;
    }
  }

  /**
   * For 2-input data: the network's output over a resolution² grid of the input plane, row 0 at
   * yMax. One output: that output; several: the index of the largest (the predicted class).
   */
  private boundary(): { resolution: number; values: Float32Array } | undefined {
    const plane = this.info.plane;
    if (!plane) return undefined; // only 2-input data has one (with features too: predict takes the raw point)
    const n = this.resolution;
    const values = new Float32Array(n * n);
    const input = new Float32Array(2);
    for (let row = 0; row < n; row++) {
      input[1] = plane.yMax - ((row + 0.5) / n) * (plane.yMax - plane.yMin);
      for (let col = 0; col < n; col++) {
        input[0] = plane.xMin + ((col + 0.5) / n) * (plane.xMax - plane.xMin);
        const output = this.trainer.predict(input);
        values[row * n + col] = output.length === 1 ? output[0] : argmax(output);
      }
    }
    return { resolution: n, values };
  }

  private answer(id: number, request: WorkerRequest): void {
    try {
      const response = this.respond(request);
      const transfer: ArrayBuffer[] = [];
      if (response.kind === 'fullGradient') {
        for (const array of [...response.dW, ...response.db]) transfer.push(array.buffer as ArrayBuffer);
      }
      this.post({ type: 'response', id, response }, transfer);
    } catch (error) {
      this.post({ type: 'responseError', id, message: error instanceof Error ? error.message : String(error) }, []);
    }
  }

  private respond(request: WorkerRequest): WorkerResponse {
    switch (request.kind) {
      case 'getWeights':
        return { kind: 'getWeights', weights: this.trainer.getWeights() };
      case 'checkpoint':
        return { kind: 'checkpoint', weights: this.trainer.getWeights(), training: this.trainer.getTrainingState() };
      case 'setWeights': {
        if (this.status === 'running') this.pause();
        this.trainer.setWeights(request.weights.format === 'nnspec-packed-weights' ? unpackWeights(request.weights) : request.weights);
        this.options.insights?.reset();
        // The readouts show the loaded weights (the last step's batch loss was of others).
        const train = this.trainer.evaluate('train');
        const validation = this.trainer.evaluate('validation') ?? undefined;
        this.loadedEvaluation = train ? { train, ...(validation ? { validation } : {}) } : undefined;
        this.sendSnapshot(true);
        return { kind: 'setWeights' };
      }
      case 'predict': {
        const width = this.info.features ? 2 : this.info.inputSize;
        if (request.input.length !== width) {
          throw new Error(`the network takes ${width} inputs${this.info.features ? ' (x1 x2: its features are made from them)' : ''}, got ${request.input.length}`);
        }
        const output = Array.from(this.trainer.predict(request.input));
        const response: WorkerResponse = { kind: 'predict', output };
        if (this.info.task === 'classification') {
          response.predictedClass = argmax(output);
          const name = this.options.classNames?.[response.predictedClass];
          if (name !== undefined) response.className = name;
        } else if (this.info.task === 'binary') {
          response.predictedClass = output[0] > 0.5 ? 1 : 0;
          const name = this.options.classNames?.[response.predictedClass];
          if (name !== undefined) response.className = name;
        }
        return response;
      }
      case 'checkGradients': {
        if (!this.options.checkGradients) throw new Error('gradient checking is not available in this build');
        return { kind: 'checkGradients', layers: this.options.checkGradients(this.trainer) };
      }
      case 'walk': {
        if (this.status === 'running') this.pause();
        return { kind: 'walk', walk: explainNextStep(this.trainer, request.sample) };
      }
      case 'fullGradient': {
        const gradient = this.trainer.fullGradient();
        return { kind: 'fullGradient', loss: gradient.loss, dW: gradient.dW.map((a) => a.slice()), db: gradient.db.map((a) => a.slice()) };
      }
    }
  }
}

export function copyLayer(layer: Trainer['layers'][number], transfer: ArrayBuffer[] = []): LayerSnapshot {
  const copy: LayerSnapshot = {
    weights: layer.weights.slice(),
    biases: layer.biases.slice(),
    gradWeights: layer.gradWeights.slice(),
    gradBiases: layer.gradBiases.slice(),
    lastDeltaWeights: layer.lastDeltaWeights.slice(),
    lastDeltaBiases: layer.lastDeltaBiases.slice(),
    epochDeltaWeights: layer.epochDeltaWeights.slice(),
    epochDeltaBiases: layer.epochDeltaBiases.slice(),
  };
  for (const array of Object.values(copy)) transfer.push(array.buffer as ArrayBuffer);
  return copy;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

function emptyEvaluation(): Evaluation {
  return { loss: NaN, count: 0 };
}

/** How a mark names each hyper-parameter (the spec's words, Greek where the maths has a letter). */
const HYPER_SYMBOL: Record<keyof LiveHyper, string> = { rate: 'η', decay: 'decay', momentum: 'μ', l2: 'λ₂', batch: 'batch', epochs: 'epochs' };

function showHyper(value: number | 'full'): string {
  return value === 'full' ? 'full' : formatNumber(value);
}

/** The trainer's hyper-parameters as live edits name them. */
function hyperOf(trainer: Trainer): Required<LiveHyper> {
  const o = trainer.spec.optimizer;
  return { rate: o.rate, decay: o.decay, momentum: o.kind === 'sgd' ? o.momentum : 0, l2: trainer.spec.l2, batch: trainer.spec.batch, epochs: trainer.epochs };
}
