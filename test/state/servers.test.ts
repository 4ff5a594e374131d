// Rooms over several Synap servers: placement, the merged room list, a server down, a move.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/lib/timeline/entries';
import { placeRoom } from '../../src/lib/servers/placement';
import { SafeStorage } from '../../src/lib/device/safe-storage';
import { SynapRest } from '../../src/lib/synap/rest';
import { ChatApp } from '../../src/state/chat.svelte';
import type { RoomState } from '../../src/state/room.svelte';
import type { ChatSettings } from '../../src/state/settings.svelte';
import { startSynapStandin, type SynapStandin } from '../standin/server';
import { MapStorage, NodeWebSocket, waitFor } from '../unit/helpers';

const servers: SynapStandin[] = [];
const apps: ChatApp[] = [];
let counter = 0;

beforeAll(async () => {
  for (let i = 0; i < 4; i += 1) {
    servers.push(await startSynapStandin({ port: 0, pollIntervalMs: 20 }));
  }
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});
afterEach(() => {
  for (const app of apps.splice(0)) app.dispose();
});

function makeApp(storage = new MapStorage()) {
  const app = new ChatApp({
    storage: new SafeStorage(() => storage),
    defaultServerUrl: servers[0]!.url,
    WebSocket: NodeWebSocket,
    livenessIntervalMs: 500,
  });
  apps.push(app);
  return app;
}

function settings(urls: string[], roomPrefix: string): ChatSettings {
  return {
    userId: 'alice',
    serverUrl: urls.join(', '),
    apiKey: '',
    rememberApiKey: false,
    roomPrefix,
  };
}

function freshPrefix(): string {
  counter += 1;
  return `m${counter}-${Date.now().toString(36)}-`;
}

/** Room ids, one placed on each of `urls`, by the placement itself. */
function roomsOnEach(urls: string[], prefix: string): Map<string, string> {
  const byServer = new Map<string, string>();
  for (let i = 0; byServer.size < urls.length && i < 1_000; i += 1) {
    const id = `room${i}`;
    const url = placeRoom(`${prefix}${id}`, urls);
    if (!byServer.has(url)) byServer.set(url, id);
  }
  return byServer;
}

async function live(room: RoomState | undefined): Promise<RoomState> {
  if (!room) throw new Error('no room');
  await waitFor(() => room.connection.kind === 'live' && !room.loadingOlder, `${room.id} live`);
  return room;
}

const texts = (room: RoomState) =>
  room.timeline
    .filter((entry): entry is ChatMessage => entry.type === 'message')
    .map((m) => m.text);

describe('several servers', { timeout: 30_000 }, () => {
  it('puts each room on the server the placement gives it, and only there', async () => {
    const urls = servers.slice(0, 3).map((server) => server.url);
    const prefix = freshPrefix();
    const app = makeApp();
    expect(await app.connect(settings(urls, prefix))).toBe(true);
    for (const [url, id] of roomsOnEach(urls, prefix)) {
      app.join(id);
      const room = await live(app.rooms.find((candidate) => candidate.id === id));
      expect(room.serverUrl).toBe(url);
      room.submit(`hello ${id}`);
      await waitFor(() => texts(room).includes(`hello ${id}`), 'sent');
      for (const other of urls) {
        const streams = await new SynapRest({ baseUrl: other }).listRooms();
        expect(streams.includes(`${prefix}${id}`)).toBe(other === url);
      }
    }
  });

  it('lists every server’s rooms as one list and flags a room found on a server that does not own it', async () => {
    const urls = servers.slice(0, 3).map((server) => server.url);
    const prefix = freshPrefix();
    const rooms = roomsOnEach(urls, prefix);
    const [[ownerA, idA], [ownerB]] = [...rooms] as [[string, string], [string, string]];
    // Someone with another list created idA on B's server too.
    for (const url of [ownerA, ownerB]) {
      await new SynapRest({ baseUrl: url }).createRoom(`${prefix}${idA}`);
    }
    const app = makeApp();
    await app.connect(settings(urls, prefix));
    await app.refreshRoomList();
    expect(app.available).toContain(idA);
    expect(app.misplaced).toEqual({ [idA]: ownerB });
  });

  it('names a server that stops answering and the rooms waiting for it, while the others chat on', async () => {
    const extra = await startSynapStandin({ port: 0, pollIntervalMs: 20 });
    const urls = [servers[0]!.url, extra.url];
    const prefix = freshPrefix();
    const rooms = roomsOnEach(urls, prefix);
    const app = makeApp();
    await app.connect(settings(urls, prefix));
    for (const id of rooms.values()) app.join(id);
    for (const room of app.rooms) await live(room);
    await extra.close();
    const down = rooms.get(extra.url)!;
    await waitFor(() => app.unhealthyServers.length === 1, 'the outage named', 15_000);
    const healthy = app.rooms.find((room) => room.id === rooms.get(servers[0]!.url))!;
    // The default room ("general") may live on either server too.
    expect(app.unhealthyServers[0]?.url).toBe(extra.url);
    expect(app.unhealthyServers[0]?.rooms).toContain(down);
    expect(app.unhealthyServers[0]?.rooms).not.toContain(healthy.id);
    healthy.submit('still here');
    await waitFor(
      () => texts(healthy).includes('still here') && healthy.connection.kind === 'live',
      'chat on',
    );
  });

  it('moves a room when a server is added: its earlier messages stay visible, the move marked once', async () => {
    const three = servers.slice(0, 3).map((server) => server.url);
    const four = [...three, servers[3]!.url];
    const prefix = freshPrefix();
    // A room the fourth server takes over.
    let id = '';
    for (let i = 0; !id; i += 1) {
      if (placeRoom(`${prefix}r${i}`, four) === servers[3]!.url) id = `r${i}`;
    }
    const storage = new MapStorage();
    const app = makeApp(storage);
    await app.connect({ ...settings(three, prefix), userId: 'alice' });
    app.join(id);
    const before = await live(app.rooms.find((room) => room.id === id));
    before.submit('said on the old server');
    await waitFor(() => texts(before).includes('said on the old server'), 'sent');
    const oldServer = before.serverUrl;

    expect(await app.connect(settings(four, prefix))).toBe(true);
    const after = await live(app.rooms.find((room) => room.id === id));
    expect(after.serverUrl).toBe(servers[3]!.url);
    await waitFor(() => texts(after).includes('said on the old server'), 'old history shown');
    after.submit('said on the new server');
    await waitFor(() => texts(after).includes('said on the new server'), 'sent again');
    const moves = after.timeline.filter(
      (entry) => entry.type === 'system' && entry.kind === 'moved',
    );
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatchObject({ userId: oldServer });
    expect(texts(after)).toEqual(['said on the old server', 'said on the new server']);
  });
});
