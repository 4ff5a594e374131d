import { describe, expect, it } from 'vitest';
import type { FeedState } from '../../../src/lib/feed/room-feed';
import {
  mergeRoomLists,
  OUTAGE_AFTER_ATTEMPTS,
  unhealthyServers,
} from '../../../src/lib/servers/server-rooms';

const live: FeedState = { kind: 'live', transport: 'websocket', reason: null };
const retrying: FeedState = {
  kind: 'reconnecting',
  attempt: OUTAGE_AFTER_ATTEMPTS,
  delayMs: 1_000,
  retryAtMs: 0,
  reason: 'the server does not answer',
};

describe('mergeRoomLists', () => {
  it('lists every server’s rooms once, sorted, flagging one listed by a server that does not own it', () => {
    const owners: Record<string, string> = { a: 'http://one', b: 'http://two', c: 'http://two' };
    const merged = mergeRoomLists(
      [
        { url: 'http://one', ids: ['a', 'c'] },
        { url: 'http://two', ids: ['c', 'b'] },
      ],
      (id) => owners[id] ?? null,
    );
    expect(merged.ids).toEqual(['a', 'b', 'c']);
    expect(merged.misplaced).toEqual({ c: 'http://one' });
  });
});

describe('unhealthyServers', () => {
  it('names a server none of whose rooms is live, with its rooms and why', () => {
    const rooms = [
      { id: 'a', serverUrl: 'http://one', connection: retrying },
      { id: 'b', serverUrl: 'http://one', connection: { kind: 'connecting' } as FeedState },
      { id: 'c', serverUrl: 'http://two', connection: live },
      { id: 'd', serverUrl: 'http://two', connection: retrying },
    ];
    expect(unhealthyServers(rooms)).toEqual([
      { url: 'http://one', rooms: ['a', 'b'], problem: 'the server does not answer' },
    ]);
  });

  it('says nothing of servers still connecting, trying their first upgrades, or offline with the whole network', () => {
    const rooms = [
      { id: 'a', serverUrl: 'http://one', connection: { kind: 'connecting' } as FeedState },
      { id: 'b', serverUrl: 'http://two', connection: { kind: 'offline' } as FeedState },
      { id: 'c', serverUrl: 'http://three', connection: { ...retrying, attempt: 2 } },
    ];
    expect(unhealthyServers(rooms)).toEqual([]);
  });
});
