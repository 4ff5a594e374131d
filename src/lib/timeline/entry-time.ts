// Calendar days and time texts of timeline entries, in the user's locale and time zone.
//
// A room can hold 100,000 entries and asking Intl costs microseconds, so each entry's day
// and time texts are worked out once per entry object and remembered (a WeakMap keyed by
// identity; a changed entry is a new object), and calendar days are looked up per hour.

import type { TimelineEntry } from './entries';

const HOUR_MS = 3_600_000;

/** What an entry's `<time>` shows: short text, full date for the tooltip, ISO for datetime. */
export interface EntryTime {
  text: string;
  title: string;
  iso: string;
}

interface EntryFacts {
  /** The locale and time zone these were computed for. */
  zone: string;
  day: string | null;
  time?: EntryTime;
}

const entryFacts = new WeakMap<TimelineEntry, EntryFacts>();

export function entryMs(entry: TimelineEntry): number {
  return entry.type === 'message' ? entry.sentAtMs : entry.atMs;
}

/** Identifies a locale and time zone pair, for callers that look up many entries. */
export function zoneOf(locale?: string, timeZone?: string): string {
  return `${locale ?? ''}|${timeZone ?? ''}`;
}

function factsOf(entry: TimelineEntry, zone: string, timeZone?: string): EntryFacts {
  let facts = entryFacts.get(entry);
  if (facts?.zone !== zone) {
    facts = { zone, day: dayKey(entryMs(entry), timeZone) };
    entryFacts.set(entry, facts);
  }
  return facts;
}

/** "YYYY-MM-DD" of the entry's day in the time zone, or null if its time is unreadable. */
export function entryDay(entry: TimelineEntry, zone: string, timeZone?: string): string | null {
  return factsOf(entry, zone, timeZone).day;
}

/**
 * The entry's time texts, formatted the first time a row shows it and then remembered, so
 * rows scrolling in and out of view do not format again.
 */
export function entryTime(entry: TimelineEntry, locale?: string, timeZone?: string): EntryTime {
  const facts = factsOf(entry, zoneOf(locale, timeZone), timeZone);
  const ms = entryMs(entry);
  facts.time ??= {
    text: formatTime(ms, locale, timeZone),
    title: formatFullDate(ms, locale, timeZone),
    iso: toIsoString(ms),
  };
  return facts.time;
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

/** A day separator's date, e.g. "Thursday, June 12", with the year when not this year's. */
export function formatDay(ms: number, nowMs: number, locale?: string, timeZone?: string): string {
  const sameYear = dayKey(ms, timeZone)?.slice(0, 4) === dayKey(nowMs, timeZone)?.slice(0, 4);
  return formatter(locale, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    year: sameYear ? undefined : 'numeric',
    timeZone,
  }).format(ms);
}

/** Per time zone: the day of each UTC hour that lies within one day; null: it spans two. */
const hourDays = new Map<string, Map<number, string | null>>();

/**
 * "YYYY-MM-DD" of the calendar day in the time zone, or null if unreadable. Each UTC hour
 * is asked about once: a local date only moves forward, so an hour that starts and ends on
 * one day lies within it (only hours across a midnight, in zones with offsets that are not
 * whole hours, are looked up per entry).
 */
export function dayKey(ms: number, timeZone?: string): string | null {
  if (!isValidTime(ms)) return null;
  let hours = hourDays.get(timeZone ?? '');
  if (!hours) hourDays.set(timeZone ?? '', (hours = new Map()));
  const hour = Math.floor(ms / HOUR_MS);
  let day = hours.get(hour);
  if (day === undefined) {
    const start = exactDayKey(hour * HOUR_MS, timeZone);
    day = start === exactDayKey(hour * HOUR_MS + HOUR_MS - 1, timeZone) ? start : null;
    hours.set(hour, day);
  }
  return day ?? exactDayKey(ms, timeZone);
}

function exactDayKey(ms: number, timeZone?: string): string | null {
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

export function previousDayKey(key: string): string {
  const [year = 0, month = 1, day = 1] = key.split('-').map(Number);
  // Calendar arithmetic in UTC: no DST, so "minus one day" is exact.
  return new Date(Date.UTC(year, month - 1, day - 1)).toISOString().slice(0, 10);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Cached: building an Intl formatter costs far more than using one. */
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
