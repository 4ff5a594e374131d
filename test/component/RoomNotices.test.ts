import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import RoomNotices from '../../src/components/RoomNotices.svelte';

describe('RoomNotices', () => {
  it('lists notices and dismisses them by id', async () => {
    const user = userEvent.setup();
    const onDismiss = vi.fn();
    render(RoomNotices, {
      notices: [
        { id: 'g1', kind: 'gap', text: '1,204 older messages are no longer available' },
        { id: 'r1', kind: 'reset', text: 'This room was reset by the server' },
      ],
      onDismiss,
    });
    const list = screen.getByRole('list', { name: 'Room notices' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    await user.click(
      screen.getByRole('button', { name: 'Dismiss: This room was reset by the server' }),
    );
    expect(onDismiss).toHaveBeenCalledWith('r1');
  });

  it('renders nothing visible without notices', () => {
    render(RoomNotices, { notices: [], onDismiss: vi.fn() });
    expect(screen.queryByRole('list')).toBeNull();
  });
});
