import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import RoomNotifyLevel from '../../src/components/RoomNotifyLevel.svelte';

describe('RoomNotifyLevel', () => {
  it('offers all / mentions only / off as a radio group, keyboard first', async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(RoomNotifyLevel, { roomId: 'general', level: 'all', enabled: true, onChange });
    const group = screen.getByRole('group', { name: 'Notify me in general about' });
    expect(group).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: 'All messages' })).toBeChecked();
    await user.click(screen.getByRole('radio', { name: 'All messages' }));
    await user.keyboard('{ArrowDown}');
    expect(onChange).toHaveBeenLastCalledWith('mentions');
    await user.click(screen.getByRole('radio', { name: 'Off' }));
    expect(onChange).toHaveBeenLastCalledWith('off');
  });

  it('follows the level it is given', async () => {
    const { rerender } = render(RoomNotifyLevel, {
      roomId: 'general',
      level: 'mentions',
      enabled: true,
      onChange: vi.fn(),
    });
    expect(screen.getByRole('radio', { name: 'Mentions only' })).toBeChecked();
    await rerender({ level: 'off' });
    expect(screen.getByRole('radio', { name: 'Off' })).toBeChecked();
  });

  it('only hints, with a way to Settings, while notifications are off', async () => {
    const user = userEvent.setup();
    const onOpenSettings = vi.fn();
    render(RoomNotifyLevel, {
      roomId: 'general',
      level: 'all',
      enabled: false,
      onChange: vi.fn(),
      onOpenSettings,
    });
    expect(screen.queryByRole('radio')).toBeNull();
    expect(screen.getByText(/Desktop notifications are off/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Open Settings' }));
    expect(onOpenSettings).toHaveBeenCalledOnce();
  });
});
