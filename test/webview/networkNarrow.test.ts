/**
 * The network view in a narrow panel (250 px, as a side-bar panel is) and a wide one (800 px), in
 * headless Chromium with streams from the real training worker: the column labels fit (no two
 * drawn over one another, none cut at the canvas's edge, each under its own column, in full when
 * there is room, the full text on hover when not); the links run between the pictures, never
 * across one; the pictures neither overlap each other nor another column's neurons; a 784-128-64-10
 * net keeps its bands. Screenshots of each width and theme go to test-artifacts/webview/.
 */
import type { Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ToPanel } from '../../src/protocol';
import { ARTIFACTS, buildBundles, launchChromium, openPanel, recordExamples, startServer, type PanelPage, type Theme } from './harness';
import { hook, text, type Hook } from './page';

let browser: Browser;
let server: Server;
let origin: string;
type Name = 'xor' | 'spiral' | 'iris' | 'digits';
/** Example file and steps taken: 2-4-1, 2-16-16-1 (plane pictures), 4-8-3 (histograms), 784-128-64-10 (two bands). */
const FILES: Record<Name, [string, number]> = { xor: ['xor', 3], spiral: ['spiral', 40], iris: ['iris', 5], digits: ['digits-softmax', 1] };
let streams = {} as Record<Name, ToPanel[]>;

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}
interface Label extends Box {
  column: number;
  text: string;
  full: string;
}
interface Segment {
  layer: number;
  j: number;
  k: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
interface NarrowHook {
  networkLabels(): Label[];
  networkSegments(): Segment[];
  networkSize(): { width: number; height: number };
  networkCounts(): { circles: number[]; bands: boolean[]; links: number };
  networkPoint(layer: number, j: number): { x: number; y: number } | undefined;
  pictureBox(layer: number, j: number): { x: number; y: number; side: number } | undefined;
}

function net<T, A>(p: PanelPage, f: (h: NarrowHook, arg: A) => T, arg: A): Promise<T> {
  return hook(p.page, f as unknown as (h: Hook, arg: A) => T, arg);
}

beforeAll(async () => {
  await buildBundles();
  browser = await launchChromium();
  ({ server, origin } = await startServer());
  streams = await recordExamples(FILES);
  mkdirSync(ARTIFACTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

/** The panel `width` px wide (the webview's viewport is the panel), showing `name`'s stream. */
async function open(theme: Theme, name: Name, width: number): Promise<PanelPage> {
  const p = await openPanel(browser, origin, theme);
  await p.page.setViewportSize({ width, height: 900 });
  await p.send(streams[name]);
  await p.settle();
  await p.page.locator('canvas.network').scrollIntoViewIfNeeded();
  await p.settle();
  return p;
}

async function closeClean(p: PanelPage): Promise<void> {
  expect(await p.problems()).toEqual([]);
  await p.page.close();
}

const intersects = (a: Box, b: Box): boolean => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const boxOf = (q: { x: number; y: number; side: number }): Box => ({ left: q.x, right: q.x + q.side, top: q.y, bottom: q.y + q.side });

/** Whether segment (x0, y0)–(x1, y1) passes through the inside of box b (Liang–Barsky clipping). */
function crosses(s: Segment, b: Box): boolean {
  const dx = s.x1 - s.x0;
  const dy = s.y1 - s.y0;
  let t0 = 0;
  let t1 = 1;
  for (const [p, q] of [[-dx, s.x0 - b.left], [dx, b.right - s.x0], [-dy, s.y0 - b.top], [dy, b.bottom - s.y0]] as const) {
    if (p === 0) {
      if (q <= 0) return false;
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
    }
  }
  // more than a hair (0.5 px) of the segment inside the box
  return t1 - t0 > 0.5 / Math.max(1e-9, Math.hypot(dx, dy));
}

interface Drawn {
  size: { width: number; height: number };
  labels: Label[];
  segments: Segment[];
  /** Per column: neuron centres (circles only). */
  neurons: { x: number; y: number }[][];
  pictures: { layer: number; j: number; box: Box }[];
  circles: number[];
  bands: boolean[];
}

async function drawn(p: PanelPage): Promise<Drawn> {
  const counts = await net(p, (h) => h.networkCounts(), null);
  const neurons: { x: number; y: number }[][] = [];
  const pictures: Drawn['pictures'] = [];
  for (let c = 0; c < counts.circles.length; c++) {
    const list: { x: number; y: number }[] = [];
    for (let j = 0; j < counts.circles[c]; j++) {
      list.push((await net(p, (h, [a, b]) => h.networkPoint(a, b), [c, j] as const))!);
      const q = await net(p, (h, [a, b]) => h.pictureBox(a, b), [c, j] as const);
      if (q) pictures.push({ layer: c, j, box: boxOf(q) });
    }
    neurons.push(list);
  }
  return {
    size: await net(p, (h) => h.networkSize(), null),
    labels: await net(p, (h) => h.networkLabels(), null),
    segments: await net(p, (h) => h.networkSegments(), null),
    neurons,
    pictures,
    circles: counts.circles,
    bands: counts.bands,
  };
}

/** Column c's x on the canvas (its first neuron's centre, a band's middle). */
async function columnX(p: PanelPage, c: number): Promise<number> {
  return (await net(p, (h, a) => h.networkPoint(a, 0), c))!.x;
}

const WIDTHS = [250, 800] as const;
const NAMES: Name[] = ['xor', 'spiral', 'iris', 'digits'];

describe('the network view, narrow and wide', () => {
  for (const width of WIDTHS) {
    for (const name of NAMES) {
      test(`${name} at ${width} px: every label inside the canvas, under its column, none over another`, async () => {
        const p = await open(width === 250 ? 'dark' : 'light', name, width);
        const d = await drawn(p);
        expect(d.size.width).toBeLessThanOrEqual(width);
        const columns = d.circles.length;
        expect(d.labels.map((l) => l.column)).toEqual(Array.from({ length: columns }, (_, c) => c));
        const shown = d.labels.filter((l) => l.text !== '');
        for (const l of shown) {
          expect(l.left, `${l.text}: left edge`).toBeGreaterThanOrEqual(0);
          expect(l.right, `${l.text}: right edge`).toBeLessThanOrEqual(d.size.width);
          expect(l.top, `${l.text}: top`).toBeGreaterThanOrEqual(0);
          expect(l.bottom, `${l.text}: bottom`).toBeLessThanOrEqual(d.size.height);
          // a shortened label is the start of its full text (the size first)
          expect(l.full.startsWith(l.text) || l.full.includes(l.text), `${l.text} of ${l.full}`).toBe(true);
        }
        for (let a = 0; a < shown.length; a++) {
          for (let b = a + 1; b < shown.length; b++) expect(intersects(shown[a], shown[b]), `"${shown[a].text}" and "${shown[b].text}" overlap`).toBe(false);
        }
        // each label is under its own column: nearer its column's x than any other column's
        const xs = await Promise.all(Array.from({ length: columns }, (_, c) => columnX(p, c)));
        for (const l of shown) {
          const middle = (l.left + l.right) / 2;
          const nearest = xs.reduce((best, x, c) => (Math.abs(x - middle) < Math.abs(xs[best] - middle) ? c : best), 0);
          expect(nearest, `"${l.text}" (middle ${middle.toFixed(1)}) under column ${l.column} at ${xs[l.column].toFixed(1)}`).toBe(l.column);
        }
        if (width === 800) expect(d.labels.map((l) => l.text)).toEqual(d.labels.map((l) => l.full));
        // in the narrow panel every layer still says at least its size
        if (width === 250 && name !== 'digits') for (const l of d.labels) expect(l.text, l.full).toMatch(/\d/);
        await closeClean(p);
      });

      test(`${name} at ${width} px: links end outside every picture and cross none; pictures overlap nothing`, async () => {
        const p = await open(width === 250 ? 'high-contrast' : 'dark', name, width);
        const d = await drawn(p);
        expect(d.segments.length).toBeGreaterThan(0);
        for (const s of d.segments) {
          for (const { layer, j, box } of d.pictures) {
            const inside = (x: number, y: number): boolean => x > box.left && x < box.right && y > box.top && y < box.bottom;
            const what = `link w^${s.layer}_${s.j},${s.k} (${s.x0.toFixed(1)},${s.y0.toFixed(1)})–(${s.x1.toFixed(1)},${s.y1.toFixed(1)}) and the picture of neuron ${j} of layer ${layer}`;
            expect(inside(s.x0, s.y0) || inside(s.x1, s.y1), `${what}: an end inside`).toBe(false);
            expect(crosses(s, box), `${what}: crosses it`).toBe(false);
          }
        }
        for (let a = 0; a < d.pictures.length; a++) {
          const pa = d.pictures[a];
          expect(pa.box.left >= 0 && pa.box.right <= d.size.width && pa.box.top >= 0 && pa.box.bottom <= d.size.height, `picture ${pa.layer}/${pa.j} inside the canvas`).toBe(true);
          for (let b = a + 1; b < d.pictures.length; b++) expect(intersects(pa.box, d.pictures[b].box), `pictures ${pa.layer}/${pa.j} and ${d.pictures[b].layer}/${d.pictures[b].j}`).toBe(false);
          // no other column's neuron under a picture
          d.neurons.forEach((list, c) => {
            if (c === pa.layer) return;
            for (const q of list) expect(q.x > pa.box.left - 2 && q.x < pa.box.right + 2 && q.y > pa.box.top - 2 && q.y < pa.box.bottom + 2, `neuron ${c}/${list.indexOf(q)} under picture ${pa.layer}/${pa.j}`).toBe(false);
          });
        }
        await closeClean(p);
      });
    }
  }

  test('784-128-64-10 at 250 px: two bands and 64 + 10 circles, each band labelled with its size', async () => {
    const p = await open('light', 'digits', 250);
    const d = await drawn(p);
    expect(d.bands).toEqual([true, true, false, false]);
    expect(d.circles).toEqual([0, 0, 64, 10]);
    // the bands' labels fit at least their sizes
    expect(d.labels[0].text).toMatch(/784/);
    expect(d.labels[1].text).toMatch(/128/);
    await closeClean(p);
  });

  test('pictures shrink with the panel, and below 12 px the legend says to widen it instead', async () => {
    const sides: number[] = [];
    for (const width of [800, 250, 200]) {
      const p = await open('light', 'spiral', width);
      const d = await drawn(p);
      sides.push(Math.max(0, ...d.pictures.map((q) => q.box.right - q.box.left)));
      const legend = await text(p.page, '.network-legend');
      if (width === 200) {
        expect(d.pictures).toEqual([]);
        expect(legend).toContain('too narrow for the neurons’ pictures');
      } else {
        expect(d.pictures.length).toBe(16 + 16 + 1);
        expect(legend).toContain('its activation a over the input plane');
      }
      await closeClean(p);
    }
    expect(sides[0]).toBeGreaterThan(sides[1]);
    expect(sides[1]).toBeGreaterThanOrEqual(12);
  });

  test('784-128-64-10: layer 2’s 64 neurons get no pictures piled on one another; the legend says why', async () => {
    const p = await open('dark', 'digits', 800);
    const d = await drawn(p);
    expect(d.pictures.map((q) => q.layer)).toEqual(Array(10).fill(3));
    expect(await text(p.page, '.network-legend')).toContain('Layer 2’s 64 neurons are too close together for pictures');
    await closeClean(p);
  });

  test('a shortened label: hovering it shows the layer in full, with no chain-rule hint', async () => {
    const p = await open('dark', 'digits', 250);
    const d = await drawn(p);
    const cut = d.labels.find((l) => l.text !== l.full);
    expect(cut, 'at 250 px 784-128-64-10 has a shortened label').toBeDefined();
    const x = await columnX(p, cut!.column);
    const box = (await p.page.locator('canvas.network').boundingBox())!;
    await p.page.mouse.move(box.x + x, box.y + (cut!.top + cut!.bottom) / 2);
    expect(await text(p.page, '#cell-tooltip .tt-title')).toContain(cut!.full);
    expect(await text(p.page, '#cell-tooltip .tt-hint')).toBe('');
    // the canvas's accessible name says every layer in full
    expect(await p.page.locator('canvas.network').getAttribute('aria-label')).toContain('784 inputs, 3 dense layers (128 relu, 64 relu, 10 softmax)');
    await closeClean(p);
  });

  test('screenshots: spiral and 784-128-64-10 at 250 and 800 px in light, dark and high contrast', async () => {
    for (const theme of ['light', 'dark', 'high-contrast'] as const) {
      for (const width of WIDTHS) {
        for (const name of ['spiral', 'digits'] as const) {
          const p = await open(theme, name, width);
          await p.page.locator('canvas.network').screenshot({ path: path.join(ARTIFACTS, `network-narrow-${name}-${width}-${theme}.png`) });
          await closeClean(p);
        }
      }
    }
  });
});
