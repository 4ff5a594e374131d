import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AVATAR_TEXT,
  MIN_TEXT_CONTRAST,
  NAME_BACKGROUNDS,
  authorColor,
  avatarColor,
  contrast,
  hslToHex,
  hueForName,
  initialForName,
  nameColorForHue,
  type Theme,
} from '../../src/components/avatar';

const THEME_CSS = readFileSync(new URL('../../src/components/theme.css', import.meta.url), 'utf8');
const THEMES: Theme[] = ['light', 'dark'];
const HUES = Array.from({ length: 360 }, (_, hue) => hue);

/** A palette token of theme.css, `--name: light-dark(#light, #dark)`, in one theme. */
function token(name: string, theme: Theme): string {
  const match = new RegExp(`--${name}:\\s*light-dark\\((#[0-9a-f]+),\\s*(#[0-9a-f]+)\\)`, 'i').exec(
    THEME_CSS,
  );
  if (!match) throw new Error(`theme.css has no light-dark() --${name}`);
  return expand(theme === 'light' ? match[1]! : match[2]!);
}

function expand(hex: string): string {
  const digits = hex.slice(1);
  return digits.length === 3 ? `#${[...digits].map((d) => d + d).join('')}` : hex.toLowerCase();
}

/** color-mix(in srgb, a p%, b), as theme.css mixes --chat-surface-2 and the soft colours. */
function mix(a: string, percent: number, b: string): string {
  const channel = (hex: string, at: number) => parseInt(hex.slice(at, at + 2), 16);
  return `#${[1, 3, 5]
    .map((at) =>
      Math.round((channel(a, at) * percent + channel(b, at) * (100 - percent)) / 100)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** The surfaces a name is drawn on: the page, panels, hovered rows and highlighted rows. */
function nameBackgrounds(theme: Theme): string[] {
  const surface = token('chat-surface', theme);
  return [
    token('chat-bg', theme),
    surface,
    mix(token('chat-fg', theme), 7, surface),
    mix(token('chat-accent', theme), 14, surface),
  ];
}

describe('avatar helpers', () => {
  it('gives each name a stable hue in range', () => {
    expect(hueForName('alice')).toBe(hueForName('alice'));
    expect(hueForName('alice')).not.toBe(hueForName('alicf'));
    for (const name of ['', 'a', 'bob', '😀', 'x'.repeat(1_000)]) {
      const hue = hueForName(name);
      expect(Number.isInteger(hue) && hue >= 0 && hue < 360).toBe(true);
    }
  });

  it('takes a whole first character, upper-cased', () => {
    expect(initialForName('  alice')).toBe('A');
    expect(initialForName('😀 smile')).toBe('😀');
    expect(initialForName('élodie')).toBe('É');
    expect(initialForName('   ')).toBe('?');
  });
});

describe('author colours meet WCAG AA (4.5:1) in both themes', () => {
  it('measures contrast as WCAG does', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#ffffff', '#ffffff')).toBe(1);
    expect(contrast('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(hslToHex(0, 1, 0.5)).toBe('#ff0000');
    expect(hslToHex(120, 1, 0.25)).toBe('#008000');
  });

  it('searches against the surfaces theme.css draws names on', () => {
    for (const theme of THEMES) {
      expect(NAME_BACKGROUNDS[theme]).toEqual(nameBackgrounds(theme));
    }
  });

  it('the old fixed lightness failed (what this guards against)', () => {
    const page = token('chat-bg', 'light');
    const failing = HUES.filter((hue) => contrast(hslToHex(hue, 0.55, 0.4), page) < 4.5);
    expect(failing.length).toBeGreaterThan(150);
    expect(
      Math.min(...failing.map((hue) => contrast(hslToHex(hue, 0.55, 0.4), page))),
    ).toBeLessThan(2.7);
  });

  for (const theme of THEMES) {
    it(`every hue's name colour reads on every ${theme} surface`, () => {
      const backgrounds = nameBackgrounds(theme);
      const failures = HUES.flatMap((hue) =>
        backgrounds
          .map((bg) => ({ hue, bg, ratio: contrast(nameColorForHue(hue, theme), bg) }))
          .filter(({ ratio }) => ratio < MIN_TEXT_CONTRAST),
      );
      expect(failures).toEqual([]);
    });
  }

  it('keeps hues apart: the colour keeps its hue, only the lightness moves', () => {
    const distinct = new Set(HUES.map((hue) => nameColorForHue(hue, 'light')));
    expect(distinct.size).toBeGreaterThan(300);
    // Blue stays lighter than yellow, which must darken most on a light page.
    const light = (hex: string) => parseInt(hex.slice(1, 3), 16) + parseInt(hex.slice(3, 5), 16);
    expect(light(nameColorForHue(60, 'light'))).toBeLessThan(light(hslToHex(60, 0.55, 0.4)));
  });

  it('avatar initials are white on a colour that reads 4.5:1 against white, for every hue', () => {
    for (const hue of HUES) {
      expect(contrast(AVATAR_TEXT, nameColorForHue(hue, 'light'))).toBeGreaterThanOrEqual(
        MIN_TEXT_CONTRAST,
      );
    }
    expect(avatarColor('alice')).toBe(nameColorForHue(hueForName('alice'), 'light'));
  });

  it('gives a CSS colour that follows the colour scheme', () => {
    const hue = hueForName('bob');
    expect(authorColor('bob')).toBe(
      `light-dark(${nameColorForHue(hue, 'light')}, ${nameColorForHue(hue, 'dark')})`,
    );
  });
});
