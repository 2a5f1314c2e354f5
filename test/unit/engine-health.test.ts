import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthMonitor, healthPlaces, type HealthProblem } from '../../src/core/engine/health';
import { parseSpec } from '../../src/core/lang/index';
import { defaultAssetsDir, loadProject, type LoadedProject } from '../../src/core/project';
import type { Fix } from '../../src/core/spec';
import type { WeightsFile } from '../../src/core/weights';
import { nnspec, requireDigits, ROOT, tempDir } from './cli-support';

const FIXTURES = 'test/fixtures/health';
let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function weightsFile(name: string, layers: WeightsFile['layers']): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ format: 'nnspec-weights', version: 1, layers }));
  return file;
}

/** Six of eight ReLU units get bias −50: z < 0 for every circle sample. */
const DEAD_WEIGHTS: WeightsFile['layers'] = [
  { weights: Array.from({ length: 8 }, (_, j) => [0.5 * ((j % 3) - 1), 0.3]), biases: Array.from({ length: 8 }, (_, j) => (j < 6 ? -50 : 0.1)) },
  { weights: [Array(8).fill(0.1)], biases: [0] },
];
/** Weights of ±200 into sigmoid units: |z| ≫ 4.6 on almost every sample. */
const SATURATED_WEIGHTS: WeightsFile['layers'] = [
  { weights: [[200, 200], [-200, 200], [200, -200], [150, 100]], biases: [0, 0, 0, 0] },
  { weights: [[0.1, 0.1, 0.1, 0.1]], biases: [0] },
];
/** w¹ = 1e-4, w² = w³ = 100: ∂C/∂w¹ = w³w²δx, ∂C/∂w³ = δ·a² = δ·w²w¹x, ratio w³/w¹ = 1e6. */
const EXPLODING_WEIGHTS: WeightsFile['layers'] = [
  { weights: [[1e-4]], biases: [0] },
  { weights: [[100]], biases: [0] },
  { weights: [[100]], biases: [0] },
];

interface ProblemEvent {
  event: 'problem';
  code: string;
  line: number;
  column: number;
  layer: number | null;
  message: string;
  fixes: string[];
}

async function trainJson(spec: string, weights?: string): Promise<{ events: Record<string, unknown>[]; problems: ProblemEvent[]; code: number; stderr: string }> {
  const run = await nnspec(['train', spec, '--json', ...(weights ? ['--weights', weights] : [])]);
  const events = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { events, problems: events.filter((e) => e.event === 'problem') as unknown as ProblemEvent[], code: run.code, stderr: run.stderr };
}

/** The 1-based line of the spec whose text (comment excluded) is `statement`. */
function lineOf(spec: string, statement: string): number {
  const lines = fs.readFileSync(path.join(ROOT, spec), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.trim() === statement);
  if (index < 0) throw new Error(`${spec} has no line '${statement}'`);
  return index + 1;
}

describe('training health through `nnspec train --json`: crafted runs raise the right code on the right line', () => {
  it('dead-units: 6 of 8 ReLU units with bias −50, on the dense line, with the init=he fix', async () => {
    const spec = `${FIXTURES}/dead-relu.nnspec`;
    const { problems } = await trainJson(spec, weightsFile('dead.json', DEAD_WEIGHTS));
    const dead = problems.find((p) => p.code === 'dead-units');
    expect(dead, JSON.stringify(problems)).toBeDefined();
    expect(dead).toMatchObject({ line: lineOf(spec, 'dense 8 relu'), column: 1, layer: 1 });
    expect(dead?.message).toMatch(/^6 of 8 ReLU units never fire \(layer 1\)/);
    expect(dead?.fixes).toContain('Start layer 1 from init=he');
  });

  it('saturated-units: sigmoid units with weights ±200', async () => {
    const spec = `${FIXTURES}/saturated.nnspec`;
    const { problems } = await trainJson(spec, weightsFile('saturated.json', SATURATED_WEIGHTS));
    const saturated = problems.find((p) => p.code === 'saturated-units');
    expect(saturated, JSON.stringify(problems)).toMatchObject({ line: lineOf(spec, 'dense 4 sigmoid'), column: 1, layer: 1 });
    expect(saturated?.message).toMatch(/^4 of 4 sigmoid units are saturated \(layer 1\): σ′\(z\) < 0\.01/);
    // the spec already starts from xavier (the default): only the rate is offered
    expect(saturated?.fixes).toEqual(['Lower the rate to 0.01']);
    // the output layer is never reported: a sigmoid output at its target is a network that has learnt
    expect(problems.filter((p) => p.layer === 2)).toEqual([]);
  });

  it('vanishing-gradient and plateau: eight sigmoid layers (spec only), on the first dense line and the optimizer line', async () => {
    const spec = `${FIXTURES}/vanishing.nnspec`;
    const { problems } = await trainJson(spec);
    const vanishing = problems.find((p) => p.code === 'vanishing-gradient');
    expect(vanishing, JSON.stringify(problems)).toMatchObject({ line: lineOf(spec, 'dense 8 sigmoid'), column: 1, layer: 1 });
    const ratio = Number(/‖∂C\/∂w¹‖ is (\S+) ×/.exec(vanishing?.message ?? '')?.[1]);
    expect(ratio).toBeLessThan(1e-4);
    const plateau = problems.find((p) => p.code === 'plateau');
    expect(plateau).toMatchObject({ line: lineOf(spec, 'optimizer sgd rate=0.5'), layer: null });
    // tiny updates are caused by the vanishing gradient: not reported as a rate problem
    expect(problems.some((p) => p.code === 'update-ratio')).toBe(false);
  });

  it('exploding-gradient: w¹ = 1e-4 under w² = w³ = 100', async () => {
    const spec = `${FIXTURES}/exploding.nnspec`;
    const { problems } = await trainJson(spec, weightsFile('exploding.json', EXPLODING_WEIGHTS));
    const exploding = problems.find((p) => p.code === 'exploding-gradient');
    expect(exploding, JSON.stringify(problems)).toMatchObject({ line: lineOf(spec, 'dense 1 identity'), column: 1, layer: 1 });
    expect(Number(/is (\S+) ×/.exec(exploding?.message ?? '')?.[1])).toBeGreaterThan(1e4);
    expect(exploding?.fixes).toContain('Lower the rate to 1e-10');
  });

  it('update-ratio: a rate of 20 moves the weights by half of themselves a step, on the optimizer line', async () => {
    const spec = `${FIXTURES}/jumpy.nnspec`;
    const { problems } = await trainJson(spec);
    const update = problems.find((p) => p.code === 'update-ratio');
    expect(update, JSON.stringify(problems)).toMatchObject({ line: lineOf(spec, 'optimizer sgd rate=20') });
    expect(update?.message).toMatch(/^updates are too large: ‖Δw‖\/‖w‖ = \S+ in layer \d/);
    expect(update?.fixes[0]).toMatch(/^Lower the rate to /);
  });

  it('diverged: on the optimizer line with a smaller rate, as a warning on stderr too', async () => {
    const spec = `${FIXTURES}/diverging.nnspec`;
    const { problems, code } = await trainJson(spec);
    expect(code).toBe(1);
    expect(problems.find((p) => p.code === 'diverged')).toMatchObject({ line: lineOf(spec, 'optimizer sgd rate=10'), column: 1, layer: null, fixes: ['Lower the rate to 1'] });
    const text = await nnspec(['train', spec]);
    expect(text.stderr).toContain(`${spec}:${lineOf(spec, 'optimizer sgd rate=10')}:1: warning: loss became infinite at step`);
  });

  it('the readable output prints SPEC:LINE:COL: warning: message (hint), once per problem', async () => {
    const spec = `${FIXTURES}/saturated.nnspec`;
    const run = await nnspec(['train', spec, '--weights', weightsFile('saturated2.json', SATURATED_WEIGHTS)]);
    const warnings = run.stderr.split('\n').filter((line) => line.includes(': warning: '));
    expect(warnings.filter((line) => line.includes('saturated'))).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^${spec.replace(/[.]/g, '\\.')}:${lineOf(spec, 'dense 4 sigmoid')}:1: warning: 4 of 4 sigmoid units are saturated .* \\(δ = `));
  });
});

describe('the bundled examples’ healthy runs raise no problem', () => {
  for (const name of ['xor', 'circle', 'spiral', 'sine', 'digits-30']) {
    it(name, { timeout: 60_000 }, async () => {
      if (name.startsWith('digits')) requireDigits();
      const { problems, code, events } = await trainJson(`examples/${name}.nnspec`);
      expect(code).toBe(0);
      expect(events.at(-1)?.status).toBe('done');
      expect(problems).toEqual([]);
    });
  }
});

describe('HealthMonitor', () => {
  function load(spec: string, epochs?: number): LoadedProject {
    const file = path.join(ROOT, spec);
    const project = loadProject(fs.readFileSync(file, 'utf8'), file, { assetsDir: defaultAssetsDir(), epochs });
    if (!project.ok) throw new Error(project.message);
    return project;
  }

  function train(project: LoadedProject, monitor: HealthMonitor, steps: number): void {
    for (let i = 0; i < steps && !project.trainer.done; i++) monitor.afterStep(project.trainer.stepOnce());
  }

  it('a problem is cleared when it no longer holds (healthy weights put in mid-run), and reset() clears all', () => {
    const project = load(`${FIXTURES}/saturated.nnspec`, 100);
    const { trainer } = project;
    const healthy = trainer.getWeights();
    trainer.setWeights({ format: 'nnspec-weights', version: 1, layers: SATURATED_WEIGHTS });
    const monitor = new HealthMonitor(trainer, healthPlaces(project.parse));
    train(project, monitor, trainer.stepsPerEpoch);
    expect(monitor.problems.map((p) => p.code)).toContain('saturated-units');
    const version = monitor.version;
    trainer.setWeights(healthy);
    // the next sweep (after 2,048 more samples, at an epoch's end) sees healthy units
    train(project, monitor, 2 * Math.ceil(2048 / trainer.batchSize));
    expect(monitor.problems.map((p) => p.code)).not.toContain('saturated-units');
    expect(monitor.version).toBeGreaterThan(version);
    trainer.setWeights({ format: 'nnspec-weights', version: 1, layers: SATURATED_WEIGHTS });
    monitor.sweep();
    monitor.diverged('loss became NaN at step 3');
    expect(monitor.problems.map((p) => p.code)).toEqual(['saturated-units', 'diverged']);
    monitor.reset();
    expect(monitor.problems).toEqual([]);
  });

  it('the fixes are edits of the spec that parse to what their titles say', () => {
    const spec = `${FIXTURES}/dead-relu.nnspec`;
    const text = fs.readFileSync(path.join(ROOT, spec), 'utf8');
    const project = load(spec);
    project.trainer.setWeights({ format: 'nnspec-weights', version: 1, layers: DEAD_WEIGHTS });
    const monitor = new HealthMonitor(project.trainer, healthPlaces(project.parse));
    monitor.sweep();
    monitor.diverged('loss became NaN at step 1');
    const dead = monitor.problems.find((p) => p.code === 'dead-units') as HealthProblem;
    const init = dead.fixes?.find((f) => f.title.includes('init=he')) as Fix;
    expect(parseSpec(applyFix(text, init)).spec.layers[0].init).toEqual({ kind: 'he' });
    const diverged = monitor.problems.find((p) => p.code === 'diverged') as HealthProblem;
    const rate = diverged.fixes?.[0] as Fix;
    expect(rate.title).toBe('Lower the rate to 0.01');
    const fixed = parseSpec(applyFix(text, rate));
    expect(fixed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(fixed.spec.optimizer.rate).toBe(0.01);
  });

  it('the baseline is the loss of the best constant prediction (bce on circle: ln 2 for balanced classes)', () => {
    const project = load(`${FIXTURES}/saturated.nnspec`);
    const monitor = new HealthMonitor(project.trainer, healthPlaces(project.parse));
    const { targets, count } = project.trainer.data.train;
    const p = targets.reduce((a, b) => a + b, 0) / count;
    expect(monitor.baseline).toBeCloseTo(-p * Math.log(p) - (1 - p) * Math.log(1 - p), 10);
  });
});

/** The text with one fix applied (single-line edits, as every health fix is). */
function applyFix(text: string, fix: Fix): string {
  const lines = text.split('\n');
  const { start, end } = fix.range;
  expect(start.line).toBe(end.line);
  const line = lines[start.line];
  lines[start.line] = line.slice(0, start.character) + fix.newText + line.slice(end.character);
  return lines.join('\n');
}
