#!/usr/bin/env node
// `npm run install-extension`: package nnspec-<version>.vsix and install it into the desktop VS Code
// whose `code` command is on PATH (or `code-insiders` / `codium`); without one, say how to install it by hand.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { repoRoot } from './codeServer.mjs';
import { manifest, packageExtension } from './vsix.mjs';

const editors = ['code', 'code-insiders', 'codium'];
const found = editors.find((command) => (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command))));

try {
  const { path, bytes } = packageExtension({ quiet: true });
  const shown = relative(repoRoot, path);
  console.log(`Packaged ${shown} (${(bytes / 1024).toFixed(0)} KiB).`);
  if (!found) {
    console.log(
      `No desktop VS Code command (${editors.join(', ')}) is on PATH, so nothing was installed.\n` +
        `To install by hand: in VS Code run "Extensions: Install from VSIX…" and pick ${path},\n` +
        `or put the \`code\` command on PATH ("Shell Command: Install 'code' command in PATH") and run this again.\n` +
        'To try NNSpec without a desktop VS Code: npm start (a VS Code in your browser).',
    );
    process.exit(0);
  }
  const result = spawnSync(found, ['--install-extension', path, '--force'], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\`${found} --install-extension ${shown} --force\` failed (exit ${result.status ?? result.error?.message}).`);
    process.exit(1);
  }
  console.log(`Installed ${manifest().id} into VS Code (${found}). Reload open windows to use it.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
