#!/usr/bin/env node
// `npm run package`: build and write nnspec-<version>.vsix, then say what is in it and how big it is.
import { relative } from 'node:path';
import { repoRoot } from './codeServer.mjs';
import { packageExtension, vsixEntries } from './vsix.mjs';

try {
  const { path, bytes } = packageExtension();
  const entries = vsixEntries(path).filter((name) => name.startsWith('extension/'));
  console.log(`\n${relative(repoRoot, path)}: ${(bytes / 1024).toFixed(0)} KiB, ${entries.length} files`);
  for (const name of entries) console.log(`  ${name.slice('extension/'.length)}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
