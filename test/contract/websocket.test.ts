/**
 * The stream WebSocket: connected-first, polled event frames with parsed data, at most 100
 * events per poll, error-then-close, ping/pong, and how the upgrade itself can fail.
 *
 * The server's 100 ms poll period is part of this contract, so this file keeps it.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HandshakeRefused, roomPath, TEST_TIMEOUT_MS, useSynap, WsClient } from './harness';

/** Close code a client reports when the connection ends without a close frame. */
const ABNORMAL_CLOSURE = 1006;

describe('stream WebSocket', { timeout: TEST_TIMEOUT_MS }, () => {
  const synap = useSynap();

  it('sends `connected` first, echoing room, subscriber and from_offset', async () => {
    const room = synap.room('connected');
    await synap.client.createRoom(room);
    const ws = await synap.ws(room, 'sub-1');
    await ws.waitForFrames(1);
    expect(JSON.parse(ws.received[0]?.raw ?? '')).toEqual({
      type: 'connected',
      room,
      subscriber_id: 'sub-1',
      from_offset: 0,
    });

    const later = await synap.ws(room, 'user/1 ü', { fromOffset: 5 });
    await later.waitForFrames(1);
    expect(later.frames[0]).toEqual({
      type: 'connected',
      room,
      subscriber_id: 'user/1 ü',
      from_offset: 5,
    });
  });

  it('delivers events in offset order with parsed data: strings stay strings', async () => {
    const room = synap.room('events');
    await synap.client.createRoom(room);
    const chat = { user_id: 'u1', message: 'héllo', timestamp: 1_700_000_000_000 };
    await synap.client.publish(room, 'message', JSON.stringify(chat));
    await synap.client.publish(room, 'typing', { user_id: 'u1', is_typing: true });

    const ws = await synap.ws(room, 'reader');
    await synap.client.publish(room, 'user_left', null);
    await ws.waitForEvents(3);

    const [first, second, third] = ws.events;
    expect(Object.keys(first ?? {}).sort()).toEqual([
      'data',
      'event',
      'offset',
      'timestamp',
      'type',
    ]);
    expect(first).toMatchObject({ type: 'event', offset: 0, event: 'message' });
    expect(typeof first?.data).toBe('string');
    expect(JSON.parse(first?.data as string)).toEqual(chat);
    expect(second).toMatchObject({ offset: 1, event: 'typing' });
    expect(second?.data).toEqual({ user_id: 'u1', is_typing: true });
    expect(third).toMatchObject({ offset: 2, event: 'user_left', data: null });
    // Unix seconds, as over REST.
    const { events } = await synap.client.consume(room, 'rest-reader');
    expect(ws.events.map((e) => e.timestamp)).toEqual(events.map((e) => e.timestamp));
    expect(first?.timestamp).toBeLessThan(1e11);
    expect(ws.frames[0]?.type).toBe('connected');
  });

  it('starts at from_offset', async () => {
    const room = synap.room('from-offset');
    await synap.client.createRoom(room);
    await synap.client.publishMany(room, 10, (i) => ({ i }));
    const ws = await synap.ws(room, 'reader', { fromOffset: 7 });
    await ws.waitForEvents(3);
    expect(ws.events.map((e) => e.offset)).toEqual([7, 8, 9]);
    expect(ws.events.map((e) => e.data)).toEqual([{ i: 7 }, { i: 8 }, { i: 9 }]);
  });

  it('a malformed from_offset becomes 0: `connected` says 0 and the replay starts at 0', async () => {
    const room = synap.room('ws-malformed-from');
    await synap.client.createRoom(room);
    await synap.client.publishMany(room, 3, (i) => i);
    const query: Record<string, string> = { from_offset: '2abc' };
    if (synap.client.apiKey) query.api_key = synap.client.apiKey;
    const ws = await WsClient.connect(synap.wsUrl(room, 'reader', query));
    try {
      await ws.waitForEvents(3);
      expect(ws.frames[0]).toEqual({
        type: 'connected',
        room,
        subscriber_id: 'reader',
        from_offset: 0,
      });
      expect(ws.events.map((e) => e.offset)).toEqual([0, 1, 2]);
    } finally {
      ws.terminate();
    }
  });

  it('polls: a backlog of 250 arrives in order in bursts of at most 100, one per poll', async () => {
    const room = synap.room('backlog');
    await synap.client.createRoom(room);
    await synap.client.publishMany(room, 250, (i) => i);

    const ws = await synap.ws(room, 'reader');
    await ws.waitForEvents(250);
    expect(ws.events.map((e) => e.offset)).toEqual([...Array(250).keys()]);
    expect(ws.events.map((e) => e.data)).toEqual([...Array(250).keys()]);

    const eventFrames = ws.received.filter((r) => r.frame.type === 'event');
    const burstSizes = new Map<number, number>();
    for (const r of eventFrames) burstSizes.set(r.group, (burstSizes.get(r.group) ?? 0) + 1);
    expect(Math.max(...burstSizes.values())).toBeLessThanOrEqual(100);
    expect(burstSizes.size).toBeGreaterThanOrEqual(3);
    // Three polls, each at least 100 ms after the handshake's previous one: never faster.
    const lastAtMs = eventFrames.at(-1)?.atMs ?? 0;
    expect(lastAtMs - ws.startedAtMs).toBeGreaterThanOrEqual(250);
  });

  it('picks up events published while connected', async () => {
    const room = synap.room('live');
    await synap.client.createRoom(room);
    const ws = await synap.ws(room, 'reader');
    await ws.waitForFrames(1);
    await synap.client.publish(room, 'message', 'one');
    await ws.waitForEvents(1);
    await synap.client.publish(room, 'message', 'two');
    await ws.waitForEvents(2);
    expect(ws.events.map((e) => [e.offset, e.data])).toEqual([
      [0, 'one'],
      [1, 'two'],
    ]);
  });

  it('registers the subscriber and counts what it delivers, like a REST consume', async () => {
    const room = synap.room('ws-subscriber');
    await synap.client.createRoom(room);
    await synap.client.publishMany(room, 4, (i) => i);
    const ws = await synap.ws(room, 'ws-reader');
    await ws.waitForEvents(4);
    // The server counts a poll before sending it, so the stats are settled by now.
    expect(await synap.client.stats(room)).toMatchObject({
      subscriber_count: 1,
      total_consumed: 4,
    });
  });

  it('a missing room: `connected`, then an error frame, then the socket drops', async () => {
    const room = synap.room('ws-missing');
    const ws = await synap.ws(room, 'reader');
    const close = await ws.waitForClose();
    expect(ws.frames).toEqual([
      { type: 'connected', room, subscriber_id: 'reader', from_offset: 0 },
      { type: 'error', error: `Room '${room}' not found` },
    ]);
    // Synap drops the connection without a close handshake.
    expect(close.code).toBe(ABNORMAL_CLOSURE);
  });

  it('a room deleted while connected ends the session the same way', async () => {
    const room = synap.room('ws-deleted');
    await synap.client.createRoom(room);
    await synap.client.publish(room, 'message', 'hello');
    const ws = await synap.ws(room, 'reader');
    await ws.waitForEvents(1);
    await synap.client.deleteRoom(room);
    await ws.waitForClose();
    expect(ws.frames.at(-1)).toEqual({ type: 'error', error: `Room '${room}' not found` });
  });

  it('answers a Ping with a Pong carrying the same payload, and ignores text it is sent', async () => {
    const room = synap.room('ping');
    await synap.client.createRoom(room);
    const ws = await synap.ws(room, 'reader');
    expect(await ws.ping('are-you-there')).toBe('are-you-there');

    ws.socket.send(JSON.stringify({ type: 'subscribe', anything: true }));
    await synap.client.publish(room, 'message', 'still flowing');
    await ws.waitForEvents(1);
    expect(ws.events[0]?.data).toBe('still flowing');
    expect(ws.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('never picks a subprotocol, so a client that requires one is refused', async () => {
    const room = synap.room('subprotocol');
    await synap.client.createRoom(room);
    await expect(synap.ws(room, 'reader', { protocols: ['synap'] })).rejects.toThrow(
      /subprotocol/i,
    );
  });

  it('a plain GET on the WebSocket route is refused with 400 text', async () => {
    const room = synap.room('plain-get');
    await synap.client.createRoom(room);
    const res = await synap.client.request('GET', `${roomPath(room)}/ws/reader`);
    expect(res.status).toBe(400);
    expect(res.text).toBe("Connection header did not include 'upgrade'");
  });

  it('an upgrade to a path that is not a route is refused by HTTP status', async () => {
    const url = synap.wsUrl('unused', 'reader').replace('/ws/', '/nope/');
    const attempt = WsClient.connect(url);
    await expect(attempt).rejects.toBeInstanceOf(HandshakeRefused);
    await expect(attempt).rejects.toMatchObject({ status: synap.client.apiKey ? 401 : 404 });
  });
});
