import { describe, expect, it } from 'vitest';
import {
  hashForRoom,
  roomIdFromHash,
  roomIdProblem,
  roomIdsFromStreams,
  streamName,
} from '../../src/lib/room-names';

describe('room names', () => {
  it("maps room ids to the seed's stream names", () => {
    expect(streamName('chat-room-', '1')).toBe('chat-room-1');
    expect(
      roomIdsFromStreams('chat-room-', ['chat-room-b', 'orders', 'chat-room-a', 'chat-room-']),
    ).toEqual(['a', 'b']);
  });

  it('refuses ids that would not make clean stream names', () => {
    expect(roomIdProblem('general')).toBeNull();
    expect(roomIdProblem('team.v2_x-1')).toBeNull();
    expect(roomIdProblem('')).toMatch(/Enter/);
    expect(roomIdProblem('a b')).toMatch(/letters/);
    expect(roomIdProblem('<script>')).toMatch(/letters/);
    expect(roomIdProblem('x'.repeat(65))).toMatch(/64/);
  });

  it('reads and writes #/room/{id} deep links', () => {
    expect(roomIdFromHash('#/room/general')).toBe('general');
    expect(roomIdFromHash(hashForRoom('a.b'))).toBe('a.b');
    expect(roomIdFromHash('#/room/%E0%A4%A')).toBeNull();
    expect(roomIdFromHash('#/room/<img>')).toBeNull();
    expect(roomIdFromHash('#/elsewhere')).toBeNull();
  });
});
