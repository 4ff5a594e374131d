/**
 * What a browser client on another origin relies on: CORS for any origin on every response
 * (errors too), preflights answered for any path, and gzip when the client accepts it.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { roomPath, TEST_TIMEOUT_MS, useSynap, type ConsumeBody } from './harness';

const ORIGIN = 'http://chat.example:5173';

/** A raw GET that shows the body exactly as sent (fetch would decompress it). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('CORS and compression', { timeout: TEST_TIMEOUT_MS }, () => {
  const synap = useSynap();

  it('every response allows any origin, error responses included', async () => {
    const room = synap.room('cors');
    await synap.client.createRoom(room);
    const ok = await synap.client.request('GET', '/stream/list', { headers: { origin: ORIGIN } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    expect(ok.headers.get('vary')).toMatch(/origin/i);

    const missing = await synap.client.request('GET', `${roomPath(synap.room('nope'))}/stats`, {
      headers: { origin: ORIGIN },
    });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');

    const refused = await synap.client.request('POST', `${roomPath(room)}/publish`, {
      headers: { origin: ORIGIN },
      body: 'not json',
    });
    expect(refused.status).toBe(415);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('a preflight is answered 200 with wildcards, for any path', async () => {
    const room = synap.room('preflight');
    for (const path of [`${roomPath(room)}/publish`, '/stream/list', '/no/such/path']) {
      const res = await synap.client.request('OPTIONS', path, {
        withKey: false,
        headers: {
          origin: ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      // A literal "*": browsers do not let it cover Authorization (use ?api_key= from a page).
      expect(res.headers.get('access-control-allow-methods')).toBe('*');
      expect(res.headers.get('access-control-allow-headers')).toBe('*');
    }
  });

  it('answers gzip when the client accepts it, and plain JSON otherwise', async () => {
    const room = synap.room('gzip');
    await synap.client.createRoom(room);
    await synap.client.publishMany(room, 20, (i) => ({ message: `message number ${i}` }));
    const url = `${synap.url}${roomPath(room)}/consume/reader`;
    const auth: Record<string, string> = synap.client.apiKey
      ? { authorization: `Bearer ${synap.client.apiKey}` }
      : {};

    const zipped = await rawGet(url, { ...auth, 'accept-encoding': 'gzip' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const unzipped = JSON.parse(gunzipSync(zipped.body).toString('utf8')) as ConsumeBody;
    expect(unzipped.events).toHaveLength(20);

    const plain = await rawGet(url, auth);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect((JSON.parse(plain.body.toString('utf8')) as ConsumeBody).next_offset).toBe(20);
  });
});
