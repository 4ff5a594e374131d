import { describe, expect, it } from 'vitest';
import { RECONNECT_DEFAULTS, backoffDelayMs } from '../../../src/lib/feed/backoff';

describe('backoffDelayMs', () => {
  it('starts near half a second and doubles its ceiling per attempt', () => {
    const top = () => 0.999_999;
    expect(backoffDelayMs(0, RECONNECT_DEFAULTS, () => 0)).toBe(500);
    expect(backoffDelayMs(0, RECONNECT_DEFAULTS, top)).toBe(999);
    expect(backoffDelayMs(1, RECONNECT_DEFAULTS, top)).toBe(1_499);
    expect(backoffDelayMs(3, RECONNECT_DEFAULTS, top)).toBe(4_499);
  });

  it('never waits longer than the cap, however many attempts failed', () => {
    for (const attempt of [10, 31, 100, 10_000]) {
      expect(backoffDelayMs(attempt, RECONNECT_DEFAULTS, () => 0.999_999)).toBe(30_000);
    }
  });

  it('spreads clients dropped together over the whole window (full jitter)', () => {
    const delays = new Set<number>();
    let seed = 1;
    const random = () => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    for (let i = 0; i < 200; i += 1) delays.add(backoffDelayMs(6, RECONNECT_DEFAULTS, random));
    const values = [...delays];
    expect(Math.min(...values)).toBeLessThan(5_000);
    expect(Math.max(...values)).toBeGreaterThan(25_000);
    expect(values.length).toBeGreaterThan(150);
  });

  it('treats nonsense attempts as the first one', () => {
    expect(backoffDelayMs(-3, RECONNECT_DEFAULTS, () => 0)).toBe(500);
    expect(backoffDelayMs(Number.NaN, RECONNECT_DEFAULTS, () => 0)).toBe(500);
  });
});
