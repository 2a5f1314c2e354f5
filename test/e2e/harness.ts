/**
 * End-to-end harness: a real VS Code (code-server 4.100.3 = VS Code 1.100.3, prepared by
 * scripts/vscode/codeServer.mjs) on a random port of 127.0.0.1, driven by Debian's Chromium through
 * playwright-core at 1400×900. Helpers act the way a user does: the command palette (F1), Quick Open,
 * the mouse over editor text, the Problems view; webview DOM is read through `page.frames()`.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import {
  CHROMIUM_PATH, cacheDir, installExtension, missingPrerequisites, prepareCodeServer, repoRoot, seedUserSettings, startCodeServer, workbenchUrl,
  type CodeServer,
} from '../../scripts/vscode/codeServer.mjs';
import { manifest, packageExtension } from '../../scripts/vscode/vsix.mjs';

export const VIEWPORT = { width: 1400, height: 900 };
export const artifactsDir = join(repoRoot, 'test-artifacts', 'e2e');

/**
 * Throw, naming what to install, when the machine cannot run these tests. Never a silent skip: on a
 * machine without them `npm test` fails with this message (`.ci/run` installs them).
 */
export function requirePrerequisites(): void {
  const problem = missingPrerequisites({ chromium: true });
  if (problem) throw new Error(`${problem}\n(.ci/run installs these on Debian; the end-to-end tests in test/e2e need them.)`);
}

/** code-server prepared (or reused from .vscode-test/), with its progress shown. */
export function prepareVsCode(): void {
  prepareCodeServer({ log: (line) => console.log(line) });
}

/**
 * The directory a test file keeps its code-server, extension and workspace in: .vscode-test/e2e/<name>-<worktree>
 * (.vscode-test/ may be shared by several working copies of the repository, whose runs must not meet).
 */
export function e2eRoot(name: string): string {
  return join(cacheDir, 'e2e', `${name}-${basename(repoRoot)}`);
}

/** A scratch directory under .vscode-test/e2e/, removed by the caller. */
export function scratchDir(prefix: string): string {
  mkdirSync(join(cacheDir, 'e2e'), { recursive: true });
  return mkdtempSync(join(cacheDir, 'e2e', `${prefix}-`));
}

/** A copy of examples/ the tests may edit (the repository's examples stay untouched). */
export function copyExamples(into: string): string {
  const folder = join(into, 'examples');
  cpSync(join(repoRoot, 'examples'), folder, { recursive: true });
  return folder;
}

export interface Session {
  server: CodeServer;
  browser: Browser;
  extensionsDir: string;
  userDataDir: string;
  close(): Promise<void>;
}

/** Start code-server (fresh user data with quiet settings) and Chromium. `close()` ends both, always. */
export async function startSession(options: { root: string; extensionsDir?: string; env?: Record<string, string>; settings?: Record<string, unknown> }): Promise<Session> {
  const extensionsDir = options.extensionsDir ?? join(options.root, 'extensions');
  const userDataDir = join(options.root, 'user-data');
  seedUserSettings(userDataDir, options.settings ?? {}, { overwrite: true });
  const server = await startCodeServer({ extensionsDir, userDataDir, env: options.env });
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    server,
    browser,
    extensionsDir,
    userDataDir,
    async close() {
      await browser.close().catch(() => undefined);
      await server.stop();
    },
  };
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** One workbench window (a browser page) and what a user does in it. */
export class Workbench {
  readonly consoleErrors: string[] = [];

  constructor(readonly page: Page) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.consoleErrors.push(message.text());
    });
  }

  static async open(browser: Browser, url: string): Promise<Workbench> {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const workbench = new Workbench(page);
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    // The explorer lists the folder once the remote extension host connection is up.
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 90_000 });
    return workbench;
  }

  /** Save what the user sees now as test-artifacts/e2e/<name>.png. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(artifactsDir, { recursive: true });
    const path = join(artifactsDir, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /** F1, type the command's title, pick the row with exactly that label. */
  async runCommand(title: string): Promise<void> {
    await this.openPalette();
    await this.page.keyboard.type(title);
    const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').first().waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  }

  /** The labels the palette lists for `filter` (e.g. "NNSpec:"); leaves the palette closed. */
  async paletteEntries(filter: string): Promise<string[]> {
    await this.openPalette();
    await this.page.keyboard.type(filter);
    const rows = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 20_000 }).catch(() => undefined);
    await this.page.waitForTimeout(300);
    const labels = await rows.evaluateAll((elements) => elements.map((e) => (e.getAttribute('aria-label') ?? e.textContent ?? '').trim()));
    await this.page.keyboard.press('Escape');
    return labels;
  }

  /**
   * Open the command palette. A key press can land while focus is in a webview's iframe or mid-way through a
   * layout, and the palette then never shows: so each retry first moves focus back to the workbench (the
   * active editor's text area when there is one) and alternates F1 with Ctrl+Shift+P.
   */
  async openPalette(): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    const keys = ['F1', 'Control+Shift+P', 'F1', 'Control+Shift+P'];
    for (const [attempt, key] of keys.entries()) {
      if (attempt > 0) {
        await this.page.keyboard.press('Escape').catch(() => undefined);
        const editor = this.page.locator('.editor-instance .monaco-editor textarea').first();
        if (await editor.count()) await editor.focus().catch(() => undefined);
        else await this.page.locator('.monaco-workbench').first().focus().catch(() => undefined);
      }
      await this.page.keyboard.press(key);
      await input.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
      if (await input.isVisible().catch(() => false)) return;
    }
    await input.waitFor({ state: 'visible', timeout: 5_000 });
  }

  /** Quick Open (the palette without '>'), type the file name, Enter; wait for its editor tab. */
  async openFile(fileName: string): Promise<void> {
    await this.openPalette();
    await this.page.keyboard.press('Backspace'); // drop '>': file search
    await this.page.keyboard.type(fileName);
    await this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor({ timeout: 20_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator(`.tabs-container .tab[aria-label^="${fileName}"]`).first().waitFor({ timeout: 20_000 });
    await this.page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: 20_000 });
  }

  /** The first visible editor line whose text matches `pattern`. */
  editorLine(pattern: RegExp) {
    return this.page.locator('.editor-instance .monaco-editor .view-line').filter({ hasText: pattern }).first();
  }

  /**
   * Move the mouse over the word `word` in the editor line matching `line`, and return the hover
   * widget's text once it shows (and contains `expect`, when given).
   */
  async hoverWord(line: RegExp, word: string, expect?: RegExp): Promise<string> {
    const lineLocator = this.editorLine(line);
    await lineLocator.waitFor({ timeout: 10_000 });
    const span = lineLocator.locator('span > span', { hasText: word }).first();
    const box = await span.boundingBox();
    if (!box) throw new Error(`no "${word}" visible on the editor line matching ${line}`);
    const hover = this.page.locator('.monaco-editor .monaco-hover:not(.hidden)').first();
    const deadline = Date.now() + 30_000;
    let text = '';
    while (Date.now() < deadline) {
      await this.page.mouse.move(box.x + 2, box.y + box.height / 2);
      await this.page.mouse.move(box.x + Math.min(box.width - 2, 6), box.y + box.height / 2, { steps: 3 });
      await hover.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
      text = (await hover.textContent().catch(() => null)) ?? '';
      if (text && (!expect || expect.test(text))) return text;
      // Move away and come back: the hover is asked for again (e.g. after training produced gradients).
      await this.page.mouse.move(box.x + 300, box.y + 200);
      await this.page.waitForTimeout(700);
    }
    throw new Error(`hovering "${word}" showed ${text ? `"${text.slice(0, 400)}"` : 'no hover'}${expect ? `, expected ${expect}` : ''}`);
  }

  /** The Problems view's rows, as text (opened with its command). */
  async problems(): Promise<string[]> {
    await this.runCommand('View: Focus Problems');
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
    return rows.evaluateAll((elements) => elements.map((e) => (e.getAttribute('aria-label') ?? e.textContent ?? '').trim()));
  }

  /** The webview frame in which `probe` (a JavaScript expression) is truthy, e.g. `typeof window.__nnspec === 'object'`. */
  async webviewFrame(probe: string, timeoutMs = 60_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame()) continue;
        const found = await frame.evaluate(probe).catch(() => false);
        if (found) return frame;
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`no webview frame where \`${probe}\` holds within ${timeoutMs / 1000} s (frames: ${this.page.frames().map((f) => f.url().slice(0, 80)).join(', ')})`);
  }
}

/** Poll `read` until `accept` holds; on timeout, throw with the last value seen. */
export async function waitFor<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last value: ${JSON.stringify(last)}${lastError ? `; last error: ${String(lastError)}` : ''}`);
}

export interface Opened {
  session: Session;
  workbench: Workbench;
  /** The copy of examples/ the window has open (the tests may edit it). */
  workspace: string;
}

/**
 * A fresh VS Code under `root` with NNSpec installed from its .vsix and the examples' copy open;
 * `prepare` may add files to that copy before the window opens.
 */
export async function openExamples(root: string, settings: Record<string, unknown> = {}, prepare?: (workspace: string) => void): Promise<Opened> {
  requirePrerequisites();
  prepareVsCode();
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const vsix = packageExtension({ out: join(root, `nnspec-${manifest().version}.vsix`), quiet: true });
  const workspace = copyExamples(root);
  prepare?.(workspace);
  installExtension(vsix.path, { extensionsDir: join(root, 'extensions'), userDataDir: join(root, 'user-data') });
  // NNSPEC_PANEL_HOOK=1: the panel loads its read-only test hook (window.__nnspec, webview/hook.ts).
  const session = await startSession({ root, env: { NNSPEC_PANEL_HOOK: '1' }, settings });
  try {
    const workbench = await Workbench.open(session.browser, workbenchUrl(session.server.url, workspace));
    return { session, workbench, workspace };
  } catch (error) {
    await session.close();
    throw error;
  }
}

/**
 * The long run people watch: openExamples with pace `full` (and `settings`), and long-spiral.nnspec —
 * examples/spiral.nnspec with `epochs 200000` — open in the editor.
 */
export async function openLongSpiral(root: string, settings: Record<string, unknown> = {}): Promise<{ session: Session; workbench: Workbench }> {
  const { session, workbench } = await openExamples(root, { 'nnspec.pace': 'full', ...settings }, (workspace) => {
    const spiral = readFileSync(join(workspace, 'spiral.nnspec'), 'utf8').replace(/^epochs \d+/m, 'epochs 200000');
    writeFileSync(join(workspace, 'long-spiral.nnspec'), spiral);
  });
  await workbench.openFile('long-spiral.nnspec');
  return { session, workbench };
}
