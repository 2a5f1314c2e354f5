/// <reference lib="dom" />
/**
 * The live loop used as a person does, in a real VS Code (code-server, Chromium): a 200,000-epoch
 * spiral run watched for a while (the panel keeps up with the worker), the panel in the light, dark
 * and high-contrast themes, wide and at ~300 px (no sideways scroll, the buttons fit), a second
 * spec trained at full pace beside it to DONE (two panels; the status bar follows the focused one).
 * Screenshots of the panel go to test-artifacts/e2e/look/ (the ones docs/ shows are copied there
 * by hand after looking at them). NNSPEC_WATCH_S sets how long the run is watched (default 60 s).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench, artifactsDir, e2eRoot, openLongSpiral, waitFor, type Session } from './harness';

const root = e2eRoot('live-loop-look');
const lookDir = join(artifactsDir, 'look');
const WATCH_S = Number(process.env.NNSPEC_WATCH_S ?? 60);
let session: Session | undefined;
let workbench: Workbench;
let spiral: Frame;
const results: Record<string, unknown> = {};

beforeAll(async () => {
  if (!THEME) throw new Error(`NNSPEC_THEME must be light, dark or hc, not ${process.env.NNSPEC_THEME}`);
  ({ session, workbench } = await openLongSpiral(root, { 'workbench.colorTheme': THEME.id }));
  mkdirSync(lookDir, { recursive: true });
}, 600_000);

afterAll(async () => {
  writeFileSync(join(lookDir, `look-${THEME?.file}.json`), JSON.stringify(results, null, 2) + '\n');
  await session?.close();
});

/**
 * The theme of this run, NNSPEC_THEME = light | dark | hc (default dark): the window starts in it
 * (code-server here picks up only the first change of workbench.colorTheme in settings.json
 * while it runs, so each theme is a run of its own).
 */
const ALL_THEMES = [
  { id: 'Default Light Modern', file: 'light', kind: 'light' },
  { id: 'Default Dark+', file: 'dark', kind: 'dark' },
  { id: 'Default High Contrast', file: 'hc', kind: 'high-contrast' },
] as const;
const THEMES = ALL_THEMES.filter((t) => t.file === (process.env.NNSPEC_THEME ?? 'dark'));
const THEME = THEMES[0];

const badge = (panel: Frame): Promise<string> => panel.evaluate(() => document.querySelector('.badge')?.textContent ?? '');
const epochShown = (panel: Frame): Promise<string> => panel.evaluate(() => document.querySelector('.metric dd')?.textContent?.replace(/\s/g, '') ?? '');
const epochOf = (shown: string): number => Number(shown.split('/')[0].replace(/[^0-9]/g, ''));
const statusBar = async (): Promise<string> => ((await workbench.page.locator('.statusbar-item', { hasText: 'NNSpec' }).first().textContent()) ?? '').replace(/\s/g, '');

/** The training panel of `spec` (its webview frame, found by the spec path its state saves). */
function panelOf(spec: string): Promise<Frame> {
  return workbench.webviewFrame(`typeof window.__nnspec === 'object' && window.__nnspec.state.specPath.endsWith('/${spec}')`);
}

/** The panel shows the theme the window started with. */
async function expectTheme(theme: (typeof ALL_THEMES)[number], panel: Frame): Promise<void> {
  const kind = (): Promise<string> => panel.evaluate(() => (window as unknown as { __nnspec: { themeKind(): string } }).__nnspec.themeKind());
  await waitFor(`the panel in ${theme.id}`, kind, (k) => k === theme.kind, 20_000);
  await workbench.page.waitForTimeout(1000); // a few frames drawn
}

/** A PNG of the panel alone (its webview's box in the window). */
async function shootPanel(panel: Frame, name: string): Promise<void> {
  const box = await (await panel.frameElement()).boundingBox();
  if (!box) throw new Error('the panel has no box on screen');
  await workbench.page.screenshot({ path: join(lookDir, `${name}.png`), clip: box });
}

/** What overflows sideways in the panel: the page's scroll width against its width, and controls past the right edge. */
function overflow(panel: Frame): Promise<{ width: number; scrollWidth: number; outside: string[] }> {
  return panel.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const outside = [...document.querySelectorAll('button, select, h1, h2, .badge, .metric, canvas')]
      .filter((e) => (e as HTMLElement).offsetParent !== null)
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5);
      })
      .map((e) => `${e.tagName.toLowerCase()}${e.className ? '.' + String(e.className).split(' ')[0] : ''} "${(e.textContent ?? '').trim().slice(0, 20)}"`);
    return { width, scrollWidth: document.documentElement.scrollWidth, outside };
  });
}

describe('the live loop as a person uses it', () => {
  it('a long spiral run watched: the panel keeps up with the worker, and Pause shows where it stopped', async () => {
    await workbench.runCommand('NNSpec: Train Network');
    spiral = await panelOf('long-spiral.nnspec');
    await waitFor('the run to be going', () => badge(spiral), (s) => s === 'running', 60_000);
    const samples: { t: number; epoch: number; snapshots: number; frames: number }[] = [];
    const started = Date.now();
    while (Date.now() - started < WATCH_S * 1000) {
      const stats = await spiral.evaluate(() => (window as unknown as { __nnspec: { stats(): { snapshots: number; frames: number } } }).__nnspec.stats());
      samples.push({ t: (Date.now() - started) / 1000, epoch: epochOf(await epochShown(spiral)), snapshots: stats.snapshots, frames: stats.frames });
      await workbench.page.waitForTimeout(Math.min(10_000, (WATCH_S * 1000) / 6));
    }
    // Shown just before the press, and where the worker stopped (its paused snapshot, shown at once).
    const before = epochOf(await epochShown(spiral));
    const t0 = Date.now();
    await spiral.evaluate(() => [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Pause')?.click());
    await waitFor('PAUSED', () => badge(spiral), (s) => s === 'paused', 10_000, 20);
    const pausedAfterMs = Date.now() - t0;
    const paused = epochOf(await epochShown(spiral));
    const first = samples[0];
    const last = samples[samples.length - 1];
    const epochsPerSecond = (last.epoch - first.epoch) / Math.max(1, last.t - first.t);
    const snapshotsPerSecond = (last.snapshots - first.snapshots) / Math.max(1, last.t - first.t);
    results.watch = { seconds: WATCH_S, samples, epochsPerSecond, snapshotsPerSecond, shownBeforePause: before, paused, jump: paused - before, pausedAfterMs, load: loadavg() };
    console.log(`watched ${WATCH_S} s: ${epochsPerSecond.toFixed(0)} epochs/s on screen, ${snapshotsPerSecond.toFixed(1)} snapshots/s drawn; Pause: shown ${before} → paused at ${paused} (+${paused - before}) after ${pausedAfterMs} ms; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    // A panel that fell behind would jump by minutes of epochs on Pause; one that keeps up by the
    // epochs of the press's latency (a few seconds at most, on a loaded machine).
    expect(paused).toBeGreaterThanOrEqual(before);
    expect(paused - before).toBeLessThan(Math.max(50, epochsPerSecond * 5));
    expect(snapshotsPerSecond).toBeGreaterThan(0.5);
    await spiral.evaluate(() => [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Resume')?.click());
    await waitFor('running again', () => badge(spiral), (s) => s === 'running', 10_000);
  }, 900_000);

  it('wide: nothing overflows; a screenshot while it trains', async () => {
    for (const theme of THEMES) {
      await expectTheme(theme, spiral);
      const o = await overflow(spiral);
      expect(o.scrollWidth, `${theme.id}: sideways scroll`).toBeLessThanOrEqual(o.width);
      expect(o.outside, `${theme.id}: outside the panel`).toEqual([]);
      await shootPanel(spiral, `panel-wide-${theme.file}`);
    }
  }, 300_000);

  it('narrow (~300 px): no sideways scroll, the buttons and headings fit', async () => {
    await workbench.runCommand('View: Toggle Primary Side Bar Visibility');
    await workbench.page.setViewportSize({ width: 700, height: 900 });
    await waitFor('a narrow panel', async () => (await overflow(spiral)).width, (w) => w < 360, 20_000);
    results.narrow = {};
    for (const theme of THEMES) {
      await expectTheme(theme, spiral);
      const o = await overflow(spiral);
      (results.narrow as Record<string, unknown>)[theme.file] = o;
      expect(o.width).toBeGreaterThan(240);
      expect(o.scrollWidth, `${theme.id}: sideways scroll at ${o.width} px`).toBeLessThanOrEqual(o.width);
      expect(o.outside, `${theme.id}: outside the panel at ${o.width} px`).toEqual([]);
      await shootPanel(spiral, `panel-narrow-${theme.file}`);
    }
    await workbench.page.setViewportSize({ width: 1400, height: 900 });
    await workbench.runCommand('View: Toggle Primary Side Bar Visibility');
  }, 300_000);

  it('two specs at once: xor trains to DONE at full pace in its own panel; the status bar follows the focused panel', async () => {
    await workbench.openFile('xor.nnspec');
    await workbench.runCommand('NNSpec: Train Network');
    const xor = await panelOf('xor.nnspec');
    await waitFor('xor DONE', () => badge(xor), (s) => s === 'done', 60_000);
    const xorEpoch = await epochShown(xor);
    expect(xorEpoch).toMatch(/^(\d[\d,]*)\/\1$/); // all epochs trained
    await expectTheme(THEME, xor);
    await shootPanel(xor, `panel-done-${THEME.file}`);
    // Focus each panel by its tab: the status bar shows that panel's session.
    await workbench.page.locator('.tabs-container .tab', { hasText: 'NNSpec: xor' }).first().click();
    await waitFor('the status bar on xor', statusBar, (t) => t.includes(`epoch${xorEpoch}`), 10_000);
    await workbench.page.locator('.tabs-container .tab', { hasText: 'NNSpec: spiral' }).first().click();
    await waitFor('the status bar on the spiral', statusBar, (t) => /\/200,000/.test(t), 10_000);
    results.twoSpecs = { xor: xorEpoch, statusBarOnSpiral: await statusBar() };
  }, 300_000);
});
