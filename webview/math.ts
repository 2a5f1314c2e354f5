/**
 * Typeset maths in the panel: KaTeX, rendered into DOM nodes (katex.render builds elements and
 * sets their styles through the CSSOM, which the panel's CSP allows; its HTML-string output
 * would need inline style attributes, which the CSP refuses). Its stylesheet and woff2 fonts
 * come bundled in dist/webview.css and dist/fonts/ (see main.css and esbuild.mjs).
 */
import katex from 'katex';

/** A span with `source` (TeX) typeset inline; bad TeX shows as red source text, never throws. */
export function tex(source: string, className = 'tex'): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = className;
  katex.render(source, span, { throwOnError: false, output: 'htmlAndMathml', strict: 'ignore' });
  return span;
}

/** The TeX of a symbol such as w^{l}_{j,k} (and an optional TeX prefix such as \partial C/\partial). */
export function symbolTex(s: { prefix?: string; base: string; sub?: string; sup?: string }): string {
  let t = s.prefix ?? '';
  t += s.base;
  if (s.sup !== undefined) t += `^{${s.sup}}`;
  if (s.sub !== undefined) t += `_{${s.sub}}`;
  return t;
}
