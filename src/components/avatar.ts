// A stable colour per name, so the same person looks the same in every list and room, and
// readable in both themes: every hue gets the lightness that gives its text at least WCAG AA
// contrast (4.5:1) on every surface a name is drawn on (a fixed lightness cannot: yellow and
// green at the lightness where blue reads well fall to 2.7:1 on a light page).

/** Hue (0–359) derived from the name; FNV-1a, which spreads short similar names well. */
export function hueForName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i += 1) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 360;
}

/** First letter (a whole emoji or accented letter, not half of one), upper-cased. */
export function initialForName(name: string): string {
  const first = [...name.trim()][0];
  return first === undefined ? '?' : first.toLocaleUpperCase();
}

export type Theme = 'light' | 'dark';

/** WCAG AA for normal text. */
export const MIN_TEXT_CONTRAST = 4.5;
const SATURATION = 0.55;
/** Where each theme's search starts: as light (in dark, as dark) as a name may be. */
const START_LIGHTNESS: Record<Theme, number> = { light: 0.5, dark: 0.66 };
/**
 * The surfaces a name is drawn on in each theme (theme.css's --chat-bg, --chat-surface,
 * --chat-surface-2 and --chat-accent-soft, which a test keeps in step with the palette).
 */
export const NAME_BACKGROUNDS: Record<Theme, readonly string[]> = {
  light: ['#f6f7f9', '#ffffff', '#eff0f1', '#e4e8fa'],
  dark: ['#12151b', '#1a1e26', '#282c34', '#282e44'],
};
/** Avatar initials are white on the light theme's name colour, in both themes. */
export const AVATAR_TEXT = '#ffffff';

/** `#rrggbb` of an HSL colour (h in degrees, s and l from 0 to 1). */
export function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    const value = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/** WCAG relative luminance of `#rrggbb`. */
export function luminance(hex: string): number {
  const linear = [1, 3, 5].map((at) => {
    const c = parseInt(hex.slice(at, at + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (linear[0] ?? 0) + 0.7152 * (linear[1] ?? 0) + 0.0722 * (linear[2] ?? 0);
}

/** WCAG contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const cache: Record<Theme, Map<number, string>> = { light: new Map(), dark: new Map() };

/**
 * The name colour of a hue in a theme: the same hue and saturation for everyone, the
 * lightness nearest the theme's starting point that reads at 4.5:1 on all its surfaces.
 */
export function nameColorForHue(hue: number, theme: Theme): string {
  const known = cache[theme].get(hue);
  if (known) return known;
  const step = theme === 'light' ? -0.005 : 0.005;
  let lightness = START_LIGHTNESS[theme];
  let color = hslToHex(hue, SATURATION, lightness);
  const readable = (candidate: string) =>
    NAME_BACKGROUNDS[theme].every((bg) => contrast(candidate, bg) >= MIN_TEXT_CONTRAST);
  while (!readable(color) && lightness > 0 && lightness < 1) {
    lightness += step;
    color = hslToHex(hue, SATURATION, lightness);
  }
  cache[theme].set(hue, color);
  return color;
}

/** A name's colour for CSS, following the page's colour scheme (the theme switch sets it). */
export function authorColor(name: string): string {
  const hue = hueForName(name);
  return `light-dark(${nameColorForHue(hue, 'light')}, ${nameColorForHue(hue, 'dark')})`;
}

/** An avatar's background, under white initials (AVATAR_TEXT), the same in both themes. */
export function avatarColor(name: string): string {
  return nameColorForHue(hueForName(name), 'light');
}
