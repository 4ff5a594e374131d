import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NEWS_DELAY_MS, RoomNewsTeller, type RoomNews } from '../../../src/lib/room/news';

const news = (offset: number, mention = false): RoomNews => ({
  offset,
  userId: 'bob',
  text: `m${offset}`,
  mention,
});

describe('RoomNewsTeller', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('tells a burst once, after a moment, preferring its latest mention', () => {
    const told: RoomNews[] = [];
    const teller = new RoomNewsTeller(
      (item) => told.push(item),
      () => 0,
    );
    teller.note(news(1), true);
    teller.note(news(2, true), true);
    teller.note(news(3), true);
    vi.advanceTimersByTime(NEWS_DELAY_MS - 1);
    expect(told).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(told).toEqual([news(2, true)]);
  });

  it('tells nothing read meanwhile, nothing from history, and nothing once stopped', () => {
    const told: RoomNews[] = [];
    let read = 0;
    const teller = new RoomNewsTeller(
      (item) => told.push(item),
      () => read,
    );
    teller.note(news(1), true);
    read = 2;
    vi.advanceTimersByTime(NEWS_DELAY_MS);
    teller.note(news(5), false);
    teller.note(news(6), true);
    teller.stop();
    vi.advanceTimersByTime(NEWS_DELAY_MS);
    expect(told).toEqual([]);
  });

  it('counts unread mentions until they are read, and forgets them on a reset', () => {
    let read: number | null = 3;
    const teller = new RoomNewsTeller(null, () => read);
    teller.note(news(2, true), false);
    teller.note(news(4, true), false);
    teller.note(news(5, true), false);
    expect(teller.unreadMentions()).toBe(2);
    read = 5;
    expect(teller.unreadMentions()).toBe(1);
    teller.clear();
    read = null;
    expect(teller.unreadMentions()).toBe(0);
  });
});
