/**
 * The panel's heatmap redraw of a 784 × 128 layer (network C, layer 1), timed in headless
 * Chromium: the panel's own code (webview/heatmapRender.ts, webview/colors.ts) bundled by
 * esbuild, drawing into an ImageData and putting it on a canvas, exactly as webview/heatmaps.ts
 * does on every snapshot. Chromium: $NNSPEC_CHROMIUM (as elsewhere in the project), else
 * $CHROMIUM_PATH, else /usr/bin/chromium (Debian package
 * `chromium`), driven by playwright-core.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface HeatmapResult {
  units: number;
  inputs: number;
  canvas: string;
  redraws: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

const PAGE_SCRIPT = `
import { heatmapLayout, renderHeatmap, symmetricLimit } from './webview/heatmapRender';
import { divergingScale, pack } from './webview/colors';
(globalThis as any).benchHeatmap = (units: number, inputs: number, redraws: number) => {
  const layout = heatmapLayout(units, inputs, true, 1000);
  const canvas = document.createElement('canvas');
  canvas.width = layout.width;
  canvas.height = layout.height;
  document.body.appendChild(canvas);
  const ctx = canvas.getContext('2d')!;
  const image = new ImageData(layout.width, layout.height);
  const pixels = new Uint32Array(image.data.buffer);
  const scale = divergingScale({ r: 200, g: 40, b: 40, a: 1 }, { r: 30, g: 30, b: 30, a: 1 }, { r: 40, g: 90, b: 220, a: 1 });
  const background = pack({ r: 30, g: 30, b: 30, a: 1 });
  const values = new Float32Array(units * inputs);
  const biases = new Float32Array(units);
  const times: number[] = [];
  for (let r = 0; r < redraws; r++) {
    for (let i = 0; i < values.length; i += 97) values[i] = Math.sin(i + r); // new numbers each snapshot
    for (let j = 0; j < units; j++) biases[j] = Math.cos(j + r);
    const t0 = performance.now();
    const limit = symmetricLimit(values, biases);
    renderHeatmap(pixels, layout, values, biases, limit, scale.lut, background);
    ctx.putImageData(image, 0, 0);
    times.push(performance.now() - t0);
  }
  return { times, canvas: layout.width + '×' + layout.height };
};
`;

export async function measureHeatmap(root: string, units = 128, inputs = 784, redraws = 60): Promise<HeatmapResult | string> {
  const chromium = process.env.NNSPEC_CHROMIUM ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) return `no Chromium at ${chromium}: install the Debian package 'chromium' or set NNSPEC_CHROMIUM`;
  if (!existsSync(join(root, 'webview', 'heatmapRender.ts'))) return 'webview/heatmapRender.ts is missing';
  const esbuild = await import('esbuild');
  const bundled = await esbuild.build({
    stdin: { contents: PAGE_SCRIPT, resolveDir: root, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  const { chromium: launcher } = await import('playwright-core');
  const browser = await launcher.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ content: bundled.outputFiles[0].text });
    const { times, canvas } = await page.evaluate(
      ([u, i, r]) => (globalThis as unknown as { benchHeatmap: (u: number, i: number, r: number) => { times: number[]; canvas: string } }).benchHeatmap(u, i, r),
      [units, inputs, redraws] as const,
    );
    const steady = times.slice(5); // the first redraws include compilation
    const sorted = [...steady].sort((a, b) => a - b);
    return {
      units,
      inputs,
      canvas,
      redraws: steady.length,
      medianMs: sorted[sorted.length >> 1],
      p95Ms: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)],
      maxMs: sorted[sorted.length - 1],
    };
  } finally {
    await browser.close();
  }
}
