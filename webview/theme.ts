/**
 * The theme as canvases need it. Canvases cannot use CSS variables, so the colours are read
 * with getComputedStyle, and read again when VS Code changes the body's theme class.
 */
import { composite, divergingScale, luminance, pack, parseColor, type DivergingScale, type Rgba } from './colors';

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface Palette {
  kind: ThemeKind;
  background: Rgba;
  foreground: Rgba;
  muted: Rgba;
  grid: Rgba;
  border: Rgba;
  /** Set in high-contrast themes: outlines everything. */
  contrastBorder?: Rgba;
  focus: Rgba;
  fontFamily: string;
  fontSize: number;
  blue: Rgba;
  red: Rgba;
  green: Rgba;
  orange: Rgba;
  purple: Rgba;
  yellow: Rgba;
  /** Heatmaps: −max → red, 0 → neutral, +max → blue. */
  scale: DivergingScale;
  /** The cards' background (editorWidget.background). */
  card: Rgba;
  /** Packed card background, for gaps between cells. */
  backgroundPixel: number;
}

const FALLBACK: Record<'light' | 'dark', Record<string, string>> = {
  dark: { bg: '#1f1f1f', fg: '#cccccc', blue: '#3794ff', red: '#f14c4c', green: '#89d185', orange: '#d18616', purple: '#b180d7', yellow: '#cca700' },
  light: { bg: '#ffffff', fg: '#3b3b3b', blue: '#1a85ff', red: '#e51400', green: '#388a34', orange: '#d18616', purple: '#652d90', yellow: '#bf8803' },
};

export function themeKind(body: HTMLElement): ThemeKind {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-light')) return 'light';
  return 'dark';
}

export function readPalette(): Palette {
  const style = getComputedStyle(document.documentElement);
  const kind = themeKind(document.body);
  const fallbacks = FALLBACK[kind === 'light' || kind === 'high-contrast-light' ? 'light' : 'dark'];
  const read = (names: string[], fallback: string): Rgba => {
    for (const name of names) {
      const c = parseColor(style.getPropertyValue(`--vscode-${name}`));
      if (c) return c;
    }
    return parseColor(fallback) as Rgba;
  };
  const background = composite(read(['editor-background'], fallbacks.bg), parseColor(fallbacks.bg) as Rgba);
  // Heatmaps sit on cards (editorWidget.background): gaps between cells take the card's colour.
  const card = composite(read(['editorWidget-background', 'editor-background'], fallbacks.bg), background);
  const foreground = composite(read(['editor-foreground', 'foreground'], fallbacks.fg), background);
  const contrast = parseColor(style.getPropertyValue('--vscode-contrastBorder'));
  const blue = read(['charts-blue'], fallbacks.blue);
  const red = read(['charts-red'], fallbacks.red);
  // 0 sits a shade off the background, so a layer of zeros still shows its cells.
  const dark = luminance(card) < 0.35;
  const neutral = mix(card, foreground, dark ? 0.1 : 0.07);
  const fontSize = parseFloat(style.getPropertyValue('--vscode-font-size')) || 13;
  return {
    kind,
    background,
    foreground,
    muted: composite(read(['descriptionForeground'], fallbacks.fg), background),
    grid: gridColor(read(['charts-lines'], dark ? '#cccccc80' : '#3b3b3b80'), card),
    border: composite(read(['panel-border', 'widget-border'], dark ? '#2b2b2b' : '#e5e5e5'), background),
    contrastBorder: contrast ? composite(contrast, background) : undefined,
    focus: read(['focusBorder'], '#0078d4'),
    fontFamily: style.getPropertyValue('--vscode-font-family').trim() || 'system-ui, sans-serif',
    fontSize,
    blue,
    red,
    green: read(['charts-green'], fallbacks.green),
    orange: read(['charts-orange'], fallbacks.orange),
    purple: read(['charts-purple'], fallbacks.purple),
    yellow: read(['charts-yellow'], fallbacks.yellow),
    scale: divergingScale(composite(red, background), neutral, composite(blue, background)),
    card,
    backgroundPixel: pack(card),
  };
}

/** Chart grid lines: the theme's chart line colour, fainter, so the data stands out. */
function gridColor(lines: Rgba, under: Rgba): Rgba {
  return composite({ ...lines, a: lines.a * 0.4 }, under);
}

function mix(a: Rgba, b: Rgba, t: number): Rgba {
  return { r: a.r + (b.r - a.r) * t, g: a.g + (b.g - a.g) * t, b: a.b + (b.b - a.b) * t, a: 1 };
}

/** Calls `onChange` whenever VS Code switches theme (the body's class changes). */
export function observeTheme(onChange: () => void): MutationObserver {
  let last = document.body.className;
  const observer = new MutationObserver(() => {
    if (document.body.className === last) return;
    last = document.body.className;
    onChange();
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  return observer;
}
