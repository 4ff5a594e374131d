// One room's live feed: catches up from a cursor (over REST when far behind, since the
// socket only trickles 100 events per 100 ms), then follows the stream WebSocket, and
// delivers every event exactly once in offset order across drops, restarts and wipes.
import { RECONNECT_DEFAULTS, backoffDelayMs, type ReconnectOptions } from './backoff';
import type { RoomCursor } from './cursor-store';
import { Emitter } from './emitter';
import type { NetworkMonitor } from './network-monitor';
import {
  SynapError,
  earliestOffsetInError,
  type ConsumeResult,
  type RoomStats,
  type StreamEvent,
  type SynapRest,
} from './synap-rest';

export type SubscriptionState =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'reconnecting'; attempt: number; delayMs: number; retryAtMs: number; reason: string }
  | { kind: 'offline' }
  | { kind: 'unauthorized'; forbidden: boolean; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'closed' };

export interface RoomSubscriptionEvents {
  /** The connection state changed. */
  state: { oldState: SubscriptionState; newState: SubscriptionState };
  /** The next event in offset order; `live` is false for backlog that predates the connection. */
  event: { event: StreamEvent; live: boolean };
  /** Events from `fromOffset` up to (not including) `toOffset` were evicted before we read them. */
  gap: { fromOffset: number; toOffset: number; lost: number };
  /** The room was wiped or recreated: offsets start again from 0 in a new generation. */
  reset: { oldGeneration: number; newGeneration: number };
  /** Where to resume next time; persist it. */
  cursor: RoomCursor;
  /** A (re)connect lined the cursor up with the room: delivery resumes at `startOffset`. */
  ready: { startOffset: number; earliestOffset: number; generation: number; stats: RoomStats };
  /** The room's stats, as read on (re)connect and by the liveness check. */
  stats: RoomStats;
  /** `count` frames or events that could not be read were skipped. */
  malformed: { reason: string; count: number };
}

/** What the subscription needs of a WebSocket (the browser's, or `ws` in Node tests). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface RoomSubscriptionOptions {
  rest: SynapRest;
  room: string;
  subscriberId: string;
  /** Where to resume; without one, delivery starts at the room's current end. */
  cursor?: RoomCursor | null;
  WebSocket?: WebSocketConstructor;
  network?: NetworkMonitor | null;
  reconnect?: Partial<ReconnectOptions>;
  /** How often a live socket is checked against the room's stats (the server never pings). */
  livenessIntervalMs?: number;
  /** Events per REST page while catching up. */
  catchUpPageSize?: number;
  random?: () => number;
  now?: () => number;
  /**
   * The room is probably new (the user is creating it): PUT it before the first stats read
   * rather than after a "not found". A key that may not create rooms just skips that step.
   */
  createFirst?: boolean;
}

export const LIVENESS_INTERVAL_MS = 10_000;
export const CATCH_UP_PAGE_SIZE = 1_000;
/** A backlog the socket delivers in one poll: beyond this, REST is faster. */
const SOCKET_BATCH_EVENTS = 100;
/** The liveness check gives up on a socket after this many failed stats reads in a row. */
const LIVENESS_FAILURES_BEFORE_RECONNECT = 2;

/** While a room's offsets are skewed (see indexSkew), the socket is unusable: poll this often. */
export const SKEWED_POLL_MS = 1_000;

/**
 * A Synap 1.3.1 quirk: a time-retention sweep that empties a room leaves the room's internal
 * `min_offset` where it was, the next event goes to the front of the buffer, and consume seeks
 * by `from - min_offset`. Until an eviction puts `min_offset` right, the event at offset X is
 * found by asking for X - skew, and the socket (which asks by real offsets) finds nothing.
 * This is the skew the stats suggest; only a probe can tell it from stale stats alone.
 */
export function suggestedIndexSkew(stats: RoomStats): number {
  if (stats.messageCount <= 0) return 0;
  return Math.max(0, stats.maxOffset - stats.messageCount + 1 - stats.minOffset);
}

/** The offset the next published event will get. */
export function endOffset(stats: RoomStats): number {
  const afterLast = stats.messageCount > 0 ? stats.maxOffset + 1 : stats.minOffset;
  return Math.max(stats.totalPublished, afterLast);
}

export class RoomSubscription extends Emitter<RoomSubscriptionEvents> {
  readonly room: string;
  readonly #rest: SynapRest;
  readonly #subscriberId: string;
  readonly #WebSocket: WebSocketConstructor | undefined;
  readonly #network: NetworkMonitor | null;
  readonly #backoff: ReconnectOptions;
  readonly #livenessIntervalMs: number;
  readonly #pageSize: number;
  readonly #random: () => number;
  readonly #now: () => number;

  #state: SubscriptionState = { kind: 'idle' };
  #generation: number | null;
  #nextOffset: number | null;
  /** Events at or past this offset were published after we (re)connected. */
  #liveFromOffset = Number.POSITIVE_INFINITY;
  #attempt = 0;
  /** Bumped on every (re)connect so that answers from an abandoned attempt are ignored. */
  #session = 0;
  #socket: WebSocketLike | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #healthyTimer: ReturnType<typeof setTimeout> | null = null;
  #livenessTimer: ReturnType<typeof setInterval> | null = null;
  #pollTimer: ReturnType<typeof setTimeout> | null = null;
  /** See suggestedIndexSkew: 0 in a healthy room. */
  #skew = 0;
  #livenessMark: { nextOffset: number; behind: boolean } | null = null;
  #livenessFailures = 0;
  #stopNetwork: (() => void) | null = null;
  #createFirst: boolean;

  constructor(options: RoomSubscriptionOptions) {
    super();
    this.room = options.room;
    this.#rest = options.rest;
    this.#subscriberId = options.subscriberId;
    this.#WebSocket =
      options.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor | undefined);
    this.#network = options.network ?? null;
    this.#backoff = { ...RECONNECT_DEFAULTS, ...options.reconnect };
    this.#livenessIntervalMs = options.livenessIntervalMs ?? LIVENESS_INTERVAL_MS;
    this.#pageSize = options.catchUpPageSize ?? CATCH_UP_PAGE_SIZE;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    this.#generation = options.cursor?.generation ?? null;
    this.#nextOffset = options.cursor?.nextOffset ?? null;
    this.#createFirst = options.createFirst ?? false;
  }

  get state(): SubscriptionState {
    return this.#state;
  }

  /** The next offset to deliver, once known. */
  get nextOffset(): number | null {
    return this.#nextOffset;
  }

  get generation(): number | null {
    return this.#generation;
  }

  start(): void {
    if (this.#state.kind !== 'idle') return;
    this.#stopNetwork = this.#network?.subscribe((online) => this.#onNetwork(online)) ?? null;
    void this.#connect();
  }

  /** Skips the wait of a pending reconnect (the "retry now" button). */
  retryNow(): void {
    const kind = this.#state.kind;
    if (kind === 'closed' || kind === 'idle' || kind === 'live' || kind === 'connecting') return;
    this.#attempt = 0;
    void this.#connect();
  }

  stop(): void {
    this.#session += 1;
    this.#clearTimers();
    this.#closeSocket();
    this.#stopNetwork?.();
    this.#stopNetwork = null;
    this.#setState({ kind: 'closed' });
  }

  #setState(newState: SubscriptionState): void {
    const oldState = this.#state;
    if (oldState.kind === 'closed') return;
    this.#state = newState;
    this.emit('state', { oldState, newState });
  }

  #clearTimers(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#healthyTimer) clearTimeout(this.#healthyTimer);
    if (this.#livenessTimer) clearInterval(this.#livenessTimer);
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
    this.#retryTimer = this.#healthyTimer = this.#livenessTimer = this.#pollTimer = null;
  }

  #closeSocket(): void {
    const socket = this.#socket;
    this.#socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    // Closing a socket still connecting reports an error; nobody needs to hear it.
    socket.onerror = () => {};
    try {
      socket.close();
    } catch {
      // Closing a socket that never opened can throw; it is gone either way.
    }
  }

  /** `polling`: a REST poll of a skewed room, already live: no "connecting" flicker. */
  async #connect(polling = false): Promise<void> {
    const session = ++this.#session;
    this.#clearTimers();
    this.#closeSocket();
    if (!polling) this.#setState({ kind: 'connecting' });
    try {
      const stats = await this.#readStats(session);
      if (session !== this.#session) return;
      this.emit('stats', stats);
      this.#skew = await this.#probeSkew(stats);
      if (session !== this.#session) return;
      this.#reconcile(stats, polling);
      await this.#catchUp(session, endOffset(stats));
      if (session !== this.#session) return;
      if (this.#skew > 0) this.#pollSkewedRoom(session);
      else this.#openSocket(session);
    } catch (error) {
      if (session !== this.#session) return;
      this.#onFailure(error);
    }
  }

  async #probeSkew(stats: RoomStats): Promise<number> {
    const suggested = suggestedIndexSkew(stats);
    if (suggested === 0) return 0;
    try {
      const probe = await this.#rest.consume(
        this.room,
        this.#subscriberId,
        stats.maxOffset - suggested,
        1,
      );
      return probe.events[0]?.offset === stats.maxOffset ? suggested : 0;
    } catch {
      return 0;
    }
  }

  #pollSkewedRoom(session: number): void {
    this.#setState({ kind: 'live' });
    this.#attempt = 0;
    this.#pollTimer = setTimeout(() => {
      if (session === this.#session) void this.#connect(true);
    }, SKEWED_POLL_MS);
  }

  /**
   * Consume by real offsets, whatever the room's skew: what the history loader and the
   * catch-up read with. Events before `fromOffset` in the answer are dropped.
   */
  async consume(fromOffset: number, limit: number): Promise<ConsumeResult> {
    const skew = this.#skew;
    try {
      const page = await this.#rest.consume(
        this.room,
        this.#subscriberId,
        fromOffset - skew,
        limit,
      );
      return { ...page, events: page.events.filter((event) => event.offset >= fromOffset) };
    } catch (error) {
      if (error instanceof SynapError && error.kind === 'offset_out_of_range' && skew > 0) {
        const earliest = (error.earliestOffset ?? 0) + skew;
        throw new SynapError(error.kind, error.message, error.status, earliest);
      }
      throw error;
    }
  }

  /** Stats, creating the room first when it is missing (a wipe, or a room never made). */
  async #readStats(session: number): Promise<RoomStats> {
    if (this.#createFirst) {
      this.#createFirst = false;
      await this.#rest.ensureRoom(this.room).catch((error: unknown) => {
        if (!(error instanceof SynapError && error.kind === 'forbidden')) throw error;
      });
    }
    try {
      return await this.#rest.stats(this.room);
    } catch (error) {
      if (!(error instanceof SynapError) || error.kind !== 'room_not_found') throw error;
      // A stopped subscription (a room just left) must not bring the room back.
      if (session !== this.#session) throw error;
      await this.#rest.ensureRoom(this.room);
      return this.#rest.stats(this.room);
    }
  }

  /** Lines the cursor up with the room: first start, a reset room, or events lost to retention. */
  #reconcile(stats: RoomStats, polling: boolean): void {
    const end = endOffset(stats);
    if (this.#generation === null || this.#nextOffset === null) {
      this.#generation = stats.generation;
      this.#nextOffset = this.#nextOffset ?? end;
    } else if (stats.generation !== this.#generation || this.#nextOffset > end) {
      // Offsets of the old room mean nothing in the new one: start it from its beginning.
      const oldGeneration = this.#generation;
      this.#generation = stats.generation;
      this.#nextOffset = 0;
      this.emit('reset', { oldGeneration, newGeneration: stats.generation });
    }
    const earliest = stats.minOffset + this.#skew;
    if (stats.messageCount > 0 && this.#nextOffset < earliest) this.#reportGap(earliest);
    // A poll carries on the same connection: what arrives since it began is live.
    if (!polling) this.#liveFromOffset = end;
    this.#emitCursor();
    this.emit('ready', {
      startOffset: this.#nextOffset,
      earliestOffset: stats.messageCount > 0 ? earliest : this.#nextOffset,
      generation: stats.generation,
      stats,
    });
  }

  #reportGap(earliest: number): void {
    const fromOffset = this.#nextOffset ?? 0;
    if (earliest <= fromOffset) return;
    this.#nextOffset = earliest;
    this.emit('gap', { fromOffset, toOffset: earliest, lost: earliest - fromOffset });
  }

  #emitCursor(): void {
    if (this.#generation === null || this.#nextOffset === null) return;
    this.emit('cursor', { generation: this.#generation, nextOffset: this.#nextOffset });
  }

  async #catchUp(session: number, end: number): Promise<void> {
    // Without a usable socket, REST reads everything.
    const leaveToSocket = this.#skew > 0 ? 0 : SOCKET_BATCH_EVENTS;
    while (this.#nextOffset !== null && end - this.#nextOffset > leaveToSocket) {
      let page;
      try {
        page = await this.consume(this.#nextOffset, this.#pageSize);
      } catch (error) {
        if (session !== this.#session) return;
        if (error instanceof SynapError && error.kind === 'offset_out_of_range') {
          this.#reportGap(error.earliestOffset ?? end);
          continue;
        }
        throw error;
      }
      if (session !== this.#session) return;
      this.#countMalformed(page.malformed, 'unreadable event in a consume answer');
      const before = this.#nextOffset;
      for (const event of page.events) this.#deliver(event);
      if (this.#nextOffset === before) break;
      this.#emitCursor();
    }
  }

  #deliver(event: StreamEvent): boolean {
    if (this.#nextOffset === null || event.offset !== this.#nextOffset) return false;
    this.#nextOffset = event.offset + 1;
    this.emit('event', { event, live: event.offset >= this.#liveFromOffset });
    return true;
  }

  #countMalformed(count: number, reason: string): void {
    if (count <= 0) return;
    this.emit('malformed', { reason, count });
  }

  #openSocket(session: number): void {
    if (!this.#WebSocket) {
      this.#setState({ kind: 'failed', message: 'This browser has no WebSocket support' });
      return;
    }
    const url = this.#rest.socketUrl(this.room, this.#subscriberId, this.#nextOffset ?? 0);
    let socket: WebSocketLike;
    try {
      socket = new this.#WebSocket(url);
    } catch (error) {
      this.#onFailure(error);
      return;
    }
    this.#socket = socket;
    let closeReason = 'the connection closed';
    socket.onmessage = (message) => {
      if (session !== this.#session) return;
      const reason = this.#onFrame(message.data);
      if (reason) {
        closeReason = reason;
        this.#closeSocket();
        this.#scheduleReconnect(reason);
      }
    };
    socket.onerror = () => {
      closeReason = 'the connection failed';
    };
    socket.onclose = () => {
      if (session !== this.#session || this.#socket !== socket) return;
      this.#socket = null;
      this.#scheduleReconnect(closeReason);
    };
  }

  /** Handles one frame; returns a reason when the socket must be dropped. */
  #onFrame(raw: unknown): string | null {
    let frame: unknown;
    try {
      frame = JSON.parse(typeof raw === 'string' ? raw : String(raw));
    } catch {
      this.#countMalformed(1, 'frame is not JSON');
      return null;
    }
    if (typeof frame !== 'object' || frame === null) {
      this.#countMalformed(1, 'frame is not an object');
      return null;
    }
    const { type } = frame as { type?: unknown };
    if (type === 'connected') {
      this.#onConnected();
      return null;
    }
    if (type === 'error') {
      const text = String((frame as { error?: unknown }).error ?? 'unknown error');
      const earliest = earliestOffsetInError(text);
      if (earliest !== null) this.#reportGap(earliest);
      return `the server said: ${text}`;
    }
    if (type !== 'event') {
      this.#countMalformed(1, `unknown frame type ${JSON.stringify(type)}`);
      return null;
    }
    const { offset, event, data, timestamp } = frame as Record<string, unknown>;
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || typeof event !== 'string') {
      this.#countMalformed(1, 'event frame without offset or event name');
      return null;
    }
    const next = this.#nextOffset ?? 0;
    if (offset < next) return null;
    // The server never skips; if an offset is missing anyway, resume from REST rather than lose it.
    if (offset > next) return `offset ${next} was skipped by the socket`;
    this.#deliver({
      offset,
      event,
      data: data ?? null,
      timestamp: typeof timestamp === 'number' ? timestamp : 0,
    });
    this.#emitCursor();
    return null;
  }

  #onConnected(): void {
    // Only the first `connected` of a socket counts: a repeat must not start more timers.
    if (this.#state.kind === 'live') return;
    this.#setState({ kind: 'live' });
    this.#livenessMark = null;
    this.#livenessFailures = 0;
    const session = this.#session;
    this.#healthyTimer = setTimeout(() => {
      if (session === this.#session) this.#attempt = 0;
    }, this.#backoff.healthyAfterMs);
    this.#livenessTimer = setInterval(
      () => void this.#checkLiveness(session),
      this.#livenessIntervalMs,
    );
  }

  /**
   * The server never pings, so a half-open socket looks healthy forever. If the room has
   * events we have not received, and two checks in a row saw no progress, the socket is dead.
   */
  async #checkLiveness(session: number): Promise<void> {
    let stats: RoomStats;
    try {
      stats = await this.#rest.stats(this.room);
    } catch (error) {
      if (session !== this.#session) return;
      if (error instanceof SynapError && error.kind === 'room_not_found') {
        void this.#connect();
        return;
      }
      this.#livenessFailures += 1;
      if (this.#livenessFailures >= LIVENESS_FAILURES_BEFORE_RECONNECT) {
        this.#closeSocket();
        this.#scheduleReconnect('the server stopped answering');
      }
      return;
    }
    if (session !== this.#session || this.#state.kind !== 'live') return;
    this.#livenessFailures = 0;
    this.emit('stats', stats);
    if (stats.generation !== this.#generation) {
      void this.#connect();
      return;
    }
    const nextOffset = this.#nextOffset ?? 0;
    const behind = endOffset(stats) > nextOffset;
    const previous = this.#livenessMark;
    this.#livenessMark = { nextOffset, behind };
    if (behind && previous?.behind && previous.nextOffset === nextOffset) {
      this.#closeSocket();
      this.#scheduleReconnect('the connection stopped delivering');
    }
  }

  #onFailure(error: unknown): void {
    if (error instanceof SynapError) {
      if (error.kind === 'unauthorized' || error.kind === 'forbidden') {
        this.#clearTimers();
        this.#setState({
          kind: 'unauthorized',
          forbidden: error.kind === 'forbidden',
          message: error.message,
        });
        return;
      }
      // A request the server refuses as such will be refused again: no point retrying.
      if (error.kind === 'bad_request') {
        this.#clearTimers();
        this.#setState({ kind: 'failed', message: error.message });
        return;
      }
      this.#scheduleReconnect(error.message);
      return;
    }
    this.#scheduleReconnect(error instanceof Error ? error.message : String(error));
  }

  #scheduleReconnect(reason: string): void {
    this.#clearTimers();
    if (this.#state.kind === 'closed') return;
    const session = this.#session;
    const retry = () => {
      if (session === this.#session) void this.#connect();
    };
    if (this.#network && !this.#network.online) {
      // The online event brings us back; the timer is a fallback for browsers that misreport.
      this.#setState({ kind: 'offline' });
      this.#retryTimer = setTimeout(retry, this.#backoff.maxDelayMs);
      return;
    }
    const attempt = this.#attempt;
    this.#attempt += 1;
    const delayMs = backoffDelayMs(attempt, this.#backoff, this.#random);
    this.#setState({
      kind: 'reconnecting',
      attempt: attempt + 1,
      delayMs,
      retryAtMs: this.#now() + delayMs,
      reason,
    });
    this.#retryTimer = setTimeout(retry, delayMs);
  }

  #onNetwork(online: boolean): void {
    const kind = this.#state.kind;
    if (online && (kind === 'offline' || kind === 'reconnecting')) {
      this.#attempt = 0;
      void this.#connect();
    } else if (!online && (kind === 'reconnecting' || kind === 'live')) {
      // The socket will not notice for a long while; the browser already knows.
      this.#session += 1;
      this.#closeSocket();
      this.#scheduleReconnect('the network is offline');
    }
  }
}
