import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset, type DataContext, type Dataset } from '../../src/core/data/index';
import { context, dataError, tempFolder, writeFixture } from '../fixtures/data/helpers';

const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } };
const dir = tempFolder();

/** Writes `text` to dir/name and loads it as `data "name" label=… header=…`. */
function csv(name: string, text: string | Uint8Array, options: { label?: string; header?: boolean } = {}, extra: Partial<DataContext> = {}): Dataset {
  writeFixture(dir, name, text);
  return load(name, options, extra);
}
function load(path: string, options: { label?: string; header?: boolean } = {}, extra: Partial<DataContext> = {}): Dataset {
  return loadDataset({ kind: 'csv', path, label: options.label ?? 'last', header: options.header, range }, context(dir, extra));
}
const rows = (data: Float32Array, width: number): number[][] =>
  Array.from({ length: data.length / width }, (_, i) => Array.from(data.subarray(i * width, (i + 1) * width)));

const IRIS = `sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,setosa
7.0,3.2,4.7,1.4,versicolor
6.3,3.3,6.0,2.5,virginica
4.9,3.0,1.4,0.2,setosa
`;

describe('CSV: well-formed files', () => {
  it('detects the header, reads inputs, and turns text labels into one-hot classes in order of appearance', () => {
    const d = csv('iris.csv', IRIS);
    expect(d).toMatchObject({ name: 'iris.csv', count: 4, inputSize: 4, outputSize: 3, task: 'classification' });
    expect(d.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(rows(d.inputs, 4)[1]).toEqual([7, 3.2, 4.7, 1.4].map(Math.fround));
    expect(rows(d.targets, 3)).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ]);
  });

  it('reads the first row as data when it is all numbers, even with text labels', () => {
    const d = csv('iris-noheader.csv', IRIS.split('\n').slice(1).join('\n'));
    expect(d.count).toBe(4);
    expect(d.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
  });

  it('label=first and label=NAME (case-insensitive) pick the label column; the rest are inputs in order', () => {
    const text = 'y,a,b\n1,10,20\n0,30,40\n';
    const first = csv('first.csv', text, { label: 'first' });
    expect(first).toMatchObject({ inputSize: 2, outputSize: 1, task: 'binary' });
    expect(rows(first.inputs, 2)).toEqual([
      [10, 20],
      [30, 40],
    ]);
    expect(Array.from(first.targets)).toEqual([1, 0]);
    const named = csv('named.csv', text, { label: 'A' });
    expect(rows(named.inputs, 2)).toEqual([
      [1, 20],
      [0, 40],
    ]);
    expect(named.task).toBe('regression');
    expect(Array.from(named.targets)).toEqual([10, 30]);
  });

  it('integer labels become one-hot classes when the network has K > 1 outputs', () => {
    const d = csv('ints.csv', '0.5,0.25,2\n1,1,0\n0,0,1\n', {}, { outputSize: 3 });
    expect(d).toMatchObject({ count: 3, inputSize: 2, outputSize: 3, task: 'classification', classNames: ['0', '1', '2'] });
    expect(rows(d.targets, 3)).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it('one numeric label column: binary when all 0/1, else regression', () => {
    expect(csv('bin.csv', '1,2,0\n3,4,1\n', {}, { outputSize: 1 }).task).toBe('binary');
    const r = csv('reg.csv', 'x,y\n1,0.5\n2,1.5\n3,-2e-1\n');
    expect(r).toMatchObject({ task: 'regression', outputSize: 1, inputSize: 1, count: 3 });
    expect(Array.from(r.targets)).toEqual([0.5, 1.5, -0.2].map(Math.fround));
  });

  it('two text classes and a single-output network give a binary 0/1 target', () => {
    const d = csv('yesno.csv', 'a,b,answer\n1,2,no\n3,4,yes\n5,6,no\n', {}, { outputSize: 1 });
    expect(d).toMatchObject({ task: 'binary', outputSize: 1, classNames: ['no', 'yes'] });
    expect(Array.from(d.targets)).toEqual([0, 1, 0]);
  });

  it('detects ; and tab delimiters', () => {
    expect(rows(csv('semi.csv', 'a;b;c\n1;2;0\n3;4;1\n').inputs, 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(rows(csv('tabs.tsv', 'a\tb\tc\n1\t2\t0\n3\t4\t1\n').inputs, 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('accepts decimal commas in files separated by ; or tabs, and a tie of , and ; goes to ;', () => {
    const d = csv('euro.csv', '1,5;2,25;0\n-0,5;3;1\n');
    expect(rows(d.inputs, 2)).toEqual([
      [1.5, 2.25],
      [-0.5, 3],
    ]);
    expect(Array.from(d.targets)).toEqual([0, 1]);
    expect(rows(csv('euro-tabs.csv', 'a\tb\n0,5\t1,5\n').inputs, 1)).toEqual([[0.5]]);
    expect(dataError(() => csv('euro-bad.csv', 'a;b;c\n1,2,3;4;0\n')).message).toBe("euro-bad.csv:2:1: '1,2,3' is not a number (column 'a')");
  });

  it('reads quoted fields with delimiters, doubled quotes and line breaks, keeping file line numbers right', () => {
    const text = 'x,y,"class, kind"\n1,2,"a ""big"" one"\n3,4,"two\nlines"\n5,6,a "big" one\n7,oops,x\n';
    const error = dataError(() => csv('quoted.csv', text));
    expect(error.message).toBe("quoted.csv:6:2: 'oops' is not a number (column 'y')");
    const d = csv('quoted-ok.csv', text.replace('7,oops,x\n', ''), { label: 'class, kind' });
    expect(d.classNames).toEqual(['a "big" one', 'two\nlines']);
    expect(Array.from(d.targets)).toEqual([1, 0, 0, 1, 1, 0]);
  });

  it('ignores empty lines, trims cells, accepts CRLF and a byte-order mark', () => {
    const d = csv('messy.csv', '\uFEFFa, b ,c\r\n\r\n 1 , 2 ,0\r\n   \r\n3,4,1\r\n\r\n');
    expect(d.count).toBe(2);
    expect(rows(d.inputs, 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    const error = dataError(() => csv('messy-bad.csv', 'a,b,c\r\n\r\n1,2,0\r\n\r\n3,x,1\r\n'));
    expect(error.message).toBe("messy-bad.csv:5:2: 'x' is not a number (column 'b')");
  });

  it('header=true and header=false override the detection', () => {
    expect(csv('forced.csv', '1,2,0\n3,4,1\n', { header: true }).count).toBe(1);
    const error = dataError(() => csv('noheader.csv', 'a,b,c\n1,2,0\n', { header: false }));
    expect(error.message).toBe("noheader.csv:1:1: 'a' is not a number (column 1)");
  });

  it('resolves the path against the spec folder, and takes absolute paths as they are', () => {
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFixture(join(dir, 'sub'), 'inner.csv', '1,2,0\n3,4,1\n');
    expect(load('sub/inner.csv').count).toBe(2);
    expect(load(join(dir, 'sub', 'inner.csv')).name).toBe('inner.csv');
  });
});

describe('CSV: errors say what and where', () => {
  it('missing file: names the file as written and the resolved path', () => {
    const error = dataError(() => load('nope/iris.csv'));
    expect(error.message).toBe(`CSV file 'nope/iris.csv' not found (looked for ${join(dir, 'nope', 'iris.csv')})`);
    expect(error.where.file).toBe(join(dir, 'nope', 'iris.csv'));
  });

  it('a folder instead of a file', () => {
    mkdirSync(join(dir, 'folder.csv'), { recursive: true });
    expect(dataError(() => load('folder.csv')).message).toContain("CSV file 'folder.csv' is not a file");
  });

  it('empty file, blank file, header only', () => {
    expect(dataError(() => csv('empty.csv', '')).message).toBe('empty.csv: the file is empty');
    expect(dataError(() => csv('blank.csv', '\n  \n\n')).message).toBe('blank.csv: the file is empty');
    const headerOnly = dataError(() => csv('header.csv', 'a,b,label\n\n'));
    expect(headerOnly.message).toBe('header.csv: the file has a header row but no data rows');
    expect(headerOnly.where.file).toBe(join(dir, 'header.csv'));
  });

  it('a bad cell: file:row:column, the cell, and the column', () => {
    const error = dataError(() => csv('iris-bad.csv', IRIS.replace('7.0,3.2,4.7', '7.0,3.2,abc')));
    expect(error.message).toBe("iris-bad.csv:3:3: 'abc' is not a number (column 'petal_length')");
    expect(error.where).toEqual({ file: join(dir, 'iris-bad.csv'), row: 3, column: 3 });
  });

  it('an empty cell and an empty label', () => {
    expect(dataError(() => csv('hole.csv', 'a,b,c\n1,,0\n')).message).toBe("hole.csv:2:2: empty cell (column 'b' needs a number)");
    expect(dataError(() => csv('nolabel.csv', 'a,b,c\n1,2,\n')).message).toBe("nolabel.csv:2:3: the label (column 'c') is empty");
  });

  it('numbers must be plain decimals: no hex, no Infinity, no NaN', () => {
    expect(dataError(() => csv('hex.csv', 'a,b,c\n1,2,0\n0x10,1,0\n')).message).toBe("hex.csv:3:1: '0x10' is not a number (column 'a')");
    expect(dataError(() => csv('inf.csv', 'a,b,c\n1,Infinity,0\n')).message).toBe("inf.csv:2:2: 'Infinity' is not a number (column 'b')");
    expect(dataError(() => csv('nan.csv', 'a,b,c\n1,2,0\nNaN,2,1\n')).message).toBe("nan.csv:3:1: 'NaN' is not a number (column 'a')");
    expect(dataError(() => csv('huge.csv', 'a,b,c\n1,1e39,0\n')).message).toBe("huge.csv:2:2: 1e39 is too large for 32-bit floats (column 'b')");
  });

  it('ragged rows name the row and the expected field count', () => {
    const error = dataError(() => csv('ragged.csv', 'a,b,c\n1,2,0\n3,4\n'));
    expect(error.message).toBe('ragged.csv:3: 2 fields, expected 3 like line 1');
    expect(error.where).toMatchObject({ row: 3 });
    expect(error.where.column).toBeUndefined();
    expect(dataError(() => csv('long.csv', '1,2,0\n\n3,4,1,9\n')).message).toBe('long.csv:3: 4 fields, expected 3 like line 1');
  });

  it('an unknown label name lists the columns there are', () => {
    const error = dataError(() => csv('iris-label.csv', IRIS, { label: 'specie' }));
    expect(error.message).toBe(
      "iris-label.csv: no column named 'specie'; the columns are: 'sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'",
    );
  });

  it('a label name without a header row', () => {
    expect(dataError(() => csv('plain.csv', '1,2,0\n3,4,1\n', { label: 'y' })).message).toBe(
      'plain.csv: label=y names a column, but the file has no header row; use label=first or label=last, or add a header',
    );
  });

  it('class indices outside 0..K−1 for a K-output network', () => {
    const error = dataError(() => csv('digits.csv', 'a,b,digit\n1,2,3\n1,2,10\n', {}, { outputSize: 10 }));
    expect(error.message).toBe("digits.csv:3:3: label 10 is not a class index from 0 to 9 (the network has 10 outputs)");
    expect(dataError(() => csv('frac.csv', '1,2,0.5\n', {}, { outputSize: 2 })).message).toContain('frac.csv:1:3: label 0.5 is not a class index');
  });

  it('an unclosed quote names where the field starts', () => {
    const error = dataError(() => csv('quote.csv', 'a,b,c\n1,2,0\n3,"4,1\n5,6,0\n'));
    expect(error.message).toBe(`quote.csv:3:2: a quoted field is not closed (missing '"')`);
    expect(error.where).toEqual({ file: join(dir, 'quote.csv'), row: 3, column: 2 });
  });

  it('a binary file read as CSV gives a short, readable message', () => {
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256);
    const error = dataError(() => csv('binary.csv', bytes));
    expect(error.message).toMatch(/^binary\.csv(:\d+(:\d+)?)?: /);
    expect(error.message.length).toBeLessThan(200);
    expect(error.message).not.toMatch(/[\u0000-\u0008\u000e-\u001f]/);
    const long = dataError(() => csv('longcell.csv', `a,b\n1,0\n${'x'.repeat(100)},1\n`));
    expect(long.message).toBe(`longcell.csv:3:1: '${'x'.repeat(40)}…' is not a number (column 'a')`);
  });

  it('a single column, and a label column with one class only', () => {
    expect(dataError(() => csv('one.csv', '1\n2\n')).message).toBe(
      "one.csv:1: found 1 column; a data file needs at least 2 (inputs, then a label) — columns are separated by ',', ';' or tabs",
    );
    expect(dataError(() => csv('same.csv', 'a,kind\n1,cat\n2,cat\n')).message).toBe(
      "same.csv:2:2: label column 'kind' holds one class only ('cat'): there is nothing to tell apart",
    );
  });
});
