import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import RoomList from '../../src/components/RoomList.svelte';

function setup(props: Record<string, unknown> = {}) {
  const callbacks = {
    onSelect: vi.fn(),
    onJoin: vi.fn(),
    onLeave: vi.fn(),
    onRefresh: vi.fn(),
  };
  render(RoomList, {
    rooms: [
      { id: 'general', unread: 3, active: false },
      { id: 'random', unread: 0, active: true },
    ],
    available: ['ops', 'design'],
    prefix: 'chat-room-',
    ...callbacks,
    ...props,
  });
  return callbacks;
}

describe('RoomList', () => {
  it('is a navigation landmark labelled Rooms', () => {
    setup();
    expect(screen.getByRole('navigation', { name: 'Rooms' })).toBeInTheDocument();
  });

  it('names unread counts accessibly and marks the active room', () => {
    setup();
    expect(screen.getByRole('button', { name: 'general, 3 unread' })).not.toHaveAttribute(
      'aria-current',
    );
    expect(screen.getByRole('button', { name: 'random' })).toHaveAttribute('aria-current', 'page');
  });

  it('counts mentions apart from unread messages, in the name too', () => {
    setup({
      rooms: [
        { id: 'general', unread: 5, mentions: 2, active: false },
        { id: 'ops', unread: 1, mentions: 1, active: false },
      ],
    });
    const general = screen.getByRole('button', { name: 'general, 5 unread, 2 mentions' });
    expect(general).toHaveTextContent(/@2\s*5/);
    expect(screen.getByRole('button', { name: 'ops, 1 unread, 1 mention' })).toBeInTheDocument();
  });

  it('shows room names as isolated text', () => {
    setup({ rooms: [{ id: 'עברית', unread: 0, active: false }], available: ['<b>x</b>'] });
    expect(screen.getByText('עברית').tagName).toBe('BDI');
    expect(screen.getByText('<b>x</b>').tagName).toBe('BDI');
  });

  it('caps the visible badge', () => {
    setup({ rooms: [{ id: 'busy', unread: 250, active: false }] });
    const button = screen.getByRole('button', { name: 'busy, 250 unread' });
    expect(button).toHaveTextContent('99+');
  });

  it('selects and leaves rooms', async () => {
    const user = userEvent.setup();
    const { onSelect, onLeave } = setup();
    await user.click(screen.getByRole('button', { name: 'general, 3 unread' }));
    expect(onSelect).toHaveBeenCalledWith('general');
    await user.click(screen.getByRole('button', { name: 'Leave general' }));
    expect(onLeave).toHaveBeenCalledWith('general');
    expect(onSelect).toHaveBeenCalledTimes(1);
  });

  it('joins a room by name, trimmed, and clears the field', async () => {
    const user = userEvent.setup();
    const { onJoin } = setup();
    const field = screen.getByRole('textbox', { name: 'Room name' });
    await user.type(field, '  team.alpha_1 {Enter}');
    expect(onJoin).toHaveBeenCalledWith('team.alpha_1');
    expect(field).toHaveValue('');
  });

  it('selects instead of joining a room already joined', async () => {
    const user = userEvent.setup();
    const { onJoin, onSelect } = setup();
    await user.type(screen.getByRole('textbox', { name: 'Room name' }), 'general');
    await user.click(screen.getByRole('button', { name: 'Join' }));
    expect(onJoin).not.toHaveBeenCalled();
    expect(onSelect).toHaveBeenCalledWith('general');
  });

  it.each([
    ['', /enter a room name/i],
    ['a/b', /cannot contain "\/"/i],
    ['..', /cannot contain "\/" or be "\." or "\.\."/i],
    ['x'.repeat(101), /at most 100/i],
  ])('rejects %j with an inline message', async (name, message) => {
    const user = userEvent.setup();
    const { onJoin } = setup();
    const field = screen.getByRole('textbox', { name: 'Room name' });
    if (name) await user.type(field, name);
    await user.click(screen.getByRole('button', { name: 'Join' }));
    expect(onJoin).not.toHaveBeenCalled();
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(field).toHaveAccessibleDescription(message);
  });

  it('clears the message once the name is fixed', async () => {
    const user = userEvent.setup();
    setup();
    const field = screen.getByRole('textbox', { name: 'Room name' });
    await user.type(field, 'bad/name{Enter}');
    expect(field).toHaveAttribute('aria-invalid', 'true');
    await user.clear(field);
    await user.type(field, 'good');
    expect(field).toHaveAttribute('aria-invalid', 'false');
    expect(field).toHaveAccessibleDescription(/chat-room-good/);
  });

  it('joins a room named with spaces and accents, as other clients name them', async () => {
    const user = userEvent.setup();
    const { onJoin } = setup();
    await user.type(screen.getByRole('textbox', { name: 'Room name' }), 'café crème{Enter}');
    expect(onJoin).toHaveBeenCalledWith('café crème');
  });

  it('names each Join button by what it shows, then the room (axe label-content-name-mismatch)', () => {
    setup();
    const join = screen.getByRole('button', { name: 'Join ops' });
    expect(join.textContent?.trim()).toBe('Join');
    expect(join.getAttribute('aria-label')?.startsWith(join.textContent?.trim() ?? '?')).toBe(true);
    expect(join.closest('li')?.querySelector('bdi')?.textContent).toBe('ops');
  });

  it('joins an available room in one click', async () => {
    const user = userEvent.setup();
    const { onJoin } = setup();
    await user.click(screen.getByRole('button', { name: 'Join ops' }));
    expect(onJoin).toHaveBeenCalledWith('ops');
  });

  it('shows errors and refreshes', async () => {
    const user = userEvent.setup();
    const { onRefresh } = setup({ error: 'Could not list rooms: HTTP 500' });
    expect(screen.getByRole('alert')).toHaveTextContent('Could not list rooms: HTTP 500');
    await user.click(screen.getByRole('button', { name: 'Refresh room list' }));
    expect(onRefresh).toHaveBeenCalled();
  });

  it('has a name or label on every button', () => {
    setup();
    for (const button of within(screen.getByRole('navigation')).getAllByRole('button')) {
      expect(button).toHaveAccessibleName();
    }
  });
});
