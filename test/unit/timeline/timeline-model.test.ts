import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage, SystemLine } from '../../../src/lib/timeline/entries';
import { CoalescedWrite } from '../../../src/lib/device/coalesced-write';
import { REJOIN_WITHIN_MS, TimelineModel } from '../../../src/lib/timeline/timeline-model';
import {
  readTail,
  tailOf,
  TAIL_ENTRIES,
  TAIL_MAX_BYTES,
} from '../../../src/lib/timeline/timeline-tail';

function message(
  offset: number,
  overrides: Partial<ChatMessage> = {},
): ChatMessage & { offset: number } {
  return {
    type: 'message',
    key: `o${offset}`,
    userId: 'bob',
    text: `m${offset}`,
    sentAtMs: 1_000 * offset,
    own: false,
    status: 'confirmed',
    ...overrides,
    offset,
  };
}

function line(offset: number, kind: 'joined' | 'left', userId: string, atMs: number): SystemLine {
  return { type: 'system', key: `o${offset}`, offset, kind, userId, atMs };
}

const offsets = (model: TimelineModel) => model.entries.map((entry) => entry.offset);

describe('TimelineModel', () => {
  it('keeps entries in offset order whether history comes older-first or live events newer', () => {
    const model = new TimelineModel();
    for (const offset of [10, 11, 12]) model.addMessage(message(offset));
    for (const offset of [7, 8, 9]) model.addMessage(message(offset));
    model.addMessage(message(3));
    model.addMessage(message(13));
    expect(offsets(model)).toEqual([3, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('shows each offset once', () => {
    const model = new TimelineModel();
    expect(model.addMessage(message(1))).toBe(true);
    expect(model.addMessage(message(1, { text: 'again' }))).toBe(false);
    expect(model.entries.map((entry) => entry.type === 'message' && entry.text)).toEqual(['m1']);
  });

  it('shows a message stored twice by a retried publish once, at its first offset, whoever sent it', () => {
    const model = new TimelineModel();
    model.addMessage(message(5, { clientId: 'c1' }));
    expect(model.addMessage(message(9, { clientId: 'c1' }))).toBe(false);
    // Paging back brings an even earlier copy: it replaces the later one.
    expect(model.addMessage(message(2, { clientId: 'c1' }))).toBe(true);
    expect(offsets(model)).toEqual([2]);
    // The same client id from another author is another message.
    expect(model.addMessage(message(10, { clientId: 'c1', userId: 'carol' }))).toBe(true);
    expect(offsets(model)).toEqual([2, 10]);
  });

  it('drops a reload\'s "left" then "joined" of one user, and keeps real departures', () => {
    const model = new TimelineModel();
    model.addSystem(line(1, 'left', 'bob', 10_000));
    model.addSystem(line(2, 'joined', 'bob', 12_000));
    expect(offsets(model)).toEqual([]);
    // Read again (history after live), the dropped "joined" stays dropped.
    model.addSystem(line(2, 'joined', 'bob', 12_000));
    expect(offsets(model)).toEqual([]);
    model.addSystem(line(3, 'left', 'bob', 20_000));
    model.addSystem(line(4, 'joined', 'bob', 20_000 + REJOIN_WITHIN_MS + 1));
    model.addSystem(line(5, 'left', 'carol', 30_000));
    expect(offsets(model)).toEqual([3, 4, 5]);
  });

  it('counts unread messages of others past the read marker, exactly', () => {
    const model = new TimelineModel();
    model.setReadOffset(3);
    model.addMessage(message(1));
    model.addMessage(message(3));
    model.addMessage(message(4, { own: true, userId: 'me' }));
    model.addMessage(message(5));
    expect(model.unread).toBe(2);
    model.setReadOffset(5);
    expect(model.unread).toBe(1);
    model.setReadOffset(6);
    expect(model.unread).toBe(0);
  });

  it('drops the oldest entries beyond its window, keeping unread counts, and takes them back when loaded again', () => {
    const model = new TimelineModel({ windowEntries: 3 });
    model.setReadOffset(0);
    model.addMessage(message(0, { own: true, userId: 'me', clientId: 'mine' }));
    for (const offset of [1, 2, 3, 4]) model.addMessage(message(offset));
    expect(model.trim()).toBe(true);
    expect(offsets(model)).toEqual([2, 3, 4]);
    expect(model.trimmedBefore).toBe(2);
    expect(model.unread).toBe(4);
    // Scrolling back fetches them again: the user's own message comes back too.
    expect(model.addMessage(message(0, { own: true, userId: 'me', clientId: 'mine' }))).toBe(true);
    expect(model.addMessage(message(1))).toBe(true);
    model.loadedBackTo(0);
    expect(model.trimmedBefore).toBeNull();
    expect(offsets(model)).toEqual([0, 1, 2, 3, 4]);
    expect(model.trim()).toBe(true);
    expect(model.trim()).toBe(false);
  });

  it('puts the divider before the first message of others the user missed', () => {
    const model = new TimelineModel();
    model.setReadOffset(2);
    model.markDividerFrom(2);
    model.addMessage(message(1));
    model.addMessage(message(2, { own: true, userId: 'me' }));
    model.addMessage(message(4));
    model.missed(2);
    expect(model.dividerOffset).toBeNull();
    model.missed(4);
    expect(model.dividerOffset).toBe(4);
    model.addMessage(message(3));
    model.placeDivider();
    expect(model.dividerOffset).toBe(3);
  });

  it('puts the divider at the first unread message when the room comes into view', () => {
    const model = new TimelineModel();
    model.setReadOffset(0);
    for (const offset of [0, 1, 2]) model.addMessage(message(offset));
    model.setReadOffset(1);
    model.cameIntoView();
    expect(model.dividerOffset).toBe(1);
  });

  it('hands out a new entries array only when something changed', () => {
    const model = new TimelineModel();
    model.addMessage(message(1));
    const first = model.entries;
    expect(model.entries).toBe(first);
    model.addMessage(message(1));
    expect(model.entries).toBe(first);
    model.addMessage(message(2));
    expect(model.entries).not.toBe(first);
    model.clear();
    expect(model.entries).toEqual([]);
    expect(model.unread).toBe(0);
  });
});

describe('TimelineModel with pages of history', () => {
  /** A small deterministic random source, so a failure can be replayed. */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return state / 2 ** 32;
    };
  }

  function state(model: TimelineModel) {
    return {
      entries: model.entries.map((entry) => `${entry.type}@${entry.offset}`),
      size: model.size,
      unread: model.unread,
      dividerOffset: model.dividerOffset,
      trimmedBefore: model.trimmedBefore,
    };
  }

  it('puts a page of history before thousands of entries in offset order, each entry once', () => {
    const model = new TimelineModel({ windowEntries: 100_000 });
    for (let offset = 10_000; offset < 15_000; offset += 1) model.addMessage(message(offset));
    const first = model.entries;
    // Older-first, overlapping what is there at its end.
    for (let offset = 9_750; offset < 10_010; offset += 1) model.addMessage(message(offset));
    expect(model.size).toBe(5_250);
    expect(model.has(9_750)).toBe(true);
    expect(offsets(model)).toEqual(Array.from({ length: 5_250 }, (_, i) => 9_750 + i));
    // The rest are the very entries that were there.
    expect(model.entries[250]).toBe(first[0]);
  });

  it('sees the page in everything it answers before the page is read', () => {
    const model = new TimelineModel();
    model.setReadOffset(100);
    for (const offset of [100, 101, 102]) model.addMessage(message(offset));
    for (const offset of [95, 96, 97]) model.addMessage(message(offset));
    expect(model.size).toBe(6);
    // A lower read marker counts the page's messages of others as unread.
    model.setReadOffset(96);
    expect(model.unread).toBe(5);
    for (const offset of [90, 91]) model.addMessage(message(offset));
    model.markDividerFrom(90);
    model.placeDivider();
    expect(model.dividerOffset).toBe(90);
    for (const offset of [80, 81]) model.addMessage(message(offset));
    model.addGap({ type: 'gap', key: 'gap82', offset: 82, toOffset: 90, atMs: 0 });
    for (const offset of [70, 71]) model.addMessage(message(offset, { clientId: 'twice' }));
    expect(offsets(model)).toEqual([70, 80, 81, 82, 90, 91, 95, 96, 97, 100, 101, 102]);
  });

  it('never changes an entries array it handed out, whatever comes next', () => {
    const model = new TimelineModel({ windowEntries: 4 });
    const handedOut: Array<[readonly unknown[], string]> = [];
    const read = () => {
      const entries = model.entries;
      handedOut.push([entries, JSON.stringify(entries)]);
    };
    model.addMessage(message(10, { clientId: 'x' }));
    read();
    model.addMessage(message(11));
    read();
    model.addMessage(message(12));
    model.addMessage(message(20));
    read();
    model.addGap({ type: 'gap', key: 'gap13', offset: 13, toOffset: 15, atMs: 0 });
    read();
    model.addGap({ type: 'gap', key: 'gap15', offset: 15, toOffset: 18, atMs: 0 });
    read();
    model.addMessage(message(5));
    model.addMessage(message(6));
    read();
    model.addMessage(message(4, { clientId: 'x' }));
    read();
    model.addMessage(message(16));
    read();
    model.trim();
    read();
    model.addSystem(line(21, 'left', 'bob', 1_000));
    model.addSystem(line(22, 'joined', 'bob', 2_000));
    read();
    model.clear();
    read();
    for (const [entries, json] of handedOut) expect(JSON.stringify(entries)).toBe(json);
    expect(new Set(handedOut.map(([entries]) => entries)).size).toBe(handedOut.length);
  });

  it('fills holes between the entries it has with a page, in offset order', () => {
    const model = new TimelineModel();
    for (const offset of [10, 20, 30]) model.addMessage(message(offset));
    for (const offset of [5, 15, 25, 26]) model.addMessage(message(offset));
    expect(offsets(model)).toEqual([5, 10, 15, 20, 25, 26, 30]);
  });

  it('forgets a page not yet read when the room is reset', () => {
    const model = new TimelineModel();
    for (const offset of [10, 11]) model.addMessage(message(offset));
    for (const offset of [5, 6]) model.addMessage(message(offset));
    model.clear();
    model.addMessage(message(1));
    expect(offsets(model)).toEqual([1]);
    expect(model.size).toBe(1);
  });

  it('holds the same as a model read after every single entry, whatever comes in between', () => {
    const next = random(3);
    const batched = new TimelineModel({ windowEntries: 300 });
    const eager = new TimelineModel({ windowEntries: 300 });
    const both = (act: (model: TimelineModel) => void) => {
      act(batched);
      act(eager);
      // Reading the entries merges whatever is waiting: the eager model never lets it wait.
      void eager.entries;
    };
    let newest = 10_000;
    let oldest = 10_000;
    const users = ['bob', 'carol', 'me'];
    /** Adds the entry at `offset`, the same one to either model. */
    const entry = (offset: number): ((model: TimelineModel) => void) => {
      const roll = next();
      const userId = users[offset % 3] ?? 'bob';
      if (roll < 0.1) {
        const kind = offset % 2 ? 'left' : 'joined';
        return (model) => model.addSystem(line(offset, kind, userId, offset * 1_000));
      }
      // Client ids repeat: a retried publish stored twice, found by a later page.
      const clientId = roll < 0.3 ? { clientId: `c${Math.floor(next() * 40)}` } : {};
      return (model) =>
        model.addMessage(message(offset, { userId, own: userId === 'me', ...clientId }));
    };
    for (let step = 0; step < 600; step += 1) {
      const roll = next();
      if (roll < 0.3) {
        // A page, older-first, sometimes overlapping what is there.
        const size = 1 + Math.floor(next() * 60);
        const overlap = Math.floor(next() * 5);
        for (let offset = oldest - size; offset < oldest + overlap; offset += 1) {
          both(entry(offset));
        }
        oldest -= size;
      } else if (roll < 0.55) {
        const offset = newest++;
        const roll2 = next();
        both((model) =>
          model.addMessage(message(offset, { userId: roll2 < 0.5 ? 'bob' : 'carol' })),
        );
      } else if (roll < 0.6) {
        const from = newest;
        newest += 5;
        both((model) =>
          model.addGap({
            type: 'gap',
            key: `gap${from}`,
            offset: from,
            toOffset: from + 5,
            atMs: 0,
          }),
        );
      } else if (roll < 0.65) {
        both((model) => model.trim());
        oldest = Math.min(oldest, batched.trimmedBefore ?? oldest);
      } else if (roll < 0.72) {
        const marker = Math.floor(oldest + next() * (newest - oldest));
        both((model) => model.setReadOffset(marker));
      } else if (roll < 0.78) {
        const from = Math.floor(oldest + next() * (newest - oldest));
        both((model) => {
          model.markDividerFrom(from);
          model.placeDivider();
        });
      } else if (roll < 0.84) {
        const offset = Math.floor(oldest + next() * (newest - oldest));
        both((model) => model.missed(offset));
      } else if (roll < 0.86) {
        both((model) => model.cameIntoView());
      }
      expect(state(batched)).toEqual(state(eager));
      const read = batched.entries.map((item) => item.offset ?? -1);
      expect(read.every((offset, i) => i === 0 || offset > (read[i - 1] ?? -1))).toBe(true);
    }
  });
});

describe('CoalescedWrite', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('writes the newest value at most once per interval', () => {
    const writes: number[] = [];
    const write = new CoalescedWrite<number>((value) => writes.push(value), 1_000);
    for (let i = 0; i < 500; i += 1) write.set(i);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(writes).toEqual([499]);
    vi.advanceTimersByTime(5_000);
    expect(writes).toEqual([499]);
  });

  it('writes at once when flushed (the page is closing), and nothing when cancelled', () => {
    const writes: number[] = [];
    const write = new CoalescedWrite<number>((value) => writes.push(value), 1_000);
    write.set(1);
    write.flush();
    expect(writes).toEqual([1]);
    write.set(2);
    write.cancel();
    vi.advanceTimersByTime(5_000);
    expect(writes).toEqual([1]);
  });
});

describe('the cached timeline tail', () => {
  it('keeps the newest confirmed entries, bounded in count and bytes, and reads them back', () => {
    const entries = Array.from({ length: 80 }, (_, i) => message(i));
    entries.push({ ...message(0), offset: null, key: 'pending', status: 'pending' } as never);
    const tail = tailOf(7, entries);
    expect(tail.entries.map((entry) => entry.offset)).toEqual(
      Array.from({ length: TAIL_ENTRIES }, (_, i) => 80 - TAIL_ENTRIES + i),
    );
    expect(readTail(JSON.parse(JSON.stringify(tail)))).toEqual(tail);
    const long = Array.from({ length: 20 }, (_, i) => message(i, { text: 'x'.repeat(10_000) }));
    expect(JSON.stringify(tailOf(1, long)).length).toBeLessThanOrEqual(TAIL_MAX_BYTES + 1_000);
  });

  it('drops whatever in storage is not a well-formed tail', () => {
    expect(readTail(null)).toBeNull();
    expect(readTail({ generation: 'x', entries: [] })).toBeNull();
    const read = readTail({
      generation: 3,
      entries: [
        { type: 'message', key: 'a', offset: 1, userId: 'u', text: 't', sentAtMs: 1, own: 'yes' },
        { type: 'message', key: 'b', offset: '2', userId: 'u', text: 't', sentAtMs: 1 },
        { type: 'system', key: 'c', offset: 3, userId: 'u', kind: 'exploded', atMs: 1 },
        { type: 'script', key: 'd', offset: 4, userId: 'u' },
        'junk',
      ],
    });
    expect(read?.entries).toEqual([
      {
        type: 'message',
        key: 'a',
        offset: 1,
        userId: 'u',
        text: 't',
        sentAtMs: 1,
        own: false,
        status: 'confirmed',
      },
    ]);
  });
});

describe('a gap in the timeline', () => {
  it('sits where the lost events were, between what came before and after', () => {
    const model = new TimelineModel();
    model.addMessage(message(1));
    model.addMessage(message(2));
    model.addMessage(message(40));
    model.addGap({ type: 'gap', key: 'gap3', offset: 3, toOffset: 40, atMs: 0 });
    model.addGap({ type: 'gap', key: 'gap3', offset: 3, toOffset: 40, atMs: 0 });
    expect(model.entries.map((entry) => `${entry.type}@${entry.offset}`)).toEqual([
      'message@1',
      'message@2',
      'gap@3',
      'message@40',
    ]);
    // Reported in two steps, it is still one gap.
    model.addGap({ type: 'gap', key: 'gap41', offset: 41, toOffset: 45, atMs: 0 });
    model.addGap({ type: 'gap', key: 'gap45', offset: 45, toOffset: 60, atMs: 0 });
    expect(model.entries.at(-1)).toMatchObject({ type: 'gap', offset: 41, toOffset: 60 });
    expect(model.size).toBe(5);
  });
});
