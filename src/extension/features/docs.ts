/**
 * Markdown documentation of the language's words, built from the core's vocabulary, for
 * completion items and word hovers. Formulas use the vocabulary's markdown spelling
 * (<sup>/<sub>): the VS Code adapters set `supportHtml` on their MarkdownStrings.
 */
import type { ActivationDoc, CostDoc, DatasetDoc, InitDoc, KeywordDoc, NormalizeDoc, OptimizerDoc, OptionDoc } from '../../core/lang/vocabulary';

export function keywordMarkdown(k: KeywordDoc): string {
  const lines = [`\`${k.syntax}\``, '', k.doc];
  if (k.default !== undefined) lines.push('', `Default: \`${k.default}\``);
  if (k.options.length > 0) {
    lines.push('', 'Options:');
    for (const o of k.options) lines.push(`- \`${o.name}=\` ${o.value} — ${o.doc}`);
  }
  lines.push('', 'Example:', '```nnspec', k.example, '```');
  return lines.join('\n');
}

export function activationMarkdown(a: ActivationDoc): string {
  const lines = [
    `**${a.name}** — activation${a.aliases.length ? ` (also: ${a.aliases.join(', ')})` : ''}`,
    '',
    a.doc,
    '',
    `- ${a.formula.markdown}`,
    `- ${a.derivative.markdown}`,
    `- range ${a.range}`,
  ];
  return lines.join('\n');
}

export function costMarkdown(c: CostDoc): string {
  const lines = [`**${c.name}** — cost`, '', c.doc, '', `- ${c.formula.markdown}`, `- ${c.gradient.markdown}`];
  if (c.outputDelta) lines.push(`- ${c.outputDelta.markdown}`);
  lines.push('', `Pairs with: ${c.pairsWith.map((a) => `\`${a}\``).join(', ')} on the output layer.`);
  return lines.join('\n');
}

export function datasetMarkdown(d: DatasetDoc): string {
  const lines = [
    `**${d.name}** — built-in data (${d.task})`,
    '',
    d.doc,
    '',
    `- ${d.inputs} inputs → ${d.outputs} output${d.outputs === 1 ? '' : 's'}; ${d.defaultCount} samples by default${d.maxCount ? ` (at most ${d.maxCount})` : ''}`,
  ];
  if (d.options.length) lines.push(`- options: ${d.options.map((o) => `\`${o}=\``).join(', ')}`);
  lines.push(`- fits \`input ${d.inputLine}\` … \`${d.outputLine}\``);
  return lines.join('\n');
}

export function optionMarkdown(o: OptionDoc): string {
  const lines = [`\`${o.name}=\` ${o.value}`, '', o.doc];
  if (o.default !== undefined) lines.push('', `Default: ${o.default}`);
  lines.push('', 'Example:', '```nnspec', o.example, '```');
  return lines.join('\n');
}

export function initMarkdown(i: InitDoc): string {
  return [`\`${i.syntax}\``, '', i.doc].join('\n');
}

export function normalizeMarkdown(n: NormalizeDoc): string {
  return [`**${n.name}** — input normalisation`, '', n.doc, '', `- ${n.formula.markdown}`].join('\n');
}

export function optimizerMarkdown(o: OptimizerDoc): string {
  return [`**${o.name}** — optimizer`, '', o.doc, '', `- ${o.update.markdown}`].join('\n');
}
