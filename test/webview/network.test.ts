/**
 * The network view and Walk Through a Step in headless Chromium: neurons and links as drawn
 * (counts, bands for wide layers, colours by mode), hover stories, point-and-click edit messages,
 * and the walk showing, stage by stage, exactly the numbers `nnspec explain --json` gives for the
 * same sample at the same weights. Screenshots go to test-artifacts/webview/.
 */
import type { Server } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { explainNextStep, type StepExplanation } from '../../src/core/engine/explain';
import { defaultAssetsDir, loadProject } from '../../src/core/project';
import type { ToPanel } from '../../src/protocol';
import { formatNumber } from '../../webview/format';
import { nnspec } from '../unit/cli-support';
import { ARTIFACTS, buildBundles, launchChromium, openPanel, recordExamples, ROOT, startServer, type PanelPage, type Theme } from './harness';
import { hook, text, tooltipTerms, type Hook, type PageGlobal } from './page';

let browser: Browser;
let server: Server;
let origin: string;
let streams: Record<'xor' | 'spiral' | 'digits', ToPanel[]> = { xor: [], spiral: [], digits: [] };
const EXAMPLE = (name: string): string => path.join(ROOT, 'examples', `${name}.nnspec`);

interface NetHook {
  networkCounts(): { circles: number[]; bands: boolean[]; links: number };
  networkPoint(layer: number, j: number): { x: number; y: number } | undefined;
  linkPoint(layer: number, j: number, k: number): { x: number; y: number } | undefined;
  linkColor(layer: number, j: number, k: number): string;
  networkDraws(): { draws: number; lastMs: number };
  walkStage(): { phase: number; layer?: number; title: string; count: number } | undefined;
}

function net<T, A>(p: PanelPage, f: (h: NetHook, arg: A) => T, arg: A): Promise<T> {
  return hook(p.page, f as unknown as (h: Hook, arg: A) => T, arg);
}

beforeAll(async () => {
  await buildBundles();
  browser = await launchChromium();
  ({ server, origin } = await startServer());
  streams = await recordExamples({ xor: ['xor', 3], spiral: ['spiral', 40], digits: ['digits-16-16', 2] });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function open(theme: Theme, name: keyof typeof streams): Promise<PanelPage> {
  const p = await openPanel(browser, origin, theme);
  await p.send(streams[name]);
  await p.settle();
  return p;
}

async function closeClean(p: PanelPage): Promise<void> {
  expect(await p.problems()).toEqual([]);
  await p.page.close();
}

/** Moves the mouse to canvas-local (CSS px) point q of the network canvas. */
async function hover(p: PanelPage, q: { x: number; y: number }): Promise<void> {
  await p.page.locator('canvas.network').scrollIntoViewIfNeeded();
  const box = (await p.page.locator('canvas.network').boundingBox())!;
  await p.page.mouse.move(box.x + q.x, box.y + q.y);
}

describe('the network view', () => {
  test('xor 2-4-1: every neuron and every link; links coloured by the sign of the mode’s value', async () => {
    const p = await open('light', 'xor');
    expect(await net(p, (h) => h.networkCounts(), null)).toEqual({ circles: [2, 4, 1], bands: [false, false, false], links: 2 * 4 + 4 * 1 });
    const init = streams.xor.find((m) => m.type === 'init')!;
    const last = [...streams.xor].reverse().find((m) => m.type === 'snapshot' && m.snapshot.layers) as Extract<ToPanel, { type: 'snapshot' }>;
    const layers = last.snapshot.layers!;
    expect(init.type).toBe('init');
    for (const [mode, key] of [['weights', 'weights'], ['gradient', 'gradWeights'], ['lastDelta', 'lastDeltaWeights']] as const) {
      await p.page.locator(`.network-card .seg[data-value="${mode}"]`).click();
      await p.settle();
      for (let l = 1; l <= 2; l++) {
        const values = layers[l - 1][key];
        const inputs = l === 1 ? 2 : 4;
        for (let i = 0; i < values.length; i++) {
          const color = await net(p, (h, [a, b, c]) => h.linkColor(a, b, c), [l, Math.floor(i / inputs), i % inputs] as const);
          const [r, , blue] = color.match(/\d+/g)!.map(Number);
          // positive → the scale's blue end, negative → its red end
          if (Math.abs(values[i]) > 1e-6) expect(values[i] > 0 ? blue > r : r > blue, `${mode} layer ${l} link ${i}: ${values[i]} drawn ${color}`).toBe(true);
        }
      }
    }
    await closeClean(p);
  });

  test('hovering a neuron tells z, a, δ, b and ∂C/∂b; hovering a link tells the heatmap cell’s story', async () => {
    const p = await open('dark', 'xor');
    const last = [...streams.xor].reverse().find((m) => m.type === 'snapshot' && m.snapshot.trace) as Extract<ToPanel, { type: 'snapshot' }>;
    const { trace, layers } = last.snapshot;
    const q = (await net(p, (h) => h.networkPoint(1, 2), null))!;
    await hover(p, q);
    expect(await text(p.page, '#cell-tooltip .tt-title')).toBe('Layer 1 (tanh) · neuron j = 2');
    expect(await tooltipTerms(p.page)).toEqual({
      z: formatNumber(trace!.zs![0][2]),
      a: formatNumber(trace!.activations[1][2]),
      delta: formatNumber(trace!.deltas[0][2]),
      b: formatNumber(layers![0].biases[2]),
      grad: formatNumber(layers![0].gradBiases[2]),
    });
    const m = (await net(p, (h) => h.linkPoint(2, 0, 3), null))!;
    await hover(p, m);
    expect(await text(p.page, '#cell-tooltip .tt-title')).toBe('Layer 2 · weight j = 0, k = 3');
    const terms = await tooltipTerms(p.page);
    expect(terms.w).toBe(formatNumber(layers![1].weights[3]));
    expect(terms.grad).toBe(formatNumber(layers![1].gradWeights[3]));
    expect(terms.a).toBe(formatNumber(trace!.activations[1][3]));
    await closeClean(p);
  });

  test('keyboard: the canvas takes focus and arrow keys read out neurons', async () => {
    const p = await open('light', 'xor');
    await p.page.locator('canvas.network').focus();
    await p.page.keyboard.press('ArrowRight');
    await p.page.keyboard.press('ArrowDown');
    expect(await text(p.page, '#live')).toMatch(/^Layer 1 \(tanh\) · neuron j = 1: z = /);
    await p.page.keyboard.press('ArrowRight');
    expect(await text(p.page, '#live')).toMatch(/^Layer 2 \(sigmoid\) · neuron j = 0: /);
    await closeClean(p);
  });

  test('digits-16-16 (784-16-16-10): the input is a band with its 64 largest links (the draw time is logged)', async () => {
    const p = await open('dark', 'digits');
    const counts = await net(p, (h) => h.networkCounts(), null);
    expect(counts.bands).toEqual([true, false, false, false]);
    expect(counts.circles).toEqual([0, 16, 16, 10]);
    expect(counts.links).toBe(64 + 16 * 16 + 16 * 10);
    expect(await text(p.page, '.network-card > .muted')).toContain('drawn as a band');
    const draws = await net(p, (h) => h.networkDraws(), null);
    expect(draws.draws).toBeGreaterThan(0);
    console.log(`network view draw, 784-16-16-10: ${draws.lastMs.toFixed(2)} ms`);
    await closeClean(p);
  });

  test('click a hidden layer, then "+ neuron": the panel asks the host to edit the spec', async () => {
    const p = await open('light', 'xor');
    const add = p.page.locator('[data-edit="add-neuron"]');
    expect(await add.isDisabled()).toBe(true);
    const q = (await net(p, (h) => h.networkPoint(1, 0), null))!;
    await p.page.locator('canvas.network').click({ position: q });
    expect(await add.isDisabled()).toBe(false);
    await add.click();
    await p.page.locator('[data-edit="add-layer"]').click();
    await p.page.locator('.network-card select').selectOption('relu');
    await p.page.locator('input[data-field="rate"]').fill('0.25');
    await p.page.locator('input[data-field="rate"]').press('Enter');
    const posted = (await p.posted()).filter((m) => (m as { type: string }).type === 'editSpec');
    expect(posted).toEqual([
      { type: 'editSpec', edit: { kind: 'addNeuron', layer: 1 } },
      { type: 'editSpec', edit: { kind: 'addLayer', after: 1 } },
      { type: 'editSpec', edit: { kind: 'setActivation', layer: 1, activation: 'relu' } },
      { type: 'editSpec', edit: { kind: 'setRate', value: 0.25 } },
    ]);
    // the output layer's width comes from the data: no neuron buttons for it
    const o = (await net(p, (h) => h.networkPoint(2, 0), null))!;
    await p.page.locator('canvas.network').click({ position: o });
    expect(await add.isDisabled()).toBe(true);
    await closeClean(p);
  });

  test('screenshots: xor, spiral and digits-16-16 in light, dark and high contrast', async () => {
    for (const theme of ['light', 'dark', 'high-contrast'] as const) {
      for (const name of ['xor', 'spiral', 'digits'] as const) {
        const p = await open(theme, name);
        await p.page.locator('.network-card').screenshot({ path: path.join(ARTIFACTS, `network-${name}-${theme}.png`) });
        await closeClean(p);
      }
    }
  });
});

describe('Walk Through a Step', () => {
  /** The walk of xor's first step, made as the worker makes it. */
  function xorWalk(sample?: number): StepExplanation {
    const project = loadProject(readFileSync(EXAMPLE('xor'), 'utf8'), EXAMPLE('xor'), { assetsDir: defaultAssetsDir() });
    if (!project.ok) throw new Error(project.message);
    return explainNextStep(project.trainer, sample);
  }

  async function cells(p: PanelPage, name: string): Promise<string[]> {
    return p.page.evaluate((n) => {
      const g = globalThis as unknown as PageGlobal;
      const box = g.document.querySelector(`.walk-stage .walk-quantity[data-name="${n}"]`);
      if (!box) return [];
      const all = box.querySelectorAll('.walk-cell');
      return Array.from({ length: all.length }, (_, i) => all[i].textContent ?? '');
    }, name);
  }

  test('every stage shows the numbers of nnspec explain --json; Back, Next (and keys), Finish takes the step', async () => {
    const walk = xorWalk(2);
    const json = JSON.parse((await nnspec(['explain', 'examples/xor.nnspec', '--sample', String(walk.sample.sample), '--json'])).stdout);
    const p = await openPanel(browser, origin, 'light');
    // the panel of a fresh xor session (step 0, as the walk's)
    await p.send([streams.xor[0]]);
    await p.page.locator('.walk-start').click();
    expect((await p.posted()).filter((m) => (m as { type: string }).type === 'walk')).toEqual([{ type: 'walk' }]);
    await p.send([{ type: 'walk', walk }]);
    await p.settle();
    const f = (values: number[]): string[] => values.map((v) => formatNumber(v));
    const stage = () => net(p, (h) => h.walkStage(), null);
    const seen: string[] = [];
    expect((await stage())!.count).toBe(1 + 2 + 1 + 1 + 1 + 2 + 2);
    for (;;) {
      const s = (await stage())!;
      seen.push(`${s.phase}:${s.layer ?? ''}`);
      const l = s.layer ?? 0;
      const layer = json.layers[l - 1];
      switch (`${s.phase}`) {
        case '1':
          expect(await cells(p, 'x')).toEqual(f(json.x));
          expect(await cells(p, 'y')).toEqual(f(json.y));
          break;
        case '2':
          expect(await cells(p, 'z')).toEqual(f(layer.z));
          expect(await cells(p, 'a')).toEqual(f(layer.a));
          break;
        case '3':
          expect(await cells(p, 'cost')).toEqual(f([json.cost]));
          break;
        case '4':
        case '5':
          expect(await cells(p, 'delta')).toEqual(f(layer.delta));
          break;
        case '6':
          expect(await cells(p, 'db')).toEqual(f(layer.db));
          expect(await cells(p, 'dW')).toEqual(f(layer.dW.flat()));
          break;
        case '7':
          expect(await cells(p, 'changeW')).toEqual(f(Array.from(walk.layers[l - 1].changeW)));
          expect(await cells(p, 'meanW')).toEqual(f(Array.from(walk.layers[l - 1].meanW)));
          break;
      }
      await p.page.locator('.walk-stage .walk-equation .katex').first().waitFor();
      await p.page.locator('.walk-card').screenshot({ path: path.join(ARTIFACTS, `walk-xor-${seen.length}-phase${s.phase}.png`) });
      if (seen.length === s.count) break;
      if (seen.length % 2 === 0) await p.page.locator('.walk-card button', { hasText: 'Next' }).click();
      else await p.page.keyboard.press('ArrowRight');
    }
    expect(seen).toEqual(['1:0', '2:1', '2:2', '3:2', '4:2', '5:1', '6:1', '6:2', '7:1', '7:2']);
    // the fused rule is said where it applies (xor: mse + sigmoid is not fused)
    await p.page.keyboard.press('ArrowLeft');
    expect((await stage())!.phase).toBe(7);
    // the editor's dense line follows the stage
    const focus = (await p.posted()).filter((m) => (m as { type: string }).type === 'walkFocus');
    expect(focus.slice(0, 3)).toEqual([{ type: 'walkFocus', layer: null }, { type: 'walkFocus', layer: 1 }, { type: 'walkFocus', layer: 2 }]);
    await p.page.locator('.walk-finish').click();
    // (the network view's on-screen reports, networkShown, come and go as the walk scrolls)
    expect((await p.posted()).filter((m) => (m as { type: string }).type !== 'networkShown').slice(-1)).toEqual([{ type: 'control', action: 'step' }]);
    expect(await stage()).toBeUndefined();
    await closeClean(p);
  });

  test('phase 7 names the spec’s optimizer and shows its rule (Adam with L2 and L1 here), as nnspec explain does', async () => {
    const text = readFileSync(EXAMPLE('xor'), 'utf8').replace(/^optimizer .*$/m, 'optimizer adam rate=0.01\nl2 0.001\nl1 0.0001');
    const project = loadProject(text, EXAMPLE('xor'), { assetsDir: defaultAssetsDir() });
    if (!project.ok) throw new Error(project.message);
    const walk = explainNextStep(project.trainer);
    expect(walk.update.name).toBe('adam');
    const p = await openPanel(browser, origin, 'light');
    await p.send([streams.xor[0], { type: 'walk', walk }]);
    await p.settle();
    const stage = () => net(p, (h) => h.walkStage(), null);
    while ((await stage())!.phase < 7) await p.page.keyboard.press('ArrowRight');
    const s = (await stage())!;
    expect(s.title).toBe(`7. The update of layer 1 over the mini-batch of ${walk.batch.length}: Adam (m = ${walk.batch.length}, ${walk.update.values.map(([n, v]) => `${n} = ${formatNumber(v)}`).join(', ')})`);
    expect(await p.page.locator('.walk-stage .walk-equation').getAttribute('aria-label')).toBe(
      'g = (1/m) Σ_x ∂C_x/∂w + λ₂w (λ₂ = 0.001) + λ₁ sign(w) (λ₁ = 0.0001);   m ← β₁m + (1 − β₁) g;   v ← β₂v + (1 − β₂) g²;   w ← w − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)',
    );
    expect(await p.page.locator('.walk-stage .walk-quantity[data-name="l1W"]').count()).toBe(1);
    await p.page.locator('.walk-card').screenshot({ path: path.join(ARTIFACTS, 'walk-xor-adam-phase7.png') });
    await closeClean(p);
  });

  test('screenshots of a walk stage in dark and high contrast', async () => {
    for (const theme of ['dark', 'high-contrast'] as const) {
      const p = await openPanel(browser, origin, theme);
      await p.send([streams.xor[0], { type: 'walk', walk: xorWalk() }]);
      await p.settle();
      for (let i = 0; i < 5; i++) await p.page.keyboard.press('ArrowRight');
      await p.page.locator('.walk-stage .walk-equation .katex').first().waitFor();
      await p.page.screenshot({ path: path.join(ARTIFACTS, `walk-xor-${theme}.png`) });
      await closeClean(p);
    }
  });
});
