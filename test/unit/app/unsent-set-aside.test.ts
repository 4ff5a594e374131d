import { describe, expect, it } from 'vitest';
import {
  carriesRooms,
  describeKept,
  describeSetAside,
  setAsideReason,
  unsentSetAside,
} from '../../../src/lib/app/unsent-set-aside';

const A = { url: 'http://a.example:15500', apiKey: '' };
const B = { url: 'http://b.example:15500', apiKey: '' };
const C = { url: 'http://c.example:15500', apiKey: 'k' };
const rooms = (servers: (typeof A)[], roomPrefix = 'chat-room-') => ({ servers, roomPrefix });

describe('setAsideReason', () => {
  it('carries the rooms while a server of the list and the prefix stay', () => {
    expect(carriesRooms(rooms([A]), rooms([A, B]))).toBe(true);
    expect(carriesRooms(rooms([A, B]), rooms([B]))).toBe(true);
    expect(setAsideReason(rooms([A]), rooms([A]))).toBeNull();
  });

  it('leaves them behind when no server of the list stays, or the prefix changes', () => {
    expect(setAsideReason(rooms([A]), rooms([B]))).toBe('server');
    expect(setAsideReason(rooms([A, B]), rooms([C]))).toBe('server');
    expect(setAsideReason(rooms([A]), rooms([B], 'other-'))).toBe('server');
    expect(setAsideReason(rooms([A]), rooms([A], 'other-'))).toBe('prefix');
    expect(carriesRooms(rooms([A]), rooms([B]))).toBe(false);
  });
});

describe('unsentSetAside', () => {
  const waiting = [
    { roomId: 'general', count: 2, serverUrl: A.url },
    { roomId: 'quiet', count: 0, serverUrl: A.url },
    { roomId: 'news', count: 1, serverUrl: B.url },
  ];

  it('is nothing when the rooms go along, or nothing waits', () => {
    expect(unsentSetAside(waiting, null)).toBeNull();
    expect(unsentSetAside([{ roomId: 'quiet', count: 0, serverUrl: A.url }], 'server')).toBeNull();
  });

  it('names the rooms that wait, how many, and the servers they stay stored for', () => {
    const setAside = unsentSetAside(waiting, 'server');
    expect(setAside).toEqual({
      rooms: [waiting[0], waiting[2]],
      total: 3,
      servers: [A.url, B.url],
      reason: 'server',
    });
    expect(describeSetAside(setAside!)).toBe(
      '3 unsent messages in #general and #news will not be sent to the new server.',
    );
    expect(describeKept(setAside!)).toBe(
      `Kept on this device for ${A.url}, ${B.url}: they are sent when you use those servers again.`,
    );
  });

  it('says it for one message in one room, and for another prefix', () => {
    const one = unsentSetAside([{ roomId: 'general', count: 1, serverUrl: A.url }], 'server')!;
    expect(describeSetAside(one)).toBe(
      '1 unsent message in #general will not be sent to the new server.',
    );
    expect(describeKept(one)).toBe(
      `Kept on this device for ${A.url}: they are sent when you use that server again.`,
    );
    const prefix = unsentSetAside(waiting, 'prefix')!;
    expect(describeSetAside(prefix)).toBe(
      '3 unsent messages in #general and #news will not be sent in the rooms of the new prefix.',
    );
    expect(describeKept(prefix)).toMatch(/old room prefix/);
  });
});
