/**
 * The "NNSpec" output channel (a LogOutputChannel): one entry when a run starts (spec, seed,
 * data, network size) and one when it ends (final loss and accuracy, time), whichever way it
 * was started (command, code lens, panel button).
 */
import * as vscode from 'vscode';
import type { FromWorker } from '../protocol';
import type { SessionManager, TrainingSession } from './sessions';
import { formatEpoch, formatLoss, formatPercent, formatCount } from '../core/format';
import { escapeControl } from '../core/escape';

export class RunLog implements vscode.Disposable {
  /** Every entry's control characters escaped (names, paths and messages come from the user's files). */
  readonly channel = escapingChannel(vscode.window.createOutputChannel('NNSpec', { log: true }));
  private readonly watched = new WeakSet<TrainingSession>();
  private readonly runs = new WeakMap<TrainingSession, { started: number; fromStep: number }>();
  private readonly disposables: vscode.Disposable[] = [this.channel];

  constructor(sessions: SessionManager) {
    this.disposables.push(sessions.onDidChange((session) => this.watch(session)));
  }

  static register(context: vscode.ExtensionContext, sessions: SessionManager): RunLog {
    const log = new RunLog(sessions);
    context.subscriptions.push(log);
    return log;
  }

  private watch(session: TrainingSession): void {
    if (this.watched.has(session)) return;
    this.watched.add(session);
    this.disposables.push(session.onWorkerMessage((message) => this.observe(session, message)));
  }

  private observe(session: TrainingSession, message: FromWorker): void {
    const file = session.specUri.fsPath;
    switch (message.type) {
      case 'loaded': {
        const info = message.info;
        this.channel.info(
          `${file}: loaded ${info.name}: ${info.inputSize} → ${info.layers.map((l) => `${l.units} ${l.activation}`).join(' → ')}, ` +
            `${info.parameterCount} parameters, loss ${info.loss}, data ${info.dataName} (${info.trainCount} training, ${info.validationCount} validation samples), ` +
            `batch ${info.batchSize}, ${info.epochs} epochs, seed ${info.seed}`,
        );
        break;
      }
      case 'loadFailed':
        this.channel.error(`${file}: cannot load: ${message.message}`);
        for (const d of message.diagnostics) {
          this.channel.error(`  ${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`);
        }
        break;
      case 'snapshot': {
        const s = message.snapshot;
        for (const mark of s.newMarks ?? []) this.channel.info(`${file}: ${mark.text}`);
        const run = this.runs.get(session);
        if (s.status === 'running' && !run) {
          this.runs.set(session, { started: Date.now(), fromStep: s.step });
          this.channel.info(`${file}: training from step ${formatCount(s.step)} (epoch ${formatEpoch(s.epoch, s.stepInEpoch, session.info?.epochs ?? 0)}), seed ${session.info?.seed}`);
        } else if (s.status === 'paused' && run) {
          this.runs.delete(session);
          this.channel.info(
            `${file}: paused at step ${formatCount(s.step)} (epoch ${formatEpoch(s.epoch, s.stepInEpoch, session.info?.epochs ?? 0)}) after ${seconds(run.started)}; batch loss ${formatLoss(s.loss)}`,
          );
        }
        break;
      }
      case 'finished': {
        const run = this.runs.get(session);
        this.runs.delete(session);
        const time = run ? ` in ${seconds(run.started)}` : '';
        if (message.status === 'diverged') {
          this.channel.warn(`${file}: diverged${time}: ${message.message ?? ''}`);
          break;
        }
        if (message.message) this.channel.info(`${file}: ${message.message}`);
        const parts = [`${file}: done${time}, seed ${session.info?.seed}`];
        if (message.final) {
          parts.push(`final loss ${formatLoss(message.final.loss)}`);
          if (message.final.accuracy !== undefined) parts.push(`accuracy ${formatPercent(message.final.accuracy)}`);
        }
        if (message.validation) {
          parts.push(`validation loss ${formatLoss(message.validation.loss)}`);
          if (message.validation.accuracy !== undefined) parts.push(`validation accuracy ${formatPercent(message.validation.accuracy)}`);
        }
        this.channel.info(parts.join(' · '));
        break;
      }
      case 'fatal':
        this.runs.delete(session);
        this.channel.error(`${file}: ${message.message}`);
        break;
      case 'notice':
        this.channel.warn(`${file}: ${message.message}`);
        break;
      case 'response':
      case 'responseError':
        break;
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** The text-writing methods of an output channel. */
const WRITERS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace']);

/**
 * The channel, its writers escaping control characters (newlines and tabs kept) in the text
 * they are given: whoever logs (this class, the commands) cannot put ESC sequences in the log.
 */
export function escapingChannel(channel: vscode.LogOutputChannel): vscode.LogOutputChannel {
  return new Proxy(channel, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (typeof property === 'string' && WRITERS.has(property)) {
        return (message: unknown, ...rest: unknown[]) => value.call(target, typeof message === 'string' ? escapeControl(message, '\n\t') : message, ...rest);
      }
      return value.bind(target);
    },
  });
}
