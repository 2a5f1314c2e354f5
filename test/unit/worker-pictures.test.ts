/**
 * The neuron pictures the worker computes (src/worker/pictures.ts) and when it sends them
 * (src/worker/insights.ts): over the plane they are the engine's own forward pass at the grid's
 * points (the output's: what predict gives, the decision boundary), bounded in size; histograms
 * count every sample once; a snapshot carries them only while the network view is on screen.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultAssetsDir, loadProject } from '../../src/core/project';
import { SessionRunner } from '../../src/worker/runner';
import { RunInsights } from '../../src/worker/insights';
import { gridPoint, histogramPictures, MAX_PICTURE_FLOATS, PICTURE_RESOLUTION, pictureResolution, planePictures } from '../../src/worker/pictures';
import type { FromWorker, SessionInfo, Snapshot } from '../../src/protocol';

const root = path.resolve(__dirname, '../..');

function project(text: string) {
  const p = loadProject(text, path.join(root, 'examples', 'inline.nnspec'), { assetsDir: defaultAssetsDir() });
  if (!p.ok) throw new Error(p.message);
  return p;
}

const PLANE = { xMin: -1.5, xMax: 2, yMin: -1, yMax: 1.25, points: new Float32Array(0), targets: new Float32Array(0) };

describe('plane pictures', () => {
  it('are the engine’s forward pass over the raw plane, features and normalisation included: the output’s equals predict()', () => {
    const { trainer } = project('input 4\nfeatures x1 x2 x1^2 x1*x2\ndense 5 tanh\ndense 3 relu\ndense 1 sigmoid\nloss bce\noptimizer sgd rate=0.5\nbatch 8\nepochs 1\nseed 2\ndata moons n=64\nnormalize zscore\n');
    for (let i = 0; i < 5; i++) trainer.stepOnce();
    const n = 10;
    const pictures = planePictures(trainer, PLANE, n);
    if (pictures.kind !== 'plane') throw new Error('plane expected');
    expect(pictures.resolution).toBe(n);
    expect(pictures.step).toBe(5);
    expect(pictures.layers.map((l) => l.length)).toEqual([5 * n * n, 3 * n * n, n * n]);
    for (const [row, col] of [[0, 0], [3, 7], [9, 9], [5, 0]]) {
      const point = gridPoint(PLANE, n, row, col);
      // the batched pass and predict's one-row pass may round apart in the last bit
      expect(pictures.layers[2][row * n + col]).toBeCloseTo(trainer.predict(point)[0], 6);
      // a hidden neuron's value: the same pass's a^1_j (trace of one input through forwardPoints)
      let a1: Float32Array | undefined;
      trainer.forwardPoints(Float32Array.from(point), 1, (_s, _m, _zs, acts) => (a1 = acts[0].slice()));
      for (let j = 0; j < 5; j++) expect(pictures.layers[0][j * n * n + row * n + col]).toBe(a1![j]);
    }
    // cell centres, row 0 at the top (yMax), column 0 at the left (xMin)
    expect(gridPoint(PLANE, n, 0, 0)).toEqual([-1.5 + 0.175, 1.25 - 0.1125]);
  });

  it('stay bounded: layers wider than 64 get none, and the resolution shrinks to fit MAX_PICTURE_FLOATS', () => {
    expect(pictureResolution([8, 1])).toBe(PICTURE_RESOLUTION);
    const r = pictureResolution([64, 64, 64, 64, 1]);
    expect(r * r * (4 * 64 + 1)).toBeLessThanOrEqual(MAX_PICTURE_FLOATS);
    const { trainer } = project('input 2\ndense 100 tanh\ndense 1 sigmoid\nloss bce\noptimizer sgd rate=0.5\nbatch 8\nepochs 1\nseed 2\ndata circle n=64\n');
    const pictures = planePictures(trainer, PLANE);
    if (pictures.kind !== 'plane') throw new Error('plane expected');
    expect(pictures.layers[0].length).toBe(0);
    expect(pictures.layers[1].length).toBe(pictures.resolution ** 2);
  });
});

describe('histogram pictures', () => {
  it('count each of the first samples once per neuron, in the layer’s range', () => {
    const { trainer } = project('input 3\ndense 4 relu\ndense 2 sigmoid\nloss bce\noptimizer sgd rate=0.1\nbatch 4\nepochs 1\nseed 1\ndata inline\n  1 2 3 -> 0 1\n  0 1 0 -> 1 0\n  2 2 2 -> 0 1\n  -1 0 1 -> 1 0\n  3 1 0 -> 0 1\nend\n');
    const pictures = histogramPictures(trainer, 4, 3);
    if (pictures.kind !== 'histogram') throw new Error('histogram expected');
    expect(pictures.samples).toBe(3);
    const a: number[][] = [];
    trainer.forwardPart('train', (_s, m, _zs, acts) => {
      for (let b = 0; b < m; b++) a.push(Array.from(acts[0].subarray(b * 4, b * 4 + 4)));
    }, 3);
    const flat = a.flat();
    expect(pictures.layers[0].min).toBe(Math.min(...flat));
    expect(pictures.layers[0].max).toBe(Math.max(...flat));
    for (let j = 0; j < 4; j++) expect(Array.from(pictures.layers[0].counts.subarray(j * 4, j * 4 + 4)).reduce((s, v) => s + v, 0)).toBe(3);
    for (let j = 0; j < 2; j++) expect(Array.from(pictures.layers[1].counts.subarray(j * 4, j * 4 + 4)).reduce((s, v) => s + v, 0)).toBe(3);
  });
});

describe('the snapshots carry pictures only while the network view is on screen', () => {
  it('pictures off: none; on (a settings message): the next snapshot with layers has them', () => {
    const text = fs.readFileSync(path.join(root, 'examples', 'circle.nnspec'), 'utf8');
    const p = project(text);
    const info = { plane: PLANE, layers: p.trainer.layers.map((l) => ({ index: l.index, inputs: l.inputs, units: l.units, activation: l.activation, bias: l.bias })) } as unknown as SessionInfo;
    const posted: Snapshot[] = [];
    const runner = new SessionRunner(p.trainer, info, { updateHz: 20, maxParameters: 1e7, includeLayers: true }, (m: FromWorker) => {
      if (m.type === 'snapshot') posted.push(m.snapshot);
    }, { insights: new RunInsights(p.trainer, p.parse, undefined, undefined, info) });
    runner.handle({ type: 'step' });
    expect(posted.at(-1)!.layers).toBeDefined();
    expect(posted.at(-1)!.pictures).toBeUndefined();
    runner.handle({ type: 'settings', settings: { pictures: true } });
    const shown = posted.at(-1)!;
    expect(shown.pictures?.kind).toBe('plane');
    expect(shown.pictures?.step).toBe(1);
    runner.handle({ type: 'step' });
    expect(posted.at(-1)!.pictures?.step).toBe(2);
    runner.handle({ type: 'settings', settings: { pictures: false } });
    runner.handle({ type: 'step' });
    expect(posted.at(-1)!.pictures).toBeUndefined();
  });
});
