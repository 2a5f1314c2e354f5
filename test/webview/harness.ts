/**
 * Test harness for the training panel: builds the webview bundle, serves the panel's real HTML
 * (same CSP, nonce'd script) from 127.0.0.1 with a VS Code theme's variables, stubs
 * acquireVsCodeApi, drives Debian's Chromium through playwright-core, and records message
 * streams from the real training worker.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { panelHtml } from '../../src/extension/panelHtml';
import { SessionState } from '../../src/extension/sessionState';
import type { FromWorker, PanelState, ToPanel, ToWorker } from '../../src/protocol';

export const ROOT = path.resolve(__dirname, '../..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'webview');
const BUILD = path.join(ARTIFACTS, 'build');
export const CHROMIUM = '/usr/bin/chromium';

export type Theme = 'light' | 'dark' | 'high-contrast';
export const BODY_CLASS: Record<Theme, string> = { light: 'vscode-light', dark: 'vscode-dark', 'high-contrast': 'vscode-high-contrast' };

/** Bundles webview/main.ts, its test hook (webview/hook.ts), main.css and the training worker, fresh, into test-artifacts/webview/build. */
export async function buildBundles(): Promise<void> {
  mkdirSync(BUILD, { recursive: true });
  await Promise.all([
    esbuild.build({ entryPoints: [path.join(ROOT, 'webview/main.ts')], outfile: path.join(BUILD, 'webview.js'), bundle: true, platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'warning' }),
    esbuild.build({ entryPoints: [path.join(ROOT, 'webview/hook.ts')], outfile: path.join(BUILD, 'webview-hook.js'), bundle: true, platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'warning' }),
    // As esbuild.mjs builds it: KaTeX's woff2 fonts into fonts/, its woff/ttf fallbacks left out.
    esbuild.build({
      entryPoints: [path.join(ROOT, 'webview/main.css')],
      outfile: path.join(BUILD, 'webview.css'),
      bundle: true,
      logLevel: 'warning',
      loader: { '.woff2': 'file', '.woff': 'empty', '.ttf': 'empty' },
      assetNames: 'fonts/[name]',
    }),
    esbuild.build({ entryPoints: [path.join(ROOT, 'src/worker/worker.ts')], outfile: path.join(BUILD, 'worker.js'), bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' }),
  ]);
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the webview tests need it. Install it with \`apt-get install chromium\` (Debian) and run the tests again.`);
  }
  // chromium.launch gives every browser a fresh temporary user-data dir, removed on close.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Serves the panel page: GET /?theme=dark → panelHtml with the theme's variables and body class. */
export async function startServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const send = (type: string, body: string | Buffer): void => {
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/') {
      const theme = (url.searchParams.get('theme') ?? 'dark') as Theme;
      let html = panelHtml({ cspSource: origin, scriptUri: `${origin}/webview.js`, hookUri: `${origin}/webview-hook.js`, styleUri: `${origin}/webview.css`, nonce: 'TestNonce0123456789abcdefABCDEF', title: 'NNSpec' });
      // VS Code puts the theme's variables on <html> and its class on <body>; here a stylesheet
      // from the same origin does the former (allowed by style-src), so the page's CSP is the real one.
      html = html.replace(
        '<link rel="stylesheet"',
        `<link rel="stylesheet" href="${origin}/themes/common.css">\n<link id="theme" rel="stylesheet" href="${origin}/themes/${theme}.css">\n<link rel="stylesheet"`,
      );
      html = html.replace('<body>', `<body class="${BODY_CLASS[theme]}">`);
      send('text/html; charset=utf-8', html);
    } else if (url.pathname === '/webview.js' || url.pathname === '/webview-hook.js') send('text/javascript', readFileSync(path.join(BUILD, url.pathname.slice(1))));
    else if (url.pathname === '/webview.css') send('text/css', readFileSync(path.join(BUILD, 'webview.css')));
    else if (/^\/fonts\/KaTeX_[\w-]+\.woff2$/.test(url.pathname)) send('font/woff2', readFileSync(path.join(BUILD, url.pathname.slice(1))));
    else if (/^\/themes\/[a-z-]+\.css$/.test(url.pathname)) send('text/css', readFileSync(path.join(__dirname, url.pathname)));
    else if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The theme's variable value, as the test page gets it (e.g. 'charts-blue' → '#3794ff'). */
export function themeVariable(theme: Theme, name: string): string | undefined {
  const css = readFileSync(path.join(__dirname, 'themes', `${theme}.css`), 'utf8');
  return new RegExp(`--vscode-${name}:\\s*([^;]+);`).exec(css)?.[1].trim();
}

// ---------------------------------------------------------------------------
// Messages cross into the page as JSON: typed arrays travel as base64 of their bytes and are
// rebuilt there (as VS Code's structured clone would deliver them).

type Encoded = unknown;

export function encode(value: unknown): Encoded {
  if (value instanceof Float32Array) return { __f32: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(encode);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = encode(v);
    return out;
  }
  return value;
}

/** Runs in the page before its scripts: the VS Code API stub, the decoder, CSP violation capture. */
function pageInit(initialState: PanelState | null): void {
  const w = globalThis as unknown as Record<string, unknown> & { addEventListener: (t: string, f: (e: unknown) => void) => void };
  const posted: unknown[] = [];
  const violations: string[] = [];
  let state: unknown = initialState ?? undefined;
  let setStateCalls = 0;
  w.__test = {
    posted,
    violations,
    state: () => state,
    setStateCalls: () => setStateCalls,
    decode: function decode(v: unknown): unknown {
      if (Array.isArray(v)) return v.map(decode);
      if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.__f32 === 'string') {
          const bytes = Uint8Array.from(atob(o.__f32), (c) => c.charCodeAt(0));
          return new Float32Array(bytes.buffer);
        }
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(o)) out[k] = decode(o[k]);
        return out;
      }
      return v;
    },
  };
  let acquired = false;
  w.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage: (m: unknown) => posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => state,
      setState: (s: unknown) => {
        setStateCalls++;
        state = JSON.parse(JSON.stringify(s));
        return s;
      },
    };
  };
  w.addEventListener('securitypolicyviolation', (e) => {
    const ev = e as { violatedDirective: string; blockedURI: string };
    violations.push(`${ev.violatedDirective} ${ev.blockedURI}`);
  });
}

export interface PanelPage {
  page: Page;
  /** Dispatches messages as VS Code does (window 'message' events), all in one task. */
  send(messages: ToPanel[]): Promise<void>;
  /**
   * Posts messages with window.postMessage, each delivered as its own task with a structured
   * clone (as VS Code delivers them); resolves when the page has handled them all. Returns the
   * animation frames the page showed meanwhile, counted by the test's own rAF loop.
   */
  post(messages: ToPanel[]): Promise<number>;
  /** Waits until the page has drawn twice more (so any pending frame has run). */
  settle(): Promise<void>;
  posted(): Promise<unknown[]>;
  state(): Promise<PanelState | undefined>;
  problems(): Promise<string[]>;
}

export async function openPanel(browser: Browser, origin: string, theme: Theme, initialState: PanelState | null = null): Promise<PanelPage> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.stack ?? e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
  });
  await page.addInitScript(pageInit, initialState);
  await page.goto(`${origin}/?theme=${theme}`);
  try {
    await page.waitForFunction(() => (globalThis as unknown as { __nnspec?: unknown }).__nnspec !== undefined, undefined, { timeout: 15_000 });
  } catch {
    const violations = await page.evaluate(() => (globalThis as unknown as { __test?: { violations: string[] } }).__test?.violations ?? []);
    throw new Error(`the panel script did not start: ${[...violations, ...errors].join('; ') || 'no error reported'}`);
  }
  const settle = (): Promise<void> =>
    page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())))) as Promise<void>;
  return {
    page,
    settle,
    async send(messages) {
      await page.evaluate((encoded) => {
        const g = globalThis as unknown as { __test: { decode(v: unknown): unknown }; dispatchEvent(e: unknown): void };
        for (const m of encoded as unknown[]) g.dispatchEvent(new MessageEvent('message', { data: g.__test.decode(m) }));
      }, encode(messages));
    },
    async post(messages) {
      return (await page.evaluate((encoded) => {
        type G = {
          __test: { decode(v: unknown): unknown };
          __nnspec: { stats(): { messages: number } };
          postMessage(m: unknown, target: string): void;
          addEventListener(t: string, f: () => void): void;
        };
        const g = globalThis as unknown as G;
        const list = encoded as unknown[];
        const target = g.__nnspec.stats().messages + list.length;
        let frames = 0;
        let counting = true;
        const count = (): void => {
          frames++;
          if (counting) requestAnimationFrame(count);
        };
        requestAnimationFrame(count);
        for (const m of list) g.postMessage(g.__test.decode(m), '*');
        return new Promise<number>((resolve) => {
          const check = (): void => {
            if (g.__nnspec.stats().messages >= target) {
              // Let the frame that draws the last message run, then stop counting.
              requestAnimationFrame(() => requestAnimationFrame(() => {
                counting = false;
                resolve(frames);
              }));
            } else setTimeout(check, 5);
          };
          check();
        });
      }, encode(messages))) as number;
    },
    posted: () => page.evaluate(() => (globalThis as unknown as { __test: { posted: unknown[] } }).__test.posted),
    state: () => page.evaluate(() => (globalThis as unknown as { __test: { state(): PanelState | undefined } }).__test.state()),
    async problems() {
      const violations = await page.evaluate(() => (globalThis as unknown as { __test: { violations: string[] } }).__test.violations);
      // Chromium's advice about the tests' own pixel readbacks (getImageData) is not the panel's problem.
      const own = (e: string): boolean => e.includes('Multiple readback operations using getImageData');
      return [...violations.map((v) => `CSP violation: ${v}`), ...errors.filter((e) => !own(e))];
    },
  };
}

declare function requestAnimationFrame(callback: () => void): number;
declare function atob(data: string): string;
declare class MessageEvent {
  constructor(type: string, init: { data: unknown });
}

// ---------------------------------------------------------------------------
// Recording from the real training worker

export interface Recorder {
  /** Sends a request to the worker and waits until it went quiet (no message for `quietMs`). */
  send(message: Exclude<ToWorker, { type: 'load' }>, until?: (m: FromWorker) => boolean): Promise<void>;
  /** The ToPanel stream so far, as TrainingSession turns worker messages into panel messages. */
  readonly stream: ToPanel[];
  readonly state: SessionState;
  close(): Promise<void>;
}

/**
 * The ToPanel streams of examples/<file>.nnspec after `steps` Steps each, recorded from the real
 * worker (recordSession), by the name each is given.
 */
export async function recordExamples<N extends string>(files: Record<N, readonly [file: string, steps: number]>): Promise<Record<N, ToPanel[]>> {
  const streams = {} as Record<N, ToPanel[]>;
  for (const [name, [file, steps]] of Object.entries(files) as [N, readonly [string, number]][]) {
    const specPath = path.join(ROOT, 'examples', `${file}.nnspec`);
    const r = await recordSession(readFileSync(specPath, 'utf8'), specPath);
    for (let i = 0; i < steps; i++) await r.send({ type: 'step' });
    await r.close();
    streams[name] = r.stream;
  }
  return streams;
}

/**
 * Loads `specText` in the real worker (built from src/worker/worker.ts) with layer arrays on,
 * and maps its messages to ToPanel messages the way TrainingSession does (loaded → init,
 * snapshot → snapshot, a reset → init, finished → status).
 */
export async function recordSession(specText: string, specPath: string): Promise<Recorder> {
  const worker = new Worker(path.join(BUILD, 'worker.js'));
  const state = new SessionState();
  const stream: ToPanel[] = [];
  const waiters: { until: (m: FromWorker) => boolean; resolve: () => void }[] = [];
  const initMessage = (): ToPanel => ({
    type: 'init',
    info: state.info as NonNullable<SessionState['info']>,
    status: state.status,
    history: { stepLosses: state.stepLosses.toArray(), epochs: [...state.epochs] },
    latest: state.latest,
  });
  worker.on('message', (message: FromWorker) => {
    const wasReset = message.type === 'snapshot' && message.snapshot.step === 0 && message.snapshot.status === 'ready' && state.step > 0;
    state.apply(message);
    if (message.type === 'loaded') stream.push(initMessage());
    else if (message.type === 'loadFailed') stream.push({ type: 'loadFailed', message: message.message });
    else if (message.type === 'snapshot') stream.push(wasReset ? initMessage() : { type: 'snapshot', snapshot: message.snapshot });
    else if (message.type === 'finished') stream.push({ type: 'status', status: message.status, message: message.message });
    else if (message.type === 'fatal') stream.push({ type: 'status', status: 'error', message: message.message });
    for (const w of [...waiters]) {
      if (w.until(message)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const waitFor = (until: (m: FromWorker) => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the training worker did not answer within 60 s')), 60_000);
      waiters.push({ until, resolve: () => (clearTimeout(timer), resolve()) });
    });
  const loaded = waitFor((m) => m.type === 'loaded' || m.type === 'loadFailed' || m.type === 'fatal');
  worker.postMessage({
    type: 'load',
    specText,
    specPath,
    assetsDir: path.join(ROOT, 'media'),
    settings: { updateHz: 60, maxParameters: 5_000_000, includeLayers: true, pictures: true },
  } satisfies ToWorker);
  await loaded;
  if (state.status === 'error') throw new Error(`the worker could not load ${specPath}: ${state.message}`);
  return {
    stream,
    state,
    async send(message, until) {
      // Step, Step epoch, pause and reset each end with one snapshot; 'run' ends with 'finished'.
      const done = waitFor(until ?? ((m) => m.type === 'snapshot'));
      worker.postMessage(message);
      await done;
    },
    async close() {
      await worker.terminate();
    },
  };
}
