/**
 * What an edit of a running session's spec means for that session. Pure (no `vscode`).
 *
 * `rate`, `decay`, `momentum` (of sgd, when it was not 0), `l2`, `batch` and `epochs` are taken
 * live: the worker applies them before its next step. Everything else — the input and the layers
 * (the network's shape), the loss, the optimizer's kind and other options, l1, dropout, early
 * stopping, `init`, `seed`, the data, validation, normalisation, features — makes a different
 * network or data set, so it needs a restart.
 */
import type { LiveHyper } from '../core/engine/types';
import type { NetworkSpec } from '../core/spec';

export interface SpecEdit {
  /** Hyper-parameters to change live (only those that differ). */
  live: LiveHyper;
  /** What changed that needs a restart, in words ("the layers", "seed"); empty when nothing does. */
  restart: string[];
}

export function specEdit(running: NetworkSpec, edited: NetworkSpec): SpecEdit {
  const live: LiveHyper = {};
  const restart: string[] = [];
  const a = running.optimizer;
  const b = edited.optimizer;
  if (a.rate !== b.rate) live.rate = b.rate;
  if (a.decay !== b.decay) live.decay = b.decay;
  if (a.kind === 'sgd' && b.kind === 'sgd' && a.momentum !== b.momentum) {
    // SGD without momentum keeps no velocities: turning it on needs a new trainer.
    if (a.momentum === 0) restart.push('momentum (from 0)');
    else live.momentum = b.momentum;
  }
  if (running.l2 !== edited.l2) live.l2 = edited.l2;
  if (running.batch !== edited.batch) live.batch = edited.batch;
  if (running.epochs !== edited.epochs) live.epochs = edited.epochs;

  // Where a statement is (its range) is not what it says: moving a line changes nothing.
  const same = (x: unknown, y: unknown): boolean => JSON.stringify(x, withoutRanges) === JSON.stringify(y, withoutRanges);
  const rest = (o: NetworkSpec['optimizer']): unknown => ({ ...o, rate: 0, decay: 0, momentum: 0 });
  // A layer's init follows the spec's `init` unless the layer names its own: reported as init.
  const shape = (layers: NetworkSpec['layers']): unknown => layers.map((l) => ({ ...l, init: undefined }));
  if (!same(running.input, edited.input) || !same(shape(running.layers), shape(edited.layers))) restart.push('the network (input or layers)');
  if (running.loss !== edited.loss) restart.push('loss');
  if (a.kind !== b.kind) restart.push('the optimizer');
  else if (!same(rest(a), rest(b))) restart.push('the optimizer’s options');
  if ((running.l1 ?? 0) !== (edited.l1 ?? 0)) restart.push('l1');
  if (!same(running.stop, edited.stop)) restart.push('stop');
  if (!same(running.init, edited.init) || !same(running.layers.map((l) => l.init), edited.layers.map((l) => l.init))) restart.push('init');
  if (running.seed !== edited.seed) restart.push('seed');
  if (!same(running.data, edited.data) || running.validation !== edited.validation || !same(running.normalize, edited.normalize) || !same(running.features, edited.features)) {
    restart.push('the data');
  }
  return { live, restart };
}

/** The spec after live edits: what the worker now trains. */
export function withLive(spec: NetworkSpec, live: LiveHyper): NetworkSpec {
  const optimizer = { ...spec.optimizer };
  if (live.rate !== undefined) optimizer.rate = live.rate;
  if (live.decay !== undefined) optimizer.decay = live.decay;
  if (live.momentum !== undefined && optimizer.kind === 'sgd') optimizer.momentum = live.momentum;
  return { ...spec, optimizer, l2: live.l2 ?? spec.l2, batch: live.batch ?? spec.batch, epochs: live.epochs ?? spec.epochs };
}

function withoutRanges(key: string, value: unknown): unknown {
  return key === 'range' ? undefined : value;
}

/** What a spec says that needs a restart, as one string (to ask about each such change once). */
export function restartSignature(spec: NetworkSpec): string {
  return JSON.stringify({ ...spec, optimizer: { ...spec.optimizer, rate: 0, decay: 0, momentum: 0 }, l2: 0, batch: 0, epochs: 0 }, withoutRanges);
}
