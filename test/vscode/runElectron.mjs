// npm run test:vscode — the in-host suite (dist/test/suite.js, built from test/vscode/suite.ts)
// inside a desktop VS Code downloaded by @vscode/test-electron (1.90.0, the oldest VS Code the
// manifest accepts, unless NNSPEC_VSCODE_VERSION says otherwise). Needs internet for the
// download; on machines without it the suite runs inside code-server instead (test/e2e).
import { runTests } from '@vscode/test-electron';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const suite = join(root, 'dist', 'test', 'suite.js');
if (!existsSync(suite)) {
  console.error(`${suite} is missing: run \`node esbuild.mjs\` first (npm run test:vscode does).`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'nnspec-vscode-'));
const resultFile = join(work, 'result.json');
const userData = join(work, 'user-data');
mkdirSync(userData, { recursive: true });

let exitCode = 0;
try {
  await runTests({
    version: process.env.NNSPEC_VSCODE_VERSION ?? '1.90.0',
    extensionDevelopmentPath: root,
    extensionTestsPath: suite,
    extensionTestsEnv: { NNSPEC_TEST_RESULT: resultFile },
    launchArgs: [join(root, 'examples'), '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${userData}`],
  });
} catch (error) {
  exitCode = 1;
  console.error(`in-host suite: ${error instanceof Error ? error.message : String(error)}`);
}

if (existsSync(resultFile)) {
  const result = JSON.parse(readFileSync(resultFile, 'utf8'));
  console.log(`in-host suite: ${result.passed} passed, ${result.failed} failed`);
  for (const failure of result.failures) console.log(`  ✗ ${failure.name}: ${failure.message}`);
  if (result.failed > 0 || result.passed === 0) exitCode = 1;
} else {
  console.error('in-host suite: no result file was written (VS Code could not be downloaded or started, or the suite did not run)');
  exitCode = 1;
}
rmSync(work, { recursive: true, force: true });
process.exit(exitCode);
