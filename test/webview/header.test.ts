/**
 * The panel's header and the host's readouts agree (src/core/readout.ts): the same snapshot fed
 * to the panel in headless Chromium and to the host's SessionState gives the same epoch and loss
 * in the header, the status bar, the code lens and the progress notification — after a restore
 * from a checkpoint (the restored weights' loss, no batch loss yet), after a live edit of
 * `epochs`, and at the next step.
 */
import type { Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Snapshot, ToPanel } from '../../src/protocol';
import { formatCount } from '../../src/core/format';
import { progressReport, SessionState, statusBarText } from '../../src/extension/sessionState';
import { buildBundles, launchChromium, openPanel, startServer, type PanelPage } from './harness';
import { tinyInfo, tinySnapshot } from './streams';

let browser: Browser;
let server: Server;
let origin: string;

beforeAll(async () => {
  await buildBundles();
  browser = await launchChromium();
  ({ server, origin } = await startServer());
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

/** The header's epoch and loss as shown. */
async function header(p: PanelPage): Promise<{ epoch: string; loss: string }> {
  const metric = (name: string) => p.page.locator('.metric', { hasText: name }).locator('dd').textContent();
  return { epoch: (await metric('Epoch')) ?? '', loss: (await metric('Loss')) ?? '' };
}

describe('the panel header and the host readouts agree', () => {
  test('after a restore, after a live edit of epochs and at the next step', async () => {
    const info = tinyInfo({ epochs: 30, stepsPerEpoch: 4 });
    const host = new SessionState();
    host.apply({ type: 'loaded', info, diagnostics: [] });
    const p = await openPanel(browser, origin, 'dark');
    const check = async (s: Snapshot, loss: string, epoch: [number, number]): Promise<void> => {
      host.apply({ type: 'snapshot', snapshot: s });
      await p.send([{ type: 'snapshot', snapshot: s }]);
      await p.settle();
      const shown = await header(p);
      expect(shown.epoch).toBe(`${formatCount(epoch[0])} / ${formatCount(epoch[1])}`);
      expect(shown.loss.replace(' loaded weights', ' (loaded weights)')).toBe(loss);
      expect(statusBarText(host)).toContain(`epoch ${epoch[0]}/${epoch[1]} · loss ${loss}`);
      expect(progressReport(host).message).toBe(`epoch ${epoch[0]}/${epoch[1]} · loss ${loss}`);
    };
    // Restored after a reload: paused at step 10, the worker's announce has no batch loss, only the weights' evaluation.
    const restored = tinySnapshot(10, { status: 'paused', loss: null, newStepLosses: new Float32Array(0), loadedEvaluation: { train: { loss: 0.03125, count: 4, accuracy: 1 } } });
    const init: ToPanel = { type: 'init', info, status: 'paused', history: { stepLosses: Float32Array.from({ length: 10 }, (_, i) => 0.5 - i / 40), epochs: [] }, latest: restored };
    await p.send([init]);
    await check(restored, '0.03125 (loaded weights)', [3, 30]);
    // A live edit of epochs while paused: the worker's next snapshot carries the new plan.
    await check({ ...restored, epochs: 60, stepsPerEpoch: 4 }, '0.03125 (loaded weights)', [3, 60]);
    // Step: the batch loss of that step everywhere.
    await check(tinySnapshot(11, { status: 'paused', loss: 0.25, epochs: 60, stepsPerEpoch: 4 }), '0.25', [3, 60]);
    expect(await p.problems()).toEqual([]);
    await p.page.close();
  });
});

describe('the speed readout says what computed', () => {
  test('"· 2 threads" beside samples/s when the threads split the work, the kernels in words on hover', async () => {
    const p = await openPanel(browser, origin, 'light');
    await p.send([{ type: 'init', info: tinyInfo(), status: 'running', history: { stepLosses: new Float32Array(0), epochs: [] } }]);
    const speed = p.page.locator('.metric', { hasText: 'Samples/s' }).locator('dd');
    const show = async (compute: Snapshot['compute'], samplesPerSecond = 123_456): Promise<{ text: string; title: string }> => {
      await p.send([{ type: 'snapshot', snapshot: tinySnapshot(5, { status: 'running', samplesPerSecond, compute }) }]);
      await p.settle();
      return { text: (await speed.textContent()) ?? '', title: (await speed.getAttribute('title')) ?? '' };
    };
    expect(await show({ kernels: 'wasm-relaxed-simd', threads: 2, threadsSet: 2 })).toEqual({
      text: `${formatCount(123_456)} · 2 threads`,
      title: 'Computed with WebAssembly SIMD kernels with fused multiply-add, 2 threads',
    });
    expect(await show({ kernels: 'js', threads: 1, threadsSet: 3 })).toEqual({
      text: formatCount(123_456),
      title: "Computed with JavaScript kernels, 1 thread of the 3 set: this network's calls are too small to split",
    });
    expect(await show({ kernels: 'wasm-simd', threads: 1, threadsSet: 1 })).toEqual({ text: formatCount(123_456), title: 'Computed with WebAssembly SIMD kernels, 1 thread' });
    // paused, no speed: no thread count beside the dash
    expect((await show({ kernels: 'wasm-simd', threads: 2, threadsSet: 2 }, 0)).text).toBe('—');
    expect(await p.problems()).toEqual([]);
    await p.page.close();
  });
});
