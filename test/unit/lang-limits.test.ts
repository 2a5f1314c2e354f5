/**
 * The parser on large and hostile input: linear time (a watchdog in a child process, since a
 * backtracking regular expression cannot be interrupted in-process), the number syntax against
 * the regular expression it replaced, the layer and statement ceilings, the diagnostics cap,
 * long tokens shortened in messages.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/core/lang/parser';
import { isNumberText, parseNumber, scanNumber } from '../../src/core/lang/numbers';
import { MAX_DIAGNOSTICS, MAX_STATEMENTS } from '../../src/core/lang/diagnostics';
import { DEFAULTS } from '../../src/core/lang/vocabulary';
import { ROOT, ensureBuilt } from './cli-support';

const HEAD = 'input 2\ndense 1 sigmoid\ndata xor\n';

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnspec-limits-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `nnspec check FILE` in a child process killed after `seconds` (generous: the old parser took hours on these). */
function checkWithWatchdog(name: string, text: string, seconds: number): { code: number | null; stdout: string; stderr: string; killed: boolean } {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  const result = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'check', file], { encoding: 'utf8', timeout: seconds * 1000, maxBuffer: 64 << 20 });
  fs.rmSync(file);
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', killed: result.signal !== null };
}

describe('linear time on long runs of digits (issue 10: 100,000 digits and a letter took 33 s)', () => {
  it.each([
    ['epochs', `${HEAD}epochs ${'9'.repeat(100_000)}y\n`, 4, 8],
    ['a 1 MB number that ends in %', `${HEAD}validation ${'9'.repeat(1_000_000)}.%\n`, 4, 12],
    ['a 1 MB image shape', `input ${'9'.repeat(1_000_000)}x\ndense 1 sigmoid\ndata xor\n`, 1, 7],
    ['a 1 MB exponent', `${HEAD}l2 1e${'9'.repeat(1_000_000)}z\n`, 4, 4],
    ['a 1 MB init constant', `input 2\ndense 4 tanh init=const:${'1'.repeat(1_000_000)}.x\ndense 1 sigmoid\ndata xor\n`, 2, 25],
  ])('%s: refused at LINE:COL with the token shortened', (_, text, line, column) => {
    const run = checkWithWatchdog('digits.nnspec', text, 20);
    expect(run.killed, 'the check was killed by the watchdog').toBe(false);
    expect(run.code).toBe(1);
    const first = run.stdout.split('\n')[0];
    expect(first).toMatch(new RegExp(`digits\\.nnspec:${line}:${column}: error: `));
    expect(first).toMatch(/… \([\d,]+ characters\)/);
    expect(first.length).toBeLessThan(400);
  });
});

describe('the number syntax', () => {
  // The regular expression the lexer used to have: right, but quadratic. It is the oracle here.
  const OLD = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

  it('accepts exactly what the old pattern accepted, on every string of up to 5 of its characters', () => {
    const alphabet = ['0', '7', '.', 'e', 'E', '+', '-', 'x', ' '];
    let count = 0;
    const disagree: string[] = [];
    const visit = (s: string): void => {
      if (isNumberText(s) !== OLD.test(s)) disagree.push(s);
      count++;
      if (s.length < 5) for (const c of alphabet) visit(s + c);
    };
    visit('');
    expect(count).toBeGreaterThan(60_000);
    expect(disagree).toEqual([]);
  });

  it('reads the value, refuses hex, Infinity, NaN, separators and values too large', () => {
    expect(parseNumber('-1.5e-3')).toEqual({ value: -0.0015 });
    expect(parseNumber('.5')).toEqual({ value: 0.5 });
    expect(parseNumber('5.')).toEqual({ value: 5 });
    for (const text of ['0x10', 'Infinity', 'NaN', '1_000', '', ' 1', '1 ', '0b1', '1e', '+']) expect(parseNumber(text), text).toEqual({ error: 'not a number' });
    expect(parseNumber('1e999')).toEqual({ error: 'too large' });
  });

  it('scans a number inside a longer text and without its exponent', () => {
    expect(scanNumber('x12.5e3y', 1)).toBe(7);
    expect(scanNumber('12.5e3', 0, false)).toBe(4);
    expect(scanNumber('2e+', 0)).toBe(1);
    expect(scanNumber('.', 0)).toBe(-1);
  });
});

describe('ceilings', () => {
  it(`10⁶ lines of \`dense 1 sigmoid\` are refused at the first layer past ${DEFAULTS.maxLayers}, quickly`, () => {
    const text = 'input 2\n' + 'dense 1 sigmoid\n'.repeat(1_000_000) + 'data xor\n';
    const run = checkWithWatchdog('layers.nnspec', text, 60);
    expect(run.killed).toBe(false);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`layers.nnspec:${DEFAULTS.maxLayers + 2}:1: error: the spec has 1,000,000 \`dense\` layers, more than the ceiling of 1,000`);
  });

  it('past the statement ceiling a keyword’s first statement is still read', () => {
    const parsed = parseSpec('input 2\n' + 'bogus\n'.repeat(MAX_STATEMENTS + 5_000) + 'dense 1 sigmoid\ndata xor\n');
    const codes = new Set(parsed.diagnostics.map((d) => d.code));
    expect(codes.has('too-many-statements')).toBe(true);
    expect(codes.has('missing-dense')).toBe(false);
    expect(codes.has('missing-data')).toBe(false);
    expect(parsed.spec.data?.kind).toBe('builtin');
    const ceiling = parsed.diagnostics.find((d) => d.code === 'too-many-statements')!;
    // Line 0 is `input`: the statement past the ceiling is the 10,000th `bogus` (0-based line 10,000).
    expect(ceiling.range.start.line).toBe(MAX_STATEMENTS);
  });
});

describe('the diagnostics cap', () => {
  it('130,000 errors on one line: the first 1,000 listed, then "and 129,000 more"', () => {
    const parsed = parseSpec(`${HEAD}optimizer sgd ${'= '.repeat(130_000)}\n`);
    const listed = parsed.diagnostics.filter((d) => d.code === 'missing-key');
    expect(listed).toHaveLength(MAX_DIAGNOSTICS);
    const last = parsed.diagnostics[parsed.diagnostics.length - 1];
    expect(last).toMatchObject({ severity: 'error', code: 'too-many-diagnostics', message: 'and 129,000 more errors from here on, not listed' });
    // At the first one not listed: the 1,001st `=`.
    expect(last.range.start).toEqual({ line: 3, character: 'optimizer sgd '.length + 2 * MAX_DIAGNOSTICS });
  });

  it('what the file as a whole lacks is listed even past the cap', () => {
    const parsed = parseSpec('x\n'.repeat(5_000));
    const codes = parsed.diagnostics.map((d) => d.code);
    for (const code of ['missing-input', 'missing-dense', 'missing-data', 'too-many-diagnostics']) expect(codes).toContain(code);
    expect(parsed.diagnostics.length).toBeLessThanOrEqual(MAX_DIAGNOSTICS + 4);
  });

  it('a file just at the cap gets no summary', () => {
    const parsed = parseSpec(`${HEAD}optimizer sgd ${'= '.repeat(MAX_DIAGNOSTICS)}\n`);
    expect(parsed.diagnostics.filter((d) => d.code === 'missing-key')).toHaveLength(MAX_DIAGNOSTICS);
    expect(parsed.diagnostics.some((d) => d.code === 'too-many-diagnostics')).toBe(false);
  });
});

describe('long tokens in messages', () => {
  it.each([
    ['an unknown keyword', `${HEAD}${'k'.repeat(100_000)}\n`],
    ['an unknown option', `input 2\ndense 1 sigmoid ${'o'.repeat(100_000)}=1\ndata xor\n`],
    ['an unterminated string', `${HEAD}network "${'n'.repeat(100_000)}\n`],
    ['a bad data set', `input 2\ndense 1 sigmoid\ndata ${'d'.repeat(100_000)}.csv\n`],
  ])('%s is shown by its start and its length', (_, text) => {
    const parsed = parseSpec(text);
    expect(parsed.diagnostics.length).toBeGreaterThan(0);
    for (const d of parsed.diagnostics) {
      expect(d.message.length + (d.hint?.length ?? 0)).toBeLessThan(400);
    }
    expect(parsed.diagnostics.map((d) => d.message).join('\n')).toContain('… (100,0');
  });
});
