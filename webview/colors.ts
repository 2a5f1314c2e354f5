/**
 * Colours for canvases: CSS colour parsing, and the diverging scale of the heatmaps, the
 * legends, the image tiles and the decision boundary. Pure (no DOM).
 *
 * The scale runs negative → neutral → positive through OKLab (perceptually even steps), centred
 * exactly on 0 with symmetric limits ±limit. Its entries are packed RGBA as a little-endian
 * Uint32 (the byte order of ImageData), so a pixel is one array store.
 */

export interface Rgba {
  r: number;
  g: number;
  b: number;
  /** 0..1 */
  a: number;
}

/** #rgb, #rgba, #rrggbb, #rrggbbaa, rgb(…), rgba(…); undefined when unreadable. */
export function parseColor(text: string): Rgba | undefined {
  const s = text.trim().toLowerCase();
  let m = /^#([0-9a-f]{3,8})$/.exec(s);
  if (m) {
    let hex = m[1];
    if (hex.length === 3 || hex.length === 4) hex = [...hex].map((c) => c + c).join('');
    if (hex.length !== 6 && hex.length !== 8) return undefined;
    const n = (i: number): number => parseInt(hex.slice(i, i + 2), 16);
    return { r: n(0), g: n(2), b: n(4), a: hex.length === 8 ? n(6) / 255 : 1 };
  }
  m = /^rgba?\(([^)]*)\)$/.exec(s);
  if (m) {
    const parts = m[1].split(/[\s,/]+/).filter(Boolean);
    if (parts.length < 3) return undefined;
    const channel = (p: string): number => (p.endsWith('%') ? (parseFloat(p) * 255) / 100 : parseFloat(p));
    const alpha = parts[3] === undefined ? 1 : parts[3].endsWith('%') ? parseFloat(parts[3]) / 100 : parseFloat(parts[3]);
    const c = { r: channel(parts[0]), g: channel(parts[1]), b: channel(parts[2]), a: alpha };
    return [c.r, c.g, c.b, c.a].every(Number.isFinite) ? c : undefined;
  }
  return undefined;
}

/** `top` (with its alpha) over the opaque `bottom`. */
export function composite(top: Rgba, bottom: Rgba): Rgba {
  const a = top.a;
  return { r: top.r * a + bottom.r * (1 - a), g: top.g * a + bottom.g * (1 - a), b: top.b * a + bottom.b * (1 - a), a: 1 };
}

export function toCss(c: Rgba, alpha = c.a): string {
  return `rgba(${Math.round(c.r)}, ${Math.round(c.g)}, ${Math.round(c.b)}, ${alpha})`;
}

/** Relative luminance (WCAG), 0 = black, 1 = white. */
export function luminance(c: Rgba): number {
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

type Lab = [number, number, number];

function srgbToLinear(v: number): number {
  const s = v / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

function linearToSrgb(v: number): number {
  const s = v <= 0.0031308 ? 12.92 * v : 1.055 * Math.max(0, v) ** (1 / 2.4) - 0.055;
  return Math.max(0, Math.min(255, Math.round(s * 255)));
}

/** Björn Ottosson's OKLab. */
function toOklab(c: Rgba): Lab {
  const r = srgbToLinear(c.r);
  const g = srgbToLinear(c.g);
  const b = srgbToLinear(c.b);
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}

function fromOklab([L, A, B]: Lab): Rgba {
  const l = (L + 0.3963377774 * A + 0.2158037573 * B) ** 3;
  const m = (L - 0.1055613458 * A - 0.0638541728 * B) ** 3;
  const s = (L - 0.0894841775 * A - 1.291485548 * B) ** 3;
  return {
    r: linearToSrgb(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s),
    g: linearToSrgb(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s),
    b: linearToSrgb(-0.0041960771 * l - 0.7034186147 * m + 1.707614701 * s),
    a: 1,
  };
}

/** Little-endian RGBA packed in one Uint32, as ImageData's bytes read through a Uint32Array. */
export function pack(c: Rgba): number {
  return ((255 << 24) | (Math.round(c.b) << 16) | (Math.round(c.g) << 8) | Math.round(c.r)) >>> 0;
}

export function unpack(v: number): Rgba {
  return { r: v & 255, g: (v >>> 8) & 255, b: (v >>> 16) & 255, a: ((v >>> 24) & 255) / 255 };
}

/** Entries of a diverging scale; odd, so entry (SIZE−1)/2 is exactly 0. */
export const SCALE_SIZE = 513;
const HALF = (SCALE_SIZE - 1) / 2;

export interface DivergingScale {
  negative: Rgba;
  neutral: Rgba;
  positive: Rgba;
  /** SCALE_SIZE packed colours: entry 0 = −limit, HALF = 0, SCALE_SIZE−1 = +limit. */
  lut: Uint32Array;
}

export function divergingScale(negative: Rgba, neutral: Rgba, positive: Rgba): DivergingScale {
  const lut = new Uint32Array(SCALE_SIZE);
  const n = toOklab(neutral);
  const neg = toOklab(negative);
  const pos = toOklab(positive);
  for (let i = 0; i < SCALE_SIZE; i++) {
    const t = (i - HALF) / HALF; // −1 … 1
    const end = t < 0 ? neg : pos;
    const u = Math.abs(t);
    lut[i] = pack(fromOklab([n[0] + (end[0] - n[0]) * u, n[1] + (end[1] - n[1]) * u, n[2] + (end[2] - n[2]) * u]));
  }
  // The ends and the centre are the theme's colours exactly.
  lut[0] = pack(negative);
  lut[HALF] = pack(neutral);
  lut[SCALE_SIZE - 1] = pack(positive);
  return { negative, neutral, positive, lut };
}

/** Index into a scale's lut for value v with symmetric limits ±limit (limit ≤ 0 maps everything to 0). */
export function scaleIndex(v: number, limit: number): number {
  if (!(limit > 0) || !Number.isFinite(v)) return HALF;
  const t = v / limit;
  if (t >= 1) return SCALE_SIZE - 1;
  if (t <= -1) return 0;
  return Math.round(HALF + t * HALF);
}
