// One room's live feed: catches up from a cursor over REST, then follows the room through a
// transport (the stream WebSocket, or REST polling where upgrades fail), and delivers every
// event exactly once in offset order across drops, restarts, wipes and transport changes.
// Synap's rules live here, once: the cursor, generation (wipe) detection, out-of-range gaps,
// the retention-skew workaround, liveness and status. When to retry is reconnect-loop.ts's
// business; how events arrive is the transports'.
import type { ReconnectOptions } from './backoff';
import type { RoomCursor } from '../device/cursor-store';
import { Emitter } from '../emitter';
import type { FeedTransport, TransportEnd, TransportKind } from '../synap/feed-transport';
import type { NetworkMonitor } from './network-monitor';
import { openPollTransport, pollIntervalMs, type Attention } from '../synap/poll-transport';
import { ReconnectLoop, type LoopSession, type LoopWait } from './reconnect-loop';
import {
  openSocketTransport,
  probeWebSocket,
  type WebSocketConstructor,
} from '../synap/socket-transport';
import {
  SynapError,
  type ConsumeResult,
  type RoomStats,
  type StreamEvent,
  type SynapRest,
} from '../synap/rest';
import { TransportPolicy } from '../synap/transport-policy';

export type FeedState =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'live'; transport: TransportKind; reason: string | null }
  | LoopWait
  | { kind: 'unauthorized'; forbidden: boolean; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'closed' };

export interface RoomFeedEvents {
  /** The connection state changed (emitted only on a real change). */
  state: { oldState: FeedState; newState: FeedState };
  /** The next event in offset order; `live` is false for backlog that predates the connection. */
  event: { event: StreamEvent; live: boolean };
  /** Events from `fromOffset` up to (not including) `toOffset` were evicted before we read them. */
  gap: { fromOffset: number; toOffset: number; lost: number };
  /** The room was wiped or recreated: offsets start again from 0 in a new generation. */
  reset: { oldGeneration: number; newGeneration: number };
  /** Where to resume next time; persist it. Emitted once per batch of events. */
  cursor: RoomCursor;
  /** A (re)connect lined the cursor up with the room: delivery resumes at `startOffset`. */
  ready: { startOffset: number; earliestOffset: number; generation: number; stats: RoomStats };
  /** The room's stats, as read on (re)connect and by the liveness check. */
  stats: RoomStats;
  /** `count` frames or events that could not be read were skipped. */
  malformed: { reason: string; count: number };
}

export interface RoomFeedOptions {
  rest: SynapRest;
  room: string;
  subscriberId: string;
  /** Where to resume; without one, delivery starts at the room's current end. */
  cursor?: RoomCursor | null;
  WebSocket?: WebSocketConstructor | null;
  /** The server's transport choice, shared by its rooms; a private one when absent. */
  policy?: TransportPolicy;
  network?: NetworkMonitor | null;
  reconnect?: Partial<ReconnectOptions>;
  /** How often a live room is checked against its stats (the server never pings). */
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

/** Two checks without progress mean a dead transport: the room on screen knows within 15 s. */
export const LIVENESS_INTERVAL_MS = 6_000;
/** Rooms not on screen are checked less often. */
const BACKGROUND_LIVENESS_FACTOR = 2;
export const CATCH_UP_PAGE_SIZE = 1_000;
/** Background polls vary by this fraction of their pause (±half of it). */
const POLL_JITTER = 0.4;
/** A polled room's liveness checks are at least this many polls apart. */
const POLLS_PER_LIVENESS_CHECK = 3;
/** A liveness check unanswered by then counts as a dead connection (see #checkLiveness). */
const LIVENESS_TIMEOUT_MS = 5_000;
/** The liveness check gives up on a transport after this many failed stats reads in a row. */
const LIVENESS_FAILURES_BEFORE_RECONNECT = 2;

export const SKEW_REASON =
  'A retention sweep emptied this room and the server now numbers it oddly (a Synap 1.3.1 ' +
  'bug): it is followed by asking for new messages until the server heals.';

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

function sameState(a: FeedState, b: FeedState): boolean {
  const keysA = Object.keys(a) as (keyof FeedState)[];
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every((key) => a[key] === b[key]);
}

export class RoomFeed extends Emitter<RoomFeedEvents> {
  readonly room: string;
  readonly #rest: SynapRest;
  readonly #subscriberId: string;
  readonly #WebSocket: WebSocketConstructor | null;
  readonly #policy: TransportPolicy;
  readonly #ownPolicy: boolean;
  readonly #loop: ReconnectLoop;
  readonly #livenessIntervalMs: number;
  readonly #pageSize: number;
  readonly #now: () => number;
  readonly #random: () => number;

  #state: FeedState = { kind: 'idle' };
  #generation: number | null;
  #nextOffset: number | null;
  /** Events at or past this offset were published after we (re)connected. */
  #liveFromOffset = Number.POSITIVE_INFINITY;
  #transport: FeedTransport | null = null;
  #livenessTimer: ReturnType<typeof setTimeout> | null = null;
  /** See suggestedIndexSkew: 0 in a healthy room. */
  #skew = 0;
  #livenessMark: { nextOffset: number; behind: boolean } | null = null;
  #livenessFailures = 0;
  #createFirst: boolean;
  #attention: Attention = 'foreground';
  #lastActivityMs: number;
  /** A transport change while live: keep saying "live" through the switch. */
  #quietRestart = false;
  #stopPolicy: () => void;

  constructor(options: RoomFeedOptions) {
    super();
    this.room = options.room;
    this.#rest = options.rest;
    this.#subscriberId = options.subscriberId;
    this.#WebSocket =
      options.WebSocket === undefined
        ? ((globalThis.WebSocket as WebSocketConstructor | undefined) ?? null)
        : options.WebSocket;
    this.#livenessIntervalMs = options.livenessIntervalMs ?? LIVENESS_INTERVAL_MS;
    this.#pageSize = options.catchUpPageSize ?? CATCH_UP_PAGE_SIZE;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#lastActivityMs = this.#now();
    this.#generation = options.cursor?.generation ?? null;
    this.#nextOffset = options.cursor?.nextOffset ?? null;
    this.#createFirst = options.createFirst ?? false;
    this.#ownPolicy = !options.policy;
    this.#policy =
      options.policy ??
      new TransportPolicy({
        serverUrl: options.rest.baseUrl,
        socketsAvailable: this.#WebSocket !== null,
        probe: () =>
          this.#WebSocket
            ? probeWebSocket(this.#WebSocket, this.#socketUrl())
            : Promise.resolve(false),
        ...(options.random ? { random: options.random } : {}),
      });
    this.#stopPolicy = this.#policy.on('change', () => this.#onPolicyChange());
    this.#loop = new ReconnectLoop({
      run: (session) => void this.#connect(session),
      abandon: () => this.#closeTransport(),
      waiting: (wait) => this.#setState(wait),
      network: options.network ?? null,
      ...(options.reconnect ? { backoff: options.reconnect } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  get state(): FeedState {
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
    this.#loop.start();
  }

  /** Skips the wait of a pending reconnect (the "retry now" button). */
  retryNow(): void {
    const kind = this.#state.kind;
    if (kind === 'closed' || kind === 'idle' || kind === 'live' || kind === 'connecting') return;
    this.#loop.restart();
  }

  stop(): void {
    this.#loop.stop();
    this.#stopPolicy();
    if (this.#ownPolicy) this.#policy.stop();
    this.#setState({ kind: 'closed' });
  }

  /** How closely the user watches this room; polling follows it (see pollIntervalMs). */
  setAttention(attention: Attention): void {
    if (attention === this.#attention) return;
    const sooner = attention === 'foreground';
    this.#attention = attention;
    if (sooner) this.wake();
  }

  /** Something happened here (the user sent a message): look for new events now. */
  wake(): void {
    this.#lastActivityMs = this.#now();
    this.#transport?.wake();
  }

  /**
   * People are talking here (a message, someone typing): a polled room stays quick. Only the
   * owner can tell chat from presence heartbeats, which must not keep a quiet room busy.
   */
  noteActivity(): void {
    this.#lastActivityMs = this.#now();
  }

  /**
   * Consume by real offsets, whatever the room's skew: what the history loader, the
   * catch-up and polling read with. Events before `fromOffset` in the answer are dropped.
   */
  async consume(fromOffset: number, limit: number): Promise<ConsumeResult> {
    const skew = this.#skew;
    try {
      const page = await this.#rest.consume(
        this.room,
        this.#subscriberId,
        Math.max(0, fromOffset - skew),
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

  // --- state ----------------------------------------------------------------------------
  /** Emits only on a real change; returns whether it changed. */
  #setState(newState: FeedState): boolean {
    const oldState = this.#state;
    if (oldState.kind === 'closed' || sameState(oldState, newState)) return false;
    this.#state = newState;
    this.emit('state', { oldState, newState });
    return true;
  }

  #closeTransport(): void {
    if (this.#livenessTimer) clearTimeout(this.#livenessTimer);
    this.#livenessTimer = null;
    const transport = this.#transport;
    this.#transport = null;
    transport?.close();
  }

  #socketUrl(): string {
    return this.#rest.socketUrl(this.room, this.#subscriberId, this.#nextOffset ?? 0);
  }

  #onPolicyChange(): void {
    const kind = this.#state.kind;
    const current = this.#transport?.kind;
    if (kind === 'live' && current === this.#policy.choice.kind) return;
    if (kind === 'live' && this.#skew > 0) return; // a skewed room polls whatever the server does
    if (kind === 'live' || kind === 'reconnecting' || kind === 'connecting') {
      this.#quietRestart = kind === 'live';
      this.#loop.restart();
    }
  }

  // --- one attempt ------------------------------------------------------------------------
  async #connect(session: LoopSession): Promise<void> {
    this.#closeTransport();
    // A switch while live carries on the same conversation: no "connecting", and what
    // arrives meanwhile is still live.
    const quiet = this.#quietRestart && this.#state.kind === 'live';
    this.#quietRestart = false;
    if (!quiet) this.#setState({ kind: 'connecting' });
    try {
      const stats = await this.#readStats(session);
      if (!session.current) return;
      this.emit('stats', stats);
      this.#skew = await this.#probeSkew(stats);
      if (!session.current) return;
      const transport: TransportKind = this.#skew > 0 ? 'polling' : this.#policy.choice.kind;
      this.#reconcile(stats, quiet);
      const complete = await this.#catchUp(session, endOffset(stats));
      if (!session.current) return;
      if (!complete && (await this.#changedSince(stats))) {
        // Wiped between the stats and the reads: lined up again with the new room at once.
        if (session.current) this.#loop.restart();
        return;
      }
      if (!session.current) return;
      this.#openTransport(session, transport);
    } catch (error) {
      if (!session.current) return;
      this.#onFailure(session, error);
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

  /** Stats, creating the room first when it is missing (a wipe, or a room never made). */
  async #readStats(session: LoopSession): Promise<RoomStats> {
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
      // A stopped feed (a room just left) must not bring the room back.
      if (!session.current) throw error;
      await this.#rest.ensureRoom(this.room);
      return this.#rest.stats(this.room);
    }
  }

  /** Lines the cursor up with the room: first start, a reset room, or events lost to retention. */
  #reconcile(stats: RoomStats, keepLiveMark: boolean): void {
    const end = endOffset(stats);
    if (this.#generation === null || this.#nextOffset === null) {
      // No position (an offset without its generation is none): start at the room's end.
      this.#generation = stats.generation;
      this.#nextOffset = end;
    } else if (stats.generation !== this.#generation || this.#nextOffset > end) {
      // Offsets of the old room mean nothing in the new one: start it from its beginning.
      const oldGeneration = this.#generation;
      this.#generation = stats.generation;
      this.#nextOffset = 0;
      this.emit('reset', { oldGeneration, newGeneration: stats.generation });
    }
    const earliest = stats.minOffset + this.#skew;
    if (stats.messageCount > 0 && this.#nextOffset < earliest) this.#reportGap(earliest);
    if (!keepLiveMark) this.#liveFromOffset = end;
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

  /**
   * Whether the room is no longer the one `stats` described: another generation, or an end
   * before where this feed stands (its offsets are not this room's).
   */
  async #changedSince(stats: RoomStats): Promise<boolean> {
    const fresh = await this.#rest.stats(this.room);
    return fresh.generation !== stats.generation || endOffset(fresh) < (this.#nextOffset ?? 0);
  }

  /**
   * Reads the backlog over REST before the transport opens: a socket that stalled (and was
   * replaced) may stall again, so nothing that was already there is left to it. Returns
   * false when the room answered with less than its stats promised.
   */
  async #catchUp(session: LoopSession, end: number): Promise<boolean> {
    while (this.#nextOffset !== null && end > this.#nextOffset) {
      let page;
      try {
        page = await this.consume(this.#nextOffset, this.#pageSize);
      } catch (error) {
        if (!session.current) return false;
        if (error instanceof SynapError && error.kind === 'offset_out_of_range') {
          this.#reportGap(error.earliestOffset ?? end);
          continue;
        }
        throw error;
      }
      if (!session.current) return false;
      this.#countMalformed(page.malformed, 'unreadable event in a consume answer');
      const before = this.#nextOffset;
      for (const event of page.events) this.#deliver(event);
      if (this.#nextOffset === before) return false;
      this.#emitCursor();
    }
    return true;
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

  // --- the transport ----------------------------------------------------------------------
  #openTransport(session: LoopSession, kind: TransportKind): void {
    const from = this.#nextOffset ?? 0;
    const sink = {
      open: () => session.current && this.#onOpen(session, kind),
      events: (events: readonly StreamEvent[]) =>
        session.current && this.#onEvents(session, events),
      malformed: (reason: string, count: number) =>
        session.current && this.#countMalformed(count, reason),
      closed: (end: TransportEnd) => session.current && this.#onClosed(session, kind, end),
    };
    if (kind === 'websocket' && this.#WebSocket) {
      this.#transport = openSocketTransport(
        { WebSocket: this.#WebSocket, url: this.#socketUrl() },
        sink,
      );
    } else {
      this.#transport = openPollTransport(
        {
          consume: (fromOffset, limit) => this.consume(fromOffset, limit),
          intervalMs: () => this.#pollPause(),
        },
        from,
        sink,
      );
    }
  }

  /** The room on screen keeps its pace; the others are spread out so they do not poll together. */
  #pollPause(): number {
    const base = pollIntervalMs(this.#attention, this.#now() - this.#lastActivityMs);
    if (this.#attention === 'foreground') return base;
    return Math.round(base * (1 - POLL_JITTER / 2 + POLL_JITTER * this.#random()));
  }

  #onOpen(session: LoopSession, kind: TransportKind): void {
    if (kind === 'websocket') this.#policy.socketOpened();
    const reason =
      kind === 'websocket' ? null : this.#skew > 0 ? SKEW_REASON : this.#policy.choice.reason;
    this.#setState({ kind: 'live', transport: kind, reason });
    this.#loop.healthy(session);
    this.#livenessMark = null;
    this.#livenessFailures = 0;
    this.#scheduleLiveness(session);
  }

  #onEvents(session: LoopSession, events: readonly StreamEvent[]): void {
    let delivered = false;
    for (const event of events) {
      const next = this.#nextOffset ?? 0;
      if (event.offset < next) continue;
      if (event.offset > next) {
        // Synap never skips; if an offset is missing anyway, catch up over REST rather than lose it.
        if (delivered) this.#emitCursor();
        this.#closeTransport();
        this.#loop.fail(session, `offset ${next} was skipped`);
        return;
      }
      this.#deliver(event);
      delivered = true;
      if (!session.current) return;
    }
    if (!delivered) return;
    this.#emitCursor();
  }

  #onClosed(session: LoopSession, kind: TransportKind, end: TransportEnd): void {
    this.#closeTransport();
    if (end.error !== undefined) {
      this.#onFailure(session, end.error);
      return;
    }
    // REST answered just before this socket was opened: a refusal is the socket's own.
    if (kind === 'websocket' && end.beforeOpen && this.#policy.socketRefused()) return;
    this.#loop.fail(session, end.reason);
  }

  #scheduleLiveness(session: LoopSession): void {
    const factor = this.#attention === 'foreground' ? 1 : BACKGROUND_LIVENESS_FACTOR;
    let delayMs = this.#livenessIntervalMs * factor;
    // Two checks must span several polls before a quiet poller counts as stuck.
    if (this.#transport?.kind === 'polling') {
      const pollMs = pollIntervalMs(this.#attention, this.#now() - this.#lastActivityMs);
      delayMs = Math.max(delayMs, POLLS_PER_LIVENESS_CHECK * pollMs);
    }
    this.#livenessTimer = setTimeout(() => void this.#checkLiveness(session), delayMs);
  }

  /**
   * The server never pings, so a half-open socket (or a poll answered by a stuck server)
   * looks healthy forever. If the room has events we have not received, and two checks in a
   * row saw no progress, the transport is dead. A room of another generation, or one that
   * ends before where the feed stands, is lined up with again at once (see #reconcile).
   */
  async #checkLiveness(session: LoopSession): Promise<void> {
    this.#livenessTimer = null;
    // The room held every offset before this one when the stats below were asked for.
    const deliveredUpTo = this.#nextOffset ?? 0;
    let stats: RoomStats;
    try {
      stats = await this.#rest.stats(this.room, { timeoutMs: LIVENESS_TIMEOUT_MS });
    } catch (error) {
      if (!session.current) return;
      if (error instanceof SynapError && error.kind === 'room_not_found') {
        this.#loop.restart();
        return;
      }
      this.#livenessFailures += 1;
      // No answer at all: the path to the server is gone, and the transport's with it (a
      // half-open socket never says so). A server error may pass: it gets a second chance.
      const unreachable = error instanceof SynapError && error.kind === 'network';
      if (unreachable || this.#livenessFailures >= LIVENESS_FAILURES_BEFORE_RECONNECT) {
        this.#closeTransport();
        this.#loop.fail(session, 'the server stopped answering');
      } else {
        this.#scheduleLiveness(session);
      }
      return;
    }
    if (!session.current || this.#state.kind !== 'live') return;
    this.#livenessFailures = 0;
    this.emit('stats', stats);
    const healed = this.#skew > 0 && suggestedIndexSkew(stats) === 0;
    // A room that ends before what was delivered from it is not the room this feed follows
    // (its offsets were of another room): the reconnect lines up with it and says so.
    const beyondEnd = deliveredUpTo > endOffset(stats);
    if (stats.generation !== this.#generation || beyondEnd || healed) {
      this.#quietRestart = healed && !beyondEnd;
      this.#loop.restart();
      return;
    }
    const nextOffset = this.#nextOffset ?? 0;
    const behind = endOffset(stats) > nextOffset;
    const previous = this.#livenessMark;
    this.#livenessMark = { nextOffset, behind };
    if (behind && previous?.behind && previous.nextOffset === nextOffset) {
      this.#closeTransport();
      this.#loop.fail(session, 'the connection stopped delivering');
      return;
    }
    this.#scheduleLiveness(session);
  }

  #onFailure(session: LoopSession, error: unknown): void {
    if (error instanceof SynapError) {
      if (error.kind === 'unauthorized' || error.kind === 'forbidden') {
        this.#closeTransport();
        this.#loop.halt(session);
        this.#setState({
          kind: 'unauthorized',
          forbidden: error.kind === 'forbidden',
          message: error.message,
        });
        return;
      }
      // A request the server refuses as such will be refused again: no point retrying.
      if (error.kind === 'bad_request') {
        this.#closeTransport();
        this.#loop.halt(session);
        this.#setState({ kind: 'failed', message: error.message });
        return;
      }
      this.#closeTransport();
      this.#loop.fail(session, error.message);
      return;
    }
    this.#closeTransport();
    this.#loop.fail(session, error instanceof Error ? error.message : String(error));
  }
}
