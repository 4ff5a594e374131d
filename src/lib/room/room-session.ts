// One joined room as the user sees it, in plain TypeScript: the timeline (live events from the
// RoomLink, history read over REST), unread and the "New messages" divider, typing, who is
// online, notices, room stats and the cached tail for an instant reload. Every change ends
// in one immutable RoomView, published at most once per animation frame for timeline work;
// RoomState (src/state/room.svelte.ts) only holds the latest view in $state.
//
// Owns: what is shown and when. Does not own: the connection, the outbox or presence
// announcements (RoomLink), nor which room is on screen (ChatApp tells it).
import type { ChatMessage, HistoryStatus, OnlineUser, TimelineEntry } from '../timeline/entries';
import { decodeChatEvent, type ChatEvent, type OutgoingIntent } from './chat-events';
import { CoalescedWrite } from '../device/coalesced-write';
import type { CursorStore, RoomCursor } from '../device/cursor-store';
import { LookalikeNames } from '../text/display-names';
import { mentions } from '../text/mentions';
import { NEWS_DELAY_MS, RoomNewsTeller, type RoomNews } from './news';
import { MOVE_LINE_OFFSET, readMovedHistory, shifted, type MovedFrom } from './moved-history';
import { annotationOfOutgoing, MessageFold } from './message-fold';
import { loadHistory } from './history-reader';
import type { OutgoingMessage } from './outbox';
import { PresenceTracker } from './presence-tracker';
import type { FeedState } from '../feed/room-feed';
import type { Goodbye, RoomLink } from './room-link';
import { RoomNotices, type RoomNotice } from './notices';
import type { SafeStorage } from '../device/safe-storage';
import type { SentLog } from './sent-log';
import type { SearchSource } from './room-search';
import { SynapError, type RoomStats, type StreamEvent, type SynapRest } from '../synap/rest';
import { TimelineModel } from '../timeline/timeline-model';
import { readTail, tailKey, tailOf } from '../timeline/timeline-tail';
import { TypingTracker } from './typing-tracker';

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
/** Room info on screen follows new events, re-reading stats at most this often. */
const STATS_REFRESH_MS = 2_000;

/** Everything a room shows, as one immutable snapshot. */
export interface RoomView {
  /** Stored entries, then the messages still on their way. */
  timeline: TimelineEntry[];
  connection: FeedState;
  typers: string[];
  online: OnlineUser[];
  unread: number;
  /** Unread messages that mention the user ("@name"). */
  mentions: number;
  dividerOffset: number | null;
  notices: RoomNotice[];
  stats: RoomStats | null;
  hasOlder: boolean;
  loadingOlder: boolean;
  historyError: string | null;
  /** Whether the room's recent messages are there yet, and why not. */
  historyStatus: HistoryStatus;
  /** Earliest offset the server still holds; above 0, older messages are gone. */
  earliestOffset: number;
  /** Events skipped because they could not be read. */
  malformed: number;
  active: boolean;
}

export interface RoomSessionOptions {
  rest: SynapRest;
  serverUrl: string;
  stream: string;
  userId: string;
  subscriberId: string;
  readMarkers: CursorStore;
  /** Holds the cached tail. */
  storage: SafeStorage;
  /** The client message ids this device sent: only those messages are "You". */
  sentLog?: SentLog;
  /** A live message of someone else is still unread NEWS_DELAY_MS after it came. */
  onNews?: (news: RoomNews) => void;
  /** The server this room lived on before the server list changed: its history comes first. */
  movedFrom?: MovedFrom | null;
  now?: () => number;
}

type Source = 'history' | 'replay' | 'live';

/** How a jump's read back to its message goes (see RoomSession.reveal). */
export interface RevealOptions {
  /** Aborted: no further page is read, and the jump ends without a word. */
  signal?: AbortSignal;
  /** Events read so far, of those between the loaded history and the message. */
  onProgress?: (read: number, total: number) => void;
}

const GONE_TEXT = 'That message is no longer available on the server';

function isMessageEvent(event: StreamEvent): boolean {
  return event.event === 'message';
}

function sameStatus(a: HistoryStatus, b: HistoryStatus): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function usersKey(users: readonly OnlineUser[]): string {
  return users.map((user) => user.userId).join('\n');
}

export { NEWS_DELAY_MS, type RoomNews };

export class RoomSession {
  readonly #options: RoomSessionOptions;
  readonly #link: RoomLink;
  readonly #now: () => number;
  readonly #model = new TimelineModel();
  /** Replies, edits, deletes and reactions, folded into the messages they name. */
  readonly #fold: MessageFold;
  readonly #typing: TypingTracker;
  readonly #presence: PresenceTracker;
  readonly #notices = new RoomNotices();
  readonly #names: LookalikeNames;
  readonly #readMarkerWrite: CoalescedWrite<RoomCursor>;
  readonly #tailKey: string;
  /** Writes the newest entries of this generation for the next page load. */
  readonly #tailWrite: CoalescedWrite<number>;
  #listener: ((view: RoomView) => void) | null = null;
  #view: RoomView;
  /** What the view's timeline was built from: it is rebuilt only when they change. */
  #viewEntries: readonly TimelineEntry[] | null = null;
  #viewOutgoing: readonly OutgoingMessage[] | null = null;

  // What the view is made of, between publications.
  #entries: readonly TimelineEntry[] = [];
  #outgoing: readonly OutgoingMessage[];
  #connection: FeedState;
  #typers: string[] = [];
  #online: OnlineUser[];
  #stats: RoomStats | null = null;
  #hasOlder = false;
  #loadingOlder = false;
  #historyError: string | null = null;
  /** The room's first read from the server is done (for this generation). */
  #historyReady = false;
  #historyScanned = 0;
  #earliestOffset = 0;
  #malformed = 0;
  #active = false;
  #visible = true;

  /** What the first read asked for, to ask again after it failed. */
  #initialLoad: { before: number; readFrom: number; reachBackTo: number } | null = null;
  /** Where the cached tail painted at load ends: history reads back at least to it (no hole). */
  #tailEnd: number | null = null;
  /** Whether the reader follows the newest messages (only then may old ones be dropped). */
  #following = false;
  #flushPending = false;
  /** Typing or presence changed: recomputed once per published frame, not once per event. */
  #clockStateStale = false;
  /** The generation of the tail painted at load, until the server confirms or denies it. */
  #tailGeneration: number | null = null;
  /**
   * Client ids of messages this page showed as pending: their rows keep one key (the client
   * id) from pending to confirmed, so the row is updated in place, never remounted.
   */
  readonly #localClientIds = new Set<string>();
  /** Mentions counted while unread, and live messages told when still unread soon. */
  readonly #news: RoomNewsTeller;
  #generation: number | null = null;
  #historyBefore: number | null = null;
  #historyFor: number | null = null;
  /** Called once the history read under way ends (a jump waits for it). */
  #historyWaiters: (() => void)[] = [];
  /**
   * The old entries stay in memory (see #flush) while jumps read back to their messages, and
   * once one is shown until the timeline, moved to it, says whether its reader still follows
   * the newest (#holdJumped).
   */
  #jumpsReading = 0;
  #holdJumped = false;
  /** The banner of the last jump that failed: a later one that succeeds takes it away. */
  #jumpNotice: string | null = null;
  #clock: ReturnType<typeof setInterval> | null = null;
  #statsTimer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  /**
   * A moved room's history on its previous server: read once this server's history reaches
   * its start. It goes before everything here, at negative offsets (its own minus its end).
   */
  #moved: 'none' | 'pending' | 'loading' | 'done' = 'none';

  constructor(link: RoomLink, options: RoomSessionOptions) {
    if (options.movedFrom) this.#moved = 'pending';
    this.#link = link;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#typing = new TypingTracker(options.userId);
    this.#presence = new PresenceTracker(options.userId, { now: this.#now });
    this.#names = new LookalikeNames(options.userId);
    this.#fold = new MessageFold(this.#model, options.userId);
    this.#news = new RoomNewsTeller(options.onNews ?? null, () => this.#model.readOffset);
    this.#online = this.#presence.online();
    this.#connection = link.state;
    this.#outgoing = link.outgoing;
    this.#noteOutgoing(link.outgoing);
    this.#fold.setPending(link.outgoing);
    const { readMarkers, serverUrl, stream, subscriberId, storage } = options;
    this.#readMarkerWrite = new CoalescedWrite((marker) => {
      readMarkers.set(serverUrl, stream, subscriberId, marker);
      link.noteRead(marker);
    });
    this.#tailKey = tailKey(serverUrl, stream, options.userId);
    this.#tailWrite = new CoalescedWrite(
      (generation) => storage.setJson(this.#tailKey, tailOf(generation, this.#model.entries)),
      TAIL_WRITE_INTERVAL_MS,
    );
    this.#view = this.#makeView();
    this.#paintCachedTail();
    this.#wireLink();
  }

  get view(): RoomView {
    return this.#view;
  }

  /** Where the live feed stands (the next offset it will deliver), once known. */
  get nextOffset(): number | null {
    return this.#link.nextOffset;
  }

  /** Called with every new view (one listener: the state class that shows it). */
  onView(listener: (view: RoomView) => void): void {
    this.#listener = listener;
  }

  // --- lifecycle ----------------------------------------------------------------------
  start(): void {
    this.#link.start();
    this.#clock = setInterval(() => this.#refreshClockState(true), CLOCK_TICK_MS);
  }

  /** Stops everything; `goodbye` says user_left first (with keepalive when the page closes). */
  stop(goodbye: Goodbye = 'none'): Promise<void> {
    this.#stopSession();
    return this.#link.stop(goodbye);
  }

  #stopSession(): void {
    this.#stopped = true;
    this.#readMarkerWrite.flush();
    this.#tailWrite.flush();
    if (this.#clock) clearInterval(this.#clock);
    if (this.#statsTimer) clearTimeout(this.#statsTimer);
    this.#news.stop();
  }

  /** Leaving forgets where we were: a later join starts fresh. */
  async leave(): Promise<void> {
    this.#stopSession();
    await this.#link.leave();
    this.#readMarkerWrite.cancel();
    this.#tailWrite.cancel();
    const { readMarkers, serverUrl, stream, subscriberId, storage } = this.#options;
    storage.remove(this.#tailKey);
    readMarkers.delete(serverUrl, stream, subscriberId);
  }

  /** The room is the one on screen (or not); `visible` is the page's visibility. */
  setActive(active: boolean, visible: boolean): void {
    // Coming into view (a room switch, or back to the tab): mark where the user left off.
    const comingIntoView = active && visible && !(this.#active && this.#visible);
    this.#active = active;
    this.#visible = visible;
    this.#link.setAttention(!visible ? 'hidden' : active ? 'foreground' : 'background');
    if (comingIntoView) this.#model.cameIntoView();
    if (active && visible) this.markRead();
    this.#publish();
    this.#scheduleFlush();
  }

  /** The reader is at the newest messages (or scrolled away from them). */
  setFollowing(following: boolean): void {
    this.#following = following;
    this.#holdJumped = false;
    if (following) this.#scheduleFlush();
  }

  retryNow(): void {
    this.#link.retryNow();
  }

  dismissNotice(id: string): void {
    this.#notices.dismiss(id);
    this.#publish();
  }

  // --- user commands ------------------------------------------------------------------
  send(text: string): void {
    this.#link.send(text);
  }
  /** Answers the message at `target`. */
  reply(text: string, target: number): void {
    this.#link.send(text, undefined, { kind: 'reply', target });
  }
  /** Changes the text of one of the user's own messages; false when there is nothing to do. */
  edit(target: number, text: string): boolean {
    const message = this.#model.get(target);
    const trimmed = text.trim();
    if (message?.type !== 'message' || message.userId !== this.#options.userId) return false;
    if (message.deleted || trimmed === '' || trimmed === message.text.trim()) return false;
    this.#change(text, { kind: 'edit', target });
    return true;
  }
  deleteMessage(target: number): void {
    const message = this.#model.get(target);
    if (message?.type !== 'message' || message.userId !== this.#options.userId) return;
    if (!message.deleted) this.#change('', { kind: 'delete', target });
  }
  /** Adds (or with `add` false takes back) the user's reaction to the message at `target`. */
  react(target: number, emoji: string, add: boolean): void {
    this.#change(emoji, { kind: 'reaction', target, add });
  }
  #change(text: string, intent: OutgoingIntent): void {
    this.#link.send(text, undefined, intent);
  }

  /** What a search of the room reads (its retained history), once the feed knows where it is. */
  searchSource(): SearchSource | null {
    const beforeOffset = this.#link.nextOffset;
    if (beforeOffset === null) return null;
    return {
      consume: (from, limit) => this.#link.consume(from, limit),
      beforeOffset,
      earliestOffset: this.#earliestOffset,
      generation: this.#generation,
    };
  }

  /**
   * Makes sure the message at `offset` is loaded, reading history back to it page by page
   * (after any read already under way). Resolves false when it is not shown: the server no
   * longer has it (a banner says so), it could not be read (a banner says why), or `signal`
   * was aborted (nothing is said: the user cancelled).
   */
  async reveal(offset: number, options: RevealOptions = {}): Promise<boolean> {
    const { signal } = options;
    await this.#historyIdle();
    if (signal?.aborted) return false;
    const before = this.#historyBefore;
    let readError: string | null = null;
    if (this.#model.get(offset)?.type !== 'message' && before !== null && offset < before) {
      if (offset >= this.#earliestOffset) {
        const total = before - offset;
        const onProgress = (read: number) => options.onProgress?.(Math.min(read, total), total);
        onProgress(0);
        this.#jumpsReading += 1;
        await this.#loadHistory(before, 0, undefined, false, offset, { onProgress, signal });
        this.#jumpsReading -= 1;
        readError = this.#historyError;
      }
    }
    if (this.#model.get(offset)?.type === 'message' && !signal?.aborted) {
      this.#holdJumped = true;
      this.#sayAboutJump(null);
      return true;
    }
    // The view stays where it is: what it does not show may go again.
    this.#scheduleFlush();
    if (signal?.aborted) return false;
    this.#sayAboutJump(readError ? `That message could not be read back: ${readError}` : GONE_TEXT);
    return false;
  }

  /** The jump's banner, replacing the previous one; null: the jump worked, no banner. */
  #sayAboutJump(text: string | null): void {
    if (this.#jumpNotice !== null) this.#notices.dismiss(this.#jumpNotice);
    this.#jumpNotice = text === null ? null : this.#notices.add('error', text);
    this.#publish();
  }

  /** Resolves once no history read is under way. */
  async #historyIdle(): Promise<void> {
    while (this.#loadingOlder) {
      await new Promise<void>((resolve) => this.#historyWaiters.push(resolve));
    }
  }

  #historyReadEnded(): void {
    this.#loadingOlder = false;
    for (const wake of this.#historyWaiters.splice(0)) wake();
  }

  retry(clientId: string): void {
    this.#link.retry(clientId);
  }
  discard(clientId: string): void {
    this.#link.discard(clientId);
  }
  setTyping(isTyping: boolean): void {
    this.#link.setTyping(isTyping);
  }

  markRead(): void {
    const next = this.#link.nextOffset;
    if (next === null || this.#generation === null) return;
    this.#model.setReadOffset(next);
    this.#readMarkerWrite.set({ generation: this.#generation, nextOffset: next });
    if (this.#view.unread !== 0) this.#publish();
  }

  /** Esc: everything here is read, and the "New messages" divider goes. */
  dismissDivider(): void {
    this.markRead();
    if (this.#model.dividerOffset === null) return;
    this.#model.clearDivider();
    this.#publish();
  }

  async refreshStats(): Promise<void> {
    try {
      this.#stats = await this.#options.rest.stats(this.#options.stream);
      this.#publish();
    } catch {
      // The connection status already tells the user when the server is unreachable.
    }
  }

  /** "Try again" where messages could not be loaded: the first read, or the connection. */
  retryHistory(): void {
    const initial = this.#initialLoad;
    if (this.#historyError && initial) {
      void this.#loadHistory(
        initial.before,
        INITIAL_HISTORY_MESSAGES,
        initial.readFrom,
        true,
        initial.reachBackTo,
      );
    } else {
      this.#link.retryNow();
    }
  }

  async loadOlder(): Promise<void> {
    if (this.#loadingOlder) return;
    if (!this.#hasOlder) return this.#loadMovedHistory();
    if (this.#historyBefore === null) return;
    await this.#loadHistory(this.#historyBefore, OLDER_PAGE_MESSAGES, undefined, false);
  }

  /** The room's messages on the server it lived on before, then a line marking the move. */
  async #loadMovedHistory(): Promise<void> {
    const moved = this.#options.movedFrom;
    if (!moved || this.#moved !== 'pending') return;
    this.#moved = 'loading';
    this.#loadingOlder = true;
    this.#publish();
    const generation = this.#generation;
    try {
      const { events, shift, malformed } = await readMovedHistory(moved, MAX_HISTORY_SCAN_EVENTS);
      if (this.#stopped || generation !== this.#generation) return;
      this.#malformed += malformed;
      for (const event of events) this.#apply(event, 'history', shift);
      this.#model.addSystem({
        type: 'system',
        key: 'moved',
        offset: MOVE_LINE_OFFSET,
        kind: 'moved',
        userId: moved.url,
        atMs: this.#now(),
      });
      this.#moved = 'done';
    } catch {
      // The old server may be gone for good: this server's history is all there is.
      this.#moved = 'done';
    } finally {
      this.#historyReadEnded();
      this.#flush();
    }
  }

  // --- the view -----------------------------------------------------------------------
  #makeView(): RoomView {
    const previous = this.#view as RoomView | undefined;
    const entries = this.#entries;
    const outgoing = this.#outgoing;
    const timeline =
      previous && entries === this.#viewEntries && outgoing === this.#viewOutgoing
        ? previous.timeline
        : [...entries, ...this.#pendingRows(outgoing)];
    this.#viewEntries = entries;
    this.#viewOutgoing = outgoing;
    const historyStatus = this.#historyStatus();
    return {
      timeline,
      connection: this.#connection,
      typers: this.#typers,
      online: this.#online,
      unread: this.#model.unread,
      mentions: this.#news.unreadMentions(),
      dividerOffset: this.#model.dividerOffset,
      notices: this.#notices.list,
      stats: this.#stats,
      hasOlder: this.#hasOlder || this.#moved === 'pending',
      loadingOlder: this.#loadingOlder,
      historyError: this.#historyError,
      historyStatus:
        previous && sameStatus(previous.historyStatus, historyStatus)
          ? previous.historyStatus
          : historyStatus,
      earliestOffset: this.#earliestOffset,
      malformed: this.#malformed,
      active: this.#active,
    };
  }
  #publish(): void {
    this.#view = this.#makeView();
    this.#listener?.(this.#view);
  }

  #historyStatus(): HistoryStatus {
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
  }

  /** Messages on their way are rows of their own; edits, reactions and deletes are not. */
  #pendingRows(outgoing: readonly OutgoingMessage[]): ChatMessage[] {
    const rows: ChatMessage[] = [];
    for (const item of outgoing) {
      if (!item.intent || item.intent.kind === 'reply') rows.push(this.#pendingEntry(item));
    }
    return rows;
  }

  #pendingEntry(item: OutgoingMessage): ChatMessage {
    return {
      type: 'message',
      key: `c${item.clientId}`,
      offset: null,
      userId: this.#options.userId,
      text: item.text,
      sentAtMs: item.createdAtMs,
      own: true,
      status: item.status,
      clientId: item.clientId,
      ...(item.error ? { error: item.error } : {}),
      ...(item.status === 'failed' && !item.refused ? { willResend: true } : {}),
      ...(item.intent?.kind === 'reply' ? { replyTo: this.#fold.quote(item.intent.target) } : {}),
    };
  }

  // --- what the link delivers ---------------------------------------------------------
  #wireLink(): void {
    const link = this.#link;
    const { readMarkers, serverUrl, stream, subscriberId } = this.#options;
    link.on('outbox', (items) => {
      this.#noteOutgoing(items);
      this.#outgoing = items;
      this.#fold.setPending(items);
      // Own edits and reactions show in the stored messages at once.
      this.#flush();
    });
    link.on('stored', ({ message, offset }) => this.#addStored(message, offset));
    link.on('read', ({ generation, nextOffset }) => {
      // Read in another tab of this browser: read here too.
      const readOffset = this.#model.readOffset;
      if (generation !== this.#generation || (readOffset !== null && nextOffset <= readOffset)) {
        return;
      }
      this.#model.setReadOffset(nextOffset);
      this.#publish();
    });
    link.on('state', ({ oldState, newState }) => {
      this.#connection = newState;
      // What was missed came in before this (the catch-up): from here on the user sees it.
      if (newState.kind === 'live' && oldState.kind !== 'live') this.#model.markDividerFrom(null);
      this.#publish();
    });
    link.on('stats', (stats) => {
      this.#stats = stats;
      this.#publish();
    });
    link.on('malformed', ({ count }) => {
      this.#malformed += count;
      this.#scheduleFlush();
    });
    link.on('event', ({ event, live }) => {
      this.#apply(event, live ? 'live' : 'replay');
      // Backlog the socket delivers after a reload was missed, not seen as it came.
      if (!live) this.#model.missed(event.offset);
      if (this.#active && this.#visible) this.markRead();
      if (this.#active) this.#scheduleStatsRefresh();
      this.#scheduleFlush();
    });
    link.on('gap', ({ fromOffset, toOffset, lost }) => {
      this.#model.addGap({
        type: 'gap',
        key: `gap${fromOffset}`,
        offset: fromOffset,
        toOffset,
        atMs: this.#now(),
      });
      this.#notices.gap(lost);
      this.#scheduleFlush();
    });
    link.on('reset', () => {
      this.#model.clear();
      this.#fold.clear();
      if (this.#options.movedFrom) this.#moved = 'pending';
      this.#news.clear();
      this.#historyFor = null;
      this.#historyReady = false;
      this.#historyBefore = null;
      this.#hasOlder = false;
      this.#notices.add('reset', 'This room was reset by the server: its earlier history is gone');
      this.#flush();
    });
    link.on('ready', ({ startOffset, earliestOffset, generation }) => {
      this.#generation = generation;
      this.#earliestOffset = earliestOffset;
      this.#fold.setEarliest(earliestOffset);
      if (this.#tailGeneration !== null && this.#tailGeneration !== generation) {
        // The cached tail was of a room that no longer exists.
        this.#model.clear();
        if (this.#options.movedFrom) this.#moved = 'pending';
        this.#tailEnd = null;
        this.#flush();
      }
      this.#tailGeneration = null;
      if (this.#historyFor === generation) return;
      this.#historyFor = generation;
      const marker = readMarkers.get(serverUrl, stream, subscriberId);
      let readOffset = startOffset;
      if (marker && marker.generation === generation) {
        readOffset = Math.min(marker.nextOffset, startOffset);
      } else {
        // First visit (or a reset room): what is there now counts as read.
        readMarkers.set(serverUrl, stream, subscriberId, { generation, nextOffset: startOffset });
      }
      this.#model.setReadOffset(readOffset);
      if (this.#active && this.#visible) this.#model.markDividerFrom(readOffset);
      // A tab that joins another tab's connection starts where that one stands, maybe well
      // past the cached tail this page painted: the history read bridges the two.
      const reachBackTo = Math.min(readOffset, this.#tailEnd ?? readOffset);
      this.#tailEnd = null;
      void this.#loadHistory(startOffset, INITIAL_HISTORY_MESSAGES, readOffset, true, reachBackTo);
    });
  }

  #noteOutgoing(items: readonly OutgoingMessage[]): void {
    for (const item of items) {
      this.#localClientIds.add(item.clientId);
      this.#options.sentLog?.add(item.clientId);
    }
  }

  #scheduleStatsRefresh(): void {
    if (this.#statsTimer || this.#stopped) return;
    this.#statsTimer = setTimeout(() => {
      this.#statsTimer = null;
      if (!this.#stopped) void this.refreshStats();
    }, STATS_REFRESH_MS);
  }

  /**
   * `readFrom`: the first read of a room, with the user's read marker (the divider goes there).
   * `exactly`: keep just the newest `minMessages`, not the whole pages read, but always back to
   * `reachBackTo`. `jump`: a read all the way back to `reachBackTo` (however far), in pages
   * that grow, with its own progress, cancellable.
   */
  async #loadHistory(
    before: number,
    minMessages: number,
    readFrom: number | undefined,
    exactly = true,
    reachBackTo: number | undefined = readFrom,
    jump?: { onProgress: (read: number) => void; signal: AbortSignal | undefined },
  ): Promise<void> {
    const generation = this.#generation;
    const first = readFrom !== undefined;
    this.#loadingOlder = true;
    this.#historyError = null;
    if (first) {
      this.#initialLoad = { before, readFrom, reachBackTo: reachBackTo ?? readFrom };
      this.#historyScanned = 0;
    }
    this.#publish();
    try {
      const onProgress = (scanned: number) => {
        this.#historyScanned = scanned;
        this.#publish();
      };
      const page = await loadHistory({
        ...(first ? { onProgress } : {}),
        ...(jump
          ? {
              onProgress: jump.onProgress,
              growPages: true,
              ...(jump.signal && { signal: jump.signal }),
            }
          : {}),
        consume: (from, limit) => this.#link.consume(from, limit),
        beforeOffset: before,
        earliestOffset: this.#earliestOffset,
        minMessages,
        ...(reachBackTo === undefined ? {} : { reachBackTo }),
        // A jump knows how far it goes; other reads stop somewhere in Synap's default buffer.
        maxEvents:
          jump && reachBackTo !== undefined ? before - reachBackTo : MAX_HISTORY_SCAN_EVENTS,
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
      this.#fold.setEarliest(page.earliestOffset);
      if (readFrom !== undefined && this.#active && this.#visible) {
        // The room opened on screen: mark where the user left off, then count it as read.
        this.#model.placeDivider(readFrom);
        this.markRead();
      }
      if (first) this.#historyReady = true;
      // This server's history is all shown: the previous server's goes before it.
      if (page.reachedStart && this.#moved === 'pending')
        queueMicrotask(() => void this.loadOlder());
    } catch (error) {
      this.#historyError =
        error instanceof SynapError ? error.message : 'Could not load earlier messages';
      this.#hasOlder = true;
      this.#historyBefore ??= before;
    } finally {
      this.#historyReadEnded();
      this.#flush();
    }
  }

  /** `shift`: added to the event's offsets (a moved room's previous server, see #moved). */
  #apply(raw: StreamEvent, source: Source, shift = 0): void {
    // An event shown already (the cached tail, an own message confirmed by its publish answer)
    // is not shown twice, but still tells who is here.
    const known = this.#model.has(raw.offset + shift);
    const decoded = decodeChatEvent(raw);
    if (!decoded.ok) {
      if (decoded.reason === 'malformed' && !known) this.#malformed += 1;
      return;
    }
    const event = shift === 0 ? decoded.event : shifted(decoded.event, shift);
    // Who was here on the previous server says nothing about who is here now.
    if (shift !== 0 && (event.kind === 'joined' || event.kind === 'left')) return;
    // Replayed events happened in the past: their time is the server's, not our clock's.
    const seenAtMs = source === 'live' ? this.#now() : event.serverAtMs;
    switch (event.kind) {
      case 'message':
        this.#addMessage(event, seenAtMs, source);
        break;
      case 'typing':
        // Typing replayed from history is long over; only live typing is shown.
        if (source === 'live') {
          if (event.isTyping) this.#link.noteActivity();
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
      case 'edit':
      case 'delete':
      case 'reaction':
        this.#annotate(event, source);
        break;
    }
  }

  #annotate(event: Extract<ChatEvent, { kind: 'edit' | 'delete' | 'reaction' }>, source: Source) {
    if (source === 'live') this.#presence.activity(event.userId, this.#now());
    this.#fold.annotate(event);
    // Its echo settles a change whose publish answer was lost.
    if (event.clientId && this.#sentFromHere(event.userId, event.clientId)) {
      this.#link.confirm(event.clientId);
    }
  }

  #addMessage(
    event: Extract<ChatEvent, { kind: 'message' }>,
    seenAtMs: number,
    source: Source,
  ): void {
    const own = this.#sentFromHere(event.userId, event.clientId);
    if (source === 'live') this.#link.noteActivity();
    if (source !== 'history') this.#typing.messageFrom(event.userId);
    this.#presence.activity(event.userId, seenAtMs);
    this.#fold.addMessage({
      type: 'message',
      key: this.#messageKey(own, event.clientId, event.offset),
      offset: event.offset,
      userId: event.userId,
      text: event.text,
      sentAtMs: event.sentAtMs,
      own,
      status: 'confirmed',
      ...(event.clientId ? { clientId: event.clientId } : {}),
      ...(event.disguised || this.#names.isLookalike(event.userId) ? { lookalike: true } : {}),
      ...(event.replyTo !== null ? { replyTo: { offset: event.replyTo, state: 'unloaded' } } : {}),
    });
    if (!own) this.#noteMention(event, source);
    // Its echo settles a message whose publish answer was lost; its row changes in place.
    if (own && event.clientId && this.#link.confirm(event.clientId)) this.#flush();
    this.#clockStateStale = true;
  }

  /** A message of someone else: a mention of the user, or news (see RoomNewsTeller). */
  #noteMention(event: Extract<ChatEvent, { kind: 'message' }>, source: Source): void {
    // A reply to one of the user's own messages calls for them as much as their name does.
    const answered = event.replyTo === null ? undefined : this.#model.get(event.replyTo);
    const mention =
      mentions(event.text, this.#options.userId) ||
      (answered?.type === 'message' && answered.own === true);
    const { offset, userId, text } = event;
    this.#news.note({ offset, userId, text, mention }, source === 'live');
  }

  /** A message sent from this page was stored: it takes its place now; its echo is a duplicate. */
  #addStored(message: OutgoingMessage, offset: number): void {
    const annotation = annotationOfOutgoing(message, offset, this.#options.userId);
    if (annotation) {
      this.#fold.annotate(annotation);
      this.#flush();
      return;
    }
    const replyTo = message.intent?.kind === 'reply' ? message.intent.target : null;
    this.#fold.addMessage({
      type: 'message',
      key: this.#messageKey(true, message.clientId, offset),
      offset,
      userId: this.#options.userId,
      text: message.text,
      sentAtMs: message.createdAtMs,
      own: true,
      status: 'confirmed',
      clientId: message.clientId,
      ...(replyTo !== null ? { replyTo: { offset: replyTo, state: 'unloaded' } } : {}),
    });
    // In the same turn as the outbox lets go of it: the row changes in place, never blinks.
    this.#flush();
  }

  /** Anyone can use any name: "You" only for what this device can tell it sent. */
  #sentFromHere(userId: string, clientId: string | null | undefined): boolean {
    if (userId !== this.#options.userId || !clientId) return false;
    return this.#localClientIds.has(clientId) || this.#options.sentLog?.has(clientId) === true;
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
      if (this.#flushPending) this.#flush();
    };
    if (typeof requestAnimationFrame === 'function' && this.#visible) requestAnimationFrame(run);
    // Frames stop in a hidden page (and may never come in a background one).
    setTimeout(run, this.#visible ? HIDDEN_FLUSH_MS * 4 : HIDDEN_FLUSH_MS);
  }

  #flush(): void {
    this.#flushPending = false;
    // Dropping old entries is safe only where nobody reads them.
    if (
      (!this.#active || this.#following) &&
      this.#jumpsReading === 0 &&
      !this.#holdJumped &&
      this.#model.trim()
    ) {
      const trimmedBefore = this.#model.trimmedBefore;
      if (trimmedBefore !== null && trimmedBefore < 0) {
        // Into the previous server's history: read again from there when scrolled up to.
        this.#hasOlder = false;
        this.#moved = 'pending';
      } else {
        this.#historyBefore = trimmedBefore;
        this.#hasOlder = true;
      }
    }
    if (this.#clockStateStale) this.#refreshClockState(false);
    this.#entries = this.#model.entries;
    this.#publish();
    const generation = this.#generation ?? this.#tailGeneration;
    if (generation !== null && this.#model.size > 0) this.#tailWrite.set(generation);
  }

  /** Shows what the last page load saw at once; the feed then confirms it or resets it. */
  #paintCachedTail(): void {
    const tail = readTail(this.#options.storage.getJson(this.#tailKey));
    if (!tail || tail.entries.length === 0) return;
    this.#tailGeneration = tail.generation;
    for (const entry of tail.entries) {
      if (entry.offset === null) continue;
      if (entry.type === 'message') {
        // Storage can be written by anyone with this origin: "You" is decided here again.
        const own = this.#sentFromHere(entry.userId, entry.clientId);
        const lookalike = entry.lookalike === true || this.#names.isLookalike(entry.userId);
        this.#fold.addMessage({
          ...entry,
          offset: entry.offset,
          own,
          ...(lookalike ? { lookalike: true } : {}),
        });
      } else if (entry.type === 'system') this.#model.addSystem(entry);
    }
    this.#hasOlder = (tail.entries[0]?.offset ?? 0) > 0;
    this.#tailEnd = (tail.entries.at(-1)?.offset ?? -1) + 1;
    this.#flush();
  }

  /** Re-reads typing and presence (they expire on the clock); publishes if asked and changed. */
  #refreshClockState(publish: boolean): void {
    this.#clockStateStale = false;
    const now = this.#now();
    const typers = this.#typing.active(now);
    const online = this.#presence.online(now);
    let changed = false;
    if (typers.join('\n') !== this.#typers.join('\n')) {
      this.#typers = typers;
      changed = true;
    }
    if (usersKey(online) !== usersKey(this.#online)) {
      this.#online = online;
      changed = true;
    }
    if (publish && changed) this.#publish();
  }
}
