import { describe, expect, it } from 'vitest';
import type { ChatMessage, SystemLine, TimelineEntry } from '../../../src/lib/timeline/entries';
import { formatFullDate, formatTime, toIsoString } from '../../../src/lib/timeline/entry-time';
import {
  buildTimelineRows,
  GROUP_WINDOW_MS,
  TimelineRowBuilder,
  type TimelineRow,
} from '../../../src/lib/timeline/timeline-rows';

const NOW_MS = Date.UTC(2025, 5, 15, 12, 0); // Sunday 15 June 2025, 12:00 UTC
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const opts = { locale: 'en-US', timeZone: 'UTC', nowMs: NOW_MS };

let nextOffset = 0;
function msg(userId: string, sentAtMs: number, extra: Partial<ChatMessage> = {}): ChatMessage {
  const offset = extra.offset === undefined ? nextOffset++ : extra.offset;
  return {
    type: 'message',
    key: offset === null ? `c${sentAtMs}` : `o${offset}`,
    offset,
    userId,
    text: 'hi',
    sentAtMs,
    own: userId === 'me',
    status: 'confirmed',
    ...extra,
  };
}
function sys(userId: string, atMs: number, kind: 'joined' | 'left' = 'joined'): SystemLine {
  const offset = nextOffset++;
  return { type: 'system', key: `o${offset}`, offset, kind, userId, atMs };
}

/** Compact picture of rows: day labels, dividers, and messages as user[start/end]. */
function shape(rows: TimelineRow[]): string[] {
  return rows.map((row) => {
    switch (row.kind) {
      case 'day':
        return `day:${row.label}`;
      case 'unread':
        return 'unread';
      case 'system':
        return `${row.line.userId} ${row.line.kind}`;
      case 'gap':
        return `gap ${row.gap.offset}-${row.gap.toOffset}`;
      case 'message':
        return `${row.message.userId}${row.groupStart ? '<' : ''}${row.groupEnd ? '>' : ''}`;
    }
  });
}

/** A small deterministic random source, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

describe('buildTimelineRows', () => {
  it('returns nothing for no entries', () => {
    expect(buildTimelineRows([], opts)).toEqual([]);
  });

  it('groups consecutive messages from one author within 5 minutes', () => {
    const t = NOW_MS - 60 * MINUTE_MS;
    const entries = [
      msg('alice', t),
      msg('alice', t + MINUTE_MS),
      msg('alice', t + 2 * MINUTE_MS),
      msg('bob', t + 3 * MINUTE_MS),
      msg('alice', t + 4 * MINUTE_MS),
    ];
    expect(shape(buildTimelineRows(entries, opts))).toEqual([
      'day:Today',
      'alice<',
      'alice',
      'alice>',
      'bob<>',
      'alice<>',
    ]);
  });

  it('starts a new group after a pause longer than the window', () => {
    const t = NOW_MS - 60 * MINUTE_MS;
    const entries = [
      msg('alice', t),
      msg('alice', t + GROUP_WINDOW_MS),
      msg('alice', t + 2 * GROUP_WINDOW_MS + 1),
    ];
    expect(shape(buildTimelineRows(entries, opts))).toEqual([
      'day:Today',
      'alice<',
      'alice>',
      'alice<>',
    ]);
  });

  it('breaks a group at a system line', () => {
    const t = NOW_MS - 60 * MINUTE_MS;
    const entries: TimelineEntry[] = [msg('alice', t), sys('bob', t + 1), msg('alice', t + 2)];
    expect(shape(buildTimelineRows(entries, opts))).toEqual([
      'day:Today',
      'alice<>',
      'bob joined',
      'alice<>',
    ]);
  });

  it('labels days Today, Yesterday, or with a date, and breaks groups at midnight', () => {
    const midnight = Date.UTC(2025, 5, 15);
    const entries = [
      msg('alice', Date.UTC(2025, 5, 12, 9)),
      msg('alice', midnight - MINUTE_MS),
      msg('alice', midnight + MINUTE_MS),
    ];
    const rows = buildTimelineRows(entries, opts);
    expect(shape(rows)).toEqual([
      'day:Thursday, June 12',
      'alice<>',
      'day:Yesterday',
      'alice<>',
      'day:Today',
      'alice<>',
    ]);
    expect(rows[0]).toMatchObject({ kind: 'day', dateIso: '2025-06-12' });
  });

  it('adds the year to dates from another year', () => {
    const rows = buildTimelineRows([msg('a', Date.UTC(2024, 11, 31, 10))], opts);
    expect(rows[0]).toMatchObject({ kind: 'day', label: 'Tuesday, December 31, 2024' });
  });

  it('uses the time zone for day boundaries', () => {
    // 23:30 UTC on the 14th is already the 15th in Tokyo.
    const at = Date.UTC(2025, 5, 14, 23, 30);
    expect(shape(buildTimelineRows([msg('a', at)], opts))[0]).toBe('day:Yesterday');
    expect(shape(buildTimelineRows([msg('a', at)], { ...opts, timeZone: 'Asia/Tokyo' }))[0]).toBe(
      'day:Today',
    );
  });

  it('places "New messages" before the first unread message from someone else', () => {
    const t = NOW_MS - 60 * MINUTE_MS;
    const entries = [
      msg('alice', t, { offset: 10 }),
      msg('me', t + 1, { offset: 11 }),
      msg('alice', t + 2, { offset: 12 }),
      msg('alice', t + 3, { offset: 13 }),
    ];
    const rows = buildTimelineRows(entries, { ...opts, unreadFromOffset: 11 });
    expect(shape(rows)).toEqual(['day:Today', 'alice<>', 'me<>', 'unread', 'alice<', 'alice>']);
    expect(rows.filter((row) => row.kind === 'unread')).toHaveLength(1);
  });

  it('has no divider without unreadFromOffset or when nothing is unread', () => {
    const t = NOW_MS - 60 * MINUTE_MS;
    const entries = [msg('alice', t, { offset: 1 }), msg('alice', t + 1, { offset: 2 })];
    expect(shape(buildTimelineRows(entries, opts))).not.toContain('unread');
    expect(shape(buildTimelineRows(entries, { ...opts, unreadFromOffset: null }))).not.toContain(
      'unread',
    );
    expect(shape(buildTimelineRows(entries, { ...opts, unreadFromOffset: 3 }))).not.toContain(
      'unread',
    );
  });

  it('skips pending messages (no offset) and own messages for the divider', () => {
    const t = NOW_MS - MINUTE_MS;
    const entries = [
      msg('me', t, { offset: 5 }),
      msg('bob', t, { offset: null }),
      msg('carol', t, { offset: 6 }),
    ];
    expect(shape(buildTimelineRows(entries, { ...opts, unreadFromOffset: 0 }))).toEqual([
      'day:Today',
      'me<>',
      'bob<>',
      'unread',
      'carol<>',
    ]);
  });

  it('puts the divider after a day separator on the same entry', () => {
    const entries = [
      msg('alice', NOW_MS - DAY_MS, { offset: 1 }),
      msg('bob', NOW_MS, { offset: 2 }),
    ];
    expect(shape(buildTimelineRows(entries, { ...opts, unreadFromOffset: 2 }))).toEqual([
      'day:Yesterday',
      'alice<>',
      'day:Today',
      'unread',
      'bob<>',
    ]);
  });

  it('does not group own and other messages with the same name', () => {
    const t = NOW_MS - MINUTE_MS;
    const entries = [msg('me', t), msg('me', t + 1, { own: false })];
    expect(shape(buildTimelineRows(entries, opts))).toEqual(['day:Today', 'me<>', 'me<>']);
  });

  it('survives unreadable timestamps and locales', () => {
    const entries = [
      msg('a', NOW_MS),
      msg('a', Number.NaN),
      msg('a', 1e20),
      msg('a', Number.NEGATIVE_INFINITY),
    ];
    const rows = buildTimelineRows(entries, { locale: 'not a locale!!', timeZone: 'Mars/Base' });
    expect(rows.filter((row) => row.kind === 'day')).toHaveLength(1);
    expect(rows.filter((row) => row.kind === 'message')).toHaveLength(4);
  });

  it('uses stable keys', () => {
    const rows = buildTimelineRows([msg('a', NOW_MS, { offset: 3 })], {
      ...opts,
      unreadFromOffset: 0,
    });
    expect(rows.map((row) => row.key)).toEqual(['day-2025-06-15', 'unread-divider', 'o3']);
  });
});

describe('time formatting', () => {
  it('formats a short time in the locale and time zone', () => {
    expect(formatTime(Date.UTC(2025, 5, 15, 14, 5), 'en-US', 'UTC')).toBe('2:05 PM');
    expect(formatTime(Date.UTC(2025, 5, 15, 14, 5), 'de-DE', 'UTC')).toBe('14:05');
  });

  it('gives a full date for tooltips and an ISO string for datetime', () => {
    const at = Date.UTC(2025, 5, 15, 14, 5);
    expect(formatFullDate(at, 'en-US', 'UTC')).toMatch(/Sunday, June 15, 2025.*2:05\sPM/);
    expect(toIsoString(at)).toBe('2025-06-15T14:05:00.000Z');
  });

  it('returns empty text for unreadable times', () => {
    expect(formatTime(Number.NaN)).toBe('');
    expect(formatFullDate(1e20)).toBe('');
    expect(toIsoString(Number.POSITIVE_INFINITY)).toBe('');
  });
});

describe('row keys', () => {
  it('stay unique when a skewed clock revisits a day or keys repeat', () => {
    const entries = [
      msg('a', NOW_MS, { key: 'dup' }),
      msg('b', NOW_MS - DAY_MS, { key: 'dup' }),
      msg('c', NOW_MS, { key: 'dup' }),
    ];
    const keys = buildTimelineRows(entries, opts).map((row) => row.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual([
      'day-2025-06-15',
      'dup',
      'day-2025-06-14',
      'dup~2',
      'day-2025-06-15~2',
      'dup~3',
    ]);
  });
});

describe('TimelineRowBuilder', () => {
  it('builds the same rows incrementally as from scratch, whatever the changes', () => {
    const next = random(7);
    const users = ['alice', 'bob', 'me'];
    let offset = 1_000;
    let oldest = 1_000;
    const make = (at: number, o: number): TimelineEntry =>
      next() < 0.1
        ? sys(users[o % 3] ?? 'x', at)
        : msg(users[Math.floor(next() * 3)] ?? 'x', at, { offset: o, key: `o${o}` });
    const builder = new TimelineRowBuilder();
    let entries: TimelineEntry[] = [];
    let unreadFromOffset: number | null = null;
    for (let step = 0; step < 300; step += 1) {
      const roll = next();
      const at = NOW_MS - 3 * DAY_MS + (offset - 1_000) * 7 * MINUTE_MS * next();
      if (roll < 0.45) {
        entries = [...entries, make(at, offset++)];
      } else if (roll < 0.55) {
        const older = Array.from({ length: 5 }, (_, i) =>
          make(NOW_MS - 4 * DAY_MS + (oldest - 5 + i) * MINUTE_MS, oldest - 5 + i),
        );
        oldest -= 5;
        entries = [...older, ...entries];
      } else if (roll < 0.7) {
        // A message of ours pending, then confirmed in place (a new object, the same key).
        const pending = msg('me', NOW_MS, { offset: null, key: `c${step}`, status: 'pending' });
        entries = [...entries, pending];
        expect(builder.build(entries, { ...opts, unreadFromOffset })).toEqual(
          buildTimelineRows(entries, { ...opts, unreadFromOffset }),
        );
        entries = [...entries.slice(0, -1), { ...pending, offset: offset++, status: 'confirmed' }];
      } else if (roll < 0.8) {
        entries = entries.slice(0, -1);
      } else if (roll < 0.85) {
        unreadFromOffset = next() < 0.3 ? null : Math.floor(offset - next() * 20);
      } else if (roll < 0.9) {
        // A duplicate key from bad data.
        entries = [...entries, msg('bob', NOW_MS, { key: entries[0]?.key ?? 'x' })];
      }
      const options = { ...opts, unreadFromOffset };
      expect(builder.build(entries, options)).toEqual(buildTimelineRows(entries, options));
    }
  });

  it('keeps the row objects of unchanged messages', () => {
    const builder = new TimelineRowBuilder();
    const t = NOW_MS - 60 * MINUTE_MS;
    const first = [msg('alice', t), msg('alice', t + MINUTE_MS)];
    const before = builder.build(first, opts);
    const after = builder.build([...first, msg('bob', t + 2 * MINUTE_MS)], opts);
    expect(after[1]).toBe(before[1]);
    expect(after[2]).toBe(before[2]);
    // The group grew: its last row changed, the others did not.
    const grown = builder.build([...first, msg('alice', t + 2 * MINUTE_MS)], opts);
    expect(grown[1]).toBe(before[1]);
    expect(grown[2]).not.toBe(before[2]);
    expect(grown[2]).toMatchObject({ groupStart: false, groupEnd: false });
  });

  it('builds the same rows incrementally as from scratch when a long room grows', () => {
    // How fast it is belongs to `npm run bench`; here: appending gives exactly a full build.
    const t = NOW_MS - 10_000 * MINUTE_MS;
    let entries: TimelineEntry[] = Array.from({ length: 10_000 }, (_, i) =>
      msg(i % 3 === 0 ? 'bob' : 'alice', t + i * MINUTE_MS, { offset: i, key: `o${i}` }),
    );
    const builder = new TimelineRowBuilder();
    const first = builder.build(entries, opts);
    for (let i = 0; i < 20; i += 1) {
      entries = [...entries, msg('carol', NOW_MS, { offset: 10_000 + i, key: `n${i}` })];
      builder.build(entries, opts);
    }
    const grown = builder.build(entries, opts);
    expect(grown).toEqual(new TimelineRowBuilder().build(entries, opts));
    // Rows of entries that did not change are the very same objects (nothing on screen redraws).
    expect(grown.slice(0, 100).every((row, i) => row === first[i])).toBe(true);
  });
});

describe('TimelineRowBuilder with older history prepended or the oldest entries trimmed', () => {
  const t = NOW_MS - 2 * DAY_MS;
  /** Builds `before`, then `after` with the same builder: returns the rows of both. */
  function rebuild(
    before: TimelineEntry[],
    after: TimelineEntry[],
    options: Parameters<typeof buildTimelineRows>[1] = opts,
  ) {
    const builder = new TimelineRowBuilder();
    const first = builder.build(before, options);
    const second = builder.build(after, options);
    expect(second).toEqual(buildTimelineRows(after, options));
    return { first, second };
  }

  it('keeps the rows past the seam as the very objects built before, day separators included', () => {
    const old = Array.from({ length: 200 }, (_, i) =>
      msg(i % 4 === 0 ? 'bob' : 'alice', t + i * 37 * MINUTE_MS, { offset: 1_000 + i }),
    );
    const page = Array.from({ length: 50 }, (_, i) =>
      msg('carol', t - DAY_MS + i * 10 * MINUTE_MS, { offset: 900 + i }),
    );
    const { first, second } = rebuild(old, [...page, ...old]);
    const firstDayAfterSeam = first.findIndex((row, i) => i > 0 && row.kind === 'day');
    const moved = second.length - first.length;
    // A full rebuild would hand out new day separator objects: these are kept as they were.
    expect(second[firstDayAfterSeam + moved]).toBe(first[firstDayAfterSeam]);
    expect(second.slice(firstDayAfterSeam + moved)).toEqual(first.slice(firstDayAfterSeam));
    expect(
      second
        .slice(firstDayAfterSeam + moved)
        .every((row, i) => row === first[firstDayAfterSeam + i]),
    ).toBe(true);
  });

  it('drops the day separator at the seam when the earlier page ends on the same day', () => {
    const old = [msg('alice', t + 2 * 60 * MINUTE_MS), msg('bob', t + 3 * 60 * MINUTE_MS)];
    const page = [msg('carol', t), msg('carol', t + MINUTE_MS)];
    const { first, second } = rebuild(old, [...page, ...old]);
    expect(shape(first)).toEqual(['day:Friday, June 13', 'alice<>', 'bob<>']);
    expect(shape(second)).toEqual(['day:Friday, June 13', 'carol<', 'carol>', 'alice<>', 'bob<>']);
  });

  it('keeps the day separator at the seam when the earlier page is of another day', () => {
    const old = [msg('alice', t), msg('bob', t + MINUTE_MS)];
    const page = [msg('carol', t - DAY_MS)];
    const { second } = rebuild(old, [...page, ...old]);
    expect(shape(second)).toEqual([
      'day:Thursday, June 12',
      'carol<>',
      'day:Friday, June 13',
      'alice<>',
      'bob<>',
    ]);
  });

  it('joins a group of one author across the seam', () => {
    const old = [
      msg('alice', t + 2 * MINUTE_MS),
      msg('alice', t + 3 * MINUTE_MS),
      msg('bob', t + 4 * MINUTE_MS),
    ];
    const page = [msg('bob', t - MINUTE_MS), msg('alice', t), msg('alice', t + MINUTE_MS)];
    const { second } = rebuild(old, [...page, ...old]);
    expect(shape(second)).toEqual([
      'day:Friday, June 13',
      'bob<>',
      'alice<',
      'alice',
      'alice',
      'alice>',
      'bob<>',
    ]);
  });

  it("gives an entry with an unreadable time at the seam the earlier page's day", () => {
    const old = [
      msg('alice', Number.NaN),
      msg('bob', t + MINUTE_MS),
      msg('carol', t + 2 * MINUTE_MS),
      msg('alice', t + DAY_MS),
    ];
    const page = [msg('bob', t)];
    const { first, second } = rebuild(old, [...page, ...old]);
    expect(shape(first)).toEqual([
      'alice<>',
      'day:Friday, June 13',
      'bob<>',
      'carol<>',
      'day:Yesterday',
      'alice<>',
    ]);
    expect(shape(second)).toEqual([
      'day:Friday, June 13',
      'bob<>',
      'alice<>',
      'bob<>',
      'carol<>',
      'day:Yesterday',
      'alice<>',
    ]);
  });

  it('gives the day of the earlier page to unreadable times at the seam, for what comes later too', () => {
    const old = [msg('alice', Number.NaN), msg('bob', Number.NaN), msg('carol', Number.NaN)];
    const page = [msg('bob', t)];
    const entries = [...page, ...old];
    const builder = new TimelineRowBuilder();
    builder.build(old, opts);
    expect(builder.build(entries, opts)).toEqual(buildTimelineRows(entries, opts));
    const later = [...entries, msg('alice', t + MINUTE_MS)];
    expect(shape(builder.build(later, opts))).toEqual([
      'day:Friday, June 13',
      'bob<>',
      'alice<>',
      'bob<>',
      'carol<>',
      'alice<>',
    ]);
  });

  it('finds "New messages" further on when the message that had it was trimmed', () => {
    const old = [
      msg('bob', t, { offset: 1 }),
      msg('me', t + MINUTE_MS, { offset: 2 }),
      msg('me', t + 2 * MINUTE_MS, { offset: 3 }),
      msg('me', t + 3 * MINUTE_MS, { offset: 4 }),
      msg('alice', t + 4 * MINUTE_MS, { offset: 5 }),
      msg('alice', t + 5 * MINUTE_MS, { offset: 6 }),
    ];
    const { second } = rebuild(old, old.slice(1), { ...opts, unreadFromOffset: 1 });
    expect(shape(second)).toEqual([
      'day:Friday, June 13',
      'me<',
      'me',
      'me>',
      'unread',
      'alice<',
      'alice>',
    ]);
  });

  it('moves "New messages" up to an earlier unread message the page brings', () => {
    // Our own messages first: the divider sits further down, at the first of someone else's.
    const old = Array.from({ length: 30 }, (_, i) =>
      msg(i < 10 ? 'me' : 'alice', t + i * 10 * MINUTE_MS, { offset: 20 + i }),
    );
    const page = [msg('carol', t - MINUTE_MS, { offset: 15 }), msg('me', t, { offset: 16 })];
    const options = { ...opts, unreadFromOffset: 10 };
    const { first, second } = rebuild(old, [...page, ...old], options);
    expect(shape(first).indexOf('unread')).toBe(11);
    expect(shape(second).slice(0, 4)).toEqual(['day:Friday, June 13', 'unread', 'carol<>', 'me<']);
    expect(shape(second).filter((row) => row === 'unread')).toHaveLength(1);
  });

  it('keeps "New messages" where it was when the page brings only read messages', () => {
    const old = Array.from({ length: 30 }, (_, i) =>
      msg('alice', t + i * 10 * MINUTE_MS, { offset: 20 + i }),
    );
    const page = [msg('carol', t - MINUTE_MS, { offset: 15 })];
    const options = { ...opts, unreadFromOffset: 35 };
    const entries = [...page, ...old];
    const { first, second } = rebuild(old, entries, options);
    expect(second.indexOf(first.find((row) => row.kind === 'unread') as TimelineRow)).toBe(
      first.findIndex((row) => row.kind === 'unread') + 1,
    );
    // Later changes still find it: the newest entries go, back to any point, and come again.
    for (let length = 1; length < entries.length; length += 1) {
      const builder = new TimelineRowBuilder();
      builder.build(old, options);
      builder.build(entries, options);
      const shorter = entries.slice(0, length);
      expect(builder.build(shorter, options)).toEqual(buildTimelineRows(shorter, options));
      expect(builder.build(entries, options)).toEqual(second);
    }
  });

  it('starts the rows afresh at the first entry kept when the oldest are trimmed', () => {
    const old = [
      msg('bob', t - DAY_MS, { offset: 1 }),
      msg('alice', t, { offset: 2 }),
      msg('alice', t + MINUTE_MS, { offset: 3 }),
      msg('alice', t + 2 * MINUTE_MS, { offset: 4 }),
      msg('bob', t + 3 * MINUTE_MS, { offset: 5 }),
    ];
    const { second } = rebuild(old, old.slice(2), { ...opts, unreadFromOffset: 2 });
    // The divider went with the trimmed message: the first unread one kept takes it.
    expect(shape(second)).toEqual(['day:Friday, June 13', 'unread', 'alice<', 'alice>', 'bob<>']);
  });

  it('keeps row keys unique when the earlier page repeats a key further down', () => {
    const old = [
      msg('alice', t),
      msg('alice', t + MINUTE_MS),
      msg('bob', t + 2 * MINUTE_MS, { key: 'dup' }),
      msg('alice', t + 3 * MINUTE_MS),
      msg('alice', t + DAY_MS),
      msg('alice', t + DAY_MS + MINUTE_MS),
    ];
    // Bad data, and a skewed clock that shows tomorrow's day before the day of the seam.
    const page = [msg('bob', t + DAY_MS), msg('bob', t - MINUTE_MS, { key: 'dup' })];
    const { second } = rebuild(old, [...page, ...old]);
    const keys = second.map((row) => row.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain('dup~2');
    expect(keys).toContain('day-2025-06-14~2');
  });

  it('builds the same rows as from scratch through pages, trims and arrivals, whatever the data', () => {
    const next = random(11);
    const users = ['alice', 'bob', 'me'];
    let newest = 5_000;
    let oldest = 5_000;
    const at = (offset: number) => {
      const roll = next();
      // Mostly in order, with skewed clocks and unreadable times now and then.
      if (roll < 0.08) return Number.NaN;
      if (roll < 0.11) return NOW_MS - 5 * DAY_MS + offset * 13 * MINUTE_MS + DAY_MS;
      return NOW_MS - 5 * DAY_MS + offset * 13 * MINUTE_MS + next() * MINUTE_MS;
    };
    const make = (offset: number): TimelineEntry => {
      const roll = next();
      if (roll < 0.08) return sys(users[offset % 3] ?? 'x', at(offset));
      if (roll < 0.1)
        return { type: 'gap', key: `gap${offset}`, offset, toOffset: offset + 1, atMs: at(offset) };
      const userId = users[Math.floor(next() * 3)] ?? 'x';
      return msg(userId, at(offset), { offset, key: `o${offset}` });
    };
    const builder = new TimelineRowBuilder();
    let entries: TimelineEntry[] = [make(newest++)];
    let unreadFromOffset: number | null = 4_990;
    for (let step = 0; step < 400; step += 1) {
      const roll = next();
      if (roll < 0.35) {
        const size = 1 + Math.floor(next() * 30);
        const page = Array.from({ length: size }, (_, i) => make(oldest - size + i));
        oldest -= size;
        entries = [...page, ...entries];
      } else if (roll < 0.6) {
        entries = [...entries, make(newest++)];
      } else if (roll < 0.7) {
        const cut = Math.floor(next() * Math.min(20, entries.length - 1));
        entries = entries.slice(cut);
      } else if (roll < 0.75) {
        // A page and an arrival in one render.
        entries = [make(--oldest), ...entries, make(newest++)];
      } else if (roll < 0.8 && entries.length > 2) {
        // The newest went (a failed message discarded) while a page came.
        entries = [make(--oldest), ...entries.slice(0, -1)];
      } else if (roll < 0.83) {
        unreadFromOffset = next() < 0.3 ? null : Math.floor(oldest + next() * (newest - oldest));
      }
      const options = { ...opts, unreadFromOffset };
      expect(builder.build(entries, options)).toEqual(buildTimelineRows(entries, options));
    }
  });
});
