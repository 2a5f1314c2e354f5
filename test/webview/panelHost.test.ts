/**
 * The host side of the training panel (src/extension/panel.ts) against a stand-in of the few
 * `vscode` APIs it uses: one panel per spec, the CSP and resource roots, the message relay
 * between session and webview, visibility, disposal and the serializer. The real VS Code runs
 * it in the e2e suite.
 */
import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { FromPanel, PanelAction, SessionInfo, SessionStatus, Snapshot, ToPanel } from '../../src/protocol';

// ---------------------------------------------------------------------------
// A stand-in for the parts of `vscode` panel.ts touches.

type Listener<T> = (e: T) => void;

class Emitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>): { dispose(): void } => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  get count(): number {
    return this.listeners.length;
  }
}

class FakeUri {
  constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

class FakePanel {
  title: string;
  visible = true;
  disposed = false;
  iconPath: unknown;
  revealed = 0;
  readonly posted: ToPanel[] = [];
  readonly received = new Emitter<FromPanel>();
  readonly disposeEmitter = new Emitter<void>();
  readonly viewState = new Emitter<void>();
  readonly webview = {
    html: '',
    options: {} as { enableScripts?: boolean; localResourceRoots?: FakeUri[] },
    cspSource: 'https://webview.test',
    asWebviewUri: (u: FakeUri) => ({ toString: () => `https://webview.test${u.path}` }),
    postMessage: async (m: ToPanel) => {
      // A hidden webview drops messages, as VS Code's do.
      if (this.visible) this.posted.push(m);
      return this.visible;
    },
    onDidReceiveMessage: this.received.event,
  };
  readonly onDidDispose = this.disposeEmitter.event;
  readonly onDidChangeViewState = this.viewState.event;

  constructor(
    readonly viewType: string,
    title: string,
    readonly showOptions: unknown,
    readonly options: Record<string, unknown>,
  ) {
    this.title = title;
    this.webview.options = options as FakePanel['webview']['options'];
  }
  reveal(): void {
    this.revealed++;
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
  }
  /** The webview script says something. */
  say(m: FromPanel): void {
    this.received.fire(m);
  }
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.viewState.fire();
  }
}

const fake = vi.hoisted(() => ({
  panels: [] as unknown[],
  serializers: new Map<string, { deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> }>(),
}));

vi.mock('vscode', () => ({
  EventEmitter: class<T> extends Emitter<T> {
    dispose(): void {}
  },
  Uri: {
    file: (p: string) => new FakeUri('file', p),
    parse: (s: string) => {
      const m = /^([a-z][\w+.-]*):\/\/(.*)$/i.exec(s);
      return new FakeUri(m?.[1] ?? 'file', m?.[2] ?? s);
    },
    joinPath: (base: FakeUri, ...parts: string[]) => new FakeUri(base.scheme, [base.path, ...parts].join('/')),
  },
  ViewColumn: { Beside: -2 },
  window: {
    createWebviewPanel: (viewType: string, title: string, show: unknown, options: Record<string, unknown>) => {
      const panel = new FakePanel(viewType, title, show, options);
      fake.panels.push(panel);
      return panel;
    },
    registerWebviewPanelSerializer: (viewType: string, serializer: { deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> }) => {
      fake.serializers.set(viewType, serializer);
      return { dispose: () => fake.serializers.delete(viewType) };
    },
  },
  workspace: { asRelativePath: (u: FakeUri) => u.path.split('/').pop() },
}));

const { TrainingPanel, registerTrainingPanelSerializer } = await import('../../src/extension/panel');

// ---------------------------------------------------------------------------

const extensionUri = new FakeUri('file', '/ext');
const context = { extensionUri, subscriptions: [] as { dispose(): void }[] } as unknown as Parameters<typeof TrainingPanel.show>[0];

function info(name: string, specPath: string): SessionInfo {
  return {
    specPath,
    name,
    inputSize: 2,
    layers: [{ index: 1, inputs: 2, units: 1, activation: 'sigmoid', bias: true }],
    loss: 'mse',
    task: 'binary',
    epochs: 1,
    stepsPerEpoch: 1,
    batchSize: 4,
    trainCount: 4,
    validationCount: 0,
    dataName: 'xor',
    parameterCount: 3,
    seed: 1,
  };
}

class FakeSource {
  readonly messages = new Emitter<ToPanel>();
  readonly onPanelMessage = this.messages.event;
  readonly controls: PanelAction[] = [];
  readonly visibility: boolean[] = [];
  status: SessionStatus = 'ready';
  info: SessionInfo | undefined;
  constructor(
    readonly specUri: FakeUri,
    name: string | undefined,
  ) {
    this.info = name ? info(name, specUri.path) : undefined;
  }
  initMessage(): ToPanel | undefined {
    return this.info ? { type: 'init', info: this.info, status: this.status, history: { stepLosses: new Float32Array(0), epochs: [] } } : undefined;
  }
  control(action: PanelAction): void {
    this.controls.push(action);
  }
  setPanelVisible(visible: boolean): void {
    this.visibility.push(visible);
  }
  readonly drawing: string[] = [];
  willDraw(step: number): void {
    this.drawing.push(`will ${step}`);
  }
  drawn(step: number): void {
    this.drawing.push(`drawn ${step}`);
  }
  readonly paces: unknown[] = [];
  setPace(pace: unknown): void {
    this.paces.push(pace);
  }
  readonly networkShown: boolean[] = [];
  setNetworkShown(shown: boolean): void {
    this.networkShown.push(shown);
  }
}

type Source = Parameters<typeof TrainingPanel.show>[1];
const asSource = (s: FakeSource): Source => s as unknown as Source;
const lastPanel = (): FakePanel => fake.panels[fake.panels.length - 1] as FakePanel;

beforeEach(() => {
  for (const p of TrainingPanel.all()) p.dispose();
  fake.panels.length = 0;
});

describe('TrainingPanel', () => {
  test('one panel per spec, titled with the name, strict CSP with a fresh nonce, resources from dist/ and media/ only', () => {
    const source = new FakeSource(new FakeUri('file', '/work/xor.nnspec'), 'xor');
    const panel = TrainingPanel.show(context, asSource(source));
    const fp = lastPanel();
    expect(fp.viewType).toBe('nnspec.training');
    expect(fp.title).toBe('NNSpec: xor');
    expect(fp.options).toMatchObject({ enableScripts: true, retainContextWhenHidden: false });
    expect(fp.webview.options.localResourceRoots?.map(String)).toEqual(['file:///ext/dist', 'file:///ext/media']);
    const html = fp.webview.html;
    const nonce = /script-src 'nonce-([A-Za-z0-9]{32})'/.exec(html)?.[1];
    expect(nonce).toBeDefined();
    expect(html).toContain(
      `content="default-src 'none'; style-src https://webview.test; img-src https://webview.test data:; script-src 'nonce-${nonce}'; font-src https://webview.test"`,
    );
    expect(html).toContain(`<script nonce="${nonce}" src="https://webview.test/ext/dist/webview.js"></script>`);
    expect(html).toContain('<link rel="stylesheet" href="https://webview.test/ext/dist/webview.css">');
    expect(html).not.toMatch(/\son\w+=/); // no inline handlers
    expect(html, 'the test hook loads only with NNSPEC_PANEL_HOOK=1').not.toContain('webview-hook.js');
    expect(source.visibility).toEqual([true]);
    expect(TrainingPanel.forSpec(source.specUri as never)).toBe(panel);

    // Showing it again reveals the same panel; another spec gets its own, with another nonce.
    expect(TrainingPanel.show(context, asSource(source))).toBe(panel);
    expect(fake.panels).toHaveLength(1);
    expect(fp.revealed).toBe(1);
    TrainingPanel.show(context, asSource(new FakeSource(new FakeUri('file', '/work/spiral.nnspec'), undefined)));
    expect(fake.panels).toHaveLength(2);
    expect(lastPanel().title).toBe('NNSpec: spiral'); // not loaded yet: the file's name
    expect(lastPanel().webview.html).not.toContain(nonce);
  });

  test('after ready: init, then the session messages; controls reach the session; a focus waits for ready', () => {
    const source = new FakeSource(new FakeUri('file', '/work/xor.nnspec'), 'xor');
    TrainingPanel.show(context, asSource(source), { layer: 1, mode: 'gradient' });
    const fp = lastPanel();
    source.messages.fire({ type: 'status', status: 'running' }); // before ready: the init will carry it
    expect(fp.posted).toEqual([]);
    fp.say({ type: 'ready' });
    expect(fp.posted.map((m) => m.type)).toEqual(['init', 'focusLayer']);
    expect(fp.posted[1]).toEqual({ type: 'focusLayer', layer: 1, mode: 'gradient' });
    source.messages.fire({ type: 'status', status: 'paused' });
    expect(fp.posted.at(-1)).toEqual({ type: 'status', status: 'paused' });
    fp.say({ type: 'control', action: 'step' });
    fp.say({ type: 'control', action: 'explode' as PanelAction });
    fp.say({ type: 'control', action: 'reset' });
    fp.say({ type: 'control', action: 'continue' });
    expect(source.controls).toEqual(['step', 'reset', 'continue']);
    // Inspect Gradients on an open panel focuses at once.
    TrainingPanel.show(context, asSource(source), { layer: 1, mode: 'weights' });
    expect(fp.posted.at(-1)).toEqual({ type: 'focusLayer', layer: 1, mode: 'weights' });
  });

  test('flow control: a snapshot posted to the visible panel waits for its drawn; the speed control reaches the session', () => {
    const source = new FakeSource(new FakeUri('file', '/work/xor.nnspec'), 'xor');
    TrainingPanel.show(context, asSource(source));
    const fp = lastPanel();
    const snapshot = { status: 'running', epoch: 0, step: 7, stepInEpoch: 7, rate: 0.5, loss: 0.2, newStepLosses: new Float32Array(0), newEpochs: [], samplesPerSecond: 1 } satisfies Snapshot;
    source.messages.fire({ type: 'snapshot', snapshot }); // before ready: not posted, nothing to wait for
    expect(source.drawing).toEqual([]);
    fp.say({ type: 'ready' });
    source.messages.fire({ type: 'snapshot', snapshot });
    expect(fp.posted.at(-1)?.type).toBe('snapshot');
    fp.say({ type: 'drawn', step: 7 });
    expect(source.drawing).toEqual(['will 7', 'drawn 7']);
    fp.say({ type: 'pace', pace: 10 });
    fp.say({ type: 'pace', pace: 'nonsense' as never });
    expect(source.paces).toEqual([10, 'auto']);
  });

  test('hidden: the session stops sending layers and nothing is posted; visible again: a full init', () => {
    const source = new FakeSource(new FakeUri('file', '/work/xor.nnspec'), 'xor');
    TrainingPanel.show(context, asSource(source));
    const fp = lastPanel();
    fp.say({ type: 'ready' });
    fp.setVisible(false);
    expect(source.visibility).toEqual([true, false]);
    const before = fp.posted.length;
    source.messages.fire({ type: 'status', status: 'running' });
    expect(fp.posted.length).toBe(before);
    fp.setVisible(true);
    expect(source.visibility).toEqual([true, false, true]);
    expect(fp.posted.at(-1)?.type).toBe('init');
  });

  test('the network view on screen or off reaches the session (neuron pictures only while shown); a new session for the panel learns it', () => {
    const source = new FakeSource(new FakeUri('file', '/work/xor.nnspec'), 'xor');
    const panel = TrainingPanel.show(context, asSource(source));
    const fp = lastPanel();
    fp.say({ type: 'ready' });
    fp.say({ type: 'networkShown', shown: true });
    fp.say({ type: 'networkShown', shown: false });
    fp.say({ type: 'networkShown', shown: true });
    // (false first: the panel starts assuming it is off screen)
    expect(source.networkShown).toEqual([false, true, false, true]);
    // a reloaded webview starts again from off screen
    fp.say({ type: 'ready' });
    expect(source.networkShown.at(-1)).toBe(false);
    fp.say({ type: 'networkShown', shown: true });
    // Restart: the old session stops sending pictures, the new one sends them at once
    const next = new FakeSource(new FakeUri('file', '/work/xor.nnspec'), 'xor');
    panel.setSource(asSource(next));
    expect(source.networkShown.at(-1)).toBe(false);
    expect(next.networkShown).toEqual([true]);
    expect(source.networkShown).toEqual([false, true, false, true, false, true, false]);
  });

  test('disposing tells the session nobody looks, forgets the panel and stops listening', () => {
    const source = new FakeSource(new FakeUri('file', '/work/xor.nnspec'), 'xor');
    TrainingPanel.show(context, asSource(source));
    const fp = lastPanel();
    expect(source.messages.count).toBe(1);
    fp.dispose(); // the user closed it
    expect(source.visibility.at(-1)).toBe(false);
    expect(source.messages.count).toBe(0);
    expect(TrainingPanel.forSpec(source.specUri as never)).toBeUndefined();
    // A new show makes a new panel.
    TrainingPanel.show(context, asSource(source));
    expect(fake.panels).toHaveLength(2);
  });
});

describe('registerTrainingPanelSerializer', () => {
  test('revives a panel from its saved specPath, with the same options, and restores the focused layer', async () => {
    const source = new FakeSource(new FakeUri('file', '/work/xor.nnspec'), 'xor');
    const asked: string[] = [];
    registerTrainingPanelSerializer(context, (uri) => {
      asked.push(String(uri));
      return asSource(source);
    });
    const serializer = fake.serializers.get('nnspec.training');
    expect(serializer).toBeDefined();
    const restored = new FakePanel('nnspec.training', 'NNSpec: xor', undefined, {});
    await serializer!.deserializeWebviewPanel(restored, { specPath: '/work/xor.nnspec', focusedLayer: 1, mode: 'epochDelta' });
    expect(asked).toEqual(['file:///work/xor.nnspec']);
    expect(restored.webview.options.enableScripts).toBe(true);
    expect(restored.webview.options.localResourceRoots?.map(String)).toEqual(['file:///ext/dist', 'file:///ext/media']);
    expect(restored.webview.html).toContain("default-src 'none'");
    restored.say({ type: 'ready' });
    expect(restored.posted.map((m) => m.type)).toEqual(['init', 'focusLayer']);
    expect(TrainingPanel.forSpec(source.specUri as never)?.panel).toBe(restored);
  });

  test('no session for the spec: the panel says so; no saved spec: it is closed', async () => {
    registerTrainingPanelSerializer(context, () => undefined);
    const serializer = fake.serializers.get('nnspec.training')!;
    const orphan = new FakePanel('nnspec.training', 'NNSpec: gone', undefined, {});
    await serializer.deserializeWebviewPanel(orphan, { specPath: '/work/gone.nnspec' });
    orphan.say({ type: 'ready' });
    expect(orphan.posted).toEqual([
      { type: 'loadFailed', message: 'No training session is running for gone.nnspec. Open it and run "NNSpec: Train Network" or "NNSpec: Show Training Panel".' },
    ]);
    // Starting the session later adopts the orphan panel.
    const source = new FakeSource(new FakeUri('file', '/work/gone.nnspec'), 'gone');
    TrainingPanel.show(context, asSource(source));
    expect(orphan.posted.at(-1)?.type).toBe('init');
    expect(orphan.title).toBe('NNSpec: gone');

    const empty = new FakePanel('nnspec.training', 'NNSpec', undefined, {});
    await serializer.deserializeWebviewPanel(empty, undefined);
    expect(empty.disposed).toBe(true);
  });
});
