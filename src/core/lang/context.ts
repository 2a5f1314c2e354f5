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
import { MAX_DIAGNOSTICS, type DiagnosticCode } from './diagnostics';
import { splitLines, type LexToken } from './lexer';
import { isNumberText } from './numbers';
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
  /** `dropout=p` and its value token. */
  dropout?: number;
  dropoutToken?: Token;
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
  l1: { min: 0, text: 'must be ≥ 0', example: 'l1 0.0001' },
  dropout: { min: 0, max: 1, maxExclusive: true, text: 'must be in [0, 1)', example: 'dense 64 relu dropout=0.2' },
  beta1: { min: 0, max: 1, maxExclusive: true, text: 'must be in [0, 1)', example: 'beta1=0.9' },
  beta2: { min: 0, max: 1, maxExclusive: true, text: 'must be in [0, 1)', example: 'beta2=0.999' },
  rho: { min: 0, max: 1, maxExclusive: true, text: 'must be in [0, 1)', example: 'rho=0.99' },
  epsilon: { min: 0, minExclusive: true, text: 'must be > 0', example: 'epsilon=1e-8' },
  patience: { integer: true, min: 0, text: 'must be a whole number ≥ 0', example: 'stop patience=5' },
  goal: { text: 'must be a finite number', example: 'stop goal=0.01' },
  min_delta: { min: 0, text: 'must be ≥ 0', example: 'stop patience=5 min_delta=0.001' },
  seed: { integer: true, min: 0, max: MAX_SEED, text: `must be a whole number from 0 to ${MAX_SEED}`, example: 'seed 7' },
  validation: { min: 0, max: 1, maxExclusive: true, text: 'must be in [0, 1)', example: 'validation 0.2' },
  n: { integer: true, min: 1, text: 'must be a whole number ≥ 1', example: 'n=200' },
  noise: { min: 0, text: 'must be ≥ 0', example: 'noise=0.1' },
  constant: { text: 'must be a finite number', example: 'init const 0.5' },
} satisfies Record<string, NumberRule>;


/** The lexer's token as a syntax-tree token (the same object unless it is `=`: one allocation less a token). */
export function toToken(t: LexToken): Token {
  if (t.kind === 'equals') return { text: t.text, range: t.range, kind: 'word' };
  return t as Token;
}

/** Longest user text a message quotes whole; longer tokens show their start, an ellipsis and their length. */
export const MAX_QUOTED = 40;

/** 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa… (100,000 characters)' for a token too long to repeat in a message. */
export function shorten(text: string): string {
  if (text.length <= MAX_QUOTED) return text;
  return `${text.slice(0, MAX_QUOTED - 10)}… (${formatCount(text.length)} characters)`;
}

export function quote(t: Token): string {
  return t.kind === 'string' ? `"${shorten(t.text)}"` : `'${shorten(t.text)}'`;
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
  /**
   * Diagnostics past MAX_DIAGNOSTICS, by severity, not kept (pass 3 keeps all of its few: they
   * say what the file as a whole lacks). `finish` sums them up in one diagnostic.
   */
  private readonly dropped = { error: 0, warning: 0, info: 0 };
  private firstDropped: Range | undefined;
  /** While set, diagnostics are kept past the cap and listed in any case (pass 3; the parser's own limits). */
  keepAll = false;
  private readonly pinned = new Set<Diagnostic>();

  constructor(text: string, options: ParseOptions) {
    this.lines = splitLines(text);
    const max = options.maxParameters;
    this.maxParameters = typeof max === 'number' && max > 0 ? max : DEFAULTS.maxParameters;
  }

  report(severity: Severity, code: DiagnosticCode, range: Range, message: string, hint?: string, fixes?: Fix[]): void {
    if (this.full) {
      this.dropped[severity]++;
      this.firstDropped ??= range;
      return;
    }
    const d: Diagnostic = { severity, range, message, code };
    if (hint) d.hint = hint;
    if (fixes && fixes.length > 0) d.fixes = fixes;
    this.diagnostics.push(d);
    if (this.keepAll) this.pinned.add(d);
  }

  /** Enough diagnostics kept: a caller can skip work (suggestions) whose only use is a message. */
  get full(): boolean {
    return this.diagnostics.length - this.pinned.size >= MAX_DIAGNOSTICS && !this.keepAll;
  }

  /** `suggest`, skipped once the diagnostics are full (a million misspelt lines stay fast). */
  suggest(word: string, candidates: readonly string[], synonyms: Readonly<Record<string, string>> = {}): string | undefined {
    return this.full ? undefined : suggest(word, candidates, synonyms);
  }

  /** The diagnostics in file order, at most MAX_DIAGNOSTICS, the rest summed up in one more. */
  finish(): Diagnostic[] {
    const byPosition = (a: Diagnostic, b: Diagnostic): number => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
    const all = this.diagnostics.sort(byPosition);
    if (all.length - this.pinned.size <= MAX_DIAGNOSTICS && this.firstDropped === undefined) return all;
    // The first MAX_DIAGNOSTICS in file order, and the pinned ones wherever they are.
    const counts = { ...this.dropped };
    const kept: Diagnostic[] = [];
    let listed = 0;
    let at: Range | undefined;
    for (const d of all) {
      if (this.pinned.has(d)) kept.push(d);
      else if (listed < MAX_DIAGNOSTICS) {
        kept.push(d);
        listed++;
      } else {
        counts[d.severity]++;
        at ??= d.range;
      }
    }
    at ??= this.firstDropped!;
    const parts = [
      counts.error > 0 ? `${formatCount(counts.error)} more error${counts.error === 1 ? '' : 's'}` : '',
      counts.warning > 0 ? `${formatCount(counts.warning)} more warning${counts.warning === 1 ? '' : 's'}` : '',
      counts.info > 0 ? `${formatCount(counts.info)} more note${counts.info === 1 ? '' : 's'}` : '',
    ].filter((p) => p !== '');
    kept.push({
      severity: counts.error > 0 ? 'error' : counts.warning > 0 ? 'warning' : 'info',
      range: at,
      message: `and ${parts.join(' and ')} from here on, not listed`,
      hint: `only the first ${formatCount(MAX_DIAGNOSTICS)} problems of a file are listed; fix these and check again`,
      code: 'too-many-diagnostics',
    });
    return kept.sort(byPosition);
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
    const guess = token.kind === 'word' ? this.suggest(token.text, candidates, words) : undefined;
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
    this.error('extra-argument', r, `unexpected ${what} after \`${shorten(statement.keyword.text)}\``, hint ?? `syntax: ${doc.syntax}`);
  }

  /** A number within the rule, or undefined after reporting what is wrong with the token. */
  number(token: Token, what: string, rule: NumberRule): number | undefined {
    if (token.kind !== 'number') {
      const percent = token.text.endsWith('%') ? token.text.slice(0, -1) : '';
      if (token.kind === 'word' && isNumberText(percent, false)) {
        const fraction = String(Number(percent) / 100);
        this.error('not-a-number', token.range, `expected a number for ${what}, got '${shorten(token.text)}'`, `write the fraction ${fraction}`, [
          { title: `Change to ${fraction}`, range: token.range, newText: fraction },
        ]);
      } else {
        this.error('not-a-number', token.range, `expected a number for ${what}, got ${quote(token)}`, `e.g. ${rule.example}`);
      }
      return undefined;
    }
    const value = Number(token.text);
    if (!Number.isFinite(value)) {
      this.error('out-of-range', token.range, `${what} is too large: ${shorten(token.text)}`, `e.g. ${rule.example}`);
      return undefined;
    }
    if (rule.integer && !Number.isInteger(value)) {
      this.error('not-an-integer', token.range, `${what} ${rule.text}, got ${shorten(token.text)}`, `e.g. ${rule.example}`);
      return undefined;
    }
    const low = rule.min !== undefined && (rule.minExclusive ? value <= rule.min : value < rule.min);
    const high = rule.max !== undefined && (rule.maxExclusive ? value >= rule.max : value > rule.max);
    if (low || high) {
      this.error('out-of-range', token.range, `${what} ${rule.text}, got ${shorten(token.text)}`, `e.g. ${rule.example}`);
      return undefined;
    }
    return value;
  }

  boolean(option: OptionNode): boolean | undefined {
    const v = option.value;
    if (v.kind === 'word' && (v.text === 'true' || v.text === 'false')) return v.text === 'true';
    const guess = v.kind === 'word' ? this.suggest(v.text, ['true', 'false'], { yes: 'true', on: 'true', no: 'false', off: 'false', '1': 'true', '0': 'false' }) : undefined;
    const fixes = guess ? [{ title: `Change to ${guess}`, range: v.range, newText: guess }] : undefined;
    this.error('bad-boolean', v.range, `${shorten(option.key.text)}= must be true or false, got ${quote(v)}`, guess ? `did you mean '${guess}'?` : `write ${shorten(option.key.text)}=true or ${shorten(option.key.text)}=false`, fixes);
    return undefined;
  }
}
