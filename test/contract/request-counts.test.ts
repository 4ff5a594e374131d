/**
 * The stand-in's request counter, for benchmarks: every HTTP request it receives lands in
 * exactly one bucket (by route and method, or by the outcome of a WebSocket upgrade), read
 * in-process with requestCounts() or over HTTP at GET /__standin/requests. Stand-in only.
 */
import { describe, expect, it } from 'vitest';
import {
  EXTERNAL,
  HandshakeRefused,
  roomPath,
  STANDIN_ONLY,
  TEST_TIMEOUT_MS,
  useSynap,
  WsClient,
} from './harness';

const KEY = 'counter-key';

const ZERO = {
  total: 0,
  consume: 0,
  stats: 0,
  publish: 0,
  ensure: 0,
  list: 0,
  upgrades: 0,
  upgradeFailures: 0,
  other: 0,
};

describe.skipIf(EXTERNAL)(`request counter ${STANDIN_ONLY}`, { timeout: TEST_TIMEOUT_MS }, () => {
  const synap = useSynap({ apiKeys: [KEY], testControls: true });

  it('counts each request once, by route and method whatever the answer; total is the sum', async () => {
    const room = synap.room('counted');
    synap.standin.resetRequestCounts();
    expect(synap.standin.requestCounts()).toEqual(ZERO);

    await synap.client.createRoom(room); // ensure
    await synap.client.request('POST', roomPath(synap.room('counted-post'))); // other
    await synap.client.publishMany(room, 2, (i) => i); // publish x2
    await synap.client.consume(room, 'reader'); // consume
    await synap.client.request('GET', `${roomPath(room)}/consume/reader`, { withKey: false }); // a 401 consume
    await synap.client.request('GET', `${roomPath(synap.room('absent'))}/consume/r`); // a 400 consume
    await synap.client.stats(room); // stats
    await synap.client.list(); // list
    await synap.client.request('OPTIONS', '/stream/list', {
      headers: { origin: 'http://app.example', 'access-control-request-method': 'GET' },
    }); // other: a preflight
    await synap.client.request('GET', '/nowhere'); // other: 404
    await synap.client.request('GET', roomPath(room)); // other: 405
    await synap.client.request('GET', `${roomPath(room)}/ws/reader`); // other: not an upgrade

    expect(synap.standin.requestCounts()).toEqual({
      total: 13,
      consume: 3,
      stats: 1,
      publish: 2,
      ensure: 1,
      list: 1,
      upgrades: 0,
      upgradeFailures: 0,
      other: 5,
    });
  });

  it('counts accepted WebSocket handshakes as upgrades and refused ones as upgradeFailures', async () => {
    const room = synap.room('upgrades');
    await synap.client.createRoom(room);
    synap.standin.resetRequestCounts();

    const ws = await synap.ws(room, 'reader');
    await ws.waitForFrames(1);
    await expect(synap.ws(room, 'reader', { apiKey: null })).rejects.toMatchObject({
      status: 401,
    });
    const notARoute = WsClient.connect(`${synap.wsUrl(room, 'reader')}/extra?api_key=${KEY}`);
    await expect(notARoute).rejects.toMatchObject({ status: 404 });
    synap.standin.setWebSocket('broken');
    try {
      await expect(synap.ws(room, 'reader')).rejects.toBeInstanceOf(HandshakeRefused);
    } finally {
      synap.standin.setWebSocket('working');
    }

    expect(synap.standin.requestCounts()).toEqual({
      ...ZERO,
      total: 4,
      upgrades: 1,
      upgradeFailures: 3,
    });
  });

  it('resetRequestCounts() starts again from zero, and a snapshot does not change afterwards', async () => {
    await synap.client.list();
    const snapshot = synap.standin.requestCounts();
    expect(snapshot.total).toBeGreaterThan(0);
    synap.standin.resetRequestCounts();
    expect(synap.standin.requestCounts()).toEqual(ZERO);
    await synap.client.list();
    expect(synap.standin.requestCounts()).toEqual({ ...ZERO, total: 1, list: 1 });
    expect(snapshot.total).toBeGreaterThan(0);
  });

  it('GET /__standin/requests answers the same JSON, needing no key; control requests are not counted', async () => {
    synap.standin.resetRequestCounts();
    await synap.client.list();
    await synap.client.request('POST', '/__standin/compact', { withKey: false });

    const res = await synap.client.request('GET', '/__standin/requests', {
      withKey: false,
      headers: { origin: 'http://app.example' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.json()).toEqual({ ...ZERO, total: 1, list: 1 });
    expect(res.json()).toEqual(synap.standin.requestCounts());
    expect((await synap.client.request('POST', '/__standin/requests')).status).toBe(405);
  });
});

describe.skipIf(EXTERNAL)(
  `request counter without test controls ${STANDIN_ONLY}`,
  { timeout: TEST_TIMEOUT_MS },
  () => {
    const synap = useSynap();

    it('GET /__standin/requests does not exist, and is counted as any unknown path', async () => {
      synap.standin.resetRequestCounts();
      const res = await synap.client.request('GET', '/__standin/requests');
      expect(res.status).toBe(404);
      expect(synap.standin.requestCounts()).toEqual({ ...ZERO, total: 1, other: 1 });
    });
  },
);
