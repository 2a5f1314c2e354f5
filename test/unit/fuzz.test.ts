/**
 * A bounded fuzz of `nnspec check` (issue 10): 500 mutants of the bundled examples, from a fixed
 * seed so a failure replays. Whatever the text: exit 0, 1 or 2; no stack trace and no internal
 * error; every error line `FILE:LINE:COL: error: …`; no control character reaches the output;
 * no spec takes more than 2 s (a generous bound: the parser is linear, a check of these is ms).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, nnspec } from './cli-support';

const MUTANTS = 500;
const SEED = 20261201;

/** mulberry32: a small seeded generator, enough for choosing mutations. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '=', '->', '"', "'", '#', '\n', ' ', 'end', 'data inline', '0x10', '1e999', '-', '.', '%', '9'.repeat(60), 'dense 3 relu',
  '\x1b[2J', '\x07', '\u202e', '\t', '\r', 'NaN', 'Infinity', 'x'.repeat(300), 'batch full', 'features x1^2', 'optimizer adam',
  'init=const:0.5', 'bias=false', 'dropout=0.5', 'rate=', 'n=0', 'noise=1e300', 'label=nope', '28x28', '×', 'é', '\u0000',
];
const NUMBERS = ['0', '1', '-1', '2', '7', '0.5', '1e9', '99999', '3.5', '1e-9', '-0', '1e400', '.5', '5.'];

function mutate(text: string, random: () => number): string {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const at = (s: string): number => Math.floor(random() * (s.length + 1));
  const mutations = 1 + Math.floor(random() * 3);
  for (let m = 0; m < mutations; m++) {
    const lines = text.split('\n');
    const line = Math.floor(random() * lines.length);
    switch (Math.floor(random() * 9)) {
      case 0: {
        const i = at(text);
        text = text.slice(0, i) + text.slice(i + 1 + Math.floor(random() * 8));
        break;
      }
      case 1:
      case 2: {
        const i = at(text);
        text = text.slice(0, i) + pick(PIECES) + text.slice(i);
        break;
      }
      case 3:
        lines.splice(line, 0, lines[line]);
        text = lines.join('\n');
        break;
      case 4: {
        const other = Math.floor(random() * lines.length);
        [lines[line], lines[other]] = [lines[other], lines[line]];
        text = lines.join('\n');
        break;
      }
      case 5:
        lines.splice(line, 1);
        text = lines.join('\n');
        break;
      case 6: {
        let k = 0;
        const target = Math.floor(random() * 12);
        text = text.replace(/\d+(\.\d+)?(e-?\d+)?/g, (n) => (k++ === target ? pick(NUMBERS) : n));
        break;
      }
      case 7:
        text = text.slice(0, at(text));
        break;
      case 8:
        lines.splice(line, 0, ...Array.from({ length: 50 }, () => lines[line]));
        text = lines.join('\n');
        break;
    }
  }
  return text;
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnspec-fuzz-'));
  // The iris example reads iris.csv next to it.
  fs.copyFileSync(path.join(ROOT, 'examples', 'iris.csv'), path.join(dir, 'iris.csv'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('fuzz: mutants of the examples through `nnspec check`', () => {
  it(`${MUTANTS} mutants: exit 0/1/2, no stack trace, every error at LINE:COL, none over 2 s`, async () => {
    const examples = fs
      .readdirSync(path.join(ROOT, 'examples'))
      .filter((f) => f.endsWith('.nnspec'))
      .map((f) => fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8'));
    expect(examples.length).toBeGreaterThan(5);
    const random = generator(SEED);
    const problems: string[] = [];
    const codes = new Set<number>();
    let slowest = 0;
    for (let i = 0; i < MUTANTS; i++) {
      const text = mutate(examples[i % examples.length], random);
      const file = path.join(dir, `m${i}.nnspec`);
      fs.writeFileSync(file, text);
      const started = performance.now();
      const run = await nnspec(['check', file], { cwd: dir });
      const ms = performance.now() - started;
      slowest = Math.max(slowest, ms);
      codes.add(run.code);
      const say = (what: string): void => void problems.push(`mutant ${i} (${JSON.stringify(text.slice(0, 200))}): ${what}`);
      if (![0, 1, 2].includes(run.code)) say(`exit ${run.code}`);
      if (ms > 2000) say(`took ${ms.toFixed(0)} ms`);
      const all = run.stdout + run.stderr;
      if (/internal error|\n\s+at .+\(.+:\d+:\d+\)/.test(all)) say(`internal error or stack trace: ${all.slice(0, 300)}`);
      if (/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/.test(all)) say('a control character in the output');
      for (const line of run.stdout.split('\n')) {
        if (/: (error|warning): /.test(line) && !line.startsWith(`${file}:`)) say(`a diagnostic without its file: ${line}`);
        if (line.startsWith(`${file}:`) && /: (error|warning): /.test(line) && !/^[^\n]*\.nnspec:\d+:\d+: (error|warning): /.test(line)) say(`no LINE:COL: ${line}`);
      }
      if (run.code === 1 && !/\.nnspec:\d+:\d+: error: /.test(run.stdout)) say(`exit 1 without an error at LINE:COL: ${all.slice(0, 300)}`);
      fs.rmSync(file);
    }
    expect(problems).toEqual([]);
    // The mutants reach both outcomes (a fuzz that only ever breaks the file tests little).
    expect(codes.has(0)).toBe(true);
    expect(codes.has(1)).toBe(true);
    expect(slowest).toBeLessThan(2000);
  }, 120_000);
});
