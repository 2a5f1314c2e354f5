/** Python source text for the generated parts of the PyTorch export: literals and the marked block. */

export type PythonValue = number | string | boolean | null | PythonValue[] | { [key: string]: PythonValue } | PythonTuple;

/** A tuple literal: (a, b, c). */
export class PythonTuple {
  constructor(readonly items: PythonValue[]) {}
}

/** A Python literal: numbers as JavaScript prints them (valid Python), strings JSON-quoted (also valid Python). */
export function pythonLiteral(value: PythonValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`internal: ${value} has no Python literal`);
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof PythonTuple) return `(${value.items.map(pythonLiteral).join(', ')}${value.items.length === 1 ? ',' : ''})`;
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${JSON.stringify(key)}: ${pythonLiteral(item)}`)
    .join(', ')}}`;
}

const BEGIN = '# >>> generated from the spec';
const END = '# <<< generated';

/** The template with the lines between its `# >>> generated from the spec` and `# <<< generated` markers replaced. */
export function fillTemplate(template: string, generated: string, name: string): string {
  const begin = template.indexOf(BEGIN);
  const end = template.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`internal: the template ${name} has no generated block`);
  return template.slice(0, begin + BEGIN.length) + '\n' + generated.trimEnd() + '\n' + template.slice(end);
}
