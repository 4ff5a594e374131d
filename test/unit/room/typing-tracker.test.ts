import { describe, expect, it } from 'vitest';
import { TYPING_TIMEOUT_MS, TypingTracker } from '../../../src/lib/room/typing-tracker';

describe('TypingTracker', () => {
  it('lists typers in the order they started, never the own user', () => {
    const tracker = new TypingTracker('me');
    tracker.update('bob', true, 1_000);
    tracker.update('me', true, 1_100);
    tracker.update('alice', true, 1_200);
    tracker.update('bob', true, 1_300);
    expect(tracker.active(1_400)).toEqual(['bob', 'alice']);
  });

  it('expires an indicator 6 s after its last refresh', () => {
    expect(TYPING_TIMEOUT_MS).toBe(6_000);
    const tracker = new TypingTracker('me');
    tracker.update('bob', true, 0);
    tracker.update('bob', true, 4_000);
    expect(tracker.active(9_999)).toEqual(['bob']);
    expect(tracker.active(10_000)).toEqual([]);
  });

  it('clears on is_typing false, on their message and when they leave', () => {
    const tracker = new TypingTracker('me');
    tracker.update('a', true, 0);
    tracker.update('b', true, 0);
    tracker.update('c', true, 0);
    tracker.update('a', false, 10);
    tracker.messageFrom('b');
    tracker.left('c');
    expect(tracker.active(20)).toEqual([]);
  });

  it('ignores "stopped" from someone not typing', () => {
    const tracker = new TypingTracker('me');
    tracker.update('a', false, 0);
    expect(tracker.active(0)).toEqual([]);
    expect(tracker.nextExpiryMs(0)).toBeNull();
  });

  it('moves someone who expired and started again to the end', () => {
    const tracker = new TypingTracker('me');
    tracker.update('a', true, 0);
    tracker.update('b', true, 5_000);
    tracker.update('a', true, 7_000);
    expect(tracker.active(7_000)).toEqual(['b', 'a']);
  });

  it('never shows replayed typing events older than the timeout', () => {
    const tracker = new TypingTracker('me');
    tracker.update('ghost', true, 1_000);
    expect(tracker.active(100_000)).toEqual([]);
  });

  it('does not go back in time on an out-of-order refresh', () => {
    const tracker = new TypingTracker('me');
    tracker.update('a', true, 5_000);
    tracker.update('a', true, 1_000);
    expect(tracker.active(10_500)).toEqual(['a']);
  });

  it('reports when the next indicator expires', () => {
    const tracker = new TypingTracker('me');
    expect(tracker.nextExpiryMs(0)).toBeNull();
    tracker.update('a', true, 1_000);
    tracker.update('b', true, 2_000);
    expect(tracker.nextExpiryMs(2_000)).toBe(7_000);
    expect(tracker.nextExpiryMs(7_000)).toBe(8_000);
    expect(tracker.nextExpiryMs(8_000)).toBeNull();
  });
});
