/**
 * Read-only hook for the tests and the benchmark (dist/webview-hook.js), not part of the
 * product's bundle: the page loads it before dist/webview.js only when asked (the webview tests'
 * page; in VS Code when the extension host has NNSPEC_PANEL_HOOK=1). It waits for the panel's
 * internals (INTERNALS_EVENT) and puts a frozen window.__nnspec over them.
 */
import { scaleIndex, unpack } from './colors';
import { heatmapLayout, renderHeatmap, symmetricLimit } from './heatmapRender';
import { INTERNALS_EVENT, type PanelInternals } from './internals';

window.addEventListener(INTERNALS_EVENT, (event) => install((event as CustomEvent<PanelInternals>).detail), { once: true });

function install(p: PanelInternals): void {
  const hook = {
    get state() {
      return { ...p.view };
    },
    get status() {
      return p.status();
    },
    stats: () => ({ ...p.stats, heatmapDraws: p.heatmaps.draws, lastHeatmapMs: p.heatmaps.lastDrawMs }),
    chartSeries: () => p.chart.series(),
    /** The loss chart's ticks as drawn: value and label, per axis. */
    chartTicks: () => {
      const scales = p.chart.chart.scales;
      const read = (id: string) => (scales[id]?.ticks ?? []).map((t) => ({ value: t.value, label: String(t.label) }));
      return { x: read('x'), y: read('y') };
    },
    chartBuckets: p.chartBuckets,
    /** The live-edit marks as drawn on the loss chart: full text, line pixel (CSS px in the canvas), label shown. */
    chartMarks: () => p.chart.markLayout(),
    /** What the chart's tooltip names near canvas pixel x (the marks within hover distance). */
    chartMarksNear: (x: number) => p.chart.marksNear(x).map((m) => m.text),
    /** The loss chart's tooltip as shown: visible, title, footer lines. */
    chartTooltip: () => {
      const t = p.chart.chart.tooltip;
      return { visible: (t?.opacity ?? 0) > 0, title: [...(t?.title ?? [])], footer: [...(t?.footer ?? [])] };
    },
    /** Buckets the panel's loss history holds, its stride and bytes (flat on a long run). */
    historyMemory: () => ({ kept: p.history.kept, stride: p.history.stride, bytes: p.history.bytes, epochs: p.history.epochs.length }),
    stepCount: () => p.history.length,
    cellPixel: (layer: number, j: number, k: number) => p.heatmaps.cellPixel(layer, j, k),
    limit: (layer: number) => p.heatmaps.limitOf(layer),
    scaleColors: () => {
      const lut = p.palette().scale.lut;
      return { negative: unpack(lut[0]), neutral: unpack(lut[(lut.length - 1) / 2]), positive: unpack(lut[lut.length - 1]) };
    },
    /** The scale's colour for value v against ±limit (what a heatmap cell or picture pixel of v is). */
    scaleColor: (v: number, limit: number) => unpack(p.palette().scale.lut[scaleIndex(v, limit)]),
    themeKind: () => p.palette().kind,
    /** The steps whose histograms layer l (from 1) keeps, oldest first. */
    histogramSteps: (layer: number) => p.histograms.slices(layer),
    histogramKind: () => p.histograms.shownKind,
    /** The share of the shown confusion matrix on its diagonal. */
    confusionAccuracy: () => p.confusion.accuracy(),
    confusionCell: (i: number, j: number) => p.confusion.cellCentre(i, j),
    measureHeatmapRedraw: (units?: number, inputs?: number, repeats?: number) => measureHeatmapRedraw(p, units, inputs, repeats),
    // The network view and the walk (webview/network.ts, walk.ts)
    networkCounts: () => p.network.counts(),
    networkPoint: (layer: number, j: number) => p.network.point(layer, j),
    linkPoint: (layer: number, j: number, k: number) => p.network.linkPoint(layer, j, k),
    linkColor: (layer: number, j: number, k: number) => p.network.linkColor(layer, j, k, p.palette()),
    networkMode: () => p.network.mode,
    networkLabels: () => p.network.labels(),
    networkSegments: () => p.network.linkSegments(),
    networkSize: () => p.network.size(),
    networkDraws: () => ({ draws: p.network.draws, lastMs: p.network.lastDrawMs }),
    // Every neuron's picture (webview/pictures.ts)
    pictureCount: () => p.network.pictureCount(),
    pictureKind: (layer: number) => p.network.pictures.kind(layer),
    pictureBox: (layer: number, j: number) => p.network.pictureBox(layer, j),
    pictureGrid: (layer: number) => p.network.pictures.grid(layer),
    pictureValue: (layer: number, j: number, row: number, col: number) => p.network.pictures.value(layer, j, row, col),
    pictureScale: (layer: number) => p.network.pictures.scale(layer),
    pictureStep: () => p.network.pictures.step,
    measureNetworkRedraw: (repeats?: number) => measureNetworkRedraw(p, repeats),
    walkStage: () => {
      const s = p.walk.stage;
      return p.walk.open && s ? { phase: s.phase, layer: s.layer, title: s.title, count: p.walk.stageCount } : undefined;
    },
  };
  Object.defineProperty(window, '__nnspec', { value: Object.freeze(hook), writable: false, configurable: false });
}

/**
 * Times the network view's redraw, `repeats` times each: `newData` as after a snapshot (fresh
 * copies of the layer arrays, the trace and the pictures set first, untimed, as a message brings
 * them), `same` as after a hover or a theme-free redraw (nothing new); each timed up to the
 * canvas's rasterisation (a one-pixel read), not only the recording of its commands.
 */
function measureNetworkRedraw(p: PanelInternals, repeats = 60): { newData: number[]; same: number[]; counts: ReturnType<PanelInternals['network']['counts']> } {
  const view = p.network;
  const palette = p.palette();
  const base = view.snapshotData();
  const newData: number[] = [];
  const same: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const layers = base.layers?.map((l) => {
      const weights = l.weights.slice();
      weights[r % weights.length] += 1e-3; // new numbers each snapshot
      return { ...l, weights, gradWeights: l.gradWeights.slice(), lastDeltaWeights: l.lastDeltaWeights.slice() };
    });
    const pictures = base.pictures ? { ...base.pictures } : undefined;
    view.setData(layers, base.trace ? { ...base.trace } : undefined, pictures);
    // a one-pixel read makes the canvas rasterise its drawing inside the timed span
    const flush = (): unknown => view.canvas.getContext('2d')?.getImageData(0, 0, 1, 1);
    let t0 = performance.now();
    view.draw(palette);
    flush();
    newData.push(performance.now() - t0);
    t0 = performance.now();
    view.draw(palette);
    flush();
    same.push(performance.now() - t0);
  }
  return { newData, same, counts: view.counts() };
}

/**
 * Times the heatmap redraw of a units × inputs layer (fill the pixels from the values through the
 * colour scale, then putImageData), `repeats` times, on a canvas off the page.
 */
function measureHeatmapRedraw(p: PanelInternals, units = 128, inputs = 784, repeats = 50): { units: number; inputs: number; repeats: number; meanMs: number; minMs: number; maxMs: number } {
  const palette = p.palette();
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
