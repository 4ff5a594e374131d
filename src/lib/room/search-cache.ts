// What the searches of one room have read, kept for the next query: a search that runs as the
// user types would otherwise download the whole room again after every pause. The stream is
// an append-only log, so what was read stays true; only new events (read on top) and
// retention (which takes the oldest away) change it.
import type { ChatEvent } from './chat-events';

/** Messages, edits and deletes kept at most: the newest ones (older ones are read again). */
export const MAX_CACHED_SEARCH_EVENTS = 20_000;

/** The events a search needs: the messages and what changes their text. */
export type SearchedEvent = Extract<ChatEvent, { kind: 'message' | 'edit' | 'delete' }>;

/**
 * One room's read history: every searched event with an offset in [from, before), newest
 * first. Empty (from = before) until a search reads something.
 */
export class SearchCache {
  readonly #maxEvents: number;
  #generation: number | null = null;
  #from = 0;
  #before = 0;
  #events: SearchedEvent[] = [];

  constructor(maxEvents = MAX_CACHED_SEARCH_EVENTS) {
    this.#maxEvents = Math.max(1, maxEvents);
  }

  get from(): number {
    return this.#from;
  }
  get before(): number {
    return this.#before;
  }
  /** Newest first; read-only, and valid until the next change. */
  get events(): readonly SearchedEvent[] {
    return this.#events;
  }

  /**
   * Makes the cache fit the room as it is now: forgotten if the room is another generation (a
   * reset or wiped room starts its offsets again) or its end went back; what retention took
   * (offsets before `earliest`) dropped.
   */
  prepare(generation: number | null, beforeOffset: number, earliest: number): void {
    const stale = generation !== this.#generation || beforeOffset < this.#before;
    if (stale || earliest >= this.#before) {
      this.#generation = generation;
      this.#from = beforeOffset;
      this.#before = beforeOffset;
      this.#events = [];
      return;
    }
    if (earliest > this.#from) {
      this.#events = this.#events.filter((event) => event.offset >= earliest);
      this.#from = earliest;
    }
  }

  /** The events of [before, newBefore), newest first, were read: they go on top. */
  addNewer(events: readonly SearchedEvent[], newBefore: number): void {
    if (newBefore < this.#before) return;
    this.#events = [...events, ...this.#events];
    this.#before = newBefore;
    this.#trim();
  }

  /**
   * The events of [from, before), newest first, were read: they go below when they continue
   * the cache (before = from), unless it is full (it then stays the newest part, and older
   * pages are read again next time).
   */
  addOlder(events: readonly SearchedEvent[], from: number, before: number): void {
    if (before !== this.#from || from >= before || this.#events.length >= this.#maxEvents) return;
    this.#events.push(...events);
    this.#from = from;
    this.#trim();
  }

  clear(): void {
    this.#generation = null;
    this.#from = 0;
    this.#before = 0;
    this.#events = [];
  }

  /** Past the limit, the oldest go: the cache then starts at the oldest event kept. */
  #trim(): void {
    if (this.#events.length <= this.#maxEvents) return;
    this.#events.length = this.#maxEvents;
    this.#from = this.#events[this.#maxEvents - 1]?.offset ?? this.#before;
  }
}
