import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import HistoryEdge from '../../src/components/HistoryEdge.svelte';

describe('HistoryEdge', () => {
  it('says messages are loading, with the events searched so far, instead of "No messages yet"', () => {
    render(HistoryEdge, {
      status: { kind: 'loading', scannedEvents: 4_000 },
      hasOlder: false,
      empty: true,
    });
    expect(screen.getByText(/Loading messages… \(4,000 events searched\)/)).toBeInTheDocument();
    expect(screen.queryByText(/No messages yet/)).toBeNull();
    expect(screen.queryByText(/Beginning of the room/)).toBeNull();
  });

  it('says why messages could not be loaded and offers to try again', async () => {
    const onRetry = vi.fn();
    render(HistoryEdge, {
      status: { kind: 'failed', message: 'Cannot reach http://synap:15500' },
      hasOlder: false,
      empty: true,
      onRetry,
    });
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Messages could not be loaded: Cannot reach http://synap:15500',
    );
    expect(screen.queryByText(/No messages yet/)).toBeNull();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it('invites the first message once the room was read and is empty', () => {
    render(HistoryEdge, { status: { kind: 'ready' }, hasOlder: false, empty: true });
    expect(screen.getByText('No messages yet. Say hello!')).toBeInTheDocument();
  });
});
