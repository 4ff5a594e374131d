// What the app says when a server asks for a key nobody typed, or the browser has no network.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkMonitor } from '../../src/lib/network-monitor';
import { SafeStorage } from '../../src/lib/safe-storage';
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

let standin: SynapStandin;
let secured: SynapStandin;
const apps: ChatApp[] = [];
let counter = 0;

beforeAll(async () => {
  standin = await startSynapStandin({ port: 0, pollIntervalMs: 20 });
  secured = await startSynapStandin({ port: 0, pollIntervalMs: 20, apiKeys: ['the-key'] });
});
afterAll(async () => {
  await standin.close();
  await secured.close();
});
afterEach(() => {
  for (const app of apps.splice(0)) app.dispose();
});

function makeApp(network: FakeNetwork | null = null, storage = new MapStorage()) {
  const app = new ChatApp({
    storage: new SafeStorage(() => storage),
    defaultServerUrl: standin.url,
    WebSocket: NodeWebSocket,
    livenessIntervalMs: 500,
    locks: null,
    BroadcastChannel: null,
    Notification: null,
    ...(network ? { network, fetch: network.fetch } : {}),
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
