#!/usr/bin/env node
// The `nnspec` command: runs the bundled CLI. In a source checkout it (re)builds the bundle
// first when it is missing or older than the sources, so `npx nnspec` after `git pull` runs
// what the sources say.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const root = path.join(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');

function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

const builtAt = fs.existsSync(cli) ? fs.statSync(cli).mtimeMs : 0;
const hasSources = fs.existsSync(path.join(root, 'src', 'cli.ts')) && fs.existsSync(path.join(root, 'esbuild.mjs'));
if (builtAt === 0 || (hasSources && newestSource(path.join(root, 'src')) > builtAt)) {
  if (!hasSources) {
    console.error('nnspec: dist/cli.js is missing and there are no sources to build it from.');
    process.exit(2);
  }
  const { execFileSync } = require('node:child_process');
  try {
    execFileSync(process.execPath, [path.join(root, 'esbuild.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    console.error('nnspec: could not build the CLI; run `npm install` in ' + root + ' first.');
    process.exit(2);
  }
}
require(cli);
