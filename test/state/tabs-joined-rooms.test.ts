// Two tabs of one browser: two ChatApps over one localStorage, each told of the other's writes
// the way the browser tells a tab (a `storage` event in every other tab, none in the writer).
import { flushSync } from 'svelte';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SafeStorage, type StorageLike } from '../../src/lib/device/safe-storage';
import { ChatApp } from '../../src/state/chat.svelte';
import { startSynapStandin, type SynapStandin } from '../standin/server';
import { MapStorage, NodeWebSocket, waitFor } from '../unit/helpers';

let standin: SynapStandin;
const apps: ChatApp[] = [];

beforeAll(async () => {
  standin = await startSynapStandin({ port: 0, pollIntervalMs: 20 });
});
afterAll(async () => {
  await standin.close();
});
afterEach(() => {
  for (const app of apps.splice(0)) app.dispose();
});

/** One browser's localStorage; each tab's view of it tells the other tabs what it writes. */
function browser() {
  const shared = new MapStorage();
  const tabs: ChatApp[] = [];
  const tab = (): ChatApp => {
    const view: StorageLike = {
      getItem: (key) => shared.getItem(key),
      setItem: (key, value) => {
        const old = shared.getItem(key);
        shared.setItem(key, value);
        if (old === value) return;
        for (const other of tabs) if (other !== app) other.storageChanged(key, value);
      },
      removeItem: (key) => {
        shared.removeItem(key);
        for (const other of tabs) if (other !== app) other.storageChanged(key, null);
      },
    };
    const app = new ChatApp({
      storage: new SafeStorage(() => view),
      defaultServerUrl: standin.url,
      WebSocket: NodeWebSocket,
      livenessIntervalMs: 500,
    });
    tabs.push(app);
    apps.push(app);
    return app;
  };
  return { tab };
}

const ids = (app: ChatApp) => app.rooms.map((room) => room.id);

describe('tabs of one browser agree on the joined rooms', { timeout: 30_000 }, () => {
  it('lists a room joined in one tab in the others at once, and leaves it there when left', async () => {
    const { tab } = browser();
    const first = tab();
    await first.connect({
      userId: 'alice',
      serverUrl: standin.url,
      apiKey: '',
      rememberApiKey: true,
      roomPrefix: `tabs-${Date.now().toString(36)}-`,
    });
    const second = tab();
    second.resume();
    flushSync();
    expect(ids(second)).toEqual(['general']);

    // A #/room/x link followed in the first tab.
    first.openHash('#/room/side');
    flushSync();
    expect(ids(second)).toEqual(['general', 'side']);
    // Joined, not merely offered under "On this server": and it stays on the room it showed.
    expect(second.available).not.toContain('side');
    expect(second.activeId).toBe('general');
    const side = second.rooms.find((room) => room.id === 'side')!;
    await waitFor(() => side.connection.kind === 'live', 'the room is followed in the second tab');

    await first.leave('side');
    flushSync();
    expect(ids(second)).toEqual(['general']);
    expect(ids(first)).toEqual(['general']);
  });
});
