import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAssetsDir, loadProject, type LoadedProject } from '../../src/core/project';
import { parseWeightsFile, type WeightsFile } from '../../src/core/weights';
import { ensureBuilt, nnspec, ROOT, spawnCli, tempDir } from './cli-support';

const XOR = 'examples/xor.nnspec';
let dir: string;

beforeAll(() => {
  dir = tempDir();
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** The file writes each float32 weight as the shortest decimal that reads back as it: read it back as float32. */
function asFloat32(file: WeightsFile): WeightsFile {
  return { ...file, layers: file.layers.map((l) => ({ weights: l.weights.map((row) => row.map(Math.fround)), biases: l.biases.map(Math.fround) })) };
}

function load(specFile: string): LoadedProject {
  const project = loadProject(fs.readFileSync(specFile, 'utf8'), specFile, { assetsDir: defaultAssetsDir() });
  if (!project.ok) throw new Error(`${specFile} does not load: ${project.message}`);
  return project;
}

describe('usage', () => {
  it('--help lists every command and exits 0', async () => {
    const run = await nnspec(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['check', 'train', 'gradients', 'predict']) expect(run.stdout).toContain(`nnspec ${command} SPEC`);
  });

  it.each(['check', 'train', 'gradients', 'predict'])('%s --help shows that command’s usage and exits 0', async (command) => {
    const run = await nnspec([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: nnspec ${command} SPEC`));
    expect(run.stderr).toBe('');
  });

  it('--version prints the package version', async () => {
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
    const run = await nnspec(['--version']);
    expect(run).toEqual({ code: 0, stdout: `nnspec ${version}\n`, stderr: '' });
  });

  it('no arguments prints the usage to stderr and exits 2', async () => {
    const run = await nnspec([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage:');
  });

  it('an unknown command exits 2 with a suggestion', async () => {
    const run = await nnspec(['trian', XOR]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("nnspec: unknown command 'trian' — did you mean 'train'?");
  });

  it('an unknown option exits 2 naming it', async () => {
    const run = await nnspec(['train', XOR, '--epoch', '3']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--epoch'");
    expect(run.stdout).toBe('');
  });

  it('a missing SPEC and a bad --epochs are usage errors (exit 2)', async () => {
    const missing = await nnspec(['train']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing the SPEC file');
    const bad = await nnspec(['train', XOR, '--epochs', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--epochs wants a whole number ≥ 1, not '0'");
    const option = await nnspec(['train', XOR, '--epochs']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("option '--epochs' needs a value");
  });

  it('a spec file that does not exist exits 2 with its name as given', async () => {
    for (const command of ['check', 'train', 'gradients']) {
      const run = await nnspec([command, 'no/such.nnspec']);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe("nnspec: cannot read the spec 'no/such.nnspec': no such file\n");
    }
  });
});

describe('check', () => {
  it('prints SPEC:LINE:COL: severity: message with the path as given, and exits 1 on errors', async () => {
    write('typo.nnspec', '# a typo\ninput 2\n  dense 4 sigmod\ndense 1 sigmoid\ndata xor\n');
    const run = await nnspec(['check', 'typo.nnspec'], { cwd: dir });
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    // `sigmod` starts at line 3, column 11 (1-based).
    expect(lines[0]).toMatch(/^typo\.nnspec:3:11: error: .*sigmod.* \(.*sigmoid.*\)$/);
    expect(lines[lines.length - 1]).toBe('typo.nnspec: 1 error');
  });

  it('reports data that does not fit the network, at the input line', async () => {
    write('width.nnspec', 'input 3\ndense 1 sigmoid\ndata xor\n');
    const run = await nnspec(['check', path.join(dir, 'width.nnspec')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${path.join(dir, 'width.nnspec')}:1:`);
    expect(run.stdout).toMatch(/error: .*input.*2/);
  });

  it('reports a missing data file at the data statement, naming the file', async () => {
    write('nofile.nnspec', 'input 2\ndense 1 sigmoid\n\ndata "missing.csv"\n');
    const run = await nnspec(['check', 'nofile.nnspec'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^nofile\.nnspec:4:1: error: .*missing\.csv/m);
  });

  it('reports the row and column of a bad CSV cell', async () => {
    write('bad.csv', 'x,y,label\n1,2,0\n3,abc,1\n');
    write('badcsv.nnspec', 'input 2\ndense 1 sigmoid\ndata "bad.csv"\n');
    const run = await nnspec(['check', 'badcsv.nnspec'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^badcsv\.nnspec:3:1: error: .*bad\.csv:3:2.*abc/m);
  });

  it('a clean spec exits 0 with a one-line summary', async () => {
    const run = await nnspec(['check', XOR]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^examples\/xor\.nnspec: ok — 2-4-1 tanh\/sigmoid, 17 parameters/);
  });

  it('several specs: exit 1 when any has errors, each reported', async () => {
    write('typo.nnspec', '# a typo\ninput 2\n  dense 4 sigmod\ndense 1 sigmoid\ndata xor\n');
    const run = await nnspec(['check', XOR, 'typo.nnspec'].map((f) => (f === XOR ? path.join(ROOT, XOR) : f)), { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('xor.nnspec: ok');
    expect(run.stdout).toContain('typo.nnspec: 1 error');
  });
});

describe('train', () => {
  it('--json prints NDJSON: start, one epoch event per epoch, done', async () => {
    const run = await nnspec(['train', XOR, '--json', '--epochs', '30']);
    expect(run.code).toBe(0);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({ event: 'start', spec: XOR, architecture: '2-4-1', epochs: 30, trainCount: 4, batchSize: 4 });
    const epochs = events.filter((e) => e.event === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    for (const e of epochs) {
      expect(Number.isFinite(e.loss)).toBe(true);
      expect(e.accuracy).toBeGreaterThanOrEqual(0);
      expect(e.validationLoss).toBeNull();
    }
    const done = events[events.length - 1];
    expect(done).toMatchObject({ event: 'done', status: 'done', epochs: 30, steps: 30, saved: null });
    expect(done.loss).toBe(epochs[epochs.length - 1].loss);
  });

  it('the epoch events carry the trainer’s own evaluation', async () => {
    const run = await nnspec(['train', XOR, '--json', '--epochs', '5']);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    const project = load(path.join(ROOT, XOR));
    for (let e = 1; e <= 5; e++) {
      const metrics = project.trainer.stepEpoch();
      const event = events.find((x) => x.event === 'epoch' && x.epoch === e);
      expect(event.loss).toBe(metrics.train.loss);
      expect(event.accuracy).toBe(metrics.train.accuracy);
    }
  });

  it('validation metrics appear when the spec holds data out', async () => {
    write('circle.nnspec', 'input 2\ndense 4 tanh\ndense 1 sigmoid\nloss bce\nbatch 20\nepochs 3\ndata circle n=100\nvalidation 0.2\n');
    const run = await nnspec(['train', 'circle.nnspec', '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({ trainCount: 80, validationCount: 20 });
    const last = events.filter((e) => e.event === 'epoch').pop();
    expect(last.validationLoss).toBeGreaterThan(0);
    expect(last.validationAccuracy).toBeGreaterThanOrEqual(0);
  });

  it('plain output (not a terminal): a start line, epoch lines, a summary', async () => {
    const run = await nnspec(['train', XOR, '--epochs', '7']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^training xor \(2-4-1 tanh\/sigmoid, 17 parameters, loss mse\)$/);
    expect(lines.filter((l) => /^epoch +\d+\/7  loss /.test(l))).toHaveLength(7);
    expect(run.stdout).toMatch(/done: 7 epochs, 7 steps in .* \(.* samples\/s; JavaScript kernels, 1 thread( of the \d+ set: [^)]*)?\)/);
    expect(run.stdout).toMatch(/ {2}training: {3}loss \S+ {2}accuracy \d+\.\d% {2}\(4 samples\)/);
  });

  it('plain output prints at most about 100 epoch lines for long runs', async () => {
    const run = await nnspec(['train', XOR, '--epochs', '1000']);
    const epochLines = run.stdout.split('\n').filter((l) => l.startsWith('epoch '));
    expect(epochLines.length).toBe(100);
    expect(epochLines[0]).toMatch(/^epoch +10\/1000/);
    expect(epochLines[99]).toMatch(/^epoch 1000\/1000/);
  });

  it('on a terminal: a progress bar redrawn in place, then the summary', async () => {
    const run = await nnspec(['train', XOR, '--epochs', '50'], { tty: true, columns: 200 });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('\r\x1b[2K');
    expect(run.stdout).toMatch(/epoch \d+\/50 [█░]{20} \d+%  loss \S+ .*samples\/s  ETA /);
    expect(run.stdout).toMatch(/done: 50 epochs/);
  });

  it('--quiet prints only the summary', async () => {
    const run = await nnspec(['train', XOR, '--epochs', '5', '--quiet']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(/^done: 5 epochs/);
    expect(run.stdout).not.toContain('epoch 1/');
  });

  it('a spec with errors: diagnostics on stderr and exit 1', async () => {
    write('typo2.nnspec', 'input 2\ndense 4 sigmod\ndense 1 sigmoid\ndata xor\n');
    const run = await nnspec(['train', 'typo2.nnspec'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^typo2\.nnspec:2:9: error: /m);
    expect(run.stdout).toBe('');
  });

  it('divergence names the step, suggests a smaller rate and exits 1', async () => {
    write('diverge.nnspec', 'input 1\ndense 1 identity\noptimizer sgd rate=1e6\nbatch full\nepochs 50\ndata sine\n');
    const run = await nnspec(['train', 'diverge.nnspec', '--save', 'diverged.json'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/step \d+/);
    expect(run.stderr).toMatch(/smaller rate/);
    expect(run.stdout).toMatch(/diverged after/);
    expect(run.stdout).toContain('did not save diverged.json: the weights diverged');
    expect(fs.existsSync(path.join(dir, 'diverged.json'))).toBe(false);
  });

  it('Ctrl-C stops after the current batch, saves the weights so far with --save, exits 130', async () => {
    const out = path.join(dir, 'interrupted.json');
    const run = await nnspec(['train', XOR, '--epochs', '100000', '--save', out], {
      onStdout: (stdout, interrupt) => {
        if (/^epoch/m.test(stdout)) interrupt();
      },
    });
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(/stopped by Ctrl-C at epoch \d+\/100000, step \d+/);
    expect(run.stdout).toContain(`saved the weights to ${out} (as trained so far)`);
    const saved = parseWeightsFile(fs.readFileSync(out, 'utf8'), out);
    expect(saved.layers.map((l) => [l.weights.length, l.weights[0].length])).toEqual([
      [4, 2],
      [1, 4],
    ]);
  });

  it('Ctrl-C without --save says how to keep the weights next time', async () => {
    const run = await nnspec(['train', XOR, '--epochs', '100000'], {
      onStdout: (stdout, interrupt) => {
        if (/^epoch/m.test(stdout)) interrupt();
      },
    });
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(/stopped by Ctrl-C at epoch \d+\/100000/);
    expect(run.stdout).toContain('the weights were not saved: add --save OUT.json to keep them next time');
  });

  it('Ctrl-C with --json ends with a done event of status "stopped"', async () => {
    const run = await nnspec(['train', XOR, '--epochs', '100000', '--json'], {
      onStdout: (stdout, interrupt) => {
        if (stdout.includes('"event":"epoch"')) interrupt();
      },
    });
    expect(run.code).toBe(130);
    const done = JSON.parse(run.stdout.trim().split('\n').pop() ?? '');
    expect(done).toMatchObject({ event: 'done', status: 'stopped', saved: null });
    expect(done.epochs).toBeLessThan(100000);
  });

  it('--save refuses a folder that does not exist before training', async () => {
    const run = await nnspec(['train', XOR, '--save', 'no/such/dir/w.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("cannot save to 'no/such/dir/w.json': the folder no/such/dir does not exist");
    expect(run.stdout).toBe('');
  });
});

describe('weights files', () => {
  const saved = (): string => path.join(dir, 'xor-weights.json');

  beforeAll(async () => {
    const run = await nnspec(['train', XOR, '--epochs', '200', '--quiet', '--save', saved()]);
    if (run.code !== 0) throw new Error(`training xor failed: ${run.stderr}`);
  });

  it('--save writes the trained weights: the same as training in-process', () => {
    const project = load(path.join(ROOT, XOR));
    for (let e = 0; e < 200; e++) project.trainer.stepEpoch();
    const file = parseWeightsFile(fs.readFileSync(saved(), 'utf8'), saved());
    expect(asFloat32(file)).toEqual(project.trainer.getWeights());
  });

  it('--weights starts training from the file: 0 further epochs of change reproduce it', async () => {
    const again = path.join(dir, 'again.json');
    const run = await nnspec(['train', XOR, '--weights', saved(), '--epochs', '1', '--quiet', '--save', again]);
    expect(run.code).toBe(0);
    const project = load(path.join(ROOT, XOR));
    project.trainer.setWeights(parseWeightsFile(fs.readFileSync(saved(), 'utf8'), 'saved'));
    project.trainer.stepEpoch();
    expect(asFloat32(parseWeightsFile(fs.readFileSync(again, 'utf8'), again))).toEqual(project.trainer.getWeights());
  });

  it('gradients --json equals trainer.fullGradient() at the same weights', async () => {
    const run = await nnspec(['gradients', XOR, '--weights', saved(), '--json']);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    const project = load(path.join(ROOT, XOR));
    project.trainer.setWeights(parseWeightsFile(fs.readFileSync(saved(), 'utf8'), 'saved'));
    const gradient = project.trainer.fullGradient();
    expect(json.loss).toBe(gradient.loss);
    expect(json.layers).toHaveLength(2);
    project.trainer.layers.forEach((layer, l) => {
      expect(json.layers[l].dW).toHaveLength(layer.units);
      expect(json.layers[l].dW.flat()).toEqual(Array.from(gradient.dW[l]));
      expect(json.layers[l].db).toEqual(Array.from(gradient.db[l]));
    });
  });

  it('gradients without --weights is taken at the seeded initial weights', async () => {
    const run = await nnspec(['gradients', XOR, '--json']);
    const json = JSON.parse(run.stdout);
    const gradient = load(path.join(ROOT, XOR)).trainer.fullGradient();
    expect(json.loss).toBe(gradient.loss);
    expect(json.layers[0].dW.flat()).toEqual(Array.from(gradient.dW[0]));
  });

  it('gradients without --json: a readable summary per layer', async () => {
    const run = await nnspec(['gradients', XOR]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^gradient of the mean cost over 4 training samples at the seeded initial weights/);
    expect(run.stdout).toContain('layer 1: dense 4 tanh, weights 4×2');
    expect(run.stdout).toContain('layer 2: dense 1 sigmoid, weights 1×4');
  });

  it('predict gives the XOR truth table with the trained weights', async () => {
    for (const [input, expected] of [
      ['0 0', 0],
      ['0 1', 1],
      ['1,0', 1],
      ['1 1', 0],
    ] as const) {
      const run = await nnspec(['predict', XOR, '--weights', saved(), '--input', input]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^output: \\S+\\nclass: ${expected} \\(output [>≤] 0\\.5\\)\\n$`));
    }
  });

  it('predict --json matches trainer.predict with the same weights', async () => {
    const run = await nnspec(['predict', XOR, '-w', saved(), '-i', '1 0', '--json']);
    const project = load(path.join(ROOT, XOR));
    project.trainer.setWeights(parseWeightsFile(fs.readFileSync(saved(), 'utf8'), 'saved'));
    const className = project.dataset.classNames?.[1] ?? null;
    expect(JSON.parse(run.stdout)).toEqual({ output: Array.from(project.trainer.predict([1, 0])), class: 1, className });
  });

  it('predict names the class of a classification set', async () => {
    write('iris3.nnspec', `input 4\ndense 3 softmax\nloss cce\nepochs 20\nbatch 10\nnormalize zscore\ndata "${path.join(ROOT, 'examples', 'iris.csv')}" label=species\n`);
    const w = path.join(dir, 'iris3.json');
    expect((await nnspec(['train', 'iris3.nnspec', '--quiet', '--save', w], { cwd: dir })).code).toBe(0);
    const run = await nnspec(['predict', 'iris3.nnspec', '--weights', w, '--input', '5.1 3.5 1.4 0.2'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^output: \S+ \S+ \S+\nclass: 0 \(setosa\)\n$/);
  });

  it('predict checks the input width and its numbers', async () => {
    const wide = await nnspec(['predict', XOR, '--weights', saved(), '--input', '1 2 3']);
    expect(wide.code).toBe(2);
    expect(wide.stderr).toBe(`nnspec: predict: --input has 3 values, but the network of ${XOR} takes 2 (\`input 2\`)\n`);
    const text = await nnspec(['predict', XOR, '--weights', saved(), '--input', '1 x']);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain("--input value 2, 'x', is not a number");
    const negative = await nnspec(['predict', XOR, '--weights', saved(), '--input', '-1 2']);
    expect(negative.code).toBe(0);
    const noWeights = await nnspec(['predict', XOR, '--input', '0 1']);
    expect(noWeights.code).toBe(2);
    expect(noWeights.stderr).toContain('--weights IN.json is required');
  });

  it('a missing weights file exits 2 naming it', async () => {
    const run = await nnspec(['gradients', XOR, '--weights', 'nope.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("nnspec: cannot read the weights file 'nope.json': no such file\n");
  });

  it('a weights file that is not JSON exits 2 naming it', async () => {
    write('broken.json', '{"format": "nnspec-weights",\n "version": 1, "layers": [}\n');
    const run = await nnspec(['train', path.join(ROOT, XOR), '--weights', 'broken.json'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^nnspec: broken\.json: not a JSON file/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a weights file of the wrong format or shape exits 2 saying what does not fit', async () => {
    write('other.json', '{"format": "something", "version": 1, "layers": []}');
    const other = await nnspec(['gradients', path.join(ROOT, XOR), '--weights', 'other.json'], { cwd: dir });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('other.json: "format" is "something"');
    write(
      'shape.json',
      JSON.stringify({ format: 'nnspec-weights', version: 1, layers: [{ weights: [[1, 2, 3]], biases: [0] }, { weights: [[1]], biases: [0] }] }),
    );
    const shape = await nnspec(['predict', path.join(ROOT, XOR), '--weights', 'shape.json', '--input', '0 1'], { cwd: dir });
    expect(shape.code).toBe(2);
    expect(shape.stderr).toContain('shape.json: layer 1: expected 4 × 2 weights (units × inputs), got 1 × 3');
    expect(shape.stderr).toContain(`(the weights must fit the network of ${path.join(ROOT, XOR)})`);
  });
});

describe('the built command', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('node dist/cli.js trains, reports and exits like main()', () => {
    const run = spawnCli(['train', XOR, '--epochs', '3', '--json']);
    expect(run.code).toBe(0);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(events.map((e) => e.event)).toEqual(['start', 'epoch', 'epoch', 'epoch', 'done']);
  });

  it('bin/nnspec.js runs the CLI', () => {
    const run = spawnCli(['--version']);
    const bin = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'nnspec.js'), '--version'], { encoding: 'utf8' });
    expect(bin.status).toBe(0);
    expect(bin.stdout).toBe(run.stdout);
  });

  it('a real Ctrl-C (SIGINT) stops training, saves the weights and exits 130', async () => {
    const out = path.join(dir, 'sigint.json');
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'train', XOR, '--epochs', '100000000', '--save', out], {
      cwd: ROOT,
    });
    let stdout = '';
    let signalled = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!signalled && /^training /m.test(stdout)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stdout).toMatch(/stopped by Ctrl-C at epoch \d+\/100000000/);
    expect(stdout).toContain(`saved the weights to ${out} (as trained so far)`);
    expect(parseWeightsFile(fs.readFileSync(out, 'utf8'), out).layers).toHaveLength(2);
  });

  it('errors are messages with exit codes, never stack traces', () => {
    const missing = spawnCli(['check', 'nothing-here.nnspec']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("nnspec: cannot read the spec 'nothing-here.nnspec': no such file\n");
    const usage = spawnCli(['frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).not.toMatch(/\n\s+at /);
  });
});
