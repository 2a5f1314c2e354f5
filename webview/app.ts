/**
 * The training panel (webview). Receives ToPanel messages, keeps the loss history and the
 * latest snapshot, and draws at most once per animation frame whatever the message rate:
 * messages only store data and mark what changed; one requestAnimationFrame callback draws.
 */
import type { FromPanel, HeatmapMode, PanelState, SessionInfo, SessionStatus, Snapshot, ToPanel, TraceSnapshot } from '../src/protocol';
import { BoundaryView } from './boundary';
import { el, segmented } from './dom';
import { Header } from './header';
import { INTERNALS_EVENT, type PanelInternals } from './internals';
import { HEATMAP_MODES, Heatmaps, MODE_LABELS } from './heatmaps';
import { CHART_BUCKETS, LossChart, type XAxis, type YScale } from './lossChart';
import { LossHistory } from './lossHistory';
import { observeTheme, readPalette, type Palette } from './theme';
import { Tiles } from './tiles';
import { ConfusionView } from './confusion';
import { HistogramsView } from './histograms';
import { NetworkCard } from './networkCard';
import { WalkView } from './walk';
import type { StepExplanation } from '../src/core/engine/explain';
import { CellTooltip } from './tooltip';

/** A frame that took at least this long (ms) is followed by as much idle time before the next snapshot is asked for. */
const IDLE_AFTER_MS = 16;
/** The longest such pause (ms). */
const MAX_IDLE_MS = 500;

export function startPanel(): PanelInternals {
  const vscode = acquireVsCodeApi<PanelState>();
  const post = (message: FromPanel): void => vscode.postMessage(message);

  // -------------------------------------------------------------------------
  // State

  const saved = vscode.getState();
  const view: PanelState = {
    specPath: saved?.specPath ?? '',
    focusedLayer: saved?.focusedLayer,
    mode: saved?.mode ?? 'lastDelta',
    tilesMode: saved?.tilesMode ?? 'weights',
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
  /** The status the header last painted. */
  let statusPainted: SessionStatus | undefined;
  let palette: Palette = readPalette();
  const history = new LossHistory();
  const stats = { messages: 0, snapshots: 0, frames: 0, chartUpdates: 0 };

  // -------------------------------------------------------------------------
  // Cards

  const app = document.getElementById('app') ?? document.body.appendChild(el('main'));
  app.replaceChildren();
  app.removeAttribute('aria-busy');

  const header = new Header(
    (action) => post({ type: 'control', action }),
    (pace) => post({ type: 'pace', pace }),
  );

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
    HEATMAP_MODES.map((m) => ({ value: m, text: MODE_LABELS[m].short, title: MODE_LABELS[m].long })),
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
  // Confusion matrix and histograms over time, below the weights (shown once a snapshot brings them)
  const confusion = new ConfusionView();
  const histograms = new HistogramsView(() => schedule('insights'));
  const insightsSection = el('div', 'insights');
  insightsSection.append(confusion.root, histograms.root);
  app.append(header.root, overview, weightsSection, insightsSection);
  document.body.append(tooltipEl, live);

  const tooltip = new CellTooltip(tooltipEl);
  const network = new NetworkCard(post, tooltip, (text) => (live.textContent = text), () => schedule('network'));
  let walkData: StepExplanation | undefined;
  const walk = new WalkView({
    finish: () => post({ type: 'control', action: 'step' }),
    chooseSample: (sample) => post({ type: 'walk', sample }),
    onStage: (focus) => {
      network.view.setWalk(focus && walkData ? walkTrace(walkData) : undefined, focus);
      // While walking, the network view sits right under the walk, where its highlight of the
      // stage's neurons and links is seen; it goes back to its place when the walk closes.
      if (focus && walk.root.nextElementSibling !== network.root) walk.root.after(network.root);
      else if (!focus && network.root.previousElementSibling === walk.root) networkHome.after(network.root);
      post({ type: 'walkFocus', layer: focus?.layer ? focus.layer : null });
      schedule('network');
    },
  });
  app.insertBefore(walk.root, overview);
  /** Where the network card lives when no walk is open (it moves under the walk while one is). */
  const networkHome = document.createComment('network card');
  app.append(networkHome, network.root);
  // The worker sends the neuron pictures only while the network view is on screen.
  let networkShown = false; // as the host starts
  new IntersectionObserver((entries) => {
    const shown = entries.some((e) => e.isIntersecting);
    if (shown !== networkShown) {
      networkShown = shown;
      post({ type: 'networkShown', shown });
    }
  }).observe(network.root);
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

  // -------------------------------------------------------------------------
  // Drawing, at most once a frame

  const dirty = { header: false, chart: false, heatmaps: false, boundary: false, insights: false, network: false };
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
    const started = performance.now();
    if (dirty.header) {
      header.draw({ info, status, statusMessage, latest, lastEpoch: history.epochs[history.epochs.length - 1], stale: sessionView?.stale, pace: sessionView?.pace, stepsPerSecond: sessionView?.stepsPerSecond });
      dirty.header = false;
      // A new status (Pause, Stop, the end) is painted in a frame of its own, before the chart
      // and the weights, which take longer to draw (the press shows within one frame).
      const statusChanged = status !== statusPainted;
      statusPainted = status;
      if (statusChanged && (dirty.chart || dirty.heatmaps || dirty.boundary || dirty.insights || dirty.network)) {
        frameRequested = true;
        requestAnimationFrame(frame);
        return;
      }
    }
    if (dirty.chart) {
      chart.update(history);
      stats.chartUpdates++;
    }
    if (dirty.heatmaps && info) {
      heatmaps.draw(palette);
      tiles?.draw(palette);
    }
    if (dirty.boundary) boundary?.draw(palette);
    if (dirty.insights) {
      confusion.draw(palette);
      histograms.draw(palette);
    }
    if (dirty.network && info) network.draw(palette);
    dirty.header = dirty.chart = dirty.heatmaps = dirty.boundary = dirty.insights = dirty.network = false;
    if (pendingReveal !== undefined) {
      heatmaps.reveal(pendingReveal);
      pendingReveal = undefined;
    }
    // Flow control: the host sends the next snapshot only once this one is on screen, and after
    // as long again as drawing it took: the panel shares the window's thread with VS Code, and on
    // a busy machine, drawing back to back would leave no time for clicks, Pause among them.
    if (undrawnStep !== undefined) {
      const step = undrawnStep;
      undrawnStep = undefined;
      const cost = performance.now() - started;
      if (cost < IDLE_AFTER_MS) post({ type: 'drawn', step });
      else setTimeout(() => post({ type: 'drawn', step }), Math.min(cost, MAX_IDLE_MS));
    }
  }

  // -------------------------------------------------------------------------
  // Messages

  function init(message: Extract<ToPanel, { type: 'init' }>): void {
    info = message.info;
    status = message.status;
    statusMessage = message.message;
    if (message.session) sessionView = { type: 'session', ...message.session };
    latest = message.latest;
    view.specPath = info.specPath;
    saveState();
    header.describe(info);

    history.reset(info.epochs * info.stepsPerEpoch);
    const stride = message.history.stepStride ?? 1;
    // A long run's history comes thinned (each value stands for `stride` steps): each at its last step.
    history.addThinned(message.history.stepLosses, message.history.stepLosses.length * stride, stride);
    history.addEpochs(message.history.epochs);
    history.addMarks(message.history.marks);
    if (latest) {
      addStepLosses(latest);
      history.addEpochs(latest.newEpochs);
      history.addMarks(latest.newMarks);
    }
    chart.configure(info.stepsPerEpoch, info.task !== 'regression');

    heatmaps.build(info);
    confusion.clear();
    confusion.setData(latest?.confusion);
    histograms.build(info);
    histograms.add(latest?.histograms);
    heatmaps.setData(latest?.layers, latest?.trace);
    network.build(info, latest);
    network.view.setData(latest?.layers, latest?.trace, latest?.pictures);
    tilesContainer.replaceChildren();
    tiles = undefined;
    const shape = info.imageShape;
    if (shape && info.layers.length > 0 && info.layers[0].inputs === shape[0] * shape[1]) {
      tiles = new Tiles(tilesContainer, info, shape, tooltip, () => view.tilesMode ?? 'weights', (m) => {
        view.tilesMode = m;
        saveState();
        schedule('heatmaps');
      });
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
    schedule('header', 'chart', 'heatmaps', 'boundary', 'insights', 'network');
  }

  /** A snapshot's step losses; with a stride > 1 each value stands for that many steps, placed at the last of them. */
  function addStepLosses(s: Snapshot): void {
    history.addThinned(s.newStepLosses, s.step, s.newStepStride ?? 1);
  }

  function snapshot(s: Snapshot): void {
    stats.snapshots++;
    latest = s;
    undrawnStep = s.step;
    status = s.status;
    if (status !== 'diverged' && status !== 'error' && status !== 'done') statusMessage = undefined;
    addStepLosses(s);
    history.addEpochs(s.newEpochs);
    history.addMarks(s.newMarks);
    heatmaps.setData(s.layers, s.trace);
    network.view.setData(s.layers, s.trace, s.pictures);
    network.update(s);
    tiles?.setData(s.layers?.[0], s.trace);
    boundary?.setData(s.boundary);
    schedule('header', 'chart');
    if (s.layers || s.trace || s.pictures) schedule('heatmaps', 'network');
    if (s.boundary) schedule('boundary');
    if (s.confusion || s.histograms) {
      confusion.setData(s.confusion);
      histograms.add(s.histograms);
      schedule('insights');
    }
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
      case 'walk':
        walkData = message.walk;
        if (info) walk.show(message.walk, info);
        break;
      case 'walkFailed':
        walk.failed(message.message);
        break;
      case 'session':
        sessionView = message;
        schedule('header');
        break;
    }
  });

  // -------------------------------------------------------------------------
  // Theme and size

  observeTheme(() => {
    palette = readPalette();
    chart.applyPalette(palette);
    schedule('chart', 'heatmaps', 'boundary', 'insights', 'network');
  });

  let lastWidth = 0;
  new ResizeObserver(() => {
    const w = layersContainer.clientWidth;
    if (w !== lastWidth) {
      lastWidth = w;
      schedule('heatmaps', 'boundary', 'insights', 'network');
    }
  }).observe(layersContainer);

  setMode(view.mode ?? 'lastDelta');
  schedule('header');

  const internals: PanelInternals = { walk, network: network.view, view, status: () => status, palette: () => palette, stats, heatmaps, chart, history, chartBuckets: CHART_BUCKETS, confusion, histograms };
  window.dispatchEvent(new CustomEvent<PanelInternals>(INTERNALS_EVENT, { detail: internals }));
  post({ type: 'ready' });
  return internals;
}

/** The walk's sample as a trace: a^0 = x, a^l, z^l, δ^l (the engine's numbers from the worker). */
function walkTrace(walk: StepExplanation): TraceSnapshot {
  const e = walk.sample;
  return {
    sampleIndex: e.sample,
    activations: [e.x, ...e.layers.map((l) => l.a)],
    zs: e.layers.map((l) => l.z),
    deltas: e.layers.map((l) => l.delta),
  };
}
