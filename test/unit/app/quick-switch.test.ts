import { describe, expect, it } from 'vitest';
import { describeRoom, firstChoice, matchRooms } from '../../../src/lib/app/quick-switch';
import { switchRoom as room } from '../helpers';

const rooms = [
  room('general', { active: true }),
  room('design-team'),
  room('random'),
  room('team', { joined: false }),
  room('Ünïcode café', { joined: false }),
];

describe('matchRooms', () => {
  it('keeps every room for an empty query, in order', () => {
    expect(matchRooms(rooms, '  ').map((r) => r.id)).toEqual(rooms.map((r) => r.id));
  });

  it('puts names that start with the query first, joined before not joined', () => {
    expect(matchRooms(rooms, 'team').map((r) => r.id)).toEqual(['team', 'design-team']);
    expect(matchRooms(rooms, 'd').map((r) => r.id)).toEqual([
      'design-team',
      'random',
      'Ünïcode café',
    ]);
  });

  it('ignores case, a leading "#" and compatibility forms', () => {
    expect(matchRooms(rooms, '#GEN').map((r) => r.id)).toEqual(['general']);
    expect(matchRooms(rooms, 'ünï').map((r) => r.id)).toEqual(['Ünïcode café']);
    expect(matchRooms(rooms, 'ｒａｎｄｏｍ').map((r) => r.id)).toEqual(['random']);
    expect(matchRooms(rooms, 'nothing')).toEqual([]);
  });
});

describe('firstChoice', () => {
  it('skips the open room when nothing is typed', () => {
    expect(firstChoice(rooms, '')).toBe(1);
    expect(firstChoice(rooms, 'gen')).toBe(0);
    expect(firstChoice([room('solo', { active: true })], '')).toBe(0);
    expect(firstChoice(rooms.slice(1), '')).toBe(0);
  });
});

describe('describeRoom', () => {
  it('says the counts in words', () => {
    expect(describeRoom({ id: 'general', unread: 0 })).toBe('general');
    expect(describeRoom({ id: 'general', unread: 5, mentions: 2 })).toBe(
      'general, 5 unread, 2 mentions',
    );
    expect(describeRoom({ id: 'ops', unread: 1, mentions: 1 })).toBe('ops, 1 unread, 1 mention');
  });
});
