/**
 * Typed access to the panel page from the tests. The functions passed to page.evaluate run in
 * Chromium; this program's lib has no DOM, so the few page globals they touch are typed here.
 */
import type { Page } from 'playwright-core';
import type { PanelState } from '../../src/protocol';

export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

export interface Hook {
  state: PanelState;
  status: string;
  stats(): { messages: number; snapshots: number; frames: number; chartUpdates: number; heatmapDraws: number; lastHeatmapMs: number };
  chartSeries(): { label: string; points: { x: number; y: number }[] }[];
  chartTicks(): { x: { value: number; label: string }[]; y: { value: number; label: string }[] };
  chartBuckets: number;
  stepCount(): number;
  cellPixel(layer: number, j: number, k: number): { x: number; y: number } | undefined;
  limit(layer: number): number | undefined;
  scaleColors(): { negative: Rgba; neutral: Rgba; positive: Rgba };
  themeKind(): string;
  measureHeatmapRedraw(units: number, inputs: number, repeats: number): { meanMs: number; minMs: number; maxMs: number };
  histogramSteps(layer: number): number[];
  histogramKind(): string;
  confusionAccuracy(): number | undefined;
  confusionCell(i: number, j: number): { x: number; y: number };
  chartMarks(): { text: string; x: number; label: string; labelX: number; width: number; left: number; top: number; bottom: number; right: number }[];
  chartMarksNear(x: number): string[];
  chartTooltip(): { visible: boolean; title: string[]; footer: string[] };
  historyMemory(): { kept: number; stride: number; bytes: number; epochs: number };
}

interface PageRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

interface PageElement {
  textContent: string | null;
  hidden: boolean;
  width: number;
  height: number;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): PageRect;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}

export interface PageGlobal {
  __nnspec: Hook;
  document: { querySelector(selector: string): PageElement | null; querySelectorAll(selector: string): ArrayLike<PageElement>; activeElement: PageElement | null };
  innerHeight: number;
}

/** Runs `f` in the page with the panel's hook as its first argument. */
export async function hook<T, A>(page: Page, f: (h: Hook, arg: A) => T, arg: A): Promise<T> {
  const handle = await page.evaluateHandle(() => (globalThis as unknown as PageGlobal).__nnspec);
  try {
    return await handle.evaluate(f as (h: Hook, arg: unknown) => T, arg as unknown);
  } finally {
    await handle.dispose();
  }
}

/** The colour of canvas pixel (x, y) of the element matching `selector`. */
export function pixel(page: Page, selector: string, x: number, y: number): Promise<Rgba> {
  return page.evaluate(
    ([sel, px, py]) => {
      const canvas = (globalThis as unknown as PageGlobal).document.querySelector(sel);
      if (!canvas) throw new Error(`no element ${sel}`);
      const d = canvas.getContext('2d').getImageData(px, py, 1, 1).data;
      return { r: d[0], g: d[1], b: d[2], a: d[3] / 255 };
    },
    [selector, x, y] as const,
  );
}

/** Client coordinates of the centre of canvas pixel (x, y) (for the mouse). */
export function clientPoint(page: Page, selector: string, x: number, y: number): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ([sel, px, py]) => {
      const canvas = (globalThis as unknown as PageGlobal).document.querySelector(sel);
      if (!canvas) throw new Error(`no element ${sel}`);
      const r = canvas.getBoundingClientRect();
      return { x: r.left + ((px + 0.5) * r.width) / canvas.width, y: r.top + ((py + 0.5) * r.height) / canvas.height };
    },
    [selector, x, y] as const,
  );
}

export function text(page: Page, selector: string): Promise<string> {
  return page.evaluate((sel) => (globalThis as unknown as PageGlobal).document.querySelector(sel)?.textContent ?? '', selector);
}

/** Tooltip rows: term key → value text. */
export function tooltipTerms(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const g = globalThis as unknown as PageGlobal;
    const out: Record<string, string> = {};
    const rows = g.document.querySelectorAll('#cell-tooltip .tt-row');
    for (let i = 0; i < rows.length; i++) out[rows[i].getAttribute('data-term') ?? '?'] = rows[i].querySelector('.tt-value')?.textContent ?? '';
    return out;
  });
}

export function distance(a: Rgba, b: Rgba): number {
  return Math.max(Math.abs(a.r - b.r), Math.abs(a.g - b.g), Math.abs(a.b - b.b));
}
