/**
 * The training panel (webview). Receives ToPanel messages, keeps the loss history and the
 * latest snapshot, and draws at most once per animation frame whatever the message rate:
 * messages only store data and mark what changed; one requestAnimationFrame callback draws.
 */
import type { EpochMetrics } from '../src/core/engine/types';
import type { FromPanel, HeatmapMode, PanelAction, PanelState, SessionInfo, SessionStatus, Snapshot, ToPanel } from '../src/protocol';
import { BoundaryView } from './boundary';
import { unpack } from './colors';
import { epochNumber } from '../src/core/format';
import { formatCount, formatNumber, formatPercent } from './format';
import { heatmapLayout, renderHeatmap, symmetricLimit } from './heatmapRender';
import { Heatmaps, MODE_LABELS } from './heatmaps';
import { CHART_BUCKETS, LossChart, type XAxis, type YScale } from './lossChart';
import { LossHistory } from './lossHistory';
import { observeTheme, readPalette, type Palette } from './theme';
import { Tiles } from './tiles';
import { CellTooltip } from './tooltip';

const vscode = acquireVsCodeApi<PanelState>();
const post = (message: FromPanel): void => vscode.postMessage(message);

// ---------------------------------------------------------------------------
// State

const saved = vscode.getState();
const view: PanelState = {
  specPath: saved?.specPath ?? '',
  focusedLayer: saved?.focusedLayer,
  mode: saved?.mode ?? 'lastDelta',
  scale: saved?.scale ?? 'linear',
  xAxis: saved?.xAxis ?? 'steps',
};
const saveState = (): void => {
  vscode.setState({ ...view });
};

let info: SessionInfo | undefined;
let status: SessionStatus = 'loading';
let statusMessage: string | undefined;
let latest: Snapshot | undefined;
/** The host's view of the session beyond the snapshots: pace, and whether it runs an older spec. */
let sessionView: Extract<ToPanel, { type: 'session' }> | undefined;
/** Flow control: the step of a snapshot received but not drawn yet (the host waits for 'drawn'). */
let undrawnStep: number | undefined;
let palette: Palette = readPalette();
const history = new LossHistory();
const stats = { messages: 0, snapshots: 0, frames: 0, chartUpdates: 0 };

// ---------------------------------------------------------------------------
// DOM

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
};

const app = document.getElementById('app') ?? document.body.appendChild(el('main'));
app.replaceChildren();
app.removeAttribute('aria-busy');

const top = el('header', 'top');
const titleRow = el('div', 'title-row');
const nameEl = el('h1', 'name', 'NNSpec');
const badge = el('span', 'badge', 'loading');
const summary = el('span', 'summary muted');
const controls = el('div', 'controls');
controls.setAttribute('role', 'toolbar');
controls.setAttribute('aria-label', 'Training controls');

function button(label: string, title: string, action: () => void, kind: 'primary' | 'secondary' = 'secondary'): HTMLButtonElement {
  const b = el('button', `btn ${kind}`, label);
  b.type = 'button';
  b.title = title;
  b.addEventListener('click', action);
  return b;
}

const control = (action: PanelAction): void => post({ type: 'control', action });
const trainButton = button('Train', 'Train continuously (pause any time)', () => control(status === 'running' ? 'pause' : 'train'), 'primary');
const stepButton = button('Step', 'Train one mini-batch', () => control('step'));
const epochButton = button('Step epoch', 'Train until the current epoch ends', () => control('stepEpoch'));
const resetButton = button('Reset', 'Back to the seeded initial weights, epoch 0', () => control('reset'));
controls.append(trainButton, stepButton, epochButton, resetButton);
titleRow.append(nameEl, badge, summary, controls);

const progress = el('div', 'progress');
progress.setAttribute('role', 'progressbar');
progress.setAttribute('aria-label', 'Training progress');
progress.setAttribute('aria-valuemin', '0');
progress.setAttribute('aria-valuemax', '100');
const progressBar = el('div', 'progress-bar');
progress.append(progressBar);

const metrics = el('dl', 'metrics');
function metric(label: string, title: string, math = false): HTMLElement {
  const box = el('div', 'metric');
  const dt = el('dt', math ? 'math' : undefined, label);
  dt.title = title;
  const dd = el('dd', undefined, '—');
  box.append(dt, dd);
  metrics.append(box);
  return dd;
}
const mEpoch = metric('Epoch', 'Current epoch / epochs');
const mStep = metric('Step', 'Mini-batch steps taken');
const mRate = metric('\u03b7', 'Learning rate for the next step, after decay', true);
const mLoss = metric('Loss', 'Batch loss of the last step');
const mAccuracy = metric('Accuracy', 'After the last complete epoch (training / validation)');
const mSpeed = metric('Samples/s', 'Training throughput');
const banner = el('div', 'banner');
banner.setAttribute('role', 'alert');
banner.hidden = true;
top.append(titleRow, progress, metrics, banner);

function segmented<T extends string>(label: string, options: { value: T; text: string; title?: string }[], current: () => T, choose: (v: T) => void): { root: HTMLElement; sync: () => void } {
  const root = el('div', 'segmented');
  root.setAttribute('role', 'radiogroup');
  root.setAttribute('aria-label', label);
  const buttons = options.map((o) => {
    const b = el('button', 'seg', o.text);
    b.type = 'button';
    b.setAttribute('role', 'radio');
    b.dataset.value = o.value;
    if (o.title) b.title = o.title;
    b.addEventListener('click', () => choose(o.value));
    b.addEventListener('keydown', (e) => {
      const i = options.findIndex((x) => x.value === o.value);
      const next = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? i + 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? i - 1 : NaN;
      if (Number.isNaN(next)) return;
      e.preventDefault();
      const j = (next + options.length) % options.length;
      choose(options[j].value);
      buttons[j].focus();
    });
    return b;
  });
  root.append(...buttons);
  const sync = (): void => {
    for (const b of buttons) {
      const on = b.dataset.value === current();
      b.setAttribute('aria-checked', String(on));
      b.tabIndex = on ? 0 : -1;
    }
  };
  sync();
  return { root, sync };
}

// Loss chart card
const chartCard = el('section', 'card chart-card');
const chartHeader = el('header');
const scaleSeg = segmented<YScale>('Loss axis scale', [{ value: 'linear', text: 'Linear' }, { value: 'log', text: 'Log' }], () => view.scale ?? 'linear', (v) => {
  view.scale = v;
  chart.setScale(v);
  scaleSeg.sync();
  saveState();
  schedule('chart');
});
const axisSeg = segmented<XAxis>('Horizontal axis', [{ value: 'steps', text: 'Steps' }, { value: 'epochs', text: 'Epochs' }], () => view.xAxis ?? 'steps', (v) => {
  view.xAxis = v;
  chart.setAxis(v);
  axisSeg.sync();
  saveState();
  schedule('chart');
});
const chartTools = el('div', 'tools');
chartTools.append(scaleSeg.root, axisSeg.root);
chartHeader.append(el('h2', undefined, 'Loss'), chartTools);
const chartBox = el('div', 'chart-box');
const chartCanvas = el('canvas');
chartCanvas.setAttribute('role', 'img');
chartCanvas.setAttribute('aria-label', 'Loss per step and per epoch');
chartBox.append(chartCanvas);
chartCard.append(chartHeader, chartBox);

const overview = el('div', 'overview');
const side = el('div', 'side');
overview.append(chartCard, side);

// Heatmaps
const weightsSection = el('section', 'weights');
const weightsHeader = el('header', 'section-header');
const modeNote = el('span', 'muted');
const modeSeg = segmented<HeatmapMode>(
  'Heatmap shows',
  (['lastDelta', 'epochDelta', 'gradient', 'weights'] as HeatmapMode[]).map((m) => ({ value: m, text: MODE_LABELS[m].short, title: MODE_LABELS[m].long })),
  () => view.mode ?? 'lastDelta',
  (m) => setMode(m),
);
weightsHeader.append(el('h2', undefined, 'Weights'), modeSeg.root, modeNote);
const tilesContainer = el('div', 'tiles-container');
const layersContainer = el('div', 'layers');
weightsSection.append(weightsHeader, tilesContainer, layersContainer);

const tooltipEl = el('div', 'tooltip');
const live = el('div', 'sr-only');
live.setAttribute('aria-live', 'polite');
live.id = 'live';
tooltipEl.id = 'cell-tooltip';
app.append(top, overview, weightsSection);
document.body.append(tooltipEl, live);

const tooltip = new CellTooltip(tooltipEl);
const heatmaps = new Heatmaps(layersContainer, {
  tooltip,
  announce: (text) => {
    live.textContent = text;
  },
  onLayerFocus: (layer) => {
    if (view.focusedLayer !== layer) {
      view.focusedLayer = layer;
      saveState();
    }
  },
});
heatmaps.mode = view.mode ?? 'lastDelta';
let tiles: Tiles | undefined;
let boundary: BoundaryView | undefined;

const chart = new LossChart(chartCanvas, palette);
chart.setScale(view.scale ?? 'linear');
chart.setAxis(view.xAxis ?? 'steps');

function setMode(mode: HeatmapMode): void {
  view.mode = mode;
  heatmaps.mode = mode;
  modeSeg.sync();
  modeNote.textContent = MODE_LABELS[mode].long;
  saveState();
  schedule('heatmaps');
}
modeNote.textContent = MODE_LABELS[view.mode ?? 'lastDelta'].long;

// ---------------------------------------------------------------------------
// Drawing, at most once a frame

const dirty = { header: false, chart: false, heatmaps: false, boundary: false };
let frameRequested = false;
let pendingReveal: number | undefined;

function schedule(...parts: (keyof typeof dirty)[]): void {
  for (const p of parts) dirty[p] = true;
  if (!frameRequested) {
    frameRequested = true;
    requestAnimationFrame(frame);
  }
}

function frame(): void {
  frameRequested = false;
  stats.frames++;
  if (dirty.header) drawHeader();
  if (dirty.chart) {
    chart.update(history);
    stats.chartUpdates++;
  }
  if (dirty.heatmaps && info) {
    heatmaps.draw(palette);
    tiles?.draw(view.mode ?? 'lastDelta', palette);
  }
  if (dirty.boundary) boundary?.draw(palette);
  dirty.header = dirty.chart = dirty.heatmaps = dirty.boundary = false;
  if (undrawnStep !== undefined) {
    post({ type: 'drawn', step: undrawnStep });
    undrawnStep = undefined;
  }
  if (pendingReveal !== undefined) {
    heatmaps.reveal(pendingReveal);
    pendingReveal = undefined;
  }
}

function lastEpoch(): EpochMetrics | undefined {
  return history.epochs[history.epochs.length - 1];
}

function drawHeader(): void {
  const s = latest;
  badge.textContent = status;
  badge.dataset.status = status;
  const epochs = info?.epochs ?? 0;
  // Counted from 1, as every other readout (src/core/format.ts's epochNumber).
  mEpoch.textContent = info ? `${formatCount(epochNumber(s?.epoch ?? 0, s?.stepInEpoch ?? 0, epochs))} / ${formatCount(epochs)}` : '—';
  mStep.textContent = s ? formatCount(s.step) : info ? '0' : '—';
  mRate.textContent = s ? formatNumber(s.rate) : '—';
  mLoss.textContent = s?.loss !== null && s?.loss !== undefined ? formatNumber(s.loss) : '—';
  const e = lastEpoch();
  if (info?.task === 'regression') mAccuracy.textContent = 'n/a';
  else if (e?.train.accuracy !== undefined) {
    mAccuracy.textContent = formatPercent(e.train.accuracy) + (e.validation?.accuracy !== undefined ? ` / ${formatPercent(e.validation.accuracy)}` : '');
  } else mAccuracy.textContent = '—';
  mSpeed.textContent = s && s.samplesPerSecond > 0 ? formatCount(s.samplesPerSecond) : '—';
  const planned = info ? info.epochs * info.stepsPerEpoch : 0;
  const fraction = planned > 0 && s ? Math.min(1, s.step / planned) : 0;
  progressBar.style.width = `${(fraction * 100).toFixed(2)}%`;
  progress.setAttribute('aria-valuenow', (fraction * 100).toFixed(0));
  progress.classList.toggle('active', status === 'running');

  const running = status === 'running';
  const canTrain = status === 'ready' || status === 'paused';
  trainButton.textContent = running ? 'Pause' : status === 'paused' ? 'Resume' : 'Train';
  trainButton.setAttribute('aria-pressed', String(running));
  trainButton.disabled = !(running || canTrain);
  stepButton.disabled = !canTrain;
  epochButton.disabled = !canTrain;
  resetButton.disabled = status === 'loading' || status === 'stopped' || !info;

  if (statusMessage && (status === 'diverged' || status === 'error')) {
    banner.textContent = statusMessage;
    banner.className = 'banner error';
    banner.hidden = false;
  } else if (status === 'diverged') {
    banner.textContent = 'Training diverged: the loss is no longer finite. Try a smaller rate, then Reset.';
    banner.className = 'banner error';
    banner.hidden = false;
  } else if (statusMessage && status === 'stopped') {
    banner.textContent = statusMessage;
    banner.className = 'banner info';
    banner.hidden = false;
  } else if (sessionView?.stale && status !== 'stopped') {
    banner.textContent = 'The spec changed in a way this session cannot take while it runs: it still trains the older spec. Run "NNSpec: Restart Training Session" to use the new one.';
    banner.className = 'banner info';
    banner.hidden = false;
  } else banner.hidden = true;
}

// ---------------------------------------------------------------------------
// Messages

function describe(i: SessionInfo): string {
  const layers = i.layers.map((l) => `${l.units} ${l.activation}`).join(' \u2192 ');
  const input = i.imageShape ? `${i.imageShape[0]}\u00d7${i.imageShape[1]}` : `${i.inputSize}`;
  return `${input} \u2192 ${layers} \u00b7 ${i.loss} \u00b7 ${i.dataName} (${formatCount(i.trainCount)} train${i.validationCount ? `, ${formatCount(i.validationCount)} validation` : ''}) \u00b7 batch ${i.batchSize} \u00b7 ${formatCount(i.parameterCount)} parameters`;
}

function init(message: Extract<ToPanel, { type: 'init' }>): void {
  info = message.info;
  status = message.status;
  statusMessage = message.message;
  latest = message.latest;
  view.specPath = info.specPath;
  saveState();
  nameEl.textContent = info.name;
  summary.textContent = describe(info);
  summary.title = info.specPath;
  document.title = `NNSpec: ${info.name}`;

  history.reset(info.epochs * info.stepsPerEpoch);
  const stride = message.history.stepStride ?? 1;
  if (stride === 1) history.addSteps(message.history.stepLosses, message.history.stepLosses.length);
  // A long run's history comes thinned (each value stands for `stride` steps): place each at its last step.
  else message.history.stepLosses.forEach((loss, i) => history.addSteps([loss], (i + 1) * stride));
  history.addEpochs(message.history.epochs);
  if (latest) {
    addStepLosses(latest);
    history.addEpochs(latest.newEpochs);
  }
  chart.configure(info.stepsPerEpoch, info.task !== 'regression');

  heatmaps.build(info);
  heatmaps.setData(latest?.layers, latest?.trace);
  tilesContainer.replaceChildren();
  tiles = undefined;
  const shape = info.imageShape;
  if (shape && info.layers.length > 0 && info.layers[0].inputs === shape[0] * shape[1]) {
    tiles = new Tiles(tilesContainer, info, shape, tooltip);
    tiles.setData(latest?.layers?.[0], latest?.trace);
  }
  side.replaceChildren();
  boundary = undefined;
  if (info.plane) {
    boundary = new BoundaryView(side, info.plane, info.layers[info.layers.length - 1]?.units ?? 1);
    boundary.setData(latest?.boundary);
  }
  overview.classList.toggle('with-side', boundary !== undefined);
  if (view.focusedLayer !== undefined && pendingReveal === undefined && heatmaps.card(view.focusedLayer) === undefined) view.focusedLayer = undefined;
  schedule('header', 'chart', 'heatmaps', 'boundary');
}

/** A snapshot's step losses; with a stride > 1 each value stands for that many steps, placed at the last of them. */
function addStepLosses(s: Snapshot): void {
  const stride = s.newStepStride ?? 1;
  const n = s.newStepLosses.length;
  if (stride === 1) history.addSteps(s.newStepLosses, s.step);
  else s.newStepLosses.forEach((loss, i) => history.addSteps([loss], s.step - (n - 1 - i) * stride));
}

function snapshot(s: Snapshot): void {
  stats.snapshots++;
  latest = s;
  undrawnStep = s.step;
  status = s.status;
  if (status !== 'diverged' && status !== 'error') statusMessage = undefined;
  addStepLosses(s);
  history.addEpochs(s.newEpochs);
  heatmaps.setData(s.layers, s.trace);
  tiles?.setData(s.layers?.[0], s.trace);
  boundary?.setData(s.boundary);
  schedule('header', 'chart');
  if (s.layers || s.trace) schedule('heatmaps');
  if (s.boundary) schedule('boundary');
}

window.addEventListener('message', (event: MessageEvent<ToPanel>) => {
  const message = event.data;
  if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
  stats.messages++;
  switch (message.type) {
    case 'init':
      init(message);
      break;
    case 'snapshot':
      snapshot(message.snapshot);
      break;
    case 'status':
      status = message.status;
      statusMessage = message.message;
      if (latest) latest = { ...latest, status: message.status };
      schedule('header');
      break;
    case 'focusLayer':
      setMode(message.mode);
      view.focusedLayer = message.layer;
      saveState();
      pendingReveal = message.layer;
      schedule('heatmaps');
      break;
    case 'loadFailed':
      status = 'error';
      statusMessage = message.message;
      schedule('header');
      break;
    case 'session':
      sessionView = message;
      schedule('header');
      break;
  }
});

// ---------------------------------------------------------------------------
// Theme and size

observeTheme(() => {
  palette = readPalette();
  chart.applyPalette(palette);
  schedule('chart', 'heatmaps', 'boundary');
});

let lastWidth = 0;
new ResizeObserver(() => {
  const w = layersContainer.clientWidth;
  if (w !== lastWidth) {
    lastWidth = w;
    schedule('heatmaps', 'boundary');
  }
}).observe(layersContainer);

// ---------------------------------------------------------------------------
// Read-only hook for the tests and the benchmark.

/**
 * Times the heatmap redraw of a units × inputs layer (fill the pixels from the values through the
 * colour scale, then putImageData), `repeats` times, on a canvas off the page.
 */
function measureHeatmapRedraw(units = 128, inputs = 784, repeats = 50): { units: number; inputs: number; repeats: number; meanMs: number; minMs: number; maxMs: number } {
  const values = new Float32Array(units * inputs);
  const biases = new Float32Array(units);
  let seed = 1;
  const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  for (let i = 0; i < values.length; i++) values[i] = rand() * 0.1;
  for (let i = 0; i < units; i++) biases[i] = rand() * 0.1;
  const layout = heatmapLayout(units, inputs, true, 1200);
  const canvas = document.createElement('canvas');
  canvas.width = layout.width;
  canvas.height = layout.height;
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  const image = new ImageData(layout.width, layout.height);
  const pixels = new Uint32Array(image.data.buffer);
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    values[r % values.length] += 1e-3; // new data each time
    const t0 = performance.now();
    const limit = symmetricLimit(values, biases);
    renderHeatmap(pixels, layout, values, biases, limit, palette.scale.lut, palette.backgroundPixel);
    ctx.putImageData(image, 0, 0);
    times.push(performance.now() - t0);
  }
  return { units, inputs, repeats, meanMs: times.reduce((a, b) => a + b, 0) / repeats, minMs: Math.min(...times), maxMs: Math.max(...times) };
}

const hook = {
  get state(): PanelState {
    return { ...view };
  },
  get status(): SessionStatus {
    return status;
  },
  stats: (): typeof stats & { heatmapDraws: number; lastHeatmapMs: number } => ({ ...stats, heatmapDraws: heatmaps.draws, lastHeatmapMs: heatmaps.lastDrawMs }),
  chartSeries: () => chart.series(),
  chartBuckets: CHART_BUCKETS,
  stepCount: () => history.length,
  cellPixel: (layer: number, j: number, k: number) => heatmaps.cellPixel(layer, j, k),
  limit: (layer: number) => heatmaps.limitOf(layer),
  scaleColors: () => ({ negative: unpack(palette.scale.lut[0]), neutral: unpack(palette.scale.lut[(palette.scale.lut.length - 1) / 2]), positive: unpack(palette.scale.lut[palette.scale.lut.length - 1]) }),
  themeKind: () => palette.kind,
  measureHeatmapRedraw,
};
Object.defineProperty(window, '__nnspec', { value: Object.freeze(hook), writable: false, configurable: false });

setMode(view.mode ?? 'lastDelta');
schedule('header');
post({ type: 'ready' });
