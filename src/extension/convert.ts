/** Conversions between the core's plain positions/ranges (zero-based, like VS Code's) and VS Code's classes. */
import * as vscode from 'vscode';
import type { Position, Range } from '../core/spec';

export function fromCoreRange(range: Range): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

export function toCorePosition(position: vscode.Position): Position {
  return { line: position.line, character: position.character };
}

export function toCoreRange(range: vscode.Range): Range {
  return { start: toCorePosition(range.start), end: toCorePosition(range.end) };
}
