import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SynapError,
  SynapRest,
  decodeEventData,
  requireServerUrl,
  publishToRoom,
} from '../../../src/lib/synap/rest';
import { startSynapStandin, type SynapStandin } from '../../standin/server';
import { uniqueRoom } from '../helpers';

let standin: SynapStandin;
let rest: SynapRest;

beforeAll(async () => {
  standin = await startSynapStandin({ port: 0, maxBuffer: 5 });
  rest = new SynapRest({ baseUrl: standin.url });
});
afterAll(() => standin.close());

async function failure(promise: Promise<unknown>): Promise<SynapError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof SynapError))
    throw new Error(`expected a SynapError, got ${String(error)}`);
  return error;
}

describe('SynapRest against the stand-in', () => {
  it('creates, publishes, consumes (decoding byte-array data), lists, reads stats, deletes', async () => {
    const room = uniqueRoom();
    expect(await rest.ensureRoom(room)).toEqual({ created: true });
    expect(await rest.ensureRoom(room)).toEqual({ created: false });
    expect(await rest.publish(room, 'message', '{"user_id":"a","message":"é"}')).toEqual({
      offset: 0,
    });
    expect(await rest.publish(room, 'message', { user_id: 'b' })).toEqual({ offset: 1 });
    const page = await rest.consume(room, 'sub-1', 0, 10);
    expect(page.nextOffset).toBe(2);
    expect(page.events.map((event) => event.data)).toEqual([
      '{"user_id":"a","message":"é"}',
      { user_id: 'b' },
    ]);
    expect(await rest.listRooms()).toContain(room);
    const stats = await rest.stats(room);
    expect(stats).toMatchObject({ name: room, messageCount: 2, minOffset: 0, maxOffset: 1 });
    expect(stats.generation).toBeGreaterThan(0);
    await rest.deleteRoom(room);
    expect((await failure(rest.stats(room))).kind).toBe('room_not_found');
  });

  it('types each failure', async () => {
    const room = uniqueRoom();
    expect((await failure(rest.publish(room, 'message', 'x'))).kind).toBe('room_not_found');
    await rest.createRoom(room);
    expect((await failure(rest.createRoom(room))).kind).toBe('room_exists');
    for (let i = 0; i < 8; i += 1) await rest.publish(room, 'message', i);
    const outOfRange = await failure(rest.consume(room, 's', 0, 10));
    expect(outOfRange.kind).toBe('offset_out_of_range');
    expect(outOfRange.earliestOffset).toBe(3);
  });

  it('publishToRoom re-creates a room that a restart wiped', async () => {
    const room = uniqueRoom();
    await rest.ensureRoom(room);
    standin.wipe();
    expect(await publishToRoom(rest, room, { event: 'message', data: 'x' })).toEqual({ offset: 0 });
  });

  it('reports an unreachable server as a network error with the address', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(new SynapRest({ baseUrl: `http://127.0.0.1:${port}` }).listRooms());
    expect(error.kind).toBe('network');
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it('gives up on an answer whose body never finishes, as a network error', async () => {
    const hanging: Server = createServer((_, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write('{"rooms":');
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const { port } = hanging.address() as AddressInfo;
    try {
      const client = new SynapRest({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 300 });
      const error = await failure(client.listRooms());
      expect(error.kind).toBe('network');
      expect(error.message).toMatch(/no answer within/);
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });

  it('reports a server that is not Synap as a bad response', async () => {
    const other: Server = createServer((_, response) => response.end('<html>hello</html>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    try {
      const error = await failure(
        new SynapRest({ baseUrl: `http://127.0.0.1:${port}` }).listRooms(),
      );
      expect(error.kind).toBe('bad_response');
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

describe('authentication', () => {
  let secured: SynapStandin;
  beforeAll(async () => {
    secured = await startSynapStandin({
      port: 0,
      apiKeys: ['admin-key'],
      readOnlyKeys: ['reader'],
    });
  });
  afterAll(() => secured.close());

  it('sends the key as a Bearer header, and types 401 and 403', async () => {
    const room = uniqueRoom();
    const admin = new SynapRest({ baseUrl: secured.url, apiKey: 'admin-key' });
    await admin.ensureRoom(room);
    expect((await failure(new SynapRest({ baseUrl: secured.url }).listRooms())).kind).toBe(
      'unauthorized',
    );
    const wrong = new SynapRest({ baseUrl: secured.url, apiKey: 'nope' });
    expect((await failure(wrong.stats(room))).status).toBe(401);
    const reader = new SynapRest({ baseUrl: secured.url, apiKey: 'reader' });
    expect((await reader.stats(room)).name).toBe(room);
    expect((await failure(reader.publish(room, 'message', 'x'))).kind).toBe('forbidden');
  });

  it('can send the key as ?api_key= instead, which cross-origin pages need', async () => {
    const room = uniqueRoom();
    const admin = new SynapRest({ baseUrl: secured.url, apiKey: 'admin-key', apiKeyIn: 'query' });
    await admin.ensureRoom(room);
    expect((await admin.consume(room, 's', 0, 5)).events).toEqual([]);
    const reader = new SynapRest({ baseUrl: secured.url, apiKey: 'reader', apiKeyIn: 'query' });
    expect((await failure(reader.publish(room, 'message', 'x'))).kind).toBe('forbidden');
    const wrong = new SynapRest({ baseUrl: secured.url, apiKey: 'nope', apiKeyIn: 'query' });
    expect((await failure(wrong.listRooms())).kind).toBe('unauthorized');
  });

  it('puts the key in the socket URL, since browsers cannot set WebSocket headers', () => {
    const client = new SynapRest({ baseUrl: 'https://synap.example/', apiKey: 'sk_a+b/c=' });
    expect(client.socketUrl('chat-room-a b', 'me/1', 4)).toBe(
      'wss://synap.example/stream/chat-room-a%20b/ws/me%2F1?from_offset=4&api_key=sk_a+b/c=',
    );
    const odd = new SynapRest({ baseUrl: 'http://h:1', apiKey: 'k&y' });
    expect(odd.socketUrl('r', 's', 0)).toBe('ws://h:1/stream/r/ws/s?from_offset=0&api_key=k%26y');
  });

  it('never sends an offset Synap would read as 0 (a full replay)', async () => {
    const requested: string[] = [];
    const client = new SynapRest({
      baseUrl: 'http://h:1',
      fetch: (url) => {
        requested.push(String(url));
        return Promise.resolve(new Response('{"events":[],"next_offset":0}'));
      },
    });
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect((await failure(client.consume('r', 's', bad, 10))).kind).toBe('bad_request');
      expect(() => client.socketUrl('r', 's', bad)).toThrow(/Not a stream offset/);
    }
    expect(requested).toEqual([]);
  });
});

describe('pure helpers', () => {
  it('decodes byte arrays as UTF-8 JSON, leaving other shapes alone', () => {
    const bytes = [...new TextEncoder().encode('{"a":"ü"}')];
    expect(decodeEventData(bytes)).toEqual({ a: 'ü' });
    expect(decodeEventData([0xff, 0x00])).toBeNull();
    expect(decodeEventData({ already: 'parsed' })).toEqual({ already: 'parsed' });
    expect(decodeEventData(undefined)).toBeNull();
  });

  it('normalises server URLs and refuses what is not http(s)', () => {
    expect(requireServerUrl(' http://localhost:15500/ ')).toBe('http://localhost:15500');
    expect(requireServerUrl('https://host/synap//')).toBe('https://host/synap');
    expect(() => requireServerUrl('localhost:15500')).toThrow(/http/);
    expect(() => requireServerUrl('ftp://host')).toThrow(/http/);
    expect(() => requireServerUrl('')).toThrow(SynapError);
  });
});
