import { describe, expect, it } from 'vitest';
import { FREQUENT_EMOJI_KEPT, FrequentEmoji } from '../../../src/lib/device/frequent-emoji';
import { SafeStorage } from '../../../src/lib/device/safe-storage';
import { MapStorage } from '../helpers';

describe('FrequentEmoji', () => {
  it('puts the emoji used most first, and remembers them across reloads', () => {
    const backing = new MapStorage();
    const frequent = new FrequentEmoji(new SafeStorage(() => backing));
    frequent.use('👍');
    frequent.use('🎉');
    frequent.use('🎉');
    expect(frequent.list).toEqual(['🎉', '👍']);
    expect(new FrequentEmoji(new SafeStorage(() => backing)).list).toEqual(['🎉', '👍']);
  });

  it('lets a new habit overtake an old one after a couple of uses', () => {
    const frequent = new FrequentEmoji(new SafeStorage(() => new MapStorage()));
    for (let i = 0; i < 10; i += 1) frequent.use('👍');
    frequent.use('🔥');
    frequent.use('🔥');
    expect(frequent.list[0]).toBe('🔥');
  });

  it('keeps a bounded list and ignores what cannot be an emoji', () => {
    const frequent = new FrequentEmoji(new SafeStorage(() => new MapStorage()));
    for (let i = 0; i < 20; i += 1) frequent.use(String.fromCodePoint(0x1f600 + i));
    frequent.use('not an emoji at all, far too long to be one');
    expect(frequent.list).toHaveLength(FREQUENT_EMOJI_KEPT);
    expect(frequent.list).not.toContain('not an emoji at all, far too long to be one');
  });

  it('starts empty from damaged storage', () => {
    const backing = new MapStorage();
    backing.setItem('synap-chat:frequent-emoji', '[["👍","x"],"junk",[" ",1],["🎉",2]]');
    expect(new FrequentEmoji(new SafeStorage(() => backing)).list).toEqual(['🎉']);
  });
});
