// Turns the room's entries into what the timeline draws: day separators, the "New
// messages" divider, and messages grouped by author the way chat apps do.

import type { ChatMessage, SystemLine, TimelineEntry } from './chat-model';

/** Messages closer than this from the same author read as one burst. */
export const GROUP_WINDOW_MS = 5 * 60_000;

export type TimelineRow =
  | { kind: 'day'; key: string; label: string; dateIso: string }
  | { kind: 'unread'; key: string }
  | { kind: 'message'; key: string; message: ChatMessage; groupStart: boolean; groupEnd: boolean }
  | { kind: 'system'; key: string; line: SystemLine };

export interface TimelineRowOptions {
  /** Offsets at or past this one are new to the user; null or absent: no divider. */
  unreadFromOffset?: number | null;
  locale?: string;
  timeZone?: string;
  /** "Today" and "Yesterday" are relative to this; defaults to the current time. */
  nowMs?: number;
}

export function buildTimelineRows(
  entries: readonly TimelineEntry[],
  options: TimelineRowOptions = {},
): TimelineRow[] {
  const { unreadFromOffset = null, locale, timeZone, nowMs = Date.now() } = options;
  const today = dayKey(nowMs, timeZone);
  const yesterday = today === null ? null : previousDayKey(today);

  const rows: TimelineRow[] = [];
  const usedKeys = new Set<string>();
  const nextSuffix = new Map<string, number>();
  /** Keyed lists break on duplicates; skewed clocks can revisit a day, bad data can repeat keys. */
  const uniqueKey = (key: string): string => {
    let candidate = key;
    let n = nextSuffix.get(key) ?? 2;
    while (usedKeys.has(candidate)) candidate = `${key}~${n++}`;
    nextSuffix.set(key, n);
    usedKeys.add(candidate);
    return candidate;
  };
  let currentDay: string | null = null;
  let dividerPlaced = unreadFromOffset === null;
  let previousMessage: ChatMessage | null = null;

  for (const entry of entries) {
    const atMs = entry.type === 'message' ? entry.sentAtMs : entry.atMs;
    const day = dayKey(atMs, timeZone);
    // An unreadable timestamp stays with the day before it rather than inventing one.
    if (day !== null && day !== currentDay) {
      currentDay = day;
      const label =
        day === today
          ? 'Today'
          : day === yesterday
            ? 'Yesterday'
            : formatDay(atMs, nowMs, locale, timeZone);
      rows.push({ kind: 'day', key: uniqueKey(`day-${day}`), label, dateIso: day });
      previousMessage = null;
    }

    if (
      !dividerPlaced &&
      entry.type === 'message' &&
      !entry.own &&
      entry.offset !== null &&
      unreadFromOffset !== null &&
      entry.offset >= unreadFromOffset
    ) {
      dividerPlaced = true;
      rows.push({ kind: 'unread', key: uniqueKey('unread-divider') });
      previousMessage = null;
    }

    if (entry.type === 'system') {
      rows.push({ kind: 'system', key: uniqueKey(entry.key), line: entry });
      previousMessage = null;
      continue;
    }

    const continues = previousMessage !== null && sameGroup(previousMessage, entry);
    const lastRow = rows[rows.length - 1];
    if (continues && lastRow?.kind === 'message') lastRow.groupEnd = false;
    rows.push({
      kind: 'message',
      key: uniqueKey(entry.key),
      message: entry,
      groupStart: !continues,
      groupEnd: true,
    });
    previousMessage = entry;
  }
  return rows;
}

function sameGroup(previous: ChatMessage, next: ChatMessage): boolean {
  return (
    previous.userId === next.userId &&
    previous.own === next.own &&
    // Author clocks disagree, so a slightly earlier stamp still belongs to the burst.
    Math.abs(next.sentAtMs - previous.sentAtMs) <= GROUP_WINDOW_MS
  );
}

/** Short time of day in the user's locale, e.g. "14:05" or "2:05 PM"; '' if unreadable. */
export function formatTime(ms: number, locale?: string, timeZone?: string): string {
  if (!isValidTime(ms)) return '';
  return formatter(locale, { hour: 'numeric', minute: '2-digit', timeZone }).format(ms);
}

/** Full date and time for tooltips; '' if unreadable. */
export function formatFullDate(ms: number, locale?: string, timeZone?: string): string {
  if (!isValidTime(ms)) return '';
  return formatter(locale, { dateStyle: 'full', timeStyle: 'short', timeZone }).format(ms);
}

/** For `<time datetime>`; '' if unreadable. */
export function toIsoString(ms: number): string {
  return isValidTime(ms) ? new Date(ms).toISOString() : '';
}

function isValidTime(ms: number): boolean {
  return Number.isFinite(new Date(ms).getTime());
}

function formatDay(ms: number, nowMs: number, locale?: string, timeZone?: string): string {
  const sameYear = dayKey(ms, timeZone)?.slice(0, 4) === dayKey(nowMs, timeZone)?.slice(0, 4);
  return formatter(locale, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    year: sameYear ? undefined : 'numeric',
    timeZone,
  }).format(ms);
}

/** "YYYY-MM-DD" of the calendar day in the time zone, or null if unreadable. */
function dayKey(ms: number, timeZone?: string): string | null {
  if (!isValidTime(ms)) return null;
  const parts = formatter('en-US', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    timeZone,
  }).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

function previousDayKey(key: string): string {
  const [year = 0, month = 1, day = 1] = key.split('-').map(Number);
  // Calendar arithmetic in UTC: no DST, so "minus one day" is exact.
  return new Date(Date.UTC(year, month - 1, day - 1)).toISOString().slice(0, 10);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Cached: building an Intl formatter costs far more than using one, and rows are many. */
function formatter(locale: string | undefined, options: Intl.DateTimeFormatOptions) {
  const cacheKey = JSON.stringify([locale ?? '', options]);
  let cached = formatters.get(cacheKey);
  if (!cached) {
    try {
      cached = new Intl.DateTimeFormat(locale, options);
    } catch {
      // An unknown locale or time zone must not take the timeline down.
      cached = new Intl.DateTimeFormat(undefined, { ...options, timeZone: undefined });
    }
    formatters.set(cacheKey, cached);
  }
  return cached;
}
