/**
 * The training panel, host side: one webview panel per training session (per spec), titled
 * "NNSpec: <name>". It forwards the session's ToPanel messages to the webview, the webview's
 * controls to the session, and tells the session when the panel is visible (snapshots then
 * carry the layer arrays). A WebviewPanelSerializer brings panels back after a reload.
 *
 * retainContextWhenHidden stays off: a hidden webview cannot receive messages anyway, and the
 * session's init message (full loss history + latest snapshot) redraws the panel in one go
 * when it becomes visible again.
 */
import * as vscode from 'vscode';
import { assertNever, type FromPanel, type PanelAction, type PanelState, type SpecEditRequest, type ToPanel } from '../protocol';
import { parsePace } from './pace';
import { getNonce, panelHtml } from './panelHtml';
import { denseLineRange, pointAndClickEdit } from './features/pointAndClick';
import type { PanelFocus, PanelSource } from './panelSource';

const ACTIONS: readonly PanelAction[] = ['train', 'pause', 'step', 'stepEpoch', 'reset', 'continue'];

export class TrainingPanel {
  static readonly viewType = 'nnspec.training';
  private static readonly panels = new Map<string, TrainingPanel>();
  /** The panel that has the focus (WebviewPanel.active), if any: commands and the status bar follow it. */
  private static focused: TrainingPanel | undefined;
  private static readonly focusEmitter = new vscode.EventEmitter<TrainingPanel | undefined>();
  /** The focused training panel changed (or none has the focus any more). */
  static readonly onDidChangeFocus = TrainingPanel.focusEmitter.event;

  /** The spec of the training panel that has the focus. */
  static focusedSpec(): vscode.Uri | undefined {
    return TrainingPanel.focused?.specUri;
  }

  private readonly _disposables: vscode.Disposable[] = [];
  private sourceSubscription: vscode.Disposable | undefined;
  private source: PanelSource | undefined;
  /** The webview said 'ready' since it was (re)loaded. */
  private ready = false;
  /** The webview says its network view is on screen (the neuron pictures are sent only then). */
  private networkShown = false;
  /** Sent once the webview is ready. */
  private pendingFocus: PanelFocus | undefined;
  private disposed = false;
  /** Walk Through a Step was asked for before the webview was ready. */
  private pendingWalk = false;

  /** Shows the panel of `source`'s spec (creating it if needed) and optionally focuses a layer. */
  static show(context: vscode.ExtensionContext, source: PanelSource, focus?: PanelFocus): TrainingPanel {
    const existing = TrainingPanel.panels.get(key(source.specUri));
    if (existing) {
      existing.setSource(source);
      existing.panel.reveal(undefined, true);
      if (focus) existing.focus(focus);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      TrainingPanel.viewType,
      title(source),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { ...webviewOptions(context.extensionUri), retainContextWhenHidden: false },
    );
    return new TrainingPanel(panel, context, source.specUri, source, focus);
  }

  /** Takes over a panel VS Code restored after a reload; `source` is undefined when no session runs for it. */
  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, specUri: vscode.Uri, source: PanelSource | undefined): TrainingPanel {
    panel.webview.options = webviewOptions(context.extensionUri);
    const existing = TrainingPanel.panels.get(key(specUri));
    if (existing) existing.dispose();
    return new TrainingPanel(panel, context, specUri, source);
  }

  static forSpec(uri: vscode.Uri): TrainingPanel | undefined {
    return TrainingPanel.panels.get(key(uri));
  }

  /** Every open training panel (for tests and disposal). */
  static all(): TrainingPanel[] {
    return [...TrainingPanel.panels.values()];
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    readonly specUri: vscode.Uri,
    source: PanelSource | undefined,
    focus?: PanelFocus,
  ) {
    TrainingPanel.panels.set(key(specUri), this);
    this.pendingFocus = focus;
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icons', 'nnspec.svg');
    this.setHtml(context.extensionUri);
    this._disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: FromPanel) => this.receive(message)),
      panel.onDidChangeViewState(() => {
        this.setFocused(panel.active);
        this.source?.setPanelVisible(panel.visible);
        // Messages posted while hidden were dropped: redraw from the full state.
        if (panel.visible && this.ready) this.postInit();
      }),
    );
    this.setSource(source);
    this.setFocused(panel.active);
  }

  private setFocused(active: boolean): void {
    if (active && TrainingPanel.focused !== this) {
      TrainingPanel.focused = this;
      TrainingPanel.focusEmitter.fire(this);
    } else if (!active && TrainingPanel.focused === this) {
      TrainingPanel.focused = undefined;
      TrainingPanel.focusEmitter.fire(undefined);
    }
  }

  /** Points the panel at another session for the same spec (e.g. after Restart). */
  setSource(source: PanelSource | undefined): void {
    if (source === this.source) return;
    this.sourceSubscription?.dispose();
    this.source?.setPanelVisible(false);
    this.source?.setNetworkShown?.(false);
    this.source = source;
    this.sourceSubscription = source?.onPanelMessage((message) => this.forward(message));
    if (source) {
      this.panel.title = title(source);
      source.setPanelVisible(this.panel.visible);
      source.setNetworkShown?.(this.networkShown);
      if (this.ready) this.postInit();
    }
  }

  /** Scrolls to a layer and switches the heatmap mode (Inspect Gradients). */
  focus(focus: PanelFocus): void {
    if (this.ready) void this.post({ type: 'focusLayer', layer: focus.layer, mode: focus.mode });
    else this.pendingFocus = focus;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // A walk left open goes with its panel, and so does its highlight in the editor.
    if (walkLayers.has(this.specUri.toString())) highlightDenseLine(this.specUri, null);
    if (TrainingPanel.panels.get(key(this.specUri)) === this) TrainingPanel.panels.delete(key(this.specUri));
    this.setFocused(false);
    this.source?.setPanelVisible(false);
    this.sourceSubscription?.dispose();
    this.panel.dispose();
    while (this._disposables.length) this._disposables.pop()?.dispose();
  }

  private setHtml(extensionUri: vscode.Uri): void {
    const webview = this.panel.webview;
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    this.ready = false;
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      nonce: getNonce(),
      title: this.panel.title,
      // The e2e tests read the panel through its hook (webview/hook.ts); users never load it.
      hookUri: process.env.NNSPEC_PANEL_HOOK === '1' ? webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview-hook.js')).toString() : undefined,
    });
  }

  private receive(message: FromPanel): void {
    if (!message || typeof message !== 'object') return;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        // a (re)loaded webview says afresh whether its network view is on screen
        if (this.networkShown) {
          this.networkShown = false;
          this.source?.setNetworkShown?.(false);
        }
        this.postInit();
        if (this.pendingFocus) {
          const focus = this.pendingFocus;
          this.pendingFocus = undefined;
          void this.post({ type: 'focusLayer', layer: focus.layer, mode: focus.mode });
        }
        if (this.pendingWalk) {
          this.pendingWalk = false;
          void this.walk();
        }
        break;
      case 'control':
        if (ACTIONS.includes(message.action)) this.source?.control(message.action);
        break;
      case 'drawn':
        if (typeof message.step === 'number') this.source?.drawn(message.step);
        break;
      case 'pace':
        this.source?.setPace(parsePace(message.pace));
        break;
      case 'walk':
        void this.walk(typeof message.sample === 'number' ? message.sample : undefined);
        break;
      case 'walkFocus':
        highlightDenseLine(this.specUri, typeof message.layer === 'number' ? message.layer : null);
        break;
      case 'editSpec':
        void applySpecEdit(this.specUri, message.edit);
        break;
      case 'networkShown':
        this.networkShown = message.shown === true;
        this.source?.setNetworkShown?.(this.networkShown);
        break;
      default:
        assertNever(message, 'panel message');
    }
  }

  /** Walk Through a Step: asks the session for the next step taken apart and shows it (once the webview is ready). */
  async walk(sample?: number): Promise<void> {
    if (!this.ready) {
      this.pendingWalk = true;
      return;
    }
    const source = this.source;
    if (!source) return;
    try {
      const walk = await source.walk(sample);
      if (!this.disposed) void this.post({ type: 'walk', walk });
    } catch (error) {
      if (!this.disposed) void this.post({ type: 'walkFailed', message: error instanceof Error ? error.message : String(error) });
    }
  }

  private postInit(): void {
    const source = this.source;
    if (!source) {
      void this.post({
        type: 'loadFailed',
        message: `No training session is running for ${vscode.workspace.asRelativePath(this.specUri)}. Open it and run "NNSpec: Train Network" or "NNSpec: Show Training Panel".`,
      });
      return;
    }
    const init = source.initMessage();
    if (init) void this.post(init);
    else if (source.status === 'loading') void this.post({ type: 'status', status: 'loading' });
  }

  private forward(message: ToPanel): void {
    if (message.type === 'init' && this.source) this.panel.title = title(this.source);
    // A hidden webview drops messages; the init on becoming visible catches up.
    if (!this.ready || !this.panel.visible) return;
    if (message.type === 'snapshot') this.source?.willDraw(message.snapshot.step);
    void this.post(message);
  }

  private post(message: ToPanel): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }
}

/**
 * Restores training panels after VS Code reloads: the panel's saved PanelState names its spec,
 * `resolve` finds (or starts) that spec's session.
 */
export function registerTrainingPanelSerializer(
  context: vscode.ExtensionContext,
  resolve: (specUri: vscode.Uri) => PanelSource | undefined,
): vscode.Disposable {
  const registration = vscode.window.registerWebviewPanelSerializer(TrainingPanel.viewType, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
      const specPath = isPanelState(state) ? state.specPath : '';
      if (!specPath) {
        // Nothing to restore it from: a panel without a spec would only show an error.
        panel.dispose();
        return;
      }
      const specUri = toUri(specPath);
      const panelFor = TrainingPanel.revive(panel, context, specUri, resolve(specUri));
      if (isPanelState(state) && state.focusedLayer !== undefined && state.mode) panelFor.focus({ layer: state.focusedLayer, mode: state.mode });
    },
  });
  context.subscriptions.push(registration);
  return registration;
}

/**
 * Point and click: the edit as a WorkspaceEdit of the spec's document, so it joins the undo stack
 * (Ctrl+Z) and the session sees it as it sees typing. Returns the edit's label, or undefined
 * (with a message saying why) when it does not apply.
 */
export async function applySpecEdit(specUri: vscode.Uri, request: SpecEditRequest): Promise<string | undefined> {
  const document = await vscode.workspace.openTextDocument(specUri);
  const result = pointAndClickEdit(document.getText(), request);
  if (!result.ok) {
    void vscode.window.showInformationMessage(`NNSpec: ${result.reason}.`);
    return undefined;
  }
  const { range, newText, label } = result.edit;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(specUri, new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character), newText, { label: `NNSpec: ${label}`, needsConfirmation: false });
  return (await vscode.workspace.applyEdit(edit)) ? label : undefined;
}

/**
 * The walk's highlight of a layer's `dense` line in the spec's visible editors (null clears it).
 * A decoration belongs to an editor, and VS Code makes a new one when the spec's tab is shown
 * again: the layer each spec's walk is at is kept, and put on the spec's editors as they appear.
 */
let walkDecoration: vscode.TextEditorDecorationType | undefined;
const walkLayers = new Map<string, number>();

function highlightDenseLine(specUri: vscode.Uri, layer: number | null): void {
  if (!walkDecoration) {
    walkDecoration = vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
      // High-contrast themes mark find matches by a border, their background colour is none.
      borderColor: new vscode.ThemeColor('editor.findMatchHighlightBorder'),
      borderStyle: 'solid',
      borderWidth: '1px',
      isWholeLine: true,
      overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.findMatchForeground'),
    });
    vscode.window.onDidChangeVisibleTextEditors((editors) => {
      for (const editor of editors) {
        const shown = walkLayers.get(editor.document.uri.toString());
        if (shown !== undefined) decorate(editor, shown, false);
      }
    });
  }
  if (layer === null) walkLayers.delete(specUri.toString());
  else walkLayers.set(specUri.toString(), layer);
  for (const editor of vscode.window.visibleTextEditors) {
    if (editor.document.uri.toString() === specUri.toString()) decorate(editor, layer, true);
  }
}

function decorate(editor: vscode.TextEditor, layer: number | null, reveal: boolean): void {
  if (!walkDecoration) return;
  const range = layer === null ? undefined : denseLineRange(editor.document.getText(), layer);
  const ranges = range ? [new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character)] : [];
  editor.setDecorations(walkDecoration, ranges);
  if (reveal && ranges[0]) editor.revealRange(ranges[0], vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

function key(uri: vscode.Uri): string {
  return uri.toString();
}

function title(source: PanelSource): string {
  const name = source.info?.name ?? source.specUri.path.split('/').pop()?.replace(/\.nnspec$/, '') ?? 'training';
  return `NNSpec: ${name}`;
}

/** SessionInfo.specPath is a file system path; a URI string (other schemes) is accepted too. */
function toUri(specPath: string): vscode.Uri {
  return /^[a-z][\w+.-]+:\/\//i.test(specPath) ? vscode.Uri.parse(specPath) : vscode.Uri.file(specPath);
}

function isPanelState(state: unknown): state is PanelState {
  return typeof state === 'object' && state !== null && typeof (state as PanelState).specPath === 'string';
}
