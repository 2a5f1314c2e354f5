/**
 * User text made safe to show: a spec's tokens, a network's name, CSV header names and file
 * paths can hold control characters (ESC starts terminal commands: `\x1b[2J` clears the screen,
 * `\x1b]0;…\x07` retitles the window). Written to a terminal or an output channel they are shown
 * escaped instead, in JavaScript's notation, so the text stays readable and nothing is executed.
 *
 * One function for the CLI (every byte it writes goes through it) and the extension's log;
 * Markdown (the status bar tooltip) has its own escaping below.
 */

/**
 * C0 controls (U+0000–U+001F) and DEL, C1 controls (U+0080–U+009F: U+009B is a one-character
 * CSI), the line and paragraph separators, and the bidirectional overrides and isolates that
 * can make text read differently from what it is (U+202A–U+202E, U+2066–U+2069).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  switch (c) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
  }
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control character written as an escape (`\x1b`, `\x07`, `\u202e`), except
 * those in `keep` (e.g. '\n' for multi-line messages, '\n\t' for a terminal's own lines).
 * Text without control characters is returned as it is. Linear time.
 */
export function escapeControl(text: string, keep = ''): string {
  return text.replace(CONTROL, (c) => (keep.includes(c) ? c : escapeOne(c)));
}

/**
 * Plain text for a Markdown string (VS Code's MarkdownString): control characters escaped as
 * above, and Markdown's punctuation backslash-escaped so a name like `*x*` or `[a](b)` shows as
 * written rather than as emphasis or a link. HTML is not rendered by VS Code unless enabled; `<`
 * and `>` are escaped anyway.
 */
export function escapeMarkdown(text: string): string {
  // Punctuation first, so the backslashes of the control escapes stay single.
  return escapeControl(text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`));
}
