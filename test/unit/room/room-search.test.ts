import { describe, expect, it } from 'vitest';
import {
  RoomSearch,
  markWords,
  sameQuery,
  snippetOf,
  searchWords,
  type SearchSnapshot,
  type SearchSource,
} from '../../../src/lib/room/room-search';
import { SynapError, type ConsumeResult, type StreamEvent } from '../../../src/lib/synap/rest';

const SENT_MS = 1_700_000_000_000;

function stored(offset: number, event: string, payload: Record<string, unknown>): StreamEvent {
  return {
    offset,
    event,
    data: JSON.stringify({ timestamp: SENT_MS + offset, ...payload }),
    timestamp: (SENT_MS + offset) / 1000,
  };
}

const message = (offset: number, userId: string, text: string, clientId?: string) =>
  stored(offset, 'message', { user_id: userId, message: text, client_id: clientId });
const edit = (offset: number, userId: string, target: number, text: string) =>
  stored(offset, 'message_edited', { user_id: userId, target, message: text });
const remove = (offset: number, userId: string, target: number) =>
  stored(offset, 'message_deleted', { user_id: userId, target });
const typing = (offset: number) => stored(offset, 'typing', { user_id: 'carol', is_typing: true });

/**
 * A room of `count` offsets from `earliest`: typing noise, with `special` events at their
 * offsets. Offsets in `missing` are not stored (as if dropped). Answers hold at most
 * `maxAnswer` events, as a server may give fewer than asked.
 */
function room(
  count: number,
  special: StreamEvent[] = [],
  options: { earliest?: number; missing?: (offset: number) => boolean; maxAnswer?: number } = {},
) {
  const earliest = options.earliest ?? 0;
  const byOffset = new Map(special.map((event) => [event.offset, event]));
  const events: StreamEvent[] = [];
  for (let offset = earliest; offset < earliest + count; offset += 1) {
    if (options.missing?.(offset)) continue;
    events.push(byOffset.get(offset) ?? typing(offset));
  }
  const calls: [number, number][] = [];
  const consume = async (from: number, limit: number): Promise<ConsumeResult> => {
    calls.push([from, limit]);
    if (from < earliest) {
      throw new SynapError(
        'offset_out_of_range',
        `Stream offset ${from} out of range; earliest retained offset is ${earliest}`,
        400,
        earliest,
      );
    }
    const answer = events
      .filter((event) => event.offset >= from)
      .slice(0, Math.min(limit, options.maxAnswer ?? limit));
    const last = answer.at(-1);
    return { events: answer, nextOffset: last ? last.offset + 1 : from, malformed: 0 };
  };
  const source = (extra: Partial<SearchSource> = {}): SearchSource => ({
    consume,
    beforeOffset: earliest + count,
    earliestOffset: earliest,
    ...extra,
  });
  return { consume, calls, source };
}

/** A search that records every snapshot it hands out. */
function recorder(options?: ConstructorParameters<typeof RoomSearch>[1]) {
  const snapshots: SearchSnapshot[] = [];
  const search = new RoomSearch((snapshot) => snapshots.push(snapshot), options);
  return { search, snapshots };
}

const offsetsOf = (snapshot: SearchSnapshot) => snapshot.results.map((result) => result.offset);

/** A consume whose answers wait until the test lets them go. */
function gatedConsume(inner: SearchSource['consume']) {
  const waiting: (() => void)[] = [];
  const consume = async (from: number, limit: number) => {
    await new Promise<void>((resolve) => waiting.push(resolve));
    return inner(from, limit);
  };
  /** Resolves once the search has asked for a page (its answer is then on its way). */
  const asked = async () => {
    for (let tick = 0; waiting.length === 0; tick += 1) {
      if (tick > 1_000) throw new Error('the search never asked for a page');
      await Promise.resolve();
    }
  };
  /** Lets the oldest waiting answer go, once the search has asked for it. */
  const release = async () => {
    await asked();
    waiting.shift()?.();
  };
  return { consume, release, asked };
}

describe('RoomSearch', () => {
  it('finds a message 3,000 events back, reading 500-event pages newest first', async () => {
    const { source, calls } = room(5_000, [message(2_000, 'alice', 'the needle is here')]);
    const { search } = recorder();
    await search.search('needle', source());
    expect(search.snapshot.status).toEqual({ kind: 'done' });
    expect(offsetsOf(search.snapshot)).toEqual([2_000]);
    expect(calls.slice(0, 2)).toEqual([
      [4_500, 500],
      [4_000, 500],
    ]);
    expect(calls).toHaveLength(10);
  });

  it('lists results newest first, showing each page as it is searched', async () => {
    const { source } = room(1_000, [
      message(10, 'alice', 'deploy at noon'),
      message(500, 'bob', 'deploy done'),
      message(900, 'alice', 'deploy again?'),
    ]);
    const { search, snapshots } = recorder();
    await search.search('deploy', source());
    const firstPage = snapshots.find((snapshot) => snapshot.scanned === 500);
    expect(firstPage?.status).toEqual({ kind: 'searching' });
    expect(firstPage && offsetsOf(firstPage)).toEqual([900, 500]);
    expect(offsetsOf(search.snapshot)).toEqual([900, 500, 10]);
    expect(search.snapshot.results[0]).toMatchObject({
      userId: 'alice',
      text: 'deploy again?',
      sentAtMs: SENT_MS + 900,
      edited: false,
    });
  });

  it("matches an edited message by its author's newest text, not the original", async () => {
    const { source } = room(100, [
      message(1, 'alice', 'hello world'),
      edit(5, 'alice', 1, 'goodbye world'),
      edit(9, 'alice', 1, 'goodbye moon'),
    ]);
    const { search } = recorder();
    await search.search('moon', source());
    expect(search.snapshot.results).toHaveLength(1);
    expect(search.snapshot.results[0]).toMatchObject({
      offset: 1,
      text: 'goodbye moon',
      edited: true,
    });
    await search.search('hello', source());
    expect(search.snapshot.results).toEqual([]);
    await search.search('goodbye world', source());
    expect(search.snapshot.results).toEqual([]);
  });

  it("ignores another user's edit of someone's message", async () => {
    const { source } = room(100, [
      message(1, 'alice', 'hello world'),
      edit(5, 'alice', 1, 'hello there'),
      edit(9, 'mallory', 1, 'pwned'),
    ]);
    const { search } = recorder();
    await search.search('pwned', source());
    expect(search.snapshot.results).toEqual([]);
    await search.search('hello', source());
    expect(search.snapshot.results[0]).toMatchObject({ text: 'hello there', edited: true });
  });

  it("never finds a deleted message, and ignores another user's delete", async () => {
    const { source } = room(100, [
      message(1, 'alice', 'secret plan'),
      remove(2, 'alice', 1),
      edit(3, 'alice', 1, 'secret plan b'),
      message(4, 'bob', 'secret sauce'),
      remove(7, 'mallory', 4),
    ]);
    const { search } = recorder();
    await search.search('secret', source());
    expect(offsetsOf(search.snapshot)).toEqual([4]);
  });

  it('matches every word of the query, ignoring case and accents', async () => {
    const { source } = room(100, [
      message(1, 'alice', 'Crème Brûlée au CAFÉ'),
      message(2, 'bob', 'creme only'),
      message(3, 'carol', 'un cafe\u0301 noir'),
    ]);
    const { search } = recorder();
    await search.search('  creme   cafe ', source());
    expect(offsetsOf(search.snapshot)).toEqual([1]);
    expect(search.snapshot.results[0]?.snippet).toEqual({
      before: '',
      match: 'Crème',
      after: ' Brûlée au CAFÉ',
    });
    await search.search('BRÛLÉE', source());
    expect(offsetsOf(search.snapshot)).toEqual([1]);
    await search.search('café', source());
    expect(offsetsOf(search.snapshot)).toEqual([3, 1]);
    // The accent typed as its own mark stays with the matched letter.
    expect(search.snapshot.results[0]?.snippet).toEqual({
      before: 'un ',
      match: 'cafe\u0301',
      after: ' noir',
    });
  });

  it('finds nothing, without reading, for a query of only spaces', async () => {
    const { source, calls } = room(100, [message(1, 'alice', 'a b c')]);
    const { search } = recorder();
    await search.search('   \t ', source());
    expect(search.snapshot.status).toEqual({ kind: 'done' });
    expect(search.snapshot.results).toEqual([]);
    expect(calls).toEqual([]);
    expect(searchWords(' \n ')).toEqual([]);
  });

  it('stops after the page being read and keeps what it found', async () => {
    const { consume } = room(2_000, [
      message(1_900, 'alice', 'found early'),
      message(100, 'alice', 'found late'),
    ]);
    const gate = gatedConsume(consume);
    const { search } = recorder();
    const running = search.search('found', {
      consume: gate.consume,
      beforeOffset: 2_000,
      earliestOffset: 0,
    });
    // Stopped while the first page is on its way: that page is still searched.
    search.stop();
    await gate.release();
    await running;
    expect(search.snapshot.status).toEqual({ kind: 'stopped' });
    expect(offsetsOf(search.snapshot)).toEqual([1_900]);
    expect(search.snapshot.scanned).toBe(500);
  });

  it('ends failed with the error message when reading fails, keeping the results so far', async () => {
    const { consume } = room(2_000, [message(1_800, 'alice', 'kept result')]);
    let reads = 0;
    const failing = async (from: number, limit: number) => {
      reads += 1;
      if (reads === 2) throw new SynapError('network', 'The server cannot be reached.');
      return consume(from, limit);
    };
    const { search } = recorder();
    await search.search('kept', { consume: failing, beforeOffset: 2_000, earliestOffset: 0 });
    expect(search.snapshot.status).toEqual({
      kind: 'failed',
      message: 'The server cannot be reached.',
    });
    expect(offsetsOf(search.snapshot)).toEqual([1_800]);
    expect(search.snapshot.scanned).toBe(500);
  });

  it('reports the events searched out of the total after every page', async () => {
    const { source } = room(1_200, [], { earliest: 300 });
    const { search, snapshots } = recorder();
    await search.search('anything', source());
    expect(snapshots.map((snapshot) => [snapshot.status.kind, snapshot.scanned])).toEqual([
      ['searching', 0],
      ['searching', 500],
      ['searching', 1_000],
      ['done', 1_200],
    ]);
    expect(snapshots.every((snapshot) => snapshot.total === 1_200)).toBe(true);
  });

  it('stops at the earliest retained offset when retention moved it on meanwhile', async () => {
    const { source, calls } = room(700, [message(400, 'alice', 'still here')], { earliest: 300 });
    const { search } = recorder();
    await search.search('here', source({ earliestOffset: 0 }));
    expect(search.snapshot.status).toEqual({ kind: 'done' });
    expect(offsetsOf(search.snapshot)).toEqual([400]);
    expect(search.snapshot).toMatchObject({ scanned: 700, total: 700 });
    expect(calls.at(-1)).toEqual([300, 200]);
  });

  it('reads past missing offsets and answers shorter than asked', async () => {
    const { source } = room(
      1_000,
      [message(11, 'alice', 'old word'), message(600, 'bob', 'new word')],
      { missing: (offset) => offset % 7 === 3, maxAnswer: 64 },
    );
    const { search } = recorder();
    await search.search('word', source());
    expect(search.snapshot.status).toEqual({ kind: 'done' });
    expect(offsetsOf(search.snapshot)).toEqual([600, 11]);
  });

  it('skips malformed events and goes on searching', async () => {
    const broken: StreamEvent[] = [
      { offset: 5, event: 'message', data: 'not json {', timestamp: 1 },
      { offset: 6, event: 'message', data: '{"message":"no author"}', timestamp: 1 },
      {
        offset: 7,
        event: 'message_edited',
        data: '{"user_id":"alice","target":"x"}',
        timestamp: 1,
      },
    ];
    const { source } = room(20, [message(2, 'alice', 'valid author'), ...broken]);
    const { search } = recorder();
    await search.search('author', source());
    expect(search.snapshot.status).toEqual({ kind: 'done' });
    expect(offsetsOf(search.snapshot)).toEqual([2]);
  });

  it('caps the results at the newest ones and says so', async () => {
    const matches = Array.from({ length: 10 }, (_, i) => message(i * 10, 'alice', `match ${i}`));
    const { source } = room(100, matches);
    const { search } = recorder({ maxResults: 3 });
    await search.search('match', source());
    expect(search.snapshot.status).toEqual({ kind: 'capped' });
    expect(offsetsOf(search.snapshot)).toEqual([90, 80, 70]);
  });

  it('shows a message stored twice by a retried publish once, at its first offset', async () => {
    const { source } = room(100, [
      message(3, 'alice', 'twice sent', 'client-1'),
      message(8, 'alice', 'twice sent', 'client-1'),
      message(9, 'bob', 'twice sent', 'client-1'),
    ]);
    const { search } = recorder();
    await search.search('twice', source());
    expect(offsetsOf(search.snapshot)).toEqual([9, 3]);
  });

  it('abandons the previous search when a new one starts', async () => {
    const { consume } = room(1_000, [message(900, 'alice', 'first query second query')]);
    const gate = gatedConsume(consume);
    const { search, snapshots } = recorder();
    const source = { consume: gate.consume, beforeOffset: 1_000, earliestOffset: 0 };
    const first = search.search('first', source);
    await gate.asked();
    const second = search.search('second', source);
    for (let page = 0; page < 3; page += 1) await gate.release();
    await Promise.all([first, second]);
    expect(search.snapshot).toMatchObject({ query: 'second', status: { kind: 'done' } });
    expect(snapshots.filter((snapshot) => snapshot.query === 'first')).toHaveLength(1);
  });

  describe('as the user types (one query after another)', () => {
    it('reads from the server only what came since the last query, and finds the rest in what it read', async () => {
      const { source, calls } = room(3_300, [
        message(100, 'alice', 'deploy at noon'),
        message(2_000, 'bob', 'the deploy failed'),
        message(3_200, 'carol', 'deploy fixed'),
      ]);
      const { search } = recorder();
      await search.search('deploy', source({ beforeOffset: 3_000, generation: 1 }));
      expect(offsetsOf(search.snapshot)).toEqual([2_000, 100]);
      calls.length = 0;
      // 300 events later, the query changes.
      await search.search('deploy failed', source({ generation: 1 }));
      expect(calls).toEqual([[3_000, 300]]);
      expect(search.snapshot).toMatchObject({ status: { kind: 'done' }, scanned: 3_300 });
      expect(offsetsOf(search.snapshot)).toEqual([2_000]);
      calls.length = 0;
      await search.search('deploy', source({ generation: 1 }));
      expect(calls).toEqual([]);
      expect(offsetsOf(search.snapshot)).toEqual([3_200, 2_000, 100]);
    });

    it('folds edits and deletes read by an earlier query into the messages read by a later one', async () => {
      const { source } = room(1_600, [
        message(10, 'alice', 'lunch at noon'),
        message(20, 'bob', 'lunch maybe'),
        edit(1_200, 'alice', 10, 'lunch at one'),
        remove(1_300, 'bob', 20),
      ]);
      const { search } = recorder();
      await search.search('lunch', source({ beforeOffset: 1_000 }));
      expect(offsetsOf(search.snapshot)).toEqual([20, 10]);
      await search.search('lunch', source());
      expect(search.snapshot.results).toMatchObject([{ offset: 10, text: 'lunch at one' }]);
    });

    it('goes on from where a stopped query ended, after searching what it read', async () => {
      const { consume, calls } = room(2_000, [
        message(1_900, 'alice', 'found early'),
        message(100, 'alice', 'found late'),
      ]);
      const gate = gatedConsume(consume);
      const { search } = recorder();
      const source = { consume: gate.consume, beforeOffset: 2_000, earliestOffset: 0 };
      const first = search.search('found', source);
      search.stop();
      await gate.release();
      await first;
      expect(search.snapshot.status).toEqual({ kind: 'stopped' });
      const second = search.search('found', source);
      for (let page = 0; page < 3; page += 1) await gate.release();
      await second;
      expect(calls.map(([from]) => from)).toEqual([1_500, 1_000, 500, 0]);
      expect(offsetsOf(search.snapshot)).toEqual([1_900, 100]);
    });

    it('reads the room again when it is another generation (reset), or once the search was closed', async () => {
      const { source, calls } = room(1_000, [message(900, 'alice', 'hello')]);
      const { search } = recorder();
      await search.search('hello', source({ generation: 1 }));
      calls.length = 0;
      await search.search('hello', source({ generation: 2 }));
      expect(calls).toHaveLength(2);
      calls.length = 0;
      search.clear();
      await search.search('hello', source({ generation: 2 }));
      expect(calls).toHaveLength(2);
      expect(offsetsOf(search.snapshot)).toEqual([900]);
    });

    it('no longer finds what retention dropped since it was read', async () => {
      const { source } = room(1_000, [
        message(100, 'alice', 'old news'),
        message(800, 'bob', 'news'),
      ]);
      const { search } = recorder();
      await search.search('news', source());
      expect(offsetsOf(search.snapshot)).toEqual([800, 100]);
      await search.search('news', source({ earliestOffset: 500 }));
      expect(offsetsOf(search.snapshot)).toEqual([800]);
      expect(search.snapshot).toMatchObject({ scanned: 500, total: 500 });
    });
  });

  it('clear forgets the results and ignores the answer still on its way', async () => {
    const { consume } = room(1_000, [message(900, 'alice', 'late answer')]);
    const gate = gatedConsume(consume);
    const { search } = recorder();
    const running = search.search('late', {
      consume: gate.consume,
      beforeOffset: 1_000,
      earliestOffset: 0,
    });
    await gate.asked();
    search.clear();
    await gate.release();
    await running;
    expect(search.snapshot).toMatchObject({ status: { kind: 'idle' }, results: [] });
  });
});

describe('snippetOf', () => {
  it('keeps about 40 characters each side, cut at word boundaries, with ellipses', () => {
    const text =
      'The quarterly planning meeting moved to the large room downstairs because ' +
      'the projector upstairs is broken again and nobody has the spare bulb for it';
    const snippet = snippetOf(text, searchWords('projector'));
    expect(snippet.match).toBe('projector');
    expect(snippet.before).toBe('…the large room downstairs because the ');
    expect(snippet.after).toBe(' upstairs is broken again and nobody…');
  });

  it('puts line breaks on one line and never splits an emoji', () => {
    const text = `${'😀'.repeat(30)} key\nvalue`;
    const snippet = snippetOf(text, searchWords('key'));
    expect(snippet.match).toBe('key');
    expect(snippet.before).toBe(`…${'😀'.repeat(19)} `);
    expect(snippet.after).toBe(' value');
  });
});

describe('markWords', () => {
  it('cuts the text at every occurrence of every word, accents and case aside, overlaps merged', () => {
    expect(markWords('Café, then CAFE and cafeteria', searchWords('cafe'))).toEqual([
      { text: 'Café', match: true },
      { text: ', then ', match: false },
      { text: 'CAFE', match: true },
      { text: ' and ', match: false },
      { text: 'cafe', match: true },
      { text: 'teria', match: false },
    ]);
    expect(markWords('abcd', ['abc', 'bcd'])).toEqual([{ text: 'abcd', match: true }]);
    expect(markWords('nothing here', ['zzz'])).toEqual([{ text: 'nothing here', match: false }]);
  });
});

describe('sameQuery', () => {
  it('takes queries of the same words, case, accents and spaces aside, as the same', () => {
    expect(sameQuery('  Crème   brûlée ', 'creme brulee')).toBe(true);
    expect(sameQuery('deploy', 'deploy failed')).toBe(false);
    expect(sameQuery('failed deploy', 'deploy failed')).toBe(false);
    expect(sameQuery('', '   ')).toBe(true);
  });
});
