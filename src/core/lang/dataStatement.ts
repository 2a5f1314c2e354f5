/**
 * `data SOURCE [options]`: a built-in set, a CSV file, IDX image and label files, or
 * `data inline` (its rows were read in pass 1); which options apply depends on the source.
 */
import type { DataSpec, OptionNode, Statement } from '../spec';
import { shorten, RULES, formatCount, list, quote, type ParseContext } from './context';
import { span } from './diagnostics';
import { datasetDoc, datasetNames, synonyms, vocabulary } from './vocabulary';

export function data(cx: ParseContext, statement: Statement, options: Map<string, OptionNode>): void {
  if (!cx.needArgs(statement, 1, '`data` needs a source: a built-in set, a "file", or inline')) return;
  const [source, second] = statement.args;
  /** Reports the options outside `allowed` for this kind of source. */
  const only = (allowed: string[], kind: string, hint: (key: string) => string): void => {
    for (const [key, option] of options) {
      if (allowed.includes(key)) continue;
      cx.error('option-not-for-data', option.key.range, `option '${shorten(key)}=' does not apply to ${kind}`, hint(key), [
        { title: `Remove ${key}=`, range: option.range, newText: '' },
      ]);
      options.delete(key);
    }
  };
  const appliesTo = (key: string): string => {
    switch (key) {
      case 'n': return `n= applies to ${list(vocabulary.datasets.filter((d) => d.options.includes('n')).map((d) => d.name))} and IDX files`;
      case 'noise': return `noise= applies to ${list(vocabulary.datasets.filter((d) => d.options.includes('noise')).map((d) => d.name))}`;
      case 'label':
      case 'header': return `${key}= applies to CSV files`;
      default: return `${key}= applies to IDX image files`;
    }
  };
  const count = (min = 1, max?: number): number | undefined => {
    const option = options.get('n');
    if (!option) return undefined;
    const rule = max === undefined ? RULES.n : { ...RULES.n, min, max, text: `must be a whole number from ${min} to ${formatCount(max)}` };
    return cx.number(option.value, 'n', rule);
  };

  let data: DataSpec | undefined;
  if (source.kind === 'word' && source.text === 'inline') {
    cx.noMoreArgs(statement, 1, 'rows go on the lines below `data inline`, then `end`');
    only([], '`data inline`', appliesTo);
    const rows = statement.rows ?? [];
    if (rows.length === 0 && statement.endRange) {
      cx.error('inline-empty', span(statement.keyword.range, source.range), '`data inline` has no rows', 'write rows like `0 1 -> 1` between `data inline` and `end`');
    }
    data = { kind: 'inline', rows, range: statement.range };
  } else if (source.kind === 'word' && (datasetNames as string[]).includes(source.text)) {
    const doc = datasetDoc(source.text)!;
    cx.noMoreArgs(statement, 1);
    only(doc.options, `\`data ${doc.name}\``, appliesTo);
    data = { kind: 'builtin', name: doc.name, range: statement.range };
    const n = count(doc.minCount, doc.maxCount);
    if (n !== undefined) data.n = n;
    const noiseOption = options.get('noise');
    if (noiseOption) {
      const noise = cx.number(noiseOption.value, 'noise', RULES.noise);
      if (noise !== undefined) data.noise = noise;
    }
  } else if (source.kind === 'string') {
    const labelsOption = options.get('labels');
    if (labelsOption || second?.kind === 'string') {
      let labels: string | undefined;
      if (labelsOption) {
        cx.noMoreArgs(statement, 1);
        const v = labelsOption.value;
        if (v.kind === 'string' || v.kind === 'word') labels = v.text;
        else cx.error('not-a-number', v.range, `labels= needs a file name in quotes, got ${quote(v)}`, 'e.g. labels="train-labels-idx1-ubyte"');
      } else {
        labels = second.text;
        cx.error('labels-positional', second.range, 'the label file is given as labels="…"', `write labels="${shorten(second.text)}"`, [
          { title: 'Add labels=', range: { start: second.range.start, end: second.range.start }, newText: 'labels=' },
        ]);
        cx.noMoreArgs(statement, 2);
      }
      only(['labels', 'n'], 'IDX image files', appliesTo);
      const n = count();
      if (labels !== undefined) {
        data = { kind: 'idx', images: source.text, labels, range: statement.range };
        if (n !== undefined) data.n = n;
      }
    } else {
      cx.noMoreArgs(statement, 1);
      only(['label', 'header'], 'CSV files', appliesTo);
      data = { kind: 'csv', path: source.text, label: 'last', range: statement.range };
      const label = options.get('label');
      if (label) data.label = label.value.text;
      const header = options.get('header');
      if (header) {
        const h = cx.boolean(header);
        if (h !== undefined) data.header = h;
      }
    }
    if (source.text.trim() === '') {
      cx.error('missing-argument', source.range, 'the file name is empty', 'e.g. `data "points.csv"`');
      data = undefined;
    }
  } else if (source.kind === 'word' && /[./\\]/.test(source.text)) {
    cx.error('unknown-dataset', source.range, `unknown data set '${shorten(source.text)}'`, `a file name goes in quotes: data "${shorten(source.text)}"`, [
      { title: 'Add quotes', range: source.range, newText: `"${source.text}"` },
    ]);
  } else {
    const guess = source.kind === 'word' ? cx.suggest(source.text, datasetNames, synonyms.datasets) : undefined;
    if (guess === 'digits' && source.text.toLowerCase() === 'mnist') {
      cx.error('unknown-dataset', source.range, `unknown data set '${shorten(source.text)}'`, "did you mean 'digits', 10,000 MNIST digits? For the full MNIST give its IDX files: data \"train-images-idx3-ubyte\" labels=\"train-labels-idx1-ubyte\"", [
        { title: "Change to 'digits'", range: source.range, newText: 'digits' },
      ]);
    } else {
      cx.unknownWord('unknown-dataset', 'data set', source, datasetNames, synonyms.datasets, `built-in sets: ${list(datasetNames)}; files go in quotes; or \`data inline\``);
    }
  }
  if (data) {
    cx.spec.data = data;
    cx.accepted.add(statement);
  }
}
