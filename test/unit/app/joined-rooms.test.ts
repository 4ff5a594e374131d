import { describe, expect, it } from 'vitest';
import {
  followJoined,
  joinedChange,
  joinedKey,
  readJoined,
  type JoinedScope,
} from '../../../src/lib/app/joined-rooms';

const alice: JoinedScope = {
  serverUrl: 'http://a.test',
  userId: 'alice',
  roomPrefix: 'chat-room-',
};

describe('joined rooms shared by the tabs of a browser', () => {
  it('follows a room joined in another tab (a #/room/x link there) and one left there', () => {
    const written = JSON.stringify(['general', 'x']);
    const next = joinedChange(alice, joinedKey(alice), written);
    expect(next).toEqual(['general', 'x']);
    expect(followJoined(['general', 'side'], next!)).toEqual({ join: ['x'], leave: ['side'] });
  });

  it('changes nothing when the lists already agree', () => {
    expect(followJoined(['general', 'x'], ['x', 'general'])).toEqual({ join: [], leave: [] });
  });

  it("ignores another user's, server's or prefix's list, and other keys", () => {
    const list = JSON.stringify(['x']);
    for (const other of [
      { ...alice, userId: 'bob' },
      { ...alice, serverUrl: 'http://b.test' },
      { ...alice, roomPrefix: 'other-' },
    ]) {
      expect(joinedChange(alice, joinedKey(other), list)).toBeNull();
    }
    expect(joinedChange(alice, 'synap-chat:settings', list)).toBeNull();
  });

  it('leaves a removed list (storage cleared: "Forget this device") to the forgetting', () => {
    expect(joinedChange(alice, joinedKey(alice), null)).toBeNull();
    expect(joinedChange(alice, null, null)).toBeNull();
  });

  it('reads only valid room names from what another page of this origin wrote', () => {
    expect(joinedChange(alice, joinedKey(alice), '{damaged')).toBeNull();
    expect(joinedChange(alice, joinedKey(alice), '{"not":"a list"}')).toBeNull();
    expect(readJoined(['ok', 7, '', 'ok', 'x'.repeat(500), null, 'fine'])).toEqual(['ok', 'fine']);
    expect(joinedChange(alice, joinedKey(alice), '[]')).toEqual([]);
  });
});
