import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import ShortcutsHelp from '../../src/components/ShortcutsHelp.svelte';
import { SHORTCUTS } from '../../src/lib/app/shortcuts';
import { polyfillDialog } from './dialog-polyfill';

beforeAll(polyfillDialog);

describe('ShortcutsHelp', () => {
  it('lists every shortcut with its keys, in a labelled dialog', () => {
    render(ShortcutsHelp, { onClose: vi.fn() });
    const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    const terms = within(dialog).getAllByRole('term');
    expect(terms).toHaveLength(SHORTCUTS.length);
    expect(
      within(dialog)
        .getAllByRole('definition')
        .map((dd) => dd.textContent),
    ).toEqual(SHORTCUTS.map((shortcut) => shortcut.does));
    expect(terms[1]).toHaveTextContent(/Ctrl\s*\+\s*K\s*or\s*⌘\s*\+\s*K/);
    expect(dialog.querySelectorAll('kbd').length).toBeGreaterThan(SHORTCUTS.length);
  });

  it('takes the focus and closes with Esc', async () => {
    const user = userEvent.setup();
    const onClose = vi.fn();
    render(ShortcutsHelp, { onClose });
    expect(screen.getByRole('button', { name: 'Close' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledOnce();
  });
});
