/**
 * The examples do what their header comments say: every one checks clean, broken.nnspec shows
 * every deliberate mistake, and the small ones learn what they promise, trained through the CLI.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAssetsDir, loadProject } from '../../src/core/project';
import { parseWeightsFile } from '../../src/core/weights';
import { ensureBuilt, nnspec, requireDigits, ROOT, spawnCli, tempDir } from './cli-support';

const EXAMPLES = path.join(ROOT, 'examples');
const specs = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.nnspec')).sort();
const clean = specs.filter((f) => f !== 'broken.nnspec');

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Trains an example with the CLI (in-process), saves the weights, returns them. */
async function trainAndSave(example: string, extra: string[] = []): Promise<{ weights: number[][][]; stdout: string }> {
  const out = path.join(dir, example.replace('.nnspec', '.json'));
  const run = await nnspec(['train', `examples/${example}`, '--quiet', '--save', out, ...extra]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return { weights: parseWeightsFile(fs.readFileSync(out, 'utf8'), out).layers.map((l) => l.weights), stdout: run.stdout };
}

/** The final "training:" / "validation:" line's numbers from the summary. */
function summary(stdout: string, part: 'training' | 'validation'): { loss: number; accuracy?: number } {
  const match = new RegExp(`${part}: +loss (\\S+)(?: +accuracy (\\S+)%)?`).exec(stdout);
  if (!match) throw new Error(`no ${part} line in:\n${stdout}`);
  return { loss: Number(match[1]), accuracy: match[2] === undefined ? undefined : Number(match[2]) / 100 };
}

describe('examples/', () => {
  it('holds the examples the issue asks for, each opening with a comment saying what it shows', () => {
    for (const name of ['xor', 'single-weight', 'sigmoid-unit', 'circle', 'spiral', 'sine', 'digits-16-16', 'digits-30', 'digits-softmax', 'iris', 'broken']) {
      const text = fs.readFileSync(path.join(EXAMPLES, `${name}.nnspec`), 'utf8');
      expect(text.split('\n')[0]).toMatch(new RegExp(`^# ${name}\\.nnspec — \\S`));
    }
    expect(fs.readFileSync(path.join(EXAMPLES, 'iris.csv'), 'utf8').trim().split('\n')).toHaveLength(151);
  });

  it.each(clean)('%s checks clean (parse, data, widths)', async (example) => {
    if (example.startsWith('digits')) requireDigits();
    const text = fs.readFileSync(path.join(EXAMPLES, example), 'utf8');
    const project = loadProject(text, path.join(EXAMPLES, example), { assetsDir: defaultAssetsDir() });
    expect(project.diagnostics).toEqual([]);
    expect(project.ok).toBe(true);
    const run = await nnspec(['check', `examples/${example}`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^examples/${example.replace('.', '\\.')}: ok — `));
  });

  it('broken.nnspec: check lists every deliberate mistake at its line and column, and exits 1', async () => {
    const expected: [line: number, column: number, code: string][] = [
      [7, 9, 'unknown-activation'], // dense 4 sigmod
      [8, 9, 'softmax-not-last'], // dense 3 softmax
      [9, 22, 'bad-boolean'], // bias=maybe
      [10, 6, 'unknown-loss'], // loss crossentropy
      [11, 20, 'out-of-range'], // rate=-0.5
      [12, 7, 'out-of-range'], // batch 0
      [13, 8, 'not-a-number'], // epochs ten
      [14, 1, 'unknown-keyword'], // momentum 0.9
      [16, 12, 'out-of-range'], // validation 1.5
    ];
    const file = path.join(EXAMPLES, 'broken.nnspec');
    const project = loadProject(fs.readFileSync(file, 'utf8'), file, { assetsDir: defaultAssetsDir() });
    expect(project.ok).toBe(false);
    expect(project.diagnostics.map((d) => [d.range.start.line + 1, d.range.start.character + 1, d.code])).toEqual(expected);
    expect(project.diagnostics.every((d) => d.severity === 'error')).toBe(true);
    // Every ✗ line of the file has its diagnostic.
    const marked = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (/^[a-z].*# ✗/.test(line) ? [i + 1] : []));
    expect(marked).toEqual(expected.map(([line]) => line));

    const run = await nnspec(['check', 'examples/broken.nnspec']);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines.slice(0, -1).map((l) => /^examples\/broken\.nnspec:(\d+):(\d+): error: \S/.exec(l)?.slice(1, 3).map(Number))).toEqual(
      expected.map(([line, column]) => [line, column]),
    );
    expect(lines[lines.length - 1]).toBe('examples/broken.nnspec: 9 errors');
    expect(run.stdout).toContain("unknown activation 'sigmod' (did you mean 'sigmoid'?)");
  });
});

describe('the examples learn what they say', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('xor.nnspec: `nnspec train` (the built command) takes the loss below 0.01', () => {
    const run = spawnCli(['train', 'examples/xor.nnspec', '--json']);
    expect(run.code).toBe(0);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    const done = events[events.length - 1];
    expect(done).toMatchObject({ event: 'done', status: 'done', accuracy: 1 });
    expect(done.loss).toBeLessThan(0.01);
  });

  it('single-weight.nnspec: w goes from 0.8 to the least-squares 13.35/38.25', async () => {
    const { weights } = await trainAndSave('single-weight.nnspec');
    expect(weights).toHaveLength(1);
    expect(weights[0][0][0]).toBeCloseTo(13.35 / 38.25, 6);
  });

  it('single-weight.nnspec: the first epoch is w − η·(1/2)Σ(wx − y)x, by hand', async () => {
    const { weights } = await trainAndSave('single-weight.nnspec', ['--epochs', '1']);
    const w0 = 0.8;
    const gradient = 0.5 * ((w0 * 1.5 - 0.5) * 1.5 + (w0 * 6 - 2.1) * 6);
    expect(weights[0][0][0]).toBeCloseTo(w0 - 0.02 * gradient, 6);
  });

  it('sigmoid-unit.nnspec: w goes from 0.8 to 0, where σ(1.5w) = 0.5', async () => {
    const { weights } = await trainAndSave('sigmoid-unit.nnspec');
    expect(Math.abs(weights[0][0][0])).toBeLessThan(1e-3);
  });

  it('circle.nnspec separates the held-out points', async () => {
    const { stdout } = await trainAndSave('circle.nnspec');
    expect(summary(stdout, 'validation').accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('sine.nnspec fits sin(x) (held-out mean ½‖y − a‖² below 0.01)', async () => {
    const { stdout } = await trainAndSave('sine.nnspec');
    expect(summary(stdout, 'validation').loss).toBeLessThan(0.01);
    expect(summary(stdout, 'validation').accuracy).toBeUndefined();
  });

  it('iris.nnspec classifies the held-out flowers', async () => {
    const { stdout } = await trainAndSave('iris.nnspec');
    expect(summary(stdout, 'validation').accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('digits-30.nnspec passes 90% held-out accuracy within a few epochs (2 here)', async () => {
    requireDigits();
    const { stdout } = await trainAndSave('digits-30.nnspec', ['--epochs', '2']);
    expect(summary(stdout, 'validation').accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('spiral.nnspec learns the two spirals', async () => {
    const { stdout } = await trainAndSave('spiral.nnspec');
    expect(summary(stdout, 'training').accuracy).toBeGreaterThanOrEqual(0.9);
  });
});
