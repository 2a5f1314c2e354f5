/**
 * What the passes of the parser share: the lines, the statements read so far, the spec being
 * built, and the diagnostics, with the helpers every statement uses to read its values
 * (a number within bounds, a boolean, the right count of arguments) and report what is wrong.
 */
import {
  type Diagnostic,
  type Fix,
  type InitSpec,
  type NetworkSpec,
  type OptionNode,
  type Range,
  type Severity,
  type Statement,
  type Token,
} from '../spec';
import { type DiagnosticCode } from './diagnostics';
import { splitLines, type LexToken } from './lexer';
import { suggest } from './suggest';
import { DEFAULTS, keywordDoc, synonyms, vocabulary } from './vocabulary';
import { type Activation } from '../spec';
import { span } from './diagnostics';

export interface ParseOptions {
  /** Ceiling on weights + biases (default DEFAULTS.maxParameters, 5,000,000). */
  maxParameters?: number;
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
export interface DenseInfo {
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
export interface NumberRule {
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

export const MAX_SEED = 4294967295;

export const RULES = {
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


export function toToken(t: LexToken): Token {
  return { text: t.text, range: t.range, kind: t.kind === 'equals' ? 'word' : t.kind };
}

export function quote(t: Token): string {
  return t.kind === 'string' ? `"${t.text}"` : `'${t.text}'`;
}

export function list(words: readonly string[]): string {
  return words.join(', ');
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** The state of one parse; the passes (statements.ts, interpret.ts, whole.ts) read and add to it. */
export class ParseContext {
  readonly lines: string[];
  readonly diagnostics: Diagnostic[] = [];
  readonly statements: Statement[] = [];
  /** The first statement of each keyword. */
  readonly byKeyword = new Map<string, Statement>();
  readonly spec: NetworkSpec = defaultSpec();
  /** The `dense` lines in order, as far as each was valid. */
  readonly dense: DenseInfo[] = [];
  /** Statements whose value was accepted (the spec took it from them). */
  readonly accepted = new Set<Statement>();
  readonly maxParameters: number;

  constructor(text: string, options: ParseOptions) {
    this.lines = splitLines(text);
    const max = options.maxParameters;
    this.maxParameters = typeof max === 'number' && max > 0 ? max : DEFAULTS.maxParameters;
  }

  report(severity: Severity, code: DiagnosticCode, range: Range, message: string, hint?: string, fixes?: Fix[]): void {
    const d: Diagnostic = { severity, range, message, code };
    if (hint) d.hint = hint;
    if (fixes && fixes.length > 0) d.fixes = fixes;
    this.diagnostics.push(d);
  }

  error(code: DiagnosticCode, range: Range, message: string, hint?: string, fixes?: Fix[]): void {
    this.report('error', code, range, message, hint, fixes);
  }

  warning(code: DiagnosticCode, range: Range, message: string, hint?: string, fixes?: Fix[]): void {
    this.report('warning', code, range, message, hint, fixes);
  }

  /** "unknown activation 'sigmod'" + "did you mean 'sigmoid'?" with a fix, or the list of choices. */
  unknownWord(
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

  /** The keyword whose option this word is (or means: `learning_rate` → rate of optimizer). */
  optionOwner(word: string): { name: string; owner: string; example: string } | undefined {
    const squashed = word.toLowerCase().replace(/[_\-\s.]/g, '');
    const name = Object.entries(synonyms.options).find(([from]) => from === squashed)?.[1] ?? word;
    for (const k of vocabulary.keywords) {
      const option = k.options.find((o) => o.name === name);
      // `init` is a keyword itself; `n` alone is too short to guess from.
      if (option && name !== 'n') return { name, owner: k.name, example: option.example };
    }
    return undefined;
  }

  /** Reports a missing positional argument (range: the statement) unless there are `want`. */
  needArgs(statement: Statement, want: number, message: string): boolean {
    if (statement.args.length >= want) return true;
    const doc = keywordDoc(statement.keyword.text)!;
    this.error('missing-argument', statement.range, message, `e.g. \`${doc.example}\``);
    return false;
  }

  /** Reports arguments beyond the first `keep`. */
  noMoreArgs(statement: Statement, keep: number, hint?: string): void {
    if (statement.args.length <= keep) return;
    const extra = statement.args.slice(keep);
    const r = span(extra[0].range, extra[extra.length - 1].range);
    const doc = keywordDoc(statement.keyword.text)!;
    const what = extra.length === 1 ? quote(extra[0]) : `${quote(extra[0])} and what follows`;
    this.error('extra-argument', r, `unexpected ${what} after \`${statement.keyword.text}\``, hint ?? `syntax: ${doc.syntax}`);
  }

  /** A number within the rule, or undefined after reporting what is wrong with the token. */
  number(token: Token, what: string, rule: NumberRule): number | undefined {
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

  boolean(option: OptionNode): boolean | undefined {
    const v = option.value;
    if (v.kind === 'word' && (v.text === 'true' || v.text === 'false')) return v.text === 'true';
    const guess = v.kind === 'word' ? suggest(v.text, ['true', 'false'], { yes: 'true', on: 'true', no: 'false', off: 'false', '1': 'true', '0': 'false' }) : undefined;
    const fixes = guess ? [{ title: `Change to ${guess}`, range: v.range, newText: guess }] : undefined;
    this.error('bad-boolean', v.range, `${option.key.text}= must be true or false, got ${quote(v)}`, guess ? `did you mean '${guess}'?` : `write ${option.key.text}=true or ${option.key.text}=false`, fixes);
    return undefined;
  }
}
