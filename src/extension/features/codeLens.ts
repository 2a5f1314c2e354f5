/**
 * The code lens above a spec's first statement: "$(play) Train · Step · Step epoch · Reset" (codicons,
 * which every VS Code font renders; a ⏸ character is missing from some), and
 * while a session exists its progress ("epoch 3/30 · loss 0.1234") and staleness.
 */
import type { SessionStatus } from '../../protocol';
import { formatEpoch } from '../../core/format';
import { formatReadoutLoss, type Readout } from '../../core/readout';
import { COMMAND, type CommandId } from '../commandIds';

export interface LensSession {
  status: SessionStatus;
  /** Current epoch from 0 (equals `epochs` when done). */
  epoch: number;
  /** Steps taken in the current epoch. */
  stepInEpoch: number;
  epochs: number;
  loss: number | null;
  /** Where the loss comes from (the loaded weights' until the next step after Load Weights or a restore). */
  lossOf?: Readout['lossOf'];
  stale: boolean;
  message?: string;
}

export interface LensItem {
  title: string;
  /** Every command takes the spec URI as its first argument. */
  command: CommandId;
  tooltip: string;
}

export function codeLensItems(session: LensSession | undefined): LensItem[] {
  const running = session?.status === 'running';
  const items: LensItem[] = [
    running
      ? { title: '$(debug-pause) Pause', command: COMMAND.pause, tooltip: 'Pause training after the current slice' }
      : { title: '$(play) Train', command: COMMAND.train, tooltip: 'Train the network (start or resume)' },
    { title: 'Step', command: COMMAND.step, tooltip: 'Train one mini-batch' },
    { title: 'Step epoch', command: COMMAND.stepEpoch, tooltip: 'Train until the current epoch ends' },
    { title: 'Reset', command: COMMAND.reset, tooltip: 'Back to the seeded initial weights' },
  ];
  if (!session || session.status === 'stopped') return items;
  items.push({ title: progressText(session), command: COMMAND.showPanel, tooltip: 'Show the training panel' });
  if (session.stale) {
    items.push({ title: 'stale — restart', command: COMMAND.restart, tooltip: 'The spec changed since this session loaded it: restart with the new spec' });
  }
  return items;
}

/** "epoch 3/30 · loss 0.1234", or the status when there is no progress to show. */
export function progressText(session: LensSession): string {
  switch (session.status) {
    case 'loading':
      return 'loading…';
    case 'error':
      return `error: ${session.message ?? 'the session failed'}`;
    default: {
      const text = `epoch ${formatEpoch(session.epoch, session.stepInEpoch, session.epochs)} · loss ${formatReadoutLoss({ loss: session.loss, lossOf: session.lossOf ?? (session.loss === null ? 'none' : 'batch') })}`;
      if (session.status === 'done') return `${text} · done`;
      if (session.status === 'diverged') return `${text} · diverged`;
      if (session.status === 'paused') return `${text} · paused`;
      return text;
    }
  }
}
