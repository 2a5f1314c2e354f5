/**
 * Diagnostics for .nnspec files in the Problems panel.
 *
 * - As the user types (debounced 250 ms): the core parser's diagnostics (parseSpec is pure
 *   and fast; it never touches the disk).
 * - Data checks (the CSV/IDX file exists and parses, the network's widths fit the data) need
 *   the data loaded, which can take long (digits, big CSVs), so they never run on the host:
 *   they come from a worker, on open and on save (a short-lived checker worker), and from
 *   every training session's load. They are shown as long as the text is the one checked.
 */
import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import { parseSpec } from '../core/lang/index';
import type { Diagnostic } from '../core/spec';
import type { FromWorker } from '../protocol';
import { diagnosticMessage, sameRange } from './features/quickFixes';
import { workerSettings, type SessionManager } from './sessions';
import { fromCoreRange } from './convert';

const DEBOUNCE_MS = 250;
/** The checker worker is kept this long after its last check, then ended. */
const CHECKER_IDLE_MS = 30_000;

export class DiagnosticsController implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('nnspec');
  /** The core diagnostics shown per URI (quick fixes read their fixes here). */
  private readonly shown = new Map<string, Diagnostic[]>();
  /** Data-check diagnostics and the text they were made for, per URI. */
  private readonly dataChecks = new Map<string, { text: string; diagnostics: Diagnostic[] }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];
  private checker: Worker | undefined;
  /** Loads sent to the checker worker and not answered yet, oldest first. */
  private checks: { key: string; text: string }[] = [];
  private checkerIdle: NodeJS.Timeout | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly sessions: SessionManager,
  ) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((doc) => this.opened(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidSaveTextDocument((doc) => this.saved(doc)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.closed(doc)),
      sessions.onDidChange((session) => this.fromSession(session.specUri)),
    );
    for (const doc of vscode.workspace.textDocuments) this.opened(doc);
  }

  static register(context: vscode.ExtensionContext, sessions: SessionManager): DiagnosticsController {
    const controller = new DiagnosticsController(context.extensionUri, sessions);
    context.subscriptions.push(controller);
    return controller;
  }

  /** The core diagnostics currently shown for `uri`. */
  coreDiagnostics(uri: vscode.Uri): readonly Diagnostic[] {
    return this.shown.get(uri.toString()) ?? [];
  }

  /** Parses now (no debounce); for commands and tests that need the result at once. */
  refresh(doc: vscode.TextDocument): void {
    if (doc.languageId !== 'nnspec') return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    const text = doc.getText();
    const parsed = parseSpec(text, { maxParameters: workerSettings().maxParameters }).diagnostics;
    const data = this.dataChecks.get(key);
    const all = data && data.text === text ? merge(parsed, data.diagnostics) : parsed;
    this.shown.set(key, all);
    this.collection.set(doc.uri, all.map(toVscodeDiagnostic));
  }

  private opened(doc: vscode.TextDocument): void {
    if (doc.languageId !== 'nnspec') return;
    this.refresh(doc);
    this.checkData(doc);
  }

  private schedule(doc: vscode.TextDocument): void {
    if (doc.languageId !== 'nnspec') return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => this.refresh(doc), DEBOUNCE_MS));
  }

  private saved(doc: vscode.TextDocument): void {
    if (doc.languageId !== 'nnspec') return;
    this.refresh(doc);
    this.checkData(doc);
  }

  private closed(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.shown.delete(key);
    this.dataChecks.delete(key);
    this.collection.delete(doc.uri);
  }

  /** A session loaded (or failed to): its diagnostics include the data checks for its text. */
  private fromSession(uri: vscode.Uri): void {
    const session = this.sessions.get(uri);
    if (!session || session.status === 'loading') return;
    if (session.state.info === undefined && session.state.diagnostics.length === 0) return;
    const key = uri.toString();
    const previous = this.dataChecks.get(key);
    if (previous && previous.text === session.loadedText && previous.diagnostics === session.state.diagnostics) return;
    this.dataChecks.set(key, { text: session.loadedText, diagnostics: session.state.diagnostics });
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    if (doc) this.refresh(doc);
  }

  /**
   * Loads the spec's data in the checker worker (never on the host) and shows what the data
   * check says. Only for specs that parse without errors and only on a real file system.
   */
  private checkData(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file' || !vscode.workspace.isTrusted) return;
    const text = doc.getText();
    const parsed = parseSpec(text);
    if (parsed.diagnostics.some((d) => d.severity === 'error') || !parsed.spec.data) return;
    const worker = this.checkerWorker();
    // The worker answers loads one at a time, in order: the queue says which text each answer is for.
    this.checks.push({ key: doc.uri.toString(), text });
    worker.postMessage({
      type: 'load',
      specText: text,
      specPath: doc.uri.fsPath,
      assetsDir: vscode.Uri.joinPath(this.extensionUri, 'media').fsPath,
      settings: workerSettings(false),
    });
  }

  private checked(message: FromWorker): void {
    if (message.type !== 'loaded' && message.type !== 'loadFailed' && message.type !== 'fatal') return;
    const check = this.checks.shift();
    if (!check || message.type === 'fatal') return;
    this.dataChecks.set(check.key, { text: check.text, diagnostics: message.diagnostics });
    const current = vscode.workspace.textDocuments.find((d) => d.uri.toString() === check.key);
    if (current) this.refresh(current);
  }

  private checkerWorker(): Worker {
    clearTimeout(this.checkerIdle);
    this.checkerIdle = setTimeout(() => this.endChecker(), CHECKER_IDLE_MS);
    if (!this.checker) {
      const worker = new Worker(vscode.Uri.joinPath(this.extensionUri, 'dist', 'worker.js').fsPath);
      worker.on('message', (message: FromWorker) => this.checked(message));
      worker.on('error', () => this.endChecker());
      worker.on('exit', () => {
        if (this.checker === worker) this.checker = undefined;
      });
      this.checker = worker;
    }
    return this.checker;
  }

  private endChecker(): void {
    clearTimeout(this.checkerIdle);
    this.checks = [];
    const worker = this.checker;
    this.checker = undefined;
    void worker?.terminate();
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.endChecker();
    for (const d of this.disposables) d.dispose();
  }
}

/** Parser diagnostics plus the data check's, each once (the worker repeats the parser's warnings). */
function merge(parsed: Diagnostic[], data: Diagnostic[]): Diagnostic[] {
  const all = [...parsed];
  for (const d of data) {
    if (!all.some((p) => p.code === d.code && p.message === d.message && sameRange(p.range, d.range))) all.push(d);
  }
  return all;
}

export function toVscodeDiagnostic(d: Diagnostic): vscode.Diagnostic {
  const severity =
    d.severity === 'error'
      ? vscode.DiagnosticSeverity.Error
      : d.severity === 'warning'
        ? vscode.DiagnosticSeverity.Warning
        : vscode.DiagnosticSeverity.Information;
  const diagnostic = new vscode.Diagnostic(fromCoreRange(d.range), diagnosticMessage(d), severity);
  diagnostic.source = 'nnspec';
  diagnostic.code = d.code;
  return diagnostic;
}
