/**
 * What the worker adds to its snapshots beyond progress and layer arrays: the training-health
 * problems (core/engine/health.ts, the same analysis `nnspec train` runs), the live confusion
 * matrix and the histograms over time. Everything here is small and bounded:
 *   problems    only when the list changed;
 *   confusion   K² counts, at most every CONFUSION_MS (and no more than ~5% of the time: the pass
 *               over the part is timed), always in a snapshot that ends a burst of work;
 *   histograms  3 × HISTOGRAM_BINS numbers a layer, at most every HISTOGRAM_MS, only while the
 *               panel is visible (and in every snapshot that ends a burst of work);
 *   pictures    every neuron's picture (pictures.ts), in snapshots that carry the layers while the
 *               network view is on screen: a plane picture at that rate (a grid of ≤ 576 points
 *               through the network), a histogram one no more than ~5% of the time (timed).
 * SessionRunner calls afterStep / diverged / reset, and attach() as it builds a snapshot.
 */
import { HealthMonitor, healthPlaces } from '../core/engine/health';
import { layerHistograms } from '../core/engine/histograms';
import { partConfusion } from '../core/engine/metrics';
import type { StepResult, Trainer } from '../core/engine/types';
import type { ParseResult } from '../core/spec';
import type { SessionInfo, Snapshot } from '../protocol';
import { neuronPictures, pictureBuffers } from './pictures';

/** Least milliseconds between two confusion matrices in running snapshots. */
export const CONFUSION_MS = 500;
/** Least milliseconds between two sets of histograms in running snapshots. */
export const HISTOGRAM_MS = 200;

export class RunInsights {
  private readonly health: HealthMonitor;
  private sentVersion = 0;
  private confusionAt = -Infinity;
  private confusionCostMs = 0;
  private confusionStep = -1;
  private histogramsAt = -Infinity;
  private histogramsStep = -1;
  private picturesAt = -Infinity;
  private picturesCostMs = 0;

  constructor(
    private readonly trainer: Trainer,
    parse: ParseResult,
    private readonly classNames?: string[],
    private readonly now: () => number = () => performance.now(),
    /** What the pictures are drawn over (SessionInfo.plane); without it, no pictures. */
    private readonly info?: SessionInfo,
  ) {
    this.health = new HealthMonitor(trainer, healthPlaces(parse));
  }

  afterStep(result: StepResult): void {
    this.health.afterStep(result);
  }

  diverged(message: string): void {
    this.health.diverged(message);
  }

  /** New weights (Reset, Load Weights): a fresh analysis, the problems cleared. */
  reset(): void {
    this.health.reset();
    this.confusionStep = -1;
    this.histogramsStep = -1;
  }

  /**
   * Adds what is due to the snapshot being built: `full` for a snapshot that ends a burst of work
   * (it gets everything current), `looking` while the panel is visible, `pictures` while the
   * network view is on screen (then a snapshot with layers gets the neuron pictures).
   */
  attach(snapshot: Snapshot, full: boolean, looking: boolean, transfer: ArrayBuffer[], pictures = false): void {
    if (this.health.version !== this.sentVersion) {
      this.sentVersion = this.health.version;
      snapshot.problems = this.health.problems.map((p) => ({ ...p }));
    }
    const step = this.trainer.step;
    const now = this.now();
    if (step > 0 && step !== this.confusionStep && (full || now - this.confusionAt >= Math.max(CONFUSION_MS, 20 * this.confusionCostMs))) {
      const part = this.trainer.data.validation ? 'validation' : 'train';
      const started = this.now();
      const confusion = partConfusion(this.trainer, part);
      this.confusionCostMs = this.now() - started;
      this.confusionAt = now;
      this.confusionStep = step;
      if (confusion) {
        const counts = Float32Array.from(confusion.counts);
        snapshot.confusion = { part, step, classes: confusion.classes, counts };
        if (this.classNames) snapshot.confusion.names = this.classNames.slice(0, confusion.classes);
        transfer.push(counts.buffer as ArrayBuffer);
      }
    }
    if (step > 0 && step !== this.histogramsStep && (full || (looking && now - this.histogramsAt >= HISTOGRAM_MS))) {
      this.histogramsAt = now;
      this.histogramsStep = step;
      const layers = this.trainer.layers.map((layer) => layerHistograms(layer.weights, layer.gradWeights, layer.lastDeltaWeights));
      for (const h of layers) for (const part of [h.weights, h.gradients, h.ratios]) transfer.push(part.counts.buffer as ArrayBuffer);
      snapshot.histograms = { step, layers };
    }
    if (pictures && this.info && snapshot.layers && (full || this.info.plane || now - this.picturesAt >= 20 * this.picturesCostMs)) {
      const started = this.now();
      snapshot.pictures = neuronPictures(this.trainer, this.info);
      this.picturesCostMs = this.now() - started;
      this.picturesAt = now;
      transfer.push(...pictureBuffers(snapshot.pictures));
    }
  }
}
