/**
 * Room lifecycle over REST: PUT (get-or-create), POST (create), DELETE, list, and how room
 * names travel in paths.
 */
import { describe, expect, it } from 'vitest';
import { roomPath, TEST_TIMEOUT_MS, useSynap } from './harness';

describe('rooms over REST', { timeout: TEST_TIMEOUT_MS }, () => {
  const synap = useSynap();

  it('PUT /stream/{room} is an idempotent get-or-create', async () => {
    const room = synap.room('put');
    const first = await synap.client.request('PUT', roomPath(room));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json');
    expect(first.json()).toEqual({ success: true, room, created: true });

    const second = await synap.client.request('PUT', roomPath(room));
    expect(second.status).toBe(200);
    expect(second.json()).toEqual({ success: true, room, created: false });
  });

  it('POST /stream/{room} creates, ignores any body, and refuses an existing room with 400', async () => {
    const room = synap.room('post');
    const created = await synap.client.request('POST', roomPath(room), {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ partitions: 3, retention_hours: 24 }),
    });
    expect(created.status).toBe(200);
    expect(created.json()).toEqual({ success: true, room });

    const again = await synap.client.request('POST', roomPath(room));
    expect(again.status).toBe(400);
    expect(again.headers.get('content-type')).toBe('application/json');
    expect(again.json()).toEqual({
      error: `Invalid request: Room '${room}' already exists`,
      code: 400,
    });
  });

  it('POST also refuses a room that PUT created, and PUT accepts one that POST created', async () => {
    const viaPut = synap.room('put-then-post');
    await synap.client.createRoom(viaPut);
    expect((await synap.client.request('POST', roomPath(viaPut))).status).toBe(400);

    const viaPost = synap.room('post-then-put');
    expect((await synap.client.request('POST', roomPath(viaPost))).status).toBe(200);
    const put = await synap.client.request('PUT', roomPath(viaPost));
    expect(put.json()).toEqual({ success: true, room: viaPost, created: false });
  });

  it('DELETE removes a room; deleting a missing room is 400 "not found"', async () => {
    const room = synap.room('delete');
    await synap.client.createRoom(room);
    const deleted = await synap.client.deleteRoom(room);
    expect(deleted.status).toBe(200);
    expect(deleted.json()).toEqual({ success: true, room });

    const again = await synap.client.deleteRoom(room);
    expect(again.status).toBe(400);
    expect(again.json()).toEqual({ error: `Invalid request: Room '${room}' not found`, code: 400 });
  });

  it('GET /stream/list names every room, with their count', async () => {
    const a = synap.room('list-a');
    const b = synap.room('list-b');
    await synap.client.createRoom(a);
    await synap.client.createRoom(b);

    const res = await synap.client.request('GET', '/stream/list');
    expect(res.status).toBe(200);
    const body = res.json<{ rooms: string[]; count: number }>();
    expect(Object.keys(body).sort()).toEqual(['count', 'rooms']);
    expect(body.rooms).toEqual(expect.arrayContaining([a, b]));
    expect(body.count).toBe(body.rooms.length);

    await synap.client.deleteRoom(a);
    const after = await synap.client.list();
    expect(after).not.toContain(a);
    expect(after).toContain(b);
  });

  it('room names are URL-decoded path segments, echoed back decoded', async () => {
    const room = `${synap.room('encoded')} chat/ä?#%+&=`;
    const put = await synap.client.request('PUT', roomPath(room));
    expect(put.json()).toEqual({ success: true, room, created: true });
    try {
      expect(await synap.client.list()).toContain(room);
      expect((await synap.client.stats(room)).name).toBe(room);
      const subscriber = 'user/1 ü?';
      await synap.client.publish(room, 'message', 'x');
      const consumed = await synap.client.consume(room, subscriber);
      expect(consumed.events[0]?.room).toBe(room);
    } finally {
      await synap.client.deleteRoom(room);
    }
  });

  it('routing outside the API: 404 for unknown paths, 405 for wrong methods, empty bodies', async () => {
    const room = synap.room('routing');
    await synap.client.createRoom(room);

    const wrongMethod = await synap.client.request('GET', roomPath(room));
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.text).toBe('');

    const unknown = await synap.client.request('GET', `${roomPath(room)}/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toBe('');

    const trailingSlash = await synap.client.request('GET', `${roomPath(room)}/stats/`);
    expect(trailingSlash.status).toBe(404);

    // The static /stream/list route wins over /stream/{room}: "list" cannot be created by name.
    const list = await synap.client.request('PUT', '/stream/list');
    expect(list.status).toBe(405);
  });
});
