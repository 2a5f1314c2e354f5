/**
 * How the network learns: `loss`, `optimizer`, `batch`, `init`, `normalize`, and the
 * one-number statements (`epochs`, `l2`, `seed`, `validation`) through `single`.
 */
import type { LossName, Normalize, OptionNode, Statement } from '../spec';
import { shorten, RULES, list, quote, type NumberRule, type ParseContext } from './context';
import { layerInit } from './model';
import { costNames, initNames, normalizeNames, optimizerNames, synonyms } from './vocabulary';

/** `KEYWORD NUMBER` statements. */
export function single(cx: ParseContext, statement: Statement, what: string, rule: NumberRule, set: (value: number) => void): void {
  if (!cx.needArgs(statement, 1, `\`${what}\` needs a value`)) return;
  cx.noMoreArgs(statement, 1);
  const value = cx.number(statement.args[0], what, rule);
  if (value === undefined) return;
  set(value);
  cx.accepted.add(statement);
}

export function loss(cx: ParseContext, statement: Statement): void {
  if (!cx.needArgs(statement, 1, '`loss` needs a cost: mse, bce or cce')) return;
  cx.noMoreArgs(statement, 1);
  const arg = statement.args[0];
  if (arg.kind === 'word' && (costNames as string[]).includes(arg.text)) {
    cx.spec.loss = arg.text as LossName;
    cx.accepted.add(statement);
    return;
  }
  cx.unknownWord('unknown-loss', 'loss', arg, costNames, synonyms.costs, `losses: ${list(costNames)}`);
}

export function optimizer(cx: ParseContext, statement: Statement, options: Map<string, OptionNode>): void {
  const [kind, bare] = statement.args;
  if (!kind) {
    const at = statement.keyword.range.end;
    cx.error('missing-argument', statement.range, '`optimizer` needs its kind: sgd', 'e.g. `optimizer sgd rate=0.5`', [
      { title: 'Add sgd', range: { start: at, end: at }, newText: ' sgd' },
    ]);
  } else if (!(kind.kind === 'word' && (optimizerNames as string[]).includes(kind.text))) {
    const guess = kind.kind === 'word' ? cx.suggest(kind.text, optimizerNames) : undefined;
    if (guess) {
      cx.unknownWord('unknown-optimizer', 'optimizer', kind, optimizerNames, {});
    } else {
      cx.error('unknown-optimizer', kind.range, `unknown optimizer ${quote(kind)}`, 'NNSpec has only sgd, with momentum= if wanted: e.g. `optimizer sgd rate=0.01 momentum=0.9`', [
        { title: 'Change to sgd', range: kind.range, newText: 'sgd' },
      ]);
    }
  }
  const o = cx.spec.optimizer;
  let rateGiven = false;
  if (bare) {
    const rateOption = options.get('rate');
    if (rateOption) {
      cx.error('duplicate-option', rateOption.key.range, `the rate is given twice: as ${shorten(bare.text)} and as rate=${shorten(rateOption.value.text)}`, 'keep one of them');
      options.delete('rate');
    }
    const rate = cx.number(bare, 'rate', RULES.rate);
    if (rate !== undefined) o.rate = rate;
    rateGiven = true;
    cx.noMoreArgs(statement, 2, 'options are written key=value: rate=0.5 momentum=0.9 decay=0.99');
  }
  const read = (key: 'rate' | 'momentum' | 'decay'): void => {
    const option = options.get(key);
    if (!option) return;
    const value = cx.number(option.value, key, RULES[key]);
    if (value !== undefined) o[key] = value;
  };
  if (!rateGiven) read('rate');
  read('momentum');
  read('decay');
  cx.accepted.add(statement);
}

export function batch(cx: ParseContext, statement: Statement): void {
  if (!cx.needArgs(statement, 1, '`batch` needs a size or `full`')) return;
  cx.noMoreArgs(statement, 1);
  const arg = statement.args[0];
  if (arg.kind === 'word') {
    if (arg.text === 'full') {
      cx.spec.batch = 'full';
      cx.accepted.add(statement);
      return;
    }
    const guess = cx.suggest(arg.text, ['full'], { all: 'full', whole: 'full', max: 'full', none: 'full', entire: 'full' });
    if (guess) {
      cx.error('not-a-number', arg.range, `expected a number or \`full\` for batch, got '${shorten(arg.text)}'`, "did you mean 'full'?", [
        { title: 'Change to full', range: arg.range, newText: 'full' },
      ]);
      return;
    }
  }
  const size = cx.number(arg, 'batch', RULES.batch);
  if (size === undefined) return;
  cx.spec.batch = size;
  cx.accepted.add(statement);
}

export function init(cx: ParseContext, statement: Statement): void {
  if (!cx.needArgs(statement, 1, '`init` needs a scheme: uniform, normal, xavier, he or const V')) return;
  const [scheme, value] = statement.args;
  if (scheme.kind === 'word' && /^const:/.test(scheme.text)) {
    // `init const:0.5`, the per-layer spelling, is accepted here too.
    cx.noMoreArgs(statement, 1);
    const init = layerInit(cx, { key: statement.keyword, value: scheme, range: scheme.range });
    if (init) {
      cx.spec.init = init;
      cx.accepted.add(statement);
    }
    return;
  }
  if (scheme.kind === 'word' && scheme.text === 'const') {
    if (!value) {
      cx.error('missing-argument', statement.range, '`init const` needs the weight value', 'e.g. `init const 0.5`');
      return;
    }
    cx.noMoreArgs(statement, 2);
    const v = cx.number(value, 'init const', RULES.constant);
    if (v === undefined) return;
    cx.spec.init = { kind: 'const', value: v };
    cx.accepted.add(statement);
    return;
  }
  cx.noMoreArgs(statement, 1);
  if (scheme.kind === 'word' && (initNames as string[]).includes(scheme.text)) {
    cx.spec.init = { kind: scheme.text as 'uniform' | 'normal' | 'xavier' | 'he' };
    cx.accepted.add(statement);
    return;
  }
  cx.unknownWord('unknown-init', 'init scheme', scheme, initNames, synonyms.inits, 'init schemes: uniform, normal, xavier, he, const V');
}

export function normalize(cx: ParseContext, statement: Statement): void {
  if (!cx.needArgs(statement, 1, '`normalize` needs a mode: none, minmax or zscore')) return;
  cx.noMoreArgs(statement, 1);
  const arg = statement.args[0];
  if (arg.kind === 'word' && (normalizeNames as string[]).includes(arg.text)) {
    cx.spec.normalize = arg.text as Normalize;
    cx.accepted.add(statement);
    return;
  }
  cx.unknownWord('unknown-normalize', 'normalize mode', arg, normalizeNames, synonyms.normalize);
}
