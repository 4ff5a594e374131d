import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import RoomInfo from '../../src/components/RoomInfo.svelte';

const stats = {
  messageCount: 42,
  subscriberCount: 3,
  minOffset: 0,
  maxOffset: 41,
  totalPublished: 1_042,
  dropped: 1_000,
  createdAtMs: Date.UTC(2025, 5, 15, 12),
  generation: 7,
};

/** The <dd> text for a <dt> term. */
function valueOf(term: string): string | null | undefined {
  return screen.getByText(term, { selector: 'dt' }).nextElementSibling?.textContent?.trim();
}

describe('RoomInfo', () => {
  it('shows the stream statistics in a list labelled Room info', () => {
    render(RoomInfo, { stats, locale: 'en-US' });
    const region = screen.getByRole('region', { name: 'Room info' });
    expect(within(region).getByRole('heading', { name: 'Room info' })).toBeInTheDocument();
    expect(region.querySelector('dl')).toHaveAttribute('aria-labelledby');
    expect(valueOf('Events stored')).toBe('42');
    expect(valueOf('Subscribers')).toBe('3');
    expect(valueOf('Retained')).toBe('offsets 0–41');
    expect(valueOf('Published')).toBe('1,042');
    expect(valueOf('Dropped')).toBe('1,000');
    expect(valueOf('Created')).toMatch(/Jun 15, 2025/);
  });

  it('counts what this client skipped as unreadable, once there is any', async () => {
    const { rerender } = render(RoomInfo, { stats, locale: 'en-US' });
    expect(screen.queryByText('Skipped', { selector: 'dt' })).not.toBeInTheDocument();
    await rerender({ skipped: 12_345 });
    expect(valueOf('Skipped')).toBe('12,345');
  });

  it('says when nothing is retained', () => {
    render(RoomInfo, { stats: { ...stats, messageCount: 0, maxOffset: 0 } });
    expect(valueOf('Retained')).toBe('nothing yet');
  });

  it('shows loading, errors and refreshes', async () => {
    const user = userEvent.setup();
    const onRefresh = vi.fn();
    const { rerender } = render(RoomInfo, { stats: null, loading: true, onRefresh });
    expect(screen.getByText('Loading…')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Refresh room info' })).toBeDisabled();
    await rerender({ loading: false, error: 'Room not found' });
    expect(screen.getByRole('alert')).toHaveTextContent('Room not found');
    await user.click(screen.getByRole('button', { name: 'Refresh room info' }));
    expect(onRefresh).toHaveBeenCalledTimes(1);
  });
});
