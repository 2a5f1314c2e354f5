/** The API VS Code gives a webview script (once). */
interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): State;
}

declare function acquireVsCodeApi<State = unknown>(): VsCodeApi<State>;
