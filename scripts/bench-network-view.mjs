// Bundles bench/networkView.ts (the network view's redraw in headless Chromium) and runs it.
// Usage: node scripts/bench-network-view.mjs [REDRAWS]   (after `npm run build`: it needs the built-in digits)
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'test-artifacts', 'bench', 'networkView.cjs');
mkdirSync(path.dirname(out), { recursive: true });
await build({ entryPoints: [path.join(root, 'bench/networkView.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['esbuild', 'playwright-core'], logLevel: 'warning', define: { __dirname: JSON.stringify(path.join(root, 'test/webview')) } });
const run = spawnSync(process.execPath, [out, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(run.status ?? 1);
