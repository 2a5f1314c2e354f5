// Types for codeServer.mjs (plain JavaScript so `npm start` needs no build step).
export declare const CODE_SERVER_VERSION: string;
export declare const VSCODE_VERSION: string;
export declare const repoRoot: string;
export declare const cacheDir: string;
export declare const codeServerDir: string;
export declare const codeServerEntry: string;
export declare const CHROMIUM_PATH: string;
export declare const QUIET_SETTINGS: Record<string, unknown>;

export declare function missingPrerequisites(options?: { chromium?: boolean }): string | undefined;
export declare function codeServerReady(): boolean;
export declare function prepareCodeServer(options?: { log?: (line: string) => void; force?: boolean }): {
  dir: string;
  entry: string;
  reused: boolean;
  seconds: number;
};
export declare function freePort(): Promise<number>;
export declare function installExtension(vsix: string, dirs: { extensionsDir: string; userDataDir: string }): string;
export declare function listExtensions(dirs: { extensionsDir: string; userDataDir: string }): string[];

export interface CodeServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  port: number;
  pid: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ends code-server and every process it started (its process group). */
  stop(): Promise<void>;
}
export declare function startCodeServer(options: {
  folder?: string;
  port?: number;
  extensionsDir: string;
  userDataDir: string;
  env?: Record<string, string>;
  onOutput?: (text: string) => void;
  readyTimeoutMs?: number;
}): Promise<CodeServer>;
export declare function seedUserSettings(userDataDir: string, extra?: Record<string, unknown>, options?: { overwrite?: boolean }): void;
export declare function workbenchUrl(baseUrl: string, folder: string, payload?: [string, string][]): string;
export declare function remoteUri(port: number, absolutePath: string): string;
