/// <reference lib="dom" />
/**
 * Surviving a reload in a real VS Code (code-server, Chromium): a long spiral run, the page
 * reloaded mid-run; the training panel comes back PAUSED where the checkpoint was, with a
 * non-empty loss chart, and Resume trains on from there.
 */
import type { Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench, e2eRoot, openLongSpiral, waitFor, type Session } from './harness';

const root = e2eRoot('reload');
let session: Session | undefined;
let workbench: Workbench;

beforeAll(async () => {
  ({ session, workbench } = await openLongSpiral(root));
}, 600_000);

afterAll(async () => {
  await session?.close();
});

const badge = (panel: Frame): Promise<string> => panel.evaluate(() => document.querySelector('.badge')?.textContent ?? '');
const epochShown = (panel: Frame): Promise<string> => panel.evaluate(() => document.querySelector('.metric dd')?.textContent ?? '');
const stepCount = (panel: Frame): Promise<number> => panel.evaluate(() => (window as unknown as { __nnspec: { stepCount(): number } }).__nnspec.stepCount());
const epochOf = (shown: string): number => Number(shown.split('/')[0].replace(/[^0-9]/g, ''));

describe('a window reload mid-run', () => {
  it('brings the panel back PAUSED with its chart, and Resume trains on from there', async () => {
    await workbench.runCommand('NNSpec: Train Network');
    let panel = await workbench.webviewFrame("typeof window.__nnspec === 'object'");
    await waitFor('the run to be going', () => badge(panel), (s) => s === 'running', 60_000);
    await workbench.page.waitForTimeout(7000); // at least one checkpoint while running (every 5 s)
    const before = epochOf(await epochShown(panel));
    expect(before).toBeGreaterThan(0);

    await workbench.page.reload();
    await workbench.page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    panel = await workbench.webviewFrame("typeof window.__nnspec === 'object'");
    await waitFor('the restored panel to be paused', () => badge(panel), (s) => s === 'paused', 90_000);
    const restored = epochOf(await epochShown(panel));
    expect(restored).toBeGreaterThan(0);
    expect(restored).toBeLessThanOrEqual(before + 10_000);
    expect(await stepCount(panel)).toBeGreaterThan(0);
    // One state, every readout: the status bar shows the restored epoch and the panel's loss (the
    // restored weights' loss), never "–".
    const panelLoss = await panel.evaluate(() => [...document.querySelectorAll('.metric')].find((m) => m.querySelector('dt')?.textContent === 'Loss')?.querySelector('dd')?.textContent ?? '');
    expect(panelLoss).toMatch(/\d/);
    const lossNumber = (panelLoss.match(/[\u2212-]?\d[\d.,]*(e[\u2212+-]?\d+)?/) ?? [''])[0];
    const bar = await waitFor('the status bar to show the restored epoch and loss', async () => ((await workbench.page.locator('.statusbar-item', { hasText: 'NNSpec' }).first().textContent()) ?? '').replace(/\s/g, ''), (t) => t.includes(`epoch${restored.toLocaleString('en-US')}`) && t.includes(lossNumber), 20_000);
    expect(bar).not.toContain('loss\u2013');
    await workbench.screenshot('reload-restored');

    await panel.evaluate(() => [...document.querySelectorAll('button')].find((b) => /^(Train|Resume)$/.test(b.textContent?.trim() ?? ''))?.click());
    await waitFor('the run to go on', () => badge(panel), (s) => s === 'running', 30_000);
    await waitFor('the epoch to pass the restored one', async () => epochOf(await epochShown(panel)), (e) => e > restored, 30_000);
  }, 400_000);
});
