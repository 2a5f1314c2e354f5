// Packaging: `nnspec-<version>.vsix` with @vscode/vsce. Everything the extension runs is bundled by
// esbuild (package.json's `vscode:prepublish` builds it, and vsce runs that first), so vsce is told
// `--no-dependencies`; `.vscodeignore` keeps the archive to dist bundles, media/ and the docs.
// Types: vsix.d.mts.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { repoRoot } from './codeServer.mjs';

const require = createRequire(import.meta.url);

/** The manifest's name, publisher and version. */
export function manifest() {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  return { name: pkg.name, publisher: pkg.publisher, version: pkg.version, id: `${pkg.publisher}.${pkg.name}` };
}

/** `nnspec-<version>.vsix` in the repository root, where `npm run package` writes it. */
export function defaultVsixPath() {
  const { name, version } = manifest();
  return join(repoRoot, `${name}-${version}.vsix`);
}

/**
 * Build and package the extension. Returns the .vsix path and its size in bytes; throws with vsce's
 * output when packaging fails.
 * @param {{ out?: string, quiet?: boolean }} [options]
 */
export function packageExtension({ out = defaultVsixPath(), quiet = false } = {}) {
  const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
  const args = [
    vsce, 'package',
    '--no-dependencies', // bundled by esbuild: nothing from node_modules belongs in the .vsix
    '--allow-missing-repository', // the project names no public host
    '--no-rewrite-relative-links', // README links stay relative (they would need a repository URL)
    '--out', out,
  ];
  const result = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', stdio: quiet ? 'pipe' : 'inherit', env: process.env });
  if (result.status !== 0 || result.error || !existsSync(out)) {
    const output = quiet ? `\n${result.stdout ?? ''}${result.stderr ?? ''}` : '';
    throw new Error(`vsce package failed (exit ${result.status}${result.error ? `, ${result.error.message}` : ''})${output}`);
  }
  return { path: out, bytes: statSync(out).size };
}

/**
 * The file names inside a .vsix (a zip), read from its central directory: no unzip tool needed.
 * @param {string} vsixPath
 * @returns {string[]}
 */
export function vsixEntries(vsixPath) {
  const zip = readFileSync(vsixPath);
  // End of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) { end = i; break; }
  }
  if (end < 0) throw new Error(`${vsixPath} is not a zip archive (no end-of-central-directory record)`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const names = [];
  for (let k = 0; k < count; k++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`${vsixPath}: damaged central directory at byte ${offset}`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}
