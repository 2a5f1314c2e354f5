/**
 * The live part of the `optimizer` line's hover: the rule with every hyper-parameter filled in
 * (torch.optim's defaults for what the line leaves out), and, once the session has stepped, the
 * optimizer's state: the update count t and the RMS of each state array per layer. Pure.
 */
import type { OptimizerSpec } from '../../core/spec';
import { optimizer, optimizerSettings } from '../../core/engine/optimizers';
import type { OptimizerStateSummary } from '../../core/engine/optimizerState';

const NAMES: Record<string, string> = { velocity: 'v (velocity)', m: 'm (1st moment)', v: 'v (2nd moment)', sum: 'G (Σ g²)' };

export function hoverForOptimizer(spec: OptimizerSpec, state: OptimizerStateSummary | undefined): string {
  const settings = optimizerSettings(spec);
  const rule = optimizer(settings.kind);
  const values: string[] = [`η = ${settings.rate}`];
  if (settings.decay !== 1) values.push(`decay d = ${settings.decay}`);
  if (settings.kind === 'sgd') {
    values.push(`μ = ${settings.momentum}`);
    if (settings.nesterov) values.push('Nesterov');
  }
  if (settings.kind === 'adam') values.push(`β₁ = ${settings.beta1}`, `β₂ = ${settings.beta2}`);
  if (settings.kind === 'rmsprop') values.push(`ρ = ${settings.rho}`);
  if (settings.kind !== 'sgd') values.push(`ε = ${settings.epsilon}`);
  const lines = [`**${settings.kind}**: ${rule.formula}`, '', values.join(', ')];
  if (!state || state.optimizer !== settings.kind) return lines.join('\n');
  lines.push('', `State after t = ${state.updates} update${state.updates === 1 ? '' : 's'}:`);
  if (state.layers.every((layer) => layer.length === 0)) {
    lines.push('', 'none (plain SGD keeps no state)');
    return lines.join('\n');
  }
  const names = state.layers[0].map((s) => s.name);
  lines.push('', `| layer | ${names.map((n) => `RMS ${NAMES[n] ?? n}, weights · biases`).join(' | ')} |`, `|---|${names.map(() => '---').join('|')}|`);
  state.layers.forEach((layer, l) => {
    lines.push(`| ${l + 1} | ${layer.map((s) => `${format(s.weightsRms)} · ${format(s.biasesRms)}`).join(' | ')} |`);
  });
  return lines.join('\n');
}

function format(x: number): string {
  return x === 0 ? '0' : Number(x.toPrecision(3)).toString();
}
