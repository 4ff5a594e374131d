import { flushSync } from 'svelte';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/lib/timeline/entries';
import { SafeStorage } from '../../src/lib/device/safe-storage';
import { SynapRest } from '../../src/lib/synap/rest';
import { ChatApp } from '../../src/state/chat.svelte';
import type { ChatSettings } from '../../src/state/settings.svelte';
import { startSynapStandin, type SynapStandin } from '../standin/server';
import { MapStorage, NodeWebSocket, waitFor } from '../unit/helpers';

let standin: SynapStandin;
let secured: SynapStandin;
let rest: SynapRest;
const apps: ChatApp[] = [];
let prefixCounter = 0;

beforeAll(async () => {
  standin = await startSynapStandin({ port: 0, pollIntervalMs: 20 });
  secured = await startSynapStandin({ port: 0, apiKeys: ['good-key'] });
  rest = new SynapRest({ baseUrl: standin.url });
});
afterAll(async () => {
  await standin.close();
  await secured.close();
});
afterEach(() => {
  for (const app of apps.splice(0)) app.dispose();
});

/** Each test its own room prefix, so tests never share rooms. */
function freshPrefix(): string {
  prefixCounter += 1;
  return `t${prefixCounter}-${Date.now().toString(36)}-`;
}

function makeApp(storage = new MapStorage(), fetchImpl?: typeof fetch) {
  const app = new ChatApp({
    storage: new SafeStorage(() => storage),
    defaultServerUrl: standin.url,
    WebSocket: NodeWebSocket,
    livenessIntervalMs: 500,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
  apps.push(app);
  return { app, storage };
}

function settings(overrides: Partial<ChatSettings> = {}): ChatSettings {
  return {
    userId: 'alice',
    serverUrl: standin.url,
    apiKey: '',
    rememberApiKey: true,
    roomPrefix: freshPrefix(),
    ...overrides,
  };
}

/** A user who joined `general` on a fresh prefix, live and with its history loaded. */
async function liveInGeneral() {
  const { app, storage } = makeApp();
  const chosen = settings();
  await app.connect(chosen);
  const room = app.activeRoom;
  if (!room) throw new Error('no room');
  await waitFor(() => room.connection.kind === 'live' && !room.loadingOlder, 'live');
  return { app, storage, chosen, room, stream: `${chosen.roomPrefix}general` };
}

function messages(app: ChatApp): ChatMessage[] {
  return (app.activeRoom?.timeline ?? []).filter(
    (entry): entry is ChatMessage => entry.type === 'message',
  );
}

describe('ChatApp', { timeout: 30_000 }, () => {
  it('starts on the first-run form, then joins the default room once connected', async () => {
    const { app } = makeApp();
    expect(app.phase).toBe('setup');
    expect(app.settings.current.serverUrl).toBe(standin.url);
    expect(await app.connect(settings())).toBe(true);
    flushSync();
    expect(app.phase).toBe('chat');
    expect(app.activeRoom?.id).toBe('general');
    await waitFor(() => app.activeRoom?.connection.kind === 'live', 'live');
  });

  it('explains an unreachable server and a refused key, and keeps the form', async () => {
    const { app } = makeApp();
    expect(await app.connect(settings({ serverUrl: 'http://127.0.0.1:9' }))).toBe(false);
    expect(app.setupError).toMatch(/Cannot reach http:\/\/127\.0\.0\.1:9/);
    expect(await app.connect(settings({ serverUrl: secured.url, apiKey: 'bad' }))).toBe(false);
    expect(app.setupError).toMatch(/401/);
    expect(await app.connect(settings({ serverUrl: 'not a url' }))).toBe(false);
    expect(app.setupError).toMatch(/full URL/);
    expect(app.phase).toBe('setup');
    expect(await app.connect(settings({ serverUrl: secured.url, apiKey: 'good-key' }))).toBe(true);
  });

  it('sends a message as pending and confirms it when its echo arrives', async () => {
    const { app, room } = await liveInGeneral();
    room.send('hello <b>world</b>');
    flushSync();
    expect(messages(app).map((m) => [m.text, m.status, m.own])).toEqual([
      ['hello <b>world</b>', 'pending', true],
    ]);
    await waitFor(() => messages(app)[0]?.status === 'confirmed', 'the echo');
    expect(messages(app)).toHaveLength(1);
    expect(messages(app)[0]?.offset).not.toBeNull();
  });

  it('confirms a sent message from the publish answer in place, and shows its later echo once', async () => {
    const { app, room } = await liveInGeneral();
    // No echo can come while the socket is stalled: only the publish answer can confirm.
    standin.stall(true);
    try {
      room.send('confirmed by the answer');
      flushSync();
      const pending = messages(app)[0];
      expect(pending?.status).toBe('pending');
      await waitFor(() => messages(app)[0]?.status === 'confirmed', 'the publish answer');
      const confirmed = messages(app)[0];
      expect(confirmed?.key).toBe(pending?.key);
      expect(confirmed?.offset).toEqual(expect.any(Number));
    } finally {
      standin.stall(false);
    }
    // The echo arrives by offset and is recognised as the same message.
    await waitFor(() => (room.nextOffset ?? 0) > (messages(app)[0]?.offset ?? Infinity), 'echo');
    expect(messages(app).map((m) => [m.text, m.status])).toEqual([
      ['confirmed by the answer', 'confirmed'],
    ]);
  });

  it('shows "You" only for messages this device sent, and marks a name that only looks like yours', async () => {
    const { app, room, stream } = await liveInGeneral();
    room.send('mine');
    await waitFor(() => messages(app)[0]?.status === 'confirmed', 'own message');
    // Someone else takes the same name, then one that reads the same.
    await rest.publish(
      stream,
      'message',
      JSON.stringify({ user_id: 'alice', message: 'same name', client_id: 'x1' }),
    );
    await rest.publish(
      stream,
      'message',
      JSON.stringify({ user_id: 'ALICE\u200B', message: 'look-alike' }),
    );
    await waitFor(() => messages(app).length === 3, 'three messages');
    expect(messages(app).map((m) => [m.userId, m.text, m.own, m.lookalike ?? false])).toEqual([
      ['alice', 'mine', true, false],
      ['alice', 'same name', false, false],
      ['ALICE', 'look-alike', false, true],
    ]);
  });

  it("shows a message published the seed's Python way, with its time in seconds read right", async () => {
    const { app } = makeApp();
    const chosen = settings();
    await app.connect(chosen);
    await waitFor(() => app.activeRoom?.connection.kind === 'live', 'live');
    const seconds = 1_764_000_000.25;
    await rest.publish(
      `${chosen.roomPrefix}general`,
      'message',
      JSON.stringify({ user_id: 'py-bot', message: 'from python', timestamp: seconds }),
    );
    const message = await waitFor(
      () => messages(app).find((m) => m.userId === 'py-bot'),
      'the python message',
    );
    expect(message.text).toBe('from python');
    expect(message.sentAtMs).toBe(1_764_000_000_250);
    expect(message.own).toBe(false);
  });

  it('shows live typing, clears it when the typer sends, and never shows replayed typing', async () => {
    const { app } = makeApp();
    const chosen = settings();
    const stream = `${chosen.roomPrefix}general`;
    await rest.ensureRoom(stream);
    await rest.publish(stream, 'typing', JSON.stringify({ user_id: 'old', is_typing: true }));
    await app.connect(chosen);
    const room = app.activeRoom;
    if (!room) throw new Error('no room');
    await waitFor(() => room.connection.kind === 'live', 'live');
    await rest.publish(stream, 'typing', JSON.stringify({ user_id: 'bob', is_typing: true }));
    await waitFor(() => room.typers.includes('bob'), 'bob typing');
    expect(room.typers).toEqual(['bob']);
    await rest.publish(stream, 'message', JSON.stringify({ user_id: 'bob', message: 'done' }));
    await waitFor(() => room.typers.length === 0, 'typing cleared');
    expect(room.online.map((user) => user.userId)).toEqual(['alice', 'bob']);
  });

  it('counts unread messages of others in a background room, exactly, across a reload', async () => {
    const { app, storage } = makeApp();
    const chosen = settings();
    await app.connect(chosen);
    app.join('side');
    app.select('general');
    const side = app.rooms.find((room) => room.id === 'side');
    if (!side) throw new Error('no side room');
    await waitFor(() => side.connection.kind === 'live', 'side live');
    const stream = `${chosen.roomPrefix}side`;
    for (const text of ['one', 'two', 'three']) {
      await rest.publish(stream, 'message', JSON.stringify({ user_id: 'bob', message: text }));
    }
    await rest.publish(stream, 'typing', JSON.stringify({ user_id: 'bob', is_typing: true }));
    await waitFor(
      () => side.unread === 3,
      `three unread (have ${side.unread}, ${JSON.stringify(side.connection)})`,
      3000,
    );
    expect(app.totalUnread).toBe(3);
    app.dispose();

    const reloaded = makeApp(storage).app;
    reloaded.resume('general');
    flushSync();
    const again = reloaded.rooms.find((room) => room.id === 'side');
    if (!again) throw new Error('side room not restored');
    await waitFor(() => again.unread === 3, 'three unread after reload');
    reloaded.select('side');
    flushSync();
    expect(again.unread).toBe(0);
    expect(again.dividerOffset).not.toBeNull();
    const texts = again.timeline
      .filter((e) => e.type === 'message')
      .map((e) => (e as ChatMessage).text);
    expect(texts).toEqual(['one', 'two', 'three']);
  });

  it('still knows who is here after a reload that painted the room from its cache', async () => {
    const { app, storage, stream } = await liveInGeneral();
    await rest.publish(stream, 'message', JSON.stringify({ user_id: 'bob', message: 'bob here' }));
    await waitFor(() => messages(app).length === 1, "bob's message");
    app.dispose();
    const { app: reloaded } = makeApp(storage);
    reloaded.resume();
    const again = reloaded.activeRoom;
    await waitFor(
      () => again?.online.some((user) => user.userId === 'bob'),
      'bob online after the reload',
    );
    expect(again?.online.map((user) => user.userId)).toContain('bob');
  });

  it('paints the last messages at once after a reload, then resumes with no duplicate and no gap', async () => {
    const { app, storage } = makeApp();
    const chosen = settings();
    const stream = `${chosen.roomPrefix}general`;
    await app.connect(chosen);
    await waitFor(() => app.activeRoom?.connection.kind === 'live', 'live');
    for (let i = 0; i < 5; i += 1) {
      await rest.publish(stream, 'message', JSON.stringify({ user_id: 'bob', message: `m${i}` }));
    }
    await waitFor(() => messages(app).length === 5, 'five messages');
    app.dispose();
    for (let i = 5; i < 8; i += 1) {
      await rest.publish(stream, 'message', JSON.stringify({ user_id: 'bob', message: `m${i}` }));
    }
    const reloaded = makeApp(storage).app;
    reloaded.resume();
    flushSync();
    // Painted from the cached tail before the network answered.
    expect(messages(reloaded).map((m) => m.text)).toEqual(
      Array.from({ length: 5 }, (_, i) => `m${i}`),
    );
    await waitFor(() => messages(reloaded).length === 8, 'eight messages');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(messages(reloaded).map((m) => m.text)).toEqual(
      Array.from({ length: 8 }, (_, i) => `m${i}`),
    );
  });

  it('loads the last 50 messages at once and earlier ones on demand, to the beginning', async () => {
    const chosen = settings();
    const stream = `${chosen.roomPrefix}general`;
    await rest.ensureRoom(stream);
    for (let i = 0; i < 120; i += 1) {
      await rest.publish(stream, 'message', JSON.stringify({ user_id: 'bob', message: `h${i}` }));
      await rest.publish(stream, 'typing', JSON.stringify({ user_id: 'bob', is_typing: true }));
    }
    const { app } = makeApp();
    await app.connect(chosen);
    const room = app.activeRoom;
    if (!room) throw new Error('no room');
    await waitFor(() => messages(app).length >= 50 && !room.loadingOlder, 'the last 50');
    expect(messages(app).at(-1)?.text).toBe('h119');
    expect(messages(app)).toHaveLength(50);
    expect(room.hasOlder).toBe(true);
    await room.loadOlder();
    await room.loadOlder();
    await room.loadOlder();
    expect(room.hasOlder).toBe(false);
    expect(messages(app).map((m) => m.text)).toEqual(
      Array.from({ length: 120 }, (_, i) => `h${i}`),
    );
  });

  it('marks a failed send, and delivers it on retry', async () => {
    const { app, room } = await liveInGeneral();
    await standin.close();
    room.send('while down');
    await waitFor(() => messages(app)[0]?.status === 'failed', 'the failure');
    expect(messages(app)[0]?.error).toMatch(/Cannot reach/);
    standin = await startSynapStandin({
      port: Number(new URL(app.settings.current.serverUrl).port),
      pollIntervalMs: 20,
    });
    rest = new SynapRest({ baseUrl: standin.url });
    room.retry(messages(app)[0]?.clientId ?? '');
    await waitFor(() => messages(app)[0]?.status === 'confirmed', 'confirmed after retry', 20_000);
    expect(messages(app).map((m) => m.text)).toEqual(['while down']);
  });
});

describe('ChatApp when sending fails', { timeout: 30_000 }, () => {
  it('sends a message that failed while the server was down by itself once it is back, once', async () => {
    const { app, room } = await liveInGeneral();
    await standin.close();
    room.send('typed while down');
    await waitFor(() => messages(app)[0]?.status === 'failed', 'the failure');
    standin = await startSynapStandin({
      port: Number(new URL(app.settings.current.serverUrl).port),
      pollIntervalMs: 20,
    });
    rest = new SynapRest({ baseUrl: standin.url });
    room.retryNow();
    await waitFor(() => messages(app)[0]?.status === 'confirmed', 'sent without a click', 20_000);
    expect(messages(app).map((m) => m.text)).toEqual(['typed while down']);
  });
});

describe('ChatApp when history cannot be read', { timeout: 30_000 }, () => {
  it('says the messages could not be loaded (not "no messages yet"), and Try again loads them', async () => {
    let refuse = true;
    const flaky: typeof fetch = (input, init) =>
      refuse && String(input).includes('/consume/')
        ? Promise.resolve(new Response('', { status: 503 }))
        : fetch(input, init);
    const chosen = settings();
    const stream = `${chosen.roomPrefix}general`;
    await rest.ensureRoom(stream);
    await rest.publish(stream, 'message', JSON.stringify({ user_id: 'bob', message: 'earlier' }));
    const { app } = makeApp(new MapStorage(), flaky);
    await app.connect(chosen);
    const room = app.activeRoom;
    if (!room) throw new Error('no room');
    expect(room.historyStatus.kind).toBe('loading');
    await waitFor(() => room.historyStatus.kind === 'failed', 'the failure');
    expect(room.historyStatus).toMatchObject({
      kind: 'failed',
      message: expect.stringMatching(/503/),
    });
    refuse = false;
    room.retryHistory();
    await waitFor(() => room.historyStatus.kind === 'ready', 'loaded on retry');
    await waitFor(() => messages(app).length === 1, 'the earlier message');
    expect(messages(app)[0]?.text).toBe('earlier');
  });
});

describe(
  'ChatApp when the server dropped events before they were read',
  { timeout: 30_000 },
  () => {
    it('marks the gap where it is, counting events honestly, and shows what came after once', async () => {
      const small = await startSynapStandin({
        port: 0,
        pollIntervalMs: 20,
        maxBuffer: 50,
        maxUnreadBuffer: 50,
      });
      try {
        const smallRest = new SynapRest({ baseUrl: small.url });
        const storage = new MapStorage();
        const { app } = makeApp(storage);
        const chosen = settings({ serverUrl: small.url });
        const stream = `${chosen.roomPrefix}general`;
        await app.connect(chosen);
        const room = app.activeRoom;
        if (!room) throw new Error('no room');
        await waitFor(
          () => room.connection.kind === 'live' && room.historyStatus.kind === 'ready',
          'live',
        );
        const say = (text: string) =>
          smallRest.publish(stream, 'message', JSON.stringify({ user_id: 'bob', message: text }));
        await say('before');
        await waitFor(() => messages(app).length === 1, 'the first message');
        app.dispose();
        // While away, 120 events go by in a room that keeps 50, unread ones included.
        for (let i = 0; i < 120; i += 1) await say(`away ${i}`);
        const { app: back } = makeApp(storage);
        back.resume();
        const again = back.activeRoom;
        if (!again) throw new Error('no room after reload');
        await waitFor(() => again.timeline.some((entry) => entry.type === 'gap'), 'the gap line');
        await waitFor(() => messages(back).at(-1)?.text === 'away 119', 'the newest message');
        const kinds = again.timeline.map((entry) =>
          entry.type === 'gap' ? 'gap' : entry.type === 'message' ? entry.text : entry.type,
        );
        const gapAt = kinds.indexOf('gap');
        expect(kinds.filter((kind) => kind === 'gap')).toHaveLength(1);
        expect(kinds.slice(0, gapAt)).toContain('before');
        expect(
          kinds.slice(gapAt + 1).every((kind) => kind.startsWith('away') || kind === 'system'),
        ).toBe(true);
        const after = kinds.slice(gapAt + 1).filter((kind) => kind.startsWith('away'));
        expect(new Set(after).size).toBe(after.length);
        expect(again.notices.at(-1)?.text).toMatch(/events? (was|were) dropped by the server/);
      } finally {
        await small.close();
      }
    });
  },
);

describe('ChatApp timeline and rooms housekeeping', { timeout: 30_000 }, () => {
  it('drops a reload\'s "left" + "joined" pair, keeping real arrivals and departures', async () => {
    const { app, room, stream } = await liveInGeneral();
    const presence = (event: string) =>
      rest.publish(stream, event, JSON.stringify({ user_id: 'bob', timestamp: Date.now() }));
    await presence('user_joined');
    await presence('user_left');
    await presence('user_joined');
    await rest.publish(stream, 'message', JSON.stringify({ user_id: 'bob', message: 'back' }));
    await waitFor(() => messages(app).some((m) => m.text === 'back'), 'the message');
    const bobLines = room.timeline
      .filter((entry) => entry.type === 'system' && entry.userId === 'bob')
      .map((entry) => (entry.type === 'system' ? entry.kind : ''));
    expect(bobLines).toEqual(['joined']);
    await presence('user_left');
    await waitFor(
      () =>
        room.timeline.some((e) => e.type === 'system' && e.userId === 'bob' && e.kind === 'left'),
      'a real departure',
    );
  });

  it('leaving the last room also forgets its #/room link', async () => {
    const { app } = makeApp();
    await app.connect(settings(), 'lonely');
    flushSync();
    expect(location.hash).toBe('#/room/lonely');
    await app.leave('general');
    await app.leave('lonely');
    expect(app.rooms).toEqual([]);
    expect(location.hash).toBe('');
  });
});

describe('ChatApp after leaving every room', { timeout: 30_000 }, () => {
  it('stays out of every room across a reload, and announces itself nowhere', async () => {
    const { app, storage, chosen, stream } = await liveInGeneral();
    await app.leave('general');
    app.dispose();
    const before = await rest.consume(stream, 'reader', 0, 100);
    const { app: reloaded } = makeApp(storage);
    reloaded.resume();
    expect(reloaded.phase).toBe('chat');
    expect(reloaded.rooms).toEqual([]);
    expect(reloaded.activeRoom).toBeNull();
    // A link to a room still opens it.
    reloaded.openHash('#/room/general');
    expect(reloaded.rooms.map((room) => room.id)).toEqual(['general']);
    // A link to no valid room says so instead of doing nothing.
    reloaded.openHash('#/room/a%2Fb');
    expect(reloaded.joinError).toMatch(/room link cannot be opened/);
    expect(reloaded.rooms.map((room) => room.id)).toEqual(['general']);
    await waitFor(() => reloaded.activeRoom?.connection.kind === 'live', 'live again');
    const after = await rest.consume(stream, 'reader', before.nextOffset, 100);
    expect(after.events.map((event) => event.event)).toEqual(['user_joined']);
    expect(chosen.roomPrefix).not.toBe('');
  });
});

describe('ChatApp keeps unsent messages', { timeout: 30_000 }, () => {
  it('brings a failed message back after a reload, and Retry sends it once', async () => {
    const { app, storage, chosen, room } = await liveInGeneral();
    const port = Number(new URL(standin.url).port);
    await standin.close();
    room.send('typed before the reload');
    await waitFor(() => messages(app)[0]?.status === 'failed', 'the failure');
    app.dispose();
    standin = await startSynapStandin({ port, pollIntervalMs: 20 });
    rest = new SynapRest({ baseUrl: standin.url });

    const reloaded = makeApp(storage).app;
    reloaded.resume();
    flushSync();
    const again = reloaded.activeRoom;
    if (!again) throw new Error('no room after reload');
    expect(messages(reloaded).map((m) => [m.text, m.status])).toEqual([
      ['typed before the reload', 'failed'],
    ]);
    await waitFor(() => again.connection.kind === 'live', 'live again');
    again.retry(messages(reloaded)[0]?.clientId ?? '');
    await waitFor(() => messages(reloaded)[0]?.status === 'confirmed', 'sent after retry');
    expect(messages(reloaded).map((m) => m.text)).toEqual(['typed before the reload']);
    const stored = await rest.consume(`${chosen.roomPrefix}general`, 'check', 0, 100);
    expect(stored.events.filter((event) => event.event === 'message')).toHaveLength(1);
  });
});

describe('ChatApp while the page is hidden', { timeout: 30_000 }, () => {
  it('counts the open room in the tab title while hidden, and marks where the user left off on return', async () => {
    const { app, room, stream } = await liveInGeneral();
    app.setVisible(false);
    for (const text of ['while', 'away']) {
      await rest.publish(stream, 'message', JSON.stringify({ user_id: 'bob', message: text }));
    }
    await waitFor(() => room.unread === 2, 'two unread while hidden');
    flushSync();
    expect(app.totalUnread).toBe(2);
    app.setVisible(true);
    flushSync();
    expect(app.totalUnread).toBe(0);
    expect(room.unread).toBe(0);
    const firstAway = messages(app).find((m) => m.text === 'while');
    expect(room.dividerOffset).toBe(firstAway?.offset);
  });

  it('keeps the rooms (and unsent messages) when settings are saved unchanged', async () => {
    const { app } = makeApp();
    const chosen = settings();
    await app.connect(chosen);
    const room = app.activeRoom;
    await app.connect({ ...app.settings.current });
    expect(app.activeRoom).toBe(room);
    expect(app.phase).toBe('chat');
  });

  it('keeps an empty room prefix across a reload', async () => {
    const { app, storage } = makeApp();
    await app.connect(settings({ roomPrefix: '' }));
    app.dispose();
    const reloaded = makeApp(storage).app;
    expect(reloaded.settings.current.roomPrefix).toBe('');
  });
});

describe(
  'ChatApp against a server whose WebSocket upgrades fail (Synap 1.3.1)',
  { timeout: 30_000 },
  () => {
    let broken: SynapStandin;
    beforeAll(async () => {
      broken = await startSynapStandin({ port: 0, websocket: 'broken' });
    });
    afterAll(() => broken.close());

    it('chats over polling in every joined room, and a reload starts polling at once', async () => {
      const storage = new MapStorage();
      const { app } = makeApp(storage);
      const chosen = settings({ serverUrl: broken.url });
      await app.connect(chosen);
      const room = app.activeRoom;
      if (!room) throw new Error('no room');
      await waitFor(() => room.connection.kind === 'live', 'live by polling', 10_000);
      expect(room.connection).toMatchObject({ kind: 'live', transport: 'polling' });
      room.send('sent while polling');
      await waitFor(() => messages(app)[0]?.status === 'confirmed', 'confirmed');
      // Someone else writes; it arrives by polling, once.
      const brokenRest = new SynapRest({ baseUrl: broken.url });
      await brokenRest.publish(`${chosen.roomPrefix}general`, 'message', {
        user_id: 'bob',
        message: 'hi alice',
        timestamp: Date.now(),
      });
      await waitFor(() => messages(app).length === 2, "bob's message");
      expect(messages(app).map((m) => [m.userId, m.text])).toEqual([
        ['alice', 'sent while polling'],
        ['bob', 'hi alice'],
      ]);
      // A second room polls too.
      app.join('second');
      const second = app.rooms.find((joined) => joined.id === 'second');
      await waitFor(() => second?.connection.kind === 'live', 'second room live');
      expect(second?.connection).toMatchObject({ transport: 'polling' });
      app.dispose();

      broken.resetRequestCounts();
      const { app: reloaded } = makeApp(storage);
      reloaded.resume();
      const again = reloaded.activeRoom;
      await waitFor(() => again?.connection.kind === 'live', 'live again');
      expect(again?.connection).toMatchObject({ kind: 'live', transport: 'polling' });
      expect(broken.requestCounts().upgradeFailures).toBe(0);
    });
  },
);
