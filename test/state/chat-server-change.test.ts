// What the app says when a server asks for a key nobody typed, or the browser has no network,
// and what becomes of unsent messages when the server changes.
import { flushSync } from 'svelte';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkMonitor } from '../../src/lib/feed/network-monitor';
import type { ChannelConstructor, LocksLike } from '../../src/lib/tabs/tab-hub';
import { outboxKey } from '../../src/lib/room/room-link';
import { SafeStorage } from '../../src/lib/device/safe-storage';
import { SynapRest } from '../../src/lib/synap/rest';
import { ChatApp } from '../../src/state/chat.svelte';
import type { ChatSettings } from '../../src/state/settings.svelte';
import { startSynapStandin, type SynapStandin } from '../standin/server';
import { MapStorage, NodeWebSocket, waitFor } from '../unit/helpers';

/** The browser's online/offline, switched by the test; offline, every request fails as fetch does. */
class FakeNetwork implements NetworkMonitor {
  online = true;
  readonly #listeners = new Set<(online: boolean) => void>();
  subscribe(listener: (online: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  set(online: boolean): void {
    this.online = online;
    for (const listener of this.#listeners) listener(online);
  }
  readonly fetch: typeof fetch = (input, init) =>
    this.online ? fetch(input, init) : Promise.reject(new TypeError('Failed to fetch'));
}

/** Polls an async check until it passes or the time runs out (no fixed sleeps). */
async function waitForAsync(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let tries = 0; !(await check()); tries += 1) {
    if (tries > 200) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let standin: SynapStandin;
let secured: SynapStandin;
let other: SynapStandin;
const apps: ChatApp[] = [];
let counter = 0;

beforeAll(async () => {
  standin = await startSynapStandin({ port: 0, pollIntervalMs: 20 });
  secured = await startSynapStandin({ port: 0, pollIntervalMs: 20, apiKeys: ['the-key'] });
  other = await startSynapStandin({ port: 0, pollIntervalMs: 20 });
});
afterAll(async () => {
  await standin.close();
  await secured.close();
  await other.close();
});
afterEach(() => {
  for (const app of apps.splice(0)) app.dispose();
});

function makeApp(
  network: FakeNetwork | null = null,
  storage = new MapStorage(),
  fetchFn: typeof fetch | null = network?.fetch ?? null,
) {
  const app = new ChatApp({
    storage: new SafeStorage(() => storage),
    defaultServerUrl: standin.url,
    WebSocket: NodeWebSocket,
    livenessIntervalMs: 500,
    locks: null,
    BroadcastChannel: null,
    Notification: null,
    ...(network ? { network } : {}),
    ...(fetchFn ? { fetch: fetchFn } : {}),
  });
  apps.push(app);
  return { app, storage };
}

function settings(overrides: Partial<ChatSettings> = {}): ChatSettings {
  counter += 1;
  return {
    userId: 'alice',
    serverUrl: standin.url,
    apiKey: '',
    rememberApiKey: false,
    roomPrefix: `c${counter}-${Date.now().toString(36)}-`,
    ...overrides,
  };
}

describe('a server that needs an API key', () => {
  it('is said to need one when none was typed, and to refuse a wrong one', async () => {
    const { app } = makeApp();
    expect(await app.connect(settings({ serverUrl: secured.url }))).toBe(false);
    expect(app.setupError).toBe(
      `${secured.url} needs an API key (401 Unauthorized): enter it in the API key field.`,
    );
    expect(await app.connect(settings({ serverUrl: secured.url, apiKey: 'wrong' }))).toBe(false);
    expect(app.setupError).toMatch(/refused the API key/);
    expect(await app.connect(settings({ serverUrl: secured.url, apiKey: 'the-key' }))).toBe(true);
    expect(app.hasApiKey(secured.url)).toBe(true);
  });
});

describe('the browser offline', { timeout: 30_000 }, () => {
  it('says Offline in the room list, not that the address may be wrong, and reads it again once back', async () => {
    const network = new FakeNetwork();
    const { app } = makeApp(network);
    await app.connect(settings());
    await waitFor(() => app.activeRoom?.connection.kind === 'live', 'live');
    expect(app.online).toBe(true);

    network.set(false);
    await app.refreshRoomList();
    expect(app.online).toBe(false);
    expect(app.listError).toBe('Offline: the list of rooms comes back with the network.');
    await waitFor(() => app.activeRoom?.connection.kind === 'offline', 'the room offline');

    network.set(true);
    await waitFor(() => app.listError === null, 'the list read again');
  });
});

describe('unsent messages when the server changes', { timeout: 30_000 }, () => {
  /** Publishes to the first stand-in fail while `blocked` (its messages stay "Not sent"). */
  function blockingFetch() {
    const state = { blocked: true };
    const wrapped: typeof fetch = (input, init) =>
      state.blocked && String(input).startsWith(standin.url) && String(input).includes('/publish')
        ? Promise.reject(new TypeError('Failed to fetch'))
        : fetch(input, init);
    return { state, fetch: wrapped };
  }

  const messagesOn = async (stream: string) =>
    (await new SynapRest({ baseUrl: standin.url }).consume(stream, 'check', 0, 100)).events
      .filter((event) => event.event === 'message')
      .map((event) => String(event.data));

  async function unsentOnFirstServer() {
    const blocking = blockingFetch();
    const { app, storage } = makeApp(null, new MapStorage(), blocking.fetch);
    const chosen = settings();
    await app.connect(chosen);
    await waitFor(() => app.activeRoom?.connection.kind === 'live', 'live');
    app.activeRoom!.send('not sent yet');
    const stream = `${chosen.roomPrefix}general`;
    const key = outboxKey(standin.url, stream, 'alice');
    await waitFor(() => storage.getItem(key)?.includes('"failed"'), 'the message failed');
    return { app, storage, chosen, stream, key, blocking };
  }

  it('tells which messages another server leaves behind, and nothing for a kept server', async () => {
    const { app, chosen } = await unsentOnFirstServer();
    expect(app.unsentSetAside({ ...chosen, serverUrl: other.url })).toEqual({
      rooms: [{ roomId: 'general', count: 1, serverUrl: standin.url }],
      total: 1,
      servers: [standin.url],
      reason: 'server',
    });
    // Another name, or a server added to the list: the rooms (and the message) go along.
    expect(app.unsentSetAside({ ...chosen, userId: 'alicia' })).toBeNull();
    expect(app.unsentSetAside({ ...chosen, serverUrl: `${standin.url}, ${other.url}` })).toBeNull();
    expect(app.unsentSetAside({ ...chosen, roomPrefix: `${chosen.roomPrefix}x-` })).toMatchObject({
      reason: 'prefix',
    });
  });

  it('keeps them for the old server, and sends them once the user is back on it', async () => {
    const { app, storage, chosen, stream, key, blocking } = await unsentOnFirstServer();
    expect(
      await app.connect({ ...chosen, serverUrl: other.url }, null, { discardUnsent: false }),
    ).toBe(true);
    flushSync();
    expect(storage.getItem(key)).toContain('not sent yet');

    blocking.state.blocked = false;
    expect(await app.connect(chosen)).toBe(true);
    let sent: string[] = [];
    for (let tries = 0; sent.length === 0 && tries < 200; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      sent = (await messagesOn(stream)).filter((data) => data.includes('not sent yet'));
    }
    expect(sent).toHaveLength(1);
  });

  it('discards them when asked: gone from this device, never sent', async () => {
    const { app, storage, chosen, stream, key, blocking } = await unsentOnFirstServer();
    expect(
      await app.connect({ ...chosen, serverUrl: other.url }, null, { discardUnsent: true }),
    ).toBe(true);
    expect(storage.getItem(key)).toBeNull();

    blocking.state.blocked = false;
    await app.connect(chosen);
    await waitFor(() => app.activeRoom?.connection.kind === 'live', 'live again');
    flushSync();
    expect(
      app.activeRoom!.timeline.some(
        (entry) => entry.type === 'message' && entry.text === 'not sent yet',
      ),
    ).toBe(false);
    expect(storage.getItem(key)).toBeNull();
    expect(await messagesOn(stream)).toEqual([]);
  });
});

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
      if (this.#held.has(name)) this.#queues.set(name, [...(this.#queues.get(name) ?? []), run]);
      else run();
    });
  }
  query(): Promise<{ held: { name: string }[] }> {
    return Promise.resolve({ held: [...this.#held].map((name) => ({ name })) });
  }
}

describe('goodbyes', { timeout: 30_000 }, () => {
  /** The user_left events of `userId` in the stream. */
  const goodbyes = async (stream: string, userId = 'alice') =>
    (
      await new SynapRest({ baseUrl: standin.url }).consume(stream, 'check', 0, 1_000)
    ).events.filter(
      (event) => event.event === 'user_left' && String(event.data).includes(`"${userId}"`),
    );

  /** One tab of a browser whose tabs share a connection (a leader tab, see tab-hub.ts). */
  function tab(storage: MapStorage, locks: LocksLike) {
    const app = new ChatApp({
      storage: new SafeStorage(() => storage),
      defaultServerUrl: standin.url,
      WebSocket: NodeWebSocket,
      livenessIntervalMs: 500,
      locks,
      BroadcastChannel: BroadcastChannel as unknown as ChannelConstructor,
      Notification: null,
    });
    apps.push(app);
    return app;
  }

  it('"Forget this device" says goodbye in every joined room, though another tab holds them', async () => {
    const storage = new MapStorage();
    const locks = new FakeLocks();
    const first = tab(storage, locks);
    const chosen = settings();
    await first.connect(chosen);
    first.join('second');
    const second = tab(storage, locks);
    second.resume();
    await waitFor(
      () => [first, second].every((app) => app.activeRoom?.connection.kind === 'live'),
      'both tabs live',
    );

    await first.forgetDevice();
    // The other tab follows (App.svelte hears the storage event).
    await second.forgetDevice(false);
    for (const id of ['general', 'second']) {
      const stream = `${chosen.roomPrefix}${id}`;
      await waitForAsync(async () => (await goodbyes(stream)).length > 0, `goodbye in ${id}`);
      expect(await goodbyes(stream)).toHaveLength(1);
    }
  });

  it('"Forget this device" in the only tab says goodbye once per room', async () => {
    const { app } = makeApp();
    const chosen = settings();
    await app.connect(chosen);
    await waitFor(() => app.activeRoom?.connection.kind === 'live', 'live');
    const stream = `${chosen.roomPrefix}general`;
    await app.forgetDevice();
    await waitForAsync(async () => (await goodbyes(stream)).length > 0, 'the goodbye');
    // A marker published after it: anything the forget still sent would be stored before it.
    await new SynapRest({ baseUrl: standin.url }).publish(stream, 'marker', '{}');
    expect(await goodbyes(stream)).toHaveLength(1);
  });

  it('a page closing while the browser is offline says no goodbye, to be delivered late', async () => {
    const network = new FakeNetwork();
    const published: string[] = [];
    const spy: typeof fetch = (input, init) => {
      if (String(input).includes('/publish')) published.push(String(init?.body));
      return network.fetch(input, init);
    };
    const { app } = makeApp(network, new MapStorage(), spy);
    await app.connect(settings());
    await waitFor(() => app.activeRoom?.connection.kind === 'live', 'live');

    network.set(false);
    app.pageHidden();
    expect(published.filter((body) => body.includes('user_left'))).toEqual([]);
  });

  it('a page closing online says goodbye, with keepalive', async () => {
    const keepalives: boolean[] = [];
    const spy: typeof fetch = (input, init) => {
      if (String(init?.body).includes('user_left')) keepalives.push(init?.keepalive === true);
      return fetch(input, init);
    };
    const { app } = makeApp(null, new MapStorage(), spy);
    await app.connect(settings());
    await waitFor(() => app.activeRoom?.connection.kind === 'live', 'live');
    app.pageHidden();
    expect(keepalives).toEqual([true]);
  });
});
