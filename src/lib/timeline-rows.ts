// Turns the room's entries into what the timeline draws: day separators, the "New
// messages" divider, and messages grouped by author the way chat apps do.
//
// A room can hold 100,000 entries and changes with every message, so the rows are built
// incrementally: a builder keeps its last result and, when the entries share a prefix with
// the previous ones (new messages, a pending one confirmed), places only what follows it.
// Days and time texts are computed once per entry (entry-time.ts), and a message keeps its
// row object while its grouping is unchanged, so rows on screen see nothing new.

import type { ChatMessage, GapLine, SystemLine, TimelineEntry } from './chat-model';
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

export class TimelineRowBuilder {
  #entries: readonly TimelineEntry[] = [];
  #rows: TimelineRow[] = [];
  /** Per entry: the index of its first row (a day separator or divider comes before it). */
  #rowStart: number[] = [];
  /** Per entry: the day being shown once it is placed. */
  #dayAfter: (string | null)[] = [];
  /** Keyed lists break on duplicates; skewed clocks can revisit a day, bad data repeat keys. */
  #keys = new Set<string>();
  #unreadRow = -1;
  #settings = '';

  build(entries: readonly TimelineEntry[], options: TimelineRowOptions = {}): TimelineRow[] {
    const { unreadFromOffset = null, locale, timeZone, nowMs = Date.now() } = options;
    const today = dayKey(nowMs, timeZone);
    const zone = zoneOf(locale, timeZone);
    const context: Context = { unreadFromOffset, zone, today, nowMs, locale, timeZone };

    let from = 0;
    const settings = JSON.stringify([unreadFromOffset, zone, today]);
    if (settings === this.#settings) {
      const previous = this.#entries;
      const limit = Math.min(previous.length, entries.length);
      let same = 0;
      while (same < limit && previous[same] === entries[same]) same += 1;
      // The last shared entry is placed again: whether its group ends depends on what follows.
      from = Math.max(0, same - 1);
    }
    this.#settings = settings;
    this.#truncate(from);
    for (let index = from; index < entries.length; index += 1) {
      this.#place(entries[index] as TimelineEntry, index, context);
    }
    // A copy: callers may hold on to it, and the next build changes this one.
    this.#entries = entries.slice();
    return this.#rows.slice();
  }

  /** Forgets the rows of entries from `from` on. */
  #truncate(from: number): void {
    const rowFrom = this.#rowStart[from] ?? this.#rows.length;
    if (rowFrom === 0) this.#keys.clear();
    for (let index = rowFrom; index < this.#rows.length && rowFrom > 0; index += 1) {
      this.#keys.delete((this.#rows[index] as TimelineRow).key);
    }
    this.#rows.length = rowFrom;
    this.#rowStart.length = Math.min(from, this.#rowStart.length);
    this.#dayAfter.length = this.#rowStart.length;
    if (this.#unreadRow >= rowFrom) this.#unreadRow = -1;
  }

  #place(entry: TimelineEntry, index: number, context: Context): void {
    const rows = this.#rows;
    this.#rowStart.push(rows.length);
    const currentDay = index > 0 ? (this.#dayAfter[index - 1] ?? null) : null;
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
    const previous = index > 0 ? rows[rows.length - 1] : undefined;
    const continues =
      previous?.kind === 'message' &&
      !newDay &&
      !divider &&
      entry.type === 'message' &&
      sameGroup(previous.message, entry);
    if (continues) {
      rows[rows.length - 1] = messageRow(
        previous.message,
        previous.key,
        previous.groupStart,
        false,
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
