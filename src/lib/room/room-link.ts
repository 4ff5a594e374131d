// A joined room's line to the server for this device: the live feed, the outbox of messages
// on their way, the presence this device announces and the cursor it keeps. RoomSession reads
// the room through this interface only, so a tab that follows another tab's connection can
// hand it a stand-in that relays the same events (see tab-hub.ts).
//
// Owns: the RoomFeed, the Outbox and its storage, the cursor writes, joined/left/heartbeats.
// Does not own: what is shown (the timeline, typing, who is online), which is RoomSession's.
import {
  decodeChatEvent,
  outgoingPublication,
  presencePublication,
  typingPublication,
  type OutgoingIntent,
  type Publication,
} from './chat-events';
import { CoalescedWrite } from '../device/coalesced-write';
import { furthestCursor, type CursorStore, type RoomCursor } from '../device/cursor-store';
import { Emitter } from '../emitter';
import type { NetworkMonitor } from '../feed/network-monitor';
import { Outbox, readOutgoing, type OutgoingMessage } from './outbox';
import { PRESENCE_HEARTBEAT_MS } from './presence-tracker';
import {
  CATCH_UP_PAGE_SIZE,
  RoomFeed,
  endOffset,
  type FeedState,
  type RoomFeedEvents,
} from '../feed/room-feed';
import type { Attention } from '../synap/poll-transport';
import type { SafeStorage } from '../device/safe-storage';
import type { WebSocketConstructor } from '../synap/socket-transport';
import {
  SynapError,
  publishToRoom,
  type ConsumeResult,
  type RoomStats,
  type SynapRest,
} from '../synap/rest';
import type { TransportPolicy } from '../synap/transport-policy';

/** A heartbeat is skipped when something published this recently already proved presence. */
const HEARTBEAT_SLACK_MS = 1_000;
/**
 * A message whose publish answer was lost is looked for among this many of the room's newest
 * events at most (all Synap keeps of a room), from where the room stood when it was sent.
 */
export const LOST_ANSWER_SCAN_EVENTS = 10_000;

export interface RoomLinkEvents {
  state: RoomFeedEvents['state'];
  event: RoomFeedEvents['event'];
  gap: RoomFeedEvents['gap'];
  reset: RoomFeedEvents['reset'];
  ready: RoomFeedEvents['ready'];
  stats: RoomStats;
  /** Events the feed skipped because they could not be read. */
  malformed: { count: number };
  /** The messages not yet confirmed changed. */
  outbox: readonly OutgoingMessage[];
  /** A message was stored at `offset` (emitted before `outbox` lets go of it). */
  stored: { message: OutgoingMessage; offset: number };
  /** Another tab of this browser read the room up to here. */
  read: RoomCursor;
}

/** How a closing room says goodbye: not at all, awaited, or with keepalive (page closing). */
export type Goodbye = 'none' | 'await' | 'keepalive';

export interface RoomLink {
  on<K extends keyof RoomLinkEvents>(
    name: K,
    listener: (payload: RoomLinkEvents[K]) => void,
  ): () => void;
  readonly state: FeedState;
  /** The next offset the feed will deliver, once known. */
  readonly nextOffset: number | null;
  readonly outgoing: readonly OutgoingMessage[];
  start(): void;
  stop(goodbye: Goodbye): Promise<void>;
  /** Leaves the room for good: says goodbye, and forgets where it stood and what was unsent. */
  leave(): Promise<void>;
  setAttention(attention: Attention): void;
  retryNow(): void;
  /** Reads the room by real offsets (history). */
  consume(fromOffset: number, limit: number): Promise<ConsumeResult>;
  /** People are talking (a message, someone typing): a polled room stays quick. */
  noteActivity(): void;
  /** Sends a message, or with `intent` a reply, edit, delete or reaction. */
  send(text: string, clientId?: string, intent?: OutgoingIntent | null): void;
  retry(clientId: string): void;
  discard(clientId: string): void;
  /** A message's echo arrived: settles it if its publish answer was lost. */
  confirm(clientId: string): boolean;
  setTyping(isTyping: boolean): void;
  /** This tab read the room up to `marker`: other tabs count it read too. */
  noteRead(marker: RoomCursor): void;
}

export interface LocalRoomLinkOptions {
  rest: SynapRest;
  serverUrl: string;
  stream: string;
  userId: string;
  subscriberId: string;
  cursors: CursorStore;
  /** Keeps unsent messages across reloads. */
  storage: SafeStorage;
  createFirst?: boolean;
  network?: NetworkMonitor | null;
  WebSocket?: WebSocketConstructor | null;
  policy?: TransportPolicy;
  livenessIntervalMs?: number;
  now?: () => number;
  /** Where to resume, if further than the stored cursor (a tab handing over saw further). */
  cursor?: RoomCursor | null;
  /** False when this device is in the room already: no second "joined". */
  announce?: boolean;
}

/** Where a room's unsent messages are kept across reloads, per server, room and name. */
export function outboxKey(serverUrl: string, stream: string, userId: string): string {
  return `synap-chat:outbox:${JSON.stringify([serverUrl, stream, userId])}`;
}

/** Refusals are left to the user: sending the same message again would not help. */
function isRefusal(error: unknown): boolean {
  return (
    error instanceof SynapError &&
    (error.kind === 'forbidden' || error.kind === 'unauthorized' || error.kind === 'bad_request')
  );
}

/** The room's own connection, in this tab. */
export class LocalRoomLink extends Emitter<RoomLinkEvents> implements RoomLink {
  readonly #options: LocalRoomLinkOptions;
  readonly #now: () => number;
  readonly #feed: RoomFeed;
  readonly #outbox: Outbox;
  readonly #outboxKey: string;
  readonly #cursorWrite: CoalescedWrite<RoomCursor>;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  /** When this device last published anything here (presence included). */
  #lastPublishedMs = Number.NEGATIVE_INFINITY;
  /**
   * Where the feed stood when each unconfirmed message was first sent: it can only have been
   * stored after that, so a lost answer is looked for from there (see #findStored).
   */
  readonly #sentFrom = new Map<string, RoomCursor>();

  constructor(options: LocalRoomLinkOptions) {
    super();
    this.#options = options;
    this.#now = options.now ?? Date.now;
    const { rest, serverUrl, stream, userId, subscriberId, cursors, storage } = options;
    this.#cursorWrite = new CoalescedWrite((cursor) =>
      cursors.set(serverUrl, stream, subscriberId, cursor),
    );
    this.#outbox = new Outbox(
      (message) => {
        this.#noteSentFrom(message.clientId);
        return publishToRoom(
          rest,
          stream,
          outgoingPublication(
            userId,
            message.text,
            message.clientId,
            message.createdAtMs,
            message.intent,
          ),
        );
      },
      this.#now,
      isRefusal,
      (message) => this.#findStored(message.clientId),
    );
    this.#outboxKey = outboxKey(serverUrl, stream, userId);
    this.#outbox.on('change', (items) => {
      if (items.length > 0) storage.setJson(this.#outboxKey, items);
      else storage.remove(this.#outboxKey);
      for (const clientId of this.#sentFrom.keys()) {
        if (!items.some((item) => item.clientId === clientId)) this.#sentFrom.delete(clientId);
      }
      this.emit('outbox', items);
    });
    this.#outbox.on('stored', (stored) => this.emit('stored', stored));
    this.#outbox.restore(readOutgoing(storage.getJson(this.#outboxKey)));
    this.#feed = new RoomFeed({
      rest,
      room: stream,
      subscriberId,
      cursor: furthestCursor(cursors.get(serverUrl, stream, subscriberId), options.cursor ?? null),
      network: options.network ?? null,
      createFirst: options.createFirst ?? false,
      ...(options.WebSocket !== undefined ? { WebSocket: options.WebSocket } : {}),
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.livenessIntervalMs ? { livenessIntervalMs: options.livenessIntervalMs } : {}),
    });
    this.#wireFeed();
  }

  get state(): FeedState {
    return this.#feed.state;
  }
  get nextOffset(): number | null {
    return this.#feed.nextOffset;
  }
  get outgoing(): readonly OutgoingMessage[] {
    return this.#outbox.items;
  }

  start(): void {
    this.#feed.start();
    if (this.#options.announce === false) {
      this.#lastPublishedMs = this.#now();
    } else {
      // Announce once the room surely exists (the feed creates a missing one).
      const announceOnce = this.#feed.on('ready', () => {
        announceOnce();
        void this.#announce('joined');
      });
    }
    this.#heartbeat = setInterval(() => this.#beat(), PRESENCE_HEARTBEAT_MS);
  }

  stop(goodbye: Goodbye): Promise<void> {
    this.#feed.stop();
    // A closing page writes where it stood at once.
    this.#cursorWrite.flush();
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    if (goodbye === 'none') return Promise.resolve();
    return this.#announce('left', false, goodbye === 'keepalive');
  }

  async leave(): Promise<void> {
    await this.stop('await');
    this.#cursorWrite.cancel();
    const { cursors, serverUrl, stream, subscriberId, storage } = this.#options;
    cursors.delete(serverUrl, stream, subscriberId);
    storage.remove(this.#outboxKey);
  }

  setAttention(attention: Attention): void {
    this.#feed.setAttention(attention);
  }
  retryNow(): void {
    this.#feed.retryNow();
  }
  consume(fromOffset: number, limit: number): Promise<ConsumeResult> {
    return this.#feed.consume(fromOffset, limit);
  }
  noteActivity(): void {
    this.#feed.noteActivity();
  }

  send(text: string, clientId?: string, intent: OutgoingIntent | null = null): void {
    // A tab handing over may pass on a message the outbox has already.
    if (clientId && this.#outbox.items.some((item) => item.clientId === clientId)) return;
    this.#lastPublishedMs = this.#now();
    this.#outbox.send(text, clientId, intent);
    // Replies tend to follow: a polled room looks sooner.
    this.#feed.wake();
  }
  retry(clientId: string): void {
    this.#outbox.retry(clientId);
  }
  discard(clientId: string): void {
    this.#outbox.discard(clientId);
  }
  confirm(clientId: string): boolean {
    return this.#outbox.confirm(clientId);
  }

  setTyping(isTyping: boolean): void {
    const { userId } = this.#options;
    void this.#publishQuietly(typingPublication(userId, isTyping, this.#now()));
  }

  noteRead(): void {
    // Alone in the browser: nobody else to tell.
  }

  #wireFeed(): void {
    const feed = this.#feed;
    feed.on('state', (change) => {
      // Back online: what failed to send on the way goes again, in order.
      if (change.newState.kind === 'live' && change.oldState.kind !== 'live') {
        this.#outbox.resendFailed();
      }
      this.emit('state', change);
    });
    feed.on('cursor', (cursor) => this.#cursorWrite.set(cursor));
    feed.on('stats', (stats) => {
      // The server answers: a send that failed in a hiccup while the room stayed live goes again.
      if (feed.state.kind === 'live') this.#outbox.resendFailed();
      this.emit('stats', stats);
    });
    feed.on('malformed', ({ count }) => this.emit('malformed', { count }));
    feed.on('event', (delivery) => this.emit('event', delivery));
    feed.on('gap', (gap) => this.emit('gap', gap));
    feed.on('reset', (reset) => this.emit('reset', reset));
    feed.on('ready', (ready) => this.emit('ready', ready));
  }

  #noteSentFrom(clientId: string): void {
    const { generation, nextOffset } = this.#feed;
    if (this.#sentFrom.has(clientId) || generation === null || nextOffset === null) return;
    this.#sentFrom.set(clientId, { generation, nextOffset });
  }

  /**
   * The offset of this device's message `clientId` if the room has it, else null: how a
   * publish whose answer was lost is resolved before anything written after it goes.
   */
  async #findStored(clientId: string): Promise<number | null> {
    const { rest, stream, userId } = this.#options;
    let stats: RoomStats;
    try {
      stats = await rest.stats(stream);
    } catch (error) {
      // No room, no message: a wiped room lost it with everything else.
      if (error instanceof SynapError && error.kind === 'room_not_found') return null;
      throw error;
    }
    const end = endOffset(stats);
    const since = this.#sentFrom.get(clientId);
    // An offset of another generation (or past this room's end) says nothing about this one.
    const sentAt =
      since?.generation === stats.generation && since.nextOffset <= end ? since.nextOffset : 0;
    let from = Math.max(0, end - LOST_ANSWER_SCAN_EVENTS, sentAt);
    while (from < end) {
      const limit = Math.min(CATCH_UP_PAGE_SIZE, end - from);
      let page: ConsumeResult;
      try {
        page = await this.#feed.consume(from, limit);
      } catch (error) {
        const earliest = error instanceof SynapError ? error.earliestOffset : null;
        if (error instanceof SynapError && error.kind === 'offset_out_of_range' && earliest) {
          if (earliest <= from) throw error;
          from = earliest;
          continue;
        }
        throw error;
      }
      for (const event of page.events) {
        const decoded = decodeChatEvent(event);
        if (!decoded.ok || decoded.event.userId !== userId) continue;
        if ('clientId' in decoded.event && decoded.event.clientId === clientId) return event.offset;
      }
      const last = page.events.at(-1);
      if (!last && page.malformed === 0) break;
      from = last ? last.offset + 1 : from + limit;
    }
    return null;
  }

  /** Re-announces presence, unless something published lately proved it already. */
  #beat(): void {
    if (this.#now() - this.#lastPublishedMs < PRESENCE_HEARTBEAT_MS - HEARTBEAT_SLACK_MS) return;
    void this.#announce('joined', true);
  }

  async #announce(kind: 'joined' | 'left', heartbeat = false, keepalive = false): Promise<void> {
    const { userId } = this.#options;
    const publication = presencePublication(kind, userId, { heartbeat, nowMs: this.#now() });
    // A goodbye must not re-create a room that someone deleted.
    await this.#publishQuietly(publication, { keepalive, createRoom: kind === 'joined' });
  }

  /** Typing and presence are best effort: a lost one is corrected by the next. */
  async #publishQuietly(
    publication: Publication,
    options: { keepalive?: boolean; createRoom?: boolean } = {},
  ): Promise<void> {
    this.#lastPublishedMs = this.#now();
    const { rest, stream } = this.#options;
    const keepalive = options.keepalive ?? false;
    try {
      if (options.createRoom === false) {
        await rest.publish(stream, publication.event, publication.data, { keepalive });
      } else {
        await publishToRoom(rest, stream, publication, { keepalive });
      }
    } catch {
      // Best effort by design.
    }
  }
}
