/**
 * The memory budget from the command line (`--memory MB`) and the reproductions run as a
 * user runs them: `node dist/cli.js` in a child process with a small V8 heap
 * (--max-old-space-size), reporting its peak RSS. Each must end with a clear refusal, in bounded
 * memory (before: 1.9–8.3 GB of RSS, or an internal error).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nnspec, ROOT, tempDir } from './cli-support';
import { writeImageBomb, writeOneRowWeights, writeSparse } from '../fixtures/budget/hostile';

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempDir();
  fs.writeFileSync(path.join(dir, 'rss.cjs'), "process.on('exit', () => process.stderr.write(`\\nmaxRSS ${process.resourceUsage().maxRSS}\\n`));\n");
}, 120_000);
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** `node --max-old-space-size=HEAP dist/cli.js ARGS…` in `dir`: exit code, output, peak RSS in MB. */
function limited(args: string[], heapMB = 96): { code: number; stdout: string; stderr: string; peakMB: number } {
  const result = spawnSync(process.execPath, [`--max-old-space-size=${heapMB}`, '--require', path.join(dir, 'rss.cjs'), path.join(ROOT, 'dist', 'cli.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  const rss = /\nmaxRSS (\d+)\n$/.exec(result.stderr);
  return {
    code: result.status ?? -1,
    stdout: result.stdout,
    stderr: rss ? result.stderr.slice(0, rss.index) : result.stderr,
    peakMB: rss ? Number(rss[1]) / 1024 : Number.NaN,
  };
}

const MID = 'input 2\ndense 20000 relu\ndense 1 sigmoid\nbatch 256\nepochs 1\ndata circle n=300\n';

describe('--memory MB', () => {
  it('lowers or raises the budget of check, train, gradients and predict', async () => {
    const spec = write('mid.nnspec', MID);
    const low = await nnspec(['check', spec, '--memory', '32']);
    expect(low.code).toBe(1);
    expect(low.stdout).toContain(`${spec}:4:1: error: training this network needs 63.7 MB (batch matrices z, a, δ of 256 rows 61.4 MB`);
    expect(low.stdout).toContain('more than the memory budget of 33.6 MB (32 MB)');
    expect((await nnspec(['check', spec])).code).toBe(0);
    const train = await nnspec(['train', spec, '--memory', '32', '--quiet']);
    expect(train.code).toBe(1);
    expect(train.stderr).toContain(':4:1: error: training this network needs');
    expect((await nnspec(['gradients', spec, '--memory', '32'])).code).toBe(1);
  });

  it('a value that is not a budget is a usage error', async () => {
    const run = await nnspec(['check', write('xor.nnspec', 'input 2\ndense 1 sigmoid\ndata xor\n'), '--memory', '2G']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("nnspec: --memory: '2G' is not a memory budget: give megabytes from 1 to 1048576 (default 2048)\n");
  });

  it('is in the help of every command that loads a spec', async () => {
    for (const command of ['check', 'train', 'gradients', 'predict']) {
      expect((await nnspec([command, '--help'])).stdout).toContain('--memory MB');
    }
  });
});

describe('the reproductions, with a 96 MB heap: a clear refusal in bounded memory', () => {
  it('check: a 1 MB gzip of 1,200,000 blank images (0.94 GB inflated)', () => {
    writeImageBomb(dir, 1_200_000);
    write('bomb.nnspec', 'input 784\ndense 10 sigmoid\ndata "images.gz" labels="labels.gz"\n');
    const run = limited(['check', 'bomb.nnspec']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^bomb\.nnspec:3:1: error: 'images\.gz' holds 1,200,000 images of 28×28: loading them needs 5\.70 GB .*more than the memory budget of 2\.15 GB \(2048 MB\)/);
    expect(run.peakMB).toBeLessThan(200);
  });

  it('check: a 6 MB gzip that inflates to 6.3 GB (was: 4.25 GB, then "Cannot create a Buffer larger than 4294967296 bytes")', () => {
    const big = path.join(dir, 'big6');
    fs.mkdirSync(big);
    writeImageBomb(big, 8_000_000);
    write('big6/bomb6.nnspec', 'input 784\ndense 10 sigmoid\ndata "images.gz" labels="labels.gz"\n');
    const run = limited(['check', 'big6/bomb6.nnspec']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^big6\/bomb6\.nnspec:3:1: error: 'images\.gz' holds 8,000,000 images of 28×28: loading them needs 38\.\d GB \(pixels as 32-bit floats 25\.1 GB \+ pixels inflated \(6\.27 GB, twice while its pieces are joined\) 12\.5 GB/);
    expect(run.stdout).not.toContain('Cannot create a Buffer');
    expect(run.peakMB).toBeLessThan(200);
  });

  it('check: a 1.9 GB CSV file', () => {
    writeSparse(path.join(dir, 'big.csv'), 1.9e9);
    write('csv.nnspec', 'input 2\ndense 1 sigmoid\ndata "big.csv"\n');
    const run = limited(['check', 'csv.nnspec']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('csv.nnspec:3:1: error: big.csv: 1900 MB is more than a CSV file can be here (400 MB)');
    expect(run.peakMB).toBeLessThan(200);
  });

  it('train: input 2 / dense 1000000 relu / dense 1 sigmoid, batch 256 and batch full', () => {
    for (const batch of ['256', 'full']) {
      write('wide.nnspec', `input 2\ndense 1000000 relu\ndense 1 sigmoid\nbatch ${batch}\ndata circle n=1000\n`);
      const run = limited(['train', 'wide.nnspec', '--quiet']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^wide\.nnspec:4:1: error: training this network needs (3\.18|12\.\d) GB \(batch matrices z, a, δ of/);
      expect(run.stderr).not.toContain('internal error');
      expect(run.peakMB).toBeLessThan(200);
    }
  });

  it('predict: a weights file far larger than the network can need (450 MB), refused unread', () => {
    write('xor.nnspec', 'input 2\ndense 4 tanh\ndense 1 sigmoid\ndata xor\n');
    writeSparse(path.join(dir, 'w450.json'), 450e6);
    const run = limited(['predict', 'xor.nnspec', '--weights', 'w450.json', '--input', '1 0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'nnspec: w450.json: the file is 450 MB, but the weights of this network (2-4-1: 17 parameters in 2 layers) take at most 67.1 kB as JSON ' +
        '(64 bytes a number): it holds the weights of another network, or no weights at all\n(the weights must fit the network of xor.nnspec)\n',
    );
    expect(run.peakMB).toBeLessThan(200);
  });

  it('predict: a 1 GB weights file (was: V8\'s string-length error) is refused unread too', () => {
    write('xor.nnspec', 'input 2\ndense 4 tanh\ndense 1 sigmoid\ndata xor\n');
    writeSparse(path.join(dir, 'w1g.json'), 1e9);
    const run = limited(['predict', 'xor.nnspec', '--weights', 'w1g.json', '--input', '1 0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^nnspec: w1g\.json: the file is 1\.00 GB, but the weights of this network/);
    expect(run.stderr).not.toContain('Cannot create a string');
    expect(run.peakMB).toBeLessThan(200);
  });

  it('predict: a valid weights file of another network, 2 MB, is refused as well, and a fitting one still loads', async () => {
    writeOneRowWeights(path.join(dir, 'other.json'), 1_000_000);
    const run = await nnspec(['predict', 'xor.nnspec', '--weights', 'other.json', '--input', '1 0'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('other.json: the file is 2.00 MB, but the weights of this network');
    const saved = await nnspec(['train', 'xor.nnspec', '--epochs', '2', '--save', 'xor.json', '--quiet'], { cwd: dir });
    expect(saved.code).toBe(0);
    expect((await nnspec(['predict', 'xor.nnspec', '--weights', 'xor.json', '--input', '1 0'], { cwd: dir })).code).toBe(0);
  });
});
