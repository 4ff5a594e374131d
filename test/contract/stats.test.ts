/**
 * Room statistics: the field set, max_offset's ambiguity, subscriber and consumption counts,
 * and the generation that tells a recreated room from the one a client remembers.
 */
import { describe, expect, it } from 'vitest';
import { EXTERNAL, roomPath, STANDIN_ONLY, TEST_TIMEOUT_MS, useSynap } from './harness';

const STATS_FIELDS = [
  'name',
  'message_count',
  'min_offset',
  'max_offset',
  'subscriber_count',
  'total_published',
  'total_consumed',
  'dropped',
  'created_at',
  'generation',
];

const DAY_MS = 24 * 60 * 60 * 1000;

describe('room stats', { timeout: TEST_TIMEOUT_MS }, () => {
  const synap = useSynap();

  it('an empty room: every field, all counters 0, max_offset 0', async () => {
    const room = synap.room('empty');
    const beforeMs = Date.now();
    await synap.client.createRoom(room);

    const res = await synap.client.request('GET', `${roomPath(room)}/stats`);
    expect(res.status).toBe(200);
    const stats = res.json<Record<string, number | string>>();
    expect(Object.keys(stats)).toEqual(STATS_FIELDS);
    expect(stats).toMatchObject({
      name: room,
      message_count: 0,
      min_offset: 0,
      max_offset: 0,
      subscriber_count: 0,
      total_published: 0,
      total_consumed: 0,
      dropped: 0,
    });
    // Epoch milliseconds (loose bounds: a real server's clock may differ a little).
    expect(Math.abs(Number(stats.created_at) - beforeMs)).toBeLessThan(DAY_MS);
    expect(Number(stats.generation)).toBeGreaterThan(1e12);
  });

  it('one event also has max_offset 0: message_count and total_published tell them apart', async () => {
    const room = synap.room('one');
    await synap.client.createRoom(room);
    await synap.client.publish(room, 'message', 'only');
    expect(await synap.client.stats(room)).toMatchObject({
      message_count: 1,
      min_offset: 0,
      max_offset: 0,
      total_published: 1,
    });

    await synap.client.publishMany(room, 2, (i) => i);
    expect(await synap.client.stats(room)).toMatchObject({
      message_count: 3,
      max_offset: 2,
      total_published: 3,
    });
  });

  it('every consume registers its subscriber; total_consumed counts delivered events', async () => {
    const room = synap.room('subscribers');
    await synap.client.createRoom(room);
    await synap.client.consume(room, 'early-bird');
    expect(await synap.client.stats(room)).toMatchObject({
      subscriber_count: 1,
      total_consumed: 0,
    });

    await synap.client.publishMany(room, 5, (i) => i);
    await synap.client.consume(room, 'alice', '?limit=2');
    await synap.client.consume(room, 'bob');
    await synap.client.consume(room, 'alice', '?from_offset=2');
    expect(await synap.client.stats(room)).toMatchObject({
      subscriber_count: 3,
      total_consumed: 2 + 5 + 3,
    });
  });

  it('stats of a missing room is 400 "not found"', async () => {
    const room = synap.room('stats-missing');
    const res = await synap.client.request('GET', `${roomPath(room)}/stats`);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: `Invalid request: Room '${room}' not found`, code: 400 });
  });

  it('generation and created_at stay put while the room lives', async () => {
    const room = synap.room('stable');
    await synap.client.createRoom(room);
    const before = await synap.client.stats(room);
    await synap.client.publish(room, 'message', 1);
    await synap.client.createRoom(room);
    const after = await synap.client.stats(room);
    expect(after.generation).toBe(before.generation);
    expect(after.created_at).toBe(before.created_at);
  });

  it('generations strictly increase across rooms', async () => {
    const generations: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const room = synap.room(`gen-${i}`);
      await synap.client.createRoom(room);
      generations.push((await synap.client.stats(room)).generation);
    }
    for (let i = 1; i < generations.length; i += 1) {
      expect(generations[i]).toBeGreaterThan(generations[i - 1] ?? Infinity);
    }
  });

  it('rooms created in the same millisecond still get distinct generations', async () => {
    const CONCURRENT_ROOMS = 20;
    const rooms = Array.from({ length: CONCURRENT_ROOMS }, (_, i) => synap.room(`burst-${i}`));
    await Promise.all(rooms.map((room) => synap.client.createRoom(room)));
    const stats = await Promise.all(rooms.map((room) => synap.client.stats(room)));
    expect(new Set(stats.map((s) => s.generation)).size).toBe(CONCURRENT_ROOMS);
  });

  it('a deleted and recreated room has a new, higher generation and starts again at 0', async () => {
    const room = synap.room('recreated');
    await synap.client.createRoom(room);
    await synap.client.publish(room, 'message', 'before');
    await synap.client.consume(room, 'reader');
    const before = await synap.client.stats(room);

    await synap.client.deleteRoom(room);
    await synap.client.createRoom(room);
    expect(await synap.client.publish(room, 'message', 'after')).toBe(0);
    const after = await synap.client.stats(room);

    // Every counter coincides with the old room's: only the generation tells them apart.
    expect(after.max_offset).toBe(before.max_offset);
    expect(after.total_published).toBe(before.total_published);
    expect(after.generation).toBeGreaterThan(before.generation);
    expect(after.created_at).toBeGreaterThanOrEqual(before.created_at);
    expect(after.subscriber_count).toBe(0);
  });

  it.skipIf(EXTERNAL)(
    `created_at and generation are seeded from the wall clock in ms ${STANDIN_ONLY}`,
    async () => {
      const room = synap.room('clock');
      const beforeMs = Date.now();
      await synap.client.createRoom(room);
      const afterMs = Date.now();
      const stats = await synap.client.stats(room);
      expect(stats.created_at).toBeGreaterThanOrEqual(beforeMs);
      expect(stats.created_at).toBeLessThanOrEqual(afterMs);
      expect(stats.generation).toBeGreaterThanOrEqual(beforeMs);
    },
  );
});
