// One joined room: its timeline, unread count, typing, presence and connection, fed by a
// RoomFeed (live) and REST history (past), and the user's commands back to Synap.
import type { ChatMessage, HistoryStatus, OnlineUser, TimelineEntry } from '../lib/chat-model';
import {
  decodeChatEvent,
  messagePublication,
  presencePublication,
  typingPublication,
  type ChatEvent,
  type Publication,
} from '../lib/chat-events';
import { CoalescedWrite } from '../lib/coalesced-write';
import type { CursorStore, RoomCursor } from '../lib/cursor-store';
import { loadHistory } from '../lib/history';
import type { NetworkMonitor } from '../lib/network-monitor';
import { Outbox, readOutgoing, type OutgoingMessage } from '../lib/outbox';
import { PRESENCE_HEARTBEAT_MS, PresenceTracker } from '../lib/presence-tracker';
import { RoomFeed, type FeedState } from '../lib/room-feed';
import type { WebSocketConstructor } from '../lib/socket-transport';
import type { TransportPolicy } from '../lib/transport-policy';
import { streamName } from '../lib/room-names';
import type { SafeStorage } from '../lib/safe-storage';
import { looksLike, nameSkeleton } from '../lib/display-names';
import type { SentLog } from '../lib/sent-log';
import { TimelineModel } from '../lib/timeline-model';
import { readTail, tailOf } from '../lib/timeline-tail';
import {
  SynapError,
  publishToRoom,
  type RoomStats,
  type StreamEvent,
  type SynapRest,
} from '../lib/synap-rest';
import { TypingTracker } from '../lib/typing-tracker';

/** Messages shown at once when a room opens. */
export const INITIAL_HISTORY_MESSAGES = 50;
/** Messages added per "load earlier" step. */
export const OLDER_PAGE_MESSAGES = 50;
/**
 * One history load never scans more events than this: Synap keeps 10,000 per room, and typing
 * and presence may be most of them, so the last messages are found wherever they are.
 */
export const MAX_HISTORY_SCAN_EVENTS = 10_000;
/** Typing and presence expire on the clock, so the room re-reads them this often. */
const CLOCK_TICK_MS = 1_000;
/** The cached tail of the timeline (for an instant reload) is written at most this often. */
const TAIL_WRITE_INTERVAL_MS = 2_000;
/** A hidden page gets no animation frames: its timeline is published this often instead. */
const HIDDEN_FLUSH_MS = 250;
/** Notices kept on screen; older ones go. */
const MAX_NOTICES = 3;
/** Room info on screen follows new events, re-reading stats at most this often. */
const STATS_REFRESH_MS = 2_000;

export interface RoomDeps {
  rest: SynapRest;
  serverUrl: string;
  userId: string;
  subscriberId: string;
  prefix: string;
  cursors: CursorStore;
  readMarkers: CursorStore;
  /** Keeps unsent messages across reloads. */
  storage: SafeStorage;
  /** The room is probably new: create it before reading it (see RoomFeedOptions). */
  createFirst?: boolean;
  network?: NetworkMonitor | null;
  WebSocket?: WebSocketConstructor | null;
  /** The server's transport choice, shared by its rooms. */
  policy?: TransportPolicy;
  /** The client message ids this device sent: only those messages are "You". */
  sentLog?: SentLog;
  livenessIntervalMs?: number;
  now?: () => number;
}

export interface RoomNotice {
  id: string;
  kind: 'gap' | 'reset' | 'error';
  text: string;
}

type Source = 'history' | 'replay' | 'live';

function isMessageEvent(event: StreamEvent): boolean {
  return event.event === 'message';
}

export class RoomState {
  readonly id: string;
  readonly stream: string;
  readonly #deps: RoomDeps;
  readonly #now: () => number;
  readonly #feed: RoomFeed;
  readonly #outbox: Outbox;
  readonly #outboxKey: string;
  readonly #typing: TypingTracker;
  readonly #presence: PresenceTracker;

  /** The model's entries as last published (at most once per animation frame). */
  #entries = $state.raw<readonly TimelineEntry[]>([]);
  #outgoing = $state.raw<readonly OutgoingMessage[]>([]);
  #connection = $state.raw<FeedState>({ kind: 'idle' });
  #typers = $state.raw<string[]>([]);
  #online = $state.raw<OnlineUser[]>([]);
  #unread = $state(0);
  #dividerOffset = $state<number | null>(null);
  #notices = $state.raw<RoomNotice[]>([]);
  #stats = $state.raw<RoomStats | null>(null);
  #hasOlder = $state(false);
  #loadingOlder = $state(false);
  #historyError = $state<string | null>(null);
  /** The room's first read from the server is done (for this generation). */
  #historyReady = $state(false);
  #historyScanned = $state(0);
  /** What the first read asked for, to ask again after it failed. */
  #initialLoad: { before: number; reachBackTo: number } | null = null;
  #earliestOffset = $state(0);
  #malformed = $state(0);
  #active = $state(false);

  readonly timeline: TimelineEntry[] = $derived([
    ...this.#entries,
    ...this.#outgoing.map((item): ChatMessage => this.#pendingEntry(item)),
  ]);

  /** Whether the room's recent messages are there yet, and why not. */
  readonly historyStatus: HistoryStatus = $derived.by((): HistoryStatus => {
    if (this.#historyReady) return { kind: 'ready' };
    if (this.#historyError) return { kind: 'failed', message: this.#historyError };
    const connection = this.#connection;
    switch (connection.kind) {
      case 'reconnecting':
        return { kind: 'failed', message: connection.reason };
      case 'offline':
        return { kind: 'failed', message: 'the network is offline' };
      case 'unauthorized':
      case 'failed':
        return { kind: 'failed', message: connection.message };
      default:
        return { kind: 'loading', scannedEvents: this.#historyScanned };
    }
  });

  readonly #model = new TimelineModel();
  /** The first name seen per look-alike skeleton: later different names with it are marked. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #namesBySkeleton = new Map<string, string>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #lookalikes = new Map<string, boolean>();
  /** Whether the reader follows the newest messages (only then may old ones be dropped). */
  #following = false;
  #flushPending = false;
  /** Typing or presence changed: recomputed once per published frame, not once per event. */
  #clockStateStale = false;
  /** When this user last published anything here (presence included). */
  #lastPublishedMs = Number.NEGATIVE_INFINITY;
  readonly #cursorWrite: CoalescedWrite<RoomCursor>;
  readonly #readMarkerWrite: CoalescedWrite<RoomCursor>;
  readonly #tailKey: string;
  /** Writes the newest entries of this generation for the next page load. */
  readonly #tailWrite: CoalescedWrite<number>;
  /** The generation of the tail painted at load, until the server confirms or denies it. */
  #tailGeneration: number | null = null;
  /**
   * Client ids of messages this page showed as pending: their rows keep one key (the client
   * id) from pending to confirmed, so the row is updated in place, never remounted.
   */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #localClientIds = new Set<string>();
  #noticeCount = 0;
  /** Events counted in the gap notice on screen. */
  #gapLost: number | null = null;
  #generation: number | null = null;
  #historyBefore: number | null = null;
  #historyFor: number | null = null;
  #visible = true;
  #timers: ReturnType<typeof setInterval>[] = [];
  #statsTimer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;

  constructor(id: string, deps: RoomDeps) {
    this.id = id;
    this.stream = streamName(deps.prefix, id);
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#typing = new TypingTracker(deps.userId);
    this.#presence = new PresenceTracker(deps.userId, { now: this.#now });
    this.#online = this.#presence.online();
    const { cursors, readMarkers, serverUrl, subscriberId } = deps;
    this.#cursorWrite = new CoalescedWrite((cursor) =>
      cursors.set(serverUrl, this.stream, subscriberId, cursor),
    );
    this.#readMarkerWrite = new CoalescedWrite((marker) =>
      readMarkers.set(serverUrl, this.stream, subscriberId, marker),
    );
    this.#tailKey = `synap-chat:tail:${JSON.stringify([serverUrl, this.stream, deps.userId])}`;
    this.#tailWrite = new CoalescedWrite(
      (generation) => deps.storage.setJson(this.#tailKey, tailOf(generation, this.#model.entries)),
      TAIL_WRITE_INTERVAL_MS,
    );
    this.#paintCachedTail();
    this.#outbox = new Outbox(
      (message) =>
        publishToRoom(
          deps.rest,
          this.stream,
          messagePublication(deps.userId, message.text, message.clientId, message.createdAtMs),
        ),
      this.#now,
      (error) =>
        error instanceof SynapError &&
        (error.kind === 'forbidden' ||
          error.kind === 'unauthorized' ||
          error.kind === 'bad_request'),
    );
    const outboxKey = `synap-chat:outbox:${JSON.stringify([deps.serverUrl, this.stream, deps.userId])}`;
    this.#outboxKey = outboxKey;
    this.#outbox.on('stored', ({ message, offset }) => this.#addStored(message, offset));
    this.#outbox.on('change', (items) => {
      for (const item of items) {
        this.#localClientIds.add(item.clientId);
        deps.sentLog?.add(item.clientId);
      }
      this.#outgoing = items;
      if (items.length > 0) deps.storage.setJson(outboxKey, items);
      else deps.storage.remove(outboxKey);
    });
    this.#outbox.restore(readOutgoing(deps.storage.getJson(outboxKey)));
    this.#feed = new RoomFeed({
      rest: deps.rest,
      room: this.stream,
      subscriberId: deps.subscriberId,
      cursor: deps.cursors.get(deps.serverUrl, this.stream, deps.subscriberId),
      network: deps.network ?? null,
      createFirst: deps.createFirst ?? false,
      ...(deps.WebSocket !== undefined ? { WebSocket: deps.WebSocket } : {}),
      ...(deps.policy ? { policy: deps.policy } : {}),
      ...(deps.livenessIntervalMs ? { livenessIntervalMs: deps.livenessIntervalMs } : {}),
    });
    this.#wireFeed();
  }

  // --- what the components read -------------------------------------------------------
  get connection(): FeedState {
    return this.#connection;
  }
  get typers(): string[] {
    return this.#typers;
  }
  get online(): OnlineUser[] {
    return this.#online;
  }
  get unread(): number {
    return this.#unread;
  }
  get dividerOffset(): number | null {
    return this.#dividerOffset;
  }
  get notices(): RoomNotice[] {
    return this.#notices;
  }
  get stats(): RoomStats | null {
    return this.#stats;
  }
  get hasOlder(): boolean {
    return this.#hasOlder;
  }
  get loadingOlder(): boolean {
    return this.#loadingOlder;
  }
  get historyError(): string | null {
    return this.#historyError;
  }
  /** Earliest offset the server still holds; above 0, older messages are gone. */
  get earliestOffset(): number {
    return this.#earliestOffset;
  }
  /** Events skipped because they could not be read. */
  get malformed(): number {
    return this.#malformed;
  }
  get active(): boolean {
    return this.#active;
  }
  /** Where the live feed stands (the next offset it will deliver), once known. */
  get nextOffset(): number | null {
    return this.#feed.nextOffset;
  }

  // --- lifecycle ----------------------------------------------------------------------
  start(): void {
    this.#feed.start();
    // Announce once the room surely exists (the feed creates a missing one).
    const announceOnce = this.#feed.on('ready', () => {
      announceOnce();
      void this.#announce('joined');
    });
    this.#timers.push(
      setInterval(() => this.#refreshClockState(), CLOCK_TICK_MS),
      setInterval(() => this.#heartbeat(), PRESENCE_HEARTBEAT_MS),
    );
  }

  /** Stops everything; `goodbye` says user_left first (with keepalive when the page closes). */
  stop(goodbye: 'none' | 'await' | 'keepalive' = 'none'): Promise<void> {
    this.#stopped = true;
    this.#feed.stop();
    // A closing page writes where it stood at once.
    this.#cursorWrite.flush();
    this.#readMarkerWrite.flush();
    this.#tailWrite.flush();
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    if (this.#statsTimer) clearTimeout(this.#statsTimer);
    if (goodbye === 'none') return Promise.resolve();
    return this.#announce('left', false, goodbye === 'keepalive');
  }

  /** Leaving forgets where we were: a later join starts fresh. */
  async leave(): Promise<void> {
    await this.stop('await');
    this.#cursorWrite.cancel();
    this.#readMarkerWrite.cancel();
    this.#tailWrite.cancel();
    this.#deps.storage.remove(this.#tailKey);
    const { cursors, readMarkers, serverUrl, subscriberId } = this.#deps;
    cursors.delete(serverUrl, this.stream, subscriberId);
    readMarkers.delete(serverUrl, this.stream, subscriberId);
    this.#deps.storage.remove(this.#outboxKey);
  }

  /** The room is the one on screen (or not); `visible` is the page's visibility. */
  setActive(active: boolean, visible: boolean): void {
    // Coming into view (a room switch, or back to the tab): mark where the user left off.
    const comingIntoView = active && visible && !(this.#active && this.#visible);
    this.#active = active;
    this.#visible = visible;
    this.#feed.setAttention(!visible ? 'hidden' : active ? 'foreground' : 'background');
    if (comingIntoView) {
      this.#model.cameIntoView();
      this.#dividerOffset = this.#model.dividerOffset;
    }
    if (active && visible) this.markRead();
    this.#scheduleFlush();
  }

  /** The reader is at the newest messages (or scrolled away from them). */
  setFollowing(following: boolean): void {
    this.#following = following;
    if (following) this.#scheduleFlush();
  }

  retryNow(): void {
    this.#feed.retryNow();
  }

  dismissNotice(id: string): void {
    this.#notices = this.#notices.filter((notice) => notice.id !== id);
  }

  // --- user commands ------------------------------------------------------------------
  send(text: string): void {
    this.#lastPublishedMs = this.#now();
    this.#outbox.send(text);
    // Replies tend to follow: a polled room looks sooner.
    this.#feed.wake();
  }

  /** Sends an unsent message again, by its client message id. */
  retry(clientId: string): void {
    this.#outbox.retry(clientId);
  }

  discard(clientId: string): void {
    this.#outbox.discard(clientId);
  }

  setTyping(isTyping: boolean): void {
    void this.#publishQuietly(typingPublication(this.#deps.userId, isTyping, this.#now()));
  }

  markRead(): void {
    const next = this.#feed.nextOffset;
    if (next === null || this.#generation === null) return;
    this.#model.setReadOffset(next);
    this.#unread = 0;
    this.#readMarkerWrite.set({ generation: this.#generation, nextOffset: next });
  }

  async refreshStats(): Promise<void> {
    try {
      this.#stats = await this.#deps.rest.stats(this.stream);
    } catch {
      // The connection status already tells the user when the server is unreachable.
    }
  }

  #scheduleStatsRefresh(): void {
    if (this.#statsTimer || this.#stopped) return;
    this.#statsTimer = setTimeout(() => {
      this.#statsTimer = null;
      if (!this.#stopped) void this.refreshStats();
    }, STATS_REFRESH_MS);
  }

  /** "Try again" where messages could not be loaded: the first read, or the connection. */
  retryHistory(): void {
    const initial = this.#initialLoad;
    if (this.#historyError && initial) {
      void this.#loadHistory(initial.before, INITIAL_HISTORY_MESSAGES, initial.reachBackTo);
    } else {
      this.#feed.retryNow();
    }
  }

  async loadOlder(): Promise<void> {
    if (this.#loadingOlder || !this.#hasOlder || this.#historyBefore === null) return;
    await this.#loadHistory(this.#historyBefore, OLDER_PAGE_MESSAGES, undefined, false);
  }

  // --- internals ----------------------------------------------------------------------
  #pendingEntry(item: OutgoingMessage): ChatMessage {
    return {
      type: 'message',
      key: `c${item.clientId}`,
      offset: null,
      userId: this.#deps.userId,
      text: item.text,
      sentAtMs: item.createdAtMs,
      own: true,
      status: item.status,
      clientId: item.clientId,
      ...(item.error ? { error: item.error } : {}),
      ...(item.status === 'failed' && !item.refused ? { willResend: true } : {}),
    };
  }

  #wireFeed(): void {
    const sub = this.#feed;
    const { serverUrl, subscriberId } = this.#deps;
    sub.on('state', ({ oldState, newState }) => {
      this.#connection = newState;
      if (newState.kind === 'live' && oldState.kind !== 'live') {
        // Back online: what failed to send on the way goes again, in order.
        this.#outbox.resendFailed();
        // What was missed came in before this (the catch-up): from here on the user sees it.
        this.#model.markDividerFrom(null);
      }
    });
    sub.on('cursor', (cursor) => this.#cursorWrite.set(cursor));
    sub.on('stats', (stats) => {
      this.#stats = stats;
      // The server answers: a send that failed in a hiccup while the room stayed live goes again.
      if (this.#connection.kind === 'live') this.#outbox.resendFailed();
    });
    sub.on('malformed', ({ count }) => (this.#malformed += count));
    sub.on('event', ({ event, live }) => {
      this.#apply(event, live ? 'live' : 'replay');
      // Backlog the socket delivers after a reload was missed, not seen as it came.
      if (!live) this.#model.missed(event.offset);
      if (this.#active && this.#visible) this.markRead();
      if (this.#active) this.#scheduleStatsRefresh();
      this.#scheduleFlush();
    });
    sub.on('gap', ({ fromOffset, toOffset, lost }) => {
      this.#model.addGap({
        type: 'gap',
        key: `gap${fromOffset}`,
        offset: fromOffset,
        toOffset,
        atMs: this.#now(),
      });
      this.#notifyGap(lost);
      this.#scheduleFlush();
    });
    sub.on('reset', () => {
      this.#model.clear();
      this.#unread = 0;
      this.#dividerOffset = null;
      this.#flush();
      this.#historyFor = null;
      this.#historyReady = false;
      this.#historyBefore = null;
      this.#hasOlder = false;
      this.#notify('reset', 'This room was reset by the server: its earlier history is gone');
    });
    sub.on('ready', ({ startOffset, earliestOffset, generation }) => {
      this.#generation = generation;
      this.#earliestOffset = earliestOffset;
      if (this.#tailGeneration !== null && this.#tailGeneration !== generation) {
        // The cached tail was of a room that no longer exists.
        this.#model.clear();
        this.#flush();
      }
      this.#tailGeneration = null;
      if (this.#historyFor === generation) return;
      this.#historyFor = generation;
      const { readMarkers } = this.#deps;
      const marker = readMarkers.get(serverUrl, this.stream, subscriberId);
      let readOffset = startOffset;
      if (marker && marker.generation === generation) {
        readOffset = Math.min(marker.nextOffset, startOffset);
      } else {
        // First visit (or a reset room): what is there now counts as read.
        readMarkers.set(serverUrl, this.stream, subscriberId, {
          generation,
          nextOffset: startOffset,
        });
      }
      this.#model.setReadOffset(readOffset);
      if (this.#active && this.#visible) this.#model.markDividerFrom(readOffset);
      void this.#loadHistory(startOffset, INITIAL_HISTORY_MESSAGES, readOffset);
    });
  }

  /** `exactly`: keep just the newest `minMessages` (opening a room), not the whole pages read. */
  async #loadHistory(
    before: number,
    minMessages: number,
    reachBackTo: number | undefined,
    exactly = true,
  ) {
    this.#loadingOlder = true;
    this.#historyError = null;
    const generation = this.#generation;
    const first = reachBackTo !== undefined;
    if (first) {
      this.#initialLoad = { before, reachBackTo };
      this.#historyScanned = 0;
    }
    try {
      const page = await loadHistory({
        ...(first ? { onProgress: (scanned: number) => (this.#historyScanned = scanned) } : {}),
        consume: (from, limit) => this.#feed.consume(from, limit),
        beforeOffset: before,
        earliestOffset: this.#earliestOffset,
        minMessages,
        ...(reachBackTo === undefined ? {} : { reachBackTo }),
        maxEvents: MAX_HISTORY_SCAN_EVENTS,
        countsAsMessage: isMessageEvent,
        trimToMinMessages: exactly,
      });
      if (this.#stopped || generation !== this.#generation) return;
      this.#malformed += page.malformed;
      for (const event of page.events) this.#apply(event, 'history');
      this.#model.loadedBackTo(page.before);
      this.#historyBefore = page.before;
      this.#hasOlder = !page.reachedStart;
      this.#earliestOffset = page.earliestOffset;
      if (reachBackTo !== undefined && this.#active && this.#visible) {
        // The room opened on screen: mark where the user left off, then count it as read.
        this.#model.placeDivider(reachBackTo);
        this.markRead();
      }
      if (first) this.#historyReady = true;
      this.#flush();
    } catch (error) {
      this.#historyError =
        error instanceof SynapError ? error.message : 'Could not load earlier messages';
      this.#hasOlder = true;
      this.#historyBefore ??= before;
    } finally {
      this.#loadingOlder = false;
    }
  }

  #apply(raw: StreamEvent, source: Source): void {
    // An event shown already (the cached tail, an own message confirmed by its publish answer)
    // is not shown twice, but still tells who is here.
    const known = this.#model.has(raw.offset);
    const decoded = decodeChatEvent(raw);
    if (!decoded.ok) {
      if (decoded.reason === 'malformed' && !known) this.#malformed += 1;
      return;
    }
    const event = decoded.event;
    // Replayed events happened in the past: their time is the server's, not our clock's.
    const seenAtMs = source === 'live' ? this.#now() : event.serverAtMs;
    switch (event.kind) {
      case 'message':
        this.#addMessage(event, seenAtMs, source);
        break;
      case 'typing':
        // Typing replayed from history is long over; only live typing is shown.
        if (source === 'live') {
          if (event.isTyping) this.#feed.noteActivity();
          this.#typing.update(event.userId, event.isTyping, this.#now());
          this.#presence.activity(event.userId, seenAtMs);
          this.#clockStateStale = true;
        }
        break;
      case 'joined': {
        const arrived = this.#presence.joined(event.userId, seenAtMs);
        // A second tab or a re-announce of someone already here is not news.
        if (!event.heartbeat && (arrived || source === 'history')) this.#addSystem(event, 'joined');
        this.#clockStateStale = true;
        break;
      }
      case 'left':
        this.#presence.left(event.userId, seenAtMs);
        if (source !== 'history') this.#typing.left(event.userId);
        this.#addSystem(event, 'left');
        this.#clockStateStale = true;
        break;
    }
  }

  #addMessage(
    event: Extract<ChatEvent, { kind: 'message' }>,
    seenAtMs: number,
    source: Source,
  ): void {
    const own = this.#sentFromHere(event.userId, event.clientId);
    if (source === 'live') this.#feed.noteActivity();
    if (source !== 'history') this.#typing.messageFrom(event.userId);
    this.#presence.activity(event.userId, seenAtMs);
    this.#model.addMessage({
      type: 'message',
      key: this.#messageKey(own, event.clientId, event.offset),
      offset: event.offset,
      userId: event.userId,
      text: event.text,
      sentAtMs: event.sentAtMs,
      own,
      status: 'confirmed',
      ...(event.clientId ? { clientId: event.clientId } : {}),
      ...(event.disguised || this.#isLookalike(event.userId) ? { lookalike: true } : {}),
    });
    // Its echo settles a message whose publish answer was lost; its row changes in place.
    if (own && event.clientId && this.#outbox.confirm(event.clientId)) this.#flush();
    this.#clockStateStale = true;
  }

  /** A message sent from this page was stored: it takes its place now; its echo is a duplicate. */
  #addStored(message: OutgoingMessage, offset: number): void {
    this.#model.addMessage({
      type: 'message',
      key: this.#messageKey(true, message.clientId, offset),
      offset,
      userId: this.#deps.userId,
      text: message.text,
      sentAtMs: message.createdAtMs,
      own: true,
      status: 'confirmed',
      clientId: message.clientId,
    });
    // In the same turn as the outbox lets go of it: the row changes in place, never blinks.
    this.#flush();
  }

  /** Anyone can use any name: "You" only for what this device can tell it sent. */
  #sentFromHere(userId: string, clientId: string | null | undefined): boolean {
    if (userId !== this.#deps.userId || !clientId) return false;
    return this.#localClientIds.has(clientId) || this.#deps.sentLog?.has(clientId) === true;
  }

  /**
   * Whether `userId` reads like the user's own name or another name seen here, but is not it.
   * The answer for a name never changes once given, so it is worked out once per name.
   */
  #isLookalike(userId: string): boolean {
    let lookalike = this.#lookalikes.get(userId);
    if (lookalike === undefined) {
      const skeleton = nameSkeleton(userId);
      const first = this.#namesBySkeleton.get(skeleton);
      if (first === undefined) this.#namesBySkeleton.set(skeleton, userId);
      lookalike = looksLike(userId, this.#deps.userId) || (first !== undefined && first !== userId);
      this.#lookalikes.set(userId, lookalike);
    }
    return lookalike;
  }

  /** One key per message for its whole life on this page (see #localClientIds). */
  #messageKey(own: boolean, clientId: string | null | undefined, offset: number): string {
    return own && clientId && this.#localClientIds.has(clientId) ? `c${clientId}` : `o${offset}`;
  }

  #addSystem(event: ChatEvent, kind: 'joined' | 'left'): void {
    this.#model.addSystem({
      type: 'system',
      key: `o${event.offset}`,
      offset: event.offset,
      kind,
      userId: event.userId,
      atMs: event.sentAtMs,
    });
  }

  /** Publishes the model to the view at the next animation frame: one render per frame. */
  #scheduleFlush(): void {
    if (this.#flushPending || this.#stopped) return;
    this.#flushPending = true;
    const run = () => {
      if (!this.#flushPending) return;
      this.#flush();
    };
    if (typeof requestAnimationFrame === 'function' && this.#visible) requestAnimationFrame(run);
    // Frames stop in a hidden page (and may never come in a background one).
    setTimeout(run, this.#visible ? HIDDEN_FLUSH_MS * 4 : HIDDEN_FLUSH_MS);
  }

  #flush(): void {
    this.#flushPending = false;
    // Dropping old entries is safe only where nobody reads them.
    if (!this.#active || this.#following) {
      if (this.#model.trim()) {
        this.#historyBefore = this.#model.trimmedBefore;
        this.#hasOlder = true;
      }
    }
    if (this.#clockStateStale) this.#refreshClockState();
    this.#entries = this.#model.entries;
    this.#unread = this.#model.unread;
    this.#dividerOffset = this.#model.dividerOffset;
    const generation = this.#generation ?? this.#tailGeneration;
    if (generation !== null && this.#model.size > 0) this.#tailWrite.set(generation);
  }

  /** Shows what the last page load saw at once; the feed then confirms it or resets it. */
  #paintCachedTail(): void {
    const tail = readTail(this.#deps.storage.getJson(this.#tailKey));
    if (!tail || tail.entries.length === 0) return;
    this.#tailGeneration = tail.generation;
    for (const entry of tail.entries) {
      if (entry.offset === null) continue;
      if (entry.type === 'message') {
        // Storage can be written by anyone with this origin: "You" is decided here again.
        const own = this.#sentFromHere(entry.userId, entry.clientId);
        const lookalike = entry.lookalike === true || this.#isLookalike(entry.userId);
        this.#model.addMessage({
          ...entry,
          offset: entry.offset,
          own,
          ...(lookalike ? { lookalike: true } : {}),
        });
      } else if (entry.type === 'system') this.#model.addSystem(entry);
    }
    this.#hasOlder = (tail.entries[0]?.offset ?? 0) > 0;
    this.#flush();
  }

  /** Losses reported in one go (e.g. a reconnect) add up in one notice. */
  #notifyGap(lost: number): void {
    const last = this.#notices.at(-1);
    const total = lost + (last?.kind === 'gap' ? (this.#gapLost ?? 0) : 0);
    if (last?.kind === 'gap') this.#notices = this.#notices.slice(0, -1);
    this.#gapLost = total;
    // Only the count of events is known: some were typing and presence, not messages.
    const events = total === 1 ? '1 event was' : `${total.toLocaleString()} events were`;
    this.#notify(
      'gap',
      `Some messages may be missing: ${events} dropped by the server before they could be read`,
    );
  }

  #notify(kind: RoomNotice['kind'], text: string): void {
    this.#noticeCount += 1;
    const notice = { id: `${kind}-${this.#noticeCount}`, kind, text };
    this.#notices = [...this.#notices, notice].slice(-MAX_NOTICES);
  }

  #refreshClockState(): void {
    this.#clockStateStale = false;
    const now = this.#now();
    const typers = this.#typing.active(now);
    if (typers.join('\n') !== this.#typers.join('\n')) this.#typers = typers;
    const online = this.#presence.online(now);
    const key = (users: OnlineUser[]) => users.map((user) => user.userId).join('\n');
    if (key(online) !== key(this.#online)) this.#online = online;
  }

  /**
   * Re-announces presence, unless something this user published lately proved it already:
   * Synap's 10,000-event ring is shared by messages and these.
   */
  #heartbeat(): void {
    if (this.#now() - this.#lastPublishedMs < PRESENCE_HEARTBEAT_MS - CLOCK_TICK_MS) return;
    void this.#announce('joined', true);
  }

  async #announce(kind: 'joined' | 'left', heartbeat = false, keepalive = false): Promise<void> {
    const publication = presencePublication(kind, this.#deps.userId, {
      heartbeat,
      nowMs: this.#now(),
    });
    // A goodbye must not re-create a room that someone deleted.
    await this.#publishQuietly(publication, { keepalive, createRoom: kind === 'joined' });
  }

  /** Typing and presence are best effort: a lost one is corrected by the next. */
  async #publishQuietly(
    publication: Publication,
    options: { keepalive?: boolean; createRoom?: boolean } = {},
  ): Promise<void> {
    this.#lastPublishedMs = this.#now();
    const { rest } = this.#deps;
    const keepalive = options.keepalive ?? false;
    try {
      if (options.createRoom === false) {
        await rest.publish(this.stream, publication.event, publication.data, { keepalive });
      } else {
        await publishToRoom(rest, this.stream, publication, { keepalive });
      }
    } catch {
      // Best effort by design.
    }
  }
}
