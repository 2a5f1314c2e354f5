/**
 * The panel's confusion matrix and histograms over time (webview/confusion.ts, histograms.ts) in
 * headless Chromium, fed streams recorded from the real training worker; screenshots of both in
 * the light, dark and high-contrast test themes (test-artifacts/webview/insights-*.png).
 */
import type { Server } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Snapshot, ToPanel } from '../../src/protocol';
import { parseColor } from '../../webview/colors';
import { ARTIFACTS, buildBundles, launchChromium, openPanel, recordSession, ROOT, startServer, themeVariable, type PanelPage, type Theme } from './harness';
import { distance, hook, pixel, type Rgba } from './page';

let browser: Browser;
let server: Server;
let origin: string;
/** circle (binary, 80 held out), 12 epochs one by one. */
let circle: { stream: ToPanel[]; last: Snapshot; validationAccuracy: number };
/** digits-30's network on 600 digits: 10 classes. */
let digits: ToPanel[];

const DIGITS = `network digits-small
input 28x28
dense 30 sigmoid
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
  const c = await recordSession(readFileSync(path.join(ROOT, 'examples/circle.nnspec'), 'utf8'), path.join(ROOT, 'examples/circle.nnspec'));
  for (let i = 0; i < 12; i++) await c.send({ type: 'stepEpoch' });
  await c.close();
  const epochs = c.state.epochs;
  circle = { stream: c.stream, last: c.state.latest as Snapshot, validationAccuracy: epochs[epochs.length - 1].validation?.accuracy ?? NaN };
  const d = await recordSession(DIGITS, '/work/specs/digits-small.nnspec');
  for (let i = 0; i < 2; i++) await d.send({ type: 'stepEpoch' });
  await d.close();
  digits = d.stream;
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function closeClean(p: PanelPage): Promise<void> {
  expect(await p.problems()).toEqual([]);
  await p.page.close();
}

function themeColor(theme: Theme, name: string): Rgba {
  const c = parseColor(themeVariable(theme, name) ?? '');
  if (!c) throw new Error(`the ${theme} test theme has no --vscode-${name}`);
  return c;
}

/** The colour at the centre of confusion cell (i, j). */
async function cellColour(p: PanelPage, i: number, j: number): Promise<Rgba> {
  const at = await hook(p.page, (h, [a, b]) => h.confusionCell(a, b), [i, j] as const);
  return pixel(p.page, '.confusion-card canvas', Math.round(at.x), Math.round(at.y));
}

describe('confusion matrix', () => {
  test('shows the validation part’s matrix, its diagonal share is the epoch’s validation accuracy, the diagonal blue and mistakes red', async () => {
    const p = await openPanel(browser, origin, 'light');
    await p.send(circle.stream);
    await p.settle();
    expect(await p.page.locator('.confusion-card').isVisible()).toBe(true);
    expect(await p.page.locator('.confusion-card header').textContent()).toContain(`validation part · step ${circle.last.step}`);
    const accuracy = await hook(p.page, (h) => h.confusionAccuracy(), null);
    expect(accuracy).toBeCloseTo(circle.validationAccuracy, 10);
    const label = await p.page.locator('.confusion-card canvas').getAttribute('aria-label');
    expect(label).toMatch(/rows actual class, columns predicted class/);
    const blue = themeColor('light', 'charts-blue');
    const red = themeColor('light', 'charts-red');
    const card = themeColor('light', 'editorWidget-background');
    for (const i of [0, 1]) {
      const diagonal = await cellColour(p, i, i);
      expect(distance(diagonal, blue)).toBeLessThan(distance(diagonal, red));
      // a mistake cell is red, or the card's colour when there is none
      const off = await cellColour(p, i, 1 - i);
      expect(Math.min(distance(off, red), distance(off, card))).toBeLessThan(distance(off, blue));
    }
    await closeClean(p);
  });

  test('10 digit classes: names along both axes, a reset clears the matrix', async () => {
    const p = await openPanel(browser, origin, 'dark');
    await p.send(digits);
    await p.settle();
    const label = (await p.page.locator('.confusion-card canvas').getAttribute('aria-label')) ?? '';
    for (let c = 0; c < 10; c++) expect(label).toContain(` ${c}: `);
    const init = digits.find((m) => m.type === 'init') as Extract<ToPanel, { type: 'init' }>;
    await p.send([{ ...init, latest: undefined, history: { stepLosses: new Float32Array(0), epochs: [] } }]);
    await p.settle();
    expect(await p.page.locator('.confusion-card').isVisible()).toBe(false);
    await closeClean(p);
  });
});

describe('histograms over time', () => {
  test('one offset histogram per layer, a slice per snapshot that brought them, in step order; the kind switch redraws', async () => {
    const p = await openPanel(browser, origin, 'dark');
    await p.send(circle.stream);
    await p.settle();
    const brought = circle.stream.filter((m): m is Extract<ToPanel, { type: 'snapshot' }> => m.type === 'snapshot' && m.snapshot.histograms !== undefined).map((m) => m.snapshot.step);
    const steps = await hook(p.page, (h) => h.histogramSteps(1), null);
    expect(steps).toEqual(brought.slice(-40));
    expect(steps.length).toBeGreaterThan(5);
    expect(await p.page.locator('.histograms-card canvas').count()).toBe(2);
    const before = await p.page.locator('.histograms-card canvas[data-histogram-layer="1"]').getAttribute('aria-label');
    expect(before).toMatch(/^the weights w_jk: \d+ steps, the latest \(step \d+\)/);
    await p.page.getByRole('radiogroup', { name: 'Histograms of' }).getByRole('radio', { name: '|Δw|/|w|' }).click();
    await p.settle();
    expect(await hook(p.page, (h) => h.histogramKind(), null)).toBe('ratios');
    const after = await p.page.locator('.histograms-card canvas[data-histogram-layer="1"]').getAttribute('aria-label');
    expect(after).toMatch(/^the update ratio .* from 1e[-−]\d/);
    await closeClean(p);
  });
});

describe('screenshots (test-artifacts/webview/insights-*.png)', () => {
  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    test(theme, async () => {
      const p = await openPanel(browser, origin, theme);
      await p.page.setViewportSize({ width: 1100, height: 900 });
      await p.send(digits);
      await p.settle();
      await p.page.locator('.insights').screenshot({ path: path.join(ARTIFACTS, `insights-digits-${theme}.png`) });
      await p.page.close();
      const c = await openPanel(browser, origin, theme);
      await c.page.setViewportSize({ width: 1100, height: 900 });
      await c.send(circle.stream);
      await c.settle();
      await c.page.locator('.insights').screenshot({ path: path.join(ARTIFACTS, `insights-circle-${theme}.png`) });
      await closeClean(c);
    });
  }
});
