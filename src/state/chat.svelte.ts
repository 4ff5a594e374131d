// The app as a whole: settings, the server, the joined rooms and which one is on screen.
import { createContext } from 'svelte';
import { CursorStore } from '../lib/device/cursor-store';
import type { NetworkMonitor } from '../lib/feed/network-monitor';
import type { WebSocketConstructor } from '../lib/synap/socket-transport';
import {
  hashForRoom,
  roomIdFromHash,
  roomIdProblem,
  roomIdsFromStreams,
  streamName,
} from '../lib/servers/room-names';
import { FrequentEmoji } from '../lib/device/frequent-emoji';
import type { SafeStorage } from '../lib/device/safe-storage';
import { deviceId, subscriberIdFor } from '../lib/synap/subscriber-id';
import { SynapError, SynapRest } from '../lib/synap/rest';
import { OFFLINE_ROOM_LIST, describeServerError } from '../lib/servers/server-problem';
import { SentLog } from '../lib/room/sent-log';
import { outboxKey } from '../lib/room/room-link';
import { readOutgoing } from '../lib/room/outbox';
import { closingGoodbye, sayGoodbye } from '../lib/app/farewell';
import {
  carriesRooms,
  setAsideReason,
  unsentSetAside,
  type UnsentSetAside,
} from '../lib/app/unsent-set-aside';
import type { MovedFrom } from '../lib/room/moved-history';
import type { RoomNews } from '../lib/room/room-session';
import { ServerConnection } from '../lib/servers/server-connection';
import { parseServerList, serverForRoom, type ServerEntry } from '../lib/servers/server-list';
import {
  mergeRoomLists,
  unhealthyServers,
  type UnhealthyServer,
} from '../lib/servers/server-rooms';
import {
  DesktopNotifier,
  NotificationPreferences,
  shouldNotify,
  type NotificationConstructorLike,
  type NotifyLevel,
} from '../lib/device/desktop-notifications';
import { DraftStore } from '../lib/device/drafts';
import { followJoined, joinedChange, joinedKey, readJoined } from '../lib/app/joined-rooms';
import type { ChannelConstructor, LocksLike } from '../lib/tabs/tab-hub';
import { RoomState } from './room.svelte';
import { SettingsStore, type ChatSettings } from './settings.svelte';

/** The room a first run opens, so a new user lands somewhere to talk. */
export const DEFAULT_ROOM_ID = 'general';
/** How often the list of rooms on the server is re-read. */
export const ROOM_LIST_REFRESH_MS = 30_000;
/** Per room whose server changed with the server list: the server it lived on before. */
const MOVED_KEY = 'synap-chat:moved:';
/** Every key the app keeps in the browser starts with this. */
const FORGET_PREFIX = 'synap-chat:';

export interface ChatAppOptions {
  storage: SafeStorage;
  defaultServerUrl: string;
  fetch?: typeof fetch;
  /** null: no WebSocket here (rooms are polled). */
  WebSocket?: WebSocketConstructor | null;
  network?: NetworkMonitor | null;
  livenessIntervalMs?: number;
  /** Tabs share one connection through these (see tab-hub.ts); null: each tab alone. */
  locks?: LocksLike | null;
  BroadcastChannel?: ChannelConstructor | null;
  /** The browser's Notification; null: none here. */
  Notification?: NotificationConstructorLike | null;
}

export type Phase = 'setup' | 'chat';

export class ChatApp {
  readonly settings: SettingsStore;
  readonly #options: ChatAppOptions;
  readonly #cursors: CursorStore;
  readonly #readMarkers: CursorStore;
  readonly #sentLog: SentLog;
  /** Unsent text per room, kept across room switches, Settings and reloads. */
  readonly drafts: DraftStore;
  readonly #frequentEmoji: FrequentEmoji;
  /** The emoji this user reacts with most, first (for the reaction picker). */
  frequentEmoji = $state.raw<readonly string[]>([]);
  #notificationPreferences: NotificationPreferences;
  readonly #notifier: DesktopNotifier;
  #notificationsOn = $state(false);
  #notificationPermission = $state<NotificationPermission | 'unsupported'>('unsupported');
  /** Levels chosen in this page, so the room menu follows at once. */
  #notifyLevels = $state.raw<Record<string, NotifyLevel>>({});

  #phase = $state<Phase>('setup');
  #setupError = $state<string | null>(null);
  #busy = $state(false);
  #rooms = $state.raw<RoomState[]>([]);
  #activeId = $state<string | null>(null);
  #serverRooms = $state.raw<string[]>([]);
  #listError = $state<string | null>(null);
  #joinError = $state<string | null>(null);
  /** The servers of the list, each owning the rooms placed on it (see placement.ts). */
  #servers: ServerConnection[] = [];
  #serverEntries: ServerEntry[] = [];
  /** Rooms found on a server that does not own them (someone has another list): where. */
  #misplaced = $state.raw<Record<string, string>>({});
  /** Keys of servers dropped from the list this session, to read moved rooms' history. */
  readonly #retiredKeys: Record<string, string> = {};
  /** This user on this device, as Synap knows the reader (stable: see subscriber-id.ts). */
  #subscriberId = '';
  #visible = $state(true);
  /** The browser has a network (as it says): without one, no server is to blame. */
  #online = $state(true);
  readonly #unwatchNetwork: () => void;
  #listTimer: ReturnType<typeof setInterval> | null = null;

  readonly activeRoom: RoomState | null = $derived(
    this.#rooms.find((room) => room.id === this.#activeId) ?? null,
  );
  readonly available: string[] = $derived(
    this.#serverRooms.filter((id) => !this.#rooms.some((room) => room.id === id)),
  );
  readonly totalUnread: number = $derived(
    this.#rooms.reduce((sum, room) => sum + (room.active && this.#visible ? 0 : room.unread), 0),
  );
  /** Unread mentions of the user, counted apart (the tab title and room list show them). */
  readonly totalMentions: number = $derived(
    this.#rooms.reduce((sum, room) => sum + (room.active && this.#visible ? 0 : room.mentions), 0),
  );

  constructor(options: ChatAppOptions) {
    this.#options = options;
    this.settings = new SettingsStore(options.storage, options.defaultServerUrl);
    this.#cursors = new CursorStore(options.storage);
    this.#readMarkers = new CursorStore(options.storage, 'synap-chat:read:');
    this.#sentLog = new SentLog(options.storage);
    this.drafts = new DraftStore(options.storage);
    this.#frequentEmoji = new FrequentEmoji(options.storage);
    this.frequentEmoji = this.#frequentEmoji.list;
    this.#notificationPreferences = new NotificationPreferences(options.storage);
    this.#notificationsOn = this.#notificationPreferences.enabled;
    const Notification =
      options.Notification !== undefined
        ? options.Notification
        : ((globalThis as { Notification?: NotificationConstructorLike }).Notification ?? null);
    this.#notifier = new DesktopNotifier(Notification, () => globalThis.focus?.());
    this.#notificationPermission = this.#notifier.permission;
    const network = options.network ?? null;
    this.#online = network?.online ?? true;
    this.#unwatchNetwork =
      network?.subscribe((online) => {
        this.#online = online;
        // The list's last error may be the network's: read it again at once.
        if (online) void this.refreshRoomList();
      }) ?? (() => undefined);
  }

  /** The browser says it has a network (always true where it cannot tell). */
  get online(): boolean {
    return this.#online;
  }

  /** The user reacted with `emoji`: it moves up in the picker. */
  reacted(emoji: string): void {
    this.frequentEmoji = this.#frequentEmoji.use(emoji);
  }

  // --- notifications --------------------------------------------------------------------
  /** Desktop notifications are on (the user opted in, and the browser allows them). */
  get notificationsOn(): boolean {
    return this.#notificationsOn && this.#notificationPermission === 'granted';
  }
  /** What the browser says: 'default' (not asked yet), 'granted', 'denied' or 'unsupported'. */
  /** Reads the browser's notification permission again (it is changed outside the page). */
  refreshNotificationPermission(): void {
    this.#notificationPermission = this.#notifier.permission;
  }

  get notificationPermission(): NotificationPermission | 'unsupported' {
    return this.#notificationPermission;
  }

  /** Turns notifications on or off; turning them on asks the browser (call from a click). */
  async setNotifications(on: boolean): Promise<void> {
    if (on) this.#notificationPermission = await this.#notifier.requestPermission();
    const enabled = on && this.#notificationPermission === 'granted';
    this.#notificationPreferences.setEnabled(enabled);
    this.#notificationsOn = enabled;
  }

  notifyLevel(roomId: string): NotifyLevel {
    return (
      this.#notifyLevels[roomId] ?? this.#notificationPreferences.levelFor(this.#roomKey(roomId))
    );
  }

  setNotifyLevel(roomId: string, level: NotifyLevel): void {
    this.#notificationPreferences.setLevel(this.#roomKey(roomId), level);
    this.#notifyLevels = { ...this.#notifyLevels, [roomId]: level };
  }

  #roomKey(roomId: string): string {
    const { serverUrl, roomPrefix } = this.settings.current;
    return JSON.stringify([serverUrl, `${roomPrefix}${roomId}`]);
  }

  #tellNews(room: RoomState, news: RoomNews): void {
    if (!this.notificationsOn) return;
    const seen = room.active && this.#visible;
    const own = news.userId === this.settings.current.userId;
    const level = this.notifyLevel(room.id);
    if (!shouldNotify(level, { own, seen, mention: news.mention })) return;
    const title = news.mention
      ? `${news.userId} mentioned you in #${room.id}`
      : `${news.userId} in #${room.id}`;
    // The same tag in every tab of this browser: the message is shown once.
    const tag = `synap-chat:${room.stream}:${news.offset}`;
    this.#notifier.show(title, news.text, tag, () => this.select(room.id));
  }

  get phase(): Phase {
    return this.#phase;
  }
  get setupError(): string | null {
    return this.#setupError;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get rooms(): RoomState[] {
    return this.#rooms;
  }
  get activeId(): string | null {
    return this.#activeId;
  }
  get listError(): string | null {
    // Offline, whatever failed failed for that: no address or server is to blame.
    if (this.#listError !== null && !this.#online) return OFFLINE_ROOM_LIST;
    return this.#listError;
  }
  get joinError(): string | null {
    return this.#joinError;
  }
  /** Why settings and cursors may not survive a reload, if they may not. */
  get storageProblem(): string | null {
    return this.#options.storage.problem;
  }

  /** Starts with saved settings, if any; otherwise the first-run form shows. */
  resume(initialRoom: string | null = null): void {
    if (!this.settings.saved) return;
    this.#start(this.settings.current, initialRoom);
  }

  /**
   * Checks the servers with these settings, then saves them and (re)starts the chat.
   * `discardUnsent`: the unsent messages these settings leave behind (see unsentSetAside) go.
   */
  async connect(
    settings: ChatSettings,
    initialRoom: string | null = null,
    { discardUnsent = false }: { discardUnsent?: boolean } = {},
  ): Promise<boolean> {
    this.#busy = true;
    this.#setupError = null;
    const fail = (problem: string): boolean => {
      this.#setupError = problem;
      this.#busy = false;
      return false;
    };
    const parsed = parseServerList(settings.serverUrl, settings.apiKey);
    if (!parsed.ok) return fail(parsed.error);
    const next = { ...settings, userId: settings.userId.trim() };
    // Every server must answer: a wrong address or key is named now, not found out later.
    const problems = await Promise.all(
      parsed.servers.map(async (server) => {
        try {
          await this.#makeRest(server).listRooms();
          return null;
        } catch (error) {
          // A key limited to some rooms may not list them all: chatting can still work.
          if (error instanceof SynapError && error.kind === 'forbidden') return null;
          return describeServerError(error, server, { online: this.#online });
        }
      }),
    );
    const problem = problems.find((text) => text !== null);
    if (problem) return fail(problem);
    const previous = this.settings.current;
    const setAside = this.unsentSetAside(next);
    // Through the first-run form: the user asked to start, so they land in a room.
    const firstRunForm = !this.settings.saved;
    this.settings.save(next);
    const sameChat =
      this.#servers.length > 0 &&
      (['serverUrl', 'apiKey', 'userId', 'roomPrefix'] as const).every(
        (field) => previous[field] === next[field],
      );
    // Nothing that the rooms depend on changed: keep them (and their unsent messages).
    if (!sameChat) {
      if (setAside && discardUnsent) this.#discardUnsent(setAside, previous.userId);
      if (this.#servers.length > 0) this.#carryOver(previous, next);
      // Goodbyes go out without waiting: the old server may be why the settings changed.
      void this.#stopAll('keepalive');
      this.#start(next, initialRoom ?? this.#activeId, firstRunForm);
    }
    this.#phase = 'chat';
    this.#busy = false;
    return true;
  }

  /**
   * The unsent messages that saving `next` would leave stored for the old server or prefix
   * (the rooms do not go with such a change); null when none would be.
   */
  unsentSetAside(next: ChatSettings): UnsentSetAside | null {
    if (this.#servers.length === 0) return null;
    const previous = this.settings.current;
    const reason = setAsideReason(
      { servers: this.#serverEntries, roomPrefix: previous.roomPrefix },
      { servers: this.#entriesOf(next), roomPrefix: next.roomPrefix },
    );
    const rooms = this.#rooms.map((room) => ({
      roomId: room.id,
      serverUrl: room.serverUrl,
      count: this.#unsentIn(room, previous.userId).length,
    }));
    return unsentSetAside(rooms, reason);
  }

  /** The servers of the list, as the status line and room details name them. */
  get servers(): readonly string[] {
    return this.#serverEntries.map((server) => server.url);
  }

  /** The user gave this server of the list an API key. */
  hasApiKey(serverUrl: string): boolean {
    return (this.#serverEntries.find((entry) => entry.url === serverUrl)?.apiKey ?? '') !== '';
  }

  /** Rooms listed by a server that does not own them by the placement: id → that server. */
  get misplaced(): Readonly<Record<string, string>> {
    return this.#misplaced;
  }

  /** Servers whose rooms cannot reach them, with those rooms (several servers only). */
  readonly unhealthyServers: UnhealthyServer[] = $derived(
    this.#serverEntries.length < 2 ? [] : unhealthyServers(this.#rooms),
  );

  /**
   * "Forget this device": says goodbye in every room, then removes everything this app keeps
   * in the browser (settings, API key, theme, joined rooms, cursors, read markers, drafts,
   * unsent messages, cached history, the sent log, notification and transport choices, the
   * device id) and goes back to the first-run form. `goodbye: false` when another tab of this
   * browser did it (it said goodbye for the device already).
   */
  async forgetDevice(goodbye = true): Promise<void> {
    this.drafts.flush();
    // Said here, for the device: the room links say it only for the last tab (see farewell.ts).
    const { userId } = this.settings.current;
    if (goodbye && this.#online && userId) {
      for (const room of this.#rooms) {
        const server = this.#serverOf(room.id);
        if (server) void sayGoodbye(server.rest, room.stream, userId);
      }
    }
    await this.#stopAll('none');
    this.#sentLog.clear();
    this.#options.storage.removeAll(FORGET_PREFIX);
    this.settings.reload();
    this.#notificationPreferences = new NotificationPreferences(this.#options.storage);
    this.#notificationsOn = false;
    this.#notifyLevels = {};
    this.#activeId = null;
    this.#serverRooms = [];
    this.#listError = null;
    this.#joinError = null;
    this.#setupError = null;
    this.#phase = 'setup';
  }

  /** Back to the settings form (keeps the chat running until new settings are applied). */
  openSettings(): void {
    this.#phase = 'setup';
  }

  closeSettings(): void {
    if (this.#servers.length > 0) this.#phase = 'chat';
  }

  join(id: string): void {
    const problem = roomIdProblem(id);
    this.#joinError = problem;
    if (problem) return;
    if (!this.#rooms.some((room) => room.id === id)) {
      const room = this.#createRoom(id, !this.#serverRooms.includes(id));
      if (!room) return;
      this.#rooms = [...this.#rooms, room];
      this.#saveJoined();
      room.start();
    }
    this.select(id);
  }

  select(id: string): void {
    if (!this.#rooms.some((room) => room.id === id)) return;
    this.#activeId = id;
    for (const room of this.#rooms) room.setActive(room.id === id, this.#visible);
    if (typeof location !== 'undefined' && location.hash !== hashForRoom(id)) {
      history.replaceState(null, '', hashForRoom(id));
    }
  }

  /** `save`: false when following another tab, which stored the list already. */
  async leave(id: string, save = true): Promise<void> {
    const room = this.#rooms.find((candidate) => candidate.id === id);
    if (!room) return;
    this.#rooms = this.#rooms.filter((candidate) => candidate !== room);
    if (save) this.#saveJoined();
    if (this.#activeId === id) {
      const next = this.#rooms[0];
      if (next) this.select(next.id);
      else {
        this.#activeId = null;
        // Otherwise a reload (or following the same link) would join the room again.
        if (typeof location !== 'undefined' && location.hash) {
          history.replaceState(null, '', location.pathname + location.search);
        }
      }
    }
    await room.leave();
    void this.refreshRoomList();
  }

  /** Every server's rooms, as one list; a room on a server that does not own it is flagged. */
  async refreshRoomList(): Promise<void> {
    const servers = this.#servers;
    const entries = this.#serverEntries;
    if (servers.length === 0) return;
    const { roomPrefix } = this.settings.current;
    const answers = await Promise.all(
      servers.map(async (server) => {
        try {
          const ids = roomIdsFromStreams(roomPrefix, await server.rest.listRooms());
          return { url: server.url, ids, error: null };
        } catch (error) {
          const text =
            error instanceof SynapError && error.kind === 'forbidden'
              ? `${server.url}: this API key may not list the rooms; join a room by its name.`
              : describeServerError(
                  error,
                  entries.find((entry) => entry.url === server.url) ?? {
                    url: server.url,
                    apiKey: '',
                  },
                  { online: this.#online },
                );
          return { url: server.url, ids: [] as string[], error: text };
        }
      }),
    );
    if (servers !== this.#servers) return;
    const merged = mergeRoomLists(answers, (id) => this.#serverOf(id)?.url ?? null);
    this.#serverRooms = merged.ids;
    this.#misplaced = merged.misplaced;
    const errors = answers.flatMap((answer) => (answer.error ? [answer.error] : []));
    // One server: its problem as before. Several: the others' rooms are still listed.
    this.#listError =
      errors.length === 0 ? null : servers.length === 1 ? (errors[0] ?? null) : errors.join(' ');
  }

  /** The page is hidden or shown: messages only count as read while it is seen. */
  setVisible(visible: boolean): void {
    this.#visible = visible;
    // Notifications may have been allowed or blocked in the browser's settings meanwhile.
    if (visible) this.refreshNotificationPermission();
    for (const room of this.#rooms) room.setActive(room.id === this.#activeId, visible);
  }

  /** The page is closing: say goodbye in every room (keepalive requests outlive the page). */
  pageHidden(): void {
    const { userId } = this.settings.current;
    if (!userId) return;
    this.drafts.flush();
    const goodbye = closingGoodbye(this.#online);
    for (const room of this.#rooms) void room.stop(goodbye);
    // Another tab takes the connections over.
    for (const server of this.#servers) server.release();
  }

  /** Back from the back-forward cache: pick up where pagehide stopped. */
  pageShown(): void {
    if (this.#phase === 'chat' || this.#servers.length > 0) {
      this.#start(this.settings.current, this.#activeId);
    }
  }

  /** A `#/room/{id}` link was followed. */
  openHash(hash: string): void {
    if (this.#servers.length === 0 || !hash.startsWith('#/room/')) return;
    const id = roomIdFromHash(hash);
    if (id) this.join(id);
    // Said where the join form's problems are said; the name itself is not repeated.
    else this.#joinError = 'That room link cannot be opened: the room name in it is not valid.';
  }

  /** Another tab of this browser changed something stored: the joined rooms follow it. */
  storageChanged(key: string | null, newValue: string | null): void {
    if (this.#servers.length === 0) return;
    const next = joinedChange(this.settings.current, key, newValue);
    if (next) this.#followJoined(next);
  }

  dispose(): void {
    this.#unwatchNetwork();
    void this.#stopAll('none');
  }

  // --- internals ----------------------------------------------------------------------
  #makeRest(server: ServerEntry): SynapRest {
    return new SynapRest({
      baseUrl: server.url,
      apiKey: server.apiKey,
      // The page is (almost always) on another origin than Synap: see SynapRestOptions.
      apiKeyIn: 'query',
      ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
    });
  }

  /** The servers of these settings; none if they are not valid (the form then shows). */
  #entriesOf(settings: ChatSettings): ServerEntry[] {
    const parsed = parseServerList(settings.serverUrl, settings.apiKey);
    return parsed.ok ? parsed.servers : [];
  }

  /** The server that owns the room `id` (by its stream name: see placement.ts). */
  #serverOf(id: string): ServerConnection | null {
    if (this.#serverEntries.length === 0) return null;
    const stream = streamName(this.settings.current.roomPrefix, id);
    const { url } = serverForRoom(stream, this.#serverEntries);
    return this.#servers.find((server) => server.url === url) ?? null;
  }

  /**
   * The same chat under new settings: the display name changed, or servers were added to or
   * removed from the list (one of them stays). The joined rooms and their drafts go with it,
   * and a room whose server changed remembers where it was, to show that history first.
   */
  #carryOver(previous: ChatSettings, next: ChatSettings): void {
    const before = this.#entriesOf(previous);
    const after = this.#entriesOf(next);
    // The same rule as the question Settings asks about unsent messages (unsent-set-aside.ts).
    const was = { servers: before, roomPrefix: previous.roomPrefix };
    if (!carriesRooms(was, { servers: after, roomPrefix: next.roomPrefix })) return;
    if (previous.userId === next.userId && previous.serverUrl === next.serverUrl) return;
    this.drafts.flush();
    const storage = this.#options.storage;
    storage.setJson(
      this.#joinedKey(next),
      this.#rooms.map((room) => room.id),
    );
    for (const { stream } of this.#rooms) {
      const from = serverForRoom(stream, before);
      const to = serverForRoom(stream, after);
      const draft = this.drafts.get(from.url, stream, previous.userId);
      if (draft && !this.drafts.get(to.url, stream, next.userId)) {
        this.drafts.set(to.url, stream, next.userId, draft);
      }
      // Unsent messages go with the room too, to be sent under the new name, on its server.
      const unsentBefore = outboxKey(from.url, stream, previous.userId);
      const unsentAfter = outboxKey(to.url, stream, next.userId);
      const unsent = storage.getJson(unsentBefore);
      if (
        unsentBefore !== unsentAfter &&
        unsent !== null &&
        storage.getJson(unsentAfter) === null
      ) {
        storage.setJson(unsentAfter, unsent);
        storage.remove(unsentBefore);
      }
      if (from.url === to.url) continue;
      storage.setJson(this.#movedKey(to.url, stream), { from: from.url });
      if (!after.some((server) => server.url === from.url)) {
        // Not kept anywhere (keys are only stored if the user asked): for this session.
        this.#retiredKeys[from.url] = from.apiKey;
      }
    }
    this.drafts.flush();
  }

  /** The room's messages waiting to be sent, as stored (shared by this browser's tabs). */
  #unsentIn(room: RoomState, userId: string) {
    const key = outboxKey(room.serverUrl, room.stream, userId);
    return readOutgoing(this.#options.storage.getJson(key));
  }

  /** The user chose to discard what new settings leave behind: out of the outboxes and storage. */
  #discardUnsent(setAside: UnsentSetAside, userId: string): void {
    for (const { roomId } of setAside.rooms) {
      const room = this.#rooms.find((candidate) => candidate.id === roomId);
      if (!room) continue;
      for (const { clientId } of this.#unsentIn(room, userId)) room.discard(clientId);
      this.#options.storage.remove(outboxKey(room.serverUrl, room.stream, userId));
    }
  }

  #movedKey(serverUrl: string, stream: string): string {
    return `${MOVED_KEY}${JSON.stringify([serverUrl, stream])}`;
  }

  /** Where the room lived before the server list changed, if it moved. */
  #movedFrom(server: ServerConnection, stream: string): MovedFrom | null {
    const stored = this.#options.storage.getJson(this.#movedKey(server.url, stream));
    const from = (stored as { from?: unknown } | null)?.from;
    if (typeof from !== 'string' || from === server.url) return null;
    const apiKey =
      this.#serverEntries.find((entry) => entry.url === from)?.apiKey ??
      this.#retiredKeys[from] ??
      '';
    const rest = this.#makeRest({ url: from, apiKey });
    const subscriberId = this.#subscriberId;
    return {
      url: from,
      consume: (fromOffset, limit) => rest.consume(stream, subscriberId, fromOffset, limit),
      stats: () => rest.stats(stream),
    };
  }

  #joinedKey(settings: ChatSettings): string {
    return joinedKey(settings);
  }

  #saveJoined(): void {
    this.#options.storage.setJson(
      this.#joinedKey(this.settings.current),
      this.#rooms.map((room) => room.id),
    );
  }

  /** The rooms joined last time; null if none were ever saved here (a first run). */
  #loadJoined(settings: ChatSettings): string[] | null {
    return readJoined(this.#options.storage.getJson(this.#joinedKey(settings)));
  }

  /** Joins and leaves what another tab did (nothing is written back: it is stored already). */
  #followJoined(ids: readonly string[]): void {
    const { join, leave } = followJoined(
      this.#rooms.map((room) => room.id),
      ids,
    );
    for (const id of leave) void this.leave(id, false);
    for (const id of join) {
      const room = this.#createRoom(id, !this.#serverRooms.includes(id));
      if (!room) continue;
      this.#rooms = [...this.#rooms, room];
      room.start();
      room.setActive(false, this.#visible);
    }
  }

  #start(settings: ChatSettings, initialRoom: string | null, firstRunForm = false): void {
    void this.#stopAll('none');
    const entries = this.#entriesOf(settings);
    if (entries.length === 0) {
      // Stored settings no longer valid (edited by hand, say): the form says what is wrong.
      this.#phase = 'setup';
      return;
    }
    this.#subscriberId = subscriberIdFor(settings.userId, deviceId(this.#options.storage));
    this.#serverEntries = entries;
    this.#servers = entries.map((entry) => this.#connect(entry, settings));
    this.#misplaced = {};
    this.#phase = 'chat';
    this.#setupError = null;
    const stored = this.#loadJoined(settings);
    // Only a first run lands in a room unasked: someone who left every room stays out on a
    // reload, but whoever fills in the first-run form (again) lands somewhere to talk.
    const firstRun = stored === null || (firstRunForm && stored.length === 0);
    const joined = firstRun ? [initialRoom ?? DEFAULT_ROOM_ID] : stored;
    this.#rooms = joined
      .map((id) => this.#createRoom(id, firstRun))
      .filter((room) => room !== null);
    for (const room of this.#rooms) room.start();
    this.#saveJoined();
    const target = initialRoom ?? this.#activeId ?? this.#rooms[0]?.id ?? null;
    if (target) this.join(target);
    void this.refreshRoomList();
    this.#listTimer = setInterval(() => void this.refreshRoomList(), ROOM_LIST_REFRESH_MS);
  }

  #connect(entry: ServerEntry, settings: ChatSettings): ServerConnection {
    const options = this.#options;
    const WebSocket =
      options.WebSocket !== undefined
        ? options.WebSocket
        : ((globalThis.WebSocket as WebSocketConstructor | undefined) ?? null);
    const locks =
      options.locks !== undefined
        ? options.locks
        : ((globalThis.navigator as { locks?: LocksLike } | undefined)?.locks ?? null);
    const Channel =
      options.BroadcastChannel !== undefined
        ? options.BroadcastChannel
        : ((globalThis.BroadcastChannel as ChannelConstructor | undefined) ?? null);
    return new ServerConnection({
      url: entry.url,
      apiKey: entry.apiKey,
      userId: settings.userId,
      subscriberId: this.#subscriberId,
      storage: options.storage,
      cursors: this.#cursors,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      WebSocket,
      network: options.network ?? null,
      locks,
      BroadcastChannel: Channel,
      ...(options.livenessIntervalMs ? { livenessIntervalMs: options.livenessIntervalMs } : {}),
      // Probe with a room of this server, the one on screen if it is: nothing is replayed.
      probeRoom: () => {
        const mine = this.#rooms.filter((room) => room.serverUrl === entry.url);
        const room = mine.find((candidate) => candidate.id === this.#activeId) ?? mine[0];
        return room ? { stream: room.stream, nextOffset: room.nextOffset } : null;
      },
    });
  }

  #createRoom(id: string, createFirst = false): RoomState | null {
    const server = this.#serverOf(id);
    if (!server) return null;
    const settings = this.settings.current;
    return new RoomState(id, {
      rest: server.rest,
      serverUrl: server.url,
      userId: settings.userId,
      subscriberId: this.#subscriberId,
      prefix: settings.roomPrefix,
      readMarkers: this.#readMarkers,
      storage: this.#options.storage,
      sentLog: this.#sentLog,
      drafts: this.drafts,
      link: (stream) => server.link(stream, createFirst),
      movedFrom: this.#movedFrom(server, streamName(settings.roomPrefix, id)),
      onNews: (news) => {
        const room = this.#rooms.find((candidate) => candidate.id === id);
        if (room) this.#tellNews(room, news);
      },
    });
  }

  async #stopAll(goodbye: 'none' | 'keepalive'): Promise<void> {
    if (this.#listTimer) clearInterval(this.#listTimer);
    this.#listTimer = null;
    const rooms = this.#rooms;
    this.#rooms = [];
    const stopping = Promise.all(rooms.map((room) => room.stop(goodbye)));
    for (const server of this.#servers) server.stop();
    this.#servers = [];
    this.#serverEntries = [];
    await stopping;
  }
}

const [getChatApp, setChatApp] = createContext<ChatApp>();

/** Puts the app state in context for the component tree. */
export function provideChatApp(app: ChatApp): ChatApp {
  return setChatApp(app);
}

export function useChatApp(): ChatApp {
  return getChatApp();
}
