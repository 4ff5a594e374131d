/**
 * The stand-in's test-only controls (in-process and over HTTP): a restart-like wipe, dead
 * sockets, a half-open stall, and generations that keep rising across restarts. A real Synap
 * offers none of these, so this whole file is stand-in only.
 */
import { describe, expect, it } from 'vitest';
import { startSynapStandin } from '../standin/server';
import {
  decodeData,
  EXTERNAL,
  roomPath,
  SynapClient,
  STANDIN_ONLY,
  TEST_TIMEOUT_MS,
  uniqueName,
  useSynap,
} from './harness';

// The controls are what these tests are about, not the poll period.
const FAST_POLL_MS = 20;
/** Long enough for several polls of FAST_POLL_MS: a window in which nothing may arrive. */
const QUIET_WINDOW_MS = 300;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(EXTERNAL)(`stand-in controls ${STANDIN_ONLY}`, { timeout: TEST_TIMEOUT_MS }, () => {
  const synap = useSynap({ pollIntervalMs: FAST_POLL_MS });

  it('wipe(): every room is gone, like after a restart; recreated rooms get new generations', async () => {
    const room = synap.room('wipe');
    await synap.client.createRoom(room);
    await synap.client.publishMany(room, 3, (i) => i);
    const before = await synap.client.stats(room);

    synap.standin.wipe();

    expect(await synap.client.list()).not.toContain(room);
    const stats = await synap.client.request('GET', `${roomPath(room)}/stats`);
    expect(stats.status).toBe(400);
    const put = await synap.client.request('PUT', roomPath(room));
    expect(put.json()).toEqual({ success: true, room, created: true });
    expect(await synap.client.publish(room, 'message', 'again')).toBe(0);
    const after = await synap.client.stats(room);
    expect(after.generation).toBeGreaterThan(before.generation);
    expect(after.subscriber_count).toBe(0);
  });

  it('wipe(): a connected socket gets "not found" and is dropped at its next poll', async () => {
    const room = synap.room('wipe-ws');
    await synap.client.createRoom(room);
    const ws = await synap.ws(room, 'reader');
    await ws.waitForFrames(1);
    synap.standin.wipe();
    await ws.waitForClose();
    expect(ws.frames.at(-1)).toEqual({ type: 'error', error: `Room '${room}' not found` });
  });

  it('wipe(): generations keep rising across every wipe', async () => {
    const room = synap.room('wipes');
    const generations: number[] = [];
    for (let run = 0; run < 3; run += 1) {
      await synap.client.createRoom(room);
      generations.push((await synap.client.stats(room)).generation);
      synap.standin.wipe();
    }
    expect(generations[1]).toBeGreaterThan(generations[0] ?? Infinity);
    expect(generations[2]).toBeGreaterThan(generations[1] ?? Infinity);
  });

  it('wipe(): a stale cursor gets no out-of-range error, just nothing; only the generation tells', async () => {
    const room = synap.room('wipe-cursor');
    await synap.client.createRoom(room);
    await synap.client.publishMany(room, 5, (i) => i);
    const { next_offset: cursor } = await synap.client.consume(room, 'reader');
    const before = await synap.client.stats(room);

    synap.standin.wipe();
    await synap.client.createRoom(room);
    await synap.client.publish(room, 'message', 'new room, offset 0');

    // Nothing was ever evicted from the new room, so offset 5 is "not yet", not "gone".
    const res = await synap.client.request(
      'GET',
      `${roomPath(room)}/consume/reader?from_offset=${cursor}`,
    );
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ events: [], next_offset: cursor });
    // A socket resuming at the stale cursor is just as silent.
    const ws = await synap.ws(room, 'reader', { fromOffset: cursor });
    await ws.waitForFrames(1);
    await sleep(QUIET_WINDOW_MS);
    expect(ws.frames).toEqual([
      { type: 'connected', room, subscriber_id: 'reader', from_offset: cursor },
    ]);
    expect(ws.closeInfo).toBeUndefined();
    expect((await synap.client.stats(room)).generation).toBeGreaterThan(before.generation);
  });

  it('dropSockets(): sockets end without a close frame; reconnecting works', async () => {
    const room = synap.room('drop');
    await synap.client.createRoom(room);
    const ws = await synap.ws(room, 'reader');
    await ws.waitForFrames(1);
    synap.standin.dropSockets();
    expect((await ws.waitForClose()).code).toBe(1006);

    await synap.client.publish(room, 'message', 'after the drop');
    const again = await synap.ws(room, 'reader');
    await again.waitForEvents(1);
    expect(again.events[0]?.data).toBe('after the drop');
  });

  it('stall(true): the socket stays open but nothing arrives, pongs neither; stall(false) resumes', async () => {
    const room = synap.room('stall');
    await synap.client.createRoom(room);
    const ws = await synap.ws(room, 'reader');
    await synap.client.publish(room, 'message', 'before');
    await ws.waitForEvents(1);

    synap.standin.stall(true);
    try {
      await synap.client.publishMany(room, 2, (i) => `during ${i}`);
      let ponged = false;
      ws.socket.once('pong', () => (ponged = true));
      ws.socket.ping('anyone?');
      await sleep(QUIET_WINDOW_MS);
      expect(ws.events).toHaveLength(1);
      expect(ponged).toBe(false);
      expect(ws.closeInfo).toBeUndefined();
    } finally {
      synap.standin.stall(false);
    }

    await ws.waitForEvents(3);
    expect(ws.events.map((e) => e.data)).toEqual(['before', 'during 0', 'during 1']);
    expect(await ws.ping('back')).toBe('back');
  });

  it('publishMany(): publishes in order, each as one publish would, and answers their offsets', async () => {
    const room = synap.room('many');
    await synap.client.createRoom(room);
    await synap.client.publish(room, 'message', 'first');
    const events = [
      { event: 'message', data: JSON.stringify({ user_id: 'dan', message: 'hay' }) },
      { event: 'typing', data: { z: 1.5, a: [true, null] } },
    ];
    expect(synap.standin.publishMany(room, events)).toEqual([1, 2]);
    const stored = (await synap.client.consume(room, 'reader', '?from_offset=1')).events;
    expect(stored.map((event) => [event.offset, event.event, decodeData(event.data)])).toEqual([
      [1, 'message', events[0]?.data],
      [2, 'typing', { a: [true, null], z: 1.5 }],
    ]);
    expect((await synap.client.stats(room)).total_published).toBe(3);
    expect(() => synap.standin.publishMany(synap.room('missing'), events)).toThrow(/not found/);
  });

  it('the HTTP controls do not exist unless testControls is on', async () => {
    const res = await synap.client.request('POST', '/__standin/wipe');
    expect(res.status).toBe(404);
  });
});

describe.skipIf(EXTERNAL)(
  `HTTP test controls ${STANDIN_ONLY}`,
  { timeout: TEST_TIMEOUT_MS },
  () => {
    const synap = useSynap({
      testControls: true,
      pollIntervalMs: FAST_POLL_MS,
      apiKeys: ['controls-key'],
    });

    const control = (name: string, body?: unknown) =>
      synap.client.request('POST', `/__standin/${name}`, {
        withKey: false,
        headers: { origin: 'http://app.example', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    it('POST /__standin/wipe answers {"ok":true} with CORS, needing no key', async () => {
      const room = synap.room('http-wipe');
      await synap.client.createRoom(room);
      const res = await control('wipe');
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ ok: true });
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(await synap.client.list()).not.toContain(room);
    });

    it('POST /__standin/stall takes {"on": bool}; anything else is 400', async () => {
      const room = synap.room('http-stall');
      await synap.client.createRoom(room);
      const ws = await synap.ws(room, 'reader');
      await ws.waitForFrames(1);

      expect((await control('stall', { on: true })).json()).toEqual({ ok: true });
      try {
        await synap.client.publish(room, 'message', 'held');
        await sleep(QUIET_WINDOW_MS);
        expect(ws.events).toHaveLength(0);
      } finally {
        expect((await control('stall', { on: false })).status).toBe(200);
      }
      await ws.waitForEvents(1);
      expect((await control('stall', { on: 'yes' })).status).toBe(400);
    });

    it('POST /__standin/drop-sockets and /__standin/compact', async () => {
      const room = synap.room('http-drop');
      await synap.client.createRoom(room);
      const ws = await synap.ws(room, 'reader');
      await ws.waitForFrames(1);
      expect((await control('drop-sockets')).json()).toEqual({ ok: true });
      expect((await ws.waitForClose()).code).toBe(1006);
      expect((await control('compact')).json()).toEqual({ ok: true });
    });

    it('POST /__standin/publish-many?room=R takes an array of publish bodies and answers their offsets', async () => {
      const room = synap.room('http-many');
      await synap.client.createRoom(room);
      const many = (query: string, body: unknown) => control(`publish-many${query}`, body);
      const bodies = [
        { event: 'message', data: 'one' },
        { event: 'message', data: 'two' },
      ];
      const res = await many(`?room=${encodeURIComponent(room)}`, bodies);
      expect(res.json()).toEqual({ offsets: [0, 1] });
      const stored = (await synap.client.consume(room, 'reader')).events;
      expect(stored.map((event) => decodeData(event.data))).toEqual(['one', 'two']);
      expect((await many('', bodies)).status).toBe(400);
      expect((await many(`?room=${room}`, [{ event: 'message' }])).status).toBe(400);
      const missing = await many(`?room=${synap.room('http-missing')}`, bodies);
      expect(missing.status).toBe(400);
      expect(missing.json()).toMatchObject({ error: expect.stringMatching(/not found/) });
    });

    it('other methods are 405, unknown controls 404, and a preflight passes', async () => {
      const get = await synap.client.request('GET', '/__standin/wipe', { withKey: false });
      expect(get.status).toBe(405);
      expect((await control('reboot')).status).toBe(404);
      const preflight = await synap.client.request('OPTIONS', '/__standin/wipe', {
        withKey: false,
        headers: { origin: 'http://app.example', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(200);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    });
  },
);

describe.skipIf(EXTERNAL)(`restarts ${STANDIN_ONLY}`, { timeout: TEST_TIMEOUT_MS }, () => {
  it('a new stand-in (a restart) never reissues a generation', async () => {
    const room = uniqueName('restart');
    const generations: number[] = [];
    for (let run = 0; run < 2; run += 1) {
      const standin = await startSynapStandin({ port: 0 });
      try {
        const client = new SynapClient(standin.url, undefined);
        expect(await client.list()).toEqual([]);
        await client.createRoom(room);
        generations.push((await client.stats(room)).generation);
      } finally {
        await standin.close();
      }
    }
    expect(generations[1]).toBeGreaterThan(generations[0] ?? Infinity);
  });
});
