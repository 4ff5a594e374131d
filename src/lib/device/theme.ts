// Light, dark, or whatever the system uses: the choice is kept per device, and applied as
// data-theme on <html>, which theme.css turns into the page's color-scheme (and so every
// light-dark() colour, form control and scroll bar follows).

export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

/** A stored value as a choice; anything else follows the system. */
export function parseThemeChoice(value: unknown): ThemeChoice {
  return THEME_CHOICES.includes(value as ThemeChoice) ? (value as ThemeChoice) : 'system';
}

/** Puts the choice on the page's root element (no attribute: follow the system). */
export function applyTheme(root: HTMLElement, theme: ThemeChoice): void {
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
}
