import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CursorStore } from '../../../src/lib/device/cursor-store';
import { Emitter } from '../../../src/lib/emitter';
import type { OutgoingMessage } from '../../../src/lib/room/outbox';
import type { FeedState } from '../../../src/lib/feed/room-feed';
import type { RoomLink, RoomLinkEvents } from '../../../src/lib/room/room-link';
import { RoomSession, type RoomView } from '../../../src/lib/room/room-session';
import { SafeStorage } from '../../../src/lib/device/safe-storage';
import type { ConsumeResult, RoomStats, StreamEvent, SynapRest } from '../../../src/lib/synap/rest';
import { MapStorage } from '../helpers';

const SERVER = 'http://synap.test';
const STREAM = 'chat-lobby';
const ME = 'alice';

/** A link driven by the test: it emits what a feed would and records the commands. */
class FakeLink extends Emitter<RoomLinkEvents> implements RoomLink {
  state: FeedState = { kind: 'idle' };
  nextOffset: number | null = null;
  outgoing: readonly OutgoingMessage[] = [];
  events: StreamEvent[] = [];
  sent: string[] = [];
  confirmed: string[] = [];
  attention: string[] = [];
  activity = 0;
  stopped: string[] = [];
  forgotten = false;
  fire<K extends keyof RoomLinkEvents>(name: K, payload: RoomLinkEvents[K]): void {
    this.emit(name, payload);
  }
  start(): void {}
  stop(goodbye: 'none' | 'await' | 'keepalive'): Promise<void> {
    this.stopped.push(goodbye);
    return Promise.resolve();
  }
  leave(): Promise<void> {
    this.forgotten = true;
    return this.stop('await');
  }
  noteRead(): void {}
  setAttention(attention: 'foreground' | 'background' | 'hidden'): void {
    this.attention.push(attention);
  }
  retryNow(): void {}
  consume(fromOffset: number, limit: number): Promise<ConsumeResult> {
    const events = this.events.filter((e) => e.offset >= fromOffset).slice(0, limit);
    return Promise.resolve({
      events,
      nextOffset: (events.at(-1)?.offset ?? fromOffset - 1) + 1,
      malformed: 0,
    });
  }
  noteActivity(): void {
    this.activity += 1;
  }
  sentIntents: unknown[] = [];
  send(text: string, _clientId?: string, intent: unknown = null): void {
    this.sent.push(text);
    this.sentIntents.push(intent);
  }
  retry(): void {}
  discard(): void {}
  confirm(clientId: string): boolean {
    this.confirmed.push(clientId);
    return false;
  }
  setTyping(): void {}
}

/** An event of the given type with `fields` as its payload (next to user_id). */
function raw(offset: number, event: string, userId: string, fields: object): StreamEvent {
  return {
    offset,
    event,
    data: { user_id: userId, timestamp: 1_700_000_000 + offset, ...fields },
    timestamp: 1_700_000_000 + offset,
  } as StreamEvent;
}

function message(offset: number, userId: string, text: string, clientId?: string): StreamEvent {
  return {
    offset,
    event: 'message',
    data: {
      user_id: userId,
      message: text,
      timestamp: 1_700_000_000 + offset,
      ...(clientId ? { client_id: clientId } : {}),
    },
    timestamp: 1_700_000_000 + offset,
  } as StreamEvent;
}

const STATS = { message_count: 0, min_offset: 0, max_offset: 0 } as unknown as RoomStats;

function newStorage(): SafeStorage {
  const map = new MapStorage();
  return new SafeStorage(() => map);
}

function setup(storage = newStorage()) {
  const link = new FakeLink();
  const rest = { stats: () => Promise.resolve(STATS) } as unknown as SynapRest;
  const session = new RoomSession(link, {
    rest,
    serverUrl: SERVER,
    stream: STREAM,
    userId: ME,
    subscriberId: 'sub-1',
    readMarkers: new CursorStore(storage, 'synap-chat:read:'),
    storage,
  });
  const views: RoomView[] = [];
  session.onView((view) => views.push(view));
  return { link, session, views, storage };
}

/** The room opens at `startOffset` in generation 1, and its first read finishes. */
async function open(link: FakeLink, startOffset: number) {
  link.nextOffset = startOffset;
  link.fire('ready', { startOffset, earliestOffset: 0, generation: 1, stats: STATS });
  await vi.runAllTimersAsync();
}

function texts(view: RoomView): string[] {
  return view.timeline.flatMap((entry) => (entry.type === 'message' ? [entry.text] : []));
}

describe('RoomSession', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows the history read on open, then live events, each message once', async () => {
    const { link, session } = setup();
    link.events = [message(0, 'bob', 'one'), message(1, 'bob', 'two')];
    await open(link, 2);
    for (const event of [message(2, 'bob', 'three'), message(1, 'bob', 'two')]) {
      link.nextOffset = event.offset + 1;
      link.fire('event', { event, live: true });
    }
    await vi.runAllTimersAsync();
    expect(texts(session.view)).toEqual(['one', 'two', 'three']);
    expect(session.view.historyStatus).toEqual({ kind: 'ready' });
  });

  it('publishes a burst of live events as one view, not one per event', async () => {
    const { link, session, views } = setup();
    await open(link, 0);
    const before = views.length;
    for (let offset = 0; offset < 500; offset += 1) {
      link.nextOffset = offset + 1;
      link.fire('event', { event: message(offset, 'bob', `m${offset}`), live: true });
    }
    await vi.advanceTimersByTimeAsync(1_500);
    expect(texts(session.view)).toHaveLength(500);
    expect(views.length - before).toBe(1);
  });

  it('counts unread messages of others while the room is off screen, and clears them on view', async () => {
    const { link, session } = setup();
    await open(link, 0);
    link.nextOffset = 1;
    link.fire('event', { event: message(0, 'bob', 'hi'), live: true });
    link.nextOffset = 2;
    link.fire('event', { event: message(1, 'carol', 'hey'), live: true });
    await vi.runAllTimersAsync();
    expect(session.view.unread).toBe(2);
    session.setActive(true, true);
    expect(session.view.unread).toBe(0);
    expect(session.view.dividerOffset).toBe(0);
    expect(link.attention.at(-1)).toBe('foreground');
    // Esc: the divider goes, and does not come back while the room stays on screen.
    session.dismissDivider();
    expect(session.view.dividerOffset).toBeNull();
    link.nextOffset = 3;
    link.fire('event', { event: message(2, 'bob', 'more'), live: true });
    await vi.runAllTimersAsync();
    expect(session.view.dividerOffset).toBeNull();
  });

  it('keeps one row key for an own message from pending to confirmed', async () => {
    const { link, session } = setup();
    await open(link, 0);
    const pending: OutgoingMessage = {
      clientId: 'c-1',
      text: 'mine',
      createdAtMs: 1_700_000_000_000,
      status: 'pending',
    };
    link.outgoing = [pending];
    link.fire('outbox', [pending]);
    const pendingRow = session.view.timeline.at(-1);
    expect(pendingRow).toMatchObject({ key: 'cc-1', status: 'pending', own: true });
    link.fire('stored', { message: pending, offset: 0 });
    link.outgoing = [];
    link.fire('outbox', []);
    expect(session.view.timeline).toHaveLength(1);
    expect(session.view.timeline[0]).toMatchObject({ key: 'cc-1', status: 'confirmed', offset: 0 });
    // Its echo later is the same message: not shown twice.
    link.fire('event', { event: message(0, ME, 'mine', 'c-1'), live: true });
    await vi.runAllTimersAsync();
    expect(texts(session.view)).toEqual(['mine']);
  });

  it('does not take a message under the own name for the user’s without its client id', async () => {
    const { link, session } = setup();
    await open(link, 0);
    link.fire('event', { event: message(0, ME, 'impostor', 'someone-elses'), live: true });
    await vi.runAllTimersAsync();
    expect(session.view.timeline[0]).toMatchObject({ own: false });
  });

  it('counts malformed events and lost ones, and says so in one notice per loss run', async () => {
    const { link, session } = setup();
    await open(link, 0);
    link.fire('malformed', { count: 3 });
    link.fire('gap', { fromOffset: 0, toOffset: 5, lost: 5 });
    link.fire('gap', { fromOffset: 5, toOffset: 7, lost: 2 });
    await vi.runAllTimersAsync();
    expect(session.view.malformed).toBe(3);
    expect(session.view.notices).toHaveLength(1);
    expect(session.view.notices[0]?.text).toContain('7 events were dropped');
    session.dismissNotice(session.view.notices[0]!.id);
    expect(session.view.notices).toEqual([]);
  });

  it('empties the timeline when the server resets the room, and says why', async () => {
    const { link, session } = setup();
    link.events = [message(0, 'bob', 'old')];
    await open(link, 1);
    expect(texts(session.view)).toEqual(['old']);
    link.fire('reset', { oldGeneration: 1, newGeneration: 2 });
    expect(session.view.timeline).toEqual([]);
    expect(session.view.notices[0]?.kind).toBe('reset');
  });

  it('paints the cached tail of the last visit at once, and drops it when the room was recreated', async () => {
    const storage = newStorage();
    const first = setup(storage);
    first.link.events = [message(0, 'bob', 'cached')];
    await open(first.link, 1);
    await first.session.stop();

    const again = setup(storage);
    expect(texts(again.session.view)).toEqual(['cached']);
    again.link.fire('ready', { startOffset: 0, earliestOffset: 0, generation: 2, stats: STATS });
    expect(again.session.view.timeline).toEqual([]);
  });

  it('bridges the cached tail and a later start (a tab joining another tab’s connection) with no hole', async () => {
    const storage = newStorage();
    const first = setup(storage);
    first.link.events = [0, 1, 2].map((offset) => message(offset, 'bob', `m${offset}`));
    await open(first.link, 3);
    await first.session.stop();
    // Meanwhile another tab read on to 150: the shared read marker says so.
    new CursorStore(storage, 'synap-chat:read:').set(SERVER, STREAM, 'sub-1', {
      generation: 1,
      nextOffset: 150,
    });

    const again = setup(storage);
    expect(texts(again.session.view)).toEqual(['m0', 'm1', 'm2']);
    again.link.events = Array.from({ length: 150 }, (_, offset) =>
      message(offset, 'bob', `m${offset}`),
    );
    await open(again.link, 150);
    const shown = texts(again.session.view);
    expect(shown).toHaveLength(150);
    expect(shown.slice(0, 5)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('leaving forgets the read marker, the tail and the link’s cursor', async () => {
    const { link, session, storage } = setup();
    await open(link, 0);
    session.setActive(true, true);
    await session.leave();
    expect(link.stopped).toEqual(['await']);
    expect(link.forgotten).toBe(true);
    const markers = new CursorStore(storage, 'synap-chat:read:');
    expect(markers.get(SERVER, STREAM, 'sub-1')).toBeNull();
  });
});

describe('RoomSession news (for notifications)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function withNews() {
    const news: Array<{ offset: number; mention: boolean }> = [];
    const map = new MapStorage();
    const storage = new SafeStorage(() => map);
    const link = new FakeLink();
    const session = new RoomSession(link, {
      rest: { stats: () => Promise.resolve(STATS) } as unknown as SynapRest,
      serverUrl: SERVER,
      stream: STREAM,
      userId: ME,
      subscriberId: 'sub-1',
      readMarkers: new CursorStore(storage, 'synap-chat:read:'),
      storage,
      onNews: ({ offset, mention }) => news.push({ offset, mention }),
    });
    return { link, session, news };
  }

  it('tells of a burst once, after a moment, preferring a mention, and counts mentions apart', async () => {
    const { link, session, news } = withNews();
    await open(link, 0);
    const texts = ['hi', 'hey @alice look', 'more', 'even more'];
    texts.forEach((text, offset) => {
      link.nextOffset = offset + 1;
      link.fire('event', { event: message(offset, 'bob', text), live: true });
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(news).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(news).toEqual([{ offset: 1, mention: true }]);
    expect(session.view.mentions).toBe(1);
    expect(session.view.unread).toBe(4);
  });

  it('says nothing of what was read meanwhile (here or in another tab)', async () => {
    const { link, session, news } = withNews();
    await open(link, 0);
    link.nextOffset = 1;
    link.fire('event', { event: message(0, 'bob', 'hi @alice'), live: true });
    link.fire('read', { generation: 1, nextOffset: 1 });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(news).toEqual([]);
    expect(session.view.mentions).toBe(0);
  });

  describe('replies, edits, deletes and reactions', () => {
    const last = (views: RoomView[]) => views.at(-1) as RoomView;
    const at = (view: RoomView, offset: number) =>
      view.timeline.find((entry) => entry.offset === offset);

    it('folds them into the messages of history and live alike, out of order too', async () => {
      const { link, session, views } = setup();
      session.setActive(true, true);
      // History holds a message, an edit of it by its author, and one by someone else.
      link.events = [
        message(0, 'bob', 'helo'),
        raw(1, 'message_edited', 'bob', { target: 0, message: 'hello' }),
        raw(2, 'message_edited', 'mallory', { target: 0, message: 'forged' }),
        raw(3, 'message', 'carol', { message: 'hi bob', reply_to: 0 }),
      ];
      await open(link, 4);
      expect(at(last(views), 0)).toMatchObject({ text: 'hello', edited: { originalText: 'helo' } });
      expect(at(last(views), 3)).toMatchObject({
        replyTo: { offset: 0, state: 'shown', userId: 'bob', text: 'hello' },
      });
      link.fire('event', {
        event: raw(4, 'reaction', 'carol', { target: 0, emoji: '👍' }),
        live: true,
      });
      link.fire('event', { event: raw(5, 'message_deleted', 'bob', { target: 0 }), live: true });
      await vi.runAllTimersAsync();
      expect(at(last(views), 0)).toMatchObject({ text: '', deleted: {} });
      expect(at(last(views), 3)).toMatchObject({ replyTo: { state: 'deleted' } });
      expect(last(views).malformed).toBe(0);
    });

    it('sends replies, edits of own messages, deletes and reactions with what they are', async () => {
      const { link, session } = setup();
      link.events = [message(0, ME, 'mine', 'c-0'), message(1, 'bob', 'his')];
      await open(link, 2);
      session.reply('answer', 1);
      session.react(1, '🎉', true);
      expect(session.edit(1, 'not mine to change')).toBe(false);
      expect(session.edit(0, 'mine')).toBe(false);
      expect(session.edit(0, 'mine, better')).toBe(true);
      session.deleteMessage(0);
      expect(link.sentIntents).toEqual([
        { kind: 'reply', target: 1 },
        { kind: 'reaction', target: 1, add: true },
        { kind: 'edit', target: 0 },
        { kind: 'delete', target: 0 },
      ]);
    });

    it('shows an own reaction at once, and its echo settles it', async () => {
      const { link, views } = setup();
      link.events = [message(0, 'bob', 'his')];
      await open(link, 1);
      const item: OutgoingMessage = {
        clientId: 'c-9',
        text: '👍',
        createdAtMs: 1,
        status: 'pending',
        intent: { kind: 'reaction', target: 0, add: true },
      };
      link.outgoing = [item];
      link.fire('outbox', link.outgoing);
      expect(at(last(views), 0)).toMatchObject({
        reactions: [{ emoji: '👍', users: [ME], mine: true }],
        change: { clientId: 'c-9', status: 'pending' },
      });
      // No pending row for it: a reaction is not a message.
      expect(last(views).timeline).toHaveLength(1);
      link.fire('event', {
        event: raw(1, 'reaction', ME, { target: 0, emoji: '👍', client_id: 'c-9' }),
        live: true,
      });
      // The echo of what this device sent (its client id is known) confirms it.
      expect(link.confirmed).toEqual(['c-9']);
      link.outgoing = [];
      link.fire('outbox', link.outgoing);
      await vi.runAllTimersAsync();
      expect(at(last(views), 0)).toMatchObject({ reactions: [{ users: [ME] }] });
      expect(at(last(views), 0)?.type === 'message' && at(last(views), 0)).not.toHaveProperty(
        'change',
      );
    });

    it('reads history back to a quoted message far back, and says when one is gone', async () => {
      const { link, session, views } = setup();
      link.events = [message(0, 'bob', 'long ago')];
      for (let offset = 1; offset < 400; offset += 1)
        link.events.push(message(offset, 'carol', `m${offset}`));
      await open(link, 400);
      expect(at(last(views), 0)).toBeUndefined();
      await expect(session.reveal(0)).resolves.toBe(true);
      expect(at(last(views), 0)).toMatchObject({ text: 'long ago' });
      link.events = [];
      await expect(session.reveal(-5)).resolves.toBe(false);
      expect(last(views).notices.at(-1)?.text).toMatch(/no longer available/);
    });
  });
});
