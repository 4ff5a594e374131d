/**
 * The stream rooms, as Synap's `StreamManager` keeps them (synap-core `core/stream.rs`).
 *
 * Pure and synchronous: no I/O, and the clock is injected, so its retention and numbering rules
 * can be reasoned about (and tested) on their own. The data layout deliberately mirrors the Rust
 * one (a buffer plus separate `min_offset`/`next_offset` counters and a stats record updated only
 * where Synap updates it), because several of Synap's observable quirks follow from that layout.
 */
import { randomUUID } from 'node:crypto';

export interface StoredEvent {
  readonly id: string;
  readonly offset: number;
  readonly room: string;
  readonly event: string;
  /** The published `data` value as serde_json text, in UTF-8. */
  readonly data: Uint8Array;
  /** Unix seconds. */
  readonly timestamp: number;
}

/** Field order is the Rust struct's, which is the order Synap serialises them in. */
export interface RoomStats {
  name: string;
  message_count: number;
  min_offset: number;
  max_offset: number;
  subscriber_count: number;
  total_published: number;
  total_consumed: number;
  dropped: number;
  created_at: number;
  generation: number;
}

export interface RoomStoreConfig {
  /** Soft ring-buffer size per room (Synap: `max_buffer_size`). */
  maxBufferSize: number;
  /** Hard cap that still protects unread events (Synap: `max_unread_buffer_size`). */
  maxUnreadBufferSize: number;
  /** Events older than this are dropped by `compact()` (Synap: `retention_secs`). */
  retentionSecs: number;
}

export interface Clock {
  nowMs(): number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

const systemClock: Clock = { nowMs: () => Date.now() };

function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

function fail<T>(error: string): Result<T> {
  return { ok: false, error };
}

function notFound<T>(room: string): Result<T> {
  return fail(`Room '${room}' not found`);
}

/**
 * Process-wide, like Synap's static counter: every stand-in in this process shares it, so a
 * "restart" (a new stand-in, or wipe) can never reissue a generation a client has seen. Seeding
 * from the wall clock carries that guarantee across real process restarts too.
 */
let lastGeneration = 0;

function nextGeneration(nowMs: number): number {
  lastGeneration = Math.max(nowMs, lastGeneration + 1);
  return lastGeneration;
}

/** FIFO with O(1) amortised removal from the front (a backlog can hold 100,000 events). */
class EventBuffer {
  private items: StoredEvent[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  front(): StoredEvent | undefined {
    return this.items[this.head];
  }

  push(event: StoredEvent): void {
    this.items.push(event);
  }

  shift(): StoredEvent | undefined {
    const event = this.items[this.head];
    if (event === undefined) return undefined;
    this.head += 1;
    const COMPACT_AFTER_REMOVED = 1024;
    if (this.head >= COMPACT_AFTER_REMOVED && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return event;
  }

  slice(start: number, count: number): StoredEvent[] {
    const from = this.head + start;
    return this.items.slice(from, from + Math.min(count, this.length - start));
  }

  retain(keep: (event: StoredEvent) => boolean): void {
    this.items = this.items.slice(this.head).filter(keep);
    this.head = 0;
  }
}

class Room {
  private readonly buffer = new EventBuffer();
  private nextOffset = 0;
  private minOffset = 0;
  /** subscriber id -> the next offset it will read; never forgotten while the room lives. */
  private readonly subscribers = new Map<string, number>();
  private readonly stats: RoomStats;

  constructor(
    name: string,
    private readonly config: RoomStoreConfig,
    private readonly clock: Clock,
  ) {
    const now = clock.nowMs();
    this.stats = {
      name,
      message_count: 0,
      min_offset: 0,
      max_offset: 0,
      subscriber_count: 0,
      total_published: 0,
      total_consumed: 0,
      dropped: 0,
      created_at: now,
      generation: nextGeneration(now),
    };
  }

  publish(room: string, event: string, data: Uint8Array): number {
    const offset = this.nextOffset;
    this.nextOffset += 1;
    this.buffer.push({
      id: randomUUID(),
      offset,
      room,
      event,
      data,
      timestamp: Math.floor(this.clock.nowMs() / 1000),
    });
    this.stats.total_published += 1;
    this.stats.message_count = this.buffer.length;
    this.stats.max_offset = this.nextOffset - 1;

    // Trim toward the soft size, but keep events the slowest known subscriber has not read,
    // up to the hard cap; only a forced eviction of unread events counts as `dropped`.
    let slowest: number | undefined;
    for (const next of this.subscribers.values()) slowest = Math.min(slowest ?? next, next);
    const hardCap = Math.max(this.config.maxUnreadBufferSize, this.config.maxBufferSize);
    while (this.buffer.length > this.config.maxBufferSize) {
      const oldest = this.buffer.front();
      if (oldest === undefined) break;
      const unread = slowest !== undefined && oldest.offset >= slowest;
      if (unread && this.buffer.length <= hardCap) break;
      this.buffer.shift();
      if (unread) this.stats.dropped += 1;
      this.minOffset = oldest.offset + 1;
    }
    this.stats.message_count = this.buffer.length;
    this.stats.min_offset = this.minOffset;
    return offset;
  }

  consume(subscriberId: string, fromOffset: number, limit: number): Result<StoredEvent[]> {
    // `minOffset > 0` tells real eviction apart from a fresh room.
    if (this.minOffset > 0 && fromOffset < this.minOffset) {
      return fail(
        `Stream offset ${fromOffset} out of range; earliest retained offset is ${this.minOffset}`,
      );
    }
    // Synap seeks by arithmetic, assuming offsets in the buffer are contiguous from minOffset.
    const start = Math.min(Math.max(fromOffset - this.minOffset, 0), this.buffer.length);
    const events = this.buffer.slice(start, limit);
    const last = events.at(-1);
    this.subscribers.set(subscriberId, last ? last.offset + 1 : fromOffset);
    this.stats.subscriber_count = this.subscribers.size;
    this.stats.total_consumed += events.length;
    return ok(events);
  }

  getStats(): RoomStats {
    return { ...this.stats };
  }

  compact(): void {
    const cutoffSecs = Math.max(
      0,
      Math.floor(this.clock.nowMs() / 1000) - this.config.retentionSecs,
    );
    const before = this.buffer.length;
    this.buffer.retain((event) => event.timestamp > cutoffSecs);
    const first = this.buffer.front();
    // As in Synap: an emptied buffer leaves minOffset and message_count as they were, and
    // stats.min_offset only catches up on the next publish.
    if (this.buffer.length < before && first !== undefined) {
      this.minOffset = first.offset;
      this.stats.message_count = this.buffer.length;
    }
  }
}

export class RoomStore {
  private readonly rooms = new Map<string, Room>();

  constructor(
    private readonly config: RoomStoreConfig,
    private readonly clock: Clock = systemClock,
  ) {}

  createRoom(name: string): Result<void> {
    if (this.rooms.has(name)) return fail(`Room '${name}' already exists`);
    this.rooms.set(name, new Room(name, this.config, this.clock));
    return ok(undefined);
  }

  /** Idempotent create; true when this call created the room. */
  getOrCreateRoom(name: string): boolean {
    if (this.rooms.has(name)) return false;
    this.rooms.set(name, new Room(name, this.config, this.clock));
    return true;
  }

  publish(name: string, event: string, data: Uint8Array): Result<number> {
    const room = this.rooms.get(name);
    return room ? ok(room.publish(name, event, data)) : notFound(name);
  }

  consume(
    name: string,
    subscriberId: string,
    fromOffset: number,
    limit: number,
  ): Result<StoredEvent[]> {
    const room = this.rooms.get(name);
    return room ? room.consume(subscriberId, fromOffset, limit) : notFound(name);
  }

  stats(name: string): Result<RoomStats> {
    const room = this.rooms.get(name);
    return room ? ok(room.getStats()) : notFound(name);
  }

  list(): string[] {
    return [...this.rooms.keys()];
  }

  deleteRoom(name: string): Result<void> {
    return this.rooms.delete(name) ? ok(undefined) : notFound(name);
  }

  /** The periodic time-retention sweep. */
  compact(): void {
    for (const room of this.rooms.values()) room.compact();
  }

  /** What a restart of a non-persistent Synap does to the rooms. */
  wipe(): void {
    this.rooms.clear();
  }
}
