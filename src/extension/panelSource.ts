/**
 * What the training panel needs from a training session. The session (sessions.ts) implements
 * it; the panel (panel.ts) only uses it, so the two can change independently.
 */
import type * as vscode from 'vscode';
import type { HeatmapMode, Pace, PanelAction, SessionInfo, SessionStatus, ToPanel } from '../protocol';
import type { StepExplanation } from '../core/engine/explain';

export interface PanelSource {
  readonly specUri: vscode.Uri;
  readonly info: SessionInfo | undefined;
  readonly status: SessionStatus;
  /** The full-state `init` message for a panel that starts drawing (first open, reload, reset); undefined until loaded. */
  initMessage(): ToPanel | undefined;
  /** Messages for the panel as they happen: snapshots, status changes, load failures, init after a reset. */
  readonly onPanelMessage: vscode.Event<ToPanel>;
  control(action: PanelAction): void;
  /** The panel says whether it is visible, so snapshots carry layer arrays only when someone looks. */
  setPanelVisible(visible: boolean): void;
  /** The panel's network view came on screen or left it: the neuron pictures ride along only while it is shown. */
  setNetworkShown?(shown: boolean): void;
  /** Flow control: the panel was given the snapshot of `step` to draw … */
  willDraw(step: number): void;
  /** … and drew it (the worker may send the next). */
  drawn(step: number): void;
  /** The panel's speed control. */
  setPace(pace: Pace): void;
  /** The next step taken apart by the worker (Walk Through a Step); a running session pauses. */
  walk(sample?: number): Promise<StepExplanation>;
}

/** Where the panel should open: a layer and a heatmap mode (Inspect Gradients uses 'gradient'). */
export interface PanelFocus {
  layer: number;
  mode: HeatmapMode;
}
