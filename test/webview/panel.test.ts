/**
 * The training panel in headless Chromium (Debian's chromium via playwright-core): the real
 * page (CSP, nonce'd script) with a stubbed acquireVsCodeApi, fed message streams recorded from
 * the real training worker and hand-made ones with exactly representable numbers.
 */
import type { Server } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LayerSnapshot, PanelState, Snapshot, ToPanel } from '../../src/protocol';
import { cellStory } from '../../webview/cellStory';
import { parseColor } from '../../webview/colors';
import { formatNumber } from '../../webview/format';
import { ARTIFACTS, buildBundles, launchChromium, openPanel, recordSession, ROOT, startServer, themeVariable, type PanelPage, type Theme } from './harness';
import { clientPoint, distance, hook, pixel, text, tooltipTerms, type PageGlobal, type Rgba } from './page';
import { tinyInfo, tinyInit, tinySnapshot, wideInfo, wideSnapshot, wideWeight } from './streams';

let browser: Browser;
let server: Server;
let origin: string;
/** Recorded from the worker: xor trained to the end, step by step first. */
let xor: { stream: ToPanel[]; losses: Float32Array; epochs: NonNullable<Snapshot['newEpochs']>; latest: Snapshot; layers: LayerSnapshot[]; trace: NonNullable<Snapshot['trace']> };
/** Recorded from the worker: 784 → 128 → 10 on digits, a few steps. */
let digits: { stream: ToPanel[]; layers: LayerSnapshot[] };
/** Recorded from the worker: spiral, 60 epochs (for the screenshots). */
let spiral: ToPanel[];

const XOR = readFileSync(path.join(ROOT, 'examples/xor.nnspec'), 'utf8');
const DIGITS = `network digits-128
input 28x28
dense 128 sigmoid
dense 10 sigmoid
loss mse
optimizer sgd rate=3
batch 10
epochs 3
seed 1
data digits n=600
validation 0.2
`;

beforeAll(async () => {
  await buildBundles();
  browser = await launchChromium();
  ({ server, origin } = await startServer());

  const x = await recordSession(XOR, path.join(ROOT, 'examples/xor.nnspec'));
  for (let i = 0; i < 5; i++) await x.send({ type: 'step' });
  await x.send({ type: 'stepEpoch' });
  await x.send({ type: 'run' }, (m) => m.type === 'finished');
  await x.close();
  xor = {
    stream: x.stream,
    losses: x.state.stepLosses.toArray(),
    epochs: x.state.epochs,
    latest: x.state.latest as Snapshot,
    layers: x.state.layers as LayerSnapshot[],
    trace: x.state.trace as NonNullable<Snapshot['trace']>,
  };

  const d = await recordSession(DIGITS, '/work/specs/digits-128.nnspec');
  for (let i = 0; i < 3; i++) await d.send({ type: 'step' });
  await d.send({ type: 'stepEpoch' });
  await d.send({ type: 'step' });
  await d.close();
  digits = { stream: d.stream, layers: d.state.layers as LayerSnapshot[] };

  const s = await recordSession(readFileSync(path.join(ROOT, 'examples/spiral.nnspec'), 'utf8'), path.join(ROOT, 'examples/spiral.nnspec'));
  for (let i = 0; i < 60; i++) await s.send({ type: 'stepEpoch' });
  await s.send({ type: 'step' });
  await s.close();
  spiral = s.stream;
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

const pages: PanelPage[] = [];
async function open(theme: Theme = 'dark', state: PanelState | null = null): Promise<PanelPage> {
  const p = await openPanel(browser, origin, theme, state);
  pages.push(p);
  return p;
}

/** Every page must end without CSP violations, script errors or console warnings. */
async function closeClean(p: PanelPage): Promise<void> {
  expect(await p.problems()).toEqual([]);
  await p.page.close();
}

function themeColor(theme: Theme, name: string): Rgba {
  const value = themeVariable(theme, name);
  const c = value && parseColor(value);
  if (!c) throw new Error(`the ${theme} test theme has no --vscode-${name}`);
  return c;
}

describe('loss chart', () => {
  test('replaying a recorded xor run draws every step loss and every epoch metric', async () => {
    const p = await open();
    await p.send(xor.stream);
    await p.settle();
    const steps = await hook(p.page, (h) => h.stepCount(), null);
    expect(steps).toBe(xor.losses.length);
    expect(steps).toBe(1000); // xor: 4 samples, batch 4 → one step an epoch, 1000 epochs
    const series = await hook(p.page, (h) => h.chartSeries(), null);
    const byLabel = Object.fromEntries(series.map((s) => [s.label, s.points]));
    // 1000 points are under the decimation threshold: every step is drawn as recorded.
    expect(byLabel['Batch loss']).toEqual(Array.from(xor.losses, (y, i) => ({ x: i + 1, y })));
    expect(byLabel['Train loss (epoch)']).toEqual(xor.epochs.map((e) => ({ x: (e.epoch + 1) * 1, y: e.train.loss })));
    expect(byLabel['Train accuracy']).toEqual(xor.epochs.map((e) => ({ x: e.epoch + 1, y: e.train.accuracy })));
    expect(byLabel['Validation loss']).toEqual([]); // xor has no held-out part
    // The moving average starts at the first loss (debiased) and ends below it: xor was learnt.
    const smoothed = byLabel['Smoothed'];
    expect(smoothed[0]).toEqual({ x: 1, y: xor.losses[0] });
    expect(smoothed[smoothed.length - 1].y).toBeLessThan(xor.losses[0] / 4);

    expect(await text(p.page, '.badge')).toBe('done');
    expect(await text(p.page, '.metric:nth-child(1) dd')).toBe('1,000 / 1,000');
    expect(await text(p.page, '.metric:nth-child(2) dd')).toBe('1,000');
    expect(await text(p.page, '.metric:nth-child(4) dd')).toBe(formatNumber(xor.latest.loss as number));
    expect(await text(p.page, '.metric:nth-child(5) dd')).toBe('100% train');
    await closeClean(p);
  });

  test('a short run: the loss ticks are distinct, the step ticks whole numbers', async () => {
    const p = await open('dark');
    // Three steps whose losses differ in the fourth digit (a real short run on xor looks like this).
    await p.send([tinyInit([0.11904, 0.11871, 0.11843], tinySnapshot(3, { newStepLosses: new Float32Array(0), loss: 0.11843 }))]);
    await p.settle();
    const { x, y } = await hook(p.page, (h) => h.chartTicks(), null);
    expect(y.length).toBeGreaterThan(2);
    expect(new Set(y.map((t) => t.label)).size, y.map((t) => t.label).join(' ')).toBe(y.length);
    expect(x.length).toBeGreaterThan(1);
    for (const t of x) {
      expect(Number.isInteger(t.value), `step tick ${t.value}`).toBe(true);
      expect(t.label).toBe(t.value.toLocaleString('en-US'));
    }
    await closeClean(p);
  });

  test('x in epochs and a log scale: same points, x = step / steps per epoch; the choice is saved', async () => {
    const p = await open();
    const losses = Array.from({ length: 40 }, (_, i) => 1 / (i + 1));
    await p.send([tinyInit(losses, undefined, tinyInfo({ stepsPerEpoch: 8 }))]);
    await p.page.getByRole('radio', { name: 'Epochs' }).click();
    await p.page.getByRole('radio', { name: 'Log' }).click();
    await p.settle();
    const raw = (await hook(p.page, (h) => h.chartSeries(), null)).find((s) => s.label === 'Batch loss')?.points;
    expect(raw).toEqual(losses.map((y, i) => ({ x: (i + 1) / 8, y: Math.fround(y) })));
    expect(await p.state()).toMatchObject({ xAxis: 'epochs', scale: 'log', specPath: '/work/specs/tiny.nnspec' });
    expect(await p.page.getByRole('radio', { name: 'Log' }).getAttribute('aria-checked')).toBe('true');
    await closeClean(p);
  });

  test('decimation: 100,000 steps are drawn with at most 2 × buckets + 2 points, spikes and ends kept', async () => {
    const p = await open();
    const n = 100_000;
    const losses = Array.from({ length: n }, (_, i) => 2 * Math.exp(-i / 20_000) + 0.05 * Math.sin(i / 7));
    losses[54_321] = 9; // a spike must survive
    losses[77_777] = -1; // and a dip
    await p.send([tinyInit(losses, undefined, tinyInfo({ epochs: 1000, stepsPerEpoch: 100 }))]);
    await p.settle();
    const buckets = await hook(p.page, (h) => h.chartBuckets, null);
    const series = await hook(p.page, (h) => h.chartSeries(), null);
    const raw = series.find((s) => s.label === 'Batch loss')?.points ?? [];
    const smooth = series.find((s) => s.label === 'Smoothed')?.points ?? [];
    expect(await hook(p.page, (h) => h.stepCount(), null)).toBe(n);
    expect(raw.length).toBeLessThanOrEqual(2 * buckets + 2);
    expect(raw.length).toBeGreaterThan(buckets); // min and max of (nearly) every bucket
    expect(smooth.length).toBeLessThanOrEqual(buckets + 1);
    expect(raw).toContainEqual({ x: 54_322, y: 9 });
    expect(raw).toContainEqual({ x: 77_778, y: -1 });
    expect(raw[0]).toEqual({ x: 1, y: Math.fround(losses[0]) });
    expect(raw[raw.length - 1]).toEqual({ x: n, y: Math.fround(losses[n - 1]) });
    expect(smooth[smooth.length - 1]).toMatchObject({ x: n });
    for (let i = 1; i < raw.length; i++) expect(raw[i].x).toBeGreaterThan(raw[i - 1].x);
    await closeClean(p);
  });
});

describe('heatmaps', () => {
  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    test(`colours in ${theme}: +max → the theme's blue, −max → its red, 0 → neutral`, async () => {
      const p = await open(theme);
      await p.send([tinyInit([0.5, 0.25], tinySnapshot(2))]);
      await p.page.getByRole('radio', { name: 'w', exact: true }).click();
      await p.settle();
      const canvas = 'canvas[data-layer="1"]';
      const at = async (j: number, k: number): Promise<Rgba> => {
        const c = await hook(p.page, (h, [jj, kk]) => h.cellPixel(1, jj, kk), [j, k] as const);
        if (!c) throw new Error('no cell layout');
        return pixel(p.page, canvas, c.x, c.y);
      };
      expect(await hook(p.page, (h) => h.limit(1), null)).toBe(0.5);
      const blue = themeColor(theme, 'charts-blue');
      const red = themeColor(theme, 'charts-red');
      const card = themeColor(theme, 'editorWidget-background'); // what the heatmaps sit on
      expect(distance(await at(0, 0), blue)).toBeLessThanOrEqual(1); // w = 0.5 = +max
      expect(distance(await at(1, 0), red)).toBeLessThanOrEqual(1); // w = −0.5 = −max
      const neutral = (await hook(p.page, (h) => h.scaleColors(), null)).neutral;
      expect(distance(await at(0, 1), neutral)).toBeLessThanOrEqual(1); // w = 0
      expect(distance(await at(0, 2), neutral)).toBeLessThanOrEqual(1); // bias b_0 = 0
      // Neutral is a shade off the card's background (zeros still show as cells), far from both ends.
      expect(distance(neutral, card)).toBeGreaterThan(5);
      expect(distance(neutral, card)).toBeLessThan(40);
      expect(distance(neutral, blue)).toBeGreaterThan(60);
      // Half of max is between neutral and the end colour.
      const half = await at(1, 1); // w = 0.25
      expect(distance(half, blue)).toBeGreaterThan(10);
      expect(distance(half, neutral)).toBeGreaterThan(10);
      // The legend is numbered with the symmetric limits.
      expect(await text(p.page, '#layer-1 .legend-ticks')).toBe(['\u22120.5', '\u22120.25', '0', '0.25', '0.5'].join(''));
      await closeClean(p);
    });
  }

  test('switching theme (body class) redraws the heatmaps in the new theme colours', async () => {
    const p = await open('dark');
    await p.send([tinyInit([0.5, 0.25], tinySnapshot(2))]);
    await p.page.getByRole('radio', { name: 'w', exact: true }).click();
    await p.settle();
    const c = await hook(p.page, (h) => h.cellPixel(1, 0, 0), null);
    const cell = (): Promise<Rgba> => pixel(p.page, 'canvas[data-layer="1"]', c!.x, c!.y);
    expect(distance(await cell(), themeColor('dark', 'charts-blue'))).toBeLessThanOrEqual(1);
    // As VS Code does: the new theme's variables, then the body class.
    await p.page.evaluate(async (href) => {
      type El = { rel: string; href: string; id: string; onload: (() => void) | null; remove(): void };
      type G = { document: { createElement(t: string): El; head: { append(e: El): void }; getElementById(id: string): El | null; body: { className: string } } };
      const d = (globalThis as unknown as G).document;
      const link = d.createElement('link');
      link.rel = 'stylesheet';
      await new Promise<void>((resolve) => {
        link.onload = () => resolve();
        link.href = href;
        d.head.append(link);
      });
      d.getElementById('theme')?.remove();
      d.body.className = 'vscode-light';
    }, `${origin}/themes/light.css`);
    await p.settle();
    expect(await hook(p.page, (h) => h.themeKind(), null)).toBe('light');
    expect(distance(await cell(), themeColor('light', 'charts-blue'))).toBeLessThanOrEqual(1);
    await closeClean(p);
  });

  test('a recorded 784 → 128 digits layer: zero-input pixels show 0, the largest |Δw| the end colour', async () => {
    const p = await open('dark');
    await p.send(digits.stream);
    await p.settle();
    const layer = digits.layers[0];
    const inputs = 784;
    // Pixel k = 0 (the image's corner) is 0 in every digit: a_k = 0, so Δw_j0 = 0 for every j.
    for (let j = 0; j < 128; j++) expect(layer.lastDeltaWeights[j * inputs]).toBe(0);
    // The largest |Δ| of the layer, weights and biases together (they share one colour scale);
    // k = inputs is the bias column.
    let maxAt = 0;
    for (let i = 0; i < layer.lastDeltaWeights.length; i++) if (Math.abs(layer.lastDeltaWeights[i]) > Math.abs(layer.lastDeltaWeights[maxAt])) maxAt = i;
    let [j, k] = [Math.floor(maxAt / inputs), maxAt % inputs];
    let peakValue = layer.lastDeltaWeights[maxAt];
    for (let b = 0; b < layer.lastDeltaBiases.length; b++) {
      if (Math.abs(layer.lastDeltaBiases[b]) > Math.abs(peakValue)) [j, k, peakValue] = [b, inputs, layer.lastDeltaBiases[b]];
    }
    const colours = await hook(p.page, (h) => h.scaleColors(), null);
    const canvas = 'canvas[data-layer="1"]';
    const size = await p.page.evaluate(() => {
      const c = (globalThis as unknown as PageGlobal).document.querySelector('canvas[data-layer="1"]');
      return { width: c?.width, height: c?.height };
    });
    expect(size).toEqual({ width: 785 + 3, height: 128 }); // one pixel a weight, bias column 3 px apart
    const corner = await hook(p.page, (h) => h.cellPixel(1, 5, 0), null);
    expect(distance(await pixel(p.page, canvas, corner!.x, corner!.y), colours.neutral)).toBeLessThanOrEqual(1);
    const peak = await hook(p.page, (h, [jj, kk]) => h.cellPixel(1, jj, kk), [j, k] as const);
    const end = peakValue > 0 ? colours.positive : colours.negative;
    expect(distance(await pixel(p.page, canvas, peak!.x, peak!.y), end)).toBeLessThanOrEqual(1);
    // Image input: layer 1's neurons as 28×28 tiles.
    expect(await p.page.locator('canvas.tiles').count()).toBe(1);
    const timing = await hook(p.page, (h) => h.measureHeatmapRedraw(128, 784, 40), null);
    console.log(`heatmap redraw, 128 × 784 (+ bias) layer in Chromium: mean ${timing.meanMs.toFixed(2)} ms, min ${timing.minMs.toFixed(2)} ms, max ${timing.maxMs.toFixed(2)} ms`);
    await closeClean(p);
  });

  test('a storm of 1,000 snapshots is drawn in a few frames and ends on the final state', async () => {
    const p = await open('dark');
    await p.send([tinyInit([], undefined)]);
    await p.settle();
    const before = await hook(p.page, (h) => h.stats(), null);
    const storm: ToPanel[] = [];
    for (let i = 1; i <= 1000; i++) {
      const s = tinySnapshot(i, { newStepLosses: Float32Array.from([1 / i]), status: 'running' });
      // w_00 alternates sign; the last snapshot (i = 1000) has it at −max.
      s.layers![0].lastDeltaWeights[0] = i % 2 === 0 ? -1 : 1;
      storm.push({ type: 'snapshot', snapshot: s });
    }
    // 1,000 messages, each its own task (window.postMessage, structured clone), as fast as they come.
    const frames = await p.post(storm);
    const after = await hook(p.page, (h) => h.stats(), null);
    expect(after.snapshots - before.snapshots).toBe(1000);
    const draws = after.heatmapDraws - before.heatmapDraws;
    expect(draws).toBeGreaterThan(0);
    // At most one redraw per animation frame the page showed (+1 for a frame already requested).
    expect(draws).toBeLessThanOrEqual(frames + 1);
    expect(draws).toBeLessThan(1000);
    expect(await hook(p.page, (h) => h.stepCount(), null)).toBe(1000);
    expect(await text(p.page, '.metric:nth-child(2) dd')).toBe('1,000');
    const c = await hook(p.page, (h) => h.cellPixel(1, 0, 0), null);
    const colours = await hook(p.page, (h) => h.scaleColors(), null);
    expect(distance(await pixel(p.page, 'canvas[data-layer="1"]', c!.x, c!.y), colours.negative)).toBeLessThanOrEqual(1);
    await closeClean(p);
  });
});

/** How far the page scrolls sideways (0: it does not). */
function sideways(p: PanelPage): Promise<number> {
  return p.page.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return d.scrollWidth - d.clientWidth;
  });
}

describe('a 784-input first layer', () => {
  test('784 → 30 → 10 in a 486 px card: the heatmap is an overview inside the card, the inspector shows row j as 28×28 with exact numbers', async () => {
    const p = await open('dark');
    await p.page.setViewportSize({ width: 528, height: 900 });
    await p.send([tinyInit([0.5], wideSnapshot(3), wideInfo())]);
    await p.settle();
    const card = (await p.page.locator('#layer-1').boundingBox())!;
    expect(card.width).toBeGreaterThan(470);
    expect(card.width).toBeLessThan(500);
    const heat = (await p.page.locator('canvas[data-layer="1"]').boundingBox())!;
    expect(heat.x).toBeGreaterThanOrEqual(card.x);
    expect(heat.x + heat.width).toBeLessThanOrEqual(card.x + card.width);
    // 30 rows are pointable: at least 4 px each.
    expect(heat.height / 30).toBeGreaterThanOrEqual(4);
    expect(await sideways(p)).toBe(0);
    expect(await text(p.page, '#layer-1 .axis-note')).toMatch(/overview: a pixel is 2 neighbouring inputs/);

    // Hovering row 4 of the overview shows that row in the inspector, as the 28 × 28 image.
    await p.page.locator('#layer-1').scrollIntoViewIfNeeded();
    const ov = await hook(p.page, (h) => h.cellPixel(1, 4, 100), null);
    const ovAt = await clientPoint(p.page, 'canvas[data-layer="1"]', ov!.x, ov!.y);
    await p.page.mouse.move(ovAt.x, ovAt.y);
    expect(await text(p.page, '#layer-1 .inspector-caption')).toMatch(/^Row j = 4 of layer 1: its 784 weights as the 28×28 input image/);
    // The overview pixel stands for inputs 100 and 101 and tells the larger |w| of the two.
    const pick = Math.abs(wideWeight(4, 100)) >= Math.abs(wideWeight(4, 101)) ? 100 : 101;
    expect(await text(p.page, '#cell-tooltip .tt-title')).toBe(`Layer 1 · weight j = 4, k = ${pick}`);
    const inspector = (await p.page.locator('#layer-1 canvas.inspector-canvas').boundingBox())!;
    expect(inspector.width).toBeGreaterThanOrEqual(28 * 8);
    expect(inspector.x + inspector.width).toBeLessThanOrEqual(card.x + card.width);
    // Input k = 28·r + c is the inspector's cell (r, c): hover (r, c) = (10, 17), k = 297.
    const cell = inspector.width / 28;
    await p.page.mouse.move(inspector.x + 17.5 * cell, inspector.y + 10.5 * cell);
    expect(await text(p.page, '#cell-tooltip .tt-title')).toBe('Layer 1 · weight j = 4, k = 297');
    expect((await tooltipTerms(p.page)).w).toBe(formatNumber(wideWeight(4, 297)));
    await p.page.screenshot({ path: path.join(ARTIFACTS, 'digits-30-dark-486.png'), fullPage: true });
    await closeClean(p);
  });

  test('"What each neuron of layer 1 looks at" shows w by default, has its own switch, and keeps the choice', async () => {
    const p = await open('light');
    await p.send([tinyInit([0.5], wideSnapshot(3), wideInfo())]);
    await p.settle();
    const tilesGroup = p.page.getByRole('radiogroup', { name: 'Tiles show' });
    expect(await tilesGroup.getByRole('radio', { checked: true }).textContent()).toBe('w');
    // The heatmaps' own switch stays on Δw of the last step.
    expect(await p.page.getByRole('radiogroup', { name: 'Heatmap shows' }).getByRole('radio', { checked: true }).textContent()).toBe('\u0394w last step');
    // max |w| of layer 1: the largest |((7j + k) mod 17 − 8)/64| = 8/64, biases up to 15/64.
    expect(await text(p.page, '.tiles-card header .muted')).toContain(`max |w| = ${formatNumber(15 / 64)}`);
    await tilesGroup.getByRole('radio', { name: '\u2202C/\u2202w' }).click();
    await p.settle();
    expect((await p.state())?.tilesMode).toBe('gradient');
    expect(await text(p.page, '.tiles-card header .muted')).toContain(`max |\u2202C/\u2202w| = ${formatNumber(15 / 256)}`);
    await closeClean(p);
  });
});

describe('a narrow panel (300 px)', () => {
  for (const name of ['spiral', 'digits', 'digits-30'] as const) {
    test(`${name}: no sideways scroll, every button inside the panel`, async () => {
      const p = await open(name === 'digits' ? 'high-contrast' : name === 'spiral' ? 'light' : 'dark');
      await p.page.setViewportSize({ width: 300, height: 900 });
      await p.send(name === 'spiral' ? spiral : name === 'digits' ? digits.stream : [tinyInit([0.5], wideSnapshot(3), wideInfo())]);
      await p.settle();
      expect(await sideways(p)).toBe(0);
      const buttons = await p.page.locator('button').evaluateAll((list) =>
        list.map((b) => {
          const r = (b as unknown as { getBoundingClientRect(): { left: number; right: number } }).getBoundingClientRect();
          return { text: (b as unknown as { textContent: string }).textContent, left: r.left, right: r.right };
        }),
      );
      for (const b of buttons) {
        expect(b.left, b.text).toBeGreaterThanOrEqual(0);
        expect(b.right, b.text).toBeLessThanOrEqual(300);
      }
      await p.page.screenshot({ path: path.join(ARTIFACTS, `${name}-narrow-300.png`), fullPage: true });
      await p.page.locator('.top').screenshot({ path: path.join(ARTIFACTS, `${name}-narrow-300-header.png`) });
      await p.page.locator('.chart-card').screenshot({ path: path.join(ARTIFACTS, `${name}-narrow-300-chart.png`) });
      await closeClean(p);
    });
  }
});

describe('the gradient story of a weight', () => {
  test('hovering a cell shows w, ∂C/∂w, Δw and the chain-rule factors with exact numbers', async () => {
    const p = await open('dark');
    await p.send([tinyInit([0.5], tinySnapshot(1))]);
    await p.settle();
    const c = await hook(p.page, (h) => h.cellPixel(1, 1, 1), null);
    const at = await clientPoint(p.page, 'canvas[data-layer="1"]', c!.x, c!.y);
    await p.page.mouse.move(at.x, at.y);
    expect(await text(p.page, '#cell-tooltip .tt-title')).toBe('Layer 1 · weight j = 1, k = 1');
    // w_11 = 0.25; ∂C/∂w = −w/4; last Δw = w/8; epoch Δw = w/2; a^0_1 = 0.75, δ^1_1 = 0.125.
    expect(await tooltipTerms(p.page)).toEqual({
      w: '0.25',
      grad: '\u22120.0625',
      delta: '0.03125',
      epochDelta: '0.125',
      a: '0.75',
      d: '0.125',
      product: '0.09375',
    });
    expect(await text(p.page, '#cell-tooltip .tt-section')).toBe('Chain rule, training sample #2');
    // The bias column: b_2 of layer 1 = −0.125, δ^1_2 = 0.25.
    const b = await hook(p.page, (h) => h.cellPixel(1, 2, 2), null);
    const bat = await clientPoint(p.page, 'canvas[data-layer="1"]', b!.x, b!.y);
    await p.page.mouse.move(bat.x, bat.y);
    expect(await text(p.page, '#cell-tooltip .tt-title')).toBe('Layer 1 · bias of neuron j = 2');
    expect(await tooltipTerms(p.page)).toEqual({ b: '\u22120.125', grad: '0.03125', delta: '\u22120.01563', epochDelta: '\u22120.0625', d: '0.25' });
    await p.page.mouse.move(1, 1);
    expect(await p.page.locator('#cell-tooltip').isHidden()).toBe(true);
    await closeClean(p);
  });

  test('the tooltip typesets w^l_{j,k} with KaTeX under the CSP: layer l above, "j,k" below, in KaTeX\'s own font', async () => {
    const p = await open('light');
    await p.send([tinyInit([0.5], tinySnapshot(1))]);
    await p.settle();
    const c = await hook(p.page, (h) => h.cellPixel(2, 0, 2), null);
    const at = await clientPoint(p.page, 'canvas[data-layer="2"]', c!.x, c!.y);
    await p.page.mouse.move(at.x, at.y);
    const label = p.page.locator('#cell-tooltip .tt-row[data-term="w"] .tt-label');
    // KaTeX's MathML twin carries the TeX it was made from.
    expect(await label.locator('annotation').textContent()).toBe('w^{2}_{0,2}');
    const box = async (t: string) => (await label.locator('.katex-html .mord', { hasText: new RegExp(`^${t}$`) }).last().boundingBox())!;
    const base = await box('w');
    const sup = await box('2');
    const sub = await box('0,2');
    // The superscript sits higher than the subscript, both right of the base, and smaller than it.
    expect(sup.y + sup.height).toBeLessThan(sub.y + sub.height);
    expect(sup.y).toBeLessThan(base.y + base.height / 2);
    expect(sub.y + sub.height).toBeGreaterThan(base.y + base.height / 2);
    expect(Math.min(sup.x, sub.x)).toBeGreaterThanOrEqual(base.x + base.width - 1);
    expect(sup.height).toBeLessThan(base.height);
    // The fonts came from dist/fonts under font-src (no violation), and KaTeX's math italic is in use.
    await p.page.evaluate(() => (globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } } }).document.fonts.ready);
    const loaded = await p.page.evaluate(() => (globalThis as unknown as { document: { fonts: { check(f: string): boolean } } }).document.fonts.check('16px KaTeX_Math'));
    expect(loaded).toBe(true);
    const family = await label.locator('.mathnormal').first().evaluate((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { fontFamily: string } }).getComputedStyle(e).fontFamily);
    expect(family).toContain('KaTeX_Math');
    await p.page.locator('#cell-tooltip').screenshot({ path: path.join(ARTIFACTS, 'tooltip-katex-light.png') });
    await closeClean(p);
  });

  test('on a recorded xor run the tooltip tells the recorded numbers', async () => {
    const p = await open('light');
    await p.send(xor.stream);
    await p.settle();
    const c = await hook(p.page, (h) => h.cellPixel(2, 0, 3), null);
    const at = await clientPoint(p.page, 'canvas[data-layer="2"]', c!.x, c!.y);
    await p.page.mouse.move(at.x, at.y);
    const story = cellStory(2, 4, xor.layers[1], 0, 3, xor.trace);
    expect(await tooltipTerms(p.page)).toEqual(Object.fromEntries(story.terms.map((t) => [t.key, formatNumber(t.value)])));
    // a^1_3 · δ^2_0 for the traced sample, from the recorded trace.
    expect(story.terms.find((t) => t.key === 'product')?.value).toBe(Math.fround(xor.trace.activations[1][3]) * Math.fround(xor.trace.deltas[1][0]));
    await closeClean(p);
  });

  test('keyboard: Tab reaches the heatmap, arrows move a visible focused cell, the live region reads it', async () => {
    const p = await open('dark');
    await p.send([tinyInit([0.5], tinySnapshot(1))]);
    await p.settle();
    // Tab through the page until the first heatmap has focus (buttons and toggles come first).
    let focused = '';
    for (let i = 0; i < 30 && focused !== '1'; i++) {
      await p.page.keyboard.press('Tab');
      focused = await p.page.evaluate(() => (globalThis as unknown as PageGlobal).document.activeElement?.getAttribute('data-layer') ?? '');
    }
    expect(focused).toBe('1');
    const live = (): Promise<string> => text(p.page, '#live');
    expect(await live()).toBe('layer 1, weight j=0 k=0: w = 0.5, gradient \u22120.125, last change 0.0625; sample 2: a = 0.25, delta = \u22120.5, product \u22120.125');
    await p.page.keyboard.press('ArrowRight');
    await p.page.keyboard.press('ArrowDown');
    expect(await live()).toBe('layer 1, weight j=1 k=1: w = 0.25, gradient \u22120.0625, last change 0.03125; sample 2: a = 0.75, delta = 0.125, product 0.09375');
    expect(await tooltipTerms(p.page)).toMatchObject({ w: '0.25', product: '0.09375' });
    // The outline sits on cell (1, 1).
    const box = await p.page.locator('#layer-1 .cell-outline').boundingBox();
    const c = await hook(p.page, (h) => h.cellPixel(1, 1, 1), null);
    const centre = await clientPoint(p.page, 'canvas[data-layer="1"]', c!.x, c!.y);
    expect(box).not.toBeNull();
    expect(centre.x).toBeGreaterThan(box!.x);
    expect(centre.x).toBeLessThan(box!.x + box!.width);
    expect(centre.y).toBeGreaterThan(box!.y);
    expect(centre.y).toBeLessThan(box!.y + box!.height);
    await p.page.keyboard.press('End'); // the bias column
    expect(await live()).toBe('layer 1, bias b1: b = 0.25, gradient \u22120.0625, last change 0.03125; sample 2: delta = 0.125');
    await p.page.keyboard.press('ArrowUp');
    await p.page.keyboard.press('ArrowUp'); // stays in row 0
    expect(await live()).toBe('layer 1, bias b0: b = 0, gradient 0, last change 0; sample 2: delta = \u22120.5');
    expect((await p.state())?.focusedLayer).toBe(1);
    await closeClean(p);
  });
});

describe('controls, state and messages', () => {
  test('buttons post control messages and follow the status', async () => {
    const p = await open('dark');
    // besides these, the panel reports whether its network view is on screen (networkShown)
    const posted = async (): Promise<unknown[]> => (await p.posted()).filter((m) => (m as { type: string }).type !== 'networkShown');
    expect(await posted()).toEqual([{ type: 'ready' }]);
    await p.send([tinyInit([], undefined)]);
    await p.settle();
    const train = p.page.getByRole('button', { name: 'Train' });
    await train.click();
    await p.page.getByRole('button', { name: 'Step', exact: true }).click();
    await p.page.getByRole('button', { name: 'Step epoch' }).click();
    await p.page.getByRole('button', { name: 'Reset' }).click();
    expect((await posted()).slice(1)).toEqual(['train', 'step', 'stepEpoch', 'reset'].map((action) => ({ type: 'control', action })));
    await p.send([{ type: 'snapshot', snapshot: tinySnapshot(3, { status: 'running' }) }]);
    await p.settle();
    // Epoch: the one in progress (step 3 of epoch 1's 4), or the ones completed at a boundary.
    expect(await text(p.page, '.metric:nth-child(1) dd')).toBe('1 / 10');
    await p.send([{ type: 'snapshot', snapshot: tinySnapshot(4, { status: 'running' }) }]);
    await p.settle();
    expect(await text(p.page, '.metric:nth-child(1) dd')).toBe('1 / 10');
    await p.send([{ type: 'snapshot', snapshot: tinySnapshot(5, { status: 'running' }) }]);
    await p.settle();
    expect(await text(p.page, '.metric:nth-child(1) dd')).toBe('2 / 10');
    const pause = p.page.getByRole('button', { name: 'Pause' });
    expect(await pause.getAttribute('aria-pressed')).toBe('true');
    expect(await p.page.getByRole('button', { name: 'Step', exact: true }).isDisabled()).toBe(true);
    await pause.click();
    expect((await posted()).at(-1)).toEqual({ type: 'control', action: 'pause' });
    await p.send([{ type: 'status', status: 'diverged', message: 'the loss became NaN at step 3: try a smaller rate' }]);
    await p.settle();
    expect(await text(p.page, '.banner')).toBe('the loss became NaN at step 3: try a smaller rate');
    expect(await p.page.getByRole('button', { name: 'Train' }).isDisabled()).toBe(true);
    expect(await p.page.getByRole('button', { name: 'Reset' }).isDisabled()).toBe(false);
    await closeClean(p);
  });

  test('after DONE, Train offers more epochs (Reset stays); the speed control posts the pace and shows the one in force', async () => {
    const p = await open('light');
    await p.send([tinyInit([0.5], tinySnapshot(40, { status: 'done', epoch: 10, stepInEpoch: 0 }))]);
    await p.settle();
    const more = p.page.getByRole('button', { name: 'Train 10 more epochs' });
    expect(await more.isDisabled()).toBe(false);
    expect(await p.page.getByRole('button', { name: 'Reset' }).isDisabled()).toBe(false);
    await more.click();
    const controls = async () => (await p.posted()).filter((m) => (m as { type: string }).type !== 'drawn');
    expect((await controls()).at(-1)).toEqual({ type: 'control', action: 'continue' });
    // The host extended the plan: the panel counts to the new end and Train is Resume/Pause again.
    await p.send([{ type: 'snapshot', snapshot: tinySnapshot(41, { status: 'running', epochs: 20 }) }]);
    await p.settle();
    expect(await text(p.page, '.metric:nth-child(1) dd')).toBe('11 / 20');
    expect(await p.page.getByRole('button', { name: 'Pause' }).isVisible()).toBe(true);

    // Speed: the host says the pace in force; choosing one posts it.
    await p.send([{ type: 'session', pace: 'auto', stepsPerSecond: 20, stale: false }]);
    await p.settle();
    const speed = p.page.getByRole('combobox', { name: 'Training speed' });
    expect(await speed.inputValue()).toBe('auto');
    expect(await speed.locator('option:checked').textContent()).toBe('auto (20 steps/s)');
    expect(await speed.locator('option').allTextContents()).toEqual(['auto (20 steps/s)', '1 step/s', '10 steps/s', '100 steps/s', '1,000 steps/s', 'full speed']);
    await speed.selectOption('10');
    expect((await controls()).at(-1)).toEqual({ type: 'pace', pace: 10 });
    await speed.selectOption('full');
    expect((await controls()).at(-1)).toEqual({ type: 'pace', pace: 'full' });
    await p.send([{ type: 'session', pace: 'full', stepsPerSecond: 0, stale: false }]);
    await p.settle();
    expect(await speed.inputValue()).toBe('full');
    await closeClean(p);
  });

  test('the page runs under the panel\'s CSP: an inline script is refused and reported', async () => {
    const p = await open('dark');
    const ran = await p.page.evaluate(() => {
      type G = { document: { createElement(t: string): { textContent: string }; body: { append(e: unknown): void } }; __inline?: number };
      const g = globalThis as unknown as G;
      const s = g.document.createElement('script');
      s.textContent = 'window.__inline = 1';
      g.document.body.append(s);
      return g.__inline === 1;
    });
    expect(ran).toBe(false);
    await expect
      .poll(() => p.problems())
      .toEqual([expect.stringMatching(/^CSP violation: script-src(-elem)? inline$/), expect.stringMatching(/^console\.error: Executing inline script violates .*'nonce-/)]);
    await p.page.close();
  });

  test('the product\'s bundle has no test hook: webview.js alone leaves window.__nnspec undefined', async () => {
    const product = readFileSync(path.join(ARTIFACTS, 'build', 'webview.js'), 'utf8');
    expect(product).not.toContain('__nnspec');
    expect(product).not.toContain('measureHeatmapRedraw');
    expect(readFileSync(path.join(ARTIFACTS, 'build', 'webview-hook.js'), 'utf8')).toContain('__nnspec');
  });

  test('a load failure is shown, with the message', async () => {
    const p = await open('light');
    await p.send([{ type: 'loadFailed', message: '2 errors in the spec' }]);
    await p.settle();
    expect(await p.page.getByRole('alert').textContent()).toBe('2 errors in the spec');
    await closeClean(p);
  });

  test('focusLayer switches the mode and scrolls to the layer; a reload restores the saved state', async () => {
    const p = await open('dark');
    await p.send(digits.stream);
    await p.send([{ type: 'focusLayer', layer: 2, mode: 'gradient' }]);
    await p.settle();
    await p.settle();
    expect(await p.page.getByRole('radiogroup', { name: 'Heatmap shows' }).getByRole('radio', { name: '\u2202C/\u2202w' }).getAttribute('aria-checked')).toBe('true');
    expect(await p.page.locator('#layer-2').isVisible()).toBe(true);
    const box = await p.page.locator('#layer-2').boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(900 + 1);
    await p.page.getByRole('radio', { name: 'Log' }).click();
    const saved = await p.state();
    expect(saved).toEqual({ specPath: '/work/specs/digits-128.nnspec', focusedLayer: 2, mode: 'gradient', tilesMode: 'weights', scale: 'log', xAxis: 'steps' });
    await closeClean(p);
    // VS Code reloads the webview with the saved state.
    const q = await open('dark', saved!);
    expect(await q.page.getByRole('radiogroup', { name: 'Heatmap shows' }).getByRole('radio', { name: '\u2202C/\u2202w' }).getAttribute('aria-checked')).toBe('true');
    expect(await q.page.getByRole('radio', { name: 'Log' }).getAttribute('aria-checked')).toBe('true');
    expect(await q.page.getByRole('radio', { name: 'Steps' }).getAttribute('aria-checked')).toBe('true');
    await closeClean(q);
  });

  test('accuracy says which is training and which validation; Load Weights refreshes loss and accuracy', async () => {
    const p = await open('light');
    const epochs = [{ epoch: 0, train: { loss: 0.25, accuracy: 0.98, count: 4 }, validation: { loss: 0.5, accuracy: 0.941, count: 2 } }];
    await p.send([{ type: 'init', info: tinyInfo({ validationCount: 2 }), status: 'paused', history: { stepLosses: Float32Array.from([0.5]), epochs }, latest: tinySnapshot(4) }]);
    await p.settle();
    const accuracy = p.page.locator('.metric', { hasText: 'Accuracy' }).locator('dd');
    expect(await accuracy.textContent()).toBe('98.0% train \u00b7 94.1% validation');
    // Load Weights: the loaded weights' cost and accuracy replace the last step's, until a step.
    const loadedEvaluation = { train: { loss: 0.0625, accuracy: 0.75, count: 4 }, validation: { loss: 0.125, accuracy: 0.5, count: 2 } };
    await p.send([{ type: 'snapshot', snapshot: tinySnapshot(4, { loadedEvaluation }) }]);
    await p.settle();
    expect(await p.page.locator('.metric', { hasText: 'Loss' }).locator('dd').textContent()).toBe('0.0625 loaded weights');
    expect(await accuracy.textContent()).toBe('75.0% train \u00b7 50.0% validation');
    await p.send([{ type: 'snapshot', snapshot: tinySnapshot(5) }]);
    await p.settle();
    expect(await p.page.locator('.metric', { hasText: 'Loss' }).locator('dd').textContent()).toBe('0.125');
    await closeClean(p);
  });

  test('decision boundary: axes x₁ and x₂ with ticks over the plane\'s range, and a legend of its colours', async () => {
    const p = await open('dark');
    await p.send(xor.stream);
    await p.settle();
    const plane = (xor.stream[0] as Extract<ToPanel, { type: 'init' }>).info.plane!;
    const ticks = async (axis: 'x' | 'y') => (await p.page.locator(`.boundary-card .${axis}-ticks span`).allTextContents()).map((t) => Number(t.replace('\u2212', '-')));
    for (const [axis, min, max] of [['x', plane.xMin, plane.xMax], ['y', plane.yMin, plane.yMax]] as const) {
      const values = await ticks(axis);
      expect(values.length, axis).toBeGreaterThanOrEqual(3);
      expect(Math.min(...values)).toBeGreaterThanOrEqual(min - 1e-9);
      expect(Math.max(...values)).toBeLessThanOrEqual(max + 1e-9);
    }
    expect(await text(p.page, '.boundary-card .x-title')).toBe('x\u2081');
    expect(await text(p.page, '.boundary-card .y-title')).toBe('x\u2082');
    // The lowest x tick sits at the plane's left edge in proportion, the highest near its right.
    const canvas = (await p.page.locator('canvas.boundary').boundingBox())!;
    const xs = await p.page.locator('.boundary-card .x-ticks span').evaluateAll((list) =>
      list.map((e) => {
        const r = (e as unknown as { getBoundingClientRect(): { left: number; width: number } }).getBoundingClientRect();
        return r.left + r.width / 2;
      }),
    );
    const values = await ticks('x');
    values.forEach((v, i) => expect(Math.abs(xs[i] - (canvas.x + ((v - plane.xMin) / (plane.xMax - plane.xMin)) * canvas.width))).toBeLessThanOrEqual(2));
    expect(await text(p.page, '.boundary-legend')).toBe('target 0target 1\u00b7 background: the output,low0.5 (the boundary)high');
    await closeClean(p);
  });

  test('decision boundary: the training points sit on the plane in their class colours', async () => {
    const p = await open('dark');
    await p.send(xor.stream);
    await p.settle();
    const init = xor.stream[0] as Extract<ToPanel, { type: 'init' }>;
    const plane = init.info.plane!;
    const colours = await hook(p.page, (h) => h.scaleColors(), null);
    const size = await p.page.evaluate(() => (globalThis as unknown as PageGlobal).document.querySelector('canvas.boundary')?.width ?? 0);
    expect(size).toBeGreaterThan(100);
    for (let i = 0; i < plane.points.length / 2; i++) {
      const x = Math.round(((plane.points[2 * i] - plane.xMin) / (plane.xMax - plane.xMin)) * size);
      const y = Math.round(((plane.yMax - plane.points[2 * i + 1]) / (plane.yMax - plane.yMin)) * size);
      const c = await pixel(p.page, 'canvas.boundary', x, y);
      expect(distance(c, plane.targets[i] > 0.5 ? colours.positive : colours.negative)).toBeLessThanOrEqual(2);
    }
    await closeClean(p);
  });
});

describe('screenshots (test-artifacts/webview/)', () => {
  test('beside the editor (700 px wide) the chart keeps the full width and the boundary goes below it', async () => {
    const p = await open('light');
    await p.page.setViewportSize({ width: 700, height: 900 });
    await p.send(spiral);
    await p.settle();
    const chart = await p.page.locator('.chart-card').boundingBox();
    const boundary = await p.page.locator('.boundary-card').boundingBox();
    expect(chart!.width).toBeGreaterThan(600);
    expect(boundary!.y).toBeGreaterThanOrEqual(chart!.y + chart!.height);
    await p.page.screenshot({ path: path.join(ARTIFACTS, 'spiral-light-narrow.png'), fullPage: true });
    await closeClean(p);
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    test(`spiral and digits in ${theme}`, async () => {
      const s = await open(theme);
      await s.send(spiral);
      await s.settle();
      const c = await hook(s.page, (h) => h.cellPixel(2, 5, 9), null);
      const at = await clientPoint(s.page, 'canvas[data-layer="2"]', c!.x, c!.y);
      await s.page.mouse.move(at.x, at.y);
      await s.page.screenshot({ path: path.join(ARTIFACTS, `spiral-${theme}.png`) });
      await closeClean(s);
      const d = await open(theme);
      await d.send(digits.stream);
      await d.page.getByRole('radiogroup', { name: 'Heatmap shows' }).getByRole('radio', { name: '\u0394w this epoch' }).click();
      await d.settle();
      await d.page.screenshot({ path: path.join(ARTIFACTS, `digits-${theme}.png`), fullPage: true });
      await closeClean(d);
    });
  }
});
