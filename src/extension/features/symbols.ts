/**
 * The outline of a .nnspec file: network, input, the layers (`layer 1: dense 4 tanh` …),
 * loss, data and the other settings, from the parser's statements.
 */
import type { ParseResult, Range, Statement } from '../../core/spec';

export type SymbolKind = 'module' | 'field' | 'class' | 'function' | 'file' | 'property';

export interface SpecSymbol {
  name: string;
  detail: string;
  kind: SymbolKind;
  /** The whole statement (for `data inline`, down to its `end`). */
  range: Range;
  /** The keyword. */
  selectionRange: Range;
}

export function documentSymbols(parse: Pick<ParseResult, 'statements'>): SpecSymbol[] {
  const symbols: SpecSymbol[] = [];
  let layer = 0;
  for (const statement of parse.statements) {
    const keyword = statement.keyword.text;
    const text = statementText(statement);
    const range = statement.endRange ? { start: statement.range.start, end: statement.endRange.end } : statement.range;
    const base = { range, selectionRange: statement.keyword.range };
    switch (keyword) {
      case 'network':
        symbols.push({ ...base, name: statement.args[0]?.text ?? 'network', detail: 'network', kind: 'module' });
        break;
      case 'input':
        symbols.push({ ...base, name: text, detail: 'layer 0', kind: 'field' });
        break;
      case 'dense':
        layer++;
        symbols.push({ ...base, name: `layer ${layer}: ${text}`, detail: '', kind: 'class' });
        break;
      case 'loss':
        symbols.push({ ...base, name: text, detail: 'cost', kind: 'function' });
        break;
      case 'data':
        symbols.push({
          ...base,
          name: text,
          detail: statement.rows ? `${statement.rows.length} rows` : 'training data',
          kind: 'file',
        });
        break;
      case 'end':
        break;
      default:
        symbols.push({ ...base, name: text, detail: '', kind: 'property' });
    }
  }
  return symbols;
}

/** `dense 4 tanh bias=false`, as written (strings quoted again). */
export function statementText(statement: Statement): string {
  const words = [statement.keyword.text, ...statement.args.map((a) => (a.kind === 'string' ? `"${a.text}"` : a.text))];
  for (const option of statement.options) {
    words.push(`${option.key.text}=${option.value.kind === 'string' ? `"${option.value.text}"` : option.value.text}`);
  }
  return words.join(' ');
}
