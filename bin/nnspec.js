#!/usr/bin/env node
// The `nnspec` command: runs the bundled CLI, building it first on a fresh clone.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const root = path.join(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  const { execFileSync } = require('node:child_process');
  try {
    execFileSync(process.execPath, [path.join(root, 'esbuild.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    console.error('nnspec: could not build the CLI; run `npm install` in ' + root + ' first.');
    process.exit(2);
  }
}
require(cli);
