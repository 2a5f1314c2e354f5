/**
 * The .nnspec language: valid specs give the exact model and no diagnostics; ranges, comments,
 * tabs and CRLF; formatDiagnostic; the parser never throws.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, DIAGNOSTIC_CODES, formatDiagnostic, parseSpec } from '../../src/core/lang/index';
import type { Diagnostic, NetworkSpec, Range } from '../../src/core/spec';

const r = (line: number, start: number, end: number, endLine = line): Range => ({
  start: { line, character: start },
  end: { line: endLine, character: end },
});

/** Parses and fails with the diagnostics printed when there are any. */
function clean(text: string): NetworkSpec {
  const result = parseSpec(text);
  expect(result.diagnostics.map((d) => formatDiagnostic('spec', d))).toEqual([]);
  return result.spec;
}

const ISSUE_EXAMPLE = `# xor.nnspec
network xor                        # optional name
input 2                            # input width; \`input 28x28\` = 784 with an image shape
dense 4 tanh                       # units, activation [bias=true|false] [init=...]
dense 1 sigmoid
loss mse                           # mse | bce | cce
optimizer sgd rate=0.5 momentum=0.9 decay=0.99   # momentum, decay optional
batch 4                            # 1 = one sample per step; full = whole training set
epochs 500
l2 0.0001                          # optional
init xavier                        # uniform | normal | xavier | he | const V
seed 7                             # all randomness derives from it
data xor                           # see Data below
validation 0.2                     # held-out fraction (default 0)
normalize none                     # none | minmax | zscore (inputs)
`;

describe('valid specs', () => {
  it('the issue’s xor example gives the exact model', () => {
    const result = parseSpec(ISSUE_EXAMPLE);
    expect(result.diagnostics).toEqual([]);
    expect(result.spec).toEqual({
      name: 'xor',
      input: { size: 2 },
      layers: [
        { index: 1, units: 4, activation: 'tanh', bias: true, init: { kind: 'xavier' }, range: r(3, 0, 12) },
        { index: 2, units: 1, activation: 'sigmoid', bias: true, init: { kind: 'xavier' }, range: r(4, 0, 15) },
      ],
      loss: 'mse',
      optimizer: { kind: 'sgd', rate: 0.5, momentum: 0.9, decay: 0.99 },
      batch: 4,
      epochs: 500,
      l2: 0.0001,
      init: { kind: 'xavier' },
      seed: 7,
      data: { kind: 'builtin', name: 'xor', range: r(12, 0, 8) },
      validation: 0.2,
      normalize: 'none',
    } satisfies NetworkSpec);
    expect([...result.byKeyword.keys()]).toEqual([
      'network', 'input', 'dense', 'loss', 'optimizer', 'batch', 'epochs', 'l2', 'init', 'seed', 'data', 'validation', 'normalize',
    ]);
    expect(result.byKeyword.get('dense')!.range).toEqual(r(3, 0, 12));
    expect(result.statements).toHaveLength(14);
  });

  it('fills every default the file leaves out', () => {
    const spec = clean('input 2\ndense 1 sigmoid\ndata xor');
    expect(spec).toEqual({
      input: { size: 2 },
      layers: [{ index: 1, units: 1, activation: 'sigmoid', bias: true, init: { kind: 'xavier' }, range: r(1, 0, 15) }],
      loss: 'mse',
      optimizer: { kind: 'sgd', rate: 0.1, momentum: 0, decay: 1 },
      batch: 32,
      epochs: 10,
      l2: 0,
      init: { kind: 'xavier' },
      seed: 1,
      data: { kind: 'builtin', name: 'xor', range: r(2, 0, 8) },
      validation: 0,
      normalize: 'none',
    } satisfies NetworkSpec);
    expect(DEFAULTS).toMatchObject({
      loss: 'mse', optimizer: { kind: 'sgd', rate: 0.1, momentum: 0, decay: 1 }, batch: 32, epochs: 10, l2: 0,
      init: { kind: 'xavier' }, seed: 1, validation: 0, normalize: 'none', bias: true, maxParameters: 5_000_000,
    });
  });

  it('statements come in any order; dense lines keep theirs; the file-wide init reaches layers written before it', () => {
    const spec = clean('data xor\nseed 3\ndense 3 relu\ninput 2\ndense 2 tanh init=he\ndense 1 sigmoid\ninit uniform');
    expect(spec.layers.map((l) => [l.index, l.units, l.activation, l.init])).toEqual([
      [1, 3, 'relu', { kind: 'uniform' }],
      [2, 2, 'tanh', { kind: 'he' }],
      [3, 1, 'sigmoid', { kind: 'uniform' }],
    ]);
    expect(spec.input.size).toBe(2);
    expect(spec.seed).toBe(3);
  });

  it('the seed’s single-weight example: identity, no bias, const init, full batch', () => {
    const spec = clean(`network one-weight
input 1
dense 1 identity bias=false init=const:0.8
optimizer sgd 0.01
batch full
epochs 200
data inline
1.5 -> 0.5
6 -> 2.1
end
`);
    expect(spec.name).toBe('one-weight');
    expect(spec.layers[0]).toMatchObject({ units: 1, activation: 'identity', bias: false, init: { kind: 'const', value: 0.8 } });
    expect(spec.optimizer.rate).toBe(0.01);
    expect(spec.batch).toBe('full');
    expect(spec.data).toEqual({
      kind: 'inline',
      rows: [
        { x: [1.5], y: [0.5], range: r(7, 0, 10) },
        { x: [6], y: [2.1], range: r(8, 0, 8) },
      ],
      range: r(6, 0, 3, 9),
    });
  });

  it('image inputs, digits and the per-layer options', () => {
    const spec = clean('input 28x28\ndense 30 sigmoid\ndense 10 softmax bias=true init=normal\nloss cce\ndata digits n=2000\nnormalize zscore\nvalidation 0.1');
    expect(spec.input).toEqual({ size: 784, shape: [28, 28] });
    expect(spec.layers[1]).toMatchObject({ units: 10, activation: 'softmax', bias: true, init: { kind: 'normal' } });
    expect(spec.data).toMatchObject({ kind: 'builtin', name: 'digits', n: 2000 });
    expect(spec.normalize).toBe('zscore');
    expect(spec.validation).toBe(0.1);
  });

  it('`linear` is identity; leaky_relu; batch 1; init const V; negative and exponent numbers', () => {
    const spec = clean('input 1\ndense 8 leaky_relu init=he\ndense 1 linear\ninit const -2.5e-1\nbatch 1\ndata sine n=50 noise=0.1\nl2 1e-4');
    expect(spec.layers.map((l) => l.activation)).toEqual(['leaky_relu', 'identity']);
    expect(spec.init).toEqual({ kind: 'const', value: -0.25 });
    expect(spec.layers.map((l) => l.init)).toEqual([{ kind: 'he' }, { kind: 'const', value: -0.25 }]);
    expect(spec.batch).toBe(1);
    expect(spec.l2).toBe(0.0001);
    expect(spec.data).toMatchObject({ kind: 'builtin', name: 'sine', n: 50, noise: 0.1 });
  });

  it('every data source', () => {
    const base = 'input 2\ndense 1 sigmoid\n';
    expect(clean(base + 'data circle n=300 noise=0.2').data).toMatchObject({ kind: 'builtin', name: 'circle', n: 300, noise: 0.2 });
    expect(clean(base + 'data "points.csv"').data).toMatchObject({ kind: 'csv', path: 'points.csv', label: 'last' });
    expect(clean(base + 'data "points.csv"').data).not.toHaveProperty('header');
    expect(clean(base + "data 'my data/iris.csv' label=species header=true").data).toMatchObject({
      kind: 'csv', path: 'my data/iris.csv', label: 'species', header: true,
    });
    expect(clean(base + 'data "x.csv" label="class name" header=false').data).toMatchObject({ label: 'class name', header: false });
    const idx = 'data "t10k-images-idx3-ubyte.gz" labels="t10k-labels-idx1-ubyte.gz" n=500';
    expect(clean(base + idx).data).toEqual({
      kind: 'idx', images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz', n: 500, range: r(2, 0, idx.length),
    });
    expect(clean(base + 'data inline\n0 0 -> 0\n0 1->1\n  1 0   ->   1\n1 1 -> 0\nend').data).toMatchObject({
      kind: 'inline',
      rows: [{ x: [0, 0], y: [0] }, { x: [0, 1], y: [1] }, { x: [1, 0], y: [1] }, { x: [1, 1], y: [0] }],
    });
  });

  it('comments everywhere, blank lines, and `#` inside a quoted path', () => {
    const spec = clean(`# header comment

   # indented comment
input 2 # width
dense 2 tanh#no space before the comment
dense 1 sigmoid
data inline # rows follow
# a comment between rows
0 0 -> 0   # first row

1 1 -> 0
end # done
# trailing comment`);
    expect(spec.layers).toHaveLength(2);
    expect(spec.data).toMatchObject({ kind: 'inline', rows: [{ x: [0, 0], y: [0] }, { x: [1, 1], y: [0] }] });
    expect(clean('input 2\ndense 1 sigmoid\ndata "runs/#3.csv" # the third').data).toMatchObject({ path: 'runs/#3.csv' });
  });

  it('CRLF and CR line endings give the same result as LF', () => {
    const lf = parseSpec(ISSUE_EXAMPLE);
    expect(parseSpec(ISSUE_EXAMPLE.replace(/\n/g, '\r\n'))).toEqual(lf);
    expect(parseSpec(ISSUE_EXAMPLE.replace(/\n/g, '\r'))).toEqual(lf);
    const broken = 'input 2\r\ndense 4 sigmod\r\ndata xor\r\n';
    expect(parseSpec(broken).diagnostics[0].range).toEqual(r(1, 8, 14));
  });

  it('an empty ceiling option keeps the default; a lower ceiling is honoured', () => {
    const text = 'input 28x28\ndense 100 relu\ndense 10 softmax\nloss cce\ndata digits';
    expect(parseSpec(text).diagnostics).toEqual([]);
    const limited = parseSpec(text, { maxParameters: 1000 }).diagnostics;
    expect(limited.map((d) => d.code)).toEqual(['too-many-parameters']);
    expect(limited[0].message).toBe('the network has 79,510 parameters, more than the ceiling of 1,000');
  });
});

describe('ranges', () => {
  it('point at the token after tabs and runs of spaces', () => {
    const d = parseSpec('input 2\n\tdense \t 4   sigmod\t bias=ture\ndata xor').diagnostics;
    expect(d.map((x) => [x.code, x.range])).toEqual([
      ['unknown-activation', r(1, 13, 19)],
      ['bad-boolean', r(1, 26, 30)],
    ]);
  });

  it('a statement range excludes its comment and leading whitespace', () => {
    const result = parseSpec('  input   2   # two\ndense 1 sigmoid\ndata xor');
    expect(result.byKeyword.get('input')!.range).toEqual(r(0, 2, 11));
    expect(result.byKeyword.get('input')!.args[0]).toEqual({ text: '2', kind: 'number', range: r(0, 10, 11) });
  });

  it('options keep key, value and whole ranges', () => {
    const result = parseSpec('input 2\ndense 1 sigmoid\noptimizer sgd rate = 0.5 momentum=0.9\ndata xor');
    expect(result.diagnostics).toEqual([]);
    const options = result.byKeyword.get('optimizer')!.options;
    expect(options.map((o) => [o.key.text, o.value.text, o.range])).toEqual([
      ['rate', '0.5', r(2, 14, 24)],
      ['momentum', '0.9', r(2, 25, 37)],
    ]);
    expect(result.spec.optimizer.rate).toBe(0.5);
  });
});

describe('formatDiagnostic', () => {
  const d: Diagnostic = {
    severity: 'error',
    range: r(3, 8, 14),
    message: "unknown activation 'sigmod'",
    hint: "did you mean 'sigmoid'?",
    code: 'unknown-activation',
  };
  it('prints FILE:LINE:COL, 1-based, with the hint in parentheses', () => {
    expect(formatDiagnostic('examples/xor.nnspec', d)).toBe("examples/xor.nnspec:4:9: error: unknown activation 'sigmod' (did you mean 'sigmoid'?)");
  });
  it('warnings, and no parentheses without a hint', () => {
    expect(formatDiagnostic('a.nnspec', { ...d, severity: 'warning', hint: undefined })).toBe("a.nnspec:4:9: warning: unknown activation 'sigmod'");
  });
  it('the parser’s own diagnostics print with their real positions', () => {
    const lines = parseSpec('input 2\ndense 4 tanh\ndense 1 sigmoid\nloss mes\ndata xor').diagnostics.map((x) => formatDiagnostic('s.nnspec', x));
    expect(lines).toEqual(["s.nnspec:4:6: error: unknown loss 'mes' (did you mean 'mse'?)"]);
  });
});

describe('the parser never throws', () => {
  /** A tiny seeded generator, so a failure can be replayed. */
  function lcg(seed: number): () => number {
    let s = seed >>> 0;
    return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  }
  const pieces = [
    'input', 'dense', 'data', 'inline', 'end', 'loss', 'optimizer', 'sgd', 'batch', 'full', 'epochs', 'l2', 'init', 'const',
    'seed', 'validation', 'normalize', 'network', 'softmax', 'sigmoid', 'cce', 'bce', 'rate=', 'bias=', 'init=const:', 'n=',
    'labels=', '"', "'", '#', '->', '=', '-', '0', '1', '-1.5', '1e999', '28x28', 'x', '\t', ' ', '  ', '\n', '\r\n', '\r',
    '\u00a0', '\ufeff', 'é', '𝜎', '%', ':', '\\', 'NaN', 'Infinity', '1e-400', '99999999999999999999',
  ];

  function check(text: string): void {
    let result;
    try {
      result = parseSpec(text);
    } catch (error) {
      throw new Error(`parseSpec threw on ${JSON.stringify(text)}: ${String(error)}`);
    }
    const lines = text.split(/\r\n|\r|\n/);
    for (const d of result.diagnostics) {
      if (d.code === 'internal-error') throw new Error(`internal error on ${JSON.stringify(text)}: ${d.message}`);
      expect(DIAGNOSTIC_CODES).toContain(d.code);
      for (const p of [d.range.start, d.range.end]) {
        if (!(p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line].length)) {
          throw new Error(`range ${JSON.stringify(d.range)} outside the text ${JSON.stringify(text)} (${d.code})`);
        }
      }
      expect(typeof d.message).toBe('string');
    }
  }

  it('on 3,000 random texts made of the language’s pieces', () => {
    const random = lcg(2024);
    for (let i = 0; i < 3000; i++) {
      const count = Math.floor(random() * 40);
      let text = '';
      for (let j = 0; j < count; j++) text += pieces[Math.floor(random() * pieces.length)] + (random() < 0.5 ? ' ' : '');
      check(text);
    }
  });

  it('on 1,000 random strings of arbitrary characters', () => {
    const random = lcg(7);
    for (let i = 0; i < 1000; i++) {
      const length = Math.floor(random() * 200);
      let text = '';
      for (let j = 0; j < length; j++) text += String.fromCharCode(Math.floor(random() * (random() < 0.9 ? 128 : 0xffff)));
      check(text);
    }
  });

  it('on mutations of a valid spec (characters deleted, doubled, swapped)', () => {
    const random = lcg(99);
    const source = ISSUE_EXAMPLE + 'data inline\n0 1 -> 1\nend\n';
    for (let i = 0; i < 1000; i++) {
      const chars = [...source];
      for (let k = 0; k < 1 + Math.floor(random() * 6); k++) {
        const at = Math.floor(random() * chars.length);
        const op = random();
        if (op < 0.4) chars.splice(at, 1);
        else if (op < 0.7) chars.splice(at, 0, chars[at] ?? '');
        else chars.splice(at, 1, pieces[Math.floor(random() * pieces.length)]);
      }
      check(chars.join(''));
    }
  });

  it('on non-string input from JavaScript callers', () => {
    expect(() => parseSpec(undefined as unknown as string)).not.toThrow();
    expect(() => parseSpec(null as unknown as string)).not.toThrow();
    expect(parseSpec('').diagnostics.map((d) => d.code)).toEqual(['missing-input', 'missing-dense', 'missing-data']);
  });

  it('on a long file (10,000 inline rows), every row kept', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => `${i % 7} ${i % 3} -> ${i % 2}`).join('\n');
    const result = parseSpec(`input 2\ndense 1 sigmoid\ndata inline\n${rows}\nend`);
    expect(result.diagnostics).toEqual([]);
    expect(result.spec.data).toMatchObject({ kind: 'inline' });
    expect(result.spec.data!.kind === 'inline' && result.spec.data!.rows.length).toBe(10_000);
  });
});

describe('docs/nnspec.md', () => {
  const doc = readFileSync(join(__dirname, '../../docs/nnspec.md'), 'utf8');
  const blocks = [...doc.matchAll(/```nnspec\n([\s\S]*?)```/g)].map((m) => m[1]);

  it('has complete examples, and every one parses with no diagnostics', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) expect(parseSpec(block).diagnostics.map((d) => formatDiagnostic('doc', d)), block).toEqual([]);
  });

  it('lists every diagnostic code', () => {
    for (const code of DIAGNOSTIC_CODES) if (code !== 'internal-error') expect(doc, code).toContain(`\`${code}\``);
  });
});

describe('the error tables of docs/nnspec.md', () => {
  const doc = readFileSync(join(__dirname, '../../docs/nnspec.md'), 'utf8');
  // Rows like: | `unknown-loss` | `loss crossentropy` | unknown loss 'crossentropy' (…) |
  const rows = [...doc.matchAll(/^\| `([a-z-]+)` \| `([^`]+)` \| (.+?) \|$/gm)].map((m) => [m[1], m[2], m[3]] as const);

  it('have examples', () => {
    expect(rows.length).toBeGreaterThanOrEqual(25);
  });

  it.each(rows)('%s: `%s` gives that code and that message', (code, example, message) => {
    const row = ['missing-arrow', 'extra-arrow', 'inline-row-empty'].includes(code);
    const keyword = row ? 'data' : example.split(' ')[0];
    const base = ['input 2', 'dense 1 sigmoid', 'data xor'].filter((line) => line.split(' ')[0] !== keyword);
    const lines = row ? [...base, 'data inline', '0 1 -> 1', example, 'end'] : [...base, example];
    const diagnostics = parseSpec(lines.join('\n')).diagnostics;
    const found = diagnostics.find((d) => d.code === code);
    expect(found, JSON.stringify(diagnostics)).toBeDefined();
    // The table shows the message, then the hint in parentheses (shortened with … where long).
    const shown = message.replace(/ \(.*$/, '');
    expect(found!.message).toBe(shown);
  });
});
