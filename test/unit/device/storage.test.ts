import { describe, expect, it } from 'vitest';
import { CursorStore, furthestCursor } from '../../../src/lib/device/cursor-store';
import { SafeStorage } from '../../../src/lib/device/safe-storage';
import { deviceId, subscriberIdFor } from '../../../src/lib/synap/subscriber-id';
import { MapStorage } from '../helpers';

class FullStorage extends MapStorage {
  override setItem(): void {
    const error = new Error('The quota has been exceeded.');
    error.name = 'QuotaExceededError';
    throw error;
  }
}

const SERVER = 'http://localhost:15500';

describe('furthestCursor', () => {
  it('lets a newer generation win over a higher offset of an older one', () => {
    const old = { generation: 1, nextOffset: 40 };
    const wiped = { generation: 2, nextOffset: 3 };
    expect(furthestCursor(old, wiped)).toBe(wiped);
    expect(furthestCursor(wiped, old)).toBe(wiped);
  });

  it('takes the higher offset within one generation, and either when one is missing', () => {
    const a = { generation: 5, nextOffset: 7 };
    const b = { generation: 5, nextOffset: 9 };
    expect(furthestCursor(a, b)).toBe(b);
    expect(furthestCursor(null, a)).toBe(a);
    expect(furthestCursor(null, null)).toBeNull();
  });
});

describe('CursorStore', () => {
  it('keeps a cursor per server, room and subscriber', () => {
    const backing = new MapStorage();
    const cursors = new CursorStore(new SafeStorage(() => backing));
    cursors.set(SERVER, 'chat-room-a', 'sub', { generation: 5, nextOffset: 12 });
    cursors.set('http://other:15500', 'chat-room-a', 'sub', { generation: 9, nextOffset: 1 });
    // A fresh store over the same storage: as after a reload.
    const reloaded = new CursorStore(new SafeStorage(() => backing));
    expect(reloaded.get(SERVER, 'chat-room-a', 'sub')).toEqual({ generation: 5, nextOffset: 12 });
    expect(reloaded.get('http://other:15500', 'chat-room-a', 'sub')).toEqual({
      generation: 9,
      nextOffset: 1,
    });
    expect(reloaded.get(SERVER, 'chat-room-b', 'sub')).toBeNull();
    reloaded.delete(SERVER, 'chat-room-a', 'sub');
    expect(reloaded.get(SERVER, 'chat-room-a', 'sub')).toBeNull();
  });

  it('reads corrupted or ill-shaped entries as no cursor', () => {
    const backing = new MapStorage();
    const cursors = new CursorStore(new SafeStorage(() => backing));
    cursors.set(SERVER, 'r', 's', { generation: 1, nextOffset: 1 });
    const [key] = [...backing.map.keys()];
    for (const junk of [
      '{not json',
      '"text"',
      '{"generation":1}',
      '{"generation":1,"nextOffset":-4}',
    ]) {
      backing.map.set(key ?? '', junk);
      expect(cursors.get(SERVER, 'r', 's')).toBeNull();
    }
  });

  it('says so when something saved was damaged, even after later writes succeed', () => {
    const backing = new MapStorage();
    const storage = new SafeStorage(() => backing);
    expect(storage.problem).toBeNull();
    backing.map.set('k', '{not json');
    expect(storage.getJson('k')).toBeNull();
    storage.setJson('other', 1);
    expect(storage.problem).toMatch(/damaged/);
  });

  it('falls back to memory when storage is full, and says so', () => {
    const storage = new SafeStorage(() => new FullStorage());
    const cursors = new CursorStore(storage);
    cursors.set(SERVER, 'r', 's', { generation: 3, nextOffset: 40 });
    expect(cursors.get(SERVER, 'r', 's')).toEqual({ generation: 3, nextOffset: 40 });
    expect(storage.problem).toMatch(/full/);
  });

  it('falls back to memory when touching storage throws (blocked storage)', () => {
    const storage = new SafeStorage(() => {
      throw new DOMException('Access is denied for this document.', 'SecurityError');
    });
    const cursors = new CursorStore(storage);
    expect(cursors.get(SERVER, 'r', 's')).toBeNull();
    cursors.set(SERVER, 'r', 's', { generation: 3, nextOffset: 41 });
    expect(cursors.get(SERVER, 'r', 's')).toEqual({ generation: 3, nextOffset: 41 });
    expect(storage.problem).toMatch(/not available/);
  });
});

describe('subscriber ids', () => {
  it('keeps one device id per browser', () => {
    const backing = new MapStorage();
    const first = deviceId(new SafeStorage(() => backing));
    expect(first).toMatch(/^[a-z0-9]{10}$/);
    expect(deviceId(new SafeStorage(() => backing))).toBe(first);
  });

  it('makes a URL-safe id from any display name, distinct for names that slug alike', () => {
    expect(subscriberIdFor('Alice Smith', 'dev1')).toMatch(/^alice-smith-[a-z0-9]+-dev1$/);
    expect(subscriberIdFor('../../etc/passwd?x=1', 'dev1')).toMatch(
      /^etc-passwd-x-1-[a-z0-9]+-dev1$/,
    );
    expect(subscriberIdFor('日本', 'dev1')).toMatch(/^user-[a-z0-9]+-dev1$/);
    expect(subscriberIdFor('日本', 'dev1')).not.toBe(subscriberIdFor('中国', 'dev1'));
    expect(subscriberIdFor('Bob', 'dev1')).not.toBe(subscriberIdFor('bob!', 'dev1'));
    expect(subscriberIdFor('Bob', 'dev1')).toBe(subscriberIdFor('Bob', 'dev1'));
  });
});
