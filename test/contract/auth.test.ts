/**
 * Optional API-key authentication: 401 for no or unknown credentials (an empty body, before
 * any routing), 403 for a read-only key on create/publish/delete, and the ways a key travels
 * (Bearer header, `api_key` query parameter, which is all a browser WebSocket can use).
 *
 * Against SYNAP_URL this needs a server with auth required and SYNAP_API_KEY (all stream
 * permissions) and SYNAP_READ_ONLY_KEY (stream read only) set.
 */
import { describe, expect, it } from 'vitest';
import {
  EXTERNAL,
  EXTERNAL_API_KEY,
  EXTERNAL_READ_ONLY_KEY,
  HandshakeRefused,
  roomPath,
  TEST_TIMEOUT_MS,
  useSynap,
  WsClient,
} from './harness';

const FULL_KEY = EXTERNAL ? (EXTERNAL_API_KEY ?? '') : 'contract-full-key';
const READ_KEY = EXTERNAL ? (EXTERNAL_READ_ONLY_KEY ?? '') : 'contract-read-key';
const UNKNOWN_KEY = 'contract-no-such-key';
const NEEDS_KEYS = EXTERNAL && (!EXTERNAL_API_KEY || !EXTERNAL_READ_ONLY_KEY);

describe.skipIf(NEEDS_KEYS)(
  'authentication [with SYNAP_URL: needs SYNAP_API_KEY and SYNAP_READ_ONLY_KEY]',
  { timeout: TEST_TIMEOUT_MS },
  () => {
    const synap = useSynap({ apiKeys: [FULL_KEY], readOnlyKeys: [READ_KEY] });

    const as = (
      method: string,
      path: string,
      headers: Record<string, string> = {},
      body?: string,
    ) => synap.client.request(method, path, { withKey: false, headers, body });
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
    const publishBody = JSON.stringify({ event: 'message', data: 'hi' });
    const jsonType = { 'content-type': 'application/json' };

    it('without a credential every route is 401 with an empty body, even unknown ones', async () => {
      const room = synap.room('no-credential');
      await synap.client.createRoom(room);
      const attempts = [
        as('GET', '/stream/list'),
        as('GET', `${roomPath(room)}/stats`),
        as('GET', `${roomPath(room)}/consume/reader`),
        as('PUT', roomPath(room)),
        as('POST', `${roomPath(room)}/publish`, jsonType, publishBody),
        as('DELETE', roomPath(room)),
        as('GET', `${roomPath(room)}/no-such-route`),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBe(401);
        expect(res.text).toBe('');
        expect(res.headers.get('access-control-allow-origin')).toBe('*');
      }
      expect((await synap.client.stats(room)).total_published).toBe(0);
    });

    it('an unknown key is 401, by header or by query parameter', async () => {
      expect((await as('GET', '/stream/list', bearer(UNKNOWN_KEY))).status).toBe(401);
      expect((await as('GET', `/stream/list?api_key=${UNKNOWN_KEY}`)).status).toBe(401);
      // An empty key counts as no key.
      expect((await as('GET', '/stream/list?api_key=')).status).toBe(401);
      expect((await as('GET', '/stream/list', { authorization: 'Bearer ' })).status).toBe(401);
    });

    it('a full key may create, publish, read and delete, by header or query parameter', async () => {
      const room = synap.room('full');
      expect((await as('PUT', roomPath(room), bearer(FULL_KEY))).status).toBe(200);
      const published = await as(
        'POST',
        `${roomPath(room)}/publish?api_key=${FULL_KEY}`,
        jsonType,
        publishBody,
      );
      expect(published.json()).toEqual({ offset: 0, room });
      const consumed = await as('GET', `${roomPath(room)}/consume/r?api_key=${FULL_KEY}`);
      expect(consumed.status).toBe(200);
      expect((await as('DELETE', roomPath(room), bearer(FULL_KEY))).status).toBe(200);
    });

    it('a read-only key reads, but create, publish and delete are 403 naming the action', async () => {
      const room = synap.room('read-only');
      await synap.client.createRoom(room);
      await synap.client.publish(room, 'message', 'hello');
      const read = bearer(READ_KEY);

      expect((await as('GET', '/stream/list', read)).status).toBe(200);
      expect((await as('GET', `${roomPath(room)}/stats`, read)).status).toBe(200);
      const consumed = await as('GET', `${roomPath(room)}/consume/r?api_key=${READ_KEY}`);
      expect(consumed.status).toBe(200);

      const forbidden = (action: string) => ({
        error: `Forbidden: Insufficient permissions for resource: stream:${room}, action: ${action}`,
        code: 403,
      });
      const put = await as('PUT', roomPath(room), read);
      expect(put.status).toBe(403);
      expect(put.json()).toEqual(forbidden('configure'));
      expect((await as('POST', roomPath(room), read)).json()).toEqual(forbidden('configure'));
      const publish = await as(
        'POST',
        `${roomPath(room)}/publish`,
        { ...read, ...jsonType },
        publishBody,
      );
      expect(publish.status).toBe(403);
      expect(publish.json()).toEqual(forbidden('write'));
      expect((await as('DELETE', roomPath(room), read)).json()).toEqual(forbidden('delete'));
      expect((await synap.client.stats(room)).total_published).toBe(1);
    });

    it('an Authorization header hides the query parameter; Basic never carries an API key', async () => {
      const basic = `Basic ${Buffer.from(`anyone:${FULL_KEY}`).toString('base64')}`;
      expect((await as('GET', '/stream/list', { authorization: basic })).status).toBe(401);
      const withQuery = await as('GET', `/stream/list?api_key=${FULL_KEY}`, {
        authorization: basic,
      });
      expect(withQuery.status).toBe(401);
      const otherScheme = await as('GET', `/stream/list?api_key=${FULL_KEY}`, {
        authorization: `Token ${FULL_KEY}`,
      });
      expect(otherScheme.status).toBe(401);
    });

    it('the WebSocket upgrade needs a key too; any valid key in the query parameter will do', async () => {
      const room = synap.room('ws-auth');
      await synap.client.createRoom(room);
      await synap.client.publish(room, 'message', 'secret');

      for (const apiKey of [null, UNKNOWN_KEY]) {
        const attempt = synap.ws(room, 'reader', { apiKey });
        await expect(attempt).rejects.toBeInstanceOf(HandshakeRefused);
        await expect(attempt).rejects.toMatchObject({ status: 401 });
      }
      for (const apiKey of [FULL_KEY, READ_KEY]) {
        const ws = await synap.ws(room, `reader-${apiKey.length}`, { apiKey });
        await ws.waitForEvents(1);
        expect(ws.events[0]?.data).toBe('secret');
      }
    });

    it('the upgrade checks no permission: a read-only key follows a room live, while its REST publish is 403', async () => {
      const room = synap.room('ws-read-only');
      await synap.client.createRoom(room);
      const ws = await synap.ws(room, 'read-only-reader', { apiKey: READ_KEY });
      await ws.waitForFrames(1);
      expect(ws.frames[0]).toMatchObject({ type: 'connected', room });

      const refused = await as(
        'POST',
        `${roomPath(room)}/publish?api_key=${READ_KEY}`,
        jsonType,
        publishBody,
      );
      expect(refused.status).toBe(403);
      await synap.client.publish(room, 'message', 'from a full key');
      await ws.waitForEvents(1);
      expect(ws.events.map((e) => e.data)).toEqual(['from a full key']);
      expect(ws.frames.some((f) => f.type === 'error')).toBe(false);
    });

    it('a bare WebSocket URL without api_key is refused before the upgrade', async () => {
      const room = synap.room('ws-bare');
      const attempt = WsClient.connect(synap.wsUrl(room, 'reader'));
      await expect(attempt).rejects.toMatchObject({ status: 401, body: '' });
    });

    it('a CORS preflight needs no credential', async () => {
      const res = await as('OPTIONS', '/stream/list', {
        origin: 'http://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    });
  },
);
