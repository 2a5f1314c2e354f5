/**
 * The training worker runs below normal priority so that VS Code's own threads win the CPU on a
 * busy machine: on Linux the worker's thread has nice 10 while the host's thread keeps its own;
 * elsewhere (where nice is per process) the host's priority is left alone.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(__dirname, '../..');
let dir = '';
let worker: Worker | undefined;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnspec-worker-priority-'));
  await esbuild.build({ entryPoints: [path.join(root, 'src/worker/worker.ts')], outfile: path.join(dir, 'worker.js'), bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
});

afterAll(async () => {
  await worker?.terminate();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Nice value of each thread of this process (Linux: /proc/self/task/<tid>/stat, field 19). */
function threadNices(): Map<string, number> {
  const nices = new Map<string, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      nices.set(tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return nices;
}

it('the training thread runs below normal priority, the host thread at its own', async () => {
  const hostBefore = os.getPriority(0);
  const before = process.platform === 'linux' ? threadNices() : new Map<string, number>();
  worker = new Worker(path.join(dir, 'worker.js'));
  await new Promise((resolve) => worker!.once('online', resolve));
  await new Promise((resolve) => setTimeout(resolve, 200)); // the worker's module has run
  expect(os.getPriority(0)).toBe(hostBefore);
  if (process.platform === 'linux') {
    const lowered = [...threadNices()].filter(([tid, nice]) => !before.has(tid) && nice === os.constants.priority.PRIORITY_BELOW_NORMAL);
    expect(lowered.length, 'a new thread at nice 10 (the worker)').toBeGreaterThanOrEqual(1);
    expect(threadNices().get(String(process.pid))).toBe(before.get(String(process.pid)));
  }
});
