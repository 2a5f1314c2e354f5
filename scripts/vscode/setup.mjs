#!/usr/bin/env node
// Prepare the local real VS Code (code-server) under .vscode-test/, or reuse it when complete.
//   node scripts/vscode/setup.mjs           prepare if missing
//   node scripts/vscode/setup.mjs --force   rebuild from scratch
import { CODE_SERVER_VERSION, VSCODE_VERSION, prepareCodeServer } from './codeServer.mjs';

try {
  const result = prepareCodeServer({ force: process.argv.includes('--force') });
  console.log(
    result.reused
      ? `code-server ${CODE_SERVER_VERSION} (VS Code ${VSCODE_VERSION}) ready in ${result.dir} (cached, ${result.seconds} s)`
      : `code-server ${CODE_SERVER_VERSION} (VS Code ${VSCODE_VERSION}) prepared in ${result.dir} (${result.seconds} s)`,
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
