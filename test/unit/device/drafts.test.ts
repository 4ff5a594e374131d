import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DraftStore } from '../../../src/lib/device/drafts';
import { SafeStorage } from '../../../src/lib/device/safe-storage';
import { MapStorage } from '../helpers';

describe('DraftStore', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps the unsent text of each room, for the next page too', () => {
    const map = new MapStorage();
    const drafts = new DraftStore(new SafeStorage(() => map));
    drafts.set('http://s', 'chat-room-a', 'alice', 'half a thought');
    drafts.set('http://s', 'chat-room-b', 'alice', 'another');
    expect(drafts.get('http://s', 'chat-room-a', 'alice')).toBe('half a thought');
    drafts.flush();
    const reloaded = new DraftStore(new SafeStorage(() => map));
    expect(reloaded.get('http://s', 'chat-room-b', 'alice')).toBe('another');
    expect(reloaded.get('http://s', 'chat-room-b', 'bob')).toBe('');
  });

  it('writes typing at most every 300 ms, and forgets a draft emptied by sending', () => {
    const map = new MapStorage();
    const drafts = new DraftStore(new SafeStorage(() => map));
    let writes = 0;
    const setItem = map.setItem.bind(map);
    map.setItem = (key, value) => {
      writes += 1;
      setItem(key, value);
    };
    for (const text of ['h', 'he', 'hel', 'hell', 'hello']) drafts.set('s', 'r', 'u', text);
    vi.advanceTimersByTime(300);
    expect(writes).toBe(1);
    drafts.set('s', 'r', 'u', '');
    vi.advanceTimersByTime(300);
    expect(map.map.size).toBe(0);
  });
});
