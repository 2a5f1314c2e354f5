/**
 * Hover documentation for the words of a .nnspec line: a keyword's syntax, an activation's
 * formula and derivative, a cost's formula and ∇ₐC, a data set, an option, an init scheme or
 * normalisation. Pure: text and position in, markdown and the word's range out.
 */
import type { Position, Range } from '../../core/spec';
import { lexLine, splitLines } from '../../core/lang/lexer';
import { vocabulary, keywordDoc, datasetDoc } from '../../core/lang/vocabulary';
import { featureDoc } from '../../core/features';
import {
  activationMarkdown,
  costMarkdown,
  datasetMarkdown,
  initMarkdown,
  keywordMarkdown,
  normalizeMarkdown,
  optimizerMarkdown,
  optionMarkdown,
} from './docs';
import { insideInlineBlock } from './completion';

export interface WordHover {
  markdown: string;
  range: Range;
  /** The statement's keyword (`dense`, `loss`, …), so the adapter can add live training numbers. */
  keyword: string;
}

export function wordHoverAt(text: string, position: Position): WordHover | undefined {
  const lines = splitLines(text);
  const lineText = lines[position.line];
  if (lineText === undefined) return undefined;
  const tokens = lexLine(lineText, position.line).tokens;
  const index = tokens.findIndex((t) => t.range.start.character <= position.character && position.character <= t.range.end.character);
  if (index < 0 || tokens.length === 0) return undefined;
  const token = tokens[index];
  const keyword = tokens[0].text;
  const result = (markdown: string | undefined): WordHover | undefined =>
    markdown === undefined ? undefined : { markdown, range: token.range, keyword };

  if (insideInlineBlock(lines, position.line)) {
    return keyword === 'end' && index === 0 ? result(keywordMarkdown(keywordDoc('end')!)) : undefined;
  }
  if (index === 0) {
    const doc = keywordDoc(token.text);
    return doc ? result(keywordMarkdown(doc)) : undefined;
  }

  // An option key (`rate` in `rate=0.5`) or its value (`he` in `init=he`).
  if (tokens[index + 1]?.kind === 'equals') {
    const option = keywordDoc(keyword)?.options.find((o) => o.name === token.text);
    return option ? result(optionMarkdown(option)) : undefined;
  }
  if (tokens[index - 1]?.kind === 'equals') {
    const key = tokens[index - 2]?.text;
    if (key === 'init') {
      const init = vocabulary.inits.find((i) => i.name === token.text.split(':')[0]);
      return init ? result(initMarkdown(init)) : undefined;
    }
    return undefined;
  }

  const word = token.text;
  switch (keyword) {
    case 'dense': {
      const activation = vocabulary.activations.find((a) => a.name === word || a.aliases.includes(word));
      return activation ? result(activationMarkdown(activation)) : undefined;
    }
    case 'loss': {
      const cost = vocabulary.costs.find((c) => c.name === word);
      return cost ? result(costMarkdown(cost)) : undefined;
    }
    case 'data': {
      const set = token.kind === 'word' ? datasetDoc(word) : undefined;
      return set ? result(datasetMarkdown(set)) : undefined;
    }
    case 'optimizer': {
      const optimizer = vocabulary.optimizers.find((o) => o.name === word);
      return optimizer ? result(optimizerMarkdown(optimizer)) : undefined;
    }
    case 'init': {
      const init = vocabulary.inits.find((i) => i.name === word);
      return init ? result(initMarkdown(init)) : undefined;
    }
    case 'normalize': {
      const mode = vocabulary.normalizeModes.find((n) => n.name === word);
      return mode ? result(normalizeMarkdown(mode)) : undefined;
    }
    case 'features': {
      const feature = featureDoc(word);
      return feature ? result(`**${feature.name}** — input feature: ${feature.formula}\n\n${feature.doc}`) : undefined;
    }
    default:
      return undefined;
  }
}
