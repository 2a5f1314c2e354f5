/**
 * Point-and-click changes to a spec, as text edits of the `.nnspec` document: the text stays the
 * one source of truth (the host applies the edit as a WorkspaceEdit, so Ctrl+Z undoes it, and the
 * session sees it as it sees typing). Pure: text in, one edit (or a reason why not) out.
 *
 * Layers are l = 1…L as in the maths (the first `dense` line is layer 1); hidden layers are 1…L−1.
 */
import type { Range, Statement } from '../../core/spec';
import type { SpecEditRequest } from '../../protocol';
import { parseSpec } from '../../core/lang/index';
import { splitLines } from '../../core/lang/lexer';

export type { SpecEditRequest };

export interface SpecTextEdit {
  /** What the edit does, for the undo stack and messages: "layer 1: 4 → 5 neurons". */
  label: string;
  range: Range;
  newText: string;
}

export type SpecEditResult = { ok: true; edit: SpecTextEdit } | { ok: false; reason: string };

/** The range of layer l's `dense` statement (l from 1), for highlighting it. */
export function denseLineRange(text: string, layer: number): Range | undefined {
  return denseStatements(text)[layer - 1]?.range;
}

export function pointAndClickEdit(text: string, request: SpecEditRequest): SpecEditResult {
  const parsed = parseSpec(text);
  const dense = parsed.statements.filter((s) => s.keyword.text === 'dense');
  const lines = splitLines(text);
  const L = dense.length;
  const layerOf = (l: number): Statement | undefined => dense[l - 1];
  const no = (reason: string): SpecEditResult => ({ ok: false, reason });
  const replace = (label: string, range: Range, newText: string): SpecEditResult => ({ ok: true, edit: { label, range, newText } });

  switch (request.kind) {
    case 'addNeuron':
    case 'removeNeuron': {
      const statement = layerOf(request.layer);
      if (!statement) return no(`there is no layer ${request.layer}`);
      if (request.layer === L) return no('the output layer has one neuron per target: its width comes from the data');
      const token = statement.args[0];
      const units = token && token.kind === 'number' ? Number(token.text) : NaN;
      if (!Number.isInteger(units)) return no(`layer ${request.layer}'s unit count is not a whole number yet`);
      const next = request.kind === 'addNeuron' ? units + 1 : units - 1;
      if (next < 1) return no(`layer ${request.layer} has a single neuron: remove the layer instead`);
      return replace(`layer ${request.layer}: ${units} → ${next} neurons`, token.range, String(next));
    }
    case 'addLayer': {
      if (L === 0) return no('the spec has no dense layer to put one beside');
      if (request.after < 0 || request.after > L - 1) return no(`a hidden layer goes between the input and the output layer (after 0…${L - 1})`);
      // The new layer copies its neighbour: the layer it follows, or else the one it precedes.
      const model = parsed.spec.layers[request.after - 1] ?? parsed.spec.layers[request.after];
      const hidden = model && model.activation !== 'softmax' ? model : undefined;
      const units = hidden && request.after > 0 ? hidden.units : 4;
      const activation = hidden?.activation ?? 'tanh';
      const newLine = `dense ${units} ${activation}`;
      const label = `a hidden layer dense ${units} ${activation} after ${request.after === 0 ? 'the input' : `layer ${request.after}`}`;
      if (request.after === 0) {
        const first = dense[0].range.start.line;
        return replace(label, point(first, 0), `${indent(lines[first])}${newLine}\n`);
      }
      const line = dense[request.after - 1].range.start.line;
      return replace(label, point(line, lines[line].length), `\n${indent(lines[line])}${newLine}`);
    }
    case 'removeLayer': {
      const statement = layerOf(request.layer);
      if (!statement) return no(`there is no layer ${request.layer}`);
      if (request.layer === L) return no('the output layer cannot be removed: the network needs one');
      return replace(`remove layer ${request.layer} (${lineText(lines, statement)})`, wholeLine(lines, statement.range.start.line), '');
    }
    case 'setActivation': {
      const statement = layerOf(request.layer);
      if (!statement) return no(`there is no layer ${request.layer}`);
      if (request.activation === 'softmax' && request.layer !== L) return no('softmax is only for the output layer');
      const token = statement.args[1];
      if (!token) return replace(`layer ${request.layer}: ${request.activation}`, point(statement.args[0]?.range.end.line ?? statement.range.end.line, statement.args[0]?.range.end.character ?? statement.range.end.character), ` ${request.activation}`);
      return replace(`layer ${request.layer}: ${token.text} → ${request.activation}`, token.range, request.activation);
    }
    case 'setRate': {
      if (!(request.value > 0 && Number.isFinite(request.value))) return no('the learning rate η must be a number > 0');
      const value = formatNumber(request.value);
      const statement = parsed.byKeyword.get('optimizer');
      if (!statement) return appendLine(lines, `optimizer sgd rate=${value}`, `η = ${value}`);
      const option = statement.options.find((o) => o.key.text === 'rate');
      if (option) return replace(`η: ${option.value.text} → ${value}`, option.value.range, value);
      const positional = statement.args[1];
      if (positional?.kind === 'number') return replace(`η: ${positional.text} → ${value}`, positional.range, value);
      return replace(`η = ${value}`, point(statement.range.end.line, statement.range.end.character), ` rate=${value}`);
    }
    case 'setBatch': {
      const value = request.value === 'full' ? 'full' : String(request.value);
      if (request.value !== 'full' && !(Number.isInteger(request.value) && request.value >= 1)) return no('the batch size must be a whole number ≥ 1 or full');
      return setSingle(parsed.byKeyword.get('batch'), lines, 'batch', value);
    }
    case 'setValidation': {
      if (!(request.value >= 0 && request.value < 1)) return no('the validation share must be at least 0 and below 1');
      return setSingle(parsed.byKeyword.get('validation'), lines, 'validation', formatNumber(request.value));
    }
    case 'setNoise': {
      if (!(request.value >= 0 && Number.isFinite(request.value))) return no('noise must be a number ≥ 0');
      const statement = parsed.byKeyword.get('data');
      const data = parsed.spec.data;
      if (!statement || !data || data.kind !== 'builtin' || !['circle', 'spiral', 'moons', 'gaussians', 'sine'].includes(data.name)) {
        return no('noise= applies to the generated data sets (circle, spiral, moons, gaussians, sine)');
      }
      const value = formatNumber(request.value);
      const option = statement.options.find((o) => o.key.text === 'noise');
      if (option) return replace(`noise: ${option.value.text} → ${value}`, option.value.range, value);
      return replace(`noise = ${value}`, point(statement.range.end.line, statement.range.end.character), ` noise=${value}`);
    }
  }
}

function denseStatements(text: string): Statement[] {
  return parseSpec(text).statements.filter((s) => s.keyword.text === 'dense');
}

function setSingle(statement: Statement | undefined, lines: string[], keyword: string, value: string): SpecEditResult {
  if (!statement) return appendLine(lines, `${keyword} ${value}`, `${keyword} ${value}`);
  const token = statement.args[0];
  if (!token) return { ok: true, edit: { label: `${keyword} ${value}`, range: point(statement.range.end.line, statement.range.end.character), newText: ` ${value}` } };
  return { ok: true, edit: { label: `${keyword}: ${token.text} → ${value}`, range: token.range, newText: value } };
}

/** A new statement after the last line that has text. */
function appendLine(lines: string[], newLine: string, label: string): SpecEditResult {
  let last = lines.length - 1;
  while (last > 0 && lines[last].trim() === '') last--;
  return { ok: true, edit: { label, range: point(last, lines[last].length), newText: `\n${newLine}` } };
}

/** The whole line with its line break (the previous line's break for the last line). */
function wholeLine(lines: string[], line: number): Range {
  if (line + 1 < lines.length) return { start: { line, character: 0 }, end: { line: line + 1, character: 0 } };
  if (line === 0) return { start: { line, character: 0 }, end: { line, character: lines[line].length } };
  return { start: { line: line - 1, character: lines[line - 1].length }, end: { line, character: lines[line].length } };
}

function point(line: number, character: number): Range {
  return { start: { line, character }, end: { line, character } };
}

function indent(line: string): string {
  return /^\s*/.exec(line)?.[0] ?? '';
}

function lineText(lines: string[], statement: Statement): string {
  return lines[statement.range.start.line].slice(statement.range.start.character, statement.range.end.character);
}

/** 0.30000000000000004 → "0.3": a value typed into the panel, as a person would write it. */
function formatNumber(value: number): string {
  return String(Number(value.toPrecision(6)));
}
