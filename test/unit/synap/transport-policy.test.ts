import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SafeStorage } from '../../../src/lib/device/safe-storage';
import {
  TransportPolicy,
  UPGRADE_FAILURES_BEFORE_POLLING,
  type TransportChoice,
} from '../../../src/lib/synap/transport-policy';
import { MapStorage } from '../helpers';

const SERVER = 'http://synap.test:15500';

function makePolicy(storage = new MapStorage(), probe = vi.fn(async () => false)) {
  const policy = new TransportPolicy({
    serverUrl: SERVER,
    storage: new SafeStorage(() => storage),
    probe,
    random: () => 0,
    probeIntervalMs: 1_000,
    firstProbeMs: 100,
  });
  const changes: TransportChoice[] = [];
  policy.on('change', (choice) => changes.push(choice));
  return { policy, changes, storage, probe };
}

describe('TransportPolicy', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it(`switches to polling after ${UPGRADE_FAILURES_BEFORE_POLLING} refused upgrades in a row, once`, () => {
    const { policy, changes } = makePolicy();
    expect(policy.choice.kind).toBe('websocket');
    for (let i = 1; i < UPGRADE_FAILURES_BEFORE_POLLING; i += 1) {
      expect(policy.socketRefused()).toBe(false);
    }
    expect(policy.socketRefused()).toBe(true);
    expect(policy.choice.kind).toBe('polling');
    expect(policy.choice.reason).toMatch(/WebSocket/);
    expect(policy.socketRefused()).toBe(false);
    expect(changes.map((choice) => choice.kind)).toEqual(['polling']);
  });

  it('forgets earlier refusals once a socket is welcomed', () => {
    const { policy, changes } = makePolicy();
    for (let i = 1; i < UPGRADE_FAILURES_BEFORE_POLLING; i += 1) policy.socketRefused();
    policy.socketOpened();
    expect(policy.socketRefused()).toBe(false);
    expect(policy.choice.kind).toBe('websocket');
    expect(changes).toEqual([]);
  });

  it('remembers polling per server, so a reload starts polling', () => {
    const storage = new MapStorage();
    const first = makePolicy(storage);
    for (let i = 0; i < UPGRADE_FAILURES_BEFORE_POLLING; i += 1) first.policy.socketRefused();
    first.policy.stop();
    const reloaded = makePolicy(storage);
    expect(reloaded.policy.choice.kind).toBe('polling');
    reloaded.policy.stop();
  });

  it('probes the socket in the background and switches back when an upgrade succeeds', async () => {
    let works = false;
    const { policy, changes, probe, storage } = makePolicy(
      new MapStorage(),
      vi.fn(async () => works),
    );
    for (let i = 0; i < UPGRADE_FAILURES_BEFORE_POLLING; i += 1) policy.socketRefused();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(probe).toHaveBeenCalledTimes(1);
    expect(policy.choice.kind).toBe('polling');
    works = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(probe).toHaveBeenCalledTimes(2);
    expect(policy.choice.kind).toBe('websocket');
    expect(changes.map((choice) => choice.kind)).toEqual(['polling', 'websocket']);
    expect([...storage.map.keys()].some((key) => key.includes('transport'))).toBe(false);
    // Back on sockets, nothing more is probed.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(probe).toHaveBeenCalledTimes(2);
  });

  it('probes soon after a reload that starts out polling', async () => {
    const storage = new MapStorage();
    const first = makePolicy(storage);
    for (let i = 0; i < UPGRADE_FAILURES_BEFORE_POLLING; i += 1) first.policy.socketRefused();
    first.policy.stop();
    const reloaded = makePolicy(
      storage,
      vi.fn(async () => true),
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(reloaded.probe).toHaveBeenCalledTimes(1);
    expect(reloaded.policy.choice.kind).toBe('websocket');
  });

  it('always polls, and never probes, where there is no WebSocket', async () => {
    const probe = vi.fn(async () => true);
    const policy = new TransportPolicy({ serverUrl: SERVER, probe, socketsAvailable: false });
    expect(policy.choice.kind).toBe('polling');
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(probe).not.toHaveBeenCalled();
  });
});
