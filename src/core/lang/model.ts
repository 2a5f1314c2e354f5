/**
 * The network's statements: `network NAME`, `input WIDTH|ROWSxCOLS`, `dense UNITS ACTIVATION
 * [bias=…] [init=…]` (and the per-layer `init=` values), `features …` (what the network sees of 2-input data).
 */
import type { Activation, FeatureName, InitSpec, OptionNode, Statement, Token } from '../spec';
import { featureNames } from '../features';
import { shorten, RULES, list, type DenseInfo, type ParseContext } from './context';
import { span } from './diagnostics';
import { isNumberText } from './numbers';
import { DEFAULTS, activationNames, initNames, synonyms, vocabulary } from './vocabulary';

export function network(cx: ParseContext, statement: Statement): void {
  if (!cx.needArgs(statement, 1, '`network` needs a name')) return;
  cx.noMoreArgs(statement, 1, 'a name with spaces goes in quotes: network "my net"');
  cx.spec.name = statement.args[0].text;
  cx.accepted.add(statement);
}

export function input(cx: ParseContext, statement: Statement): void {
  if (!cx.needArgs(statement, 1, '`input` needs the input width')) return;
  const [arg, x, second] = statement.args;
  if (statement.args.length === 3 && arg.kind === 'number' && x.kind === 'word' && /^[xX×]$/.test(x.text) && second.kind === 'number') {
    const shape = `${arg.text}x${second.text}`;
    const r = span(arg.range, second.range);
    cx.error('bad-shape', r, 'an image shape is written without spaces', `write \`input ${shorten(shape)}\``, [{ title: `Change to ${shorten(shape)}`, range: r, newText: shape }]);
    return;
  }
  cx.noMoreArgs(statement, 1);
  if (arg.kind === 'shape') {
    const [rows, cols] = arg.text.split(/[xX×]/).map(Number);
    if (rows < 1 || cols < 1) {
      cx.error('bad-shape', arg.range, `an image shape needs rows and columns ≥ 1, got ${shorten(arg.text)}`, 'e.g. `input 28x28`');
      return;
    }
    cx.spec.input = { size: rows * cols, shape: [rows, cols] };
    cx.accepted.add(statement);
    return;
  }
  if (arg.kind === 'word' && /^\d*[xX×]\d*$|^\d+[xX×]|[xX×]\d+$/.test(arg.text) && /\d/.test(arg.text)) {
    cx.error('bad-shape', arg.range, `'${shorten(arg.text)}' is not an image shape`, 'write ROWSxCOLS, e.g. `input 28x28`');
    return;
  }
  const size = cx.number(arg, 'input', RULES.input);
  if (size === undefined) return;
  cx.spec.input = { size };
  cx.accepted.add(statement);
}

function activation(cx: ParseContext, token: Token): Activation | undefined {
  if (token.kind === 'word') {
    if ((activationNames as string[]).includes(token.text)) return token.text as Activation;
    const alias = vocabulary.activations.find((a) => a.aliases.includes(token.text));
    if (alias) return alias.name;
  }
  cx.unknownWord('unknown-activation', 'activation', token, activationNames, synonyms.activations);
  return undefined;
}

export function denseLayer(cx: ParseContext, statement: Statement, options: Map<string, OptionNode>): void {
  const info: DenseInfo = { statement, bias: DEFAULTS.bias };
  cx.dense.push(info);
  const [unitsToken, activationToken] = statement.args;
  if (statement.args.length === 0) {
    cx.error('missing-argument', statement.range, '`dense` needs a unit count and an activation', 'e.g. `dense 4 tanh`');
  } else if (
    statement.args.length >= 2 &&
    unitsToken.kind === 'word' &&
    activationToken.kind === 'number' &&
    ((activationNames as string[]).includes(unitsToken.text) || unitsToken.text === 'linear')
  ) {
    const r = span(unitsToken.range, activationToken.range);
    const fixed = `${activationToken.text} ${unitsToken.text}`;
    cx.error('argument-order', r, '`dense` takes the unit count first, then the activation', `write \`dense ${shorten(fixed)}\``, [
      { title: `Change to ${shorten(fixed)}`, range: r, newText: fixed },
    ]);
    cx.noMoreArgs(statement, 2);
  } else {
    info.units = cx.number(unitsToken, 'the unit count of `dense`', RULES.units);
    info.unitsToken = unitsToken;
    if (!activationToken) {
      cx.error('missing-argument', statement.range, '`dense` needs an activation after the unit count', `activations: ${list(activationNames)}`);
    } else {
      info.activation = activation(cx, activationToken);
      info.activationToken = activationToken;
      cx.noMoreArgs(statement, 2, 'options are written key=value: bias=false, init=he');
    }
  }
  const bias = options.get('bias');
  if (bias) {
    const value = cx.boolean(bias);
    if (value !== undefined) info.bias = value;
  }
  const init = options.get('init');
  if (init) {
    info.init = layerInit(cx, init);
    info.initToken = init.value;
  }
  const dropout = options.get('dropout');
  if (dropout) {
    info.dropout = cx.number(dropout.value, 'dropout', RULES.dropout);
    info.dropoutToken = dropout.value;
  }
}

/** `init=xavier`, `init=const:0.5` */
export function layerInit(cx: ParseContext, option: OptionNode): InitSpec | undefined {
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
      cx.error('missing-value', v.range, 'init=const: needs the weight value', 'e.g. init=const:0.5');
      return undefined;
    }
    numberToken.kind = isNumberText(numberToken.text) ? 'number' : 'word';
    if (v.text.startsWith('constant')) {
      cx.unknownWord('unknown-init', 'init scheme', { ...v, text: 'constant', range: { start: v.range.start, end: { line: v.range.start.line, character: start - 1 } } }, initNames, synonyms.inits);
      return undefined;
    }
    const value = cx.number(numberToken, 'init=const:', { ...RULES.constant, example: 'init=const:0.5' });
    return value === undefined ? undefined : { kind: 'const', value };
  }
  if (v.kind === 'word' && v.text === 'const') {
    cx.error('missing-value', v.range, 'init=const needs the weight value', 'write init=const:V, e.g. init=const:0.5', [
      { title: 'Change to const:0.5', range: v.range, newText: 'const:0.5' },
    ]);
    return undefined;
  }
  if (v.kind === 'word' && (initNames as string[]).includes(v.text)) return { kind: v.text as 'uniform' | 'normal' | 'xavier' | 'he' };
  cx.unknownWord('unknown-init', 'init scheme', v, initNames, synonyms.inits, `init schemes: uniform, normal, xavier, he, const:V`);
  return undefined;
}

/** Misspellings and other spellings of the feature names. */
const FEATURE_SYNONYMS: Record<string, string> = {
  'x1²': 'x1^2', 'x2²': 'x2^2', 'x1**2': 'x1^2', 'x2**2': 'x2^2', x1x2: 'x1*x2', 'x1·x2': 'x1*x2', 'x2*x1': 'x1*x2',
  sinx1: 'sin(x1)', sinx2: 'sin(x2)', 'sin x1': 'sin(x1)', x: 'x1', y: 'x2',
};

/** `features x1 x2 x1^2 …`: any of the 2-input features, each once, in the order written. */
export function features(cx: ParseContext, statement: Statement): void {
  if (!cx.needArgs(statement, 1, `\`features\` needs at least one feature: ${list(featureNames)}`)) return;
  const chosen: FeatureName[] = [];
  let ok = true;
  for (const token of statement.args) {
    const name = token.kind === 'word' ? (featureNames as readonly string[]).find((n) => n === token.text) : undefined;
    if (!name) {
      cx.unknownWord('unknown-feature', 'feature', token, featureNames, FEATURE_SYNONYMS);
      ok = false;
      continue;
    }
    if (chosen.includes(name as FeatureName)) {
      cx.error('duplicate-feature', token.range, `feature ${name} is listed twice`, 'list each feature once', [{ title: `Remove this ${name}`, range: token.range, newText: '' }]);
      ok = false;
      continue;
    }
    chosen.push(name as FeatureName);
  }
  if (!ok) return;
  cx.spec.features = chosen;
  cx.accepted.add(statement);
}
