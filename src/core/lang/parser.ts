/**
 * The .nnspec parser: text → statements (with ranges) → the NetworkSpec the engine trains,
 * with every diagnostic on the way. It never throws and never stops at the first error:
 * a bad value is reported and the default stands in for it, so later lines are still checked.
 *
 * Three passes: read statements line by line (gathering `data inline` rows up to `end`);
 * interpret each statement into the spec; check the whole (required statements, the output
 * layer against the loss, the parameter count).
 */
import {
  parameterCount,
  type Activation,
  type DataSpec,
  type Diagnostic,
  type Fix,
  type InitSpec,
  type InlineRow,
  type LossName,
  type NetworkSpec,
  type Normalize,
  type OptionNode,
  type ParseResult,
  type Range,
  type Severity,
  type Statement,
  type Token,
} from '../spec';
import { type DiagnosticCode, range as makeRange, span } from './diagnostics';
import { lexLine, splitLines, type LexToken } from './lexer';
import { suggest } from './suggest';
import {
  DEFAULTS,
  activationNames,
  costNames,
  datasetDoc,
  datasetNames,
  initNames,
  keywordDoc,
  keywordNames,
  normalizeNames,
  optimizerNames,
  synonyms,
  vocabulary,
  type KeywordName,
} from './vocabulary';

export interface ParseOptions {
  /** Ceiling on weights + biases (default DEFAULTS.maxParameters, 5,000,000). */
  maxParameters?: number;
}

/** Parses a .nnspec document. Never throws: whatever the text, a result with diagnostics. */
export function parseSpec(text: string, options: ParseOptions = {}): ParseResult {
  try {
    return new Parser(String(text), options).parse();
  } catch (error) {
    return {
      statements: [],
      diagnostics: [
        {
          severity: 'error',
          range: makeRange(0, 0, 0, 0),
          message: `the parser failed on this file: ${error instanceof Error ? error.message : String(error)}`,
          hint: 'this is a bug in NNSpec; please report it with the file',
          code: 'internal-error',
        },
      ],
      spec: defaultSpec(),
      byKeyword: new Map(),
    };
  }
}

/** A spec with nothing said: every default, no input, no layers, no data. */
export function defaultSpec(): NetworkSpec {
  return {
    input: { size: 0 },
    layers: [],
    loss: DEFAULTS.loss,
    optimizer: { ...DEFAULTS.optimizer },
    batch: DEFAULTS.batch,
    epochs: DEFAULTS.epochs,
    l2: DEFAULTS.l2,
    init: { ...DEFAULTS.init },
    seed: DEFAULTS.seed,
    validation: DEFAULTS.validation,
    normalize: DEFAULTS.normalize,
  };
}

/** What a `dense` line said, as far as it was valid. */
interface DenseInfo {
  statement: Statement;
  units?: number;
  unitsToken?: Token;
  activation?: Activation;
  activationToken?: Token;
  bias: boolean;
  init?: InitSpec;
  /** The `init=` value, when the layer has its own. */
  initToken?: Token;
}

/** Bounds of a number; the text says them in messages ("in [0, 1)"). */
interface NumberRule {
  integer?: boolean;
  min?: number;
  minExclusive?: boolean;
  max?: number;
  maxExclusive?: boolean;
  /** 'must be > 0', 'must be in [0, 1)' */
  text: string;
  /** A correct example: 'rate=0.1', 'epochs 100'. */
  example: string;
}

const MAX_SEED = 4294967295;

const RULES = {
  units: { integer: true, min: 1, text: 'must be a whole number ≥ 1', example: 'dense 4 tanh' },
  input: { integer: true, min: 1, text: 'must be a whole number ≥ 1', example: 'input 2' },
  rate: { min: 0, minExclusive: true, text: 'must be > 0', example: 'rate=0.1' },
  momentum: { min: 0, max: 1, maxExclusive: true, text: 'must be in [0, 1)', example: 'momentum=0.9' },
  decay: { min: 0, minExclusive: true, max: 1, text: 'must be in (0, 1]', example: 'decay=0.99' },
  batch: { integer: true, min: 1, text: 'must be a whole number ≥ 1 (or `full`)', example: 'batch 32' },
  epochs: { integer: true, min: 1, text: 'must be a whole number ≥ 1', example: 'epochs 100' },
  l2: { min: 0, text: 'must be ≥ 0', example: 'l2 0.0001' },
  seed: { integer: true, min: 0, max: MAX_SEED, text: `must be a whole number from 0 to ${MAX_SEED}`, example: 'seed 7' },
  validation: { min: 0, max: 1, maxExclusive: true, text: 'must be in [0, 1)', example: 'validation 0.2' },
  n: { integer: true, min: 1, text: 'must be a whole number ≥ 1', example: 'n=200' },
  noise: { min: 0, text: 'must be ≥ 0', example: 'noise=0.1' },
  constant: { text: 'must be a finite number', example: 'init const 0.5' },
} satisfies Record<string, NumberRule>;


function toToken(t: LexToken): Token {
  return { text: t.text, range: t.range, kind: t.kind === 'equals' ? 'word' : t.kind };
}

function quote(t: Token): string {
  return t.kind === 'string' ? `"${t.text}"` : `'${t.text}'`;
}

function list(words: readonly string[]): string {
  return words.join(', ');
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

class Parser {
  private readonly lines: string[];
  private readonly diagnostics: Diagnostic[] = [];
  private readonly statements: Statement[] = [];
  private readonly byKeyword = new Map<string, Statement>();
  private readonly spec: NetworkSpec = defaultSpec();
  private readonly dense: DenseInfo[] = [];
  /** Statements whose value was accepted (the spec took it from them). */
  private readonly accepted = new Set<Statement>();
  private readonly maxParameters: number;

  constructor(text: string, options: ParseOptions) {
    this.lines = splitLines(text);
    const max = options.maxParameters;
    this.maxParameters = typeof max === 'number' && max > 0 ? max : DEFAULTS.maxParameters;
  }

  parse(): ParseResult {
    this.readStatements();
    for (const statement of this.statements) this.interpret(statement);
    this.checkWhole();
    this.diagnostics.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    return { statements: this.statements, diagnostics: this.diagnostics, spec: this.spec, byKeyword: this.byKeyword };
  }

  // -------------------------------------------------------------------------
  // Diagnostics

  private report(severity: Severity, code: DiagnosticCode, range: Range, message: string, hint?: string, fixes?: Fix[]): void {
    const d: Diagnostic = { severity, range, message, code };
    if (hint) d.hint = hint;
    if (fixes && fixes.length > 0) d.fixes = fixes;
    this.diagnostics.push(d);
  }

  private error(code: DiagnosticCode, range: Range, message: string, hint?: string, fixes?: Fix[]): void {
    this.report('error', code, range, message, hint, fixes);
  }

  private warning(code: DiagnosticCode, range: Range, message: string, hint?: string, fixes?: Fix[]): void {
    this.report('warning', code, range, message, hint, fixes);
  }

  /** "unknown activation 'sigmod'" + "did you mean 'sigmoid'?" with a fix, or the list of choices. */
  private unknownWord(
    code: DiagnosticCode,
    what: string,
    token: Token,
    candidates: readonly string[],
    words: Readonly<Record<string, string>>,
    choices = `${what}s: ${list(candidates)}`,
  ): void {
    const guess = token.kind === 'word' ? suggest(token.text, candidates, words) : undefined;
    if (guess) {
      this.error(code, token.range, `unknown ${what} ${quote(token)}`, `did you mean '${guess}'?`, [
        { title: `Change to '${guess}'`, range: token.range, newText: guess },
      ]);
    } else {
      this.error(code, token.range, `unknown ${what} ${quote(token)}`, choices);
    }
  }

  // -------------------------------------------------------------------------
  // Pass 1: statements

  private readStatements(): void {
    /** The open `data inline` statement and the widths of its first row. */
    let inline: { statement: Statement; head: Range; width?: { x: number; y: number; line: number } } | null = null;
    let lastContentLine = -1;
    for (let line = 0; line < this.lines.length; line++) {
      const { tokens } = lexLine(this.lines[line], line);
      if (tokens.length === 0) continue;
      for (const t of tokens) {
        if (t.unterminated) {
          const q = this.lines[line][t.range.start.character];
          this.error('unterminated-string', t.range, `the string ${q}${t.text} has no closing quote`, `add ${q} at its end`, [
            { title: `Add the closing ${q}`, range: { start: t.range.end, end: t.range.end }, newText: q },
          ]);
        }
      }
      if (inline) {
        const first = tokens[0];
        if (first.kind === 'word' && first.text === 'end') {
          inline.statement.endRange = first.range;
          inline.statement.range = span(inline.statement.range, first.range);
          if (tokens.length > 1) {
            const extra = span(tokens[1].range, tokens[tokens.length - 1].range);
            this.error('extra-argument', extra, '`end` takes nothing after it', 'put `end` alone on its line');
          }
          inline = null;
          lastContentLine = line;
          continue;
        }
        if (first.kind === 'word' && !tokens.some((t) => t.kind === 'arrow')) {
          this.missingEnd(inline.head, lastContentLine);
          inline = null;
          // …and read this line as the statement it is.
        } else {
          const row = this.readRow(tokens, inline.width);
          if (row) {
            inline.width ??= { x: row.x.length, y: row.y.length, line };
            inline.statement.rows!.push(row);
            inline.statement.range = span(inline.statement.range, row.range);
          }
          lastContentLine = line;
          continue;
        }
      }
      const statement = this.readStatement(tokens);
      lastContentLine = line;
      if (!statement) continue;
      this.statements.push(statement);
      const arg = statement.args[0];
      if (statement.keyword.text === 'data' && arg?.kind === 'word' && arg.text === 'inline') {
        statement.rows = [];
        inline = { statement, head: span(statement.keyword.range, arg.range) };
      }
    }
    if (inline) this.missingEnd(inline.head, lastContentLine);
  }

  private missingEnd(head: Range, lastLine: number): void {
    const at = { line: lastLine, character: this.lines[lastLine].length };
    this.error('missing-end', head, '`data inline` is not closed by `end`', `add a line \`end\` after the last row, line ${lastLine + 1}`, [
      { title: 'Add `end`', range: { start: at, end: at }, newText: '\nend' },
    ]);
  }

  private readStatement(tokens: LexToken[]): Statement | null {
    const first = tokens[0];
    const whole = span(first.range, tokens[tokens.length - 1].range);
    if (first.kind !== 'word') {
      const isRow = tokens.some((t) => t.kind === 'arrow');
      this.error(
        'expected-keyword',
        isRow ? whole : first.range,
        isRow ? 'an inline data row outside `data inline … end`' : `a statement starts with a keyword, not ${first.kind === 'equals' ? "'='" : quote(toToken(first))}`,
        isRow ? 'put rows between a line `data inline` and a line `end`' : `keywords: ${list(keywordNames.filter((k) => k !== 'end'))}`,
      );
      return null;
    }
    if (first.text === 'end') {
      this.error('stray-end', first.range, '`end` without `data inline` before it', 'remove it, or add `data inline` and rows above it', [
        { title: 'Remove `end`', range: whole, newText: '' },
      ]);
      return null;
    }
    const statement: Statement = { keyword: toToken(first), args: [], options: [], range: whole };
    let i = 1;
    if (tokens[1]?.kind === 'equals') {
      // `momentum=0.9` alone on a line: an option without its keyword (reported in pass 2).
      i = tokens[2] && tokens[2].kind !== 'equals' && tokens[2].kind !== 'arrow' ? 3 : 2;
    }
    while (i < tokens.length) {
      const t = tokens[i];
      const next = tokens[i + 1];
      if (t.kind === 'equals') {
        const value = next && next.kind !== 'equals' && next.kind !== 'arrow' ? next : undefined;
        this.error('missing-key', value ? span(t.range, value.range) : t.range, "'=' without an option name before it", 'write options as key=value, e.g. rate=0.5');
        i += value ? 2 : 1;
        continue;
      }
      if (next?.kind === 'equals' && t.range.end.character < next.range.start.character && !this.looksLikeOption(first.text, t.text)) {
        // `optimizer sgd =0.5`: a value, then an option that lost its name.
        statement.args.push(toToken(t));
        i++;
        continue;
      }
      if (next?.kind === 'equals') {
        const value = tokens[i + 2];
        if (!value || value.kind === 'equals' || value.kind === 'arrow') {
          const example = keywordDoc(first.text)?.options.find((o) => o.name === t.text)?.example;
          this.error('missing-value', span(t.range, next.range), `option '${t.text}=' has no value`, example ? `e.g. ${example}` : 'write key=value');
          i += 2;
          continue;
        }
        const option: OptionNode = { key: toToken(t), value: toToken(value), range: span(t.range, value.range) };
        statement.options.push(option);
        i += 3;
        continue;
      }
      if (t.kind === 'arrow') {
        this.error('unexpected-arrow', t.range, "'->' belongs in the rows of `data inline`", 'put rows between a line `data inline` and a line `end`');
        i++;
        continue;
      }
      statement.args.push(toToken(t));
      i++;
    }
    return statement;
  }

  /** Whether `word` is, or is meant as, an option (of any keyword: `bias = false` under `dense`). */
  private looksLikeOption(keyword: string, word: string): boolean {
    const options = keywordDoc(keyword)?.options.map((o) => o.name) ?? [];
    return options.includes(word) || this.optionOwner(word) !== undefined || suggest(word, options, synonyms.options) !== undefined;
  }

  /** `x1 x2 … -> y1 y2 …`; undefined (and diagnostics) when the row cannot be used. */
  private readRow(tokens: LexToken[], width: { x: number; y: number; line: number } | undefined): InlineRow | undefined {
    const whole = span(tokens[0].range, tokens[tokens.length - 1].range);
    const arrows = tokens.filter((t) => t.kind === 'arrow');
    if (arrows.length === 0) {
      this.error('missing-arrow', whole, "inline row has no '->' between its inputs and targets", 'e.g. `0 1 -> 1`');
      return undefined;
    }
    if (arrows.length > 1) {
      this.error('extra-arrow', arrows[1].range, "inline row has more than one '->'", 'one row is `inputs -> targets`, e.g. `0 1 -> 1`');
      return undefined;
    }
    const at = tokens.indexOf(arrows[0]);
    let ok = true;
    const numbers = (part: LexToken[]): number[] =>
      part.map((t) => {
        if (t.kind !== 'number') {
          ok = false;
          this.error('not-a-number', t.range, `expected a number in the inline row, got ${t.kind === 'equals' ? "'='" : quote(toToken(t))}`, 'a row holds numbers only: inputs -> targets');
          return NaN;
        }
        return Number(t.text);
      });
    const x = numbers(tokens.slice(0, at));
    const y = numbers(tokens.slice(at + 1));
    if (!ok) return undefined;
    if (x.length === 0 || y.length === 0) {
      this.error('inline-row-empty', whole, x.length === 0 ? "inline row has no inputs before '->'" : "inline row has no targets after '->'", 'e.g. `0 1 -> 1`');
      return undefined;
    }
    if (width && (x.length !== width.x || y.length !== width.y)) {
      const [what, got, want] = x.length !== width.x ? ['inputs', x.length, width.x] : ['targets', y.length, width.y];
      this.error('inline-row-width', whole, `inline row has ${got} ${what}, but the first row (line ${width.line + 1}) has ${want}`, 'every row needs the same number of inputs and of targets');
      return undefined;
    }
    return { x, y, range: whole };
  }

  // -------------------------------------------------------------------------
  // Pass 2: statements into the spec

  private interpret(statement: Statement): void {
    const keyword = statement.keyword;
    const doc = keywordDoc(keyword.text);
    if (!doc) {
      const option = this.optionOwner(keyword.text);
      if (option) {
        this.error('unknown-keyword', keyword.range, `'${keyword.text}' is not a keyword`, `${option.name}= is an option of \`${option.owner}\`: e.g. ${option.example}`);
        return;
      }
      this.unknownWord('unknown-keyword', 'keyword', keyword, keywordNames.filter((k) => k !== 'end'), synonyms.keywords);
      return;
    }
    const name = doc.name;
    const first = this.byKeyword.get(name);
    if (first && !doc.repeatable) {
      this.error('duplicate-statement', keyword.range, `duplicate \`${name}\` statement: the first is on line ${first.range.start.line + 1}`, 'remove one of them', [
        { title: `Remove this \`${name}\` line`, range: statement.range, newText: '' },
      ]);
      return;
    }
    if (!first) this.byKeyword.set(name, statement);
    const options = this.options(statement, name);
    switch (name) {
      case 'network': return this.network(statement);
      case 'input': return this.input(statement);
      case 'dense': return this.denseLayer(statement, options);
      case 'loss': return this.loss(statement);
      case 'optimizer': return this.optimizer(statement, options);
      case 'batch': return this.batch(statement);
      case 'epochs': return this.single(statement, 'epochs', RULES.epochs, (v) => (this.spec.epochs = v));
      case 'l2': return this.single(statement, 'l2', RULES.l2, (v) => (this.spec.l2 = v));
      case 'init': return this.init(statement);
      case 'seed': return this.single(statement, 'seed', RULES.seed, (v) => (this.spec.seed = v));
      case 'data': return this.data(statement, options);
      case 'validation': return this.single(statement, 'validation', RULES.validation, (v) => (this.spec.validation = v));
      case 'normalize': return this.normalize(statement);
      case 'end': return; // handled in pass 1
    }
  }

  /** The keyword whose option this word is (or means: `learning_rate` → rate of optimizer). */
  private optionOwner(word: string): { name: string; owner: string; example: string } | undefined {
    const squashed = word.toLowerCase().replace(/[_\-\s.]/g, '');
    const name = Object.entries(synonyms.options).find(([from]) => from === squashed)?.[1] ?? word;
    for (const k of vocabulary.keywords) {
      const option = k.options.find((o) => o.name === name);
      // `init` is a keyword itself; `n` alone is too short to guess from.
      if (option && name !== 'n') return { name, owner: k.name, example: option.example };
    }
    return undefined;
  }

  /**
   * The statement's options by key, after reporting unknown and repeated ones. `data` takes
   * all its keys here and checks which apply to which source itself.
   */
  private options(statement: Statement, keyword: KeywordName): Map<string, OptionNode> {
    const allowed = keywordDoc(keyword)!.options.map((o) => o.name);
    const found = new Map<string, OptionNode>();
    for (const option of statement.options) {
      const key = option.key.text;
      if (!allowed.includes(key)) {
        const owner = vocabulary.keywords.find((k) => k.options.some((o) => o.name === key));
        const guess = allowed.length > 0 ? suggest(key, allowed, synonyms.options) : undefined;
        const message = `unknown option '${key}' for \`${keyword}\``;
        if (guess) {
          this.error('unknown-option', option.key.range, message, `did you mean '${guess}'?`, [
            { title: `Change to '${guess}'`, range: option.key.range, newText: guess },
          ]);
        } else if (owner) {
          this.error('unknown-option', option.key.range, message, `'${key}=' belongs to \`${owner.name}\``);
        } else {
          this.error('unknown-option', option.key.range, message, allowed.length > 0 ? `\`${keyword}\` takes: ${list(allowed.map((a) => `${a}=`))}` : `\`${keyword}\` takes no options`);
        }
        continue;
      }
      const earlier = found.get(key);
      if (earlier) {
        this.error('duplicate-option', option.key.range, `option '${key}=' is given twice`, `the first is at column ${earlier.key.range.start.character + 1}; remove one`);
        continue;
      }
      found.set(key, option);
    }
    return found;
  }

  /** Reports a missing positional argument (range: the statement) unless there are `want`. */
  private needArgs(statement: Statement, want: number, message: string): boolean {
    if (statement.args.length >= want) return true;
    const doc = keywordDoc(statement.keyword.text)!;
    this.error('missing-argument', statement.range, message, `e.g. \`${doc.example}\``);
    return false;
  }

  /** Reports arguments beyond the first `keep`. */
  private noMoreArgs(statement: Statement, keep: number, hint?: string): void {
    if (statement.args.length <= keep) return;
    const extra = statement.args.slice(keep);
    const r = span(extra[0].range, extra[extra.length - 1].range);
    const doc = keywordDoc(statement.keyword.text)!;
    const what = extra.length === 1 ? quote(extra[0]) : `${quote(extra[0])} and what follows`;
    this.error('extra-argument', r, `unexpected ${what} after \`${statement.keyword.text}\``, hint ?? `syntax: ${doc.syntax}`);
  }

  /** A number within the rule, or undefined after reporting what is wrong with the token. */
  private number(token: Token, what: string, rule: NumberRule): number | undefined {
    if (token.kind !== 'number') {
      const percent = /^([+-]?(\d+\.?\d*|\.\d+))%$/.exec(token.text);
      if (percent && token.kind === 'word') {
        const fraction = String(Number(percent[1]) / 100);
        this.error('not-a-number', token.range, `expected a number for ${what}, got '${token.text}'`, `write the fraction ${fraction}`, [
          { title: `Change to ${fraction}`, range: token.range, newText: fraction },
        ]);
      } else {
        this.error('not-a-number', token.range, `expected a number for ${what}, got ${quote(token)}`, `e.g. ${rule.example}`);
      }
      return undefined;
    }
    const value = Number(token.text);
    if (!Number.isFinite(value)) {
      this.error('out-of-range', token.range, `${what} is too large: ${token.text}`, `e.g. ${rule.example}`);
      return undefined;
    }
    if (rule.integer && !Number.isInteger(value)) {
      this.error('not-an-integer', token.range, `${what} ${rule.text}, got ${token.text}`, `e.g. ${rule.example}`);
      return undefined;
    }
    const low = rule.min !== undefined && (rule.minExclusive ? value <= rule.min : value < rule.min);
    const high = rule.max !== undefined && (rule.maxExclusive ? value >= rule.max : value > rule.max);
    if (low || high) {
      this.error('out-of-range', token.range, `${what} ${rule.text}, got ${token.text}`, `e.g. ${rule.example}`);
      return undefined;
    }
    return value;
  }

  /** `KEYWORD NUMBER` statements. */
  private single(statement: Statement, what: string, rule: NumberRule, set: (value: number) => void): void {
    if (!this.needArgs(statement, 1, `\`${what}\` needs a value`)) return;
    this.noMoreArgs(statement, 1);
    const value = this.number(statement.args[0], what, rule);
    if (value === undefined) return;
    set(value);
    this.accepted.add(statement);
  }

  private boolean(option: OptionNode): boolean | undefined {
    const v = option.value;
    if (v.kind === 'word' && (v.text === 'true' || v.text === 'false')) return v.text === 'true';
    const guess = v.kind === 'word' ? suggest(v.text, ['true', 'false'], { yes: 'true', on: 'true', no: 'false', off: 'false', '1': 'true', '0': 'false' }) : undefined;
    const fixes = guess ? [{ title: `Change to ${guess}`, range: v.range, newText: guess }] : undefined;
    this.error('bad-boolean', v.range, `${option.key.text}= must be true or false, got ${quote(v)}`, guess ? `did you mean '${guess}'?` : `write ${option.key.text}=true or ${option.key.text}=false`, fixes);
    return undefined;
  }

  private network(statement: Statement): void {
    if (!this.needArgs(statement, 1, '`network` needs a name')) return;
    this.noMoreArgs(statement, 1, 'a name with spaces goes in quotes: network "my net"');
    this.spec.name = statement.args[0].text;
    this.accepted.add(statement);
  }

  private input(statement: Statement): void {
    if (!this.needArgs(statement, 1, '`input` needs the input width')) return;
    const [arg, x, second] = statement.args;
    if (statement.args.length === 3 && arg.kind === 'number' && x.kind === 'word' && /^[xX×]$/.test(x.text) && second.kind === 'number') {
      const shape = `${arg.text}x${second.text}`;
      const r = span(arg.range, second.range);
      this.error('bad-shape', r, 'an image shape is written without spaces', `write \`input ${shape}\``, [{ title: `Change to ${shape}`, range: r, newText: shape }]);
      return;
    }
    this.noMoreArgs(statement, 1);
    if (arg.kind === 'shape') {
      const [rows, cols] = arg.text.split(/[xX×]/).map(Number);
      if (rows < 1 || cols < 1) {
        this.error('bad-shape', arg.range, `an image shape needs rows and columns ≥ 1, got ${arg.text}`, 'e.g. `input 28x28`');
        return;
      }
      this.spec.input = { size: rows * cols, shape: [rows, cols] };
      this.accepted.add(statement);
      return;
    }
    if (arg.kind === 'word' && /^\d*[xX×]\d*$|^\d+[xX×]|[xX×]\d+$/.test(arg.text) && /\d/.test(arg.text)) {
      this.error('bad-shape', arg.range, `'${arg.text}' is not an image shape`, 'write ROWSxCOLS, e.g. `input 28x28`');
      return;
    }
    const size = this.number(arg, 'input', RULES.input);
    if (size === undefined) return;
    this.spec.input = { size };
    this.accepted.add(statement);
  }

  private activation(token: Token): Activation | undefined {
    if (token.kind === 'word') {
      if ((activationNames as string[]).includes(token.text)) return token.text as Activation;
      const alias = vocabulary.activations.find((a) => a.aliases.includes(token.text));
      if (alias) return alias.name;
    }
    this.unknownWord('unknown-activation', 'activation', token, activationNames, synonyms.activations);
    return undefined;
  }

  private denseLayer(statement: Statement, options: Map<string, OptionNode>): void {
    const info: DenseInfo = { statement, bias: DEFAULTS.bias };
    this.dense.push(info);
    const [unitsToken, activationToken] = statement.args;
    if (statement.args.length === 0) {
      this.error('missing-argument', statement.range, '`dense` needs a unit count and an activation', 'e.g. `dense 4 tanh`');
    } else if (
      statement.args.length >= 2 &&
      unitsToken.kind === 'word' &&
      activationToken.kind === 'number' &&
      ((activationNames as string[]).includes(unitsToken.text) || unitsToken.text === 'linear')
    ) {
      const r = span(unitsToken.range, activationToken.range);
      const fixed = `${activationToken.text} ${unitsToken.text}`;
      this.error('argument-order', r, '`dense` takes the unit count first, then the activation', `write \`dense ${fixed}\``, [
        { title: `Change to ${fixed}`, range: r, newText: fixed },
      ]);
      this.noMoreArgs(statement, 2);
    } else {
      info.units = this.number(unitsToken, 'the unit count of `dense`', RULES.units);
      info.unitsToken = unitsToken;
      if (!activationToken) {
        this.error('missing-argument', statement.range, '`dense` needs an activation after the unit count', `activations: ${list(activationNames)}`);
      } else {
        info.activation = this.activation(activationToken);
        info.activationToken = activationToken;
        this.noMoreArgs(statement, 2, 'options are written key=value: bias=false, init=he');
      }
    }
    const bias = options.get('bias');
    if (bias) {
      const value = this.boolean(bias);
      if (value !== undefined) info.bias = value;
    }
    const init = options.get('init');
    if (init) {
      info.init = this.layerInit(init);
      info.initToken = init.value;
    }
  }

  /** `init=xavier`, `init=const:0.5` */
  private layerInit(option: OptionNode): InitSpec | undefined {
    const v = option.value;
    const constant = /^const(ant)?[:]/.exec(v.text);
    if (v.kind === 'word' && constant) {
      const start = v.range.start.character + constant[0].length;
      const numberToken: Token = {
        text: v.text.slice(constant[0].length),
        kind: 'word',
        range: { start: { line: v.range.start.line, character: start }, end: v.range.end },
      };
      if (numberToken.text === '') {
        this.error('missing-value', v.range, 'init=const: needs the weight value', 'e.g. init=const:0.5');
        return undefined;
      }
      numberToken.kind = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(numberToken.text) ? 'number' : 'word';
      if (v.text.startsWith('constant')) {
        this.unknownWord('unknown-init', 'init scheme', { ...v, text: 'constant', range: { start: v.range.start, end: { line: v.range.start.line, character: start - 1 } } }, initNames, synonyms.inits);
        return undefined;
      }
      const value = this.number(numberToken, 'init=const:', { ...RULES.constant, example: 'init=const:0.5' });
      return value === undefined ? undefined : { kind: 'const', value };
    }
    if (v.kind === 'word' && v.text === 'const') {
      this.error('missing-value', v.range, 'init=const needs the weight value', 'write init=const:V, e.g. init=const:0.5', [
        { title: 'Change to const:0.5', range: v.range, newText: 'const:0.5' },
      ]);
      return undefined;
    }
    if (v.kind === 'word' && (initNames as string[]).includes(v.text)) return { kind: v.text as 'uniform' | 'normal' | 'xavier' | 'he' };
    this.unknownWord('unknown-init', 'init scheme', v, initNames, synonyms.inits, `init schemes: uniform, normal, xavier, he, const:V`);
    return undefined;
  }

  private loss(statement: Statement): void {
    if (!this.needArgs(statement, 1, '`loss` needs a cost: mse, bce or cce')) return;
    this.noMoreArgs(statement, 1);
    const arg = statement.args[0];
    if (arg.kind === 'word' && (costNames as string[]).includes(arg.text)) {
      this.spec.loss = arg.text as LossName;
      this.accepted.add(statement);
      return;
    }
    this.unknownWord('unknown-loss', 'loss', arg, costNames, synonyms.costs, `losses: ${list(costNames)}`);
  }

  private optimizer(statement: Statement, options: Map<string, OptionNode>): void {
    const [kind, bare] = statement.args;
    if (!kind) {
      const at = statement.keyword.range.end;
      this.error('missing-argument', statement.range, '`optimizer` needs its kind: sgd', 'e.g. `optimizer sgd rate=0.5`', [
        { title: 'Add sgd', range: { start: at, end: at }, newText: ' sgd' },
      ]);
    } else if (!(kind.kind === 'word' && (optimizerNames as string[]).includes(kind.text))) {
      const guess = kind.kind === 'word' ? suggest(kind.text, optimizerNames) : undefined;
      if (guess) {
        this.unknownWord('unknown-optimizer', 'optimizer', kind, optimizerNames, {});
      } else {
        this.error('unknown-optimizer', kind.range, `unknown optimizer ${quote(kind)}`, 'NNSpec has only sgd, with momentum= if wanted: e.g. `optimizer sgd rate=0.01 momentum=0.9`', [
          { title: 'Change to sgd', range: kind.range, newText: 'sgd' },
        ]);
      }
    }
    const o = this.spec.optimizer;
    let rateGiven = false;
    if (bare) {
      const rateOption = options.get('rate');
      if (rateOption) {
        this.error('duplicate-option', rateOption.key.range, `the rate is given twice: as ${bare.text} and as rate=${rateOption.value.text}`, 'keep one of them');
        options.delete('rate');
      }
      const rate = this.number(bare, 'rate', RULES.rate);
      if (rate !== undefined) o.rate = rate;
      rateGiven = true;
      this.noMoreArgs(statement, 2, 'options are written key=value: rate=0.5 momentum=0.9 decay=0.99');
    }
    const read = (key: 'rate' | 'momentum' | 'decay'): void => {
      const option = options.get(key);
      if (!option) return;
      const value = this.number(option.value, key, RULES[key]);
      if (value !== undefined) o[key] = value;
    };
    if (!rateGiven) read('rate');
    read('momentum');
    read('decay');
    this.accepted.add(statement);
  }

  private batch(statement: Statement): void {
    if (!this.needArgs(statement, 1, '`batch` needs a size or `full`')) return;
    this.noMoreArgs(statement, 1);
    const arg = statement.args[0];
    if (arg.kind === 'word') {
      if (arg.text === 'full') {
        this.spec.batch = 'full';
        this.accepted.add(statement);
        return;
      }
      const guess = suggest(arg.text, ['full'], { all: 'full', whole: 'full', max: 'full', none: 'full', entire: 'full' });
      if (guess) {
        this.error('not-a-number', arg.range, `expected a number or \`full\` for batch, got '${arg.text}'`, "did you mean 'full'?", [
          { title: 'Change to full', range: arg.range, newText: 'full' },
        ]);
        return;
      }
    }
    const size = this.number(arg, 'batch', RULES.batch);
    if (size === undefined) return;
    this.spec.batch = size;
    this.accepted.add(statement);
  }

  private init(statement: Statement): void {
    if (!this.needArgs(statement, 1, '`init` needs a scheme: uniform, normal, xavier, he or const V')) return;
    const [scheme, value] = statement.args;
    if (scheme.kind === 'word' && /^const:/.test(scheme.text)) {
      // `init const:0.5`, the per-layer spelling, is accepted here too.
      this.noMoreArgs(statement, 1);
      const init = this.layerInit({ key: statement.keyword, value: scheme, range: scheme.range });
      if (init) {
        this.spec.init = init;
        this.accepted.add(statement);
      }
      return;
    }
    if (scheme.kind === 'word' && scheme.text === 'const') {
      if (!value) {
        this.error('missing-argument', statement.range, '`init const` needs the weight value', 'e.g. `init const 0.5`');
        return;
      }
      this.noMoreArgs(statement, 2);
      const v = this.number(value, 'init const', RULES.constant);
      if (v === undefined) return;
      this.spec.init = { kind: 'const', value: v };
      this.accepted.add(statement);
      return;
    }
    this.noMoreArgs(statement, 1);
    if (scheme.kind === 'word' && (initNames as string[]).includes(scheme.text)) {
      this.spec.init = { kind: scheme.text as 'uniform' | 'normal' | 'xavier' | 'he' };
      this.accepted.add(statement);
      return;
    }
    this.unknownWord('unknown-init', 'init scheme', scheme, initNames, synonyms.inits, 'init schemes: uniform, normal, xavier, he, const V');
  }

  private normalize(statement: Statement): void {
    if (!this.needArgs(statement, 1, '`normalize` needs a mode: none, minmax or zscore')) return;
    this.noMoreArgs(statement, 1);
    const arg = statement.args[0];
    if (arg.kind === 'word' && (normalizeNames as string[]).includes(arg.text)) {
      this.spec.normalize = arg.text as Normalize;
      this.accepted.add(statement);
      return;
    }
    this.unknownWord('unknown-normalize', 'normalize mode', arg, normalizeNames, synonyms.normalize);
  }

  private data(statement: Statement, options: Map<string, OptionNode>): void {
    if (!this.needArgs(statement, 1, '`data` needs a source: a built-in set, a "file", or inline')) return;
    const [source, second] = statement.args;
    /** Reports the options outside `allowed` for this kind of source. */
    const only = (allowed: string[], kind: string, hint: (key: string) => string): void => {
      for (const [key, option] of options) {
        if (allowed.includes(key)) continue;
        this.error('option-not-for-data', option.key.range, `option '${key}=' does not apply to ${kind}`, hint(key), [
          { title: `Remove ${key}=`, range: option.range, newText: '' },
        ]);
        options.delete(key);
      }
    };
    const appliesTo = (key: string): string => {
      switch (key) {
        case 'n': return `n= applies to ${list(vocabulary.datasets.filter((d) => d.options.includes('n')).map((d) => d.name))} and IDX files`;
        case 'noise': return `noise= applies to ${list(vocabulary.datasets.filter((d) => d.options.includes('noise')).map((d) => d.name))}`;
        case 'label':
        case 'header': return `${key}= applies to CSV files`;
        default: return `${key}= applies to IDX image files`;
      }
    };
    const count = (min = 1, max?: number): number | undefined => {
      const option = options.get('n');
      if (!option) return undefined;
      const rule = max === undefined ? RULES.n : { ...RULES.n, min, max, text: `must be a whole number from ${min} to ${formatCount(max)}` };
      return this.number(option.value, 'n', rule);
    };

    let data: DataSpec | undefined;
    if (source.kind === 'word' && source.text === 'inline') {
      this.noMoreArgs(statement, 1, 'rows go on the lines below `data inline`, then `end`');
      only([], '`data inline`', appliesTo);
      const rows = statement.rows ?? [];
      if (rows.length === 0 && statement.endRange) {
        this.error('inline-empty', span(statement.keyword.range, source.range), '`data inline` has no rows', 'write rows like `0 1 -> 1` between `data inline` and `end`');
      }
      data = { kind: 'inline', rows, range: statement.range };
    } else if (source.kind === 'word' && (datasetNames as string[]).includes(source.text)) {
      const doc = datasetDoc(source.text)!;
      this.noMoreArgs(statement, 1);
      only(doc.options, `\`data ${doc.name}\``, appliesTo);
      data = { kind: 'builtin', name: doc.name, range: statement.range };
      const n = count(doc.minCount, doc.maxCount);
      if (n !== undefined) data.n = n;
      const noiseOption = options.get('noise');
      if (noiseOption) {
        const noise = this.number(noiseOption.value, 'noise', RULES.noise);
        if (noise !== undefined) data.noise = noise;
      }
    } else if (source.kind === 'string') {
      const labelsOption = options.get('labels');
      if (labelsOption || second?.kind === 'string') {
        let labels: string | undefined;
        if (labelsOption) {
          this.noMoreArgs(statement, 1);
          const v = labelsOption.value;
          if (v.kind === 'string' || v.kind === 'word') labels = v.text;
          else this.error('not-a-number', v.range, `labels= needs a file name in quotes, got ${quote(v)}`, 'e.g. labels="train-labels-idx1-ubyte"');
        } else {
          labels = second.text;
          this.error('labels-positional', second.range, 'the label file is given as labels="…"', `write labels="${second.text}"`, [
            { title: 'Add labels=', range: { start: second.range.start, end: second.range.start }, newText: 'labels=' },
          ]);
          this.noMoreArgs(statement, 2);
        }
        only(['labels', 'n'], 'IDX image files', appliesTo);
        const n = count();
        if (labels !== undefined) {
          data = { kind: 'idx', images: source.text, labels, range: statement.range };
          if (n !== undefined) data.n = n;
        }
      } else {
        this.noMoreArgs(statement, 1);
        only(['label', 'header'], 'CSV files', appliesTo);
        data = { kind: 'csv', path: source.text, label: 'last', range: statement.range };
        const label = options.get('label');
        if (label) data.label = label.value.text;
        const header = options.get('header');
        if (header) {
          const h = this.boolean(header);
          if (h !== undefined) data.header = h;
        }
      }
      if (source.text.trim() === '') {
        this.error('missing-argument', source.range, 'the file name is empty', 'e.g. `data "points.csv"`');
        data = undefined;
      }
    } else if (source.kind === 'word' && /[./\\]/.test(source.text)) {
      this.error('unknown-dataset', source.range, `unknown data set '${source.text}'`, `a file name goes in quotes: data "${source.text}"`, [
        { title: 'Add quotes', range: source.range, newText: `"${source.text}"` },
      ]);
    } else {
      const guess = source.kind === 'word' ? suggest(source.text, datasetNames, synonyms.datasets) : undefined;
      if (guess === 'digits' && source.text.toLowerCase() === 'mnist') {
        this.error('unknown-dataset', source.range, `unknown data set '${source.text}'`, "did you mean 'digits', 10,000 MNIST digits? For the full MNIST give its IDX files: data \"train-images-idx3-ubyte\" labels=\"train-labels-idx1-ubyte\"", [
          { title: "Change to 'digits'", range: source.range, newText: 'digits' },
        ]);
      } else {
        this.unknownWord('unknown-dataset', 'data set', source, datasetNames, synonyms.datasets, `built-in sets: ${list(datasetNames)}; files go in quotes; or \`data inline\``);
      }
    }
    if (data) {
      this.spec.data = data;
      this.accepted.add(statement);
    }
  }

  // -------------------------------------------------------------------------
  // Pass 3: the whole spec

  private checkWhole(): void {
    const origin = makeRange(0, 0, 0, 0);
    if (!this.byKeyword.has('input')) this.error('missing-input', origin, 'the spec has no `input` statement', 'add a line such as `input 2`, the count of numbers in one sample');
    if (this.dense.length === 0) this.error('missing-dense', origin, 'the spec has no `dense` layer', 'add layers such as `dense 4 tanh` then `dense 1 sigmoid`');
    if (!this.byKeyword.has('data')) this.error('missing-data', origin, 'the spec has no `data` statement', 'add a line such as `data xor`');

    // Layers, with the file's init for those without their own.
    const complete = this.dense.every((d) => d.units !== undefined && d.activation !== undefined);
    this.spec.layers = this.dense
      .filter((d) => d.units !== undefined && d.activation !== undefined)
      .map((d, i) => ({
        index: i + 1,
        units: d.units!,
        activation: d.activation!,
        bias: d.bias,
        init: d.init ?? { ...this.spec.init },
        range: d.statement.range,
      }));

    this.checkOutputLayer();

    if (complete && this.spec.layers.length > 0 && this.spec.input.size > 0) {
      const count = parameterCount(this.spec);
      if (count > this.maxParameters) {
        let largest = this.dense[0];
        let largestCount = -1;
        let previous = this.spec.input.size;
        for (const d of this.dense) {
          const c = d.units! * previous + (d.bias ? d.units! : 0);
          if (c > largestCount) [largest, largestCount] = [d, c];
          previous = d.units!;
        }
        this.error(
          'too-many-parameters',
          largest.unitsToken?.range ?? largest.statement.range,
          `the network has ${formatCount(count)} parameters, more than the ceiling of ${formatCount(this.maxParameters)}`,
          'make the layers smaller, or raise the setting `nnspec.maxParameters`',
        );
      }
    }

    this.checkValidationSize();
    this.checkConstantSymmetry();
  }

  /**
   * With constant weights into and out of a hidden layer, its units compute the same z, receive
   * the same δ and so stay identical for ever: the layer acts as one unit.
   */
  private checkConstantSymmetry(): void {
    const constant = (d: DenseInfo): boolean => (d.init ?? this.spec.init).kind === 'const';
    const fileWide: number[] = [];
    for (let i = 0; i + 1 < this.dense.length; i++) {
      const d = this.dense[i];
      // Equal incoming weights and equal outgoing weights (the next layer constant too).
      if (d.units === undefined || d.units < 2 || !constant(d) || !constant(this.dense[i + 1])) continue;
      const layer = i + 1;
      if (d.init?.kind === 'const') {
        this.warning('const-init-symmetry', d.initToken!.range, `with a constant init the ${d.units} units of layer ${layer} start equal, get equal gradients and stay equal`, `use a random init for a hidden layer, e.g. init=xavier`);
      } else {
        fileWide.push(layer);
      }
    }
    const statement = this.byKeyword.get('init');
    if (fileWide.length > 0 && statement && this.accepted.has(statement)) {
      const layers = fileWide.length === 1 ? `layer ${fileWide[0]}` : `layers ${fileWide.slice(0, -1).join(', ')} and ${fileWide[fileWide.length - 1]}`;
      this.warning(
        'const-init-symmetry',
        span(statement.args[0].range, statement.args[statement.args.length - 1].range),
        `with init const the units of hidden ${layers} start equal, get equal gradients and stay equal`,
        'use a random init such as the default xavier; keep constants for single-unit layers',
      );
    }
  }

  private checkOutputLayer(): void {
    const last = this.dense[this.dense.length - 1];
    for (const d of this.dense) {
      if (d !== last && d.activation === 'softmax') {
        this.error('softmax-not-last', d.activationToken!.range, 'softmax is only allowed on the last layer', 'use relu, tanh or sigmoid in hidden layers');
      }
    }
    if (!last || last.activation === undefined) return;
    const token = last.activationToken!;
    const act = last.activation;
    const lossStatement = this.byKeyword.get('loss');
    const lossToken = lossStatement && this.accepted.has(lossStatement) ? lossStatement.args[0] : undefined;
    const loss = this.spec.loss;
    if (loss === 'cce' && act !== 'softmax') {
      this.error('cce-needs-softmax', token.range, `loss cce needs a softmax output layer, but the last layer is ${token.text}`, 'make the last layer softmax, one unit per class', [
        { title: 'Change to softmax', range: token.range, newText: 'softmax' },
      ]);
    } else if (loss === 'bce' && act !== 'sigmoid' && act !== 'softmax') {
      const range = vocabulary.activations.find((a) => a.name === act)!.range;
      this.error('bce-needs-sigmoid', token.range, `loss bce needs outputs in (0, 1), but the last layer is ${token.text}, with outputs in ${range}`, 'make the last layer sigmoid', [
        { title: 'Change to sigmoid', range: token.range, newText: 'sigmoid' },
      ]);
    } else if (act === 'softmax' && loss !== 'cce') {
      const fixes = lossToken ? [{ title: 'Change to cce', range: lossToken.range, newText: 'cce' }] : undefined;
      this.warning('softmax-without-cce', lossToken?.range ?? token.range, `a softmax output with loss ${loss}: softmax is meant for cce, where δᴸ = aᴸ − y`, lossToken ? 'write `loss cce`' : 'add `loss cce`', fixes);
    }
    if (act === 'softmax' && last.units === 1) {
      this.warning('softmax-single-unit', last.unitsToken!.range, 'softmax over 1 unit always outputs 1, so the network cannot learn', 'for two classes use `dense 1 sigmoid` with `loss bce`, or one softmax unit per class');
    }
  }

  /** A held-out part of a tiny data set says little and starves training. */
  private checkValidationSize(): void {
    const statement = this.byKeyword.get('validation');
    const data = this.spec.data;
    if (!statement || !this.accepted.has(statement) || this.spec.validation <= 0 || !data) return;
    // Only for rows written in the spec: the built-in sets are meant to be used as they come.
    if (data.kind !== 'inline') return;
    const count = data.rows.length;
    if (count < 2 || count >= 20) return;
    const held = Math.min(count - 1, Math.max(1, Math.round(count * this.spec.validation)));
    this.warning(
      'validation-small-data',
      statement.args[0].range,
      `validation ${statement.args[0].text} holds out ${held} of only ${count} samples`,
      'training loses them and the validation loss measures too few; use `validation 0` for data this small',
    );
  }
}
