/**
 * The training panel's HTML: one nonce'd script (two with the test hook), one stylesheet, a strict Content Security
 * Policy. No `vscode` import, so the webview tests serve exactly this page.
 */

export interface PanelHtmlOptions {
  /** webview.cspSource */
  cspSource: string;
  /** webview.asWebviewUri(dist/webview.js) as a string. */
  scriptUri: string;
  /** webview.asWebviewUri(dist/webview.css) as a string. */
  styleUri: string;
  /** Fresh for every page: getNonce(). */
  nonce: string;
  /** Shown until the script runs. */
  title: string;
  /**
   * dist/webview-hook.js, the tests' and the benchmark's read-only hook (window.__nnspec), loaded
   * before the panel's script; only when asked (NNSPEC_PANEL_HOOK=1 in the extension host, the
   * webview tests' page). Without it the page runs the product's script alone.
   */
  hookUri?: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
}

/** 32 characters from [A-Za-z0-9], from a cryptographic source. */
export function getNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  let nonce = '';
  for (const b of bytes) nonce += chars[b % chars.length];
  return nonce;
}

export function panelHtml(o: PanelHtmlOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">
<title>${escapeHtml(o.title)}</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="muted">Loading ${escapeHtml(o.title)}…</p></main>
${o.hookUri ? `<script nonce="${o.nonce}" src="${escapeHtml(o.hookUri)}"></script>\n` : ''}<script nonce="${o.nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>`;
}

/** For text and double-quoted attributes (the policy's single quotes stay as they are). */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}
