/**
 * `data inline` … `end`: rows `x1 x2 … -> y1 y2 …` written in the spec itself.
 * One output holding only 0/1 → 'binary'; several outputs with one-hot rows → 'classification'
 * (classNames '0'..'K−1'); anything else → 'regression'.
 */
import type { InlineRow } from '../spec';
import { indexNames, inferTask } from './targets';
import { DataError, type Dataset } from './types';

export function loadInline(spec: { rows: InlineRow[] }): Dataset {
  const { rows } = spec;
  if (rows.length === 0) throw new DataError(`'data inline' has no rows: write rows like '0 1 -> 1' before 'end'`);
  const where = (row: InlineRow, column?: number): { row: number; column: number } => ({
    row: row.range.start.line + 1,
    column: column ?? row.range.start.character + 1,
  });
  const inputSize = rows[0].x.length;
  const outputSize = rows[0].y.length;
  if (inputSize === 0 || outputSize === 0) {
    throw new DataError(`inline row 1 needs inputs and outputs: 'x1 x2 … -> y1 …'`, where(rows[0]));
  }
  const inputs = new Float32Array(rows.length * inputSize);
  const targets = new Float32Array(rows.length * outputSize);
  rows.forEach((row, i) => {
    if (row.x.length !== inputSize || row.y.length !== outputSize) {
      throw new DataError(
        `inline row ${i + 1} has ${row.x.length} input${row.x.length === 1 ? '' : 's'} -> ${row.y.length} output${row.y.length === 1 ? '' : 's'}, but row 1 has ${inputSize} -> ${outputSize}`,
        where(row),
      );
    }
    const bad = [...row.x, ...row.y].findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new DataError(`inline row ${i + 1}: value ${bad + 1} is not a finite number`, where(row));
    inputs.set(row.x, i * inputSize);
    targets.set(row.y, i * outputSize);
  });
  const task = inferTask(targets, outputSize);
  return {
    name: 'inline',
    count: rows.length,
    inputSize,
    outputSize,
    inputs,
    targets,
    task,
    ...(task === 'classification' ? { classNames: indexNames(outputSize) } : task === 'binary' ? { classNames: ['0', '1'] } : {}),
  };
}
