import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../src/lib/timeline/entries';
import {
  MAX_ANNOTATED_TARGETS,
  MAX_EMOJI_PER_MESSAGE,
  MessageFold,
  type Annotation,
} from '../../../src/lib/room/message-fold';
import type { OutgoingMessage } from '../../../src/lib/room/outbox';
import { TimelineModel } from '../../../src/lib/timeline/timeline-model';
import { readTail, tailOf } from '../../../src/lib/timeline/timeline-tail';

function message(
  offset: number,
  overrides: Partial<ChatMessage> = {},
): ChatMessage & { offset: number } {
  return {
    type: 'message',
    key: `o${offset}`,
    userId: 'bob',
    text: `m${offset}`,
    sentAtMs: 1_000 * offset,
    own: false,
    status: 'confirmed',
    ...overrides,
    offset,
  };
}

const edit = (offset: number, target: number, text: string, userId = 'bob'): Annotation => ({
  kind: 'edit',
  offset,
  target,
  userId,
  text,
  sentAtMs: offset * 1_000,
});
const remove = (offset: number, target: number, userId = 'bob'): Annotation => ({
  kind: 'delete',
  offset,
  target,
  userId,
  sentAtMs: offset * 1_000,
});
const react = (offset: number, target: number, userId: string, emoji = '👍', add = true) =>
  ({ kind: 'reaction', offset, target, userId, emoji, add }) as Annotation;

function setup(userId = 'me') {
  const model = new TimelineModel();
  const fold = new MessageFold(model, userId);
  const shown = (offset: number) => model.get(offset) as ChatMessage;
  return { model, fold, shown };
}

function pending(
  clientId: string,
  text: string,
  intent: OutgoingMessage['intent'],
): OutgoingMessage {
  return { clientId, text, createdAtMs: 9_000, status: 'pending', ...(intent ? { intent } : {}) };
}

describe('MessageFold', () => {
  it("shows the author's edit with the first text kept, as a new object so the row updates", () => {
    const { fold, shown } = setup();
    fold.addMessage(message(1, { text: 'helo' }));
    const before = shown(1);
    fold.annotate(edit(2, 1, 'hello'));
    expect(shown(1)).not.toBe(before);
    expect(shown(1)).toMatchObject({
      text: 'hello',
      edited: { originalText: 'helo', atMs: 2_000 },
    });
  });

  it("ignores an edit or delete under another name than the author's", () => {
    const { fold, shown } = setup();
    fold.addMessage(message(1, { text: 'mine' }));
    fold.annotate(edit(2, 1, 'forged', 'mallory'));
    fold.annotate(remove(3, 1, 'mallory'));
    expect(shown(1).text).toBe('mine');
    expect(shown(1).edited).toBeUndefined();
    expect(shown(1).deleted).toBeUndefined();
  });

  it('applies an edit read before its target once the target is loaded (history newest first)', () => {
    const { fold, shown } = setup();
    fold.annotate(edit(50, 10, 'fixed'));
    fold.annotate(react(51, 10, 'carol'));
    fold.addMessage(message(10, { text: 'broken' }));
    expect(shown(10)).toMatchObject({ text: 'fixed', edited: { originalText: 'broken' } });
    expect(shown(10).reactions).toEqual([{ emoji: '👍', users: ['carol'], mine: false }]);
  });

  it('keeps the newest edit whatever order the edits arrive in', () => {
    const { fold, shown } = setup();
    fold.addMessage(message(1, { text: 'v1' }));
    fold.annotate(edit(5, 1, 'v3'));
    fold.annotate(edit(3, 1, 'v2'));
    expect(shown(1).text).toBe('v3');
    expect(shown(1).edited?.originalText).toBe('v1');
  });

  it('makes a delete final: the text goes, later edits and reactions do not bring it back', () => {
    const { fold, shown } = setup();
    fold.addMessage(message(1, { text: 'oops' }));
    fold.annotate(react(2, 1, 'carol'));
    fold.annotate(remove(3, 1));
    fold.annotate(edit(4, 1, 'back again'));
    expect(shown(1)).toMatchObject({ text: '', deleted: { atMs: 3_000 } });
    expect(shown(1).reactions).toBeUndefined();
    expect(shown(1).edited).toBeUndefined();
  });

  it('counts reactions per emoji with who reacted, the newest event of each user winning', () => {
    const { fold, shown } = setup();
    fold.addMessage(message(1));
    fold.annotate(react(2, 1, 'carol'));
    fold.annotate(react(3, 1, 'me'));
    fold.annotate(react(4, 1, 'dave', '🎉'));
    fold.annotate(react(6, 1, 'carol', '👍', false));
    // Out of order: an older "add" does not undo the newer take-back.
    fold.annotate(react(5, 1, 'carol', '👍', true));
    expect(shown(1).reactions).toEqual([
      { emoji: '👍', users: ['me'], mine: true },
      { emoji: '🎉', users: ['dave'], mine: false },
    ]);
  });

  it('counts an emoji with and without the emoji-style selector as one reaction, spelt as first seen', () => {
    const { fold, shown } = setup('me');
    fold.addMessage(message(1));
    fold.annotate(react(2, 1, 'carol', '❤️'));
    fold.annotate(react(3, 1, 'dave', '❤'));
    fold.setPending([pending('c1', '❤', { kind: 'reaction', target: 1, add: true })]);
    expect(shown(1).reactions).toEqual([
      { emoji: '❤️', users: ['carol', 'dave', 'me'], mine: true },
    ]);
  });

  it('drops an emoji nobody reacts with any more', () => {
    const { fold, shown } = setup();
    fold.addMessage(message(1));
    fold.annotate(react(2, 1, 'carol'));
    fold.annotate(react(3, 1, 'carol', '👍', false));
    expect(shown(1).reactions).toBeUndefined();
  });

  it('counts an annotation read twice (live, then again in history) once', () => {
    const { fold, shown } = setup();
    fold.addMessage(message(1));
    fold.annotate(react(2, 1, 'carol'));
    fold.annotate(react(3, 1, 'carol', '👍', false));
    fold.annotate(react(2, 1, 'carol'));
    expect(shown(1).reactions).toBeUndefined();
  });

  it('shows a flood of different emoji up to a limit', () => {
    const { fold, shown } = setup();
    fold.addMessage(message(1));
    for (let i = 0; i < MAX_EMOJI_PER_MESSAGE + 10; i += 1) {
      fold.annotate(react(2 + i, 1, 'mallory', String.fromCodePoint(0x1f600 + i)));
    }
    expect(shown(1).reactions).toHaveLength(MAX_EMOJI_PER_MESSAGE);
  });

  it('forgets what targets messages the server no longer holds', () => {
    const { fold, shown } = setup();
    fold.annotate(edit(50, 3, 'gone anyway'));
    fold.setEarliest(10);
    fold.annotate(edit(51, 4, 'also gone'));
    // Were they kept, a message at those offsets (after a reset, say) would show them.
    fold.setEarliest(0);
    fold.addMessage(message(3, { text: 'three' }));
    fold.addMessage(message(4, { text: 'four' }));
    expect([shown(3).text, shown(4).text]).toEqual(['three', 'four']);
  });

  it('remembers a bounded number of targets, dropping the oldest', () => {
    const { fold, shown } = setup();
    for (let target = 0; target <= MAX_ANNOTATED_TARGETS; target += 1) {
      fold.annotate(react(1_000_000 + target, target, 'carol'));
    }
    fold.addMessage(message(0));
    fold.addMessage(message(MAX_ANNOTATED_TARGETS));
    expect(shown(0).reactions).toBeUndefined();
    expect(shown(MAX_ANNOTATED_TARGETS).reactions).toHaveLength(1);
  });

  describe('replies', () => {
    it('quotes the answered message as it stands, following its edits and delete', () => {
      const { fold, shown } = setup();
      fold.addMessage(message(1, { text: 'question', userId: 'alice' }));
      fold.addMessage(message(2, { text: 'answer', replyTo: { offset: 1, state: 'unloaded' } }));
      expect(shown(2).replyTo).toEqual({
        offset: 1,
        state: 'shown',
        userId: 'alice',
        own: false,
        text: 'question',
      });
      fold.annotate(edit(3, 1, 'better question', 'alice'));
      expect(shown(2).replyTo?.text).toBe('better question');
      fold.annotate(remove(4, 1, 'alice'));
      expect(shown(2).replyTo).toEqual({ offset: 1, state: 'deleted', userId: 'alice' });
    });

    it('says the answered message is further back until it is loaded, then quotes it', () => {
      const { fold, shown } = setup();
      fold.setEarliest(5);
      fold.addMessage(message(40, { replyTo: { offset: 20, state: 'shown' } }));
      expect(shown(40).replyTo).toEqual({ offset: 20, state: 'unloaded' });
      fold.addMessage(message(20, { text: 'earlier', userId: 'alice' }));
      expect(shown(40).replyTo).toMatchObject({ state: 'shown', text: 'earlier' });
    });

    it('says an answered message lost to retention, or not a message, is no longer available', () => {
      const { model, fold, shown } = setup();
      fold.setEarliest(10);
      fold.addMessage(message(40, { replyTo: { offset: 3, state: 'unloaded' } }));
      model.addSystem({
        type: 'system',
        key: 'o12',
        offset: 12,
        kind: 'joined',
        userId: 'x',
        atMs: 1,
      });
      fold.addMessage(message(41, { replyTo: { offset: 12, state: 'unloaded' } }));
      expect(shown(40).replyTo).toEqual({ offset: 3, state: 'lost' });
      expect(shown(41).replyTo).toEqual({ offset: 12, state: 'lost' });
    });
  });

  describe("the user's own changes on their way", () => {
    it('shows an own edit, delete and reaction at once, with their state, until stored', () => {
      const { fold, shown } = setup('me');
      fold.addMessage(message(1, { userId: 'me', text: 'typo', own: true }));
      fold.addMessage(message(2, { userId: 'me', text: 'regret', own: true }));
      fold.addMessage(message(3));
      fold.setPending([
        pending('c1', 'fixed', { kind: 'edit', target: 1 }),
        pending('c2', '', { kind: 'delete', target: 2 }),
        {
          ...pending('c3', '❤️', { kind: 'reaction', target: 3, add: true }),
          status: 'failed',
          error: 'offline',
        },
      ]);
      expect(shown(1)).toMatchObject({
        text: 'fixed',
        edited: { originalText: 'typo' },
        change: { clientId: 'c1', status: 'pending', kind: 'edit' },
      });
      expect(shown(2)).toMatchObject({ text: '', deleted: {} });
      expect(shown(3).reactions).toEqual([{ emoji: '❤️', users: ['me'], mine: true }]);
      expect(shown(3).change).toEqual({
        clientId: 'c3',
        status: 'failed',
        kind: 'reaction',
        error: 'offline',
      });
      // Stored: the event takes over; discarded: the message is as it was.
      fold.annotate(edit(10, 1, 'fixed', 'me'));
      fold.setPending([]);
      expect(shown(1)).toMatchObject({ text: 'fixed', edited: { originalText: 'typo' } });
      expect(shown(1).change).toBeUndefined();
      expect(shown(2).deleted).toBeUndefined();
      expect(shown(3).reactions).toBeUndefined();
    });

    it('takes back an own reaction at once', () => {
      const { fold, shown } = setup('me');
      fold.addMessage(message(1));
      fold.annotate(react(2, 1, 'me'));
      fold.annotate(react(3, 1, 'carol'));
      fold.setPending([pending('c1', '👍', { kind: 'reaction', target: 1, add: false })]);
      expect(shown(1).reactions).toEqual([{ emoji: '👍', users: ['carol'], mine: false }]);
    });

    it("never applies an own edit to someone else's message", () => {
      const { fold, shown } = setup('me');
      fold.addMessage(message(1, { userId: 'bob', text: 'his' }));
      fold.setPending([pending('c1', 'mine now', { kind: 'edit', target: 1 })]);
      expect(shown(1).text).toBe('his');
    });
  });

  it('brings back a cached message with its edit, delete and reactions, newer events winning', () => {
    const first = setup('me');
    first.fold.addMessage(message(1, { text: 'v1' }));
    first.fold.addMessage(message(2));
    first.fold.addMessage(message(3, { userId: 'carol' }));
    first.fold.annotate(edit(4, 1, 'v2'));
    first.fold.annotate(react(5, 2, 'me'));
    first.fold.annotate(react(6, 2, 'carol', '🎉'));
    first.fold.annotate(remove(7, 3, 'carol'));
    const tail = readTail(JSON.parse(JSON.stringify(tailOf(1, first.model.entries))));

    const second = setup('me');
    for (const entry of tail?.entries ?? []) {
      if (entry.type === 'message')
        second.fold.addMessage(entry as ChatMessage & { offset: number });
    }
    expect(second.shown(1)).toMatchObject({ text: 'v2', edited: { originalText: 'v1' } });
    expect(second.shown(2).reactions).toEqual([
      { emoji: '👍', users: ['me'], mine: true },
      { emoji: '🎉', users: ['carol'], mine: false },
    ]);
    expect(second.shown(3)).toMatchObject({ text: '', deleted: {} });
    // The same events read again change nothing; a newer one wins.
    second.fold.annotate(edit(4, 1, 'v2'));
    second.fold.annotate(react(8, 2, 'me', '👍', false));
    expect(second.shown(1).text).toBe('v2');
    expect(second.shown(2).reactions).toEqual([{ emoji: '🎉', users: ['carol'], mine: false }]);
  });
});
