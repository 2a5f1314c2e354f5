/**
 * Walk Through a Step in a real VS Code (code-server, Chromium), as a new user does it on xor with
 * fixed weights W (made by `nnspec train --epochs 5 --save W`, loaded with "NNSpec: Load Weights"):
 *   - "NNSpec: Walk Through a Step" from the palette; every stage of the seven phases shows the
 *     numbers `nnspec explain SPEC --weights W --sample I --json` gives (x, y, z, a, C_x, δ, ∂C_x/∂b,
 *     ∂C_x/∂w), w^l those of W, and phase 7 the batch's mean gradient that `nnspec gradients
 *     --weights W --json` gives (xor's batch is its whole training set) and Δw = −η ∂C/∂w (the
 *     velocity is 0 after loading weights) — each parsed from the screen and compared to the
 *     precision it is printed at;
 *   - Next and Back by the buttons and by the keys → and ←, the first keypress straight after the
 *     command (the panel has the keyboard); Esc closes the walk without a step;
 *   - the spec's `dense` line of the stage's layer highlighted in the editor during the layer phases
 *     (also after switching to another tab and back), the network view right under the walk;
 *   - Finish takes the step exactly as Step does: the weights saved after Finish equal, digit for
 *     digit, those saved after Reset, Load Weights W, Step.
 * Each stage is saved as test-artifacts/e2e/walk11-<n>-phase<p>.png.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/vscode/codeServer.mjs';
import { e2eRoot, waitFor, type Session, type Workbench } from './harness';
import { focusEditor, openExamples, panelFrame } from './workspace11';

interface WalkHook {
  walkStage(): { phase: number; layer?: number; title: string; count: number } | undefined;
  stepCount(): number;
  status: string;
}

interface ExplainJson {
  sample: number;
  x: number[];
  y: number[];
  cost: number;
  layers: { z: number[]; a: number[]; delta: number[]; dW: number[][]; db: number[] }[];
}
interface GradientsJson {
  loss: number;
  layers: { dW: number[][]; db: number[] }[];
}
interface WeightsJson {
  layers: { weights: number[][]; biases: number[] }[];
}

const root = e2eRoot('walk');
let session: Session | undefined;
let workbench: Workbench;
let workspace: string;
let panel: Frame;
let spec: string;
let weightsFile: string;
let W: WeightsJson;
/** The sample the walk is asked for (xor's [1, 1]: no zero input, so no ∂C/∂w is 0 by a^0 = 0). */
const SAMPLE = 3;
const RATE = 0.5;

/** `node dist/cli.js ARGS`; stdout, or a failure with stderr. */
function nnspec(args: string[]): string {
  const result = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`nnspec ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

beforeAll(async () => {
  expect(existsSync(join(repoRoot, 'dist', 'cli.js')), 'dist/cli.js: run npm run build first').toBe(true);
  ({ session, workbench, workspace } = await openExamples(root, { 'files.autoSave': 'off' }));
  spec = join(workspace, 'xor.nnspec');
  weightsFile = join(workspace, 'xor-w.json');
  nnspec(['train', spec, '--epochs', '5', '--save', weightsFile, '--quiet']);
  W = JSON.parse(readFileSync(weightsFile, 'utf8')) as WeightsJson;
}, 600_000);

afterAll(async () => {
  await session?.close();
});

const hook = <T>(read: (h: WalkHook) => T): Promise<T> => panel.evaluate(`(${read.toString()})(window.__nnspec)`) as Promise<T>;

/** A number as the panel prints it ("−0.01234", "1.2e-5", "0") and the half-unit of its last digit. */
function parseShown(text: string): { value: number; halfUnit: number } {
  const plain = text.replace(/\u2212/g, '-').trim();
  const value = Number(plain);
  if (!Number.isFinite(value)) throw new Error(`"${text}" is not a number`);
  const [mantissa, exponent] = plain.replace('-', '').split('e');
  const decimals = mantissa.includes('.') ? mantissa.split('.')[1].length : 0;
  return { value, halfUnit: 0.5 * 10 ** (Number(exponent ?? 0) - decimals) };
}

/** The cells of the stage's quantity `name`, as printed. */
async function shown(name: string): Promise<string[]> {
  return panel.locator(`.walk-stage .walk-quantity[data-name="${name}"] .walk-cell`).allTextContents();
}

/**
 * Expect quantity `name` on screen to be `expected` to the precision it is printed at (plus 1e-5
 * relative: a sum taken in another order, in float32).
 */
async function expectShown(name: string, expected: number[], what: string): Promise<void> {
  const cells = await shown(name);
  expect(cells.length, `${what}: ${name} has ${cells.length} entries on screen, ${expected.length} expected`).toBe(expected.length);
  cells.forEach((text, i) => {
    const { value, halfUnit } = parseShown(text);
    const tolerance = halfUnit * (1 + 1e-9) + 1e-5 * Math.abs(expected[i]);
    expect(Math.abs(value - expected[i]), `${what}: ${name}[${i}] shows ${text}, expected ${expected[i]}`).toBeLessThanOrEqual(tolerance);
  });
}

/** The editor lines that carry a decoration from the extension now (their text). */
async function highlightedLines(): Promise<string[]> {
  return workbench.page.evaluate(() => {
    const editor = [...document.querySelectorAll('.editor-instance .monaco-editor')].find((e) => e.querySelector('.view-lines'));
    if (!editor) return [];
    const tops = new Set<string>();
    for (const overlay of editor.querySelectorAll('.view-overlays > div')) {
      // Decoration types from extensions are drawn as "ced-…" classed elements in the line's overlay.
      if ([...overlay.children].some((c) => [...c.classList].some((k) => k.startsWith('ced-')))) tops.add((overlay as HTMLElement).style.top);
    }
    return [...editor.querySelectorAll('.view-lines .view-line')].filter((l) => tops.has((l as HTMLElement).style.top)).map((l) => (l.textContent ?? '').replace(/\u00a0/g, ' '));
  });
}

/** Type a path into the workbench's simple file dialog (the web workbench's Open and Save dialogs) and accept it. */
async function answerFileDialog(path: string): Promise<void> {
  const input = workbench.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  await input.fill(path);
  // The dialog looks the typed path up on the server before it takes Enter: press again while it stays.
  const widget = workbench.page.locator('.quick-input-widget').first();
  for (let attempt = 0; attempt < 5 && (await widget.isVisible()); attempt++) {
    await workbench.page.waitForTimeout(1000);
    if (!(await widget.isVisible())) break;
    if ((await input.inputValue()) !== path) await input.fill(path);
    await workbench.page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden', timeout: 3_000 }).catch(() => undefined);
  }
  if (await widget.isVisible()) {
    await workbench.screenshot('walk11-file-dialog');
    throw new Error(`the file dialog did not take ${path} (test-artifacts/e2e/walk11-file-dialog.png)`);
  }
}

async function loadWeights(path: string): Promise<void> {
  await focusEditor(workbench, 'xor.nnspec');
  await workbench.runCommand('NNSpec: Load Weights');
  await answerFileDialog(path);
  await workbench.page.locator('.notifications-toasts .notification-toast', { hasText: /weights loaded from/ }).first().waitFor({ timeout: 20_000 });
}

async function saveWeights(path: string): Promise<WeightsJson> {
  rmSync(path, { force: true });
  await focusEditor(workbench, 'xor.nnspec');
  await workbench.runCommand('NNSpec: Save Weights');
  await answerFileDialog(path);
  // The file appears before its last byte is written: wait until it parses.
  const read = (): WeightsJson | undefined => {
    try {
      return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as WeightsJson) : undefined;
    } catch {
      return undefined;
    }
  };
  return (await waitFor(`${path} to be written`, async () => read(), (w) => w !== undefined, 20_000))!;
}

async function reset(): Promise<void> {
  await panel.getByRole('button', { name: 'Reset', exact: true }).click();
  await waitFor('the session to be ready at step 0', () => hook((h) => ({ status: h.status, steps: h.stepCount() })), (s) => s.status === 'ready' && s.steps === 0, 30_000);
}

const stage = () => hook((h) => h.walkStage());

describe('Walk Through a Step on xor at fixed weights', () => {
  let explain: ExplainJson;
  let gradients: GradientsJson;

  it('loads W and opens the walk from the palette', async () => {
    await workbench.openFile('xor.nnspec');
    await workbench.runCommand('NNSpec: Show Training Panel');
    panel = await panelFrame(workbench, 'xor');
    await reset();
    await loadWeights(weightsFile);
    explain = JSON.parse(nnspec(['explain', spec, '--weights', weightsFile, '--sample', String(SAMPLE), '--json'])) as ExplainJson;
    gradients = JSON.parse(nnspec(['gradients', spec, '--weights', weightsFile, '--json'])) as GradientsJson;
    await focusEditor(workbench, 'xor.nnspec');
    await workbench.runCommand('NNSpec: Walk Through a Step');
    const first = await waitFor('the walk to open', stage, (s) => s !== undefined, 30_000);
    expect(first).toMatchObject({ phase: 1, layer: 0, count: 10 });
    // The first key straight after the command moves the walk: the panel has the keyboard.
    await workbench.page.keyboard.press('ArrowRight');
    await waitFor('→ straight after the command to go to phase 2', stage, (t) => t?.phase === 2, 10_000);
    await workbench.page.keyboard.press('ArrowLeft');
    await waitFor('← to go back to phase 1', stage, (t) => t?.phase === 1, 10_000);
    // Esc leaves the walk (no step taken, the highlight goes); the command opens it again.
    await workbench.page.keyboard.press('Escape');
    await waitFor('Esc to close the walk', stage, (t) => t === undefined, 10_000);
    expect(await hook((h) => h.stepCount()), 'Esc takes no step').toBe(0);
    await focusEditor(workbench, 'xor.nnspec');
    await workbench.runCommand('NNSpec: Walk Through a Step');
    await waitFor('the walk to open again', stage, (s) => s?.phase === 1, 30_000);
    // Sample 3 of the batch, chosen in the walk's own list.
    await panel.locator('.walk-card select').selectOption(String(SAMPLE));
    await waitFor(`the walk to show sample ${SAMPLE}`, () => panel.locator('.walk-position').textContent(), (t) => (t ?? '').includes(`training sample ${SAMPLE},`), 20_000);
    expect(explain.sample).toBe(SAMPLE);
  }, 240_000);

  it('shows, stage by stage, the numbers of nnspec explain --json (Next/Back by buttons and keys), with the dense line highlighted', async () => {
    const L = explain.layers.length;
    const denseLines = ['dense 4 tanh', 'dense 1 sigmoid'];
    const seen: { phase: number; layer?: number }[] = [];
    for (let n = 1; ; n++) {
      const s = (await stage())!;
      const what = `stage ${n} (phase ${s.phase}${s.layer ? `, layer ${s.layer}` : ''})`;
      seen.push({ phase: s.phase, layer: s.layer });
      const l = s.layer ?? 0;
      const layer = explain.layers[l - 1];
      switch (s.phase) {
        case 1:
          await expectShown('x', explain.x, what);
          await expectShown('y', explain.y, what);
          break;
        case 2:
          await expectShown('w', W.layers[l - 1].weights.flat(), what);
          await expectShown('b', W.layers[l - 1].biases, what);
          await expectShown('z', layer.z, what);
          await expectShown('a', layer.a, what);
          break;
        case 3:
          await expectShown('aL', explain.layers[L - 1].a, what);
          await expectShown('y', explain.y, what);
          await expectShown('cost', [explain.cost], what);
          break;
        case 4:
          await expectShown('delta', explain.layers[L - 1].delta, what);
          break;
        case 5:
          await expectShown('deltaNext', explain.layers[l].delta, what);
          await expectShown('z', layer.z, what);
          await expectShown('delta', layer.delta, what);
          break;
        case 6:
          await expectShown('db', layer.db, what);
          await expectShown('dW', layer.dW.flat(), what);
          break;
        case 7: {
          const mean = gradients.layers[l - 1];
          await expectShown('meanW', mean.dW.flat(), what);
          await expectShown('velocityW', mean.dW.flat().map(() => 0), what);
          await expectShown('changeW', mean.dW.flat().map((g) => -RATE * g), what);
          await expectShown('gradB', mean.db, what);
          await expectShown('changeB', mean.db.map((g) => -RATE * g), what);
          break;
        }
        default:
          throw new Error(`phase ${s.phase}`);
      }
      // The typeset equation is there, and the stage's dense line is marked in the editor.
      await panel.locator('.walk-stage .walk-equation .katex').first().waitFor({ timeout: 10_000 });
      const expectedLines = l >= 1 ? [denseLines[l - 1]] : [];
      await waitFor(`${what}: the highlighted editor lines`, highlightedLines, (lines) => JSON.stringify(lines) === JSON.stringify(expectedLines), 10_000);
      await workbench.screenshot(`walk11-${String(n).padStart(2, '0')}-phase${s.phase}`);
      if (n === s.count) break;
      if (n === 2) {
        // The network view is right under the walk, where its highlight is seen.
        expect(await panel.locator('.walk-card + .network-card').count(), 'the network card under the walk').toBe(1);
        // Another file in the spec's tab group and back: the highlight is on the spec's new editor too.
        await focusEditor(workbench, 'xor.nnspec');
        await workbench.openFile('circle.nnspec');
        await focusEditor(workbench, 'xor.nnspec');
        await waitFor('the highlight back on the dense line after switching tabs', highlightedLines, (lines) => JSON.stringify(lines) === JSON.stringify(['dense 4 tanh']), 10_000);
      }

      // Onward: the key → on odd stages, the Next button on even ones; at stage 3, Back and
      // forward again (← the first time, the Back button later at stage 6).
      if (n === 3) {
        await workbench.page.keyboard.press('ArrowLeft');
        await waitFor('← to go back a stage', stage, (t) => t?.phase === 2 && t.layer === 1, 10_000);
        await workbench.page.keyboard.press('ArrowRight');
        await waitFor('→ to come back', stage, (t) => t?.phase === 2 && t.layer === 2, 10_000);
      }
      if (n === 6) {
        await panel.locator('.walk-card button', { hasText: 'Back' }).click();
        await waitFor('Back to go back a stage', stage, (t) => t?.phase === 4, 10_000);
        await panel.locator('.walk-card button', { hasText: 'Next' }).click();
        await waitFor('Next to come back', stage, (t) => t?.phase === 5, 10_000);
      }
      if (n % 2 === 1) await workbench.page.keyboard.press('ArrowRight');
      else await panel.locator('.walk-card button', { hasText: 'Next' }).click();
      await waitFor(`the stage after ${what}`, stage, (t) => t !== undefined && !(t.phase === s.phase && t.layer === s.layer), 10_000);
    }
    expect(seen).toEqual([
      { phase: 1, layer: 0 },
      { phase: 2, layer: 1 },
      { phase: 2, layer: 2 },
      { phase: 3, layer: 2 },
      { phase: 4, layer: 2 },
      { phase: 5, layer: 1 },
      { phase: 6, layer: 1 },
      { phase: 6, layer: 2 },
      { phase: 7, layer: 1 },
      { phase: 7, layer: 2 },
    ]);
    expect(await panel.locator('.walk-card button', { hasText: 'Next' }).isDisabled(), 'Next at the last stage').toBe(true);
  }, 240_000);

  it('Finish takes the step exactly as Step does from the same state', async () => {
    const before = await hook((h) => h.stepCount());
    await panel.locator('.walk-finish').click();
    await waitFor('the step to be taken', () => hook((h) => h.stepCount()), (n) => n === before + 1, 20_000);
    expect(await stage(), 'the walk closes on Finish').toBeUndefined();
    await waitFor('the highlight to go with the walk', highlightedLines, (lines) => lines.length === 0, 10_000);
    expect(await panel.locator('.walk-card + .network-card').count(), 'the network card back in its place').toBe(0);
    const afterFinish = await saveWeights(join(workspace, 'after-finish.json'));
    // w + Δw, Δw as the walk showed it (−η ∂C/∂w): to its printed precision.
    afterFinish.layers.forEach((layer, l) => {
      layer.weights.flat().forEach((w, i) => {
        const expected = W.layers[l].weights.flat()[i] - RATE * gradients.layers[l].dW.flat()[i];
        expect(Math.abs(w - expected), `w^${l + 1}[${i}] after Finish`).toBeLessThan(1e-6);
      });
    });

    await reset();
    await loadWeights(weightsFile);
    await panel.getByRole('button', { name: 'Step', exact: true }).click();
    await waitFor('Step to take one step', () => hook((h) => h.stepCount()), (n) => n === 1, 20_000);
    const afterStep = await saveWeights(join(workspace, 'after-step.json'));
    expect(afterFinish, 'the weights after Finish and after Step').toEqual(afterStep);
    expect(afterFinish).not.toEqual(W);
  }, 240_000);
});
