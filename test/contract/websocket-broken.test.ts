/**
 * The shipped Synap 1.3.1 binary cannot upgrade a stream WebSocket: it serves its router
 * without connect info, so the handler's `ConnectInfo` extractor answers every request on the
 * route with axum's 500. The stand-in reproduces that with `websocket: 'broken'`, switchable
 * at run time, so clients can be tested on their REST-polling fallback.
 *
 * These need the stand-in's option and controls, so they are skipped against SYNAP_URL (a
 * real 1.3.1 would fail the working-WebSocket tests in websocket.test.ts instead).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  EXTERNAL,
  HandshakeRefused,
  roomPath,
  STANDIN_ONLY,
  TEST_TIMEOUT_MS,
  useSynap,
  type SynapTarget,
} from './harness';

/** axum's `MissingExtension` rejection text for `ConnectInfo<SocketAddr>`, byte for byte. */
const MISSING_CONNECT_INFO =
  'Missing request extension: Extension of type ' +
  '`axum::extract::connect_info::ConnectInfo<core::net::socket_addr::SocketAddr>` was not found. ' +
  'Perhaps you forgot to add it? See `axum::Extension`.';

const FULL_KEY = 'broken-full-key';
const READ_KEY = 'broken-read-key';
const FAST_POLL_MS = 20;

/** A raw WebSocket handshake, to see the refusal's headers (the ws client hides them). */
function rawUpgrade(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
    });
    req.on('error', reject);
    req.end();
  });
}

async function expectBrokenHandshake(synap: SynapTarget, room: string, apiKey?: string) {
  const attempt = synap.ws(room, 'reader', apiKey === undefined ? {} : { apiKey });
  await expect(attempt).rejects.toBeInstanceOf(HandshakeRefused);
  await expect(attempt).rejects.toMatchObject({ status: 500, body: MISSING_CONNECT_INFO });
}

describe.skipIf(EXTERNAL)(
  `WebSocket broken as in the shipped Synap 1.3.1 ${STANDIN_ONLY}`,
  { timeout: TEST_TIMEOUT_MS },
  () => {
    const synap = useSynap({ websocket: 'broken', pollIntervalMs: FAST_POLL_MS });

    it('every upgrade is refused with 500 and axum\'s "Missing request extension" text', async () => {
      const room = synap.room('broken-upgrade');
      await synap.client.createRoom(room);
      await synap.client.publish(room, 'message', 'unreachable by socket');
      await expectBrokenHandshake(synap, room);
      // A missing room makes no difference: the handler fails before looking at rooms.
      await expectBrokenHandshake(synap, synap.room('broken-missing'));
    });

    it('the 500 is plain text and carries the CORS headers of every other response', async () => {
      const room = synap.room('broken-headers');
      const res = await rawUpgrade(synap.wsUrl(room, 'reader').replace(/^ws/, 'http'), {
        origin: 'http://chat.example',
      });
      expect(res.status).toBe(500);
      expect(res.body).toBe(MISSING_CONNECT_INFO);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(String(res.headers.vary)).toMatch(/origin/i);
      expect(res.headers.upgrade).toBeUndefined();
    });

    it('a plain GET on the WebSocket route gets the same 500, not the missing-upgrade 400', async () => {
      const room = synap.room('broken-plain');
      await synap.client.createRoom(room);
      const res = await synap.client.request('GET', `${roomPath(room)}/ws/reader?from_offset=3`);
      expect(res.status).toBe(500);
      expect(res.text).toBe(MISSING_CONNECT_INFO);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      // Routing still comes first: a wrong method is 405, as on any route.
      const post = await synap.client.request('POST', `${roomPath(room)}/ws/reader`);
      expect(post.status).toBe(405);
    });

    it('REST is unaffected: create, publish, consume, stats and list all work', async () => {
      const room = synap.room('broken-rest');
      await synap.client.createRoom(room);
      expect(await synap.client.publish(room, 'message', 'over REST')).toBe(0);
      const { events, next_offset } = await synap.client.consume(room, 'poller');
      expect(events.map((e) => e.offset)).toEqual([0]);
      expect(next_offset).toBe(1);
      expect(await synap.client.stats(room)).toMatchObject({
        total_published: 1,
        subscriber_count: 1,
      });
      expect(await synap.client.list()).toContain(room);
    });
  },
);

describe.skipIf(EXTERNAL)(
  `WebSocket broken, with auth required ${STANDIN_ONLY}`,
  { timeout: TEST_TIMEOUT_MS },
  () => {
    const synap = useSynap({
      websocket: 'broken',
      apiKeys: [FULL_KEY],
      readOnlyKeys: [READ_KEY],
    });

    it('the auth middleware answers first: no key or an unknown key is a bare 401, not the 500', async () => {
      const room = synap.room('broken-auth');
      await synap.client.createRoom(room);
      for (const apiKey of [null, 'no-such-key']) {
        const attempt = synap.ws(room, 'reader', { apiKey });
        await expect(attempt).rejects.toBeInstanceOf(HandshakeRefused);
        await expect(attempt).rejects.toMatchObject({ status: 401, body: '' });
      }
      const plain = await synap.client.request('GET', `${roomPath(room)}/ws/reader`, {
        withKey: false,
      });
      expect(plain.status).toBe(401);
    });

    it('any valid key, read-only included, passes auth and then gets the 500', async () => {
      const room = synap.room('broken-keys');
      await synap.client.createRoom(room);
      await expectBrokenHandshake(synap, room, FULL_KEY);
      await expectBrokenHandshake(synap, room, READ_KEY);
    });
  },
);

describe.skipIf(EXTERNAL)(
  `switching the WebSocket at run time ${STANDIN_ONLY}`,
  { timeout: TEST_TIMEOUT_MS },
  () => {
    const synap = useSynap({ testControls: true, pollIntervalMs: FAST_POLL_MS });

    it('works by default; setWebSocket("broken") refuses new upgrades while open sockets keep delivering; "working" accepts again', async () => {
      const room = synap.room('switch');
      await synap.client.createRoom(room);
      const open = await synap.ws(room, 'early');
      await open.waitForFrames(1);

      synap.standin.setWebSocket('broken');
      try {
        await expectBrokenHandshake(synap, room);
        await synap.client.publish(room, 'message', 'while broken');
        await open.waitForEvents(1);
        expect(open.events[0]?.data).toBe('while broken');
        expect(open.closeInfo).toBeUndefined();
      } finally {
        synap.standin.setWebSocket('working');
      }

      const again = await synap.ws(room, 'late');
      await again.waitForEvents(1);
      expect(again.events[0]?.data).toBe('while broken');
    });

    it('setWebSocket refuses a mode it does not know', () => {
      expect(() => synap.standin.setWebSocket('flaky' as 'broken')).toThrow(RangeError);
    });

    it('POST /__standin/websocket?mode=broken|working switches it over HTTP; another mode is 400', async () => {
      const room = synap.room('http-switch');
      await synap.client.createRoom(room);
      const control = (query: string) =>
        synap.client.request('POST', `/__standin/websocket${query}`, {
          headers: { origin: 'http://app.example' },
        });

      const broken = await control('?mode=broken');
      expect(broken.status).toBe(200);
      expect(broken.json()).toEqual({ ok: true, websocket: 'broken' });
      expect(broken.headers.get('access-control-allow-origin')).toBe('*');
      try {
        await expectBrokenHandshake(synap, room);
        for (const bad of ['', '?mode=', '?mode=BROKEN', '?mode=off']) {
          const res = await control(bad);
          expect(res.status, bad).toBe(400);
        }
        // A refused switch leaves the mode as it was.
        await expectBrokenHandshake(synap, room);
      } finally {
        expect((await control('?mode=working')).json()).toEqual({ ok: true, websocket: 'working' });
      }
      const ws = await synap.ws(room, 'reader');
      await ws.waitForFrames(1);
      expect(ws.frames[0]?.type).toBe('connected');
      expect((await synap.client.request('GET', '/__standin/websocket')).status).toBe(405);
    });
  },
);
