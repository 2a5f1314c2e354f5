/**
 * A training session's loading faults (src/extension/sessions.ts) with a fake `vscode` and
 * stand-in workers: Stop or Restart while a spec loads settles the load; a worker that exits
 * while loading is reported whatever its exit code.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

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
  dispose(): void {
    this.listeners = [];
  }
}
class FakeUri {
  constructor(readonly fsPath: string) {}
  toString(): string {
    return `file://${this.fsPath}`;
  }
}
const warnings: string[] = [];

vi.mock('vscode', () => ({
  EventEmitter: Emitter,
  Uri: { joinPath: (base: FakeUri, ...parts: string[]) => new FakeUri(path.join(base.fsPath, ...parts)) },
  workspace: { getConfiguration: () => ({ get: <T>(_key: string, fallback: T): T => fallback }) },
  window: { showWarningMessage: (m: string) => warnings.push(m) },
}));

const { TrainingSession } = await import('../../src/extension/sessions');

/** An extension folder whose dist/worker.js is `source`. */
function extensionWith(source: string): FakeUri {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnspec-session-'));
  fs.mkdirSync(path.join(dir, 'dist'));
  fs.writeFileSync(path.join(dir, 'dist', 'worker.js'), source);
  return new FakeUri(dir);
}

const sessions: InstanceType<typeof TrainingSession>[] = [];
function session(worker: string): InstanceType<typeof TrainingSession> {
  const s = new TrainingSession(new FakeUri('/work/xor.nnspec') as never, extensionWith(worker) as never);
  sessions.push(s);
  return s;
}
afterEach(() => {
  for (const s of sessions.splice(0)) s.dispose();
});

const NEVER_ANSWERS = "require('node:worker_threads').parentPort.on('message', () => {});";
const EXITS_AT_ONCE = 'process.exit(0);';

describe('loading faults', () => {
  it('Stop while the spec loads settles the load: the next command does not wait for ever', async () => {
    const s = session(NEVER_ANSWERS);
    const loading = s.load('input 2\n');
    expect(s.status).toBe('loading');
    s.stop();
    await expect(loading).resolves.toBeUndefined();
    expect(s.status).toBe('stopped');
    expect(s.loading).toBeUndefined();
  });

  it('Restart while the spec loads settles the first load', async () => {
    const s = session(NEVER_ANSWERS);
    const first = s.load('input 2\n');
    const second = s.load('input 3\n');
    await expect(first).resolves.toBeUndefined();
    s.stop();
    await expect(second).resolves.toBeUndefined();
  });

  it('a worker that exits while loading is reported, even with exit code 0', async () => {
    const s = session(EXITS_AT_ONCE);
    await s.load('input 2\n');
    expect(s.status).toBe('error');
    expect(s.state.message).toBe('the training worker exited while loading the spec (exit code 0)');
  });

  it('a worker that fails at start is reported with its message, never a stack trace', async () => {
    const s = session("throw new Error('no such kernel');");
    await s.load('input 2\n');
    expect(s.status).toBe('error');
    expect(s.state.message).toContain('no such kernel');
    expect(s.state.message).not.toMatch(/\n\s+at /);
  });

  it('a session started afresh after a window reload says so in the panel until the first step', async () => {
    const s = session(
      "const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => { if (m.type === 'load') parentPort.postMessage({ type: 'loaded', info: { specPath: '/work/xor.nnspec', name: 'xor', epochs: 10, stepsPerEpoch: 1, parameterCount: 9, layers: [] }, diagnostics: [] }); });",
    );
    await s.load('input 2\n', undefined, 'The previous training session ended with the window reload.');
    expect(s.status).toBe('ready');
    const init = s.initMessage();
    expect(init?.type === 'init' && init.message).toBe('The previous training session ended with the window reload.');
  });
});

describe('after a window reload', () => {
  it('a session loaded from its checkpoint comes back paused at its step with its history, and Step carries on from there', async () => {
    const root = path.resolve(__dirname, '../..');
    if (!fs.existsSync(path.join(root, 'dist', 'worker.js'))) throw new Error('dist/worker.js is missing: run `npm run build` first');
    const { loadProject } = await import('../../src/core/project');
    const text = 'input 2\ndense 4 tanh\ndense 1 sigmoid\nloss mse\noptimizer sgd rate=0.5\nbatch 1\nepochs 50\nseed 1\ndata xor\n';
    const project = loadProject(text, '/work/xor.nnspec', { assetsDir: path.join(root, 'media') });
    if (!project.ok) throw new Error(project.message);
    const losses: number[] = [];
    for (let i = 0; i < 10; i++) losses.push(project.trainer.stepOnce().loss);
    const s = new TrainingSession(new FakeUri('/work/xor.nnspec') as never, new FakeUri(root) as never);
    sessions.push(s);
    await s.load(text, project.trainer.getWeights(), undefined, {
      resume: { step: 10, epoch: 2, stepInEpoch: 2 },
      history: { stepLosses: losses, stepStride: 1, epochs: [], marks: [] },
    });
    expect(s.status).toBe('paused');
    const init = s.initMessage();
    expect(init?.type === 'init' && init.status).toBe('paused');
    expect(init?.type === 'init' && init.history.stepLosses.length).toBe(10);
    const shown = await s.nextSnapshot(() => true);
    expect(shown).toMatchObject({ status: 'paused', step: 10, epoch: 2 });
    const stepped = await s.act('step');
    expect(stepped.step).toBe(11);
    expect(s.state.stepLosses.steps).toBe(11);
    expect(s.state.stepLosses.toArray()).toHaveLength(11);
  });

  it('Train after the restore continues exactly as if no reload had happened (Adam, early stopping; through the checkpoint file)', async () => {
    const root = path.resolve(__dirname, '../..');
    if (!fs.existsSync(path.join(root, 'dist', 'worker.js'))) throw new Error('dist/worker.js is missing: run `npm run build` first');
    const { loadProject } = await import('../../src/core/project');
    const { CheckpointStore } = await import('../../src/extension/checkpointStore');
    const text = 'input 2\ndense 6 tanh\ndense 1 sigmoid\nloss bce\noptimizer adam rate=0.02\nbatch 16\nepochs 40\nseed 3\ndata circle n=200\nvalidation 0.2\nstop patience=4 min_delta=0.001\n';
    const uri = new FakeUri('/work/circle.nnspec');
    const before = new TrainingSession(uri as never, new FakeUri(root) as never);
    sessions.push(before);
    await before.load(text);
    for (let i = 0; i < 23; i++) await before.act('step'); // 10 steps an epoch: mid-epoch 3
    const store = new CheckpointStore(fs.mkdtempSync(path.join(os.tmpdir(), 'nnspec-checkpoints-')));
    await store.maybeSave(before);
    before.stop();
    const found = await store.restorable(uri as never, text);
    if (!found.ok) throw new Error(found.reason);
    expect(found.restore.training?.optimizer.updates).toBe(23);

    const after = new TrainingSession(uri as never, new FakeUri(root) as never);
    sessions.push(after);
    await after.load(text, found.weights, undefined, found.restore);
    expect(after.status).toBe('paused');
    for (let i = 0; i < 17; i++) await after.act('step');
    const { weights } = await after.request({ kind: 'getWeights' });

    const project = loadProject(text, uri.fsPath, { assetsDir: path.join(root, 'media') });
    if (!project.ok) throw new Error(project.message);
    for (let i = 0; i < 40; i++) project.trainer.stepOnce();
    expect(after.state.step).toBe(40);
    expect(weights).toEqual(project.trainer.getWeights());
  });

  it('a session edited live (rate) is checkpointed with the edited text, so after a reload it still resumes, at the edited rate', async () => {
    const root = path.resolve(__dirname, '../..');
    if (!fs.existsSync(path.join(root, 'dist', 'worker.js'))) throw new Error('dist/worker.js is missing: run `npm run build` first');
    const { loadProject } = await import('../../src/core/project');
    const { CheckpointStore } = await import('../../src/extension/checkpointStore');
    const text = 'input 2\ndense 6 tanh\ndense 1 sigmoid\nloss bce\noptimizer adam rate=0.02\nbatch 16\nepochs 40\nseed 3\ndata circle n=200\n';
    const edited = text.replace('rate=0.02', 'rate=0.005');
    const uri = new FakeUri('/work/circle-live.nnspec');
    const before = new TrainingSession(uri as never, new FakeUri(root) as never);
    sessions.push(before);
    await before.load(text);
    for (let i = 0; i < 12; i++) await before.act('step');
    // What SessionUi does once the edit has settled: the rate goes to the worker, the text is the session's now.
    before.retune({ rate: 0.005 });
    before.runningText = edited;
    for (let i = 0; i < 5; i++) await before.act('step');
    const store = new CheckpointStore(fs.mkdtempSync(path.join(os.tmpdir(), 'nnspec-checkpoints-')));
    await store.maybeSave(before);
    before.stop();
    // The file on disk says rate=0.005 now: the checkpoint is for this text, not the one first loaded.
    expect((await store.restorable(uri as never, text)).ok).toBe(false);
    const found = await store.restorable(uri as never, edited);
    if (!found.ok) throw new Error(found.reason);
    const after = new TrainingSession(uri as never, new FakeUri(root) as never);
    sessions.push(after);
    await after.load(edited, found.weights, undefined, found.restore);
    for (let i = 0; i < 8; i++) await after.act('step');
    const { weights } = await after.request({ kind: 'getWeights' });
    const project = loadProject(text, uri.fsPath, { assetsDir: path.join(root, 'media') });
    if (!project.ok) throw new Error(project.message);
    for (let i = 0; i < 12; i++) project.trainer.stepOnce();
    project.trainer.retune({ rate: 0.005 });
    for (let i = 0; i < 13; i++) project.trainer.stepOnce();
    expect(weights).toEqual(project.trainer.getWeights());
  });
});
