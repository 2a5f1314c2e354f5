/**
 * What the issue-11 end-to-end tests (point and click, the walk, the screenshots) share: a fresh
 * VS Code with the examples (openExamples, from the harness), and what a user reads off the
 * screen — the editor's text, the panel's frame for a spec.
 */
import type { Frame } from 'playwright-core';
import { Workbench, waitFor } from './harness';

export { openExamples, type Opened } from './harness';

/**
 * The text of the editor showing `fileName`, as the user sees it: its rendered lines in order
 * (Monaco draws them as absolutely placed divs, not necessarily in DOM order). The whole of a short
 * spec is on screen at 1400×900.
 */
export async function editorText(workbench: Workbench, fileName: string): Promise<string> {
  const group = workbench.page.locator('.editor-group-container', { has: workbench.page.locator(`.tab.active[aria-label^="${fileName}"]`) }).first();
  const lines = await group.locator('.monaco-editor .view-lines .view-line').evaluateAll((elements) =>
    elements.map((e) => ({ top: parseFloat((e as HTMLElement).style.top || '0'), text: (e.textContent ?? '').replace(/\u00a0/g, ' ') })),
  );
  return lines
    .sort((a, b) => a.top - b.top)
    .map((l) => l.text)
    .join('\n');
}

/** Wait until the editor of `fileName` shows `expected` (compared without trailing blank lines). */
export async function waitForText(workbench: Workbench, fileName: string, expected: string, what: string, timeoutMs = 20_000): Promise<string> {
  const trim = (s: string): string => s.replace(/\s+$/, '');
  return waitFor(what, () => editorText(workbench, fileName), (text) => trim(text) === trim(expected), timeoutMs);
}

/** The training panel's webview frame for the spec named `name` (the panel's document title, "NNSpec: name"). */
export function panelFrame(workbench: Workbench, name: string, timeoutMs = 60_000): Promise<Frame> {
  return workbench.webviewFrame(`typeof window.__nnspec === 'object' && document.title === ${JSON.stringify(`NNSpec: ${name}`)}`, timeoutMs);
}

/** Click the tab of `fileName` (the editor takes the keyboard). */
export async function focusEditor(workbench: Workbench, fileName: string): Promise<void> {
  await workbench.page.locator(`.tabs-container .tab[aria-label^="${fileName}"]`).first().click();
  await workbench.page.waitForTimeout(200);
}

/** Whether the tab of `fileName` shows unsaved changes. */
export async function isDirty(workbench: Workbench, fileName: string): Promise<boolean> {
  const tab = workbench.page.locator(`.tabs-container .tab[aria-label^="${fileName}"]`).first();
  return (await tab.getAttribute('class'))?.split(/\s+/).includes('dirty') ?? false;
}

/**
 * Quick Open, the file's name, a click on the row whose label is that file (Enter could take
 * another row while the list is still filling in, e.g. digits-30 for digits-16-16); its tab.
 */
export async function openFileByClick(workbench: Workbench, fileName: string): Promise<void> {
  await workbench.openPalette();
  await workbench.page.keyboard.press('Backspace'); // drop '>': file search
  await workbench.page.keyboard.type(fileName);
  const row = workbench.page.locator(`.quick-input-widget .quick-input-list .monaco-list-row[aria-label^="${fileName}"]`).first();
  await row.waitFor({ timeout: 20_000 });
  await workbench.page.waitForTimeout(300);
  await row.click();
  await workbench.page.locator(`.tabs-container .tab[aria-label^="${fileName}"]`).first().waitFor({ timeout: 20_000 });
}
