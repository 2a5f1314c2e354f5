/**
 * Completion for .nnspec files, as a pure function of the text and the cursor: keywords at the
 * start of a line, activations after `dense N`, costs after `loss`, data set names after
 * `data`, option keys (`rate=` …) and option values (`init=he`), each with its documentation
 * from the core's vocabulary; the statement snippets (a whole network, an inline data block, a
 * CSV data line) only where a statement can start, each once. Every list is complete for its
 * place: the package turns VS Code's word-based suggestions off for .nnspec (package.json
 * `configurationDefaults`), so a place with nothing to offer (`noise=`) offers nothing.
 * The VS Code provider (languageFeatures.ts) only converts types.
 */
import type { Position, Range } from '../../core/spec';
import { lexLine, splitLines, type LexToken } from '../../core/lang/lexer';
import { FEATURES } from '../../core/features';
import { optimizerTakes } from '../../core/lang/training';
import {
  vocabulary,
  keywordDoc,
  datasetDoc,
  type ActivationDoc,
  type CostDoc,
  type DatasetDoc,
  type KeywordDoc,
  type OptionDoc,
} from '../../core/lang/vocabulary';
import { activationMarkdown, costMarkdown, datasetMarkdown, keywordMarkdown, optionMarkdown } from './docs';

export type CompletionKind = 'keyword' | 'activation' | 'cost' | 'dataset' | 'option' | 'value' | 'snippet';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  /** One line shown next to the label. */
  detail: string;
  /** Markdown (with <sup>/<sub>: render with supportHtml). */
  documentation: string;
  /** Text to insert (a VS Code snippet when `snippet` is true); the label otherwise. */
  insertText?: string;
  snippet?: boolean;
  /** The text the completion replaces: the partial word under the cursor. */
  range: Range;
  /** Keeps the vocabulary's order. */
  sortText: string;
}

/** The completions at `position` in the document `text`. */
export function completionsAt(text: string, position: Position): CompletionEntry[] {
  const lines = splitLines(text);
  const lineText = lines[position.line] ?? '';
  const prefix = lineText.slice(0, position.character);
  if (prefix.includes('#')) return [];
  const tokens = lexLine(prefix, position.line).tokens;
  if (tokens.some((t) => t.kind === 'string' && t.unterminated)) return [];

  // The partial word under the cursor, if any: it is what a completion replaces.
  const endsInSpace = prefix.length === 0 || /\s$/.test(prefix);
  const last = tokens[tokens.length - 1];
  const partial = !endsInSpace && last && last.kind !== 'equals' && last.kind !== 'arrow' ? last : undefined;
  const done = partial ? tokens.slice(0, -1) : tokens;
  const range: Range = partial
    ? { start: { ...partial.range.start }, end: { ...position } }
    : { start: { ...position }, end: { ...position } };

  const inInline = insideInlineBlock(lines, position.line);
  if (inInline) {
    return done.length === 0 ? [keywordEntry(keywordDoc('end')!, range, 0)] : [];
  }
  if (done.length === 0) {
    const keywords = vocabulary.keywords.filter((k) => k.name !== 'end').map((k, i) => keywordEntry(k, range, i));
    return [...keywords, ...STATEMENT_SNIPPETS.map((snippet, i) => ({ ...snippet, range, sortText: sort(keywords.length + i) }))];
  }

  const keyword = done[0].text;
  const doc = keywordDoc(keyword);
  if (!doc) return [];

  // `key=` just before the cursor (or `key=par`): complete the value.
  const beforeValue = done[done.length - 1];
  if (beforeValue.kind === 'equals' && done.length >= 2 && done[done.length - 2].kind === 'word') {
    return optionValues(keyword, done[done.length - 2].text, range);
  }

  const args = positionalArgs(done.slice(1));
  switch (doc.name) {
    case 'dense':
      if (args.length === 1) return vocabulary.activations.map((a, i) => activationEntry(a, range, i));
      if (args.length >= 2) return optionEntries(doc.options, range, usedKeys(done));
      return [];
    case 'loss':
      return args.length === 0 ? vocabulary.costs.map((c, i) => costEntry(c, range, i)) : [];
    case 'optimizer':
      if (args.length === 0) {
        return vocabulary.optimizers.map((o, i) => ({
          label: o.name, kind: 'value' as const, detail: o.update.unicode, documentation: o.doc, range, sortText: sort(i),
        }));
      }
      // the options this kind takes (adam: beta1=, not momentum=)
      return optionEntries(doc.options.filter((o) => optimizerTakes(args[0].text, o.name)), range, usedKeys(done));
    case 'data': {
      if (args.length === 0) return dataChoices(range);
      const first = args[0];
      if (first.text === 'inline') return [];
      const set = first.kind === 'word' ? datasetDoc(first.text) : undefined;
      const options = set
        ? doc.options.filter((o) => (set.options as string[]).includes(o.name))
        : doc.options.filter((o) => o.name === 'label' || o.name === 'header' || o.name === 'labels');
      return optionEntries(options, range, usedKeys(done));
    }
    case 'init':
      return args.length === 0
        ? vocabulary.inits.map((init, i) => ({
            label: init.name, kind: 'value' as const, detail: init.syntax, documentation: init.doc, range, sortText: sort(i),
          }))
        : [];
    case 'normalize':
      return args.length === 0
        ? vocabulary.normalizeModes.map((mode, i) => ({
            label: mode.name, kind: 'value' as const, detail: mode.formula.unicode, documentation: mode.doc, range, sortText: sort(i),
          }))
        : [];
    case 'features': {
      // the features not written yet, in the table's order
      const used = new Set(args.map((a) => a.text));
      return FEATURES.filter((feature) => !used.has(feature.name)).map((feature, i) => ({
        label: feature.name, kind: 'value' as const, detail: feature.formula, documentation: feature.doc, range, sortText: sort(i),
      }));
    }
    case 'batch':
      return args.length === 0
        ? [{ label: 'full', kind: 'value', detail: 'the whole training set', documentation: doc.doc, range, sortText: sort(0) }]
        : [];
    default:
      return [];
  }
}

/** The snippets that write whole statements: offered at the start of a line only (not inside an inline block). */
const STATEMENT_SNIPPETS: Omit<CompletionEntry, 'range' | 'sortText'>[] = [
  {
    label: 'new network',
    kind: 'snippet',
    detail: 'a complete spec: input, two dense layers, cost, optimizer and data',
    documentation: 'A whole network to start from: `network`, `input`, two `dense` layers, `loss`, `optimizer`, `batch`, `epochs`, `seed` and `data`; Tab moves between the choices.',
    insertText: [
      'network ${1:name}',
      'input ${2:2}',
      'dense ${3:4} ${4|tanh,sigmoid,relu,leaky_relu,identity,softmax|}',
      'dense ${5:1} ${6|sigmoid,tanh,relu,leaky_relu,identity,softmax|}',
      'loss ${7|mse,bce,cce|}',
      'optimizer sgd rate=${8:0.5}',
      'batch ${9:4}',
      'epochs ${10:500}',
      'seed ${11:1}',
      'data ${12|xor,and,or,circle,spiral,moons,gaussians,sine,digits|}',
      '$0',
    ].join('\n'),
    snippet: true,
  },
  {
    label: 'data inline',
    kind: 'snippet',
    detail: 'rows written in the spec: inputs -> targets, closed by end',
    documentation: 'Training rows written in the spec: `inputs -> targets`, one row a line, closed by `end`.\n\n```nnspec\ndata inline\n  0 0 -> 0\n  0 1 -> 1\nend\n```',
    insertText: 'data inline\n  ${1:0 0} -> ${2:0}\n  ${3:0 1} -> ${4:1}\nend\n$0',
    snippet: true,
  },
  {
    label: 'data csv',
    kind: 'snippet',
    detail: 'a CSV file relative to this spec; the target is the last column unless label= says',
    documentation: 'Training data from a CSV file (its path relative to this spec); the target is the last column unless `label=` names another.',
    insertText: 'data "${1:data.csv}" label=${2|last,first|}$0',
    snippet: true,
  },
];

/** True when `line` lies between a `data inline` line and its `end`. */
export function insideInlineBlock(lines: readonly string[], line: number): boolean {
  let inside = false;
  for (let i = 0; i < line && i < lines.length; i++) {
    const tokens = lexLine(lines[i], i).tokens;
    if (tokens.length === 0) continue;
    if (!inside && tokens[0].text === 'data' && tokens[1]?.text === 'inline') inside = true;
    else if (inside && tokens[0].text === 'end') inside = false;
  }
  return inside;
}

/** Tokens that are positional arguments: options (`key = value`) left out. */
function positionalArgs(tokens: LexToken[]): LexToken[] {
  const args: LexToken[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i + 1]?.kind === 'equals') {
      i += 2; // key, =, value
      continue;
    }
    if (tokens[i].kind === 'equals') continue;
    args.push(tokens[i]);
  }
  return args;
}

function usedKeys(tokens: LexToken[]): Set<string> {
  const keys = new Set<string>();
  tokens.forEach((t, i) => {
    if (tokens[i + 1]?.kind === 'equals') keys.add(t.text);
  });
  return keys;
}

function optionValues(keyword: string, key: string, range: Range): CompletionEntry[] {
  const value = (label: string, detail: string, documentation: string, i: number, insertText?: string, snippet?: boolean): CompletionEntry => ({
    label, kind: 'value', detail, documentation, range, sortText: sort(i), ...(insertText ? { insertText } : {}), ...(snippet ? { snippet } : {}),
  });
  if (key === 'bias') return ['true', 'false'].map((v, i) => value(v, `bias=${v}`, keywordDoc('dense')!.options[0].doc, i));
  if (key === 'init' && keyword === 'dense') {
    return vocabulary.inits.map((init, i) =>
      init.name === 'const'
        ? value('const:V', 'every weight V', init.doc, i, 'const:${1:0.5}', true)
        : value(init.name, init.syntax, init.doc, i),
    );
  }
  if (key === 'label') return ['last', 'first'].map((v, i) => value(v, `label=${v}`, 'Which CSV column is the target.', i));
  if (key === 'header') return ['true', 'false'].map((v, i) => value(v, `header=${v}`, 'Whether the first CSV row is a header.', i));
  return [];
}

function dataChoices(range: Range): CompletionEntry[] {
  const entries = vocabulary.datasets.map((d, i) => datasetEntry(d, range, i));
  const data = keywordDoc('data')!;
  entries.push({
    label: 'inline', kind: 'value', detail: 'rows written in the spec, until end',
    documentation: 'Training rows written in the spec: `inputs -> targets`, one row a line, closed by `end`.\n\n```nnspec\ndata inline\n  0 0 -> 0\n  0 1 -> 1\nend\n```',
    insertText: 'inline\n  ${1:0 0} -> ${2:0}\nend', snippet: true, range, sortText: sort(entries.length),
  });
  entries.push({
    label: '"file.csv"', kind: 'value', detail: 'a CSV file, relative to this spec',
    documentation: data.doc, insertText: '"${1:data.csv}"', snippet: true, range, sortText: sort(entries.length),
  });
  return entries;
}

function sort(i: number): string {
  return String(i).padStart(3, '0');
}

function keywordEntry(k: KeywordDoc, range: Range, i: number): CompletionEntry {
  return { label: k.name, kind: 'keyword', detail: k.syntax, documentation: keywordMarkdown(k), range, sortText: sort(i) };
}

function activationEntry(a: ActivationDoc, range: Range, i: number): CompletionEntry {
  return { label: a.name, kind: 'activation', detail: a.formula.unicode, documentation: activationMarkdown(a), range, sortText: sort(i) };
}

function costEntry(c: CostDoc, range: Range, i: number): CompletionEntry {
  return { label: c.name, kind: 'cost', detail: c.formula.unicode, documentation: costMarkdown(c), range, sortText: sort(i) };
}

function datasetEntry(d: DatasetDoc, range: Range, i: number): CompletionEntry {
  return { label: d.name, kind: 'dataset', detail: `${d.task}, ${d.inputs} → ${d.outputs}`, documentation: datasetMarkdown(d), range, sortText: sort(i) };
}

function optionEntries(options: OptionDoc[], range: Range, used: Set<string>): CompletionEntry[] {
  return options
    .filter((o) => !used.has(o.name))
    .map((o, i) => ({
      label: `${o.name}=`,
      kind: 'option' as const,
      detail: o.value,
      documentation: optionMarkdown(o),
      insertText: `${o.name}=`,
      range,
      sortText: sort(i),
    }));
}
