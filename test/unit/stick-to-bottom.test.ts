import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../src/lib/chat-model';
import {
  diffKeys,
  isAtBottom,
  scrollTopAfterPrepend,
  STICK_THRESHOLD_PX,
  StickToBottom,
} from '../../src/lib/stick-to-bottom';

let offset = 0;
/** A message from someone else, or from us with `own`. */
function entry(own = false): TimelineEntry {
  offset += 1;
  return {
    type: 'message',
    key: `o${offset}`,
    offset,
    userId: own ? 'me' : 'alice',
    text: 'hi',
    sentAtMs: 0,
    own,
    status: 'confirmed',
  };
}
const joinLine = (): TimelineEntry => ({
  type: 'system',
  key: `o${++offset}`,
  offset,
  kind: 'joined',
  userId: 'bob',
  atMs: 0,
});

const metrics = (scrollTop: number) => ({ scrollTop, scrollHeight: 1_000, clientHeight: 400 });

describe('isAtBottom', () => {
  it('is true within the threshold of the bottom', () => {
    expect(STICK_THRESHOLD_PX).toBe(48);
    expect(isAtBottom(metrics(600))).toBe(true);
    expect(isAtBottom(metrics(552))).toBe(true);
    expect(isAtBottom(metrics(551))).toBe(false);
    expect(isAtBottom(metrics(0))).toBe(false);
  });

  it('is true when the content does not fill the view', () => {
    expect(isAtBottom({ scrollTop: 0, scrollHeight: 300, clientHeight: 400 })).toBe(true);
  });
});

describe('scrollTopAfterPrepend', () => {
  it('shifts by the height the new content added', () => {
    expect(scrollTopAfterPrepend({ scrollTop: 10, scrollHeight: 1_000 }, 1_600)).toBe(610);
    expect(scrollTopAfterPrepend({ scrollTop: 0, scrollHeight: 1_000 }, 1_000)).toBe(0);
  });
});

describe('diffKeys', () => {
  it('finds appended entries', () => {
    expect(diffKeys(['a', 'b'], ['a', 'b', 'c', 'd'])).toEqual({
      prepended: 0,
      appendedFrom: 2,
      reset: false,
    });
  });

  it('finds prepended entries', () => {
    expect(diffKeys(['c', 'd'], ['a', 'b', 'c', 'd'])).toEqual({
      prepended: 2,
      appendedFrom: 4,
      reset: false,
    });
  });

  it('handles both at once', () => {
    expect(diffKeys(['c'], ['a', 'b', 'c', 'd'])).toEqual({
      prepended: 2,
      appendedFrom: 3,
      reset: false,
    });
  });

  it('treats a pending key replaced on confirmation as arriving', () => {
    expect(diffKeys(['a', 'c1'], ['a', 'o2'])).toEqual({
      prepended: 0,
      appendedFrom: 1,
      reset: false,
    });
  });

  it('reports a reset when nothing is shared or there was nothing before', () => {
    expect(diffKeys([], ['a'])).toMatchObject({ reset: true });
    expect(diffKeys(['x'], ['a', 'b'])).toEqual({ prepended: 0, appendedFrom: 2, reset: true });
  });

  it('is fast on large lists', () => {
    const previous = Array.from({ length: 20_000 }, (_, i) => `o${i}`);
    const next = [...previous.slice(500), 'o20000'];
    const start = performance.now();
    expect(diffKeys(previous, next)).toEqual({
      prepended: 0,
      appendedFrom: next.length - 1,
      reset: false,
    });
    expect(performance.now() - start).toBeLessThan(200);
  });
});

describe('StickToBottom', () => {
  it('starts at the bottom and follows new entries there', () => {
    const stick = new StickToBottom();
    expect(stick.atBottom).toBe(true);
    expect(stick.appended([entry()])).toBe(true);
    expect(stick.unseen).toBe(0);
  });

  it('counts arriving messages (not join lines) while scrolled up instead of scrolling', () => {
    const stick = new StickToBottom();
    stick.scrolled(metrics(100));
    expect(stick.atBottom).toBe(false);
    expect(stick.appended([entry(), joinLine()])).toBe(false);
    expect(stick.appended([entry()])).toBe(false);
    expect(stick.unseen).toBe(2);
  });

  it('always scrolls for own messages', () => {
    const stick = new StickToBottom();
    stick.scrolled(metrics(0));
    stick.appended([entry()]);
    expect(stick.appended([joinLine(), entry(true)])).toBe(true);
    expect(stick.unseen).toBe(0);
    expect(stick.atBottom).toBe(true);
  });

  it('clears the count when the user scrolls back down or jumps', () => {
    const stick = new StickToBottom();
    stick.scrolled(metrics(0));
    stick.appended([entry()]);
    stick.scrolled(metrics(600));
    expect(stick.unseen).toBe(0);
    stick.scrolled(metrics(0));
    stick.appended([entry()]);
    stick.jumpedToBottom();
    expect(stick.unseen).toBe(0);
    expect(stick.atBottom).toBe(true);
  });

  it('does nothing for an empty append', () => {
    const stick = new StickToBottom();
    expect(stick.appended([])).toBe(false);
  });

  it('accepts a custom threshold', () => {
    const stick = new StickToBottom(0);
    stick.scrolled(metrics(599));
    expect(stick.atBottom).toBe(false);
  });
});
