/**
 * The TextMate grammar (media/syntaxes/nnspec.tmLanguage.json) tokenized by vscode-textmate with
 * the Oniguruma engine VS Code uses: each kind of word gets the scope the themes colour.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const root = path.resolve(__dirname, '../..');
let grammar: textmate.IGrammar;

beforeAll(async () => {
  const wasm = fs.readFileSync(path.join(root, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName !== 'source.nnspec') return null;
      const file = path.join(root, 'media/syntaxes/nnspec.tmLanguage.json');
      return textmate.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  const loaded = await registry.loadGrammar('source.nnspec');
  if (!loaded) throw new Error('the nnspec grammar did not load');
  grammar = loaded;
});

/** [text, innermost scope] for every token of every line. */
function tokenize(text: string): [string, string][][] {
  let state = textmate.INITIAL;
  return text.split('\n').map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens
      .map((t): [string, string] => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]])
      .filter(([t]) => t.trim().length > 0);
  });
}

function scopeOf(lines: [string, string][][], line: number, text: string): string | undefined {
  return lines[line].find(([t]) => t === text)?.[1];
}

describe('nnspec TextMate grammar', () => {
  it('colours keywords, numbers, activations, costs, data set names and comments', () => {
    const lines = tokenize('network xor  # the name\ninput 28x28\ndense 4 tanh\nloss cce\ndata spiral n=400 noise=0.1\nepochs 1e3');
    expect(scopeOf(lines, 0, 'network')).toBe('keyword.other.nnspec');
    expect(scopeOf(lines, 0, '# the name')).toBe('comment.line.number-sign.nnspec');
    expect(scopeOf(lines, 1, '28x28')).toBe('constant.numeric.shape.nnspec');
    expect(scopeOf(lines, 2, 'dense')).toBe('keyword.other.nnspec');
    expect(scopeOf(lines, 2, '4')).toBe('constant.numeric.nnspec');
    expect(scopeOf(lines, 2, 'tanh')).toBe('support.function.activation.nnspec');
    expect(scopeOf(lines, 3, 'cce')).toBe('support.function.cost.nnspec');
    expect(scopeOf(lines, 4, 'spiral')).toBe('support.constant.nnspec');
    expect(scopeOf(lines, 4, 'n')).toBe('variable.parameter.option.nnspec');
    expect(scopeOf(lines, 4, '=')).toBe('keyword.operator.assignment.nnspec');
    expect(scopeOf(lines, 4, '0.1')).toBe('constant.numeric.nnspec');
    expect(scopeOf(lines, 5, '1e3')).toBe('constant.numeric.nnspec');
  });

  it('colours key=value options, strings and const:V', () => {
    const lines = tokenize('data "iris.csv" label=species header=true\ndense 1 identity bias=false init=const:0.8');
    expect(lines[0].find(([t]) => t.includes('iris.csv'))?.[1]).toBe('string.quoted.double.nnspec');
    expect(scopeOf(lines, 0, 'label')).toBe('variable.parameter.option.nnspec');
    expect(scopeOf(lines, 0, 'true')).toBe('support.constant.nnspec');
    expect(scopeOf(lines, 1, 'bias')).toBe('variable.parameter.option.nnspec');
    expect(scopeOf(lines, 1, 'false')).toBe('support.constant.nnspec');
    expect(scopeOf(lines, 1, 'const')).toBe('support.constant.nnspec');
    expect(scopeOf(lines, 1, '0.8')).toBe('constant.numeric.nnspec');
  });

  it('marks an unknown first word, not a known one', () => {
    const lines = tokenize('layer 4 tanh\nmomentum 0.9');
    expect(scopeOf(lines, 0, 'layer')).toBe('invalid.illegal.unknown-keyword.nnspec');
    expect(scopeOf(lines, 1, 'momentum')).toBe('invalid.illegal.unknown-keyword.nnspec');
  });

  it('colours the inline data block: rows with -> up to end', () => {
    const lines = tokenize('data inline\n  0 0 -> 0  # first row\n  0 1 -> 1\nend\nepochs 10');
    expect(scopeOf(lines, 0, 'data')).toBe('keyword.other.nnspec');
    expect(scopeOf(lines, 0, 'inline')).toBe('support.constant.dataset.nnspec');
    expect(scopeOf(lines, 1, '->')).toBe('keyword.operator.arrow.nnspec');
    expect(scopeOf(lines, 1, '0')).toBe('constant.numeric.nnspec');
    expect(scopeOf(lines, 1, '# first row')).toBe('comment.line.number-sign.nnspec');
    expect(scopeOf(lines, 3, 'end')).toBe('keyword.control.end.nnspec');
    // After `end`, statements are statements again.
    expect(scopeOf(lines, 4, 'epochs')).toBe('keyword.other.nnspec');
  });

  it('tokenizes every example without an unknown-keyword mark', () => {
    const dir = path.join(root, 'examples');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.nnspec') && f !== 'broken.nnspec')) {
      const lines = tokenize(fs.readFileSync(path.join(dir, file), 'utf8'));
      const marked = lines.flat().filter(([, scope]) => scope.startsWith('invalid.'));
      expect(marked, `${file}: ${JSON.stringify(marked)}`).toEqual([]);
    }
  });
});
