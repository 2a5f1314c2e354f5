/**
 * NNSpec in a real VS Code: code-server 4.100.3 (VS Code 1.100.3) from .vscode-test/, Chromium at
 * 1400×900. One server for the whole file (code-server and Chromium are heavy on 2 cores):
 *   1. `npm run package`'s .vsix is lean, installs with --install-extension, and activates;
 *   2. what a user does: open xor.nnspec, "NNSpec: Train Network" from the palette, the panel and its
 *      falling loss, Step (exactly one step), the gradient hover on a `dense` line, a broken spec in the
 *      Problems view, Inspect Gradients' quick pick — each moment saved to test-artifacts/e2e/*.png;
 *   3. the in-host suite (test/vscode/suite.ts → dist/test/suite.js) run inside this VS Code through the
 *      workbench `payload` (extensionDevelopmentPath + extensionTestsPath); it reports to the file named
 *      by NNSPEC_TEST_RESULT, which reaches the extension host through code-server's environment.
 * Missing Chromium/ripgrep/libkrb5-dev/build tools fail the run with the package to install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installExtension, listExtensions, remoteUri, repoRoot, workbenchUrl } from '../../scripts/vscode/codeServer.mjs';
import { manifest, packageExtension, vsixEntries } from '../../scripts/vscode/vsix.mjs';
import { Workbench, copyExamples, e2eRoot, prepareVsCode, requirePrerequisites, startSession, waitFor, type Session } from './harness';

/** The panel's read-only test hook (webview/hook.ts, `window.__nnspec`). */
interface PanelHook {
  status: string;
  state: { focusedLayer?: number; mode?: string };
  stepCount(): number;
  chartSeries(): { label: string; points: { x: number; y: number }[] }[];
}

const root = e2eRoot('run');
const inHostResult = join(root, 'in-host-result.json');
let session: Session | undefined;
let vsix: { path: string; bytes: number };
let workspace: string;
let workbench: Workbench;
let panel: Frame;

beforeAll(async () => {
  requirePrerequisites();
  prepareVsCode();
  // The previous run's directory (logs, user data) is kept for inspection until the next run.
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  vsix = packageExtension({ out: join(root, `nnspec-${manifest().version}.vsix`), quiet: true });
  workspace = copyExamples(root);
  installExtension(vsix.path, { extensionsDir: join(root, 'extensions'), userDataDir: join(root, 'user-data') });
  // NNSPEC_PANEL_HOOK=1: the panel loads its read-only test hook (window.__nnspec, webview/hook.ts).
  session = await startSession({ root, env: { NNSPEC_TEST_RESULT: inHostResult, NNSPEC_PANEL_HOOK: '1' } });
}, 600_000);

afterAll(async () => {
  await session?.close();
});

/** The remote extension host's log lines of the latest window (user-data/logs/<time>/exthost*\/remoteexthost.log). */
function extensionHostLog(): string {
  const logs = join(root, 'user-data', 'logs');
  if (!existsSync(logs)) return '';
  let text = '';
  for (const run of readdirSync(logs)) {
    for (const host of readdirSync(join(logs, run))) {
      const file = join(logs, run, host, 'remoteexthost.log');
      if (host.startsWith('exthost') && existsSync(file)) text += readFileSync(file, 'utf8');
    }
  }
  return text;
}

/** Evaluate `read` on the panel's hook inside the webview (the function's source is sent, not a closure). */
const hook = <T>(read: (h: PanelHook) => T): Promise<T> => panel.evaluate(`(${read.toString()})(window.__nnspec)`) as Promise<T>;

describe('the packaged extension', () => {
  it('npm run package gives a lean .vsix: bundles, media and docs only', () => {
    const entries = vsixEntries(vsix.path).filter((name) => name.startsWith('extension/')).map((name) => name.slice('extension/'.length));
    for (const needed of ['package.json', 'dist/extension.js', 'dist/worker.js', 'dist/weightsWorker.js', 'dist/webview.js', 'dist/webview.css', 'media/data/digits.bin']) expect(entries, `${needed} missing from the .vsix`).toContain(needed);
    const unwanted = entries.filter((name) => /^(src|test|node_modules|scripts|bench|wasm|examples|docs|\.vscode-test|test-artifacts)\//.test(name) || /\.(map|ts|tsbuildinfo|vsix)$/.test(name));
    expect(unwanted, 'sources, tests, maps or unbundled modules in the .vsix').toEqual([]);
    expect(statSync(vsix.path).size).toBe(vsix.bytes);
  });

  it('code-server installs the .vsix with --install-extension', () => {
    const { id, version } = manifest();
    expect(listExtensions({ extensionsDir: join(root, 'extensions'), userDataDir: join(root, 'user-data') })).toContain(`${id}@${version}`);
  });

  it('npm run install-extension installs the .vsix with the desktop `code` command when it is on PATH', () => {
    // A stand-in `code` that records its arguments (no desktop VS Code here: it cannot be downloaded).
    const bin = join(root, 'fake-bin');
    mkdirSync(bin, { recursive: true });
    const argsFile = join(root, 'code-args.txt');
    writeFileSync(join(bin, 'code'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\n`, { mode: 0o755 });
    const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'vscode', 'install-extension.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
    });
    expect(result.status, result.stderr).toBe(0);
    const { name, version } = manifest();
    expect(readFileSync(argsFile, 'utf8').trim().split('\n')).toEqual(['--install-extension', join(repoRoot, `${name}-${version}.vsix`), '--force']);
    expect(result.stdout).toMatch(/Installed nnspec\.nnspec into VS Code \(code\)/);
  }, 120_000);
});

describe('a user in the real VS Code', () => {
  it('opens examples/xor.nnspec: the installed extension activates and its commands are in the palette', async () => {
    workbench = await Workbench.open(session!.browser, workbenchUrl(session!.server.url, workspace));
    await workbench.openFile('xor.nnspec');
    // The code lens above `network` comes from the extension: the user sees it is active.
    await workbench.page.locator('.contentWidgets .codelens-decoration, .view-lines .codelens-decoration, .codelens-decoration', { hasText: 'Train' }).first().waitFor({ timeout: 60_000 });
    await waitFor('the extension host to log the activation of nnspec.nnspec', async () => extensionHostLog(), (log) => log.includes(`_doActivateExtension ${manifest().id}`), 30_000);
    expect(extensionHostLog()).not.toMatch(/Activating extension '?nnspec\.nnspec'? failed/);
    const entries = await workbench.paletteEntries('NNSpec: ');
    for (const title of ['NNSpec: Train Network', 'NNSpec: Step (One Mini-Batch)', 'NNSpec: Step Epoch', 'NNSpec: Show Training Panel', 'NNSpec: Check Gradients']) {
      expect(entries.some((e) => e.startsWith(title)), `"${title}" not in the palette: ${JSON.stringify(entries)}`).toBe(true);
    }
    await workbench.screenshot('01-xor-open');
  }, 180_000);

  it('runs "NNSpec: Train Network" from the palette: the panel opens and the chart\'s loss falls', async () => {
    await workbench.runCommand('NNSpec: Train Network');
    await workbench.page.locator('.tabs-container .tab', { hasText: 'NNSpec: xor' }).first().waitFor({ timeout: 30_000 });
    panel = await workbench.webviewFrame("typeof window.__nnspec === 'object'");
    const series = await waitFor(
      'the loss chart to show at least 50 steps',
      () => hook((h) => h.chartSeries()),
      (s) => s.length > 0 && s[0].points.length >= 50,
      60_000,
    );
    const loss = series[0].points;
    const first = loss.slice(0, 5).reduce((a, p) => a + p.y, 0) / 5;
    const last = loss.slice(-5).reduce((a, p) => a + p.y, 0) / 5;
    expect(Number.isFinite(first) && Number.isFinite(last)).toBe(true);
    expect(last, `loss did not fall: first steps ${first}, latest ${last}`).toBeLessThan(first / 2);
    await workbench.screenshot('02-training-panel');
  }, 180_000);

  it('presses Step in the panel: exactly one step is taken', async () => {
    // xor finishes its 1000 epochs in about a second, and a finished session cannot step: Reset first
    // (Pause instead if it is still running), then Step from a known count.
    const status = await hook((h) => h.status);
    if (status === 'running') await panel.getByRole('button', { name: 'Pause', exact: true }).click();
    else await panel.getByRole('button', { name: 'Reset', exact: true }).click();
    await waitFor('the session to be ready or paused', () => hook((h) => h.status), (s) => s === 'ready' || s === 'paused', 30_000);
    const before = await hook((h) => h.stepCount());
    await panel.getByRole('button', { name: 'Step', exact: true }).click();
    await waitFor(`the step count to pass ${before}`, () => hook((h) => h.stepCount()), (n) => n > before, 20_000);
    await workbench.page.waitForTimeout(1_500); // a second step, if one were taken, would arrive by now
    expect(await hook((h) => h.stepCount())).toBe(before + 1);
    expect(await hook((h) => h.status), 'Step must not start continuous training').not.toBe('running');
    // The chart shows that one step: its batch-loss series has one more point (one point after a Reset).
    const points = await hook((h) => h.chartSeries()[0]?.points.length ?? 0);
    expect(points, 'batch-loss points on the chart after the step').toBe(before + 1);
    await workbench.screenshot('03-after-step');
  }, 120_000);

  it('hovers a `dense` line and reads its gradient numbers', async () => {
    await workbench.page.locator('.tabs-container .tab', { hasText: 'xor.nnspec' }).first().click();
    const text = await workbench.hoverWord(/^dense\s4\stanh/, 'dense', /∂C\/∂w/);
    expect(text).toMatch(/Layer 1/);
    const mean = /mean \|∂C\/∂w\| = (−?-?[\d.]+(?:e[−+-]?\d+)?)/.exec(text);
    expect(mean, `no "mean |∂C/∂w| = <number>" in the hover: ${text}`).not.toBeNull();
    const value = Number(mean![1].replace('−', '-'));
    expect(Number.isFinite(value) && value >= 0).toBe(true);
    await workbench.screenshot('04-gradient-hover');
    await workbench.page.keyboard.press('Escape');
  }, 120_000);

  it('breaks the spec and sees the error in the Problems panel; fixing it clears the error', async () => {
    // Click the word (not the middle of the line element, which is as wide as the longest line and would scroll the editor sideways).
    await workbench.editorLine(/^dense\s4\stanh/).locator('span > span', { hasText: 'tanh' }).first().click();
    await workbench.page.keyboard.press('End');
    await workbench.page.keyboard.type('zz');
    const problems = await waitFor('an error about "tanhzz" in the Problems view', () => workbench.problems(), (rows) => rows.some((r) => /tanhzz/.test(r)), 30_000, 500);
    expect(problems.join('\n')).toMatch(/tanhzz/);
    await workbench.screenshot('05-problems');
    await workbench.page.locator('.tabs-container .tab', { hasText: 'xor.nnspec' }).first().click();
    await workbench.page.keyboard.press('Control+z');
    await waitFor('the error to go once the spec is fixed', () => workbench.problems(), (rows) => !rows.some((r) => /tanhzz/.test(r)), 30_000, 500);
  }, 120_000);

  it('picks a layer in Inspect Gradients: the panel shows that layer\'s gradients', async () => {
    await workbench.page.locator('.tabs-container .tab', { hasText: 'xor.nnspec' }).first().click();
    await workbench.runCommand('NNSpec: Inspect Gradients');
    const rows = workbench.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 20_000 });
    const labels = await rows.evaluateAll((elements) => elements.map((e) => (e.getAttribute('aria-label') ?? e.textContent ?? '').trim()));
    expect(labels.length, `quick pick rows: ${JSON.stringify(labels)}`).toBe(2); // xor has two dense layers
    await rows.nth(1).waitFor();
    await workbench.screenshot('06-inspect-gradients-pick');
    await rows.nth(1).click();
    await waitFor('the panel to focus layer 2 in gradient mode', () => hook((h) => h.state), (s) => s.focusedLayer === 2 && s.mode === 'gradient', 20_000);
    await workbench.screenshot('07-inspect-gradients-panel');
  }, 120_000);
});

interface InHostResult {
  passed: number;
  failed: number;
  failures: { name: string; message: string }[];
}

/**
 * Wait for the suite's result file; fail early, with code-server's and the extension host's logs, when the
 * test extension host ends without writing it.
 */
async function readInHostResult(outputFrom: number): Promise<InHostResult> {
  const deadline = Date.now() + 300_000;
  let exitedAt = 0;
  while (Date.now() < deadline) {
    if (existsSync(inHostResult)) {
      const text = readFileSync(inHostResult, 'utf8');
      try {
        return JSON.parse(text) as InHostResult;
      } catch {
        /* being written */
      }
    }
    const output = session!.server.output().slice(outputFrom);
    const launched = /<(\d+)> Launched Extension Host Process/.exec(output);
    if (!exitedAt && launched && output.includes(`<${launched[1]}> Extension Host Process exited`)) exitedAt = Date.now();
    if (exitedAt && Date.now() - exitedAt > 3_000) {
      throw new Error(`the in-host suite's extension host ended without writing ${inHostResult}.\ncode-server:\n${output.slice(-3000)}\nextension host log:\n${extensionHostLog().slice(-5000)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no result from the in-host suite within 300 s (${inHostResult}).\ncode-server:\n${session!.server.output().slice(outputFrom).slice(-3000)}`);
}

describe('the in-host suite (test/vscode/suite.ts) inside this VS Code', () => {
  it('runs and passes', async () => {
    const suite = join(repoRoot, 'dist', 'test', 'suite.js');
    expect(existsSync(suite), `${suite} is missing: the build (node esbuild.mjs) makes it from test/vscode/suite.ts`).toBe(true);
    await workbench?.page.close();
    const folder = copyExamples(join(root, 'in-host'));
    const port = session!.server.port;
    const url = workbenchUrl(session!.server.url, folder, [
      ['extensionDevelopmentPath', remoteUri(port, repoRoot)],
      ['extensionTestsPath', remoteUri(port, suite)],
    ]);
    const page = await session!.browser.newPage({ viewport: { width: 1400, height: 900 } });
    const outputBefore = session!.server.output().length;
    await page.goto(url);
    const result = await readInHostResult(outputBefore);
    await page.close();
    const failures = result.failures.map((f) => `  ✗ ${f.name}: ${f.message}`).join('\n');
    expect(result.failed, `in-host suite: ${result.failed} failed, ${result.passed} passed\n${failures}`).toBe(0);
    expect(result.passed).toBeGreaterThan(0);
  }, 360_000);
});
