/**
 * The commands: their IDs, and where a command finds its spec. Pure (no `vscode`).
 *
 * Every command NNSpec contributes, as typed constants: code that runs or links a command names
 * it here, and test/unit/ext-commands.test.ts holds this table against package.json's
 * `contributes.commands` (and its menus), so a renamed or missing command fails a test, not a user.
 */
export const COMMAND = {
  train: 'nnspec.train',
  pause: 'nnspec.pause',
  stop: 'nnspec.stop',
  step: 'nnspec.step',
  stepEpoch: 'nnspec.stepEpoch',
  reset: 'nnspec.reset',
  restart: 'nnspec.restart',
  inspectGradients: 'nnspec.inspectGradients',
  showPanel: 'nnspec.showPanel',
  walkStep: 'nnspec.walkStep',
  /** The panel's point-and-click edits (SpecEditRequest); not in the palette. */
  editSpec: 'nnspec.editSpec',
  checkGradients: 'nnspec.checkGradients',
  saveWeights: 'nnspec.saveWeights',
  loadWeights: 'nnspec.loadWeights',
  predict: 'nnspec.predict',
  /** Registered by exportNetwork.ts (EXPORT_COMMAND). */
  exportNetwork: 'nnspec.exportNetwork',
} as const;

export type CommandId = (typeof COMMAND)[keyof typeof COMMAND];

/**
 * Where a command finds its spec when no argument names it (a code lens, the title bar and links
 * pass the URI): the training panel that has the focus, else the active .nnspec editor, else the
 * one spec that has a session; undefined when none applies (the command says so).
 */
export function findSpec<U>(where: { focusedPanel: U | undefined; activeEditor: U | undefined; sessions: readonly U[] }): U | undefined {
  return where.focusedPanel ?? where.activeEditor ?? (where.sessions.length === 1 ? where.sessions[0] : undefined);
}
