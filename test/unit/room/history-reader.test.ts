import { describe, expect, it } from 'vitest';
import { loadHistory } from '../../../src/lib/room/history-reader';
import { SynapError, type ConsumeResult, type StreamEvent } from '../../../src/lib/synap/rest';

/** A room log of `count` events from `earliest`, every third one a message. */
function room(count: number, earliest = 0) {
  const events: StreamEvent[] = Array.from({ length: count }, (_, i) => ({
    offset: earliest + i,
    event: (earliest + i) % 3 === 0 ? 'message' : 'typing',
    data: null,
    timestamp: 1,
  }));
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
    const page = events.filter((event) => event.offset >= from).slice(0, limit);
    return { events: page, nextOffset: from + page.length, malformed: 0 };
  };
  return { consume, calls };
}

const isMessage = (event: StreamEvent) => event.event === 'message';

describe('loadHistory', () => {
  it('returns exactly the newest N messages and where to continue', async () => {
    const { consume } = room(1_000);
    const page = await loadHistory({
      consume,
      beforeOffset: 1_000,
      minMessages: 50,
      maxEvents: 5_000,
      countsAsMessage: isMessage,
    });
    const messages = page.events.filter(isMessage);
    expect(messages).toHaveLength(50);
    expect(messages.at(-1)?.offset).toBe(999);
    expect(page.events[0]?.offset).toBe(page.before);
    expect(page.reachedStart).toBe(false);
  });

  it('reaches back to the read marker even past N messages', async () => {
    const { consume } = room(1_000);
    const page = await loadHistory({
      consume,
      beforeOffset: 1_000,
      minMessages: 5,
      reachBackTo: 600,
      maxEvents: 5_000,
      countsAsMessage: isMessage,
    });
    expect(page.before).toBeLessThanOrEqual(600);
  });

  it('stops at the earliest retained offset, learning it from the out-of-range error', async () => {
    const { consume } = room(100, 400);
    const page = await loadHistory({
      consume,
      beforeOffset: 500,
      minMessages: 1_000,
      maxEvents: 5_000,
      countsAsMessage: isMessage,
      pageEvents: 30,
    });
    expect(page.reachedStart).toBe(true);
    expect(page.earliestOffset).toBe(400);
    expect(page.events.map((event) => event.offset)).toEqual(
      Array.from({ length: 100 }, (_, i) => 400 + i),
    );
  });

  it('never scans more than maxEvents in one call, asking for more at a time while pages bring too few messages', async () => {
    const { consume, calls } = room(10_000);
    const progress: number[] = [];
    const page = await loadHistory({
      consume,
      beforeOffset: 10_000,
      minMessages: 50_000,
      maxEvents: 1_000,
      countsAsMessage: isMessage,
      pageEvents: 250,
      onProgress: (scanned) => progress.push(scanned),
    });
    expect(calls).toHaveLength(3);
    expect(progress).toEqual([250, 750, 1_000]);
    expect(page.before).toBe(9_000);
    expect(page.reachedStart).toBe(false);
  });

  it('reads back to a known offset in growing pages, however many messages they bring', async () => {
    const { consume, calls } = room(10_000);
    const page = await loadHistory({
      consume,
      beforeOffset: 10_000,
      minMessages: 0,
      reachBackTo: 3_000,
      maxEvents: 7_000,
      countsAsMessage: isMessage,
      trimToMinMessages: false,
      growPages: true,
      pageEvents: 250,
    });
    expect(calls.map(([, limit]) => limit)).toEqual([250, 500, 1_000, 2_000, 2_000, 1_250]);
    expect(page.before).toBe(3_000);
    expect(page.events).toHaveLength(7_000);
  });

  it('asks for no further page once its signal is aborted, and returns what it read', async () => {
    const { consume, calls } = room(10_000);
    const abort = new AbortController();
    const page = await loadHistory({
      consume,
      beforeOffset: 10_000,
      minMessages: 0,
      reachBackTo: 0,
      maxEvents: 10_000,
      countsAsMessage: isMessage,
      trimToMinMessages: false,
      pageEvents: 250,
      onProgress: (scanned) => {
        if (scanned >= 500) abort.abort();
      },
      signal: abort.signal,
    });
    expect(calls).toHaveLength(2);
    expect(page.before).toBe(9_500);
    expect(page.events[0]?.offset).toBe(9_500);
    expect(page.reachedStart).toBe(false);
  });
});
