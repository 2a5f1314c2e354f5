/// <reference lib="dom" />
/**
 * `nnspec.threads` in a real VS Code (code-server, Chromium): with the setting at 2, a network of
 * network C's size trains in the extension's worker on 2 threads, and the panel says so beside the
 * speed ("· 2 threads") and on hover (which kernel build: the extension host's runtime decides
 * between the plain and the relaxed-SIMD one). The kernels and threads seen, and a screenshot of the
 * panel, go to test-artifacts/e2e/ (threads.json, threads-panel.png). Then the window is reloaded
 * mid-run: the session comes back paused from its checkpoint, and Resume trains on 2 threads again.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench, artifactsDir, e2eRoot, openExamples, waitFor, type Session } from './harness';

const root = e2eRoot('threads');
let session: Session | undefined;
let workbench: Workbench;

/** 784-128-64-10 on the digits, batch 64: its first two layers' products are split across the threads. */
const WIDE = ['network wide', 'input 28x28', 'dense 128 relu', 'dense 64 relu', 'dense 10 softmax', 'loss cce', 'optimizer sgd rate=0.1', 'batch 64', 'epochs 2000', 'seed 1', 'data digits', 'validation 0.1', ''].join('\n');

beforeAll(async () => {
  ({ session, workbench } = await openExamples(root, { 'nnspec.threads': 2, 'nnspec.pace': 'full' }, (workspace) => writeFileSync(join(workspace, 'wide.nnspec'), WIDE)));
}, 600_000);

afterAll(async () => {
  await session?.close();
});

const speedReadout = (panel: Frame): Promise<{ text: string; title: string }> =>
  panel.evaluate(() => {
    const box = [...document.querySelectorAll('.metric')].find((m) => m.querySelector('dt')?.textContent === 'Samples/s');
    const dd = box?.querySelector('dd');
    return { text: dd?.textContent ?? '', title: dd?.getAttribute('title') ?? '' };
  });

const badge = (panel: Frame): Promise<string> => panel.evaluate(() => document.querySelector('.badge')?.textContent ?? '');
/** Clicks the panel's button labelled `name` (Train/Pause/Resume). */
const press = (panel: Frame, name: string): Promise<void> =>
  panel.evaluate((label) => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent === label);
    if (!button) throw new Error(`no ${label} button in the panel`);
    button.click();
  }, name);
const wide = (): Promise<Frame> => workbench.webviewFrame("typeof window.__nnspec === 'object' && window.__nnspec.state.specPath.endsWith('/wide.nnspec')");

describe('nnspec.threads = 2', () => {
  it('trains a C-sized network on 2 threads, and the panel says so beside the speed and on hover', async () => {
    await workbench.openFile('wide.nnspec');
    await workbench.runCommand('NNSpec: Train Network');
    await workbench.page.locator('.tabs-container .tab', { hasText: 'NNSpec: ' }).first().waitFor({ timeout: 30_000 });
    const panel = await wide();
    const shown = await waitFor('the speed readout to say 2 threads', () => speedReadout(panel), (s) => /· 2 threads$/.test(s.text), 60_000);
    expect(shown.title).toMatch(/^Computed with WebAssembly SIMD kernels( with fused multiply-add)?, 2 threads$/);
    mkdirSync(artifactsDir, { recursive: true });
    const box = await (await panel.frameElement()).boundingBox();
    if (box) await workbench.page.screenshot({ path: join(artifactsDir, 'threads-panel.png'), clip: box });
    writeFileSync(join(artifactsDir, 'threads.json'), JSON.stringify({ speedReadout: shown }, null, 2) + '\n');
  }, 180_000);

  it('after a window reload mid-run, comes back paused and Resume trains on 2 threads again', async () => {
    let panel = await wide();
    await waitFor('the run to be going', () => badge(panel), (s) => s === 'running', 30_000);
    await workbench.page.waitForTimeout(7000); // at least one checkpoint while running (every 5 s)
    await workbench.page.reload();
    await workbench.page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    panel = await wide();
    await waitFor('the restored panel to be paused', () => badge(panel), (s) => s === 'paused', 90_000);
    await press(panel, 'Resume');
    await waitFor('the resumed run to say 2 threads', () => speedReadout(panel), (r) => /· 2 threads$/.test(r.text), 60_000);
    await press(panel, 'Pause');
    await waitFor('the run to pause', () => badge(panel), (s) => s === 'paused', 30_000);
  }, 240_000);
});
