import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../../src/lib/timeline/entries';
import {
  diffKeys as diffKeyed,
  isAtBottom,
  STICK_THRESHOLD_PX,
  StickToBottom,
} from '../../../src/lib/timeline/stick-to-bottom';

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

/** diffKeys over lists of bare keys. */
const diffKeys = (previous: string[], next: string[]) =>
  diffKeyed(
    previous.map((key) => ({ key })),
    next.map((key) => ({ key })),
  );

const metrics = (scrollTop: number) => ({ scrollTop, scrollHeight: 1_000, clientHeight: 400 });
/** The reader was at the bottom and scrolled up to `scrollTop`. */
function readUp(stick: StickToBottom, scrollTop: number): void {
  stick.scrolled(metrics(600));
  stick.scrolled(metrics(scrollTop));
}

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

  it('finds where arrivals start when the newest entry went', () => {
    // A failed message discarded while another message arrived.
    expect(diffKeys(['a', 'b', 'failed'], ['a', 'b', 'c'])).toEqual({
      prepended: 0,
      appendedFrom: 2,
      reset: false,
    });
    expect(diffKeys(['a', 'b', 'failed'], ['a', 'b'])).toEqual({
      prepended: 0,
      appendedFrom: 2,
      reset: false,
    });
  });

  it('reports a reset when nothing is shared or there was nothing before', () => {
    expect(diffKeys([], ['a'])).toMatchObject({ reset: true });
    expect(diffKeys(['x'], ['a', 'b'])).toEqual({ prepended: 0, appendedFrom: 2, reset: true });
  });

  it('finds arrivals, older pages and trimmed starts in large lists', () => {
    const previous = Array.from({ length: 100_000 }, (_, i) => ({ key: `o${i}` }));
    const arrived = [...previous, { key: 'o100000' }];
    const older = [...Array.from({ length: 50 }, (_, i) => ({ key: `p${i}` })), ...previous];
    const trimmed = [...previous.slice(500), { key: 'o100000' }];
    for (let round = 0; round < 100; round += 1) {
      expect(diffKeyed(previous, arrived).appendedFrom).toBe(100_000);
      expect(diffKeyed(previous, older).prepended).toBe(50);
    }
    expect(diffKeyed(previous, trimmed)).toEqual({
      prepended: 0,
      appendedFrom: trimmed.length - 1,
      reset: false,
    });
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
    readUp(stick, 100);
    expect(stick.atBottom).toBe(false);
    expect(stick.appended([entry(), joinLine()])).toBe(false);
    expect(stick.appended([entry()])).toBe(false);
    expect(stick.unseen).toBe(2);
  });

  it('always scrolls for own messages', () => {
    const stick = new StickToBottom();
    readUp(stick, 0);
    stick.appended([entry()]);
    expect(stick.appended([joinLine(), entry(true)])).toBe(true);
    expect(stick.unseen).toBe(0);
    expect(stick.atBottom).toBe(true);
  });

  it('clears the count when the user scrolls back down or jumps', () => {
    const stick = new StickToBottom();
    readUp(stick, 0);
    stick.appended([entry()]);
    expect(stick.unseen).toBe(1);
    stick.scrolled(metrics(600));
    expect(stick.unseen).toBe(0);
    readUp(stick, 0);
    stick.appended([entry()]);
    expect(stick.unseen).toBe(1);
    stick.jumpedToBottom();
    expect(stick.unseen).toBe(0);
    expect(stick.atBottom).toBe(true);
  });

  it('does nothing for an empty append', () => {
    const stick = new StickToBottom();
    expect(stick.appended([])).toBe(false);
  });

  it('leaves the bottom only when the reader moves up', () => {
    const stick = new StickToBottom();
    stick.scrolled(metrics(600));
    // Rows measured below grew the content: further from the bottom, but not by the reader.
    stick.scrolled({ scrollTop: 620, scrollHeight: 1_500, clientHeight: 400 });
    expect(stick.atBottom).toBe(true);
    stick.scrolled({ scrollTop: 610, scrollHeight: 1_500, clientHeight: 400 });
    expect(stick.atBottom).toBe(false);
    stick.scrolled({ scrollTop: 1_100, scrollHeight: 1_500, clientHeight: 400 });
    expect(stick.atBottom).toBe(true);
  });

  it("stays at the bottom when the page's own correction moves the view up", () => {
    const stick = new StickToBottom();
    stick.scrolled(metrics(600));
    // The virtualiser fixed a row-height estimate with scrollBy(-69): nobody was steering.
    stick.scrolled({ scrollTop: 531, scrollHeight: 1_000, clientHeight: 400 }, false);
    expect(stick.atBottom).toBe(true);
    stick.scrolled({ scrollTop: 400, scrollHeight: 1_000, clientHeight: 400 }, true);
    expect(stick.atBottom).toBe(false);
    // A long jump up is the reader's even without a wheel (find in page, a script).
    const jumped = new StickToBottom();
    jumped.scrolled(metrics(600));
    jumped.scrolled({ scrollTop: 0, scrollHeight: 1_000, clientHeight: 400 }, false);
    expect(jumped.atBottom).toBe(false);
  });

  it('accepts a custom threshold', () => {
    const stick = new StickToBottom(0);
    readUp(stick, 599);
    expect(stick.atBottom).toBe(false);
  });
});
