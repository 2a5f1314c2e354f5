/**
 * The loss chart's live-edit marks and its bounded history, in headless Chromium (the real page,
 * CSP and bundle): a mark is a line over the plot with a label beside it ("η 0.5 → 0.1"), shorter
 * or none where there is no room (a 300 px panel), the full text in the tooltip near it; marks
 * come with a snapshot, come back with an init (a reload's history) and go with a reset. A long
 * run's history stays flat in the page's memory.
 */
import type { Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HyperMark, PanelState, ToPanel } from '../../src/protocol';
import { ARTIFACTS, buildBundles, launchChromium, openPanel, startServer, type PanelPage, type Theme } from './harness';
import { clientPoint, hook, pixel } from './page';
import { tinyInfo, tinyInit, tinySnapshot } from './streams';

let browser: Browser;
let server: Server;
let origin: string;

beforeAll(async () => {
  await buildBundles();
  browser = await launchChromium();
  ({ server, origin } = await startServer());
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function open(theme: Theme = 'dark', state: PanelState | null = null): Promise<PanelPage> {
  return openPanel(browser, origin, theme, state);
}

async function closeClean(p: PanelPage): Promise<void> {
  expect(await p.problems()).toEqual([]);
  await p.page.close();
}

const CANVAS = '.chart-box canvas';
const losses = Array.from({ length: 200 }, (_, i) => 0.5 / (1 + i / 20));
const info = tinyInfo({ epochs: 50, stepsPerEpoch: 4 });

function mark(step: number, name: HyperMark['name'], from: number | 'full', to: number | 'full', symbol: string): HyperMark {
  return { step, name, from, to, text: `${symbol} ${from} → ${to} at step ${step.toLocaleString('en-US')}` };
}

function withMarks(marks: HyperMark[]): ToPanel {
  const init = tinyInit(losses, tinySnapshot(200, { status: 'paused', newStepLosses: new Float32Array(0), loss: losses[199] }), info) as Extract<ToPanel, { type: 'init' }>;
  return { ...init, history: { ...init.history, marks } };
}

/** Of the plot's column at x, the share of pixels that differ from the column 4 px to the left. */
async function lineShare(p: PanelPage, x: number, top: number, bottom: number): Promise<number> {
  let differ = 0;
  let count = 0;
  for (let y = Math.ceil(top) + 20; y < bottom - 2; y += 3) {
    const a = await pixel(p.page, CANVAS, Math.round(x), y);
    const b = await pixel(p.page, CANVAS, Math.round(x) - 4, y);
    count++;
    if (Math.max(Math.abs(a.r - b.r), Math.abs(a.g - b.g), Math.abs(a.b - b.b)) > 20) differ++;
  }
  return differ / count;
}

describe('live-edit marks on the loss chart', () => {
  test('each mark is a line where the new value starts, labelled "η 0.5 → 0.1"; the tooltip near it gives the full text', async () => {
    const p = await open('dark');
    await p.page.setViewportSize({ width: 1000, height: 900 });
    const marks = [mark(50, 'rate', 0.5, 0.1, 'η'), mark(120, 'batch', 4, 16, 'batch')];
    await p.send([withMarks(marks)]);
    await p.settle();
    const drawn = await hook(p.page, (h) => h.chartMarks(), null);
    expect(drawn.map((m) => [m.text, m.label])).toEqual([
      ['η 0.5 → 0.1 at step 50', 'η 0.5 → 0.1'],
      ['batch 4 → 16 at step 120', 'batch 4 → 16'],
    ]);
    // Where step 49.5 and 119.5 are: between the last step with the old value and the first with the new.
    const { x: ticks } = await hook(p.page, (h) => h.chartTicks(), null);
    expect(ticks.length).toBeGreaterThan(2);
    expect(drawn[0].x).toBeLessThan(drawn[1].x);
    expect((drawn[1].x - drawn[0].x) / (119.5 - 49.5)).toBeCloseTo((drawn[0].right - drawn[0].x) / (200 - 49.5), 0);
    // The lines are on the canvas (not only in the layout).
    for (const m of drawn) expect(await lineShare(p, m.x, m.top, m.bottom)).toBeGreaterThan(0.3);
    // Away from the marks, a column of the plot is mostly background.
    expect(await lineShare(p, (drawn[0].x + drawn[1].x) / 2, drawn[0].top, drawn[0].bottom)).toBeLessThan(0.2);

    // Hover: near the first mark the tooltip ends with its full text; far from both, no mark is named.
    const y = Math.round((drawn[0].top + drawn[0].bottom) / 2);
    const near = await clientPoint(p.page, CANVAS, Math.round(drawn[0].x) + 2, y);
    await p.page.mouse.move(near.x, near.y);
    await p.settle();
    const tip = await hook(p.page, (h) => h.chartTooltip(), null);
    expect(tip.visible).toBe(true);
    expect(tip.footer).toEqual(['η 0.5 → 0.1 at step 50']);
    const far = await clientPoint(p.page, CANVAS, Math.round((drawn[0].x + drawn[1].x) / 2), y);
    await p.page.mouse.move(far.x, far.y);
    await p.settle();
    expect((await hook(p.page, (h) => h.chartTooltip(), null)).footer).toEqual([]);
    // Screen readers get the marks with the chart's description.
    expect(await p.page.locator(CANVAS).getAttribute('aria-label')).toContain('live edits: η 0.5 → 0.1 at step 50; batch 4 → 16 at step 120');
    await p.page.locator('.chart-card').screenshot({ path: path.join(ARTIFACTS, 'loss-marks-dark.png') });
    await closeClean(p);
  });

  for (const theme of ['light', 'high-contrast'] as const) {
    test(`a narrow panel (300 px, ${theme}): labels shorten or give way so none overlaps; every line still drawn`, async () => {
      const p = await open(theme);
      await p.page.setViewportSize({ width: 300, height: 900 });
      const marks = [mark(50, 'rate', 0.5, 0.1, 'η'), mark(62, 'momentum', 0.9, 0.5, 'μ'), mark(150, 'rate', 0.1, 0.025, 'η')];
      await p.send([withMarks(marks)]);
      await p.settle();
      const drawn = await hook(p.page, (h) => h.chartMarks(), null);
      expect(drawn).toHaveLength(3);
      // Labels inside the plot, none over another, none across another mark's line.
      const labels = drawn.filter((m) => m.label);
      for (const m of labels) {
        expect(m.labelX, m.label).toBeGreaterThanOrEqual(m.left);
        expect(m.labelX + m.width, m.label).toBeLessThanOrEqual(m.right);
        for (const other of drawn) if (other !== m) expect(other.x <= m.labelX || other.x >= m.labelX + m.width, `${m.label} over the line of ${other.text}`).toBe(true);
      }
      for (let i = 1; i < labels.length; i++) expect(labels[i].labelX, labels[i].label).toBeGreaterThanOrEqual(labels[i - 1].labelX + labels[i - 1].width);
      for (const m of drawn) expect(await lineShare(p, m.x, m.top, m.bottom)).toBeGreaterThan(0.3);
      // Two marks 12 steps apart cannot both be labelled on 300 px, but the lone one is: at least its short label.
      expect(labels.length).toBeGreaterThanOrEqual(2);
      expect(['η 0.1 → 0.025', 'η 0.025']).toContain(drawn[2].label);
      // No sideways scroll.
      expect(await p.page.evaluate(() => {
        const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return d.scrollWidth - d.clientWidth;
      })).toBe(0);
      await p.page.locator('.chart-card').screenshot({ path: path.join(ARTIFACTS, `loss-marks-narrow-${theme}.png`) });
      await closeClean(p);
    });
  }

  test('a snapshot brings its marks; an init (the history after a reload) brings them back; a reset clears them', async () => {
    const p = await open('light');
    await p.send([withMarks([])]);
    await p.settle();
    expect(await hook(p.page, (h) => h.chartMarks(), null)).toEqual([]);
    await p.send([{ type: 'snapshot', snapshot: tinySnapshot(201, { status: 'running', newMarks: [mark(201, 'rate', 0.5, 0.2, 'η')] }) }]);
    await p.settle();
    expect((await hook(p.page, (h) => h.chartMarks(), null)).map((m) => m.text)).toEqual(['η 0.5 → 0.2 at step 201']);
    // A reload: the host's init carries the marks it kept (and checkpointed).
    await p.page.reload();
    await p.page.waitForFunction(() => (globalThis as unknown as { __nnspec?: unknown }).__nnspec !== undefined);
    await p.send([withMarks([mark(201, 'rate', 0.5, 0.2, 'η')])]);
    await p.settle();
    expect((await hook(p.page, (h) => h.chartMarks(), null)).map((m) => m.text)).toEqual(['η 0.5 → 0.2 at step 201']);
    // Reset: the host sends an init with an empty history.
    await p.send([tinyInit([], undefined, info)]);
    await p.settle();
    expect(await hook(p.page, (h) => h.chartMarks(), null)).toEqual([]);
    await closeClean(p);
  });

  test('on the epochs axis a mark sits at (step − ½) / steps per epoch', async () => {
    const p = await open('dark', { specPath: info.specPath, xAxis: 'epochs' });
    await p.send([withMarks([mark(101, 'rate', 0.5, 0.1, 'η')])]);
    await p.settle();
    const [m] = await hook(p.page, (h) => h.chartMarks(), null);
    // Epoch 25 (step 100.5 / 4 = 25.125) lies a quarter of the axis of 0 … 50 epochs in (the axis starts at 0).
    const left = await p.page.evaluate(() => 0);
    expect(left).toBe(0);
    expect(m.label).toBe('η 0.5 → 0.1');
    const ticks = (await hook(p.page, (h) => h.chartTicks(), null)).x;
    expect(ticks[ticks.length - 1].value).toBe(50);
    await closeClean(p);
  });
});

describe('the panel\'s history on a long run', () => {
  test('5 million steps through snapshots: the page keeps at most its capacity of buckets, the chart at most 2 × buckets + 2 points', async () => {
    const p = await open('dark');
    await p.send([tinyInit([], undefined, tinyInfo({ epochs: 1_250_000, stepsPerEpoch: 4 }))]);
    const before = await hook(p.page, (h) => h.historyMemory(), null);
    // 50 snapshots of 100,000 steps each (a run faster than the panel draws).
    for (let k = 1; k <= 50; k++) {
      const newStepLosses = Float32Array.from({ length: 100_000 }, (_, i) => 1 / Math.sqrt(1 + (k - 1) * 100_000 + i));
      await p.send([{ type: 'snapshot', snapshot: tinySnapshot(k * 100_000, { status: 'running', newStepLosses, layers: undefined, trace: undefined }) }]);
    }
    await p.settle();
    const after = await hook(p.page, (h) => h.historyMemory(), null);
    expect(await hook(p.page, (h) => h.stepCount(), null)).toBe(5_000_000);
    expect(after.bytes).toBe(before.bytes);
    expect(after.kept).toBeLessThanOrEqual(1 << 15);
    expect(after.stride).toBeGreaterThan(1);
    const buckets = await hook(p.page, (h) => h.chartBuckets, null);
    const raw = (await hook(p.page, (h) => h.chartSeries(), null)).find((s) => s.label === 'Batch loss')?.points ?? [];
    expect(raw.length).toBeLessThanOrEqual(2 * buckets + 2);
    expect(raw[0]).toEqual({ x: 1, y: 1 });
    expect(raw[raw.length - 1].x).toBe(5_000_000);
    await closeClean(p);
  });
});
