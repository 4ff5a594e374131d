import { describe, expect, it } from 'vitest';
import {
  decodeChatEvent,
  messagePublication,
  outgoingPublication,
  presencePublication,
  readIntent,
  toEpochMs,
  typingPublication,
  type ChatEvent,
} from '../../../src/lib/room/chat-events';
import type { StreamEvent } from '../../../src/lib/synap/rest';

const SERVER_SECONDS = 1_764_000_000;

function stream(event: string, data: unknown, offset = 7): StreamEvent {
  return { offset, event, data, timestamp: SERVER_SECONDS };
}

function decoded(event: StreamEvent): ChatEvent {
  const result = decodeChatEvent(event);
  if (!result.ok) throw new Error(`not decoded: ${JSON.stringify(result)}`);
  return result.event;
}

describe('toEpochMs', () => {
  it('reads Python seconds (with fractions) and JavaScript milliseconds alike', () => {
    expect(toEpochMs(1_764_000_000.123_4)).toBe(1_764_000_000_123);
    expect(toEpochMs(1_764_000_000_123)).toBe(1_764_000_000_123);
    expect(toEpochMs('1764000000')).toBe(1_764_000_000_000);
    expect(toEpochMs('2025-11-24T16:00:00Z')).toBe(Date.parse('2025-11-24T16:00:00Z'));
  });

  it('refuses what is not a time', () => {
    for (const value of [null, undefined, '', 'soon', -5, 0, Number.NaN, {}, []]) {
      expect(toEpochMs(value)).toBeNull();
    }
  });
});

describe('decodeChatEvent', () => {
  it("reads the seed's Python message: data a JSON string, timestamp in seconds", () => {
    const data = JSON.stringify({ user_id: 'alice', message: 'hi', timestamp: 1_764_000_001.5 });
    expect(decoded(stream('message', data))).toEqual({
      kind: 'message',
      offset: 7,
      userId: 'alice',
      disguised: false,
      text: 'hi',
      clientId: null,
      replyTo: null,
      sentAtMs: 1_764_000_001_500,
      serverAtMs: SERVER_SECONDS * 1000,
    });
  });

  it('reads data given as an object, and falls back to the server time without a timestamp', () => {
    const event = decoded(stream('message', { user_id: 'bob', message: 'yo' }));
    expect(event).toMatchObject({
      kind: 'message',
      userId: 'bob',
      sentAtMs: SERVER_SECONDS * 1000,
    });
  });

  it('reads typing, join (with the heartbeat flag) and leave', () => {
    expect(
      decoded(stream('typing', JSON.stringify({ user_id: 'a', is_typing: true }))),
    ).toMatchObject({ kind: 'typing', isTyping: true });
    expect(decoded(stream('typing', { user_id: 'a', is_typing: 'yes' }))).toMatchObject({
      isTyping: false,
    });
    expect(decoded(stream('user_joined', { user_id: 'a' }))).toMatchObject({
      kind: 'joined',
      heartbeat: false,
    });
    expect(decoded(stream('user_joined', { user_id: 'a', heartbeat: true }))).toMatchObject({
      heartbeat: true,
    });
    expect(decoded(stream('user_left', { user_id: 'a' }))).toMatchObject({ kind: 'left' });
  });

  it('ignores event types it does not show, without calling them malformed', () => {
    expect(decodeChatEvent(stream('poll_vote', { user_id: 'a' }))).toEqual({
      ok: false,
      reason: 'ignored',
    });
  });

  it('skips hostile or broken payloads as malformed instead of throwing', () => {
    const broken: unknown[] = [
      null,
      'not json',
      '[1,2]',
      42,
      { message: 'no author' },
      { user_id: '', message: 'empty author' },
      { user_id: 'x'.repeat(500), message: 'too long author' },
      { user_id: { nested: true }, message: 'object author' },
      { user_id: 'a', message: { html: '<b>' } },
      '{"user_id": "a", "message": ',
    ];
    for (const data of broken) {
      const result = decodeChatEvent(stream('message', data));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toBe('malformed');
    }
  });

  it('keeps HTML in a message as plain text, and cuts absurdly long texts', () => {
    const html = '<img src=x onerror=alert(1)>';
    expect(decoded(stream('message', { user_id: 'a', message: html }))).toMatchObject({
      text: html,
    });
    const long = decoded(stream('message', { user_id: 'a', message: 'x'.repeat(50_000) }));
    expect(long.kind === 'message' && long.text.length).toBe(20_001);
  });
});

describe('publications', () => {
  it("writes messages the seed's consumers can JSON.parse(msg.data) and read", () => {
    const publication = messagePublication('alice', 'hello', 'c-1', 1_764_000_000_000);
    expect(publication.event).toBe('message');
    expect(typeof publication.data).toBe('string');
    const payload = JSON.parse(publication.data) as Record<string, unknown>;
    expect(payload).toEqual({
      user_id: 'alice',
      message: 'hello',
      timestamp: 1_764_000_000_000,
      client_id: 'c-1',
    });
  });

  it('writes typing and presence in the seed shape', () => {
    expect(JSON.parse(typingPublication('a', true, 5).data)).toEqual({
      user_id: 'a',
      is_typing: true,
      timestamp: 5,
    });
    const joined = presencePublication('joined', 'a', { nowMs: 9 });
    expect(joined.event).toBe('user_joined');
    expect(JSON.parse(joined.data)).toEqual({ user_id: 'a', timestamp: 9 });
    const beat = presencePublication('joined', 'a', { nowMs: 9, heartbeat: true });
    expect(JSON.parse(beat.data)).toEqual({ user_id: 'a', timestamp: 9, heartbeat: true });
    expect(presencePublication('left', 'a').event).toBe('user_left');
  });

  it('round-trips through the decoder', () => {
    const publication = messagePublication('alice', 'round', 'c-2', 1_764_000_000_000);
    expect(decoded(stream(publication.event, publication.data))).toMatchObject({
      userId: 'alice',
      text: 'round',
      clientId: 'c-2',
      sentAtMs: 1_764_000_000_000,
    });
  });
});

describe('server timestamps', () => {
  it.each([1e300, 0.5, 8_640_000_000_001, -5, Number.NaN])(
    'reads an absurd server time (%s) as now, never as 1970 or the far future',
    (timestamp) => {
      const before = Date.now();
      const decoded = decodeChatEvent({
        offset: 1,
        event: 'message',
        data: JSON.stringify({ user_id: 'bob', message: 'hi' }),
        timestamp,
      });
      expect(decoded.ok && decoded.event.serverAtMs).toBeGreaterThanOrEqual(before);
      expect(decoded.ok && decoded.event.sentAtMs).toBeLessThanOrEqual(Date.now());
    },
  );
});

describe('replies, edits, deletes and reactions', () => {
  it('writes each in the documented wire format and reads it back', () => {
    const at = 1_764_000_000_000;
    const reply = outgoingPublication('al', 'yes', 'c1', at, { kind: 'reply', target: 3 });
    expect([reply.event, JSON.parse(reply.data)]).toEqual([
      'message',
      { user_id: 'al', message: 'yes', timestamp: at, client_id: 'c1', reply_to: 3 },
    ]);
    const edit = outgoingPublication('al', 'new', 'c2', at, { kind: 'edit', target: 3 });
    expect([edit.event, JSON.parse(edit.data)]).toEqual([
      'message_edited',
      { user_id: 'al', target: 3, message: 'new', timestamp: at, client_id: 'c2' },
    ]);
    const gone = outgoingPublication('al', '', 'c3', at, { kind: 'delete', target: 3 });
    expect([gone.event, JSON.parse(gone.data)]).toEqual([
      'message_deleted',
      { user_id: 'al', target: 3, timestamp: at, client_id: 'c3' },
    ]);
    const like = outgoingPublication('al', '👍', 'c4', at, {
      kind: 'reaction',
      target: 3,
      add: false,
    });
    expect([like.event, JSON.parse(like.data)]).toEqual([
      'reaction',
      { user_id: 'al', target: 3, emoji: '👍', add: false, timestamp: at, client_id: 'c4' },
    ]);
    expect(decoded(stream(reply.event, reply.data, 9))).toMatchObject({
      kind: 'message',
      replyTo: 3,
    });
    expect(decoded(stream(edit.event, edit.data, 9))).toMatchObject({
      kind: 'edit',
      target: 3,
      text: 'new',
      clientId: 'c2',
    });
    expect(decoded(stream(gone.event, gone.data, 9))).toMatchObject({ kind: 'delete', target: 3 });
    expect(decoded(stream(like.event, like.data, 9))).toMatchObject({
      kind: 'reaction',
      target: 3,
      emoji: '👍',
      add: false,
    });
  });

  it('reads a reaction without `add` as added, and one whose `add` is not true or false as malformed', () => {
    const event = stream('reaction', { user_id: 'b', target: 1, emoji: '🎉' }, 5);
    expect(decoded(event)).toMatchObject({ add: true });
    const unsure = stream('reaction', { user_id: 'b', target: 1, emoji: '🎉', add: 'false' }, 5);
    expect(decodeChatEvent(unsure)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['a target after the event itself', { target: 7 }],
    ['a negative target', { target: -1 }],
    ['a fractional target', { target: 1.5 }],
    ['a target given as text', { target: '1' }],
  ])('skips an edit with %s as malformed', (_what, fields) => {
    const event = stream('message_edited', { user_id: 'b', message: 'x', ...fields }, 7);
    expect(decodeChatEvent(event)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('shows a reply to an impossible offset as a plain message', () => {
    const event = stream('message', { user_id: 'b', message: 'hi', reply_to: 99 }, 7);
    expect(decoded(event)).toMatchObject({ kind: 'message', replyTo: null });
  });

  it.each([
    ['no emoji', undefined],
    ['an empty one', ''],
    ['a long text', 'x'.repeat(40)],
    ['spaces', 'a b'],
    ['a direction override', '\u202e👍'],
    ['a control character', '\u0007'],
    ['a zero-width space', '\u200b'],
    ['combining accents alone', '\u0301'.repeat(16)],
    ['letters', 'W'.repeat(20)],
    ['a letter beside an emoji', 'a👍'],
  ])('skips a reaction with %s as malformed', (_what, emoji) => {
    const event = stream('reaction', { user_id: 'b', target: 1, emoji }, 7);
    expect(decodeChatEvent(event)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('keeps flags and joined emoji (ZWJ sequences) as one reaction', () => {
    for (const emoji of ['🇫🇷', '👩‍👩‍👧', '❤️', '❤', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '#️⃣', '👍🏽']) {
      expect(decoded(stream('reaction', { user_id: 'b', target: 1, emoji }, 7))).toMatchObject({
        emoji,
      });
    }
  });

  it('skips an edit without text', () => {
    const event = stream('message_edited', { user_id: 'b', target: 1, message: '  ' }, 7);
    expect(decodeChatEvent(event)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('reads an intent back from storage or another tab, refusing damaged ones', () => {
    expect(readIntent({ kind: 'reaction', target: 2, add: true })).toEqual({
      kind: 'reaction',
      target: 2,
      add: true,
    });
    expect(readIntent({ kind: 'edit', target: 2, extra: 1 })).toEqual({ kind: 'edit', target: 2 });
    for (const bad of [
      null,
      'edit',
      { kind: 'edit' },
      { kind: 'reaction', target: 1 },
      { kind: 'x', target: 1 },
    ]) {
      expect(readIntent(bad)).toBeNull();
    }
  });
});
