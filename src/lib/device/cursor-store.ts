// Where each room's subscription stopped, so a reload resumes with no gap and no duplicate.
import type { SafeStorage } from './safe-storage';

export interface RoomCursor {
  /** The room's generation when the offset was recorded: a different one means a reset room. */
  generation: number;
  /** The next offset to deliver. */
  nextOffset: number;
}

const PREFIX = 'synap-chat:cursor:';

/**
 * The later of two positions in one room: a newer generation wins whatever its offset (the
 * room was made again and counts from 0), and only within one generation does the higher
 * offset win. The one comparison of positions in the app: an offset of an older generation
 * must never be resumed into a newer one.
 */
export function furthestCursor(a: RoomCursor | null, b: RoomCursor | null): RoomCursor | null {
  if (!a || !b) return a ?? b;
  if (a.generation !== b.generation) return a.generation > b.generation ? a : b;
  return a.nextOffset >= b.nextOffset ? a : b;
}

function isCursor(value: unknown): value is RoomCursor {
  if (typeof value !== 'object' || value === null) return false;
  const { generation, nextOffset } = value as Record<string, unknown>;
  return (
    typeof generation === 'number' &&
    Number.isSafeInteger(generation) &&
    typeof nextOffset === 'number' &&
    Number.isSafeInteger(nextOffset) &&
    nextOffset >= 0
  );
}

/** Cursors keyed by server URL + room + subscriber; a key of the same shape for read markers. */
export class CursorStore {
  constructor(
    readonly storage: SafeStorage,
    readonly prefix = PREFIX,
  ) {}

  #key(serverUrl: string, room: string, subscriberId: string): string {
    return `${this.prefix}${JSON.stringify([serverUrl, room, subscriberId])}`;
  }

  get(serverUrl: string, room: string, subscriberId: string): RoomCursor | null {
    const value = this.storage.getJson(this.#key(serverUrl, room, subscriberId));
    return isCursor(value) ? { generation: value.generation, nextOffset: value.nextOffset } : null;
  }

  set(serverUrl: string, room: string, subscriberId: string, cursor: RoomCursor): void {
    this.storage.setJson(this.#key(serverUrl, room, subscriberId), {
      generation: cursor.generation,
      nextOffset: cursor.nextOffset,
    });
  }

  delete(serverUrl: string, room: string, subscriberId: string): void {
    this.storage.remove(this.#key(serverUrl, room, subscriberId));
  }
}
