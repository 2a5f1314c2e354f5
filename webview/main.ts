/**
 * The panel's entry point (dist/webview.js). Everything lives in app.ts; the tests' and the
 * benchmark's read-only hook is a bundle of its own (webview/hook.ts → dist/webview-hook.js).
 */
import { startPanel } from './app';

startPanel();
