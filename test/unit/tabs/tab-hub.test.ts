import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OutgoingIntent } from '../../../src/lib/room/chat-events';
import type { RoomCursor } from '../../../src/lib/device/cursor-store';
import { Emitter } from '../../../src/lib/emitter';
import type { OutgoingMessage } from '../../../src/lib/room/outbox';
import type { Attention } from '../../../src/lib/synap/poll-transport';
import type { FeedState } from '../../../src/lib/feed/room-feed';
import type { Goodbye, RoomLink, RoomLinkEvents } from '../../../src/lib/room/room-link';
import type { ConsumeResult, RoomStats, StreamEvent } from '../../../src/lib/synap/rest';
import {
  HANDSHAKE_TIMEOUT_MS,
  TAB_CHECK_MS,
  TabHub,
  type ChannelConstructor,
  type HostOptions,
  type LocksLike,
} from '../../../src/lib/tabs/tab-hub';
import { waitFor } from '../helpers';

/** Web Locks for tabs of one browser: one holder per name, the rest wait in line. */
class FakeLocks implements LocksLike {
  readonly #held = new Set<string>();
  readonly #queues = new Map<string, (() => void)[]>();
  request(name: string, callback: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      const run = () => {
        this.#held.add(name);
        callback()
          .then(resolve, reject)
          .finally(() => {
            this.#held.delete(name);
            this.#queues.get(name)?.shift()?.();
          });
      };
      if (this.#held.has(name)) {
        const queue = this.#queues.get(name) ?? [];
        queue.push(run);
        this.#queues.set(name, queue);
      } else run();
    });
  }
  query(): Promise<{ held: { name: string }[] }> {
    return Promise.resolve({ held: [...this.#held].map((name) => ({ name })) });
  }
}

const STATS = {} as RoomStats;

/** The room's connection as the leader would run it, driven by the test. */
class HostLink extends Emitter<RoomLinkEvents> implements RoomLink {
  state: FeedState = { kind: 'idle' };
  nextOffset: number | null = null;
  outgoing: readonly OutgoingMessage[] = [];
  started = false;
  stops: Goodbye[] = [];
  left = false;
  sent: string[] = [];
  intents: (OutgoingIntent | null)[] = [];
  attention: Attention | null = null;
  constructor(
    readonly options: HostOptions,
    readonly stream = 'chat-room',
  ) {
    super();
  }
  start(): void {
    this.started = true;
  }
  stop(goodbye: Goodbye): Promise<void> {
    this.stops.push(goodbye);
    return Promise.resolve();
  }
  leave(): Promise<void> {
    this.left = true;
    return this.stop('await');
  }
  setAttention(attention: Attention): void {
    this.attention = attention;
  }
  retryNow(): void {}
  consume(fromOffset: number): Promise<ConsumeResult> {
    return Promise.resolve({
      events: [event(fromOffset, this.stream)],
      nextOffset: fromOffset + 1,
      malformed: 0,
    });
  }
  noteActivity(): void {}
  send(text: string, clientId = 'x', intent: OutgoingIntent | null = null): void {
    this.sent.push(text);
    this.intents.push(intent);
    const item: OutgoingMessage = {
      clientId,
      text,
      createdAtMs: 1,
      status: 'pending',
      ...(intent ? { intent } : {}),
    };
    this.outgoing = [...this.outgoing, item];
    this.emit('outbox', this.outgoing);
  }
  retry(): void {}
  discard(): void {}
  confirm(): boolean {
    return false;
  }
  setTyping(): void {}
  noteRead(): void {}
  /** The feed opens the room at `offset` and goes live. */
  open(offset: number, generation = 1): void {
    this.nextOffset = offset;
    this.emit('ready', { startOffset: offset, earliestOffset: 0, generation, stats: STATS });
    const oldState = this.state;
    this.state = { kind: 'live', transport: 'websocket', reason: null };
    this.emit('state', { oldState, newState: this.state });
  }
  deliver(offset: number): void {
    this.nextOffset = offset + 1;
    this.emit('event', { event: event(offset), live: true });
  }
}

function event(offset: number, stream = 'chat-room'): StreamEvent {
  return {
    offset,
    event: 'message',
    data: { user_id: 'bob', message: `${stream}: m${offset}` },
    timestamp: 1,
  };
}

/**
 * A channel that carries nothing, as a browser may give a page opened from disk (an opaque
 * origin): what is posted never comes out anywhere.
 */
class DeafChannel {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  postMessage(): void {}
  close(): void {}
}

/** One browser: tabs sharing locks and a channel name. */
function browser(
  locks: LocksLike | null = new FakeLocks(),
  Channel: ChannelConstructor = BroadcastChannel as unknown as ChannelConstructor,
) {
  const hosts: HostLink[] = [];
  const hubs: TabHub[] = [];
  const tab = () => {
    const hub = new TabHub({
      scope,
      locks,
      BroadcastChannel: Channel,
      host: (stream, options) => {
        const host = new HostLink(options, stream);
        hosts.push(host);
        return host;
      },
    });
    hubs.push(hub);
    return hub;
  };
  return { hosts, hubs, tab };
}

let scope = '';
let opened: TabHub[] = [];
afterEach(() => {
  for (const hub of opened) hub.stop();
  opened = [];
});

/** A tab's room: its link started, with what it received. */
function joinRoom(hub: TabHub, stream = 'chat-room') {
  opened.push(hub);
  const link = hub.link(stream);
  const offsets: number[] = [];
  const readys: number[] = [];
  link.on('event', ({ event: e }) => offsets.push(e.offset));
  link.on('ready', ({ startOffset }) => readys.push(startOffset));
  link.start();
  return { link, offsets, readys };
}

function newScope() {
  scope = `scope-${Date.now()}-${Math.random()}`;
}

describe('TabHub', () => {
  it('runs one connection per room for three tabs, and every tab gets each event once', async () => {
    newScope();
    const { hosts, tab } = browser();
    const tabs = [tab(), tab(), tab()].map((hub) => joinRoom(hub));
    await waitFor(() => hosts.length === 1, 'host');
    const host = hosts[0]!;
    await new Promise((resolve) => setTimeout(resolve, 20));
    host.open(10);
    host.deliver(10);
    host.deliver(11);
    await waitFor(() => tabs.every((t) => t.offsets.length === 2), 'events in every tab');
    expect(hosts).toHaveLength(1);
    for (const t of tabs) {
      expect(t.offsets).toEqual([10, 11]);
      expect(t.link.state.kind).toBe('live');
    }
  });

  it('publishes a message sent from any tab once, and shows it pending in every tab', async () => {
    newScope();
    const { hosts, tab } = browser();
    const tabs = [tab(), tab()].map((hub) => joinRoom(hub));
    await waitFor(() => hosts.length === 1, 'host');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const follower = tabs.find((t) => !opened[tabs.indexOf(t)]!.isLeader)!;
    follower.link.send('hello');
    await waitFor(() => tabs.every((t) => t.link.outgoing.length === 1), 'pending everywhere');
    expect(hosts[0]!.sent).toEqual(['hello']);
  });

  it('passes a reply, edit, delete or reaction sent from a follower tab on as what it is', async () => {
    newScope();
    const { hosts, tab } = browser();
    const tabs = [tab(), tab()].map((hub) => joinRoom(hub));
    await waitFor(() => hosts.length === 1, 'host');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const follower = tabs.find((t) => !opened[tabs.indexOf(t)]!.isLeader)!;
    follower.link.send('👍', 'c1', { kind: 'reaction', target: 4, add: true });
    follower.link.send('new text', 'c2', { kind: 'edit', target: 4 });
    await waitFor(() => hosts[0]!.sent.length === 2, 'both published');
    expect(hosts[0]!.intents).toEqual([
      { kind: 'reaction', target: 4, add: true },
      { kind: 'edit', target: 4 },
    ]);
    await waitFor(() => tabs.every((t) => t.link.outgoing.length === 2), 'pending everywhere');
    expect(follower.link.outgoing[0]?.intent).toEqual({ kind: 'reaction', target: 4, add: true });
  });

  it('hands over when the leader tab closes: no goodbye, no gap, no duplicate', async () => {
    newScope();
    const { hosts, tab } = browser();
    const first = joinRoom(tab());
    await waitFor(() => hosts.length === 1, 'first host');
    const second = joinRoom(tab());
    await new Promise((resolve) => setTimeout(resolve, 20));
    hosts[0]!.open(0);
    hosts[0]!.deliver(0);
    hosts[0]!.deliver(1);
    await waitFor(() => second.offsets.length === 2, 'second tab caught up');
    const leader = opened.find((hub) => hub.isLeader)!;
    leader.stop();
    await waitFor(() => hosts.length === 2, 'a new leader hosts the room');
    const next = hosts[1]!;
    expect(hosts[0]!.stops).toEqual(['none']);
    // Resumes from where the surviving tab stood, without saying "joined" again.
    expect(next.options.cursor).toEqual({ generation: 1, nextOffset: 2 });
    expect(next.options.announce).toBe(false);
    next.open(2);
    next.deliver(2);
    const survivor = leader === opened[0] ? second : first;
    await waitFor(() => survivor.offsets.length === 3, 'events after the handover');
    expect(survivor.offsets).toEqual([0, 1, 2]);
  });

  it('says goodbye only when the last tab holding the room lets go', async () => {
    newScope();
    const { hosts, tab } = browser();
    const a = joinRoom(tab());
    const b = joinRoom(tab());
    await waitFor(() => hosts.length === 1, 'host');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const leaderIsA = opened[0]!.isLeader;
    const follower = leaderIsA ? b : a;
    const leader = leaderIsA ? a : b;
    await follower.link.stop('keepalive');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hosts[0]!.stops).toEqual([]);
    await leader.link.stop('keepalive');
    expect(hosts[0]!.stops).toEqual(['keepalive']);
  });

  it('answers history reads of any tab through the leader', async () => {
    newScope();
    const { hosts, tab } = browser();
    const tabs = [tab(), tab()].map((hub) => joinRoom(hub));
    await waitFor(() => hosts.length === 1, 'host');
    const pages = await Promise.all(tabs.map((t) => t.link.consume(5, 10)));
    for (const page of pages) expect(page.events.map((e) => e.offset)).toEqual([5]);
  });

  it('answers each room its own history pages when two rooms of one tab ask at once', async () => {
    newScope();
    const { hosts, tab } = browser();
    joinRoom(tab(), 'chat-room-general');
    await waitFor(() => hosts.length === 1, 'the first tab leads');
    // A follower tab holds two rooms; each link numbers its own requests, so both ask with id 1.
    const follower = tab();
    const general = joinRoom(follower, 'chat-room-general');
    const second = joinRoom(follower, 'chat-room-second');
    const [fromGeneral, fromSecond] = await Promise.all([
      general.link.consume(3, 10),
      second.link.consume(3, 10),
    ]);
    expect(fromGeneral.events.map((e) => e.data)).toEqual([
      { user_id: 'bob', message: 'chat-room-general: m3' },
    ]);
    expect(fromSecond.events.map((e) => e.data)).toEqual([
      { user_id: 'bob', message: 'chat-room-second: m3' },
    ]);
  });

  it('resumes a room in the newest generation any tab saw, never at an older, higher offset', async () => {
    newScope();
    const { hosts, tab } = browser();
    const leader = tab();
    opened.push(leader);
    await waitFor(() => leader.isLeader, 'the tab leads');
    // Two tabs report where they stand: one saw the wipe (generation 2, offset 3), the other
    // still counts in generation 1, where the room had reached offset 40.
    const tabs = new BroadcastChannel(`synap-chat:tabs:${scope}`);
    tabs.postMessage([
      { t: 'seen', tab: 'x', stream: 'chat-room', cursor: { generation: 2, nextOffset: 3 } },
      { t: 'seen', tab: 'y', stream: 'chat-room', cursor: { generation: 1, nextOffset: 40 } },
    ]);
    tabs.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    joinRoom(leader);
    await waitFor(() => hosts.length === 1, 'the room is hosted');
    expect(hosts[0]!.options.cursor).toEqual({ generation: 2, nextOffset: 3 });
  });

  it('tells the other tabs where this one read to', async () => {
    newScope();
    const { tab } = browser();
    const a = joinRoom(tab());
    const b = joinRoom(tab());
    const reads: RoomCursor[] = [];
    b.link.on('read', (marker) => reads.push(marker));
    a.link.noteRead({ generation: 1, nextOffset: 7 });
    await waitFor(() => reads.length === 1, 'read marker');
    expect(reads[0]).toEqual({ generation: 1, nextOffset: 7 });
  });

  it('lets each tab run its own rooms where Web Locks are missing', async () => {
    newScope();
    const { hosts, tab } = browser(null);
    const tabs = [tab(), tab()].map((hub) => joinRoom(hub));
    expect(hosts).toHaveLength(2);
    expect(hosts.every((host) => host.started && host.options.announce)).toBe(true);
    expect(opened.every((hub) => hub.role === 'solo')).toBe(true);
    expect(tabs).toHaveLength(2);
  });
});

/**
 * Web Locks whose answer to query() describes the moment it was asked but arrives only when the
 * test lets it: a leader tab busy for seconds (a burst of events) reads the answer late.
 */
class SlowQueryLocks extends FakeLocks {
  readonly #answers: (() => void)[] = [];
  get asked(): number {
    return this.#answers.length;
  }
  override query(): Promise<{ held: { name: string }[] }> {
    const snapshot = super.query();
    return new Promise((resolve) => this.#answers.push(() => void snapshot.then(resolve)));
  }
  answerAll(): void {
    for (const answer of this.#answers.splice(0)) answer();
  }
}

/** Web Locks that grant a tab's own lock only when the test says (a page still loading). */
class LateTabLocks extends FakeLocks {
  late = false;
  readonly #waiting: (() => void)[] = [];
  override request(name: string, callback: () => Promise<void>): Promise<void> {
    if (!this.late || !name.startsWith('synap-chat:tab:')) return super.request(name, callback);
    return new Promise((resolve, reject) => {
      this.#waiting.push(() => void super.request(name, callback).then(resolve, reject));
    });
  }
  grantLate(): void {
    for (const grant of this.#waiting.splice(0)) grant();
  }
}

describe('TabHub crash check', () => {
  it("keeps relaying to a tab that joined while the leader's lock check was on its way (a reloaded tab)", async () => {
    newScope();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const locks = new SlowQueryLocks();
      const { hosts, tab } = browser(locks);
      joinRoom(tab());
      await waitFor(() => hosts.length === 1, 'the first tab leads and hosts the room');
      hosts[0]!.open(0);
      // The leader asks which tabs still hold their lock; the answer is taken now, read later.
      vi.advanceTimersByTime(TAB_CHECK_MS);
      expect(locks.asked).toBe(1);
      // Meanwhile a tab opens (a reload): it holds its lock and joins the room.
      const reloaded = joinRoom(tab());
      await waitFor(() => reloaded.readys.length === 1, 'the reloaded tab is in the room');
      locks.answerAll();
      await new Promise((resolve) => setTimeout(resolve, 20));
      hosts[0]!.deliver(0);
      await waitFor(() => reloaded.offsets.length === 1, 'the event in the reloaded tab');
      expect(reloaded.offsets).toEqual([0]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps relaying to a tab whose lock the browser lists only a while after it joined', async () => {
    newScope();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const locks = new LateTabLocks();
      const { hosts, tab } = browser(locks);
      joinRoom(tab());
      await waitFor(() => hosts.length === 1, 'the first tab leads and hosts the room');
      hosts[0]!.open(0);
      locks.late = true;
      const reloaded = joinRoom(tab());
      await waitFor(() => reloaded.readys.length === 1, 'the reloaded tab is in the room');
      // Checked while its lock is not listed yet: it is still there.
      vi.advanceTimersByTime(TAB_CHECK_MS);
      await new Promise((resolve) => setTimeout(resolve, 20));
      hosts[0]!.deliver(0);
      await waitFor(() => reloaded.offsets.length === 1, 'the event in the reloaded tab');
      // Its lock shows up: later checks find it held.
      locks.grantLate();
      for (let check = 0; check < 2; check += 1) {
        vi.advanceTimersByTime(TAB_CHECK_MS);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      hosts[0]!.deliver(1);
      await waitFor(() => reloaded.offsets.length === 2, 'events go on');
      expect(reloaded.offsets).toEqual([0, 1]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('lets go of a tab that is gone without a word (its lock is free)', async () => {
    newScope();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const locks = new SlowQueryLocks();
      const { hosts, tab } = browser(locks);
      joinRoom(tab());
      await waitFor(() => hosts.length === 1, 'the first tab leads and hosts the room');
      // A tab that joined the room, then crashed: nothing said, its lock freed by the browser.
      const ghost = new BroadcastChannel(`synap-chat:tabs:${scope}`);
      ghost.postMessage([
        {
          t: 'join',
          tab: 'ghost',
          stream: 'chat-room',
          attention: 'foreground',
          createFirst: false,
        },
      ]);
      ghost.close();
      await waitFor(() => hosts[0]!.attention === 'foreground', 'the ghost joined');
      // It spoke since the last check: spared once, then judged by its lock.
      for (let check = 0; check < 2; check += 1) {
        vi.advanceTimersByTime(TAB_CHECK_MS);
        locks.answerAll();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await waitFor(() => hosts[0]!.attention === 'background', 'the ghost is let go');
      expect(hosts[0]!.stops).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('TabHub handshake', () => {
  it('shares one connection once its handshake comes back over the channel', async () => {
    newScope();
    const { hosts, tab } = browser();
    const tabs = [tab(), tab()].map((hub) => joinRoom(hub));
    await waitFor(() => opened.some((hub) => hub.isLeader), 'a leader');
    await waitFor(() => hosts.length === 1 && hosts[0]!.started, 'one host');
    hosts[0]!.open(3);
    hosts[0]!.deliver(3);
    await waitFor(() => tabs.every((t) => t.offsets.length === 1), 'the event in both tabs');
    expect(hosts).toHaveLength(1);
    expect(opened.filter((hub) => hub.isLeader)).toHaveLength(1);
    expect(opened.some((hub) => hub.role === 'solo')).toBe(false);
  });

  it('runs each tab alone when its handshake never comes back (a channel that carries nothing)', async () => {
    newScope();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { hosts, tab } = browser(new FakeLocks(), DeafChannel);
      const tabs = [tab(), tab()].map((hub) => joinRoom(hub));
      // Nobody stands for leader before the channel is proven: no tab waits on a deaf leader.
      await Promise.resolve();
      expect(opened.every((hub) => hub.role === 'electing')).toBe(true);
      expect(hosts).toHaveLength(0);
      vi.advanceTimersByTime(HANDSHAKE_TIMEOUT_MS);
      expect(opened.every((hub) => hub.role === 'solo')).toBe(true);
      // Each tab runs the room itself, says "joined" itself, and gets its events.
      expect(hosts).toHaveLength(2);
      expect(hosts.every((host) => host.started && host.options.announce)).toBe(true);
      hosts[0]!.open(0);
      hosts[0]!.deliver(0);
      hosts[1]!.open(0);
      hosts[1]!.deliver(0);
      expect(tabs.map((t) => t.offsets)).toEqual([[0], [0]]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('TabHub without a lock of its own', () => {
  it('runs alone when its own lock is refused, and never leads afterwards', async () => {
    newScope();
    class RefusingLocks extends FakeLocks {
      override request(name: string, callback: () => Promise<void>): Promise<void> {
        if (name.startsWith('synap-chat:tab:')) return Promise.reject(new Error('refused'));
        return super.request(name, callback);
      }
    }
    const { hosts, tab } = browser(new RefusingLocks());
    const hub = tab();
    const { offsets } = joinRoom(hub);
    await waitFor(() => hub.role === 'solo', 'the tab runs alone');
    expect(hosts).toHaveLength(1);
    hosts[0]!.open(0);
    hosts[0]!.deliver(0);
    expect(offsets).toEqual([0]);
    // The handshake comes back meanwhile: still alone, no second connection.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hub.role).toBe('solo');
    expect(hosts).toHaveLength(1);
  });
});

describe('TabHub with a stranger on the channel', () => {
  it('skips malformed messages and keeps relaying', async () => {
    newScope();
    const { hosts, tab } = browser();
    const a = joinRoom(tab());
    const b = joinRoom(tab());
    await waitFor(() => hosts.length === 1, 'host');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const stranger = new BroadcastChannel(`synap-chat:tabs:${scope}`);
    stranger.postMessage([
      { t: 'feed', stream: 'chat-room', name: 'event', payload: null },
      { t: 'snapshot' },
      'junk',
    ]);
    stranger.postMessage({ not: 'a batch' });
    stranger.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    hosts[0]!.open(0);
    hosts[0]!.deliver(0);
    await waitFor(() => a.offsets.length === 1 && b.offsets.length === 1, 'still relaying');
    expect([a.offsets, b.offsets]).toEqual([[0], [0]]);
  });
});
