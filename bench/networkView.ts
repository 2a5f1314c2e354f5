/**
 * The network view's redraw (webview/network.ts) in headless Chromium, timed on real streams:
 * each network is trained a few steps by the real worker (dist worker bundle, the webview
 * tests' harness), the panel page draws its snapshots, then the hook times `repeats` redraws
 *   newData  after a snapshot: fresh layer arrays, trace and pictures (set untimed, as a message
 *            brings them), so the links are chosen and drawn again;
 *   same     a redraw with nothing new (a hover, the walk's highlight unchanged).
 * Run: node scripts/bench-network-view.mjs   (prints a Markdown table; docs/performance.md).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { buildBundles, launchChromium, openPanel, recordSession, ROOT, startServer } from '../test/webview/harness';

const NETWORKS: { name: string; spec: string; steps: number }[] = [
  { name: '784-128-64-10 (network C)', spec: 'network c\ninput 28x28\ndense 128 relu\ndense 64 relu\ndense 10 softmax\nloss cce\noptimizer sgd rate=0.1\nbatch 32\nepochs 1\nseed 1\ndata digits\nvalidation 0.1\n', steps: 2 },
  { name: '784-16-16-10 (digits-16-16)', spec: readFileSync(path.join(ROOT, 'examples/digits-16-16.nnspec'), 'utf8'), steps: 2 },
  { name: '2-16-16-1 (spiral, pictures)', spec: readFileSync(path.join(ROOT, 'examples/spiral.nnspec'), 'utf8'), steps: 5 },
  { name: '2-8-1 (circle, pictures)', spec: readFileSync(path.join(ROOT, 'examples/circle.nnspec'), 'utf8'), steps: 5 },
];

function stats(times: number[]): { median: number; p95: number; max: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[sorted.length >> 1], p95: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)], max: sorted[sorted.length - 1] };
}

async function main(): Promise<void> {
  const repeats = Number(process.argv[2] ?? 60);
  const load = loadavg().map((v) => v.toFixed(2)).join(' / ');
  await buildBundles();
  const browser = await launchChromium();
  const { server, origin } = await startServer();
  const rows: string[] = ['| network | links drawn | after a snapshot: median | p95 | max | nothing new: median | p95 |', '|---|---|---|---|---|---|---|'];
  try {
    for (const n of NETWORKS) {
      const r = await recordSession(n.spec, path.join(ROOT, 'examples', 'bench.nnspec'));
      for (let i = 0; i < n.steps; i++) await r.send({ type: 'step' });
      await r.close();
      const p = await openPanel(browser, origin, 'dark');
      await p.send(r.stream);
      await p.settle();
      await p.page.locator('canvas.network').scrollIntoViewIfNeeded();
      const result = (await p.page.evaluate((k) => (globalThis as unknown as { __nnspec: { measureNetworkRedraw(r: number): unknown } }).__nnspec.measureNetworkRedraw(k), repeats)) as { newData: number[]; same: number[]; counts: { links: number } };
      const fresh = stats(result.newData.slice(5)); // the first include compilation
      const same = stats(result.same.slice(5));
      const f = (v: number): string => `${v.toFixed(2)} ms`;
      rows.push(`| ${n.name} | ${result.counts.links} | **${f(fresh.median)}** | ${f(fresh.p95)} | ${f(fresh.max)} | ${f(same.median)} | ${f(same.p95)} |`);
      await p.page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`Network view redraw, headless Chromium (${repeats - 5} redraws each, panel 1400×900, device ratio 1); load average at the start ${load} (1 / 5 / 15 min):\n`);
  console.log(rows.join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
