// Jumping to a message far back in a big room (issue 17, item 2), against the stand-in: the
// jump reads history back to it however far, says so while it reads, can be cancelled, and
// the "no longer available" banner of a jump that failed goes once a later jump works.
import { flushSync } from 'svelte';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/lib/timeline/entries';
import { SafeStorage } from '../../src/lib/device/safe-storage';
import { SynapRest } from '../../src/lib/synap/rest';
import { TIMELINE_WINDOW_ENTRIES } from '../../src/lib/timeline/timeline-model';
import { ChatApp } from '../../src/state/chat.svelte';
import type { RoomState } from '../../src/state/room.svelte';
import { startSynapStandin, type SynapStandin } from '../standin/server';
import { MapStorage, NodeWebSocket, waitFor } from '../unit/helpers';

/** The room keeps this many events: the oldest ones published are gone. */
const BUFFER_EVENTS = 8_000;
const EVICTED_EVENTS = 200;
/** Messages between the needle and the newest one: more than the timeline keeps in memory. */
const MESSAGES_ON_TOP = TIMELINE_WINDOW_ENTRIES + 2_000;
const GONE = /no longer available/;

let standin: SynapStandin;
let rest: SynapRest;
const apps: ChatApp[] = [];
let counter = 0;

beforeAll(async () => {
  standin = await startSynapStandin({ port: 0, pollIntervalMs: 20, maxBuffer: BUFFER_EVENTS });
  rest = new SynapRest({ baseUrl: standin.url });
});
afterAll(() => standin.close());
afterEach(() => {
  for (const app of apps.splice(0)) app.dispose();
});

const say = (userId: string, message: string) => JSON.stringify({ user_id: userId, message });

/** Publishes a message of dan's for each of `texts`, at once. */
function publishAll(stream: string, texts: string[]): number[] {
  return standin.publishMany(
    stream,
    texts.map((text) => ({ event: 'message', data: say('dan', text) })),
  );
}

/**
 * A room whose first EVICTED_EVENTS messages are gone, then the needle, then MESSAGES_ON_TOP
 * messages; Alice has it open at its newest messages. `gate`, while set, holds history reads.
 */
async function bigRoom() {
  counter += 1;
  const prefix = `j${counter}-${Date.now().toString(36)}-`;
  const stream = `${prefix}general`;
  await rest.ensureRoom(stream);
  const fill = (count: number, label: string) =>
    Array.from({ length: count }, (_, index) => `${label} ${index}`);
  publishAll(stream, fill(BUFFER_EVENTS - MESSAGES_ON_TOP - 1, 'early'));
  const { offset: needle } = await rest.publish(stream, 'message', say('carol', 'the needle'));
  publishAll(stream, fill(MESSAGES_ON_TOP + EVICTED_EVENTS, 'hay'));
  const gate = { held: null as Promise<void> | null };
  const gatedFetch: typeof fetch = async (input, init) => {
    if (String(input).includes('/consume/')) await gate.held;
    return fetch(input, init);
  };
  const app = new ChatApp({
    storage: new SafeStorage(() => new MapStorage()),
    defaultServerUrl: standin.url,
    WebSocket: NodeWebSocket,
    fetch: gatedFetch,
  });
  apps.push(app);
  await app.connect({
    userId: 'alice',
    serverUrl: standin.url,
    apiKey: '',
    rememberApiKey: true,
    roomPrefix: prefix,
  });
  const room = app.activeRoom as RoomState;
  await waitFor(
    () => room.connection.kind === 'live' && room.historyStatus.kind === 'ready',
    'live',
  );
  await waitFor(() => !room.loadingOlder, 'the first read');
  // The reader is at the newest messages, as the timeline reports when a room opens.
  room.setFollowing(true);
  const hold = () => {
    let release = () => {};
    gate.held = new Promise<void>((resolve) => (release = resolve));
    return () => {
      gate.held = null;
      release();
    };
  };
  return { room, needle, hold };
}

const shows = (room: RoomState, offset: number) =>
  room.timeline.some(
    (entry): entry is ChatMessage => entry.type === 'message' && entry.offset === offset,
  );
const banners = (room: RoomState) => room.notices.filter((notice) => GONE.test(notice.text));

describe('jumping to a message far back', { timeout: 60_000 }, () => {
  it("reaches a message thousands of messages back, past what the timeline keeps in memory, and a failed jump's banner goes once a later one works", async () => {
    const { room, needle } = await bigRoom();
    expect(room.nextOffset! - needle).toBeGreaterThan(TIMELINE_WINDOW_ENTRIES);
    expect(shows(room, needle)).toBe(false);

    await room.jumpTo(EVICTED_EVENTS / 2, false);
    flushSync();
    expect(banners(room)).toHaveLength(1);

    await room.jumpTo(needle, false);
    flushSync();
    expect(room.jump).toMatchObject({ offset: needle });
    expect(shows(room, needle)).toBe(true);
    expect(room.jumping).toBeNull();
    expect(banners(room)).toEqual([]);
  });

  it('stops reading back when cancelled: no jump, no banner, nothing said', async () => {
    const { room, needle, hold } = await bigRoom();
    const release = hold();
    const jump = room.jumpTo(needle, false);
    await waitFor(() => room.jumping, 'reading back');
    expect(room.jumping).toEqual({ read: 0, total: room.jumping!.total });
    expect(room.jumping!.total).toBeGreaterThan(MESSAGES_ON_TOP);
    room.cancelJump();
    expect(room.jumping).toBeNull();
    release();
    await jump;
    await waitFor(() => !room.loadingOlder, 'the page in flight');
    flushSync();
    expect(room.jump).toBeNull();
    expect(shows(room, needle)).toBe(false);
    expect(banners(room)).toEqual([]);
  });
});
