/**
 * Retention: the per-room ring buffer, unread protection with `dropped`, the out-of-range
 * error once events are gone, and time-based compaction.
 *
 * A real Synap only has its defaults (10,000 / 100,000 events, one hour), far too large to
 * exercise here, so these run against stand-ins with tiny settings only.
 */
import { describe, expect, it } from 'vitest';
import { eventually, EXTERNAL, roomPath, STANDIN_ONLY, TEST_TIMEOUT_MS, useSynap } from './harness';

// Retention is what these tests are about, not the poll period.
const FAST_POLL_MS = 20;

describe.skipIf(EXTERNAL)(
  `ring buffer without subscribers ${STANDIN_ONLY}`,
  { timeout: TEST_TIMEOUT_MS },
  () => {
    const synap = useSynap({ maxBuffer: 5, maxUnreadBuffer: 50, pollIntervalMs: FAST_POLL_MS });

    it('keeps the newest maxBuffer events; nothing counts as dropped', async () => {
      const room = synap.room('ring');
      await synap.client.createRoom(room);
      await synap.client.publishMany(room, 12, (i) => i);
      expect(await synap.client.stats(room)).toMatchObject({
        message_count: 5,
        min_offset: 7,
        max_offset: 11,
        total_published: 12,
        dropped: 0,
      });
      const kept = await synap.client.consume(room, 'late', '?from_offset=7');
      expect(kept.events.map((e) => e.offset)).toEqual([7, 8, 9, 10, 11]);
    });

    it('asking below min_offset is 400 out-of-range, naming the earliest retained offset', async () => {
      const room = synap.room('out-of-range');
      await synap.client.createRoom(room);
      await synap.client.publishMany(room, 12, (i) => i);
      for (const from of [0, 6]) {
        const res = await synap.client.request(
          'GET',
          `${roomPath(room)}/consume/reader?from_offset=${from}`,
        );
        expect(res.status).toBe(400);
        expect(res.json()).toEqual({
          error: `Invalid request: Stream offset ${from} out of range; earliest retained offset is 7`,
          code: 400,
        });
      }
      // A refused read registers nobody.
      expect((await synap.client.stats(room)).subscriber_count).toBe(0);
    });

    it('a WebSocket below min_offset gets the error frame (without the prefix) and is dropped', async () => {
      const room = synap.room('ws-out-of-range');
      await synap.client.createRoom(room);
      await synap.client.publishMany(room, 12, (i) => i);
      const ws = await synap.ws(room, 'reader', { fromOffset: 2 });
      await ws.waitForClose();
      expect(ws.frames).toEqual([
        { type: 'connected', room, subscriber_id: 'reader', from_offset: 2 },
        { type: 'error', error: 'Stream offset 2 out of range; earliest retained offset is 7' },
      ]);
    });

    it('a room that has evicted nothing serves offset 0 without error', async () => {
      const room = synap.room('fresh');
      await synap.client.createRoom(room);
      await synap.client.publishMany(room, 5, (i) => i);
      expect((await synap.client.consume(room, 'reader')).events).toHaveLength(5);
    });
  },
);

describe.skipIf(EXTERNAL)(`unread protection ${STANDIN_ONLY}`, { timeout: TEST_TIMEOUT_MS }, () => {
  // Soft size 2, hard cap 5: unread events may push the buffer up to 5.
  const protecting = useSynap({ maxBuffer: 2, maxUnreadBuffer: 5, pollIntervalMs: FAST_POLL_MS });

  it('holds events the slowest subscriber has not read, up to the cap, then counts drops', async () => {
    const room = protecting.room('protect');
    await protecting.client.createRoom(room);
    await protecting.client.publish(room, 'message', 0);
    await protecting.client.consume(room, 'slow', '?limit=1');
    await protecting.client.publishMany(room, 6, (i) => i + 1);

    // Offset 0 (read) was recycled freely; unread 1 was shed only at the hard cap.
    expect(await protecting.client.stats(room)).toMatchObject({
      message_count: 5,
      min_offset: 2,
      max_offset: 6,
      dropped: 1,
    });
    const res = await protecting.client.request(
      'GET',
      `${roomPath(room)}/consume/slow?from_offset=1`,
    );
    expect(res.json()).toEqual({
      error: 'Invalid request: Stream offset 1 out of range; earliest retained offset is 2',
      code: 400,
    });
  });

  it('once the subscriber catches up, the buffer shrinks back to the soft size', async () => {
    const room = protecting.room('catch-up');
    await protecting.client.createRoom(room);
    await protecting.client.consume(room, 'reader');
    await protecting.client.publishMany(room, 4, (i) => i);
    expect((await protecting.client.stats(room)).message_count).toBe(4);

    const { next_offset } = await protecting.client.consume(room, 'reader');
    await protecting.client.publish(room, 'message', 'more');
    expect(next_offset).toBe(4);
    expect(await protecting.client.stats(room)).toMatchObject({
      message_count: 2,
      min_offset: 3,
      dropped: 0,
    });
  });

  it('a WebSocket subscriber protects what it has not received yet', async () => {
    const room = protecting.room('ws-protect');
    await protecting.client.createRoom(room);
    const ws = await protecting.ws(room, 'live');
    await eventually(
      async () => (await protecting.client.stats(room)).subscriber_count === 1,
      'a poll to register the socket as a subscriber',
    );
    // Stalled, the socket reads nothing more, so everything published next stays unread.
    protecting.standin.stall(true);
    try {
      await protecting.client.publishMany(room, 4, (i) => i);
      expect(await protecting.client.stats(room)).toMatchObject({ message_count: 4, dropped: 0 });
    } finally {
      protecting.standin.stall(false);
    }
    await ws.waitForEvents(4);
    expect(ws.events.map((e) => e.offset)).toEqual([0, 1, 2, 3]);
  });
});

describe.skipIf(EXTERNAL)(
  `dropped without headroom ${STANDIN_ONLY}`,
  { timeout: TEST_TIMEOUT_MS },
  () => {
    // Hard cap equal to the soft size: a plain ring buffer that still counts unread losses.
    const plain = useSynap({ maxBuffer: 2, maxUnreadBuffer: 2, pollIntervalMs: FAST_POLL_MS });

    it('counts every unread event evicted, but not the ones already read', async () => {
      const room = plain.room('dropped');
      await plain.client.createRoom(room);
      await plain.client.publish(room, 'message', 0);
      await plain.client.consume(room, 'slow', '?limit=1');
      await plain.client.publishMany(room, 4, (i) => i + 1);
      expect(await plain.client.stats(room)).toMatchObject({
        message_count: 2,
        min_offset: 3,
        dropped: 2,
      });
    });
  },
);

describe.skipIf(EXTERNAL)(`time retention ${STANDIN_ONLY}`, { timeout: TEST_TIMEOUT_MS }, () => {
  const timed = useSynap({ retentionSecs: 1, pollIntervalMs: FAST_POLL_MS });
  const roomy = useSynap({ pollIntervalMs: FAST_POLL_MS });
  // Retention 0 s: a sweep drops every event, whatever second it was published in.
  const sweepAll = useSynap({ retentionSecs: 0, pollIntervalMs: FAST_POLL_MS });

  const nowSecs = () => Math.floor(Date.now() / 1000);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('compaction keeps events younger than retention_secs', async () => {
    const room = roomy.room('young');
    await roomy.client.createRoom(room);
    await roomy.client.publishMany(room, 3, (i) => i);
    roomy.standin.compact();
    expect((await roomy.client.consume(room, 'reader')).events).toHaveLength(3);
  });

  it('a sweep that empties a room leaves message_count and min_offset stale; total_published stays right', async () => {
    const room = sweepAll.room('emptied');
    await sweepAll.client.createRoom(room);
    await sweepAll.client.publishMany(room, 3, (i) => i);
    sweepAll.standin.compact();

    // Every event is gone, yet message_count still says 3: only total_published is reliable.
    expect(await sweepAll.client.stats(room)).toMatchObject({
      message_count: 3,
      min_offset: 0,
      max_offset: 2,
      total_published: 3,
    });
    expect(await sweepAll.client.consume(room, 'caught-up', '?from_offset=3')).toEqual({
      events: [],
      next_offset: 3,
    });

    // The room's start stayed at 0, so offset 3 is looked up at position 3 of a 1-event buffer:
    // a reader caught up at 3 gets nothing, and the event turns up when asking for offset 0.
    expect(await sweepAll.client.publish(room, 'message', 'after the sweep')).toBe(3);
    expect(await sweepAll.client.stats(room)).toMatchObject({
      message_count: 1,
      min_offset: 0,
      max_offset: 3,
      total_published: 4,
    });
    const stuck = await sweepAll.client.consume(room, 'caught-up', '?from_offset=3');
    expect(stuck).toEqual({ events: [], next_offset: 3 });
    const skewed = await sweepAll.client.consume(room, 'prober', '?from_offset=0');
    expect(skewed.events.map((e) => e.offset)).toEqual([3]);
    expect(skewed.next_offset).toBe(4);
  });

  it('compaction drops older events; reading below the new start is out of range', async () => {
    // Timestamps are whole seconds, so "older than 1 s" is decided by second boundaries: an
    // old event from an earlier second, a young one and the sweep in the same later second.
    // A try that straddles a boundary is repeated on a fresh room.
    const MAX_TRIES = 5;
    for (let attempt = 1; attempt <= MAX_TRIES; attempt += 1) {
      const room = timed.room(`timed-${attempt}`);
      await timed.client.createRoom(room);
      await timed.client.publish(room, 'message', 'old');
      const oldSecs = nowSecs();
      while (nowSecs() <= oldSecs) await sleep(20);
      await timed.client.publish(room, 'message', 'young');
      const beforeSweep = nowSecs();
      timed.standin.compact();
      const { events } = await timed.client.consume(room, 'probe', '?from_offset=1');
      if (nowSecs() !== beforeSweep || events[0]?.timestamp !== beforeSweep) continue;

      const res = await timed.client.request(
        'GET',
        `${roomPath(room)}/consume/reader?from_offset=0`,
      );
      expect(res.json()).toEqual({
        error: 'Invalid request: Stream offset 0 out of range; earliest retained offset is 1',
        code: 400,
      });
      const stats = await timed.client.stats(room);
      expect(stats.message_count).toBe(1);
      // As in Synap: compaction does not refresh stats.min_offset; the next publish does.
      expect(stats.min_offset).toBe(0);
      await timed.client.publish(room, 'message', 'next');
      expect((await timed.client.stats(room)).min_offset).toBe(1);
      return;
    }
    throw new Error(`no attempt fit inside one second in ${MAX_TRIES} tries`);
  });
});
