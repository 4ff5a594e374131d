// Turns the room's entries into what the timeline draws: day separators, the "New
// messages" divider, and messages grouped by author the way chat apps do.
//
// A room can hold 100,000 entries and changes with every message, so the rows are built
// incrementally: a builder keeps its last result and, when the entries share a prefix with
// the previous ones (new messages, a pending one confirmed), places only what follows it;
// when they share a run that starts later (older history prepended, the oldest entries
// trimmed), it places what comes before the run and joins the run's rows at the seam (see
// #rejoin), so a page of history costs its own rows, not the room's.
// Days and time texts are computed once per entry (entry-time.ts), and a message keeps its
// row object while its grouping is unchanged, so rows on screen see nothing new.

import type { ChatMessage, GapLine, SystemLine, TimelineEntry } from './entries';
import { dayKey, entryDay, entryMs, formatDay, previousDayKey, zoneOf } from './entry-time';

/** Messages closer than this from the same author read as one burst. */
export const GROUP_WINDOW_MS = 5 * 60_000;

export type TimelineRow =
  | { kind: 'day'; key: string; label: string; dateIso: string }
  | { kind: 'unread'; key: string }
  | { kind: 'message'; key: string; message: ChatMessage; groupStart: boolean; groupEnd: boolean }
  | { kind: 'system'; key: string; line: SystemLine }
  | { kind: 'gap'; key: string; gap: GapLine };

type MessageRow = Extract<TimelineRow, { kind: 'message' }>;
type SystemRow = Extract<TimelineRow, { kind: 'system' }>;

export interface TimelineRowOptions {
  /** Offsets at or past this one are new to the user; null or absent: no divider. */
  unreadFromOffset?: number | null;
  locale?: string;
  timeZone?: string;
  /** "Today" and "Yesterday" are relative to this; defaults to the current time. */
  nowMs?: number;
}

/** One-off build; the timeline keeps a TimelineRowBuilder to build incrementally. */
export function buildTimelineRows(
  entries: readonly TimelineEntry[],
  options: TimelineRowOptions = {},
): TimelineRow[] {
  return new TimelineRowBuilder().build(entries, options);
}

interface Context {
  unreadFromOffset: number | null;
  zone: string;
  today: string | null;
  nowMs: number;
  locale: string | undefined;
  timeZone: string | undefined;
}

/**
 * An array that grows and shrinks at either end in amortised O(1) per item: room is kept
 * before its first item, so older rows go in front without moving the others.
 */
class Deque<T> {
  #items: (T | undefined)[] = [];
  #start = 0;

  get length(): number {
    return this.#items.length - this.#start;
  }

  at(index: number): T {
    return this.#items[this.#start + index] as T;
  }

  set(index: number, item: T): void {
    this.#items[this.#start + index] = item;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** Keeps the first `length` items. */
  truncate(length: number): void {
    if (length <= 0) {
      this.#items = [];
      this.#start = 0;
    } else if (length < this.length) this.#items.length = this.#start + length;
  }

  /** Replaces the first `count` items with `items`. */
  replaceFront(count: number, items: readonly T[]): void {
    const start = this.#start + count - items.length;
    if (start >= 0) {
      this.#items.fill(undefined, this.#start, start);
      for (let i = 0; i < items.length; i += 1) this.#items[start + i] = items[i];
      this.#start = start;
      // Mostly room by now (the front keeps being dropped): let it go.
      if (start > this.length) {
        this.#items = this.#items.slice(start);
        this.#start = 0;
      }
      return;
    }
    // Room for as many again in front: each item is moved O(1) times on average.
    const rest = this.#items.slice(this.#start + count);
    const room = rest.length + items.length;
    this.#items = new Array<T | undefined>(room).fill(undefined).concat(items, rest);
    this.#start = room;
  }

  slice(from = 0, to = this.length): T[] {
    return this.#items.slice(this.#start + from, this.#start + to) as T[];
  }
}

export class TimelineRowBuilder {
  #entries: readonly TimelineEntry[] = [];
  #rows = new Deque<TimelineRow>();
  /**
   * Per entry: the index of its first row (a day separator or divider comes before it), less
   * #rowBase, so that rows put in front move them all by changing #rowBase alone.
   */
  #rowStart = new Deque<number>();
  #rowBase = 0;
  /** Per entry: the day being shown once it is placed. */
  #dayAfter = new Deque<string | null>();
  /** Keyed lists break on duplicates; skewed clocks can revisit a day, bad data repeat keys. */
  #keys = new Set<string>();
  /** Keys made unique with a suffix: rows then depend on all before them (see #rejoin). */
  #renamed = new Set<string>();
  #unreadRow = -1;
  #settings = '';

  build(entries: readonly TimelineEntry[], options: TimelineRowOptions = {}): TimelineRow[] {
    const { unreadFromOffset = null, locale, timeZone, nowMs = Date.now() } = options;
    const today = dayKey(nowMs, timeZone);
    const zone = zoneOf(locale, timeZone);
    const context: Context = { unreadFromOffset, zone, today, nowMs, locale, timeZone };

    const settings = JSON.stringify([unreadFromOffset, zone, today]);
    const previous = this.#entries;
    let same = 0;
    if (settings === this.#settings) {
      const limit = Math.min(previous.length, entries.length);
      while (same < limit && previous[same] === entries[same]) same += 1;
    }
    const rejoined =
      settings === this.#settings && same === 0 && this.#rejoin(previous, entries, context);
    this.#settings = settings;
    if (!rejoined) {
      // The last shared entry is placed again: whether its group ends depends on what follows.
      this.#placeFrom(entries, Math.max(0, same - 1), context);
    }
    // A copy: callers may hold on to it, and the next build changes this one.
    this.#entries = entries.slice();
    return this.#rows.slice();
  }

  /** Keeps the rows of entries before `from` and places the rest. */
  #placeFrom(entries: readonly TimelineEntry[], from: number, context: Context): void {
    this.#truncate(from);
    for (let index = from; index < entries.length; index += 1) {
      this.#place(entries[index] as TimelineEntry, index, context);
    }
  }

  /** The index of the first row of the entry at `index` (the row count past the last one). */
  #rowOf(index: number): number {
    return index < this.#rowStart.length
      ? this.#rowStart.at(index) + this.#rowBase
      : this.#rows.length;
  }

  /**
   * When the previous entries reappear as one run further on (older entries prepended) or the
   * new ones start inside them (the oldest trimmed): places the entries before the run anew,
   * then the run's, until the builder's state matches the one the previous build had at that
   * entry, from where the previous rows are kept as they are; what follows the run is placed
   * anew. Costs the rows placed, not the rows kept. The result is exactly a full build's.
   * False when this does not apply (then the caller builds in full).
   */
  #rejoin(previous: readonly TimelineEntry[], entries: readonly TimelineEntry[], context: Context) {
    // Renamed keys depend on every row before them: prepending could rename them all.
    if (previous.length === 0 || entries.length === 0 || this.#renamed.size > 0) return false;
    // The run: previous[from + i] === entries[at + i] for i < length.
    let from = 0;
    let at = entries.indexOf(previous[0] as TimelineEntry);
    if (at < 0) {
      at = 0;
      from = previous.indexOf(entries[0] as TimelineEntry);
      if (from < 0) return false;
    }
    let length = 0;
    const limit = Math.min(previous.length - from, entries.length - at);
    while (length < limit && previous[from + length] === entries[at + length]) length += 1;
    // The run's last entry is placed anew: whether its group ends depends on what follows.
    const keptEnd = from + length - 1;

    const old = {
      rows: this.#rows,
      rowStart: this.#rowStart,
      rowBase: this.#rowBase,
      dayAfter: this.#dayAfter,
      keys: this.#keys,
      unreadRow: this.#unreadRow,
    };
    const oldRowOf = (index: number) => old.rowStart.at(index) + old.rowBase;
    // The entries before the seam are placed on their own, as the start of a full build.
    this.#rows = new Deque();
    this.#rowStart = new Deque();
    this.#rowBase = 0;
    this.#dayAfter = new Deque();
    this.#keys = new Set();
    this.#renamed = new Set();
    this.#unreadRow = -1;
    let index = 0;
    let joinAt = -1;
    for (; index < entries.length; index += 1) {
      const before = from + (index - at);
      if (
        index > at &&
        before < keptEnd &&
        this.#sameStateAs(old.dayAfter.at(before - 1), oldRowOf(before), old.unreadRow, index)
      ) {
        joinAt = before;
        break;
      }
      this.#place(entries[index] as TimelineEntry, index, context);
    }
    // Everything placed anew: that is a full build.
    if (joinAt < 0) return true;

    const rowFrom = oldRowOf(joinAt);
    const rowTo = oldRowOf(keptEnd);
    // The previous rows outside the kept ones: their keys go (they are placed anew, or gone).
    const outside = new Set<string>();
    for (let row = 0; row < rowFrom; row += 1) outside.add(old.rows.at(row).key);
    for (let row = rowTo; row < old.rows.length; row += 1) outside.add(old.rows.at(row).key);
    // A new row with the key of a kept one: a full build would rename the kept one.
    for (const key of this.#keys) {
      if (old.keys.has(key) && !outside.has(key)) return false;
    }
    for (const key of outside) old.keys.delete(key);
    for (const key of this.#keys) old.keys.add(key);

    const rows = this.#rows.slice();
    // The row before the seam ends its group as it did: the entry after it decides, unchanged.
    const last = rows[rows.length - 1];
    const was = old.rows.at(rowFrom - 1);
    if (last?.kind === 'message' && was.kind === 'message' && last.groupEnd !== was.groupEnd) {
      rows[rows.length - 1] = messageRow(last.message, last.key, last.groupStart, was.groupEnd);
    }
    const shift = rows.length - rowFrom;
    if (this.#unreadRow < 0 && old.unreadRow >= rowFrom && old.unreadRow < rowTo) {
      this.#unreadRow = old.unreadRow + shift;
    }
    // Kept: the previous rows of entries joinAt up to keptEnd; in front of them, the new ones.
    old.rows.truncate(rowTo);
    old.rows.replaceFront(rowFrom, rows);
    old.rowStart.truncate(keptEnd);
    const rowBase = old.rowBase + shift;
    old.rowStart.replaceFront(
      joinAt,
      this.#rowStart.slice().map((start) => start - rowBase),
    );
    old.dayAfter.truncate(keptEnd);
    old.dayAfter.replaceFront(joinAt, this.#dayAfter.slice());
    this.#rows = old.rows;
    this.#rowStart = old.rowStart;
    this.#rowBase = rowBase;
    this.#dayAfter = old.dayAfter;
    this.#keys = old.keys;
    for (let next = index + (keptEnd - joinAt); next < entries.length; next += 1) {
      this.#place(entries[next] as TimelineEntry, next, context);
    }
    return true;
  }

  /**
   * Whether placing entries[index] now gives what it gave in the last build, and so does
   * everything after it: the same day shown before it, and the "New messages" divider still
   * to come or not. (The row before it is the same entry's, so it groups the same.)
   */
  #sameStateAs(dayBefore: string | null, rowStart: number, unreadRow: number, index: number) {
    if (this.#dayAfter.at(index - 1) !== dayBefore) return false;
    const dividerToCome = unreadRow >= rowStart;
    if (this.#unreadRow < 0) return dividerToCome || unreadRow < 0;
    return !dividerToCome;
  }

  /** Forgets the rows of entries from `from` on. */
  #truncate(from: number): void {
    const rowFrom = from === 0 ? 0 : this.#rowOf(from);
    if (rowFrom === 0) {
      this.#keys.clear();
      this.#renamed.clear();
      this.#rowBase = 0;
    }
    for (let index = rowFrom; index < this.#rows.length && rowFrom > 0; index += 1) {
      const key = this.#rows.at(index).key;
      this.#keys.delete(key);
      this.#renamed.delete(key);
    }
    this.#rows.truncate(rowFrom);
    this.#rowStart.truncate(Math.min(from, this.#rowStart.length));
    this.#dayAfter.truncate(this.#rowStart.length);
    if (this.#unreadRow >= rowFrom) this.#unreadRow = -1;
  }

  #place(entry: TimelineEntry, index: number, context: Context): void {
    const rows = this.#rows;
    this.#rowStart.push(rows.length - this.#rowBase);
    const currentDay = index > 0 ? this.#dayAfter.at(index - 1) : null;
    const day = entryDay(entry, context.zone, context.timeZone);
    // An unreadable timestamp stays with the day before it rather than inventing one.
    const newDay = day !== null && day !== currentDay;
    this.#dayAfter.push(newDay ? day : currentDay);
    const { unreadFromOffset } = context;
    const divider =
      this.#unreadRow < 0 &&
      unreadFromOffset !== null &&
      entry.type === 'message' &&
      !entry.own &&
      entry.offset !== null &&
      entry.offset >= unreadFromOffset;
    // The last row so far is the previous entry's own row.
    const previous = index > 0 ? rows.at(rows.length - 1) : undefined;
    const continues =
      previous?.kind === 'message' &&
      !newDay &&
      !divider &&
      entry.type === 'message' &&
      sameGroup(previous.message, entry);
    if (continues) {
      rows.set(
        rows.length - 1,
        messageRow(previous.message, previous.key, previous.groupStart, false),
      );
    }

    if (newDay) {
      const label = dayLabel(day, entry, context);
      rows.push({ kind: 'day', key: this.#uniqueKey(`day-${day}`), label, dateIso: day });
    }
    if (divider) {
      this.#unreadRow = rows.length;
      rows.push({ kind: 'unread', key: this.#uniqueKey('unread-divider') });
    }
    const key = this.#uniqueKey(entry.key);
    if (entry.type === 'gap') rows.push({ kind: 'gap', key, gap: entry });
    else
      rows.push(
        entry.type === 'system' ? systemRow(entry, key) : messageRow(entry, key, !continues),
      );
  }

  #uniqueKey(key: string): string {
    let candidate = key;
    for (let n = 2; this.#keys.has(candidate); n += 1) candidate = `${key}~${n}`;
    this.#keys.add(candidate);
    if (candidate !== key) this.#renamed.add(candidate);
    return candidate;
  }
}

function sameGroup(previous: ChatMessage, next: ChatMessage): boolean {
  return (
    previous.userId === next.userId &&
    previous.own === next.own &&
    // Author clocks disagree, so a slightly earlier stamp still belongs to the burst.
    Math.abs(next.sentAtMs - previous.sentAtMs) <= GROUP_WINDOW_MS
  );
}

const messageRows = new WeakMap<ChatMessage, MessageRow>();
const systemRows = new WeakMap<SystemLine, SystemRow>();

/** The same row object as last time when nothing about it changed. */
function messageRow(
  message: ChatMessage,
  key: string,
  groupStart: boolean,
  groupEnd = true,
): MessageRow {
  const cached = messageRows.get(message);
  if (cached?.key === key && cached.groupStart === groupStart && cached.groupEnd === groupEnd) {
    return cached;
  }
  const row: MessageRow = { kind: 'message', key, message, groupStart, groupEnd };
  messageRows.set(message, row);
  return row;
}

function systemRow(line: SystemLine, key: string): SystemRow {
  const cached = systemRows.get(line);
  if (cached?.key === key) return cached;
  const row: SystemRow = { kind: 'system', key, line };
  systemRows.set(line, row);
  return row;
}

const dayLabels = new Map<string, string>();

function dayLabel(day: string, entry: TimelineEntry, context: Context): string {
  const { today, nowMs, locale, timeZone } = context;
  if (day === today) return 'Today';
  if (today !== null && day === previousDayKey(today)) return 'Yesterday';
  // Labels depend on the year shown as "this year", hence today's year in the key.
  const cacheKey = JSON.stringify([day, today?.slice(0, 4), context.zone]);
  let label = dayLabels.get(cacheKey);
  if (label === undefined) {
    label = formatDay(entryMs(entry), nowMs, locale, timeZone);
    dayLabels.set(cacheKey, label);
  }
  return label;
}
