/**
 * Training sessions: one per spec URI, each owning a worker_threads Worker that runs
 * dist/worker.js. The host only posts messages and reacts to the worker's; it never waits
 * on training. A session implements PanelSource so the training panel can draw it.
 */
import type { StepExplanation } from '../core/engine/explain';
import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import type { WeightsFile } from '../core/weights';
import { DEFAULT_MEMORY_BUDGET_MB } from '../core/budget';
import {
  assertNever,
  type FromWorker,
  type Pace,
  type PanelAction,
  type SessionInfo,
  type SessionStatus,
  type Snapshot,
  type ToPanel,
  type ToWorker,
  type WorkerRequest,
  type WorkerResponse,
  type WorkerSettings,
} from '../protocol';
import { parsePace, stepsPerSecond } from './pace';
import { threadsSetting } from './features/threads';
import { withLive } from './specEdits';
import { parseSpec } from '../core/lang/index';
import type { NetworkSpec } from '../core/spec';
import type { LiveHyper } from '../core/engine/types';
import type { PanelSource } from './panelSource';
import { SessionState } from './sessionState';
import type { CheckpointHistory, ResumePoint } from './checkpoint';
import type { TrainingState } from '../core/engine/trainingState';

export function workerSettings(panelVisible = false): WorkerSettings {
  const config = vscode.workspace.getConfiguration('nnspec');
  return {
    updateHz: Math.max(1, config.get<number>('updateRate', 20)),
    maxParameters: config.get<number>('maxParameters', 5_000_000),
    memoryBudgetMB: config.get<number>('memoryBudgetMB', DEFAULT_MEMORY_BUDGET_MB),
    includeLayers: panelVisible,
    threads: threadsSetting(config.get<unknown>('threads', 0), (message) => void vscode.window.showWarningMessage(message)),
  };
}

/** The `nnspec.pace` setting. */
export function paceSetting(): Pace {
  return parsePace(vscode.workspace.getConfiguration('nnspec').get<unknown>('pace', 'auto'));
}

/**
 * Flow control, host side: a snapshot the panel was given must be drawn before the worker gets
 * its acknowledgement; a panel that never answers (closed mid-way, a dropped message) holds the
 * worker back at most this long.
 */
export const DRAW_TIMEOUT_MS = 1000;

/** What a checkpoint brings back after a reload (see checkpoint.ts). */
export interface Restore {
  resume: ResumePoint;
  history: CheckpointHistory;
  /** The trainer's training state, when the checkpoint has it (exact continuation). */
  training?: TrainingState;
}

type Pending = { resolve: (response: WorkerResponse) => void; reject: (error: Error) => void };

export class TrainingSession implements PanelSource, vscode.Disposable {
  readonly state = new SessionState();
  /** The spec text the worker loaded. */
  loadedText = '';
  /**
   * The spec text whose hyper-parameters the worker trains with: the loaded text, then the
   * document's text after each edit the session took live (what a checkpoint saves, so that
   * after a reload the file still matches it).
   */
  runningText = '';
  /** The spec the worker trains: the loaded one with the live edits applied since. */
  runningSpec: NetworkSpec | undefined;
  /** The document has edits the session cannot take without a restart (it runs an older spec). */
  stale = false;
  /** What those edits changed ("seed", "the network (input or layers)"). */
  staleReasons: string[] = [];
  /** When the current Train run began (for the log). */
  runStartedAt: number | undefined;

  private worker: Worker | undefined;
  private terminating = false;
  private panelVisible = false;
  /** The panel's network view is on screen: snapshots carry the neuron pictures. */
  private networkShown = false;
  private nextRequestId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly panelEmitter = new vscode.EventEmitter<ToPanel>();
  private readonly changeEmitter = new vscode.EventEmitter<TrainingSession>();
  private readonly messageEmitter = new vscode.EventEmitter<FromWorker>();
  private loadWaiters: (() => void)[] = [];
  private loadNote: string | undefined;
  /** After a reload: the checkpoint's history, put back once the worker loaded its weights. */
  private restoreOnLoad: Restore | undefined;
  /** The panel's own pace (its speed control); undefined: the `nnspec.pace` setting. */
  private paceChoice: Pace | undefined;
  /** The step of the snapshot the panel was given and has not drawn yet. */
  private drawWait: number | undefined;
  private drawTimer: NodeJS.Timeout | undefined;

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

  /** Starts (or restarts) the worker with this spec text; resolves when it loaded or failed. `note` is shown until the first step (why it starts afresh). */
  load(specText: string, weights?: WeightsFile, note?: string, restore?: Restore): Promise<void> {
    this.loadNote = note;
    this.restoreOnLoad = restore;
    const loading = this.startWorker(specText, weights, restore).finally(() => {
      if (this.loading === loading) this.loading = undefined;
    });
    this.loading = loading;
    return loading;
  }

  private async startWorker(specText: string, weights?: WeightsFile, restore?: Restore): Promise<void> {
    this.terminateWorker();
    this.loadedText = specText;
    this.runningText = specText;
    const parsed = parseSpec(specText);
    this.runningSpec = parsed.diagnostics.some((d) => d.severity === 'error') ? undefined : parsed.spec;
    this.stale = false;
    this.staleReasons = [];
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
      const wasLoading = this.state.status === 'loading';
      this.worker = undefined;
      // Any exit we did not ask for is a failure, even with code 0 (a worker killed while it
      // loads exits with 0): say so, and settle whoever waits for the load.
      if (!this.terminating && (code !== 0 || wasLoading)) {
        this.crash(wasLoading ? `the training worker exited while loading the spec (exit code ${code})` : `the training worker exited with code ${code}`);
      }
    });
    this.post({
      type: 'load',
      specText,
      specPath: this.specUri.fsPath,
      assetsDir: vscode.Uri.joinPath(this.extensionUri, 'media').fsPath,
      settings: { ...workerSettings(this.panelVisible), pictures: this.networkShown },
      weights,
      ...(restore ? { resume: restore.resume } : {}),
      ...(restore?.training ? { training: restore.training } : {}),
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
      case 'continue':
        // As many epochs again as the spec plans, then go on.
        this.post({ type: 'extendEpochs', epochs: Math.max(1, this.state.info?.epochs ?? 1) });
        this.post({ type: 'run' });
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

  /** Sends a request to the worker (moving the `transfer` buffers, not copying them); resolves with its response. */
  request<K extends WorkerRequest['kind']>(request: Extract<WorkerRequest, { kind: K }>, transfer: ArrayBuffer[] = []): Promise<Extract<WorkerResponse, { kind: K }>> {
    if (!this.worker) return Promise.reject(new Error('the training session is not running; start it again'));
    const id = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: WorkerResponse) => void, reject });
      this.post({ type: 'request', id, request }, transfer);
    });
  }

  /** Ends the session: the worker stops, the status becomes 'stopped' (shown at once). */
  stop(message?: string): void {
    this.terminateWorker();
    this.state.status = 'stopped';
    this.state.message = message;
    this.panelEmitter.fire({ type: 'status', status: 'stopped', message });
    this.changed();
  }

  // -- pace ----------------------------------------------------------------------------------

  /** The pace as chosen: the panel's speed control, else the `nnspec.pace` setting. */
  get pace(): Pace {
    return this.paceChoice ?? paceSetting();
  }

  /** The pace the worker keeps, in steps a second (0 = full speed). */
  get stepsPerSecond(): number {
    const info = this.state.info;
    const latest = this.state.latest;
    return stepsPerSecond(
      this.pace,
      info && { parameterCount: info.parameterCount, epochs: latest?.epochs ?? info.epochs, stepsPerEpoch: latest?.stepsPerEpoch ?? info.stepsPerEpoch },
    );
  }

  /** The panel's speed control (undefined: back to the setting). */
  setPace(pace: Pace | undefined): void {
    this.paceChoice = pace;
    this.sendPace();
  }

  /** Tells the worker and the panel the pace now in force. */
  private sendPace(): void {
    this.post({ type: 'settings', settings: { stepsPerSecond: this.stepsPerSecond } });
    this.panelEmitter.fire(this.sessionMessage());
  }

  /** What the panel shows beyond the worker's snapshots: the pace and whether the session runs an older spec. */
  sessionMessage(): Extract<ToPanel, { type: 'session' }> {
    return { type: 'session', pace: this.pace, stepsPerSecond: this.stepsPerSecond, stale: this.stale, staleReason: this.staleReasons.join(', ') || undefined };
  }

  // -- flow control --------------------------------------------------------------------------

  /** The panel was given the snapshot of `step` to draw: the worker's acknowledgement waits for `drawn`. */
  willDraw(step: number): void {
    this.drawWait = step;
  }

  /** The panel drew the snapshot of `step`. */
  drawn(step: number): void {
    if (this.drawWait !== undefined && step >= this.drawWait) this.ack();
  }

  /** The worker may send its next progress snapshot. */
  private ack(): void {
    this.drawWait = undefined;
    if (this.drawTimer !== undefined) clearTimeout(this.drawTimer);
    this.drawTimer = undefined;
    this.post({ type: 'ack' });
  }

  markStale(stale: boolean, reasons: string[] = []): void {
    if (this.stale === stale && this.staleReasons.join() === reasons.join()) return;
    this.stale = stale;
    this.staleReasons = stale ? reasons : [];
    this.panelEmitter.fire(this.sessionMessage());
    this.changed();
  }

  /** Live edits: the worker applies them before its next step (and marks them on the chart). */
  retune(live: LiveHyper): void {
    if (!this.runningSpec || Object.keys(live).length === 0) return;
    this.runningSpec = withLive(this.runningSpec, live);
    this.post({ type: 'hyper', changes: live });
    // epochs and batch change the 'auto' pace.
    if (live.epochs !== undefined || live.batch !== undefined) this.sendPaceSoon = true;
  }

  /** After a live edit of epochs or batch: resolve the pace again once the worker reported the new plan. */
  private sendPaceSoon = false;

  // -- PanelSource -----------------------------------------------------------------------

  async walk(sample?: number): Promise<StepExplanation> {
    return (await this.request({ kind: 'walk', sample })).walk;
  }

  initMessage(): ToPanel | undefined {
    const info = this.state.info;
    if (!info) return undefined;
    const history = this.state.stepLosses;
    return {
      type: 'init',
      info,
      status: this.status,
      history: { stepLosses: history.toArray(), stepStride: history.stride, epochs: [...this.state.epochs], marks: [...this.state.marks] },
      latest: this.latestWithLayers(),
      message: this.state.message,
      session: { pace: this.pace, stepsPerSecond: this.stepsPerSecond, stale: this.stale },
    };
  }

  setPanelVisible(visible: boolean): void {
    if (!visible && this.drawWait !== undefined) this.ack(); // nobody will draw it
    if (this.panelVisible === visible) return;
    this.panelVisible = visible;
    this.post({ type: 'settings', settings: { includeLayers: visible } });
  }

  setNetworkShown(shown: boolean): void {
    if (this.networkShown === shown) return;
    this.networkShown = shown;
    this.post({ type: 'settings', settings: { pictures: shown } });
  }

  updateSettings(): void {
    const { updateHz, maxParameters, threads } = workerSettings(this.panelVisible);
    this.post({ type: 'settings', settings: { updateHz, maxParameters, stepsPerSecond: this.stepsPerSecond, threads } });
    this.panelEmitter.fire(this.sessionMessage());
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
    if (message.type === 'loaded' && this.loadNote) {
      this.state.message = this.loadNote; // shown by the panel until the first step clears it
      this.loadNote = undefined;
    }
    if (message.type === 'loaded' && this.restoreOnLoad) {
      this.state.restore(this.restoreOnLoad.history, this.restoreOnLoad.resume.step);
      this.restoreOnLoad = undefined;
    } else if (message.type === 'loadFailed') {
      this.restoreOnLoad = undefined;
    }
    switch (message.type) {
      case 'loaded':
      case 'loadFailed':
        for (const resolve of this.loadWaiters.splice(0)) resolve();
        if (message.type === 'loaded') {
          // The 'auto' pace depends on the network's size and length, known now.
          this.post({ type: 'settings', settings: { stepsPerSecond: this.stepsPerSecond } });
          const init = this.initMessage();
          if (init) this.panelEmitter.fire(init);
        } else {
          this.panelEmitter.fire({ type: 'loadFailed', message: message.message });
        }
        break;
      case 'snapshot': {
        // Flow control: the panel (if it draws this one, it calls willDraw while we fire) must
        // draw it before the worker sends the next; with nobody drawing, taking it up is enough.
        this.drawWait = undefined;
        if (this.sendPaceSoon && message.snapshot.newMarks) {
          this.sendPaceSoon = false;
          this.sendPace();
        }
        if (wasReset) {
          const init = this.initMessage();
          if (init) this.panelEmitter.fire(init);
        } else {
          this.panelEmitter.fire({ type: 'snapshot', snapshot: message.snapshot });
        }
        if (this.drawWait === undefined) this.ack();
        else {
          if (this.drawTimer !== undefined) clearTimeout(this.drawTimer);
          this.drawTimer = setTimeout(() => this.ack(), DRAW_TIMEOUT_MS);
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
      case 'notice':
        void vscode.window.showWarningMessage(`NNSpec: ${path.basename(this.specUri.fsPath)}: ${message.message}`);
        break;
      default:
        assertNever(message, 'worker message');
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

  private post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker?.postMessage(message, transfer);
  }

  private terminateWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    for (const pending of this.pending.values()) pending.reject(new Error('the training session ended'));
    this.pending.clear();
    // Whoever waits for a load (Train, Step, Reset while loading) goes on and sees the status.
    for (const resolve of this.loadWaiters.splice(0)) resolve();
    this.drawWait = undefined;
    if (this.drawTimer !== undefined) clearTimeout(this.drawTimer);
    this.drawTimer = undefined;
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
