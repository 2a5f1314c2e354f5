/**
 * The NNSpec commands. Every command takes an optional spec URI as its first argument (code
 * lenses, the editor title bar, tests) and otherwise works on the active .nnspec editor. Commands
 * that finish something return a small result, so tests can drive them with executeCommand.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { packedBuffers, weightsToJson, WeightsError } from '../core/weights';
import { readWeightsOffHost } from './loadWeights';
import type { HeatmapMode, Snapshot, SpecEditRequest, WorkerResponse } from '../protocol';
import { applySpecEdit, TrainingPanel } from './panel';
import type { PanelFocus } from './panelSource';
import type { SessionManager, TrainingSession } from './sessions';
import { gradientNorms, layerGradientStats } from './features/gradientHover';
import { parseInputVector } from './features/inputs';
import { formatNumber } from '../core/format';
import { progressReport } from './sessionState';
import type { RunLog } from './runLog';
import { COMMAND, findSpec, type CommandId } from './commandIds';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  sessions: SessionManager;
  log: RunLog;
}

/** A spec URI from a command argument: a Uri, a URI string or a file path. */
export function toSpecUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg.length > 0) {
    return /^[a-z][\w+.-]+:/i.test(arg) && !/^[a-z]:\\/i.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  }
  if (typeof arg === 'object' && arg !== null && 'scheme' in arg && 'path' in arg) return vscode.Uri.from(arg as vscode.Uri);
  return undefined;
}

/** The active editor's document, if it is a spec. */
function activeSpecEditor(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  return editor && editor.document.languageId === 'nnspec' ? editor.document.uri : undefined;
}

export function registerCommands(deps: CommandDeps): void {
  const { context } = deps;
  const commands = new Commands(deps);
  const register = (id: CommandId, handler: (...args: unknown[]) => unknown): void => {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          deps.log.channel.error(`${id}: ${message}`);
          void vscode.window.showErrorMessage(`NNSpec: ${message}`);
          return undefined;
        }
      }),
    );
  };
  register(COMMAND.train, (uri) => commands.train(uri));
  register(COMMAND.pause, (uri) => commands.pause(uri));
  register(COMMAND.stop, (uri) => commands.stop(uri));
  register(COMMAND.step, (uri) => commands.step(uri));
  register(COMMAND.stepEpoch, (uri) => commands.stepEpoch(uri));
  register(COMMAND.reset, (uri) => commands.reset(uri));
  register(COMMAND.restart, (uri) => commands.restart(uri));
  register(COMMAND.inspectGradients, (uri, layer) => commands.inspectGradients(uri, layer));
  register(COMMAND.showPanel, (uri, focus) => commands.showPanel(uri, focus));
  register(COMMAND.walkStep, (uri) => commands.walkStep(uri));
  // The panel's point-and-click edits (also for tests): (spec URI, SpecEditRequest) → the edit's label.
  register(COMMAND.editSpec, (uri, request) => applySpecEdit(commands.specUriOf(uri), request as SpecEditRequest));
  register(COMMAND.checkGradients, (uri) => commands.checkGradients(uri));
  register(COMMAND.saveWeights, (uri, target) => commands.saveWeights(uri, target));
  register(COMMAND.loadWeights, (uri, source) => commands.loadWeights(uri, source));
  register(COMMAND.predict, (uri, input) => commands.predict(uri, input));
}

/** What Step and Step Epoch return. */
export interface StepSummary {
  status: Snapshot['status'];
  step: number;
  epoch: number;
  loss: number | null;
}

class Commands {
  constructor(private readonly deps: CommandDeps) {}

  private get sessions(): SessionManager {
    return this.deps.sessions;
  }

  // -- finding the spec and its session ------------------------------------------------------

  /** The spec a command argument names (or the active editor's). */
  specUriOf(arg: unknown): vscode.Uri {
    return this.specUri(arg);
  }

  /**
   * The spec a command is about: its argument (a code lens, the title bar, a link, a test),
   * else the training panel that has the focus, else the active .nnspec editor, else the one
   * spec that has a session.
   */
  private specUri(arg: unknown): vscode.Uri {
    const uri = toSpecUri(arg) ?? findSpec({
      focusedPanel: TrainingPanel.focusedSpec(),
      activeEditor: activeSpecEditor(),
      sessions: this.sessions.all().filter((s) => s.status !== 'stopped').map((s) => s.specUri),
    });
    if (uri) return uri;
    throw new Error('no spec to work on: open a .nnspec file or its training panel first');
  }

  /** The session of the spec, loaded with the current text; undefined when loading failed (already reported). */
  private async loadedSession(arg: unknown): Promise<TrainingSession | undefined> {
    const uri = this.specUri(arg);
    if (!vscode.workspace.isTrusted) {
      const manage = 'Manage Workspace Trust';
      const choice = await vscode.window.showWarningMessage(
        'NNSpec: training reads the data files a spec names and runs training code, so it needs a trusted workspace. Language features work without trust.',
        manage,
      );
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
      return undefined;
    }
    const session = this.sessions.getOrCreate(uri);
    if (session.loading) await session.loading;
    else if (!(session.loaded && session.status !== 'error' && session.status !== 'stopped')) {
      const doc = await vscode.workspace.openTextDocument(uri);
      await session.load(doc.getText());
    }
    if (session.status === 'error') {
      const errors = session.state.diagnostics.filter((d) => d.severity === 'error');
      const where = errors[0] ? ` (line ${errors[0].range.start.line + 1}: ${errors[0].message})` : '';
      this.deps.log.channel.error(`${uri.fsPath}: ${session.state.message ?? 'cannot load'}${where}`);
      const problems = 'Show Problems';
      void vscode.window
        .showErrorMessage(`NNSpec: cannot train ${path.basename(uri.fsPath)}: ${session.state.message ?? 'it does not load'}${where}`, problems)
        .then((choice) => {
          if (choice === problems) void vscode.commands.executeCommand('workbench.actions.view.problems');
        });
      return undefined;
    }
    return session;
  }

  /** The existing session of the spec (for commands that only make sense with one). */
  private existingSession(arg: unknown): TrainingSession | undefined {
    const uri = this.specUri(arg);
    const session = this.sessions.get(uri);
    if (!session || session.status === 'stopped' || !session.loaded) {
      void vscode.window.showInformationMessage(`NNSpec: ${path.basename(uri.fsPath)} has no training session; train or step it first.`);
      return undefined;
    }
    return session;
  }

  // -- training --------------------------------------------------------------------------------

  async train(arg: unknown): Promise<StepSummary | undefined> {
    let session = await this.loadedSession(arg);
    if (!session) return undefined;
    if (session.stale) {
      const restart = 'Restart with the new spec';
      const resume = 'Resume the old one';
      const choice = await vscode.window.showWarningMessage(
        `NNSpec: ${path.basename(session.specUri.fsPath)} changed since this session loaded it.`,
        restart,
        resume,
      );
      if (choice === undefined) return undefined;
      if (choice === restart) {
        session = await this.restart(session.specUri);
        if (!session) return undefined;
      }
    }
    if (session.status === 'running') {
      this.openPanel(session);
      return summary(session);
    }
    if (session.status === 'done' || session.status === 'diverged') {
      const reset = 'Reset Weights';
      const what = session.status === 'done' ? `all ${session.info?.epochs} epochs are trained` : 'training diverged';
      const choice = await vscode.window.showInformationMessage(`NNSpec: ${what}; reset the weights to train again.`, reset);
      if (choice === reset) await this.reset(session.specUri);
      return summary(session);
    }
    const started = session.nextSnapshot(() => true);
    session.control('train');
    this.openPanel(session);
    await started;
    void this.progress(session);
    return summary(session);
  }

  /** The notification while a Train run goes on; Cancel pauses. */
  private progress(session: TrainingSession): Thenable<void> {
    const name = session.info?.name ?? path.basename(session.specUri.fsPath);
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `NNSpec: training ${name}`, cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          let reported = 0;
          const update = (): void => {
            // The same numbers as the status bar, the code lens and the panel (src/core/readout.ts).
            const { percent, message } = progressReport(session.state);
            progress.report({ increment: percent - reported, message });
            reported = percent;
            if (session.status !== 'running') finish();
          };
          const changes = session.onDidChange(update);
          const cancel = token.onCancellationRequested(() => session.control('pause'));
          const finish = (): void => {
            changes.dispose();
            cancel.dispose();
            resolve();
          };
          update();
        }),
    );
  }

  private openPanel(session: TrainingSession, focus?: PanelFocus): void {
    const open = vscode.workspace.getConfiguration('nnspec').get<boolean>('openPanelOnTrain', true);
    if (open || focus) TrainingPanel.show(this.deps.context, session, focus);
  }

  async pause(arg: unknown): Promise<StepSummary | undefined> {
    const session = this.existingSession(arg);
    if (!session) return undefined;
    if (session.status === 'running') await session.act('pause');
    return summary(session);
  }

  stop(arg: unknown): StepSummary | undefined {
    const session = this.existingSession(arg);
    if (!session) return undefined;
    const result = summary(session);
    session.stop();
    return { ...result, status: 'stopped' };
  }

  async step(arg: unknown): Promise<StepSummary | undefined> {
    const session = await this.loadedSession(arg);
    if (!session) return undefined;
    if (session.status === 'done' || session.status === 'diverged') return this.train(session.specUri);
    if (session.status === 'running') await session.act('pause');
    await session.act('step');
    return summary(session);
  }

  async stepEpoch(arg: unknown): Promise<StepSummary | undefined> {
    const session = await this.loadedSession(arg);
    if (!session) return undefined;
    if (session.status === 'done' || session.status === 'diverged') return this.train(session.specUri);
    if (session.status === 'running') await session.act('pause');
    await session.act('stepEpoch');
    return summary(session);
  }

  async reset(arg: unknown): Promise<StepSummary | undefined> {
    const session = await this.loadedSession(arg);
    if (!session) return undefined;
    await session.act('reset', (s) => s.step === 0 && s.status === 'ready');
    this.deps.log.channel.info(`${session.specUri.fsPath}: weights reset (seed ${session.info?.seed})`);
    return summary(session);
  }

  /** Restarts the session with the spec's current text (what "stale — restart" does). */
  async restart(arg: unknown): Promise<TrainingSession | undefined> {
    const uri = this.specUri(arg);
    const session = this.sessions.getOrCreate(uri);
    session.stop();
    return this.loadedSession(uri);
  }

  // -- looking inside ----------------------------------------------------------------------------

  async showPanel(arg: unknown, focusArg?: unknown): Promise<boolean> {
    const uri = this.specUri(arg);
    let session: TrainingSession | undefined = this.sessions.get(uri);
    if (!session || !session.loaded) session = await this.loadedSession(uri);
    if (!session) return false;
    TrainingPanel.show(this.deps.context, session, toFocus(focusArg));
    return true;
  }

  /** Walk Through a Step: the panel takes the next mini-batch step apart, phase by phase (Finish takes it). */
  async walkStep(arg: unknown): Promise<boolean> {
    const session = await this.loadedSession(arg);
    if (!session) return false;
    await TrainingPanel.show(this.deps.context, session).walk();
    return true;
  }

  /**
   * A quick pick of the layers with their ‖∂C/∂w‖; the chosen layer opens in the panel on its
   * gradient heatmap and its largest gradients go to the output channel. `layerArg` (l, from 1)
   * skips the pick (tests, links).
   */
  async inspectGradients(arg: unknown, layerArg?: unknown): Promise<{ layer: number; gradNorm: number } | undefined> {
    const session = await this.loadedSession(arg);
    if (!session || !session.info) return undefined;
    if (session.state.step === 0) {
      void vscode.window.showInformationMessage('NNSpec: no step taken yet; taking one step so there are gradients to inspect.');
      await session.act('step');
    }
    await session.freshLayers();
    const layers = session.state.layers;
    if (!layers) throw new Error('the session has no gradients to show yet; take a step first');
    const norms = gradientNorms(layers);
    let l: number | undefined = typeof layerArg === 'number' ? layerArg : undefined;
    if (l === undefined) {
      const picked = await vscode.window.showQuickPick(
        session.info.layers.map((layer, i) => ({
          label: `Layer ${layer.index}: dense ${layer.units} ${layer.activation}`,
          description: `‖∂C/∂w‖ = ${formatNumber(norms[i])}`,
          detail: `w is ${layer.units} × ${layer.inputs} (units × inputs), after step ${session.state.layersStep}`,
          layer: layer.index,
        })),
        { title: 'NNSpec: Inspect Gradients', placeHolder: 'Choose a layer to see its gradient heatmap' },
      );
      if (!picked) return undefined;
      l = picked.layer;
    }
    const info = session.info.layers[l - 1];
    if (!info) throw new Error(`the network has no layer ${l}; it has layers 1 to ${session.info.layers.length}`);
    TrainingPanel.show(this.deps.context, session, { layer: l, mode: 'gradient' });
    const stats = layerGradientStats(layers[l - 1], info.units, info.inputs, 10);
    const channel = this.deps.log.channel;
    channel.info(
      `${session.specUri.fsPath}: layer ${l} (dense ${info.units} ${info.activation}) after step ${session.state.layersStep}: ` +
        `‖∂C/∂w‖ = ${formatNumber(stats.gradNorm)}, mean |∂C/∂w| = ${formatNumber(stats.meanAbsGrad)}, ‖Δw‖ = ${formatNumber(stats.deltaNorm)}`,
    );
    channel.info('    j     k          w_jk      ∂C/∂w_jk         Δw_jk');
    for (const e of stats.top) {
      channel.info(`${String(e.j).padStart(5)} ${String(e.k).padStart(5)} ${formatNumber(e.w).padStart(13)} ${formatNumber(e.grad).padStart(13)} ${formatNumber(e.delta).padStart(13)}`);
    }
    channel.show(true);
    return { layer: l, gradNorm: stats.gradNorm };
  }

  async checkGradients(arg: unknown): Promise<Extract<WorkerResponse, { kind: 'checkGradients' }>['layers'] | undefined> {
    const session = await this.loadedSession(arg);
    if (!session) return undefined;
    if (session.status === 'running') await session.act('pause');
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'NNSpec: checking gradients against finite differences…' },
      () => session.request({ kind: 'checkGradients' }),
    );
    const worst = Math.max(...result.layers.map((l) => l.maxRelativeError));
    const perLayer = result.layers.map((l) => `layer ${l.index}: ${formatNumber(l.maxRelativeError, 2)}`).join(', ');
    const channel = this.deps.log.channel;
    channel.info(`${session.specUri.fsPath}: gradient check at step ${session.state.step} (backprop vs central differences)`);
    for (const l of result.layers) {
      const where = l.worst ? (l.worst.kind === 'weight' ? ` at w_${l.worst.j},${l.worst.k}` : ` at b_${l.worst.j}`) : '';
      const values = l.worst ? ` (backprop ${formatNumber(l.worst.backprop)}, numeric ${formatNumber(l.worst.numeric)})` : '';
      channel.info(`  layer ${l.index}: max relative error ${formatNumber(l.maxRelativeError, 3)}${where}${values}, max absolute ${formatNumber(l.maxAbsoluteError, 3)}, ${l.checked ?? '?'} parameters`);
    }
    const text = `NNSpec: largest relative error per layer — ${perLayer}.`;
    if (worst < 1e-3) void vscode.window.showInformationMessage(`${text} Backprop agrees with finite differences.`);
    else void vscode.window.showWarningMessage(`${text} Some gradients disagree; see the NNSpec output for where.`);
    return result.layers;
  }

  // -- weights and prediction ----------------------------------------------------------------------

  async saveWeights(arg: unknown, targetArg?: unknown): Promise<vscode.Uri | undefined> {
    const session = this.existingSession(arg);
    if (!session) return undefined;
    const { weights } = await session.request({ kind: 'getWeights' });
    let target = toSpecUri(targetArg);
    if (!target) {
      const base = session.specUri.path.replace(/\.nnspec$/, '');
      target = await vscode.window.showSaveDialog({
        defaultUri: session.specUri.with({ path: `${base}.weights.json` }),
        filters: { 'NNSpec weights': ['json'] },
        title: 'Save Weights',
      });
      if (!target) return undefined;
    }
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(weightsToJson(weights)));
    this.deps.log.channel.info(`${session.specUri.fsPath}: weights at step ${session.state.step} saved to ${target.fsPath}`);
    if (targetArg === undefined) void vscode.window.showInformationMessage(`NNSpec: weights saved to ${path.basename(target.fsPath)}.`);
    return target;
  }

  async loadWeights(arg: unknown, sourceArg?: unknown): Promise<boolean> {
    const session = await this.loadedSession(arg);
    if (!session?.info) return false;
    let source = toSpecUri(sourceArg);
    if (!source) {
      const picked = await vscode.window.showOpenDialog({
        defaultUri: vscode.Uri.joinPath(session.specUri, '..'),
        filters: { 'NNSpec weights': ['json'] },
        canSelectMany: false,
        title: 'Load Weights',
      });
      if (!picked?.[0]) return false;
      source = picked[0];
    }
    const name = path.basename(source.fsPath);
    try {
      // Read, size-checked and parsed in a worker, never on the host's thread (loadWeights.ts).
      const weights = await readWeightsOffHost(this.deps.context.extensionUri, source, name, session.info);
      // The worker's trainer checks the shapes against the spec and names what does not fit.
      await session.request({ kind: 'setWeights', weights }, packedBuffers(weights));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const detail = error instanceof WeightsError || !message.startsWith(name) ? `${name} does not fit ${path.basename(session.specUri.fsPath)}: ${message}` : message;
      this.deps.log.channel.error(detail);
      void vscode.window.showErrorMessage(`NNSpec: ${detail}`);
      return false;
    }
    this.deps.log.channel.info(`${session.specUri.fsPath}: weights loaded from ${source.fsPath}`);
    if (sourceArg === undefined) void vscode.window.showInformationMessage(`NNSpec: weights loaded from ${name}.`);
    return true;
  }

  async predict(arg: unknown, inputArg?: unknown): Promise<Extract<WorkerResponse, { kind: 'predict' }> | undefined> {
    const session = await this.loadedSession(arg);
    if (!session || !session.info) return undefined;
    // with `features`: the raw point (x1, x2) the features are made from
    const size = session.info.features ? 2 : session.info.inputSize;
    let values: number[];
    if (Array.isArray(inputArg) || typeof inputArg === 'string') {
      const parsed = parseInputVector(Array.isArray(inputArg) ? inputArg.join(' ') : inputArg, size);
      if ('error' in parsed) throw new Error(parsed.error);
      values = parsed.values;
    } else {
      const text = await vscode.window.showInputBox({
        title: `NNSpec: Predict with ${session.info.name}`,
        prompt: `${size} input value${size === 1 ? '' : 's'}, separated by spaces or commas (raw, before normalisation)`,
        placeHolder: Array.from({ length: Math.min(size, 4) }, (_, i) => String(i % 2)).join(' ') + (size > 4 ? ' …' : ''),
        validateInput: (value) => {
          const parsed = parseInputVector(value, size);
          return 'error' in parsed ? parsed.error : undefined;
        },
      });
      if (text === undefined) return undefined;
      const parsed = parseInputVector(text, size);
      if ('error' in parsed) throw new Error(parsed.error);
      values = parsed.values;
    }
    const result = await session.request({ kind: 'predict', input: values });
    const output = `[${result.output.map((v) => formatNumber(v)).join(', ')}]`;
    const cls = result.predictedClass === undefined ? '' : ` → class ${result.className ?? result.predictedClass}`;
    const line = `predict [${values.join(', ')}] = ${output}${cls}`;
    this.deps.log.channel.info(`${session.specUri.fsPath}: ${line} (step ${session.state.step})`);
    if (inputArg === undefined) void vscode.window.showInformationMessage(`NNSpec: ${line}`);
    return result;
  }
}

function summary(session: TrainingSession): StepSummary {
  const r = session.state.readout;
  return { status: session.status, step: r.step, epoch: r.epoch, loss: r.loss };
}

function toFocus(arg: unknown): PanelFocus | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { layer, mode } = arg as { layer?: unknown; mode?: unknown };
  if (typeof layer !== 'number') return undefined;
  const modes: HeatmapMode[] = ['lastDelta', 'epochDelta', 'gradient', 'weights'];
  return { layer, mode: modes.includes(mode as HeatmapMode) ? (mode as HeatmapMode) : 'gradient' };
}
