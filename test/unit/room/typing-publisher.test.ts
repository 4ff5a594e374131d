import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  TYPING_IDLE_MS,
  TYPING_REFRESH_MS,
  TypingPublisher,
} from '../../../src/lib/room/typing-publisher';

describe('TypingPublisher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup() {
    const sent: boolean[] = [];
    const publisher = new TypingPublisher({ send: (isTyping) => sent.push(isTyping) });
    return { sent, publisher };
  }

  it('has the documented intervals', () => {
    expect(TYPING_REFRESH_MS).toBe(3_000);
    expect(TYPING_IDLE_MS).toBe(5_000);
  });

  it('publishes true on the first keystroke only, then refreshes at most every 3 s', () => {
    const { sent, publisher } = setup();
    publisher.input('h');
    publisher.input('he');
    expect(sent).toEqual([true]);
    for (let i = 0; i < 29; i += 1) {
      vi.advanceTimersByTime(100);
      publisher.input(`hello ${i}`);
    }
    expect(sent).toEqual([true]);
    vi.advanceTimersByTime(100);
    publisher.input('hello!');
    expect(sent).toEqual([true, true]);
  });

  it('publishes false on send, exactly once', () => {
    const { sent, publisher } = setup();
    publisher.input('hi');
    publisher.sent();
    publisher.sent();
    expect(sent).toEqual([true, false]);
  });

  it('publishes false when the text becomes empty or whitespace', () => {
    const { sent, publisher } = setup();
    publisher.input('hi');
    publisher.input('');
    publisher.input('  ');
    expect(sent).toEqual([true, false]);
  });

  it('publishes false on blur', () => {
    const { sent, publisher } = setup();
    publisher.input('hi');
    publisher.blur();
    expect(sent).toEqual([true, false]);
  });

  it('publishes false after 5 s without input, and not again afterwards', () => {
    const { sent, publisher } = setup();
    publisher.input('hi');
    vi.advanceTimersByTime(4_000);
    publisher.input('hi!');
    vi.advanceTimersByTime(TYPING_IDLE_MS - 1);
    expect(sent).toEqual([true, true]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([true, true, false]);
    publisher.blur();
    vi.advanceTimersByTime(60_000);
    expect(sent).toEqual([true, true, false]);
  });

  it('never sends false if it never sent true', () => {
    const { sent, publisher } = setup();
    publisher.blur();
    publisher.sent();
    publisher.input('');
    publisher.input('   ');
    vi.advanceTimersByTime(60_000);
    publisher.dispose();
    expect(sent).toEqual([]);
  });

  it('starts again after a stop with a fresh true', () => {
    const { sent, publisher } = setup();
    publisher.input('a');
    publisher.sent();
    publisher.input('b');
    expect(sent).toEqual([true, false, true]);
  });

  it('says stopped on dispose and then ignores everything', () => {
    const { sent, publisher } = setup();
    publisher.input('a');
    publisher.dispose();
    publisher.input('b');
    vi.advanceTimersByTime(60_000);
    expect(sent).toEqual([true, false]);
  });

  it('uses injected timers and clock', () => {
    let nowMs = 0;
    const timers: Array<{ callback: () => void; atMs: number } | null> = [];
    const sent: boolean[] = [];
    const publisher = new TypingPublisher({
      send: (isTyping) => sent.push(isTyping),
      now: () => nowMs,
      setTimeout: (callback, delayMs) => timers.push({ callback, atMs: nowMs + delayMs }) - 1,
      clearTimeout: (handle) => {
        timers[handle as number] = null;
      },
    });
    publisher.input('x');
    nowMs = 3_000;
    publisher.input('xy');
    expect(sent).toEqual([true, true]);
    const live = timers.filter((timer) => timer !== null);
    expect(live).toHaveLength(1);
    expect(live[0]?.atMs).toBe(8_000);
    live[0]?.callback();
    expect(sent).toEqual([true, true, false]);
  });
});
