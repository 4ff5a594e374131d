import { describe, expect, it } from 'vitest';
import { decodeChatEvent } from '../../../src/lib/room/chat-events';
import { CONFUSABLES_TABLE } from '../../../src/lib/text/confusables';
import {
  hasInvisibleCharacters,
  LookalikeNames,
  lookalikesAmong,
  looksLike,
  nameSkeletons,
  visibleName,
} from '../../../src/lib/text/display-names';
import { SafeStorage } from '../../../src/lib/device/safe-storage';
import { SentLog } from '../../../src/lib/room/sent-log';
import { displayNameProblem } from '../../../src/lib/servers/settings-validation';
import { MapStorage } from '../helpers';

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
    expect(nameSkeletons('Ａlice')).toEqual(nameSkeletons('Alice'));
    expect(nameSkeletons('ALICE').folded).toBe('alice');
    expect(looksLike('Alice', 'alice')).toBe(true);
    expect(looksLike('alice\u200B', 'alice')).toBe(true);
    expect(looksLike('alice', 'alice')).toBe(false);
    expect(looksLike('alicia', 'alice')).toBe(false);
  });

  it.each([
    ['\u0410lice', 'Alice', 'a Cyrillic А'],
    ['\u0430lice', 'alice', 'a Cyrillic а'],
    ['\u0391lice', 'Alice', 'a Greek Α'],
    ['b\u03BFb', 'bob', 'a Greek ο'],
    ['AIice', 'Alice', 'a capital I for an l'],
    ['A1ice', 'Alice', 'a digit 1 for an l'],
    ['B0B', 'BOB', 'a zero for an O'],
    ['b0b', 'bob', 'a zero for an o, ignoring case'],
    ['rnartin', 'martin', '"rn" for an m'],
    ['\u0420\u0430\u0443\u0440\u0430l', 'PayPal', 'Cyrillic Р, а, у'],
    ['ALICE', 'Alice', 'another case'],
  ])('takes %j for a look-alike of %j (%s)', (name, other) => {
    expect(looksLike(name, other)).toBe(true);
    expect(looksLike(other, name)).toBe(true);
  });

  it.each([
    ['Ian', 'Lan'],
    ['alice', 'alicia'],
    ['Zoë', 'Zoe'],
    ['bob', 'bo'],
    ['Анна', 'Anna'],
  ])('keeps %j and %j apart: they read differently', (name, other) => {
    expect(looksLike(name, other)).toBe(false);
  });

  it('ships a small generated table of confusables (UTS #39), not the whole of it', () => {
    const entries = CONFUSABLES_TABLE.split(' ');
    expect(entries.length).toBeGreaterThan(300);
    expect(CONFUSABLES_TABLE.length).toBeLessThan(8_000);
    expect(entries).toContain('\u0430a');
    expect(entries).toContain('0O');
  });

  it('marks a name that reads like an earlier one or like the own name, never the first', () => {
    const names = new LookalikeNames('me');
    expect(names.isLookalike('Alice')).toBe(false);
    expect(names.isLookalike('\u0410lice')).toBe(true);
    expect(names.isLookalike('ALICE')).toBe(true);
    expect(names.isLookalike('Alice')).toBe(false);
    expect(names.isLookalike('bob')).toBe(false);
    expect(names.isLookalike('m\u0435')).toBe(true);
  });

  it('picks out every name in a list that looks like another one in it', () => {
    expect(lookalikesAmong(['me', 'Alice', 'ALICE', 'bob', '\u0412ob', 'carol'])).toEqual(
      new Set(['Alice', 'ALICE']),
    );
    expect(lookalikesAmong(['me', 'm\u0435', 'bob', 'B0b', 'Ian', 'Lan'])).toEqual(
      new Set(['me', 'm\u0435', 'bob', 'B0b']),
    );
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
