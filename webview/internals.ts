/**
 * What the panel (app.ts) hands to the test and benchmark hook (hook.ts), and the event that
 * carries it. Types and one constant only, so the hook's bundle does not pull in the panel.
 */
import type { PanelState, SessionStatus } from '../src/protocol';
import type { Heatmaps } from './heatmaps';
import type { ConfusionView } from './confusion';
import type { HistogramsView } from './histograms';
import type { NetworkView } from './network';
import type { WalkView } from './walk';
import type { LossChart } from './lossChart';
import type { LossHistory } from './lossHistory';
import type { Palette } from './theme';

export interface PanelInternals {
  readonly view: PanelState;
  status(): SessionStatus;
  palette(): Palette;
  readonly stats: { messages: number; snapshots: number; frames: number; chartUpdates: number };
  readonly heatmaps: Heatmaps;
  readonly network: NetworkView;
  readonly walk: WalkView;
  readonly chart: LossChart;
  readonly history: LossHistory;
  /** CHART_BUCKETS: the most points a chart series keeps. */
  readonly chartBuckets: number;
  readonly confusion: ConfusionView;
  readonly histograms: HistogramsView;
}

/** Dispatched on window by startPanel() once the panel is built; the hook listens for it. */
export const INTERNALS_EVENT = 'nnspec:panel-started';
