/** loadProject: parse → data → checks → prepare → trainer, every failure a diagnostic, never a throw. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/data/types';
import { defaultAssetsDir, describeDataError, loadProject, type ProjectResult } from '../../src/core/project';

const assetsDir = defaultAssetsDir();
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnspec-project-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const XOR = 'input 2\ndense 4 tanh\ndense 1 sigmoid\nepochs 20\nbatch 4\ndata xor\n';

function expectFailed(result: ProjectResult): Extract<ProjectResult, { ok: false }> {
  if (result.ok) throw new Error('expected the project to fail');
  return result;
}

describe('loadProject', () => {
  it('loads a good spec: parse, data, prepared parts and a trainer ready at epoch 0', () => {
    const result = loadProject(XOR, path.join(dir, 'xor.nnspec'), { assetsDir });
    if (!result.ok) throw new Error(result.message);
    expect(result.diagnostics).toEqual([]);
    expect(result.dataset).toMatchObject({ name: 'xor', count: 4, inputSize: 2, outputSize: 1 });
    expect(result.prepared.train.count).toBe(4);
    expect(result.prepared.validation).toBeNull();
    expect(result.trainer.layers.map((l) => [l.units, l.inputs])).toEqual([
      [4, 2],
      [1, 4],
    ]);
    expect(result.trainer.epoch).toBe(0);
    expect(result.trainer.epochs).toBe(20);
    expect(result.spec).toBe(result.parse.spec);
  });

  it('options.epochs overrides the spec’s epochs (and leaves the parse alone)', () => {
    const result = loadProject(XOR, 'xor.nnspec', { assetsDir, epochs: 3 });
    if (!result.ok) throw new Error(result.message);
    expect(result.trainer.epochs).toBe(3);
    expect(result.spec.epochs).toBe(3);
    expect(result.parse.spec.epochs).toBe(20);
  });

  it('splits off the validation part and normalises with the spec’s seed', () => {
    const text = 'input 2\ndense 1 sigmoid\nloss bce\ndata circle n=50\nvalidation 0.2\nnormalize zscore\nseed 9\n';
    const result = loadProject(text, 'c.nnspec', { assetsDir });
    if (!result.ok) throw new Error(result.message);
    expect(result.prepared.train.count).toBe(40);
    expect(result.prepared.validation?.count).toBe(10);
    expect(result.prepared.normalizer.kind).toBe('zscore');
    expect(result.trainer.trainCount).toBe(40);
  });

  it('stops at parse errors: every one returned, no data loaded', () => {
    const text = 'input 2\ndense 4 sigmod\nloss mse2\ndata "does-not-exist.csv"\n';
    const result = expectFailed(loadProject(text, path.join(dir, 'e.nnspec'), { assetsDir }));
    expect(result.diagnostics.map((d) => d.code)).toEqual(['unknown-activation', 'unknown-loss']);
    expect(result.message).toBe('2 errors in the spec');
    expect(result.parse?.statements.length).toBe(4);
  });

  it('a data error becomes an error diagnostic on the data statement naming the file and row:column', () => {
    fs.writeFileSync(path.join(dir, 'cells.csv'), 'a,b,label\n1,2,0\n4,five,1\n');
    const text = '# cells\ninput 2\ndense 1 sigmoid\n\ndata "cells.csv"\n';
    const result = expectFailed(loadProject(text, path.join(dir, 'cells.nnspec'), { assetsDir }));
    expect(result.diagnostics).toHaveLength(1);
    const [d] = result.diagnostics;
    expect(d).toMatchObject({ severity: 'error', code: 'data-error' });
    expect(d.range.start).toEqual({ line: 4, character: 0 });
    expect(d.message).toMatch(/^cells\.csv:3:2: 'five' is not a number/);
    expect(result.message).toContain('the data cannot be loaded: cells.csv:3:2');
  });

  it('resolves data files against the spec’s folder, not the working directory', () => {
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, 'pts.csv'), 'x,y\n0,0\n1,1\n2,4\n');
    const result = loadProject('input 1\ndense 1 identity\ndata "pts.csv"\n', path.join(sub, 'pts.nnspec'), { assetsDir });
    if (!result.ok) throw new Error(result.message);
    expect(result.dataset.count).toBe(3);
  });

  it('reports a network that does not fit its data (checkAgainstData), at the input line', () => {
    const result = expectFailed(loadProject('input 3\ndense 1 sigmoid\ndata xor\n', 'w.nnspec', { assetsDir }));
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics[0].severity).toBe('error');
    expect(result.diagnostics[0].range.start.line).toBe(0);
    expect(result.message).toMatch(/does not fit the data/);
  });

  it('passes maxParameters to the parser', () => {
    const result = expectFailed(loadProject(XOR, 'x.nnspec', { assetsDir, maxParameters: 10 }));
    expect(result.diagnostics.some((d) => d.severity === 'error' && /17/.test(d.message))).toBe(true);
  });

  it('keeps warnings when it succeeds', () => {
    const text = 'input 2\ndense 2 softmax\nloss mse\nbatch 4\ndata xor\n';
    const result = loadProject(text, 'warn.nnspec', { assetsDir });
    // softmax with mse is legal but odd: a warning, and the project still loads.
    if (!result.ok) throw new Error(result.message + JSON.stringify(result.diagnostics));
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
  });

  it('never throws, whatever the text', () => {
    const samples = ['', '\u0000\u0001', 'data', 'input 1e999\ndense 1 relu\ndata xor', 'input 2\ndense 1 sigmoid\ndata inline\n1 2 -> \nend'];
    for (let i = 0; i < 200; i++) {
      const words = ['input', 'dense', '2', 'tanh', 'data', 'xor', 'inline', '->', 'end', '"x.csv"', 'loss', 'cce', 'softmax', '\n', '=', 'n=3'];
      let text = '';
      for (let j = 0; j < 30; j++) text += words[(i * 7 + j * 13 + ((i * j) % 5)) % words.length] + (j % 3 === 0 ? '\n' : ' ');
      samples.push(text);
    }
    for (const text of samples) {
      const result = loadProject(text, path.join(dir, 'fuzz.nnspec'), { assetsDir });
      // Failures are the spec's or the data's, never a crash inside the parser, loaders or engine.
      if (!result.ok) expect(result.message).not.toMatch(/^internal error/);
    }
  });
});

describe('defaultAssetsDir', () => {
  it('finds the package’s media/ folder from the sources', () => {
    expect(assetsDir).toBe(path.resolve(__dirname, '../../media'));
    expect(fs.existsSync(path.join(assetsDir, 'data', 'MNIST-LICENSE.txt'))).toBe(true);
  });
});

describe('describeDataError', () => {
  it('adds file:row:col when the loader’s message does not name the file', () => {
    const error = new DataError("'x' is not a number", { file: path.join(dir, 'a.csv'), row: 4, column: 2 });
    expect(describeDataError(error, dir)).toBe("a.csv:4:2: 'x' is not a number");
  });
  it('does not repeat a place the message already gives', () => {
    const error = new DataError("a.csv:4:2: 'x' is not a number", { file: path.join(dir, 'a.csv'), row: 4, column: 2 });
    expect(describeDataError(error, dir)).toBe("a.csv:4:2: 'x' is not a number");
  });
  it('leaves messages without a file as they are', () => {
    expect(describeDataError(new DataError("'data inline' has no rows"), dir)).toBe("'data inline' has no rows");
  });
});
