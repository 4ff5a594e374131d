import { cleanup, render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import RoomSwitcher from '../../src/components/RoomSwitcher.svelte';
import type { SwitchRoom } from '../../src/lib/app/quick-switch';
import { switchRoom as room } from '../unit/helpers';
import { polyfillDialog } from './dialog-polyfill';

beforeAll(polyfillDialog);

function setup(rooms: SwitchRoom[] = defaultRooms) {
  const onOpen = vi.fn();
  const onClose = vi.fn();
  render(RoomSwitcher, { rooms, onOpen, onClose });
  const dialog = screen.getByRole('dialog', { name: 'Go to a room' });
  const field = within(dialog).getByRole('combobox', { name: 'Room name' });
  return { onOpen, onClose, dialog, field };
}

const defaultRooms = [
  room('general', { active: true }),
  room('random', { unread: 5, mentions: 2 }),
  room('design'),
  room('ops', { joined: false }),
];

const selected = () =>
  screen.getAllByRole('option').find((option) => option.getAttribute('aria-selected') === 'true');

describe('RoomSwitcher', () => {
  it('is a labelled modal dialog with the field focused, listing every room', () => {
    const { dialog, field } = setup();
    expect(dialog).toHaveAttribute('open');
    expect(dialog).toHaveAccessibleDescription(/Enter opens/);
    expect(field).toHaveFocus();
    expect(field).toHaveAttribute('aria-expanded', 'true');
    const names = screen.getAllByRole('option').map((option) => option.getAttribute('aria-label'));
    expect(names).toEqual(['general', 'random, 5 unread, 2 mentions', 'design', 'ops, join']);
    expect(screen.getByRole('listbox', { name: 'Rooms' })).toBeInTheDocument();
  });

  it('highlights the first room that is not open, as the active descendant', () => {
    const { field } = setup();
    expect(selected()).toHaveAccessibleName(/^random/);
    expect(field).toHaveAttribute('aria-activedescendant', selected()?.id);
  });

  it('filters as the user types and opens the best match with Enter', async () => {
    const user = userEvent.setup();
    const { field, onOpen } = setup();
    await user.type(field, 'DES');
    expect(screen.getAllByRole('option')).toHaveLength(1);
    await user.keyboard('{Enter}');
    expect(onOpen).toHaveBeenCalledExactlyOnceWith('design', true);
  });

  it('moves with ↑ and ↓ (wrapping), and joins a room of the server', async () => {
    const user = userEvent.setup();
    const { field, onOpen } = setup();
    await user.click(field);
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(selected()).toHaveAccessibleName('ops, join');
    await user.keyboard('{ArrowDown}');
    expect(selected()).toHaveAccessibleName('general');
    await user.keyboard('{ArrowUp}{Enter}');
    expect(onOpen).toHaveBeenCalledExactlyOnceWith('ops', false);
  });

  it('opens a room on click', async () => {
    const user = userEvent.setup();
    const { onOpen } = setup();
    await user.click(screen.getByRole('option', { name: /^random/ }));
    expect(onOpen).toHaveBeenCalledWith('random', true);
  });

  it('says when nothing matches, and Enter then does nothing', async () => {
    const user = userEvent.setup();
    const { field, onOpen } = setup();
    await user.type(field, 'zzz{Enter}');
    expect(screen.queryAllByRole('option')).toHaveLength(0);
    expect(screen.getByRole('status')).toHaveTextContent('No room matches “zzz”.');
    expect(field).not.toHaveAttribute('aria-activedescendant');
    expect(onOpen).not.toHaveBeenCalled();
  });

  it('closes with Esc and with its Close button', async () => {
    const user = userEvent.setup();
    const first = setup();
    await user.keyboard('{Escape}');
    expect(first.onClose).toHaveBeenCalledOnce();
    expect(first.dialog).not.toHaveAttribute('open');

    cleanup();
    const second = setup();
    await user.click(within(second.dialog).getByRole('button', { name: 'Close' }));
    expect(second.onClose).toHaveBeenCalledOnce();
  });

  it('shows room names as isolated text', () => {
    setup([room('<b>x</b>'), room('עברית')]);
    expect(screen.getByText('<b>x</b>').tagName).toBe('BDI');
    expect(screen.getByText('עברית').tagName).toBe('BDI');
    expect(document.querySelector('b')).toBeNull();
  });
});
