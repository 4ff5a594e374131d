import { describe, expect, it } from 'vitest';
import { SafeStorage } from '../../../src/lib/device/safe-storage';
import { SentLog } from '../../../src/lib/room/sent-log';
import { MapStorage } from '../helpers';

/** Two tabs of one browser: each its own SentLog over the one localStorage. */
function twoTabs(size?: number) {
  const storage = new MapStorage();
  const tab = () => new SentLog(new SafeStorage(() => storage), size);
  return { storage, first: tab(), second: tab() };
}

describe('SentLog across tabs', () => {
  it('knows a message another tab sent after this one loaded (tabs that run alone share only storage)', () => {
    const { first, second } = twoTabs();
    expect(second.has('sent-in-the-first-tab')).toBe(false);
    first.add('sent-in-the-first-tab');
    expect(second.has('sent-in-the-first-tab')).toBe(true);
  });

  it('keeps what every tab sent: a write merges what other tabs wrote meanwhile', () => {
    const { storage, first, second } = twoTabs();
    first.add('a');
    second.add('b');
    first.add('c');
    const reloaded = new SentLog(new SafeStorage(() => storage));
    expect(['a', 'b', 'c'].map((id) => reloaded.has(id))).toEqual([true, true, true]);
  });

  it('keeps only the newest ids of all tabs together', () => {
    const { storage, first, second } = twoTabs(2);
    first.add('a');
    second.add('b');
    first.add('c');
    const reloaded = new SentLog(new SafeStorage(() => storage), 2);
    expect(['a', 'b', 'c'].map((id) => reloaded.has(id))).toEqual([false, true, true]);
  });

  it('reads nothing it cannot use from damaged storage, and still records', () => {
    const { storage, first } = twoTabs();
    storage.setItem('synap-chat:sent', '{not json');
    expect(first.has('x')).toBe(false);
    first.add('x');
    expect(first.has('x')).toBe(true);
  });
});
