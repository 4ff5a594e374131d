// Jumping to a message far back (a search result, a reply's quote): RoomSession.reveal reads
// the history back to it, page by page, with progress, and can be cancelled.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CursorStore } from '../../../src/lib/device/cursor-store';
import { Emitter } from '../../../src/lib/emitter';
import type { FeedState } from '../../../src/lib/feed/room-feed';
import type { RoomLink, RoomLinkEvents } from '../../../src/lib/room/room-link';
import { RoomSession, type RoomView } from '../../../src/lib/room/room-session';
import { SafeStorage } from '../../../src/lib/device/safe-storage';
import { TIMELINE_WINDOW_ENTRIES } from '../../../src/lib/timeline/timeline-model';
import {
  SynapError,
  type ConsumeResult,
  type RoomStats,
  type StreamEvent,
  type SynapRest,
} from '../../../src/lib/synap/rest';
import { MapStorage } from '../helpers';

const STATS = { message_count: 0, min_offset: 0, max_offset: 0 } as unknown as RoomStats;
const GONE = /no longer available/;

/** A room of messages `m0`…, read over `consume`; `gate` holds its answers while set. */
class RoomLog extends Emitter<RoomLinkEvents> implements RoomLink {
  state: FeedState = { kind: 'idle' };
  nextOffset: number | null = null;
  outgoing = [];
  events: StreamEvent[] = [];
  earliest = 0;
  gate: Promise<void> | null = null;
  reads: [number, number][] = [];
  fire<K extends keyof RoomLinkEvents>(name: K, payload: RoomLinkEvents[K]): void {
    this.emit(name, payload);
  }
  async consume(fromOffset: number, limit: number): Promise<ConsumeResult> {
    this.reads.push([fromOffset, limit]);
    if (this.gate) await this.gate;
    if (fromOffset < this.earliest) {
      const text = `Stream offset ${fromOffset} out of range; earliest retained offset is ${this.earliest}`;
      throw new SynapError('offset_out_of_range', text, 400, this.earliest);
    }
    const events = this.events
      .filter((event) => event.offset >= fromOffset && event.offset >= this.earliest)
      .slice(0, limit);
    return { events, nextOffset: (events.at(-1)?.offset ?? fromOffset - 1) + 1, malformed: 0 };
  }
  start(): void {}
  stop(): Promise<void> {
    return Promise.resolve();
  }
  leave(): Promise<void> {
    return Promise.resolve();
  }
  setAttention(): void {}
  retryNow(): void {}
  noteActivity(): void {}
  send(): void {}
  retry(): void {}
  discard(): void {}
  confirm(): boolean {
    return false;
  }
  setTyping(): void {}
  noteRead(): void {}
}

function message(offset: number): StreamEvent {
  const data = { user_id: 'bob', message: `m${offset}`, timestamp: 1_700_000_000 + offset };
  return { offset, event: 'message', data, timestamp: 1_700_000_000 + offset } as StreamEvent;
}

/** A room of `count` messages, opened at its end, on screen, its reader at the newest. */
async function openRoom(count: number) {
  const link = new RoomLog();
  link.events = Array.from({ length: count }, (_, offset) => message(offset));
  const map = new MapStorage();
  const storage = new SafeStorage(() => map);
  const session = new RoomSession(link, {
    rest: { stats: () => Promise.resolve(STATS) } as unknown as SynapRest,
    serverUrl: 'http://synap.test',
    stream: 'chat-lobby',
    userId: 'alice',
    subscriberId: 'sub-1',
    readMarkers: new CursorStore(storage, 'synap-chat:read:'),
    storage,
  });
  const views: RoomView[] = [];
  session.onView((view) => views.push(view));
  session.setActive(true, true);
  session.setFollowing(true);
  link.nextOffset = count;
  link.fire('ready', { startOffset: count, earliestOffset: 0, generation: 1, stats: STATS });
  await vi.runAllTimersAsync();
  link.reads = [];
  const view = () => views.at(-1) as RoomView;
  const shows = (offset: number) =>
    view().timeline.some((entry) => entry.type === 'message' && entry.offset === offset);
  const banners = () => view().notices.filter((notice) => GONE.test(notice.text));
  return { link, session, view, shows, banners };
}

/** Holds the room's answers until `release` is called. */
function hold(link: RoomLog): () => void {
  let release = () => {};
  link.gate = new Promise<void>((resolve) => (release = resolve));
  return () => {
    link.gate = null;
    release();
  };
}

describe('RoomSession.reveal (jumping to a message far back)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reads back to a message 7,000 events back and keeps it loaded, past the memory window', async () => {
    const count = TIMELINE_WINDOW_ENTRIES + 4_000;
    const { session, shows, banners } = await openRoom(count);
    const target = count - 7_000;
    expect(shows(target)).toBe(false);
    await expect(session.reveal(target)).resolves.toBe(true);
    await vi.runAllTimersAsync();
    expect(shows(target)).toBe(true);
    expect(banners()).toEqual([]);
  });

  it('reads back in growing pages, telling how many of the events to read were read', async () => {
    const { link, session } = await openRoom(9_000);
    const progress: [number, number][] = [];
    const onProgress = (read: number, total: number) => progress.push([read, total]);
    await session.reveal(1_000, { onProgress });
    const limits = link.reads.map(([, limit]) => limit);
    expect(limits.length).toBeLessThan(10);
    // Every page as big as the one before, but the last (what was left).
    const grown = limits.slice(0, -1);
    expect(grown).toEqual([...grown].sort((a, b) => a - b));
    const total = progress[0]?.[1] ?? 0;
    expect(total).toBeGreaterThan(7_000);
    expect(progress[0]).toEqual([0, total]);
    expect(progress.at(-1)).toEqual([total, total]);
  });

  it('stops reading when cancelled: no further page, no banner, the message not shown', async () => {
    const { link, session, shows, banners } = await openRoom(9_000);
    const abort = new AbortController();
    const release = hold(link);
    const jump = session.reveal(100, { signal: abort.signal });
    await vi.advanceTimersByTimeAsync(0);
    expect(link.reads).toHaveLength(1);
    abort.abort();
    release();
    await expect(jump).resolves.toBe(false);
    await vi.runAllTimersAsync();
    expect(link.reads).toHaveLength(1);
    expect(shows(100)).toBe(false);
    expect(banners()).toEqual([]);
  });

  it('says a message before the earliest retained offset is gone, and a later jump that succeeds takes that away', async () => {
    const { link, session, shows, banners } = await openRoom(9_000);
    link.earliest = 500;
    await expect(session.reveal(200)).resolves.toBe(false);
    expect(banners()).toHaveLength(1);
    // Another gone one says it once, not twice.
    await expect(session.reveal(300)).resolves.toBe(false);
    expect(banners()).toHaveLength(1);
    await expect(session.reveal(2_000)).resolves.toBe(true);
    await vi.runAllTimersAsync();
    expect(shows(2_000)).toBe(true);
    expect(banners()).toEqual([]);
  });

  it('waits for a history read already under way instead of calling the message gone', async () => {
    const { link, session, shows, banners } = await openRoom(9_000);
    const release = hold(link);
    const older = session.loadOlder();
    const jump = session.reveal(8_000);
    release();
    await older;
    await expect(jump).resolves.toBe(true);
    await vi.runAllTimersAsync();
    expect(shows(8_000)).toBe(true);
    expect(banners()).toEqual([]);
  });

  it('says plainly when the server could not be read, rather than that the message is gone', async () => {
    const { link, session, view, banners } = await openRoom(9_000);
    link.consume = () => Promise.reject(new SynapError('network', 'The server cannot be reached'));
    await expect(session.reveal(100)).resolves.toBe(false);
    expect(banners()).toEqual([]);
    expect(view().notices.at(-1)?.text).toMatch(
      /could not be read back.*server cannot be reached/i,
    );
  });
});
