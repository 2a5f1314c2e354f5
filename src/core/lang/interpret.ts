/**
 * Pass 2: each statement into the spec. The keyword's entry in INTERPRETERS reads its arguments
 * and options (already checked against the keyword's documented options) and sets its part of
 * the spec, reporting what it cannot use.
 *
 * To add a statement: its KeywordDoc in vocabulary.ts (name, syntax, options, example), its
 * field in NetworkSpec (src/core/spec.ts) and defaultSpec (context.ts), and one entry here. The
 * Record type makes a keyword without an entry a compile error.
 */
import type { OptionNode, Statement } from '../spec';
import { shorten, RULES, list, type ParseContext } from './context';
import { data } from './dataStatement';
import { denseLayer, features, input, network } from './model';
import { batch, init, loss, normalize, optimizer, single, stop } from './training';
import { keywordDoc, keywordNames, synonyms, vocabulary, type KeywordName } from './vocabulary';

/** Reads one statement of its keyword into `cx.spec`; `options` by key, unknown and repeated ones already reported. */
export type Interpret = (cx: ParseContext, statement: Statement, options: Map<string, OptionNode>) => void;

/** One entry per keyword. */
export const INTERPRETERS: Record<KeywordName, Interpret> = {
  network,
  input,
  dense: denseLayer,
  loss,
  optimizer,
  batch,
  epochs: (cx, s) => single(cx, s, 'epochs', RULES.epochs, (v) => (cx.spec.epochs = v)),
  l2: (cx, s) => single(cx, s, 'l2', RULES.l2, (v) => (cx.spec.l2 = v)),
  l1: (cx, s) => single(cx, s, 'l1', RULES.l1, (v) => (cx.spec.l1 = v)),
  stop,
  init,
  seed: (cx, s) => single(cx, s, 'seed', RULES.seed, (v) => (cx.spec.seed = v)),
  data,
  validation: (cx, s) => single(cx, s, 'validation', RULES.validation, (v) => (cx.spec.validation = v)),
  normalize,
  features,
  end: () => {}, // read in pass 1 (statements.ts)
};

/** Unknown keywords and repeated statements are reported here; the rest go to their entry. */
export function interpret(cx: ParseContext, statement: Statement): void {
  const keyword = statement.keyword;
  const doc = keywordDoc(keyword.text);
  if (!doc) {
    const option = cx.optionOwner(keyword.text);
    if (option) {
      cx.error('unknown-keyword', keyword.range, `'${shorten(keyword.text)}' is not a keyword`, `${option.name}= is an option of \`${option.owner}\`: e.g. ${option.example}`);
      return;
    }
    cx.unknownWord('unknown-keyword', 'keyword', keyword, keywordNames.filter((k) => k !== 'end'), synonyms.keywords);
    return;
  }
  const name = doc.name;
  const first = cx.byKeyword.get(name);
  if (first && !doc.repeatable) {
    cx.error('duplicate-statement', keyword.range, `duplicate \`${name}\` statement: the first is on line ${first.range.start.line + 1}`, 'remove one of them', [
      { title: `Remove this \`${name}\` line`, range: statement.range, newText: '' },
    ]);
    return;
  }
  if (!first) cx.byKeyword.set(name, statement);
  INTERPRETERS[name](cx, statement, statementOptions(cx, statement, name));
}

/**
 * The statement's options by key, after reporting unknown and repeated ones. `data` takes
 * all its keys here and checks which apply to which source itself.
 */
function statementOptions(cx: ParseContext, statement: Statement, keyword: KeywordName): Map<string, OptionNode> {
  const allowed = keywordDoc(keyword)!.options.map((o) => o.name);
  const found = new Map<string, OptionNode>();
  for (const option of statement.options) {
    const key = option.key.text;
    if (!allowed.includes(key)) {
      if (cx.full) {
        // Counted, not listed: skip the hint's search.
        cx.error('unknown-option', option.key.range, '');
        continue;
      }
      const owner = vocabulary.keywords.find((k) => k.options.some((o) => o.name === key));
      const guess = allowed.length > 0 ? cx.suggest(key, allowed, synonyms.options) : undefined;
      const message = `unknown option '${shorten(key)}' for \`${keyword}\``;
      if (guess) {
        cx.error('unknown-option', option.key.range, message, `did you mean '${guess}'?`, [
          { title: `Change to '${guess}'`, range: option.key.range, newText: guess },
        ]);
      } else if (owner) {
        cx.error('unknown-option', option.key.range, message, `'${shorten(key)}=' belongs to \`${owner.name}\``);
      } else {
        cx.error('unknown-option', option.key.range, message, allowed.length > 0 ? `\`${keyword}\` takes: ${list(allowed.map((a) => `${a}=`))}` : `\`${keyword}\` takes no options`);
      }
      continue;
    }
    const earlier = found.get(key);
    if (earlier) {
      cx.error('duplicate-option', option.key.range, `option '${shorten(key)}=' is given twice`, `the first is at column ${earlier.key.range.start.character + 1}; remove one`);
      continue;
    }
    found.set(key, option);
  }
  return found;
}
