// One room's timeline as plain data: entries in offset order, each message shown once, a
// bounded window of them in memory, the unread count and where the "New messages" divider
// goes. No Svelte here: RoomState (src/state/room.svelte.ts) holds a snapshot of it in
// $state and decides when to publish a new one.
import type { ChatMessage, GapLine, SystemLine, TimelineEntry } from './entries';

/** Entries kept in memory while nobody reads the old part; older ones are fetched again. */
export const TIMELINE_WINDOW_ENTRIES = 5_000;
/** A "left" and a "joined" of one user this close together are a reload, not news. */
export const REJOIN_WITHIN_MS = 120_000;

type StoredMessage = ChatMessage & { offset: number };
/** What the model holds: entries with an offset (pending messages are not in it). */
type Positioned = TimelineEntry & { offset: number };

export interface TimelineModelOptions {
  windowEntries?: number;
}

/** What identifies one message across duplicate stores: its author and client message id. */
function clientKey(userId: string, clientId: string): string {
  return `${userId}\n${clientId}`;
}

export class TimelineModel {
  readonly #windowEntries: number;
  #entries: Positioned[] = [];
  /**
   * Entries that go before the newest one, in offset order, not yet merged into #entries:
   * history arrives older-first a page at a time, so a page is merged in one pass when next
   * read (O(n + page)) rather than spliced in one entry at a time (O(n) each).
   */
  #pending: Positioned[] = [];
  #snapshot: readonly TimelineEntry[] = [];
  #changed = false;
  /** #entries is the snapshot handed out: copied before it changes (copy on write). */
  #shared = false;
  // Bookkeeping for the entries in the window only: trimming forgets them too, so a message
  // fetched again after trimming is shown again.
  readonly #offsets = new Set<number>();
  readonly #byClient = new Map<string, number>();
  readonly #unreadOffsets = new Set<number>();
  #readOffset: number | null = null;
  #dividerOffset: number | null = null;
  /** Where the user left off when the room came into view; missed messages there get the divider. */
  #dividerFrom: number | null = null;
  /** The oldest offset dropped from the window, +1: history continues from here. */
  #trimmedBefore: number | null = null;

  constructor(options: TimelineModelOptions = {}) {
    this.#windowEntries = options.windowEntries ?? TIMELINE_WINDOW_ENTRIES;
  }

  /** The entries, as an array that changes identity only when they changed. */
  get entries(): readonly TimelineEntry[] {
    if (this.#changed) {
      this.#settle();
      this.#snapshot = this.#entries;
      this.#shared = true;
      this.#changed = false;
    }
    return this.#snapshot;
  }

  get size(): number {
    return this.#entries.length + this.#pending.length;
  }

  get unread(): number {
    return this.#unreadOffsets.size;
  }

  get readOffset(): number | null {
    return this.#readOffset;
  }

  get dividerOffset(): number | null {
    return this.#dividerOffset;
  }

  /** Entries before this offset were dropped from memory; null if none were. */
  get trimmedBefore(): number | null {
    return this.#trimmedBefore;
  }

  has(offset: number): boolean {
    return this.#offsets.has(offset);
  }

  /** The entry at `offset`, if it is in the window. */
  get(offset: number): TimelineEntry | undefined {
    if (!this.#offsets.has(offset)) return undefined;
    this.#settle();
    const entry = this.#entries[this.#indexOf(offset)];
    return entry?.offset === offset ? entry : undefined;
  }

  /**
   * Puts a new version of the message at `offset` in its place (an edit, a reaction): a new
   * object, so the row showing it updates. False when it is not in the window.
   */
  replaceMessage(offset: number, message: ChatMessage): boolean {
    if (!this.#offsets.has(offset) || message.offset !== offset) return false;
    this.#settle();
    const index = this.#indexOf(offset);
    if (this.#entries[index]?.type !== 'message') return false;
    this.#writable()[index] = message as StoredMessage;
    this.#changed = true;
    return true;
  }

  /**
   * Adds a stored message; false when it is already shown (the same offset, or the same
   * author and client message id stored twice by a retried publish).
   */
  addMessage(message: StoredMessage): boolean {
    if (this.#offsets.has(message.offset)) return false;
    if (message.clientId) {
      const key = clientKey(message.userId, message.clientId);
      const existing = this.#byClient.get(key);
      if (existing !== undefined) {
        // The first store of a message is the one shown (a later page may bring it back).
        if (existing < message.offset) return false;
        this.#remove(existing);
      }
      this.#byClient.set(key, message.offset);
    }
    this.#insert(message);
    if (!message.own && this.#readOffset !== null && message.offset >= this.#readOffset) {
      this.#unreadOffsets.add(message.offset);
    }
    return true;
  }

  /** Adds a joined/left line; a reload's "left" then "joined" of one user drops both. */
  addSystem(line: SystemLine): void {
    if (this.#offsets.has(line.offset)) return;
    const last = this.#entries.at(-1);
    if (
      line.kind === 'joined' &&
      last?.type === 'system' &&
      last.kind === 'left' &&
      last.userId === line.userId &&
      last.offset < line.offset &&
      line.atMs - last.atMs < REJOIN_WITHIN_MS
    ) {
      this.#remove(last.offset);
      // Remembered, so the "joined" is not added when read again.
      this.#offsets.add(line.offset);
      return;
    }
    this.#insert(line);
  }

  /** Marks where events were lost, in place: between what came before and after them. */
  addGap(gap: GapLine): void {
    if (this.#offsets.has(gap.offset)) return;
    // Losses reported in steps (the earliest offset moved on while catching up) are one gap.
    this.#settle();
    const index = this.#indexOf(gap.offset);
    const before = this.#entries[index - 1];
    if (before?.type === 'gap' && before.toOffset >= gap.offset) {
      this.#writable()[index - 1] = {
        ...before,
        toOffset: Math.max(before.toOffset, gap.toOffset),
      };
      this.#changed = true;
      return;
    }
    this.#insert(gap);
  }

  /** Everything goes (the room was reset); the read marker is set anew by the caller. */
  clear(): void {
    this.#entries = [];
    this.#shared = false;
    this.#pending = [];
    this.#changed = true;
    this.#offsets.clear();
    this.#byClient.clear();
    this.#unreadOffsets.clear();
    this.#dividerOffset = null;
    this.#dividerFrom = null;
    this.#trimmedBefore = null;
  }

  // --- reading --------------------------------------------------------------------------
  /** Where the user's reading stands: messages of others from here on are unread. */
  setReadOffset(offset: number): void {
    const previous = this.#readOffset;
    this.#readOffset = offset;
    for (const unread of this.#unreadOffsets) {
      if (unread < offset) this.#unreadOffsets.delete(unread);
    }
    // Entries shown before the marker was known (a cached tail) count from here on.
    if (previous === null || offset < previous) {
      this.#settle();
      for (const entry of this.#entries) {
        if (
          entry.type === 'message' &&
          !entry.own &&
          entry.offset !== null &&
          entry.offset >= offset
        ) {
          this.#unreadOffsets.add(entry.offset);
        }
      }
    }
  }

  /** The room came into view: the divider goes before the first unread message. */
  cameIntoView(): void {
    this.#dividerFrom = null;
    this.#dividerOffset = this.#firstUnread();
  }

  /** The user dismissed the "New messages" divider (Esc): it goes until they come back. */
  clearDivider(): void {
    this.#dividerOffset = null;
    this.#dividerFrom = null;
  }

  /** The room opened on screen with the user's read marker at `offset`. */
  markDividerFrom(offset: number | null): void {
    this.#dividerFrom = offset;
  }

  /** Places the divider before the first message of others past where the user left off. */
  placeDivider(from: number | null = this.#dividerFrom): void {
    if (from === null) return;
    this.#settle();
    const entry = this.#entries.find(
      (candidate) =>
        candidate.type === 'message' && !candidate.own && (candidate.offset ?? -1) >= from,
    );
    const first = entry?.offset ?? null;
    if (first !== null && (this.#dividerOffset === null || first < this.#dividerOffset)) {
      this.#dividerOffset = first;
    }
  }

  /** The entry at `offset` arrived while the user was away: it may take the divider. */
  missed(offset: number): void {
    if (this.#dividerFrom === null || offset < this.#dividerFrom) return;
    if (this.#dividerOffset !== null && this.#dividerOffset <= offset) return;
    this.#settle();
    const entry = this.#entries[this.#indexOf(offset)];
    if (entry?.offset === offset && entry.type === 'message' && !entry.own) {
      this.#dividerOffset = offset;
    }
  }

  // --- the window -----------------------------------------------------------------------
  /**
   * Drops the oldest entries beyond the window. Only call it when nobody is reading them
   * (the room is off screen, or its reader follows the newest messages). Returns whether
   * anything was dropped.
   */
  trim(): boolean {
    this.#settle();
    const excess = this.#entries.length - this.#windowEntries;
    if (excess <= 0) return false;
    const dropped = this.#writable().splice(0, excess);
    this.#changed = true;
    // Unread counts stay exact: a dropped message of others is still unread.
    for (const entry of dropped) this.#forget(entry, true);
    const firstKept = this.#entries[0]?.offset;
    if (firstKept !== null && firstKept !== undefined) this.#trimmedBefore = firstKept;
    return true;
  }

  /** Older history was loaded back: the window reaches further back again. */
  loadedBackTo(offset: number): void {
    if (this.#trimmedBefore !== null && offset <= this.#trimmedBefore) {
      this.#trimmedBefore = null;
    }
  }

  // --- internals ------------------------------------------------------------------------
  #firstUnread(): number | null {
    let first: number | null = null;
    for (const offset of this.#unreadOffsets) if (first === null || offset < first) first = offset;
    return first;
  }

  /**
   * Keeps entries in offset order: live events come newest-last (appended), history pages
   * older-first (collected in #pending while they keep coming in order, merged when read).
   */
  #insert(entry: Positioned): void {
    this.#offsets.add(entry.offset);
    this.#changed = true;
    const last = this.#entries.at(-1);
    if (!last || last.offset < entry.offset) {
      // Everything pending is older than `last`, so older than this one too.
      this.#writable().push(entry);
      return;
    }
    const pendingLast = this.#pending.at(-1);
    if (!pendingLast || pendingLast.offset < entry.offset) {
      this.#pending.push(entry);
      return;
    }
    // Out of order even for a page (rare): merge what is pending, then place this one.
    this.#settle();
    this.#writable().splice(this.#indexOf(entry.offset), 0, entry);
  }

  /** Merges the pending entries into #entries, both in offset order, in one pass. */
  #settle(): void {
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    const entries = this.#entries;
    const start = this.#indexOf((pending[0] as Positioned).offset);
    if (start === 0 && (pending.at(-1) as Positioned).offset < (entries[0]?.offset ?? Infinity)) {
      // A page of history before everything: the usual case.
      this.#entries = pending.concat(entries);
      this.#shared = false;
      return;
    }
    const merged = entries.slice(0, start);
    let i = start;
    let j = 0;
    while (i < entries.length && j < pending.length) {
      const a = entries[i] as Positioned;
      const b = pending[j] as Positioned;
      if (a.offset < b.offset) {
        merged.push(a);
        i += 1;
      } else {
        merged.push(b);
        j += 1;
      }
    }
    while (i < entries.length) merged.push(entries[i++] as Positioned);
    while (j < pending.length) merged.push(pending[j++] as Positioned);
    this.#entries = merged;
    this.#shared = false;
  }

  /** #entries, to change in place: a copy first if it was handed out. */
  #writable(): Positioned[] {
    if (this.#shared) {
      this.#entries = this.#entries.slice();
      this.#shared = false;
    }
    return this.#entries;
  }

  /** The index in #entries (pending ones aside) of the first entry at or after `offset`. */
  #indexOf(offset: number): number {
    const entries = this.#entries;
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((entries[middle] as Positioned).offset < offset) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #remove(offset: number): void {
    this.#settle();
    const index = this.#indexOf(offset);
    const entry = this.#entries[index];
    if (entry?.offset !== offset) return;
    this.#writable().splice(index, 1);
    this.#changed = true;
    this.#forget(entry);
  }

  #forget(entry: TimelineEntry, keepUnread = false): void {
    if (entry.offset === null) return;
    this.#offsets.delete(entry.offset);
    if (!keepUnread) this.#unreadOffsets.delete(entry.offset);
    if (entry.type === 'message' && entry.clientId) {
      const key = clientKey(entry.userId, entry.clientId);
      if (this.#byClient.get(key) === entry.offset) this.#byClient.delete(key);
    }
  }
}
