import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import ChatKeys from '../../src/components/app/ChatKeys.svelte';
import { switchRoom as room } from '../unit/helpers';
import { polyfillDialog } from './dialog-polyfill';

beforeAll(polyfillDialog);

function setup() {
  const callbacks = {
    onOpen: vi.fn(),
    onEscape: vi.fn(),
    onDialog: vi.fn(),
    onFocusFallback: vi.fn(),
  };
  const field = document.createElement('textarea');
  document.body.append(field);
  const result = render(ChatKeys, {
    rooms: [room('a'), room('b', { active: true }), room('c'), room('d', { joined: false })],
    ...callbacks,
  });
  return { ...callbacks, field, ...result };
}

describe('ChatKeys', () => {
  it('moves between joined rooms with Alt+↑/↓, wrapping, never to a room not joined', async () => {
    const user = userEvent.setup();
    const { onOpen } = setup();
    await user.keyboard('{Alt>}{ArrowDown}{/Alt}');
    expect(onOpen).toHaveBeenLastCalledWith('c', true);
    await user.keyboard('{Alt>}{ArrowUp}{/Alt}');
    expect(onOpen).toHaveBeenLastCalledWith('a', true);
  });

  it('opens the switcher with Ctrl+K, even from a text field; choosing a room opens it', async () => {
    const user = userEvent.setup();
    const { field, onOpen, onDialog } = setup();
    field.focus();
    await user.keyboard('{Control>}k{/Control}');
    expect(onDialog).toHaveBeenCalledOnce();
    expect(screen.getByRole('dialog', { name: 'Go to a room' })).toBeInTheDocument();
    await user.keyboard('d{Enter}');
    await vi.waitFor(() => expect(onOpen).toHaveBeenCalledWith('d', false));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('opens the help with "?" outside text fields only, and gives the focus back', async () => {
    const user = userEvent.setup();
    const { field } = setup();
    field.focus();
    await user.keyboard('?');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(field).toHaveValue('?');
    field.blur();
    await user.keyboard('?');
    expect(screen.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeInTheDocument();
    await user.keyboard('{Escape}');
    await vi.waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('passes Esc on when no dialog is open, and not while one is', async () => {
    const user = userEvent.setup();
    const { onEscape } = setup();
    await user.keyboard('{Escape}');
    expect(onEscape).toHaveBeenCalledOnce();
    await user.keyboard('?');
    await user.keyboard('{Escape}');
    expect(onEscape).toHaveBeenCalledOnce();
  });

  it('puts the focus back where it was after a dialog, or asks for a place', async () => {
    const user = userEvent.setup();
    const { field, onFocusFallback } = setup();
    field.focus();
    await user.keyboard('{Control>}k{/Control}{Escape}');
    await vi.waitFor(() => expect(field).toHaveFocus());
    field.blur();
    await user.keyboard('?{Escape}');
    await vi.waitFor(() => expect(onFocusFallback).toHaveBeenCalledOnce());
  });
});
