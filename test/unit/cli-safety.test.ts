/**
 * The CLI with hostile input and a hostile environment (issue 10): control characters in what
 * it prints, special files as arguments, --save onto special files and links and into folders
 * that cannot take it, a final write that fails, signals during a save, a reader slower than the
 * output, numbers typed by the user, data training cannot use.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeControl, escapeMarkdown } from '../../src/core/escape';
import { terminalText, CLEAR_LINE } from '../../src/cli/output';
import { parseInputVector } from '../../src/extension/features/inputs';
import { ROOT, ensureBuilt, nnspec, spawnCli } from './cli-support';

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnspec-safety-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const XOR = path.join(ROOT, 'examples', 'xor.nnspec');
/** Control characters: ESC, BEL, a C1 CSI, DEL, a bidi override. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('control characters are escaped', () => {
  it('escapeControl writes them in JavaScript notation and leaves other text alone', () => {
    expect(escapeControl('a\x1b[2Jb\x07c\x9bd\x7fe\u202ef')).toBe('a\\x1b[2Jb\\x07c\\x9bd\\x7fe\\u202ef');
    expect(escapeControl('line\nnext\ttab', '\n')).toBe('line\nnext\\ttab');
    expect(escapeControl('σ(z) = 1/(1+e⁻ᶻ) — ∂C/∂w')).toBe('σ(z) = 1/(1+e⁻ᶻ) — ∂C/∂w');
  });

  it('escapeMarkdown shows a name as written, not as emphasis, a link or a terminal command', () => {
    expect(escapeMarkdown('*bold* [x](y) `c`\x1b')).toBe('\\*bold\\* \\[x\\]\\(y\\) \\`c\\`\\x1b');
  });

  it('the CLI keeps only its own progress-bar sequence', () => {
    expect(terminalText(`${CLEAR_LINE}epoch 1 \x1b]0;x\x07`)).toBe(`${CLEAR_LINE}epoch 1 \\x1b]0;x\\x07`);
  });

  it('issue 10: `check esc.nnspec` writes no ESC or BEL byte, and shows them escaped', () => {
    const file = write('esc.nnspec', 'network \x1b[2J\x1b[Hfake\ninput 2\ndense 1 sigmoid\ndata xor\nepochs \x1b]0;pwned\x07\n');
    const run = spawnCli(['check', file]);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).not.toMatch(RAW);
    expect(run.stdout).toContain("got '\\x1b]0;pwned\\x07'");
  });

  it('a network name, a path and a CSV header with control characters are escaped everywhere', async () => {
    const csv = write('evil\x1b[31m.csv', 'a\x1b[2J,b\x07,label\n1,2,0\n3,4,1\n');
    const spec = write('evil\x07.nnspec', `network "\x1b]0;title\x07net"\ninput 3\ndense 1 sigmoid\ndata "${path.basename(csv)}" label=nope\n`);
    const checked = await nnspec(['check', spec]);
    expect(checked.code).toBe(1);
    expect(checked.stdout + checked.stderr).not.toMatch(RAW);
    expect(checked.stdout).toContain('\\x1b');
    const good = write('name.nnspec', 'network "\x1b[2Jnet\u202e"\ninput 2\ndense 1 sigmoid\ndata xor\nepochs 2\n');
    for (const args of [['check', good], ['train', good], ['train', good, '--json']]) {
      const run = await nnspec(args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout + run.stderr).not.toMatch(RAW);
      if (args[0] === 'train') expect(run.stdout).toContain(args[2] === '--json' ? '\\u001b[2Jnet' : '\\x1b[2Jnet\\u202e');
    }
  });
});

describe('spec and --weights arguments are regular files', () => {
  it('a FIFO is refused at once (it used to block for ever), /dev/zero too', () => {
    const fifo = path.join(dir, 'spec.fifo');
    spawnSync('mkfifo', [fifo]);
    expect(fs.statSync(fifo).isFIFO()).toBe(true);
    const result = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'check', fifo], { encoding: 'utf8', timeout: 20_000 });
    expect(result.signal).toBeNull();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('it is a FIFO (named pipe), not a regular file');
    const weights = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'train', XOR, '--epochs', '1', '--weights', fifo], { encoding: 'utf8', timeout: 20_000 });
    expect(weights.signal).toBeNull();
    expect(weights.status).toBe(2);
    expect(weights.stderr).toMatch(/FIFO|not a regular file/);
    const zero = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'check', '/dev/zero'], { encoding: 'utf8', timeout: 20_000 });
    expect(zero.status).toBe(2);
    expect(zero.stderr).toContain("cannot read the spec '/dev/zero': it is a device, not a regular file");
  });

  it('a spec over 64 MB is refused unread; one just under is parsed, with LINE:COL errors', async () => {
    const big = path.join(dir, 'big.nnspec');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 64 * 1024 * 1024 + 1);
    const refused = await nnspec(['check', big]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('more than the ceiling of 64 MB');
    fs.rmSync(big);
  });
});

describe('--save', () => {
  it('onto a FIFO, a device, a folder or a dangling link: refused before training, the file left as it was', async () => {
    const fifo = path.join(dir, 'out.fifo');
    spawnSync('mkfifo', [fifo]);
    const dangling = path.join(dir, 'dangling.json');
    fs.symlinkSync(path.join(dir, 'nowhere.json'), dangling);
    for (const [target, why] of [
      [fifo, 'it is a FIFO (named pipe); --save writes only regular files'],
      ['/dev/null', 'it is a device; --save writes only regular files'],
      [dir, 'it is a directory; --save writes only regular files'],
      [dangling, 'it is a symbolic link to nothing'],
    ]) {
      const run = await nnspec(['train', XOR, '--epochs', '1', '--save', target]);
      expect(run.code, target).toBe(2);
      expect(run.stderr).toContain(`cannot save to '${target}': ${why}`);
      expect(run.stdout).toBe('');
    }
    expect(fs.statSync(fifo).isFIFO()).toBe(true);
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('where no file can be created (a permission check says yes to /proc as root): refused before training', async () => {
    const run = await nnspec(['train', XOR, '--epochs', '1', '--save', '/proc/nnspec-weights.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("cannot save to '/proc/nnspec-weights.json': no file can be created in /proc");
    expect(run.stdout).toBe('');
  });

  it('onto a symlink: writes the file it points to, keeps the link, and says so', async () => {
    const real = write('real.json', 'old');
    const link = path.join(dir, 'link.json');
    fs.symlinkSync(real, link);
    const run = await nnspec(['train', XOR, '--epochs', '2', '--quiet', '--save', link]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`saved the weights to ${link} (a link: written to the file it points to, ${fs.realpathSync(real)})`);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(fs.readFileSync(real, 'utf8')).format).toBe('nnspec-weights');
  });

  it('when the final write fails, the weights are kept in the temporary folder and the message names it (exit 1)', async () => {
    const folder = fs.mkdtempSync(path.join(dir, 'vanishing-'));
    const out = path.join(folder, 'out.json');
    let removed = false;
    const run = await nnspec(['train', XOR, '--epochs', '100000', '--save', out], {
      onStdout: (stdout, interrupt) => {
        // Training has started: the folder goes away, then the run is stopped (and saves).
        if (!removed && stdout.includes('training ')) {
          removed = true;
          fs.rmSync(folder, { recursive: true, force: true });
          interrupt();
        }
      },
    });
    expect(removed).toBe(true);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`could not save the weights to ${out}: `);
    const kept = /the trained weights are kept in (\S+)/.exec(run.stderr)?.[1];
    expect(kept).toBeDefined();
    expect(JSON.parse(fs.readFileSync(kept!, 'utf8')).format).toBe('nnspec-weights');
    fs.rmSync(kept!);
  });

  it('SIGTERM during training: stops, saves, exits 143, and leaves no temporary file', async () => {
    const folder = fs.mkdtempSync(path.join(dir, 'term-'));
    const out = path.join(folder, 'out.json');
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'train', XOR, '--epochs', '100000000', '--save', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let sent = false;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!sent && stdout.includes('epoch ')) {
        sent = true;
        child.kill('SIGTERM');
      }
    });
    expect(await withTimeout(exited, 60_000, child)).toBe(143);
    expect(stdout).toMatch(/stopped by SIGTERM at epoch \d+\/100000000/);
    expect(fs.readdirSync(folder)).toEqual(['out.json']);
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).format).toBe('nnspec-weights');
  });
});

describe('output respects backpressure', () => {
  it('train --json stops producing while stdout is full, and loses nothing', async () => {
    let lines = 0;
    let full = false;
    let release: () => void = () => {};
    let linesWhenFull = -1;
    const held = new Promise<void>((resolve) => (release = resolve));
    const run = nnspec(['train', XOR, '--epochs', '3000', '--json'], {
      stdout: {
        write(text: string) {
          lines += text.split('\n').length - 1;
          if (lines >= 50 && linesWhenFull < 0) {
            full = true;
            linesWhenFull = lines;
          }
          return !full;
        },
        get full() {
          return full;
        },
        drain: () => (full ? held : Promise.resolve()),
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    // While full: at most the rest of one slice's single step (one epoch of xor) got out.
    expect(lines - linesWhenFull).toBeLessThanOrEqual(2);
    full = false;
    release();
    const done = await run;
    expect(done.code).toBe(0);
    expect(lines).toBe(3000 + 2);
  });

  it('issue 10: `train --json` into a pipe nobody reads stays small (it used to grow to 1 GB)', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'train', XOR, '--epochs', '200000', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout!.pause();
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    let lines = 0;
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 10) lines++;
    });
    child.stdout!.resume();
    const code = await withTimeout(new Promise<number | null>((resolve) => child.on('exit', resolve)), 120_000, child);
    expect(code).toBe(0);
    expect(peakKiB / 1024).toBeLessThan(200);
    expect(lines).toBe(200_000 + 2);
  });
});

describe('numbers typed by the user', () => {
  it('predict reads --input with the spec’s number syntax: hex and Infinity refused, values beyond float32 named', async () => {
    const weights = path.join(dir, 'xor-weights.json');
    expect((await nnspec(['train', XOR, '--epochs', '1', '--quiet', '--save', weights])).code).toBe(0);
    const hex = await nnspec(['predict', XOR, '--weights', weights, '--input', '0x10 1']);
    expect(hex.code).toBe(2);
    expect(hex.stderr).toContain("--input value 1, '0x10', is not a number");
    const huge = await nnspec(['predict', XOR, '--weights', weights, '--input', '1e308 1e308']);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toContain("--input value 1, '1e308', is beyond the 32-bit floats the network computes in");
    expect(huge.stdout).toBe('');
  });

  it('predict: a non-finite output is an error (exit 1) that names the cause', async () => {
    const spec = write('linear.nnspec', 'input 1\ndense 1 identity\nloss mse\ndata sine\n');
    const weights = write('linear.json', JSON.stringify({ format: 'nnspec-weights', version: 1, layers: [{ weights: [[1e30]], biases: [0] }] }));
    const run = await nnspec(['predict', spec, '--weights', weights, '--input', '1e30']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("output 1 is infinite: the network's sums overflowed on this input");
    expect(run.stdout).toBe('');
  });

  it('the Predict box in VS Code uses the same syntax', () => {
    expect(parseInputVector('[0.5, 1]', 2)).toEqual({ values: [0.5, 1] });
    expect(parseInputVector('0x10 1', 2)).toEqual({ error: "value 1 ('0x10') is not a number" });
    expect(parseInputVector('Infinity 1', 2)).toEqual({ error: "value 1 ('Infinity') is not a number" });
    expect(parseInputVector('1e999 1', 2)).toEqual({ error: "value 1 ('1e999') is too large" });
  });
});

describe('data training cannot use', () => {
  it('issue 10: `data gaussians noise=1e300` is refused by check at the noise option, with the sample and column', async () => {
    const spec = write('noise.nnspec', 'input 2\ndense 4 tanh\ndense 2 softmax\nloss cce\ndata gaussians noise=1e300\n');
    const run = await nnspec(['check', spec]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/noise\.nnspec:5:16: error: gaussians has a value that is not a finite number: sample \d+, input \d is -?Infinity \(the noise is too large/);
  });
});

describe('divergence messages', () => {
  it('count epochs from 1 and blame the rate only when an update came before', async () => {
    const spec = write('diverge.nnspec', 'input 1\ndense 1 identity\noptimizer sgd rate=1e6\nbatch full\nepochs 50\ndata sine\n');
    const rate = await nnspec(['train', spec]);
    expect(rate.code).toBe(1);
    const step = Number(/at step (\d+) \(epoch (\d+)\)/.exec(rate.stderr)?.[1]);
    const epoch = Number(/at step (\d+) \(epoch (\d+)\)/.exec(rate.stderr)?.[2]);
    // `batch full`: one step per epoch, so step s is in epoch s (both from 1).
    expect(step).toBeGreaterThan(1);
    expect(epoch).toBe(step);
    expect(rate.stderr).toContain('try a smaller rate');
  });

  it('a loss that is not finite at step 1, before any update, blames the data or the weights, not the rate', async () => {
    const spec = write('start.nnspec', 'input 1\ndense 1 identity\nloss mse\nbatch full\ndata sine\n');
    const weights = write('start.json', JSON.stringify({ format: 'nnspec-weights', version: 1, layers: [{ weights: [[3e38]], biases: [3e38] }] }));
    const run = await nnspec(['train', spec, '--weights', weights, '--epochs', '3']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('at step 1 (epoch 1), before any update — the data or the starting weights are at fault, not the rate');
    expect(run.stderr).not.toContain('smaller rate');
  });
});

/** The promise, or the child killed and a failure after `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number, child: ChildProcess): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
