import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { tick } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import ConnectionStatus, {
  type ConnectionStatusView,
} from '../../src/components/ConnectionStatus.svelte';

describe('ConnectionStatus', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each<[ConnectionStatusView, string]>([
    [{ kind: 'live' }, 'Live'],
    [{ kind: 'connecting' }, 'Connecting…'],
    [{ kind: 'offline' }, 'Offline — waiting for the network'],
    [{ kind: 'unauthorized', forbidden: false }, 'Unauthorized — check the API key'],
    [
      { kind: 'unauthorized', forbidden: false, keyMissing: true },
      'Unauthorized — this server needs an API key',
    ],
    [{ kind: 'unauthorized', forbidden: true }, 'Forbidden — this key may not use this room'],
    [{ kind: 'failed', message: 'Room was deleted' }, 'Room was deleted'],
  ])('shows %j as "%s"', (status, text) => {
    render(ConnectionStatus, { status });
    expect(screen.getByRole('status')).toHaveTextContent(text);
  });

  it('counts down to the next attempt from nowMs', async () => {
    const { rerender } = render(ConnectionStatus, {
      status: { kind: 'reconnecting', retryAtMs: 10_000 },
      nowMs: 6_000,
    });
    expect(screen.getByRole('status')).toHaveTextContent('Reconnecting in 4 s');
    await rerender({ nowMs: 8_500 });
    expect(screen.getByRole('status')).toHaveTextContent('Reconnecting in 2 s');
    await rerender({ nowMs: 10_000 });
    expect(screen.getByRole('status')).toHaveTextContent('Reconnecting…');
  });

  it('ticks its own clock without nowMs', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(100_000);
    render(ConnectionStatus, { status: { kind: 'reconnecting', retryAtMs: 105_000 } });
    expect(screen.getByRole('status')).toHaveTextContent('Reconnecting in 5 s');
    vi.advanceTimersByTime(2_000);
    await tick();
    expect(screen.getByRole('status')).toHaveTextContent('Reconnecting in 3 s');
  });

  it('offers Retry now while reconnecting', async () => {
    const user = userEvent.setup();
    const onRetryNow = vi.fn();
    render(ConnectionStatus, {
      status: { kind: 'reconnecting', retryAtMs: Date.now() + 5_000 },
      onRetryNow,
    });
    await user.click(screen.getByRole('button', { name: 'Retry now' }));
    expect(onRetryNow).toHaveBeenCalledTimes(1);
  });

  it('offers Settings when the key is refused', async () => {
    const user = userEvent.setup();
    const onOpenSettings = vi.fn();
    render(ConnectionStatus, {
      status: { kind: 'unauthorized', forbidden: false },
      onOpenSettings,
    });
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    expect(onOpenSettings).toHaveBeenCalledTimes(1);
  });

  it('has no buttons when live', () => {
    render(ConnectionStatus, { status: { kind: 'live' }, onRetryNow: vi.fn() });
    expect(screen.queryByRole('button')).toBeNull();
  });
});
