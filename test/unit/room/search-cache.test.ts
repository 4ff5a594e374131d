import { describe, expect, it } from 'vitest';
import { SearchCache, type SearchedEvent } from '../../../src/lib/room/search-cache';

/** Messages at `offsets`, newest first (as a search reads them). */
function messages(...offsets: number[]): SearchedEvent[] {
  return offsets.map((offset) => ({
    kind: 'message',
    offset,
    userId: 'bob',
    disguised: false,
    text: `m${offset}`,
    clientId: null,
    replyTo: null,
    sentAtMs: offset,
    serverAtMs: offset,
  }));
}

const offsets = (cache: SearchCache) => cache.events.map((event) => event.offset);

describe('SearchCache', () => {
  it('keeps what was read as one range, newer on top and older below', () => {
    const cache = new SearchCache();
    cache.prepare(1, 100, 0);
    expect([cache.from, cache.before]).toEqual([100, 100]);
    cache.addOlder(messages(90, 60), 50, 100);
    cache.addNewer(messages(120), 130);
    expect([cache.from, cache.before]).toEqual([50, 130]);
    expect(offsets(cache)).toEqual([120, 90, 60]);
  });

  it('takes no page that would leave a hole in the range', () => {
    const cache = new SearchCache();
    cache.prepare(1, 100, 0);
    cache.addOlder(messages(40), 0, 50);
    expect([cache.from, cache.before]).toEqual([100, 100]);
    expect(offsets(cache)).toEqual([]);
  });

  it('keeps the newest events past its limit, and then starts at the oldest one kept', () => {
    const cache = new SearchCache(3);
    cache.prepare(1, 100, 0);
    cache.addOlder(messages(95, 90, 85, 80), 75, 100);
    expect(offsets(cache)).toEqual([95, 90, 85]);
    expect(cache.from).toBe(85);
    cache.addOlder(messages(70), 60, 85);
    expect(cache.from).toBe(85);
  });

  it('forgets everything for another generation or an end that went back, and drops what retention took', () => {
    const cache = new SearchCache();
    cache.prepare(1, 100, 0);
    cache.addOlder(messages(90, 40, 10), 0, 100);
    cache.prepare(1, 100, 30);
    expect(offsets(cache)).toEqual([90, 40]);
    expect(cache.from).toBe(30);
    cache.prepare(2, 100, 0);
    expect(offsets(cache)).toEqual([]);
    cache.addOlder(messages(90), 0, 100);
    cache.prepare(2, 80, 0);
    expect(offsets(cache)).toEqual([]);
    expect([cache.from, cache.before]).toEqual([80, 80]);
  });
});
