import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NetworkMonitor } from '../../../src/lib/feed/network-monitor';
import {
  ReconnectLoop,
  type LoopSession,
  type LoopWait,
} from '../../../src/lib/feed/reconnect-loop';

function fakeNetwork(): NetworkMonitor & { set(online: boolean): void } {
  let online = true;
  const listeners = new Set<(online: boolean) => void>();
  return {
    get online() {
      return online;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(value) {
      online = value;
      for (const listener of listeners) listener(value);
    },
  };
}

function makeLoop(network: NetworkMonitor | null = null) {
  const sessions: LoopSession[] = [];
  const waits: LoopWait[] = [];
  let abandoned = 0;
  const loop = new ReconnectLoop({
    run: (session) => sessions.push(session),
    abandon: () => (abandoned += 1),
    waiting: (wait) => waits.push(wait),
    network,
    random: () => 0.5,
    now: () => Date.now(),
  });
  return { loop, sessions, waits, abandoned: () => abandoned };
}

describe('ReconnectLoop', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('makes the first attempt at once, and each later one after a growing backoff', () => {
    const { loop, sessions, waits } = makeLoop();
    loop.start();
    expect(sessions).toHaveLength(1);
    loop.fail(sessions[0]!, 'refused');
    expect(waits.at(-1)).toMatchObject({ kind: 'reconnecting', attempt: 1, reason: 'refused' });
    const first = (waits.at(-1) as { delayMs: number }).delayMs;
    vi.advanceTimersByTime(first - 1);
    expect(sessions).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sessions).toHaveLength(2);
    loop.fail(sessions[1]!, 'refused');
    const second = (waits.at(-1) as { delayMs: number }).delayMs;
    expect(second).toBeGreaterThan(first);
  });

  it('ignores the outcome of an attempt it has moved on from', () => {
    const { loop, sessions, waits } = makeLoop();
    loop.start();
    const old = sessions[0]!;
    loop.restart();
    expect(old.current).toBe(false);
    loop.fail(old, 'late news');
    expect(waits).toHaveLength(0);
    expect(sessions[1]!.current).toBe(true);
  });

  it('counts failures from zero again after a healthy stretch', () => {
    const { loop, sessions, waits } = makeLoop();
    loop.start();
    loop.fail(sessions[0]!, 'x');
    vi.runOnlyPendingTimers();
    loop.fail(sessions[1]!, 'x');
    vi.runOnlyPendingTimers();
    expect(loop.attempt).toBe(2);
    loop.healthy(sessions[2]!);
    vi.advanceTimersByTime(10_000);
    expect(loop.attempt).toBe(0);
    loop.fail(sessions[2]!, 'x');
    expect(waits.at(-1)).toMatchObject({ attempt: 1 });
  });

  it('goes offline at once when the network drops, and tries again when it returns', () => {
    const network = fakeNetwork();
    const { loop, sessions, waits, abandoned } = makeLoop(network);
    loop.start();
    network.set(false);
    expect(abandoned()).toBe(1);
    expect(sessions[0]!.current).toBe(false);
    expect(waits.at(-1)).toEqual({ kind: 'offline' });
    network.set(true);
    expect(sessions).toHaveLength(2);
    expect(sessions[1]!.current).toBe(true);
  });

  it('stays halted through network changes until restarted', () => {
    const network = fakeNetwork();
    const { loop, sessions, waits } = makeLoop(network);
    loop.start();
    loop.halt(sessions[0]!);
    network.set(false);
    network.set(true);
    vi.advanceTimersByTime(60_000);
    expect(sessions).toHaveLength(1);
    expect(waits).toHaveLength(0);
    loop.restart();
    expect(sessions).toHaveLength(2);
  });

  it('stops for good: no more attempts, the current one abandoned', () => {
    const { loop, sessions, abandoned } = makeLoop();
    loop.start();
    loop.fail(sessions[0]!, 'x');
    loop.stop();
    vi.advanceTimersByTime(60_000);
    expect(sessions).toHaveLength(1);
    expect(abandoned()).toBe(1);
  });
});
