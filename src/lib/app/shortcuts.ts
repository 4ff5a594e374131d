// The chat's keyboard shortcuts: which key does what (for the page's key handler), and the
// list the "?" help dialog and the README show. Framework-free so both read one source.

export type ShortcutAction =
  'previous-room' | 'next-room' | 'switcher' | 'search' | 'help' | 'escape';

/** The parts of a KeyboardEvent a shortcut depends on. */
export interface KeyPress {
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  /** The key confirms an IME composition: never a shortcut. */
  isComposing?: boolean;
}

/**
 * What a key press anywhere on the chat screen asks for, or null. `inField`: the focus is in
 * a text field, where printable keys are text ("?" is a question mark there).
 */
export function shortcutFor(press: KeyPress, inField: boolean): ShortcutAction | null {
  if (press.isComposing) return null;
  const { key, altKey, ctrlKey, metaKey, shiftKey } = press;
  if (altKey && !ctrlKey && !metaKey && !shiftKey) {
    if (key === 'ArrowUp') return 'previous-room';
    if (key === 'ArrowDown') return 'next-room';
  }
  // Ctrl+K on Windows and Linux, ⌘K on a Mac; either works everywhere.
  if ((ctrlKey || metaKey) && !altKey && !shiftKey && key.toLowerCase() === 'k') return 'switcher';
  // The browser's own find sees only the rows drawn: the room's search reads all it holds.
  if ((ctrlKey || metaKey) && !altKey && !shiftKey && key.toLowerCase() === 'f') return 'search';
  if (key === 'Escape' && !altKey && !ctrlKey && !metaKey) return 'escape';
  if (key === '?' && !inField && !altKey && !ctrlKey && !metaKey) return 'help';
  return null;
}

/** Whether an element takes typed text (so "?" there is not a shortcut). */
export function isTextField(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const element = target as HTMLElement;
  if (element.isContentEditable) return true;
  if (element.tagName === 'TEXTAREA' || element.tagName === 'SELECT') return true;
  if (element.tagName !== 'INPUT') return false;
  const type = (element as HTMLInputElement).type;
  return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(
    type,
  );
}

/** Moves `delta` rooms from the current one, wrapping around; null when there is none. */
export function stepRoom(
  ids: readonly string[],
  current: string | null,
  delta: number,
): string | null {
  if (ids.length === 0) return null;
  const index = current === null ? -1 : ids.indexOf(current);
  if (index < 0) return ids[delta > 0 ? 0 : ids.length - 1] ?? null;
  return ids[(index + delta + ids.length) % ids.length] ?? null;
}

export interface ShortcutHelp {
  /** Keys, each shown as its own <kbd>; alternatives are separate entries. */
  keys: string[][];
  does: string;
}

/** Every shortcut, as the help dialog and the README list them. */
export const SHORTCUTS: readonly ShortcutHelp[] = [
  {
    keys: [
      ['Alt', '↑'],
      ['Alt', '↓'],
    ],
    does: 'Previous or next room',
  },
  {
    keys: [
      ['Ctrl', 'K'],
      ['⌘', 'K'],
    ],
    does: 'Find a room and open it',
  },
  {
    keys: [
      ['Ctrl', 'F'],
      ['⌘', 'F'],
    ],
    does: 'Search this room',
  },
  { keys: [['↑']], does: 'In an empty message box: edit your last message in this room' },
  { keys: [['Enter']], does: 'Send (on a touch keyboard: a new line; tap Send to send)' },
  { keys: [['Shift', 'Enter']], does: 'New line' },
  {
    keys: [['Esc']],
    does: 'Cancel a reply or edit; mark the room read (the "New messages" line goes) and go to the message box; close a dialog or panel',
  },
  { keys: [['End']], does: 'In the messages: jump to the latest' },
  { keys: [['?']], does: 'Show these shortcuts (outside a text field)' },
];
