/**
 * Pass 1: lines → statements. A statement is one line: its keyword, positional arguments and
 * key=value options; `data inline` gathers the rows below it up to `end`.
 */
import type { InlineRow, OptionNode, Range, Statement } from '../spec';
import { formatCount, shorten, quote, toToken, list, type ParseContext } from './context';
import { MAX_STATEMENTS, span } from './diagnostics';
import { lexLine, type LexToken } from './lexer';
import { DEFAULTS, keywordDoc, keywordNames, synonyms } from './vocabulary';

export function readStatements(cx: ParseContext): void {
  /** The open `data inline` statement and the widths of its first row. */
  let inline: { statement: Statement; head: Range; width?: { x: number; y: number; line: number } } | null = null;
  let lastContentLine = -1;
  let layers = 0;
  let pastLayers: Statement | undefined;
  let pastStatements: Statement | undefined;
  const seen = new Set<string>();
  for (let line = 0; line < cx.lines.length; line++) {
    const { tokens } = lexLine(cx.lines[line], line);
    if (tokens.length === 0) continue;
    for (const t of tokens) {
      if (t.unterminated) {
        const q = cx.lines[line][t.range.start.character];
        cx.error('unterminated-string', t.range, `the string ${q}${shorten(t.text)} has no closing quote`, `add ${q} at its end`, [
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
          cx.error('extra-argument', extra, '`end` takes nothing after it', 'put `end` alone on its line');
        }
        inline = null;
        lastContentLine = line;
        continue;
      }
      if (first.kind === 'word' && !tokens.some((t) => t.kind === 'arrow')) {
        missingEnd(cx, inline.head, lastContentLine);
        inline = null;
        // …and read this line as the statement it is.
      } else {
        const row = readRow(cx, tokens, inline.width);
        if (row) {
          inline.width ??= { x: row.x.length, y: row.y.length, line };
          inline.statement.rows!.push(row);
          inline.statement.range = span(inline.statement.range, row.range);
        }
        lastContentLine = line;
        continue;
      }
    }
    const statement = readStatement(cx, tokens);
    lastContentLine = line;
    if (!statement) continue;
    if (admit(statement)) cx.statements.push(statement);
    const arg = statement.args[0];
    if (statement.keyword.text === 'data' && arg?.kind === 'word' && arg.text === 'inline') {
      statement.rows = [];
      inline = { statement, head: span(statement.keyword.range, arg.range) };
    }
  }
  if (inline) missingEnd(cx, inline.head, lastContentLine);
  // Kept even when the diagnostics are full: they say why lines were not read.
  cx.keepAll = true;
  if (pastLayers) {
    cx.error('too-many-layers', pastLayers.keyword.range, `the spec has ${formatCount(layers)} \`dense\` layers, more than the ceiling of ${formatCount(DEFAULTS.maxLayers)}`, `layers from line ${pastLayers.range.start.line + 1} on are not read; a network this deep does not train by plain backprop`);
  }
  if (pastStatements) {
    cx.error('too-many-statements', pastStatements.keyword.range, `the spec has more than ${formatCount(MAX_STATEMENTS)} statements`, `from line ${pastStatements.range.start.line + 1} on only the first statement of each keyword is read`);
  }
  cx.keepAll = false;

  /**
   * Whether pass 2 reads the statement: not past DEFAULTS.maxLayers `dense` lines, and past
   * MAX_STATEMENTS only a keyword's first. What is left out is said once, at its first line.
   */
  function admit(statement: Statement): boolean {
    const keyword = statement.keyword.text;
    if (keyword === 'dense' && ++layers > DEFAULTS.maxLayers) {
      pastLayers ??= statement;
      return false;
    }
    const first = !seen.has(keyword);
    seen.add(keyword);
    if (cx.statements.length >= MAX_STATEMENTS && !first) {
      pastStatements ??= statement;
      return false;
    }
    return true;
  }
}

function missingEnd(cx: ParseContext, head: Range, lastLine: number): void {
  const at = { line: lastLine, character: cx.lines[lastLine].length };
  cx.error('missing-end', head, '`data inline` is not closed by `end`', `add a line \`end\` after the last row, line ${lastLine + 1}`, [
    { title: 'Add `end`', range: { start: at, end: at }, newText: '\nend' },
  ]);
}

function readStatement(cx: ParseContext, tokens: LexToken[]): Statement | null {
  const first = tokens[0];
  const whole = span(first.range, tokens[tokens.length - 1].range);
  if (first.kind !== 'word') {
    const isRow = tokens.some((t) => t.kind === 'arrow');
    cx.error(
      'expected-keyword',
      isRow ? whole : first.range,
      isRow ? 'an inline data row outside `data inline … end`' : `a statement starts with a keyword, not ${first.kind === 'equals' ? "'='" : quote(toToken(first))}`,
      isRow ? 'put rows between a line `data inline` and a line `end`' : `keywords: ${list(keywordNames.filter((k) => k !== 'end'))}`,
    );
    return null;
  }
  if (first.text === 'end') {
    cx.error('stray-end', first.range, '`end` without `data inline` before it', 'remove it, or add `data inline` and rows above it', [
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
      cx.error('missing-key', value ? span(t.range, value.range) : t.range, "'=' without an option name before it", 'write options as key=value, e.g. rate=0.5');
      i += value ? 2 : 1;
      continue;
    }
    if (next?.kind === 'equals' && t.range.end.character < next.range.start.character && !looksLikeOption(cx, first.text, t.text)) {
      // `optimizer sgd =0.5`: a value, then an option that lost its name.
      statement.args.push(toToken(t));
      i++;
      continue;
    }
    if (next?.kind === 'equals') {
      const value = tokens[i + 2];
      if (!value || value.kind === 'equals' || value.kind === 'arrow') {
        const example = keywordDoc(first.text)?.options.find((o) => o.name === t.text)?.example;
        cx.error('missing-value', span(t.range, next.range), `option '${shorten(t.text)}=' has no value`, example ? `e.g. ${example}` : 'write key=value');
        i += 2;
        continue;
      }
      const option: OptionNode = { key: toToken(t), value: toToken(value), range: span(t.range, value.range) };
      statement.options.push(option);
      i += 3;
      continue;
    }
    if (t.kind === 'arrow') {
      cx.error('unexpected-arrow', t.range, "'->' belongs in the rows of `data inline`", 'put rows between a line `data inline` and a line `end`');
      i++;
      continue;
    }
    statement.args.push(toToken(t));
    i++;
  }
  return statement;
}

/** Whether `word` is, or is meant as, an option (of any keyword: `bias = false` under `dense`). */
function looksLikeOption(cx: ParseContext, keyword: string, word: string): boolean {
  const options = keywordDoc(keyword)?.options.map((o) => o.name) ?? [];
  return options.includes(word) || cx.optionOwner(word) !== undefined || cx.suggest(word, options, synonyms.options) !== undefined;
}

/** `x1 x2 … -> y1 y2 …`; undefined (and diagnostics) when the row cannot be used. */
function readRow(cx: ParseContext, tokens: LexToken[], width: { x: number; y: number; line: number } | undefined): InlineRow | undefined {
  const whole = span(tokens[0].range, tokens[tokens.length - 1].range);
  const arrows = tokens.filter((t) => t.kind === 'arrow');
  if (arrows.length === 0) {
    cx.error('missing-arrow', whole, "inline row has no '->' between its inputs and targets", 'e.g. `0 1 -> 1`');
    return undefined;
  }
  if (arrows.length > 1) {
    cx.error('extra-arrow', arrows[1].range, "inline row has more than one '->'", 'one row is `inputs -> targets`, e.g. `0 1 -> 1`');
    return undefined;
  }
  const at = tokens.indexOf(arrows[0]);
  let ok = true;
  const numbers = (part: LexToken[]): number[] =>
    part.map((t) => {
      if (t.kind !== 'number') {
        ok = false;
        cx.error('not-a-number', t.range, `expected a number in the inline row, got ${t.kind === 'equals' ? "'='" : quote(toToken(t))}`, 'a row holds numbers only: inputs -> targets');
        return NaN;
      }
      return Number(t.text);
    });
  const x = numbers(tokens.slice(0, at));
  const y = numbers(tokens.slice(at + 1));
  if (!ok) return undefined;
  if (x.length === 0 || y.length === 0) {
    cx.error('inline-row-empty', whole, x.length === 0 ? "inline row has no inputs before '->'" : "inline row has no targets after '->'", 'e.g. `0 1 -> 1`');
    return undefined;
  }
  if (width && (x.length !== width.x || y.length !== width.y)) {
    const [what, got, want] = x.length !== width.x ? ['inputs', x.length, width.x] : ['targets', y.length, width.y];
    cx.error('inline-row-width', whole, `inline row has ${got} ${what}, but the first row (line ${width.line + 1}) has ${want}`, 'every row needs the same number of inputs and of targets');
    return undefined;
  }
  return { x, y, range: whole };
}
