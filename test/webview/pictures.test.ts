/**
 * Every neuron's picture in the network view, in headless Chromium with streams from the real
 * training worker: on circle (2-input data) each hidden and output neuron's activation over the
 * input plane, its values those of an independent forward pass at the grid's points and its
 * pixels the scale's colours of them; hover and keyboard texts; the legend; on digits-16-16 the
 * first layer's weight tiles beside their neurons; on iris the activation histograms; the panel
 * telling the host whether the view is on screen. Screenshots go to test-artifacts/webview/.
 */
import type { Server } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodeInput } from '../../src/core/features';
import { defaultAssetsDir, loadProject } from '../../src/core/project';
import type { LayerSnapshot, NeuronPictures, SessionInfo, ToPanel } from '../../src/protocol';
import { formatNumber } from '../../webview/format';
import { ARTIFACTS, buildBundles, launchChromium, openPanel, recordExamples, ROOT, startServer, type PanelPage, type Theme } from './harness';
import { distance, hook, pixel, text, tooltipTerms, type Hook, type Rgba } from './page';

let browser: Browser;
let server: Server;
let origin: string;
type Name = 'circle' | 'spiral' | 'digits' | 'iris';
const FILES: Record<Name, [string, number]> = { circle: ['circle', 30], spiral: ['spiral', 40], digits: ['digits-16-16', 2], iris: ['iris', 5] };
let streams = {} as Record<Name, ToPanel[]>;
const EXAMPLE = (name: string): string => path.join(ROOT, 'examples', `${name}.nnspec`);

interface PictureHook {
  pictureCount(): number;
  pictureKind(layer: number): string | undefined;
  pictureBox(layer: number, j: number): { x: number; y: number; side: number } | undefined;
  pictureGrid(layer: number): { rows: number; cols: number } | undefined;
  pictureValue(layer: number, j: number, row: number, col: number): number | undefined;
  pictureScale(layer: number): { offset: number; limit: number; low: number; mid: number; high: number } | undefined;
  pictureStep(): number | undefined;
  scaleColor(v: number, limit: number): Rgba;
  networkPoint(layer: number, j: number): { x: number; y: number } | undefined;
}

function pics<T, A>(p: PanelPage, f: (h: PictureHook, arg: A) => T, arg: A): Promise<T> {
  return hook(p.page, f as unknown as (h: Hook, arg: A) => T, arg);
}

beforeAll(async () => {
  await buildBundles();
  browser = await launchChromium();
  ({ server, origin } = await startServer());
  streams = await recordExamples(FILES);
  mkdirSync(ARTIFACTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function open(theme: Theme, name: Name): Promise<PanelPage> {
  const p = await openPanel(browser, origin, theme);
  await p.send(streams[name]);
  await p.settle();
  await p.page.locator('canvas.network').scrollIntoViewIfNeeded();
  return p;
}

async function closeClean(p: PanelPage): Promise<void> {
  expect(await p.problems()).toEqual([]);
  await p.page.close();
}

function info(name: Name): SessionInfo {
  return (streams[name].find((m) => m.type === 'init') as Extract<ToPanel, { type: 'init' }>).info;
}

/** The last snapshot with pictures, and its layers. */
function lastPictures(name: Name): { pictures: NeuronPictures; layers: LayerSnapshot[] } {
  const s = [...streams[name]].reverse().find((m) => m.type === 'snapshot' && m.snapshot.pictures) as Extract<ToPanel, { type: 'snapshot' }>;
  return { pictures: s.snapshot.pictures!, layers: s.snapshot.layers! };
}

/** a^1 … a^L for one raw input, in float64, from the snapshot's weights (independent of the engine's kernels). */
function forward(name: Name, layers: LayerSnapshot[], raw: number[]): number[][] {
  const project = loadProject(readFileSync(EXAMPLE(FILES[name][0]), 'utf8'), EXAMPLE(FILES[name][0]), { assetsDir: defaultAssetsDir() });
  if (!project.ok) throw new Error(project.message);
  const x = new Float32Array(project.trainer.layers[0].inputs);
  encodeInput(project.spec.features, project.trainer.data.normalizer, raw, x);
  let a = Array.from(x);
  const out: number[][] = [];
  info(name).layers.forEach((layer, l) => {
    const z = Array.from({ length: layer.units }, (_, j) => {
      let sum = layer.bias ? layers[l].biases[j] : 0;
      for (let k = 0; k < layer.inputs; k++) sum += layers[l].weights[j * layer.inputs + k] * a[k];
      return sum;
    });
    a = activate(layer.activation, z);
    out.push(a);
  });
  return out;
}

/** σ written out here, not the engine's table. */
function activate(activation: string, z: number[]): number[] {
  switch (activation) {
    case 'tanh':
      return z.map(Math.tanh);
    case 'sigmoid':
      return z.map((v) => 1 / (1 + Math.exp(-v)));
    case 'relu':
      return z.map((v) => Math.max(0, v));
    case 'identity':
      return z;
    case 'softmax': {
      const top = Math.max(...z);
      const e = z.map((v) => Math.exp(v - top));
      const sum = e.reduce((s, v) => s + v, 0);
      return e.map((v) => v / sum);
    }
    default:
      throw new Error(`the test has no ${activation}`);
  }
}

describe('neuron pictures', () => {
  test('circle 2-8-1: a picture beside every hidden and output neuron; its values are the forward pass over the plane, its pixels their colours', async () => {
    const p = await open('light', 'circle');
    expect(await pics(p, (h) => h.pictureCount(), null)).toBe(8 + 1);
    expect(await pics(p, (h) => [h.pictureKind(1), h.pictureKind(2)], null)).toEqual(['plane', 'plane']);
    const { pictures, layers } = lastPictures('circle');
    expect(pictures.kind).toBe('plane');
    const plane = info('circle').plane!;
    const n = (pictures as Extract<NeuronPictures, { kind: 'plane' }>).resolution;
    expect(await pics(p, (h) => h.pictureGrid(1), null)).toEqual({ rows: n, cols: n });
    for (const [l, j, row, col] of [[1, 0, 0, 0], [1, 3, 5, 17], [1, 7, n - 1, n - 1], [2, 0, n >> 1, n >> 1], [2, 0, 2, n - 3]] as const) {
      const x1 = plane.xMin + ((col + 0.5) / n) * (plane.xMax - plane.xMin);
      const x2 = plane.yMax - ((row + 0.5) / n) * (plane.yMax - plane.yMin);
      const expected = forward('circle', layers, [x1, x2])[l - 1][j];
      const shown = (await pics(p, (h, [a, b, c, d]) => h.pictureValue(a, b, c, d), [l, j, row, col] as const))!;
      expect(Math.abs(shown - expected), `layer ${l} neuron ${j} at (${x1}, ${x2})`).toBeLessThan(1e-5);
      const box = (await pics(p, (h, [a, b]) => h.pictureBox(a, b), [l, j] as const))!;
      const scale = (await pics(p, (h, a) => h.pictureScale(a), l))!;
      const want = await pics(p, (h, [v, lim]) => h.scaleColor(v, lim), [shown - scale.offset, scale.limit] as const);
      const got = await pixel(p.page, 'canvas.network', Math.floor(box.x + ((col + 0.5) / n) * box.side), Math.floor(box.y + ((row + 0.5) / n) * box.side));
      expect(distance(got, want), `pixel of layer ${l} neuron ${j} cell (${row}, ${col})`).toBeLessThanOrEqual(2);
    }
    // tanh's pictures run −1…1, the sigmoid output's 0…1 with 0.5 (the decision boundary) in the middle
    expect(await pics(p, (h) => [h.pictureScale(1), h.pictureScale(2)], null)).toEqual([
      { offset: 0, limit: 1, low: -1, mid: 0, high: 1 },
      { offset: 0.5, limit: 0.5, low: 0, mid: 0.5, high: 1 },
    ]);
    const legend = await text(p.page, '.network-legend');
    expect(legend).toContain('its activation a over the input plane');
    expect(legend).toContain('decision boundary');
    expect(legend).toContain('layer 1 (tanh), a: −101');
    await closeClean(p);
  });

  test('hovering a picture tells the neuron and the value under the pointer; the keyboard reads out what the picture shows', async () => {
    const p = await open('dark', 'circle');
    const { pictures } = lastPictures('circle');
    const n = (pictures as Extract<NeuronPictures, { kind: 'plane' }>).resolution;
    const plane = info('circle').plane!;
    const box = (await pics(p, (h) => h.pictureBox(1, 4), null))!;
    const [row, col] = [6, 15];
    const canvas = (await p.page.locator('canvas.network').boundingBox())!;
    await p.page.mouse.move(canvas.x + box.x + ((col + 0.5) / n) * box.side, canvas.y + box.y + ((row + 0.5) / n) * box.side);
    expect(await text(p.page, '#cell-tooltip .tt-title')).toBe('Layer 1 (tanh) · neuron j = 4 · its picture');
    const value = (await pics(p, (h, [r, c]) => h.pictureValue(1, 4, r, c), [row, col] as const))!;
    expect((await tooltipTerms(p.page)).here).toBe(formatNumber(value));
    const x1 = plane.xMin + ((col + 0.5) / n) * (plane.xMax - plane.xMin);
    const x2 = plane.yMax - ((row + 0.5) / n) * (plane.yMax - plane.yMin);
    expect(await text(p.page, '#cell-tooltip .tt-row[data-term="here"] .tt-note')).toBe(`at x₁ = ${formatNumber(x1)}, x₂ = ${formatNumber(x2)}`);
    // the output neuron's picture: the decision boundary's value there
    const out = (await pics(p, (h) => h.pictureBox(2, 0), null))!;
    await p.page.mouse.move(canvas.x + out.x + out.side / 2, canvas.y + out.y + out.side / 2);
    expect(await text(p.page, '#cell-tooltip .tt-title')).toBe('Layer 2 (sigmoid) · neuron j = 0 · its picture');
    await p.page.locator('canvas.network').focus();
    await p.page.keyboard.press('ArrowRight');
    expect(await text(p.page, '#live')).toMatch(/^Layer 1 \(tanh\) · neuron j = 0: .*; its picture: a over the input plane, coloured from −1 to 1$/);
    await closeClean(p);
  });

  test('digits-16-16: layer 1’s pictures are its neurons’ 28×28 weight tiles; layers 2 and 3 show activation histograms', async () => {
    const p = await open('light', 'digits');
    expect(await pics(p, (h) => [h.pictureKind(1), h.pictureKind(2), h.pictureKind(3)], null)).toEqual(['tile', 'histogram', 'histogram']);
    expect(await pics(p, (h) => h.pictureCount(), null)).toBe(16 + 16 + 10);
    expect(await pics(p, (h) => h.pictureGrid(1), null)).toEqual({ rows: 28, cols: 28 });
    const { layers } = lastPictures('digits');
    const scale = (await pics(p, (h) => h.pictureScale(1), null))!;
    let limit = 0;
    for (const w of layers[0].weights) limit = Math.max(limit, Math.abs(w));
    expect(scale.limit).toBeCloseTo(limit, 6);
    for (const [j, row, col] of [[0, 14, 14], [5, 3, 20], [15, 27, 0]] as const) {
      const w = layers[0].weights[j * 784 + row * 28 + col];
      expect(await pics(p, (h, [a, b, c]) => h.pictureValue(1, a, b, c), [j, row, col] as const)).toBe(w);
      const box = (await pics(p, (h, a) => h.pictureBox(1, a), j))!;
      const want = await pics(p, (h, [v, lim]) => h.scaleColor(v, lim), [w, limit] as const);
      const got = await pixel(p.page, 'canvas.network', Math.floor(box.x + ((col + 0.5) / 28) * box.side), Math.floor(box.y + ((row + 0.5) / 28) * box.side));
      expect(distance(got, want), `tile ${j} pixel (${row}, ${col})`).toBeLessThanOrEqual(2);
    }
    const box = (await pics(p, (h) => h.pictureBox(1, 2), null))!;
    const canvas = (await p.page.locator('canvas.network').boundingBox())!;
    // the pointer lands on whole pixels: the pixel under it says which weight it shows
    const at = { x: Math.round(canvas.x + box.x + (10.5 / 28) * box.side), y: Math.round(canvas.y + box.y + (7.5 / 28) * box.side) };
    await p.page.mouse.move(at.x, at.y);
    const col = Math.floor(((at.x - canvas.x - box.x) / box.side) * 28);
    const row = Math.floor(((at.y - canvas.y - box.y) / box.side) * 28);
    expect(await text(p.page, '#cell-tooltip .tt-title')).toBe('Layer 1 (sigmoid) · neuron j = 2 · its picture');
    expect((await tooltipTerms(p.page)).here).toBe(formatNumber(layers[0].weights[2 * 784 + row * 28 + col]));
    expect(await text(p.page, '#cell-tooltip .tt-row[data-term="here"] .tt-note')).toBe(`pixel row ${row}, column ${col} (k = ${row * 28 + col})`);
    expect(await text(p.page, '.network-legend')).toContain('layer 1: each neuron’s 784 incoming weights as a 28×28 image');
    await closeClean(p);
  });

  test('iris (4 inputs): each neuron’s picture is its activation histogram over the training samples, counted as an independent forward pass counts', async () => {
    const p = await open('light', 'iris');
    expect(await pics(p, (h) => [h.pictureKind(1), h.pictureKind(2)], null)).toEqual(['histogram', 'histogram']);
    expect(await pics(p, (h) => h.pictureCount(), null)).toBe(8 + 3);
    const { pictures, layers } = lastPictures('iris');
    if (pictures.kind !== 'histogram') throw new Error('expected histograms');
    const project = loadProject(readFileSync(EXAMPLE('iris'), 'utf8'), EXAMPLE('iris'), { assetsDir: defaultAssetsDir() });
    if (!project.ok) throw new Error(project.message);
    const train = project.trainer.data.train;
    expect(pictures.samples).toBe(Math.min(512, train.count));
    // a of every sample, here in float64 from the prepared (normalised) inputs
    const acts = Array.from({ length: pictures.samples }, (_, i) => {
      let a = Array.from(train.inputs.subarray(i * 4, i * 4 + 4));
      return info('iris').layers.map((layer, l) => {
        const z = Array.from({ length: layer.units }, (_, j) => layers[l].biases[j] + a.reduce((s, v, k) => s + layers[l].weights[j * layer.inputs + k] * v, 0));
        a = activate(layer.activation, z);
        return a;
      });
    });
    for (const l of [1, 2]) {
      const { min, max } = pictures.layers[l - 1];
      const units = info('iris').layers[l - 1].units;
      const all = acts.flatMap((s) => s[l - 1]);
      expect(min).toBeCloseTo(Math.min(...all), 5);
      expect(max).toBeCloseTo(Math.max(...all), 5);
      for (let j = 0; j < units; j++) {
        const mine = new Array(pictures.bins).fill(0);
        for (const s of acts) mine[Math.min(pictures.bins - 1, Math.floor(((s[l - 1][j] - min) / (max - min)) * pictures.bins))]++;
        const shown = await pics(p, (h, [a, b, n]) => Array.from({ length: n }, (_, c) => h.pictureValue(a, b, 0, c)), [l, j, pictures.bins] as const);
        // a value on a bin's edge may fall either side in float32: the totals agree and each bin within one
        expect(shown.reduce((s: number, v) => s + (v ?? 0), 0)).toBe(pictures.samples);
        shown.forEach((v, c) => expect(Math.abs((v ?? 0) - mine[c]), `layer ${l} neuron ${j} bin ${c}`).toBeLessThanOrEqual(1));
      }
    }
    expect(await text(p.page, '.network-legend')).toContain(`a histogram of each neuron’s activation a over ${pictures.samples} training samples`);
    const box = (await pics(p, (h) => h.pictureBox(2, 1), null))!;
    const canvas = (await p.page.locator('canvas.network').boundingBox())!;
    await p.page.mouse.move(canvas.x + box.x + box.side * 0.97, canvas.y + box.y + box.side / 2);
    const last = pictures.layers[1].counts[1 * pictures.bins + pictures.bins - 1];
    expect(await text(p.page, '#cell-tooltip .tt-row[data-term="here"] .tt-note')).toMatch(new RegExp(`: ${last} of ${pictures.samples} samples$`));
    await closeClean(p);
  });

  test('the panel tells the host when the network view comes on screen and leaves it', async () => {
    const p = await openPanel(browser, origin, 'light');
    await p.send(streams.circle);
    await p.settle();
    await p.page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await p.settle();
    const shown = async (): Promise<unknown[]> => (await p.posted()).filter((m) => (m as { type: string }).type === 'networkShown');
    await p.page.locator('canvas.network').scrollIntoViewIfNeeded();
    await p.settle();
    await expect.poll(async () => (await shown()).slice(-1)).toEqual([{ type: 'networkShown', shown: true }]);
    await p.page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await expect.poll(async () => (await shown()).slice(-1)).toEqual([{ type: 'networkShown', shown: false }]);
    await closeClean(p);
  });

  test('screenshots: circle, spiral and digits-16-16 with pictures in light, dark and high contrast', async () => {
    for (const theme of ['light', 'dark', 'high-contrast'] as const) {
      for (const name of ['circle', 'spiral', 'digits'] as const) {
        const p = await open(theme, name);
        await p.page.locator('.network-card').screenshot({ path: path.join(ARTIFACTS, `pictures-${name}-${theme}.png`) });
        await closeClean(p);
      }
    }
  });
});
