// One build script for every bundle: the extension, the training worker, the CLI,
// the panel (webview), the benchmark and the in-host test suite.
//   node esbuild.mjs            build once (production: minified, no source maps)
//   node esbuild.mjs --watch    rebuild on change (with source maps)
//   node esbuild.mjs --dev      build once with source maps
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { ensureDigits } from './scripts/build-digits.mjs';
import { buildWasm } from './wasm/build.mjs';

const watch = process.argv.includes('--watch');
const dev = watch || process.argv.includes('--dev');

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: dev,
  minify: !dev,
  keepNames: true,
  logLevel: 'warning',
};

const browser = { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: dev, minify: !dev, logLevel: 'warning' };

/**
 * The panel's stylesheet with KaTeX's: its woff2 fonts go to dist/fonts/ (allowed by the panel's
 * font-src). Every browser VS Code runs has woff2, so the woff and ttf fallbacks are left out
 * (their url() is emptied).
 */
const css = {
  bundle: true,
  minify: !dev,
  logLevel: 'warning',
  loader: { '.woff2': 'file', '.woff': 'empty', '.ttf': 'empty' },
  assetNames: 'fonts/[name]',
};

/** [entry, out, options]; entries that do not exist yet are skipped with a notice. */
const bundles = [
  ['src/extension/extension.ts', 'dist/extension.js', { ...node, external: ['vscode'] }],
  ['src/worker/worker.ts', 'dist/worker.js', node],
  ['src/extension/weightsWorker.ts', 'dist/weightsWorker.js', node],
  ['src/extension/exportWorker.ts', 'dist/exportWorker.js', node],
  ['src/cli.ts', 'dist/cli.js', node],
  ['webview/main.ts', 'dist/webview.js', browser],
  // The tests' and the benchmark's read-only panel hook, loaded only when asked (see panelHtml.ts).
  ['webview/hook.ts', 'dist/webview-hook.js', browser],
  ['webview/main.css', 'dist/webview.css', css],
  ['bench/bench.ts', 'dist/bench.js', { ...node, minify: false, external: ['@tensorflow/*', 'brain.js', 'convnetjs', 'gpu.js', 'esbuild', 'playwright-core'] }],
  ['test/vscode/suite.ts', 'dist/test/suite.js', { ...node, minify: false, external: ['vscode'] }],
];

// The built-in `digits` data set: media/data/digits.bin, made from the `mnist` package when
// missing or older than its script (see scripts/build-digits.mjs).
ensureDigits();

// The WebAssembly SIMD kernels: wasm/kernels.ts (AssemblyScript) compiled into
// src/core/engine/wasmBinary.ts (base64) when the source is newer (see wasm/build.mjs).
await buildWasm();

const contexts = [];
for (const [entry, outfile, options] of bundles) {
  if (!existsSync(entry)) {
    console.log(`esbuild: ${entry} not present yet, skipped`);
    continue;
  }
  const config = { entryPoints: [entry], outfile, ...options };
  if (watch) {
    const ctx = await esbuild.context(config);
    await ctx.watch();
    contexts.push(ctx);
  } else {
    await esbuild.build(config);
  }
}
if (watch) console.log('esbuild: watching for changes');
