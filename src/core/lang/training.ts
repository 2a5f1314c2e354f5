/**
 * How the network learns: `loss`, `optimizer`, `batch`, `init`, `normalize`, `stop`, and the
 * one-number statements (`epochs`, `l2`, `l1`, `seed`, `validation`) through `single`.
 */
import type { LossName, Monitor, Normalize, OptimizerName, OptionNode, Statement, StopSpec } from '../spec';
import { optimizer as engineOptimizer } from '../engine/optimizers';
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

/** Which optimizers take each kind-specific option (rate and decay: all). */
const OPTIMIZER_OPTIONS: Readonly<Record<'momentum' | 'nesterov' | 'beta1' | 'beta2' | 'rho' | 'epsilon', readonly OptimizerName[]>> = {
  momentum: ['sgd'],
  nesterov: ['sgd'],
  beta1: ['adam'],
  beta2: ['adam'],
  rho: ['rmsprop'],
  epsilon: ['adam', 'rmsprop', 'adagrad'],
};

export function optimizer(cx: ParseContext, statement: Statement, options: Map<string, OptionNode>): void {
  const [kind, bare] = statement.args;
  const names = optimizerNames.join(', ');
  if (!kind) {
    const at = statement.keyword.range.end;
    cx.error('missing-argument', statement.range, `\`optimizer\` needs its kind: ${names}`, 'e.g. `optimizer adam rate=0.001`', [
      { title: 'Add sgd', range: { start: at, end: at }, newText: ' sgd' },
    ]);
  } else if (!(kind.kind === 'word' && (optimizerNames as string[]).includes(kind.text))) {
    const guess = kind.kind === 'word' ? cx.suggest(kind.text, optimizerNames) : undefined;
    if (guess) {
      cx.unknownWord('unknown-optimizer', 'optimizer', kind, optimizerNames, {});
    } else {
      cx.error('unknown-optimizer', kind.range, `unknown optimizer ${quote(kind)}`, `optimizers: ${names}, e.g. \`optimizer adam rate=0.001\``);
    }
  }
  const o = cx.spec.optimizer;
  const chosen = kind && kind.kind === 'word' && (optimizerNames as string[]).includes(kind.text) ? (kind.text as OptimizerName) : undefined;
  if (chosen) {
    o.kind = chosen;
    o.rate = engineOptimizer(chosen).defaults.rate;
  }
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
  const read = (key: 'rate' | 'momentum' | 'decay' | 'beta1' | 'beta2' | 'rho' | 'epsilon'): void => {
    const option = options.get(key);
    if (!option) return;
    const value = cx.number(option.value, key, RULES[key]);
    if (value !== undefined) o[key] = value;
  };
  for (const [key, kinds] of Object.entries(OPTIMIZER_OPTIONS)) {
    const option = options.get(key);
    if (option && chosen && !kinds.includes(chosen)) {
      cx.error('option-not-for-optimizer', option.key.range, `${key}= is not an option of ${chosen}`, `${key}= belongs to ${kinds.join(', ')}; ${chosen} takes ${optimizerOptionList(chosen)}`, [
        { title: `Remove ${key}=`, range: option.range, newText: '' },
      ]);
      options.delete(key);
    }
  }
  if (!rateGiven) read('rate');
  read('momentum');
  read('decay');
  read('beta1');
  read('beta2');
  read('rho');
  read('epsilon');
  const nesterov = options.get('nesterov');
  if (nesterov) {
    const value = cx.boolean(nesterov);
    if (value !== undefined) o.nesterov = value;
    if (value && o.momentum === 0) {
      cx.warning('option-not-for-optimizer', nesterov.key.range, 'nesterov=true does nothing without momentum', 'add e.g. momentum=0.9');
    }
  }
  cx.accepted.add(statement);
}

/** Does optimizer `kind` take option `key` (rate= and decay=: every one)? Unknown kinds take all. */
export function optimizerTakes(kind: string, key: string): boolean {
  const kinds = (OPTIMIZER_OPTIONS as Record<string, readonly string[]>)[key];
  return !kinds || !(optimizerNames as string[]).includes(kind) || kinds.includes(kind);
}

function optimizerOptionList(kind: OptimizerName): string {
  const own = Object.entries(OPTIMIZER_OPTIONS)
    .filter(([, kinds]) => kinds.includes(kind))
    .map(([key]) => `${key}=`);
  return ['rate=', ...own, 'decay='].join(' ');
}

/** `stop patience=N [monitor=…] [min_delta=D] [restore=best|last]` and/or `stop goal=G`. */
export function stop(cx: ParseContext, statement: Statement, options: Map<string, OptionNode>): void {
  cx.noMoreArgs(statement, 0, 'options are written key=value: stop patience=5 monitor=validation_loss');
  const result: StopSpec = { monitor: 'loss', minDelta: 0, restore: 'last', range: statement.range };
  let ok = true;
  const patience = options.get('patience');
  if (patience) {
    const value = cx.number(patience.value, 'patience', RULES.patience);
    if (value === undefined) ok = false;
    else result.patience = value;
  }
  const goal = options.get('goal');
  if (goal) {
    const value = cx.number(goal.value, 'goal', RULES.goal);
    if (value === undefined) ok = false;
    else result.goal = value;
  }
  const minDelta = options.get('min_delta');
  if (minDelta) {
    const value = cx.number(minDelta.value, 'min_delta', RULES.min_delta);
    if (value === undefined) ok = false;
    else result.minDelta = value;
  }
  const monitor = options.get('monitor');
  if (monitor) {
    const v = monitor.value;
    if (v.kind === 'word' && (MONITORS as readonly string[]).includes(v.text)) result.monitor = v.text as Monitor;
    else {
      ok = false;
      cx.unknownWord('unknown-option', 'monitor', v, MONITORS, { val_loss: 'validation_loss', val_accuracy: 'validation_accuracy', acc: 'accuracy', val_acc: 'validation_accuracy' });
    }
  }
  const restore = options.get('restore');
  if (restore) {
    const v = restore.value;
    if (v.kind === 'word' && (v.text === 'best' || v.text === 'last')) result.restore = v.text;
    else {
      ok = false;
      cx.unknownWord('unknown-option', 'restore', v, ['best', 'last'], { true: 'best', false: 'last' });
    }
  }
  if (!patience && !goal) {
    cx.error('stop-needs-rule', statement.range, '`stop` needs patience= or goal=, or both', 'e.g. `stop patience=5` or `stop goal=0.01`');
    return;
  }
  if (!ok) return;
  cx.spec.stop = result;
  cx.accepted.add(statement);
}

const MONITORS: readonly Monitor[] = ['loss', 'validation_loss', 'accuracy', 'validation_accuracy'];

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
