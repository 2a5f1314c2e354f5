#!/usr/bin/env node
// `npm start`: a real VS Code (code-server 4.100.3 = VS Code 1.100.3) with NNSpec installed and the
// examples/ folder open, served on 127.0.0.1 only. Ctrl-C stops it and everything it started.
//
//   npm start                      build, package, install the .vsix, start, print the URL
//   npm start -- --port 8123       a fixed port (default: 8080 when free, else any free port)
//   npm start -- --dev             no packaging: load the extension from this folder
//                                  (extensionDevelopmentPath) and rebuild on change (esbuild --watch);
//                                  "Developer: Reload Window" picks up a rebuild
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CODE_SERVER_VERSION, VSCODE_VERSION, cacheDir, freePort, installExtension, prepareCodeServer, remoteUri,
  repoRoot, seedUserSettings, startCodeServer, workbenchUrl,
} from './codeServer.mjs';
import { manifest, packageExtension } from './vsix.mjs';

const args = process.argv.slice(2);
const dev = args.includes('--dev');
const portArg = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : undefined;
if (portArg !== undefined && !(Number.isInteger(portArg) && portArg > 0 && portArg < 65536)) {
  fail(`--port needs a port number (1–65535), got "${args[args.indexOf('--port') + 1] ?? ''}"`);
}

const extensionsDir = join(cacheDir, 'start', 'extensions');
const userDataDir = join(cacheDir, 'start', 'user-data');
const folder = join(repoRoot, 'examples');
const children = [];
let server;
let stopping = false;

async function main() {
  const setup = prepareCodeServer();
  console.log(`code-server ${CODE_SERVER_VERSION} (VS Code ${VSCODE_VERSION}) ${setup.reused ? 'cached' : 'prepared'} in ${setup.dir}`);

  if (dev) {
    const watcher = spawn(process.execPath, ['esbuild.mjs', '--watch'], { cwd: repoRoot, stdio: 'inherit' });
    children.push(watcher);
  } else {
    const { version } = manifest();
    const vsix = join(cacheDir, 'start', `nnspec-${version}.vsix`);
    mkdirSync(join(cacheDir, 'start'), { recursive: true });
    console.log('Building and packaging the extension …');
    packageExtension({ out: vsix, quiet: true });
    installExtension(vsix, { extensionsDir, userDataDir });
    console.log(`Installed ${manifest().id}@${version} into ${extensionsDir}`);
  }
  seedUserSettings(userDataDir);

  const port = portArg ?? (await portOr(8080));
  server = await startCodeServer({ port, folder, extensionsDir, userDataDir, onOutput: showErrors });
  const payload = dev ? [['extensionDevelopmentPath', remoteUri(port, repoRoot)]] : undefined;
  const url = workbenchUrl(server.url, folder, payload);
  console.log(`\nNNSpec is running in VS Code ${VSCODE_VERSION}${dev ? ' (development: extension loaded from this folder)' : ''}.`);
  console.log(`Open this in your browser:\n\n  ${url}\n`);
  console.log('Open xor.nnspec and run "NNSpec: Train Network" from the command palette (F1). Ctrl-C stops the server.');

  const exit = await server.exited;
  if (!stopping) {
    console.error(`code-server stopped by itself (${JSON.stringify(exit)}). Its last output:\n${server.output().slice(-4000)}`);
    await shutdown(1);
  }
}

/** Pass on code-server's error lines, except the marketplace lookups that fail on a machine without internet. */
function showErrors(text) {
  for (const line of text.split('\n')) {
    if (/\berror\b/i.test(line) && !/ENOTFOUND|EAI_AGAIN|gallery|open-vsx|marketplace/i.test(line)) process.stderr.write(`${line}\n`);
  }
}

async function portOr(preferred) {
  const { createServer } = await import('node:net');
  const free = await new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
  return free ? preferred : freePort();
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  if (server) {
    console.log('\nStopping code-server …');
    await server.stop();
  }
  process.exit(code);
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));

main().catch(async (error) => {
  console.error(error instanceof Error ? error.message : String(error));
  await shutdown(1);
});
