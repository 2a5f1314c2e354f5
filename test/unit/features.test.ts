/**
 * The `features` statement for 2-input data: parsed in order, its mistakes reported where they
 * are, the network fed the features (then normalised) while predict and the decision boundary keep
 * the raw plane, completion and hovers, and `nnspec explain --json` on a featured network against
 * the autodiff oracle.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/core/lang/index';
import { defaultAssetsDir, loadProject, type LoadedProject } from '../../src/core/project';
import { loadDataset } from '../../src/core/data/index';
import { completionsAt } from '../../src/extension/features/completion';
import { wordHoverAt } from '../../src/extension/features/wordHover';
import { oracleForward, oracleGradient, type OracleLayer } from '../support/autodiff';
import { closeTo } from '../support/engineFixtures';
import { nnspec, tempDir } from './cli-support';

const SPEC = `network circle-features
input 5
features x1 x2 x1^2 x2^2 x1*x2
dense 3 tanh
dense 1 sigmoid
loss bce
optimizer sgd rate=0.3
batch 8
seed 11
normalize zscore
validation 0.25
data circle n=60
`;

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function load(text: string): LoadedProject {
  const project = loadProject(text, path.join(dir, 'spec.nnspec'), { assetsDir: defaultAssetsDir() });
  if (!project.ok) throw new Error(project.message + '\n' + JSON.stringify(project.diagnostics));
  return project;
}

/** The seven features by their definitions, written here apart from the engine's table. */
const DEFINITIONS: Record<string, (x1: number, x2: number) => number> = {
  x1: (x1) => x1,
  x2: (_, x2) => x2,
  'x1^2': (x1) => x1 * x1,
  'x2^2': (_, x2) => x2 * x2,
  'x1*x2': (x1, x2) => x1 * x2,
  'sin(x1)': (x1) => Math.sin(x1),
  'sin(x2)': (_, x2) => Math.sin(x2),
};

describe('features: the language', () => {
  it('keeps any subset in the order written; the input width is their count', () => {
    const result = parseSpec('input 3\nfeatures sin(x2) x1*x2 x1\ndense 1 sigmoid\ndata xor\n');
    expect(result.diagnostics).toEqual([]);
    expect(result.spec.features).toEqual(['sin(x2)', 'x1*x2', 'x1']);
    expect(parseSpec('input 2\ndense 1 sigmoid\ndata xor\n').spec.features).toBeUndefined();
  });

  it('says when `input` disagrees with the features, with a fix', () => {
    const result = parseSpec('input 2\nfeatures x1 x2 x1^2 x2^2\ndense 1 sigmoid\ndata circle\n');
    const d = result.diagnostics.find((x) => x.code === 'input-mismatch')!;
    expect(d.message).toBe('input 2 does not match the features: 4 features make 4 inputs (x1 x2 x1^2 x2^2)');
    expect(d.range).toEqual({ start: { line: 0, character: 6 }, end: { line: 0, character: 7 } });
    expect(d.fixes).toEqual([{ title: 'Change to 4', range: d.range, newText: '4' }]);
  });

  it('reports unknown and repeated features at their column, and an empty `features`', () => {
    const result = parseSpec('input 2\nfeatures x1 x1 x1²\ndense 1 sigmoid\ndata xor\n');
    const duplicate = result.diagnostics.find((x) => x.code === 'duplicate-feature')!;
    expect(duplicate.range.start).toEqual({ line: 1, character: 12 });
    const unknown = result.diagnostics.find((x) => x.code === 'unknown-feature')!;
    expect(unknown.message).toBe("unknown feature 'x1²'");
    expect(unknown.hint).toBe("did you mean 'x1^2'?");
    expect(unknown.fixes?.[0].newText).toBe('x1^2');
    const empty = parseSpec('input 2\nfeatures\ndense 1 sigmoid\ndata xor\n').diagnostics.find((x) => x.code === 'missing-argument')!;
    expect(empty.message).toContain('x1, x2, x1^2, x2^2, x1*x2, sin(x1)');
  });

  it('needs 2-input data', () => {
    const project = loadProject('input 3\nfeatures x1 x2 x1^2\ndense 1 identity\ndata inline\n  1 2 3 -> 1\n  2 3 4 -> 2\nend\n', path.join(dir, 'x.nnspec'), { assetsDir: defaultAssetsDir() });
    expect(project.ok).toBe(false);
    const d = project.diagnostics.find((x) => x.code === 'features-need-two-inputs')!;
    expect(d.message).toBe('features are made from 2-input data (x1, x2), but inline has 3 inputs');
    expect(d.range.start).toEqual({ line: 1, character: 0 });
  });

  it('completes the features not written yet, and hovers document them', () => {
    const labels = completionsAt('features x1 x1^2 ', { line: 0, character: 17 }).map((c) => c.label);
    expect(labels).toEqual(['x2', 'x2^2', 'x1*x2', 'sin(x1)', 'sin(x2)']);
    expect(completionsAt('', { line: 0, character: 0 }).map((c) => c.label)).toContain('features');
    const hover = wordHoverAt('features x1 x1*x2', { line: 0, character: 14 })!;
    expect(hover.markdown).toContain('**x1*x2** — input feature: x₁·x₂');
    expect(wordHoverAt('features x1', { line: 0, character: 3 })!.markdown).toContain('`features x1 x2 x1^2 x2^2 x1*x2 sin(x1) sin(x2)`');
  });
});

describe('features: what the network sees', () => {
  it('every feature of the raw points, then normalised with the training part’s statistics', () => {
    const all = Object.keys(DEFINITIONS);
    const project = load(`input 7\nfeatures ${all.join(' ')}\ndense 1 sigmoid\nloss bce\nseed 4\nnormalize minmax\ndata circle n=40\n`);
    const raw = loadDataset({ kind: 'builtin', name: 'circle', n: 40, range: project.spec.data!.range }, { baseDir: dir, assetsDir: defaultAssetsDir(), seed: 4 });
    expect(project.dataset.inputSize).toBe(2);
    const { train } = project.prepared;
    expect(train.inputSize).toBe(7);
    for (let k = 0; k < 7; k++) {
      const column = Array.from({ length: raw.count }, (_, i) => Math.fround(DEFINITIONS[all[k]](raw.inputs[i * 2], raw.inputs[i * 2 + 1])));
      const min = Math.min(...column);
      const max = Math.max(...column);
      const expected = column.map((v) => (v - min) / (max - min));
      const seen = Array.from({ length: train.count }, (_, i) => train.inputs[i * 7 + k]);
      expect(closeTo(seen, expected, 1e-5, 1e-5), all[k]).toBeNull();
    }
  });

  it('predict takes the raw point (x1, x2) and gives what the network computes from its features', () => {
    const project = load(SPEC);
    const { trainer } = project;
    trainer.stepEpoch();
    // training sample 0 as the network sees it, against the raw point it came from
    const out = trainer.trace(0).activations[2][0];
    const sourceIndex = findSource(project, 0);
    const raw = [project.dataset.inputs[sourceIndex * 2], project.dataset.inputs[sourceIndex * 2 + 1]];
    expect(trainer.predict(raw)[0]).toBeCloseTo(out, 6);
    expect(() => trainer.predict([1, 2, 3, 4, 5])).toThrow('features take 2 raw inputs (x1 x2), got 5');
  });

  it('nnspec predict and check speak of the raw point', async () => {
    const specFile = path.join(dir, 'circle-features.nnspec');
    fs.writeFileSync(specFile, SPEC);
    const weights = path.join(dir, 'cf.json');
    expect((await nnspec(['train', specFile, '--quiet', '--epochs', '3', '--save', weights])).code).toBe(0);
    const ok = await nnspec(['predict', specFile, '--weights', weights, '--input', '0.1 -0.2', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).output).toHaveLength(1);
    const bad = await nnspec(['predict', specFile, '--weights', weights, '--input', '1 2 3 4 5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('takes 2 (x1 x2, which its `features` are made from)');
  });

  it('nnspec explain --json on a featured, normalised network = autodiff at the same weights', async () => {
    const specFile = path.join(dir, 'explain-features.nnspec');
    fs.writeFileSync(specFile, SPEC);
    const project = load(SPEC);
    const features = project.spec.features!;
    const trainRaw = Array.from({ length: project.prepared.train.count }, (_, i) => findSource(project, i));
    // z-score statistics of the training part's feature columns, worked out here
    const columns = features.map((name) => trainRaw.map((s) => Math.fround(DEFINITIONS[name](project.dataset.inputs[s * 2], project.dataset.inputs[s * 2 + 1]))));
    const stats = columns.map((c) => {
      const mean = c.reduce((a, b) => a + b, 0) / c.length;
      return { mean, sd: Math.sqrt(c.reduce((a, b) => a + (b - mean) ** 2, 0) / c.length) };
    });
    const weights = project.trainer.getWeights();
    const layers: OracleLayer[] = project.spec.layers.map((l, i) => ({ activation: l.activation, bias: l.bias, weights: weights.layers[i].weights, biases: weights.layers[i].biases }));
    for (const sample of [0, 7, trainRaw.length - 1]) {
      const run = await nnspec(['explain', specFile, '--sample', String(sample), '--json']);
      expect(run.code, run.stderr).toBe(0);
      const json = JSON.parse(run.stdout);
      const x = columns.map((c, k) => (c[sample] - stats[k].mean) / stats[k].sd);
      expect(closeTo(json.x, x, 1e-5, 1e-4), `x of sample ${sample}`).toBeNull();
      const y = [project.dataset.targets[trainRaw[sample]]];
      expect(json.y).toEqual(y);
      const oracle = oracleGradient(layers, 'bce', 0, [{ x, y }]);
      const forward = oracleForward(layers, x);
      expect(json.cost).toBeCloseTo(oracle.cost, 4);
      json.layers.forEach((layer: { a: number[]; dW: number[][]; db: number[] }, l: number) => {
        expect(closeTo(layer.a, forward.activations[l + 1], 1e-5, 1e-4)).toBeNull();
        expect(closeTo(layer.dW.flat(), oracle.dW[l].flat(), 1e-5, 1e-4)).toBeNull();
        expect(closeTo(layer.db, oracle.db[l], 1e-5, 1e-4)).toBeNull();
      });
    }
  });
});

/**
 * The raw sample that training sample i came from: the i-th of the samples not held out, by the
 * documented split (a seeded choice; both parts keep the data's order), found by the targets and
 * the features matching.
 */
function findSource(project: LoadedProject, trainIndex: number): number {
  const held = project.prepared.validation?.count ?? 0;
  const kept: number[] = [];
  // The validation part's raw indices are the ones whose (normalised) features appear in it.
  const valid = project.prepared.validation;
  const { normalizer } = project.prepared;
  const features = project.spec.features!;
  const seenOf = (s: number): number[] =>
    features.map((name, k) => (Math.fround(DEFINITIONS[name](project.dataset.inputs[s * 2], project.dataset.inputs[s * 2 + 1])) - normalizer.offset[k]) * normalizer.scale[k]);
  const inValidation = (s: number): boolean => {
    if (!valid) return false;
    const v = seenOf(s);
    for (let i = 0; i < valid.count; i++) if (v.every((x, k) => Math.abs(x - valid.inputs[i * features.length + k]) < 1e-5)) return true;
    return false;
  };
  for (let s = 0; s < project.dataset.count; s++) if (!inValidation(s)) kept.push(s);
  expect(kept).toHaveLength(project.dataset.count - held);
  return kept[trainIndex];
}
