/**
 * The VS Code adapters of the language features. Each provider converts types and calls a pure
 * function from ./features (unit-tested without VS Code).
 */
import * as vscode from 'vscode';
import { parseSpec } from '../core/lang/index';
import type { ParseResult } from '../core/spec';
import { completionsAt, type CompletionKind } from './features/completion';
import { wordHoverAt } from './features/wordHover';
import { hoverForOptimizer } from './features/optimizerHover';
import { hoverBeforeStep, hoverForLayer, hoverForLoss } from './features/gradientHover';
import { documentSymbols, type SymbolKind } from './features/symbols';
import { quickFixActions } from './codeActions';
import { codeLensItems } from './features/codeLens';
import { fromCoreRange, toCorePosition } from './convert';
import type { SessionManager, TrainingSession } from './sessions';
import type { DiagnosticsController } from './diagnostics';
import { COMMAND, type CommandId } from './commandIds';

export const SELECTOR: vscode.DocumentSelector = { language: 'nnspec' };

/** One parse per document version: hovers, symbols and lenses ask often. */
const parses = new WeakMap<vscode.TextDocument, { version: number; parse: ParseResult }>();
export function parseDocument(doc: vscode.TextDocument): ParseResult {
  const cached = parses.get(doc);
  if (cached && cached.version === doc.version) return cached.parse;
  const parse = parseSpec(doc.getText());
  parses.set(doc, { version: doc.version, parse });
  return parse;
}

// ---------------------------------------------------------------------------------------------

const completionKinds: Record<CompletionKind, vscode.CompletionItemKind> = {
  keyword: vscode.CompletionItemKind.Keyword,
  activation: vscode.CompletionItemKind.Function,
  cost: vscode.CompletionItemKind.Function,
  dataset: vscode.CompletionItemKind.Constant,
  option: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.EnumMember,
  snippet: vscode.CompletionItemKind.Snippet,
};

export class CompletionProvider implements vscode.CompletionItemProvider {
  static register(context: vscode.ExtensionContext): void {
    context.subscriptions.push(vscode.languages.registerCompletionItemProvider(SELECTOR, new CompletionProvider(), ' ', '='));
  }

  provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] {
    return completionsAt(doc.getText(), toCorePosition(position)).map((entry) => {
      const item = new vscode.CompletionItem(entry.label, completionKinds[entry.kind]);
      item.detail = entry.detail;
      item.documentation = markdown(entry.documentation);
      item.range = fromCoreRange(entry.range);
      item.sortText = entry.sortText;
      if (entry.insertText !== undefined) {
        item.insertText = entry.snippet ? new vscode.SnippetString(entry.insertText) : entry.insertText;
      }
      if (entry.kind === 'option') item.command = { command: 'editor.action.triggerSuggest', title: 'values' };
      return item;
    });
  }
}

// ---------------------------------------------------------------------------------------------

export class HoverProvider implements vscode.HoverProvider {
  constructor(private readonly sessions: SessionManager) {}

  static register(context: vscode.ExtensionContext, sessions: SessionManager): void {
    context.subscriptions.push(vscode.languages.registerHoverProvider(SELECTOR, new HoverProvider(sessions)));
  }

  async provideHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const parts: vscode.MarkdownString[] = [];
    const word = wordHoverAt(doc.getText(), toCorePosition(position));
    const live = await this.liveHover(doc, position.line);
    if (live) parts.push(live);
    if (word) parts.push(markdown(word.markdown));
    if (parts.length === 0) return undefined;
    return new vscode.Hover(parts, word ? fromCoreRange(word.range) : undefined);
  }

  /** Training numbers for a `dense` or `loss` line, when the spec has a session. */
  private async liveHover(doc: vscode.TextDocument, line: number): Promise<vscode.MarkdownString | undefined> {
    const session = this.sessions.get(doc.uri);
    const info = session?.info;
    if (!session || !info || session.status === 'stopped') return undefined;
    const parse = parseDocument(doc);
    const statement = parse.statements.find((s) => s.range.start.line === line);
    if (!statement) return undefined;
    if (statement.keyword.text === 'dense') {
      const l = parse.statements.filter((s) => s.keyword.text === 'dense' && s.range.start.line <= line).length;
      const layer = info.layers[l - 1];
      if (!layer) return undefined;
      if (session.state.step === 0) return markdown(hoverBeforeStep(layer));
      await session.freshLayers();
      const layers = session.state.layers;
      if (!layers) return undefined;
      const text = hoverForLayer({
        layer,
        snapshot: layers[l - 1],
        trace: session.state.trace,
        step: session.state.layersStep,
        panelCommand: commandLink(COMMAND.showPanel, [doc.uri.toString(), { layer: l, mode: 'gradient' }]),
      });
      const stale = session.stale ? '\n\n*The spec changed since this session loaded it: these numbers are for the old spec.*' : '';
      return markdown(text + stale, [COMMAND.showPanel]);
    }
    if (statement.keyword.text === 'optimizer') {
      return markdown(hoverForOptimizer(parse.spec.optimizer, session.state.optimizer));
    }
    if (statement.keyword.text === 'loss') {
      return markdown(
        hoverForLoss({
          loss: info.loss,
          latestLoss: session.state.latest?.loss ?? null,
          step: session.state.step,
          epochs: session.state.epochs,
          totalEpochs: info.epochs,
        }),
      );
    }
    return undefined;
  }
}

export function commandLink(command: CommandId, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

function markdown(text: string, enabledCommands?: string[]): vscode.MarkdownString {
  const md = new vscode.MarkdownString(text);
  md.supportHtml = true;
  if (enabledCommands) md.isTrusted = { enabledCommands };
  return md;
}

// ---------------------------------------------------------------------------------------------

const symbolKinds: Record<SymbolKind, vscode.SymbolKind> = {
  module: vscode.SymbolKind.Module,
  field: vscode.SymbolKind.Field,
  class: vscode.SymbolKind.Class,
  function: vscode.SymbolKind.Function,
  file: vscode.SymbolKind.File,
  property: vscode.SymbolKind.Property,
};

export class SymbolProvider implements vscode.DocumentSymbolProvider {
  static register(context: vscode.ExtensionContext): void {
    context.subscriptions.push(vscode.languages.registerDocumentSymbolProvider(SELECTOR, new SymbolProvider()));
  }

  provideDocumentSymbols(doc: vscode.TextDocument): vscode.DocumentSymbol[] {
    return documentSymbols(parseDocument(doc)).map(
      (s) => new vscode.DocumentSymbol(s.name, s.detail, symbolKinds[s.kind], fromCoreRange(s.range), fromCoreRange(s.selectionRange)),
    );
  }
}

// ---------------------------------------------------------------------------------------------

export class QuickFixProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly diagnostics: DiagnosticsController) {}

  static register(context: vscode.ExtensionContext, diagnostics: DiagnosticsController): void {
    context.subscriptions.push(
      vscode.languages.registerCodeActionsProvider(SELECTOR, new QuickFixProvider(diagnostics), QuickFixProvider.metadata),
    );
  }

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const shown = context.diagnostics.filter((d) => d.source === 'nnspec');
    return quickFixActions(doc, shown, this.diagnostics.coreDiagnostics(doc.uri));
  }
}

// ---------------------------------------------------------------------------------------------

export class TrainingCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changeEmitter.event;
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly sessions: SessionManager) {}

  static register(context: vscode.ExtensionContext, sessions: SessionManager): void {
    const provider = new TrainingCodeLensProvider(sessions);
    context.subscriptions.push(
      vscode.languages.registerCodeLensProvider(SELECTOR, provider),
      provider.changeEmitter,
      // Progress arrives up to 20 times a second: refresh the lens at most 4 times a second.
      sessions.onDidChange(() => {
        if (provider.pending) return;
        provider.pending = setTimeout(() => {
          provider.pending = undefined;
          provider.changeEmitter.fire();
        }, 250);
      }),
      { dispose: () => clearTimeout(provider.pending) },
    );
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const parse = parseDocument(doc);
    const line = parse.statements[0]?.range.start.line ?? 0;
    const range = new vscode.Range(line, 0, line, 0);
    const session = this.sessions.get(doc.uri);
    return codeLensItems(session ? lensSession(session) : undefined).map(
      (item) => new vscode.CodeLens(range, { title: item.title, command: item.command, tooltip: item.tooltip, arguments: [doc.uri] }),
    );
  }
}

export function lensSession(session: TrainingSession): Parameters<typeof codeLensItems>[0] {
  const r = session.state.readout;
  return {
    status: session.status,
    epoch: r.epoch,
    stepInEpoch: r.stepInEpoch,
    epochs: r.epochs,
    loss: r.loss,
    lossOf: r.lossOf,
    stale: session.stale,
    message: session.state.message,
  };
}
