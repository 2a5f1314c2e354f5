import { describe, expect, it } from 'vitest';
import { loadDataset, type Dataset } from '../../src/core/data/index';
import type { InlineRow } from '../../src/core/spec';
import { dataError } from '../fixtures/data/helpers';

/** Rows as a spec's `data inline` block would hold them, starting on (zero-based) line 10. */
const inlineRows = (rows: [number[], number[]][]): InlineRow[] =>
  rows.map(([x, y], i) => ({ x, y, range: { start: { line: 10 + i, character: 2 }, end: { line: 10 + i, character: 12 } } }));
const inline = (rows: [number[], number[]][]): Dataset =>
  loadDataset(
    { kind: 'inline', rows: inlineRows(rows), range: { start: { line: 9, character: 0 }, end: { line: 20, character: 3 } } },
    { baseDir: '/nowhere', assetsDir: '/nowhere', seed: 1 },
  );

describe('inline data', () => {
  it('one 0/1 output is a binary task', () => {
    const d = inline([
      [[0, 0], [0]],
      [[0, 1], [1]],
      [[1, 0], [1]],
      [[1, 1], [0]],
    ]);
    expect(d).toMatchObject({ name: 'inline', count: 4, inputSize: 2, outputSize: 1, task: 'binary' });
    expect(Array.from(d.inputs)).toEqual([0, 0, 0, 1, 1, 0, 1, 1]);
    expect(Array.from(d.targets)).toEqual([0, 1, 1, 0]);
  });

  it('one-hot rows over several outputs are a classification', () => {
    const d = inline([
      [[0.5], [1, 0, 0]],
      [[1.5], [0, 0, 1]],
    ]);
    expect(d).toMatchObject({ outputSize: 3, task: 'classification', classNames: ['0', '1', '2'] });
    expect(Array.from(d.targets)).toEqual([1, 0, 0, 0, 0, 1]);
  });

  it('anything else is a regression (the seed example: one weight, a = wx)', () => {
    const d = inline([
      [[1.5], [0.5]],
      [[6], [2.1]],
    ]);
    expect(d).toMatchObject({ count: 2, inputSize: 1, outputSize: 1, task: 'regression' });
    expect(Array.from(d.targets)).toEqual([0.5, 2.1].map(Math.fround));
    expect(inline([[[1], [1, 1]]]).task).toBe('regression');
  });

  it('no rows, or rows of different widths, say which row and where it is in the spec', () => {
    expect(dataError(() => inline([])).message).toBe("'data inline' has no rows: write rows like '0 1 -> 1' before 'end'");
    const error = dataError(() =>
      inline([
        [[0, 0], [0]],
        [[0, 1], [1]],
        [[1], [1]],
      ]),
    );
    expect(error.message).toBe('inline row 3 has 1 input -> 1 output, but row 1 has 2 -> 1');
    expect(error.where).toEqual({ row: 13, column: 3 });
    expect(dataError(() => inline([[[], [1]]])).message).toBe("inline row 1 needs inputs and outputs: 'x1 x2 … -> y1 …'");
    expect(dataError(() => inline([[[1, Number.NaN], [1]]])).message).toBe('inline row 1: value 2 is not a finite number');
  });
});
