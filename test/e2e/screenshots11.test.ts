/**
 * Screenshots of the walk and the network view in a real VS Code (code-server, Chromium, 1400×900),
 * in the light, dark and high-contrast themes (workbench.colorTheme), for people to open and look at (nothing overflows, text legible, colours right):
 *   - the walk through xor's first step, every stage, the window and the walk card;
 *   - the network view of xor, spiral and digits-16-16 after a few steps, the network card.
 * Saved as test-artifacts/e2e/shots11-*.png. The test asserts what can be read off the page: the
 * workbench and the panel are in the chosen theme, the walk's and the network card's content fits
 * their width (no horizontal overflow), every stage's equation is typeset.
 */
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { artifactsDir, e2eRoot, waitFor, type Session, type Workbench } from './harness';
import { focusEditor, openExamples, openFileByClick, panelFrame } from './workspace11';

const THEMES = [
  { key: 'light', name: 'Default Light Modern', workbench: 'vs', panel: 'vscode-light' },
  { key: 'dark', name: 'Default Dark Modern', workbench: 'vs-dark', panel: 'vscode-dark' },
  { key: 'hc', name: 'Default High Contrast', workbench: 'hc-black', panel: 'vscode-high-contrast' },
] as const;

let session: Session | undefined;
let workbench: Workbench;

afterAll(async () => {
  await session?.close();
});

/**
 * A fresh VS Code in `theme` (workbench.colorTheme in the user's settings, as a user sets it; one
 * window a theme: the web workbench does not pick up a settings file changed under it here).
 */
async function openInTheme(theme: (typeof THEMES)[number]): Promise<void> {
  await session?.close();
  session = undefined;
  ({ session, workbench } = await openExamples(e2eRoot(`screenshots11-${theme.key}`), { 'files.autoSave': 'off', 'workbench.colorTheme': theme.name }));
  await waitFor(`the workbench in ${theme.name}`, () => workbench.page.evaluate((cls) => document.querySelector('.monaco-workbench')?.classList.contains(cls) ?? false, theme.workbench), (on) => on, 30_000);
}

/** The panel in the theme's colours (the webview's body class), its canvases redrawn. */
async function panelInTheme(panel: Frame, theme: (typeof THEMES)[number]): Promise<void> {
  await waitFor(`the panel in ${theme.name}`, () => panel.evaluate(() => document.body.className), (c) => c.includes(theme.panel), 20_000);
  await workbench.page.waitForTimeout(600);
}

/**
 * Save the part of the card (an element in the panel) that is on screen as
 * test-artifacts/e2e/<name>.png: the page clipped to the card within the webview's frame (an
 * element screenshot of a card taller than the panel would take the workbench around it).
 */
async function shootCard(panel: Frame, selector: string, name: string): Promise<void> {
  const card = await panel.locator(selector).first().boundingBox();
  const frame = await (await panel.frameElement()).boundingBox();
  if (!card || !frame) throw new Error(`${selector} is not on screen`);
  const x = Math.max(card.x, frame.x);
  const y = Math.max(card.y, frame.y);
  const clip = { x, y, width: Math.min(card.x + card.width, frame.x + frame.width) - x, height: Math.min(card.y + card.height, frame.y + frame.height) - y };
  await workbench.page.screenshot({ path: join(artifactsDir, `${name}.png`), clip });
}

/** Elements in `selector` that stick out of it sideways (their text, for the message). */
async function overflowing(panel: Frame, selector: string): Promise<string[]> {
  return panel.evaluate((sel) => {
    const card = document.querySelector(sel);
    if (!card) return [`no ${sel}`];
    const box = card.getBoundingClientRect();
    const out: string[] = [];
    if (card.scrollWidth > card.clientWidth + 1) out.push(`${sel} scrolls sideways (${card.scrollWidth} > ${card.clientWidth})`);
    for (const e of card.querySelectorAll('*')) {
      const r = e.getBoundingClientRect();
      if (r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1)) out.push(`${e.tagName.toLowerCase()}.${(e as HTMLElement).className}: "${(e.textContent ?? '').slice(0, 40)}" ${Math.round(r.left)}–${Math.round(r.right)} outside ${Math.round(box.left)}–${Math.round(box.right)}`);
    }
    return out.slice(0, 10);
  }, selector);
}

const stage = (panel: Frame) => panel.evaluate(() => (window as unknown as { __nnspec: { walkStage(): { phase: number; layer?: number; count: number } | undefined } }).__nnspec.walkStage());

for (const theme of THEMES) {
  describe(`${theme.key}: the walk through xor's first step, the network view of xor, spiral and digits-16-16`, () => {
    it('opens VS Code in the theme', async () => {
      await openInTheme(theme);
    }, 600_000);

    it('the walk, every stage (sample 3 of the batch: x = (1, 1))', async () => {
      await workbench.openFile('xor.nnspec');
      await workbench.runCommand('NNSpec: Show Training Panel');
      const panel = await panelFrame(workbench, 'xor');
      await panelInTheme(panel, theme);
      await focusEditor(workbench, 'xor.nnspec');
      await workbench.runCommand('NNSpec: Walk Through a Step');
      await waitFor('the walk to open', () => stage(panel), (s) => s !== undefined, 30_000);
      await panel.locator('.walk-card select').selectOption('3');
      await waitFor('the walk of sample 3', () => panel.locator('.walk-position').textContent(), (t) => (t ?? '').includes('training sample 3,'), 20_000);
      for (let n = 1; ; n++) {
        const s = (await stage(panel))!;
        await panel.locator('.walk-stage .walk-equation .katex').first().waitFor({ timeout: 10_000 });
        await workbench.page.waitForTimeout(300); // the network view's highlight, drawn on the next frame
        expect(await overflowing(panel, '.walk-card'), `stage ${n}: content outside the walk card`).toEqual([]);
        const name = `shots11-walk-${theme.key}-${String(n).padStart(2, '0')}-phase${s.phase}`;
        await workbench.screenshot(name);
        await shootCard(panel, '.walk-card', `${name}-card`);
        if (n === s.count) break;
        await panel.locator('.walk-card button', { hasText: 'Next' }).click();
        await waitFor('the next stage', () => stage(panel), (t) => t !== undefined && !(t.phase === s.phase && t.layer === s.layer), 10_000);
      }
      await panel.locator('.walk-card button', { hasText: 'Close' }).click();
    }, 300_000);

    for (const name of ['xor', 'spiral', 'digits-16-16']) {
      it(`the network view of ${name} after three epochs`, async () => {
        // One spec and its panel side by side, as a user looks at one network at a time.
        await workbench.runCommand('View: Close All Editor Groups');
        await openFileByClick(workbench, `${name}.nnspec`);
        await workbench.runCommand('NNSpec: Show Training Panel');
        const panel = await panelFrame(workbench, name);
        await panelInTheme(panel, theme);
        // Links by trained weights, neurons by the traced sample's activation.
        for (let i = 0; i < 3; i++) await panel.getByRole('button', { name: 'Step epoch', exact: true }).click();
        await waitFor('three epochs', () => panel.evaluate(() => (window as unknown as { __nnspec: { stepCount(): number } }).__nnspec.stepCount()), (n) => n >= 3, 60_000);
        await panel.locator('.network-card').scrollIntoViewIfNeeded();
        await panel.locator('canvas.network').scrollIntoViewIfNeeded();
        await workbench.page.waitForTimeout(600);
        expect(await overflowing(panel, '.network-card'), `${name}: content outside the network card`).toEqual([]);
        await workbench.screenshot(`shots11-network-${name}-${theme.key}`);
        await shootCard(panel, '.network-card', `shots11-network-${name}-${theme.key}-card`);
      }, 300_000);
    }
  });
}
