import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { TransportEnd } from '../../../src/lib/synap/feed-transport';
import {
  openSocketTransport,
  probeWebSocket,
  readFrame,
} from '../../../src/lib/synap/socket-transport';
import { SynapRest } from '../../../src/lib/synap/rest';
import { startSynapStandin, type SynapStandin } from '../../standin/server';
import { NodeWebSocket, uniqueRoom, waitFor } from '../helpers';

describe('readFrame', () => {
  it('reads the welcome, error and event frames Synap sends', () => {
    expect(
      readFrame('{"from_offset":0,"room":"r","subscriber_id":"s","type":"connected"}'),
    ).toEqual({
      type: 'connected',
    });
    expect(readFrame('{"error":"Room \'r\' not found","type":"error"}')).toEqual({
      type: 'error',
      text: "Room 'r' not found",
    });
    expect(
      readFrame(
        '{"data":{"a":1},"event":"message","offset":7,"timestamp":1700000000,"type":"event"}',
      ),
    ).toEqual({
      type: 'event',
      event: { offset: 7, event: 'message', data: { a: 1 }, timestamp: 1700000000 },
    });
  });

  it('reads unparseable stored data as null, as Synap sends it', () => {
    const frame = readFrame('{"data":null,"event":"x","offset":0,"timestamp":1,"type":"event"}');
    expect(frame).toMatchObject({ type: 'event', event: { data: null } });
  });

  it.each([
    ['not JSON', 'hello'],
    ['a JSON string', '"connected"'],
    ['null', 'null'],
    ['an unknown type', '{"type":"pong"}'],
    ['a negative offset', '{"type":"event","offset":-1,"event":"m"}'],
    ['a fractional offset', '{"type":"event","offset":1.5,"event":"m"}'],
    ['an offset as text', '{"type":"event","offset":"1","event":"m"}'],
    ['a huge offset', '{"type":"event","offset":1e300,"event":"m"}'],
    ['no event name', '{"type":"event","offset":1}'],
  ])('marks %s as malformed instead of throwing', (_what, raw) => {
    expect(readFrame(raw).type).toBe('malformed');
  });
});

let working: SynapStandin;
let broken: SynapStandin;

beforeAll(async () => {
  working = await startSynapStandin({ port: 0, pollIntervalMs: 20 });
  broken = await startSynapStandin({ port: 0, websocket: 'broken' });
});
afterAll(async () => {
  await working.close();
  await broken.close();
});

function open(url: string, openTimeoutMs?: number) {
  const seen = { opened: 0, offsets: [] as number[], ends: [] as TransportEnd[], malformed: 0 };
  const transport = openSocketTransport(
    { WebSocket: NodeWebSocket, url, ...(openTimeoutMs ? { openTimeoutMs } : {}) },
    {
      open: () => (seen.opened += 1),
      events: (events) => seen.offsets.push(...events.map((event) => event.offset)),
      malformed: (_reason, count) => (seen.malformed += count),
      closed: (end) => seen.ends.push(end),
    },
  );
  return { transport, seen };
}

describe('openSocketTransport', () => {
  it('opens on the welcome frame and delivers events as they come', async () => {
    const rest = new SynapRest({ baseUrl: working.url });
    const room = uniqueRoom('socket');
    await rest.ensureRoom(room);
    const { transport, seen } = open(rest.socketUrl(room, 'reader', 0));
    try {
      await waitFor(() => seen.opened === 1, 'welcome');
      await rest.publish(room, 'message', 1);
      await rest.publish(room, 'message', 2);
      await waitFor(() => seen.offsets.length === 2, 'two events');
      expect(seen.offsets).toEqual([0, 1]);
    } finally {
      transport.close();
    }
  });

  it("reports a refused upgrade (Synap 1.3.1's HTTP 500) as ending before it opened", async () => {
    const rest = new SynapRest({ baseUrl: broken.url });
    const { seen } = open(rest.socketUrl(uniqueRoom('socket'), 'reader', 0));
    await waitFor(() => seen.ends.length === 1, 'the end');
    expect(seen.opened).toBe(0);
    expect(seen.ends[0]?.beforeOpen).toBe(true);
  });

  it('passes on the reason of an error frame, then reports nothing more', async () => {
    const rest = new SynapRest({ baseUrl: working.url });
    // The room does not exist: welcome, then "not found", then the server drops the socket.
    const { seen } = open(rest.socketUrl(uniqueRoom('absent'), 'reader', 0));
    await waitFor(() => seen.ends.length === 1, 'the end');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.ends).toHaveLength(1);
    expect(seen.ends[0]).toMatchObject({ beforeOpen: false });
    expect(seen.ends[0]?.reason).toMatch(/not found/);
  });

  it('gives up on a handshake that never brings a welcome frame', async () => {
    const server: Server = createServer();
    const silent = new WebSocketServer({ server });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const { seen } = open(`ws://127.0.0.1:${port}/stream/r/ws/s?from_offset=0`, 200);
      await waitFor(() => seen.ends.length === 1, 'the deadline', 2_000);
      expect(seen.ends[0]).toMatchObject({ beforeOpen: true });
      expect(seen.ends[0]?.reason).toMatch(/in time/);
    } finally {
      silent.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('probeWebSocket', () => {
  it('tells a server whose upgrades work from one whose upgrades fail', async () => {
    const room = uniqueRoom('probe');
    const good = new SynapRest({ baseUrl: working.url }).socketUrl(room, 'probe', 0);
    const bad = new SynapRest({ baseUrl: broken.url }).socketUrl(room, 'probe', 0);
    expect(await probeWebSocket(NodeWebSocket, good)).toBe(true);
    expect(await probeWebSocket(NodeWebSocket, bad)).toBe(false);
  });
});
