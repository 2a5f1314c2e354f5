// A real VS Code on a machine that reaches only the npm registry: code-server 4.100.3 (VS Code 1.100.3).
//
// code-server's npm postinstall cannot run here (it wants --unsafe-perm under root and downloads
// ripgrep), so `prepareCodeServer` does its work by hand, once, into `.vscode-test/` (git-ignored):
//   npm pack code-server → unpack → npm install --ignore-scripts (root, lib/vscode, lib/vscode/extensions)
//   → npm rebuild argon2 → node-gyp rebuild of VS Code's native modules against /usr's Node headers
//   → link Debian's ripgrep and node_modules.asar.
// A marker file (version, Node ABI, platform) says the tree is complete; a tree without it is rebuilt.
//
// Used by scripts/vscode/setup.mjs, start.mjs and the end-to-end tests (test/e2e). Types: codeServer.d.mts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
/** The VS Code release inside that code-server. */
export const VSCODE_VERSION = '1.100.3';

/** The repository root (this file is scripts/vscode/codeServer.mjs). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Everything this module creates lives here (git-ignored). */
export const cacheDir = join(repoRoot, '.vscode-test');
export const codeServerDir = join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
export const codeServerEntry = join(codeServerDir, 'out', 'node', 'entry.js');
const markerFile = join(codeServerDir, '.nnspec-setup.json');

/** VS Code's native modules (lib/vscode/node_modules/…) that code-server's postinstall would have built. */
const NATIVE_MODULES = ['@parcel/watcher', '@vscode/spdlog', 'kerberos', 'native-watchdog', 'node-pty', '@vscode/deviceid'];

/** What the set-up needs from the machine, and the Debian package that provides it. */
const PREREQUISITES = [
  { what: 'ripgrep (rg), the search tool VS Code runs', found: () => onPath('rg'), debian: 'ripgrep' },
  { what: 'Kerberos headers (krb5-config), needed to build the kerberos module', found: () => onPath('krb5-config') || existsSync('/usr/include/gssapi/gssapi.h'), debian: 'libkrb5-dev' },
  { what: 'python3, needed by node-gyp', found: () => onPath('python3'), debian: 'python3' },
  { what: 'make, needed by node-gyp', found: () => onPath('make'), debian: 'make' },
  { what: 'g++, needed by node-gyp', found: () => onPath('g++'), debian: 'g++' },
  {
    what: `Node.js headers (${nodeDir()}/include/node/node.h), needed by node-gyp without a download`,
    found: () => existsSync(join(nodeDir(), 'include', 'node', 'node.h')),
    debian: 'nodejs (a Node.js package that ships its headers, e.g. NodeSource\'s nodejs)',
  },
];

/** Debian's Chromium, which the end-to-end tests drive through playwright-core (NNSPEC_CHROMIUM names another). */
export const CHROMIUM_PATH = process.env.NNSPEC_CHROMIUM || '/usr/bin/chromium';

/** A message naming every missing prerequisite and how to install it; undefined when all are there. */
export function missingPrerequisites({ chromium = false } = {}) {
  const missing = PREREQUISITES.filter((p) => !p.found());
  if (chromium && !existsSync(CHROMIUM_PATH)) missing.push({ what: `Chromium (${CHROMIUM_PATH}; NNSPEC_CHROMIUM=/path/to/chrome names another), the browser the tests drive`, debian: 'chromium' });
  if (process.versions.node.split('.')[0] !== '20') {
    return `code-server ${CODE_SERVER_VERSION} needs Node.js 20; this is Node.js ${process.versions.node}.`;
  }
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map((m) => m.debian.split(' ')[0]))];
  return (
    'A real VS Code (code-server) cannot be prepared on this machine; missing:\n' +
    missing.map((m) => `  - ${m.what} — Debian package: ${m.debian}`).join('\n') +
    `\nInstall with:  sudo apt-get install -y ${packages.join(' ')}`
  );
}

/** True when `.vscode-test/code-server-<version>` is complete and was built for this Node. */
export function codeServerReady() {
  if (!existsSync(markerFile) || !existsSync(codeServerEntry)) return false;
  try {
    const marker = JSON.parse(readFileSync(markerFile, 'utf8'));
    const expected = markerContent();
    return Object.keys(expected).every((k) => marker[k] === expected[k]);
  } catch {
    return false;
  }
}

/**
 * Prepare code-server under `.vscode-test/` unless a complete tree is there already.
 * Throws with the missing Debian packages named when a prerequisite is absent.
 * @param {{ log?: (line: string) => void, force?: boolean }} [options]
 * @returns {{ dir: string, entry: string, reused: boolean, seconds: number }}
 */
export function prepareCodeServer({ log = (line) => console.log(line), force = false } = {}) {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  if (!force && codeServerReady()) {
    return { dir: codeServerDir, entry: codeServerEntry, reused: true, seconds: seconds() };
  }
  const problem = missingPrerequisites();
  if (problem) throw new Error(problem);

  mkdirSync(cacheDir, { recursive: true });
  // One set-up at a time (npm start and a test run may both arrive here); the second one then reuses the first's tree.
  const release = acquireLock(join(cacheDir, 'setup.lock'), log);
  try {
    if (!force && codeServerReady()) return { dir: codeServerDir, entry: codeServerEntry, reused: true, seconds: seconds() };
    buildCodeServer(log);
  } finally {
    release();
  }
  return { dir: codeServerDir, entry: codeServerEntry, reused: false, seconds: seconds() };
}

/** The set-up proper, into a private directory renamed into place at the end. */
function buildCodeServer(log) {
  // Build in a private directory and rename at the end: an interrupted set-up never looks complete.
  // Under the lock, any other tmp-* directory is what an interrupted set-up left behind.
  for (const name of readdirSync(cacheDir)) if (name.startsWith('tmp-')) rmSync(join(cacheDir, name), { recursive: true, force: true });
  const work = join(cacheDir, `tmp-${process.pid}-${Date.now()}`);
  mkdirSync(work, { recursive: true });
  const env = { ...process.env, npm_config_nodedir: nodeDir(), npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const step = (title, fn) => {
    const t0 = Date.now();
    log(`code-server: ${title} …`);
    fn();
    log(`code-server: ${title} done (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  };
  const npm = (args, cwd) => run('npm', args, cwd, env);
  try {
    const pkg = join(work, 'package');
    step(`fetching code-server@${CODE_SERVER_VERSION} from the npm registry`, () => {
      npm(['pack', `code-server@${CODE_SERVER_VERSION}`, '--pack-destination', work, '--silent'], work);
      run('tar', ['xzf', `code-server-${CODE_SERVER_VERSION}.tgz`], work, env);
      rmSync(join(work, `code-server-${CODE_SERVER_VERSION}.tgz`));
    });
    const installArgs = ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
    step('installing code-server\'s dependencies', () => npm(installArgs, pkg));
    step('building argon2', () => npm(['rebuild', 'argon2', '--loglevel=error'], pkg));
    const vscodeDir = join(pkg, 'lib', 'vscode');
    step('installing VS Code\'s dependencies', () => npm(installArgs, vscodeDir));
    step('installing the built-in extensions\' dependencies', () => {
      npm(installArgs, join(vscodeDir, 'extensions'));
      run(process.execPath, ['postinstall.mjs'], join(vscodeDir, 'extensions'), env, { quiet: true });
    });
    const nodeGyp = findNodeGyp();
    for (const name of NATIVE_MODULES) {
      const moduleDir = join(vscodeDir, 'node_modules', name);
      if (!existsSync(moduleDir)) throw new Error(`code-server: ${moduleDir} is missing after npm install`);
      step(`building native module ${name}`, () =>
        run(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir()}`, '--jobs=max', '--loglevel=error'], moduleDir, env, { quiet: true }),
      );
    }
    step('linking ripgrep, node_modules.asar and the helper scripts', () => {
      const rgBin = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
      mkdirSync(rgBin, { recursive: true });
      rmSync(join(rgBin, 'rg'), { force: true });
      symlinkSync(whichSync('rg'), join(rgBin, 'rg'));
      relink('node_modules', join(vscodeDir, 'node_modules.asar'));
      relink('code-linux.sh', join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
      relink('browser-linux.sh', join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
    });
    writeFileSync(join(pkg, '.nnspec-setup.json'), JSON.stringify({ ...markerContent(), builtAt: new Date().toISOString() }, null, 2) + '\n');
    rmSync(codeServerDir, { recursive: true, force: true });
    renameSync(pkg, codeServerDir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  // Older versions' trees are dead weight (hundreds of MB each).
  for (const name of readdirSync(cacheDir)) {
    if (/^code-server-\d+\.\d+\.\d+$/.test(name) && join(cacheDir, name) !== codeServerDir) rmSync(join(cacheDir, name), { recursive: true, force: true });
  }
  if (!codeServerReady()) throw new Error(`code-server: set-up finished but ${codeServerDir} is not complete`);
}

/** A lock directory holding the owner's pid; a lock whose owner is gone is taken over. Returns the release function. */
function acquireLock(lockDir, log) {
  const pidFile = join(lockDir, 'pid');
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(pidFile, String(process.pid));
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let owner = NaN;
    try { owner = Number(readFileSync(pidFile, 'utf8')); } catch { /* being written, or stale without pid */ }
    if (!isAlive(owner)) {
      // Give a fresh lock a moment to get its pid file before declaring it stale.
      sleepSync(500);
      try { owner = Number(readFileSync(pidFile, 'utf8')); } catch { owner = NaN; }
      if (!isAlive(owner)) { rmSync(lockDir, { recursive: true, force: true }); continue; }
    }
    if (!announced) { log(`code-server: waiting for the set-up running in process ${owner} …`); announced = true; }
    sleepSync(1000);
  }
}

function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try { process.kill(pid, 0); return true; } catch (error) { return error.code === 'EPERM'; }
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Install a .vsix into an extensions directory with code-server's `--install-extension`.
 * @param {string} vsix
 * @param {{ extensionsDir: string, userDataDir: string }} dirs
 * @returns {string} code-server's output
 */
export function installExtension(vsix, { extensionsDir, userDataDir }) {
  const result = spawnSync(
    process.execPath,
    [codeServerEntry, '--config', join(cacheDir, 'code-server-config.yaml'), '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix, '--force'],
    { encoding: 'utf8', env: { ...process.env }, timeout: 120_000 },
  );
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0 || result.error) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${result.status}${result.error ? `, ${result.error.message}` : ''}):\n${output}`);
  }
  return output;
}

/**
 * The extensions installed in an extensions directory, as `publisher.name@version`.
 * @param {{ extensionsDir: string, userDataDir: string }} dirs
 */
export function listExtensions({ extensionsDir, userDataDir }) {
  const result = spawnSync(
    process.execPath,
    [codeServerEntry, '--config', join(cacheDir, 'code-server-config.yaml'), '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--list-extensions', '--show-versions'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0 || result.error) throw new Error(`code-server --list-extensions failed: ${result.stderr ?? result.error?.message}`);
  return result.stdout.split('\n').map((l) => l.trim()).filter((l) => /^[\w-]+\.[\w-]+@/.test(l));
}

/**
 * Start code-server bound to 127.0.0.1 (never another interface) and wait until it answers.
 * @param {{ folder?: string, port?: number, extensionsDir: string, userDataDir: string, env?: Record<string, string>,
 *           onOutput?: (text: string) => void, readyTimeoutMs?: number }} options
 */
export async function startCodeServer({ folder, port, extensionsDir, userDataDir, env = {}, onOutput, readyTimeoutMs = 60_000 }) {
  if (!codeServerReady()) throw new Error(`code-server is not prepared in ${codeServerDir}: run \`node scripts/vscode/setup.mjs\``);
  const chosenPort = port ?? (await freePort());
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(userDataDir, { recursive: true });
  const args = [
    codeServerEntry,
    '--config', join(cacheDir, 'code-server-config.yaml'),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${chosenPort}`,
    '--extensions-dir', extensionsDir,
    '--user-data-dir', userDataDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  if (folder) args.push(folder);
  // Its own process group, so stop() ends the extension hosts and other children with it.
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env, PASSWORD: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (chunk) => {
    const text = chunk.toString();
    output += text;
    if (output.length > 200_000) output = output.slice(-100_000);
    onOutput?.(text);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited = null;
  const exitPromise = new Promise((resolveExit) => child.on('exit', (code, signal) => { exited = { code, signal }; resolveExit(exited); }));
  // If this process ends without stop() (a crash, process.exit), the server must not outlive it…
  const killOnExit = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
  process.on('exit', killOnExit);
  // …not even when it is killed outright (SIGKILL, a test runner tearing its workers down): a small
  // guardian process ends the server's process group once this process is gone.
  const guardian = spawn(
    process.execPath,
    ['-e', GUARDIAN, String(process.pid), String(child.pid)],
    { detached: true, stdio: 'ignore' },
  );
  guardian.unref();
  exitPromise.then(() => {
    process.off('exit', killOnExit);
    try { guardian.kill(); } catch { /* gone */ }
  });

  const url = `http://127.0.0.1:${chosenPort}/`;
  const stop = async () => {
    if (exited) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5_000);
    await exitPromise;
    clearTimeout(timer);
    // Extension hosts left in the group, if any.
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* none left */ }
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`code-server exited before it was ready (${JSON.stringify(exited)}):\n${output}`);
    try {
      const response = await fetch(`${url}healthz`);
      if (response.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within ${readyTimeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port: chosenPort,
    pid: child.pid,
    /** Everything code-server printed so far. */
    output: () => output,
    exited: exitPromise,
    stop,
  };
}

/** Settings for a quiet first run: no welcome page, no prompt about the repository above examples/, no gallery checks (offline). */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
};

/**
 * Write `<userDataDir>/User/settings.json` (QUIET_SETTINGS plus `extra`). Without `overwrite` an existing file
 * is left alone, so a user's own changes survive restarts.
 * @param {string} userDataDir @param {Record<string, unknown>} [extra] @param {{ overwrite?: boolean }} [options]
 */
export function seedUserSettings(userDataDir, extra = {}, { overwrite = false } = {}) {
  const settingsFile = join(userDataDir, 'User', 'settings.json');
  if (!overwrite && existsSync(settingsFile)) return;
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(settingsFile, JSON.stringify({ ...QUIET_SETTINGS, ...extra }, null, 2) + '\n');
}

/** Watches its parent (argv[1]); when the parent is gone, kills process group argv[2] and ends. */
const GUARDIAN = `
const [parent, group] = process.argv.slice(1).map(Number);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
setInterval(() => {
  if (!alive(group)) process.exit(0);
  if (!alive(parent)) { try { process.kill(-group, 'SIGKILL'); } catch {} process.exit(0); }
}, 1000);
`;

/**
 * The workbench URL that opens `folder` and, with `payload`, passes VS Code's workbench options, e.g.
 * [['extensionDevelopmentPath', 'vscode-remote://127.0.0.1:PORT/abs'], ['extensionTestsPath', '…']].
 * @param {string} baseUrl @param {string} folder @param {[string, string][]} [payload]
 */
export function workbenchUrl(baseUrl, folder, payload) {
  const url = new URL(baseUrl);
  url.searchParams.set('folder', folder);
  if (payload) url.searchParams.set('payload', JSON.stringify(payload));
  return url.toString();
}

/** `vscode-remote://` URI of a path on the code-server machine, as the workbench payload wants it. */
export function remoteUri(port, absolutePath) {
  return `vscode-remote://127.0.0.1:${port}${absolutePath}`;
}

// ---------------------------------------------------------------------------

function markerContent() {
  return { codeServer: CODE_SERVER_VERSION, nodeAbi: process.versions.modules, platform: process.platform, arch: process.arch };
}

/** Where Node's headers are: npm's `nodedir` (set to /usr on these machines), else the prefix of this node. */
function nodeDir() {
  return process.env.npm_config_nodedir || resolve(dirname(process.execPath), '..');
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

function whichSync(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  throw new Error(`${command} not found on PATH`);
}

/** npm's own node-gyp (npm ships it), so nothing else needs installing. */
function findNodeGyp() {
  const candidates = [];
  const npmRoot = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' }).stdout?.trim();
  if (npmRoot) candidates.push(join(npmRoot, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`node-gyp not found (looked in ${candidates.join(', ')}); it ships with npm — reinstall npm or \`npm install -g node-gyp\``);
  return found;
}

function relink(target, linkPath) {
  rmSync(linkPath, { recursive: true, force: true });
  mkdirSync(dirname(linkPath), { recursive: true });
  symlinkSync(target, linkPath);
}

function run(command, args, cwd, env, { quiet = false } = {}) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0 || result.error) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`code-server set-up: \`${command} ${args.join(' ')}\` failed in ${cwd} (exit ${result.status}${result.error ? `, ${result.error.message}` : ''}):\n${output}`);
  }
  if (!quiet && result.stderr?.trim()) {
    // npm's warnings (deprecations, the nodedir notice) are noise here; keep real errors only.
    const lines = result.stderr.split('\n').filter((l) => l.trim() && !/^npm (warn|notice)/i.test(l));
    if (lines.length) console.log(lines.join('\n'));
  }
  return result.stdout;
}
