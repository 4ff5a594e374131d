import { describe, expect, it } from 'vitest';
import {
  hashForRoom,
  roomIdFromHash,
  roomIdProblem,
  roomIdsFromStreams,
  streamName,
} from '../../../src/lib/servers/room-names';

describe('room names', () => {
  it("maps room ids to the seed's stream names", () => {
    expect(streamName('chat-room-', '1')).toBe('chat-room-1');
    expect(
      roomIdsFromStreams('chat-room-', ['chat-room-b', 'orders', 'chat-room-a', 'chat-room-']),
    ).toEqual(['a', 'b']);
  });

  it('takes any name a URL path segment can carry, and refuses what would not read as itself', () => {
    expect(roomIdProblem('general')).toBeNull();
    expect(roomIdProblem('team.v2_x-1')).toBeNull();
    expect(roomIdProblem('')).toMatch(/Enter/);
    // Other clients name rooms freely: whatever fits in a URL path segment is a room.
    expect(roomIdProblem('a b')).toBeNull();
    expect(roomIdProblem('café-crème')).toBeNull();
    expect(roomIdProblem('日本語')).toBeNull();
    expect(roomIdProblem('<script>')).toBeNull();
    expect(roomIdProblem('x'.repeat(101))).toMatch(/100/);
    expect(roomIdProblem(' padded')).toMatch(/space/);
    expect(roomIdProblem('a/b')).toMatch(/"\/"/);
    expect(roomIdProblem('..')).toMatch(/"\.\."/);
    expect(roomIdProblem('evil\u202Eeman')).toMatch(/invisible/);
    expect(roomIdProblem('tab\there')).toMatch(/control/);
  });

  it('reads and writes #/room/{id} deep links', () => {
    expect(roomIdFromHash('#/room/general')).toBe('general');
    expect(roomIdFromHash(hashForRoom('a.b'))).toBe('a.b');
    expect(roomIdFromHash('#/room/%E0%A4%A')).toBeNull();
    // A room named like markup is just a room with an odd name (shown as text).
    expect(roomIdFromHash('#/room/%3Cimg%3E')).toBe('<img>');
    expect(roomIdFromHash('#/room/a%2Fb')).toBeNull();
    expect(roomIdFromHash('#/room/%E2%80%AEx')).toBeNull();
    expect(roomIdFromHash(hashForRoom('café crème'))).toBe('café crème');
    expect(roomIdFromHash('#/elsewhere')).toBeNull();
  });
});
