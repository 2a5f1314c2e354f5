/**
 * The panel's header: the spec's name and status badge, the one-line summary of the network,
 * the training controls (Train/Pause/Resume, Step, Step epoch, Reset), the progress bar, the
 * metrics row and the banner for errors and messages. Drawn from the session's latest state.
 */
import type { EpochMetrics } from '../src/core/engine/types';
import { PACE_STEPS_PER_SECOND, type Pace, type PanelAction, type SessionInfo, type SessionStatus, type Snapshot } from '../src/protocol';
import { describePace } from '../src/extension/pace';
import { button, el } from './dom';
import { epochNumber } from '../src/core/format';
import { describeCompute } from '../src/core/engine/compute';
import { LOADED_WEIGHTS, readout } from '../src/core/readout';
import { formatCount, formatNumber, formatPercent } from './format';

/** What the header shows: the session as the panel last heard of it. */
export interface HeaderState {
  info: SessionInfo | undefined;
  status: SessionStatus;
  statusMessage: string | undefined;
  latest: Snapshot | undefined;
  lastEpoch: EpochMetrics | undefined;
  /** The spec changed in a way that needs a restart: the session still trains the older spec. */
  stale?: boolean;
  /** The pace as chosen, and as resolved (steps a second, 0 = full speed), from the host's 'session' message. */
  pace?: Pace;
  stepsPerSecond?: number;
}

/** The speed control's choices: the rule, the watchable paces, full speed. */
const PACES: readonly Pace[] = ['auto', ...PACE_STEPS_PER_SECOND, 'full'];

export class Header {
  readonly root = el('header', 'top');
  private readonly nameEl = el('h1', 'name', 'NNSpec');
  private readonly badge = el('span', 'badge', 'loading');
  private readonly summary = el('span', 'summary muted');
  private readonly trainButton: HTMLButtonElement;
  private readonly stepButton: HTMLButtonElement;
  private readonly epochButton: HTMLButtonElement;
  private readonly resetButton: HTMLButtonElement;
  private readonly progress = el('div', 'progress');
  private readonly progressBar = el('div', 'progress-bar');
  private readonly metrics = el('dl', 'metrics');
  private readonly mEpoch: HTMLElement;
  private readonly mStep: HTMLElement;
  private readonly mRate: HTMLElement;
  private readonly mLoss: HTMLElement;
  private readonly mAccuracy: HTMLElement;
  private readonly mSpeed: HTMLElement;
  private readonly banner = el('div', 'banner');
  private readonly speed = el('select', 'speed');
  private status: SessionStatus = 'loading';

  constructor(control: (action: PanelAction) => void, choosePace: (pace: Pace) => void) {
    const titleRow = el('div', 'title-row');
    const controls = el('div', 'controls');
    controls.setAttribute('role', 'toolbar');
    controls.setAttribute('aria-label', 'Training controls');
    // Once DONE, Train continues: as many epochs again as the spec plans (Reset starts over).
    this.trainButton = button('Train', 'Train continuously (pause any time)', () => control(this.status === 'running' ? 'pause' : this.status === 'done' ? 'continue' : 'train'), 'primary');
    this.stepButton = button('Step', 'Train one mini-batch', () => control('step'));
    this.epochButton = button('Step epoch', 'Train until the current epoch ends', () => control('stepEpoch'));
    this.resetButton = button('Reset', 'Back to the seeded initial weights, epoch 0', () => control('reset'));
    // The pace of a Train run: a person can watch 1–1,000 steps a second; full speed for big runs.
    const speedLabel = el('label', 'speed-label');
    speedLabel.title = 'Steps a second of a Train run (the nnspec.pace setting until you choose here)';
    this.speed.setAttribute('aria-label', 'Training speed');
    for (const pace of PACES) {
      // 'auto' says the pace it gives once the host has told it (a 'session' message).
      const option = el('option', undefined, pace === 'auto' ? 'auto' : describePace(pace, typeof pace === 'number' ? pace : 0));
      option.value = String(pace);
      this.speed.append(option);
    }
    this.speed.value = 'auto';
    this.speed.addEventListener('change', () => {
      const v = this.speed.value;
      choosePace(v === 'auto' || v === 'full' ? v : Number(v));
    });
    speedLabel.append(el('span', 'muted', 'Speed'), this.speed);
    controls.append(this.trainButton, this.stepButton, this.epochButton, this.resetButton, speedLabel);
    titleRow.append(this.nameEl, this.badge, this.summary, controls);

    this.progress.setAttribute('role', 'progressbar');
    this.progress.setAttribute('aria-label', 'Training progress');
    this.progress.setAttribute('aria-valuemin', '0');
    this.progress.setAttribute('aria-valuemax', '100');
    this.progress.append(this.progressBar);

    this.mEpoch = this.metric('Epoch', 'Current epoch / epochs');
    this.mStep = this.metric('Step', 'Mini-batch steps taken');
    this.mRate = this.metric('\u03b7', 'Learning rate for the next step, after decay', true);
    this.mLoss = this.metric('Loss', 'Batch loss of the last step');
    this.mAccuracy = this.metric('Accuracy', 'After the last complete epoch, on the training set and on the validation set');
    this.mSpeed = this.metric('Samples/s', 'Training throughput');
    this.banner.setAttribute('role', 'alert');
    this.banner.hidden = true;
    this.root.append(titleRow, this.progress, this.metrics, this.banner);
  }

  private metric(label: string, title: string, math = false): HTMLElement {
    const box = el('div', 'metric');
    const dt = el('dt', math ? 'math' : undefined, label);
    dt.title = title;
    const dd = el('dd', undefined, '—');
    box.append(dt, dd);
    this.metrics.append(box);
    return dd;
  }

  /** A new session: its name, the network's summary and the page title. */
  describe(info: SessionInfo): void {
    this.nameEl.textContent = info.name;
    this.summary.textContent = describe(info);
    this.summary.title = info.specPath;
    document.title = `NNSpec: ${info.name}`;
  }

  draw(h: HeaderState): void {
    const { info, status, statusMessage, latest: s } = h;
    this.status = status;
    this.badge.textContent = status;
    this.badge.dataset.status = status;
    // The numbers every readout shows (src/core/readout.ts): live edits of `epochs` and `batch`
    // change the plan; after Load Weights or a restore, the loaded weights' loss.
    const r = readout(info, s);
    const epochs = r.epochs;
    const stepsPerEpoch = r.stepsPerEpoch;
    // Counted from 1, as every other readout (src/core/format.ts's epochNumber).
    this.mEpoch.textContent = info ? `${formatCount(epochNumber(s?.epoch ?? 0, s?.stepInEpoch ?? 0, epochs))} / ${formatCount(epochs)}` : '—';
    this.mStep.textContent = s ? formatCount(s.step) : info ? '0' : '—';
    this.mRate.textContent = s ? formatNumber(s.rate) : '—';
    // After Load Weights (until the next step) the loaded weights' cost and accuracy, not the last step's.
    const loaded = s?.loadedEvaluation;
    if (r.lossOf === 'loaded') this.mLoss.replaceChildren(el('span', 'value', formatNumber(r.loss as number)), el('span', 'unit', ` ${LOADED_WEIGHTS}`));
    else this.mLoss.textContent = r.loss !== null ? formatNumber(r.loss) : '—';
    const e = loaded ? { epoch: -1, ...loaded } : h.lastEpoch;
    if (info?.task === 'regression') this.mAccuracy.textContent = 'n/a';
    else if (e?.train.accuracy !== undefined) {
      // "98.0% train · 94.1% validation": which is which, on the readout itself.
      const part = (value: number, what: string): HTMLElement[] => [el('span', 'value', formatPercent(value)), el('span', 'unit', ` ${what}`)];
      this.mAccuracy.replaceChildren(
        ...part(e.train.accuracy, 'train'),
        ...(e.validation?.accuracy !== undefined ? [el('span', 'unit', ' \u00b7 '), ...part(e.validation.accuracy, 'validation')] : []),
      );
    } else this.mAccuracy.textContent = '—';
    // Samples/s, "· 2 threads" beside it when the training threads split the work; which kernels
    // and threads, in words, on hover (nnspec.threads's effect, visible where the speed is).
    const speed = s && s.samplesPerSecond > 0 ? formatCount(s.samplesPerSecond) : '—';
    const threads = s?.compute?.threads ?? 1;
    if (speed !== '—' && threads > 1) this.mSpeed.replaceChildren(el('span', 'value', speed), el('span', 'unit', ` \u00b7 ${threads} threads`));
    else this.mSpeed.textContent = speed;
    this.mSpeed.title = s?.compute ? `Computed with ${describeCompute(s.compute)}` : '';
    const planned = info ? epochs * stepsPerEpoch : 0;
    const fraction = planned > 0 && s ? Math.min(1, s.step / planned) : 0;
    this.progressBar.style.width = `${(fraction * 100).toFixed(2)}%`;
    this.progress.setAttribute('aria-valuenow', (fraction * 100).toFixed(0));
    this.progress.classList.toggle('active', status === 'running');

    const running = status === 'running';
    const canTrain = status === 'ready' || status === 'paused';
    const done = status === 'done';
    const more = info?.epochs ?? 0;
    this.trainButton.textContent = running ? 'Pause' : status === 'paused' ? 'Resume' : done ? `Train ${formatCount(more)} more ${more === 1 ? 'epoch' : 'epochs'}` : 'Train';
    this.trainButton.title = done ? `All ${formatCount(epochs)} epochs trained: go on for ${formatCount(more)} more, or Reset to start over` : 'Train continuously (pause any time)';
    this.trainButton.setAttribute('aria-pressed', String(running));
    this.trainButton.disabled = !(running || canTrain || (done && more > 0));
    // The speed control shows the pace in force: "auto (20 steps/s)".
    if (h.pace !== undefined) {
      const auto = this.speed.querySelector('option[value="auto"]');
      if (auto) auto.textContent = describePace('auto', h.stepsPerSecond ?? 0);
      if (document.activeElement !== this.speed) this.speed.value = String(h.pace);
    }
    this.stepButton.disabled = !canTrain;
    this.epochButton.disabled = !canTrain;
    this.resetButton.disabled = status === 'loading' || status === 'stopped' || !info;

    const banner = this.banner;
    if (statusMessage && (status === 'diverged' || status === 'error')) {
      banner.textContent = statusMessage;
      banner.className = 'banner error';
      banner.hidden = false;
    } else if (status === 'diverged') {
      banner.textContent = 'Training diverged: the loss is no longer finite. Try a smaller rate, then Reset.';
      banner.className = 'banner error';
      banner.hidden = false;
    } else if (statusMessage && (status === 'stopped' || status === 'done' || status === 'ready')) {
      // stopped: why the session stopped; done: why `stop` ended the run early
      banner.textContent = statusMessage;
      banner.className = 'banner info';
      banner.hidden = false;
    } else if (h.stale && status !== 'stopped') {
      banner.textContent = 'The spec changed in a way this session cannot take while it runs (shape, data, init or seed): it still trains the older spec. Run "NNSpec: Restart Training Session" to use the new one.';
      banner.className = 'banner info';
      banner.hidden = false;
    } else banner.hidden = true;
  }
}

/** "784 → 30 sigmoid → 10 sigmoid · mse · digits (…) · batch 10 · 23,860 parameters". */
function describe(i: SessionInfo): string {
  const layers = i.layers.map((l) => `${l.units} ${l.activation}`).join(' \u2192 ');
  const input = i.imageShape ? `${i.imageShape[0]}\u00d7${i.imageShape[1]}` : `${i.inputSize}`;
  return `${input} \u2192 ${layers} \u00b7 ${i.loss} \u00b7 ${i.dataName} (${formatCount(i.trainCount)} train${i.validationCount ? `, ${formatCount(i.validationCount)} validation` : ''}) \u00b7 batch ${i.batchSize} \u00b7 ${formatCount(i.parameterCount)} parameters`;
}
