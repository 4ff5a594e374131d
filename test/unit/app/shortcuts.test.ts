import { describe, expect, it } from 'vitest';
import { SHORTCUTS, shortcutFor, stepRoom, type KeyPress } from '../../../src/lib/app/shortcuts';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...mods,
});

describe('shortcutFor', () => {
  it('moves between rooms with Alt+↑ and Alt+↓, also from a text field', () => {
    expect(shortcutFor(press('ArrowUp', { altKey: true }), true)).toBe('previous-room');
    expect(shortcutFor(press('ArrowDown', { altKey: true }), false)).toBe('next-room');
    expect(shortcutFor(press('ArrowUp'), false)).toBeNull();
    expect(shortcutFor(press('ArrowUp', { altKey: true, shiftKey: true }), false)).toBeNull();
  });

  it('opens the room switcher with Ctrl+K or ⌘K, whatever the case', () => {
    expect(shortcutFor(press('k', { ctrlKey: true }), true)).toBe('switcher');
    expect(shortcutFor(press('k', { metaKey: true }), false)).toBe('switcher');
    expect(shortcutFor(press('K', { ctrlKey: true }), false)).toBe('switcher');
    expect(shortcutFor(press('k'), false)).toBeNull();
    expect(shortcutFor(press('k', { ctrlKey: true, shiftKey: true }), false)).toBeNull();
  });

  it('takes "?" for help only outside text fields', () => {
    expect(shortcutFor(press('?', { shiftKey: true }), false)).toBe('help');
    expect(shortcutFor(press('?', { shiftKey: true }), true)).toBeNull();
    expect(shortcutFor(press('?', { ctrlKey: true }), false)).toBeNull();
  });

  it('passes Escape on, and nothing while an IME composes', () => {
    expect(shortcutFor(press('Escape'), true)).toBe('escape');
    expect(shortcutFor(press('Escape', { ctrlKey: true }), true)).toBeNull();
    expect(shortcutFor(press('k', { ctrlKey: true, isComposing: true }), true)).toBeNull();
  });
});

describe('stepRoom', () => {
  it('steps through the rooms and wraps around', () => {
    const ids = ['a', 'b', 'c'];
    expect(stepRoom(ids, 'a', 1)).toBe('b');
    expect(stepRoom(ids, 'c', 1)).toBe('a');
    expect(stepRoom(ids, 'a', -1)).toBe('c');
    expect(stepRoom(ids, null, 1)).toBe('a');
    expect(stepRoom(ids, null, -1)).toBe('c');
    expect(stepRoom([], null, 1)).toBeNull();
    expect(stepRoom(['a'], 'a', 1)).toBe('a');
  });
});

describe('SHORTCUTS', () => {
  it('lists every shortcut the handler knows', () => {
    const keys = SHORTCUTS.flatMap((shortcut) => shortcut.keys.map((combo) => combo.join('+')));
    expect(keys).toEqual(
      expect.arrayContaining(['Alt+↑', 'Alt+↓', 'Ctrl+K', '⌘+K', '↑', 'Esc', '?']),
    );
  });
});
