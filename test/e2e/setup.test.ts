/**
 * The code-server set-up's own behaviour that needs no browser: on a machine without the tools it
 * stops before touching anything and names the Debian packages to install.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/vscode/codeServer.mjs';

const bin = mkdtempSync(join(tmpdir(), 'nnspec-nobin-'));
symlinkSync(process.execPath, join(bin, 'node'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

describe('scripts/vscode/setup.mjs without prerequisites', () => {
  it('fails, names each missing tool with its Debian package, and gives the install command', () => {
    // PATH holds node only: no rg, python3, make or g++. --force asks for a rebuild, which must not start.
    const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'vscode', 'setup.mjs'), '--force'], {
      encoding: 'utf8',
      env: { PATH: bin, HOME: process.env.HOME ?? '/tmp' },
    });
    expect(result.status).toBe(1);
    for (const [tool, pkg] of [['ripgrep (rg)', 'ripgrep'], ['python3', 'python3'], ['make', 'make'], ['g++', 'g++']]) {
      expect(result.stderr).toContain(tool);
      expect(result.stderr).toContain(`Debian package: ${pkg}`);
    }
    expect(result.stderr).toMatch(/apt-get install -y .*ripgrep/);
  });
});
