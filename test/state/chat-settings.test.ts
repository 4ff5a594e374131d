// ChatApp's settings behaviour: a new display name keeps the joined rooms and their drafts,
// "Forget this device" leaves nothing behind, and the theme is remembered per device.
import { flushSync } from 'svelte';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { outboxKey } from '../../src/lib/room/room-link';
import { SafeStorage } from '../../src/lib/device/safe-storage';
import { SynapRest } from '../../src/lib/synap/rest';
import type { NotificationConstructorLike } from '../../src/lib/device/desktop-notifications';
import { ChatApp } from '../../src/state/chat.svelte';
import type { ChatSettings } from '../../src/state/settings.svelte';
import { startSynapStandin, type SynapStandin } from '../standin/server';
import { MapStorage, NodeWebSocket, waitFor } from '../unit/helpers';

/** localStorage's listing too (length and key(i)), as the browser's has. */
class ListedStorage extends MapStorage {
  get length(): number {
    return this.map.size;
  }
  key(index: number): string | null {
    return [...this.map.keys()][index] ?? null;
  }
}

let standin: SynapStandin;
const apps: ChatApp[] = [];
let counter = 0;

beforeAll(async () => {
  standin = await startSynapStandin({ port: 0, pollIntervalMs: 20 });
});
afterAll(async () => {
  await standin.close();
});
afterEach(() => {
  for (const app of apps.splice(0)) app.dispose();
});

function makeApp(storage = new ListedStorage()) {
  const app = new ChatApp({
    storage: new SafeStorage(() => storage),
    defaultServerUrl: standin.url,
    WebSocket: NodeWebSocket,
    livenessIntervalMs: 500,
    locks: null,
    BroadcastChannel: null,
    Notification: null,
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
    roomPrefix: `s${counter}-${Date.now().toString(36)}-`,
    ...overrides,
  };
}

const live = (app: ChatApp) => app.activeRoom?.connection.kind === 'live';

describe('ChatApp settings', { timeout: 30_000 }, () => {
  it('sends a message left unsent under the old name once the name changes, under the new one', async () => {
    const { app, storage } = makeApp();
    const chosen = settings();
    await app.connect(chosen);
    await waitFor(() => live(app), 'live');
    const stream = `${chosen.roomPrefix}general`;
    // What a page closing mid-send leaves (see outbox.ts): sent again once the room is live.
    const unsent = [{ clientId: 'c-left', text: 'left behind', createdAtMs: Date.now() }];
    storage.setItem(outboxKey(standin.url, stream, 'alice'), JSON.stringify(unsent));

    expect(await app.connect({ ...chosen, userId: 'alicia' })).toBe(true);
    const room = app.activeRoom!;
    const shown = () =>
      room.timeline.find((entry) => entry.type === 'message' && entry.text === 'left behind');
    await waitFor(shown, 'the unsent message shown under the new name');
    room.retry('c-left');
    const events = async () =>
      (await new SynapRest({ baseUrl: standin.url }).consume(stream, 'check', 0, 100)).events;
    let sent: unknown[] = [];
    for (let tries = 0; sent.length === 0 && tries < 100; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      sent = (await events()).filter((event) => String(event.data).includes('left behind'));
    }
    expect(String((sent[0] as { data: unknown }).data)).toContain('"user_id":"alicia"');
    expect(storage.getItem(outboxKey(standin.url, stream, 'alice'))).toBeNull();
  });

  it('keeps the joined rooms, the room on screen and their drafts when only the name changes', async () => {
    const { app, storage } = makeApp();
    const chosen = settings();
    await app.connect(chosen);
    app.join('second');
    app.join('third');
    app.select('second');
    app.activeRoom?.setDraft('unsent thought');
    flushSync();
    await waitFor(() => live(app), 'live');

    expect(await app.connect({ ...chosen, userId: 'alicia' })).toBe(true);
    flushSync();
    expect(app.rooms.map((room) => room.id)).toEqual(['general', 'second', 'third']);
    expect(app.activeId).toBe('second');
    expect(app.activeRoom?.draft).toBe('unsent thought');
    await waitFor(() => live(app), 'live again');

    // And after a reload, as the new name.
    app.dispose();
    const reloaded = makeApp(storage).app;
    reloaded.resume();
    flushSync();
    expect(reloaded.settings.current.userId).toBe('alicia');
    expect(reloaded.rooms.map((room) => room.id)).toEqual(['general', 'second', 'third']);
  });

  it('does not carry the rooms to another server or prefix', async () => {
    const { app } = makeApp();
    const chosen = settings();
    await app.connect(chosen);
    app.join('second');
    app.join('third');
    await app.connect({ ...chosen, userId: 'bob', roomPrefix: `${chosen.roomPrefix}x-` });
    flushSync();
    // A first run there, in the room that was on screen; not the three rooms of the other prefix.
    expect(app.rooms.map((room) => room.id)).toEqual(['third']);
  });

  it('forgets the device: every synap-chat: key, then the first-run form', async () => {
    const { app, storage } = makeApp();
    storage.setItem('another-app', 'kept');
    await app.connect(settings({ apiKey: 'k', rememberApiKey: true }));
    app.settings.setTheme('dark');
    app.activeRoom?.setDraft('a draft');
    app.activeRoom?.send('sent once');
    await waitFor(() => live(app), 'live');
    await waitFor(
      () => app.activeRoom?.timeline.some((entry) => entry.type === 'message') ?? false,
      'the message',
    );
    expect([...storage.map.keys()].filter((key) => key.startsWith('synap-chat:')).length).toBe(
      [...storage.map.keys()].length - 1,
    );

    await app.forgetDevice();
    flushSync();
    expect([...storage.map.keys()]).toEqual(['another-app']);
    expect(app.phase).toBe('setup');
    expect(app.rooms).toEqual([]);
    expect(app.settings.saved).toBe(false);
    expect(app.settings.current).toMatchObject({ userId: '', apiKey: '', serverUrl: standin.url });
    expect(app.settings.theme).toBe('system');
    // Nothing written back later (cursors, tails, read markers are written on a timer).
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect([...storage.map.keys()]).toEqual(['another-app']);

    // A reload starts fresh.
    const reloaded = makeApp(storage).app;
    reloaded.resume();
    expect(reloaded.phase).toBe('setup');
  });

  it('remembers the theme on this device', () => {
    const { app, storage } = makeApp();
    expect(app.settings.theme).toBe('system');
    app.settings.setTheme('light');
    expect(makeApp(storage).app.settings.theme).toBe('light');
    app.settings.setTheme('system');
    expect(storage.getItem('synap-chat:theme')).toBeNull();
  });

  it('follows a theme chosen in another tab of this browser', () => {
    const { app } = makeApp();
    app.settings.storageChanged('synap-chat:theme', 'dark');
    expect(app.settings.theme).toBe('dark');
    app.settings.storageChanged('synap-chat:theme', null);
    expect(app.settings.theme).toBe('system');
    app.settings.storageChanged('synap-chat:theme', 'garbage');
    expect(app.settings.theme).toBe('system');
  });

  it('notices notifications allowed in the browser while the page was away, without a reload', () => {
    const Fake = { permission: 'default' as NotificationPermission };
    const app = new ChatApp({
      storage: new SafeStorage(() => new ListedStorage()),
      defaultServerUrl: standin.url,
      Notification: Fake as unknown as NotificationConstructorLike,
    });
    apps.push(app);
    expect(app.notificationPermission).toBe('default');
    Fake.permission = 'granted';
    app.setVisible(false);
    app.setVisible(true);
    expect(app.notificationPermission).toBe('granted');
    Fake.permission = 'denied';
    app.refreshNotificationPermission();
    expect(app.notificationPermission).toBe('denied');
  });
});
