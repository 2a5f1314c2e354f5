/**
 * Training sessions: one per spec URI, each owning a worker_threads Worker that runs
 * dist/worker.js. The host only posts messages and reacts to the worker's; it never waits
 * on training. A session implements PanelSource so the training panel can draw it.
 */
import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import type { WeightsFile } from '../core/weights';
import { DEFAULT_MEMORY_BUDGET_MB } from '../core/budget';
import type {
  FromWorker,
  PanelAction,
  SessionInfo,
  SessionStatus,
  Snapshot,
  ToPanel,
  ToWorker,
  WorkerRequest,
  WorkerResponse,
  WorkerSettings,
} from '../protocol';
import type { PanelSource } from './panelSource';
import { SessionState } from './sessionState';

export function workerSettings(panelVisible = false): WorkerSettings {
  const config = vscode.workspace.getConfiguration('nnspec');
  return {
    updateHz: Math.max(1, config.get<number>('updateRate', 20)),
    maxParameters: config.get<number>('maxParameters', 5_000_000),
    memoryBudgetMB: config.get<number>('memoryBudgetMB', DEFAULT_MEMORY_BUDGET_MB),
    includeLayers: panelVisible,
  };
}

type Pending = { resolve: (response: WorkerResponse) => void; reject: (error: Error) => void };

export class TrainingSession implements PanelSource, vscode.Disposable {
  readonly state = new SessionState();
  /** The spec text the worker loaded; the document differs from it → stale. */
  loadedText = '';
  stale = false;
  /** When the current Train run began (for the log). */
  runStartedAt: number | undefined;

  private worker: Worker | undefined;
  private terminating = false;
  private panelVisible = false;
  private nextRequestId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly panelEmitter = new vscode.EventEmitter<ToPanel>();
  private readonly changeEmitter = new vscode.EventEmitter<TrainingSession>();
  private readonly messageEmitter = new vscode.EventEmitter<FromWorker>();
  private loadWaiters: (() => void)[] = [];

  readonly onPanelMessage = this.panelEmitter.event;
  /** Status, progress or staleness changed (status bar, code lens, context keys listen). */
  readonly onDidChange = this.changeEmitter.event;
  /** Every message from the worker, after the state took it in. */
  readonly onWorkerMessage = this.messageEmitter.event;

  constructor(
    readonly specUri: vscode.Uri,
    private readonly extensionUri: vscode.Uri,
  ) {}

  get info(): SessionInfo | undefined {
    return this.state.info;
  }

  get status(): SessionStatus {
    return this.state.status;
  }

  get loaded(): boolean {
    return this.state.info !== undefined && this.status !== 'loading' && this.worker !== undefined;
  }

  /** A worker is running for this session (loading or loaded). */
  get hasWorker(): boolean {
    return this.worker !== undefined;
  }

  /** While a load is in progress: resolves when it loaded or failed. */
  loading: Promise<void> | undefined;

  /** Starts (or restarts) the worker with this spec text; resolves when it loaded or failed. */
  load(specText: string, weights?: WeightsFile): Promise<void> {
    const loading = this.startWorker(specText, weights).finally(() => {
      if (this.loading === loading) this.loading = undefined;
    });
    this.loading = loading;
    return loading;
  }

  private async startWorker(specText: string, weights?: WeightsFile): Promise<void> {
    this.terminateWorker();
    this.loadedText = specText;
    this.stale = false;
    this.state.status = 'loading';
    this.state.info = undefined;
    this.state.message = undefined;
    this.changed();
    const loaded = new Promise<void>((resolve) => this.loadWaiters.push(resolve));
    const worker = new Worker(vscode.Uri.joinPath(this.extensionUri, 'dist', 'worker.js').fsPath);
    this.worker = worker;
    this.terminating = false;
    worker.on('message', (message: FromWorker) => {
      if (worker === this.worker) this.receive(message);
    });
    worker.on('error', (error) => {
      if (worker === this.worker) this.crash(`the training worker crashed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      if (worker !== this.worker) return;
      this.worker = undefined;
      if (!this.terminating && code !== 0) this.crash(`the training worker exited with code ${code}`);
    });
    this.post({
      type: 'load',
      specText,
      specPath: this.specUri.fsPath,
      assetsDir: vscode.Uri.joinPath(this.extensionUri, 'media').fsPath,
      settings: workerSettings(this.panelVisible),
      weights,
    });
    await loaded;
  }

  // -- control ------------------------------------------------------------------------

  control(action: PanelAction): void {
    switch (action) {
      case 'train':
        this.post({ type: 'run' });
        break;
      case 'pause':
        this.post({ type: 'pause' });
        break;
      case 'step':
        this.post({ type: 'step' });
        break;
      case 'stepEpoch':
        this.post({ type: 'stepEpoch' });
        break;
      case 'reset':
        this.post({ type: 'reset' });
        break;
    }
  }

  /** Sends a control message and resolves with the first snapshot that satisfies `until`. */
  async act(action: PanelAction, until: (snapshot: Snapshot) => boolean = (s) => s.status !== 'running'): Promise<Snapshot> {
    if (!this.worker) throw new Error('the training session is not running; start it again');
    const next = this.nextSnapshot(until);
    this.control(action);
    return next;
  }

  /** The first snapshot from now on that satisfies `until` (rejects if the worker fails first). */
  nextSnapshot(until: (snapshot: Snapshot) => boolean): Promise<Snapshot> {
    return new Promise<Snapshot>((resolve, reject) => {
      const done = (): void => {
        messages.dispose();
        changes.dispose();
      };
      const messages = this.onWorkerMessage((message) => {
        if (message.type === 'snapshot' && until(message.snapshot)) {
          done();
          resolve(message.snapshot);
        } else if (message.type === 'fatal' || (message.type === 'finished' && message.status === 'diverged')) {
          done();
          reject(new Error(message.message ?? 'training failed'));
        }
      });
      const changes = this.onDidChange(() => {
        if (!this.worker) {
          done();
          reject(new Error(this.state.message ?? 'the training session ended'));
        }
      });
    });
  }

  /**
   * Makes sure `state.layers` belong to the latest step. While running without the panel the
   * worker leaves the arrays out of its snapshots: ask for them in the next one (at most
   * 1/updateHz s away), then go back to what the panel wants.
   */
  async freshLayers(timeoutMs = 2000): Promise<void> {
    if (!this.worker || this.state.currentLayers) return;
    if (this.status !== 'running') {
      // Idle without arrays (not expected: every burst ends with them): ask once.
      if (this.state.step === 0) return;
    }
    const next = this.nextSnapshot((s) => s.layers !== undefined);
    this.post({ type: 'settings', settings: { includeLayers: true } });
    try {
      await Promise.race([next, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    } catch {
      // The run ended with an error: the caller shows whatever arrays there are.
    } finally {
      if (!this.panelVisible) this.post({ type: 'settings', settings: { includeLayers: false } });
    }
  }

  /** Sends a request to the worker; resolves with its response. */
  request<K extends WorkerRequest['kind']>(request: Extract<WorkerRequest, { kind: K }>): Promise<Extract<WorkerResponse, { kind: K }>> {
    if (!this.worker) return Promise.reject(new Error('the training session is not running; start it again'));
    const id = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: WorkerResponse) => void, reject });
      this.post({ type: 'request', id, request });
    });
  }

  /** Ends the session: the worker stops, the status becomes 'stopped'. */
  stop(): void {
    this.terminateWorker();
    this.state.status = 'stopped';
    this.panelEmitter.fire({ type: 'status', status: 'stopped' });
    this.changed();
  }

  markStale(stale: boolean): void {
    if (this.stale === stale) return;
    this.stale = stale;
    this.changed();
  }

  // -- PanelSource -----------------------------------------------------------------------

  initMessage(): ToPanel | undefined {
    const info = this.state.info;
    if (!info) return undefined;
    return {
      type: 'init',
      info,
      status: this.status,
      history: { stepLosses: this.state.stepLosses.toArray(), epochs: [...this.state.epochs] },
      latest: this.latestWithLayers(),
    };
  }

  setPanelVisible(visible: boolean): void {
    if (this.panelVisible === visible) return;
    this.panelVisible = visible;
    this.post({ type: 'settings', settings: { includeLayers: visible } });
  }

  updateSettings(): void {
    const { updateHz, maxParameters } = workerSettings(this.panelVisible);
    this.post({ type: 'settings', settings: { updateHz, maxParameters } });
  }

  dispose(): void {
    this.terminateWorker();
    this.panelEmitter.dispose();
    this.changeEmitter.dispose();
    this.messageEmitter.dispose();
  }

  // -- internals -------------------------------------------------------------------------

  private latestWithLayers(): Snapshot | undefined {
    const latest = this.state.latest;
    if (!latest) return undefined;
    const layers = this.state.currentLayers;
    return layers ? { ...latest, layers, trace: this.state.trace, newStepLosses: new Float32Array(0), newEpochs: [] } : latest;
  }

  private receive(message: FromWorker): void {
    const wasReset = message.type === 'snapshot' && message.snapshot.step === 0 && message.snapshot.status === 'ready' && this.state.step > 0;
    const visible = this.state.apply(message);
    switch (message.type) {
      case 'loaded':
      case 'loadFailed':
        for (const resolve of this.loadWaiters.splice(0)) resolve();
        if (message.type === 'loaded') {
          const init = this.initMessage();
          if (init) this.panelEmitter.fire(init);
        } else {
          this.panelEmitter.fire({ type: 'loadFailed', message: message.message });
        }
        break;
      case 'snapshot': {
        if (wasReset) {
          const init = this.initMessage();
          if (init) this.panelEmitter.fire(init);
        } else {
          this.panelEmitter.fire({ type: 'snapshot', snapshot: message.snapshot });
        }
        break;
      }
      case 'finished':
        this.panelEmitter.fire({ type: 'status', status: message.status, message: message.message });
        break;
      case 'fatal':
        this.panelEmitter.fire({ type: 'status', status: 'error', message: message.message });
        break;
      case 'response': {
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        pending?.resolve(message.response);
        break;
      }
      case 'responseError': {
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        pending?.reject(new Error(message.message));
        break;
      }
      case 'epoch':
        break;
    }
    this.messageEmitter.fire(message);
    if (visible) this.changed();
  }

  private crash(message: string): void {
    this.terminateWorker();
    this.state.crashed(message);
    for (const resolve of this.loadWaiters.splice(0)) resolve();
    this.panelEmitter.fire({ type: 'status', status: 'error', message });
    this.changed();
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private terminateWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    for (const pending of this.pending.values()) pending.reject(new Error('the training session ended'));
    this.pending.clear();
    if (worker) {
      this.terminating = true;
      void worker.terminate();
    }
  }

  private changed(): void {
    this.changeEmitter.fire(this);
  }
}

/** All sessions, one per spec URI. */
export class SessionManager implements vscode.Disposable {
  private readonly sessions = new Map<string, TrainingSession>();
  private readonly changeEmitter = new vscode.EventEmitter<TrainingSession>();
  private readonly subscriptions = new Map<string, vscode.Disposable>();
  /** A session was created, changed status or progress, or was removed. */
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly extensionUri: vscode.Uri) {}

  get(uri: vscode.Uri): TrainingSession | undefined {
    return this.sessions.get(uri.toString());
  }

  all(): TrainingSession[] {
    return [...this.sessions.values()];
  }

  getOrCreate(uri: vscode.Uri): TrainingSession {
    let session = this.get(uri);
    if (!session) {
      session = new TrainingSession(uri, this.extensionUri);
      this.sessions.set(uri.toString(), session);
      this.subscriptions.set(uri.toString(), session.onDidChange((s) => this.changeEmitter.fire(s)));
    }
    return session;
  }

  dispose(): void {
    for (const session of this.sessions.values()) session.dispose();
    for (const subscription of this.subscriptions.values()) subscription.dispose();
    this.sessions.clear();
    this.changeEmitter.dispose();
  }
}
