/**
 * CSV data: `data "iris.csv" [label=last|first|NAME] [header=true|false]`.
 *
 * - Delimiter: `,`, `;` or tab, whichever the first non-empty line holds most of (on a tie, `;`
 *   before `,`: "1,5;2,5" is two numbers with decimal commas). Numbers are written with `.`; in a
 *   file separated by `;` or tabs a decimal comma is accepted too ("1,5" = 1.5).
 * - Quoted fields ("…", with "" for a quote inside) may hold delimiters and line breaks.
 * - Header: when `header` is not given, the first row is a header if it has a non-numeric cell
 *   in a column whose next row is numeric (or if no cell of it is a number).
 * - Empty lines are ignored; cells are trimmed; every row must have as many fields as the first.
 * - One label column (v1): `last` (default), `first`, or a header name. Every other column is an input.
 * - Labels: text (e.g. "setosa") → classes in order of first appearance, one-hot (two text classes
 *   and a network with one output → binary 0/1 instead); numbers with a network of K > 1 outputs →
 *   class indices 0..K−1, one-hot; otherwise one numeric output: 'binary' when every label is 0 or 1,
 *   else 'regression'.
 *
 * Errors name the file as the spec wrote it, the 1-based line of the file and the 1-based field:
 * "iris.csv:14:3: 'abc' is not a number".
 */
import { basename } from 'node:path';
import { budgetBytes, overBudget, RAISE_BUDGET } from '../budget';
import { dataFileSize, readDataFile, resolveDataFile, type DataFile } from './files';
import { classTargets, indexNames } from './targets';
import { DataError, type DataContext, type Dataset } from './types';

export interface CsvRecord {
  fields: string[];
  /** 1-based line of the file where the record starts. */
  line: number;
}

const FLOAT32_MAX = 3.4028234663852886e38;
/** Larger files than this are refused (before they are read) rather than failing inside the string decoder. */
export const MAX_CSV_BYTES = 400e6;
/**
 * Bytes loading a CSV file holds at its peak, per byte of the file: the file's bytes, its text
 * (one byte a character for Latin-1 text, the usual case), the parsed numbers (a cell of n
 * characters and its delimiter become one 4-byte float, grown by doubling) and, per row, the
 * label's string, its line and its parsed value. Short rows cost most: a 100 MB file of 5,000,000
 * rows "0.123456,0.654321,1" took the loader from 41 to 566 MB of RSS (5.25 × the file; the prepared
 * copy and the trainer come on top, and the project counts them separately).
 * An estimate, checked against the budget before the file is read.
 */
export const CSV_BYTES_PER_FILE_BYTE = 6;

/** A cell for a message: quoted, at most 40 characters, control characters shown as '?'. */
export function quoteCell(cell: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = cell.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?');
  return `'${clean.length > 40 ? `${clean.slice(0, 40)}…` : clean}'`;
}

/**
 * The cell as a number, or undefined when it is not written as a finite decimal number:
 * [+-] digits [. digits] [e [+-] digits], or [+-] . digits [e …] (so no hex, no Infinity, no NaN).
 */
export function parseNumber(cell: string): number | undefined {
  const n = cell.length;
  let i = 0;
  let c = n > 0 ? cell.charCodeAt(0) : 0;
  if (c === 43 || c === 45) i++; // + -
  let digits = 0;
  while (i < n && (c = cell.charCodeAt(i)) >= 48 && c <= 57) i++, digits++;
  if (i < n && cell.charCodeAt(i) === 46) {
    i++; // .
    while (i < n && (c = cell.charCodeAt(i)) >= 48 && c <= 57) i++, digits++;
  }
  if (digits === 0) return undefined;
  if (i < n && ((c = cell.charCodeAt(i)) === 101 || c === 69)) {
    i++; // e E
    if (i < n && ((c = cell.charCodeAt(i)) === 43 || c === 45)) i++;
    let exponent = 0;
    while (i < n && (c = cell.charCodeAt(i)) >= 48 && c <= 57) i++, exponent++;
    if (exponent === 0) return undefined;
  }
  if (i !== n) return undefined;
  const value = Number(cell);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * A parser for the file's cells: parseNumber, and with ';' or tab as delimiter also numbers
 * with one decimal comma ("1,5" = 1.5).
 */
export function numberParser(delimiter: string): (cell: string) => number | undefined {
  if (delimiter === ',') return parseNumber;
  return (cell) => {
    const value = parseNumber(cell);
    if (value !== undefined) return value;
    const comma = cell.indexOf(',');
    return comma >= 0 && cell.indexOf(',', comma + 1) < 0 && cell.indexOf('.') < 0 ? parseNumber(cell.replace(',', '.')) : undefined;
  };
}

/** The delimiter the first non-empty line holds most of, outside quotes: ',' (default), ';' or '\t'. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  let seenContent = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) {
      if (seenContent) break;
    } else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
    if (c.trim() !== '') seenContent = true;
  }
  let best = ',';
  for (const [delimiter, count] of counts) {
    if (count > counts.get(best)! || (delimiter === ';' && count > 0 && count === counts.get(','))) best = delimiter;
  }
  return best;
}

/**
 * Splits CSV text into records (RFC 4180 quoting; \n, \r\n or \r line ends), skipping empty lines.
 * Cells are trimmed. `name` is used in errors (an unclosed quote).
 */
export function* csvRecords(text: string, delimiter: string, name: string): Generator<CsvRecord> {
  const length = text.length;
  const stop = delimiter.charCodeAt(0);
  let i = 0;
  let line = 1;
  while (i < length) {
    const startLine = line;
    const fields: string[] = [];
    let anyQuoted = false;
    // One record: fields until an unquoted line end or the end of the text.
    for (;;) {
      let field = '';
      // Leading blanks before an opening quote are allowed.
      let j = i;
      while (j < length && (text[j] === ' ' || (text[j] === '\t' && delimiter !== '\t'))) j++;
      if (j < length && text[j] === '"') {
        anyQuoted = true;
        const quoteLine = line;
        i = j + 1;
        for (;;) {
          if (i >= length) {
            throw new DataError(`${name}:${quoteLine}:${fields.length + 1}: a quoted field is not closed (missing '"')`, {
              row: quoteLine,
              column: fields.length + 1,
            });
          }
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
          field += c;
          i++;
        }
        // Anything between the closing quote and the delimiter is kept as written.
        const rest = i;
        while (i < length && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') i++;
        field += text.slice(rest, i);
      } else {
        const start = i;
        for (let c = text.charCodeAt(i); i < length && c !== stop && c !== 10 && c !== 13; c = text.charCodeAt(++i));
        field = text.slice(start, i);
      }
      fields.push(field.trim());
      if (i < length && text[i] === delimiter) {
        i++;
        continue;
      }
      // End of line or of text.
      if (i < length && text[i] === '\r') i++;
      if (i < length && text[i] === '\n') i++;
      line++;
      break;
    }
    if (fields.length === 1 && fields[0] === '' && !anyQuoted) continue;
    yield { fields, line: startLine };
  }
}

/** Loads a CSV data statement (see the module comment). Throws DataError. */
export function loadCsv(spec: { path: string; label: string; header?: boolean }, ctx: DataContext): Dataset {
  const file = resolveDataFile(spec.path, ctx.baseDir);
  const at = (row?: number, column?: number): { file: string; row?: number; column?: number } => ({ file: file.path, row, column });
  const fail = (message: string, row?: number, column?: number): never => {
    const place = row === undefined ? '' : column === undefined ? `:${row}` : `:${row}:${column}`;
    throw new DataError(`${file.written}${place}: ${message}`, at(row, column));
  };
  // Sizes first, from the file system: nothing is read of a file that cannot be loaded.
  const size = dataFileSize(file, 'CSV file');
  if (size > MAX_CSV_BYTES) {
    fail(`${(size / 1e6).toFixed(0)} MB is more than a CSV file can be here (${MAX_CSV_BYTES / 1e6} MB); for images use IDX files`);
  }
  const over = overBudget([{ what: `the file's bytes, its text and the parsed values: about ${CSV_BYTES_PER_FILE_BYTE} × ${(size / 1e6).toPrecision(3)} MB`, bytes: CSV_BYTES_PER_FILE_BYTE * size }], ctx.memoryBudget ?? budgetBytes());
  if (over) fail(`loading this file ${over}; ${RAISE_BUDGET}`);
  const bytes = readDataFile(file, 'CSV file');
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') fail('the file is empty');

  const delimiter = detectDelimiter(text);
  const records = withFile(csvRecords(text, delimiter, file.written), file);
  const first = records.next();
  if (first.done) return fail('the file is empty');
  const second = records.next();
  const firstRecord = first.value;
  const secondRecord = second.done ? undefined : second.value;
  const toNumber = numberParser(delimiter);
  const header = spec.header ?? looksLikeHeader(firstRecord.fields, secondRecord?.fields, toNumber);
  const names = header ? firstRecord.fields : undefined;
  const columns = firstRecord.fields.length;
  if (columns < 2) {
    fail(
      `found 1 column; a data file needs at least 2 (inputs, then a label)` +
        (delimiter === ',' ? ` — columns are separated by ',', ';' or tabs` : ''),
      firstRecord.line,
    );
  }
  const labelColumn = findLabelColumn(spec.label, names, columns, (message) => fail(message));
  const columnName = (c: number): string => (names ? `'${names[c]}'` : `${c + 1}`);

  const inputSize = columns - 1;
  let inputs = new Float32Array(inputSize * 256);
  const labels: string[] = [];
  const labelLines: number[] = [];
  let count = 0;
  const shapeLine = firstRecord.line;
  const take = ({ fields, line }: CsvRecord): void => {
    if (fields.length !== columns) {
      fail(`${fields.length} field${fields.length === 1 ? '' : 's'}, expected ${columns} like line ${shapeLine}`, line);
    }
    if ((count + 1) * inputSize > inputs.length) {
      const grown = new Float32Array(inputs.length * 2);
      grown.set(inputs);
      inputs = grown;
    }
    let k = count * inputSize;
    for (let c = 0; c < columns; c++) {
      const cell = fields[c];
      if (c === labelColumn) {
        if (cell === '') fail(`the label (column ${columnName(c)}) is empty`, line, c + 1);
        labels.push(cell);
        labelLines.push(line);
        continue;
      }
      if (cell === '') fail(`empty cell (column ${columnName(c)} needs a number)`, line, c + 1);
      const value = toNumber(cell);
      if (value === undefined) fail(`${quoteCell(cell)} is not a number (column ${columnName(c)})`, line, c + 1);
      else if (Math.abs(value) > FLOAT32_MAX) fail(`${cell} is too large for 32-bit floats (column ${columnName(c)})`, line, c + 1);
      else inputs[k++] = value;
    }
    count++;
  };
  if (!header) take(firstRecord);
  if (secondRecord) take(secondRecord);
  for (const record of records) take(record);
  if (count === 0) fail(`the file has a header row but no data rows`);
  inputs = inputs.slice(0, count * inputSize);

  const labelName = names ? `label column '${names[labelColumn]}'` : `the label column (${labelColumn + 1})`;
  const labelled = labelTargets(labels, ctx.outputSize, labelName, (message, i) => fail(message, labelLines[i], labelColumn + 1), toNumber);
  return { name: basename(file.written), count, inputSize, inputs, ...labelled };
}

/** Re-labels DataErrors from the record parser with the resolved file. */
function* withFile(records: Generator<CsvRecord>, file: DataFile): Generator<CsvRecord> {
  try {
    yield* records;
  } catch (error) {
    if (error instanceof DataError) throw new DataError(error.message, { ...error.where, file: file.path });
    throw error;
  }
}

/**
 * A first row is a header when one of its cells is not a number while the row below has a number
 * in that column, or when none of its cells is a number.
 */
export function looksLikeHeader(first: string[], next: string[] | undefined, toNumber = parseNumber): boolean {
  const nonNumeric = first.map((cell) => toNumber(cell) === undefined);
  if (nonNumeric.every(Boolean)) return true;
  if (!next) return nonNumeric.some(Boolean);
  return nonNumeric.some((isText, c) => isText && c < next.length && toNumber(next[c]) !== undefined);
}

function findLabelColumn(label: string, names: string[] | undefined, columns: number, fail: (message: string) => never): number {
  if (label === 'last') return columns - 1;
  if (label === 'first') return 0;
  if (!names) {
    return fail(`label=${label} names a column, but the file has no header row; use label=first or label=last, or add a header`);
  }
  const exact = names.indexOf(label);
  if (exact >= 0) return exact;
  const folded = names.findIndex((name) => name.toLowerCase() === label.toLowerCase());
  if (folded >= 0) return folded;
  return fail(`no column named '${label}'; the columns are: ${names.map((name) => `'${name}'`).join(', ')}`);
}

/**
 * Targets from label cells (see the module comment for the rules). `fail(message, i)` reports
 * a bad label at sample i.
 */
export function labelTargets(
  labels: string[],
  outputSize: number | undefined,
  labelName: string,
  fail: (message: string, i: number) => never,
  toNumber = parseNumber,
): Pick<Dataset, 'outputSize' | 'targets' | 'task' | 'classNames'> {
  const values = labels.map(toNumber);
  const numeric = values.every((v) => v !== undefined);
  if (!numeric) {
    const classNames: string[] = [];
    const index = new Map<string, number>();
    const classes = labels.map((label) => {
      let c = index.get(label);
      if (c === undefined) {
        c = classNames.length;
        index.set(label, c);
        classNames.push(label);
      }
      return c;
    });
    if (classNames.length < 2) {
      return fail(`${labelName} holds one class only (${quoteCell(classNames[0])}): there is nothing to tell apart`, 0);
    }
    const width = classNames.length === 2 && outputSize === 1 ? 1 : classNames.length;
    return {
      outputSize: width,
      targets: classTargets(classes, width),
      task: width === 1 ? 'binary' : 'classification',
      classNames,
    };
  }
  const numbers = values as number[];
  if (outputSize !== undefined && outputSize > 1) {
    numbers.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 0 || v >= outputSize) {
        fail(`label ${labels[i]} is not a class index from 0 to ${outputSize - 1} (the network has ${outputSize} outputs)`, i);
      }
    });
    return {
      outputSize,
      targets: classTargets(numbers, outputSize),
      task: 'classification',
      classNames: indexNames(outputSize),
    };
  }
  const binary = numbers.every((v) => v === 0 || v === 1);
  return {
    outputSize: 1,
    targets: Float32Array.from(numbers),
    task: binary ? 'binary' : 'regression',
    ...(binary ? { classNames: ['0', '1'] } : {}),
  };
}
