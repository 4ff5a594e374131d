import { describe, expect, it } from 'vitest';
import {
  PRESENCE_HEARTBEAT_MS,
  PRESENCE_TIMEOUT_MS,
  PresenceTracker,
} from '../../../src/lib/room/presence-tracker';

function setup(startMs = 1_000_000) {
  const clock = { nowMs: startMs };
  const tracker = new PresenceTracker('me', { now: () => clock.nowMs });
  return { clock, tracker };
}

describe('PresenceTracker', () => {
  it('has a timeout that survives a missed heartbeat', () => {
    expect(PRESENCE_HEARTBEAT_MS).toBe(60_000);
    expect(PRESENCE_TIMEOUT_MS).toBe(150_000);
    expect(PRESENCE_TIMEOUT_MS).toBeGreaterThan(2 * PRESENCE_HEARTBEAT_MS);
  });

  it('reports "newly online" only once, not for each heartbeat', () => {
    const { clock, tracker } = setup();
    expect(tracker.joined('alice', clock.nowMs)).toBe(true);
    clock.nowMs += PRESENCE_HEARTBEAT_MS;
    expect(tracker.joined('alice', clock.nowMs)).toBe(false);
    clock.nowMs += PRESENCE_HEARTBEAT_MS;
    expect(tracker.joined('alice', clock.nowMs)).toBe(false);
  });

  it('lists own user first, then others by name', () => {
    const { clock, tracker } = setup();
    tracker.joined('zoe', clock.nowMs);
    tracker.joined('Bob', clock.nowMs);
    tracker.joined('alice', clock.nowMs);
    tracker.joined('me', clock.nowMs);
    expect(tracker.online().map((u) => [u.userId, u.own])).toEqual([
      ['me', true],
      ['alice', false],
      ['Bob', false],
      ['zoe', false],
    ]);
  });

  it('always lists the own user, even before any event', () => {
    const { clock, tracker } = setup();
    expect(tracker.online()).toEqual([{ userId: 'me', lastSeenMs: clock.nowMs, own: true }]);
  });

  it('drops users not heard from for the timeout', () => {
    const { clock, tracker } = setup();
    const start = clock.nowMs;
    tracker.joined('alice', start);
    expect(tracker.online(start + PRESENCE_TIMEOUT_MS - 1).map((u) => u.userId)).toContain('alice');
    expect(tracker.online(start + PRESENCE_TIMEOUT_MS).map((u) => u.userId)).not.toContain('alice');
  });

  it('counts messages and typing as presence', () => {
    const { clock, tracker } = setup();
    const start = clock.nowMs;
    tracker.joined('alice', start);
    clock.nowMs = start + 60_000;
    tracker.activity('alice', clock.nowMs);
    expect(tracker.online(start + 100_000).map((u) => u.userId)).toContain('alice');
    expect(tracker.online(start + 100_000).find((u) => u.userId === 'alice')?.lastSeenMs).toBe(
      start + 60_000,
    );
  });

  it('shows "joined" again after a timeout or a leave', () => {
    const { clock, tracker } = setup();
    tracker.joined('alice', clock.nowMs);
    clock.nowMs += PRESENCE_TIMEOUT_MS;
    expect(tracker.joined('alice', clock.nowMs)).toBe(true);
    clock.nowMs += 1_000;
    expect(tracker.left('alice', clock.nowMs)).toBe(true);
    expect(tracker.online().map((u) => u.userId)).toEqual(['me']);
    clock.nowMs += 1_000;
    expect(tracker.joined('alice', clock.nowMs)).toBe(true);
  });

  it('left is false for someone who was not online', () => {
    const { clock, tracker } = setup();
    expect(tracker.left('nobody', clock.nowMs)).toBe(false);
  });

  it('never makes replayed history online', () => {
    const { clock, tracker } = setup();
    const old = clock.nowMs - PRESENCE_TIMEOUT_MS - 1;
    expect(tracker.joined('ghost', old)).toBe(false);
    tracker.activity('ghost2', old);
    expect(tracker.online().map((u) => u.userId)).toEqual(['me']);
    expect(tracker.nextExpiryMs()).toBeNull();
    // …and the stale join recorded nothing: a fresh one is a real arrival.
    expect(tracker.joined('ghost', clock.nowMs)).toBe(true);
  });

  it('counts recent history (within the timeout) as online', () => {
    const { clock, tracker } = setup();
    expect(tracker.joined('alice', clock.nowMs - 10_000)).toBe(true);
    expect(tracker.nextExpiryMs()).toBe(clock.nowMs - 10_000 + PRESENCE_TIMEOUT_MS);
  });

  it('does not let a stale goodbye cancel a newer hello', () => {
    const { clock, tracker } = setup();
    tracker.joined('alice', clock.nowMs);
    expect(tracker.left('alice', clock.nowMs - 5_000)).toBe(false);
    expect(tracker.online().map((u) => u.userId)).toContain('alice');
  });

  it('does not keep a user online for ever on a future timestamp', () => {
    const { clock, tracker } = setup();
    tracker.joined('skewed', clock.nowMs + 10 * 365 * 86_400_000);
    expect(tracker.online(clock.nowMs + PRESENCE_TIMEOUT_MS).map((u) => u.userId)).toEqual(['me']);
  });

  it('ignores non-finite timestamps', () => {
    const { tracker } = setup();
    expect(tracker.joined('nan', Number.NaN)).toBe(false);
    expect(tracker.joined('inf', Number.POSITIVE_INFINITY)).toBe(false);
    expect(tracker.online().map((u) => u.userId)).toEqual(['me']);
  });

  it('reports the next expiry among other users', () => {
    const { clock, tracker } = setup();
    const start = clock.nowMs;
    tracker.joined('me', start - 50_000);
    tracker.joined('b', start - 1_000);
    tracker.joined('a', start - 2_000);
    expect(tracker.nextExpiryMs()).toBe(start - 2_000 + PRESENCE_TIMEOUT_MS);
    expect(tracker.nextExpiryMs(start - 2_000 + PRESENCE_TIMEOUT_MS)).toBe(
      start - 1_000 + PRESENCE_TIMEOUT_MS,
    );
  });
});

describe('PresenceTracker, events out of order', () => {
  it('does not let an older hello (loaded from history later) revive someone who left', () => {
    let now = 1_000_000;
    const tracker = new PresenceTracker('me', { now: () => now });
    expect(tracker.joined('bob', now - 10_000)).toBe(true);
    expect(tracker.left('bob', now - 1_000)).toBe(true);
    expect(tracker.joined('bob', now - 20_000)).toBe(false);
    expect(tracker.online(now).map((user) => user.userId)).toEqual(['me']);
    now += 1_000;
    expect(tracker.joined('bob', now)).toBe(true);
  });

  it('forgets users who timed out, so made-up ids cannot grow it for ever', () => {
    let now = 1_000_000;
    const tracker = new PresenceTracker('me', { now: () => now });
    for (let i = 0; i < 1_000; i += 1) tracker.activity(`ghost-${i}`, now);
    expect(tracker.online(now)).toHaveLength(1_001);
    now += PRESENCE_TIMEOUT_MS;
    expect(tracker.online(now)).toHaveLength(1);
    expect(tracker.nextExpiryMs(now)).toBeNull();
  });
});
