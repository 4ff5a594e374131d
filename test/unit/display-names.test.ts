import { describe, expect, it } from 'vitest';
import { decodeChatEvent } from '../../src/lib/chat-events';
import {
  hasInvisibleCharacters,
  looksLike,
  nameSkeleton,
  visibleName,
} from '../../src/lib/display-names';
import { SafeStorage } from '../../src/lib/safe-storage';
import { SentLog } from '../../src/lib/sent-log';
import { displayNameProblem } from '../../src/lib/settings-validation';
import { MapStorage } from './helpers';

describe('display names', () => {
  it.each([
    ['\u202Enimda', 'nimda'],
    ['ad\u200Bmin', 'admin'],
    ['\u2066bob\u2069', 'bob'],
    ['\uFEFFcarol\u200D', 'carol'],
    ['eve\u00AD', 'eve'],
    ['  two   spaces\t', 'two spaces'],
    ['\u3164', ''],
  ])('shows %j as %j: no invisible or direction-changing characters', (raw, shown) => {
    expect(visibleName(raw)).toBe(shown);
  });

  it('tells names that read the same after NFKC and case folding', () => {
    expect(nameSkeleton('Ａlice')).toBe(nameSkeleton('alice'));
    expect(nameSkeleton('ALICE')).toBe('alice');
    expect(looksLike('Alice', 'alice')).toBe(true);
    expect(looksLike('alice\u200B', 'alice')).toBe(true);
    expect(looksLike('alice', 'alice')).toBe(false);
    expect(looksLike('alicia', 'alice')).toBe(false);
  });

  it('refuses a display name with invisible or bidi characters on first run', () => {
    expect(hasInvisibleCharacters('\u202Enimda')).toBe(true);
    expect(displayNameProblem('\u202Enimda')).toMatch(/invisible or text-direction/);
    expect(displayNameProblem('ad\u200Bmin')).toMatch(/invisible/);
    expect(displayNameProblem('Zoë')).toBeNull();
  });

  it('reads an author name as it is shown, so "\\u202Enimda" cannot pass for "admin"', () => {
    const decoded = decodeChatEvent({
      offset: 1,
      event: 'message',
      data: JSON.stringify({ user_id: '\u202Enimda', message: 'hi' }),
      timestamp: 1_700_000_000,
    });
    expect(decoded).toMatchObject({ ok: true, event: { userId: 'nimda' } });
    const blank = decodeChatEvent({
      offset: 2,
      event: 'message',
      data: JSON.stringify({ user_id: '\u200B\u202E', message: 'hi' }),
      timestamp: 1_700_000_000,
    });
    expect(blank).toMatchObject({ ok: false, reason: 'malformed' });
    const disguised = decodeChatEvent({
      offset: 3,
      event: 'message',
      data: JSON.stringify({ user_id: 'mal\u200Blory ', message: 'hi' }),
      timestamp: 1_700_000_000,
    });
    expect(disguised).toMatchObject({
      ok: true,
      event: { userId: 'mallory', disguised: true },
    });
  });
});

describe('SentLog', () => {
  it('remembers the client ids this device sent across reloads, the newest ones only', () => {
    const storage = new MapStorage();
    const log = new SentLog(new SafeStorage(() => storage), 3);
    for (const id of ['a', 'b', 'c', 'd']) log.add(id);
    const reloaded = new SentLog(new SafeStorage(() => storage), 3);
    expect(['a', 'b', 'c', 'd'].map((id) => reloaded.has(id))).toEqual([false, true, true, true]);
    reloaded.clear();
    expect(new SentLog(new SafeStorage(() => storage), 3).has('d')).toBe(false);
  });
});
