/**
 * Publishing and REST consumption: offsets, the stored event shape (data as bytes), consume's
 * defaults and next_offset rules, and the publish bodies the framework refuses.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeData,
  roomPath,
  TEST_TIMEOUT_MS,
  useSynap,
  UUID_V4,
  type ConsumeBody,
} from './harness';

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('publish and REST consume', { timeout: TEST_TIMEOUT_MS }, () => {
  const synap = useSynap();

  async function rawPublish(room: string, body: string, headers: Record<string, string> = {}) {
    return synap.client.request('POST', `${roomPath(room)}/publish`, { body, headers });
  }

  it('publish answers {offset, room}; offsets count from 0 in each room', async () => {
    const room = synap.room('offsets');
    const other = synap.room('offsets-other');
    await synap.client.createRoom(room);
    await synap.client.createRoom(other);

    const res = await rawPublish(
      room,
      JSON.stringify({ event: 'message', data: 'a' }),
      JSON_HEADERS,
    );
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ offset: 0, room });
    expect(await synap.client.publish(room, 'message', 'b')).toBe(1);
    expect(await synap.client.publish(room, 'typing', { is_typing: true })).toBe(2);
    expect(await synap.client.publish(other, 'message', 'c')).toBe(0);
  });

  it('publishing to a missing room is 400 "not found" and does not create it', async () => {
    const room = synap.room('missing');
    const res = await rawPublish(room, JSON.stringify({ event: 'message', data: 1 }), JSON_HEADERS);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: `Invalid request: Room '${room}' not found`, code: 400 });
    expect(await synap.client.list()).not.toContain(room);
  });

  it('consume returns stored events whose data is the UTF-8 bytes of the JSON text', async () => {
    const room = synap.room('shape');
    await synap.client.createRoom(room);
    const payload = { user_id: 'ana', message: 'héllo 👋', timestamp: 1_700_000_000_000 };
    const beforeSecs = Math.floor(Date.now() / 1000);
    await synap.client.publish(room, 'message', payload);

    const res = await synap.client.request('GET', `${roomPath(room)}/consume/reader`);
    expect(res.status).toBe(200);
    const body = res.json<ConsumeBody>();
    expect(Object.keys(body)).toEqual(['events', 'next_offset']);
    expect(body.next_offset).toBe(1);
    const [event] = body.events;
    expect(Object.keys(event ?? {})).toEqual([
      'id',
      'offset',
      'room',
      'event',
      'data',
      'timestamp',
      'metadata',
    ]);
    expect(event).toMatchObject({ offset: 0, room, event: 'message', metadata: {} });
    expect(event?.id).toMatch(UUID_V4);
    expect(event?.data.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)).toBe(true);
    expect(decodeData(event?.data ?? [])).toEqual(payload);
    // Unix seconds, not milliseconds (loose bounds: a real server's clock may differ a little).
    expect(event?.timestamp).toBeLessThan(1e11);
    expect(Math.abs((event?.timestamp ?? 0) - beforeSecs)).toBeLessThan(600);
  });

  it('data keeps its JSON type: a JSON string (the seed chat convention) stays a string', async () => {
    const room = synap.room('data-types');
    await synap.client.createRoom(room);
    const payload = { user_id: 'u1', message: 'hi', timestamp: 1_700_000_000.5 };
    await synap.client.publish(room, 'message', JSON.stringify(payload));
    await synap.client.publish(room, 'message', payload);
    await synap.client.publish(room, 'user_left', null);

    const { events } = await synap.client.consume(room, 'reader');
    const [asString, asObject, asNull] = events.map((e) => decodeData(e.data));
    expect(typeof asString).toBe('string');
    expect(JSON.parse(asString as string)).toEqual(payload);
    expect(asObject).toEqual(payload);
    expect(asNull).toBeNull();
    expect(Buffer.from(events[2]?.data ?? []).toString('utf8')).toBe('null');
  });

  it('stored bytes are serde_json text: compact, floats keep a fraction, keys sorted', async () => {
    const room = synap.room('serde-text');
    await synap.client.createRoom(room);
    const body = '{"event": "raw", "data": { "b": [1.0, 2.50, 1e2, -0, 7], "a": "é\\u0001\\/" }}';
    expect((await rawPublish(room, body, JSON_HEADERS)).status).toBe(200);

    const { events } = await synap.client.consume(room, 'reader');
    const text = Buffer.from(events[0]?.data ?? []).toString('utf8');
    expect(text).toBe('{"a":"é\\u0001/","b":[1.0,2.5,100.0,-0.0,7]}');
  });

  it('consume defaults to from_offset 0 and limit 100; next_offset is the last offset + 1', async () => {
    const room = synap.room('defaults');
    await synap.client.createRoom(room);
    await synap.client.publishMany(room, 150, (i) => ({ i }));

    const first = await synap.client.consume(room, 'reader');
    expect(first.events.map((e) => e.offset)).toEqual([...Array(100).keys()]);
    expect(first.next_offset).toBe(100);

    const rest = await synap.client.consume(room, 'reader', `?from_offset=${first.next_offset}`);
    expect(rest.events.map((e) => e.offset)).toEqual([...Array(50).keys()].map((i) => i + 100));
    expect(rest.next_offset).toBe(150);
    expect(rest.events.map((e) => decodeData(e.data))).toEqual(
      [...Array(50).keys()].map((i) => ({ i: i + 100 })),
    );
  });

  it('an empty read answers next_offset = from_offset, even beyond the end', async () => {
    const room = synap.room('empty-read');
    await synap.client.createRoom(room);
    expect(await synap.client.consume(room, 'reader')).toEqual({ events: [], next_offset: 0 });
    await synap.client.publishMany(room, 3, (i) => i);
    expect(await synap.client.consume(room, 'reader', '?from_offset=3')).toEqual({
      events: [],
      next_offset: 3,
    });
    expect(await synap.client.consume(room, 'reader', '?from_offset=500')).toEqual({
      events: [],
      next_offset: 500,
    });
  });

  it('limit caps a batch; unparsable numbers fall back to the defaults', async () => {
    const room = synap.room('limit');
    await synap.client.createRoom(room);
    await synap.client.publishMany(room, 10, (i) => i);

    const three = await synap.client.consume(room, 'reader', '?from_offset=5&limit=3');
    expect(three.events.map((e) => e.offset)).toEqual([5, 6, 7]);
    expect(three.next_offset).toBe(8);

    const none = await synap.client.consume(room, 'reader', '?from_offset=4&limit=0');
    expect(none).toEqual({ events: [], next_offset: 4 });

    const garbage = await synap.client.consume(room, 'reader', '?from_offset=abc&limit=-1');
    expect(garbage.events.map((e) => e.offset)).toEqual([...Array(10).keys()]);
    expect(garbage.next_offset).toBe(10);
  });

  it('a malformed from_offset is silently read as 0: a full replay, not an error', async () => {
    const room = synap.room('malformed-from');
    await synap.client.createRoom(room);
    await synap.client.publishMany(room, 3, (i) => i);
    // Raw query values that are not u64 text: a sign, a fraction, trailing junk, empty, a
    // space (a raw "+" is form-decoded to one), hex, one past u64::MAX.
    const malformed = ['-1', '1.5', '2abc', '', '+2', '0x2', '18446744073709551616'];
    for (const value of malformed) {
      const res = await synap.client.consume(room, 'reader', `?from_offset=${value}`);
      expect(
        res.events.map((e) => e.offset),
        value,
      ).toEqual([0, 1, 2]);
      expect(res.next_offset, value).toBe(3);
    }
    // An escaped plus sign is still a valid u64.
    const plus = await synap.client.consume(room, 'reader', '?from_offset=%2B2');
    expect(plus.events.map((e) => e.offset)).toEqual([2]);
  });

  it('consuming a missing room is 400 "not found"', async () => {
    const room = synap.room('consume-missing');
    const res = await synap.client.request('GET', `${roomPath(room)}/consume/reader`);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: `Invalid request: Room '${room}' not found`, code: 400 });
  });

  describe('publish bodies the framework refuses, as plain text', () => {
    const PARSE = 'Failed to parse the request body as JSON: ';
    const DATA = 'Failed to deserialize the JSON body into the target type: ';

    it('415 without a JSON content type', async () => {
      const room = synap.room('no-ct');
      await synap.client.createRoom(room);
      const body = JSON.stringify({ event: 'message', data: 1 });
      const path = `${roomPath(room)}/publish`;
      const untyped = await synap.client.request('POST', path, {
        body: new TextEncoder().encode(body),
      });
      const textType = await rawPublish(room, body, { 'content-type': 'text/plain' });
      for (const res of [untyped, textType]) {
        expect(res.status).toBe(415);
        expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
        expect(res.text).toBe('Expected request with `Content-Type: application/json`');
      }
      const withCharset = await rawPublish(room, body, {
        'content-type': 'application/json; charset=utf-8',
      });
      expect(withCharset.status).toBe(200);
    });

    it('400 for text that is not JSON, or has trailing characters', async () => {
      const room = synap.room('syntax');
      await synap.client.createRoom(room);
      const hello = await rawPublish(room, 'hello', JSON_HEADERS);
      expect(hello.status).toBe(400);
      expect(hello.text).toBe(`${PARSE}expected value at line 1 column 1`);

      const trailing = await rawPublish(room, '{"event":"e","data":1} x', JSON_HEADERS);
      expect(trailing.status).toBe(400);
      expect(trailing.text).toBe(`${PARSE}trailing characters at line 1 column 24`);

      const empty = await rawPublish(room, '', JSON_HEADERS);
      expect(empty.status).toBe(400);
      expect(empty.text).toBe(`${PARSE}EOF while parsing a value at line 1 column 0`);
    });

    it('422 for JSON without `event` or `data`, or with a non-string event', async () => {
      const room = synap.room('data-errors');
      await synap.client.createRoom(room);
      const noData = await rawPublish(room, '{"event":"x"}', JSON_HEADERS);
      expect(noData.status).toBe(422);
      expect(noData.text).toBe(`${DATA}missing field \`data\` at line 1 column 13`);

      const noEvent = await rawPublish(room, '{"data":1}', JSON_HEADERS);
      expect(noEvent.status).toBe(422);
      expect(noEvent.text).toBe(`${DATA}missing field \`event\` at line 1 column 10`);

      const numberEvent = await rawPublish(room, '{"event":5,"data":1}', JSON_HEADERS);
      expect(numberEvent.status).toBe(422);
      expect(numberEvent.text).toBe(
        `${DATA}event: invalid type: integer \`5\`, expected a string at line 1 column 10`,
      );

      // Nothing was stored by any refused publish.
      expect((await synap.client.stats(room)).total_published).toBe(0);
    });

    it('the body is checked before the room: a bad body to a missing room is still 422', async () => {
      const room = synap.room('body-first');
      const res = await rawPublish(room, '{"event":"x"}', JSON_HEADERS);
      expect(res.status).toBe(422);
    });

    it('unknown fields are ignored (partition_key among them)', async () => {
      const room = synap.room('extra-fields');
      await synap.client.createRoom(room);
      const body = JSON.stringify({ event: 'message', data: 1, partition_key: 'k', x: [1] });
      expect((await rawPublish(room, body, JSON_HEADERS)).json()).toEqual({ offset: 0, room });
    });

    it('413 for a body over 2 MiB', async () => {
      const room = synap.room('too-large');
      await synap.client.createRoom(room);
      const body = JSON.stringify({ event: 'big', data: 'x'.repeat(2 * 1024 * 1024) });
      const res = await rawPublish(room, body, JSON_HEADERS);
      expect(res.status).toBe(413);
      expect(res.text).toBe('Failed to buffer the request body: length limit exceeded');
    });
  });
});
